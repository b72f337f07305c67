"""The report's sourcing section (``carbonfp report --sourcing``): every number is the one of
``carbonfp sourcing --format json``, with a chart of the footprint by country of origin."""

from __future__ import annotations

import json

import pytest
from report_support import EV, calc_json, check_marked, ok, read_page, report_html, unmarked_digits
from support import REPO

from carbonfp.engine.sourcing import battery_document

pytest.importorskip("matplotlib")

MIXED = REPO / "tests" / "projects" / "ev-mixed-origin" / "battery.toml"


def test_every_number_of_the_section_is_the_sourcing_json() -> None:
    html = report_html(MIXED, "--sourcing-rules", "eu-crma-benchmark")
    page = read_page(html)
    document = json.loads(
        ok("sourcing", MIXED, "--rules", "eu-crma-benchmark", "-f", "json").stdout
    )
    declaration = calc_json(MIXED)
    checked = check_marked(page, {None: declaration, "sourcing": battery_document(document)})
    sourcing = [m for m in page.marked if m.attrs.get("data-doc") == "sourcing"]
    assert len(sourcing) > 50 and checked > len(sourcing)
    assert unmarked_digits(page, declaration["provenance"]["inputs"]) == []
    keys = {m.attrs["data-key"] for m in sourcing}
    assert "footprint.total_kg_co2e" in keys and "notice" in keys
    assert any(k.startswith("findings[") and k.endswith(".message") for k in keys)
    assert '<section id="sourcing">' in html
    assert any('id="chart-sourcing' in svg for svg in page.svgs)


def test_the_section_is_there_only_when_asked_for() -> None:
    assert '<section id="sourcing">' not in report_html(EV)
    plain = report_html(EV, "--sourcing")
    assert '<section id="sourcing">' in plain and "Sourcing rules and findings" not in plain
