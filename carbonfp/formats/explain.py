"""``carbonfp explain``: the hotspot table and the trace of how one stage total was derived."""

from __future__ import annotations

from typing import Any

from carbonfp.errors import UsageError
from carbonfp.formats.common import STAGE_NAMES, json_text, rounded, text_number
from carbonfp.model import Declaration, Stage


def explain_data(decl: Declaration, stage: Stage, top: int) -> dict[str, Any]:
    total = decl.absolute_kg_co2e
    hot = decl.top_contributors(top)
    trace = [r for r in decl.lines if r.stage is stage]
    stage_kg = decl.stage(stage).kg_co2e
    return {
        "battery": decl.project.battery.model,
        "total_kg_co2e": rounded(total),
        "hotspots": [
            {
                "rank": i,
                "component": r.line.label,
                "stage": r.stage.value,
                "kg_co2e": rounded(r.kg_co2e),
                "share": rounded(r.kg_co2e / total if total else 0.0),
                "factor_id": r.factor_id,
                "factor_value": rounded(r.factor_value),
                "factor_unit": r.factor_unit,
                "factor_source": r.factor_source,
                "factor_status": r.factor_status,
                "data_type": r.line.data_type.value,
                "dqr": rounded(r.line.dqr if r.line.dqr is not None else r.factor_dqr),
                "where": str(r.line.where),
            }
            for i, r in enumerate(hot, 1)
        ],
        "trace": {
            "stage": stage.value,
            "terms": [
                {
                    "component": r.line.label,
                    "amount": rounded(r.line.quantity),
                    "unit": r.line.unit,
                    "factor_value": rounded(r.factor_value),
                    "factor_unit": r.factor_unit,
                    "kg_co2e": rounded(r.kg_co2e),
                    "allocation": r.line.note or None,
                    "where": str(r.line.where),
                }
                for r in trace
            ],
            "kg_co2e": rounded(stage_kg),
            "total_energy_kwh": rounded(decl.functional_unit.total_energy_kwh),
            "kg_co2e_per_kwh": rounded(decl.stage(stage).kg_co2e_per_kwh),
        },
    }


def render(decl: Declaration, stage: Stage, fmt: str, top: int = 15) -> str:
    """The hotspots of ``decl`` and the trace of ``stage`` as text or JSON.

    Raises UsageError for any other format.
    """
    if fmt == "json":
        return explain_json(decl, stage, top)
    if fmt == "text":
        return explain_text(decl, stage, top)
    raise UsageError(
        "explain writes text or json", hint="use --format text or json", code="invalid-option"
    )


def explain_json(decl: Declaration, stage: Stage, top: int) -> str:
    return json_text(explain_data(decl, stage, top))


def explain_text(decl: Declaration, stage: Stage, top: int) -> str:
    data = explain_data(decl, stage, top)
    out = [
        f"Hotspots of {data['battery']}: {text_number(decl.absolute_kg_co2e)} kg CO2e per battery, "
        f"{decl.total_kg_co2e_per_kwh:.4f} kg CO2e/kWh delivered",
        "",
        f"  {'#':>3} {'share':>7} {'kg CO2e':>10}  {'line':<50} {'factor':<36} {'data':<10} "
        f"{'DQR':>4}  source",
    ]
    for h in data["hotspots"]:
        factor = f"{h['factor_id']} = {h['factor_value']:.4g} {h['factor_unit']}"
        dqr = f"{h['dqr']:.1f}" if h["dqr"] is not None else "-"
        out.append(
            f"  {h['rank']:>3} {h['share']:>7.1%} {text_number(h['kg_co2e']):>10}  "
            f"{h['component'][:50]:<50} {factor[:36]:<36} {h['data_type']:<10} {dqr:>4}  "
            f"{h['factor_source']} [{h['factor_status']}]"
        )
    t = data["trace"]
    out += [
        "",
        f"How {stage.value} ({STAGE_NAMES[stage].title}) was derived: sum over its lines of "
        "amount x factor (converted to kg CO2e)",
    ]
    for term in t["terms"]:
        note = f"   [{term['allocation']}]" if term["allocation"] else ""
        out.append(
            f"  {term['amount']:>12.6g} {term['unit']:<6} x {term['factor_value']:>10.5g} "
            f"{term['factor_unit']:<15} = {text_number(term['kg_co2e']):>10} kg  "
            f"{term['component']}{note}  ({term['where']})"
        )
    out += [
        f"  {'':>47}   {'-' * 10}",
        f"  {stage.value + ' total':>47} = {text_number(t['kg_co2e']):>10} kg CO2e",
        f"  per kWh delivered: {text_number(t['kg_co2e'])} kg / "
        f"{text_number(t['total_energy_kwh'], 0)} kWh = {t['kg_co2e_per_kwh']:.4f} kg CO2e/kWh",
    ]
    return "\n".join(out) + "\n"
