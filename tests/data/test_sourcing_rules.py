"""Sourcing rules as versioned data: every shipped rule cites its legal text, covers known
elements and tests something carbonfp computes; a user's own rule file is checked alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import REPO

from carbonfp.data.sourcing import (
    TEST_KINDS,
    load_sourcing_data,
    load_sourcing_rule,
    shipped_sourcing_rules,
    sourcing_rule_versions,
)
from carbonfp.errors import FactorDataError
from carbonfp.origins import SUPPLY_STAGES, load_countries

RULES = REPO / "factors" / "sourcing" / "rules"
SHIPPED = sorted(RULES.glob("*.toml"))


def test_the_shipped_rules() -> None:
    assert sourcing_rule_versions() == {
        "eu-battery-due-diligence": [1],
        "eu-crma-benchmark": [1],
        "us-30d-feoc": [1],
    }
    assert [r.label for r in shipped_sourcing_rules()] == [
        "eu-battery-due-diligence@1",
        "eu-crma-benchmark@1",
        "us-30d-feoc@1",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_rule_cites_its_text(path: Path) -> None:
    rule = load_sourcing_rule(path.stem)
    legal = rule.legal
    assert path.stem == (rule.id if rule.version == 1 else f"{rule.id}@{rule.version}")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", legal.date)
    assert legal.url.startswith("https://")
    assert re.search(r"Article|U\.S\.C\.|Art\.", legal.article)
    for field in (legal.act, legal.article, legal.status, legal.text, rule.title, rule.indicator):
        assert len(field) > 20
    assert "'" in legal.text, "the words of the act are quoted"
    assert rule.test.kind in TEST_KINDS
    assert set(rule.test.stages) <= set(SUPPLY_STAGES)
    elements = {e.key for e in load_sourcing_data().elements}
    assert {c.element for c in rule.covers} <= elements
    assert all(c.as_named for c in rule.covers)
    assert rule.sha256 and rule.source == f"factors/sourcing/rules/{path.name}"


def test_the_crma_rule_is_the_65_percent_benchmark_for_third_countries() -> None:
    rule = load_sourcing_rule("eu-crma-benchmark")
    assert rule.test.kind == "single-country-share-above" and rule.test.threshold == 0.65
    assert "Article 5(1), point (b)" in rule.legal.article
    assert "65 %" in rule.legal.text
    # the Member States are not third countries: 27 of them, ISO codes (Greece is GR)
    assert len(rule.test.exclude) == 27 and "GR" in rule.test.exclude
    assert "GB" not in rule.test.exclude
    assert {c.element for c in rule.covers} == {"Li", "Ni", "Co", "Mn", "graphite", "Cu", "Al"}


def test_the_due_diligence_rule_covers_natural_graphite_only() -> None:
    rule = load_sourcing_rule("eu-battery-due-diligence@1")
    assert {c.element for c in rule.covers} == {"Co", "graphite", "Li", "Ni"}
    graphite = next(c for c in rule.covers if c.element == "graphite")
    assert graphite.materials == ("graphite-natural",)
    assert "18 August 2027" in rule.legal.status and "2025/1561" in rule.legal.status


def test_the_us_rule_lists_the_covered_nations_of_the_text_and_is_history() -> None:
    rule = load_sourcing_rule("us-30d-feoc")
    assert rule.test.countries == ("CN", "IR", "KP", "RU")
    assert "4872(d)" in rule.test.list_source
    assert rule.legal.status.startswith("ended")
    assert all(c in load_countries().names for c in rule.test.countries)


def test_an_unknown_rule_names_the_shipped_ones() -> None:
    with pytest.raises(FactorDataError) as caught:
        load_sourcing_rule("eu-crma-benchmrk")
    assert caught.value.code == "unknown-sourcing-rule"
    assert "did you mean 'eu-crma-benchmark'" in caught.value.message
    assert "us-30d-feoc" in (caught.value.hint or "")
    with pytest.raises(FactorDataError):
        load_sourcing_rule("eu-crma-benchmark@2")


def own_rule(
    tmp_path: Path, test: str, covers: str = 'element = "Ni"\nas_named = "nickel"'
) -> Path:
    path = tmp_path / "my-rule.toml"
    path.write_text(
        'id = "my-rule"\nversion = 1\ntitle = "Nickel from a listed country"\n'
        'indicator = "nickel from a country of my list"\n'
        '[legal]\nact = "my policy"\narticle = "section 1"\ndate = "2026-01-01"\n'
        'status = "internal"\nurl = "https://example.com/policy"\ntext = "\'none\'"\n'
        f"[[covers]]\n{covers}\n[test]\n{test}\n",
        encoding="utf-8",
    )
    return path


def test_a_users_rule_file_with_their_own_list(tmp_path: Path) -> None:
    path = own_rule(
        tmp_path,
        'kind = "origin-in-listed-country"\nstages = ["refining"]\ncountries = ["ru", "BY"]\n'
        'list_source = "my list"',
    )
    rule = load_sourcing_rule(str(path))
    assert rule.label == "my-rule@1" and rule.test.countries == ("RU", "BY")
    assert rule.source == str(path)


@pytest.mark.parametrize(
    ("test", "covers", "key"),
    [
        ('kind = "share"\nstages = ["refining"]', None, "test.kind"),
        ('kind = "origin-unknown"\nstages = ["smelting"]', None, "test.stages"),
        (
            'kind = "origin-in-listed-country"\nstages = ["refining"]\ncountries = ["XX"]\n'
            'list_source = "x"',
            None,
            "test.countries",
        ),
        (
            'kind = "single-country-share-above"\nstages = ["refining"]\nthreshold = 65',
            None,
            "test.threshold",
        ),
        (
            'kind = "origin-unknown"\nstages = ["refining"]',
            'element = "Fe"\nas_named = "iron"',
            "covers[0].element",
        ),
    ],
)
def test_a_bad_rule_file_names_its_key(
    tmp_path: Path, test: str, covers: str | None, key: str
) -> None:
    path = own_rule(tmp_path, test, *(c for c in [covers] if c))
    with pytest.raises(FactorDataError) as caught:
        load_sourcing_rule(str(path))
    assert caught.value.code.startswith("factor-data-")
    assert caught.value.where is not None and caught.value.where.key == key


def test_the_sourcing_data_name_what_they_follow() -> None:
    data = load_sourcing_data()
    assert [e.key for e in data.elements] == ["Li", "Ni", "Co", "Mn", "graphite", "Cu", "Al"]
    assert data.stage_of_role("battery-raw-material") == "refining"
    assert data.stage_of_role("cathode-active-material") == "manufacture"
    assert data.stage_of_role(None) == "manufacture"
    # a hydrate whose form varies is said so, never given a guessed fraction
    assert data.holds["nickel-sulfate"].elements == ("Ni",)
    assert "hydrate" in data.holds["nickel-sulfate"].why
