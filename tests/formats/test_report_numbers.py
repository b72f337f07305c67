"""Every number in the report is the JSON's: the declaration's (`carbonfp calc --format json`),
the comparison's (`carbonfp compare --format json`) and the Monte Carlo summary's."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from report_support import (
    BUS,
    EV,
    PROJECT_IDS,
    PROJECTS,
    calc_json,
    check_marked,
    ok,
    read_page,
    report_html,
    resolve,
    shown_number,
    unmarked_digits,
)

from carbonfp.formats.report import key_of

pytest.importorskip("matplotlib")

STAGES = ("raw_materials", "production", "distribution", "end_of_life")


def keys(html: str, doc: str | None = None) -> set[str]:
    return {m.attrs["data-key"] for m in read_page(html).marked if m.attrs.get("data-doc") == doc}


@pytest.mark.parametrize("project", PROJECTS, ids=PROJECT_IDS)
def test_every_number_equals_the_json_declaration(project: Path) -> None:
    declaration = calc_json(project)
    html = report_html(project)
    page = read_page(html)
    assert check_marked(page, {None: declaration}) > 100
    names = declaration["provenance"]["inputs"]
    assert unmarked_digits(page, names) == [], "a number on the page no data-key vouches for"


@pytest.mark.parametrize("project", PROJECTS, ids=PROJECT_IDS)
def test_the_article_7_items_and_the_method_are_all_shown(project: Path) -> None:
    declaration = calc_json(project)
    shown = keys(report_html(project))
    required = {
        "label",
        "manufacturer.name",
        "battery.model",
        "plant.town",
        "plant.region",
        "plant.country",
        "carbon_footprint.total_kg_co2e_per_kwh",
        "carbon_footprint.absolute_kg_co2e",
        "declaration.eu_doc_id",
        "declaration.study_url",
        "functional_unit.total_energy_kwh",
        "functional_unit.derivation",
        "provenance.ruleset",
        "provenance.ruleset_legal_status",
        "provenance.ruleset_sha256",
        "provenance.factor_set",
        "provenance.factor_set_sha256",
        "data_quality.dqr_overall",
    }
    for stage in STAGES:
        for metric in ("kg_co2e_per_kwh", "kg_co2e", "share"):
            required.add(f"carbon_footprint.stages.{stage}.{metric}")
        required.add(f"data_quality.dqr_by_stage.{stage}")
    for i, _ in enumerate(declaration["electricity"]):
        for field in ("policy", "credited_share", "reason", "kwh", "kg_co2e"):
            required.add(f"electricity[{i}].{field}")
    for i, rc in enumerate(declaration["recycled_content"]):
        required.add(f"recycled_content[{i}].share")
        for j, _ in enumerate(rc["minimums"]):
            required |= {
                f"recycled_content[{i}].minimums[{j}].minimum_share",
                f"recycled_content[{i}].minimums[{j}].met",
            }
    for i, _ in enumerate(declaration["provenance"]["sources"]):
        for field in ("title", "publisher", "year", "url", "license", "attribution"):
            required.add(f"provenance.sources[{i}].{field}")
    for i, _ in enumerate(declaration["warnings"]):
        required.add(f"warnings[{i}].message")
    for i, _ in enumerate(declaration["top_contributors"]):
        required.add(f"top_contributors[{i}].kg_co2e")
    for name in declaration["provenance"]["inputs"]:
        required.add(key_of(("provenance", "inputs", name)))
    assert required - shown == set()


def test_a_stage_can_be_negative_and_is_shown_with_its_sign() -> None:
    declaration = calc_json(EV)
    eol = declaration["carbon_footprint"]["stages"]["end_of_life"]["kg_co2e_per_kwh"]
    assert eol < 0, "the EV sample has end-of-life credits"
    page = read_page(report_html(EV))
    shown = [
        m.text
        for m in page.marked
        if m.attrs["data-key"] == "carbon_footprint.stages.end_of_life.kg_co2e_per_kwh"
    ]
    assert shown and all(t.startswith("\u2212") for t in shown)


def test_options_like_calc_give_the_numbers_calc_gives() -> None:
    args = ("--rules", "jrc-cfb-ev-2023", "--factor-set", "carbonfp-open@2026.0")
    declaration = calc_json(EV, *args)
    page = read_page(report_html(EV, *args))
    check_marked(page, {None: declaration})
    ruleset = next(m.text for m in page.marked if m.attrs["data-key"] == "provenance.ruleset")
    assert ruleset == "jrc-cfb-ev-2023"


@pytest.mark.parametrize(
    "args",
    [
        ("--plant-country", "HU,PL,SE"),
        ("--electricity-policy", "national-mix", "--electricity-policy", "market-based"),
        ("--rules", "eu-ev-draft-2024-04", "--rules", "jrc-cfb-ev-2023"),
    ],
    ids=["plant-country", "electricity-policy", "rules"],
)
def test_scenarios_match_compare_and_leave_the_declaration_alone(args: tuple[str, ...]) -> None:
    comparison = json.loads(ok("compare", EV, *args, "--format", "json").stdout)
    declaration = calc_json(EV)  # the project as given: scenarios change only the comparison
    html = report_html(EV, *args)
    page = read_page(html)
    check_marked(page, {None: declaration, "comparison": comparison})
    shown = keys(html, "comparison")
    for i, sc in enumerate(comparison["scenarios"]):
        assert f"scenarios[{i}].total_kg_co2e_per_kwh" in shown
        for stage in STAGES:
            assert f"scenarios[{i}].stages.{stage}.kg_co2e_per_kwh" in shown
        for j, _ in enumerate(sc["explained_by"]):
            assert f"scenarios[{i}].explained_by[{j}].delta_kg_co2e" in shown
    assert 'id="chart-comparison"' in html
    assert unmarked_digits(page, declaration["provenance"]["inputs"]) == []


def test_two_projects_compare_and_the_first_is_declared() -> None:
    comparison = json.loads(ok("compare", EV, BUS, "--format", "json").stdout)
    html = report_html(EV, BUS)
    page = read_page(html)
    assert check_marked(page, {None: calc_json(EV), "comparison": comparison}) > 100
    assert resolve(comparison, "varies") == "project"
    labels = [m.text for m in page.marked if m.attrs.get("data-doc") == "comparison"]
    assert "ev-nmc811-hu" in labels and "bus-lfp-cn" in labels


def test_a_single_scenario_option_applies_to_the_declaration() -> None:
    """Given once, --electricity-policy is simply the policy, as compare applies it."""
    html = report_html(EV, "--electricity-policy", "market-based")
    page = read_page(html)
    policies = {m.text for m in page.marked if m.attrs["data-key"].endswith("].policy")}
    assert policies == {"market-based"}
    assert 'id="comparison"' not in html


def test_shown_number_reads_the_formats_back() -> None:
    assert shown_number("5\u202f612.9") == (5612.9, pytest.approx(0.05))
    assert shown_number("\u22120.0171")[0] == -0.0171
    value, rounding = shown_number("88.2%")
    assert value == pytest.approx(0.882) and rounding == pytest.approx(0.0005)
    with pytest.raises(AssertionError):
        shown_number("1e5")


def test_the_number_check_catches_a_wrong_number() -> None:
    """The comparison must be able to fail: change one value of the JSON and it does."""
    declaration = calc_json(EV)
    page = read_page(report_html(EV))
    declaration["carbon_footprint"]["stages"]["production"]["kg_co2e"] += 0.5
    with pytest.raises(AssertionError, match=r"production\.kg_co2e"):
        check_marked(page, {None: declaration})


def _stub_result() -> Any:
    """What monte_carlo returns, with round numbers."""
    import numpy as np

    from carbonfp.model import Stage

    summary = {"total": {"mean": 0.155, "median": 0.1549, "p2_5": 0.1218, "p97_5": 0.1882}}
    for i, s in enumerate(Stage, 1):
        summary[s.value] = {"mean": 0.01 * i, "median": 0.01 * i, "p2_5": 0.0, "p97_5": 0.02 * i}
    return SimpleNamespace(
        draws=400,
        seed=7,
        total_per_kwh=np.linspace(0.12, 0.19, 400),
        stage_per_kwh={s: np.linspace(0.0, 0.1, 400) for s in Stage},
        summary=summary,
        contributions=[("factor cam-nmc811", 0.75), ("factor grid-cn", 0.25)],
        random_inputs=2,
    )


def test_uncertainty_section_shows_the_monte_carlo_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a stand-in for carbonfp.method.uncertainty: the numbers are the summary's."""

    """With a stand-in for the engine's Monte Carlo: the numbers are the summary's."""
    import carbonfp.engine.evaluate as evaluate
    from carbonfp.model import RandomInput, Uncertainty

    calls: list[tuple[Any, ...]] = []

    def monte_carlo(
        table: Any, rows: Any, kg: Any, battery: int, draws: int, seed: int, progress: Any = None
    ) -> Uncertainty:
        calls.append((table.projects[battery].battery.model, draws, seed))
        stub = _stub_result()
        return Uncertainty(
            draws=stub.draws,
            seed=stub.seed,
            summary=stub.summary,
            contributions=tuple(stub.contributions),
            random_inputs=stub.random_inputs,
            histogram_edges=tuple(float(v) for v in stub.total_per_kwh[::20]),
            histogram_counts=(20,) * 19,
            inputs=tuple(
                RandomInput(label, "lognormal", 1.1, origin=f"stated ({label})", share=share)
                for label, share in stub.contributions
            ),
            declared_per_kwh=0.15,
            declared_percentile=41.3,
        )

    monkeypatch.setattr(evaluate, "monte_carlo", monte_carlo)
    html = report_html(EV, "--uncertainty", "400", "--seed", "7")
    assert calls == [("EVP-75 NMC811", 400, 7)]
    result = _stub_result()
    expected = {
        "draws": 400,
        "seed": 7,
        "random_inputs": 2,
        "summary": result.summary,
        "contributions": [
            {"input": label, "share_of_variance": share, "spread": f"stated ({label})"}
            for label, share in result.contributions
        ],
        "declared_percentile": 41.3,
    }
    page = read_page(html)
    check_marked(page, {None: calc_json(EV), "uncertainty": expected})
    shown = keys(html, "uncertainty")
    for stat in ("mean", "median", "p2_5", "p97_5"):
        assert f"summary.total.{stat}" in shown
    assert "contributions[1].share_of_variance" in shown
    assert "contributions[1].spread" in shown and "declared_percentile" in shown
    assert 'id="chart-uncertainty"' in html
    assert unmarked_digits(page, calc_json(EV)["provenance"]["inputs"]) == []


def test_uncertainty_with_the_monte_carlo_module() -> None:
    import carbonfp
    from carbonfp.inputs.project import load_project

    result = carbonfp.calculate(load_project(EV), uncertainty=300, seed=11).uncertainty
    assert result is not None
    html = report_html(EV, "--uncertainty", "300", "--seed", "11")
    assert html == report_html(EV, "--uncertainty", "300", "--seed", "11")
    page = read_page(html)
    summary = {
        m.attrs["data-key"]: json.loads(m.attrs["data-value"])
        for m in page.marked
        if m.attrs.get("data-doc") == "uncertainty" and m.attrs["data-key"].startswith("summary")
    }
    assert summary["summary.total.median"] == pytest.approx(result.summary["total"]["median"])
    assert summary["summary.total.p97_5"] == pytest.approx(result.summary["total"]["p97_5"])
    assert len(summary) == 4 * len(result.summary)
