"""The battery passport's carbon footprint payload (``carbonfp calc --format batterypass``).

Field names and units as METHOD.md section 10 gives them for the Battery Pass data model 1.2
(DIN DKE SPEC 99100): ``batteryCarbonFootprint`` (kg CO2e per kWh delivered over the service
life), ``carbonFootprintPerLifecycleStage``, ``carbonFootprintPerformanceClass``,
``carbonFootprintStudy``, ``absoluteCarbonFootprint`` (kg CO2e per battery), plus the Article 7
identification of manufacturer, battery model and plant. Written from those facts: none of the
model's files is copied. The shape is carbonfp's own schema ``carbonfp schema batterypass``.
"""

from __future__ import annotations

from typing import Any

from carbonfp.formats.common import STAGE_NAMES, rounded
from carbonfp.formats.pact import SCREENING, Export
from carbonfp.model import Declaration

#: schemaVersion of the payload: MAJOR.MINOR, bumped as the README's schema_version rule says.
SCHEMA_VERSION = "1.0"
NO_PERFORMANCE_CLASS = (
    "carbonFootprintPerformanceClass is empty: no carbon footprint performance classes have "
    "been adopted yet (Regulation (EU) 2023/1542, Article 7(2))"
)


def batterypass(decl: Declaration) -> Export:
    """The carbon footprint payload of the battery passport, and notes for stderr.

    Pure: the declaration in, plain data out. The performance class stays empty (with a note)
    while no classes exist in law.
    """
    p = decl.project
    b = p.battery
    pv = decl.provenance
    fu = decl.functional_unit
    notes = [NO_PERFORMANCE_CLASS]
    if decl.mode != "declaration":
        notes.append(SCREENING)
    if not p.declaration.study_url:
        notes.append(
            f"{p.label}: no [declaration] study_url, so carbonFootprintStudy is null; Article "
            "7(1)(g) asks for a web link to the public version of the supporting study"
        )
    data: dict[str, Any] = {
        "manufacturerIdentification": {
            "name": p.manufacturer.name,
            "tradeName": p.manufacturer.trade_name,
            "postalAddress": p.manufacturer.address,
            "contact": p.manufacturer.contact,
        },
        "batteryModelIdentification": {
            "modelIdentifier": b.model,
            "batteryCategory": b.category.value,
            "vehicleCategory": b.vehicle_category,
            "chemistry": b.chemistry,
        },
        "manufacturingPlantIdentification": {
            "name": p.plant.name,
            "town": p.plant.town,
            "region": p.plant.region,
            "country": p.plant.country,
        },
        "euDeclarationOfConformityId": p.declaration.eu_doc_id,
        "batteryCarbonFootprint": rounded(decl.total_kg_co2e_per_kwh),
        "carbonFootprintPerLifecycleStage": [
            {
                "lifecycleStage": STAGE_NAMES[s.stage].passport,
                "carbonFootprint": rounded(s.kg_co2e_per_kwh),
            }
            for s in decl.stages
        ],
        "carbonFootprintPerformanceClass": "",
        "carbonFootprintStudy": p.declaration.study_url,
        "absoluteCarbonFootprint": rounded(decl.absolute_kg_co2e),
        "carbonfp": {
            "schema": "batterypass-carbon-footprint",
            "schemaVersion": SCHEMA_VERSION,
            "units": {
                "batteryCarbonFootprint": "kg CO2e per kWh of total energy delivered over the "
                "service life",
                "carbonFootprint": "kg CO2e per kWh of total energy delivered over the service "
                "life",
                "absoluteCarbonFootprint": "kg CO2e per battery",
            },
            "totalEnergyKwh": rounded(fu.total_energy_kwh),
            "functionalUnit": fu.derivation,
            "mode": decl.mode,
            "toolVersion": pv.tool_version,
            "ruleset": pv.ruleset,
            "rulesetLegalStatus": pv.ruleset_legal_status,
            "factorSet": pv.factor_set,
        },
    }
    return Export(data, tuple(notes))
