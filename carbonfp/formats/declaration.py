"""Writers for a Declaration: JSON (the full record), terminal text and tidy CSV."""

from __future__ import annotations

from typing import Any

from carbonfp.formats.common import (
    STAGE_NAMES,
    json_text,
    mode_label,
    rounded,
    safe_cell,
    study_fields,
    text_number,
)
from carbonfp.formats.tables import LINE_COLUMNS, line_csv, tidy_csv
from carbonfp.formats.uncertainty import uncertainty_dict, uncertainty_text
from carbonfp.model import Declaration, LineResult, Provenance, dqr_label

__all__ = [
    "LINE_COLUMNS",
    "SCHEMA_VERSION",
    "line_dict",
    "mode_label",
    "safe_cell",
    "to_csv",
    "to_dict",
    "to_json",
    "to_text",
]

SCHEMA_VERSION = "1.1"  # 1.1: the study and verification fields of "declaration"
#: Where a run setting came from, as the text names it.
_FROM = {"ruleset": "ruleset default"}


def line_dict(result: LineResult) -> dict[str, Any]:
    line = result.line
    return {
        "component": line.label,
        "kind": line.kind.value,
        "stage": result.stage.value,
        "amount": rounded(line.quantity),
        "unit": line.unit,
        "factor_id": result.factor_id,
        "factor_value": rounded(result.factor_value),
        "factor_unit": result.factor_unit,
        "factor_source": result.factor_source,
        "factor_status": result.factor_status,
        "factor_set": result.factor_set or None,
        "factor_dqr": rounded(result.factor_dqr),
        "data_type": line.data_type.value,
        "dqr": line.dqr,
        "recycled_share": line.recycled_share,
        "origin": line.origin,
        "allocation": line.note or None,
        "kg_co2e": rounded(result.kg_co2e),
        "where": str(line.where),
    }


