"""The exit-code matrix: every bad input gives one message for people, an exit code, no file.

Runs the typer app in-process with typer's CliRunner, which keeps stdout and stderr apart.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import (
    SAMPLES,
    SHIPPED_SET,
    TRANSPORT_TOML,
    WriteProject,
    render_project,
    write_project_files,
)
from typer.testing import CliRunner, Result

from carbonfp.cli import app

HEADER = "component,material,quantity,unit,stage\n"
SAMPLE = SAMPLES / "ev-nmc811-hu" / "battery.toml"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_clean_failure(result: Result, exit_code: int) -> tuple[str, str]:
    """The error contract: exit code, nothing on stdout, no traceback, message and hint lines.

    Returns the message line and the hint line.
    """
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines, "nothing on stderr"
    if lines[0].startswith("{"):  # asked for JSON: errors as JSON records, the same fields
        records = [json.loads(line)["error"] for line in lines if line.startswith("{")]
        first = records[0]
        assert first["exit_code"] == exit_code and first["code"], first
        assert first["hint"], first
        where = f" ({first['where']})" if first["where"] else ""
        return f"carbonfp: error: {first['message']}{where}", f"hint: {first['hint']}"
    assert lines[0].startswith("carbonfp: error: "), lines
    hints = [line for line in lines if line.startswith("hint: ")]
    assert len(hints) >= 1 and len(hints[0]) > len("hint: "), lines
    return lines[0], hints[0]


@dataclass(frozen=True)
class Case:
    """One bad input: how to write it, and what the message must name."""

    files: dict[str, object]
    where: str  # regex for the (WHERE) part: file name and line
    says: tuple[str, ...] = ()  # words the message line must contain
    hint_says: tuple[str, ...] = ()


def bom(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


INPUT_ERRORS = {
    "row-with-more-fields": Case(
        {"bom": bom("tray,aluminium-primary,10,kg,", "cell, prismatic,cam-nmc811,10,kg,")},
        r"bom\.csv:3",
        ("6 fields", "more than the 5 columns"),
        ("quotes",),
    ),
    "row-with-fewer-fields": Case(
        {"bom": bom("tray,aluminium-primary,10,kg,", "lid,aluminium-primary,10")},
        r"bom\.csv:3",
        ("3 fields", "fewer than the 5 columns"),
    ),
    "unknown-material": Case(
        {"bom": bom("tray,aluminium-primary,10,kg,", "lid,aluminium-primry,10,kg,")},
        r"bom\.csv:3",
        ("aluminium-primry",),
        ("'aluminium-primary'",),
    ),
    "unknown-unit": Case(
        {"bom": bom("tray,aluminium-primary,10,furlong,")}, r"bom\.csv:2:4", ("furlong",)
    ),
    "wrong-dimension": Case(
        {"bom": bom("tray,aluminium-primary,10,kWh,")},
        r"bom\.csv:2",
        ("kWh", "aluminium-primary"),
    ),
    "negative-quantity": Case(
        {"bom": bom("tray,aluminium-primary,-10,kg,")}, r"bom\.csv:2:3", ("negative",)
    ),
    "missing-quantity": Case(
        {"bom": bom("tray,aluminium-primary,,kg,")}, r"bom\.csv:2:3", ("quantity",)
    ),
    "non-numeric-quantity": Case(
        {"bom": bom("tray,aluminium-primary,ten,kg,")}, r"bom\.csv:2:3", ("ten",)
    ),
    "missing-column": Case(
        {"bom": "component,material,unit\ntray,aluminium-primary,kg\n"},
        r"bom\.csv:1",
        ("quantity",),
    ),
    "missing-bom-file": Case(
        {"project": render_project(inputs={"bom": "parts/nope.csv"})},
        r"parts/nope\.csv",
        ("not found",),
    ),
    "missing-energy-file": Case(
        {"project": render_project(inputs={"energy": "nope.toml"})},
        r"nope\.toml",
        ("not found",),
    ),
    "missing-sub-bom": Case(
        {"bom": bom("cells,bom:cell.csv,96,pcs,")}, r"bom\.csv:2", ("cell.csv",)
    ),
    "unreadable-non-utf8-toml": Case(
        {"energy": b'# \xff\xfe\n[[electricity]]\nprocess = "x"\n'}, r"energy\.toml:1", ("UTF-8",)
    ),
    "invalid-toml-energy": Case(
        {"energy": '[[electricity]]\nprocess = "pack\namount = "1 kWh"\n'},
        r"energy\.toml:2:\d+",
        ("invalid TOML",),
    ),
    "invalid-toml-project": Case(
        {"project": render_project() + "\n[method\n"},
        r"battery\.toml:\d+",
        ("invalid TOML",),
    ),
    "sub-bom-cycle": Case(
        {
            "bom": bom("tray,aluminium-primary,1,kg,", "cells,bom:cell.csv,2,pcs,"),
            "cell.csv": bom("cathode,aluminium-primary,1,kg,", "loop,bom:bom.csv,1,pcs,"),
        },
        r"cell\.csv:3",
        ("cycle", "bom.csv", "cell.csv"),
    ),
    "use-stage-bom": Case(
        {"bom": bom("tray,aluminium-primary,10,kg,", "charging losses,grid-hu,5,kWh,use")},
        r"bom\.csv:3:5",
        ("use stage",),
        ("Annex II",),
    ),
    "use-stage-transport": Case(
        {"transport": TRANSPORT_TOML.replace('"distribution"', '"use"')},
        r"transport\.toml:6",
        ("use stage",),
    ),
    "unknown-vehicle-category": Case(
        {"battery": {"vehicle_category": '"T1"'}}, r"battery\.toml", ("T1",), ("cycles_per_year",)
    ),
    "missing-km-basis": Case(
        {"battery": {"warranty_km": '"160000 km"'}}, r"battery\.toml", ("km",), ("annual_distance",)
    ),
}


def write_case(write_project: WriteProject, case: Case) -> Path:
    kwargs: dict[str, object] = {}
    files: dict[str, object] = {}
    for key, value in case.files.items():
        if key in ("bom", "energy", "transport", "project", "battery"):
            kwargs[key] = value
        else:
            files[key] = value
    return write_project(files=files, **kwargs)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("name", list(INPUT_ERRORS))
def test_bad_input_exits_3(write_project: WriteProject, out_dir: Path, name: str) -> None:
    case = INPUT_ERRORS[name]
    project = write_case(write_project, case)
    result = run("calc", project, "--format", "json", "--output", out_dir / "out.json")
    message, hint = assert_clean_failure(result, 3)
    assert re.search(r"\(" + case.where + r"(:\d+)?( \[.+\])?\)$", message), message
    for word in case.says:
        assert word in message, (word, message)
    for word in case.hint_says:
        assert word in hint, (word, hint)
    assert list(out_dir.iterdir()) == []  # no output file, no temporary file


@pytest.mark.parametrize("name", list(INPUT_ERRORS))
def test_bad_input_exits_3_on_stdout_too(write_project: WriteProject, name: str) -> None:
    project = write_case(write_project, INPUT_ERRORS[name])
    assert_clean_failure(run("calc", project), 3)


def test_missing_project_file(tmp_path: Path, out_dir: Path) -> None:
    result = run("calc", tmp_path / "nope" / "battery.toml", "-o", out_dir / "out.json")
    message, _ = assert_clean_failure(result, 3)
    assert "not found" in message and "battery.toml" in message
    assert list(out_dir.iterdir()) == []


def test_a_failed_run_leaves_an_existing_output_untouched(
    write_project: WriteProject, out_dir: Path
) -> None:
    out = out_dir / "out.json"
    out.write_text("previous declaration\n", encoding="utf-8")
    project = write_project(bom=bom("tray,aluminium-primary,-1,kg,"))
    assert_clean_failure(run("calc", project, "-o", out), 3)
    assert out.read_text(encoding="utf-8") == "previous declaration\n"
    assert [p.name for p in out_dir.iterdir()] == ["out.json"]


def test_unreadable_file_a_directory(write_project: WriteProject, out_dir: Path) -> None:
    project = write_project(
        project=render_project(inputs={"bom": "dir.csv"}), files={"dir.csv/readme.txt": "x"}
    )
    result = run("calc", project, "-o", out_dir / "out.json")
    assert list(out_dir.iterdir()) == []
    message, _ = assert_clean_failure(result, 3)
    assert "dir.csv" in message


def test_unknown_material_hint_lists_the_closest_ids(write_project: WriteProject) -> None:
    project = write_project(bom=bom("tray,steel-shet,10,kg,"))
    _, hint = assert_clean_failure(run("calc", project), 3)
    assert "'steel-sheet'" in hint
    assert "grid-" not in hint  # electricity ids are not materials


def test_supplier_factor_makes_an_unknown_material_fine(write_project: WriteProject) -> None:
    project = write_project(
        bom="component,material,quantity,unit,factor,factor_source\n"
        "tray,unobtainium,10,kg,5 kg CO2e/kg,supplier PCF\n"
    )
    assert run("calc", project).exit_code == 0


# --- factor data: exit 4 ----------------------------------------------------------------------


def tampered_set(tmp_path: Path) -> Path:
    """A copy of the shipped set with one byte of materials.toml changed (a factor value)."""
    folder = tmp_path / "sets" / "carbonfp-open" / SHIPPED_SET.name
    shutil.copytree(SHIPPED_SET, folder)
    path = folder / "materials.toml"
    data = bytearray(path.read_bytes())
    index = data.index(b"value = ") + len(b"value = ")
    data[index] = ord("9") if data[index] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    return folder


def test_tampered_factor_set_exits_4(tmp_path: Path, out_dir: Path) -> None:
    folder = tampered_set(tmp_path)
    result = run("calc", SAMPLE, "--factor-set", folder, "-o", out_dir / "out.json")
    message, _ = assert_clean_failure(result, 4)
    assert "materials.toml" in message and "sha256" in message
    assert list(out_dir.iterdir()) == []


def test_tampered_factor_set_in_factors_show_exits_4(tmp_path: Path) -> None:
    assert_clean_failure(run("factors", "show", tampered_set(tmp_path)), 4)


@pytest.mark.parametrize(
    "args",
    [
        ("--rules", "no-such-ruleset"),
        ("--factor-set", "no-such-set"),
        ("--factor-set", "carbonfp-open@1999.1"),
    ],
)
def test_unknown_factor_data_exits_4(out_dir: Path, args: tuple[str, str]) -> None:
    result = run("calc", SAMPLE, *args, "-o", out_dir / "out.json")
    assert_clean_failure(result, 4)
    assert list(out_dir.iterdir()) == []


def test_invalid_ruleset_file_exits_4(tmp_path: Path, out_dir: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('id = "broken"\ntitle = \n', encoding="utf-8")
    result = run("calc", SAMPLE, "--rules", rules, "-o", out_dir / "out.json")
    message, _ = assert_clean_failure(result, 4)
    assert "invalid TOML" in message and "rules.toml:2" in message
    assert list(out_dir.iterdir()) == []


# --- usage: exit 2 ----------------------------------------------------------------------------


def test_a_bom_given_instead_of_a_project_exits_2(write_project: WriteProject) -> None:
    project = write_project()
    assert_clean_failure(run("calc", project.parent / "bom.csv"), 2)


def test_output_into_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = run("calc", SAMPLE, "-o", tmp_path / "missing" / "out.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("carbonfp: error: ")
    assert not (tmp_path / "missing").exists()


def test_unknown_option_exits_2() -> None:
    result = run("calc", SAMPLE, "--no-such-option")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- bugs in carbonfp: exit 1 -----------------------------------------------------------------


def test_an_internal_error_exits_1_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, out_dir: Path
) -> None:
    import carbonfp.api

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(carbonfp.api, "calculate_many", broken)
    result = run("calc", SAMPLE, "-o", out_dir / "out.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "internal error" in result.stderr and "ZeroDivisionError" in result.stderr
    assert "hint: " in result.stderr
    assert list(out_dir.iterdir()) == []


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import carbonfp.api

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(carbonfp.api, "calculate_many", broken)
    result = run("calc", SAMPLE, "--debug")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr


def test_json_output_reports_errors_as_json_records(tmp_path: Path) -> None:
    """Asked for JSON, a failure is one JSON object per error on stderr: code, message, where,
    hint and exit code; text output keeps the text form with the same content."""
    project = write_project_files(tmp_path, bom=bom("tray,aluminium-primry,10,kg,"))
    as_json = run("calc", project, "--format", "json")
    record = json.loads(as_json.stderr.splitlines()[0])["error"]
    assert record["code"] == "unknown-factor" and record["exit_code"] == 3
    assert record["where"] == "bom.csv:2" and "did you mean" in record["hint"]
    as_text = run("calc", project)
    assert as_text.stderr.startswith(f"carbonfp: error: {record['message']} (bom.csv:2)")
    assert f"hint: {record['hint']}" in as_text.stderr
