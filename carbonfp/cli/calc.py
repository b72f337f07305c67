"""``carbonfp calc``: compute and print or export a battery's carbon footprint declaration."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    OutputOption,
    QuietOption,
    emit,
)
from carbonfp.errors import GateError, Location, UsageError


class CalcFormat(str, Enum):
    """What ``carbonfp calc`` writes."""

    text = "text"
    json = "json"
    csv = "csv"
    batterypass = "batterypass"
    pact = "pact"
    xlsx = "xlsx"


CalcFormatOption = Annotated[
    CalcFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text, json (the full record), csv (tidy; --lines), batterypass "
        "(battery passport carbon footprint), pact (PACT 2.3 ProductFootprint, cradle-to-gate "
        "per kg), xlsx (workbook; needs --output).",
        case_sensitive=False,
    ),
]


def calc(
    project: Annotated[
        Path,
        typer.Argument(
            help="Project file (battery.toml) naming the battery, plant and its "
            "BOM, energy and transport inputs.",
            show_default=False,
        ),
    ],
    fmt: CalcFormatOption = CalcFormat.text,
    output: OutputOption = None,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules",
            help="Ruleset id or file (default: the project's method.ruleset, "
            "else eu-ev-draft-2024-04).",
        ),
    ] = None,
    factor_set: Annotated[
        str | None,
        typer.Option(
            "--factor-set",
            help="Factor set ID or ID@VERSION, or a folder (default: the ruleset's).",
        ),
    ] = None,
    layers: Annotated[
        list[Path] | None,
        typer.Option(
            "--factors",
            help="A user factor set folder to layer over the base set (repeatable; later "
            "layers win). Make one with `carbonfp factors import`.",
            file_okay=False,
        ),
    ] = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="CSV: one row per BOM or energy line.")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="How many top contributors.")] = 10,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="screening: label the result 'screening, not a declaration' and list the "
            "primary data still missing; declaration: refuse secondary data on the ruleset's "
            "mandatory items (exit 5).",
        ),
    ] = "screening",
    timestamp: Annotated[
        bool,
        typer.Option(
            "--timestamp",
            help="JSON: add generated_at (UTC); PACT: created is now (UTC). Off by default, so "
            "that the same inputs give the same bytes.",
        ),
    ] = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Compute the Article 7 declaration: kg CO2e per kWh delivered, per life-cycle stage.

    Example: carbonfp calc samples/ev-nmc811-hu/battery.toml --format json -o decl.json
    """
    with errors_to_exit_codes(debug):
        from carbonfp.factors import load_factors, load_rules
        from carbonfp.io.declaration import to_csv, to_json, to_text
        from carbonfp.io.project import load_project
        from carbonfp.method.calculate import calculate

        if output is not None and not output.parent.is_dir():
            raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
        if fmt is CalcFormat.xlsx and output is None:
            raise UsageError(
                "--format xlsx writes a binary workbook and needs --output",
                hint="add -o declaration.xlsx",
            )
        if project.suffix.lower() in (".csv", ".xlsx"):
            raise UsageError(
                f"{project.name} is a BOM; calc takes a project file (battery.toml)",
                hint="a project file names the battery, plant and its BOM: see the README, "
                "section 'Input formats'",
            )
        loaded = load_project(project)
        ruleset = load_rules(rules or loaded.ruleset or "eu-ev-draft-2024-04")
        base = factor_set or loaded.factor_set or ruleset.default_factor_set
        factors = load_factors([base, *(str(p) for p in layers or [])])
        if mode not in ("screening", "declaration"):
            raise UsageError(f"--mode must be screening or declaration, not {mode!r}")
        declaration = calculate(loaded, factors, ruleset, mode)
        if declaration.gate_failures:
            raise GateError(
                "not a declaration: " + " | ".join(declaration.gate_failures),
                where=Location(loaded.label),
                hint="give company- or supplier-specific data (data_type = company or supplier) "
                "on these lines, or run --mode screening",
            )
        now = None
        if timestamp:
            from datetime import datetime, timezone

            now = datetime.now(timezone.utc).replace(microsecond=0)
        notes: tuple[str, ...] = ()
        if fmt is CalcFormat.xlsx:
            from carbonfp.io.xlsx import write_xlsx

            assert output is not None
            write_xlsx(output, declaration, now)
            if not quiet:
                typer.echo(f"carbonfp: wrote {output}", err=True)
            return
        if fmt is CalcFormat.json:
            text = to_json(declaration, top, now.isoformat() if now else None)
        elif fmt is CalcFormat.csv:
            text = to_csv(declaration, lines)
        elif fmt is CalcFormat.batterypass:
            from carbonfp.io.batterypass import batterypass
            from carbonfp.io.pact import dumps

            export = batterypass(declaration)
            text, notes = dumps(export.data), export.notes
        elif fmt is CalcFormat.pact:
            from carbonfp.io.pact import dumps, pact_footprint

            export = pact_footprint(declaration, ruleset, now)
            text, notes = dumps(export.data), export.notes
        else:
            text = to_text(declaration, top)
        if not quiet:
            for note in notes:
                typer.echo(f"carbonfp: warning: {note}", err=True)
        emit(text, output, quiet)
