"""PACT ProductFootprint export of a declaration's cradle-to-gate part (no end-of-life credit).

``carbonfp calc --format pact``: PACT v3 (Technical Specifications 3.0): declared unit one
``piece`` (the battery) with its mass, raw materials + production per battery, decimals as
strings, the Article 7 figures per kWh delivered in a data model extension whose ``dataSchema``
is a URL (a ``data:`` URL holding carbonfp's extension schema). ``--format pact-v2``: the
deprecated v2.3 document, per kilogram of battery. Both are checked before they are written
(v3 by carbonfp.pact_spec, carbonfp's own code of the specification's rules).

A screening result is never exported as a footprint to use: its status is ``Deprecated`` (a
recipient SHOULD NOT use it) and its comment says why; no verification is ever claimed.
Everything here is deterministic: ``created`` is the project's ``[declaration] created``, else
the caller's time (``--timestamp``), else the end of the reference period, which must then not
be in the future. The ``id`` is a UUID v5 of the content. (Reading a supplier's footprint is
carbonfp.inputs.pact_footprint.)
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any

from carbonfp.errors import FactorDataError, InputError, Location
from carbonfp.formats.common import STAGE_NAMES, decimal_text, json_text
from carbonfp.model import (
    CPC_ELECTRIC_ACCUMULATORS,
    DataType,
    Declaration,
    LineKind,
    Stage,
)

SPEC_VERSION_V2 = "2.3.0"
#: Version of the WBCSD Data Model Extensions specification the extension follows.
EXTENSION_SPEC_VERSION = "2.0.0"
#: The ``$id`` of carbonfp/schemas/pact-article7.schema.json (``carbonfp schema
#: pact-article7``), named in the footprint's comment.
EXTENSION_SCHEMA_ID = "urn:carbonfp:schema:pact-article7:1"
#: Namespace of carbonfp's UUID v5 ids: uuid5(NAMESPACE_URL, "urn:carbonfp:pact").
NAMESPACE = uuid.UUID("fffe9ebd-0ae2-5d6f-8bca-2e4fc78e6e68")


#: Note for a result computed without the declaration-mode checks.
SCREENING = (
    "computed in screening mode: not an Article 7 declaration until `carbonfp calc --mode "
    "declaration` accepts the inputs (company- or supplier-specific data where the ruleset "
    "requires it)"
)


@dataclass(frozen=True)
class Export:
    """An exchange document as plain data, and notes for the user (printed on stderr)."""

    data: dict[str, Any]
    notes: tuple[str, ...] = ()


def dumps(data: dict[str, Any]) -> str:
    """JSON text of an exchange document: indented, UTF-8, one trailing newline."""
    return json_text(data)


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
    """The reference period (start, end exclusive) the activity data represent: the project's
    ``[declaration] reference_period_start`` and ``_end``. PACT requires it and carbonfp does not
    guess it. Raises InputError when it is missing."""
    info = decl.project.declaration
    if info.reference_period_start is not None and info.reference_period_end is not None:
        return info.reference_period_start, info.reference_period_end, None
    missing = (
        "reference_period_start" if info.reference_period_start is None else "reference_period_end"
    )
    raise InputError(
        "a PACT footprint needs the reference period the activity data represent",
        where=Location(decl.project.label, key=f"declaration.{missing}"),
        hint="add reference_period_start = 2025-01-01 and reference_period_end = 2026-01-01 "
        "(end exclusive) under [declaration]",
        code="missing-key",
    )


def cradle_to_gate_kg(decl: Declaration) -> float:
    """The battery's raw materials + production, kg CO2e: what a PACT footprint (v2 per kg, v3
    per piece) declares. Raises InputError when the battery has no mass (both versions state
    it) or the total is negative (PACT's fossil emissions are 0 or more)."""
    p = decl.project
    if not p.battery.mass_kg > 0:
        raise InputError(
            "a PACT footprint needs the battery's mass (per kg in v2, "
            "productMassPerDeclaredUnit in v3)",
            where=Location(p.label, key="battery.mass"),
            hint='add mass = "... kg" under [battery]',
            code="missing-key",
        )
    gate_kg = _stage_kg(decl, Stage.RAW_MATERIALS) + _stage_kg(decl, Stage.PRODUCTION)
    if gate_kg < 0:
        raise InputError(
            f"the cradle-to-gate footprint is negative ({gate_kg:.1f} kg CO2e): PACT needs "
            "its fossil emissions to be 0 or more",
            where=Location(p.label),
            hint="check the signs of the raw-material and production lines: credits belong to "
            "the end-of-life stage",
            code="negative-total",
        )
    return gate_kg


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


def pact_footprint_v2(decl: Declaration, created: datetime | None = None) -> Export:
    """The declaration's cradle-to-gate footprint as a PACT v2.3 ProductFootprint (deprecated
    by PACT since April 2026: ``--format pact-v2``).

    Per kilogram of battery: raw materials + production, no distribution, no end of life.
    ``created`` overrides the project's ``[declaration] created`` (default: the end of the
    reference period). The ``id`` is a UUID v5 of the content without ``id`` and ``created``,
    so the same inputs give the same id. Raises InputError when the battery has no mass, the
    cradle-to-gate total is negative, or there is no reference period at all.
    """
    p = decl.project
    b = p.battery
    gate_kg = cradle_to_gate_kg(decl)
    start, end, note = reference_period(decl)
    notes = tuple(
        n for n in (note, SCREENING if decl.mode != "declaration" else None, V2_NOTE) if n
    )
    screening = SCREENING_COMMENT if decl.mode != "declaration" else ""
    per_kg = decimal_text(gate_kg / b.mass_kg)
    pv = decl.provenance
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
        "characterizationFactors": _characterization(decl),
        "ipccCharacterizationFactorsSources": [decl.provenance.gwp_set],
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
        "specVersion": SPEC_VERSION_V2,
        "version": 1,
        "status": status(decl),
        "companyName": p.manufacturer.name,
        "companyIds": company_ids(decl),
        "productDescription": product_description(decl),
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
    stamp = created_at(decl, created, end)
    data = {
        "id": str(uuid.uuid5(NAMESPACE, name)),
        "specVersion": body.pop("specVersion"),
        "version": body.pop("version"),
        "created": utc_text(stamp),
        **body,
    }
    return Export(data, notes)


#: What a screening result's comment starts with (v2 and v3).
SCREENING_COMMENT = (
    "Screening result (carbonfp --mode screening), not an Article 7 declaration: not for use as "
    "a supplier footprint (status Deprecated, so that recipients do not use it). "
)
V2_NOTE = (
    "PACT v2 is deprecated since April 2026: --format pact writes the current v3 (3.0); keep "
    "pact-v2 only for a recipient that cannot read v3 yet"
)


def product_description(decl: Declaration) -> str:
    """The battery in one sentence (PACT productDescription, v2 and v3 alike)."""
    b, plant = decl.project.battery, decl.project.plant
    vehicle = f" for {b.vehicle_category} vehicles" if b.vehicle_category else ""
    return (
        f"{b.chemistry} {b.category.value} battery{vehicle}, {b.usable_capacity_kwh:g} kWh "
        f"usable capacity, {b.mass_kg:g} kg; made at {plant.name}, {plant.town}, {plant.country}"
    )


def status(decl: Declaration) -> str:
    """``Active`` for a declaration whose gates passed; a screening result is ``Deprecated``:
    PACT's status tells recipients whether to use a footprint, and a screening result is not one
    to use."""
    return "Active" if decl.mode == "declaration" and not decl.gate_failures else "Deprecated"


def created_at(decl: Declaration, created: datetime | None, end: datetime) -> datetime:
    """When the footprint was created: the caller's time, else ``[declaration] created``, else
    the end of the reference period. Raises InputError when that end is in the future (a
    footprint cannot be created before the period it reports on has ended)."""
    if created is not None:
        return created
    if decl.project.declaration.created is not None:
        return decl.project.declaration.created
    if end > datetime.now(timezone.utc):
        raise InputError(
            f"the reference period ends in the future ({utc_text(end)}): a PACT footprint's "
            "created date would be after today",
            where=Location(decl.project.label, key="declaration.reference_period_end"),
            hint="give [declaration] created = 2026-03-01T00:00:00Z (when the footprint was "
            "made), or --timestamp, or the period the activity data really represent",
            code="invalid-value",
        )
    return end


@cache
def extension_schema_url() -> str:
    """``dataSchema`` of the Article 7 extension: a URL, as PACT asks. carbonfp does not host
    its schema anywhere, so the URL is a ``data:`` URL (RFC 2397) that holds the schema itself
    (carbonfp/schemas/pact-article7.schema.json, compact JSON): the recipient has it without a
    network."""
    from carbonfp.schemas import load_schema

    text = json.dumps(load_schema("pact-article7"), ensure_ascii=False, separators=(",", ":"))
    return "data:application/schema+json;base64," + base64.b64encode(text.encode()).decode()


def pact_footprint(decl: Declaration, created: datetime | None = None) -> Export:
    """The declaration's cradle-to-gate footprint as a PACT v3 ProductFootprint: declared unit
    one ``piece`` (the battery) of ``productMassPerDeclaredUnit`` kg; raw materials +
    production, no distribution, no end of life. The ``id`` is a UUID v5 of the content without
    ``id`` and ``created``. Checked against carbonfp.pact_spec before it is returned.

    Raises InputError when the battery has no mass, the cradle-to-gate total is negative, there
    is no reference period, or the default created date would be in the future.
    """
    from carbonfp.pact_spec import SPEC_VERSION, check_v3

    p = decl.project
    b = p.battery
    gate_kg = cradle_to_gate_kg(decl)
    start, end, note = reference_period(decl)
    notes = tuple(n for n in (note, SCREENING if decl.mode != "declaration" else None) if n)
    per_battery = decimal_text(gate_kg)
    pv = decl.provenance
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": "piece",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": decimal_text(b.mass_kg),
        "referencePeriodStart": utc_text(start),
        "referencePeriodEnd": utc_text(end),
        "geographyCountry": p.plant.country,
        "boundaryProcessesDescription": BOUNDARY,
        "pcfExcludingBiogenicUptake": per_battery,
        "pcfIncludingBiogenicUptake": per_battery,
        "fossilGhgEmissions": per_battery,
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "packagingEmissionsIncluded": False,
        "ipccCharacterizationFactors": [_characterization(decl)],
        "crossSectoralStandards": ["PEF"],
        "productOrSectorSpecificRules": [
            {
                "operator": "Other",
                "ruleNames": [f"{pv.ruleset}@{pv.ruleset_version} ({pv.ruleset_legal_status})"],
                "otherOperatorName": "carbonfp ruleset for Regulation (EU) 2023/1542 Article 7",
            }
        ],
        "exemptedEmissionsPercent": "0",
        "primaryDataShare": decimal_text(primary_data_share(decl), 6),
    }
    sources = secondary_sources(decl)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    verified = verification(decl)
    if verified is not None:
        pcf["verification"] = verified
    screening = SCREENING_COMMENT if decl.mode != "declaration" else ""
    cpc = p.declaration.product_category_cpc or CPC_ELECTRIC_ACCUMULATORS
    body: dict[str, Any] = {
        "specVersion": SPEC_VERSION,
        "status": status(decl),
        "companyName": p.manufacturer.name,
        "companyIds": company_ids(decl),
        "productDescription": product_description(decl),
        "productIds": product_ids(decl),
        "productClassifications": [f"urn:cpc:{cpc}"],
        "productNameCompany": b.model,
        "comment": (
            f"{screening}Cradle-to-gate footprint of one battery computed by carbonfp "
            f"{pv.tool_version} (ruleset {pv.ruleset}@{pv.ruleset_version}, "
            f"{pv.ruleset_legal_status}; factor set {pv.factor_set}). The Article 7 figures per "
            f"kWh delivered over the service life are in the extension {EXTENSION_SCHEMA_ID} "
            "(its dataSchema holds the schema). carbonfp's factors carry no biogenic or "
            "land-use split: pcfIncludingBiogenicUptake and fossilGhgEmissions equal "
            "pcfExcludingBiogenicUptake, and the fossil and biogenic carbon content of the "
            "product is not assessed (0)."
        ),
        "pcf": pcf,
        "extensions": [article7_extension(decl)],
    }
    name = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = {
        "id": str(uuid.uuid5(NAMESPACE, "v3\n" + name)),
        "specVersion": body.pop("specVersion"),
        "created": utc_text(created_at(decl, created, end)),
        **body,
    }
    problems = check_v3(data)
    if problems:  # carbonfp's own export must conform: a bug, never the user's input
        raise ValueError(
            "PACT v3 export breaks the specification: " + "; ".join(map(str, problems))
        )
    return Export(data, notes)


