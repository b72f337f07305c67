"""Writers for screening estimates: one row per plant country, text, JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from carbonfp.errors import UsageError
from carbonfp.formats.common import json_text, rounded
from carbonfp.model import Battery, Declaration, LineKind, LineResult, Stage

LABEL = "SCREENING ESTIMATE, NOT A DECLARATION"
USER_VALUE = "user value"


def render(declarations: Sequence[Declaration], fmt: str) -> str:
    """The estimates (one declaration per plant country) as text, JSON or CSV.

    Raises UsageError for any other format or no declaration.
    """
    if not declarations:
        raise UsageError(
            "no estimate to write", hint="give at least one plant country", code="nothing-to-write"
        )
    if fmt == "json":
        return to_json(declarations)
    if fmt == "csv":
        return to_csv(declarations)
    if fmt == "text":
        return to_text(declarations)
    raise UsageError(
        f"estimate writes text, json or csv, not {fmt!r}",
        hint="use --format text, json or csv",
        code="invalid-option",
    )


def _materials(d: Declaration) -> list[LineResult]:
    """The battery's materials lines: material lines of the raw-material stage (an estimate has
    one; its end-of-life line is a material line of another stage)."""
    return [
        r for r in d.lines if r.line.kind is LineKind.MATERIAL and r.stage is Stage.RAW_MATERIALS
    ]


def materials_source(d: Declaration) -> str:
    """Where the materials figure comes from: the factor set's row, or the user's own value."""
    rows = _materials(d)
    if len(rows) != 1:
        return f"bill of materials ({len(rows)} lines)"
    r = rows[0]
    if r.line.supplied is not None:
        return f"{USER_VALUE}: {r.line.supplied.source}"
    return f"{r.factor_id} ({r.factor_set or d.provenance.factor_set})"


def end_of_life_source(d: Declaration) -> str:
    """Where the end-of-life figure comes from ("" when the estimate has none)."""
    own = sorted(
        {
            r.line.supplied.source
            for r in d.lines
            if r.stage is Stage.END_OF_LIFE and r.line.supplied is not None
        }
    )
    return "; ".join(f"{USER_VALUE}: {source}" for source in own)


def user_values(d: Declaration) -> list[dict[str, Any]]:
    """The lines computed with a value the user gave (not from the factor set), with its source."""
    return [
        {
            "line": r.line.component,
            "value": rounded(r.line.supplied.value),
            "unit": r.line.supplied.unit,
            "source": r.line.supplied.source,
        }
        for r in d.lines
        if r.line.supplied is not None
    ]


def estimate_rows(declarations: Sequence[Declaration]) -> list[dict[str, Any]]:
    rows = []
    for d in declarations:
        by_kind = {r.line.kind.value: r for r in d.lines}
        grid = by_kind["electricity"]
        rows.append(
            {
                "plant_country": d.project.plant.country,
                "grid_g_co2e_per_kwh": rounded(grid.factor_value * 1000),  # factor in kg CO2e/kWh
                "materials_kg_co2e": rounded(sum(r.kg_co2e for r in _materials(d))),
                "cell_electricity_kg_co2e": rounded(grid.kg_co2e),
                "cell_natural_gas_kg_co2e": rounded(by_kind["fuel"].kg_co2e),
                # None (JSON null, an empty CSV cell): not included, which is not a zero
                "distribution_kg_co2e": _included(d, Stage.DISTRIBUTION),
                "end_of_life_kg_co2e": _included(d, Stage.END_OF_LIFE),
                "total_kg_co2e": rounded(d.absolute_kg_co2e),
                "kg_co2e_per_kwh_delivered": rounded(d.total_kg_co2e_per_kwh),
                "cradle_to_gate_kg_co2e_per_kwh_capacity": rounded(
                    d.cradle_to_gate_kg_co2e_per_kwh_capacity
                ),
                "materials_source": materials_source(d),
                "end_of_life_source": end_of_life_source(d),
            }
        )
    return rows


def _included(d: Declaration, stage: Stage) -> float | None:
    """A stage's kg CO2e, or None when the estimate has no line there (not included)."""
    if not any(r.stage is stage for r in d.lines):
        return None
    return rounded(d.stage(stage).kg_co2e)


def battery_text(b: Battery) -> str:
    """The battery's category, with its vehicle category where it has one."""
    if b.vehicle_category:
        return f"{b.category.value} battery, vehicle category {b.vehicle_category}"
    return f"{b.category.value} battery"


