"""``carbonfp compare``: the comparison as text, JSON or CSV.

Takes the comparison as plain data (what ``carbonfp compare --format json`` prints: ``varies``,
``baseline`` and per scenario its totals, per-stage changes from the baseline and the lines
that explain them), so the report and this writer read one document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carbonfp.errors import UsageError
from carbonfp.formats.common import json_text, number_text, text_number

CSV_COLUMNS = ("scenario", "stage", "kg_co2e", "kg_co2e_per_kwh", "delta_kg_co2e")


def render(data: Mapping[str, Any], fmt: str) -> str:
    """The comparison as text, JSON or CSV. Raises UsageError for any other format."""
    if fmt == "json":
        return json_text(data)
    if fmt == "csv":
        return comparison_csv(data)
    if fmt == "text":
        return comparison_text(data)
    raise UsageError(
        f"compare writes text, json or csv, not {fmt!r}",
        hint="use --format text, json or csv",
        code="invalid-option",
    )


def comparison_csv(data: Mapping[str, Any]) -> str:
    """One row per (scenario, stage), numbers with 10 significant digits."""
    rows = [",".join(CSV_COLUMNS)]
    for sc in data["scenarios"]:
        for stage, v in sc["stages"].items():
            numbers = (v["kg_co2e"], v["kg_co2e_per_kwh"], v["delta_kg_co2e"])
            rows.append(",".join([_quoted(sc["scenario"]), stage, *map(number_text, numbers)]))
    return "\n".join(rows) + "\n"


def comparison_text(data: Mapping[str, Any]) -> str:
    """A table of the stages per scenario (kg CO2e per kWh delivered), and per scenario the
    change from the baseline and the lines that explain it."""
    scenarios = data["scenarios"]
    labels = [sc["scenario"] for sc in scenarios]
    width = max(14, *(len(x) + 2 for x in labels))
    out = [
        f"Comparison by {data['varies']} (baseline: {data['baseline']}); kg CO2e per kWh delivered",
        "",
    ]
    out.append(f"  {'stage':<16}" + "".join(f"{x[: width - 2]:>{width}}" for x in labels))
    for name in scenarios[0]["stages"]:
        out.append(
            f"  {name:<16}"
            + "".join(f"{sc['stages'][name]['kg_co2e_per_kwh']:>{width}.4f}" for sc in scenarios)
        )
    out.append(
        f"  {'total':<16}"
        + "".join(f"{sc['total_kg_co2e_per_kwh']:>{width}.4f}" for sc in scenarios)
    )
    out.append(
        f"  {'kg per battery':<16}"
        + "".join(f"{text_number(sc['absolute_kg_co2e'], 0):>{width}}" for sc in scenarios)
    )
    out.append(
        f"  {'c2g kg/kWh cap.':<16}"
        + "".join(
            f"{sc['cradle_to_gate_kg_co2e_per_kwh_capacity']:>{width}.1f}" for sc in scenarios
        )
    )
    for sc in scenarios[1:]:
        delta = sc["absolute_kg_co2e"] - scenarios[0]["absolute_kg_co2e"]
        out.append("")
        out.append(
            f"{data['baseline']} -> {sc['scenario']}: {text_number(delta, 0, '+')} kg CO2e per "
            "battery"
        )
        for line in sc["explained_by"]:
            out.append(f"  {text_number(line['delta_kg_co2e'], 0, '+'):>10} kg  {line['line']}")
    if "sourcing" in data:
        out += _sourcing_text(data["sourcing"], labels, width)
    return "\n".join(out) + "\n"


_STATUS = {
    "above": "above",
    "undetermined": "undetermined",
    "not-assessed": "not assessed",
    "listed": "listed country",
    "unknown": "origin unknown",
    "not-counted": "not counted",
}


def _sourcing_text(sourcing: Mapping[str, Any], labels: list[str], width: int) -> list[str]:
    """The what-if on origin's sourcing side by side: the lines each what-if moved, the
    footprint by country of origin and each finding's share per scenario."""
    import textwrap

    out = ["", "Where the battery comes from, side by side:"]
    out += textwrap.wrap(sourcing["notice"], 96, initial_indent="  ", subsequent_indent="  ")
    for moved in sourcing["moved"]:
        for line in moved["lines"]:
            factor = line["factor"] or "its own factor kept (none given for this origin)"
            out.append(
                f"  {moved['scenario']}: {line['line']}: {line['from'] or 'no stated origin'} "
                f"-> {line['to']}; {factor}"
            )
    out += ["", "  Footprint by country of origin, kg CO2e per battery:"]
    out.append(f"  {'country':<28}" + "".join(f"{x[: width - 2]:>{width}}" for x in labels))
    for c in sourcing["footprint_by_country"]:
        name = "no stated origin" if c["country"] == "unknown" else f"{c['country']} {c['name']}"
        out.append(
            f"  {name[:27]:<28}" + "".join(f"{text_number(v, 1):>{width}}" for v in c["kg_co2e"])
        )
    rules = ", ".join(sourcing["rules"]) or "none"
    out += ["", f"  Sourcing findings ({rules}), share of the element per scenario:"]
    if not sourcing["findings"]:
        out.append("    none in any scenario")
    for f in sourcing["findings"]:
        stage = " and ".join(f["stages"]) or "any stage"
        what = f"{f['rule']} {f['name']}, {stage}: {_STATUS.get(f['status'], f['status'])}"
        if f["country"]:
            what += f" {f['country']}"
        cells = [
            (
                "-"
                if not x["found"]
                else "yes"
                if x["share"] is None
                else f"{x['share'] * 100:.1f} %"
            )
            for x in f["by_scenario"]
        ]
        out.append(f"  {what}")
        out.append(f"  {'':<28}" + "".join(f"{c:>{width}}" for c in cells))
    return out


def _quoted(text: str) -> str:
    """A CSV field: quoted when it holds a comma or a quote."""
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text