def study_extension(decl: Declaration) -> dict[str, str]:
    """The study's date and version, and, for a declaration (never a screening result), its
    verification as the project states it: the extension's fields, those given only."""
    d = decl.project.declaration
    fields = {
        "studyDate": d.study_date.isoformat() if d.study_date else None,
        "studyVersion": d.study_version,
    }
    if decl.mode == "declaration":
        fields |= {
            "verificationStatus": d.verification_status,
            "verifier": d.verifier,
            "verificationStatementId": d.verification_statement_id,
        }
    return {key: value for key, value in fields.items() if value}


def verification(decl: Declaration) -> dict[str, Any] | None:
    """PACT v3's ``pcf.verification`` of a verified study: coverage ``product level``, the
    project's ``verifier`` as ``providerName``, its ``study_date`` (midnight UTC) as
    ``completedAt`` when given. None unless ``[declaration] verification_status`` is
    ``verified`` and the footprint is an ``Active`` declaration: a screening result, or one
    whose gates failed, never claims a verification."""
    d = decl.project.declaration
    if d.verification_status != "verified" or status(decl) != "Active" or not d.verifier:
        return None
    data: dict[str, Any] = {"coverage": "product level", "providerName": d.verifier}
    if d.study_date is not None:
        data["completedAt"] = utc_text(
            datetime(d.study_date.year, d.study_date.month, d.study_date.day, tzinfo=timezone.utc)
        )
    return data


