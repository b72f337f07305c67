"""Unit strings, numbers and dimension checks (carbonfp.units)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from carbonfp import units
from carbonfp.errors import InputError, Location
from carbonfp.units import (
    CACHE_FILE,
    UnitInfo,
    dimension_name,
    emission_scale,
    normalise_unit,
    parse_number,
    parse_quantity,
    parse_unit,
    quantity_in,
    registry,
    scale_to,
    unit_key,
    units_sha256,
)

REPO = Path(__file__).resolve().parent.parent


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
        ("kg_CO2e/kg", "kg_CO2e/kg"),
    ],
)
def test_normalise_unit_spellings(text: str, expected: str) -> None:
    assert normalise_unit(text) == expected
    assert normalise_unit(expected) == expected  # a normalised unit reads the same again


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


# --- the shipped cache of units (factors/units.cache.json) ------------------------------------
#
# pint is the authority on what a unit means; the cache holds what it said, so that a run on
# the common units never imports it. These tests hold the cache to pint.


def _cache_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("units_cache", REPO / "scripts/units_cache.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shipped_cache() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPO / "factors" / CACHE_FILE).read_text(encoding="utf-8"))
    return data


def _pint(key: str) -> Any:
    reg = registry()
    return reg.parse_units(key) if key else reg.dimensionless


def _cached_keys(co2e: bool) -> list[str]:
    """The cached unit keys with (or without) CO2e in their dimensionality."""
    units = _shipped_cache()["units"]
    return [k for k, v in units.items() if ("[co2e]" in v["dimensionality"]) == co2e]


@pytest.fixture
def fresh_units() -> Iterator[None]:
    """Forget every unit read so far, before and after the test (the cache is read again)."""

    def clear() -> None:
        for fn in (
            units._cached_units,
            units._parse,
            units._scale,
            units._emission_scale,
            units.registry,
            units._quantity_value,
        ):
            fn.cache_clear()

    clear()
    yield
    clear()


def test_shipped_cache_is_up_to_date() -> None:
    """The cache is what pint gives now for units.txt and the list of units of the script."""
    current = (REPO / "factors" / CACHE_FILE).read_text(encoding="utf-8")
    assert current == _cache_script().cache_text(REPO), (
        f"factors/{CACHE_FILE} is out of date (units.txt, the factor sets' or samples' units, or "
        "the script's list changed): run python scripts/units_cache.py"
    )


def test_the_cache_is_used_with_the_shipped_units_txt() -> None:
    data = _shipped_cache()
    assert data["units_txt_sha256"] == units_sha256()
    assert units._cached_units() == data["units"]


def test_the_cache_is_in_the_wheel_beside_units_txt(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    (wheel,) = builders.WheelBuilder(str(REPO)).build(
        directory=str(tmp_path), versions=["standard"]
    )
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read(f"carbonfp/_data/factors/{CACHE_FILE}")
        assert units_sha256(archive.read("carbonfp/_data/factors/units.txt")) in shipped.decode()
    assert shipped == (REPO / "factors" / CACHE_FILE).read_bytes()


def test_the_cache_covers_the_shipped_factor_sets() -> None:
    cached = _shipped_cache()["units"]
    script = _cache_script()
    for text in script.set_units(REPO):
        assert unit_key(text) in cached, text


@pytest.mark.parametrize("key", sorted(_shipped_cache()["units"]))
def test_every_cached_entry_agrees_with_pint(key: str) -> None:
    """Dimensionality (in pint's order) and scale as pint computes them, to 1e-12."""
    entry = _shipped_cache()["units"][key]
    info = parse_unit(key)
    assert info == UnitInfo(
        tuple(entry["dimensionality"].items()), entry["numerator"], entry["denominator"]
    )  # read from the cache
    expected = _pint(key)
    assert info.dimensionality == dict(expected.dimensionality)
    assert list(info.dimensionality) == [str(k) for k in expected.dimensionality]
    base = float(registry().Quantity(1.0, expected).to_base_units().magnitude)
    assert info.scale == pytest.approx(base, rel=1e-12, abs=0)
    assert info.dimension_text() == str(expected.dimensionality)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kg/s", "[mass] / [time]"),
        ("kWh/km", "[mass] * [length] / [time] ** 2"),
        ("1/kg", "1 / [mass]"),
        ("kg CO2e/(t*km)", "[co2e] / [mass] / [length]"),
        ("kg**0.5/s**1.5", "[mass] ** 0.5 / [time] ** 1.5"),
        ("m**-2/s", "1 / [length] ** 2 / [time]"),
    ],
)
def test_dimension_name_of_an_unnamed_dimension_reads_as_pint_writes_it(
    text: str, expected: str
) -> None:
    assert dimension_name(text) == expected
    assert str(_pint(unit_key(text)).dimensionality) == expected


