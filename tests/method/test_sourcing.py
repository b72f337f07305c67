"""The sourcing indicators' formulas, on masses worked out by hand."""

from __future__ import annotations

import math

from carbonfp.method.sourcing import (
    Finding,
    Share,
    in_listed_countries,
    of_unknown_origin,
    shares,
    single_country_above,
)


def test_shares_add_up_to_one_with_the_unknown_origin_last() -> None:
    found = shares({"KR": 3.0, "CN": 5.0, "JP": 0.0}, 2.0)
    assert found == [Share("CN", 5.0, 0.5), Share("KR", 3.0, 0.3), Share(None, 2.0, 0.2)]
    assert math.isclose(sum(s.share for s in found), 1.0)
    assert shares({}, 0.0) == []


def test_a_single_country_above_the_threshold() -> None:
    # 7 of 10 kg from CN: 70 % > 65 %; 65 % exactly is not above
    assert single_country_above({"CN": 7.0, "FI": 3.0}, 0.0, 0.65) == [
        Finding("above", "CN", 7.0, 0.7)
    ]
    assert single_country_above({"CN": 6.5, "FI": 3.5}, 0.0, 0.65) == []


def test_excluded_countries_are_not_tested() -> None:
    # FI is a Member State, not a third country
    assert single_country_above({"FI": 9.0, "CN": 1.0}, 0.0, 0.65, exclude={"FI"}) == []


def test_an_unknown_origin_makes_the_indicator_undetermined_or_not_assessed() -> None:
    # CN 5 of 10 kg, 3 kg of no stated origin: CN could be 8 of 10
    assert single_country_above({"CN": 5.0, "KR": 2.0}, 3.0, 0.65) == [
        Finding("undetermined", None, 3.0, 0.3)
    ]
    # 1 kg unknown cannot lift CN (5 + 1 of 10 kg) above 65 %
    assert single_country_above({"CN": 5.0, "KR": 4.0}, 1.0, 0.65) == []
    assert single_country_above({}, 4.0, 0.65) == [Finding("not-assessed", None, 4.0, 1.0)]
    assert single_country_above({}, 0.0, 0.65) == []


def test_listed_countries_and_unknown_origin() -> None:
    assert in_listed_countries({"CN": 2.0, "RU": 1.0, "KR": 1.0}, 4.0, {"CN", "RU"}) == [
        Finding("listed", "CN", 2.0, 0.25),
        Finding("listed", "RU", 1.0, 0.125),
    ]
    assert of_unknown_origin(6.0, 2.0) == [Finding("unknown", None, 2.0, 0.25)]
    assert of_unknown_origin(6.0, 0.0) == []
