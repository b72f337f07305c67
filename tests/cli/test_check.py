"""``carbonfp check``: every problem of a project at once, grouped by file, and no result."""

from __future__ import annotations

import json
from pathlib import Path

from support import SAMPLES, write_project_files
from typer.testing import CliRunner, Result

from carbonfp.cli import app


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_a_clean_sample_checks_ok_with_its_warnings() -> None:
    result = run("check", SAMPLES / "ev-nmc811-hu")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("samples/ev-nmc811-hu/battery.toml: ok\n") or ": ok\n" in (
        result.stdout.splitlines()[0] + "\n"
    )
    assert "warning: 32.3% of the material mass gets no end-of-life term" in result.stdout
    assert result.stdout.endswith("carbonfp check: 1 project(s), no problems\n")
    assert "kg CO2e per kWh" not in result.stdout  # no result


def test_every_problem_of_a_project_at_once_grouped_by_file(tmp_path: Path) -> None:
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\n"
        "tray,steel-sheet,ten,kg\n"
        "lid,steel-sheet,2,furlongs\n"
        "modules,bom:module.csv,2,pcs\n",
        files={"module.csv": "component,material,quantity,unit\nframe,steel-sheet,-1,kg\n"},
    )
    result = run("check", project)
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0].endswith("3 problem(s)")
    assert lines[1] == "  bom.csv" and "  module.csv" in lines
    assert sum(line.startswith("    line ") for line in lines) == 3
    data = json.loads(run("check", project, "--format", "json").stdout)
    assert data["ok"] is False
    (checked,) = data["projects"]
    assert [p["where"] for p in checked["problems"]] == [
        "bom.csv:2:3",
        "bom.csv:3:4",
        "module.csv:2:3",
    ]
    assert all(p["hint"] for p in checked["problems"])


def test_declaration_mode_gaps_are_problems() -> None:
    result = run("check", SAMPLES / "scooter-nmc-l1e", "--mode", "declaration")
    assert result.exit_code == 3
    assert "declaration mode: company- or supplier-specific data needed" in result.stdout
    assert "cell manufacturing (supplier plant, KR) electricity" in result.stdout
    screening = run("check", SAMPLES / "scooter-nmc-l1e")
    assert screening.exit_code == 0


def test_unknown_materials_are_all_reported_with_suggestions_by_word(tmp_path: Path) -> None:
    """Three unknown ids in one run; 'stainless steel' is no close spelling of any id, but its
    word 'steel' is in some: they are suggested."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\n"
        "lid,steel shet,1,kg\n"
        "fasteners,stainless steel,1,kg\n"
        "bms,qqqq,1,kg\n",
    )
    data = json.loads(run("check", project, "--format", "json").stdout)
    problems = data["projects"][0]["problems"]
    assert [p["where"] for p in problems] == ["bom.csv:2", "bom.csv:3", "bom.csv:4"]
    assert "did you mean 'steel-sheet'" in problems[0]["hint"]
    assert "did you mean" in problems[1]["hint"] and "steel-" in problems[1]["hint"]
    assert "did you mean" not in problems[2]["hint"]


def test_a_bad_row_and_an_unknown_material_come_in_the_same_run(tmp_path: Path) -> None:
    """Reading problems no longer hide the others: the good rows are resolved too, so calc
    and check report the bad quantity and the unknown material together."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\nlid,steal shet,1,kg\nnuts,steel-sheet,two,kg\n",
    )
    for command in ("calc", "check"):
        result = run(command, project, "--format", "json")
        assert result.exit_code == 3
        if command == "calc":
            records = [json.loads(line)["error"] for line in result.stderr.splitlines()]
        else:
            records = json.loads(result.stdout)["projects"][0]["problems"]
        assert [(r["code"], r["where"]) for r in records] == [
            ("not-a-number", "bom.csv:3:3"),
            ("unknown-factor", "bom.csv:2"),
        ]


def test_six_mistakes_in_six_places_come_in_one_run(tmp_path: Path) -> None:
    """A misspelt [battery] key, an unknown material, a bad quantity, a misspelt energy key, an
    unknown energy role and an unknown transport mode: all six in one run of check and of
    calc, each with its file, line or key and a suggestion."""
    project = write_project_files(
        tmp_path,
        battery={"nominal_capacty": '"11 kWh"'},
        bom="component,material,quantity,unit\n"
        "tray,aluminium-primary,10,kg\n"
        "anode,graphit-natural,5,kg\n"
        "lid,steel-sheet,two,kg\n",
        energy='[[electricity]]\nprocess = "cells"\nrole = "cell-manufacturng"\n'
        'amount = "100 kWh"\nbasis = "per_battery"\ncountry = "HU"\ndataype = "company"\n',
        transport='[[transport]]\nname = "to the car plant"\nmode = "truck-hgv-avrage"\n'
        'distance = "500 km"\nmass = "battery"\nstage = "distribution"\n',
    )
    expected = [
        ("unknown-key", "battery.toml:9 [battery.nominal_capacty]", "nominal_capacity"),
        ("not-a-number", "bom.csv:4:3", ""),
        ("unknown-key", "energy.toml:7 [electricity[0].dataype]", "data_type"),
        ("unknown-factor", "bom.csv:3", "graphite-natural"),
        ("unknown-factor", "transport.toml:1 [transport[0]]", "truck-hgv-average"),
        ("invalid-value", "energy.toml:1 [electricity[0]]", "cell-manufacturing"),
    ]
    checked = json.loads(run("check", project, "--format", "json").stdout)
    problems = checked["projects"][0]["problems"]
    found = [(p["code"], p["where"]) for p in problems]
    assert sorted(found) == sorted((code, where) for code, where, _ in expected)
    for code, where, suggestion in expected:
        (problem,) = [p for p in problems if (p["code"], p["where"]) == (code, where)]
        assert suggestion in problem["message"] + problem["hint"]
    calc = run("calc", project, "--format", "json")
    assert calc.exit_code == 3
    errors = [json.loads(line)["error"] for line in calc.stderr.splitlines()]
    assert sorted((e["code"], e["where"]) for e in errors) == sorted(found)


def test_renaming_components_does_not_pass_the_declaration_gate(tmp_path: Path) -> None:
    """The gate goes by role: renamed, the natural graphite and the cell plant's energy still
    need company-specific data (before, a name without 'anode graphite' or 'cell
    manufacturing' passed)."""
    import shutil

    folder = tmp_path / "ev"
    shutil.copytree(SAMPLES / "ev-nmc811-hu", folder)
    cell = folder / "cell.csv"
    cell.write_text(cell.read_text().replace("anode graphite (natural)", "black powder"))
    energy = folder / "energy.toml"
    energy.write_text(
        energy.read_text().replace("cell manufacturing (cell supplier's plant)", "site A")
    )
    result = run("check", folder, "--mode", "declaration")
    assert result.exit_code == 3
    gaps = result.stdout
    assert "cells (x96) > black powder (cell.csv:3)" in gaps
    assert "site A electricity" in gaps
