"""A supplier's PACT ProductFootprint file read as the factor of a BOM line.

A BOM line with ``factor_source = pact:FILE.json`` takes its factor from the footprint: the
value per declared unit converted to the line's unit, with provenance naming the footprint id
and version. Both PACT v3 (3.0, checked by carbonfp.pact_spec: every problem at once) and the
deprecated v2 (2.x) are read. No clock: validity is checked against the end of the
declaration's reference period.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from carbonfp.errors import InputError, Location
from carbonfp.files import read_text
from carbonfp.inputs.fields import JsonFields
from carbonfp.model import Issue, SuppliedFactor
from carbonfp.pact_spec import check_v3, decimal_value, major_version, parse_time, validity_end
from carbonfp.units import parse_iso

#: PACT declared units and the unit carbonfp reads them as ("piece" is PACT v3).
DECLARED_UNITS = {
    "kilogram": "kg",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "liter": "l",
    "cubic meter": "m**3",
    "square meter": "m**2",
    "piece": "piece",
    "hour": "hour",
}
#: Without a validity period a footprint is valid for 3 years after its reference period.
DEFAULT_VALIDITY_YEARS = 3

_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_SPEC = re.compile(r"^(\d+)\.\d+\.\d+(-\d{8})?$")


@dataclass(frozen=True)
class SupplierFootprint:
    """What carbonfp takes from a supplier's ProductFootprint file, per ONE declared unit of
    measurement (v3 states the footprint per ``declaredUnitAmount`` units: divided here)."""

    id: str
    version: int  # v2's version; v3 has none (0)
    company_name: str
    status: str
    declared_unit: str
    #: declared units in one product (piece)
    unitary_amount: float
    pcf_excluding_biogenic: float
    pcf_text: str
    mass_per_declared_unit: float | None
    reference_period_end: datetime
    validity_end: datetime
    spec: str = "2"


class _Reader(JsonFields):
    """A PACT footprint's fields (decimals as strings, UTC date-times)."""

    def __init__(self, label: str, named_at: Location) -> None:
        super().__init__(
            label,
            named_at,
            scheme="pact",
            code="invalid-pact",
            required_by="a PACT ProductFootprint (Technical Specifications v2)",
        )

    def decimal(self, obj: dict[str, Any], field: str, prefix: str = "") -> tuple[float, str]:
        value = self.get(obj, field, prefix + field)
        if not isinstance(value, str) or not _DECIMAL.match(value.strip()):
            raise self.fail(
                prefix + field,
                f"{prefix + field} must be a decimal written as a JSON string, got {value!r}",
                hint='PACT writes numbers as text, e.g. "12.5"',
            )
        return float(value), value.strip()

    def time(self, obj: dict[str, Any], field: str, prefix: str = "") -> datetime:
        value = self.text(obj, field, prefix + field)
        try:
            moment = parse_iso(value)
        except ValueError:
            moment = None
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise self.fail(
                prefix + field,
                f"{prefix + field} {value!r} is not a UTC date-time",
                hint='write e.g. "2025-01-01T00:00:00Z"',
            )
        return moment.astimezone(timezone.utc)