def test_scale_to_agrees_with_pint_on_every_pair_of_cached_units() -> None:
    """scale_to from the cache vs pint's own Quantity.to: every pair of cached units of one
    dimensionality (as pint groups them), and each unit against one of every other group."""
    import pint

    reg = registry()
    groups: dict[str, list[str]] = {}
    for key in _shipped_cache()["units"]:
        groups.setdefault(str(_pint(key).dimensionality), []).append(key)
    pairs = [(a, b) for keys in groups.values() for a in keys for b in keys]
    pairs += [(a, other[0]) for keys in groups.values() for a in keys for other in groups.values()]
    checked = refused = 0
    for a, b in pairs:
        try:
            expected = float(reg.Quantity(1.0, _pint(a)).to(_pint(b)).magnitude)
        except pint.DimensionalityError:
            with pytest.raises(InputError) as info:
                scale_to(a, b)
            assert info.value.code == "wrong-dimension"
            refused += 1
            continue
        assert scale_to(a, b) == pytest.approx(expected, rel=1e-12, abs=0), (a, b)
        checked += 1
    assert checked > 1000 and refused > 1000  # the grid holds both kinds of pairs


def test_emission_scale_agrees_with_pint_on_every_amount_and_factor_unit() -> None:
    """emission_scale from the cache vs pint's (amount x factor).to(kg CO2e)."""
    import pint

    reg = registry()
    kg_co2e = _pint(unit_key("kg CO2e"))
    checked = refused = 0
    for a in _cached_keys(co2e=False):
        for f in _cached_keys(co2e=True):
            product = reg.Quantity(1.0, _pint(a)) * reg.Quantity(1.0, _pint(f))
            try:
                expected = float(product.to(kg_co2e).magnitude)
            except pint.DimensionalityError:
                with pytest.raises(InputError) as info:
                    emission_scale(a, f)
                assert info.value.code == "wrong-dimension"
                refused += 1
                continue
            assert emission_scale(a, f) == pytest.approx(expected, rel=1e-12, abs=0), (a, f)
            checked += 1
    assert checked > 500 and refused > 1000


@pytest.mark.parametrize(
    ("amount_unit", "factor_unit"),
    [
        ("kWh", "kg CO2e/kWh"),
        ("kWh", "g CO2e/kWh"),
        ("kg", "kg CO2e/kg"),
        ("t*km", "kg CO2e/(t*km)"),
        ("MJ", "kg CO2e/MJ"),
        ("MMBtu", "kg CO2e/mmBtu"),
        ("piece", "kg CO2e/pcs"),
        ("kWh", "kg CO2e/MJ"),
    ],
)
def test_emission_scale_is_exact_where_the_units_cancel(amount_unit: str, factor_unit: str) -> None:
    """One division of exact products: kWh x kg CO2e/kWh is 1, not 1 - 1e-16."""
    per = unit_key(factor_unit).split("/", 1)[1].strip("()")
    mass = unit_key(factor_unit).split("_", 1)[0]
    expected = scale_to(mass, "kg") * scale_to(amount_unit, per)
    assert emission_scale(amount_unit, factor_unit) == expected


def test_a_unit_not_in_the_cache_goes_through_pint() -> None:
    cached = units._cached_units()
    for text in ("mg", "kWh/t", "GJ/tkm"):
        assert unit_key(text) not in cached
    assert scale_to("mg", "kg") == pytest.approx(1e-6, rel=1e-12)
    assert dimension_name("kWh/t") == "[length] ** 2 / [time] ** 2"
    assert emission_scale("GJ", "kg CO2e/GJ") == 1.0
    with pytest.raises(InputError) as info:
        parse_unit("furlong")
    assert info.value.code == "unknown-unit"


