"""Assembles the Declaration: resolves factors, multiplies, sums per stage, per kWh delivered."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from carbonfp import __version__
from carbonfp.errors import InputError
from carbonfp.method.circularity import apply_cff, group_of, recycled_content
from carbonfp.method.electricity import duplicate_certificates, resolve_electricity, sources_of
from carbonfp.method.functional_unit import functional_unit
from carbonfp.method.quality import material_content, plausibility, quality_summary
from carbonfp.method.stages import assign_stage
from carbonfp.model import (
    ActivityLine,
    CffResult,
    Declaration,
    ElectricityResult,
    FactorSet,
    FunctionalUnit,
    Issue,
    LineKind,
    LineResult,
    Project,
    Provenance,
    Ruleset,
    Stage,
    StageResult,
)
from carbonfp.units import emission_scale

STAGES = tuple(Stage)
_TABLES = {
    LineKind.MATERIAL: ("materials", "end_of_life", "screening"),
    LineKind.ELECTRICITY: ("electricity",),
    LineKind.FUEL: ("fuels",),
    LineKind.TRANSPORT: ("transport",),
}


@dataclass(frozen=True)
class Resolved:
    """The factor a line uses, wherever it came from."""

    id: str
    value: float
    unit: str
    source: str
    status: str
    set_label: str = ""
    dqr: float | None = None


def resolve_factor(line: ActivityLine, factors: FactorSet, rules: Ruleset) -> Resolved:
    """Pick the line's factor: its own supplier value, else the factor set's row.

    Raises InputError (code ``unknown-factor``) naming the line and the closest known ids.
    """
    fid = line.factor_id or ""
    if line.supplied is not None:
        return Resolved(
            fid,
            line.supplied.value,
            line.supplied.unit,
            f"supplier: {line.supplied.source}",
            "supplier",
        )
    if line.kind is LineKind.PROCESS_EMISSION:
        return _gwp(line, factors, rules)
    tables = _TABLES[line.kind]
    factor = factors.factors.get(fid)
    if factor is not None and factor.table in tables:
        return Resolved(
            factor.id,
            factor.value,
            factor.unit,
            factor.source,
            factor.status,
            factor.set_label,
            factor.dqr_score,
        )
    if factor is not None:
        raise InputError(
            f"{fid!r} is a {factor.table} factor, not a {line.kind.value} factor",
            where=line.where,
            hint=f"use a {' or '.join(tables)} id here",
            code="wrong-factor-table",
        )
    raise _unknown(line, fid, factors, tables)


def _unknown(
    line: ActivityLine, fid: str, factors: FactorSet, tables: tuple[str, ...]
) -> InputError:
    known = sorted(k for k, f in factors.factors.items() if f.table in tables)
    close = difflib.get_close_matches(fid, known, n=3, cutoff=0.5)
    suggestion = f"did you mean {' or '.join(repr(c) for c in close)}? If not, " if close else ""
    if line.kind is LineKind.ELECTRICITY:
        countries = sorted(k[5:].upper() for k in known if k.startswith("grid-"))
        return InputError(
            f"no national grid factor for {line.origin!r} in {factors.label}",
            where=line.where,
            hint="grids shipped: " + ", ".join(countries) + "; give the country's ISO code",
            code="unknown-factor",
        )
    if line.kind is LineKind.MATERIAL:
        how = (
            "give a supplier-specific value in the BOM's factor column (e.g. '12.4 kg CO2e/kg')"
            " with its factor_source"
        )
        what = "material"
    elif line.kind is LineKind.FUEL:
        how = 'give factor = "... kg CO2e/MJ" and factor_source in the [[fuel]] block'
        what = "fuel"
    else:
        how = 'give factor = "... kg CO2e/(t*km)" and factor_source in the [[transport]] leg'
        what = "transport mode"
    return InputError(
        f"unknown {what} {fid!r}: {factors.label} has no factor for it",
        where=line.where,
        hint=suggestion + how + ("; `carbonfp factors` lists the shipped ids" if not close else ""),
        code="unknown-factor",
    )


def _gwp(line: ActivityLine, factors: FactorSet, rules: Ruleset) -> Resolved:
    table = factors.gwp.get(rules.gwp_set)
    if table is None:
        raise InputError(
            f"factor set {factors.label} has no GWP set {rules.gwp_set!r} (ruleset {rules.id})",
            where=line.where,
            code="unknown-gwp-set",
        )
    gas = line.factor_id or ""
    if gas not in table:
        raise InputError(
            f"unknown gas {gas!r}",
            where=line.where,
            hint=f"gases with a {rules.gwp_set} GWP: {', '.join(table)}",
            code="unknown-factor",
        )
    return Resolved(
        f"{rules.gwp_set}:{gas}",
        table[gas],
        "kg CO2e/kg",
        factors.gwp_sources.get(rules.gwp_set, ""),
        "default",
    )


MODES = ("screening", "declaration")


@dataclass(frozen=True)
class Prepared:
    """One battery's lines resolved to floats: amount, factor and unit scale per line."""

    project: Project
    factors: FactorSet
    rules: Ruleset
    mode: str
    fu: FunctionalUnit
    warnings: tuple[Issue, ...]
    lines: tuple[ActivityLine, ...]
    stages: tuple[Stage, ...]
    resolved: tuple[Resolved, ...]
    electricity: tuple[ElectricityResult, ...]
    cff: tuple[CffResult, ...]
    quantities: np.ndarray[Any, np.dtype[np.float64]]
    values: np.ndarray[Any, np.dtype[np.float64]]
    scales: np.ndarray[Any, np.dtype[np.float64]]
    stage_index: np.ndarray[Any, np.dtype[np.intp]]
    #: (end-of-life line, its material line, kg CO2e the credit moves per unit change of the
    #: material's factor): the CFF term (1 - A) R2 (ErecEoL - E*v Qsout/Qp) depends on E*v
    eol_coupling: tuple[tuple[int, int, float], ...] = ()


