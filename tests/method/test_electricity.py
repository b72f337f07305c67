"""Electricity policies: national mix, market-based instruments (four criteria), on-site."""

from __future__ import annotations

from dataclasses import replace

import pytest

from carbonfp.engine.calculate import calculate
from carbonfp.method.electricity import instrument_criteria, resolve_electricity
from carbonfp.model import ElectricitySupply, LineKind, Stage, SuppliedFactor, Supply
from tests.support import make_factor_set, make_line, make_project, make_rules

ROWS = {
    "grid-hu": ("electricity", 500.0, "g CO2e/kWh"),
    "tech-wind-onshore": ("electricity", 11.0, "g CO2e/kWh"),
    "tech-solar-pv-rooftop": ("electricity", 41.0, "g CO2e/kWh"),
}
FACTORS = make_factor_set(ROWS)

GOOD = ElectricitySupply(
    supply=Supply.PPA,
    technology="wind-onshore",
    certificate_id="GO-1",
    conveys_attributes=True,
    cancelled_for_user=True,
    generation_period="2025",
    consumption_period="2025",
    market="HU",
)


def block(supply: ElectricitySupply, kwh: float = 1000.0, row: int = 2):  # type: ignore[no-untyped-def]
    return make_line("grid-hu", kwh, "kWh", LineKind.ELECTRICITY, supply=supply, row=row)


def test_all_four_criteria_hold() -> None:
    assert instrument_criteria(GOOD, "HU", "year") == []


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"conveys_attributes": None}, "conveys the attributes"),
        ({"conveys_attributes": False}, "conveys the attributes"),
        ({"cancelled_for_user": False}, "unique claim"),
        ({"certificate_id": None}, "unique claim"),
        ({"generation_period": "2024"}, "close in time"),
        ({"consumption_period": None}, "close in time"),
        ({"market": "AT"}, "same market"),
        ({"market": None}, "same market"),
    ],
)
def test_each_criterion_fails_alone(change: dict[str, object], criterion: str) -> None:
    failed = instrument_criteria(replace(GOOD, **change), "HU", "year")  # type: ignore[arg-type]
    assert len(failed) == 1
    assert failed[0].startswith(criterion)


def test_month_matching_needs_the_same_month() -> None:
    supply = replace(GOOD, generation_period="2025-03", consumption_period="2025-04")
    assert instrument_criteria(supply, "HU", "year") == []
    assert instrument_criteria(supply, "HU", "month")[0].startswith("close in time")


def test_market_based_credits_a_valid_ppa_at_its_technology() -> None:
    result, issues = resolve_electricity(
        block(GOOD), FACTORS, make_rules(electricity_policy="market-based")
    )
    assert result.credited_share == 1.0
    assert result.factor_kg_per_kwh == pytest.approx(0.011)
    assert "all four criteria hold" in result.reason
    # no residual mix anywhere: the national mix stands in, said as a warning
    assert [i.code for i in issues] == ["no-residual-mix"]


def test_market_based_refuses_an_instrument_failing_a_criterion() -> None:
    result, _ = resolve_electricity(
        block(replace(GOOD, market="AT")), FACTORS, make_rules(electricity_policy="market-based")
    )
    assert result.credited_share == 0.0
    assert result.factor_kg_per_kwh == pytest.approx(0.5)
    assert "same market" in result.reason


def test_national_mix_never_credits_an_instrument() -> None:
    result, _ = resolve_electricity(block(GOOD), FACTORS, make_rules())
    assert result.credited_share == 0.0
    assert result.factor_kg_per_kwh == pytest.approx(0.5)
    assert "not credited" in result.reason


def test_residual_mix_replaces_the_national_mix_under_market_based() -> None:
    supply = ElectricitySupply(residual_mix=SuppliedFactor(700.0, "g CO2e/kWh", "AIB 2024"))
    result, issues = resolve_electricity(
        block(supply), FACTORS, make_rules(electricity_policy="market-based")
    )
    assert result.factor_kg_per_kwh == pytest.approx(0.7)
    assert issues == []
    national, _ = resolve_electricity(block(supply), FACTORS, make_rules())
    assert national.factor_kg_per_kwh == pytest.approx(0.5)


def test_on_site_share_blends_technology_and_grid_under_both_policies() -> None:
    supply = ElectricitySupply(supply=Supply.ON_SITE, technology="solar-pv-rooftop", share=0.25)
    for policy in ("national-mix", "market-based"):
        result, _ = resolve_electricity(
            block(supply), FACTORS, make_rules(electricity_policy=policy)
        )
        assert result.credited_share == 0.25
        assert result.factor_kg_per_kwh == pytest.approx(0.25 * 0.041 + 0.75 * 0.5)


def test_declaration_counts_the_block_and_warns_on_a_reused_certificate() -> None:
    lines = [block(GOOD, 1000.0, row=2), block(GOOD, 500.0, row=3)]
    decl = calculate(make_project(lines), FACTORS, make_rules(electricity_policy="market-based"))
    assert decl.stage(Stage.PRODUCTION).kg_co2e == pytest.approx(1000 * 0.011 + 500 * 0.5)
    # the certificate backs the first block only: the second fails the unique-claim criterion
    assert [e.credited_share for e in decl.electricity] == [1.0, 0.0]
    assert "already claimed" in decl.electricity[1].reason
    assert any(w.code == "duplicate-certificate" for w in decl.warnings)
