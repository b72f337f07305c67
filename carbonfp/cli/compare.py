"""``carbonfp compare``: two projects, or one under two rulesets, factor sets, electricity
policies or plant countries; per-stage differences and the lines that explain them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FormatOption,
    OutputFormat,
    OutputOption,
    PlantCountryOption,
    PolicyOption,
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
    fmt: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Compare declarations: per-stage differences and the lines that explain them.

    Examples: carbonfp compare battery.toml --plant-country HU,PL,SE;
    carbonfp compare battery.toml --electricity-policy national-mix --electricity-policy
    market-based; carbonfp compare a.toml b.toml
    """
    with errors_to_exit_codes(debug):
        from carbonfp.cli.scenarios import build_scenarios

        dim, scenarios = build_scenarios(
            projects,
            rules=rules or [],
            factor_sets=factor_set or [],
            policies=policy or [],
            plant_countries=plant_country or [],
            every_block=every_block,
        )
        assert dim is not None  # build_scenarios requires one varying dimension
        emit(_render(dim, [(s.label, s.declaration) for s in scenarios], top, fmt), output)


def _render(dim: str, scenarios: list[tuple[str, Any]], top: int, fmt: OutputFormat) -> str:
    from carbonfp.cli.scenarios import comparison_data

    data = comparison_data(dim, scenarios, top)
    if fmt is OutputFormat.json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt is OutputFormat.csv:
        rows = ["scenario,stage,kg_co2e,kg_co2e_per_kwh,delta_kg_co2e"]
        for sc in data["scenarios"]:
            for stage, v in sc["stages"].items():
                rows.append(
                    f"{_csv(sc['scenario'])},{stage},{v['kg_co2e']:.10g},"
                    f"{v['kg_co2e_per_kwh']:.10g},{v['delta_kg_co2e']:.10g}"
                )
        return "\n".join(rows) + "\n"
    labels = [sc["scenario"] for sc in data["scenarios"]]
    width = max(14, *(len(x) + 2 for x in labels))
    out = [f"Comparison by {dim} (baseline: {data['baseline']}); kg CO2e per kWh delivered", ""]
    out.append(f"  {'stage':<16}" + "".join(f"{x[: width - 2]:>{width}}" for x in labels))
    for stage in scenarios[0][1].stages:
        name = stage.stage.value
        out.append(
            f"  {name:<16}"
            + "".join(
                f"{sc['stages'][name]['kg_co2e_per_kwh']:>{width}.4f}" for sc in data["scenarios"]
            )
        )
    out.append(
        f"  {'total':<16}"
        + "".join(f"{sc['total_kg_co2e_per_kwh']:>{width}.4f}" for sc in data["scenarios"])
    )
    out.append(
        f"  {'kg per battery':<16}"
        + "".join(f"{_k(sc['absolute_kg_co2e']):>{width}}" for sc in data["scenarios"])
    )
    out.append(
        f"  {'c2g kg/kWh cap.':<16}"
        + "".join(
            f"{sc['cradle_to_gate_kg_co2e_per_kwh_capacity']:>{width}.1f}"
            for sc in data["scenarios"]
        )
    )
    for sc in data["scenarios"][1:]:
        delta = sc["absolute_kg_co2e"] - data["scenarios"][0]["absolute_kg_co2e"]
        out.append("")
        out.append(f"{data['baseline']} -> {sc['scenario']}: {_k(delta, '+')} kg CO2e per battery")
        for line in sc["explained_by"]:
            out.append(f"  {_k(line['delta_kg_co2e'], '+'):>10} kg  {line['line']}")
    return "\n".join(out) + "\n"


def _k(value: float, sign: str = "") -> str:
    return f"{value:{sign},.0f}".replace(",", " ")


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text
