"""BOM files in every Excel locale, XLSX, sub-BOMs, and the errors of bad rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from support import BOM_CSV, TINY_PROJECT_STAGES, WriteProject, make_project

from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError, Location
from carbonfp.inputs.bom import BomReader
from carbonfp.inputs.project import load_project
from carbonfp.model import ActivityLine, FactorSet, Ruleset, Stage

HEADER = "component,material,quantity,unit,stage,factor,factor_source"


def read_bom(path: Path) -> list[ActivityLine]:
    return BomReader(lambda p: p.name).read(path)


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def bom_error(tmp_path: Path, text: str, **files: str) -> InputError:
    for name, content in files.items():
        write(tmp_path / name, content)
    with pytest.raises(InputError) as info:
        read_bom(write(tmp_path / "bom.csv", text))
    return info.value


def comparable(lines: list[ActivityLine]) -> list[ActivityLine]:
    """The lines without their file name (row numbers kept)."""
    return [
        replace(line, where=Location("-", line.where.line, line.where.column)) for line in lines
    ]


COMMA = (
    "component,material,quantity,unit,stage,factor,factor_source\n"
    "tray,aluminium-primary,1234.5,kg,,,\n"
    "lid,steel-sheet,0.25,kg,,2.5 kg CO2e/kg,supplier A\n"
    "recycling,recycling-hydromet,80,kg,end_of_life,,\n"
)
#: The same BOM as Excel writes it in a German or French locale: semicolons, decimal commas,
#: thousands points, a UTF-8 byte-order mark and CRLF line ends.
SEMICOLON = (
    "\ufeffcomponent;material;quantity;unit;stage;factor;factor_source\r\n"
    "tray;aluminium-primary;1.234,5;kg;;;\r\n"
    "lid;steel-sheet;0,25;kg;;2,5 kg CO2e/kg;supplier A\r\n"
    "recycling;recycling-hydromet;80;kg;end_of_life;;\r\n"
)


def test_comma_bom(tmp_path: Path) -> None:
    lines = read_bom(write(tmp_path / "bom.csv", COMMA))
    assert [(ln.component, ln.factor_id, ln.quantity, ln.unit) for ln in lines] == [
        ("tray", "aluminium-primary", 1234.5, "kg"),
        ("lid", "steel-sheet", 0.25, "kg"),
        ("recycling", "recycling-hydromet", 80.0, "kg"),
    ]
    assert [ln.where for ln in lines] == [Location("bom.csv", n) for n in (2, 3, 4)]
    assert lines[1].supplied is not None and lines[1].supplied.value == 2.5
    assert lines[1].supplied.source == "supplier A"
    assert lines[2].stage is Stage.END_OF_LIFE


def test_semicolon_decimal_comma_bom_reads_the_same(tmp_path: Path) -> None:
    comma = read_bom(write(tmp_path / "comma.csv", COMMA))
    semicolon = read_bom(write(tmp_path / "semicolon.csv", SEMICOLON.encode("utf-8")))
    assert comparable(semicolon) == comparable(comma)


def test_semicolon_bom_gives_the_same_numbers(
    tmp_path: Path, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    comma = calculate(
        make_project(read_bom(write(tmp_path / "c.csv", COMMA))), tiny_factors, tiny_rules
    )
    semi = calculate(
        make_project(read_bom(write(tmp_path / "s.csv", SEMICOLON))), tiny_factors, tiny_rules
    )
    assert [s.kg_co2e for s in semi.stages] == [s.kg_co2e for s in comma.stages]
    assert comma.stage(Stage.RAW_MATERIALS).kg_co2e == pytest.approx(1234.5 * 10 + 0.25 * 2.5)


def test_tab_separated_bom(tmp_path: Path) -> None:
    text = COMMA.replace(",", "\t")
    assert comparable(read_bom(write(tmp_path / "bom.tsv", text))) == comparable(
        read_bom(write(tmp_path / "bom.csv", COMMA))
    )


def test_header_names_are_forgiving(tmp_path: Path) -> None:
    text = "Component,Material,Quantity,Unit,Notes\ntray,aluminium-primary,2,kg,a note\n"
    (line,) = read_bom(write(tmp_path / "bom.csv", text))
    assert (line.component, line.factor_id, line.quantity) == ("tray", "aluminium-primary", 2.0)


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    reader = BomReader(lambda p: p.name)
    text = "component,material,quantity,unit,qantity\ntray,steel-sheet,2,kg,3\n"
    reader.read(write(tmp_path / "bom.csv", text))
    assert [w.code for w in reader.warnings] == ["unused-column"]
    assert "quantity" in reader.warnings[0].message  # did you mean


def test_windows_1252_bom_is_read_with_a_warning(tmp_path: Path) -> None:
    reader = BomReader(lambda p: p.name)
    text = "component,material,quantity,unit\nplaque d'acier \xe9,steel-sheet,2,kg\n"
    (line,) = reader.read(write(tmp_path / "bom.csv", text.encode("cp1252")))
    assert line.component == "plaque d'acier é"
    assert [w.code for w in reader.warnings] == ["not-utf8"]


def test_blank_rows_are_skipped_and_line_numbers_kept(tmp_path: Path) -> None:
    text = "component,material,quantity,unit\n\ntray,steel-sheet,2,kg\n,,,\nlid,steel-sheet,1,kg\n"
    lines = read_bom(write(tmp_path / "bom.csv", text))
    assert [ln.where.line for ln in lines] == [3, 5]


# --- XLSX -------------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "BOM") -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes" if sheet == "BOM" else sheet
    first.append(["this sheet is not the BOM"])
    target = book.create_sheet("BOM") if sheet == "BOM" else first
    if sheet != "BOM":
        target.delete_rows(1)
    for row in rows:
        target.append(row)
    book.save(path)
    return path


XLSX_ROWS: list[list[object]] = [
    ["component", "material", "quantity", "unit", "stage", "factor", "factor_source"],
    ["tray", "aluminium-primary", 1234.5, "kg", None, None, None],
    ["lid", "steel-sheet", 0.25, "kg", None, "2.5 kg CO2e/kg", "supplier A"],
    ["recycling", "recycling-hydromet", 80, "kg", "end_of_life", None, None],
]


def test_xlsx_gives_the_same_lines_as_csv(tmp_path: Path) -> None:
    xlsx = read_bom(write_xlsx(tmp_path / "bom.xlsx", XLSX_ROWS))
    csv_lines = read_bom(write(tmp_path / "bom.csv", COMMA))
    assert comparable(xlsx) == comparable(csv_lines)
    assert xlsx[0].where == Location("bom.xlsx", 2)


def test_xlsx_first_sheet_when_no_sheet_is_named_bom(tmp_path: Path) -> None:
    xlsx = read_bom(write_xlsx(tmp_path / "bom.xlsx", XLSX_ROWS, sheet="Sheet1"))
    assert [ln.quantity for ln in xlsx] == [1234.5, 0.25, 80.0]


def test_xlsx_missing_column(tmp_path: Path) -> None:
    rows = [["component", "material", "unit"], ["tray", "steel-sheet", "kg"]]
    with pytest.raises(InputError) as info:
        read_bom(write_xlsx(tmp_path / "bom.xlsx", rows))
    assert info.value.code == "missing-column"
    assert info.value.where == Location("bom.xlsx", 1)


def test_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_bom(write(tmp_path / "bom.xlsx", "component,material\n"))
    assert info.value.code == "unreadable-file"
    assert info.value.where is not None and info.value.where.file == "bom.xlsx"


# --- sub-BOMs ---------------------------------------------------------------------------------


def test_sub_bom_multiplies_and_names_the_path(tmp_path: Path) -> None:
    write(
        tmp_path / "cell.csv",
        "component,material,quantity,unit\ncathode,aluminium-primary,0.5,kg\nfoil,steel-sheet,20,g\n",
    )
    text = "component,material,quantity,unit\ncells,bom:cell.csv,96,pcs\ntray,steel-sheet,3,kg\n"
    lines = read_bom(write(tmp_path / "bom.csv", text))
    assert [(ln.label, ln.quantity, ln.unit) for ln in lines] == [
        ("cells (x96) > cathode", 48.0, "kg"),
        ("cells (x96) > foil", 1920.0, "g"),
        ("tray", 3.0, "kg"),
    ]
    assert lines[0].component == "cathode"
    assert lines[0].where == Location("cell.csv", 2)


def test_nested_sub_boms_multiply(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    write(
        tmp_path / "parts" / "cell.csv",
        "component,material,quantity,unit\ncathode,aluminium-primary,0.5,kg\n",
    )
    write(
        tmp_path / "parts" / "module.csv",
        "component,material,quantity,unit\ncells,bom:cell.csv,12,pcs\n",
    )
    text = "component,material,quantity,unit\nmodules,bom:parts/module.csv,8,pcs\n"
    (line,) = read_bom(write(tmp_path / "bom.csv", text))
    assert line.quantity == pytest.approx(8 * 12 * 0.5)
    assert line.label == "modules (x8) > cells (x12) > cathode"


def test_sub_bom_cycle(tmp_path: Path) -> None:
    error = bom_error(
        tmp_path,
        "component,material,quantity,unit\ncells,bom:cell.csv,2,pcs\n",
        **{"cell.csv": "component,material,quantity,unit\nloop,bom:bom.csv,1,pcs\n"},
    )
    assert error.code == "sub-bom-cycle"
    assert "bom.csv" in error.message and "cell.csv" in error.message
    assert error.hint


def test_sub_bom_using_itself(tmp_path: Path) -> None:
    error = bom_error(tmp_path, "component,material,quantity,unit\nme,bom:bom.csv,1,pcs\n")
    assert error.code == "sub-bom-cycle"
    assert error.where is not None and error.where.file == "bom.csv" and error.where.line == 2


def test_missing_sub_bom_points_at_the_line_using_it(tmp_path: Path) -> None:
    error = bom_error(tmp_path, "component,material,quantity,unit\ncells,bom:cell.csv,2,pcs\n")
    assert error.code == "missing-file"
    assert "cell.csv" in error.message
    assert error.where is not None and (error.where.file, error.where.line) == ("bom.csv", 2)


def test_sub_bom_counted_in_kg_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "cell.csv", "component,material,quantity,unit\nx,steel-sheet,1,kg\n")
    error = bom_error(tmp_path, "component,material,quantity,unit\ncells,bom:cell.csv,2,kg\n")
    assert error.code == "wrong-dimension"


# --- bad rows ---------------------------------------------------------------------------------


def test_missing_column(tmp_path: Path) -> None:
    error = bom_error(tmp_path, "component,material,unit\ntray,steel-sheet,kg\n")
    assert error.code == "missing-column"
    assert "quantity" in error.message
    assert error.where == Location("bom.csv", 1)
    assert error.hint and "component, material, quantity, unit" in error.hint


def test_missing_columns_are_all_named(tmp_path: Path) -> None:
    error = bom_error(tmp_path, "component,material\ntray,steel-sheet\n")
    assert error.code == "missing-column"
    assert "quantity" in error.message and "unit" in error.message


def test_duplicate_column(tmp_path: Path) -> None:
    error = bom_error(tmp_path, "component,material,quantity,unit,unit\ntray,steel-sheet,1,kg,g\n")
    assert error.code == "duplicate-column"


@pytest.mark.parametrize(
    ("quantity", "code"),
    [
        ("-10", "negative-quantity"),
        ("-0.5", "negative-quantity"),
        ("", "missing-value"),
        ("   ", "missing-value"),
        ("ten", "not-a-number"),
        ("12 kg", "not-a-number"),
        ("nan", "not-a-number"),
        ("1e400", "not-a-number"),
    ],
)
def test_bad_quantity(tmp_path: Path, quantity: str, code: str) -> None:
    text = f'{HEADER}\ntray,aluminium-primary,1,kg,,,\nlid,steel-sheet,"{quantity}",kg,,,\n'
    error = bom_error(tmp_path, text)
    assert error.code == code
    assert error.where == Location("bom.csv", 3, 3)  # line 3, column 3 (quantity)
    assert error.hint


@pytest.mark.parametrize(
    ("row", "code", "column"),
    [
        (",steel-sheet,1,kg,,,", "missing-value", 1),
        ("lid,,1,kg,,,", "missing-value", 2),
        ("lid,steel-sheet,1,furlong,,,", "unknown-unit", 4),
        ("lid,steel-sheet,1,kg,use,,", "use-stage", 5),
        ("lid,steel-sheet,1,kg,assembly,,", "unknown-stage", 5),
        ("lid,steel-sheet,1,kg,,12.4,supplier", "bad-factor", 6),
        ("lid,steel-sheet,1,kg,,-1 kg CO2e/kg,supplier", "bad-factor", 6),
        ("lid,steel-sheet,1,kg,,12.4 kg CO2e/kg,", "missing-source", 7),
        ("lid,steel-sheet,1,kg,,,a source without factor", "missing-value", 6),
    ],
)
def test_bad_cells(tmp_path: Path, row: str, code: str, column: int) -> None:
    error = bom_error(tmp_path, f"{HEADER}\n{row}\n")
    assert error.code == code
    assert error.where == Location("bom.csv", 2, column)


def test_negative_factor_is_a_credit_only_at_end_of_life(tmp_path: Path) -> None:
    text = f"{HEADER}\nrecycling,recycling-hydromet,80,kg,end_of_life,-0.5 kg CO2e/kg,recycler\n"
    (line,) = read_bom(write(tmp_path / "bom.csv", text))
    assert line.supplied is not None and line.supplied.value == -0.5


@pytest.mark.parametrize(
    ("extra", "value", "code"),
    [
        ("dqr", "7", "invalid-value"),
        ("recycled_share", "150%", "invalid-value"),
        ("data_type", "guessed", "invalid-value"),
    ],
)
def test_bad_optional_cells(tmp_path: Path, extra: str, value: str, code: str) -> None:
    text = f"component,material,quantity,unit,{extra}\nlid,steel-sheet,1,kg,{value}\n"
    error = bom_error(tmp_path, text)
    assert error.code == code
    assert error.where == Location("bom.csv", 2, 5)


def test_recycled_share_as_percent_or_fraction(tmp_path: Path) -> None:
    text = (
        "component,material,quantity,unit,recycled_share\n"
        "a,steel-sheet,1,kg,25%\n"
        "b,steel-sheet,1,kg,0.25\n"
    )
    lines = read_bom(write(tmp_path / "bom.csv", text))
    assert [ln.recycled_share for ln in lines] == [0.25, 0.25]


def test_empty_file(tmp_path: Path) -> None:
    error = bom_error(tmp_path, "")
    assert error.code == "empty-file"


# --- the whole tiny project through the loader ------------------------------------------------


def test_tiny_project_on_disk(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    project = load_project(write_project())
    assert [ln.where.file for ln in project.lines] == ["bom.csv"] * 4 + [
        "energy.toml",
        "transport.toml",
    ]
    assert {name for name, _ in project.inputs} == {
        "battery.toml",
        "bom.csv",
        "energy.toml",
        "transport.toml",
    }
    decl = calculate(project, tiny_factors, tiny_rules)
    for stage, kg in TINY_PROJECT_STAGES.items():
        assert decl.stage(stage).kg_co2e == pytest.approx(kg, rel=1e-12), stage
    assert decl.functional_unit.total_energy_kwh == pytest.approx(10 * 60 * 8)


def test_tiny_project_with_a_semicolon_bom_gives_the_same_numbers(
    write_project: WriteProject, tmp_path: Path, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    semicolon = ("\ufeff" + BOM_CSV.replace(",", ";").replace("\n", "\r\n")).encode("utf-8")
    a = calculate(load_project(write_project(tmp_path / "a")), tiny_factors, tiny_rules)
    b = calculate(
        load_project(write_project(tmp_path / "b", bom=semicolon)), tiny_factors, tiny_rules
    )
    assert [s.kg_co2e for s in a.stages] == [s.kg_co2e for s in b.stages]


def test_quoted_decimal_comma_in_a_comma_bom_is_not_read_ten_times_too_large(
    tmp_path: Path,
) -> None:
    """Regression: a quoted "1,5" read as 15 and "12,4 kg CO2e/kg" as 124."""
    text = f'{HEADER}\nlid,steel-sheet,"1,5",kg,,"12,4 kg CO2e/kg",supplier A\n'
    try:
        (line,) = read_bom(write(tmp_path / "bom.csv", text))
    except InputError:
        return  # refusing the ambiguous number is fine too
    assert line.quantity == pytest.approx(1.5)
    assert line.supplied is not None and line.supplied.value == pytest.approx(12.4)
