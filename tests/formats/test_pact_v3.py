"""PACT v3 (Technical Specifications 3.0): the export (`--format pact`), carbonfp's own checks of
the specification's rules (carbonfp.pact_spec), and the import of a supplier's v3 footprint."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from exchange_support import PROJECTS, declare, extension_schema, pact_errors, project_text, run
from support import BOM_CSV, WriteProject

from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError
from carbonfp.formats.pact import pact_footprint
from carbonfp.inputs.project import load_project
from carbonfp.model import FactorSet, Ruleset, Stage
from carbonfp.pact_spec import SPEC_VERSION, check_v3
from carbonfp.schemas import load_schema

YEAR_2025 = "reference_period_start = 2025-01-01\nreference_period_end = 2026-01-01"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.parent.name)
def test_every_sample_exports_a_conforming_v3_footprint(project: Path) -> None:
    decl, _ = declare(project)
    data = pact_footprint(decl).data
    assert check_v3(data) == []
    assert pact_errors(data) == []
    pcf = data["pcf"]
    gate = decl.stage(Stage.RAW_MATERIALS).kg_co2e + decl.stage(Stage.PRODUCTION).kg_co2e
    b = decl.project.battery
    # one piece, the battery: its cradle-to-gate kg and its mass
    assert (pcf["declaredUnitOfMeasurement"], pcf["declaredUnitAmount"]) == ("piece", "1")
    assert float(pcf["pcfExcludingBiogenicUptake"]) == pytest.approx(gate, rel=1e-9)
    assert float(pcf["productMassPerDeclaredUnit"]) == pytest.approx(b.mass_kg)
    assert data["specVersion"] == SPEC_VERSION
    assert "version" not in data and "productCategoryCpc" not in data
    assert all(isinstance(v, str) for k, v in pcf.items() if k in ("fossilGhgEmissions",))
    (ext,) = data["extensions"]
    assert extension_schema(ext["dataSchema"]) == load_schema("pact-article7")
    assert float(ext["data"]["batteryCarbonFootprint"]) == pytest.approx(decl.total_kg_co2e_per_kwh)


def test_a_screening_result_is_never_an_active_footprint() -> None:
    decl, _ = declare(PROJECTS[0])
    assert decl.mode == "screening"
    screening = pact_footprint(decl).data
    assert screening["status"] == "Deprecated" and "verification" not in screening["pcf"]
    assert screening["comment"].startswith("Screening result")
    failed = replace(decl, mode="declaration", gate_failures=("secondary data",))
    assert pact_footprint(failed).data["status"] == "Deprecated"
    passed = replace(decl, mode="declaration", gate_failures=())
    active = pact_footprint(passed).data
    assert active["status"] == "Active" and not active["comment"].startswith("Screening")


def test_created_is_given_or_the_period_end_never_the_future(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    def decl_with(declaration: str) -> Any:
        path = write_project(bom=BOM_CSV, project=project_text(declaration))
        return calculate(load_project(path), tiny_factors, tiny_rules)

    plain = pact_footprint(decl_with(YEAR_2025)).data
    assert plain["created"] == "2026-01-01T00:00:00Z"
    stamped = pact_footprint(
        decl_with(YEAR_2025), datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    ).data
    assert stamped["created"] == "2026-03-01T12:00:00Z"
    assert {k: v for k, v in stamped.items() if k != "created"} == {
        k: v for k, v in plain.items() if k != "created"
    }
    future = "reference_period_start = 2099-01-01\nreference_period_end = 2100-01-01"
    with pytest.raises(InputError) as info:
        pact_footprint(decl_with(future))
    assert "ends in the future" in info.value.message
    given = future + "\ncreated = 2099-06-01T00:00:00Z"
    assert pact_footprint(decl_with(given)).data["created"] == "2099-06-01T00:00:00Z"


@pytest.fixture(scope="module")
def valid() -> dict[str, Any]:
    decl, _ = declare(PROJECTS[0])
    data: dict[str, Any] = json.loads(json.dumps(pact_footprint(decl).data))
    return data


def _pcf(**changes: Any) -> Any:
    return lambda d: d["pcf"].update(changes)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("companyIds"), "companyIds"),
        (lambda d: d["pcf"].pop("productMassPerDeclaredUnit"), "pcf.productMassPerDeclaredUnit"),
        (lambda d: d.update(id="EVP-75"), "id"),
        (lambda d: d.update(specVersion="2.3.0"), "specVersion"),
        (lambda d: d.update(status="Draft"), "status"),
        (lambda d: d.update(version=1), "version"),  # removed in 3.0
        (lambda d: d.update(productCategoryCpc="46420"), "productCategoryCpc"),
        (lambda d: d.update(companyIds=["Example Battery Systems"]), "companyIds[0]"),
        (lambda d: d.update(productIds=[]), "productIds"),
        (lambda d: d.update(created="2026-01-01"), "created"),
        (_pcf(pcfExcludingBiogenicUptake=6182.4), "pcf.pcfExcludingBiogenicUptake"),
        (_pcf(fossilGhgEmissions="-1"), "pcf.fossilGhgEmissions"),
        (_pcf(declaredUnitAmount="0"), "pcf.declaredUnitAmount"),
        (_pcf(productMassPerDeclaredUnit="0"), "pcf.productMassPerDeclaredUnit"),
        (_pcf(declaredUnitOfMeasurement="battery"), "pcf.declaredUnitOfMeasurement"),
        (_pcf(declaredUnit="piece"), "pcf.declaredUnit"),  # the v2 name
        (_pcf(assurance={"assurance": True}), "pcf.assurance"),  # renamed verification
        (_pcf(geographyRegionOrSubregion="Europe"), "pcf.geographyCountry"),  # two geographies
        (_pcf(geographyCountry="Hungary"), "pcf.geographyCountry"),
        (_pcf(referencePeriodEnd="2024-01-01T00:00:00Z"), "pcf.referencePeriodEnd"),
        (_pcf(packagingGhgEmissions="1"), "pcf.packagingGhgEmissions"),
        (_pcf(ipccCharacterizationFactors=["IPCC6"]), "pcf.ipccCharacterizationFactors"),
        (_pcf(crossSectoralStandards=[]), "pcf.crossSectoralStandards"),
        (_pcf(primaryDataShare="120"), "pcf.primaryDataShare"),
        (
            _pcf(dqi={"technologicalDQR": "6", "geographicalDQR": "2", "temporalDQR": "1"}),
            "pcf.dqi.technologicalDQR",
        ),
        (
            _pcf(dqi={"technologicalDQR": "2", "geographicalDQR": 2, "temporalDQR": "1"}),
            "pcf.dqi.geographicalDQR",
        ),
        (_pcf(verification={"coverage": "everything"}), "pcf.verification.coverage"),
        (lambda d: d.update(validityPeriodStart="2025-06-01T00:00:00Z"), "validityPeriodStart"),
        (lambda d: d.update(validityPeriodEnd="2029-06-01T00:00:00Z"), "validityPeriodEnd"),
        (
            lambda d: d.update(
                validityPeriodStart="2027-01-01T00:00:00Z", validityPeriodEnd="2026-06-01T00:00:00Z"
            ),
            "validityPeriodEnd",
        ),
        (lambda d: d["extensions"][0].update(dataSchema="urn:x:y"), "extensions[0].dataSchema"),
        (lambda d: d["extensions"][0].update(specVersion="2"), "extensions[0].specVersion"),
    ],
)
def test_the_checks_catch_each_rule(valid: dict[str, Any], change: Any, field: str) -> None:
    data = copy.deepcopy(valid)
    change(data)
    assert field in [p.field for p in check_v3(data)]


def test_the_valid_export_has_no_problem_and_a_validity_within_three_years(
    valid: dict[str, Any],
) -> None:
    assert check_v3(valid) == []
    data = copy.deepcopy(valid)
    data.update(
        validityPeriodStart="2026-01-01T00:00:00Z", validityPeriodEnd="2029-01-01T00:00:00Z"
    )
    data["pcf"]["dqi"] = {"technologicalDQR": "5", "geographicalDQR": "1", "temporalDQR": "2.5"}
    assert check_v3(data) == []


# --- import: a supplier's v3 footprint as the factor of a BOM line ---------------------------


def supplier_v3(**pcf: Any) -> dict[str, Any]:
    """A supplier's separator footprint in v3: 5 kg CO2e per 2 kg (one roll), 2 kg a roll."""
    data: dict[str, Any] = {
        "id": "9b6e2c1a-4f3d-4e8a-b0c7-1d2e3f4a5b6c",
        "specVersion": "3.0.3",
        "created": "2025-02-01T00:00:00Z",
        "status": "Active",
        "companyName": "Example Separator Co.",
        "companyIds": ["urn:pact:separator.example.com:supplier-id:77"],
        "productDescription": "wet-process PE separator film, one roll",
        "productIds": ["urn:pact:separator.example.com:product-id:SEP-20"],
        "productNameCompany": "SEP-20",
        "pcf": {
            "declaredUnitOfMeasurement": "kilogram",
            "declaredUnitAmount": "2",
            "productMassPerDeclaredUnit": "2",
            "referencePeriodStart": "2024-01-01T00:00:00Z",
            "referencePeriodEnd": "2025-01-01T00:00:00Z",
            "pcfExcludingBiogenicUptake": "5",
            "pcfIncludingBiogenicUptake": "5",
            "fossilGhgEmissions": "5",
            "fossilCarbonContent": "0.8",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0",
        },
    }
    data["pcf"].update(pcf)
    return data


