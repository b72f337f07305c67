"""The battery passport's carbon footprint as an AAS submodel (``carbonfp calc --format aas``).

The submodel template IDTA 02035-3 "Digital Battery Passport - Part 3: Product Carbon Footprint"
1.0 (IDTA and Catena-X, February 2026; admin-shell-io/submodel-templates, CC BY 4.0), whose
aspect model is ``urn:samm:io.admin-shell.idta.batterypass.carbon_footprint:1.0.0`` (admin-shell-io
/smt-semantic-models), written as AAS JSON: an environment holding the one submodel. The
content is the passport payload's (``carbonfp.formats.batterypass``, the same rounded numbers):

- one ``ProductCarbonFootprint`` per kWh of total energy delivered over the service life with
  the four life-cycle phases (the battery carbon footprint), one per life-cycle stage with that
  stage's phase, and one per piece (the battery) with the four phases (the absolute footprint);
- the phases as the template maps DIN DKE SPEC 99100's stages: raw materials "A1 - raw material
  supply (and upstream production)", production "A3 - production", distribution "A4 -
  transport to final destination", end of life "C3 - recycling, waste treatment";
- ``PcfCalculationMethods`` "ISO 14040, ISO 14044", the entry of the template's ECLASS value
  list (0173-1#09-AAO115#003) for the PEF-based method of Article 7; ``PerformanceClass``
  without a value while no classes exist in law; ``WebLinkToPublicCarbonFootprintStudy`` the
  study URL, as the one document identifier;
- carbonfp's metadata (mode and label, ruleset and its version, factor set, functional unit,
  the study's reference period, date, version and a declaration's verification as
  ``carbonfp:study.KEY``, each warning as ``carbonfp:warning.N``) as the submodel's extensions
  named ``carbonfp:...``.

Built with the Eclipse BaSyx Python SDK (``basyx-python-sdk``, the ``aas`` extra), whose model
classes check the metamodel's constraints as the submodel is built.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from carbonfp.errors import UsageError
from carbonfp.formats.batterypass import batterypass
from carbonfp.formats.common import STAGE_NAMES
from carbonfp.formats.pact import Export
from carbonfp.model import Declaration, Stage

if TYPE_CHECKING:
    from basyx.aas import model

#: The submodel's identifiers, as IDTA 02035-3 1.0 publishes them.
SUBMODEL_ID_SHORT = "CarbonFootprint"
SUBMODEL_SEMANTIC_ID = "https://admin-shell.io/idta/CarbonFootprint/CarbonFootprint/1/0"
ASPECT = "urn:samm:io.admin-shell.idta.batterypass.carbon_footprint:1.0.0"
ASPECT_ID = f"{ASPECT}#CarbonFootprintBattery"
IDTA_PCF = "urn:samm:io.admin-shell.idta.carbon_footprint:1.0.0"
PRODUCT_CARBON_FOOTPRINTS = (
    "https://admin-shell.io/idta/CarbonFootprint/ProductCarbonFootprints/1/0"
)
PRODUCT_CARBON_FOOTPRINT = "https://admin-shell.io/idta/CarbonFootprint/ProductCarbonFootprint/1/0"
PCF_CALCULATION_METHODS = "https://admin-shell.io/idta/CarbonFootprint/PcfCalculationMethods/1/0"
LIFE_CYCLE_PHASES = "https://admin-shell.io/idta/CarbonFootprint/LifeCyclePhases/1/0"
PCF_CALCULATION_METHOD = "0173-1#02-ABG854#003"
PCF_CO2EQ = "0173-1#02-ABG855#003"
REFERENCE_IMPACT_UNIT = "0173-1#02-ABG856#003"
QUANTITY_OF_MEASURE = "0173-1#02-ABG857#003"
LIFE_CYCLE_PHASES_IRDI = "0173-1#02-ABG858#003"
LIFE_CYCLE_PHASE = "0173-1#02-ABG858#004"
PERFORMANCE_CLASS = f"{ASPECT}#performanceClass"
WEB_LINK = f"{ASPECT}#webLinkToPublicCarbonFootprintStudy"
DOCUMENT_IDENTIFIER = "urn:samm:io.admin-shell.idta.handover_documentation:2.0.0#DocumentIdentifier"
DOCUMENT_IDENTIFIER_IRDI = "0173-1#02-AAO099#004"
#: The life-cycle phase of each stage (the template's LifeCyclePhases description).
PHASES = {
    Stage.RAW_MATERIALS: "A1 - raw material supply (and upstream production)",
    Stage.PRODUCTION: "A3 - production",
    Stage.DISTRIBUTION: "A4 - transport to final destination",
    Stage.END_OF_LIFE: "C3 - recycling, waste treatment",
}
CALCULATION_METHOD = "ISO 14040, ISO 14044"
#: Namespace of the submodel's id: a UUID v5 of its content, so the same inputs give the same id.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:carbonfp:aas:carbon-footprint")


def aas_environment(decl: Declaration) -> Export:
    """The AAS environment (as plain JSON data) holding the carbon footprint submodel, and the
    passport's notes for stderr.

    Raises UsageError (``missing-dependency``) without basyx-python-sdk, and what the passport
    payload raises (InputError for a project without a study URL).
    """
    export = batterypass(decl)
    submodel = build_submodel(decl, export.data)
    from basyx.aas.adapter.json import object_store_to_json
    from basyx.aas.model import DictIdentifiableStore

    store: DictIdentifiableStore[Any] = DictIdentifiableStore([submodel])
    data: dict[str, Any] = json.loads(object_store_to_json(store))
    _plain_decimals(data)
    return Export(data, export.notes)


def _plain_decimals(node: Any) -> None:
    """Write xs:decimal values without an exponent: BaSyx writes ``str(Decimal)``, which is
    ``1E-7`` below 10**-6, and the XSD lexical form of a decimal has no exponent."""
    if isinstance(node, list):
        for item in node:
            _plain_decimals(item)
    elif isinstance(node, dict):
        if node.get("valueType") == "xs:decimal" and isinstance(node.get("value"), str):
            node["value"] = format(Decimal(node["value"]), "f")
        for item in node.values():
            _plain_decimals(item)


def build_submodel(decl: Declaration, passport: dict[str, Any]) -> model.Submodel:
    """The IDTA 02035-3 submodel of a declaration, from its passport payload (``passport``:
    ``batterypass(decl).data``). Raises UsageError without basyx-python-sdk."""
    _check_basyx()
    from basyx.aas import model

    per_kwh = passport["batteryCarbonFootprint"]
    stages = {
        s["lifecycleStage"]: s["carbonFootprint"]
        for s in passport["carbonFootprintPerLifecycleStage"]
    }
    url = passport["carbonFootprintStudy"]
    every = [PHASES[s] for s in Stage]
    footprints = [
        _footprint(per_kwh, "kWh", every, url),
        *(_footprint(stages[STAGE_NAMES[s].passport], "kWh", [PHASES[s]], url) for s in Stage),
        _footprint(passport["absoluteCarbonFootprint"], "piece", every, url),
    ]
    meta = passport["carbonfp"]
    text = (
        "screening result, not an Article 7 declaration"
        if decl.mode != "declaration"
        else ("Article 7 carbon footprint declaration")
    )
    content = json.dumps(passport, sort_keys=True, ensure_ascii=False)
    return model.Submodel(
        id_=f"urn:uuid:{uuid.uuid5(_NAMESPACE, content)}",
        id_short=SUBMODEL_ID_SHORT,
        description=model.MultiLanguageTextType(
            {
                "en": f"Carbon footprint of battery model {decl.project.battery.model} made at "
                f"{decl.project.plant.name} ({text}; carbonfp {meta['toolVersion']})"
            }
        ),
        semantic_id=_ref(SUBMODEL_SEMANTIC_ID),
        supplemental_semantic_id=[_ref(ASPECT_ID)],
        extension=[
            *(
                model.Extension(f"carbonfp:{name}", value_type=str, value=meta[name])
                for name in (
                    "mode",
                    "ruleset",
                    "rulesetLegalStatus",
                    "factorSet",
                    "toolVersion",
                    "functionalUnit",
                )
            ),
            model.Extension(
                "carbonfp:totalEnergyKwh", value_type=float, value=meta["totalEnergyKwh"]
            ),
            model.Extension("carbonfp:label", value_type=str, value=meta["label"]),
            model.Extension(
                "carbonfp:rulesetVersion", value_type=str, value=str(meta["rulesetVersion"])
            ),
            *(
                model.Extension(f"carbonfp:study.{key}", value_type=str, value=value)
                for key, value in meta["study"].items()
            ),
            *(
                model.Extension(
                    f"carbonfp:warning.{i}",
                    value_type=str,
                    value=f"[{w['code']}] {w['message']}"
                    + (f" ({w['where']})" if w.get("where") else ""),
                )
                for i, w in enumerate(meta["warnings"], 1)
            ),
        ],
        submodel_element=[
            model.SubmodelElementList(
                "ProductCarbonFootprints",
                model.SubmodelElementCollection,
                footprints,
                semantic_id_list_element=_ref(PRODUCT_CARBON_FOOTPRINT),
                order_relevant=False,
                semantic_id=_ref(PRODUCT_CARBON_FOOTPRINTS),
                supplemental_semantic_id=[_ref(ASPECT_ID)],
            )
        ],
    )


def _footprint(
    value: float, unit: str, phases: list[str], url: str
) -> model.SubmodelElementCollection:
    """One ProductCarbonFootprint: ``value`` kg CO2e per one ``unit`` over ``phases``."""
    from basyx.aas import model

    return model.SubmodelElementCollection(
        None,
        [
            _list(
                "PcfCalculationMethods",
                [CALCULATION_METHOD],
                PCF_CALCULATION_METHODS,
                PCF_CALCULATION_METHOD,
                [f"{IDTA_PCF}#pcfCalculationMethods"],
            ),
            model.Property(
                "PcfCO2eq",
                Decimal,
                Decimal(repr(value)),
                semantic_id=_ref(PCF_CO2EQ),
                supplemental_semantic_id=[_ref(f"{IDTA_PCF}#pcfCo2eq")],
            ),
            model.Property(
                "ReferenceImpactUnitForCalculation",
                str,
                unit,
                semantic_id=_ref(REFERENCE_IMPACT_UNIT),
                supplemental_semantic_id=[_ref(f"{IDTA_PCF}#referenceImpactUnitForCalculation")],
            ),
            model.Property(
                "QuantityOfMeasureForCalculation",
                float,
                1.0,
                semantic_id=_ref(QUANTITY_OF_MEASURE),
                supplemental_semantic_id=[_ref(f"{IDTA_PCF}#quantityOfMeasureForCalculation")],
            ),
            _list(
                "LifeCyclePhases",
                phases,
                LIFE_CYCLE_PHASES,
                LIFE_CYCLE_PHASE,
                [f"{IDTA_PCF}#lifeCyclePhases", LIFE_CYCLE_PHASES_IRDI],
            ),
            model.Property("PerformanceClass", str, None, semantic_id=_ref(PERFORMANCE_CLASS)),
            model.SubmodelElementList(
                "WebLinkToPublicCarbonFootprintStudy",
                model.Property,
                [
                    model.Property(
                        None,
                        str,
                        url,
                        semantic_id=_ref(DOCUMENT_IDENTIFIER),
                        supplemental_semantic_id=[_ref(DOCUMENT_IDENTIFIER_IRDI)],
                    )
                ],
                value_type_list_element=str,
                order_relevant=False,
                semantic_id=_ref(WEB_LINK),
            ),
        ],
        semantic_id=_ref(PRODUCT_CARBON_FOOTPRINT),
        supplemental_semantic_id=[_ref(f"{ASPECT}#ProductCarbonFootprint")],
    )


def _list(
    id_short: str,
    values: list[str],
    semantic_id: str,
    element_id: str,
    supplemental: list[str],
) -> model.SubmodelElementList[Any]:
    """A list of text properties, each with the list's element semantic id."""
    from basyx.aas import model

    return model.SubmodelElementList(
        id_short,
        model.Property,
        [model.Property(None, str, v, semantic_id=_ref(element_id)) for v in values],
        semantic_id_list_element=_ref(element_id),
        value_type_list_element=str,
        order_relevant=False,
        semantic_id=_ref(semantic_id),
        supplemental_semantic_id=[_ref(s) for s in supplemental],
    )


def _ref(value: str) -> model.ExternalReference:
    from basyx.aas import model

    return model.ExternalReference((model.Key(model.KeyTypes.GLOBAL_REFERENCE, value),))


def _check_basyx() -> None:
    """Raise UsageError (``missing-dependency``) when basyx-python-sdk is not installed."""
    try:
        import basyx.aas.model  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            "the AAS submodel is built with the Eclipse BaSyx Python SDK, which is not installed",
            hint="install the aas extra: pip install 'carbonfp[aas]' (basyx-python-sdk 2 needs "
            "Python 3.11 or later)",
            code="missing-dependency",
        ) from exc
