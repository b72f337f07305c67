"""One table of stage names: every writer names the stages from carbonfp.formats.common."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from formats_support import EV, declared

import carbonfp.formats
from carbonfp.formats import render
from carbonfp.formats.common import STAGE_IDS, STAGE_NAMES, stage_of
from carbonfp.model import STAGE_TITLES, Stage

FORMATS_DIR = Path(carbonfp.formats.__file__).parent


def test_every_stage_has_its_names_in_annex_ii_order() -> None:
    assert list(STAGE_NAMES) == list(Stage)
    assert STAGE_IDS == ("raw_materials", "production", "distribution", "end_of_life")
    for stage, name in STAGE_NAMES.items():
        assert name.stage is stage and name.id == stage.value
        assert name.title == STAGE_TITLES[stage]
        assert stage_of(stage.value) is name
    assert [n.passport for n in STAGE_NAMES.values()] == [
        "RawMaterialExtraction",
        "MainProduction",
        "Distribution",
        "Recycling",
    ]
    labels = [n.label for n in STAGE_NAMES.values()]
    assert labels == ["Raw materials", "Production", "Distribution", "End of life"]
    assert stage_of("use") is None


def test_the_table_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        STAGE_NAMES[Stage.PRODUCTION] = STAGE_NAMES[Stage.DISTRIBUTION]  # type: ignore[index]


def _stage_literals() -> set[str]:
    names = set()
    for n in STAGE_NAMES.values():
        names |= {n.id, n.title, n.passport, n.label}
    return names


def test_no_writer_spells_a_stage_name_of_its_own() -> None:
    """Every string constant of carbonfp/formats (but the table's module) is checked: none may
    be a stage id, title, passport code or label. The record's ``end_of_life`` section (the
    Circular Footprint Formula's terms) is a key of the record, not a stage: it may be spelt."""
    decl, _ = declared(EV)
    sections = set(json.loads(render(decl, "json").text))
    assert sections & set(STAGE_IDS) == {"end_of_life"}
    names = _stage_literals() - sections
    offenders = []
    for path in sorted(FORMATS_DIR.glob("*.py")):
        if path.name == "common.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names:
                offenders.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert offenders == [], "take stage names from carbonfp.formats.common.STAGE_NAMES"


def test_the_check_finds_a_stage_name() -> None:
    """The check above can fail: a module spelling a passport code is caught."""
    tree = ast.parse('CODES = {"production": "MainProduction"}')
    found = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)} & _stage_literals()
    assert found == {"production", "MainProduction"}


def test_writers_use_the_table() -> None:
    decl, _ = declared(EV)
    text = render(decl, "text").text
    for name in STAGE_NAMES.values():
        assert f"  {name.title}" in text
    passport = json.loads(render(decl, "batterypass").text)
    codes = [s["lifecycleStage"] for s in passport["carbonFootprintPerLifecycleStage"]]
    assert codes == [STAGE_NAMES[s.stage].passport for s in decl.stages]
    pact = json.loads(render(decl, "pact").text)["extensions"][0]["data"]
    assert [s["lifecycleStage"] for s in pact["carbonFootprintPerLifecycleStage"]] == codes
    record = json.loads(render(decl, "json").text)
    assert list(record["carbon_footprint"]["stages"]) == list(STAGE_IDS)


def test_the_report_uses_the_table() -> None:
    pytest.importorskip("matplotlib")
    decl, _ = declared(EV)
    html = render(decl, "html").text
    for name in STAGE_NAMES.values():
        assert name.title in html and name.label in html
