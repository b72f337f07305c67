"""The long-BOM reader (docs/long-bom.md): what each column means, and every bad cell failing
only its battery with the file, line and column named."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import make_factor_set, make_rules

import carbonfp
from carbonfp.columns import KIND_FROM_FACTOR, Inputs
from carbonfp.errors import InputError
from carbonfp.inputs.long_bom import _Fields, read_long_bom
from carbonfp.model import DataType, LineKind, Stage

#: The battery-table columns every battery needs (the required keys of a project file).
HEAD = (
    "battery,category,vehicle_category,chemistry,usable_capacity,mass,warranty_years,"
    "manufacturer.name,plant.name,plant.town,plant.region,plant.country"
)


def row(battery: str, capacity: str = "10 kWh", extra: str = "") -> str:
    return f"{battery},EV,M1,NMC811,{capacity},80 kg,8,Maker,Plant,Town,Region,HU{extra}"


def write(tmp_path: Path, lines: str, batteries: str) -> tuple[Path, Path]:
    lines_path, batteries_path = tmp_path / "lines.csv", tmp_path / "batteries.csv"
    lines_path.write_text(lines, encoding="utf-8")
    batteries_path.write_text(batteries, encoding="utf-8")
    return lines_path, batteries_path


def read(tmp_path: Path, lines: str, batteries: str | None = None) -> Inputs:
    ids = sorted({ln.split(",", 1)[0] for ln in lines.splitlines()[1:] if ln.strip()})
    table = batteries if batteries is not None else HEAD + "\n" + "\n".join(map(row, ids)) + "\n"
    return read_long_bom(*write(tmp_path, lines, table))


def problems(inputs: Inputs) -> dict[str, list[tuple[str, str]]]:
    """Per battery id: (code, where) of its problems."""
    return {
        battery: [(e.code, str(e.where)) for e in found]
        for battery, found in zip(inputs.ids, inputs.problems, strict=True)
        if found
    }


def test_columns_read_into_raw_lines(tmp_path: Path) -> None:
    inputs = read(
        tmp_path,
        "battery,component,path,material,quantity,unit,stage,origin,recycled_share,dqr,note\n"
        "A,tray,pack > tray,aluminium-primary,10,kg,,CN,25%,2.5,cast\n"
        "A,,,steel-sheet,1.5,t,end_of_life,,0.1,,\n",
    )
    assert inputs.ids == ("A",) and problems(inputs) == {}
    lines = inputs.lines
    first, second = lines.activity_line(0), lines.activity_line(1)
    assert first.label == "pack > tray" and first.component == "tray"
    assert first.origin == "CN" and first.recycled_share == 0.25 and first.dqr == 2.5
    assert first.note == "cast" and str(first.where) == "lines.csv:2"
    assert second.component == "steel-sheet"  # no component: the material names the line
    assert second.quantity == 1.5 and second.unit == "t" and second.stage is Stage.END_OF_LIFE
    project = inputs.projects[0]
    assert project is not None and project.battery.model == "A"
    assert project.label == "batteries.csv:2" and project.plant.country == "HU"


def test_kind_comes_from_the_factor_when_not_given(tmp_path: Path) -> None:
    """grid-hu is electricity (its grid country HU), natural-gas a fuel, a line with its own
    factor a material: the same ids and defaults as in a project."""
    inputs = read(
        tmp_path,
        "battery,material,quantity,unit,stage,factor,factor_source\n"
        "A,grid-hu,100,kWh,,,\n"
        "A,natural-gas,50,MJ,,,\n"
        "A,truck-hgv-average,10,t*km,distribution,,\n"
        "A,my-part,2,kg,,3 kg CO2e/kg,supplier sheet\n",
    )
    assert list(inputs.lines.kind) == [KIND_FROM_FACTOR] * 4  # resolve decides, by the factor
    decl = carbonfp.calculate_many(inputs).outcomes[0].declaration
    assert decl is not None
    kinds = [r.line.kind for r in decl.lines]
    assert kinds == [LineKind.ELECTRICITY, LineKind.FUEL, LineKind.TRANSPORT, LineKind.MATERIAL]
    assert decl.lines[0].line.origin == "HU" and decl.lines[0].factor_id == "grid-hu"
    assert [r.line.data_type for r in decl.lines] == [
        DataType.COMPANY,
        DataType.COMPANY,
        DataType.SECONDARY,
        DataType.SUPPLIER,
    ]
    assert decl.electricity[0].kwh == 100


def test_the_same_numbers_as_a_project_with_the_tiny_set(tmp_path: Path) -> None:
    """Hand-checked with the tiny in-test set: 10 kg x 10 + 100 kWh x 0.5 + 0.04 t x 500 km x
    0.1, per 10 kWh x 60 x 8."""
    inputs = read(
        tmp_path,
        "battery,kind,material,quantity,unit,stage\n"
        "A,material,aluminium-primary,10,kg,\n"
        "A,electricity,grid-hu,100,kWh,\n"
        "A,transport,truck-hgv-average,20,t*km,distribution\n",
    )
    decl = carbonfp.calculate(
        _project(inputs), make_factor_set(), make_rules()
    )  # one battery's project, its lines from the long BOM
    assert [s.kg_co2e for s in decl.stages] == pytest.approx([100.0, 50.0, 2.0, 0.0])
    assert decl.functional_unit.total_energy_kwh == 10 * 60 * 8


def _project(inputs: Inputs) -> carbonfp.Project:
    from dataclasses import replace

    project = inputs.projects[0]
    assert project is not None
    lines = tuple(inputs.lines.activity_line(i) for i in range(len(inputs.lines)))
    return replace(project, lines=lines)


def test_legacy_battery_columns_still_read(tmp_path: Path) -> None:
    """0.1's battery table: numbers in the units the names say."""
    table = (
        "battery,category,vehicle_category,chemistry,usable_capacity_kwh,mass_kg,"
        "warranty_years,warranty_km,annual_distance_km,manufacturer.name,plant.name,"
        "plant.town,plant.region,plant.country\n"
        "A,EV,M1,NMC811,75,400,8,160000,15000,Maker,Plant,Town,Region,HU\n"
    )
    inputs = read(tmp_path, "battery,material,quantity,unit\nA,steel-sheet,1,kg\n", table)
    project = inputs.projects[0]
    assert project is not None
    b = project.battery
    assert (b.usable_capacity_kwh, b.mass_kg, b.warranty_km, b.annual_distance_km) == (
        75.0,
        400.0,
        160000.0,
        15000.0,
    )