def read_supplier_footprint(path: Path, label: str, named_at: Location) -> SupplierFootprint:
    """Read and check a supplier's PACT ProductFootprint file (or a ``{"data": [one]}``
    response holding exactly one).

    Raises InputError naming the file and the field: missing file, malformed JSON, a missing
    or mistyped field, an unknown declared unit, a specVersion other than 2.x.
    """
    reader = _Reader(label, named_at)
    text = read_text(path, label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}",
            where=Location(label, exc.lineno, exc.colno),
            hint=f"a supplier footprint file holds one PACT ProductFootprint as JSON; named at "
            f"{named_at}",
            code="invalid-pact",
        ) from exc
    if isinstance(data, dict) and "data" in data and "pcf" not in data:
        items = data["data"]
        if not isinstance(items, list) or len(items) != 1:
            raise reader.fail(
                "data",
                "the file lists several footprints (or none) under 'data'",
                hint="keep exactly one ProductFootprint in the file",
            )
        data = items[0]
    if not isinstance(data, dict):
        raise reader.fail(None, "the file does not hold a PACT ProductFootprint (a JSON object)")
    if major_version(data) == 3:
        return _read_v3(data, reader)
    spec = reader.text(data, "specVersion")
    match = _SPEC.match(spec)
    if match is None or match.group(1) != "2":
        raise reader.fail(
            "specVersion",
            f"specVersion {spec!r} is not supported",
            hint="carbonfp reads ProductFootprints of the PACT Technical Specifications 3.x "
            "(current) and 2.x",
        )
    pf_id = reader.text(data, "id")
    if not _UUID.match(pf_id):
        raise reader.fail("id", f"id {pf_id!r} is not a UUID")
    version = reader.get(data, "version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise reader.fail("version", f"version must be a whole number >= 0, got {version!r}")
    status = reader.text(data, "status")
    if status not in ("Active", "Deprecated"):
        raise reader.fail("status", f"status {status!r} is neither Active nor Deprecated")
    company = reader.text(data, "companyName")
    pcf = reader.get(data, "pcf")
    if not isinstance(pcf, dict):
        raise reader.fail("pcf", "pcf must be a JSON object (the CarbonFootprint)")
    unit = reader.text(pcf, "declaredUnit", "pcf.declaredUnit")
    if unit not in DECLARED_UNITS:
        raise reader.fail(
            "pcf.declaredUnit",
            f"unknown declaredUnit {unit!r}",
            hint="PACT declared units: " + ", ".join(DECLARED_UNITS),
        )
    amount, _ = reader.decimal(pcf, "unitaryProductAmount", "pcf.")
    if not amount > 0:
        raise reader.fail("pcf.unitaryProductAmount", "pcf.unitaryProductAmount must be above 0")
    value, value_text = reader.decimal(pcf, "pCfExcludingBiogenic", "pcf.")
    if value < 0:
        raise reader.fail("pcf.pCfExcludingBiogenic", "pcf.pCfExcludingBiogenic is negative")
    mass = None
    if pcf.get("productMassPerDeclaredUnit") is not None:
        mass, _ = reader.decimal(pcf, "productMassPerDeclaredUnit", "pcf.")
    ref_start = reader.time(pcf, "referencePeriodStart", "pcf.")
    ref_end = reader.time(pcf, "referencePeriodEnd", "pcf.")
    if not ref_start < ref_end:
        raise reader.fail(
            "pcf.referencePeriodEnd", "pcf.referencePeriodEnd is not after referencePeriodStart"
        )
    if data.get("validityPeriodEnd") is not None:
        validity_end = reader.time(data, "validityPeriodEnd")
    else:
        validity_end = _add_years(ref_end, DEFAULT_VALIDITY_YEARS)
    return SupplierFootprint(
        id=pf_id.lower(),
        version=version,
        company_name=company,
        status=status,
        declared_unit=unit,
        unitary_amount=amount,
        pcf_excluding_biogenic=value,
        pcf_text=value_text,
        mass_per_declared_unit=mass,
        reference_period_end=ref_end,
        validity_end=validity_end,
    )


def _read_v3(data: dict[str, Any], reader: _Reader) -> SupplierFootprint:
    """A PACT v3 footprint, refused with every problem the specification's rules find."""
    problems = check_v3(data)
    if problems:
        errors = [
            reader.fail(p.field, f"{p.field}: {p.reason}", hint="PACT Technical Specifications 3.0")
            for p in problems
        ]
        raise errors[0].with_related(errors[1:])
    pcf = data["pcf"]
    amount = decimal_value(pcf["declaredUnitAmount"])
    value = decimal_value(pcf["pcfExcludingBiogenicUptake"])
    mass = decimal_value(pcf["productMassPerDeclaredUnit"])
    end = parse_time(pcf["referencePeriodEnd"])
    valid = validity_end(data)
    assert amount is not None and value is not None and end is not None and valid is not None
    if value < 0:
        raise reader.fail(
            "pcf.pcfExcludingBiogenicUptake",
            "pcf.pcfExcludingBiogenicUptake is negative: a BOM line's factor cannot take it",
            hint="ask the supplier for the footprint without removals, or give the factor",
        )
    unit = pcf["declaredUnitOfMeasurement"]
    return SupplierFootprint(
        id=str(data["id"]).lower(),
        version=0,
        company_name=data["companyName"].strip(),
        status=data["status"],
        declared_unit=unit,
        unitary_amount=amount,
        pcf_excluding_biogenic=value / amount,
        pcf_text=f"{pcf['pcfExcludingBiogenicUptake']} per {pcf['declaredUnitAmount']}",
        mass_per_declared_unit=mass / amount if mass else None,
        reference_period_end=end,
        validity_end=valid,
        spec="3",
    )


def supplier_factor(
    path: Path,
    label: str,
    line_unit: str,
    named_at: Location,
    period_end: datetime | None = None,
) -> tuple[SuppliedFactor, list[Issue]]:
    """A BOM line's factor from a supplier's footprint file, in a unit that fits the line.

    Uses ``pCfExcludingBiogenic``. Same dimension as the declared unit: per declared unit; a
    line in pieces: times ``unitaryProductAmount`` (declared units per product); a line in
    mass with another declared unit: divided by ``productMassPerDeclaredUnit``. Warns when the
    footprint is Deprecated or its validity ends before ``period_end`` (the end of the
    declaration's reference period: no clock). Raises InputError naming the file and field
    when the file is invalid or the unit cannot be converted.
    """
    from carbonfp.units import dimension_name

    fp = read_supplier_footprint(path, label, named_at)
    du_unit = DECLARED_UNITS[fp.declared_unit]
    line_dim = dimension_name(line_unit, named_at)
    per = f"({du_unit})" if "*" in du_unit else du_unit
    how = ""
    if dimension_name(du_unit) == line_dim:
        value, unit = fp.pcf_excluding_biogenic, f"kg CO2e/{per}"
    elif line_dim == "count":
        value, unit = fp.pcf_excluding_biogenic * fp.unitary_amount, "kg CO2e/piece"
        how = f" x {fp.unitary_amount:g} {fp.declared_unit} per piece (unitaryProductAmount)"
    elif line_dim == "mass" and fp.mass_per_declared_unit:
        value, unit = fp.pcf_excluding_biogenic / fp.mass_per_declared_unit, "kg CO2e/kg"
        how = (
            f" / {fp.mass_per_declared_unit:g} kg per {fp.declared_unit} "
            "(productMassPerDeclaredUnit)"
        )
    else:
        raise InputError(
            f"cannot convert the footprint's declared unit {fp.declared_unit!r} to the line's "
            f"unit {line_unit!r}",
            where=Location(label, key="pcf.declaredUnit"),
            hint=f"named at {named_at}: give the line's quantity in {du_unit} or in pieces "
            "(converted with pcf.unitaryProductAmount); a mass needs "
            "pcf.productMassPerDeclaredUnit",
            code="wrong-dimension",
        )
    if fp.spec == "3":
        source = (
            f"PACT v3 {label}: {fp.company_name}, footprint {fp.id}, "
            f"pcfExcludingBiogenicUptake {fp.pcf_text} {fp.declared_unit}{how}, "
            f"valid until {fp.validity_end:%Y-%m-%d}"
        )
    else:
        source = (
            f"PACT {label}: {fp.company_name}, footprint {fp.id} version {fp.version}, "
            f"pCfExcludingBiogenic {fp.pcf_text} kg CO2e per {fp.declared_unit}{how}, "
            f"valid until {fp.validity_end:%Y-%m-%d}"
        )
    issues = []
    if fp.status == "Deprecated":
        issues.append(
            Issue(
                "supplier-pcf-deprecated",
                f"supplier footprint {label} ({fp.company_name}, {fp.id}) is Deprecated: its "
                "owner says it should no longer be used; ask for the current one",
                str(named_at),
            )
        )
    if period_end is not None and fp.validity_end < period_end:
        issues.append(
            Issue(
                "supplier-pcf-expired",
                f"supplier footprint {label} ({fp.company_name}, {fp.id}) was valid until "
                f"{fp.validity_end:%Y-%m-%d}, before the end of the declaration's reference "
                f"period ({period_end:%Y-%m-%d}); ask the supplier for a current one",
                str(named_at),
            )
        )
    return SuppliedFactor(value, unit, source), issues


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28) + timedelta(days=1)
