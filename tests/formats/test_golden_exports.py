"""Golden exports: every sample in every exchange format, checked against its schema.

Files: tests/golden/exports/<sample>.<format> for batterypass.json, pact.json, csv, lines.csv
and xlsx (compared cell by cell: the zip bytes depend on the openpyxl version). After an
intended change run the REGEN command below and review the diff.
The declaration JSON of each sample has its own golden file (tests/golden/<sample>.json); it is
validated here against the declaration schema.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from exchange_support import (
    FORMULA_START,
    PROJECT_IDS,
    PROJECTS,
    declare,
    ok,
    pact_errors,
    schema_errors,
)

from carbonfp.formats.batterypass import batterypass
from carbonfp.formats.common import json_text
from carbonfp.formats.declaration import to_csv, to_dict, to_json
from carbonfp.formats.pact import pact_footprint
from carbonfp.formats.xlsx import read_sheets, workbook_bytes

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
#: The command that rewrites the golden exports after an intended change.
REGEN = "pytest tests/formats/test_golden_exports.py --regen-golden"
EXPORTS = GOLDEN / "exports"
TEXT_FORMATS = ("batterypass.json", "pact.json", "csv", "lines.csv")
FORMATS = (*TEXT_FORMATS, "xlsx")


def export(project_file: Path, fmt: str) -> bytes:
    """What `carbonfp calc PROJECT --format ...` writes, through the library."""
    decl, _ = declare(project_file)
    if fmt == "batterypass.json":
        return json_text(batterypass(decl).data).encode("utf-8")
    if fmt == "pact.json":
        return json_text(pact_footprint(decl).data).encode("utf-8")
    if fmt == "csv":
        return to_csv(decl).encode("utf-8")
    if fmt == "lines.csv":
        return to_csv(decl, lines=True).encode("utf-8")
    assert fmt == "xlsx"
    return workbook_bytes(decl)


def golden_file(project_file: Path, fmt: str) -> Path:
    return EXPORTS / f"{project_file.parent.name}.{fmt}"


CASES = [(p, f) for p in PROJECTS for f in FORMATS]
CASE_IDS = [f"{p.parent.name}.{f}" for p, f in CASES]


def test_no_stale_golden_exports() -> None:
    expected = {golden_file(p, f).name for p, f in CASES}
    stale = sorted(p.name for p in EXPORTS.glob("*") if p.name not in expected)
    assert stale == [], f"golden exports without a sample: {stale}; delete them"


@pytest.mark.parametrize(("project_file", "fmt"), CASES, ids=CASE_IDS)
def test_export_matches_its_golden_file(project_file: Path, fmt: str, regen_golden: bool) -> None:
    golden = golden_file(project_file, fmt)
    actual = export(project_file, fmt)
    if regen_golden:
        EXPORTS.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
        return
    if not golden.is_file():
        pytest.fail(
            f"no golden file {golden.relative_to(GOLDEN.parent.parent)}: run `{REGEN}`, review "
            "the new file and commit it",
            pytrace=False,
        )
    if fmt == "xlsx":
        assert read_sheets(actual) == read_sheets(golden.read_bytes()), (
            f"{golden.name} differs: if intended, run `{REGEN}`"
        )
        return
    expected = golden.read_text(encoding="utf-8")
    text = actual.decode("utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"golden/exports/{golden.name}",
                tofile="now",
                n=2,
            )
        )
        pytest.fail(
            f"{golden.name} differs from its golden file. If the change is intended, run "
            f"`{REGEN}` and review the diff.\n{diff[:6000]}",
            pytrace=False,
        )


def _validate_json(name: str) -> Callable[[bytes], list[str]]:
    return lambda data: schema_errors(name, json.loads(data))


def _validate_pact(data: bytes) -> list[str]:
    return pact_errors(json.loads(data))


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _validate_tidy_csv(data: bytes) -> list[str]:
    rows = _csv_rows(data)
    errors = []
    if rows[0] != ["battery", "stage", "metric", "value", "unit"]:
        errors.append(f"header {rows[0]}")
    for row in rows[1:]:
        if len(row) != 5:
            errors.append(f"row {row}")
            continue
        if row[1] == "metadata":  # text about the declaration, after the figures
            continue
        try:
            float(row[3])
        except ValueError:
            errors.append(f"value {row[3]!r} is not a number")
    return errors + _formula_cells(rows)


def _validate_lines_csv(data: bytes) -> list[str]:
    rows = _csv_rows(data)
    header = rows[0]
    errors = [f"row of {len(r)} cells" for r in rows[1:] if len(r) != len(header)]
    for row in rows[1:]:
        for column in ("quantity", "kg_co2e"):
            try:
                float(row[header.index(column)])
            except ValueError:
                errors.append(f"{column} {row[header.index(column)]!r} is not a number")
    return errors + _formula_cells(rows)


def _formula_cells(rows: list[list[str]]) -> list[str]:
    bad = []
    for row in rows[1:]:
        for cell in row:
            try:
                float(cell)
            except ValueError:
                if cell.startswith(FORMULA_START):
                    bad.append(f"formula cell {cell!r}")
    return bad


def _validate_xlsx(data: bytes) -> list[str]:
    sheets = read_sheets(data)
    errors = (
        [] if list(sheets) == ["declaration", "lines", "metadata"] else [f"sheets {list(sheets)}"]
    )
    for name, rows in sheets.items():
        for row in rows:
            for cell in row:
                if isinstance(cell, str) and cell.startswith(FORMULA_START):
                    errors.append(f"{name}: formula cell {cell!r}")
    return errors


VALIDATORS: dict[str, Callable[[bytes], list[str]]] = {
    "batterypass.json": _validate_json("batterypass"),
    "pact.json": _validate_pact,
    "csv": _validate_tidy_csv,
    "lines.csv": _validate_lines_csv,
    "xlsx": _validate_xlsx,
}


@pytest.mark.parametrize(("project_file", "fmt"), CASES, ids=CASE_IDS)
def test_golden_export_is_valid(project_file: Path, fmt: str) -> None:
    golden = golden_file(project_file, fmt)
    if not golden.is_file():
        pytest.skip("no golden file yet (reported by test_export_matches_its_golden_file)")
    assert VALIDATORS[fmt](golden.read_bytes()) == []


@pytest.mark.parametrize(("project_file", "fmt"), CASES, ids=CASE_IDS)
def test_current_export_is_valid(project_file: Path, fmt: str) -> None:
    assert VALIDATORS[fmt](export(project_file, fmt)) == []


@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_declaration_json_is_valid(project_file: Path) -> None:
    """The declaration JSON now, and its golden file (tests/golden/<sample>.json)."""
    decl, _ = declare(project_file)
    assert schema_errors("declaration", json.loads(to_json(decl))) == []
    assert schema_errors("declaration", to_dict(decl, 3, "2026-01-01T00:00:00+00:00")) == []
    golden = GOLDEN / f"{project_file.parent.name}.json"
    if golden.is_file():
        assert schema_errors("declaration", json.loads(golden.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("fmt", ["batterypass", "pact"])
def test_cli_prints_the_library_export(fmt: str) -> None:
    project_file = PROJECTS[0]
    assert ok("calc", project_file, "-f", fmt).stdout == export(project_file, f"{fmt}.json").decode(
        "utf-8"
    )
