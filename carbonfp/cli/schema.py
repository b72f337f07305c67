"""``carbonfp schema``: print the JSON Schema of one of carbonfp's exchange formats."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import DebugOption, OutputOption, QuietOption, emit


class SchemaName(str, Enum):
    """The schemas carbonfp ships (carbonfp/schemas/NAME.schema.json)."""

    declaration = "declaration"
    batterypass = "batterypass"
    pact = "pact"
    pact_article7 = "pact-article7"


def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(
            help="declaration (--format json), batterypass, pact (PACT 2.3 ProductFootprint, "
            "carbonfp's reading) or pact-article7 (the Article 7 extension inside it).",
            show_default=False,
            case_sensitive=False,
        ),
    ],
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of an output format.

    Example: carbonfp schema pact -o pact.schema.json
    """
    with errors_to_exit_codes(debug):
        from carbonfp.schemas import schema_text

        emit(schema_text(name.value), output, quiet)
