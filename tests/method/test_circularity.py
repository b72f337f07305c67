"""The Circular Footprint Formula against hand calculations, and recycled content."""

from __future__ import annotations

import pytest

from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError, Location
from carbonfp.model import (
    CffMaterial,
    EndOfLife,
    EolMaterial,
    Stage,
    SuppliedFactor,
)
from tests.support import make_factor_set, make_line, make_project, make_rules

ROWS = {
    "aluminium-primary": ("materials", 10.0, "kg CO2e/kg"),
    "aluminium-recycled": ("materials", 1.0, "kg CO2e/kg"),
    "copper-foil": ("materials", 5.0, "kg CO2e/kg"),
}
ALU = CffMaterial("aluminium", ("aluminium*",), a=0.2, recycled_factor="aluminium-recycled")
COPPER = CffMaterial("copper", ("copper*",), a=0.2, r2=0.9)
RULES = make_rules(cff=(ALU, COPPER), recycled_minimums={"2031-08-18": {"Cu": 0.1}})


def eol(**materials: EolMaterial) -> EndOfLife:
    return EndOfLife("hydrometallurgy", materials, Location("battery.toml", key="end_of_life"))


def kg(value: float) -> SuppliedFactor:
    return SuppliedFactor(value, "kg CO2e/kg", "test recycler")


def project(end_of_life: EndOfLife | None, *lines):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(make_project(list(lines)), end_of_life=end_of_life)


def test_r1_term_in_raw_materials_matches_a_hand_calculation() -> None:
    # (1 - R1) Ev + R1 (A Erec + (1 - A) Ev Qsin/Qp) = 0.7*10 + 0.3*(0.2*1 + 0.8*10) = 9.46
    line = make_line("aluminium-primary", 100.0, recycled_share=0.3)
    decl = calculate(project(None, line), make_factor_set(ROWS), RULES)
    assert decl.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(946.0)
    assert decl.cff[0].raw_materials_kg == pytest.approx(946.0)
    assert any(w.code == "cff-not-applied" for w in decl.warnings)


def test_end_of_life_terms_match_a_hand_calculation_and_can_be_negative() -> None:
    # copper: R2 0.9 (ruleset), ErecEoL 1, E*v 5, A 0.2, ED 0.1 on the 10 % not recycled:
    # (1-0.2)*0.9*(1 - 5*1) * 20 kg = -57.6 ; (1-0.9-0)*0.1*20 = 0.2
    line = make_line("copper-foil", 20.0)
    end = eol(copper=EolMaterial("copper", recycling=kg(1.0), disposal=kg(0.1)))
    decl = calculate(project(end, line), make_factor_set(ROWS), RULES)
    result = decl.cff[0]
    assert result.recycling_kg == pytest.approx(-57.6)
    assert result.disposal_kg == pytest.approx(0.2)
    assert decl.stage(Stage.END_OF_LIFE).kg_co2e == pytest.approx(-57.4)
    assert decl.stage(Stage.END_OF_LIFE).kg_co2e_per_kwh < 0
    assert decl.absolute_kg_co2e == pytest.approx(100.0 - 57.4)


def test_project_overrides_ruleset_rates_and_quality() -> None:
    # R2 0.5 and Qsout 0.5 from the project: 0.8*0.5*(1 - 5*0.5) * 20 = -12
    end = eol(copper=EolMaterial("copper", r2=0.5, q_out=0.5, recycling=kg(1.0)))
    decl = calculate(project(end, make_line("copper-foil", 20.0)), make_factor_set(ROWS), RULES)
    assert decl.cff[0].recycling_kg == pytest.approx(-12.0)


def test_missing_recycling_factor_is_an_input_error() -> None:
    end = eol()
    with pytest.raises(InputError) as caught:
        calculate(project(end, make_line("copper-foil", 20.0)), make_factor_set(ROWS), RULES)
    assert caught.value.code == "missing-recycling-factor"
    assert "copper" in caught.value.message


def test_group_without_r2_default_warns_and_credits_nothing() -> None:
    decl = calculate(
        project(eol(), make_line("aluminium-primary", 10.0)), make_factor_set(ROWS), RULES
    )
    assert decl.stage(Stage.END_OF_LIFE).kg_co2e == 0.0
    assert any(w.code == "cff-no-r2" for w in decl.warnings)


def test_supplier_specific_factor_keeps_its_value_in_raw_materials() -> None:
    line = make_line(
        "copper-foil", 10.0, recycled_share=0.5, supplied=SuppliedFactor(4.0, "kg CO2e/kg", "s")
    )
    decl = calculate(project(None, line), make_factor_set(ROWS), RULES)
    assert decl.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(40.0)


def test_negative_total_is_refused() -> None:
    end = eol(copper=EolMaterial("copper", recycling=kg(0.0)))
    line = make_line("copper-foil", 10.0, supplied=SuppliedFactor(5.0, "kg CO2e/kg", "s"))
    # raw 50; end of life 0.8*0.9*(0 - 5) * 10 = -36: total positive
    assert calculate(project(end, line), make_factor_set(ROWS), RULES).absolute_kg_co2e > 0
    big = CffMaterial("copper", ("copper*",), a=0.0, r2=1.0, q_out=1.0)
    with pytest.raises(InputError) as caught:
        calculate(
            project(eol(copper=EolMaterial("copper", recycling=kg(-1.0))), line),
            make_factor_set(ROWS),
            make_rules(cff=(big,)),
        )
    assert caught.value.code == "negative-total"


def test_recycled_content_per_element_from_composition() -> None:
    fs = make_factor_set(ROWS)
    from dataclasses import replace

    fs = replace(fs, composition={"copper-foil": {"Cu": 1.0}})
    supplier = SuppliedFactor(4.0, "kg CO2e/kg", "supplier PCF with recycled content")
    lines = [
        make_line("copper-foil", 30.0, recycled_share=0.2, supplied=supplier, row=2),
        make_line("copper-foil", 10.0, row=3),
    ]
    decl = calculate(project(None, *lines), fs, RULES)
    (cu,) = decl.recycled_content
    assert cu.element == "Cu"
    assert cu.content_kg == pytest.approx(40.0)
    assert cu.share == pytest.approx(6.0 / 40.0)
    assert cu.minimums == (("2031-08-18", 0.1, True),)
