"""Origins: the shipped ISO 3166-1 alpha-2 list and the grammar of an origin cell."""

from __future__ import annotations

import re

import pytest
import tomllib
from support import REPO

from carbonfp.errors import InputError, Location
from carbonfp.origins import (
    SUPPLY_STAGES,
    Origin,
    country_code,
    load_countries,
    merged,
    origin_cell,
    parse_origin,
    read_origin,
)

COUNTRIES = REPO / "factors" / "sourcing" / "countries.toml"


def test_the_country_list_is_the_249_iso_codes_with_its_source() -> None:
    data = tomllib.loads(COUNTRIES.read_text(encoding="utf-8"))
    codes = list(data["countries"])
    assert len(codes) == len(set(codes)) == 249
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    assert codes == sorted(codes)
    # codes people write that ISO has not assigned are suggestions, never accepted codes
    assert {"UK", "EL", "EU"}.isdisjoint(codes)
    assert data["suggest"] == {"UK": "GB", "EL": "GR"}
    assert data["license"] == "PDDL-1.0" and "country-codes" in data["source"]
    text = COUNTRIES.read_text(encoding="utf-8")
    assert "060e8c02fc8d9281a294669b89a0e50b5164abd4" in text  # the commit read
    assert load_countries().names["KR"] == "Republic of Korea"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("  ", None),
        ("cn", "CN"),
        (" KR ", "KR"),
        ("FI; refining=FI; extraction=ID", "FI; refining=FI; extraction=ID"),
        ("extraction:id refining = fi FI", "FI; refining=FI; extraction=ID"),
        ("mining=CD,processing=CN", "refining=CN; extraction=CD"),
        ("manufacture=KR", "manufacture=KR"),
    ],
)
def test_an_origin_cell_is_written_one_way(text: str, expected: str | None) -> None:
    assert origin_cell(text) == expected
    if expected is not None:  # what carbonfp writes reads back as itself
        assert origin_cell(expected) == expected


@pytest.mark.parametrize(
    ("text", "code", "hint"),
    [
        ("XX", "unknown-country", "two-letter code"),
        ("UK", "unknown-country", "did you mean GB"),
        ("EL", "unknown-country", "did you mean GR"),
        ("Chile", "unknown-country", "CL (Chile)"),
        ("CHN", "unknown-country", "two-letter code"),
        ("mine=XX", "unknown-country", "two-letter code"),
        ("smelting=CN", "invalid-value", "extraction"),
        ("CN KR", "invalid-value", "two lines"),
        ("refining=CN; processing=FI", "invalid-value", "one country per stage"),
    ],
)
def test_a_bad_origin_is_refused_with_its_place_and_a_fix(text: str, code: str, hint: str) -> None:
    where = Location("bom.csv", 4, 5)
    with pytest.raises(InputError) as caught:
        origin_cell(text, where)
    assert caught.value.code == code
    assert caught.value.where == where
    assert hint in (caught.value.hint or "")
    assert "origin" in caught.value.message


def test_stages_are_read_in_their_order_and_looked_up() -> None:
    origin = parse_origin("extraction=ID; KR; refining=FI")
    assert origin == Origin("KR", (("refining", "FI"), ("extraction", "ID")))
    assert [origin.at(s) for s in SUPPLY_STAGES] == [None, "FI", "ID"]


def test_a_sub_bom_origin_fills_what_a_line_leaves_out() -> None:
    inherited = "KR; extraction=AU"
    assert origin_cell("", None, inherited) == "KR; extraction=AU"
    assert origin_cell("CN", None, inherited) == "CN; extraction=AU"
    assert origin_cell("extraction=CL", None, inherited) == "KR; extraction=CL"
    assert merged(None, None) is None


def test_a_grid_region_reads_back_as_its_own_country() -> None:
    """An energy line's origin is its grid: a region such as EU27 is kept, not refused."""
    assert read_origin("EU27") == Origin("EU27")
    assert read_origin("hu") == Origin("HU")
    assert read_origin(None) is None


def test_country_code_names_what_is_checked() -> None:
    assert country_code("de", None) == "DE"
    with pytest.raises(InputError, match="exclude entry 'ZZ'"):
        country_code("ZZ", None, "exclude entry")
