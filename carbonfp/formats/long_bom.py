"""Projects written as a long BOM: LINES.csv and BATTERIES.csv (docs/long-bom.md).

Everything a project holds goes into the two tables: sub-BOMs expanded, energy blocks with their
supply, transport legs in t*km, the battery, plant, manufacturer, declaration, method and
end-of-life keys. Numbers are written with ``repr`` so they read back to the same float, and
``carbonfp calc LINES.csv --batteries BATTERIES.csv`` gives the projects' declarations back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timezone

from carbonfp.columns import LINE_COLUMNS
from carbonfp.files import guard_formula
from carbonfp.model import EOL_MATERIAL_KEYS, ActivityLine, Project, SuppliedFactor

BATTERY_COLUMNS = (
    "battery",
    "model",
    "category",
    "vehicle_category",
    "chemistry",
    "usable_capacity",
    "nominal_capacity",
    "mass",
    "warranty_years",
    "warranty_km",
    "annual_distance",
    "vehicle_consumption",
    "cycles_per_year",
    "cycles_per_year_justification",
    "declared_cycles",
    "end_of_life_capacity",
    "mean_capacity_factor",
    "manufacturer.name",
    "manufacturer.trade_name",
    "manufacturer.address",
    "manufacturer.contact",
    "manufacturer.company_id",
    "plant.name",
    "plant.town",
    "plant.region",
    "plant.country",
    "declaration.eu_doc_id",
    "declaration.study_url",
    "declaration.product_id",
    "declaration.product_category_cpc",
    "declaration.created",
    "declaration.reference_period_start",
    "declaration.reference_period_end",
    "declaration.study_date",
    "declaration.study_version",
    "declaration.verification_status",
    "declaration.verifier",
    "declaration.verification_statement_id",
    "method.ruleset",
    "method.factor_set",
    "end_of_life.route",
)


def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _qty(value: float | None, unit: str) -> str:
    return "" if value is None else f"{float(value)!r} {unit}"


def _factor(factor: SuppliedFactor | None) -> tuple[str, str]:
    if factor is None:
        return "", ""
    return f"{factor.value!r} {factor.unit}", factor.source


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def line_row(battery: str, line: ActivityLine) -> list[str]:
    """One line of LINES.csv (columns LINE_COLUMNS)."""
    own, own_source = _factor(line.supplied)
    supply = line.supply
    residual, residual_source = _factor(supply.residual_mix if supply else None)
    return [
        battery,
        line.kind.value,
        line.component,
        line.path,
        line.factor_id or "",
        repr(float(line.quantity)),
        line.unit,
        line.stage.value if line.stage is not None else "",
        line.origin or "",
        _num(line.recycled_share),
        own,
        own_source,
        line.data_type.value,
        _num(line.dqr),
        _num(line.quantity_gsd),
        _num(line.factor_gsd),
        line.role or "",
        line.note,
        supply.supply.value if supply else "",
        (supply.technology or "") if supply else "",
        _num(supply.share) if supply else "",
        (supply.certificate_id or "") if supply else "",
        _bool(supply.conveys_attributes) if supply else "",
        _bool(supply.cancelled_for_user) if supply else "",
        (supply.generation_period or "") if supply else "",
        (supply.consumption_period or "") if supply else "",
        (supply.market or "") if supply else "",
        residual,
        residual_source,
    ]


def battery_row(battery: str, project: Project, eol_columns: Sequence[str]) -> list[str]:
    """One row of BATTERIES.csv (columns BATTERY_COLUMNS, then ``eol_columns``)."""
    b, m, p, d = project.battery, project.manufacturer, project.plant, project.declaration
    row = [
        battery,
        b.model,
        b.category.value,
        b.vehicle_category or "",
        b.chemistry,
        _qty(b.usable_capacity_kwh, "kWh"),
        _qty(b.nominal_capacity_kwh, "kWh"),
        _qty(b.mass_kg if b.mass_kg > 0 else None, "kg"),
        _num(b.warranty_years),
        _qty(b.warranty_km, "km"),
        _qty(b.annual_distance_km, "km"),
        _qty(b.vehicle_consumption_kwh_per_km, "kWh/km"),
        _num(b.cycles_per_year),
        b.cycles_per_year_justification or "",
        _num(b.declared_cycles),
        _num(b.end_of_life_capacity),
        _num(b.mean_capacity_factor),
        m.name,
        m.trade_name or "",
        m.address or "",
        m.contact or "",
        " ".join(m.company_ids),
        p.name,
        p.town,
        p.region,
        p.country,
        d.eu_doc_id or "",
        d.study_url or "",
        " ".join(d.product_ids),
        d.product_category_cpc or "",
        _time(d.created),
        _time(d.reference_period_start),
        _time(d.reference_period_end),
        d.study_date.isoformat() if d.study_date else "",
        d.study_version or "",
        d.verification_status or "",
        d.verifier or "",
        d.verification_statement_id or "",
        project.ruleset or "",
        project.factor_set or "",
        project.end_of_life.route if project.end_of_life else "",
    ]
    eol = project.end_of_life
    for column in eol_columns:
        _, _, group, key = column.split(".", 3)
        material = eol.materials.get(group) if eol else None
        row.append(_eol_value(material, key) if material is not None else "")
    return row


def _eol_value(material: object, key: str) -> str:
    from carbonfp.model import EolMaterial

    assert isinstance(material, EolMaterial)
    numbers = {"R2": material.r2, "R3": material.r3, "Qsout": material.q_out}
    if key in numbers:
        return _num(numbers[key])
    name = key.removesuffix("_source")
    factor = getattr(material, name)
    value, source = _factor(factor)
    return source if key.endswith("_source") else value


def eol_columns(projects: Sequence[Project]) -> list[str]:
    """The end_of_life.materials.GROUP.KEY columns the projects need, groups in first-seen
    order, keys in EOL_MATERIAL_KEYS order, only keys some project gives."""
    groups: dict[str, set[str]] = {}
    for project in projects:
        if project.end_of_life is None:
            continue
        for name, material in project.end_of_life.materials.items():
            given = groups.setdefault(name, set())
            for key in EOL_MATERIAL_KEYS:
                if _eol_value(material, key):
                    given.add(key)
    return [
        f"end_of_life.materials.{name}.{key}"
        for name, keys in groups.items()
        for key in EOL_MATERIAL_KEYS
        if key in keys
    ]


def flatten(projects: Sequence[Project], ids: Sequence[str]) -> tuple[str, str]:
    """LINES.csv and BATTERIES.csv text of ``projects``, battery ``ids[i]`` for project i.

    Text that a spreadsheet would evaluate as a formula gets a leading apostrophe (the long-BOM
    reader takes it off again). Raises ValueError when the ids are not unique.
    """
    if len(set(ids)) != len(ids):
        raise ValueError("battery ids must be unique")
    lines = io.StringIO()
    writer = csv.writer(lines, lineterminator="\n")
    writer.writerow(LINE_COLUMNS)
    for battery, project in zip(ids, projects, strict=True):
        for line in project.lines:
            writer.writerow([guard_formula(cell) for cell in line_row(battery, line)])
    batteries = io.StringIO()
    writer = csv.writer(batteries, lineterminator="\n")
    extra = eol_columns(projects)
    writer.writerow([*BATTERY_COLUMNS, *extra])
    for battery, project in zip(ids, projects, strict=True):
        writer.writerow([guard_formula(cell) for cell in battery_row(battery, project, extra)])
    return lines.getvalue(), batteries.getvalue()
