"""The one pint registry: unit strings are parsed here, once, at the edge of the program.

The core computes on floats in canonical units; this module turns a unit string into a
scale factor to those units and checks dimensions. pint is imported lazily so that
`carbonfp --help` stays fast.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache, lru_cache
from tokenize import TokenError  # pint's parser raises it on input like "kg/("
from typing import Any

from carbonfp.errors import InputError, Location
from carbonfp.resources import factors_root

#: Canonical unit per dimension: amounts are converted to these before any arithmetic.
CANONICAL = {
    "mass": "kg",
    "energy": "kWh",
    "co2e": "kg_CO2e",
    "transport": "t*km",
    "count": "piece",
    "length": "km",
    "time": "year",
    "dimensionless": "",
}

_CO2E = re.compile(r"\s*(?:CO2|CO₂)[-_ ]?(?:eq|e)\b\.?", re.IGNORECASE)
_NUMBER = re.compile(
    r"^\s*([-+]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?|\d+(?:[.,]\d*)?|[.,]\d+)"
    r"(?:[eE][-+]?\d+)?)\s*(.*?)\s*$"
)


@cache
def registry() -> Any:
    """Return the process-wide registry loaded from ``factors/units.txt``."""
    import pint

    reg: Any = pint.UnitRegistry(filename=None, cache_folder=None)
    reg.load_definitions(str(factors_root() / "units.txt"))
    return reg


def normalise_unit(text: str) -> str:
    """Rewrite the spellings people use ("kg CO2e/kg", "kgCO2-eq / kWh", "t.km") for pint."""
    unit = text.strip()
    unit = _CO2E.sub("_CO2e", unit)
    # a tonne-kilometre written as one word ("t.km", "t*km", "t km") is one unit: in
    # "kg CO2e/t*km" pint would otherwise read (kg CO2e / t) * km
    unit = re.sub(r"\bt\s*[.·x*]\s*km\b", "tkm", unit)
    unit = unit.replace("·", "*").replace("²", "**2").replace("³", "**3")
    return unit


@cache
def _parse(unit: str) -> Any:
    reg = registry()
    import pint

    try:
        return reg.parse_units(unit) if unit else reg.dimensionless
    except (
        pint.errors.PintError,
        AttributeError,
        AssertionError,
        SyntaxError,
        ValueError,
        TypeError,
        TokenError,
    ) as exc:
        raise _UnitSyntax(str(exc)) from exc


class _UnitSyntax(Exception):
    pass


def parse_unit(text: str, where: Location | None = None) -> Any:
    """Parse a unit string into a pint unit.

    Raises InputError (code ``unknown-unit``) naming the string when pint cannot read it.
    """
    unit = normalise_unit(text)
    if unit.startswith("_CO2e"):
        unit = "kg" + unit
    try:
        return _parse(unit)
    except _UnitSyntax as exc:
        raise InputError(
            f"unknown unit {text!r}",
            where=where,
            hint="write units like 'kg', 'g', 't', 'kWh', 'MJ', 'km', 't*km', 'pcs' or "
            "'kg CO2e/kg' (see factors/units.txt for every unit carbonfp knows)",
            code="unknown-unit",
        ) from exc


def dimension_name(text: str, where: Location | None = None) -> str:
    """Name the dimension of a unit string as a key of CANONICAL, or its pint dimensionality."""
    dims = dict(parse_unit(text, where).dimensionality)
    known = {
        "mass": {"[mass]": 1},
        "energy": {"[mass]": 1, "[length]": 2, "[time]": -2},
        "co2e": {"[co2e]": 1},
        "transport": {"[mass]": 1, "[length]": 1},
        "count": {"[piece]": 1},
        "length": {"[length]": 1},
        "time": {"[time]": 1},
        "dimensionless": {},
    }
    for name, dim in known.items():
        if dims == dim:
            return name
    return str(parse_unit(text, where).dimensionality)


@cache
def _scale(unit: str, target: str) -> float:
    reg = registry()
    return float(reg.Quantity(1.0, _parse(unit)).to(_parse(target)).magnitude)


def scale_to(
    text: str, target: str, where: Location | None = None, what: str = "quantity"
) -> float:
    """Return the factor that converts one ``text`` into ``target`` units.

    Raises InputError (code ``wrong-dimension``) when the dimensions differ.
    """
    import pint

    parse_unit(text, where)
    unit = normalise_unit(text)
    try:
        return _scale(unit, normalise_unit(target))
    except pint.errors.DimensionalityError as exc:
        raise InputError(
            f"{what} has unit {text!r} ({dimension_name(text)}), expected {target!r} "
            f"({dimension_name(target)})",
            where=where,
            hint=f"give the {what} in a unit convertible to {target!r}",
            code="wrong-dimension",
        ) from exc


@cache
def _emission_scale(amount_unit: str, factor_unit: str) -> float:
    reg = registry()
    product = reg.Quantity(1.0, _parse(amount_unit)) * reg.Quantity(1.0, _parse(factor_unit))
    return float(product.to(_parse("kg_CO2e")).magnitude)


def emission_scale(
    amount_unit: str, factor_unit: str, where: Location | None = None, factor_id: str = ""
) -> float:
    """Return s such that amount [amount_unit] x factor [factor_unit] x s = kg CO2e.

    Raises InputError (code ``wrong-dimension``) when amount x factor is not a mass of CO2e,
    e.g. a factor per kWh applied to kilograms of material.
    """
    import pint

    parse_unit(amount_unit, where)
    parse_unit(factor_unit, where)
    try:
        return _emission_scale(normalise_unit(amount_unit), normalise_unit(factor_unit))
    except pint.errors.DimensionalityError as exc:
        label = f"factor {factor_id!r}" if factor_id else "the factor"
        raise InputError(
            f"quantity in {amount_unit!r} ({dimension_name(amount_unit)}) cannot be multiplied by "
            f"{label} in {factor_unit!r} to give kg CO2e",
            where=where,
            hint=f"{label} is per {_per_what(factor_unit)}: give the quantity in such a unit, "
            "or use a factor that matches the quantity",
            code="wrong-dimension",
        ) from exc


def _per_what(factor_unit: str) -> str:
    unit = normalise_unit(factor_unit)
    return unit.split("/", 1)[1].strip() if "/" in unit else unit


def parse_number(text: str, decimal_comma: bool | None = None) -> float:
    """Parse a decimal number written with a point or a comma ("1.5", "1,5", "1 234,5").

    ``decimal_comma`` says what a lone comma is: True in semicolon-separated files (European
    Excel), False in comma-separated ones (a thousands separator), None to guess (a single
    comma is a decimal comma). Raises ValueError when the text is not a finite number.
    """
    s = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if not s:
        raise ValueError("empty")
    if "," in s and "." in s:
        # the last separator is the decimal one: "1.234,5" or "1,234.5"
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        groups = s.lstrip("+-").split(",")
        thousands = (
            all(len(g) == 3 and g.isdigit() for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        )
        lone = len(groups) == 2
        if decimal_comma is False and thousands:
            s = s.replace(",", "")
        elif lone and (decimal_comma or not thousands or decimal_comma is None):
            s = s.replace(",", ".")
        elif thousands:
            s = s.replace(",", "")
        else:
            raise ValueError("ambiguous commas")
    elif "." in s and decimal_comma:
        # in a decimal-comma file a dot only separates thousands: "1.350" is 1350 ("1.5" with
        # a group that is not three digits stays a decimal point, as people also write it)
        groups = s.lstrip("+-").split(".")
        if (
            len(groups) > 1
            and all(len(g) == 3 and g.isdigit() for g in groups[1:])
            and (1 <= len(groups[0]) <= 3)
        ):
            s = s.replace(".", "")
    value = float(s)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not finite")
    return value + 0.0  # -0 is 0


def parse_quantity(
    text: str | float | int, where: Location | None = None, decimal_comma: bool | None = None
) -> tuple[float, str]:
    """Split "75 kWh" or "1,5 t" into (75.0, "kWh"). A bare number has an empty unit.

    Raises InputError (code ``bad-quantity``) when there is no leading number.
    """
    if isinstance(text, bool):
        raise _not_a_quantity(f"expected a quantity, got {text!r}", where)
    if isinstance(text, (int, float)):
        return float(text), ""
    match = _NUMBER.match(str(text))
    if not match:
        raise _not_a_quantity(f"{text!r} is not a quantity", where)
    try:
        value = parse_number(match.group(1), decimal_comma)
    except ValueError as exc:
        raise _not_a_quantity(f"{text!r} is not a quantity", where) from exc
    unit = match.group(2)
    parse_unit(unit, where)
    return value, unit


def _not_a_quantity(message: str, where: Location | None) -> InputError:
    return InputError(
        message,
        where=where,
        hint='write a number followed by its unit, e.g. "75 kWh" or "480 kg"',
        code="bad-quantity",
    )


def quantity_in(
    text: str | float | int, target: str, where: Location | None = None, what: str = "quantity"
) -> float:
    """Parse a quantity string and return its magnitude in ``target`` units.

    Raises InputError when it is not a quantity, has no unit, or has the wrong dimension.
    """
    if isinstance(text, bool):
        raise _not_a_quantity(f"expected a quantity, got {text!r}", where)
    try:
        return _quantity_value(text, target, what)
    except InputError as exc:
        raise InputError(exc.message, where=where, hint=exc.hint, code=exc.code) from None


@lru_cache(maxsize=4096)
def _quantity_value(text: str | float | int, target: str, what: str) -> float:
    """quantity_in, once per distinct text (a battery table repeats the same quantities)."""
    value, unit = parse_quantity(text)
    if not unit and normalise_unit(target):
        raise InputError(
            f"{what} {text!r} has no unit",
            hint=f'write it with a unit, e.g. "{value:g} {target}"',
            code="missing-unit",
        )
    return value * scale_to(unit, target, None, what)


def parse_iso(text: str) -> date | datetime:
    """Parse "2025-01-01" (a date) or "2025-01-01T00:00:00Z" (a date-time); ValueError else."""
    if "T" not in text and " " not in text:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
