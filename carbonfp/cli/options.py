"""Options shared by commands, so every command spells them the same way."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout.", dir_okay=False
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks for errors (for bug reports).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No messages on stderr.")]
RulesOption = Annotated[
    str | None,
    typer.Option(
        "--rules",
        help="Ruleset id or file (default: the project's method.ruleset, else "
        "eu-ev-draft-2024-04).",
    ),
]
FactorSetOption = Annotated[
    str | None,
    typer.Option(
        "--factor-set", help="Factor set ID or ID@VERSION, or a folder (default: the ruleset's)."
    ),
]
LayersOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--factors",
        help="A user factor set folder to layer over the base set (repeatable; later layers "
        "win). Make one with `carbonfp factors import`.",
        file_okay=False,
    ),
]
ModeOption = Annotated[
    str,
    typer.Option(
        "--mode",
        help="screening: label the result 'screening, not a declaration' and list the primary "
        "data still missing; declaration: refuse secondary data on the ruleset's mandatory "
        "items (exit 5).",
    ),
]
PolicyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--electricity-policy", help="national-mix or market-based (repeat to compare both)."
    ),
]
PlantCountryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--plant-country",
        help="Move the plant, and the electricity blocks at the plant's grid, to this country "
        "(repeat, or separate by commas, to compare countries).",
    ),
]


def emit(text: str, output: Path | None, quiet: bool = False) -> None:
    """Print ``text`` to stdout, or write it atomically to ``output``."""
    if output is None:
        typer.echo(text, nl=False)
        return
    from carbonfp.errors import UsageError
    from carbonfp.files import write_atomic

    if not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    write_atomic(output, text)
    if not quiet:
        typer.echo(f"carbonfp: wrote {output}", err=True)
