"""Builders for the writer tests: the samples' declarations (computed once) and CLI runs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from support import SAMPLES
from typer.testing import CliRunner, Result

from carbonfp.cli import app
from carbonfp.data import load_rules
from carbonfp.inputs.project import load_project
from carbonfp.model import Declaration, Ruleset

PROJECTS = sorted(SAMPLES.glob("*/battery.toml"))
PROJECT_IDS = [p.parent.name for p in PROJECTS]
EV = SAMPLES / "ev-nmc811-hu" / "battery.toml"
GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@cache
def declared(project_file: Path) -> tuple[Declaration, Ruleset]:
    """What `carbonfp calc PROJECT` computes, through the library, with the shipped data and
    the settings chosen as the command line chooses them (recorded in the provenance)."""
    import carbonfp

    project = load_project(project_file)
    rules = load_rules(project.ruleset or "eu-ev-draft-2024-04")
    return carbonfp.calculate(project), rules


def ok(*args: str | Path) -> Result:
    """Run the command line and fail on any non-zero exit, showing what the user would see."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result
