"""`carbonfp calc --format batterypass`: the battery passport's carbon footprint payload, a
payload of the Battery Pass data model 1.2.0, validated against the model's shipped schemas."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from exchange_support import (
    EV,
    PROJECT_IDS,
    PROJECTS,
    declare,
    ok,
    project_text,
    run,
    schema_errors,
)
from support import REPO, WriteProject

from carbonfp.errors import InputError, Location
from carbonfp.formats.batterypass import (
    BATTERY_CATEGORIES,
    CARBON_FOOTPRINT_ASPECT,
    GENERAL_PRODUCT_INFORMATION_ASPECT,
    GENERAL_PRODUCT_INFORMATION_FIELDS,
    NO_PERFORMANCE_CLASS,
    batterypass,
)
from carbonfp.formats.common import STAGE_NAMES
from carbonfp.model import BatteryCategory, Declaration, Stage
from carbonfp.schemas import MODEL_SCHEMAS, load_model_schema, schema_path

#: The passport's life-cycle stage code of each stage, from the one table of stage names.
LIFECYCLE_STAGES = {stage: name.passport for stage, name in STAGE_NAMES.items()}
GOLDEN = REPO / "tests" / "golden" / "exports"
#: The published files (carbonfp/schemas/batterypass/NOTICE.md): name -> git blob id.
PUBLISHED = {
    "CarbonFootprint": "7b540a7ceaa949bb9f8ff28a232f1a8fcdf2dbda",
    "GeneralProductInformation": "6362a1c4e3e96fb12574878120faf427da3c9d9e",
}


def carbon_footprint_errors(data: Any) -> list[str]:
    """Every message of validating ``data`` against the model's CarbonFootprint 1.2.0 schema."""
    validator = jsonschema.Draft4Validator(load_model_schema("CarbonFootprint"))
    return sorted(
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(data)
    )


def general_information_errors(data: dict[str, Any]) -> list[str]:
    """The payload's GeneralProductInformation fields against the model's schema, with its
    ``required`` cut to those fields (the rest describe one battery item, not a model)."""
    schema = copy.deepcopy(load_model_schema("GeneralProductInformation"))
    fields = [f for f in GENERAL_PRODUCT_INFORMATION_FIELDS if f in data]
    schema["required"] = fields
    validator = jsonschema.Draft4Validator(schema)
    return sorted(e.message for e in validator.iter_errors({f: data[f] for f in fields}))


def all_errors(data: dict[str, Any]) -> list[str]:
    return (
        carbon_footprint_errors(data)
        + general_information_errors(data)
        + schema_errors("batterypass", data)
    )