def to_dict(decl: Declaration, top: int = 10, generated_at: str | None = None) -> dict[str, Any]:
    """The declaration as plain data (schema_version 1.1); same inputs, same dict.

    ``generated_at`` (an ISO 8601 UTC time) is included only when given: without it the output
    depends on the inputs alone.
    """
    p = decl.project
    b = p.battery
    fu = decl.functional_unit
    absolute = decl.absolute_kg_co2e
    head: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "document": "carbon footprint declaration, Regulation (EU) 2023/1542 Article 7",
        "mode": decl.mode,
        "label": mode_label(decl),
    }
    if generated_at is not None:
        head["generated_at"] = generated_at
    record = head | {
        "battery": {
            "model": b.model,
            "category": b.category.value,
            "vehicle_category": b.vehicle_category,
            "chemistry": b.chemistry,
            "usable_capacity_kwh": rounded(b.usable_capacity_kwh),
            "nominal_capacity_kwh": rounded(b.nominal_capacity_kwh),
            "mass_kg": rounded(b.mass_kg),
            "warranty_years": rounded(b.warranty_years),
            "warranty_km": rounded(b.warranty_km),
        },
        "manufacturer": {
            "name": p.manufacturer.name,
            "trade_name": p.manufacturer.trade_name,
            "address": p.manufacturer.address,
            "contact": p.manufacturer.contact,
        },
        "plant": {
            "name": p.plant.name,
            "town": p.plant.town,
            "region": p.plant.region,
            "country": p.plant.country,
        },
        "declaration": dict(study_fields(decl)),
        "functional_unit": {
            "usable_capacity_kwh": rounded(fu.usable_capacity_kwh),
            "cycles_per_year": rounded(fu.cycles_per_year),
            "service_life_years": rounded(fu.service_life_years),
            "total_energy_kwh": rounded(fu.total_energy_kwh),
            "derivation": fu.derivation,
        },
        "carbon_footprint": {
            "total_kg_co2e_per_kwh": rounded(decl.total_kg_co2e_per_kwh),
            "absolute_kg_co2e": rounded(absolute),
            "unit": "kg CO2e per kWh of total energy delivered over the service life",
            "stages": {
                s.stage.value: {
                    "kg_co2e": rounded(s.kg_co2e),
                    "kg_co2e_per_kwh": rounded(s.kg_co2e_per_kwh),
                    "share": rounded(s.share),
                }
                for s in decl.stages
            },
            "cradle_to_gate": {
                "kg_co2e": rounded(decl.cradle_to_gate_kg_co2e),
                "kg_co2e_per_kwh_capacity": rounded(decl.cradle_to_gate_kg_co2e_per_kwh_capacity),
                "note": "raw materials + production per kWh of usable capacity; for comparison "
                "with cradle-to-gate studies, not the Article 7 figure",
            },
        },
        "electricity": [
            {
                "component": e.line.label,
                "country": e.line.origin,
                "supply": e.supply.value,
                "policy": e.policy,
                "kwh": rounded(e.kwh),
                "factor_ids": list(e.factor_ids),
                "factor_kg_co2e_per_kwh": rounded(e.factor_kg_per_kwh),
                "kg_co2e": rounded(e.kwh * e.factor_kg_per_kwh),
                "credited_share": rounded(e.credited_share),
                "reason": e.reason,
                "certificate_id": e.certificate_id,
                "where": str(e.line.where),
            }
            for e in decl.electricity
        ],
        "end_of_life": {
            "route": p.end_of_life.route if p.end_of_life else None,
            "formula": "Circular Footprint Formula (PEF)",
            "materials": [
                {
                    "component": c.line.label,
                    "group": c.group,
                    "mass_kg": rounded(c.mass_kg),
                    "R1": rounded(c.r1),
                    "R2": rounded(c.r2),
                    "R3": rounded(c.r3),
                    "A": rounded(c.a),
                    "Qsout_Qp": rounded(c.q_out),
                    "Ev": rounded(c.ev),
                    "Erec": rounded(c.erec),
                    "ErecEoL": rounded(c.erec_eol),
                    "ED": rounded(c.disposal),
                    "raw_materials_kg_co2e": rounded(c.raw_materials_kg),
                    "recycling_kg_co2e": rounded(c.recycling_kg),
                    "energy_recovery_kg_co2e": rounded(c.energy_recovery_kg),
                    "disposal_kg_co2e": rounded(c.disposal_kg),
                    "end_of_life_kg_co2e": rounded(c.end_of_life_kg),
                }
                for c in decl.cff
            ],
        },
        "recycled_content": [
            {
                "element": rc.element,
                "content_kg": rounded(rc.content_kg),
                "recycled_kg": rounded(rc.recycled_kg),
                "share": rounded(rc.share),
                "minimums": [
                    {"applies_from": date, "minimum_share": rounded(minimum), "met": met}
                    for date, minimum, met in rc.minimums
                ],
            }
            for rc in decl.recycled_content
        ],
        "data_quality": _quality_dict(decl),
        "top_contributors": [
            {
                "component": r.line.label,
                "stage": r.stage.value,
                "kg_co2e": rounded(r.kg_co2e),
                "share": rounded(r.kg_co2e / absolute if absolute else 0.0),
                "factor_id": r.factor_id,
                "factor_source": r.factor_source,
            }
            for r in decl.top_contributors(top)
        ],
        "lines": [line_dict(r) for r in decl.lines],
        "warnings": [
            {"code": w.code, "message": w.message, "where": w.where} for w in decl.warnings
        ],
        "provenance": _provenance_dict(decl.provenance),
    }
    if decl.uncertainty is not None:
        record["uncertainty"] = uncertainty_dict(decl.uncertainty)
    return record


def _provenance_dict(pv: Provenance) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tool_version": pv.tool_version,
        "factor_set": pv.factor_set,
        "factor_set_sha256": pv.factor_set_sha256,
        "ruleset": pv.ruleset,
        "ruleset_version": pv.ruleset_version,
        "ruleset_sha256": pv.ruleset_sha256,
        "ruleset_legal_status": pv.ruleset_legal_status,
        "gwp_set": pv.gwp_set,
        "catalogue": pv.catalogue,
        "catalogue_sha256": pv.catalogue_sha256,
        "factor_layers": [
            {"factor_set": label, "sha256": digest} for label, digest in pv.factor_layers
        ],
        "overridden_factors": [
            {"factor_id": fid, "by": layer} for fid, layer in pv.overridden_factors
        ],
        "inputs": dict(pv.inputs),
        "sources": [
            {
                "key": s.key,
                "title": s.title,
                "publisher": s.publisher,
                "year": s.year,
                "url": s.url,
                "license": s.license,
                "attribution": s.attribution,
            }
            for s in pv.sources
        ],
    }
    if pv.run:
        data["run"] = [
            {"setting": setting, "value": value, "from": origin}
            for setting, value, origin in pv.run
        ]
    return data