BOUNDARY = (
    "Raw material acquisition and pre-processing (materials, components and their inbound "
    "transport) and main product production (electricity, fuels and process emissions of cell "
    "manufacturing and of module and pack assembly), as Annex II of Regulation (EU) 2023/1542 "
    "defines them. Distribution, use and end of life are excluded (no end-of-life credit)."
)


def _characterization(decl: Declaration) -> str:
    """The IPCC report of the declaration's GWP set, as PACT names it (AR5 or AR6)."""
    pv = decl.provenance
    if pv.gwp_set not in ("AR5", "AR6"):
        raise FactorDataError(
            f"ruleset {pv.ruleset} uses GWP set {pv.gwp_set!r}; a PACT footprint can declare "
            "only AR5 or AR6 characterization factors",
            hint='use a ruleset with gwp_set = "AR6" for the PACT export',
            code="unsupported-gwp-set",
        )
    return pv.gwp_set


def article7_extension(decl: Declaration) -> dict[str, Any]:
    """The Data Model Extension carrying the Article 7 declaration (per kWh delivered)."""
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
                "lifecycleStage": STAGE_NAMES[s.stage].passport,
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
    data.update(study_extension(decl))
    return {
        "specVersion": EXTENSION_SPEC_VERSION,
        "dataSchema": extension_schema_url(),
        "data": data,
    }
