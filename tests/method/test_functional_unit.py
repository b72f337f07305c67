"""Functional unit: E_total = usable capacity x cycles per year x service life (METHOD s.3)."""

from __future__ import annotations

import pytest
from support import make_battery, make_rules

from carbonfp.data import load_rules
from carbonfp.errors import InputError
from carbonfp.method.functional_unit import functional_unit, vehicle_group
from carbonfp.model import BatteryCategory, Ruleset


@pytest.fixture(scope="module")
def shipped_rules() -> Ruleset:
    return load_rules("eu-ev-draft-2024-04")


def test_method_worked_check(tiny_rules: Ruleset) -> None:
    """METHOD.md s.3: 75 kWh, M1, 8 years -> 75 x 60 x 8 = 36 000 kWh; 5 000 kg -> 0.139."""
    battery = make_battery(usable_capacity_kwh=75.0, vehicle_category="M1", warranty_years=8.0)
    fu, warnings = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.total_energy_kwh == pytest.approx(36_000.0)
    assert fu.cycles_per_year == 60.0
    assert fu.service_life_years == 8.0
    assert fu.usable_capacity_kwh == 75.0
    assert 5_000 / fu.total_energy_kwh == pytest.approx(0.139, abs=5e-4)
    assert "36 000 kWh" in fu.derivation
    assert warnings == []


def test_method_worked_check_with_the_shipped_ruleset(shipped_rules: Ruleset) -> None:
    battery = make_battery(usable_capacity_kwh=75.0, vehicle_category="M1", warranty_years=8.0)
    fu, _ = functional_unit(battery, shipped_rules, "battery.toml")
    assert fu.total_energy_kwh == pytest.approx(36_000.0)


@pytest.mark.parametrize(
    ("vehicle", "cycles"),
    [
        ("M1", 60),
        ("N1", 60),
        ("L", 20),
        ("L1e-B", 20),
        ("L3e-A1", 20),
        ("l7e-cu", 20),
        ("M2", 250),
        ("M3", 250),  # city bus
        ("N2", 250),
        ("N3", 250),
    ],
)
def test_cycles_per_year_of_the_shipped_ruleset(
    shipped_rules: Ruleset, vehicle: str, cycles: float
) -> None:
    category = BatteryCategory.LMT if vehicle.upper().startswith("L") else BatteryCategory.EV
    battery = make_battery(vehicle_category=vehicle, category=category, usable_capacity_kwh=10.0)
    fu, _ = functional_unit(battery, shipped_rules, "battery.toml")
    assert fu.cycles_per_year == cycles
    assert fu.total_energy_kwh == pytest.approx(10.0 * cycles * 8.0)


@pytest.mark.parametrize(
    ("text", "group"),
    [("L3e-A1", "L"), ("L1e-B", "L"), ("L", "L"), ("l6e", "L"), ("M1", "M1"), (" m3 ", "M3")],
)
def test_vehicle_group(text: str, group: str) -> None:
    assert vehicle_group(text) == group


def test_bus_m3(tiny_rules: Ruleset) -> None:
    battery = make_battery(vehicle_category="M3", usable_capacity_kwh=350.0, warranty_years=8.0)
    fu, _ = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.cycles_per_year == 250
    assert fu.total_energy_kwh == pytest.approx(350 * 250 * 8)


def test_km_warranty_shorter_than_years(tiny_rules: Ruleset) -> None:
    battery = make_battery(warranty_years=8.0, warranty_km=100_000.0, annual_distance_km=20_000.0)
    fu, _ = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.service_life_years == pytest.approx(5.0)
    assert fu.total_energy_kwh == pytest.approx(75 * 60 * 5)
    assert "100 000 km" in fu.derivation


def test_years_shorter_than_km_warranty(tiny_rules: Ruleset) -> None:
    battery = make_battery(warranty_years=8.0, warranty_km=160_000.0, annual_distance_km=15_000.0)
    fu, _ = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.service_life_years == 8.0
    assert fu.total_energy_kwh == pytest.approx(36_000.0)


