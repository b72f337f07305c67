"""Scenarios shared by ``carbonfp compare`` and ``carbonfp report``: which one thing varies
(projects, rulesets, factor sets, electricity policies or plant countries), a declaration per
value, and the comparison as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbonfp.errors import UsageError
from carbonfp.model import Declaration, FactorSet, Project, Ruleset

POLICIES = ("national-mix", "market-based")


@dataclass(frozen=True)
class Scenario:
    """One declaration of a comparison, with the inputs it was computed from."""

    label: str
    project: Project
    factors: FactorSet
    ruleset: Ruleset
    declaration: Declaration


def project_label(path: Path) -> str:
    """A short name for a project file: its stem, or its folder's name for ``battery.toml``."""
    return path.stem if path.stem != "battery" else str(path.parent.name or path)


def split_countries(values: Sequence[str] | None) -> list[str]:
    """``--plant-country`` values, repeated or separated by commas, as upper-case codes."""
    return [c.strip().upper() for v in values or [] for c in v.split(",") if c]


def build_scenarios(
    projects: Sequence[Path],
    *,
    rules: Sequence[str] = (),
    factor_sets: Sequence[str] = (),
    policies: Sequence[str] = (),
    plant_countries: Sequence[str] = (),
    every_block: bool = False,
    layers: Sequence[str] = (),
    mode: str = "screening",
    require_variation: bool = True,
    command: str = "compare",
) -> tuple[str | None, list[Scenario]]:
    """The dimension that varies and one scenario per value, baseline first.

    A single value of an option applies to every scenario. With ``require_variation`` false,
    nothing may vary: the result is ``(None, [the one scenario])``. ``layers`` are user factor
    sets laid over each scenario's base set; ``command`` names the command in messages.

    Raises UsageError when more than one thing varies (or, with ``require_variation``, none),
    for more than two projects or an unknown electricity policy; and what loading the
    project, the factor sets and the ruleset or calculating raise.
    """
    from dataclasses import replace

    from carbonfp.data import load_factors, load_rules
    from carbonfp.inputs.project import load_project
    from carbonfp.method.calculate import calculate
    from carbonfp.method.compare import move_production

    countries = split_countries(plant_countries)
    rules_, sets_, policies_ = list(rules), list(factor_sets), list(policies)
    varying: dict[str, list[str]] = {
        "project": [project_label(p) for p in projects] if len(projects) > 1 else [],
        "rules": rules_ if len(rules_) > 1 else [],
        "factor set": sets_ if len(sets_) > 1 else [],
        "electricity policy": policies_ if len(policies_) > 1 else [],
        "plant country": countries if len(countries) > 1 else [],
    }
    dims = [k for k, v in varying.items() if v]
    if len(projects) > 2:
        raise UsageError(
            "give one or two project files",
            hint="compare two projects, or one project under repeated options",
        )
    if len(dims) > 1 or (require_variation and not dims):
        raise UsageError(
            f"{command} varies {'exactly' if require_variation else 'at most'} one thing: "
            "two projects, or repeat one of --rules, "
            "--factor-set, --electricity-policy, --plant-country"
            + (f" (now: {', '.join(dims)})" if dims else ""),
            hint="e.g. --plant-country HU,PL,SE, or --rules A --rules B",
        )
    for value in policies_:
        if value not in POLICIES:
            raise UsageError(
                f"unknown --electricity-policy {value!r}", hint="use national-mix or market-based"
            )
    dim = dims[0] if dims else None
    labels = varying[dim] if dim else [project_label(projects[0])]
    scenarios = []
    for i, label in enumerate(labels):
        path = projects[i] if dim == "project" else projects[0]
        project = load_project(path)
        rule_ref = (rules_[i] if dim == "rules" else _first(rules_)) or project.ruleset
        ruleset = load_rules(rule_ref or "eu-ev-draft-2024-04")
        if policies_:
            ruleset = replace(
                ruleset,
                electricity_policy=policies_[i] if dim == "electricity policy" else policies_[0],
            )
        if countries:
            project = move_production(
                project, countries[i] if dim == "plant country" else countries[0], every_block
            )
        set_ref = (
            (sets_[i] if dim == "factor set" else _first(sets_))
            or project.factor_set
            or ruleset.default_factor_set
        )
        factors = load_factors([set_ref, *layers])
        decl = calculate(project, factors, ruleset, mode)
        scenarios.append(Scenario(label, project, factors, ruleset, decl))
    return dim, scenarios


def comparison_data(
    dim: str, scenarios: Sequence[tuple[str, Declaration]], top: int
) -> dict[str, Any]:
    """The comparison as plain data (what ``carbonfp compare --format json`` prints): per
    scenario the totals, per stage the change from the baseline, and the lines explaining it."""
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


def _first(values: list[str]) -> str | None:
    return values[0] if values else None