def test_semicolons_decimal_commas_and_a_byte_order_mark(tmp_path: Path) -> None:
    lines = "\ufeffbattery;material;quantity;unit\nA;steel-sheet;1,5;kg\nA;steel-sheet;1.250;g\n"
    inputs = read(tmp_path, lines.replace(",", ",").replace("\ufeffbattery", "\ufeffbattery"))
    assert list(inputs.lines.quantity) == [1.5, 1250.0]


def test_line_numbers_survive_blank_lines_and_quoted_line_breaks(tmp_path: Path) -> None:
    inputs = read(
        tmp_path,
        'battery,component,material,quantity,unit\n\nA,"two\nlines",steel-sheet,1,kg\n'
        "A,bad,steel-sheet,x,kg\n",
        HEAD + "\n" + row("A") + "\n",
    )
    assert problems(inputs) == {"A": [("not-a-number", "lines.csv:5 [quantity]")]}


def test_spreadsheet_guard_is_taken_off(tmp_path: Path) -> None:
    """flatten guards text a spreadsheet would evaluate ('=x'); the reader reads it back."""
    inputs = read(
        tmp_path,
        "battery,component,material,quantity,unit,stage,factor,factor_source\n"
        "A,'=sum,steel-sheet,1,kg,end_of_life,'-0.5 kg CO2e/kg,'@recycler\n",
    )
    line = inputs.lines.activity_line(0)
    assert line.component == "=sum"
    assert line.supplied is not None and line.supplied.value == -0.5
    assert line.supplied.source == "@recycler"


@pytest.mark.parametrize(
    ("line", "code", "where"),
    [
        ("A,steel-sheet,-1,kg,,,,,", "negative-quantity", "lines.csv:3 [quantity]"),
        ("A,steel-sheet,1,kilo,,,,,", "unknown-unit", "lines.csv:3 [unit]"),
        ("A,steel-sheet,1,kg,use,,,,", "use-stage", "lines.csv:3 [stage]"),
        ("A,steel-sheet,1,kg,,wire,,,", "invalid-value", "lines.csv:3 [kind]"),
        ("A,steel-sheet,1,kg,,,2 kg CO2e/kg,,", "missing-source", "lines.csv:3 [factor_source]"),
        ("A,steel-sheet,1,kg,,,-2 kg CO2e/kg,s,", "bad-factor", "lines.csv:3 [factor]"),
        ("A,steel-sheet,1,kg,,,,pact:x.json,", "invalid-value", "lines.csv:3 [factor]"),
        ("A,,1,kWh,,electricity,,,", "missing-value", "lines.csv:3 [origin]"),
        ("A,grid-hu,1,kWh,,electricity,,,PL", "invalid-value", "lines.csv:3 [material]"),
        ("A,grid-hu,1,kWh,,electricity,1 kg CO2e/kWh,s,", "invalid-value", "lines.csv:3 [factor]"),
        ("A,,1,kg,,,,,", "missing-value", "lines.csv:3 [material]"),
    ],
)
def test_a_bad_cell_fails_its_battery_alone(
    tmp_path: Path, line: str, code: str, where: str
) -> None:
    inputs = read(
        tmp_path,
        "battery,material,quantity,unit,stage,kind,factor,factor_source,origin\n"
        "B,steel-sheet,1,kg,,,,,\n" + line + "\n",
    )
    assert problems(inputs) == {"A": [(code, where)]}
    batch = carbonfp.calculate_many(inputs)
    assert [o.battery for o in batch.computed] == ["B"]
    failed = batch.failed[0]
    assert failed.battery == "A" and failed.error is not None and failed.error.code == code


