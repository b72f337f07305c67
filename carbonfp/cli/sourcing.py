"""``carbonfp sourcing``: where a battery's critical raw materials and footprint come from, and
the findings of sourcing rules (indicators from the user's data, not a legal determination)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FactorSetOption,
    LayersOption,
    OutputOption,
    QuietOption,
    choose_format,
    emit,
    expand_projects,
)


class SourcingFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def sourcing(
    projects: Annotated[
        list[str],
        typer.Argument(
            help="Project files (battery.toml), folders holding some, or globs.",
            show_default=False,
        ),
    ],
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rules",
            help="A sourcing rule to apply: eu-crma-benchmark, eu-battery-due-diligence, "
            "us-30d-feoc (ID or ID@VERSION), or the path of your own rule file (repeatable).",
        ),
    ] = None,
    ruleset: Annotated[
        str | None,
        typer.Option(
            "--ruleset",
            help="The carbon footprint ruleset of the footprint by country (default: the "
            "project's method.ruleset, else the category's).",
        ),
    ] = None,
    factor_set: FactorSetOption = None,
    layers: LayersOption = None,
    fmt: Annotated[
        SourcingFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json, csv or xlsx (needs --output). Default: from the --output "
            "extension, else text.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Where the battery comes from: its critical raw materials by country of origin at each
    supply-chain stage, its footprint by country of origin, and sourcing rules' findings.

    For lithium, nickel, cobalt, manganese, graphite, copper and aluminium: the mass in the
    BOM (its sub-BOMs included) by country of origin and by stage where the BOM says so
    (origin column: KR, or FI; refining=FI; extraction=ID), no stated origin as its own share;
    the lines whose element content is unknown; the kg CO2e of each life-cycle stage by the
    origin of its lines, adding up to the declaration. Findings are indicators computed from
    your data, not a legal determination.

    Examples: carbonfp sourcing samples/ev-nmc811-hu/battery.toml;
    carbonfp sourcing samples/ev-nmc811-hu/battery.toml --rules eu-crma-benchmark
    --rules eu-battery-due-diligence -o sourcing.xlsx
    """
    with errors_to_exit_codes(debug, as_json=fmt is SourcingFormat.json):
        from carbonfp.api import load_projects
        from carbonfp.api import sourcing as find
        from carbonfp.errors import UsageError
        from carbonfp.formats import render_sourcing

        chosen = choose_format(
            fmt.value if fmt else None, output, [f.value for f in SourcingFormat]
        )
        if chosen == "xlsx" and (output is None or output == "-"):
            raise UsageError(
                "--format xlsx writes a binary file and needs --output",
                hint="add -o sourcing.xlsx",
                code="invalid-option",
            )
        paths = expand_projects(projects)
        document = find(
            load_projects(paths),
            factor_set,
            ruleset,
            sourcing_rules=rules or [],
            layers=[str(p) for p in layers or []],
        )
        emit(render_sourcing(document, chosen).content, output, quiet)
