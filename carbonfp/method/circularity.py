"""End of life and recycled content: the Circular Footprint Formula (PEF) per material line.

Per kg of material (METHOD.md section 6):

    (1 - R1) Ev + R1 (A Erec + (1 - A) Ev Qsin/Qp)            -> raw_materials
    (1 - A) R2 (ErecEoL - E*v Qsout/Qp)                       -> end_of_life
    (1 - B) R3 (EER - LHV Xheat Ese,heat - LHV Xelec Ese,elec) -> end_of_life
    (1 - R2 - R3) ED                                          -> end_of_life

A, B, Q ratios, R2 and R3 come from the ruleset per material group, overridable in the
project's [end_of_life]; R1 is the BOM line's recycled_share. E*v is the line's own factor.
A supplier-specific factor already holds its product's recycled content, so the R1 term is
applied to factors of the factor set only. The R3 term takes the project's net
energy_recovery factor (EER minus the credited heat and electricity) per kg. The engine
(carbonfp.engine.resolve) gathers these per line and calls :func:`cff_terms` once for all.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

import numpy as np

from carbonfp.model import (
    CffMaterial,
    Ruleset,
)


def group_of(factor_id: str, rules: Ruleset) -> CffMaterial | None:
    """The ruleset's CFF material group whose patterns match a material id."""
    fid = factor_id.lower()
    return next((g for g in rules.cff if any(fnmatch(fid, p) for p in g.match)), None)


Floats = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True, eq=False)
class CffTerms:
    """The formula's terms for many lines at once (arrays, one entry per line)."""

    raw_per_kg: Floats  # (1 - R1) Ev + R1 (A Erec + (1 - A) Ev Qsin/Qp), kg CO2e/kg
    raw_materials_kg: Floats
    recycling_kg: Floats
    energy_recovery_kg: Floats
    disposal_kg: Floats

    @property
    def end_of_life_kg(self) -> Floats:
        return self.recycling_kg + self.energy_recovery_kg + self.disposal_kg


def cff_terms(
    *,
    ev: Floats,
    mass_kg: Floats,
    r1: Floats,
    erec: Floats,
    a: Floats,
    b: Floats,
    q_in: Floats,
    q_out: Floats,
    r2: Floats,
    r3: Floats,
    erec_eol: Floats,
    energy_recovery: Floats,
    disposal: Floats,
) -> CffTerms:
    """The Circular Footprint Formula per line, vectorised (METHOD.md section 6).

    Per-kg factors are kg CO2e/kg; a term whose rate is 0 is 0 whatever its factor (a missing
    factor is NaN and only matters where its rate is above 0); the disposal term is 0 where
    no disposal factor is given (the caller warns).
    """
    with np.errstate(invalid="ignore"):
        raw_per_kg = np.where(r1 > 0, (1 - r1) * ev + r1 * (a * erec + (1 - a) * ev * q_in), ev)
        recycling = np.where(r2 > 0, (1 - a) * r2 * (erec_eol - ev * q_out) * mass_kg, 0.0)
        energy = np.where(r3 > 0, (1 - b) * r3 * energy_recovery * mass_kg, 0.0)
        rest = 1 - r2 - r3
        disposal_kg = np.where((rest > 0) & ~np.isnan(disposal), rest * disposal * mass_kg, 0.0)
    return CffTerms(
        raw_per_kg=raw_per_kg,
        raw_materials_kg=raw_per_kg * mass_kg,
        recycling_kg=recycling,
        energy_recovery_kg=energy,
        disposal_kg=disposal_kg,
    )