def test_supply_columns_on_another_line_are_refused(tmp_path: Path) -> None:
    inputs = read(
        tmp_path,
        "battery,kind,material,quantity,unit,supply,technology\n"
        "A,material,steel-sheet,1,kg,ppa,wind-onshore\n"
        "B,electricity,grid-hu,1,kWh,ppa,wind-onshore\n",
    )
    assert problems(inputs) == {"A": [("invalid-value", "lines.csv:2 [supply]")]}
    supply = inputs.lines.activity_line(0).supply  # B's line: A's failed line was dropped
    assert supply is not None and supply.technology == "wind-onshore"


def test_battery_table_problems(tmp_path: Path) -> None:
    lines = (
        "battery,material,quantity,unit\nA,steel-sheet,1,kg\nB,steel-sheet,1,kg\n"
        "C,steel-sheet,1,kg\nX,steel-sheet,1,kg\n"
    )
    table = "\n".join([HEAD, row("A"), row("B", "0 kWh"), row("C"), row("C"), row("D")]) + "\n"
    inputs = read(tmp_path, lines, table)
    assert problems(inputs) == {
        "B": [("not-positive", "batteries.csv:3 [battery.usable_capacity]")],
        "C": [("duplicate-battery", "batteries.csv:5 [battery]")],
        "D": [("empty-file", "batteries.csv:6")],
        "X": [("unknown-battery", "lines.csv:5")],
    }
    assert inputs.ids == ("A", "B", "C", "D", "X")


def test_a_missing_required_key_names_its_column(tmp_path: Path) -> None:
    table = HEAD.replace(",chemistry", "") + "\n" + row("A").replace(",NMC811", "") + "\n"
    inputs = read(tmp_path, "battery,material,quantity,unit\nA,steel-sheet,1,kg\n", table)
    [(code, where)] = problems(inputs)["A"]
    assert code == "missing-key" and where.startswith("batteries.csv:2")


def test_end_of_life_columns_read_as_the_project_table(tmp_path: Path) -> None:
    head = HEAD + (
        ",end_of_life.route,end_of_life.materials.cathode-active-material.R2,"
        "end_of_life.materials.cathode-active-material.recycling,"
        "end_of_life.materials.cathode-active-material.recycling_source"
    )
    extra = ",hydrometallurgy,0.9,17 kg CO2e/kg,recycler"
    inputs = read(
        tmp_path,
        "battery,material,quantity,unit\nA,steel-sheet,1,kg\n",
        head + "\n" + row("A", extra=extra) + "\n",
    )
    project = inputs.projects[0]
    assert project is not None and project.end_of_life is not None
    material = project.end_of_life.materials["cathode-active-material"]
    assert material.r2 == 0.9 and material.recycling is not None
    assert material.recycling.value == 17.0 and material.recycling.source == "recycler"


