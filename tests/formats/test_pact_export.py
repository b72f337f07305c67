"""`carbonfp calc --format pact-v2`: the deprecated PACT v2.3 ProductFootprint of the
cradle-to-gate footprint (v3, the default, is tests/formats/test_pact_v3.py)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from exchange_support import EV, declare, extension_schema, ok, pact_errors, project_text, run
from support import BOM_CSV, WriteProject

from carbonfp.engine.calculate import calculate
from carbonfp.errors import FactorDataError, InputError
from carbonfp.formats.common import decimal_text
from carbonfp.formats.pact import NAMESPACE, primary_data_share
from carbonfp.formats.pact import pact_footprint_v2 as pact_footprint
from carbonfp.inputs.project import load_project
from carbonfp.model import FactorSet, Ruleset, Stage
from carbonfp.schemas import load_schema

DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
YEAR_2025 = "reference_period_start = 2025-01-01\nreference_period_end = 2026-01-01"


def export(
    write_project: WriteProject,
    factors: FactorSet,
    rules: Ruleset,
    declaration: str = YEAR_2025,
    bom: str = BOM_CSV,
    manufacturer: str = "",
) -> dict[str, object]:
    path = write_project(bom=bom, project=project_text(declaration, manufacturer))
    decl = calculate(load_project(path), factors, rules)
    return pact_footprint(decl).data


def test_tiny_project_by_hand(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    """Tiny set: raw materials 100 + 10 + 400, production 50 (distribution 4 and end of life 40
    excluded): 560 kg CO2e for an 80 kg battery = 7 kg CO2e per kg."""
    data = export(write_project, tiny_factors, tiny_rules)
    pcf = data["pcf"]
    assert isinstance(pcf, dict)
    assert pcf["declaredUnit"] == "kilogram"
    assert pcf["unitaryProductAmount"] == "80"
    assert pcf["pCfExcludingBiogenic"] == "7"
    assert pcf["fossilGhgEmissions"] == "7"
    # primary: the supplier's cathode (400) and the company's electricity (50) of 560
    assert pcf["primaryDataShare"] == pytest.approx(100 * 450 / 560, abs=1e-4)
    assert pcf["secondaryEmissionFactorSources"] == [{"name": "tiny", "version": "1"}]
    assert pcf["referencePeriodStart"] == "2025-01-01T00:00:00Z"
    assert pcf["referencePeriodEnd"] == "2026-01-01T00:00:00Z"
    assert data["created"] == "2026-01-01T00:00:00Z"  # no created key: the period's end
    assert pcf["geographyCountry"] == "HU"
    assert pcf["characterizationFactors"] == "AR6"
    assert data["specVersion"] == "2.3.0"
    assert data["status"] == "Deprecated"  # a screening result is not a footprint to use
    assert pact_errors(data) == []


def test_every_decimal_is_a_string_without_exponent(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    bom = BOM_CSV + "trace,steel-sheet,0.000000001,kg,,,\n"
    data = export(write_project, tiny_factors, tiny_rules, bom=bom)
    pcf = data["pcf"]
    assert isinstance(pcf, dict)
    for name in (
        "unitaryProductAmount",
        "pCfExcludingBiogenic",
        "pCfIncludingBiogenic",
        "fossilGhgEmissions",
        "fossilCarbonContent",
        "biogenicCarbonContent",
    ):
        assert isinstance(pcf[name], str) and DECIMAL.match(pcf[name]), (name, pcf[name])
    assert decimal_text(1.5e-12) == "0.0000000000015"
    assert decimal_text(2.5e11) == "250000000000"
    assert decimal_text(-0.0) == "0"


def test_created_and_ids_from_the_project(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    data = export(
        write_project,
        tiny_factors,
        tiny_rules,
        declaration=YEAR_2025
        + '\ncreated = 2026-03-02T10:30:00+01:00\nproduct_id = ["urn:gtin:4712345060507", '
        '"urn:pact:tiny.example.com:product-id:T10"]\nproduct_category_cpc = "46420"',
        manufacturer='company_id = "urn:pact:tiny.example.com:supplier-id:1"',
    )
    assert data["created"] == "2026-03-02T09:30:00Z"
    assert data["companyIds"] == ["urn:pact:tiny.example.com:supplier-id:1"]
    assert data["productIds"] == [
        "urn:gtin:4712345060507",
        "urn:pact:tiny.example.com:product-id:T10",
    ]
    assert pact_errors(data) == []


def test_default_ids_are_urns_derived_from_names(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    data = export(write_project, tiny_factors, tiny_rules)
    company = uuid.uuid5(NAMESPACE, "company:Tiny Batteries Ltd")
    assert data["companyIds"] == [f"urn:uuid:{company}"]
    product = uuid.uuid5(NAMESPACE, "product:Tiny Batteries Ltd\nTINY-10")
    assert data["productIds"] == [f"urn:uuid:{product}"]


@pytest.mark.parametrize(
    ("declaration", "manufacturer", "key"),
    [
        ('product_id = "GTIN 4712345060507"', "", "declaration.product_id"),
        ("", 'company_id = ["urn:x:1", "urn:x:1"]', "manufacturer.company_id"),
        ("reference_period_start = 2025-01-01", "", "declaration"),
        (
            "reference_period_start = 2025-01-01\nreference_period_end = 2024-01-01",
            "",
            "declaration.reference_period_end",
        ),
        ('created = "next tuesday"', "", "declaration.created"),
        ("created = 2025-01-01T00:00:00", "", "declaration.created"),
        ('product_category_cpc = "batteries"', "", "declaration.product_category_cpc"),
    ],
)
def test_bad_exchange_keys_name_the_key(
    write_project: WriteProject, declaration: str, manufacturer: str, key: str
) -> None:
    with pytest.raises(InputError) as info:
        load_project(write_project(project=project_text(declaration, manufacturer)))
    assert info.value.where is not None
    assert (info.value.where.file, info.value.where.key) == ("battery.toml", key)


def test_id_is_a_uuid5_of_the_content(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    first = export(write_project, tiny_factors, tiny_rules)
    again = export(write_project, tiny_factors, tiny_rules)
    assert first == again
    assert uuid.UUID(str(first["id"])).version == 5
    changed = export(write_project, tiny_factors, tiny_rules, bom=BOM_CSV.replace("10,kg", "11,kg"))
    assert changed["id"] != first["id"]
    later = export(
        write_project, tiny_factors, tiny_rules, declaration=YEAR_2025 + "\ncreated = 2027-05-01"
    )
    assert later["created"] != first["created"]
    assert later["id"] == first["id"]  # created is not part of the content


def test_cli_output_is_deterministic_and_timestamp_changes_only_created() -> None:
    first = ok("calc", EV, "-f", "pact-v2").stdout
    assert ok("calc", EV, "-f", "pact-v2").stdout == first
    stamped = json.loads(ok("calc", EV, "-f", "pact-v2", "--timestamp").stdout)
    plain = json.loads(first)
    assert stamped["id"] == plain["id"]
    now = datetime.now(timezone.utc)
    created = datetime.fromisoformat(stamped["created"].replace("Z", "+00:00"))
    assert abs((now - created).total_seconds()) < 3600
    assert {k: v for k, v in stamped.items() if k != "created"} == {
        k: v for k, v in plain.items() if k != "created"
    }


def test_cradle_to_gate_only_and_article7_extension() -> None:
    decl, _ = declare(EV)
    data = pact_footprint(decl).data
    pcf = data["pcf"]
    gate = decl.stage(Stage.RAW_MATERIALS).kg_co2e + decl.stage(Stage.PRODUCTION).kg_co2e
    assert float(pcf["pCfExcludingBiogenic"]) * decl.project.battery.mass_kg == pytest.approx(gate)
    assert float(pcf["unitaryProductAmount"]) == decl.project.battery.mass_kg
    (ext,) = data["extensions"]
    assert extension_schema(ext["dataSchema"]) == load_schema("pact-article7")
    article7 = ext["data"]
    assert float(article7["batteryCarbonFootprint"]) == pytest.approx(decl.total_kg_co2e_per_kwh)
    assert float(article7["absoluteCarbonFootprint"]) == pytest.approx(decl.absolute_kg_co2e)
    assert float(article7["totalEnergyKwh"]) == decl.functional_unit.total_energy_kwh
    per_stage = {
        s["lifecycleStage"]: float(s["carbonFootprint"])
        for s in article7["carbonFootprintPerLifecycleStage"]
    }
    assert per_stage == pytest.approx(
        {
            "RawMaterialExtraction": decl.stage(Stage.RAW_MATERIALS).kg_co2e_per_kwh,
            "MainProduction": decl.stage(Stage.PRODUCTION).kg_co2e_per_kwh,
            "Distribution": decl.stage(Stage.DISTRIBUTION).kg_co2e_per_kwh,
            "Recycling": decl.stage(Stage.END_OF_LIFE).kg_co2e_per_kwh,
        }
    )
    assert article7["carbonFootprintStudy"] == decl.project.declaration.study_url
    assert pact_errors(data) == []


def test_primary_share_weights_by_emissions() -> None:
    decl, _ = declare(EV)
    gate = [r for r in decl.lines if r.stage in (Stage.RAW_MATERIALS, Stage.PRODUCTION)]
    primary = sum(
        r.kg_co2e for r in gate if r.line.data_type.value != "secondary" and r.kg_co2e > 0
    )
    total = sum(r.kg_co2e for r in gate if r.kg_co2e > 0)
    assert primary_data_share(decl) == pytest.approx(100 * primary / total)
    assert 0 < primary_data_share(decl) < 100


def test_without_a_reference_period_the_export_is_refused(write_project: WriteProject) -> None:
    """PACT requires the period the activity data represent; carbonfp does not guess it (the
    factor set's year would put it in the future)."""
    result = run("calc", write_project(), "-f", "pact-v2")
    assert result.exit_code == 3
    assert "needs the reference period" in result.stderr
    assert "reference_period_start = 2025-01-01" in result.stderr


def test_without_any_year_the_reference_period_is_required(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    decl = calculate(load_project(write_project()), tiny_factors, tiny_rules)  # tiny@1
    with pytest.raises(InputError) as info:
        pact_footprint(decl)
    assert info.value.where is not None
    assert info.value.where.key == "declaration.reference_period_start"


def test_reference_period_from_2025_requires_the_o_star_fields(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    data = export(write_project, tiny_factors, tiny_rules)
    assert pact_errors(data) == []
    pcf = data["pcf"]
    assert isinstance(pcf, dict)
    del pcf["primaryDataShare"]
    assert any("primaryDataShare" in e for e in pact_errors(data))
    pcf["referencePeriodStart"], pcf["referencePeriodEnd"] = (
        "2024-01-01T00:00:00Z",
        "2025-01-01T00:00:00Z",
    )
    pcf["dqi"] = {"coveragePercent": 80.0, "technologicalDQR": 2.0}
    assert pact_errors(data) == []  # before 2025: dqi alone is enough


def test_gwp_set_ar5_and_unknown(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    rules = replace(tiny_rules, gwp_set="AR5")
    path = write_project(project=project_text(YEAR_2025))
    decl = calculate(load_project(path), tiny_factors, rules)
    assert decl.provenance.gwp_set == "AR5"
    data = pact_footprint(decl).data
    assert data["pcf"]["characterizationFactors"] == "AR5"
    assert data["pcf"]["ipccCharacterizationFactorsSources"] == ["AR5"]
    sar = replace(decl, provenance=replace(decl.provenance, gwp_set="SAR"))
    with pytest.raises(FactorDataError):
        pact_footprint(sar)


def test_negative_cradle_to_gate_is_refused(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    path = write_project(project=project_text(YEAR_2025))
    decl = calculate(load_project(path), tiny_factors, tiny_rules)
    raw = decl.stage(Stage.RAW_MATERIALS)
    stages = tuple(replace(s, kg_co2e=-1000.0) if s is raw else s for s in decl.stages)
    with pytest.raises(InputError) as info:
        pact_footprint(replace(decl, stages=stages))
    assert info.value.code == "negative-total"


def test_pact_file_with_output(tmp_path: Path) -> None:
    out = tmp_path / "pcf.json"
    result = ok("calc", EV, "-f", "pact-v2", "-o", out)
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == ok("calc", EV, "-f", "pact-v2").stdout


def test_pact_export_error_exit_code(write_project: WriteProject) -> None:
    path = write_project(project=project_text('product_id = "not a urn"'))
    result = run("calc", path, "-f", "pact-v2")
    assert result.exit_code == 3
    assert "declaration.product_id" in result.stderr
