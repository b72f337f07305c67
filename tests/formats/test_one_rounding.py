"""One rounding: a number of a declaration has the same digits in every format that writes it."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from formats_support import PROJECT_IDS, PROJECTS, declared

import carbonfp.formats
from carbonfp.formats import render
from carbonfp.formats.common import decimal_text, number_text, rounded, safe_cell, text_number
from carbonfp.model import Declaration

FORMATS_DIR = Path(carbonfp.formats.__file__).parent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1 + 0.2, 0.3),
        (1234.56789012345, 1234.56789),
        (-0.000123456789012345, -0.0001234567890),
        (12345678901234.0, 12345678900000.0),
        (0.0, 0.0),
    ],
)
def test_rounded_keeps_ten_significant_digits(value: float, expected: float) -> None:
    assert rounded(value) == expected
    assert rounded(None) is None


def test_number_text_is_the_rounded_number() -> None:
    assert number_text(0.1 + 0.2) == "0.3"
    assert number_text(150000.0) == "150000"
    assert number_text(1e-05) == "1e-05"
    for value in (0.1 + 0.2, 1 / 3, -2.5e-7, 123456.789012345):
        assert float(number_text(value)) == rounded(value)


def test_decimal_text_never_writes_an_exponent() -> None:
    assert decimal_text(1e-7) == "0.0000001"
    assert decimal_text(1.5e12) == "1500000000000"
    assert decimal_text(-0.0) == "0"
    assert decimal_text(2.0) == "2"
    assert decimal_text(1 / 3, 6) == "0.333333"
    with pytest.raises(ValueError):
        decimal_text(float("nan"))


def test_text_number_groups_thousands() -> None:
    assert text_number(1234567.891) == "1 234 567.9"
    assert text_number(1234.5, 0) == "1 234"
    assert text_number(1234.0, 0, "+") == "+1 234"
    assert text_number(-1234.0, 0, "+") == "-1 234"


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-2") == "'-2"
    assert safe_cell("cathode") == "cathode"
    assert safe_cell(-2.0) == -2.0


def _tidy_numbers(decl: Declaration) -> dict[tuple[str, str], tuple[float, Any]]:
    """(stage, metric) of the tidy table -> (the unrounded number, its path in the record)."""
    out: dict[tuple[str, str], tuple[float, Any]] = {}
    for s in decl.stages:
        out[(s.stage.value, "kg_co2e_per_kwh")] = (
            s.kg_co2e_per_kwh,
            ("carbon_footprint", "stages", s.stage.value, "kg_co2e_per_kwh"),
        )
        out[(s.stage.value, "kg_co2e")] = (
            s.kg_co2e,
            ("carbon_footprint", "stages", s.stage.value, "kg_co2e"),
        )
    out[("total", "kg_co2e_per_kwh")] = (
        decl.total_kg_co2e_per_kwh,
        ("carbon_footprint", "total_kg_co2e_per_kwh"),
    )
    out[("total", "kg_co2e")] = (decl.absolute_kg_co2e, ("carbon_footprint", "absolute_kg_co2e"))
    out[("cradle_to_gate", "kg_co2e_per_kwh_capacity")] = (
        decl.cradle_to_gate_kg_co2e_per_kwh_capacity,
        ("carbon_footprint", "cradle_to_gate", "kg_co2e_per_kwh_capacity"),
    )
    out[("functional_unit", "total_energy_kwh")] = (
        decl.functional_unit.total_energy_kwh,
        ("functional_unit", "total_energy_kwh"),
    )
    return out


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_json_csv_and_xlsx_write_the_same_digits(project_file: Path) -> None:
    pytest.importorskip("openpyxl")
    from carbonfp.formats.xlsx import read_sheets

    decl, _ = declared(project_file)
    record = json.loads(render(decl, "json").text)
    tidy = [r for r in csv.reader(io.StringIO(render(decl, "csv").text)) if r[1] != "metadata"]
    sheet = read_sheets(render(decl, "xlsx").content)["declaration"]  # type: ignore[arg-type]
    numbers = _tidy_numbers(decl)
    assert [tuple(r[1:3]) for r in tidy[1:]] == list(numbers)
    changed = 0
    for row, cells in zip(tidy[1:], sheet[1:], strict=True):
        raw, path = numbers[(row[1], row[2])]
        in_json = _at(record, path)
        assert in_json == rounded(raw)
        assert row[3] == number_text(in_json) == number_text(raw)
        assert float(row[3]) == in_json
        assert cells[3] == in_json and isinstance(cells[3], (int, float))
        changed += raw != in_json
    assert changed, "no number needed rounding: this test would not see a writer that skips it"


@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_exchange_formats_write_the_same_digits(project_file: Path) -> None:
    decl, _ = declared(project_file)
    record = json.loads(render(decl, "json").text)["carbon_footprint"]
    passport = json.loads(render(decl, "batterypass").text)
    pact = json.loads(render(decl, "pact").text)["extensions"][0]["data"]
    assert passport["batteryCarbonFootprint"] == record["total_kg_co2e_per_kwh"]
    assert passport["absoluteCarbonFootprint"] == record["absolute_kg_co2e"]
    assert Decimal(pact["batteryCarbonFootprint"]) == Decimal(repr(record["total_kg_co2e_per_kwh"]))
    assert Decimal(pact["absoluteCarbonFootprint"]) == Decimal(repr(record["absolute_kg_co2e"]))
    by_stage = [s["carbonFootprint"] for s in passport["carbonFootprintPerLifecycleStage"]]
    pact_stages = [s["carbonFootprint"] for s in pact["carbonFootprintPerLifecycleStage"]]
    for s, in_passport, in_pact in zip(decl.stages, by_stage, pact_stages, strict=True):
        in_json = record["stages"][s.stage.value]["kg_co2e_per_kwh"]
        assert in_passport == in_json
        assert Decimal(in_pact) == Decimal(repr(in_json))


#: How a writer would round on its own: a "10g" format, or float() of a formatted number.
OWN_ROUNDING = re.compile(r"\.10g|float\(f[\"']")


def test_no_writer_rounds_on_its_own() -> None:
    offenders = []
    for path in sorted(FORMATS_DIR.glob("*.py")):
        if path.name == "common.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OWN_ROUNDING.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == [], "round with carbonfp.formats.common.rounded / number_text"
    # the pattern finds the roundings the writers had before there was one
    assert OWN_ROUNDING.search('    return None if value is None else float(f"{value:.10g}")')
    assert OWN_ROUNDING.search('rows.append(f"{stage},{value:.10g}")')
