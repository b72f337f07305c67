"""Unit strings are parsed here, once, at the edge of the program; pint is the authority.

The core computes on floats in canonical units; this module turns a unit string into a
`UnitInfo` (its dimensionality and the size of one such unit in the registry's base units),
from which every scale factor is derived, and checks dimensions. pint defines what a unit
means (`factors/units.txt`), but importing it costs about 0.15 s: the units carbonfp
ships and the samples use are read from `factors/units.cache.json`, which
`scripts/units_cache.py` writes from pint and which is used only while it was made from the
`units.txt` beside it. Any other unit string goes through pint, imported on first need.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
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

#: The units pint has read beforehand (scripts/units_cache.py), beside units.txt.
CACHE_FILE = "units.cache.json"

#: Dimensionality of each named dimension (dimension_name).
_KNOWN: dict[str, dict[str, float]] = {
    "mass": {"[mass]": 1},
    "energy": {"[mass]": 1, "[length]": 2, "[time]": -2},
    "co2e": {"[co2e]": 1},
    "transport": {"[mass]": 1, "[length]": 1},
    "count": {"[piece]": 1},
    "length": {"[length]": 1},
    "time": {"[time]": 1},
    "dimensionless": {},
}

_CO2E = re.compile(r"[\s_]*(?:CO2|CO₂)[-_ ]?(?:eq|e)\b\.?", re.IGNORECASE)
_NUMBER = re.compile(
    r"^\s*([-+]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?|\d+(?:[.,]\d*)?|[.,]\d+)"
    r"(?:[eE][-+]?\d+)?)\s*(.*?)\s*$"
)


@dataclass(frozen=True, eq=False)
class UnitInfo:
    """A parsed unit: what pint says it is, as plain numbers.

    ``dims`` holds (dimension, exponent) pairs in pint's order, e.g. (("[mass]", 1),
    ("[length]", 2), ("[time]", -2)) for kWh. ``numerator`` and ``denominator`` are the
    magnitudes, in the registry's base units (gram, metre, second, gram_CO2e, piece), of the
    unit's factors with positive exponents and of those with negative ones, each as pint's
    ``to_base_units()`` computes it: 1000 and 3.6e9 for kg CO2e/kWh. Kept apart, they make a
    conversion one division of two products, so "kWh" times "kg CO2e/kWh" is exactly 1.
    """

    dims: tuple[tuple[str, float], ...]
    numerator: float
    denominator: float = 1.0

    @property
    def dimensionality(self) -> dict[str, float]:
        """The dimensionality as a new plain dict: {"[mass]": 1, "[length]": 2, ...}."""
        return dict(self.dims)

    @property
    def scale(self) -> float:
        """The magnitude of one such unit in base units (3.6e9 for kWh)."""
        return self.numerator / self.denominator

    def dimension_text(self) -> str:
        """The dimensionality written as pint writes it: "[mass] / [time]", "dimensionless"."""
        if not self.dims:
            return "dimensionless"

        def term(name: str, exponent: float) -> str:
            return name if abs(exponent) == 1 else f"{name} ** {abs(exponent):n}"

        above = [term(k, e) for k, e in self.dims if e > 0]
        below = [term(k, e) for k, e in self.dims if e < 0]
        return " / ".join([" * ".join(above) or "1", *below])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnitInfo):
            return NotImplemented
        return (self.numerator, self.denominator) == (other.numerator, other.denominator) and (
            dict(self.dims) == dict(other.dims)
        )

    def __hash__(self) -> int:
        return hash((self.numerator, self.denominator, frozenset(self.dims)))


def _ratio(above: list[float], below: list[float]) -> float:
    """prod(above) / prod(below) in one division (products of powers of ten and of the
    integers units.txt defines are mostly exact); pair by pair where a product leaves the
    range of a float."""
    top, bottom = math.prod(above), math.prod(below)
    if _usable(top, bottom):
        return top / bottom
    return math.prod(a / b for a, b in zip(above, below, strict=True))


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


def unit_key(text: str) -> str:
    """The string pint parses for ``text``: normalised, "CO2e" alone read as kg CO2e.

    Units are looked up, cached and converted by this key ("kg CO2e/t*km" -> "kg_CO2e/tkm").
    """
    unit = normalise_unit(text)
    return "kg" + unit if unit.startswith("_CO2e") else unit


#: The key of kg CO2e, the unit every emission is converted to.
_KG_CO2E = unit_key("kg CO2e")


def units_sha256(text: bytes | None = None) -> str:
    """sha256 of units.txt (``text``, else the shipped file), line ends read as "\\n"."""
    if text is None:
        text = (factors_root() / "units.txt").read_bytes()
    return hashlib.sha256(text.replace(b"\r\n", b"\n")).hexdigest()


@cache
def _cached_units() -> dict[str, Any]:
    """The entries of units.cache.json, read once; {} when it is missing, unreadable or
    made from another units.txt (then every unit goes through pint)."""
    try:
        data = json.loads((factors_root() / CACHE_FILE).read_text(encoding="utf-8"))
        if data["units_txt_sha256"] != units_sha256():
            return {}
        units = data["units"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return units if isinstance(units, dict) else {}


def _from_cache(entry: Any) -> UnitInfo | None:
    """A cached entry as a UnitInfo; None when it is not one (then pint decides)."""
    try:
        dims = tuple((str(k), v) for k, v in entry["dimensionality"].items())
        above, below = entry["numerator"], entry["denominator"]
    except (KeyError, TypeError, AttributeError):
        return None
    numbers = [above, below, *(e for _, e in dims)]
    if not all(type(n) in (int, float) for n in numbers) or not _usable(above, below):
        return None
    return UnitInfo(dims, float(above), float(below))


def _usable(*magnitudes: float) -> bool:
    return all(0 < abs(m) < math.inf for m in magnitudes)


def pint_unit_info(unit: str) -> UnitInfo:
    """What pint says of the unit key ``unit``: its dimensionality and base-unit magnitude.

    Imports pint. Raises _UnitSyntax when pint cannot read it, or it is too large or too
    small a unit to compute with.
    """
    reg = registry()
    import pint
    from pint.util import UnitsContainer

    try:
        parsed = reg.parse_units(unit) if unit else reg.dimensionless
        dims = tuple((str(k), v) for k, v in parsed.dimensionality.items())
        names = parsed._units  # the unit's own factors: {"kilogram_CO2e": 1, "kilowatt_hour": -1}
        above = reg.Unit(UnitsContainer({n: e for n, e in names.items() if e > 0}))
        below = reg.Unit(UnitsContainer({n: -e for n, e in names.items() if e < 0}))
        numerator = float(reg.Quantity(1.0, above).to_base_units().magnitude)
        denominator = float(reg.Quantity(1.0, below).to_base_units().magnitude)
    except (
        pint.errors.PintError,
        AttributeError,
        AssertionError,
        SyntaxError,
        ValueError,
        TypeError,
        TokenError,
        ArithmeticError,
    ) as exc:
        raise _UnitSyntax(str(exc)) from exc
    if not _usable(numerator, denominator):
        raise _UnitSyntax(f"{unit!r} is out of the range of a float in base units")
    return UnitInfo(dims, numerator, denominator)


@cache
def _parse(unit: str) -> UnitInfo:
    info = _from_cache(_cached_units().get(unit))
    return info if info is not None else pint_unit_info(unit)


class _UnitSyntax(Exception):
    pass


class _WrongDimension(Exception):
    pass


def parse_unit(text: str, where: Location | None = None) -> UnitInfo:
    """Parse a unit string into its UnitInfo (``.dimensionality``, ``.scale``).

    Raises InputError (code ``unknown-unit``) naming the string when pint cannot read it.
    """
    try:
        return _parse(unit_key(text))
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
    info = parse_unit(text, where)
    dims = info.dimensionality
    for name, dim in _KNOWN.items():
        if dims == dim:
            return name
    return info.dimension_text()


@cache
def _scale(unit: str, target: str) -> float:
    """One ``unit`` in ``target`` units (keys of unit_key); _WrongDimension if they differ."""
    a, b = _parse(unit), _parse(target)
    if a.dimensionality != b.dimensionality:
        raise _WrongDimension
    return _ratio([a.numerator, b.denominator], [a.denominator, b.numerator])


def scale_to(
    text: str, target: str, where: Location | None = None, what: str = "quantity"
) -> float:
    """Return the factor that converts one ``text`` into ``target`` units.

    Raises InputError (code ``wrong-dimension``) when the dimensions differ.
    """
    parse_unit(text, where)
    try:
        return _scale(unit_key(text), unit_key(target))
    except _WrongDimension:
        raise InputError(
            f"{what} has unit {text!r} ({dimension_name(text)}), expected {target!r} "
            f"({dimension_name(target)})",
            where=where,
            hint=f"give the {what} in a unit convertible to {target!r}",
            code="wrong-dimension",
        ) from None


@cache
def _emission_scale(amount_unit: str, factor_unit: str) -> float:
    """kg CO2e of one ``amount_unit`` x one ``factor_unit`` (keys of unit_key);
    _WrongDimension unless their product is exactly a mass of CO2e."""
    amount, factor, kg_co2e = _parse(amount_unit), _parse(factor_unit), _parse(_KG_CO2E)
    dims = amount.dimensionality
    for name, exponent in factor.dims:
        dims[name] = dims.get(name, 0) + exponent
    if {k: e for k, e in dims.items() if e != 0} != kg_co2e.dimensionality:
        raise _WrongDimension
    return _ratio(
        [amount.numerator, factor.numerator, kg_co2e.denominator],
        [amount.denominator, factor.denominator, kg_co2e.numerator],
    )


def emission_scale(
    amount_unit: str, factor_unit: str, where: Location | None = None, factor_id: str = ""
) -> float:
    """Return s such that amount [amount_unit] x factor [factor_unit] x s = kg CO2e.

    Raises InputError (code ``wrong-dimension``) when amount x factor is not a mass of CO2e,
    e.g. a factor per kWh applied to kilograms of material.
    """
    parse_unit(amount_unit, where)
    parse_unit(factor_unit, where)
    try:
        return _emission_scale(unit_key(amount_unit), unit_key(factor_unit))
    except _WrongDimension:
        label = f"factor {factor_id!r}" if factor_id else "the factor"
        raise InputError(
            f"quantity in {amount_unit!r} ({dimension_name(amount_unit)}) cannot be multiplied by "
            f"{label} in {factor_unit!r} to give kg CO2e",
            where=where,
            hint=f"{label} is per {_per_what(factor_unit)}: give the quantity in such a unit, "
            "or use a factor that matches the quantity",
            code="wrong-dimension",
        ) from None


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
