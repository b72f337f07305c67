"""Hostile and careless inputs end in a clear error, never a wrong number or an internal error:
rows with the wrong number of fields, numbers that overflow, negative zero, link loops."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from support import SAMPLES, write_project_files
from typer.testing import CliRunner, Result

from carbonfp.cli import app
from carbonfp.formats.common import json_text, number_text, rounded
from tests.cli.test_exit_codes import assert_clean_failure

BATTERY_TABLE = (
    "battery,category,vehicle_category,chemistry,usable_capacity,mass,warranty_years,"
    "warranty_km,annual_distance,plant.name,plant.country,manufacturer.name\n"
    "A,EV,M1,NMC811,75 kWh,400 kg,8,160000 km,15000 km,P,HU,M\n"
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(
    ("lines", "where", "says"),
    [
        # one row per line: the separators of each line counted as the file is hashed
        (
            "battery,material,quantity,unit,stage\nA,steel-sheet,1,kg,\nA,steel-sheet,2\n",
            "lines.csv:3",
            "3 fields, fewer than the 5",
        ),
        # quotes and a blank line: counted by the csv module as the rows are read
        (
            'battery;material;quantity;unit;stage\r\nA;"steel-sheet";1;kg;\r\n\r\n'
            "A;steel-sheet;2;kg\r\n",
            "lines.csv:4",
            "4 fields, fewer than the 5",
        ),
        # more fields than the header: an unquoted separator shifts the cells after it
        (
            "battery,material,quantity,unit,stage\nA,steel-sheet,1,kg,\nA,steel, sheet,1,kg,\n",
            "lines.csv:3",
            "6 fields, more than the 5",
        ),
        (
            'battery,material,quantity,unit,stage\nA,"steel-sheet",1,kg,,x\n',
            "lines.csv:2",
            "6 fields, more than the 5",
        ),
    ],
)
def test_a_long_bom_row_with_the_wrong_number_of_fields_is_refused(
    tmp_path: Path, lines: str, where: str, says: str
) -> None:
    (tmp_path / "lines.csv").write_bytes(lines.encode())
    (tmp_path / "batteries.csv").write_text(BATTERY_TABLE, encoding="utf-8")
    result = run(
        "calc",
        tmp_path / "lines.csv",
        "--batteries",
        tmp_path / "batteries.csv",
        "-o",
        tmp_path / "out.csv",
    )
    message, _ = assert_clean_failure(result, 3)
    assert says in message and f"({where}" in message
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("quantity", "says"),
    [("1e307", "amount per battery overflows"), ("1e306", "too large for a number")],
)
def test_an_amount_that_overflows_in_a_sub_bom_names_its_line(
    tmp_path: Path, quantity: str, says: str
) -> None:
    """A huge amount in a sub-BOM used 112 times (the issue's case: 1e306, whose product with
    its factor overflows; 1e307, whose amount per battery does): an error at that line, not
    NaN and Infinity in a JSON written with exit 0."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\nmodules,bom:module.csv,112,pcs\n",
        files={"module.csv": f"component,material,quantity,unit\ntray,steel-sheet,{quantity},kg\n"},
    )
    result = run("calc", project, "-f", "json", "-o", tmp_path / "out.json")
    message, _ = assert_clean_failure(result, 3)
    assert says in message and "(module.csv:2" in message
    assert not (tmp_path / "out.json").exists()


