"""``carbonfp sourcing``: every format says what its findings are, the JSON is the library's
document, and bad input ends with its documented exit code and no output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support import REPO, SAMPLES, WriteProject
from typer.testing import CliRunner, Result

from carbonfp.api import sourcing
from carbonfp.cli import app
from carbonfp.formats.sourcing import rounded_document
from carbonfp.inputs.project import load_project

EV = SAMPLES / "ev-nmc811-hu" / "battery.toml"
MIXED = REPO / "tests" / "projects" / "ev-mixed-origin" / "battery.toml"
NOT_LEGAL = "not a legal determination"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (result.stderr, result.exception)
    return result


def test_json_is_the_librarys_document() -> None:
    printed = json.loads(ok("sourcing", MIXED, "--rules", "eu-crma-benchmark", "-f", "json").stdout)
    expected = sourcing([load_project(MIXED)], sourcing_rules=["eu-crma-benchmark"])
    expected["batteries"][0]["source"] = str(MIXED)
    assert printed == rounded_document(expected)
    assert NOT_LEGAL in printed["notice"]


def test_text_shows_shares_footprint_findings_and_sources() -> None:
    text = ok("sourcing", MIXED, "--rules", "eu-crma-benchmark", "--rules", "us-30d-feoc").stdout
    assert NOT_LEGAL in text
    assert "graphite: 67.200 kg" in text and "nickel (Ni): 48.654 kg" in text
    assert "extraction   MZ 100.0 %" in text
    assert "no stated origin" in text
    assert "Regulation (EU) 2024/1252" in text and "10 U.S.C. 4872(d)" in text
    assert "[above the threshold] eu-crma-benchmark@1, graphite" in text
    assert "cells (x96) > anode graphite (natural) (cell.csv:3), 67.200 kg" in text
    plain = ok("sourcing", EV).stdout
    assert "No sourcing rule applied" in plain and "Findings" not in plain


def test_csv_rows_add_up(tmp_path: Path) -> None:
    out = tmp_path / "sourcing.csv"
    ok("sourcing", MIXED, "--rules", "eu-battery-due-diligence", "-o", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    nickel = [
        float(r["kg"])
        for r in rows
        if r["table"] == "element" and r["element"] == "Ni" and r["stage"] == "extraction"
    ]
    total = [
        float(r["kg_co2e"]) for r in rows if r["table"] == "footprint" and r["stage"] == "total"
    ]
    declared = json.loads(ok("calc", MIXED, "-f", "json").stdout)
    assert sum(total) == pytest.approx(declared["carbon_footprint"]["absolute_kg_co2e"])
    assert nickel and {r["table"] for r in rows} >= {"element", "footprint", "not-counted"}


def test_xlsx_workbook(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from carbonfp.formats.xlsx import read_sheets

    out = tmp_path / "sourcing.xlsx"
    ok("sourcing", MIXED, "--rules", "eu-crma-benchmark", "-o", out)
    sheets = read_sheets(out.read_bytes())
    assert list(sheets) == ["notice", "elements", "footprint", "findings", "not counted", "rules"]
    assert NOT_LEGAL in sheets["notice"][1][0]
    assert sheets["rules"][1][0] == "eu-crma-benchmark@1"
    assert any(row[5] == "MZ" for row in sheets["findings"][1:])
    # the same bytes for the same inputs
    again = tmp_path / "again.xlsx"
    ok("sourcing", MIXED, "--rules", "eu-crma-benchmark", "-o", again)
    assert again.read_bytes() == out.read_bytes()
    result = run("sourcing", MIXED, "-f", "xlsx")
    assert result.exit_code == 2 and "needs --output" in result.stderr


def test_an_unknown_rule_exits_4_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run("sourcing", EV, "--rules", "crma", "-o", out)
    assert result.exit_code == 4 and "unknown-sourcing-rule" not in result.stdout
    assert "unknown sourcing rule 'crma'" in result.stderr
    assert not out.exists()


def test_a_bad_origin_exits_3_naming_the_file_line_and_column(
    write_project: WriteProject, tmp_path: Path
) -> None:
    path = write_project(
        bom="component,material,quantity,unit,origin\ntray,aluminium-primary,10,kg,UK\n"
    )
    out = tmp_path / "out.txt"
    result = run("sourcing", path, "-o", out)
    assert result.exit_code == 3
    assert "origin 'UK' is not an ISO 3166-1 alpha-2 country code (bom.csv:2:5)" in result.stderr
    assert "did you mean GB" in result.stderr
    assert not out.exists()
    # calc refuses it alike: the origin is checked when the BOM is read
    assert run("calc", path).exit_code == 3


def test_help_names_the_command() -> None:
    assert "sourcing" in ok("--help").stdout
    assert "--rules" in ok("sourcing", "--help").stdout
