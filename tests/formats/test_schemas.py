"""The shipped JSON Schemas: valid, printed by `carbonfp schema`, in the wheel, and strict."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from exchange_support import EV, declare, ok, pact_errors, run, schema_errors
from support import REPO

from carbonfp.cli.schema import SchemaName
from carbonfp.formats.declaration import to_dict
from carbonfp.formats.pact import EXTENSION_SCHEMA_ID
from carbonfp.formats.pact import pact_footprint_v2 as pact_footprint
from carbonfp.schemas import SCHEMAS, load_schema, schema_path, schema_text


def test_every_schema_name_has_a_file() -> None:
    assert {n.value for n in SchemaName} == set(SCHEMAS)
    for name in SCHEMAS:
        assert schema_path(name).is_file()


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:carbonfp:schema:")
    assert schema_text(name).endswith("}\n")


def test_extension_schema_id_is_what_the_export_names() -> None:
    assert load_schema("pact-article7")["$id"] == EXTENSION_SCHEMA_ID


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_cli_prints_the_shipped_schema(name: str, tmp_path: Path) -> None:
    result = ok("schema", name)
    assert result.stdout == schema_text(name)
    out = tmp_path / f"{name}.json"
    ok("schema", name, "-o", out)
    assert out.read_text(encoding="utf-8") == schema_text(name)


def test_unknown_schema_is_a_usage_error() -> None:
    result = run("schema", "passport")
    assert result.exit_code == 2


def test_schema_command_is_light() -> None:
    """`carbonfp schema` (like --help) imports neither pandas, numpy nor pint."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from carbonfp.cli import app\n"
        "r = CliRunner().invoke(app, ['schema', 'pact'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'pint') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_schemas_are_in_the_wheel(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    (wheel,) = builders.WheelBuilder(str(REPO)).build(
        directory=str(tmp_path), versions=["standard"]
    )
    names = set(zipfile.ZipFile(wheel).namelist())
    for file in SCHEMAS.values():
        assert f"carbonfp/schemas/{file}" in names


# --- the declaration schema: strict on what exists, open to additions ----------------------


@pytest.fixture(scope="module")
def ev_json() -> dict[str, Any]:
    decl, _ = declare(EV)
    return json.loads(json.dumps(to_dict(decl)))


def test_declaration_validates(ev_json: dict[str, Any]) -> None:
    assert schema_errors("declaration", ev_json) == []


def test_declaration_allows_additions_where_promised(ev_json: dict[str, Any]) -> None:
    data = copy.deepcopy(ev_json)
    data["new_top_level_block"] = {"x": 1}
    data["lines"][0]["new_line_field"] = [1, 2]
    data["provenance"]["new_provenance_field"] = "y"
    assert schema_errors("declaration", data) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("schema_version"),
        lambda d: d.update(schema_version="2.0"),
        lambda d: d["carbon_footprint"].update(total_kg_co2e_per_kwh="0.15"),
        lambda d: d["carbon_footprint"]["stages"].pop("end_of_life"),
        lambda d: d["lines"][0].pop("kg_co2e"),
        lambda d: d["lines"][0].update(stage="use"),
        lambda d: d["lines"][0].update(data_type="primary"),
        lambda d: d["provenance"].update(factor_set_sha256="abc"),
        lambda d: d["plant"].update(country="Hungary"),
        lambda d: d["warnings"].append({"code": "x"}),
    ],
)
def test_declaration_schema_catches_breaking_changes(ev_json: dict[str, Any], change: Any) -> None:
    data = copy.deepcopy(ev_json)
    change(data)
    assert schema_errors("declaration", data) != []


# --- the PACT schema: written from the 2.3 field table --------------------------------------


@pytest.fixture(scope="module")
def ev_pact() -> dict[str, Any]:
    decl, _ = declare(EV)
    return json.loads(json.dumps(pact_footprint(decl).data))


def test_pact_export_validates(ev_pact: dict[str, Any]) -> None:
    assert pact_errors(ev_pact) == []


MANDATORY = [
    "id",
    "specVersion",
    "version",
    "created",
    "status",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productCategoryCpc",
    "productNameCompany",
    "comment",
    "pcf",
]
MANDATORY_PCF = [
    "declaredUnit",
    "unitaryProductAmount",
    "pCfExcludingBiogenic",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "biogenicCarbonContent",
    "characterizationFactors",
    "ipccCharacterizationFactorsSources",
    "crossSectoralStandardsUsed",
    "crossSectoralStandards",
    "boundaryProcessesDescription",
    "referencePeriodStart",
    "referencePeriodEnd",
    "exemptedEmissionsPercent",
    "exemptedEmissionsDescription",
    "packagingEmissionsIncluded",
]


@pytest.mark.parametrize("field", MANDATORY)
def test_pact_mandatory_field(ev_pact: dict[str, Any], field: str) -> None:
    data = copy.deepcopy(ev_pact)
    del data[field]
    assert pact_errors(data) != []


@pytest.mark.parametrize("field", MANDATORY_PCF)
def test_pact_mandatory_pcf_field(ev_pact: dict[str, Any], field: str) -> None:
    data = copy.deepcopy(ev_pact)
    del data["pcf"][field]
    assert pact_errors(data) != []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["pcf"].update(pCfExcludingBiogenic=15.6),  # a number, not a string
        lambda d: d["pcf"].update(pCfExcludingBiogenic="1.5e1"),
        lambda d: d["pcf"].update(pCfExcludingBiogenic="-1"),
        lambda d: d["pcf"].update(unitaryProductAmount="0"),
        lambda d: d.update(created="2027-01-01T00:00:00+01:00"),  # not UTC
        lambda d: d.update(companyIds=["Example Battery Systems"]),  # not a URN
        lambda d: d.update(companyIds=[]),
        lambda d: d.update(id="EVP-75"),
        lambda d: d.update(specVersion="2.0.0"),
        lambda d: d.update(status="Draft"),
        lambda d: d["pcf"].update(geographyRegionOrSubregion="Europe"),  # two geographies
        lambda d: d["pcf"].update(exemptedEmissionsPercent=6),
        lambda d: d["pcf"].update(declaredUnit="piece"),  # v3 only
        lambda d: d["pcf"].update(packagingGhgEmissions="1"),  # packaging not included
        lambda d: d["pcf"].update(biogenicCarbonWithdrawal="1"),
        lambda d: d["pcf"].update(crossSectoralStandardsUsed=["PEF"]),
        lambda d: d["pcf"].pop("pCfIncludingBiogenic"),  # O*: mandatory from 2025
        lambda d: d["pcf"].pop("primaryDataShare"),
        lambda d: d["extensions"][0].pop("dataSchema"),
        lambda d: d["extensions"][0]["data"].pop("batteryCarbonFootprint"),
        lambda d: d["extensions"][0]["data"].update(totalEnergyKwh=36000),
    ],
)
def test_pact_schema_catches_bad_values(ev_pact: dict[str, Any], change: Any) -> None:
    data = copy.deepcopy(ev_pact)
    change(data)
    assert pact_errors(data) != []
