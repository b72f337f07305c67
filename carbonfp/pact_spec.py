"""The rules of a PACT v3 ProductFootprint, written as carbonfp's own code from the published
Technical Specifications for PCF Data Exchange, version 3.0 (WBCSD, 3.0.0 of 30 April 2025 to
3.0.3 of 18 November 2025: the data model and its field tables, "Validity Period", "Product
Identification and Classification").

The specification's JSON schema is not shipped: its licence does not allow sharing it. These
checks are what carbonfp's export is tested against and what its import refuses: every field's
presence, type and format, and the rules between fields (geography, validity period against the
reference period, packaging emissions, decimals written as strings). Foundation module: it
imports nothing of carbonfp's but the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeGuard

SPEC_VERSION = "3.0.3"

#: declaredUnitOfMeasurement values (3.0).
DECLARED_UNITS = (
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
)
#: geographyRegionOrSubregion values (UN M49 regions and subregions, as the specification
#: lists them).
REGIONS = (
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
)
VERIFICATION_COVERAGE = ("PCF calculation model", "PCF program", "product level")
CCU_APPROACHES = ("Cut-off", "Credit")
STATUSES = ("Active", "Deprecated")
#: A footprint without a validity period is valid this long after its reference period.
VALIDITY_YEARS = 3

_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(-\d{8})?$")
_URN = re.compile(r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_AR = re.compile(r"^AR\d+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

#: Decimal fields of a CarbonFootprint and the sign each must have: "+" >= 0, "-" <= 0,
#: "+!" > 0, "" any.
PCF_DECIMALS = {
    "declaredUnitAmount": "+!",
    "productMassPerDeclaredUnit": "+",
    "pcfExcludingBiogenicUptake": "",
    "pcfIncludingBiogenicUptake": "",
    "fossilCarbonContent": "+",
    "biogenicCarbonContent": "+",
    "recycledCarbonContent": "+",
    "fossilGhgEmissions": "+",
    "landUseChangeGhgEmissions": "+",
    "landCarbonLeakage": "+",
    "landManagementFossilGhgEmissions": "+",
    "landManagementBiogenicCO2Emissions": "+",
    "landManagementBiogenicCO2Removals": "-",
    "biogenicCO2Uptake": "-",
    "biogenicNonCO2Emissions": "+",
    "landAreaOccupation": "+",
    "aircraftGhgEmissions": "+",
    "packagingGhgEmissions": "+",
    "packagingBiogenicCarbonContent": "+",
    "outboundLogisticsGhgEmissions": "+",
    "ccsTechnologicalCO2Capture": "-",
    "technologicalCO2Removals": "-",
    "ccuCarbonContent": "+",
    "exemptedEmissionsPercent": "+",
    "primaryDataShare": "+",
}
PF_REQUIRED = (
    "id",
    "specVersion",
    "created",
    "status",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productNameCompany",
    "pcf",
)
PCF_REQUIRED = (
    "declaredUnitOfMeasurement",
    "declaredUnitAmount",
    "productMassPerDeclaredUnit",
    "referencePeriodStart",
    "referencePeriodEnd",
    "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
    "exemptedEmissionsPercent",
)
#: Fields of 2.x that 3.0 removed or renamed (a 3.0 footprint must not carry them).
REMOVED = {
    "version": "removed in 3.0",
    "updated": "removed in 3.0",
    "statusComment": "removed in 3.0 (use comment)",
    "productCategoryCpc": "removed in 3.0: use productClassifications (urn:cpc:...)",
}
PCF_REMOVED = {
    "declaredUnit": "renamed declaredUnitOfMeasurement in 3.0",
    "unitaryProductAmount": "replaced by declaredUnitAmount in 3.0",
    "pCfExcludingBiogenic": "replaced by pcfExcludingBiogenicUptake in 3.0",
    "pCfIncludingBiogenic": "replaced by pcfIncludingBiogenicUptake in 3.0",
    "assurance": "renamed verification in 3.0",
    "characterizationFactors": "replaced by ipccCharacterizationFactors",
    "crossSectoralStandardsUsed": "replaced by crossSectoralStandards",
    "ipccCharacterizationFactorsSources": "renamed ipccCharacterizationFactors in 3.0",
    "biogenicAccountingMethodology": "removed in 3.0",
}


@dataclass(frozen=True)
class Problem:
    """One way a footprint breaks the specification: the field's path and the reason."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def parse_time(text: str) -> datetime | None:
    """A PACT DateTime (ISO 8601 with a time zone) in UTC, or None."""
    if not isinstance(text, str) or not _DATETIME.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc)


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` plus whole years (29 February becomes 1 March)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28) + timedelta(days=1)


def decimal_value(value: Any) -> float | None:
    """The number a Decimal (a JSON string such as "12.5") holds, or None."""
    if isinstance(value, str) and _DECIMAL.match(value):
        return float(value)
    return None


def major_version(pf: Mapping[str, Any]) -> int | None:
    """The major version of a footprint's specVersion (2, 3, ...), or None."""
    spec = pf.get("specVersion")
    match = _SEMVER.match(spec) if isinstance(spec, str) else None
    return int(match.group(1)) if match else None


def check_v3(pf: Any) -> list[Problem]:
    """Every way ``pf`` (parsed JSON) breaks the PACT 3.0 ProductFootprint rules; empty when it
    conforms."""
    if not isinstance(pf, Mapping):
        return [Problem("(document)", "a ProductFootprint is a JSON object")]
    return list(_check(pf))


def _check(pf: Mapping[str, Any]) -> Iterator[Problem]:
    for field in PF_REQUIRED:
        if pf.get(field) is None:
            yield Problem(field, "missing (mandatory)")
    for field, why in REMOVED.items():
        if field in pf:
            yield Problem(field, why)
    if "id" in pf and not (isinstance(pf["id"], str) and _UUID.match(pf["id"])):
        yield Problem("id", f"must be a UUID, got {pf['id']!r}")
    spec = pf.get("specVersion")
    if spec is not None and (not isinstance(spec, str) or major_version(pf) != 3):
        yield Problem("specVersion", f"must be 3.x.y for a 3.0 footprint, got {spec!r}")
    for field in ("created", "validityPeriodStart", "validityPeriodEnd"):
        if pf.get(field) is not None and parse_time(pf[field]) is None:
            yield Problem(field, f"must be an ISO 8601 date-time with a time zone: {pf[field]!r}")
    if "status" in pf and pf["status"] not in STATUSES:
        yield Problem("status", f"must be one of {', '.join(STATUSES)}, got {pf['status']!r}")
    for field in ("companyName", "productNameCompany"):
        if field in pf and not (isinstance(pf[field], str) and pf[field].strip()):
            yield Problem(field, "must be a non-empty string")
    for field in ("productDescription", "comment"):
        if field in pf and not isinstance(pf[field], str):
            yield Problem(field, "must be a string")
    yield from _urn_set(pf, "companyIds")
    yield from _urn_set(pf, "productIds")
    if "productClassifications" in pf:
        yield from _urn_set(pf, "productClassifications")
    if "precedingPfIds" in pf:
        ids = pf["precedingPfIds"]
        if not _set_of(ids) or not all(isinstance(i, str) and _UUID.match(i) for i in ids):
            yield Problem("precedingPfIds", "must be a non-empty set of UUIDs without duplicates")
    pcf = pf.get("pcf")
    if pcf is not None and not isinstance(pcf, Mapping):
        yield Problem("pcf", "must be a JSON object (a CarbonFootprint)")
    elif pcf is not None:
        yield from _check_pcf(pcf)
        yield from _validity(pf, pcf)
    if "extensions" in pf:
        yield from _extensions(pf["extensions"])


def _set_of(value: Any) -> TypeGuard[list[Any]]:
    """A non-empty JSON array without duplicates."""
    return isinstance(value, list) and bool(value) and len({repr(v) for v in value}) == len(value)


def _urn_set(pf: Mapping[str, Any], field: str) -> Iterator[Problem]:
    if field not in pf:
        return
    values = pf[field]
    if not _set_of(values):
        yield Problem(field, "must be a non-empty set of URNs without duplicates")
        return
    for i, value in enumerate(values):
        if not (isinstance(value, str) and _URN.match(value)):
            yield Problem(f"{field}[{i}]", f"must be a URN (urn:NID:...), got {value!r}")


def _check_pcf(pcf: Mapping[str, Any]) -> Iterator[Problem]:
    for field in PCF_REQUIRED:
        if pcf.get(field) is None:
            yield Problem(f"pcf.{field}", "missing (mandatory)")
    for field, why in PCF_REMOVED.items():
        if field in pcf:
            yield Problem(f"pcf.{field}", why)
    unit = pcf.get("declaredUnitOfMeasurement")
    if unit is not None and unit not in DECLARED_UNITS:
        yield Problem(
            "pcf.declaredUnitOfMeasurement",
            f"must be one of {', '.join(DECLARED_UNITS)}, got {unit!r}",
        )
    for field, sign in PCF_DECIMALS.items():
        if pcf.get(field) is None:
            continue
        value = decimal_value(pcf[field])
        if value is None:
            yield Problem(
                f"pcf.{field}", f'must be a decimal written as a string ("12.5"): {pcf[field]!r}'
            )
        elif sign == "+!" and not value > 0:
            yield Problem(f"pcf.{field}", f"must be greater than 0, got {pcf[field]}")
        elif sign == "+" and value < 0:
            yield Problem(f"pcf.{field}", f"must be 0 or more, got {pcf[field]}")
        elif sign == "-" and value > 0:
            yield Problem(f"pcf.{field}", f"must be 0 or less, got {pcf[field]}")
    share = decimal_value(pcf.get("primaryDataShare"))
    if share is not None and share > 100:
        yield Problem("pcf.primaryDataShare", f"is a percentage, at most 100: {share:g}")
    exempted = decimal_value(pcf.get("exemptedEmissionsPercent"))
    if exempted is not None and exempted > 100:
        yield Problem("pcf.exemptedEmissionsPercent", f"is a percentage, at most 100: {exempted:g}")
    mass = decimal_value(pcf.get("productMassPerDeclaredUnit"))
    if unit == "piece" and mass is not None and not mass > 0:
        yield Problem(
            "pcf.productMassPerDeclaredUnit",
            "must be the mass of the declared pieces (above 0) when the declared unit is piece",
        )
    start = parse_time(pcf.get("referencePeriodStart", ""))
    end = parse_time(pcf.get("referencePeriodEnd", ""))
    for field, moment in (("referencePeriodStart", start), ("referencePeriodEnd", end)):
        if pcf.get(field) is not None and moment is None:
            yield Problem(f"pcf.{field}", f"must be an ISO 8601 date-time: {pcf[field]!r}")
    if start is not None and end is not None and not start < end:
        yield Problem("pcf.referencePeriodEnd", "must be after referencePeriodStart")
    yield from _geography(pcf)
    for field in ("ipccCharacterizationFactors", "crossSectoralStandards"):
        if pcf.get(field) is None:
            continue
        values = pcf[field]
        if not _set_of(values) or not all(isinstance(v, str) and v for v in values):
            yield Problem(f"pcf.{field}", "must be a non-empty set of strings without duplicates")
        elif field == "ipccCharacterizationFactors" and not all(_AR.match(v) for v in values):
            yield Problem(f"pcf.{field}", f"each must be AR followed by a number: {values!r}")
    for field in ("packagingEmissionsIncluded", "ccsTechnologicalCO2CaptureIncluded"):
        if field in pcf and not isinstance(pcf[field], bool):
            yield Problem(f"pcf.{field}", "must be true or false")
    if pcf.get("packagingEmissionsIncluded") is False and "packagingGhgEmissions" in pcf:
        yield Problem(
            "pcf.packagingGhgEmissions",
            "must be undefined when packagingEmissionsIncluded is false",
        )
    if "ccuCalculationApproach" in pcf and pcf["ccuCalculationApproach"] not in CCU_APPROACHES:
        yield Problem("pcf.ccuCalculationApproach", f"must be one of {', '.join(CCU_APPROACHES)}")
    if "productOrSectorSpecificRules" in pcf:
        yield from _rules(pcf["productOrSectorSpecificRules"])
    if "secondaryEmissionFactorSources" in pcf:
        sources = pcf["secondaryEmissionFactorSources"]
        if not isinstance(sources, list) or not sources:
            yield Problem("pcf.secondaryEmissionFactorSources", "must be a non-empty array")
        else:
            for i, s in enumerate(sources):
                if not isinstance(s, Mapping) or not all(
                    isinstance(s.get(k), str) and s[k] for k in ("name", "version")
                ):
                    yield Problem(
                        f"pcf.secondaryEmissionFactorSources[{i}]",
                        "needs a non-empty name and version",
                    )
    if "dqi" in pcf:
        yield from _dqi(pcf["dqi"])
    if "verification" in pcf:
        yield from _verification(pcf["verification"])


def _geography(pcf: Mapping[str, Any]) -> Iterator[Problem]:
    given = [
        f
        for f in ("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision")
        if pcf.get(f) is not None
    ]
    if len(given) > 1:
        yield Problem(
            "pcf." + given[1], f"at most one geography may be defined, got {', '.join(given)}"
        )
    region = pcf.get("geographyRegionOrSubregion")
    if region is not None and region not in REGIONS:
        yield Problem("pcf.geographyRegionOrSubregion", f"is not a UN region: {region!r}")
    country = pcf.get("geographyCountry")
    if country is not None and not (isinstance(country, str) and _COUNTRY.match(country)):
        yield Problem("pcf.geographyCountry", f"must be an ISO 3166-1 alpha-2 code: {country!r}")
    sub = pcf.get("geographyCountrySubdivision")
    if sub is not None and not (isinstance(sub, str) and _SUBDIVISION.match(sub)):
        yield Problem("pcf.geographyCountrySubdivision", f"must be an ISO 3166-2 code: {sub!r}")


def _rules(rules: Any) -> Iterator[Problem]:
    field = "pcf.productOrSectorSpecificRules"
    if not isinstance(rules, list) or not rules:
        yield Problem(field, "must be a non-empty array")
        return
    for i, rule in enumerate(rules):
        at = f"{field}[{i}]"
        if not isinstance(rule, Mapping):
            yield Problem(at, "must be an object")
            continue
        if rule.get("operator") not in ("PEF", "EPD International", "Other"):
            yield Problem(at + ".operator", "must be PEF, EPD International or Other")
        names = rule.get("ruleNames")
        if not _set_of(names) or not all(isinstance(n, str) and n for n in names):
            yield Problem(at + ".ruleNames", "must be a non-empty set of non-empty strings")
        if rule.get("operator") == "Other" and not (
            isinstance(rule.get("otherOperatorName"), str) and rule["otherOperatorName"]
        ):
            yield Problem(at + ".otherOperatorName", "must name the operator when it is Other")


def _dqi(dqi: Any) -> Iterator[Problem]:
    if not isinstance(dqi, Mapping):
        yield Problem("pcf.dqi", "must be an object")
        return
    for field in ("technologicalDQR", "geographicalDQR", "temporalDQR"):
        value = decimal_value(dqi.get(field))
        if value is None:
            yield Problem(f"pcf.dqi.{field}", "missing or not a decimal string")
        elif not 1 <= value <= 5:
            yield Problem(f"pcf.dqi.{field}", f"must be between 1 and 5, got {dqi[field]}")


def _verification(verification: Any) -> Iterator[Problem]:
    if not isinstance(verification, Mapping):
        yield Problem("pcf.verification", "must be an object")
        return
    coverage = verification.get("coverage")
    if coverage is not None and coverage not in VERIFICATION_COVERAGE:
        yield Problem(
            "pcf.verification.coverage", f"must be one of {', '.join(VERIFICATION_COVERAGE)}"
        )
    completed = verification.get("completedAt")
    if completed is not None and parse_time(completed) is None:
        yield Problem("pcf.verification.completedAt", "must be an ISO 8601 date-time")


def _validity(pf: Mapping[str, Any], pcf: Mapping[str, Any]) -> Iterator[Problem]:
    """3.0, "Validity Period": within [referencePeriodEnd, referencePeriodEnd + 3 years]."""
    end = parse_time(pcf.get("referencePeriodEnd", ""))
    start_v = parse_time(pf.get("validityPeriodStart", ""))
    end_v = parse_time(pf.get("validityPeriodEnd", ""))
    if end is None:
        return
    if start_v is not None and start_v < end:
        yield Problem("validityPeriodStart", "must not be before the reference period's end (pcf)")
    if end_v is not None and end_v > add_years(end, VALIDITY_YEARS):
        yield Problem(
            "validityPeriodEnd",
            f"must be at most {VALIDITY_YEARS} years after the reference period's end",
        )
    if start_v is not None and end_v is not None and not start_v < end_v:
        yield Problem("validityPeriodEnd", "must be after validityPeriodStart")


def validity_end(pf: Mapping[str, Any]) -> datetime | None:
    """Until when the footprint is valid: its validityPeriodEnd, else 3 years after its
    reference period's end (None when neither can be read)."""
    given = parse_time(pf.get("validityPeriodEnd", ""))
    if given is not None:
        return given
    pcf = pf.get("pcf")
    end = parse_time(pcf.get("referencePeriodEnd", "")) if isinstance(pcf, Mapping) else None
    return None if end is None else add_years(end, VALIDITY_YEARS)


def _extensions(extensions: Any) -> Iterator[Problem]:
    if not isinstance(extensions, list) or not extensions:
        yield Problem("extensions", "must be a non-empty array when present")
        return
    for i, ext in enumerate(extensions):
        at = f"extensions[{i}]"
        if not isinstance(ext, Mapping):
            yield Problem(at, "must be an object")
            continue
        if not (isinstance(ext.get("specVersion"), str) and _SEMVER.match(ext["specVersion"])):
            yield Problem(at + ".specVersion", "must be major.minor.patch")
        schema = ext.get("dataSchema")
        if not (isinstance(schema, str) and _URL.match(schema)) or schema.lower().startswith(
            "urn:"
        ):
            yield Problem(at + ".dataSchema", f"must be a URL, got {schema!r}")
        if not isinstance(ext.get("data"), Mapping):
            yield Problem(at + ".data", "must be a JSON object")
