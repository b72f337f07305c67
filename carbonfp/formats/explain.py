"""``carbonfp explain``: the hotspot table and the trace of how one stage total was derived."""

from __future__ import annotations

import json
from typing import Any

from carbonfp.formats.declaration import _n, _r
from carbonfp.model import STAGE_TITLES, Declaration, Stage


def explain_data(decl: Declaration, stage: Stage, top: int) -> dict[str, Any]:
    total = decl.absolute_kg_co2e
    hot = decl.top_contributors(top)
    trace = [r for r in decl.lines if r.stage is stage]
    stage_kg = decl.stage(stage).kg_co2e
    return {
        "battery": decl.project.battery.model,
        "total_kg_co2e": _r(total),
        "hotspots": [
            {
                "rank": i,
                "component": r.line.label,
                "stage": r.stage.value,
                "kg_co2e": _r(r.kg_co2e),
                "share": _r(r.kg_co2e / total if total else 0.0),
                "factor_id": r.factor_id,
                "factor_value": _r(r.factor_value),
                "factor_unit": r.factor_unit,
                "factor_source": r.factor_source,
                "factor_status": r.factor_status,
                "data_type": r.line.data_type.value,
                "dqr": _r(r.line.dqr if r.line.dqr is not None else r.factor_dqr),
                "where": str(r.line.where),
            }
            for i, r in enumerate(hot, 1)
        ],
        "trace": {
            "stage": stage.value,
            "terms": [
                {
                    "component": r.line.label,
                    "amount": _r(r.line.quantity),
                    "unit": r.line.unit,
                    "factor_value": _r(r.factor_value),
                    "factor_unit": r.factor_unit,
                    "kg_co2e": _r(r.kg_co2e),
                    "allocation": r.line.note or None,
                    "where": str(r.line.where),
                }
                for r in trace
            ],
            "kg_co2e": _r(stage_kg),
            "total_energy_kwh": _r(decl.functional_unit.total_energy_kwh),
            "kg_co2e_per_kwh": _r(decl.stage(stage).kg_co2e_per_kwh),
        },
    }


def explain_json(decl: Declaration, stage: Stage, top: int) -> str:
    return json.dumps(explain_data(decl, stage, top), indent=2, ensure_ascii=False) + "\n"


def explain_text(decl: Declaration, stage: Stage, top: int) -> str:
    data = explain_data(decl, stage, top)
    out = [
        f"Hotspots of {data['battery']}: {_n(decl.absolute_kg_co2e)} kg CO2e per battery, "
        f"{decl.total_kg_co2e_per_kwh:.4f} kg CO2e/kWh delivered",
        "",
        f"  {'#':>3} {'share':>7} {'kg CO2e':>10}  {'line':<50} {'factor':<36} {'data':<10} "
        f"{'DQR':>4}  source",
    ]
    for h in data["hotspots"]:
        factor = f"{h['factor_id']} = {h['factor_value']:.4g} {h['factor_unit']}"
        dqr = f"{h['dqr']:.1f}" if h["dqr"] is not None else "-"
        out.append(
            f"  {h['rank']:>3} {h['share']:>7.1%} {_n(h['kg_co2e']):>10}  "
            f"{h['component'][:50]:<50} {factor[:36]:<36} {h['data_type']:<10} {dqr:>4}  "
            f"{h['factor_source']} [{h['factor_status']}]"
        )
    t = data["trace"]
    out += [
        "",
        f"How {stage.value} ({STAGE_TITLES[stage]}) was derived: sum over its lines of "
        "amount x factor (converted to kg CO2e)",
    ]
    for term in t["terms"]:
        note = f"   [{term['allocation']}]" if term["allocation"] else ""
        out.append(
            f"  {term['amount']:>12.6g} {term['unit']:<6} x {term['factor_value']:>10.5g} "
            f"{term['factor_unit']:<15} = {_n(term['kg_co2e']):>10} kg  {term['component']}"
            f"{note}  ({term['where']})"
        )
    out += [
        f"  {'':>47}   {'-' * 10}",
        f"  {stage.value + ' total':>47} = {_n(t['kg_co2e']):>10} kg CO2e",
        f"  per kWh delivered: {_n(t['kg_co2e'])} kg / {_n(t['total_energy_kwh'], 0)} kWh = "
        f"{t['kg_co2e_per_kwh']:.4f} kg CO2e/kWh",
    ]
    return "\n".join(out) + "\n"
