"""Unit strings, numbers and dimension checks (carbonfp.units)."""

from __future__ import annotations

import pytest

from carbonfp.errors import InputError, Location
from carbonfp.units import (
    dimension_name,
    emission_scale,
    normalise_unit,
    parse_number,
    parse_quantity,
    parse_unit,
    quantity_in,
    scale_to,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kg CO2e/kg", "kg_CO2e/kg"),
        ("kgCO2e/kWh", "kg_CO2e/kWh"),
        ("kg CO2-eq / kWh", "kg_CO2e / kWh"),
        ("kg CO2eq/kg", "kg_CO2e/kg"),
        ("kg CO₂e/kg", "kg_CO2e/kg"),
        ("g CO2e/MJ", "g_CO2e/MJ"),
        ("  kg  ", "kg"),
    ],
)
def test_normalise_unit_spellings(text: str, expected: str) -> None:
    assert normalise_unit(text) == expected


@pytest.mark.parametrize("text", ["t.km", "t·km", "t*km", "tkm", "t km"])
def test_tonne_kilometre_spellings(text: str) -> None:
    """Each spelling of t*km is one transport unit; the dot never reaches pint."""
    assert "." not in normalise_unit(text) and "·" not in normalise_unit(text)
    assert dimension_name(text) == "transport"
    assert scale_to(text, "t*km") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "dimension"),
    [
        ("kg", "mass"),
        ("g", "mass"),
        ("t", "mass"),
        ("kWh", "energy"),
        ("MJ", "energy"),
        ("t.km", "transport"),
        ("t*km", "transport"),
        ("tkm", "transport"),
        ("km", "length"),
        ("pcs", "count"),
        ("kg CO2e", "co2e"),
        ("t CO2e", "co2e"),
        ("", "dimensionless"),
    ],
)
def test_dimension_names(text: str, dimension: str) -> None:
    assert dimension_name(text) == dimension


@pytest.mark.parametrize(
    "factor_unit", ["kg CO2e/kg", "kgCO2e/kg", "kg CO2-eq/kg", "kg CO2eq / kg", "kg CO₂e/kg"]
)
def test_every_co2e_spelling_reads_as_kg_per_kg(factor_unit: str) -> None:
    assert emission_scale("kg", factor_unit) == pytest.approx(1.0, rel=1e-12)


# --- parse_number -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("12", None, 12.0),
        ("1.5", None, 1.5),
        ("1,5", None, 1.5),  # a lone comma is guessed to be a decimal comma
        ("1,5", True, 1.5),
        ("-3,5", True, -3.5),
        ("1.234,5", None, 1234.5),
        ("1.234,5", True, 1234.5),
        ("1,234.5", None, 1234.5),
        ("1,234.5", True, 1234.5),
        ("1 234,5", True, 1234.5),
        ("1\u00a0234,5", None, 1234.5),  # no-break space as thousands separator
        ("1\u202f234,5", None, 1234.5),  # narrow no-break space
        ("1'234.5", None, 1234.5),  # Swiss thousands separator
        ("1,234,567", None, 1234567.0),
        ("1,234,567", False, 1234567.0),
        ("1,234", False, 1234.0),  # comma CSV: a lone comma is a thousands separator
        ("1e3", None, 1000.0),
        (".5", None, 0.5),
        (",5", True, 0.5),
        ("  7  ", None, 7.0),
    ],
)
def test_parse_number(text: str, decimal_comma: bool | None, expected: float) -> None:
    assert parse_number(text, decimal_comma) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text", ["", "   ", "ten", "12 kg", "nan", "inf", "-inf", "1e400", "1..2"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("text", ["1,5", "12,4", "0,25"])
def test_parse_number_comma_is_not_a_thousands_separator_without_three_digits(text: str) -> None:
    """Regression: "1,5" in a comma CSV was read as 15."""
    try:
        value = parse_number(text, decimal_comma=False)
    except ValueError:
        return  # refusing the ambiguous number is fine too
    assert value == pytest.approx(float(text.replace(",", ".")))


# --- parse_quantity / quantity_in -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("75 kWh", (75.0, "kWh")),
        ("75kWh", (75.0, "kWh")),
        ("1,5 t", (1.5, "t")),
        ("1.5e3 kg", (1500.0, "kg")),
        ("10", (10.0, "")),
        (10, (10.0, "")),
        (2.5, (2.5, "")),
    ],
)
def test_parse_quantity(text: str | float, expected: tuple[float, str]) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("160 000 km", (160000.0, "km")),
        ("1 234,5 kg", (1234.5, "kg")),
        ("1\u00a0234.5 kg", (1234.5, "kg")),
    ],
)
def test_parse_quantity_with_space_thousands_separator(
    text: str, expected: tuple[float, str]
) -> None:
    """Regression: "160 000 km" was "unknown unit '000 km'"."""
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["abc", "kg 5", True])
def test_parse_quantity_rejects_non_quantities(text: str | bool) -> None:
    with pytest.raises(InputError) as info:
        parse_quantity(text)
    assert info.value.code == "bad-quantity"