def test_unknown_columns_warn_on_each_battery(tmp_path: Path) -> None:
    inputs = read(tmp_path, "battery,material,quantity,unit,colour\nA,steel-sheet,1,kg,red\n")
    project = inputs.projects[0]
    assert project is not None
    assert [(w.code, w.where) for w in project.warnings] == [("unused-column", "lines.csv:1:5")]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ("battery,material,quantity\nA,steel-sheet,1\n", "missing-column"),
        ("battery,material,quantity,unit\n", "empty-file"),
        ("", "empty-file"),
        ('battery,material,quantity,unit\nA,"steel,1,kg\n', "malformed-csv"),
    ],
)
def test_a_bad_file_fails_as_a_whole(tmp_path: Path, lines: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        read(tmp_path, lines, HEAD + "\n" + row("A") + "\n")
    assert info.value.code == code and info.value.where is not None
    assert info.value.where.file == "lines.csv"


def test_xlsx_long_bom(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for values in (["battery", "material", "quantity", "unit"], ["A", "steel-sheet", 2.5, "kg"]):
        sheet.append(values)
    book.save(tmp_path / "lines.xlsx")
    (tmp_path / "batteries.csv").write_text(HEAD + "\n" + row("A") + "\n", encoding="utf-8")
    inputs = read_long_bom(tmp_path / "lines.xlsx", tmp_path / "batteries.csv")
    assert problems(inputs) == {} and list(inputs.lines.quantity) == [2.5]


def test_text_stays_text(tmp_path: Path) -> None:
    """Ids, materials and components that look like numbers keep every character."""
    lines = (
        "battery,component,material,quantity,unit\n"
        "0012,1.50,steel-sheet,1,kg\n"
        "12,007,steel-sheet,2,kg\n"
    )
    table = HEAD + "\n" + row("0012") + "\n" + row("12") + "\n"
    inputs = read(tmp_path, lines, table)
    assert inputs.ids == ("0012", "12") and problems(inputs) == {}
    assert [inputs.lines.activity_line(i).component for i in (0, 1)] == ["1.50", "007"]


def test_column_names_are_forgiving_but_group_names_exact(tmp_path: Path) -> None:
    head = (
        HEAD.replace("warranty_years", "Battery.Warranty-Years").replace(
            "plant.country", "Plant . Country"
        )
        + ",End Of Life.route,end_of_life.materials.cathode-active-material.R2"
    )
    inputs = read(
        tmp_path,
        "battery,material,quantity,unit\nA,steel-sheet,1,kg\n",
        head + "\n" + row("A", extra=",recycling,0.5") + "\n",
    )
    project = inputs.projects[0]
    assert problems(inputs) == {} and project is not None
    assert project.battery.warranty_years == 8 and project.plant.country == "HU"
    assert project.end_of_life is not None
    assert project.end_of_life.materials["cathode-active-material"].r2 == 0.5


def test_rows_of_separators_only_are_skipped(tmp_path: Path) -> None:
    """A spreadsheet's empty rows (";;;;") are no lines; numbering counts them."""
    inputs = read(
        tmp_path,
        "battery;material;quantity;unit\n;;;\nA;steel-sheet;1;kg\n;;;\nA;steel-sheet;x;kg\n",
        HEAD + "\n" + row("A") + "\n",
    )
    assert problems(inputs) == {"A": [("not-a-number", "lines.csv:5 [quantity]")]}


@pytest.mark.parametrize(
    ("head", "where"),
    [("battery,Battery,material", "lines.csv:1:2"), ("battery,material,Material", "lines.csv:1:3")],
)
def test_a_column_given_twice_is_refused(tmp_path: Path, head: str, where: str) -> None:
    """Names are read without case: two spellings of one column are one column twice."""
    with pytest.raises(InputError) as info:
        read(tmp_path, f"{head},quantity,unit\nA,A,steel-sheet,1,kg\n", HEAD + "\n" + row("A"))
    assert info.value.code == "duplicate-column" and str(info.value.where) == where


@pytest.mark.parametrize(("chunk", "block"), [(1, 1), (2, 7), (3, 2), (5, 64)])
def test_reading_in_chunks_gives_what_one_pass_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, block: int
) -> None:
    """Ids, texts and numbers met again in later chunks keep their codes; a quantity that is no
    plain number in a later chunk still turns the whole column to text (then checked per cell);
    a blank row and a quoted line break keep the line numbers, and the file's hash is the same,
    whatever the size of the blocks the file is scanned in."""
    import carbonfp.inputs.long_bom as long_bom

    lines = (
        "battery,component,material,quantity,unit,note\n"
        "B,tray,aluminium-primary,10,kg,\n"
        'A,"cell\nstack",graphite-natural,1.5,kg,x\n'
        "\n"
        "B,,steel-sheet,2,t,\n"
        "A,tray,aluminium-primary,3,kg,\n"
        "C,,steel-sheet,1 000,kg,y\n"
        "A,tray,steel-sheet,x,kg,\n"
        "C,tray,steel-sheet,4,kg,\n"
    )
    table = HEAD + "\n" + "\n".join(map(row, "ABC")) + "\n"
    whole = read(tmp_path, lines, table)
    monkeypatch.setattr(long_bom, "_CHUNK_ROWS", chunk)
    monkeypatch.setattr(long_bom, "_BLOCK", block)
    chunked = read(tmp_path, lines, table)
    assert [p.inputs for p in chunked.projects if p] == [p.inputs for p in whole.projects if p]
    assert chunked.ids == whole.ids == ("A", "B", "C")
    assert (
        problems(chunked) == problems(whole) == {"A": [("not-a-number", "lines.csv:9 [quantity]")]}
    )
    assert len(chunked.lines) == len(whole.lines) == 6
    for i in range(len(whole.lines)):
        assert chunked.lines.activity_line(i) == whole.lines.activity_line(i)
    assert list(chunked.lines.where_line) == list(whole.lines.where_line) == [2, 3, 6, 7, 8, 10]
    assert [whole.lines.activity_line(i).quantity for i in (0, 1, 3, 4)] == [10, 1.5, 3, 1000]


@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
@pytest.mark.parametrize(
    ("text", "one_row_per_line"),
    [
        ("a,b\n1,2\n3,4\n", True),
        ("a,b\n1,2\n \t\r\n3,4\n", False),  # a blank line, whatever the block boundaries
        ("a,b\n1,2\n\n", False),
        ('a,b\n"1",2\n', False),
        ("\na,b\n1,2\n", False),
    ],
)
def test_the_scan_sees_blank_lines_and_quotes_across_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, text: str, one_row_per_line: bool
) -> None:
    import hashlib

    import carbonfp.inputs.long_bom as long_bom

    monkeypatch.setattr(long_bom, "_BLOCK", block)
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode() + "é".encode("cp1252"))
    scan = long_bom._scan(path, "t.csv")
    assert scan.one_row_per_line is one_row_per_line and not scan.utf8
    assert scan.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(text.encode() + "é".encode())
    assert long_bom._scan(path, "t.csv").utf8


