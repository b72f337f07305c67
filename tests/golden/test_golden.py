"""Golden files: every sample's JSON declaration, byte for byte.

A sample is any samples/*/battery.toml; its golden file is tests/golden/<sample folder>.json.
After an intended change, regenerate with `pytest tests/golden --regen-golden` and review the
diff like code: every changed number should have a reason in the commit message.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from support import SAMPLES

import carbonfp
from carbonfp.formats.declaration import to_json
from carbonfp.inputs.project import load_project

GOLDEN = Path(__file__).resolve().parent
PROJECTS = sorted(SAMPLES.glob("*/battery.toml"))


def declaration_json(project_file: Path) -> str:
    """What `carbonfp calc PROJECT --format json` prints, through the library."""
    return to_json(carbonfp.calculate(load_project(project_file)))


def test_samples_are_found() -> None:
    assert len(PROJECTS) >= 1
    assert SAMPLES / "ev-nmc811-hu" / "battery.toml" in PROJECTS


def test_no_stale_golden_files() -> None:
    """A golden file without its sample is left over from a removed or renamed sample."""
    names = {p.parent.name for p in PROJECTS}
    stale = sorted(p.name for p in GOLDEN.glob("*.json") if p.stem not in names)
    assert stale == [], f"golden files without a sample: {stale}; delete them"


@pytest.mark.parametrize("project_file", PROJECTS, ids=[p.parent.name for p in PROJECTS])
def test_sample_matches_its_golden_file(project_file: Path, regen_golden: bool) -> None:
    golden = GOLDEN / f"{project_file.parent.name}.json"
    actual = declaration_json(project_file)
    if regen_golden:
        golden.write_bytes(actual.encode("utf-8"))
        return
    if not golden.is_file():
        pytest.fail(
            f"no golden file {golden.relative_to(GOLDEN.parent.parent)} for sample "
            f"{project_file.parent.name}: run `pytest tests/golden --regen-golden`, review the "
            "new file and commit it",
            pytrace=False,
        )
    expected = golden.read_bytes().decode("utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"golden/{golden.name}",
                tofile="now",
                n=2,
            )
        )
        pytest.fail(
            f"{project_file.parent.name}: the declaration differs from its golden file. If the "
            f"change is intended, run `pytest tests/golden --regen-golden` and review the diff."
            f"\n{diff[:6000]}",
            pytrace=False,
        )
    assert actual.encode("utf-8") == golden.read_bytes()


@pytest.mark.parametrize("project_file", PROJECTS, ids=[p.parent.name for p in PROJECTS])
def test_sample_json_is_deterministic(project_file: Path) -> None:
    assert declaration_json(project_file) == declaration_json(project_file)


@pytest.mark.parametrize("project_file", PROJECTS, ids=[p.parent.name for p in PROJECTS])
def test_cli_prints_the_same_json(project_file: Path) -> None:
    from typer.testing import CliRunner

    from carbonfp.cli import app

    result = CliRunner().invoke(app, ["calc", str(project_file), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == declaration_json(project_file)