def _line(
    write_project: WriteProject,
    factors: FactorSet,
    rules: Ruleset,
    line: str,
    pf: dict[str, Any],
) -> tuple[float, str]:
    path = write_project(
        bom=BOM_CSV + line + "\n",
        project=project_text(YEAR_2025),
        files={"sep.json": json.dumps(pf)},
    )
    decl = calculate(load_project(path), factors, rules)
    result = next(r for r in decl.lines if r.line.component == "separator")
    return result.kg_co2e, result.factor_source


def test_a_v3_footprint_is_per_its_declared_unit_amount(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    """v3 states the footprint per declaredUnitAmount units: 5 kg CO2e per 2 kg is 2.5 per kg,
    and 5 per roll (the product)."""
    pf = supplier_v3()
    kg, source = _line(
        write_project, tiny_factors, tiny_rules, "separator,separator,3,kg,,,pact:sep.json", pf
    )
    assert kg == pytest.approx(3 * 5 / 2)
    assert source.startswith("supplier: PACT v3 sep.json: Example Separator Co.")
    rolls, _ = _line(
        write_project, tiny_factors, tiny_rules, "separator,separator,4,pcs,,,pact:sep.json", pf
    )
    assert rolls == pytest.approx(4 * 5)
    per_piece = supplier_v3(
        declaredUnitOfMeasurement="piece", declaredUnitAmount="10", productMassPerDeclaredUnit="1"
    )
    grams, _ = _line(
        write_project,
        tiny_factors,
        tiny_rules,
        "separator,separator,500,g,,,pact:sep.json",
        per_piece,
    )
    assert grams == pytest.approx(0.5 * 5 / 1)  # 5 kg CO2e per 10 pieces weighing 1 kg


def test_an_invalid_v3_footprint_is_refused_with_every_problem(
    write_project: WriteProject,
) -> None:
    pf = supplier_v3(declaredUnitAmount="0", geographyCountry="Germany")
    pf["version"] = 2
    path = write_project(
        bom=BOM_CSV + "separator,separator,3,kg,,,pact:sep.json\n",
        project=project_text(YEAR_2025),
        files={"sep.json": json.dumps(pf)},
    )
    result = run("check", path, "--format", "json")
    problems = json.loads(result.stdout)["projects"][0]["problems"]
    keys = {p["where"] for p in problems if p["code"] == "invalid-pact"}
    assert keys == {
        "sep.json [version]",
        "sep.json [pcf.declaredUnitAmount]",
        "sep.json [pcf.geographyCountry]",
    }


def test_pact_v2_is_still_written_on_request_with_a_deprecation_note() -> None:
    result = run("calc", PROJECTS[0], "-f", "pact-v2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["specVersion"] == "2.3.0" and data["status"] == "Deprecated"
    assert pact_errors(data) == []
    assert "PACT v2 is deprecated since April 2026" in result.stderr