def test_a_product_that_overflows_names_its_line(tmp_path: Path) -> None:
    """A finite amount times its factor that is not: the line is named, no number written."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\ntray,steel-sheet,1e306,t\n",
    )
    result = run("calc", project, "-f", "json")
    message, hint = assert_clean_failure(result, 3)
    assert "too large for a number" in message and "(bom.csv:2" in message
    assert "unit" in hint


def test_negative_zero_is_written_as_zero(tmp_path: Path) -> None:
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\ntray,steel-sheet,-0,kg\nlid,steel-sheet,2,kg\n",
    )
    result = run("calc", project, "-f", "csv", "--lines")
    assert result.exit_code == 0, result.stderr
    assert "-0" not in result.stdout.replace("e-0", "")
    data = json.loads(run("calc", project, "-f", "json").stdout)
    assert all(
        not (isinstance(v, float) and v == 0 and math.copysign(1, v) < 0)
        for line in data["lines"]
        for v in line.values()
    )
    assert number_text(-0.0) == "0" and math.copysign(1, rounded(-0.0)) == 1


def test_json_refuses_numbers_that_are_not_finite() -> None:
    """No document with NaN or Infinity can be written, whatever a bug upstream does."""
    with pytest.raises(ValueError):
        json_text({"total": math.inf})
    with pytest.raises(ValueError):
        json_text({"total": math.nan}, compact=True)


def test_a_loop_of_links_is_a_clear_input_error(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.toml", tmp_path / "a.toml")
    os.symlink(tmp_path / "a.toml", tmp_path / "b.toml")
    message, _ = assert_clean_failure(run("calc", tmp_path / "a.toml"), 3)
    assert "loop of symbolic links" in message
    project = (SAMPLES / "ev-nmc811-hu" / "battery.toml").read_text(encoding="utf-8")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "battery.toml").write_text(
        project.replace('"bom.csv"', '"../a.toml"'), encoding="utf-8"
    )
    message, _ = assert_clean_failure(run("calc", tmp_path / "p" / "battery.toml"), 3)
    assert "loop of symbolic links" in message


def _workbook(path: Path, rows: list[list[object]], dimension: str | None = None) -> Path:
    """An XLSX file of ``rows`` on a sheet named BOM; ``dimension`` overrides the size the
    sheet claims (as a broken or hostile writer might)."""
    import re
    import zipfile

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "BOM"
    for row in rows:
        sheet.append(row)
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if dimension and item.filename.startswith("xl/worksheets/"):
                data, found = re.subn(rb'<dimension ref="[^"]*" ?/>', dimension.encode(), data)
                assert found == 1
            out.writestr(item, data)
    plain.unlink()
    return path


def test_a_sheet_that_claims_a_million_rows_and_columns_reads_only_its_cells(
    tmp_path: Path,
) -> None:
    """The issue's 5.5 KB workbook that claims A1:XFD1048576 kept calc busy for minutes: it
    now reads the two rows it holds, and gives what the same rows as CSV give."""
    rows = [["component", "material", "quantity", "unit"], ["tray", "steel-sheet", 10, "kg"]]
    hostile = _workbook(tmp_path / "bom.xlsx", rows, '<dimension ref="A1:XFD1048576"/>')
    project = write_project_files(tmp_path / "x", files={"bom.xlsx": hostile.read_bytes()})
    text = project.read_text(encoding="utf-8").replace('"bom.csv"', '"bom.xlsx"')
    project.write_text(text, encoding="utf-8")
    as_csv = write_project_files(
        tmp_path / "c", bom="component,material,quantity,unit\ntray,steel-sheet,10,kg\n"
    )
    got = run("calc", project, "-f", "csv")
    assert got.exit_code == 0, got.stderr
    assert got.stdout == run("calc", as_csv, "-f", "csv").stdout


def test_a_workbook_past_the_limits_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["component", "material", "quantity", "unit"], ["tray", "steel-sheet", 10, "kg"]]
    book = _workbook(tmp_path / "bom.xlsx", rows)
    project = write_project_files(tmp_path / "x", files={"bom.xlsx": book.read_bytes()})
    text = project.read_text(encoding="utf-8").replace('"bom.csv"', '"bom.xlsx"')
    project.write_text(text, encoding="utf-8")
    assert run("calc", project).exit_code == 0
    monkeypatch.setenv("CARBONFP_MAX_XLSX_BYTES", "2000")  # a zip bomb is this, larger
    message, hint = assert_clean_failure(run("calc", project), 3)
    assert "unpacked size in bytes" in message and "(bom.xlsx)" in message
    assert "CARBONFP_MAX_XLSX_BYTES" in hint
    monkeypatch.delenv("CARBONFP_MAX_XLSX_BYTES")
    monkeypatch.setenv("CARBONFP_MAX_XLSX_COLUMNS", "3")
    message, _ = assert_clean_failure(run("calc", project), 3)
    assert "row 1's number of columns is 4" in message


def test_a_line_or_a_project_file_past_the_limits_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lines.csv").write_text(
        "battery,material,quantity,unit\nA," + "x" * 300 + ",1,kg\n", encoding="utf-8"
    )
    (tmp_path / "batteries.csv").write_text(BATTERY_TABLE, encoding="utf-8")
    monkeypatch.setenv("CARBONFP_MAX_LINE_BYTES", "200")
    result = run("calc", tmp_path / "lines.csv", "--batteries", tmp_path / "batteries.csv")
    message, _ = assert_clean_failure(result, 3)
    assert "line 2's length in bytes is 307" in message and "(lines.csv:2)" in message
    monkeypatch.setenv("CARBONFP_MAX_TOML_BYTES", "100")
    message, hint = assert_clean_failure(run("calc", SAMPLES / "ev-nmc811-hu" / "battery.toml"), 3)
    assert "size in bytes" in message and "CARBONFP_MAX_TOML_BYTES" in hint


def test_a_closed_pipe_is_a_clear_error(tmp_path: Path) -> None:
    """`carbonfp calc ... | head -1`: the reader goes away mid-output; carbonfp says so once,
    with a documented exit code, no traceback."""
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[2] / "bench" / "make_variants.py"
    subprocess.run([sys.executable, str(bench), "2000", str(tmp_path)], check=True)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "carbonfp",
            "calc",
            str(tmp_path / "variants.csv"),
            "--batteries",
            str(tmp_path / "batteries.csv"),
            "-f",
            "csv",
            "--lines",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before carbonfp writes (as `| head -1` may be)
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 2
    assert "cannot write standard output" in err and "Traceback" not in err
    assert "internal error" not in err


def test_a_recycled_share_the_method_cannot_use_is_said(tmp_path: Path) -> None:
    """Graphite is in none of the formula's groups: its 50 % recycled share is charged as
    virgin material, and the declaration says so; on a supplier's own factor, too."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit,recycled_share,factor,factor_source\n"
        "anode,graphite-natural,10,kg,0.5,,\n"
        "tray,aluminium-primary,10,kg,0.2,9 kg CO2e/kg,supplier PCF\n",
    )
    data = json.loads(run("calc", project, "-f", "json").stdout)
    said = {w["message"].split(":")[0]: w for w in data["warnings"]}
    virgin = said["recycled_share is not used"]
    assert "charged as virgin material" in virgin["message"] and virgin["message"].endswith(
        ": anode"
    )
    assert virgin["where"] == "bom.csv:2"
    supplier = next(w for k, w in said.items() if k.startswith("recycled_share is not applied"))
    assert supplier["message"].endswith(": tray") and supplier["where"] == "bom.csv:3"
    without = write_project_files(
        tmp_path / "plain",
        bom="component,material,quantity,unit\nanode,graphite-natural,10,kg\n",
    )
    plain = json.loads(run("calc", without, "-f", "json").stdout)
    assert not [w for w in plain["warnings"] if w["code"] == "recycled-share-not-used"]


