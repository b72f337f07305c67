"""Data quality (DQR roll-up, mandatory primary data) and plausibility warnings."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatch
from typing import Any

import numpy as np

from carbonfp.method.functional_unit import vehicle_group
from carbonfp.model import (
    ActivityLine,
    Battery,
    DataType,
    FactorSet,
    Issue,
    LineKind,
    LineResult,
    QualitySummary,
    Ruleset,
    Stage,
    StageResult,
)


def plausibility(
    battery: Battery,
    rules: Ruleset,
    stages: tuple[StageResult, ...],
    total_per_kwh: float,
    cradle_to_gate_per_kwh_capacity: float,
) -> list[Issue]:
    """Warn where a result sits outside the ruleset's bands (METHOD.md section 9)."""
    issues: list[Issue] = []
    band = rules.cradle_to_gate_per_kwh_capacity
    if band and not band.low <= cradle_to_gate_per_kwh_capacity <= band.high:
        issues.append(
            Issue(
                "implausible-cradle-to-gate",
                f"cradle-to-gate {cradle_to_gate_per_kwh_capacity:.1f} kg CO2e per kWh of "
                f"capacity is outside the published range {band.low:g} to {band.high:g}: check "
                "masses, units and supplier factors",
            )
        )
    group = vehicle_group(battery.vehicle_category or "")
    band = rules.per_kwh_delivered.get(group)
    if band and not band.low <= total_per_kwh <= band.high:
        issues.append(
            Issue(
                "implausible-total",
                f"total {total_per_kwh:.4f} kg CO2e/kWh delivered is outside the range "
                f"{band.low:g} to {band.high:g} seen for {group} batteries",
            )
        )
    for result in stages:
        band = rules.stage_shares.get(result.stage)
        if band and not band.low <= result.share <= band.high:
            issues.append(
                Issue(
                    "implausible-stage-share",
                    f"{result.stage.value} is {result.share:.1%} of the total, outside the usual "
                    f"{band.low:.0%} to {band.high:.0%}",
                )
            )
    return issues


Floats = np.ndarray[Any, np.dtype[np.float64]]

DQR_LEVELS = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"))


def dqr_label(dqr: float | None) -> str:
    """PEF wording of a DQR: <= 1.5 excellent, <= 2 very good, <= 3 good, <= 4 fair, else poor."""
    if dqr is None:
        return "unknown"
    return next((name for limit, name in DQR_LEVELS if dqr <= limit), "poor")


def line_dqr(result: LineResult) -> float | None:
    """The line's own DQR where the input gives one, else its factor's."""
    return result.line.dqr if result.line.dqr is not None else result.factor_dqr


def mandatory_matches(line: ActivityLine, rules: Ruleset) -> list[str]:
    """Titles of the ruleset's mandatory company-specific items this line belongs to."""
    return mandatory_matches_of(line.kind, line.factor_id or "", line.component, line.label, rules)


def mandatory_matches_of(
    kind: LineKind, factor_id: str, component: str, label: str, rules: Ruleset
) -> list[str]:
    """Titles of the mandatory items a line of this kind, factor id and names belongs to."""
    names = [n.lower() for n in (factor_id, component, label) if n]
    return [
        item.title
        for item in rules.mandatory
        if kind in item.kinds and any(fnmatch(n, p) for n in names for p in item.match)
    ]


def plausibility_issues(
    rules: Ruleset,
    vehicle_categories: Sequence[str],
    cradle_to_gate_per_kwh_capacity: Floats,
    total_per_kwh: Floats,
    stage_shares: Floats,
    computed: Any,
) -> list[list[Issue]]:
    """Per battery, warnings where a result sits outside the ruleset's bands (METHOD.md
    section 9): cradle-to-gate per kWh of capacity, total per kWh delivered for the vehicle
    group, and each stage's share (``stage_shares``: batteries x stages, in Stage order).
    Batteries not ``computed`` get none."""
    n = len(vehicle_categories)
    out: list[list[Issue]] = [[] for _ in range(n)]
    band = rules.cradle_to_gate_per_kwh_capacity
    c2g = cradle_to_gate_per_kwh_capacity
    if band:
        for b in np.flatnonzero(computed & ~((band.low <= c2g) & (c2g <= band.high))):
            out[int(b)].append(
                Issue(
                    "implausible-cradle-to-gate",
                    f"cradle-to-gate {c2g[b]:.1f} kg CO2e per kWh of capacity is outside the "
                    f"published range {band.low:g} to {band.high:g}: check masses, units and "
                    "supplier factors",
                )
            )
    groups = [vehicle_group(v) for v in vehicle_categories]
    for b in np.flatnonzero(computed):
        group = groups[int(b)]
        band = rules.per_kwh_delivered.get(group)
        if band and not band.low <= total_per_kwh[b] <= band.high:
            out[int(b)].append(
                Issue(
                    "implausible-total",
                    f"total {total_per_kwh[b]:.4f} kg CO2e/kWh delivered is outside the range "
                    f"{band.low:g} to {band.high:g} seen for {group} batteries",
                )
            )
    for i, stage in enumerate(Stage):
        band = rules.stage_shares.get(stage)
        if not band:
            continue
        share = stage_shares[:, i]
        for b in np.flatnonzero(computed & ~((band.low <= share) & (share <= band.high))):
            out[int(b)].append(
                Issue(
                    "implausible-stage-share",
                    f"{stage.value} is {share[b]:.1%} of the total, outside the usual "
                    f"{band.low:.0%} to {band.high:.0%}",
                )
            )
    return out


def quality_summary(results: list[LineResult], rules: Ruleset) -> QualitySummary:
    """Emission-weighted DQR per stage and overall; secondary data on mandatory items."""
    by_stage: dict[Stage, float | None] = {}
    covered = total = 0.0
    weighted_all = 0.0
    for stage in Stage:
        weight = weighted = 0.0
        for r in results:
            if r.stage is not stage:
                continue
            dqr = line_dqr(r)
            total += abs(r.kg_co2e)
            if dqr is not None:
                weight += abs(r.kg_co2e)
                weighted += abs(r.kg_co2e) * dqr
        covered += weight
        weighted_all += weighted
        by_stage[stage] = weighted / weight if weight else None
    missing = []
    for r in results:
        if r.line.data_type is DataType.SECONDARY:
            for title in mandatory_matches(r.line, rules):
                missing.append((title, r.line.label, str(r.line.where)))
    return QualitySummary(
        dqr_by_stage=by_stage,
        dqr_overall=weighted_all / covered if covered else None,
        dqr_coverage=covered / total if total else 0.0,
        missing_primary=tuple(missing),
    )


def material_content(
    lines: list[ActivityLine], factors: FactorSet, rules: Ruleset, capacity_kwh: float
) -> list[Issue]:
    """Warn where kg of Li, Ni, Co, Cu or graphite per kWh is outside the ruleset's bands."""
    from carbonfp.method.circularity import element_masses

    content: dict[str, float] = {}
    for _, element, kg in element_masses(lines, factors):
        content[element] = content.get(element, 0.0) + kg
    issues = []
    for element, band in rules.material_content_per_kwh.items():
        per_kwh = content.get(element, 0.0) / capacity_kwh
        if element not in content:
            continue  # not counted: no composition known for the materials holding it
        if not band.low <= per_kwh <= band.high:
            issues.append(
                Issue(
                    "implausible-material-content",
                    f"{element}: {per_kwh:.3f} kg per kWh of capacity in the BOM, outside the "
                    f"{band.low:g} to {band.high:g} of BatPaC 5.2 packs: check masses and units",
                )
            )
    return issues
