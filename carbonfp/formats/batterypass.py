"""The battery passport's carbon footprint payload (``carbonfp calc --format batterypass``).

A payload of the Battery Pass data model 1.2.0 (batterypass/BatteryPassDataModel, CC BY 4.0;
DIN DKE SPEC 99100): the aspect ``io.BatteryPass.CarbonFootprint`` 1.2.0 with its field names,
enumeration and units (``batteryCarbonFootprint`` and ``carbonFootprintPerLifecycleStage`` in kg
CO2e per kWh of total energy delivered over the service life, ``absoluteCarbonFootprint`` in kg
CO2e, the ``LifecycleStage`` codes), plus the ``io.BatteryPass.GeneralProductInformation``
fields a declaration holds (``batteryCategory`` from the model's enumeration, ``batteryMass`` in
kg). Where carbonfp's own names and the model differ, the model's are written; what the model
has no field for (the Article 7 identification of manufacturer, model and plant, the functional
unit, the method) travels under ``carbonfp``. The model's schemas ship in
``carbonfp/schemas/batterypass/`` and the tests validate every payload against them; carbonfp's
own schema of the whole payload is ``carbonfp schema batterypass``.
"""

from __future__ import annotations

import re
from typing import Any

from carbonfp.errors import InputError, Location
from carbonfp.formats.common import STAGE_NAMES, mode_label, rounded, utc_date_text
from carbonfp.formats.pact import SCREENING, Export, study_extension
from carbonfp.model import BatteryCategory, Declaration

#: carbonfp.schemaVersion of the payload: MAJOR.MINOR, bumped as the README's schema_version
#: rule says (2.0: the Battery Pass data model's names, enums and units; 2.1: label,
#: rulesetVersion, study and warnings under ``carbonfp``).
SCHEMA_VERSION = "2.1"
#: The aspect models the payload's fields come from (their SAMM URNs).
CARBON_FOOTPRINT_ASPECT = (
    "urn:samm:io.BatteryPass.CarbonFootprint:1.2.0#CarbonFootprintForBatteries"
)
GENERAL_PRODUCT_INFORMATION_ASPECT = (
    "urn:samm:io.BatteryPass.GeneralProductInformation:1.2.0#GeneralProductInformation"
)
#: The model's BatteryCategoryEnum value of each category (a stationary energy storage battery
#: is an industrial battery in carbonfp, and "industrial" in the model too).
BATTERY_CATEGORIES = {
    BatteryCategory.EV: "ev",
    BatteryCategory.LMT: "lmt",
    BatteryCategory.INDUSTRIAL: "industrial",
}
#: The fields of GeneralProductInformation the payload writes.
GENERAL_PRODUCT_INFORMATION_FIELDS = ("batteryCategory", "batteryMass")
NO_PERFORMANCE_CLASS = (
    "carbonFootprintPerformanceClass is empty: no carbon footprint performance classes have "
    "been adopted yet (Regulation (EU) 2023/1542, Article 7(2))"
)
PER_KWH = "kg CO2e per kWh of total energy delivered over the service life"
#: A URI has a scheme (RFC 3986): what the model's ResourcePath (format uri) asks for.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