def nulls(node: Any, path: str = "") -> list[str]:
    if node is None:
        return [path]
    if isinstance(node, dict):
        return [n for k, v in node.items() for n in nulls(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [n for i, v in enumerate(node) for n in nulls(v, f"{path}/{i}")]
    return []


def test_every_stage_has_its_passport_code() -> None:
    assert set(LIFECYCLE_STAGES) == set(Stage)
    enum = load_model_schema("CarbonFootprint")["components"]["schemas"]["LifecycleStage"]["enum"]
    assert sorted(LIFECYCLE_STAGES.values()) == sorted(enum)


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
    assert data["carbonFootprintStudy"] == decl.project.declaration.study_url
    assert data["carbonFootprintPerformanceClass"] == ""
    assert data["batteryCategory"] == "ev"
    assert data["batteryMass"] == decl.project.battery.mass_kg
    meta = data["carbonfp"]
    assert meta["totalEnergyKwh"] == decl.functional_unit.total_energy_kwh
    assert meta["dataModel"] == {
        "carbonFootprint": CARBON_FOOTPRINT_ASPECT,
        "generalProductInformation": GENERAL_PRODUCT_INFORMATION_ASPECT,
    }
    article7 = meta["article7"]
    assert article7["euDeclarationOfConformityId"] == decl.project.declaration.eu_doc_id
    assert article7["manufacturer"]["name"] == decl.project.manufacturer.name
    assert article7["batteryModel"]["modelIdentifier"] == decl.project.battery.model
    plant = decl.project.plant
    assert article7["manufacturingPlant"] == {
        "name": plant.name,
        "town": plant.town,
        "region": plant.region,
        "country": plant.country,
    }
    assert all_errors(data) == []


@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_every_sample_validates_against_the_battery_pass_model(project_file: Path) -> None:
    data = json.loads(ok("calc", project_file, "-f", "batterypass").stdout)
    assert carbon_footprint_errors(data) == []
    assert general_information_errors(data) == []
    assert schema_errors("batterypass", data) == []
    assert nulls(data) == []
    golden = GOLDEN / f"{project_file.parent.name}.batterypass.json"
    assert all_errors(json.loads(golden.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_the_payload_uses_the_model_field_names(project_file: Path) -> None:
    decl, _ = declare(project_file)
    data = batterypass(decl).data
    model_fields = set(load_model_schema("CarbonFootprint")["properties"]) | set(
        load_model_schema("GeneralProductInformation")["properties"]
    )
    assert set(data) - {"carbonfp"} <= model_fields
    assert set(load_model_schema("CarbonFootprint")["properties"]) <= set(data)


def test_the_model_schema_can_fail() -> None:
    """The validation above would see a wrong stage code, a null study link or a carbonfp
    category name."""
    decl, _ = declare(EV)
    data = batterypass(decl).data
    assert all_errors(data) == []
    wrong = copy.deepcopy(data)
    wrong["carbonFootprintPerLifecycleStage"][3]["lifecycleStage"] = "EndOfLife"
    assert carbon_footprint_errors(wrong) != []
    wrong = copy.deepcopy(data)
    wrong["carbonFootprintStudy"] = None
    assert carbon_footprint_errors(wrong) != []
    wrong = copy.deepcopy(data)
    del wrong["carbonFootprintStudy"]
    assert carbon_footprint_errors(wrong) != []
    wrong = copy.deepcopy(data)
    wrong["batteryCategory"] = "EV"
    assert general_information_errors(wrong) != []
    wrong = copy.deepcopy(data)
    wrong["batteryMass"] = "395 kg"
    assert general_information_errors(wrong) != []


def with_category(decl: Declaration, category: BatteryCategory) -> Declaration:
    battery = replace(decl.project.battery, category=category)
    return replace(decl, project=replace(decl.project, battery=battery))


@pytest.mark.parametrize("category", list(BatteryCategory))
def test_each_category_is_one_of_the_model(category: BatteryCategory) -> None:
    decl, _ = declare(EV)
    data = batterypass(with_category(decl, category)).data
    assert data["batteryCategory"] == BATTERY_CATEGORIES[category]
    assert general_information_errors(data) == []


def test_the_categories_are_the_model_enum() -> None:
    gpi = load_model_schema("GeneralProductInformation")["components"]["schemas"]
    assert set(BATTERY_CATEGORIES.values()) <= set(gpi["BatteryCategoryEnum"]["enum"])
    assert set(BATTERY_CATEGORIES) == set(BatteryCategory)


def test_a_battery_without_mass_has_no_battery_mass() -> None:
    decl, _ = declare(EV)
    battery = replace(decl.project.battery, mass_kg=0.0)
    data = batterypass(replace(decl, project=replace(decl.project, battery=battery))).data
    assert "batteryMass" not in data
    assert all_errors(data) == []


def test_cli_warns_about_the_empty_performance_class() -> None:
    result = ok("calc", EV, "-f", "batterypass")
    data = json.loads(result.stdout)
    assert data["carbonFootprintPerformanceClass"] == ""
    assert f"carbonfp: warning: {NO_PERFORMANCE_CLASS}" in result.stderr.splitlines()
    quiet = ok("calc", EV, "-f", "batterypass", "-q")
    assert quiet.stderr == ""
    assert quiet.stdout == result.stdout


def test_a_missing_study_url_is_an_error_not_a_null(
    write_project: WriteProject, tmp_path: Path
) -> None:
    path = write_project(project=project_text())
    out = tmp_path / "passport.json"
    result = run("calc", path, "-f", "batterypass", "-o", out)
    assert result.exit_code == 3
    assert not out.exists()
    assert result.stderr.startswith(
        "carbonfp: error: the battery passport needs carbonFootprintStudy"
    )
    assert "[declaration.study_url]" in result.stderr.splitlines()[0]
    ok("calc", path, "-f", "json")  # the other formats do not need it


def test_a_study_url_without_its_scheme_is_refused(write_project: WriteProject) -> None:
    path = write_project(project=project_text('study_url = "example.com/study"'))
    decl, _ = declare(path)
    with pytest.raises(InputError) as info:
        batterypass(decl)
    assert info.value.code == "invalid-value"
    assert info.value.where == Location("battery.toml", key="declaration.study_url")


def test_what_the_project_does_not_give_is_left_out(write_project: WriteProject) -> None:
    path = write_project(project=project_text('study_url = "https://example.com/study"'))
    decl, _ = declare(path)
    data = batterypass(decl).data
    assert nulls(data) == []
    assert "euDeclarationOfConformityId" not in data["carbonfp"]["article7"]
    assert "tradeName" not in data["carbonfp"]["article7"]["manufacturer"]
    assert all_errors(data) == []


@pytest.mark.parametrize("name", sorted(MODEL_SCHEMAS))
def test_the_shipped_model_schemas_are_the_published_files(name: str) -> None:
    data = (schema_path("batterypass").parent / MODEL_SCHEMAS[name]).read_bytes()
    assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == PUBLISHED[name]
    schema = load_model_schema(name)
    jsonschema.Draft4Validator.check_schema(schema)
    assert (
        schema["x-samm-aspect-model-urn"]
        == {
            "CarbonFootprint": CARBON_FOOTPRINT_ASPECT,
            "GeneralProductInformation": GENERAL_PRODUCT_INFORMATION_ASPECT,
        }[name]
    )


def test_the_notice_names_source_commit_and_licence() -> None:
    notice = (schema_path("batterypass").parent / "batterypass" / "NOTICE.md").read_text(
        encoding="utf-8"
    )
    assert "https://github.com/batterypass/BatteryPassDataModel" in notice
    assert re.search(r"commit\s+`4c96de2947a9bd6f56481a9103aadd7c712defc8`", notice)
    assert "CC BY 4.0" in notice and "creativecommons.org/licenses/by/4.0" in notice
    for blob in PUBLISHED.values():
        assert blob in notice


def test_the_model_schemas_are_in_the_wheel(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    (wheel,) = builders.WheelBuilder(str(REPO)).build(
        directory=str(tmp_path), versions=["standard"]
    )
    names = set(zipfile.ZipFile(wheel).namelist())
    for file in [*MODEL_SCHEMAS.values(), "batterypass/NOTICE.md"]:
        assert f"carbonfp/schemas/{file}" in names
