"""The screening project of ``carbonfp estimate``: its materials line (the set's screening row or
the user's own value), the battery's mass, and which vehicle categories go with which battery."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support import SCREENING_PARAMS, make_battery, make_factor_set, make_screening_set

from carbonfp.errors import InputError
from carbonfp.method.screening import (
    estimated_mass,
    screening_project,
    screening_row,
    vehicle_category_problem,
)
from carbonfp.model import BatteryCategory, LineKind, Stage, SuppliedFactor

PARAMS = SCREENING_PARAMS


@pytest.mark.parametrize(
    ("category", "vehicle", "fits"),
    [
        (BatteryCategory.EV, "M1", True),
        (BatteryCategory.EV, "n3", True),
        (BatteryCategory.EV, "O2", True),
        (BatteryCategory.EV, "L3e-A2", True),  # an L vehicle with a battery over 25 kg
        (BatteryCategory.EV, "X9", False),
        (BatteryCategory.EV, None, False),
        (BatteryCategory.LMT, "L1e-B", True),
        (BatteryCategory.LMT, "L7e", True),
        (BatteryCategory.LMT, "M1", False),
        (BatteryCategory.LMT, "N1", False),
        (BatteryCategory.LMT, None, False),
        (BatteryCategory.INDUSTRIAL, None, True),
        (BatteryCategory.INDUSTRIAL, "M1", False),
    ],
)
def test_vehicle_categories_by_battery_category(
    category: BatteryCategory, vehicle: str | None, fits: bool
) -> None:
    problem = vehicle_category_problem(category, vehicle)
    assert (problem is None) is fits
    if problem and vehicle:
        assert repr(vehicle) in problem


def test_a_chemistry_without_a_screening_row_is_refused_with_what_to_do() -> None:
    with pytest.raises(InputError) as caught:
        screening_row("SIB", make_screening_set())
    assert caught.value.code == "unknown-chemistry"
    assert "no open screening factor for chemistry 'SIB' in tiny@1" in caught.value.message
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("chemistries with one: LFP, NMC811. ")
    assert "--materials" in caught.value.hint and "--materials-source" in caught.value.hint
    # a row of another table is no screening row
    with pytest.raises(InputError):
        screening_row("aluminium-primary", make_factor_set())


def test_the_materials_line_is_the_sets_row_or_the_users_value() -> None:
    factors = make_screening_set()
    battery = make_battery(chemistry="LFP", usable_capacity_kwh=100.0, mass_kg=1000.0)
    (line, *_) = screening_project(battery, "CN", PARAMS, factors).lines
    assert (line.factor_id, line.supplied, line.quantity) == ("greet-materials-lfp", None, 100.0)

    own = SuppliedFactor(65.0, "kg CO2e/kWh", "Author 2024, table 3")
    sib = replace(battery, chemistry="SIB")
    project = screening_project(sib, "CN", replace(PARAMS, materials=own), factors)
    line = project.lines[0]
    assert line.kind is LineKind.MATERIAL and line.stage is Stage.RAW_MATERIALS
    assert line.factor_id == "user-materials-sib"
    assert line.supplied == own
    assert line.quantity == 100.0
    assert "user value" in line.component
    assert "Author 2024, table 3" in line.note
    # without the user's value, the same battery has no materials line to make
    with pytest.raises(InputError):
        screening_project(sib, "CN", PARAMS, factors)


def test_the_mass_is_given_or_estimated_from_the_specific_energy_or_unknown() -> None:
    factors = make_screening_set()
    given = make_battery(chemistry="LFP", usable_capacity_kwh=100.0, mass_kg=700.0)
    assert estimated_mass(given, factors) == (given, "given")
    battery, basis = estimated_mass(replace(given, mass_kg=0.0), factors)
    assert battery.mass_kg == pytest.approx(100 * 1000 / 100.0)
    assert basis == "estimated from 100 Wh/kg (greet-materials-lfp, tiny@1)"
    for chemistry in ("NMC811", "SIB"):  # a row without specific energy, no row at all
        unknown = replace(given, chemistry=chemistry, mass_kg=0.0)
        assert estimated_mass(unknown, factors) == (unknown, "")


def test_the_distribution_leg_rests_on_the_mass_and_is_left_out_without_one() -> None:
    factors = make_screening_set()
    battery = make_battery(chemistry="NMC811", usable_capacity_kwh=100.0, mass_kg=600.0)
    project = screening_project(battery, "CN", replace(PARAMS, mass_basis="given"), factors)
    (leg,) = [line for line in project.lines if line.stage is Stage.DISTRIBUTION]
    assert (leg.kind, leg.factor_id, leg.unit) == (
        LineKind.TRANSPORT,
        "truck-hgv-average",
        "t*km",
    )
    assert leg.quantity == pytest.approx(600.0 / 1000 * 1000.0)
    assert leg.note.endswith("; mass given")
    # no mass (none given, no specific energy for NMC811): no leg, nothing else changes
    unknown = replace(battery, mass_kg=0.0)
    assert estimated_mass(unknown, factors) == (unknown, "")
    without = screening_project(unknown, "CN", PARAMS, factors)
    assert not [line for line in without.lines if line.stage is Stage.DISTRIBUTION]
    assert without.lines == tuple(line for line in project.lines if line is not leg)
