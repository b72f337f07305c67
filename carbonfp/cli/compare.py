"""``carbonfp compare``: two projects, or one under two rulesets, factor sets, electricity
policies or plant countries; per-stage differences and the lines that explain them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import DebugOption, FormatOption, OutputFormat, OutputOption, emit
from carbonfp.errors import UsageError


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
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--electricity-policy",
            help="national-mix or market-based (repeat to compare both).",
        ),
    ] = None,
    plant_country: Annotated[
        list[str] | None,
        typer.Option(
            "--plant-country",
            help="Move the plant and every electricity block to this country (repeat, or "
            "separate by commas, to compare countries).",
        ),
    ] = None,
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
        from dataclasses import replace

        from carbonfp.factors import load_factors, load_rules
        from carbonfp.io.project import load_project
        from carbonfp.method.calculate import calculate
        from carbonfp.method.compare import move_production

        countries = [c.strip().upper() for v in plant_country or [] for c in v.split(",") if c]
        rules_, sets_, policies = rules or [], factor_set or [], policy or []
        varying: dict[str, list[str]] = {
            "project": [
                p.stem if p.stem != "battery" else str(p.parent.name or p) for p in projects
            ]
            if len(projects) > 1
            else [],
            "rules": rules_ if len(rules_) > 1 else [],
            "factor set": sets_ if len(sets_) > 1 else [],
            "electricity policy": policies if len(policies) > 1 else [],
            "plant country": countries if len(countries) > 1 else [],
        }
        dims = [k for k, v in varying.items() if v]
        if len(projects) > 2:
            raise UsageError("give one or two project files")
        if len(dims) != 1:
            raise UsageError(
                "compare varies exactly one thing: two projects, or repeat one of --rules, "
                "--factor-set, --electricity-policy, --plant-country"
                + (f" (now: {', '.join(dims)})" if dims else "")
            )
        for value in policy or []:
            if value not in ("national-mix", "market-based"):
                raise UsageError(f"unknown --electricity-policy {value!r}")
        dim = dims[0]
        scenarios = []
        for i, label in enumerate(varying[dim]):
            path = projects[i] if dim == "project" else projects[0]
            project = load_project(path)
            rule_ref = (rules_[i] if dim == "rules" else _first(rules_)) or project.ruleset
            ruleset = load_rules(rule_ref or "eu-ev-draft-2024-04")
            if policies:
                ruleset = replace(
                    ruleset,
                    electricity_policy=policies[i] if dim == "electricity policy" else policies[0],
                )
            if countries:
                project = move_production(
                    project, countries[i] if dim == "plant country" else countries[0]
                )
            set_ref = (
                (sets_[i] if dim == "factor set" else _first(sets_))
                or project.factor_set
                or ruleset.default_factor_set
            )
            decl = calculate(project, load_factors([set_ref]), ruleset)
            scenarios.append((label, decl))
        emit(_render(dim, scenarios, top, fmt), output)


def _data(dim: str, scenarios: list[tuple[str, Any]], top: int) -> dict[str, Any]:
    from carbonfp.method.compare import line_deltas

    base_label, base = scenarios[0]
    out: dict[str, Any] = {"varies": dim, "baseline": base_label, "scenarios": []}
    for label, decl in scenarios:
        deltas = line_deltas(base, decl) if decl is not base else []
        out["scenarios"].append(
            {
                "scenario": label,
                "total_kg_co2e_per_kwh": decl.total_kg_co2e_per_kwh,
                "absolute_kg_co2e": decl.absolute_kg_co2e,
                "cradle_to_gate_kg_co2e_per_kwh_capacity": (
                    decl.cradle_to_gate_kg_co2e_per_kwh_capacity
                ),
                "total_energy_kwh": decl.functional_unit.total_energy_kwh,
                "stages": {
                    s.stage.value: {
                        "kg_co2e": s.kg_co2e,
                        "kg_co2e_per_kwh": s.kg_co2e_per_kwh,
                        "delta_kg_co2e": s.kg_co2e - base.stage(s.stage).kg_co2e,
                    }
                    for s in decl.stages
                },
                "explained_by": [
                    {
                        "line": d.explanation,
                        "before_kg_co2e": d.before_kg,
                        "after_kg_co2e": d.after_kg,
                        "delta_kg_co2e": d.delta_kg,
                    }
                    for d in deltas[:top]
                ],
            }
        )
    return out


def _render(dim: str, scenarios: list[tuple[str, Any]], top: int, fmt: OutputFormat) -> str:
    data = _data(dim, scenarios, top)
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


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _k(value: float, sign: str = "") -> str:
    return f"{value:{sign},.0f}".replace(",", " ")


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text
