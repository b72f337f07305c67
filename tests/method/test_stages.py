"""Stage names (carbonfp.model.parse_stage) and the stage each line lands in."""

from __future__ import annotations

import pytest
from support import make_line, make_project

from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError, Location
from carbonfp.method.stages import default_stage
from carbonfp.model import FactorSet, LineKind, Ruleset, Stage, parse_stage


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
def test_default_stage_by_kind(
    tiny_factors: FactorSet, tiny_rules: Ruleset, kind: LineKind, stage: Stage
) -> None:
    assert default_stage(kind, tiny_rules) is stage
    line = make_line(ID_OF[kind], 1.0, UNIT_OF[kind], kind)
    assert calculate(make_project([line]), tiny_factors, tiny_rules).lines[0].stage is stage


#: A factor id and unit of the tiny set for each kind of line.
ID_OF = {
    LineKind.MATERIAL: "steel-sheet",
    LineKind.ELECTRICITY: "grid-hu",
    LineKind.FUEL: "natural-gas",
    LineKind.PROCESS_EMISSION: "HFC-134a",
    LineKind.TRANSPORT: "truck-hgv-average",
}
UNIT_OF = {
    LineKind.MATERIAL: "kg",
    LineKind.ELECTRICITY: "kWh",
    LineKind.FUEL: "MJ",
    LineKind.PROCESS_EMISSION: "kg",
    LineKind.TRANSPORT: "t*km",
}


@pytest.mark.parametrize("kind", list(LineKind))
def test_own_stage_wins(tiny_factors: FactorSet, tiny_rules: Ruleset, kind: LineKind) -> None:
    line = make_line(ID_OF[kind], 1.0, UNIT_OF[kind], kind, stage=Stage.DISTRIBUTION)
    decl = calculate(make_project([line]), tiny_factors, tiny_rules)
    assert decl.lines[0].stage is Stage.DISTRIBUTION
    assert decl.stage(Stage.DISTRIBUTION).kg_co2e == decl.absolute_kg_co2e > 0


def test_transport_leg_without_stage(tiny_factors: FactorSet, tiny_rules: Ruleset) -> None:
    line = make_line("truck-hgv-average", 10.0, "t*km", LineKind.TRANSPORT)
    assert default_stage(LineKind.TRANSPORT, tiny_rules) is None
    with pytest.raises(InputError) as info:
        calculate(make_project([line]), tiny_factors, tiny_rules)
    assert info.value.code == "missing-stage"
    assert info.value.where == line.where


def test_every_line_kind_is_handled_by_the_shipped_ruleset() -> None:
    """Every LineKind has a default stage in the shipped ruleset, except transport legs."""
    from carbonfp.data import load_rules

    rules = load_rules("eu-ev-draft-2024-04")
    assert set(rules.stage_by_kind) == set(LineKind) - {LineKind.TRANSPORT}