def test_quantity_in_converts_to_the_target_unit() -> None:
    assert quantity_in("1,5 t", "kg") == pytest.approx(1500.0)
    assert quantity_in("78.1 kWh", "kWh") == pytest.approx(78.1)
    assert quantity_in("3.6 MJ", "kWh") == pytest.approx(1.0)
    assert quantity_in("500 g", "kg") == pytest.approx(0.5)


def test_quantity_in_without_unit_is_missing_unit() -> None:
    with pytest.raises(InputError) as info:
        quantity_in("10", "kg", Location("battery.toml", 7))
    assert info.value.code == "missing-unit"
    assert info.value.where == Location("battery.toml", 7)


def test_quantity_in_wrong_dimension() -> None:
    with pytest.raises(InputError) as info:
        quantity_in("75 kWh", "kg", what="mass")
    assert info.value.code == "wrong-dimension"
    assert "kWh" in info.value.message and "mass" in info.value.message


def test_scale_to() -> None:
    assert scale_to("g", "kg") == pytest.approx(1e-3)
    assert scale_to("t", "kg") == pytest.approx(1e3)
    assert scale_to("MJ", "kWh") == pytest.approx(1 / 3.6)
    with pytest.raises(InputError) as info:
        scale_to("km", "kg")
    assert info.value.code == "wrong-dimension"


# --- emission_scale ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount_unit", "factor_unit", "expected"),
    [
        ("kg", "kg CO2e/kg", 1.0),
        ("g", "kg CO2e/kg", 1e-3),  # grams of material
        ("t", "kg CO2e/kg", 1e3),
        ("kg", "g CO2e/kg", 1e-3),  # a factor in grams of CO2e
        ("kg", "t CO2e/t", 1.0),
        ("kWh", "g CO2e/kWh", 1e-3),
        ("MJ", "g CO2e/kWh", 1e-3 / 3.6),  # 1 MJ = 1/3.6 kWh
        ("kWh", "kg CO2e/MJ", 3.6),
        ("t*km", "kg CO2e/(t*km)", 1.0),
        ("t.km", "kg CO2e/tkm", 1.0),
        ("tkm", "kg CO2e/(t*km)", 1.0),
        ("pcs", "kg CO2e/pcs", 1.0),
        ("pcs", "g CO2e/piece", 1e-3),
        ("kg", "kg CO2e/t", 1e-3),
    ],
)
def test_emission_scale(amount_unit: str, factor_unit: str, expected: float) -> None:
    assert emission_scale(amount_unit, factor_unit) == pytest.approx(expected, rel=1e-12)


def test_grams_and_kilograms_give_the_same_emission() -> None:
    kg = 12.5 * emission_scale("kg", "kg CO2e/kg") * 3.0
    g = 12500 * emission_scale("g", "kg CO2e/kg") * 3.0
    assert g == pytest.approx(kg, rel=1e-12)


@pytest.mark.parametrize(
    "factor_unit", ["kg CO2e/t.km", "kg CO2e/t*km", "kg CO2e/tkm", "g CO2e/t·km"]
)
def test_transport_factor_spelled_per_t_dot_km(factor_unit: str) -> None:
    """Regression: "kg CO2e/t.km" was read as (kg CO2e/t)*km, a wrong-dimension error."""
    expected = 1e-3 if factor_unit.startswith("g") else 1.0
    assert emission_scale("t*km", factor_unit) == pytest.approx(expected)


def test_energy_amount_times_mass_factor_is_a_dimension_error() -> None:
    where = Location("bom.csv", 4)
    with pytest.raises(InputError) as info:
        emission_scale("kWh", "kg CO2e/kg", where, "aluminium-primary")
    error = info.value
    assert error.code == "wrong-dimension"
    assert error.where == where
    assert "aluminium-primary" in error.message
    assert "kWh" in error.message
    assert error.hint and "kg" in error.hint


@pytest.mark.parametrize(
    ("amount_unit", "factor_unit"),
    [("kg", "kg CO2e/kWh"), ("km", "kg CO2e/(t*km)"), ("kg", "kg"), ("kWh", "kg CO2e")],
)
def test_mismatched_units_never_give_a_number(amount_unit: str, factor_unit: str) -> None:
    with pytest.raises(InputError) as info:
        emission_scale(amount_unit, factor_unit)
    assert info.value.code == "wrong-dimension"


# --- unknown units ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["furlong", "kg/(", "kg*", "kg CO2", "EUR", "5 kg"])
def test_unknown_unit(text: str) -> None:
    where = Location("bom.csv", 3, 4)
    with pytest.raises(InputError) as info:
        parse_unit(text, where)
    error = info.value
    assert error.code == "unknown-unit"
    assert repr(text) in error.message
    assert error.where == where
    assert error.hint


def test_unknown_unit_in_an_emission_factor() -> None:
    with pytest.raises(InputError) as info:
        emission_scale("kg", "kg CO2e/furlong")
    assert info.value.code == "unknown-unit"


def test_unknown_unit_in_a_quantity() -> None:
    with pytest.raises(InputError) as info:
        parse_quantity("2 EUR")
    assert info.value.code == "unknown-unit"
    assert "EUR" in info.value.message
