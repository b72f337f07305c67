"""The core on the tiny in-test factor set: sums per stage, per kWh, overrides and refusals."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support import make_battery, make_line, make_project, make_rules

from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError
from carbonfp.formats.declaration import to_csv, to_dict, to_json
from carbonfp.model import (
    ActivityLine,
    DataType,
    FactorSet,
    LineKind,
    Ruleset,
    Stage,
    SuppliedFactor,
)


def lines_of_every_kind() -> list[ActivityLine]:
    """One line per kind and table of the tiny set; kg CO2e worked out by hand in comments."""
    return [
        make_line("aluminium-primary", 10.0, "kg", row=2),  # 10 x 10 = 100
        make_line("steel-sheet", 5000.0, "g", row=3),  # 5 kg x 2 = 10
        make_line("graphite-natural", 2.0, "kg", row=4),  # 2 x 4000 g = 8
        make_line("recycling-hydromet", 80.0, "kg", stage=Stage.END_OF_LIFE, row=5),  # 40
        make_line("grid-hu", 100.0, "kWh", LineKind.ELECTRICITY, row=6),  # 100 x 0.5 = 50
        make_line("grid-cn", 72.0, "MJ", LineKind.ELECTRICITY, row=7),  # 20 kWh x 0.6 = 12
        make_line("natural-gas", 100.0, "MJ", LineKind.FUEL, row=8),  # 100 x 0.05 = 5
        make_line("HFC-134a", 0.01, "kg", LineKind.PROCESS_EMISSION, row=9),  # 0.01 x 1530 = 15.3
        make_line(  # 0.08 t x 500 km x 0.1 = 4
            "truck-hgv-average", 40.0, "t*km", LineKind.TRANSPORT, stage=Stage.DISTRIBUTION, row=10
        ),
        make_line(  # 500 t*km x 0.02 = 10
            "sea-container-average",
            500.0,
            "t*km",
            LineKind.TRANSPORT,
            stage=Stage.RAW_MATERIALS,
            row=11,
        ),
    ]


EXPECTED_KG = {
    Stage.RAW_MATERIALS: 100 + 10 + 8 + 10,
    Stage.PRODUCTION: 50 + 12 + 5 + 15.3,
    Stage.DISTRIBUTION: 4.0,
    Stage.END_OF_LIFE: 40.0,
}


def test_per_stage_sums_equal_the_hand_sums(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    decl = calculate(make_project(lines_of_every_kind()), tiny_factors, tiny_rules)
    assert [s.stage for s in decl.stages] == list(Stage)
    for stage, kg in EXPECTED_KG.items():
        assert decl.stage(stage).kg_co2e == pytest.approx(kg, rel=1e-12), stage
    assert decl.absolute_kg_co2e == pytest.approx(sum(EXPECTED_KG.values()), rel=1e-12)


def test_line_results_in_input_order(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    lines = lines_of_every_kind()
    decl = calculate(make_project(lines), tiny_factors, tiny_rules)
    assert [r.line for r in decl.lines] == lines
    assert [round(r.kg_co2e, 9) for r in decl.lines] == [
        100.0,
        10.0,
        8.0,
        40.0,
        50.0,
        12.0,
        5.0,
        15.3,
        4.0,
        10.0,
    ]
    process = decl.lines[7]
    assert process.factor_id == "AR6:HFC-134a"
    assert process.factor_value == 1530.0
    assert process.stage is Stage.PRODUCTION


def test_per_kwh_is_kg_over_total_energy(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    decl = calculate(make_project(lines_of_every_kind()), tiny_factors, tiny_rules)
    e_total = 75 * 60 * 8
    assert decl.functional_unit.total_energy_kwh == pytest.approx(e_total)
    for stage, kg in EXPECTED_KG.items():
        assert decl.stage(stage).kg_co2e_per_kwh == pytest.approx(kg / e_total, rel=1e-12)
    total = sum(EXPECTED_KG.values())
    assert decl.total_kg_co2e_per_kwh == pytest.approx(total / e_total, rel=1e-12)
    assert sum(s.kg_co2e_per_kwh for s in decl.stages) == pytest.approx(
        decl.total_kg_co2e_per_kwh, rel=1e-12
    )
    assert sum(s.share for s in decl.stages) == pytest.approx(1.0, rel=1e-12)
    assert decl.stage(Stage.DISTRIBUTION).share == pytest.approx(4.0 / total, rel=1e-12)


def test_cradle_to_gate_per_kwh_of_usable_capacity(
    tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    battery = make_battery(usable_capacity_kwh=60.0, nominal_capacity_kwh=64.0)
    decl = calculate(make_project(lines_of_every_kind(), battery), tiny_factors, tiny_rules)
    raw_plus_production = EXPECTED_KG[Stage.RAW_MATERIALS] + EXPECTED_KG[Stage.PRODUCTION]
    assert decl.cradle_to_gate_kg_co2e == pytest.approx(raw_plus_production, rel=1e-12)
    assert decl.cradle_to_gate_kg_co2e_per_kwh_capacity == pytest.approx(
        raw_plus_production / 60.0, rel=1e-12
    )


def test_supplied_factor_overrides_the_set(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    supplied = SuppliedFactor(3.0, "kg CO2e/kg", "Supplier X PCF 2026")
    line = make_line(
        "aluminium-primary", 10.0, supplied=supplied, data_type=DataType.SUPPLIER, row=2
    )
    decl = calculate(make_project([line]), tiny_factors, tiny_rules)
    (result,) = decl.lines
    assert result.kg_co2e == pytest.approx(30.0)  # not 10 x 10 from the set
    assert result.factor_value == 3.0
    assert result.factor_status == "supplier"
    assert "Supplier X PCF 2026" in result.factor_source
    assert decl.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(30.0)


def test_supplied_factor_for_an_id_the_set_does_not_know(
    tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    supplied = SuppliedFactor(250.0, "g CO2e/kg", "Supplier Y")
    line = make_line("cam-nmc811", 4.0, supplied=supplied)
    decl = calculate(make_project([line]), tiny_factors, tiny_rules)
    assert decl.absolute_kg_co2e == pytest.approx(1.0)


def test_set_factor_provenance(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    decl = calculate(make_project(lines_of_every_kind()), tiny_factors, tiny_rules)
    assert decl.provenance.factor_set == "tiny@1"
    assert decl.provenance.ruleset == "tiny-rules"
    assert [s.key for s in decl.provenance.sources] == ["tiny"]
    assert decl.lines[0].factor_source == "tiny"


def test_unknown_material_suggests_close_ids(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    line = make_line("aluminium-primry", 10.0, row=7)
    with pytest.raises(InputError) as info:
        calculate(make_project([line]), tiny_factors, tiny_rules)
    error = info.value
    assert error.code == "unknown-factor"
    assert error.where == line.where
    assert "aluminium-primry" in error.message
    assert error.hint is not None
    assert "'aluminium-primary'" in error.hint
    assert "grid-hu" not in error.hint  # only ids of the material tables are suggested


def test_unknown_material_without_close_ids(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    with pytest.raises(InputError) as info:
        calculate(make_project([make_line("unobtainium", 1.0)]), tiny_factors, tiny_rules)
    assert info.value.code == "unknown-factor"
    assert info.value.hint and "factor" in info.value.hint


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (make_line("grid-xx", 1.0, "kWh", LineKind.ELECTRICITY), "unknown-factor"),
        (make_line("diesel", 1.0, "MJ", LineKind.FUEL), "unknown-factor"),
        (make_line("SF7", 1.0, "kg", LineKind.PROCESS_EMISSION), "unknown-factor"),
        (
            make_line("teleport", 1.0, "t*km", LineKind.TRANSPORT, stage=Stage.DISTRIBUTION),
            "unknown-factor",
        ),
        (make_line("grid-hu", 1.0, "kg"), "wrong-factor-table"),  # a material line
        # an electricity block takes the grid of its country, whatever its factor id says
        (make_line("steel-sheet", 1.0, "kWh", LineKind.ELECTRICITY), "unknown-factor"),
    ],
)
def test_unresolvable_factors(
    tiny_factors: FactorSet, tiny_rules: Ruleset, line: ActivityLine, code: str
) -> None:
    with pytest.raises(InputError) as info:
        calculate(make_project([line]), tiny_factors, tiny_rules)
    assert info.value.code == code
    assert info.value.where == line.where


def test_unknown_gwp_set(tiny_factors: FactorSet) -> None:
    rules = make_rules(gwp_set="AR4")
    line = make_line("CO2", 1.0, "kg", LineKind.PROCESS_EMISSION)
    with pytest.raises(InputError) as info:
        calculate(make_project([line]), tiny_factors, rules)
    assert info.value.code == "unknown-gwp-set"


def test_wrong_dimension_names_the_line(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    line = make_line("aluminium-primary", 10.0, "kWh", row=9)
    with pytest.raises(InputError) as info:
        calculate(make_project([line]), tiny_factors, tiny_rules)
    assert info.value.code == "wrong-dimension"
    assert info.value.where == line.where
    assert "aluminium-primary" in info.value.message


def test_negative_stage_is_allowed(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    credit = SuppliedFactor(-0.5, "kg CO2e/kg", "recycler credit")
    lines = [
        make_line("aluminium-primary", 10.0),  # 100
        make_line("recycling-hydromet", 80.0, stage=Stage.END_OF_LIFE, supplied=credit),  # -40
    ]
    decl = calculate(make_project(lines), tiny_factors, tiny_rules)
    assert decl.stage(Stage.END_OF_LIFE).kg_co2e == pytest.approx(-40.0)
    assert decl.absolute_kg_co2e == pytest.approx(60.0)
    assert decl.stage(Stage.END_OF_LIFE).share == pytest.approx(-40.0 / 60.0)


def test_negative_total_is_refused(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    credit = SuppliedFactor(-10.0, "kg CO2e/kg", "recycler credit")
    lines = [
        make_line("aluminium-primary", 10.0),  # 100
        make_line("recycling-hydromet", 80.0, stage=Stage.END_OF_LIFE, supplied=credit),  # -800
    ]
    with pytest.raises(InputError) as info:
        calculate(make_project(lines), tiny_factors, tiny_rules)
    assert info.value.code == "negative-total"
    assert info.value.hint


def test_literature_and_proxy_factors_are_flagged(tiny_rules: Ruleset) -> None:
    from dataclasses import replace

    from support import make_factor_set

    base = make_factor_set()
    factors = replace(
        base,
        factors={
            **base.factors,
            "aluminium-primary": replace(base.factors["aluminium-primary"], status="literature"),
            "steel-sheet": replace(base.factors["steel-sheet"], status="proxy"),
        },
    )
    lines = [make_line("aluminium-primary", 1.0), make_line("steel-sheet", 1.0)]
    decl = calculate(make_project(lines), factors, tiny_rules)
    codes = [w.code for w in decl.warnings]
    assert "literature-factors" in codes and "proxy-factors" in codes


def test_json_and_csv_carry_the_core_numbers(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    decl = calculate(make_project(lines_of_every_kind()), tiny_factors, tiny_rules)
    data = json.loads(to_json(decl))
    assert data == json.loads(json.dumps(to_dict(decl)))
    stages = data["carbon_footprint"]["stages"]
    for stage, kg in EXPECTED_KG.items():
        assert stages[stage.value]["kg_co2e"] == pytest.approx(kg, rel=1e-9)
    assert data["functional_unit"]["total_energy_kwh"] == 36000.0
    assert len(data["lines"]) == len(decl.lines)

    rows = list(csv.DictReader(io.StringIO(to_csv(decl))))
    total = next(r for r in rows if r["stage"] == "total" and r["metric"] == "kg_co2e")
    assert float(total["value"]) == pytest.approx(sum(EXPECTED_KG.values()), rel=1e-9)
    line_rows = list(csv.DictReader(io.StringIO(to_csv(decl, lines=True))))
    assert len(line_rows) == len(decl.lines)


def test_csv_neutralises_spreadsheet_formulas(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    battery = make_battery(model='=HYPERLINK("http://x")')
    decl = calculate(
        make_project([make_line("steel-sheet", 1.0)], battery), tiny_factors, tiny_rules
    )
    for row in csv.reader(io.StringIO(to_csv(decl))):
        assert not row[0].startswith("=")
