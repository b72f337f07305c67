"""``carbonfp compare``: two projects, or one under two rulesets, factor sets, electricity
policies or plant countries; per-stage differences and the lines that explain them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FormatOption,
    OutputFormat,
    OutputOption,
    PlantCountryOption,
    PolicyOption,
    choose_format,
    emit,
)

if TYPE_CHECKING:
    from carbonfp.data.sourcing import SourcingRule
    from carbonfp.origins import OriginScenario


def compare(
    projects: Annotated[
        list[Path],
        typer.Argument(help="One project file, or two to compare with each other.", dir_okay=False),
    ],
    rules: Annotated[
        list[str] | None,
        typer.Option("--rules", help="Ruleset per scenario (repeat to compare rulesets)."),
    ] = None,
    factor_set: Annotated[
        list[str] | None,
        typer.Option("--factor-set", help="Factor set per scenario (repeat to compare)."),
    ] = None,
    policy: PolicyOption = None,
    plant_country: PlantCountryOption = None,
    every_block: Annotated[
        bool,
        typer.Option(
            "--every-block",
            help="With --plant-country: move every electricity block, suppliers' plants "
            "included, as if the whole chain moved.",
        ),
    ] = False,
    origin: Annotated[
        list[str] | None,
        typer.Option(
            "--origin",
            help="What-if on origin: TARGET=ORIGIN moves every line of a material (id or "
            "alias), else the line (or sub-BOM) of that label, to ORIGIN (an ISO country, or "
            "'ID; refining=CN'); each --origin is a scenario beside the project as given.",
        ),
    ] = None,
    factor: Annotated[
        list[str] | None,
        typer.Option(
            "--factor",
            help="Your own factor of a target from an origin: TARGET@ORIGIN=VALUE (e.g. "
            '"nickel-sulfate@ID=8.2 kg CO2e/kg"); without one a moved line keeps its factor.',
        ),
    ] = None,
    factor_source: Annotated[
        list[str] | None,
        typer.Option(
            "--factor-source",
            help="Where a --factor comes from: TARGET@ORIGIN=TEXT (required with --factor).",
        ),
    ] = None,
    what_if: Annotated[
        Path | None,
        typer.Option(
            "--what-if",
            help="A TOML file of what-if scenarios on origin ([[scenario]] name, "
            "[[scenario.change]] material or line, origin, factor, factor_source).",
            dir_okay=False,
        ),
    ] = None,
    sourcing_rules: Annotated[
        list[str] | None,
        typer.Option(
            "--sourcing-rules",
            help="Sourcing rules whose findings a what-if on origin compares (default: every "
            "shipped rule); ID, ID@VERSION or the path of your own rule file.",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Lines explained per scenario.")] = 5,
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Compare declarations: per-stage differences and the lines that explain them.

    Examples: carbonfp compare battery.toml --plant-country HU,PL,SE;
    carbonfp compare battery.toml --electricity-policy national-mix --electricity-policy
    market-based; carbonfp compare a.toml b.toml;
    carbonfp compare battery.toml --origin nickel-sulfate=ID --factor
    "nickel-sulfate@ID=8.2 kg CO2e/kg" --factor-source "nickel-sulfate@ID=supplier PCF"
    (a what-if on origin: the declaration's change and the sourcing findings side by side;
    findings are indicators from your data, not a legal determination).
    """
    with errors_to_exit_codes(debug, as_json=fmt is OutputFormat.json):
        from carbonfp.engine.scenarios import build_scenarios, comparison_data
        from carbonfp.formats import render_comparison
        from carbonfp.inputs.project import load_project

        chosen = choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        origins, rules_used = _what_ifs(origin, factor, factor_source, what_if, sourcing_rules)
        dim, scenarios = build_scenarios(
            [(project_label(p), load_project(p)) for p in projects],
            rules=rules or [],
            factor_sets=factor_set or [],
            policies=policy or [],
            plant_countries=plant_country or [],
            every_block=every_block,
            origins=origins,
            sourcing_rules=rules_used,
        )
        assert dim is not None  # build_scenarios requires one varying dimension
        data = comparison_data(
            dim,
            [(s.label, s.declaration) for s in scenarios],
            top,
            sourcing=[s.sourcing for s in scenarios] if dim == "origin" else (),
            rules=rules_used,
        )
        emit(render_comparison(data, chosen).text, output)


def _what_ifs(
    origin: list[str] | None,
    factor: list[str] | None,
    factor_source: list[str] | None,
    what_if: Path | None,
    sourcing_rules: list[str] | None,
) -> tuple[list[OriginScenario], list[SourcingRule]]:
    """The what-if scenarios on origin (the file's, then one per --origin) and the sourcing
    rules they compare. Raises UsageError for options that go with a what-if given without
    one, and what reading the file, the options and the rules raise."""
    from carbonfp.data.sourcing import load_sourcing_rule, shipped_sourcing_rules
    from carbonfp.errors import UsageError
    from carbonfp.inputs.whatif import origin_options, read_what_if

    scenarios = read_what_if(what_if) if what_if is not None else []
    scenarios += origin_options(origin or [], factor or [], factor_source or [])
    if not scenarios:
        for name, given in (
            ("--factor", factor),
            ("--factor-source", factor_source),
            ("--sourcing-rules", sourcing_rules),
        ):
            if given:
                raise UsageError(
                    f"{name} goes with a what-if on origin",
                    hint="give --origin TARGET=ORIGIN or --what-if FILE",
                    code="invalid-option",
                )
        return [], []
    if sourcing_rules:
        return scenarios, [load_sourcing_rule(r) for r in dict.fromkeys(sourcing_rules)]
    return scenarios, shipped_sourcing_rules()


def project_label(path: Path) -> str:
    """A short name for a project file: its stem, or its folder's name for ``battery.toml``."""
    return path.stem if path.stem != "battery" else str(path.parent.name or path)
