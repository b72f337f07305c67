"""`carbonfp calc --format aas`: the passport's carbon footprint as the AAS submodel of IDTA
02035-3, read back with the Eclipse BaSyx Python SDK's JSON deserializer."""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from exchange_support import EV, PROJECT_IDS, PROJECTS, declare, ok, project_text, run
from support import WriteProject

from carbonfp.errors import UsageError
from carbonfp.formats import EXTENSIONS, render
from carbonfp.formats.aas import (
    ASPECT,
    ASPECT_ID,
    CALCULATION_METHOD,
    PHASES,
    SUBMODEL_SEMANTIC_ID,
    aas_environment,
)
from carbonfp.formats.batterypass import batterypass
from carbonfp.formats.common import STAGE_NAMES
from carbonfp.model import Declaration, Stage

basyx_json = pytest.importorskip(
    "basyx.aas.adapter.json", reason="basyx-python-sdk (the aas extra) is not installed"
)
from basyx.aas import model  # noqa: E402

#: The four phases of the whole battery, in the order of the stages.
EVERY_PHASE = [PHASES[s] for s in Stage]


def read_back(text: str) -> model.Submodel:
    """The one submodel of an AAS JSON environment, read by BaSyx (failing on any error)."""
    store = basyx_json.read_aas_json_file(io.StringIO(text), failsafe=False)
    (submodel,) = list(store)
    assert isinstance(submodel, model.Submodel)
    return submodel


def semantic(element: Any) -> str:
    (key,) = element.semantic_id.key
    assert key.type is model.KeyTypes.GLOBAL_REFERENCE
    return str(key.value)


def footprints(submodel: model.Submodel) -> list[dict[str, Any]]:
    """Each ProductCarbonFootprint as {idShort: value, or list of values}."""
    (pcfs,) = list(submodel.submodel_element)
    assert pcfs.id_short == "ProductCarbonFootprints"
    found = []
    for pcf in pcfs.value:
        entry: dict[str, Any] = {}
        for element in pcf.value:
            if isinstance(element, model.SubmodelElementList):
                entry[element.id_short] = [e.value for e in element.value]
            else:
                entry[element.id_short] = element.value
        found.append(entry)
    return found


def expected_footprints(decl: Declaration) -> list[dict[str, Any]]:
    """What the submodel must hold, from the declaration and its passport payload (the same
    rounded numbers)."""
    passport = batterypass(decl).data
    by_code = {
        s["lifecycleStage"]: s["carbonFootprint"]
        for s in passport["carbonFootprintPerLifecycleStage"]
    }

    def entry(value: float, unit: str, phases: list[str]) -> dict[str, Any]:
        return {
            "PcfCalculationMethods": [CALCULATION_METHOD],
            "PcfCO2eq": Decimal(repr(value)),
            "ReferenceImpactUnitForCalculation": unit,
            "QuantityOfMeasureForCalculation": 1.0,
            "LifeCyclePhases": phases,
            "PerformanceClass": None,
            "WebLinkToPublicCarbonFootprintStudy": [decl.project.declaration.study_url],
        }

    return [
        entry(passport["batteryCarbonFootprint"], "kWh", EVERY_PHASE),
        *(entry(by_code[STAGE_NAMES[s].passport], "kWh", [PHASES[s]]) for s in Stage),
        entry(passport["absoluteCarbonFootprint"], "piece", EVERY_PHASE),
    ]


@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_every_sample_reads_back_with_the_declaration_values(project_file: Path) -> None:
    decl, _ = declare(project_file)
    text = ok("calc", project_file, "-f", "aas").stdout
    submodel = read_back(text)
    assert submodel.id_short == "CarbonFootprint"
    assert semantic(submodel) == SUBMODEL_SEMANTIC_ID
    assert [str(r.key[0].value) for r in submodel.supplemental_semantic_id] == [ASPECT_ID]
    assert footprints(submodel) == expected_footprints(decl)
    # the values are the declaration's, to the passport's rounding
    got = footprints(submodel)
    assert float(got[0]["PcfCO2eq"]) == pytest.approx(decl.total_kg_co2e_per_kwh, rel=1e-9)
    for entry, stage in zip(got[1:5], Stage, strict=True):
        assert float(entry["PcfCO2eq"]) == pytest.approx(
            decl.stage(stage).kg_co2e_per_kwh, rel=1e-9
        )
    assert float(got[5]["PcfCO2eq"]) == pytest.approx(decl.absolute_kg_co2e, rel=1e-9)
    extensions = {e.name: e.value for e in submodel.extension}
    assert extensions["carbonfp:mode"] == decl.mode
    assert extensions["carbonfp:ruleset"] == decl.provenance.ruleset
    assert extensions["carbonfp:totalEnergyKwh"] == decl.functional_unit.total_energy_kwh


