"""Supplier data: a BOM line takes its factor from a supplier's PACT ProductFootprint file."""

from __future__ import annotations

from pathlib import Path

import pytest
from exchange_support import pf_text, project_text, run, supplier_pf
from support import BOM_CSV, WriteProject

from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError
from carbonfp.inputs.project import load_project
from carbonfp.model import DataType, FactorSet, Ruleset

PF_ID = "3f0c8a4e-5b7d-4e21-9a36-0d2b6f1c7e55"


def bom_with(line: str) -> str:
    return BOM_CSV + line + "\n"


def write(
    write_project: WriteProject,
    line: str = "separator,separator,2,kg,,,pact:sep.json",
    pf: object | None = None,
    declaration: str = "",
    raw: str | None = None,
) -> Path:
    text = raw if raw is not None else pf_text(supplier_pf() if pf is None else pf)
    return write_project(
        bom=bom_with(line), project=project_text(declaration), files={"sep.json": text}
    )


def pact_line(project_file: Path, factors: FactorSet, rules: Ruleset) -> tuple[float, str]:
    decl = calculate(load_project(project_file), factors, rules)
    result = next(r for r in decl.lines if r.line.component == "separator")
    return result.kg_co2e, result.factor_source


def load_error(project_file: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_project(project_file)
    return info.value


def test_kilogram_footprint_on_a_mass_line(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    kg, source = pact_line(write(write_project), tiny_factors, tiny_rules)
    assert kg == pytest.approx(2 * 2.5)
    assert source.startswith("supplier: PACT sep.json: Example Separator Co.")
    assert f"footprint {PF_ID} version 2" in source
    assert "pCfExcludingBiogenic 2.5 kg CO2e per kilogram" in source


def test_grams_are_converted(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    line = "separator,separator,2000,g,,,pact:sep.json"
    kg, _ = pact_line(write(write_project, line), tiny_factors, tiny_rules)
    assert kg == pytest.approx(5.0)


def test_pieces_use_the_unitary_product_amount(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    kg, source = pact_line(
        write(write_project, "separator,separator,10,pcs,,,pact:sep.json"), tiny_factors, tiny_rules
    )
    assert kg == pytest.approx(10 * 0.4 * 2.5)
    assert "x 0.4 kilogram per piece (unitaryProductAmount)" in source


def test_kilowatt_hour_footprint(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    pf = supplier_pf(pcf__declaredUnit="kilowatt hour", pcf__pCfExcludingBiogenic="0.12")
    kg, _ = pact_line(
        write(write_project, "separator,steam,3,MWh,,,pact:sep.json", pf), tiny_factors, tiny_rules
    )
    assert kg == pytest.approx(3000 * 0.12)


def test_mass_line_with_a_volume_footprint_uses_the_product_mass(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    pf = supplier_pf(
        pcf__declaredUnit="liter",
        pcf__pCfExcludingBiogenic="3.0",
        pcf__productMassPerDeclaredUnit="1.2",
    )
    kg, source = pact_line(write(write_project, pf=pf), tiny_factors, tiny_rules)
    assert kg == pytest.approx(2 * 3.0 / 1.2)
    assert "productMassPerDeclaredUnit" in source


def test_the_line_is_supplier_specific_and_the_file_is_an_input(
    write_project: WriteProject,
) -> None:
    project = load_project(write(write_project))
    line = next(x for x in project.lines if x.component == "separator")
    assert line.data_type is DataType.SUPPLIER
    assert line.supplied is not None and line.supplied.unit == "kg CO2e/kg"
    assert "sep.json" in dict(project.inputs)


def test_sub_bom_resolves_the_file_beside_the_sub_bom(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    cell = (
        "component,material,quantity,unit,factor_source\nseparator,separator,0.5,kg,pact:sep.json\n"
    )
    path = write_project(
        bom=bom_with("cells,bom:cells/cell.csv,4,pcs,,,"),
        files={"cells/cell.csv": cell, "cells/sep.json": pf_text(supplier_pf())},
    )
    decl = calculate(load_project(path), tiny_factors, tiny_rules)
    result = next(r for r in decl.lines if r.line.component == "separator")
    assert result.kg_co2e == pytest.approx(4 * 0.5 * 2.5)
    assert "PACT cells/sep.json" in result.factor_source


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pcf__pCfExcludingBiogenic": None}, "pcf.pCfExcludingBiogenic"),
        ({"pcf__declaredUnit": None}, "pcf.declaredUnit"),
        ({"pcf__unitaryProductAmount": None}, "pcf.unitaryProductAmount"),
        ({"pcf__referencePeriodEnd": None}, "pcf.referencePeriodEnd"),
        ({"companyName": None}, "companyName"),
        ({"id": None}, "id"),
        ({"pcf": None}, "pcf"),
        ({"pcf__pCfExcludingBiogenic": 2.5}, "pcf.pCfExcludingBiogenic"),
        ({"pcf__pCfExcludingBiogenic": "2,5"}, "pcf.pCfExcludingBiogenic"),
        ({"pcf__pCfExcludingBiogenic": "-1"}, "pcf.pCfExcludingBiogenic"),
        ({"pcf__unitaryProductAmount": "0"}, "pcf.unitaryProductAmount"),
        ({"pcf__declaredUnit": "barrel"}, "pcf.declaredUnit"),
        ({"pcf__referencePeriodEnd": "2025-01-01T00:00:00"}, "pcf.referencePeriodEnd"),
        ({"id": "not-a-uuid"}, "id"),
        ({"version": "2"}, "version"),
        ({"status": "Draft"}, "status"),
        ({"specVersion": "4.0.0"}, "specVersion"),
    ],
)
def test_missing_or_mistyped_field_names_file_and_field(
    write_project: WriteProject, changes: dict[str, object], field: str
) -> None:
    error = load_error(write(write_project, pf=supplier_pf(**changes)))
    assert error.exit_code == 3
    assert error.where is not None
    assert error.where.file == "sep.json"
    assert error.where.key == field
    assert field in str(error)
    assert error.hint is not None and "bom.csv:6" in error.hint


def test_unconvertible_unit_is_an_input_error(write_project: WriteProject) -> None:
    pf = supplier_pf(pcf__declaredUnit="megajoule")
    error = load_error(write(write_project, pf=pf))
    assert error.code == "wrong-dimension"
    assert error.where is not None and (error.where.file, error.where.key) == (
        "sep.json",
        "pcf.declaredUnit",
    )
    assert "'megajoule'" in error.message and "'kg'" in error.message


def test_malformed_json_names_line_and_column(write_project: WriteProject) -> None:
    error = load_error(write(write_project, raw='{\n  "id": "x",\n  oops\n}\n'))
    assert error.code == "invalid-pact"
    assert error.where is not None
    assert (error.where.file, error.where.line) == ("sep.json", 3)
    assert error.where.column is not None


def test_missing_file(write_project: WriteProject) -> None:
    error = load_error(write(write_project, line="separator,separator,2,kg,,,pact:nowhere.json"))
    assert error.code == "missing-file"
    assert error.where is not None and error.where.file == "nowhere.json"


def test_factor_and_pact_file_together_are_refused(write_project: WriteProject) -> None:
    error = load_error(
        write(write_project, line="separator,separator,2,kg,,2 kg CO2e/kg,pact:sep.json")
    )
    assert error.where is not None and error.where.line == 6
    assert "not both" in error.message


def test_list_response_with_one_footprint_is_read(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    kg, _ = pact_line(write(write_project, pf={"data": [supplier_pf()]}), tiny_factors, tiny_rules)
    assert kg == pytest.approx(5.0)
    error = load_error(write(write_project, pf={"data": [supplier_pf(), supplier_pf()]}))
    assert error.where is not None and error.where.key == "data"


def codes(project_file: Path) -> list[str]:
    return [w.code for w in load_project(project_file).warnings]


@pytest.mark.parametrize(
    ("declaration", "changes", "expired"),
    [
        # no validity period: valid for 3 years after the reference period (until 2028-01-01)
        ("reference_period_start = 2026-01-01\nreference_period_end = 2027-01-01", {}, False),
        ("reference_period_start = 2028-01-01\nreference_period_end = 2029-01-01", {}, True),
        ("reference_period_start = 2027-01-01\nreference_period_end = 2028-01-01", {}, False),
        (
            "reference_period_start = 2026-01-01\nreference_period_end = 2027-01-01",
            {
                "validityPeriodStart": "2025-01-01T00:00:00Z",
                "validityPeriodEnd": "2026-06-01T00:00:00Z",
            },
            True,
        ),
        # without a reference period in the project nothing is compared (no clock)
        ("", {"validityPeriodEnd": "2000-01-01T00:00:00Z"}, False),
    ],
)
def test_expired_footprint_warns_against_the_reference_period(
    write_project: WriteProject, declaration: str, changes: dict[str, object], expired: bool
) -> None:
    path = write(write_project, pf=supplier_pf(**changes), declaration=declaration)
    assert ("supplier-pcf-expired" in codes(path)) is expired


def test_validity_end_is_in_the_provenance(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    _, source = pact_line(write(write_project), tiny_factors, tiny_rules)
    assert source.endswith("valid until 2028-01-01")


def test_deprecated_footprint_warns(write_project: WriteProject) -> None:
    assert "supplier-pcf-deprecated" in codes(
        write(write_project, pf=supplier_pf(status="Deprecated"))
    )
    assert "supplier-pcf-deprecated" not in codes(write(write_project))


def test_cli_error_names_file_and_field(write_project: WriteProject) -> None:
    path = write(write_project, pf=supplier_pf(pcf__pCfExcludingBiogenic=None))
    result = run("calc", path)
    assert result.exit_code == 3
    assert result.stdout == ""
    first, hint = result.stderr.splitlines()[:2]
    assert first == (
        "carbonfp: error: missing field pcf.pCfExcludingBiogenic "
        "(sep.json [pcf.pCfExcludingBiogenic])"
    )
    assert hint.startswith("hint: ") and "bom.csv:6" in hint


def test_expired_warning_reaches_the_declaration(write_project: WriteProject) -> None:
    path = write(
        write_project,
        declaration="reference_period_start = 2029-01-01\nreference_period_end = 2030-01-01",
    )
    text = run("calc", path).stdout
    assert (
        "was valid until 2028-01-01, before the end of the declaration's reference period" in text
    )
