"""Shared fixtures and the --regen-golden option; the builders behind them are in support.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test modules import the builders as `support`, whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import WriteProject, make_factor_set, make_rules, write_project_files

from carbonfp.model import FactorSet, Ruleset


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.json from the current code (review the diff before "
        "committing)",
    )


@pytest.fixture(scope="session")
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(scope="session")
def tiny_factors() -> FactorSet:
    """The tiny in-test factor set (support.TINY_ROWS), not the shipped one."""
    return make_factor_set()


@pytest.fixture(scope="session")
def tiny_rules() -> Ruleset:
    """The tiny in-test ruleset: draft-DA cycles per year, no plausibility bands."""
    return make_rules()


@pytest.fixture
def write_project(tmp_path: Path) -> WriteProject:
    """Return ``write(folder=None, **files)`` writing a tiny project (see
    support.write_project_files); the folder defaults to tmp_path/"project"."""

    def write(folder: Path | None = None, **kwargs: object) -> Path:
        return write_project_files(folder or tmp_path / "project", **kwargs)  # type: ignore[arg-type]

    return write