def calculate(
    project: Project, factors: FactorSet, rules: Ruleset, mode: str = "screening"
) -> Declaration:
    """Compute the Article 7 declaration of one battery.

    Pure: everything arrives as arguments. ``mode`` "declaration" records a gate failure for
    secondary data on the ruleset's mandatory items (the caller refuses such a declaration).
    Raises InputError for an unknown factor, a unit that does not match its factor, a ruleset
    that does not cover the battery, missing end-of-life data, or a negative total.
    """
    return calculate_many([prepare(project, factors, rules, mode)])[0]


def calculate_many(prepared: list[Prepared]) -> list[Declaration]:
    """Declarations of many batteries: every line of every battery in one array pass."""
    kg_all, per_stage_all = evaluate(prepared)
    out = []
    start = 0
    for i, item in enumerate(prepared):
        end = start + len(item.lines)
        out.append(finish(item, kg_all[start:end], per_stage_all[i]))
        start = end
    return out


def evaluate(
    prepared: list[Prepared],
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """kg CO2e of every line (concatenated) and per (battery, stage): one vectorised step."""
    if not prepared:
        return np.zeros(0), np.zeros((0, len(STAGES)))
    quantities = np.concatenate([p.quantities for p in prepared])
    values = np.concatenate([p.values for p in prepared])
    scales = np.concatenate([p.scales for p in prepared])
    battery = np.repeat(np.arange(len(prepared)), [len(p.lines) for p in prepared])
    stage = np.concatenate([p.stage_index for p in prepared])
    kg = quantities * values * scales
    per_stage = (
        np.bincount(
            battery * len(STAGES) + stage, weights=kg, minlength=len(prepared) * len(STAGES)
        )
        .astype(np.float64)
        .reshape(len(prepared), len(STAGES))
    )
    return kg, per_stage


def prepare(
    project: Project, factors: FactorSet, rules: Ruleset, mode: str = "screening"
) -> Prepared:
    """Resolve one battery's lines: factors, electricity policy, CFF terms, unit scales.

    Raises InputError as calculate does.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    fu, warnings = functional_unit(project.battery, rules, project.label)
    warnings = list(project.warnings) + warnings

    lines = list(project.lines)
    resolved: list[Resolved] = []
    electricity: list[ElectricityResult] = []
    for line in lines:
        if line.kind is LineKind.ELECTRICITY:
            claimed = frozenset(e.certificate_id for e in electricity if e.certificate_id)
            result, issues = resolve_electricity(line, factors, rules, claimed)
            electricity.append(result)
            warnings.extend(issues)
            resolved.append(
                Resolved(
                    " + ".join(result.factor_ids),
                    result.factor_kg_per_kwh,
                    "kg CO2e/kWh",
                    sources_of(result, factors),
                    _electricity_status(result, factors),
                    _layer(result.factor_ids, factors),
                    _mean_dqr(result.factor_ids, factors),
                )
            )
        else:
            resolved.append(resolve_factor(line, factors, rules))
    warnings.extend(duplicate_certificates(electricity))
    stages = [assign_stage(line, rules) for line in lines]

    ev_per_kg = [_per_kg(line, r) for line, r in zip(lines, resolved, strict=True)]
    new_values, added, cff_results, cff_issues = apply_cff(
        project,
        lines,
        stages,
        ev_per_kg,
        [ln.supplied is not None for ln in lines],
        factors,
        rules,
    )
    warnings.extend(cff_issues)
    for i, value in new_values.items():
        r = resolved[i]
        resolved[i] = replace(
            r,
            value=value,
            unit="kg CO2e/kg",
            source=f"{r.source}; CFF R1 = {lines[i].recycled_share:g}",
        )
    source_of = {id(line): i for i, line in enumerate(lines)}
    with_eol = [r for r in cff_results if project.end_of_life is not None and r.end_of_life_kg]
    coupling = tuple(
        (len(lines) + k, source_of[id(r.line)], (1 - r.a) * r.r2 * r.q_out * r.ev * r.mass_kg)
        for k, r in enumerate(with_eol)
    )
    for line, factor in added:
        lines.append(line)
        stages.append(Stage.END_OF_LIFE)
        resolved.append(
            Resolved(line.factor_id or "", factor.value, factor.unit, factor.source, "formula")
        )

    # one scale per distinct (amount unit, factor unit) pair: units are parsed once
    scales = np.fromiter(
        (
            emission_scale(line.unit, r.unit, line.where, r.id)
            for line, r in zip(lines, resolved, strict=True)
        ),
        dtype=float,
        count=len(resolved),
    )
    quantities = np.fromiter((line.quantity for line in lines), dtype=float, count=len(lines))
    values = np.fromiter((r.value for r in resolved), dtype=float, count=len(resolved))
    stage_index = np.fromiter((STAGES.index(s) for s in stages), dtype=np.intp, count=len(stages))
    return Prepared(
        project=project,
        factors=factors,
        rules=rules,
        mode=mode,
        fu=fu,
        warnings=tuple(warnings),
        lines=tuple(lines),
        stages=tuple(stages),
        resolved=tuple(resolved),
        electricity=tuple(electricity),
        cff=tuple(cff_results),
        quantities=quantities,
        values=values,
        scales=scales,
        stage_index=stage_index,
        eol_coupling=coupling if len(with_eol) == len(added) else (),
    )


def finish(
    prepared: Prepared,
    kg: np.ndarray[Any, np.dtype[np.float64]],
    per_stage: np.ndarray[Any, np.dtype[np.float64]],
) -> Declaration:
    """Assemble the Declaration from the evaluated kg CO2e of one battery's lines.

    Raises InputError (code ``negative-total``) when credits exceed all emissions.
    """
    project, factors, rules, mode = (
        prepared.project,
        prepared.factors,
        prepared.rules,
        prepared.mode,
    )
    fu = prepared.fu
    warnings = list(prepared.warnings)
    lines, stages, resolved = list(prepared.lines), list(prepared.stages), list(prepared.resolved)
    electricity, cff_results = prepared.electricity, prepared.cff
    absolute = float(per_stage.sum())
    if absolute < 0:
        raise InputError(
            f"the total footprint is negative ({absolute:.1f} kg CO2e): end-of-life credits "
            "exceed all emissions",
            where=None,
            hint="check the signs and amounts of the end-of-life lines and [end_of_life] rates",
            code="negative-total",
        )
    total_kwh = fu.total_energy_kwh
    stage_results = tuple(
        StageResult(
            stage,
            float(per_stage[i]),
            float(per_stage[i]) / total_kwh,
            float(per_stage[i]) / absolute if absolute else 0.0,
        )
        for i, stage in enumerate(STAGES)
    )
    cradle_to_gate = float(per_stage[0] + per_stage[1])
    c2g_per_kwh_capacity = cradle_to_gate / project.battery.usable_capacity_kwh

    results = tuple(
        LineResult(
            line, stage, r.id, r.value, r.unit, r.source, r.status, float(k), r.set_label, r.dqr
        )
        for line, stage, r, k in zip(lines, stages, resolved, kg, strict=True)
    )
    # factors the end-of-life formula used (Erec of recycled content) are flagged like lines'
    formula_ids = {
        f.id: f.status
        for c in cff_results
        if c.erec is not None
        and (g := group_of(c.line.factor_id or "", rules)) is not None
        and g.recycled_factor
        and (f := factors.factors.get(g.recycled_factor)) is not None
    }
    warnings.extend(_status_warnings(results, formula_ids))
    warnings.extend(
        plausibility(
            project.battery, rules, stage_results, absolute / total_kwh, c2g_per_kwh_capacity
        )
    )
    capacity = project.battery.nominal_capacity_kwh or project.battery.usable_capacity_kwh
    warnings.extend(material_content(list(project.lines), factors, rules, capacity))
    quality = quality_summary(list(results), rules)
    gate_failures: list[str] = []
    if quality.missing_primary:
        listed = "; ".join(f"{label} ({where})" for _, label, where in quality.missing_primary)
        if mode == "declaration":
            gate_failures.append(
                f"secondary data where {rules.id} requires company-specific data: {listed}"
            )
        else:
            warnings.append(
                Issue(
                    "missing-primary-data",
                    f"{len(quality.missing_primary)} lines use secondary data where "
                    f"{rules.id} requires company-specific data: {listed}",
                )
            )
    if mode == "declaration" and any(w.code == "cff-not-applied" for w in warnings):
        gate_failures.append("the end-of-life formula was not applied: add [end_of_life]")

    used = sorted({k for r in results for k in r.factor_source.split(", ") if k in factors.sources})
    provenance = Provenance(
        tool_version=__version__,
        factor_set=factors.label,
        factor_set_sha256=factors.sha256,
        ruleset=rules.id,
        ruleset_sha256=rules.sha256,
        ruleset_legal_status=rules.legal_status,
        inputs=project.inputs,
        sources=tuple(factors.sources[k] for k in used),
        factor_layers=factors.layers or ((factors.label, factors.sha256),),
        overridden_factors=factors.overridden,
    )
    return Declaration(
        project=project,
        functional_unit=fu,
        stages=stage_results,
        absolute_kg_co2e=absolute,
        total_kg_co2e_per_kwh=absolute / total_kwh,
        cradle_to_gate_kg_co2e=cradle_to_gate,
        cradle_to_gate_kg_co2e_per_kwh_capacity=c2g_per_kwh_capacity,
        lines=results,
        warnings=tuple(warnings),
        provenance=provenance,
        mode=mode,
        electricity=tuple(electricity),
        cff=tuple(cff_results),
        recycled_content=tuple(recycled_content(list(project.lines), factors, rules)),
        quality=quality,
        gate_failures=tuple(gate_failures),
    )


def _per_kg(line: ActivityLine, r: Resolved) -> float | None:
    """The factor per kg of material, where the line is a material with a per-mass factor."""
    if line.kind is not LineKind.MATERIAL:
        return None
    try:
        return r.value * emission_scale("kg", r.unit)
    except InputError:
        return None


def _electricity_status(result: ElectricityResult, factors: FactorSet) -> str:
    statuses = [factors.factors[f].status for f in result.factor_ids if f in factors.factors]
    for status in ("proxy", "literature", "user"):
        if status in statuses:
            return status
    return "default" if statuses else "project"


def _layer(ids: tuple[str, ...], factors: FactorSet) -> str:
    return ", ".join(
        dict.fromkeys(factors.factors[f].set_label for f in ids if f in factors.factors)
    )


def _mean_dqr(ids: tuple[str, ...], factors: FactorSet) -> float | None:
    scores = [
        d for f in ids if f in factors.factors and (d := factors.factors[f].dqr_score) is not None
    ]
    return sum(scores) / len(scores) if scores else None


def _status_warnings(
    lines: tuple[LineResult, ...], formula_ids: dict[str, str] | None = None
) -> list[Issue]:
    issues = []
    for status, what in (
        ("literature", "published figures whose dataset is not open"),
        ("proxy", "a related material standing in"),
    ):
        flagged = [r for r in lines if r.factor_status == status]
        extra = {fid for fid, st in (formula_ids or {}).items() if st == status}
        if flagged or extra:
            kg = sum(r.kg_co2e for r in flagged)
            ids = sorted({r.factor_id for r in flagged} | {f"{fid} (as Erec)" for fid in extra})
            issues.append(
                Issue(
                    f"{status}-factors",
                    f"{len(flagged)} lines ({kg:,.0f} kg CO2e) use {status} factors ({what}): "
                    + ", ".join(ids),
                )
            )
    return issues