def not_included(first: Declaration) -> list[str]:
    """What the estimate leaves out, said in every format: the distribution leg without a
    battery mass, the end of life without a user value."""
    out = []
    if not any(r.stage is Stage.DISTRIBUTION for r in first.lines):
        out.append(
            "distribution: not included (no battery mass: give --mass; carbonfp estimates it "
            "only from an open specific energy, which the factor set does not give here)"
        )
    if not any(r.stage is Stage.END_OF_LIFE for r in first.lines):
        out.append("end of life: not included (give --end-of-life)")
    return out


def to_json(declarations: Sequence[Declaration]) -> str:
    first = declarations[0]
    b = first.project.battery
    data = {
        "schema_version": "1.0",
        "document": LABEL.lower(),
        "battery": {
            "chemistry": b.chemistry,
            "category": b.category.value,
            "vehicle_category": b.vehicle_category,
            "usable_capacity_kwh": rounded(b.usable_capacity_kwh),
            "mass_kg": rounded(b.mass_kg) if b.mass_kg > 0 else None,
            "warranty_years": rounded(b.warranty_years),
            "declared_cycles": rounded(b.declared_cycles),
        },
        "functional_unit": {
            "total_energy_kwh": rounded(first.functional_unit.total_energy_kwh),
            "derivation": first.functional_unit.derivation,
        },
        "materials_source": materials_source(first),
        "user_values": user_values(first),
        "assumptions": [r.line.note for r in first.lines if r.line.note] + not_included(first),
        "by_plant_country": estimate_rows(declarations),
        "provenance": {
            "factor_set": first.provenance.factor_set,
            "factor_set_sha256": first.provenance.factor_set_sha256,
            "ruleset": first.provenance.ruleset,
            "ruleset_sha256": first.provenance.ruleset_sha256,
            "sources": _sources(declarations),
        },
    }
    return json_text(data)


def _sources(declarations: Sequence[Declaration]) -> list[str]:
    """The factor set's sources used, then the sources of the user's own values."""
    cited = sorted({s.attribution for d in declarations for s in d.provenance.sources})
    own = sorted({f"{v['line']}: {v['source']}" for d in declarations for v in user_values(d)})
    return cited + own


def to_csv(declarations: Sequence[Declaration]) -> str:
    rows = estimate_rows(declarations)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0].keys())
    for row in rows:
        writer.writerow(row.values())
    return out.getvalue()


def to_text(declarations: Sequence[Declaration]) -> str:
    first = declarations[0]
    b = first.project.battery
    out = [
        f"{LABEL}  (no BOM; ruleset {first.provenance.ruleset}, "
        f"factors {first.provenance.factor_set})",
        "",
        f"  Battery       {b.chemistry}, {b.usable_capacity_kwh:g} kWh usable, "
        f"{battery_text(b)}, "
        + (f"about {b.mass_kg:.0f} kg" if b.mass_kg > 0 else "mass not given"),
        f"  Functional unit  {first.functional_unit.derivation}",
    ]
    own = user_values(first)
    if own:
        out.append(
            f"  User values   not from {first.provenance.factor_set}: as given and cited by the "
            "user, not checked by carbonfp"
        )
        out += [f"    - {v['line']}: {v['value']:g} {v['unit']} ({v['source']})" for v in own]
    out += ["", "  Assumptions:"]
    out += [f"    - {r.line.component}: {r.line.note}" for r in first.lines if r.line.note]
    out += [f"    - {note}" for note in not_included(first)]
    out.append("")
    header = (
        f"  {'plant':<6}{'grid g/kWh':>11}{'materials':>11}{'cell elec.':>11}{'cell gas':>10}"
        f"{'distrib.':>10}{'total kg':>10}{'kg/kWh deliv.':>15}{'c2g kg/kWh cap.':>17}"
    )
    out.append(header)
    for row in estimate_rows(declarations):
        out.append(
            f"  {row['plant_country']:<6}{row['grid_g_co2e_per_kwh']:>11.1f}"
            f"{row['materials_kg_co2e']:>11.0f}{row['cell_electricity_kg_co2e']:>11.0f}"
            f"{row['cell_natural_gas_kg_co2e']:>10.0f}"
            + (
                f"{row['distribution_kg_co2e']:>10.1f}"
                if row["distribution_kg_co2e"] is not None
                else f"{'-':>10}"
            )
            + f"{row['total_kg_co2e']:>10.0f}{row['kg_co2e_per_kwh_delivered']:>15.4f}"
            f"{row['cradle_to_gate_kg_co2e_per_kwh_capacity']:>17.1f}"
        )
    out.append("")
    out.append("Sources")
    out += [f"  - {a}" for a in _sources(declarations)]
    return "\n".join(out) + "\n"
