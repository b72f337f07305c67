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
energy_recovery factor (EER minus the credited heat and electricity) per kg.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

import numpy as np

from carbonfp.errors import InputError
from carbonfp.model import (
    ActivityLine,
    CffMaterial,
    CffResult,
    DataType,
    EolMaterial,
    FactorSet,
    Issue,
    LineKind,
    Project,
    RecycledContent,
    Ruleset,
    Stage,
    SuppliedFactor,
)
from carbonfp.units import dimension_name, emission_scale, scale_to


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


def _per_kg(factor: SuppliedFactor, line: ActivityLine) -> float:
    return factor.value * emission_scale("kg", factor.unit, line.where)


def apply_cff(
    project: Project,
    lines: list[ActivityLine],
    stages: list[Stage],
    ev_per_kg: list[float | None],
    supplier_specific: list[bool],
    factors: FactorSet,
    rules: Ruleset,
) -> tuple[
    dict[int, float], list[tuple[ActivityLine, SuppliedFactor]], list[CffResult], list[Issue]
]:
    """Apply the formula to every raw-material line of a CFF material group.

    Returns: new per-kg factors for lines whose R1 term changes them (index -> kg CO2e/kg),
    end-of-life lines to add (each with its per-kg factor), the terms per line, and warnings.
    Raises InputError when a factor the formula needs (Erec for R1 > 0, ErecEoL for R2 > 0,
    the net energy recovery for R3 > 0) is missing.
    """
    eol = project.end_of_life
    new_values: dict[int, float] = {}
    added: list[tuple[ActivityLine, SuppliedFactor]] = []
    results: list[CffResult] = []
    issues: list[Issue] = []
    missing_r2: set[str] = set()
    missing_disposal: set[str] = set()
    for i, line in enumerate(lines):
        if line.kind is not LineKind.MATERIAL or stages[i] is not Stage.RAW_MATERIALS:
            continue
        group = group_of(line.factor_id or "", rules)
        ev = ev_per_kg[i]
        if group is None or ev is None or dimension_name(line.unit) != "mass":
            continue
        mass = line.quantity * scale_to(line.unit, "kg")
        over = (eol.materials.get(group.name) if eol else None) or EolMaterial(group.name)
        r1 = line.recycled_share or 0.0
        erec = None
        raw = ev
        if r1 > 0 and not supplier_specific[i]:
            erec = _recycled_input(line, group, over, factors)
            raw = (1 - r1) * ev + r1 * (group.a * erec + (1 - group.a) * ev * group.q_in)
            new_values[i] = raw
        r2 = r3 = 0.0
        erec_eol = disposal = None
        recycling_kg = energy_kg = disposal_kg = 0.0
        q_out = over.q_out if over.q_out is not None else group.q_out
        if eol is not None:
            r2_value = over.r2 if over.r2 is not None else group.r2
            if r2_value is None:
                missing_r2.add(group.name)
                r2_value = 0.0
            r2 = r2_value
            r3 = over.r3 if over.r3 is not None else group.r3
            if r2 + r3 > 1:
                raise InputError(
                    f"end of life of {group.name}: R2 + R3 = {r2 + r3:g} exceeds 1",
                    where=eol.where,
                    code="invalid-value",
                )
            if r2 > 0:
                if over.recycling is None:
                    raise InputError(
                        f"end of life of {group.name}: R2 = {r2:g} needs the emissions of "
                        "recycling (ErecEoL)",
                        where=eol.where,
                        hint=f"add [end_of_life.materials.{group.name}] recycling = "
                        '"... kg CO2e/kg" and recycling_source = "..." (no open value is '
                        "shipped for recycling processes)",
                        code="missing-recycling-factor",
                    )
                erec_eol = _per_kg(over.recycling, line)
                recycling_kg = (1 - group.a) * r2 * (erec_eol - ev * q_out) * mass
            if r3 > 0:
                if over.energy_recovery is None:
                    raise InputError(
                        f"end of life of {group.name}: R3 = {r3:g} needs the net emissions of "
                        "energy recovery",
                        where=eol.where,
                        hint=f"add [end_of_life.materials.{group.name}] energy_recovery = "
                        '"... kg CO2e/kg" (EER minus credited heat and electricity) and '
                        "energy_recovery_source",
                        code="missing-recycling-factor",
                    )
                energy_kg = (1 - group.b) * r3 * _per_kg(over.energy_recovery, line) * mass
            if 1 - r2 - r3 > 0:
                if over.disposal is None:
                    missing_disposal.add(group.name)
                else:
                    disposal = _per_kg(over.disposal, line)
                    disposal_kg = (1 - r2 - r3) * disposal * mass
        result = CffResult(
            line=line,
            group=group.name,
            mass_kg=mass,
            r1=r1,
            r2=r2,
            r3=r3,
            a=group.a,
            q_out=q_out,
            ev=ev,
            erec=erec,
            erec_eol=erec_eol,
            disposal=disposal,
            raw_materials_kg=raw * mass,
            recycling_kg=recycling_kg,
            energy_recovery_kg=energy_kg,
            disposal_kg=disposal_kg,
        )
        results.append(result)
        if eol is not None and result.end_of_life_kg != 0:
            added.append(
                (
                    ActivityLine(
                        kind=LineKind.MATERIAL,
                        component=f"end of life (CFF, {group.name}): {line.label}",
                        factor_id=f"cff:{group.name}",
                        quantity=mass,
                        unit="kg",
                        where=line.where,
                        stage=Stage.END_OF_LIFE,
                        data_type=DataType.SUPPLIER
                        if over.recycling is not None
                        else DataType.SECONDARY,
                        note=f"R2 {r2:g}, R3 {r3:g}, A {group.a:g}, Qsout/Qp {q_out:g}, "
                        f"E*v {ev:.4g}, ErecEoL {erec_eol if erec_eol is not None else '-'}, "
                        f"ED {disposal if disposal is not None else '-'} (kg CO2e/kg)",
                    ),
                    SuppliedFactor(
                        result.end_of_life_kg / mass if mass else 0.0,
                        "kg CO2e/kg",
                        f"Circular Footprint Formula, end-of-life terms ({eol.route})",
                    ),
                )
            )
    if eol is None and results:
        issues.append(
            Issue(
                "cff-not-applied",
                "end-of-life formula (CFF) not applied: the project has no [end_of_life]; "
                "recycling credits and burdens are missing",
            )
        )
    for name in sorted(missing_r2):
        issues.append(
            Issue(
                "cff-no-r2",
                f"no recycling rate R2 for {name} (the ruleset gives none): its recycling is "
                f"not credited; give [end_of_life.materials.{name}] R2 and recycling",
            )
        )
    for name in sorted(missing_disposal):
        issues.append(
            Issue(
                "cff-no-disposal",
                f"no disposal factor (ED) for the unrecycled share of {name}: that term is not "
                f"counted; give [end_of_life.materials.{name}] disposal",
            )
        )
    return new_values, added, results, issues


