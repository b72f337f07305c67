"""Data quality rules (which lines need company-specific data) and plausibility warnings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import fnmatch
from typing import Any

import numpy as np

from carbonfp.method.functional_unit import vehicle_group
from carbonfp.model import (
    Issue,
    LineKind,
    Ruleset,
    Stage,
)

Floats = np.ndarray[Any, np.dtype[np.float64]]


def mandatory_matches_of(
    kind: LineKind,
    factor_id: str,
    role: str | None,
    rules: Ruleset,
    names: Sequence[str] = (),
) -> list[str]:
    """Titles of the mandatory items a line of this kind, factor id and role belongs to: by
    role (rulesets from version 2: a renamed component needs the same data), or by the glob
    patterns (``match``) of version 1 rulesets on its factor id and ``names`` (component,
    label), kept so that their declarations can be made again."""
    texts = [n.lower() for n in (factor_id, *names) if n]
    return [
        item.title
        for item in rules.mandatory
        if kind in item.kinds
        and (
            (role is not None and role in item.roles)
            or any(fnmatch(t, p) for t in texts for p in item.match)
        )
    ]


def role_needed(kind: LineKind, rules: Ruleset) -> bool:
    """Whether the ruleset decides by role for lines of this kind (a secondary line of it with
    no role cannot be placed)."""
    return any(kind in item.kinds and item.roles for item in rules.mandatory)


def chemistry_key(chemistry: str) -> str:
    """A chemistry as compared: upper case, letters and digits only, NCM written NMC."""
    key = re.sub(r"[^0-9A-Z]+", "", chemistry.upper())
    return "NMC" + key[3:] if key.startswith("NCM") else key


def band_applies(chemistries: Sequence[str], chemistry: str) -> bool:
    """Whether a band published for ``chemistries`` (empty: all) applies to ``chemistry``."""
    return not chemistries or chemistry_key(chemistry) in {chemistry_key(c) for c in chemistries}


def plausibility_issues(
    rules: Ruleset,
    vehicle_categories: Sequence[str],
    cradle_to_gate_per_kwh_capacity: Floats,
    total_per_kwh: Floats,
    stage_shares: Floats,
    computed: Any,
    chemistries: Sequence[str] | None = None,
) -> list[list[Issue]]:
    """Per battery, warnings where a result sits outside the ruleset's bands (METHOD.md
    section 9): cradle-to-gate per kWh of capacity, total per kWh delivered for the vehicle
    group, and each stage's share (``stage_shares``: batteries x stages, in Stage order).
    Batteries not ``computed`` get none. The cradle-to-gate band applies only to the
    ``chemistries`` (per battery) it was published for."""
    n = len(vehicle_categories)
    out: list[list[Issue]] = [[] for _ in range(n)]
    band = rules.cradle_to_gate_per_kwh_capacity
    c2g = cradle_to_gate_per_kwh_capacity
    if band:
        named = list(chemistries) if chemistries is not None else [""] * n
        applies = np.array(
            [
                chemistries is None or band_applies(rules.cradle_to_gate_chemistries, c)
                for c in named
            ],
            dtype=bool,
        )
        for b in np.flatnonzero(computed & ~applies):
            out[int(b)].append(
                Issue(
                    "no-plausibility-band",
                    f"cradle-to-gate {c2g[b]:.1f} kg CO2e per kWh of capacity not checked: "
                    f"{rules.id}'s band was published for "
                    f"{', '.join(rules.cradle_to_gate_chemistries)}, not {named[b]!r}",
                )
            )
        for b in np.flatnonzero(computed & applies & ~((band.low <= c2g) & (c2g <= band.high))):
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
        if band is None and rules.per_kwh_delivered:
            out[int(b)].append(
                Issue(
                    "no-plausibility-band",
                    f"total {total_per_kwh[b]:.4f} kg CO2e/kWh delivered not checked: "
                    f"{rules.id} has bands for {', '.join(rules.per_kwh_delivered)} vehicles"
                    + (f", not {group}" if group else ", and this battery has no vehicle category"),
                )
            )
        elif band and not band.low <= total_per_kwh[b] <= band.high:
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
