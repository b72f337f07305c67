"""The settings of a run: the default ruleset of each battery category (carbonfp.run)."""

from __future__ import annotations

import pytest

from carbonfp.data import load_rules
from carbonfp.model import BatteryCategory
from carbonfp.run import (
    CATEGORY_RULESETS,
    DEFAULT_RULESET,
    RunOptions,
    default_ruleset,
    run_config,
)


@pytest.mark.parametrize("category", [None, *BatteryCategory])
def test_every_category_defaults_to_a_ruleset_that_covers_it(
    category: BatteryCategory | None,
) -> None:
    config = run_config(RunOptions(), category=category)
    assert config.rules.id == default_ruleset(category)
    assert ("ruleset", config.rules.id, "default") in config.settings
    if category is not None:
        assert category in load_rules(config.rules.id).categories


def test_industrial_batteries_default_to_the_industrial_ruleset() -> None:
    assert default_ruleset(BatteryCategory.INDUSTRIAL) == "eu-industrial-provisional"
    assert default_ruleset(BatteryCategory.EV) == DEFAULT_RULESET
    assert default_ruleset(None) == DEFAULT_RULESET


def test_an_option_or_the_project_wins_over_the_category_default() -> None:
    industrial = BatteryCategory.INDUSTRIAL
    named = run_config(RunOptions(rules="jrc-cfb-ev-2023"), "eu-ev-draft-2024-04", None, industrial)
    assert (named.rules.id, named.settings[0][2]) == ("jrc-cfb-ev-2023", "option")
    project = run_config(RunOptions(), "eu-ev-draft-2024-04", None, industrial)
    assert (project.rules.id, project.settings[0][2]) == ("eu-ev-draft-2024-04", "project")


def test_the_category_defaults_name_real_categories() -> None:
    assert set(CATEGORY_RULESETS) <= {c.value for c in BatteryCategory}
