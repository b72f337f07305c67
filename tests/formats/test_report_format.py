"""The report's number formats and data-key paths, read back by the tests' own parser."""

from __future__ import annotations

import pytest
from report_support import resolve, shown_number

from carbonfp.formats.report import key_of, lookup
from carbonfp.formats.report_format import FORMATS, fixed, percent, significant


def test_formats() -> None:
    assert fixed(5612.912411, 1) == "5\u202f612.9"
    assert fixed(-0.01705635289, 4) == "\u22120.0171"
    assert fixed(-0.00001, 1) == "0.0", "no negative zero"
    assert significant(1569.81) == "1\u202f570"
    assert significant(0.05) == "0.05"
    assert significant(78.1) == "78.1"
    assert significant(8.0) == "8"
    assert significant(0.0) == "0"
    assert significant(-3.598) == "\u22123.598"
    assert percent(-0.1093957395) == "\u221210.9%"
    assert FORMATS["int"](2025) == "2025"


@pytest.mark.parametrize(
    "value", [0.1559142336, -614.028704, 36000.0, 0.0012365475, 1e-7, 123456789.123]
)
@pytest.mark.parametrize("fmt", ["per_kwh", "kg", "kwh", "share", "dqr", "sig"])
def test_every_format_reads_back_within_its_rounding(fmt: str, value: float) -> None:
    shown, rounding = shown_number(FORMATS[fmt](value))
    assert abs(shown - value) <= rounding * 1.000001


def test_data_keys_round_trip_through_the_tests_parser() -> None:
    data = {
        "provenance": {"inputs": {"battery.toml": "ab", 'odd "name"[0]': "cd"}},
        "lines": [{"stage": "raw_materials"}, {"R1": 0.05}],
        "a-b": {"c_d": 1},
    }
    paths: list[tuple[str | int, ...]] = [
        ("provenance", "inputs", "battery.toml"),
        ("provenance", "inputs", 'odd "name"[0]'),
        ("lines", 0, "stage"),
        ("lines", 1, "R1"),
        ("a-b", "c_d"),
    ]
    for path in paths:
        key = key_of(path)
        assert resolve(data, key) == lookup(data, path), key
    assert key_of(("provenance", "inputs", "battery.toml")) == 'provenance.inputs["battery.toml"]'
    assert key_of(("lines", 1, "R1")) == "lines[1].R1"