def test_the_semantic_ids_are_the_templates() -> None:
    """As IDTA 02035-3 1.0 publishes them (admin-shell-io/submodel-templates)."""
    assert ASPECT == "urn:samm:io.admin-shell.idta.batterypass.carbon_footprint:1.0.0"
    decl, _ = declare(EV)
    data = aas_environment(decl).data
    (pcfs,) = data["submodels"][0]["submodelElements"]
    first = pcfs["value"][0]
    ids = {e["idShort"]: e["semanticId"]["keys"][0]["value"] for e in first["value"]}
    assert ids == {
        "PcfCalculationMethods": "https://admin-shell.io/idta/CarbonFootprint/PcfCalculationMethods/1/0",
        "PcfCO2eq": "0173-1#02-ABG855#003",
        "ReferenceImpactUnitForCalculation": "0173-1#02-ABG856#003",
        "QuantityOfMeasureForCalculation": "0173-1#02-ABG857#003",
        "LifeCyclePhases": "https://admin-shell.io/idta/CarbonFootprint/LifeCyclePhases/1/0",
        "PerformanceClass": f"{ASPECT}#performanceClass",
        "WebLinkToPublicCarbonFootprintStudy": f"{ASPECT}#webLinkToPublicCarbonFootprintStudy",
    }
    assert pcfs["semanticIdListElement"]["keys"][0]["value"] == (
        "https://admin-shell.io/idta/CarbonFootprint/ProductCarbonFootprint/1/0"
    )
    assert first["value"][1]["valueType"] == "xs:decimal"


def test_the_phases_are_the_template_mapping_of_the_stages() -> None:
    """IDTA 02035-3 1.0, LifeCyclePhases: the DIN DKE SPEC 99100 stages as phases."""
    assert PHASES == {
        Stage.RAW_MATERIALS: "A1 - raw material supply (and upstream production)",
        Stage.PRODUCTION: "A3 - production",
        Stage.DISTRIBUTION: "A4 - transport to final destination",
        Stage.END_OF_LIFE: "C3 - recycling, waste treatment",
    }


def test_the_same_inputs_give_the_same_bytes_and_id(
    write_project: WriteProject, tmp_path: Path
) -> None:
    decl, _ = declare(EV)
    assert render(decl, "aas").text == render(decl, "aas").text
    first = read_back(render(decl, "aas").text).id
    assert first.startswith("urn:uuid:")
    other = write_project(
        tmp_path / "a", project=project_text('study_url = "https://example.com/a"')
    )
    again = write_project(
        tmp_path / "b", project=project_text('study_url = "https://example.com/b"')
    )
    ids = {read_back(render(declare(p)[0], "aas").text).id for p in (other, again)}
    assert len(ids) == 2 and first not in ids


def test_a_screening_result_says_so() -> None:
    decl, _ = declare(EV)
    assert decl.mode == "screening"
    submodel = read_back(render(decl, "aas").text)
    text = submodel.description.get("en")  # type: ignore[union-attr]
    assert "screening result, not an Article 7 declaration" in text


def test_decimals_are_written_without_an_exponent(monkeypatch: pytest.MonkeyPatch) -> None:
    import carbonfp.formats.aas as aas

    decl, _ = declare(EV)
    real = batterypass(decl)
    tiny = json.loads(json.dumps(real.data))
    tiny["carbonFootprintPerLifecycleStage"][2]["carbonFootprint"] = 1.2e-07
    monkeypatch.setattr(aas, "batterypass", lambda _decl: type(real)(tiny, real.notes))
    data = aas_environment(decl).data
    values = [
        e["value"]
        for pcf in data["submodels"][0]["submodelElements"][0]["value"]
        for e in pcf["value"]
        if e.get("valueType") == "xs:decimal"
    ]
    assert "0.00000012" in values
    assert not any("E" in v or "e" in v for v in values)
    read_back(json.dumps(data))


def test_notes_and_errors_are_the_passport_ones(write_project: WriteProject) -> None:
    decl, _ = declare(EV)
    assert render(decl, "aas").notes == render(decl, "batterypass").notes
    path = write_project(project=project_text())
    result = run("calc", path, "-f", "aas")
    assert result.exit_code == 3
    assert "carbonFootprintStudy" in result.stderr


def test_several_declarations_are_json_lines() -> None:
    decls = [declare(p)[0] for p in PROJECTS]
    lines = render(decls, "aas").text.splitlines()
    assert len(lines) == len(decls)
    for line, decl in zip(lines, decls, strict=True):
        assert footprints(read_back(line)) == expected_footprints(decl)


def test_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / f"passport.{EXTENSIONS['aas']}"
    ok("calc", EV, "-f", "aas", "-o", out, "-q")
    decl, _ = declare(EV)
    assert out.read_text(encoding="utf-8") == render(decl, "aas").text


def test_without_basyx_it_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "basyx.aas.model", None)
    decl, _ = declare(EV)
    with pytest.raises(UsageError) as info:
        render(decl, "aas")
    assert info.value.code == "missing-dependency"
    assert "carbonfp[aas]" in (info.value.hint or "")
    result = run("calc", EV, "-f", "aas")
    assert result.exit_code == 2
    assert result.stdout == ""
