"""Writers for a Declaration: JSON (the full record), terminal text and tidy CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from carbonfp.model import STAGE_TITLES, Declaration, LineResult, Stage

SCHEMA_VERSION = "1.0"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINE_COLUMNS = (
    "battery",
    "component",
    "material",
    "quantity",
    "unit",
    "stage",
    "factor",
    "factor_source",
    "kind",
    "factor_status",
    "data_type",
    "dqr",
    "recycled_share",
    "origin",
    "allocation",
    "kg_co2e",
    "where",
)


def _r(value: float | None) -> float | None:
    """Round to 10 significant digits: stable bytes across platforms, far below data precision."""
    return None if value is None else float(f"{value:.10g}")


def line_dict(result: LineResult) -> dict[str, Any]:
    line = result.line
    return {
        "component": line.label,
        "kind": line.kind.value,
        "stage": result.stage.value,
        "amount": _r(line.quantity),
        "unit": line.unit,
        "factor_id": result.factor_id,
        "factor_value": _r(result.factor_value),
        "factor_unit": result.factor_unit,
        "factor_source": result.factor_source,
        "factor_status": result.factor_status,
        "factor_set": result.factor_set or None,
        "factor_dqr": _r(result.factor_dqr),
        "data_type": line.data_type.value,
        "dqr": line.dqr,
        "recycled_share": line.recycled_share,
        "origin": line.origin,
        "allocation": line.note or None,
        "kg_co2e": _r(result.kg_co2e),
        "where": str(line.where),
    }


def to_dict(decl: Declaration, top: int = 10, generated_at: str | None = None) -> dict[str, Any]:
    """The declaration as plain data (schema_version 1.0); same inputs, same dict.

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
    return head | {
        "battery": {
            "model": b.model,
            "category": b.category.value,
            "vehicle_category": b.vehicle_category,
            "chemistry": b.chemistry,
            "usable_capacity_kwh": _r(b.usable_capacity_kwh),
            "nominal_capacity_kwh": _r(b.nominal_capacity_kwh),
            "mass_kg": _r(b.mass_kg),
            "warranty_years": _r(b.warranty_years),
            "warranty_km": _r(b.warranty_km),
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
        "declaration": {"eu_doc_id": p.declaration.eu_doc_id, "study_url": p.declaration.study_url},
        "functional_unit": {
            "usable_capacity_kwh": _r(fu.usable_capacity_kwh),
            "cycles_per_year": _r(fu.cycles_per_year),
            "service_life_years": _r(fu.service_life_years),
            "total_energy_kwh": _r(fu.total_energy_kwh),
            "derivation": fu.derivation,
        },
        "carbon_footprint": {
            "total_kg_co2e_per_kwh": _r(decl.total_kg_co2e_per_kwh),
            "absolute_kg_co2e": _r(absolute),
            "unit": "kg CO2e per kWh of total energy delivered over the service life",
            "stages": {
                s.stage.value: {
                    "kg_co2e": _r(s.kg_co2e),
                    "kg_co2e_per_kwh": _r(s.kg_co2e_per_kwh),
                    "share": _r(s.share),
                }
                for s in decl.stages
            },
            "cradle_to_gate": {
                "kg_co2e": _r(decl.cradle_to_gate_kg_co2e),
                "kg_co2e_per_kwh_capacity": _r(decl.cradle_to_gate_kg_co2e_per_kwh_capacity),
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
                "kwh": _r(e.kwh),
                "factor_ids": list(e.factor_ids),
                "factor_kg_co2e_per_kwh": _r(e.factor_kg_per_kwh),
                "kg_co2e": _r(e.kwh * e.factor_kg_per_kwh),
                "credited_share": _r(e.credited_share),
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
                    "mass_kg": _r(c.mass_kg),
                    "R1": _r(c.r1),
                    "R2": _r(c.r2),
                    "R3": _r(c.r3),
                    "A": _r(c.a),
                    "Qsout_Qp": _r(c.q_out),
                    "Ev": _r(c.ev),
                    "Erec": _r(c.erec),
                    "ErecEoL": _r(c.erec_eol),
                    "ED": _r(c.disposal),
                    "raw_materials_kg_co2e": _r(c.raw_materials_kg),
                    "recycling_kg_co2e": _r(c.recycling_kg),
                    "energy_recovery_kg_co2e": _r(c.energy_recovery_kg),
                    "disposal_kg_co2e": _r(c.disposal_kg),
                    "end_of_life_kg_co2e": _r(c.end_of_life_kg),
                }
                for c in decl.cff
            ],
        },
        "recycled_content": [
            {
                "element": rc.element,
                "content_kg": _r(rc.content_kg),
                "recycled_kg": _r(rc.recycled_kg),
                "share": _r(rc.share),
                "minimums": [
                    {"applies_from": date, "minimum_share": _r(minimum), "met": met}
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
                "kg_co2e": _r(r.kg_co2e),
                "share": _r(r.kg_co2e / absolute if absolute else 0.0),
                "factor_id": r.factor_id,
                "factor_source": r.factor_source,
            }
            for r in decl.top_contributors(top)
        ],
        "lines": [line_dict(r) for r in decl.lines],
        "warnings": [
            {"code": w.code, "message": w.message, "where": w.where} for w in decl.warnings
        ],
        "provenance": {
            "tool_version": decl.provenance.tool_version,
            "factor_set": decl.provenance.factor_set,
            "factor_set_sha256": decl.provenance.factor_set_sha256,
            "ruleset": decl.provenance.ruleset,
            "ruleset_sha256": decl.provenance.ruleset_sha256,
            "ruleset_legal_status": decl.provenance.ruleset_legal_status,
            "factor_layers": [
                {"factor_set": label, "sha256": digest}
                for label, digest in decl.provenance.factor_layers
            ],
            "overridden_factors": [
                {"factor_id": fid, "by": layer} for fid, layer in decl.provenance.overridden_factors
            ],
            "inputs": dict(decl.provenance.inputs),
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
                for s in decl.provenance.sources
            ],
        },
    }


