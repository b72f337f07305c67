"""Hypothesis properties of the core on the tiny in-test factor set.

Grams and kilograms give the same result; scaling every amount by k scales every stage by k;
the order of the lines changes nothing. Stage sums are compared within 1e-9 relative.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import make_battery, make_factor_set, make_line, make_project, make_rules

from carbonfp.engine.calculate import calculate
from carbonfp.model import ActivityLine, Declaration, LineKind, Stage, SuppliedFactor
from carbonfp.units import parse_number

FACTORS = make_factor_set()
RULES = make_rules()
REL = 1e-9

# No deadline: these are not timing tests, and the first call parses units (slower).
settings.register_profile("carbonfp", deadline=None, max_examples=60)
settings.load_profile("carbonfp")

#: (factor id, kind, own stage, unit, the same amount in another unit: (unit, multiplier))
TEMPLATES: list[tuple[str, LineKind, Stage | None, str, tuple[str, float]]] = [
    ("aluminium-primary", LineKind.MATERIAL, None, "kg", ("g", 1000.0)),
    ("steel-sheet", LineKind.MATERIAL, None, "kg", ("t", 1e-3)),
    ("graphite-natural", LineKind.MATERIAL, None, "g", ("kg", 1e-3)),
    ("recycling-hydromet", LineKind.MATERIAL, Stage.END_OF_LIFE, "kg", ("g", 1000.0)),
    ("grid-hu", LineKind.ELECTRICITY, None, "kWh", ("MJ", 3.6)),
    ("grid-cn", LineKind.ELECTRICITY, None, "MJ", ("kWh", 1 / 3.6)),
    ("natural-gas", LineKind.FUEL, None, "MJ", ("GJ", 1e-3)),
    ("HFC-134a", LineKind.PROCESS_EMISSION, None, "kg", ("g", 1000.0)),
    ("truck-hgv-average", LineKind.TRANSPORT, Stage.DISTRIBUTION, "t*km", ("kg*km", 1000.0)),
    ("sea-container-average", LineKind.TRANSPORT, Stage.RAW_MATERIALS, "tkm", ("t*km", 1.0)),
]

amounts = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def line_lists(draw: st.DrawFn) -> list[ActivityLine]:
    picks = draw(st.lists(st.tuples(st.sampled_from(TEMPLATES), amounts), min_size=1, max_size=25))
    return [
        make_line(fid, qty, unit, kind, stage=stage, row=row)
        for row, ((fid, kind, stage, unit, _), qty) in enumerate(picks, start=2)
    ]


def run(lines: list[ActivityLine]) -> Declaration:
    return calculate(make_project(lines), FACTORS, RULES)


def stage_kg(decl: Declaration) -> list[float]:
    return [s.kg_co2e for s in decl.stages]


def in_other_unit(line: ActivityLine) -> ActivityLine:
    template = next(t for t in TEMPLATES if t[0] == line.factor_id)
    unit, multiplier = template[4]
    return replace(line, quantity=line.quantity * multiplier, unit=unit)


@given(line_lists())
def test_units_of_the_amounts_do_not_matter(lines: list[ActivityLine]) -> None:
    """Grams vs kilograms (and kWh vs MJ, t*km vs kg*km): the same result."""
    base = run(lines)
    other = run([in_other_unit(line) for line in lines])
    assert stage_kg(other) == pytest.approx(stage_kg(base), rel=REL)
    assert other.total_kg_co2e_per_kwh == pytest.approx(base.total_kg_co2e_per_kwh, rel=REL)


@given(
    line_lists(),
    st.sampled_from(
        [("kg CO2e/kg", 1.0), ("g CO2e/kg", 1000.0), ("kg CO2e/g", 1e-3), ("t CO2e/t", 1.0)]
    ),
    st.floats(min_value=0.01, max_value=100),
)
def test_units_of_a_supplied_factor_do_not_matter(
    lines: list[ActivityLine], spelling: tuple[str, float], value: float
) -> None:
    unit, multiplier = spelling
    extra = make_line("cam-nmc811", 12.5, supplied=SuppliedFactor(value, "kg CO2e/kg", "s"))
    respelled = replace(extra, supplied=SuppliedFactor(value * multiplier, unit, "s"))
    assert stage_kg(run([*lines, respelled])) == pytest.approx(
        stage_kg(run([*lines, extra])), rel=REL
    )


@given(line_lists(), st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_every_amount_scales_every_stage(lines: list[ActivityLine], k: float) -> None:
    base = run(lines)
    scaled = run([replace(line, quantity=line.quantity * k) for line in lines])
    assert stage_kg(scaled) == pytest.approx([k * kg for kg in stage_kg(base)], rel=REL)
    assert scaled.absolute_kg_co2e == pytest.approx(k * base.absolute_kg_co2e, rel=REL)
    for a, b in zip(scaled.stages, base.stages, strict=True):
        assert a.share == pytest.approx(b.share, rel=REL, abs=1e-15)


@given(line_lists(), st.floats(min_value=1.0, max_value=1000.0))
def test_per_kwh_scales_inversely_with_usable_capacity(
    lines: list[ActivityLine], capacity: float
) -> None:
    decl = calculate(
        make_project(lines, make_battery(usable_capacity_kwh=capacity)), FACTORS, RULES
    )
    e_total = capacity * 60 * 8
    assert decl.functional_unit.total_energy_kwh == pytest.approx(e_total, rel=REL)
    for s in decl.stages:
        assert s.kg_co2e_per_kwh == pytest.approx(s.kg_co2e / e_total, rel=REL)
    assert decl.total_kg_co2e_per_kwh == pytest.approx(decl.absolute_kg_co2e / e_total, rel=REL)


@given(st.data(), line_lists())
def test_row_order_changes_nothing(data: st.DataObject, lines: list[ActivityLine]) -> None:
    shuffled = data.draw(st.permutations(lines))
    base, other = run(lines), run(list(shuffled))
    assert stage_kg(other) == pytest.approx(stage_kg(base), rel=REL)
    assert other.absolute_kg_co2e == pytest.approx(base.absolute_kg_co2e, rel=REL)
    assert sorted(r.kg_co2e for r in other.lines) == sorted(r.kg_co2e for r in base.lines)


@given(line_lists())
def test_stages_add_up_to_the_total(lines: list[ActivityLine]) -> None:
    decl = run(lines)
    assert sum(stage_kg(decl)) == pytest.approx(decl.absolute_kg_co2e, rel=REL)
    assert sum(r.kg_co2e for r in decl.lines) == pytest.approx(decl.absolute_kg_co2e, rel=REL)
    assert sum(s.share for s in decl.stages) == pytest.approx(1.0, rel=REL)
    assert decl.cradle_to_gate_kg_co2e == pytest.approx(
        decl.stage(Stage.RAW_MATERIALS).kg_co2e + decl.stage(Stage.PRODUCTION).kg_co2e, rel=REL
    )


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_parse_number_reads_both_locales(value: object) -> None:
    """A number Excel writes in an English or a German locale reads back as the same number."""
    english = f"{value:,.2f}"  # 1,234,567.50
    german = english.replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234.567,50
    expected = float(str(value))
    assert parse_number(english) == pytest.approx(expected, rel=1e-15)
    assert parse_number(german, decimal_comma=True) == pytest.approx(expected, rel=1e-15)
    assert parse_number(english.replace(",", ""), decimal_comma=False) == pytest.approx(
        expected, rel=1e-15
    )