def test_co2e_alone_is_kg_co2e_in_every_function() -> None:
    """Regression: "CO2e/kg" parsed, but converting it was an internal error."""
    assert scale_to("CO2e", "kg CO2e") == 1.0
    assert emission_scale("kg", "CO2e/kg") == 1.0


def _factors_copy(folder: Path, units_txt: str, cache: dict[str, Any]) -> Path:
    root = folder / "factors"
    root.mkdir(parents=True)
    (root / "units.txt").write_text(units_txt, encoding="utf-8")
    (root / CACHE_FILE).write_text(json.dumps(cache), encoding="utf-8")
    return root


def test_a_cache_made_from_another_units_txt_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_units: None
) -> None:
    """With a planted entry (kg as 1 base unit): used while the sha256 matches units.txt,
    ignored (pint decides) once units.txt changes."""
    units_txt = (REPO / "factors" / "units.txt").read_text(encoding="utf-8")
    planted = {"dimensionality": {"[mass]": 1}, "numerator": 1.0, "denominator": 1.0}
    cache = {"units_txt_sha256": units_sha256(units_txt.encode()), "units": {"kg": planted}}
    same = _factors_copy(tmp_path / "same", units_txt, cache)
    monkeypatch.setattr(units, "factors_root", lambda: same)
    assert parse_unit("kg").scale == 1.0  # the planted entry: the cache is read

    units._cached_units.cache_clear()
    units._parse.cache_clear()
    changed = _factors_copy(tmp_path / "changed", units_txt + "\n# a new line\n", cache)
    monkeypatch.setattr(units, "factors_root", lambda: changed)
    assert units._cached_units() == {}
    assert parse_unit("kg").scale == 1000.0  # pint: 1000 g


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"units": {}}',
        '{"units_txt_sha256": "SHA", "units": {"kg": {"dimensionality": {"[mass]": 1}}}}',
        '{"units_txt_sha256": "SHA", "units": {"kg": {"dimensionality": {"[mass]": 1}, '
        '"numerator": 0, "denominator": 1}}}',
        '{"units_txt_sha256": "SHA", "units": {"kg": {"dimensionality": {"[mass]": "1"}, '
        '"numerator": 1, "denominator": 1}}}',
    ],
)
def test_a_broken_cache_falls_back_to_pint(
    content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_units: None
) -> None:
    units_txt = (REPO / "factors" / "units.txt").read_text(encoding="utf-8")
    root = _factors_copy(tmp_path, units_txt, {})
    text = content.replace("SHA", units_sha256(units_txt.encode()))
    (root / CACHE_FILE).write_text(text, encoding="utf-8")
    monkeypatch.setattr(units, "factors_root", lambda: root)
    assert parse_unit("kg").scale == 1000.0
    assert scale_to("g", "kg") == 1e-3


def test_a_unit_out_of_float_range_is_an_unknown_unit() -> None:
    with pytest.raises(InputError) as info:
        parse_unit("kg**200")
    assert info.value.code == "unknown-unit"


_NO_PINT = (
    "import sys\n"
    "from carbonfp.cli import app\n"
    "try:\n"
    "    app(args=sys.argv[1:], prog_name='carbonfp')\n"
    "except SystemExit as exit:\n"
    "    assert not exit.code, exit.code\n"
    "print('pint' in sys.modules)\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["samples/ev-nmc811-hu/battery.toml", "--format", "json"],
        ["samples/scooter-nmc-l1e/battery.toml", "--format", "json"],
        [
            "samples/variants/variants.csv",
            "--batteries",
            "samples/variants/batteries.csv",
            "--format",
            "csv",
        ],
    ],
)
def test_calc_on_the_samples_does_not_import_pint(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-c", _NO_PINT, "calc", *args, "-o", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0
    assert result.stdout.strip().splitlines()[-1] == "False", "pint was imported"
