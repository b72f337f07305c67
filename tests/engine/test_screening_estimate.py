"""The screening estimate through the one engine (engine/scenarios.estimate), on the tiny set:
an industrial battery's cycle-life functional unit and the user's own materials value, worked
out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support import SCREENING_PARAMS, make_battery, make_rules, make_screening_set

from carbonfp.engine.scenarios import estimate
from carbonfp.errors import UsageError
from carbonfp.method.screening import ScreeningParameters
from carbonfp.model import Battery, BatteryCategory, Ruleset, Stage, SuppliedFactor

PARAMS = SCREENING_PARAMS


def industrial_rules() -> Ruleset:
    return make_rules(
        id="tiny-industrial",
        categories=(BatteryCategory.INDUSTRIAL,),
        fu_method="cycle-life",
    )


def storage(**changes: object) -> Battery:
    values: dict[str, object] = dict(
        category=BatteryCategory.INDUSTRIAL,
        vehicle_category=None,
        chemistry="LFP",
        usable_capacity_kwh=100.0,
        mass_kg=0.0,
        warranty_years=10.0,
        declared_cycles=5000.0,
        end_of_life_capacity=0.8,
    )
    values.update(changes)
    return make_battery(**values)


def test_an_industrial_estimate_by_hand() -> None:
    (cn, hu) = estimate(storage(), ["CN", "HU"], PARAMS, make_screening_set(), industrial_rules())
    energy = 100 * 5000 * (1 + 0.8) / 2
    assert cn.functional_unit.total_energy_kwh == pytest.approx(energy)
    mass_t = 100 * 1000 / 100.0 / 1000  # 100 Wh/kg
    materials = 40.0 * 100
    production = {"CN": 20 * 100 * 0.6 + 50 * 100 * 0.05, "HU": 20 * 100 * 0.5 + 50 * 100 * 0.05}
    distribution = 0.1 * mass_t * 1000
    for decl in (cn, hu):
        country = decl.project.plant.country
        assert decl.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(materials)
        assert decl.stage(Stage.PRODUCTION).kg_co2e == pytest.approx(production[country])
        assert decl.stage(Stage.DISTRIBUTION).kg_co2e == pytest.approx(distribution)
        total = materials + production[country] + distribution
        assert decl.absolute_kg_co2e == pytest.approx(total)
        assert decl.total_kg_co2e_per_kwh == pytest.approx(total / energy)


def test_the_users_materials_value_and_mass_go_through_the_engine() -> None:
    own = SuppliedFactor(30.0, "kg CO2e/kWh", "Author 2024")
    battery = storage(
        chemistry="SIB", mass_kg=800.0, end_of_life_capacity=None, mean_capacity_factor=0.9
    )
    (decl,) = estimate(
        battery,
        ["CN"],
        replace(PARAMS, materials=own),
        make_screening_set(),
        industrial_rules(),
    )
    assert decl.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(30.0 * 100)
    assert decl.stage(Stage.DISTRIBUTION).kg_co2e == pytest.approx(0.1 * 0.8 * 1000)
    assert decl.functional_unit.total_energy_kwh == pytest.approx(100 * 5000 * 0.9)
    (materials,) = [r for r in decl.lines if r.stage is Stage.RAW_MATERIALS]
    assert materials.factor_value == 30.0 and materials.line.supplied == own


def test_without_a_mass_or_a_specific_energy_there_is_no_distribution_leg() -> None:
    """NMC811's row has no specific energy: no mass is made up, the leg is left out."""
    (decl,) = estimate(
        storage(chemistry="NMC811"), ["CN"], PARAMS, make_screening_set(), industrial_rules()
    )
    assert decl.project.battery.mass_kg == 0
    assert not [r for r in decl.lines if r.stage is Stage.DISTRIBUTION]
    assert decl.stage(Stage.DISTRIBUTION).kg_co2e == 0
    materials = 50.0 * 100
    production = 20 * 100 * 0.6 + 50 * 100 * 0.05
    assert decl.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(materials)
    assert decl.absolute_kg_co2e == pytest.approx(materials + production)
    # given a mass, the same battery has its leg
    (given,) = estimate(
        storage(chemistry="NMC811", mass_kg=500.0),
        ["CN"],
        PARAMS,
        make_screening_set(),
        industrial_rules(),
    )
    assert given.stage(Stage.DISTRIBUTION).kg_co2e == pytest.approx(0.1 * 0.5 * 1000)


EOL = SuppliedFactor(0.5, "kg CO2e/kg", "Study Y 2024")


@pytest.mark.parametrize(
    ("changes", "params", "message"),
    [
        ({"vehicle_category": "M1"}, PARAMS, "an industrial battery has no vehicle category"),
        # a value per kg and no mass: none given, no specific energy for NMC811
        (
            {"chemistry": "NMC811"},
            replace(PARAMS, end_of_life=EOL),
            "no mass for the end-of-life value per kg",
        ),
        ({"usable_capacity_kwh": 0.0}, PARAMS, "--capacity must be greater than zero"),
    ],
)
def test_usage_errors(
    changes: dict[str, object], params: ScreeningParameters, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        estimate(storage(**changes), ["CN"], params, make_screening_set(), industrial_rules())
