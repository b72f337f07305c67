"""Plausibility checks against the ruleset's published bands: warnings, never errors."""

from __future__ import annotations

from carbonfp.method.functional_unit import vehicle_group
from carbonfp.model import Battery, Issue, Ruleset, StageResult


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