def _recycled_input(
    line: ActivityLine, group: CffMaterial, over: EolMaterial, factors: FactorSet
) -> float:
    if over.recycled_input is not None:
        return _per_kg(over.recycled_input, line)
    if group.recycled_factor and group.recycled_factor in factors.factors:
        factor = factors.factors[group.recycled_factor]
        return factor.value * emission_scale("kg", factor.unit, line.where, factor.id)
    raise InputError(
        f"recycled_share {line.recycled_share:g} of {line.label!r} needs the emissions of the "
        f"recycled {group.name} (Erec)",
        where=line.where,
        hint=f'add [end_of_life.materials.{group.name}] recycled_input = "... kg CO2e/kg" and '
        "recycled_input_source in the project",
        code="missing-recycled-factor",
    )


def recycled_content(
    lines: list[ActivityLine], factors: FactorSet, rules: Ruleset
) -> list[RecycledContent]:
    """Recycled share of each element the Article 8 minimums name, from the BOM's R1."""
    elements = sorted({el for m in rules.recycled_minimums.values() for el in m})
    totals = {el: [0.0, 0.0] for el in elements}
    for line, el, kg in element_masses(lines, factors):
        if el in totals:
            totals[el][0] += kg
            totals[el][1] += kg * (line.recycled_share or 0.0)
    out = []
    for el in elements:
        content, recycled = totals[el]
        if content <= 0:
            continue
        share = recycled / content
        minimums = tuple(
            (date, m[el], share >= m[el])
            for date, m in sorted(rules.recycled_minimums.items())
            if el in m
        )
        out.append(RecycledContent(el, content, recycled, minimums))
    return out


def element_masses(
    lines: list[ActivityLine], factors: FactorSet
) -> list[tuple[ActivityLine, str, float]]:
    """(line, element, kg of that element per battery) for materials with a known composition."""
    out = []
    for line in lines:
        if line.kind is not LineKind.MATERIAL or line.stage is Stage.END_OF_LIFE:
            continue
        composition = factors.composition.get((line.factor_id or "").lower())
        if not composition or dimension_name(line.unit) != "mass":
            continue
        mass = line.quantity * scale_to(line.unit, "kg")
        out += [(line, el, mass * fraction) for el, fraction in composition.items()]
    return out
