"""The settings of a run: the default ruleset of each battery category (carbonfp.run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import write_project_files
from typer.testing import CliRunner

from carbonfp.cli import app
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
    assert ("ruleset", config.rules.label, "default") in config.settings
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


def test_calc_on_an_industrial_project_uses_the_industrial_ruleset(tmp_path: Path) -> None:
    """A project names no ruleset: its category picks it, on the calc path as in estimate."""
    project = write_project_files(
        tmp_path,
        battery={
            "category": '"industrial"',
            "vehicle_category": None,
            "declared_cycles": "6000",
            "end_of_life_capacity": "0.7",
        },
    )
    result = CliRunner().invoke(app, ["calc", str(project), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["provenance"]["ruleset"] == "eu-industrial-provisional"
    assert record["functional_unit"]["total_energy_kwh"] == pytest.approx(10 * 6000 * 0.85)
    # no published band per kWh delivered for industrial batteries: said, not silently skipped
    assert any(
        w["code"] == "no-plausibility-band" and "no vehicle category" in w["message"]
        for w in record["warnings"]
    )
