"""`carbonfp calc --format batterypass`: the battery passport's carbon footprint payload."""

from __future__ import annotations

import json

import pytest
from exchange_support import EV, declare, ok, project_text, schema_errors
from support import WriteProject

from carbonfp.formats.batterypass import NO_PERFORMANCE_CLASS, batterypass
from carbonfp.formats.common import STAGE_NAMES
from carbonfp.model import Stage

#: The passport's life-cycle stage code of each stage, from the one table of stage names.
LIFECYCLE_STAGES = {stage: name.passport for stage, name in STAGE_NAMES.items()}


def test_every_stage_has_its_passport_code() -> None:
    assert set(LIFECYCLE_STAGES) == set(Stage)
    assert sorted(LIFECYCLE_STAGES.values()) == sorted(
        ["RawMaterialExtraction", "MainProduction", "Distribution", "Recycling"]
    )


def test_values_are_the_declaration() -> None:
    decl, _ = declare(EV)
    data = batterypass(decl).data
    assert data["batteryCarbonFootprint"] == pytest.approx(decl.total_kg_co2e_per_kwh, rel=1e-9)
    assert data["absoluteCarbonFootprint"] == pytest.approx(decl.absolute_kg_co2e, rel=1e-9)
    stages = {
        s["lifecycleStage"]: s["carbonFootprint"] for s in data["carbonFootprintPerLifecycleStage"]
    }
    for stage, code in LIFECYCLE_STAGES.items():
        assert stages[code] == pytest.approx(decl.stage(stage).kg_co2e_per_kwh, rel=1e-9)
    assert sum(stages.values()) == pytest.approx(data["batteryCarbonFootprint"], rel=1e-8)
    assert data["carbonFootprintStudy"] == "https://example.com/carbon-footprint/evp-75"
    assert data["carbonFootprintPerformanceClass"] == ""
    assert data["euDeclarationOfConformityId"] == "EXB-DoC-2026-0075"
    assert data["manufacturerIdentification"]["name"] == "Example Battery Systems Kft."
    assert data["batteryModelIdentification"]["modelIdentifier"] == "EVP-75 NMC811"
    assert data["manufacturingPlantIdentification"] == {
        "name": "EXB pack plant Tatabanya",
        "town": "Tatabanya",
        "region": "Komarom-Esztergom",
        "country": "HU",
    }
    assert data["carbonfp"]["totalEnergyKwh"] == decl.functional_unit.total_energy_kwh
    assert schema_errors("batterypass", data) == []


def test_cli_warns_about_the_empty_performance_class() -> None:
    result = ok("calc", EV, "-f", "batterypass")
    data = json.loads(result.stdout)
    assert data["carbonFootprintPerformanceClass"] == ""
    assert f"carbonfp: warning: {NO_PERFORMANCE_CLASS}" in result.stderr.splitlines()
    quiet = ok("calc", EV, "-f", "batterypass", "-q")
    assert quiet.stderr == ""
    assert quiet.stdout == result.stdout


def test_missing_study_url_is_null_with_a_note(write_project: WriteProject) -> None:
    result = ok("calc", write_project(project=project_text()), "-f", "batterypass")
    data = json.loads(result.stdout)
    assert data["carbonFootprintStudy"] is None
    assert data["euDeclarationOfConformityId"] is None
    assert "no [declaration] study_url" in result.stderr
    assert schema_errors("batterypass", data) == []


def test_schema_rejects_a_wrong_stage_code() -> None:
    decl, _ = declare(EV)
    data = batterypass(decl).data
    data["carbonFootprintPerLifecycleStage"][3]["lifecycleStage"] = "EndOfLife"
    assert schema_errors("batterypass", data) != []
    del data["carbonFootprintPerLifecycleStage"][3]
    assert schema_errors("batterypass", data) != []
