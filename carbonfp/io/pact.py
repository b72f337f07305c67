"""PACT v2.3 ProductFootprints: export a declaration's cradle-to-gate part, import a supplier's.

Export (``carbonfp calc --format pact``): raw materials + production per kilogram of battery
(cradle-to-gate, no end-of-life credit), decimals as JSON strings, UTC timestamps, an ``id``
derived from the content (UUID v5), and the Article 7 figures per kWh delivered in a data model
extension. Import (a BOM line with ``factor_source = pact:FILE.json``): a supplier's footprint
becomes that line's supplier-specific factor, converted to the line's unit.

Everything here is deterministic: no clock. ``created`` is the project's ``[declaration]
created``, else the end of the reference period, unless the caller passes a time.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from carbonfp.errors import FactorDataError, InputError, Location
from carbonfp.io.tomlfile import TomlTable, read_text
from carbonfp.model import (
    DataType,
    Declaration,
    DeclarationInfo,
    Issue,
    LineKind,
    Ruleset,
    Stage,
    SuppliedFactor,
)

SPEC_VERSION = "2.3.0"
#: Version of the WBCSD Data Model Extensions specification the extension follows.
EXTENSION_SPEC_VERSION = "2.0.0"
#: ``dataSchema`` of the Article 7 extension: the ``$id`` of carbonfp/schemas/
#: pact-article7.schema.json (printed by ``carbonfp schema pact-article7``).
EXTENSION_SCHEMA_ID = "urn:carbonfp:schema:pact-article7:1"
#: UN CPC Ver. 2.1 subclass 46420, electric accumulators: the default productCategoryCpc.
CPC_ELECTRIC_ACCUMULATORS = "46420"
#: Namespace of carbonfp's UUID v5 ids: uuid5(NAMESPACE_URL, "urn:carbonfp:pact").
NAMESPACE = uuid.UUID("fffe9ebd-0ae2-5d6f-8bca-2e4fc78e6e68")
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
}
#: Without a validity period a footprint is valid for 3 years after its reference period.
DEFAULT_VALIDITY_YEARS = 3

DECLARATION_KEYS = {
    "eu_doc_id",
    "study_url",
    "product_id",
    "product_category_cpc",
    "created",
    "reference_period_start",
    "reference_period_end",
}

_URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9]:\S+$", re.IGNORECASE)
_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_SPEC = re.compile(r"^(\d+)\.\d+\.\d+(-\d{8})?$")


# --------------------------------------------------------------------------------------------
# Project keys ([declaration] and [manufacturer]) used by the exchange formats
# --------------------------------------------------------------------------------------------


def read_urns(table: TomlTable, key: str) -> tuple[str, ...]:
    """Read ``key`` as one URN or an array of URNs (``urn:pact:example.com:supplier-id:42``).

    Raises InputError naming the key when a value is not a URN.
    """
    if not table.has(key):
        return ()
    raw = table.data[key]
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise table.fail(key, f"{key} must be a URN or an array of URNs")
    urns = tuple(v.strip() for v in values)
    for urn in urns:
        if not _URN.match(urn):
            raise table.fail(
                key,
                f"{key} {urn!r} is not a URN",
                hint='write "urn:NAMESPACE:ID", e.g. "urn:pact:example.com:supplier-id:4711" '
                'or "urn:gtin:4712345060507" (RFC 8141)',
            )
    if len(set(urns)) != len(urns):
        raise table.fail(key, f"{key} lists the same URN twice")
    return urns


def read_utc(table: TomlTable, key: str) -> datetime | None:
    """Read ``key`` as a UTC time: a TOML date (midnight UTC), a TOML date-time with an offset,
    or the same as text ("2025-01-01", "2025-01-01T00:00:00Z").

    Raises InputError naming the key for anything else, including a time without an offset.
    """
    if not table.has(key):
        return None
    raw = table.data[key]
    hint = "write a date (2025-01-01) or a UTC time (2025-01-01T00:00:00Z)"
    if isinstance(raw, str):
        try:
            raw = _parse_iso(raw.strip())
        except ValueError:
            raise table.fail(key, f"{key} {raw!r} is not a date", hint=hint) from None
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise table.fail(key, f"{key} has no time zone", hint=hint)
        return raw.astimezone(timezone.utc)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=timezone.utc)
    raise table.fail(key, f"{key} must be a date", hint=hint)


def declaration_info(table: TomlTable) -> DeclarationInfo:
    """Read the project's ``[declaration]`` table (Article 7 items and exchange keys).

    Raises InputError naming the key for an unknown key, a bad URN or date, or a reference
    period that ends before it starts.
    """
    table.unknown_keys(DECLARATION_KEYS)
    start = read_utc(table, "reference_period_start")
    end = read_utc(table, "reference_period_end")
    if (start is None) != (end is None):
        missing = "reference_period_end" if end is None else "reference_period_start"
        raise table.fail(
            None,
            f"missing key {missing!r}",
            hint="give both reference_period_start and reference_period_end (end exclusive), "
            "e.g. 2025-01-01 and 2026-01-01 for the calendar year 2025",
            code="missing-key",
        )
    if start is not None and end is not None and not start < end:
        raise table.fail(
            "reference_period_end",
            "reference_period_end must be after reference_period_start",
            hint="the end is exclusive: 2025-01-01 to 2026-01-01 is the calendar year 2025",
        )
    cpc = table.opt_str("product_category_cpc")
    if cpc is not None and not re.fullmatch(r"\d{1,5}", cpc):
        raise table.fail(
            "product_category_cpc",
            f"product_category_cpc {cpc!r} is not a UN CPC code",
            hint=f'a UN CPC Ver. 2.1 code of up to 5 digits, e.g. "{CPC_ELECTRIC_ACCUMULATORS}" '
            "(electric accumulators)",
        )
    return DeclarationInfo(
        eu_doc_id=table.opt_str("eu_doc_id"),
        study_url=table.opt_str("study_url"),
        product_ids=read_urns(table, "product_id"),
        product_category_cpc=cpc,
        created=read_utc(table, "created"),
        reference_period_start=start,
        reference_period_end=end,
    )


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """An exchange document as plain data, and notes for the user (printed on stderr)."""

    data: dict[str, Any]
    notes: tuple[str, ...] = ()


def dumps(data: dict[str, Any]) -> str:
    """JSON text of an exchange document: indented, UTF-8, one trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def decimal_text(value: float, digits: int = 10) -> str:
    """A PACT Decimal: dotted-decimal text, never an exponent, ``digits`` significant digits."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    text = format(Decimal(f"{value:.{digits}g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def utc_text(moment: datetime) -> str:
    """A PACT DateTime: ISO 8601 in UTC with a ``Z``, to the second."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def company_ids(decl: Declaration) -> list[str]:
    """The project's company URNs, else one derived from the manufacturer's name (urn:uuid)."""
    maker = decl.project.manufacturer
    if maker.company_ids:
        return list(maker.company_ids)
    return [f"urn:uuid:{uuid.uuid5(NAMESPACE, 'company:' + maker.name)}"]


