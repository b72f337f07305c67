"""PACT v2.3 ProductFootprint export: a declaration's cradle-to-gate part per kg of battery.

``carbonfp calc --format pact``: raw materials + production per kilogram of battery
(cradle-to-gate, no end-of-life credit), decimals as JSON strings, UTC timestamps, an ``id``
derived from the content (UUID v5), and the Article 7 figures per kWh delivered in a data model
extension. Everything here is deterministic: no clock. ``created`` is the project's
``[declaration] created``, else the end of the reference period, unless the caller passes a
time. (Reading a supplier's footprint is carbonfp.inputs.pact_footprint.)
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
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

SPEC_VERSION = "2.3.0"
#: Version of the WBCSD Data Model Extensions specification the extension follows.
EXTENSION_SPEC_VERSION = "2.0.0"
#: ``dataSchema`` of the Article 7 extension: the ``$id`` of carbonfp/schemas/
#: pact-article7.schema.json (printed by ``carbonfp schema pact-article7``).
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


def pact_footprint(decl: Declaration, created: datetime | None = None) -> Export:
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
    return {"specVersion": EXTENSION_SPEC_VERSION, "dataSchema": EXTENSION_SCHEMA_ID, "data": data}