def batterypass(decl: Declaration) -> Export:
    """The carbon footprint payload of the battery passport, and notes for stderr.

    Pure: the declaration in, plain data out. The performance class stays empty (with a note)
    while no classes exist in law; ``batteryMass`` is left out for a battery without a mass.

    Raises InputError when the project has no ``[declaration] study_url``, or one that is not
    a URI: the model requires ``carbonFootprintStudy``, a web link, and forbids null there.
    """
    p = decl.project
    b = p.battery
    pv = decl.provenance
    notes = [NO_PERFORMANCE_CLASS]
    if decl.mode != "declaration":
        notes.append(SCREENING)
    data: dict[str, Any] = {
        "batteryCarbonFootprint": rounded(decl.total_kg_co2e_per_kwh),
        "carbonFootprintPerLifecycleStage": [
            {
                "lifecycleStage": STAGE_NAMES[s.stage].passport,
                "carbonFootprint": rounded(s.kg_co2e_per_kwh),
            }
            for s in decl.stages
        ],
        "carbonFootprintPerformanceClass": "",
        "carbonFootprintStudy": study_url(decl),
        "absoluteCarbonFootprint": rounded(decl.absolute_kg_co2e),
        "batteryCategory": BATTERY_CATEGORIES[b.category],
    }
    if b.mass_kg > 0:
        data["batteryMass"] = rounded(b.mass_kg)
    data["carbonfp"] = {
        "schema": "batterypass-carbon-footprint",
        "schemaVersion": SCHEMA_VERSION,
        "dataModel": {
            "carbonFootprint": CARBON_FOOTPRINT_ASPECT,
            "generalProductInformation": GENERAL_PRODUCT_INFORMATION_ASPECT,
        },
        "units": {
            "batteryCarbonFootprint": PER_KWH,
            "carbonFootprint": PER_KWH,
            "absoluteCarbonFootprint": "kg CO2e per battery",
            "batteryMass": "kg",
        },
        "article7": article7_identification(decl),
        "totalEnergyKwh": rounded(decl.functional_unit.total_energy_kwh),
        "functionalUnit": decl.functional_unit.derivation,
        "mode": decl.mode,
        "label": mode_label(decl),
        "toolVersion": pv.tool_version,
        "ruleset": pv.ruleset,
        "rulesetVersion": pv.ruleset_version,
        "rulesetLegalStatus": pv.ruleset_legal_status,
        "factorSet": pv.factor_set,
        "study": study(decl),
        "warnings": [
            _given({"code": w.code, "message": w.message, "where": w.where}) for w in decl.warnings
        ],
    }
    return Export(data, tuple(notes))


def study(decl: Declaration) -> dict[str, Any]:
    """The reference period, study date and version and (a declaration's only) verification,
    which the Battery Pass data model has no fields for (keys not given are left out)."""
    d = decl.project.declaration
    return _given(
        {
            "referencePeriodStart": utc_date_text(d.reference_period_start),
            "referencePeriodEnd": utc_date_text(d.reference_period_end),
            **study_extension(decl),
        }
    )


def study_url(decl: Declaration) -> str:
    """The project's ``[declaration] study_url``, the passport's ``carbonFootprintStudy``.

    Raises InputError (``missing-key``, ``invalid-value``) naming the key when it is missing or
    not a URI.
    """
    url = decl.project.declaration.study_url
    where = Location(decl.project.label, key="declaration.study_url")
    if not url:
        raise InputError(
            "the battery passport needs carbonFootprintStudy, a web link to the public version "
            "of the supporting study (Article 7(1)(g)), and the project gives no study_url",
            where=where,
            hint='add study_url = "https://..." to [declaration]: the Battery Pass data model '
            "requires the link and allows no null",
            code="missing-key",
        )
    if not _URI.match(url.strip()):
        raise InputError(
            f"study_url {url!r} is not a web link (a URI with its scheme)",
            where=where,
            hint='write the whole address, e.g. "https://example.com/carbon-footprint-study"',
            code="invalid-value",
        )
    return url.strip()


def article7_identification(decl: Declaration) -> dict[str, Any]:
    """Article 7(1)(a) to (c) and (f), which the carbon footprint aspect has no fields for:
    manufacturer, battery model, plant and EU declaration of conformity, under carbonfp's
    names (keys whose value the project does not give are left out, never null)."""
    p = decl.project
    b = p.battery
    return _given(
        {
            "manufacturer": _given(
                {
                    "name": p.manufacturer.name,
                    "tradeName": p.manufacturer.trade_name,
                    "postalAddress": p.manufacturer.address,
                    "contact": p.manufacturer.contact,
                }
            ),
            "batteryModel": _given(
                {
                    "modelIdentifier": b.model,
                    "vehicleCategory": b.vehicle_category,
                    "chemistry": b.chemistry,
                }
            ),
            "manufacturingPlant": {
                "name": p.plant.name,
                "town": p.plant.town,
                "region": p.plant.region,
                "country": p.plant.country,
            },
            "euDeclarationOfConformityId": p.declaration.eu_doc_id,
        }
    )


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None and value != ""}
