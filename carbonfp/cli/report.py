"""``carbonfp report``: the public study as one self-contained HTML page with charts, or as a
PDF of the same page (page numbers, contents table) to sign."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    LayersOption,
    ModeOption,
    OutputOption,
    PlantCountryOption,
    PolicyOption,
    QuietOption,
    choose_format,
    emit,
)
from carbonfp.errors import GateError, Location, UsageError


class ReportFormat(str, Enum):
    html = "html"
    pdf = "pdf"


def report(
    projects: Annotated[
        list[Path],
        typer.Argument(
            help="Project file (battery.toml); a second one adds a comparison with it.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    output: OutputOption = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="html (one self-contained page) or pdf (the same page on A4, with page numbers "
            "and a contents table; needs --output and the pdf extra). Default: from the "
            "--output extension (.pdf), else html.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rules",
            help="Ruleset id or file (default: the project's method.ruleset, else "
            "eu-ev-draft-2024-04); repeat to compare rulesets.",
        ),
    ] = None,
    factor_set: Annotated[
        list[str] | None,
        typer.Option(
            "--factor-set",
            help="Factor set ID or ID@VERSION, or a folder (default: the ruleset's); repeat to "
            "compare factor sets.",
        ),
    ] = None,
    layers: LayersOption = None,
    mode: ModeOption = "screening",
    policy: PolicyOption = None,
    plant_country: PlantCountryOption = None,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            min=2,
            help="Add a Monte Carlo of N draws over the spread of the amounts and factors "
            "(of the declaration).",
            metavar="N",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed of --uncertainty.")] = 0,
    top: Annotated[int, typer.Option("--top", min=1, help="How many top contributors.")] = 10,
    sourcing: Annotated[
        bool,
        typer.Option(
            "--sourcing",
            help="Add a section on where the battery comes from (as carbonfp sourcing): the "
            "footprint by country of origin with a chart, the critical raw materials by country.",
        ),
    ] = False,
    sourcing_rules: Annotated[
        list[str] | None,
        typer.Option(
            "--sourcing-rules",
            help="Sourcing rules whose findings the sourcing section lists (implies --sourcing; "
            "repeatable): ID, ID@VERSION or the path of your own rule file.",
        ),
    ] = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Write the public study as one HTML page: declaration, charts, methods, data.

    Self-contained (inline CSS and SVG, no script, no network); prints to PDF.
    With -o report.pdf (or --format pdf): the same page as a PDF to sign, with
    page numbers and a contents table, laid out offline by WeasyPrint
    (pip install 'carbonfp[pdf]').
    Give two projects, or repeat --rules, --factor-set, --electricity-policy
    or --plant-country, to add a comparison.
    Needs matplotlib: pip install 'carbonfp[report]'.

    Example: carbonfp report samples/ev-nmc811-hu/battery.toml -o report.html
    """
    with errors_to_exit_codes(debug):
        from importlib.util import find_spec

        from carbonfp.api import calculate
        from carbonfp.engine.scenarios import build_scenarios, comparison_data
        from carbonfp.formats import render, render_report_pdf
        from carbonfp.inputs.project import load_project
        from carbonfp.run import RunOptions

        pdf = choose_format(fmt.value if fmt else None, output, ("html", "pdf")) == "pdf"
        if pdf and (output is None or output == "-"):
            raise UsageError(
                "--format pdf writes a binary file and needs --output",
                hint="add -o report.pdf",
                code="invalid-option",
            )
        RunOptions(mode=mode)  # checks the mode before any work
        for path in projects:
            if path.suffix.lower() in (".csv", ".xlsx"):
                raise UsageError(
                    f"{path.name} is a BOM; report takes a project file (battery.toml)",
                    hint="a project file names the battery, plant and its BOM: see the README, "
                    "section 'Input formats'",
                    code="invalid-option",
                )
        if find_spec("matplotlib") is None:
            raise UsageError(
                "carbonfp report draws its charts with matplotlib, which is not installed",
                hint="install the report extra: pip install 'carbonfp[report]' "
                "(or pip install 'matplotlib>=3.7')",
                code="missing-dependency",
            )
        if pdf:
            from carbonfp.formats.report_pdf import weasyprint

            weasyprint()  # says how to install it before any work
        loaded = [(project_label(p), load_project(p)) for p in projects]
        dim, scenarios = build_scenarios(
            loaded,
            rules=rules or [],
            factor_sets=factor_set or [],
            policies=policy or [],
            plant_countries=plant_country or [],
            layers=[str(p) for p in layers or []],
            mode=mode,
            require_variation=False,
            command="report",
        )
        # The declaration is the first project's as calc computes it; an option repeated to
        # compare its values changes only the comparison.
        first = loaded[0][1]

        def single(values: list[str] | None, name: str) -> str | None:
            return values[0] if values and dim != name else None

        if plant_country and dim != "plant country":
            first = scenarios[0].project
        declaration = calculate(
            first,
            single(factor_set, "factor set"),
            single(rules, "rules"),
            mode,
            layers=[str(p) for p in layers or []],
            policy=single(policy, "electricity policy"),
            uncertainty=uncertainty,
            seed=seed,
        )
        for decl, label in [(declaration, first.label)] + [
            (s.declaration, s.project.label) for s in scenarios
        ]:
            if decl.gate_failures:
                raise GateError(
                    "not a declaration: " + " | ".join(decl.gate_failures),
                    where=Location(label),
                    hint="give company- or supplier-specific data (data_type = company or "
                    "supplier) on these lines, or run --mode screening",
                    code="not-a-declaration",
                )
        comparison = None
        if dim is not None:
            comparison = comparison_data(
                dim, [(s.label, s.declaration) for s in scenarios], min(top, 5)
            )
        where_from = None
        if sourcing or sourcing_rules:
            from carbonfp.api import sourcing as find
            from carbonfp.engine.sourcing import battery_document

            where_from = battery_document(
                find(
                    [first],
                    single(factor_set, "factor set"),
                    single(rules, "rules"),
                    sourcing_rules=sourcing_rules or [],
                    layers=[str(p) for p in layers or []],
                    policy=single(policy, "electricity policy"),
                )
            )
        html = render(declaration, "html", top=top, comparison=comparison, sourcing=where_from)
        emit(render_report_pdf(html).content if pdf else html.text, output, quiet)


def project_label(path: Path) -> str:
    """A short name for a project file: its stem, or its folder's name for ``battery.toml``."""
    return path.stem if path.stem != "battery" else str(path.parent.name or path)
