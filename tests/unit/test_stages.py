"""Stage names and the stage each line lands in (carbonfp.method.stages)."""

from __future__ import annotations

import pytest
from support import make_line

from carbonfp.errors import InputError, Location
from carbonfp.method.stages import assign_stage, parse_stage
from carbonfp.model import LineKind, Ruleset, Stage


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("raw_materials", Stage.RAW_MATERIALS),
        ("Raw materials", Stage.RAW_MATERIALS),
        ("raw-material", Stage.RAW_MATERIALS),
        ("RawMaterialExtraction", Stage.RAW_MATERIALS),
        ("production", Stage.PRODUCTION),
        ("MainProduction", Stage.PRODUCTION),
        ("main production", Stage.PRODUCTION),
        ("manufacturing", Stage.PRODUCTION),
        ("Distribution", Stage.DISTRIBUTION),
        ("end_of_life", Stage.END_OF_LIFE),
        ("End of life", Stage.END_OF_LIFE),
        ("end-of-life", Stage.END_OF_LIFE),
        ("EoL", Stage.END_OF_LIFE),
        ("Recycling", Stage.END_OF_LIFE),
        ("  production  ", Stage.PRODUCTION),
    ],
)
def test_parse_stage(text: str, stage: Stage) -> None:
    assert parse_stage(text) is stage


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_id_parses_to_itself(stage: Stage) -> None:
    assert parse_stage(stage.value) is stage


@pytest.mark.parametrize("text", ["use", "Use", "use phase", "use-stage", "USE_STAGE", "operation"])
def test_use_stage_is_excluded(text: str) -> None:
    where = Location("bom.csv", 5, 5)
    with pytest.raises(InputError) as info:
        parse_stage(text, where)
    error = info.value
    assert error.code == "use-stage"
    assert error.where == where
    assert error.hint and "Annex II" in error.hint


@pytest.mark.parametrize("text", ["usage", "assembly", "cradle", ""])
def test_unknown_stage(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_stage(text, Location("bom.csv", 2))
    assert info.value.code == "unknown-stage"
    assert info.value.hint and all(s.value in info.value.hint for s in Stage)


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        (LineKind.MATERIAL, Stage.RAW_MATERIALS),
        (LineKind.ELECTRICITY, Stage.PRODUCTION),
        (LineKind.FUEL, Stage.PRODUCTION),
        (LineKind.PROCESS_EMISSION, Stage.PRODUCTION),
    ],
)
def test_default_stage_by_kind(tiny_rules: Ruleset, kind: LineKind, stage: Stage) -> None:
    assert assign_stage(make_line("x", 1.0, kind=kind), tiny_rules) is stage


@pytest.mark.parametrize("kind", list(LineKind))
def test_own_stage_wins(tiny_rules: Ruleset, kind: LineKind) -> None:
    line = make_line("x", 1.0, kind=kind, stage=Stage.END_OF_LIFE)
    assert assign_stage(line, tiny_rules) is Stage.END_OF_LIFE


def test_transport_leg_without_stage(tiny_rules: Ruleset) -> None:
    line = make_line("truck-hgv-average", 10.0, "t*km", LineKind.TRANSPORT)
    with pytest.raises(InputError) as info:
        assign_stage(line, tiny_rules)
    assert info.value.code == "missing-stage"
    assert info.value.where == line.where


def test_every_line_kind_is_handled_by_the_shipped_ruleset() -> None:
    """Every LineKind has a default stage in the shipped ruleset, except transport legs."""
    from carbonfp.data import load_rules

    rules = load_rules("eu-ev-draft-2024-04")
    assert set(rules.stage_by_kind) == set(LineKind) - {LineKind.TRANSPORT}