def mode_label(decl: Declaration) -> str:
    if decl.mode == "declaration":
        return f"declaration ({decl.provenance.ruleset}, {decl.provenance.ruleset_legal_status})"
    return "screening, not a declaration"


def _quality_dict(decl: Declaration) -> dict[str, Any]:
    from carbonfp.method.quality import dqr_label

    q = decl.quality
    if q is None:
        return {}
    return {
        "dqr_by_stage": {s.value: _r(v) for s, v in q.dqr_by_stage.items()},
        "dqr_overall": _r(q.dqr_overall),
        "rating": dqr_label(q.dqr_overall),
        "dqr_coverage": _r(q.dqr_coverage),
        "missing_primary_data": [
            {"item": item, "component": label, "where": where}
            for item, label, where in q.missing_primary
        ],
    }


def uncertainty_dict(result: Any) -> dict[str, Any]:
    """Monte Carlo results (carbonfp.method.uncertainty.UncertaintyResult) as plain data."""
    return {
        "method": "Monte Carlo",
        "draws": result.draws,
        "seed": result.seed,
        "random_inputs": result.random_inputs,
        "unit": "kg CO2e per kWh delivered",
        "summary": {k: {m: _r(v) for m, v in stats.items()} for k, stats in result.summary.items()},
        "contribution_to_variance": [
            {"input": label, "share": _r(share)} for label, share in result.contributions
        ],
    }


def uncertainty_text(result: Any) -> str:
    out = [
        f"Uncertainty (Monte Carlo, {result.draws} draws, seed {result.seed}, "
        f"{result.random_inputs} random inputs; kg CO2e per kWh delivered)",
        f"  {'':<16}{'mean':>10}{'median':>10}{'2.5%':>10}{'97.5%':>10}",
    ]
    for key, stats in result.summary.items():
        out.append(
            f"  {key:<16}{stats['mean']:>10.4f}{stats['median']:>10.4f}{stats['p2_5']:>10.4f}"
            f"{stats['p97_5']:>10.4f}"
        )
    if result.contributions:
        out.append(
            "  Contribution to the variance of the total (replace these with primary data first):"
        )
        out += [f"    {share:>6.1%}  {label}" for label, share in result.contributions]
    elif result.random_inputs == 0:
        out.append(
            "  No input states an uncertainty: give quantity_gsd / factor_gsd in the BOM "
            "(amount_gsd / factor_gsd in energy and transport)."
        )
    return "\n".join(out) + "\n"


def to_json(decl: Declaration, top: int = 10, generated_at: str | None = None) -> str:
    return json.dumps(to_dict(decl, top, generated_at), indent=2, ensure_ascii=False) + "\n"


def safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would evaluate as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(decl: Declaration, lines: bool = False) -> str:
    """Tidy CSV: one row per (stage, metric); with ``lines``, one row per activity line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    model = decl.project.battery.model
    if lines:
        # one row per line, readable back as a long BOM (carbonfp.batch): material, quantity,
        # unit, stage and the effective factor with full precision
        writer.writerow(LINE_COLUMNS)
        for r in decl.lines:
            line = r.line
            row = [
                model,
                line.label,
                r.factor_id,
                line.quantity,
                line.unit,
                r.stage.value,
                f"{r.factor_value!r} {r.factor_unit}",
                r.factor_source,
                line.kind.value,
                r.factor_status,
                line.data_type.value,
                "" if line.dqr is None else line.dqr,
                "" if line.recycled_share is None else line.recycled_share,
                line.origin or "",
                line.note,
                r.kg_co2e,
                str(line.where),
            ]
            writer.writerow([safe_cell(v) for v in row])
        return out.getvalue()
    writer.writerow(["battery", "stage", "metric", "value", "unit"])
    rows: list[tuple[str, str, float, str]] = []
    for st in decl.stages:
        rows.append((st.stage.value, "kg_co2e_per_kwh", st.kg_co2e_per_kwh, "kg CO2e/kWh"))
        rows.append((st.stage.value, "kg_co2e", st.kg_co2e, "kg CO2e"))
    rows += [
        ("total", "kg_co2e_per_kwh", decl.total_kg_co2e_per_kwh, "kg CO2e/kWh"),
        ("total", "kg_co2e", decl.absolute_kg_co2e, "kg CO2e"),
        (
            "cradle_to_gate",
            "kg_co2e_per_kwh_capacity",
            decl.cradle_to_gate_kg_co2e_per_kwh_capacity,
            "kg CO2e/kWh capacity",
        ),
        ("functional_unit", "total_energy_kwh", decl.functional_unit.total_energy_kwh, "kWh"),
    ]
    # numbers as the long-BOM path writes them (10 significant digits), so both agree
    for stage, metric, value, unit in rows:
        writer.writerow([safe_cell(model), stage, metric, f"{value:.10g}", unit])
    return out.getvalue()


def _n(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")


def to_text(decl: Declaration, top: int = 10) -> str:
    """The declaration for a terminal: what a reviewer reads first, then where it comes from."""
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
    add(f"  EU DoC id        {p.declaration.eu_doc_id or '(not given)'}")
    add(f"  Public study     {p.declaration.study_url or '(not given)'}")
    add("")
    add("Functional unit (total energy delivered over the service life)")
    add(f"  {fu.derivation}")
    add("")
    width = 46
    add(f"  {'Life-cycle stage':<{width}} {'kg CO2e/kWh':>12} {'kg CO2e':>12} {'share':>7}")
    for s in decl.stages:
        add(
            f"  {STAGE_TITLES[s.stage]:<{width}} {s.kg_co2e_per_kwh:>12.4f} "
            f"{_n(s.kg_co2e):>12} {s.share:>7.1%}"
        )
    add(
        f"  {'Total carbon footprint':<{width}} {decl.total_kg_co2e_per_kwh:>12.4f} "
        f"{_n(decl.absolute_kg_co2e):>12} {1:>7.1%}"
    )
    add("")
    add(
        f"  Cradle-to-gate (raw materials + production): "
        f"{decl.cradle_to_gate_kg_co2e_per_kwh_capacity:.1f} kg CO2e per kWh of usable capacity"
    )
    add("  (for comparison with cradle-to-gate studies; not the Article 7 figure)")
    add("")
    add(f"Top {min(top, len(decl.lines))} contributors")
    for i, r in enumerate(decl.top_contributors(top), 1):
        share = r.kg_co2e / decl.absolute_kg_co2e if decl.absolute_kg_co2e else 0.0
        add(
            f"  {i:>2}. {r.line.label[:52]:<52} {_short(r.stage):<14} {_n(r.kg_co2e):>10} kg "
            f"{share:>6.1%}  {r.factor_id} [{r.factor_status}]"
        )
    if decl.electricity:
        add("")
        add(f"Electricity ({decl.electricity[0].policy} policy)")
        for e in decl.electricity:
            kg = _n(e.kwh * e.factor_kg_per_kwh)
            add(
                f"  {e.line.label[:44]:<44} {_n(e.kwh, 0):>9} kWh x "
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
                f"EoL {_n(c.end_of_life_kg):>9} kg"
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
        from carbonfp.method.quality import dqr_label

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
        f"  carbonfp {pv.tool_version}; ruleset {pv.ruleset} ({pv.ruleset_legal_status}) "
        f"sha256 {pv.ruleset_sha256[:12]}; factor set {pv.factor_set} "
        f"sha256 {pv.factor_set_sha256[:12]}"
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
    return "\n".join(out) + "\n"


def _short(stage: Stage) -> str:
    return stage.value