def test_km_basis_from_the_ruleset() -> None:
    rules = make_rules(km_per_year={"M1": 25_000.0})
    battery = make_battery(warranty_years=8.0, warranty_km=100_000.0)
    fu, _ = functional_unit(battery, rules, "battery.toml")
    assert fu.service_life_years == pytest.approx(4.0)


def test_project_distance_wins_over_the_ruleset() -> None:
    rules = make_rules(km_per_year={"M1": 25_000.0})
    battery = make_battery(warranty_years=8.0, warranty_km=100_000.0, annual_distance_km=50_000.0)
    fu, _ = functional_unit(battery, rules, "battery.toml")
    assert fu.service_life_years == pytest.approx(2.0)


@pytest.mark.parametrize("rules_name", ["tiny", "shipped"])
def test_km_warranty_without_a_km_basis(
    tiny_rules: Ruleset, shipped_rules: Ruleset, rules_name: str
) -> None:
    rules = tiny_rules if rules_name == "tiny" else shipped_rules
    battery = make_battery(warranty_years=8.0, warranty_km=160_000.0, annual_distance_km=None)
    with pytest.raises(InputError) as info:
        functional_unit(battery, rules, "battery.toml")
    error = info.value
    assert error.code == "missing-km-basis"
    assert error.where is not None and error.where.file == "battery.toml"
    assert error.hint and "annual_distance" in error.hint


def test_unknown_vehicle_category(tiny_rules: Ruleset) -> None:
    battery = make_battery(vehicle_category="T1")
    with pytest.raises(InputError) as info:
        functional_unit(battery, tiny_rules, "battery.toml")
    error = info.value
    assert error.code == "unknown-vehicle-category"
    assert "T1" in error.message
    assert error.hint and "M1" in error.hint and "cycles_per_year" in error.hint


def test_other_category_with_justified_cycles(tiny_rules: Ruleset) -> None:
    battery = make_battery(
        vehicle_category="T1",
        cycles_per_year=120.0,
        cycles_per_year_justification="fleet telematics 2025",
    )
    fu, warnings = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.cycles_per_year == 120.0
    assert fu.total_energy_kwh == pytest.approx(75 * 120 * 8)
    assert "fleet telematics 2025" in fu.derivation
    assert warnings == []


def test_other_category_cycles_need_a_justification(tiny_rules: Ruleset) -> None:
    battery = make_battery(vehicle_category="T1", cycles_per_year=120.0)
    with pytest.raises(InputError) as info:
        functional_unit(battery, tiny_rules, "battery.toml")
    error = info.value
    assert error.code == "missing-key"
    assert error.where is not None
    assert error.where.key == "battery.cycles_per_year_justification"


def test_user_cycles_are_ignored_where_the_ruleset_fixes_them(tiny_rules: Ruleset) -> None:
    battery = make_battery(
        vehicle_category="M1", cycles_per_year=300.0, cycles_per_year_justification="ours"
    )
    fu, warnings = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.cycles_per_year == 60.0
    assert [w.code for w in warnings] == ["cycles-ignored"]


def test_ruleset_that_does_not_cover_the_category(tiny_rules: Ruleset) -> None:
    battery = make_battery(category=BatteryCategory.INDUSTRIAL, vehicle_category=None)
    with pytest.raises(InputError) as info:
        functional_unit(battery, tiny_rules, "battery.toml")
    assert info.value.code == "ruleset-category"


def test_equal_km_and_year_warranties(tiny_rules: Ruleset) -> None:
    battery = make_battery(warranty_years=3.0, warranty_km=6_000.0, annual_distance_km=2_000.0)
    fu, _ = functional_unit(battery, tiny_rules, "battery.toml")
    assert fu.service_life_years == 3.0
    assert fu.total_energy_kwh == pytest.approx(75 * 60 * 3)


def test_equal_warranties_are_not_called_shorter(tiny_rules: Ruleset) -> None:
    battery = make_battery(warranty_years=3.0, warranty_km=6_000.0, annual_distance_km=2_000.0)
    fu, _ = functional_unit(battery, tiny_rules, "battery.toml")
    assert "shorter than 3 years" not in fu.derivation
    assert "gives the same" in fu.derivation