def product_ids(decl: Declaration) -> list[str]:
    """The project's product URNs, else one derived from manufacturer and model (urn:uuid)."""
    info = decl.project.declaration
    if info.product_ids:
        return list(info.product_ids)
    name = f"product:{decl.project.manufacturer.name}\n{decl.project.battery.model}"
    return [f"urn:uuid:{uuid.uuid5(NAMESPACE, name)}"]


def reference_period(decl: Declaration) -> tuple[datetime, datetime, str | None]:
    """The reference period (start, end exclusive) and a note when it is a fallback.

    Without ``[declaration] reference_period_start/_end`` the calendar year of the base factor
    set's version is used (2026 for carbonfp-open@2026.1), with a note. Raises InputError when
    there is neither.
    """
    info = decl.project.declaration
    if info.reference_period_start is not None and info.reference_period_end is not None:
        return info.reference_period_start, info.reference_period_end, None
    layers = decl.provenance.factor_layers
    base = layers[0][0] if layers else decl.provenance.factor_set
    match = re.match(r"^[^@]*@((?:19|20|21)\d\d)\b", base)
    if match is None:
        raise InputError(
            "a PACT footprint needs the reference period the activity data represent",
            where=Location(decl.project.label, key="declaration.reference_period_start"),
            hint="add reference_period_start = 2025-01-01 and reference_period_end = 2026-01-01 "
            "(end exclusive) under [declaration]",
            code="missing-key",
        )
    year = int(match.group(1))
    start = datetime(year, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    note = (
        f"{decl.project.label}: no [declaration] reference_period_start/_end; the PACT "
        f"reference period is the calendar year {year} (the year of factor set {base}): add "
        "the period your activity data represent"
    )
    return start, end, note


def _stage_kg(decl: Declaration, stage: Stage) -> float:
    return decl.stage(stage).kg_co2e


def primary_data_share(decl: Declaration) -> float:
    """Percent of cradle-to-gate emissions from lines with company or supplier data."""
    gate = (Stage.RAW_MATERIALS, Stage.PRODUCTION)
    lines = [r for r in decl.lines if r.stage in gate and r.kg_co2e > 0]
    total = sum(r.kg_co2e for r in lines)
    if total <= 0:
        return 0.0
    primary = sum(
        r.kg_co2e for r in lines if r.line.data_type in (DataType.COMPANY, DataType.SUPPLIER)
    )
    return min(100.0, max(0.0, 100.0 * primary / total))


def secondary_sources(decl: Declaration) -> list[dict[str, str]]:
    """The factor sets (``{name, version}``) that gave factors to cradle-to-gate lines.

    Lines with their own (supplier) factor and process emissions (a GWP, not an emission
    factor) name none.
    """
    gate = (Stage.RAW_MATERIALS, Stage.PRODUCTION)
    labels = sorted(
        {
            r.factor_set or decl.provenance.factor_set
            for r in decl.lines
            if r.stage in gate
            and r.line.supplied is None
            and r.line.kind is not LineKind.PROCESS_EMISSION
        }
    )
    sources = []
    for label in labels:
        name, _, version = label.partition("@")
        sources.append({"name": name, "version": version or "unversioned"})
    return sources


def pact_footprint(decl: Declaration, rules: Ruleset, created: datetime | None = None) -> Export:
    """The declaration's cradle-to-gate footprint as a PACT v2.3 ProductFootprint.

    Per kilogram of battery: raw materials + production, no distribution, no end of life.
    ``created`` overrides the project's ``[declaration] created`` (default: the end of the
    reference period). The ``id`` is a UUID v5 of the content without ``id`` and ``created``,
    so the same inputs give the same id. Raises InputError when the battery has no mass, the
    cradle-to-gate total is negative, or there is no reference period at all.
    """
    p = decl.project
    b = p.battery
    if not b.mass_kg > 0:
        raise InputError(
            "a PACT footprint is per kilogram of battery, but the battery has no mass",
            where=Location(p.label, key="battery.mass"),
            hint='add mass = "... kg" under [battery]',
            code="missing-key",
        )
    gate_kg = _stage_kg(decl, Stage.RAW_MATERIALS) + _stage_kg(decl, Stage.PRODUCTION)
    if gate_kg < 0:
        raise InputError(
            f"the cradle-to-gate footprint is negative ({gate_kg:.1f} kg CO2e): PACT needs "
            "pCfExcludingBiogenic >= 0",
            where=Location(p.label),
            hint="check the signs of the raw-material and production lines: credits belong to "
            "the end-of-life stage",
            code="negative-total",
        )
    from carbonfp.io.batterypass import SCREENING

    start, end, note = reference_period(decl)
    notes = tuple(n for n in (note, SCREENING if decl.mode != "declaration" else None) if n)
    screening = (
        "Screening result (carbonfp --mode screening), not yet an Article 7 declaration. "
        if decl.mode != "declaration"
        else ""
    )
    per_kg = decimal_text(gate_kg / b.mass_kg)
    pv = decl.provenance
    vehicle = f" for {b.vehicle_category} vehicles" if b.vehicle_category else ""
    pcf: dict[str, Any] = {
        "declaredUnit": "kilogram",
        "unitaryProductAmount": decimal_text(b.mass_kg),
        "productMassPerDeclaredUnit": "1",
        "pCfExcludingBiogenic": per_kg,
        "pCfIncludingBiogenic": per_kg,
        "fossilGhgEmissions": per_kg,
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "dLucGhgEmissions": "0",
        "landManagementGhgEmissions": "0",
        "otherBiogenicGhgEmissions": "0",
        "biogenicCarbonWithdrawal": "0",
        "biogenicAccountingMethodology": "PEF",
        "characterizationFactors": _characterization(rules),
        "ipccCharacterizationFactorsSources": [rules.gwp_set],
        "crossSectoralStandardsUsed": ["ISO Standard 14044"],
        "crossSectoralStandards": ["PEF"],
        "productOrSectorSpecificRules": [
            {
                "operator": "Other",
                "ruleNames": [f"{pv.ruleset} ({pv.ruleset_legal_status})"],
                "otherOperatorName": "carbonfp ruleset for Regulation (EU) 2023/1542 Article 7",
            }
        ],
        "boundaryProcessesDescription": (
            "Raw material acquisition and pre-processing (materials, components and their "
            "inbound transport) and main product production (electricity, fuels and process "
            "emissions of cell manufacturing and of module and pack assembly), as Annex II of "
            "Regulation (EU) 2023/1542 defines them. Distribution, use and end of life are "
            "excluded (no end-of-life credit)."
        ),
        "referencePeriodStart": utc_text(start),
        "referencePeriodEnd": utc_text(end),
        "geographyCountry": p.plant.country,
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": float(decimal_text(primary_data_share(decl), 6)),
    }
    sources = secondary_sources(decl)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    body: dict[str, Any] = {
        "specVersion": SPEC_VERSION,
        "version": 1,
        "status": "Active",
        "companyName": p.manufacturer.name,
        "companyIds": company_ids(decl),
        "productDescription": (
            f"{b.chemistry} {b.category.value} battery{vehicle}, {b.usable_capacity_kwh:g} kWh "
            f"usable capacity, {b.mass_kg:g} kg; made at {p.plant.name}, {p.plant.town}, "
            f"{p.plant.country}"
        ),
        "productIds": product_ids(decl),
        "productCategoryCpc": p.declaration.product_category_cpc or CPC_ELECTRIC_ACCUMULATORS,
        "productNameCompany": b.model,
        "comment": (
            f"{screening}Cradle-to-gate footprint per kilogram of battery computed by carbonfp "
            f"{pv.tool_version} (ruleset {pv.ruleset}, {pv.ruleset_legal_status}; factor set "
            f"{pv.factor_set}). The Article 7 figures per kWh delivered over the service life "
            f"are in the extension {EXTENSION_SCHEMA_ID}. carbonfp's factors carry no biogenic "
            "or land-use split: pCfIncludingBiogenic and fossilGhgEmissions equal "
            "pCfExcludingBiogenic, the biogenic and land-use emissions are reported as 0, and "
            "the fossil and biogenic carbon content of the product is not assessed (0)."
        ),
        "pcf": pcf,
        "extensions": [article7_extension(decl)],
    }
    name = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    stamp = created or p.declaration.created or end
    data = {
        "id": str(uuid.uuid5(NAMESPACE, name)),
        "specVersion": body.pop("specVersion"),
        "version": body.pop("version"),
        "created": utc_text(stamp),
        **body,
    }
    return Export(data, notes)


def _characterization(rules: Ruleset) -> str:
    """The IPCC report of the ruleset's GWP set, as PACT names it (AR5 or AR6)."""
    if rules.gwp_set not in ("AR5", "AR6"):
        raise FactorDataError(
            f"ruleset {rules.id} uses GWP set {rules.gwp_set!r}; a PACT footprint can declare "
            "only AR5 or AR6 characterization factors",
            hint='use a ruleset with gwp_set = "AR6" for the PACT export',
        )
    return rules.gwp_set


def article7_extension(decl: Declaration) -> dict[str, Any]:
    """The Data Model Extension carrying the Article 7 declaration (per kWh delivered)."""
    from carbonfp.io.batterypass import LIFECYCLE_STAGES

    p = decl.project
    data: dict[str, Any] = {
        "regulation": "Regulation (EU) 2023/1542, Article 7",
        "ruleset": decl.provenance.ruleset,
        "rulesetLegalStatus": decl.provenance.ruleset_legal_status,
        "functionalUnit": "kWh of total energy delivered over the service life",
        "totalEnergyKwh": decimal_text(decl.functional_unit.total_energy_kwh),
        "batteryCarbonFootprint": decimal_text(decl.total_kg_co2e_per_kwh),
        "carbonFootprintPerLifecycleStage": [
            {
                "lifecycleStage": LIFECYCLE_STAGES[s.stage],
                "carbonFootprint": decimal_text(s.kg_co2e_per_kwh),
            }
            for s in decl.stages
        ],
        "absoluteCarbonFootprint": decimal_text(decl.absolute_kg_co2e),
    }
    if p.declaration.study_url:
        data["carbonFootprintStudy"] = p.declaration.study_url
    if p.declaration.eu_doc_id:
        data["euDeclarationOfConformityId"] = p.declaration.eu_doc_id
    return {"specVersion": EXTENSION_SPEC_VERSION, "dataSchema": EXTENSION_SCHEMA_ID, "data": data}


# --------------------------------------------------------------------------------------------
# Import: a supplier's footprint as a BOM line's factor
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierFootprint:
    """What carbonfp takes from a supplier's ProductFootprint file."""

    id: str
    version: int
    company_name: str
    status: str
    declared_unit: str
    unitary_amount: float
    pcf_excluding_biogenic: float
    pcf_text: str
    mass_per_declared_unit: float | None
    reference_period_end: datetime
    validity_end: datetime


class _Reader:
    """Typed access to a footprint's fields with errors that name the file and the field."""

    def __init__(self, label: str, named_at: Location) -> None:
        self.label = label
        self.named_at = named_at

    def fail(self, field: str | None, message: str, hint: str | None = None) -> InputError:
        return InputError(
            message,
            where=Location(self.label, key=field),
            hint=(hint + "; " if hint else "")
            + f"named at {self.named_at} (factor_source = pact:FILE, relative to the BOM)",
            code="invalid-pact",
        )

    def get(self, obj: dict[str, Any], field: str, prefix: str = "") -> Any:
        if field not in obj or obj[field] is None:
            raise self.fail(
                prefix + field,
                f"missing field {prefix + field}",
                hint="a PACT ProductFootprint (Technical Specifications v2) needs it",
            )
        return obj[field]

    def text(self, obj: dict[str, Any], field: str, prefix: str = "") -> str:
        value = self.get(obj, field, prefix)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(prefix + field, f"{prefix + field} must be non-empty text")
        return value.strip()

    def decimal(self, obj: dict[str, Any], field: str, prefix: str = "") -> tuple[float, str]:
        value = self.get(obj, field, prefix)
        if not isinstance(value, str) or not _DECIMAL.match(value.strip()):
            raise self.fail(
                prefix + field,
                f"{prefix + field} must be a decimal written as a JSON string, got {value!r}",
                hint='PACT writes numbers as text, e.g. "12.5"',
            )
        return float(value), value.strip()

    def time(self, obj: dict[str, Any], field: str, prefix: str = "") -> datetime:
        value = self.text(obj, field, prefix)
        try:
            moment = _parse_iso(value)
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
    spec = reader.text(data, "specVersion")
    match = _SPEC.match(spec)
    if match is None or match.group(1) != "2":
        raise reader.fail(
            "specVersion",
            f"specVersion {spec!r} is not supported",
            hint="carbonfp reads ProductFootprints of the PACT Technical Specifications 2.x",
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
    unit = reader.text(pcf, "declaredUnit", "pcf.")
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


def _parse_iso(text: str) -> date | datetime:
    """Parse "2025-01-01" (a date) or "2025-01-01T00:00:00Z" (a date-time); ValueError else."""
    if "T" not in text and " " not in text:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28) + timedelta(days=1)
