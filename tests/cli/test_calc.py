"""`carbonfp calc` on good input: formats, --output, determinism, help, import cost."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import SAMPLES, WriteProject
from typer.testing import CliRunner, Result

from carbonfp.cli import app
from carbonfp.data import load_factor_set, load_rules
from carbonfp.engine.calculate import calculate
from carbonfp.formats.declaration import to_json
from carbonfp.inputs.project import load_project

SAMPLE = SAMPLES / "ev-nmc811-hu" / "battery.toml"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    """Run and fail on any non-zero exit, showing what the user would have seen."""
    result = run(*args)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_calc_sample_in_every_format(fmt: str) -> None:
    result = ok("calc", SAMPLE, "--format", fmt)
    assert result.stdout
    assert result.stderr == ""
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["battery"]["model"] == "EVP-75 NMC811"
        assert data["functional_unit"]["total_energy_kwh"] == 36000.0
        assert set(data["carbon_footprint"]["stages"]) == {
            "raw_materials",
            "production",
            "distribution",
            "end_of_life",
        }
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert {r["stage"] for r in rows} >= {"raw_materials", "end_of_life", "total"}
        assert all(r["battery"] == "EVP-75 NMC811" for r in rows)
    else:
        assert result.stdout.startswith("CARBON FOOTPRINT")
        assert "Regulation (EU) 2023/1542" in result.stdout.splitlines()[0]
        assert "36 000 kWh" in result.stdout


def test_text_is_the_default_format() -> None:
    assert ok("calc", SAMPLE).stdout == ok("calc", SAMPLE, "--format", "text").stdout


def test_csv_lines_has_one_row_per_line() -> None:
    rows = list(csv.DictReader(io.StringIO(ok("calc", SAMPLE, "-f", "csv", "--lines").stdout)))
    data = json.loads(ok("calc", SAMPLE, "-f", "json").stdout)
    assert len(rows) == len(data["lines"]) > 0


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_output_file_has_the_same_bytes_as_stdout(tmp_path: Path, fmt: str) -> None:
    stdout = ok("calc", SAMPLE, "--format", fmt).stdout_bytes
    out = tmp_path / f"decl.{fmt}"
    result = ok("calc", SAMPLE, "--format", fmt, "--output", out)
    assert result.stdout == ""
    assert out.read_bytes() == stdout
    assert "wrote" in result.stderr and str(out) in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_quiet_output_says_nothing(tmp_path: Path) -> None:
    result = ok("calc", SAMPLE, "-f", "json", "-o", tmp_path / "d.json", "--quiet")
    assert result.stdout == "" and result.stderr == ""


def test_output_replaces_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    out.write_text("old, and longer than nothing" * 1000, encoding="utf-8")
    ok("calc", SAMPLE, "-f", "json", "-o", out)
    json.loads(out.read_text(encoding="utf-8"))


def test_json_is_byte_identical_across_runs() -> None:
    first = ok("calc", SAMPLE, "--format", "json").stdout_bytes
    second = ok("calc", SAMPLE, "--format", "json").stdout_bytes
    assert first == second


def test_json_does_not_depend_on_the_working_directory_or_path_spelling(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    absolute = ok("calc", SAMPLE.resolve(), "-f", "json").stdout_bytes
    monkeypatch.chdir(SAMPLE.parent)
    relative = ok("calc", "battery.toml", "-f", "json").stdout_bytes
    monkeypatch.chdir(tmp_path)
    dotted = ok("calc", os.path.relpath(SAMPLE, tmp_path), "-f", "json").stdout_bytes
    assert absolute == relative == dotted
    assert str(SAMPLES) not in absolute.decode()  # no absolute paths in a declaration


def test_json_is_the_library_result() -> None:
    """The CLI adds nothing to the library: the same settings chosen the same way, the same
    bytes; and the settings are those the project and the shipped defaults name."""
    import carbonfp

    declaration = carbonfp.calculate(load_project(SAMPLE))
    assert ok("calc", SAMPLE, "-f", "json").stdout == to_json(declaration)
    project = load_project(SAMPLE)
    rules = load_rules(project.ruleset or "eu-ev-draft-2024-04")
    factors = load_factor_set(project.factor_set or rules.default_factor_set)
    same = calculate(project, factors, rules)
    assert same.stages == declaration.stages and same.lines == declaration.lines
    assert declaration.provenance.run[:2] == (
        ("ruleset", "eu-ev-draft-2024-04@2", "default"),
        ("factor set", "carbonfp-open@2026.2", "ruleset"),
    )


def test_json_provenance_names_every_input_by_relative_path() -> None:
    data = json.loads(ok("calc", SAMPLE, "-f", "json").stdout)
    inputs = data["provenance"]["inputs"]
    assert set(inputs) == {"battery.toml", "bom.csv", "cell.csv", "energy.toml", "transport.toml"}
    assert all(len(digest) == 64 for digest in inputs.values())
    assert data["provenance"]["ruleset"] == "eu-ev-draft-2024-04"
    # the set the ruleset names, by its full label
    expected = load_factor_set(load_rules("eu-ev-draft-2024-04").default_factor_set).label
    assert data["provenance"]["factor_set"] == expected


def test_tiny_project_through_the_cli(write_project: WriteProject) -> None:
    data = json.loads(ok("calc", write_project(), "-f", "json").stdout)
    stages = data["carbon_footprint"]["stages"]
    assert data["functional_unit"]["total_energy_kwh"] == 4800.0
    # with shipped factors the numbers differ from the tiny set, but these are supplier values
    assert stages["end_of_life"]["kg_co2e"] == pytest.approx(80 * 0.5)
    total = sum(s["kg_co2e"] for s in stages.values())
    assert data["carbon_footprint"]["absolute_kg_co2e"] == pytest.approx(total, rel=1e-9)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["-h"], ["calc", "--help"], ["factors", "--help"], ["factors", "show", "--help"]],
)
def test_help_exits_0(args: list[str]) -> None:
    result = ok(*args)
    assert "Usage" in result.stdout


def test_calc_help_names_its_options() -> None:
    text = ok("calc", "--help").stdout
    for option in ("--format", "--output", "--rules", "--factor-set", "--lines", "--quiet"):
        assert option in text, option


def test_version() -> None:
    from carbonfp import __version__

    assert ok("--version").stdout.strip() == f"carbonfp {__version__}"


def test_factors_list_and_show() -> None:
    listing = ok("factors", "list").stdout
    assert "carbonfp-open" in listing and "2026.1" in listing
    assert "eu-ev-draft-2024-04" in listing
    shown = ok("factors", "show", "carbonfp-open", "--table", "transport").stdout
    assert "truck-hgv-average" in shown
    assert "aluminium-primary" not in shown


def test_importing_the_cli_does_not_import_heavy_libraries() -> None:
    """`carbonfp --help` must stay fast: pandas, numpy and pint load only when needed."""
    code = (
        "import sys, carbonfp.cli\n"
        "heavy = sorted(m for m in ('pandas', 'numpy', 'pint') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"imported at startup: {result.stdout.strip()}"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "carbonfp", "calc", str(SAMPLE), "--format", "json"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ok("calc", SAMPLE, "-f", "json").stdout_bytes
