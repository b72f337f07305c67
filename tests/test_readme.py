"""The README's promises: its Python example runs as printed, its commands exist."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
from support import REPO

import carbonfp
from carbonfp.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")


def python_example() -> str:
    section = README.split("## Use from Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's 'Use from Python' section has no python block"
    return match.group(1)


def test_the_python_example_runs_and_prints_the_declaration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)  # the example names the samples relative to the checkout
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(python_example(), "README.md", "exec"), {"__name__": "readme"})
    printed = out.getvalue().splitlines()
    declaration = carbonfp.calculate(carbonfp.load_project("samples/ev-nmc811-hu/battery.toml"))
    assert printed[0] == f"{declaration.total_kg_co2e_per_kwh:.4f} kg CO2e per kWh delivered"
    assert printed[1:5] == [f"{s.stage.value} {round(s.kg_co2e, 1)}" for s in declaration.stages]
    # the Monte Carlo's upper bound, then one line per battery of the batch
    assert float(printed[5]) > 0
    batch_lines = printed[6:8]
    # the variants sample in one partition: its four totals, as calculate_many gives them
    variants = carbonfp.calculate_many(
        carbonfp.load_long_bom(
            REPO / "samples" / "variants" / "variants.csv",
            REPO / "samples" / "variants" / "batteries.csv",
        )
    )
    totals = variants.figures().total_per_kwh.round(4).tolist()
    assert printed[8:] == [f"4 batteries: {totals}"]
    assert all(line.startswith(declaration.project.battery.model) for line in batch_lines)
    assert "secondary data" in batch_lines[0]  # the sample lacks primary data: a gate fails


def test_every_command_in_the_readme_exists() -> None:
    """Each `carbonfp COMMAND` the README shows is a command of the CLI, with help."""
    from typer.testing import CliRunner

    shell = "\n".join(re.findall(r"```sh\n(.*?)```", README, re.S))
    shown = set(re.findall(r"^\s*(?:\.venv/bin/)?carbonfp ([a-z]+)\b", shell, re.M))
    assert {"calc", "flatten", "compare", "estimate", "report", "explain"} <= shown
    runner = CliRunner()
    for command in sorted(shown):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Usage" in result.output


def test_readme_start_commands_name_existing_files() -> None:
    assert "samples/ev-nmc811-hu/battery.toml" in README.split("## A short tour")[0]
    assert os.path.isfile(REPO / "samples" / "ev-nmc811-hu" / "battery.toml")
    assert Path(REPO / "docs" / "long-bom.md").is_file()


def test_exit_code_table_is_the_catalogue() -> None:
    """The README's exit-code table says what carbonfp.errors says, row by row."""
    from carbonfp.errors import EXIT_MEANINGS

    section = README.split("## Errors and exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", section, re.M)
    assert [(int(code), text) for code, text in rows] == [
        (int(code), text) for code, text in EXIT_MEANINGS.items()
    ]


def test_the_guarantees_name_every_limit() -> None:
    """The README's Guarantees name each limit and its environment variable, as the error
    catalogue's generated page does."""
    from carbonfp.errors import LIMITS

    section = README.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    for name in LIMITS:
        assert f"`{name}`" in section
    assert (REPO / "docs" / "errors.md").read_text(encoding="utf-8").count("CARBONFP_MAX_") >= len(
        LIMITS
    )