def test_columns_without_a_name_are_ignored(tmp_path: Path) -> None:
    """A spreadsheet's trailing separators ("...,unit,,") give nameless columns: ignored, even
    two of them, and a row with text only there is a blank row."""
    inputs = read(
        tmp_path,
        "battery,material,quantity,unit,,\nA,steel-sheet,1,kg,x,\n,,,,y,z\nA,steel-sheet,2,kg,,\n",
        HEAD + ",,\n" + ",,,,,,,,,,,,note,\n" + row("A") + ",,\n",
    )
    assert problems(inputs) == {} and list(inputs.lines.quantity) == [1.0, 2.0]
    assert list(inputs.lines.where_line) == [2, 4]


def _scanned(data: bytes, sizes: list[int]) -> _Fields:
    """The scan's count of lines and fields over ``data`` fed in blocks of ``sizes``, then
    the rest."""
    fields = _Fields()
    at = 0
    for size in sizes:
        fields.feed(data[at : at + size])
        at += size
    fields.feed(data[at:])
    fields.feed(b"", final=True)
    return fields


@given(
    st.lists(st.sampled_from([b"a", b",", b"\n", b"\r", b" ", b"\t"]), max_size=24),
    st.lists(st.integers(1, 8), max_size=4),
)
def test_a_line_of_spaces_or_nothing_is_found_in_any_blocks(
    parts: list[bytes], sizes: list[int]
) -> None:
    """A file with an empty line, or one of spaces and tabs only (a carriage return before its
    line break not counted), is not read one row per line; found whatever blocks the file is
    read in."""
    data = b"".join(parts)
    lines = data.split(b"\n")
    if lines[-1] == b"":  # the file ends with a line break: no line after it
        lines.pop()
    expected = any(not line.removesuffix(b"\r").strip(b" \t") for line in lines)
    assert _scanned(data, sizes).blank == expected


@given(
    st.lists(st.sampled_from([b"a", b",", b";", b"\n", b"\r", b" "]), max_size=40),
    st.lists(st.integers(1, 9), max_size=5),
)
def test_the_first_row_with_another_field_count_is_found_in_any_blocks(
    parts: list[bytes], sizes: list[int]
) -> None:
    """The scan names the first row whose fields are more or fewer than the header's (its
    line and field count), counted per line in whatever blocks the file is read."""
    data = b"".join(parts)
    lines = [line.removesuffix(b"\r") for line in data.split(b"\n")]
    expected = None
    header = next((line for line in lines if line), None)
    if header is not None:
        sep = max(b",;\t", key=header.count)
        width = header.count(sep) + 1
        first = lines.index(header)
        for number, line in enumerate(lines, start=1):
            if line and number - 1 > first and line.count(sep) + 1 != width:
                expected = (number, line.count(sep) + 1)
                break
    assert _scanned(data, sizes).misfit == expected