def test_a_misspelt_end_of_life_group_and_mass_without_an_end_of_life_term_are_said(
    tmp_path: Path,
) -> None:
    """[end_of_life.materials.plastic] is no group of the ruleset (did you mean 'plastics'?);
    the EV pack's graphite, electrolyte, separator... get no end-of-life term: their share of
    the material mass is listed, largest first, and adds up."""
    text = (SAMPLES / "ev-nmc811-hu" / "battery.toml").read_text(encoding="utf-8")
    folder = tmp_path / "ev"
    import shutil

    shutil.copytree(SAMPLES / "ev-nmc811-hu", folder)
    (folder / "battery.toml").write_text(
        text.replace("[end_of_life.materials.plastics]", "[end_of_life.materials.plastic]"),
        encoding="utf-8",
    )
    data = json.loads(run("calc", folder / "battery.toml", "-f", "json").stdout)
    by_code = {w["code"]: w for w in data["warnings"]}
    group = by_code["unknown-eol-group"]
    assert "no material group 'plastic' (did you mean 'plastics'?)" in group["message"]
    assert group["where"].startswith("battery.toml:")
    mass = by_code["no-end-of-life-term"]["message"]
    total, listed = mass.split("% of the material mass", 1)[0], mass.split(": ", 1)[1]
    shares = [float(item.rsplit(" ", 1)[1].rstrip("%")) for item in listed.split(", ")]
    assert shares == sorted(shares, reverse=True) and listed.startswith("graphite-natural")
    assert sum(shares) == pytest.approx(float(total), abs=0.1 * len(shares))
    assert 25 < float(total) < 40  # about a third of the pack's material mass


def test_every_bad_bom_row_is_reported_in_one_run(tmp_path: Path) -> None:
    """Three bad rows (a quantity, a unit, a sub-BOM's row): three errors in one run, each with
    its file and line, not one per run."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit\n"
        "tray,steel-sheet,ten,kg\n"
        "lid,steel-sheet,2,furlongs\n"
        "ok,steel-sheet,1,kg\n"
        "modules,bom:module.csv,2,pcs\n",
        files={"module.csv": "component,material,quantity,unit\nframe,steel-sheet,-1,kg\n"},
    )
    result = run("calc", project, "-o", tmp_path / "out.txt")
    assert result.exit_code == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("carbonfp: error")]
    assert [e.rsplit("(", 1)[1] for e in errors] == [
        "bom.csv:2:3)",
        "bom.csv:3:4)",
        "module.csv:2:3)",
    ]
    assert not (tmp_path / "out.txt").exists()
