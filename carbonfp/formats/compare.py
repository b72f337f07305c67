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
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    """A CSV field: quoted when it holds a comma or a quote."""
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text