def _quality_dict(decl: Declaration) -> dict[str, Any]:

    q = decl.quality
    if q is None:
        return {}
    return {
        "dqr_by_stage": {s.value: rounded(v) for s, v in q.dqr_by_stage.items()},
        "dqr_overall": rounded(q.dqr_overall),
        "rating": dqr_label(q.dqr_overall),
        "dqr_coverage": rounded(q.dqr_coverage),
        "missing_primary_data": [
            {"item": item, "component": label, "where": where}
            for item, label, where in q.missing_primary
        ],
    }


def to_json(decl: Declaration, top: int = 10, generated_at: str | None = None) -> str:
    """The declaration record as JSON text (indented, one trailing newline)."""
    return json_text(to_dict(decl, top, generated_at))


def to_csv(decl: Declaration, lines: bool = False) -> str:
    """Tidy CSV: one row per (stage, metric); with ``lines``, one row per activity line."""
    return line_csv(decl) if lines else tidy_csv(decl)


def to_text(decl: Declaration, top: int = 10) -> str:
    """The declaration for a terminal: what a reviewer reads first, then where it comes from,
    then the Monte Carlo results when the declaration carries them."""
    p = decl.project
    b = p.battery
    fu = decl.functional_unit
    out: list[str] = []
    add = out.append
    status = decl.provenance.ruleset_legal_status
    if decl.mode == "declaration":
        add("CARBON FOOTPRINT DECLARATION  (Regulation (EU) 2023/1542, Article 7)")
    else:
        add("CARBON FOOTPRINT: SCREENING, NOT A DECLARATION  (Regulation (EU) 2023/1542, Art. 7)")
    add(f"Method: {decl.provenance.ruleset} ({status}); factors: {decl.provenance.factor_set}")
    add("")
    vehicle = f", {b.vehicle_category}" if b.vehicle_category else ""
    add(
        f"  Battery model    {b.model} ({b.category.value}{vehicle}, {b.chemistry}), "
        f"{b.usable_capacity_kwh:g} kWh usable, {b.mass_kg:g} kg"
    )
    maker = p.manufacturer.name + (
        f" ({p.manufacturer.trade_name})" if p.manufacturer.trade_name else ""
    )
    add(f"  Manufacturer     {maker}")
    if p.manufacturer.address:
        add(f"                   {p.manufacturer.address}")
    if p.manufacturer.contact:
        add(f"                   {p.manufacturer.contact}")
    add(f"  Plant            {p.plant.name}, {p.plant.town}, {p.plant.region}, {p.plant.country}")
    study = dict(study_fields(decl))
    add(f"  EU DoC id        {study['eu_doc_id'] or '(not given)'}")
    add(f"  Public study     {study['study_url'] or '(not given)'}")
    period = (
        f"{study['reference_period_start']} to {study['reference_period_end']} (end exclusive)"
        if study["reference_period_start"]
        else "(not given)"
    )
    add(f"  Reference period {period}")
    add(
        f"  Study            date {study['study_date'] or '(not given)'}, "
        f"version {study['study_version'] or '(not given)'}"
    )
    verification = study["verification_status"] or "(not given)"
    if study["verifier"]:
        verification += f", by {study['verifier']}"
    if study["verification_statement_id"]:
        verification += f", statement {study['verification_statement_id']}"
    add(f"  Verification     {verification}")
    add("")
    add("Functional unit (total energy delivered over the service life)")
    add(f"  {fu.derivation}")
    add("")
    width = 46
    add(f"  {'Life-cycle stage':<{width}} {'kg CO2e/kWh':>12} {'kg CO2e':>12} {'share':>7}")
    for s in decl.stages:
        add(
            f"  {STAGE_NAMES[s.stage].title:<{width}} {s.kg_co2e_per_kwh:>12.4f} "
            f"{text_number(s.kg_co2e):>12} {s.share:>7.1%}"
        )
    add(
        f"  {'Total carbon footprint':<{width}} {decl.total_kg_co2e_per_kwh:>12.4f} "
        f"{text_number(decl.absolute_kg_co2e):>12} {1:>7.1%}"
    )
    add("")
    add(
        f"  Cradle-to-gate (raw materials + production): "
        f"{decl.cradle_to_gate_kg_co2e_per_kwh_capacity:.1f} kg CO2e per kWh of usable capacity"
    )
    add("  (for comparison with cradle-to-gate studies; not the Article 7 figure)")
    add("")
    add(f"Top {min(top, len(decl.lines))} contributors")
    base = decl.provenance.factor_set
    for i, r in enumerate(decl.top_contributors(top), 1):
        share = r.kg_co2e / decl.absolute_kg_co2e if decl.absolute_kg_co2e else 0.0
        layer = f" from {r.factor_set}" if r.factor_set and r.factor_set != base else ""
        add(
            f"  {i:>2}. {r.line.label[:52]:<52} {r.stage.value:<14} "
            f"{text_number(r.kg_co2e):>10} kg {share:>6.1%}  {r.factor_id} [{r.factor_status}]"
            f"{layer}"
        )
    if decl.electricity:
        add("")
        add(f"Electricity ({decl.electricity[0].policy} policy)")
        for e in decl.electricity:
            kg = text_number(e.kwh * e.factor_kg_per_kwh)
            add(
                f"  {e.line.label[:44]:<44} {text_number(e.kwh, 0):>9} kWh x "
                f"{e.factor_kg_per_kwh * 1000:>6.1f} g/kWh = {kg:>9} kg"
                f"  credited {e.credited_share:>4.0%}"
            )
            add(f"      {e.reason}")
    if decl.cff or p.end_of_life:
        add("")
        route = p.end_of_life.route if p.end_of_life else "not given"
        add(f"End of life: Circular Footprint Formula (route: {route})")
        for c in decl.cff:
            if c.r1 == 0 and c.end_of_life_kg == 0:
                continue
            add(
                f"  {c.line.label[:44]:<44} {c.group:<24} R1 {c.r1:.2f} R2 {c.r2:.2f} "
                f"EoL {text_number(c.end_of_life_kg):>9} kg"
            )
    if decl.recycled_content:
        add("")
        add("Recycled content (Article 8; minimum shares by the date they apply from)")
        for rc in decl.recycled_content:
            mins = ", ".join(
                f"{date}: {minimum:.0%} {'met' if met else 'NOT met'}"
                for date, minimum, met in rc.minimums
            )
            add(f"  {rc.element:<3} {rc.share:>6.1%} of {rc.content_kg:,.2f} kg  ({mins})")
    if decl.quality is not None:
        q = decl.quality
        add("")
        per_stage = ", ".join(
            f"{s.value} {v:.2f}" for s, v in q.dqr_by_stage.items() if v is not None
        )
        overall = f"{q.dqr_overall:.2f}" if q.dqr_overall is not None else "n/a"
        add(
            f"Data quality (PEF DQR, emission-weighted, 1 best to 5): overall {overall} "
            f"({dqr_label(q.dqr_overall)}), covering {q.dqr_coverage:.0%} of emissions"
        )
        if per_stage:
            add(f"  {per_stage}")
    if decl.warnings:
        add("")
        add(f"Warnings ({len(decl.warnings)})")
        for w in decl.warnings:
            add(f"  - {w.message}" + (f" ({w.where})" if w.where else "") + f" [{w.code}]")
    add("")
    add("Provenance")
    pv = decl.provenance
    add(
        f"  carbonfp {pv.tool_version}; ruleset {pv.ruleset}@{pv.ruleset_version} "
        f"({pv.ruleset_legal_status}) "
        f"sha256 {pv.ruleset_sha256[:12]}; factor set {pv.factor_set} "
        f"sha256 {pv.factor_set_sha256[:12]}; material catalogue {pv.catalogue} "
        f"sha256 {pv.catalogue_sha256[:12]}"
    )
    if pv.run:
        add(
            "  run: "
            + ", ".join(
                f"{setting} {value} ({_FROM.get(origin, origin)})"
                for setting, value, origin in pv.run
            )
        )
    for label, digest in pv.factor_layers[1:]:
        add(f"  layered factor set {label} sha256 {digest[:12]}")
    if pv.overridden_factors:
        add(
            "  overridden factors: "
            + ", ".join(f"{fid} (by {layer})" for fid, layer in pv.overridden_factors)
        )
    for name, digest in pv.inputs:
        add(f"  input {name} sha256 {digest[:12]}")
    if pv.sources:
        add("")
        add("Sources")
        for src in pv.sources:
            add(f"  - {src.attribution}")
    text = "\n".join(out) + "\n"
    if decl.uncertainty is not None:
        text += "\n" + uncertainty_text(decl.uncertainty)
    return text
