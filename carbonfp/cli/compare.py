"""``carbonfp compare``: two projects, or one under two rulesets, factor sets, electricity
policies or plant countries; per-stage differences and the lines that explain them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    top: Annotated[int, typer.Option("--top", min=1, help="Lines explained per scenario.")] = 5,
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Compare declarations: per-stage differences and the lines that explain them.

    Examples: carbonfp compare battery.toml --plant-country HU,PL,SE;
    carbonfp compare battery.toml --electricity-policy national-mix --electricity-policy
    market-based; carbonfp compare a.toml b.toml
    """
    with errors_to_exit_codes(debug, as_json=fmt is OutputFormat.json):
        from carbonfp.engine.scenarios import build_scenarios, comparison_data
        from carbonfp.formats import render_comparison
        from carbonfp.inputs.project import load_project

        chosen = choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        dim, scenarios = build_scenarios(
            [(project_label(p), load_project(p)) for p in projects],
            rules=rules or [],
            factor_sets=factor_set or [],
            policies=policy or [],
            plant_countries=plant_country or [],
            every_block=every_block,
        )
        assert dim is not None  # build_scenarios requires one varying dimension
        data = comparison_data(dim, [(s.label, s.declaration) for s in scenarios], top)
        emit(render_comparison(data, chosen).text, output)


def project_label(path: Path) -> str:
    """A short name for a project file: its stem, or its folder's name for ``battery.toml``."""
    return path.stem if path.stem != "battery" else str(path.parent.name or path)
