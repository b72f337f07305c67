"""Write factors/units.cache.json from pint and factors/units.txt (or check it is current).

Run after changing factors/units.txt, the shipped factor sets' units, the samples or the list
below: python scripts/units_cache.py
With --check, write nothing and exit 1 if factors/units.cache.json differs from what pint
gives now.

The file holds, for each unit string carbonfp meets on its common paths (as
carbonfp.units.unit_key writes it), what pint says it is: its dimensionality and the magnitudes
in the registry's base units (``to_base_units()``) of its factors with positive exponents and
of those with negative ones, with the sha256 of the units.txt it was made from. carbonfp reads
a unit from it, without importing pint, only while that sha256 is the one of the units.txt
beside it; any other unit goes through pint.

The unit strings are: every ``unit`` of the shipped factor sets (factors/sets/*/*/*.toml), the
amounts they are per (their unit's part after "/", and each table's amounts,
carbonfp.data.factor_sets.AMOUNT_UNITS), the units of the samples' files (a ``unit`` column or
key, and the unit of every cell or string written as a quantity, "75 kWh"), and the common
units below, with "kg CO2e/", "g CO2e/" and "t CO2e/" each amount.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from carbonfp.data.factor_sets import AMOUNT_UNITS
from carbonfp.units import (
    _KG_CO2E,
    _NUMBER,
    CACHE_FILE,
    UnitInfo,
    _UnitSyntax,
    pint_unit_info,
    unit_key,
    units_sha256,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated import refresh  # beside this script

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PATH = Path("factors") / CACHE_FILE

#: Amounts a quantity or a factor is given in (each also as kg, g and t CO2e per it).
AMOUNTS = (
    # mass
    "g", "kg", "t", "tonne", "ton", "lb",
    # energy
    "Wh", "kWh", "MWh", "GWh", "J", "kJ", "MJ", "GJ", "TJ",
    "BTU", "Btu", "MMBtu", "mmBtu", "therm",
    # volume and area
    "l", "L", "m**3", "m**2",
    # length and transport
    "m", "km", "mi", "nmi", "tkm", "t*km",
    # count
    "pcs", "pc", "piece", "pieces", "unit", "units", "item", "items",
)  # fmt: skip

#: Other units carbonfp reads: shares, periods, the vehicle's consumption, kg CO2e itself.
OTHERS = (
    "", "%",
    "year", "years", "yr", "a", "day", "d", "h", "hour", "hr", "min", "s",
    "kWh/km", "Wh/km",
    "kg CO2e", "g CO2e", "t CO2e",
)  # fmt: skip


ABOUT = (
    "Written by scripts/units_cache.py from factors/units.txt with pint: do not edit, run it. "
    "For each unit string (as carbonfp.units.unit_key writes it): its dimensionality and the "
    "magnitudes in base units (gram, metre, second, gram_CO2e, piece) of its factors with "
    "positive exponents (numerator) and with negative ones (denominator); one such unit is "
    "numerator / denominator base units. carbonfp reads a unit here only while "
    "units_txt_sha256 is the sha256 of the units.txt beside this file."
)


def co2e_per(amount: str) -> list[str]:
    """kg, g and t CO2e per ``amount`` ("kg CO2e/(t*km)" where it is a compound unit)."""
    per = f"({amount})" if any(c in amount for c in "*/ ") else amount
    return [f"{mass} CO2e/{per}" for mass in ("kg", "g", "t")]


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """(key, text) of every string in a TOML document, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield str(key), item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _quantity_unit(text: str) -> str | None:
    """The unit of a cell written as a quantity ("75 kWh" -> "kWh"), else None."""
    match = _NUMBER.match(text)
    return match.group(2) if match and match.group(2) else None


def set_units(repo: Path) -> list[str]:
    """Every factor unit of the shipped factor sets, the amounts they are per, and the tables'."""
    units = [a for amounts in AMOUNT_UNITS.values() for a in amounts]
    for path in sorted((repo / "factors" / "sets").glob("*/*/*.toml")):
        for key, text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            if key == "unit" or key.endswith("_unit"):
                units.append(text)
                if "/" in text:
                    units.append(text.split("/", 1)[1].strip().removeprefix("(").removesuffix(")"))
    return units


def sample_units(repo: Path) -> list[str]:
    """The units the samples' files use: unit columns and keys, and quantities' units."""
    units: list[str] = []
    for path in sorted((repo / "samples").rglob("*")):
        if path.suffix == ".toml":
            for key, text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
                unit = text if key == "unit" else _quantity_unit(text)
                if unit is not None:
                    units.append(unit)
        elif path.suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            delimiter = ";" if text.split("\n", 1)[0].count(";") > 0 else ","
            for row in csv.DictReader(io.StringIO(text), delimiter=delimiter):
                for key, cell in row.items():
                    if not isinstance(cell, str):
                        continue
                    unit = cell if key == "unit" else _quantity_unit(cell)
                    if unit is not None:
                        units.append(unit)
    return units


def _known(texts: Iterable[str]) -> list[str]:
    """The strings pint reads as units (a note such as "96 prismatic cells" is not one)."""
    known = []
    for text in texts:
        try:
            pint_unit_info(unit_key(text))
        except _UnitSyntax:
            continue
        known.append(text)
    return known


def unit_strings(repo: Path = REPO) -> list[str]:
    """Every unit string the cache holds (before unit_key), in a stable order."""
    common = [*AMOUNTS, *OTHERS]
    common += [u for a in AMOUNTS for u in co2e_per(a)]
    fixed = [*common, *set_units(repo)]
    unknown = sorted(set(fixed) - set(_known(fixed)))
    if unknown:  # a unit carbonfp ships or lists that pint cannot read is a bug here
        raise SystemExit(f"pint cannot read these units: {unknown}")
    return sorted(set(fixed) | set(_known(sample_units(repo))))


def entry(info: UnitInfo) -> dict[str, Any]:
    return {
        "dimensionality": dict(info.dims),
        "numerator": info.numerator,
        "denominator": info.denominator,
    }


def cache_text(repo: Path = REPO) -> str:
    """The content of factors/units.cache.json, computed by pint from units.txt now."""
    keys = sorted({unit_key(text) for text in unit_strings(repo)} | {_KG_CO2E})
    lines = [
        "{",
        f'"about": {json.dumps(ABOUT)},',
        '"units_txt_sha256": '
        + json.dumps(units_sha256((repo / "factors" / "units.txt").read_bytes()))
        + ",",
        '"units": {',
    ]
    rows = [
        f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(entry(pint_unit_info(key)))}"
        for key in keys
    ]
    lines.append(",\n".join(rows))
    lines += ["}", "}", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    return refresh(REPO, PATH, cache_text(REPO), argv, "scripts/units_cache.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
