"""Factor imports: ILCD process data sets and sheets in any column layout become factor sets;
every bad row is listed at once; unsafe XML, zip bombs and half-written sets are refused."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import pytest
from factor_import_support import (
    ACIDIFICATION,
    BIOGENIC,
    CLIMATE,
    FOSSIL,
    LAUGHS_PROCESS,
    WIDE_GWP,
    WIDE_ROWS,
    XXE_PROCESS,
    Method,
    Process,
    ilcd_package,
    made_up_uuid,
    write_wide_csv,
    write_wide_xlsx,
)

from carbonfp.data.factor_sets import load_factor_set, validate_set
from carbonfp.errors import InputError, UsageError
from carbonfp.inputs.factor_import import (
    ColumnMapping,
    import_factors,
    import_ilcd,
    read_mapping,
)
from carbonfp.model import FactorSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COPPER = Process("Copper cathode; electrolytic refining", results=[(CLIMATE, 4.25)])
#: 1 000 kg of electrolyte per reference flow: the factor is per kg
ELECTROLYTE = Process(
    "Electrolyte, LiPF6 in EC/DMC", amount=1000.0, results=[(CLIMATE, 9250.0)], year=2020
)
CELLS = Process("Pouch cell", unit_group="items", amount=2.0, results=[(CLIMATE, 3.0)])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary set folders an import may have left beside its --out."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def manifest(out: Path) -> dict[str, Any]:
    return tomllib.loads((out / "manifest.toml").read_text(encoding="utf-8"))


def load(out: Path) -> FactorSet:
    assert validate_set(out) == []
    return load_factor_set(str(out))


# --- ILCD -----------------------------------------------------------------------------------


def test_an_ilcd_zip_becomes_a_set_one_row_per_process(tmp_path: Path) -> None:
    processes = [COPPER, ELECTROLYTE, CELLS]
    archive = ilcd_package(processes).write_zip(tmp_path / "ef.zip")
    count = import_ilcd(archive, "ef", "3.1", tmp_path / "ef")
    assert count == 3
    fs = load(tmp_path / "ef")
    assert fs.label == "ef@3.1"
    for p in processes:
        factor = fs.factors[p.uuid]  # the data set's UUID is the id
        (method, result), *_ = p.results
        assert factor.value == pytest.approx(float(result) / p.amount)
        assert factor.name == p.name
        assert factor.region == p.location and factor.year == p.year
        assert factor.license == "proprietary" and factor.status == "user"
        assert p.uuid in factor.locator and f"version {p.version}" in factor.locator
        assert f"ILCD/processes/{p.uuid}.xml" in factor.locator
        assert method.uuid in factor.locator
    assert fs.factors[COPPER.uuid].unit == "kg CO2e/kg"
    assert fs.factors[COPPER.uuid].table == "materials"
    assert fs.factors[CELLS.uuid].unit == "kg CO2e/piece"
    assert manifest(tmp_path / "ef")["imported"] == {
        "file": "ef.zip",
        "format": "ilcd",
        "sha256": sha256(archive),
    }


def test_an_ilcd_folder_without_namespaces_reads_alike(tmp_path: Path) -> None:
    package = ilcd_package([COPPER, ELECTROLYTE], namespaces=False, root="export/ILCD/")
    folder = package.write_folder(tmp_path / "export")
    assert import_ilcd(folder, "ef", "1", tmp_path / "ef") == 2
    fs = load(tmp_path / "ef")
    assert fs.factors[ELECTROLYTE.uuid].value == pytest.approx(9.25)
    lines = sorted(
        f"{p.relative_to(folder).as_posix()} {sha256(p)}\n"
        for p in folder.rglob("*")
        if p.is_file()
    )
    assert (
        manifest(tmp_path / "ef")["imported"]["sha256"]
        == hashlib.sha256("".join(lines).encode()).hexdigest()
    )


def test_the_reference_amount_is_the_exchange_times_the_flow_property(tmp_path: Path) -> None:
    process = Process("Graphite", amount=4.0, property_value=0.5, results=[(CLIMATE, 6.0)])
    archive = ilcd_package([process]).write_zip(tmp_path / "ef.zip")
    import_ilcd(archive, "ef", "1", tmp_path / "ef")
    assert load(tmp_path / "ef").factors[process.uuid].value == pytest.approx(6.0 / (4.0 * 0.5))


def test_several_climate_indicators_need_a_choice(tmp_path: Path) -> None:
    p = Process(
        "Nickel sulfate",
        results=[(CLIMATE, 5.0), (FOSSIL, 4.5), (BIOGENIC, 0.25), (ACIDIFICATION, 0.1)],
    )
    archive = ilcd_package([p]).write_zip(tmp_path / "ef.zip")
    out = tmp_path / "ef"
    with pytest.raises(UsageError) as caught:
        import_ilcd(archive, "ef", "1", out)
    error = caught.value
    assert error.code == "choose-indicator"
    for method in (CLIMATE, FOSSIL, BIOGENIC):
        assert method.name in error.message and method.uuid in error.message
    assert "Acidification" not in error.message  # not a climate-change indicator
    assert "--indicator" in (error.hint or "")
    assert not out.exists()
    with pytest.raises(UsageError) as caught:
        import_ilcd(archive, "ef", "1", out, indicator="Acidification")
    assert caught.value.code == "choose-indicator" and FOSSIL.name in (caught.value.hint or "")
    import_ilcd(archive, "ef", "1", out, indicator="climate change-fossil")
    assert load(out).factors[p.uuid].value == 4.5
    import_ilcd(archive, "ef", "2", tmp_path / "by-uuid", indicator=BIOGENIC.uuid.upper())
    assert load(tmp_path / "by-uuid").factors[p.uuid].value == 0.25


def test_the_indicator_unit_and_name_come_from_the_package_or_the_reference(
    tmp_path: Path,
) -> None:
    """Without the LCIA method data sets, the result's name is the reference's description
    and its unit kg CO2e; with them, the unit is their reference quantity's unit."""
    in_grams = Method("Climate change (in grams)", unit_group="mass")
    p = Process("Separator film", results=[(in_grams, 1.5)])
    package = ilcd_package([p])
    grams = package.files[f"ILCD/unitgroups/{made_up_uuid('unitgroup/mass')}.xml"]
    package.files[f"ILCD/unitgroups/{made_up_uuid('unitgroup/mass')}.xml"] = grams.replace(
        b"<name>kg</name>", b"<name>g</name>"
    )
    import_ilcd(package.write_zip(tmp_path / "g.zip"), "g", "1", tmp_path / "g")
    factor = load(tmp_path / "g").factors[p.uuid]
    assert factor.unit == "g CO2e/g"  # the flow is in grams too: the same number
    bare = ilcd_package([p], methods=False)
    import_ilcd(bare.write_zip(tmp_path / "bare.zip"), "bare", "1", tmp_path / "bare")
    factor = load(tmp_path / "bare").factors[p.uuid]
    assert factor.unit == "kg CO2e/kg" and in_grams.name in factor.locator


def test_every_data_set_that_cannot_be_read_is_listed_and_nothing_written(tmp_path: Path) -> None:
    good = COPPER
    no_result = Process("No results", results=[])
    text_result = Process("Text result", results=[(CLIMATE, "n/a")])
    two_refs = Process("Two reference flows", reference_flows=2)
    bad_year = Process("Bad year", year="20x1")
    energy = Process("Heat", unit_group="energy")
    land = Process("Land occupation", unit_group="area*time")
    lost = Process("Flow not in the package")
    package = ilcd_package([good, no_result, text_result, two_refs, bad_year, energy, land, lost])
    del package.files[f"ILCD/flows/{lost.flow_uuid}.xml"]
    package.files["ILCD/processes/broken.xml"] = b"<processDataSet><processInformation>"
    archive = package.write_zip(tmp_path / "ef.zip")
    out = tmp_path / "ef"
    with pytest.raises(InputError) as caught:
        import_ilcd(archive, "ef", "1", out)
    error = caught.value
    assert error.code == "invalid-factor-rows"
    listed = [line.strip() for line in error.message.splitlines()[1:]]
    assert len(listed) == 8 and error.message.startswith("8 problems in ef.zip")
    expected = {
        no_result.uuid: "no LCIA result 'Climate change'",
        text_result.uuid: "is not a number",
        two_refs.uuid: "2 reference flows",
        bad_year.uuid: "reference year '20x1'",
        energy.uuid: "electricity or fuels",
        land.uuid: "fits no factor table",
        lost.uuid: "is not in the package",
        "broken": "not well-formed XML",
    }
    for name, reason in expected.items():
        line = next(item for item in listed if f"ef.zip:ILCD/processes/{name}.xml" in item)
        assert reason in line, line
    assert good.uuid not in error.message
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("xml", [XXE_PROCESS, LAUGHS_PROCESS], ids=["xxe", "billion-laughs"])
@pytest.mark.parametrize("where", ["processes", "flows"])
def test_xml_with_a_document_type_or_entities_is_refused(
    tmp_path: Path, xml: bytes, where: str
) -> None:
    package = ilcd_package([COPPER])
    name = f"ILCD/processes/{COPPER.uuid}.xml"
    if where == "flows":
        name = f"ILCD/flows/{COPPER.flow_uuid}.xml"
    package.files[name] = xml
    archive = package.write_zip(tmp_path / "evil.zip")
    with pytest.raises(InputError) as caught:
        import_ilcd(archive, "evil", "1", tmp_path / "evil")
    assert caught.value.code == "unsafe-xml"
    assert caught.value.where is not None and name in str(caught.value.where)
    assert "root:" not in str(caught.value) and "lol" not in str(caught.value)
    assert not (tmp_path / "evil").exists() and leftovers(tmp_path) == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = ilcd_package([Process("Padded", extra_exchanges=2000)])
    archive = package.write_zip(tmp_path / "bomb.zip")
    size = max(len(data) for data in package.files.values())
    assert archive.stat().st_size < size  # it unpacks to more than it weighs
    monkeypatch.setenv("CARBONFP_MAX_XML_BYTES", str(size - 1))
    with pytest.raises(InputError) as caught:
        import_ilcd(archive, "bomb", "1", tmp_path / "bomb")
    assert caught.value.code == "too-large" and "CARBONFP_MAX_XML_BYTES" in (
        caught.value.hint or ""
    )
    monkeypatch.setenv("CARBONFP_MAX_XML_BYTES", str(size))
    monkeypatch.setenv("CARBONFP_MAX_ILCD_ENTRIES", str(len(package.files) - 1))
    with pytest.raises(InputError) as caught:
        import_ilcd(archive, "bomb", "1", tmp_path / "bomb")
    assert caught.value.code == "too-large" and "CARBONFP_MAX_ILCD_ENTRIES" in (
        caught.value.hint or ""
    )
    monkeypatch.delenv("CARBONFP_MAX_ILCD_ENTRIES")
    assert import_ilcd(archive, "bomb", "1", tmp_path / "bomb") == 1  # at the limit: read


def test_ids_from_names_are_refused_when_two_give_the_same(tmp_path: Path) -> None:
    a = Process("Copper foil, 8 um")
    b = Process("Copper foil 8 um!")
    archive = ilcd_package([a, b, ELECTROLYTE]).write_zip(tmp_path / "ef.zip")
    with pytest.raises(InputError) as caught:
        import_ilcd(archive, "ef", "1", tmp_path / "ef", ids="name")
    assert "'copper-foil-8-um'" in caught.value.message and "--ids uuid" in caught.value.message
    one = ilcd_package([a, ELECTROLYTE]).write_zip(tmp_path / "one.zip")
    import_ilcd(one, "ef", "1", tmp_path / "ef", ids="name")
    assert sorted(load(tmp_path / "ef").factors) == [
        "copper-foil-8-um",
        "electrolyte-lipf6-in-ec-dmc",
    ]


def test_a_package_without_processes_or_climate_results_is_refused(tmp_path: Path) -> None:
    package = ilcd_package([COPPER])
    del package.files[f"ILCD/processes/{COPPER.uuid}.xml"]
    with pytest.raises(InputError) as caught:
        import_ilcd(package.write_zip(tmp_path / "none.zip"), "x", "1", tmp_path / "x")
    assert caught.value.code == "invalid-ilcd"
    acid = Process("Acid only", results=[(ACIDIFICATION, 0.2)])
    with pytest.raises(InputError) as caught:
        import_ilcd(ilcd_package([acid]).write_zip(tmp_path / "a.zip"), "x", "1", tmp_path / "x")
    assert caught.value.code == "invalid-ilcd" and "Acidification" in caught.value.message
    (tmp_path / "not.zip").write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_ilcd(tmp_path / "not.zip", "x", "1", tmp_path / "x")
    assert caught.value.code == "unreadable-file"


# --- sheets ---------------------------------------------------------------------------------

MAPPING = f"""\
# the LCIA sheet of the test workbook: names over rows 3 to 5, units in row 6
sheet = "LCIA"
header_rows = [3, 4, 5]
skip_rows = [6]

[columns]
id = "Activity UUID"
name = "Activity Name"
value = "{WIDE_GWP}"
unit = "Reference Product Unit"
region = "Geography"

[fixed]
source = "Test LCIA results (test data)"
year = 2024
"""


def test_a_wide_lcia_workbook_becomes_a_set_with_a_mapping_file(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    book = write_wide_xlsx(tmp_path / "lcia.xlsx")
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    mapping = read_mapping(tmp_path / "map.toml")
    assert mapping.header_rows == (3, 4, 5) and mapping.skip_rows == frozenset({6})
    count = import_factors(
        book, "lcia", "1", tmp_path / "lcia", mapping, energy_table="electricity"
    )
    assert count == len(WIDE_ROWS)
    fs = load(tmp_path / "lcia")
    for number, (fid, name, geo, _, unit, gwp, *_) in enumerate(WIDE_ROWS, 7):
        factor = fs.factors[str(fid)]
        assert factor.value == gwp and factor.name == name and factor.region == geo
        assert factor.unit == f"kg CO2e/{unit}" and factor.year == 2024
        assert factor.locator == f"lcia.xlsx sheet LCIA row {number}"
    assert {f.id: f.table for f in fs.factors.values()} == {
        "act-cu": "materials",
        "act-el": "materials",
        "act-kwh": "electricity",
        "act-lorry": "transport",
    }
    assert fs.sources[fs.factors["act-cu"].source].title == "Test LCIA results (test data)"
    assert manifest(tmp_path / "lcia")["imported"] == {
        "file": "lcia.xlsx",
        "format": "xlsx",
        "sha256": sha256(book),
    }


def test_a_wide_csv_with_options_gives_the_workbook_values(tmp_path: Path) -> None:
    sheet = write_wide_csv(tmp_path / "lcia.csv")
    mapping = ColumnMapping().with_options(
        header_rows=(3, 4, 5),
        skip_rows=(6,),
        columns={"id": "activity uuid", "value": WIDE_GWP, "unit": "Reference Product Unit"},
        fixed={"source": "Test LCIA results (test data)", "table": None},
    )
    import_factors(sheet, "lcia", "1", tmp_path / "lcia", mapping, energy_table="fuels")
    fs = load(tmp_path / "lcia")
    assert {f.id: f.value for f in fs.factors.values()} == {str(r[0]): r[5] for r in WIDE_ROWS}
    assert fs.factors["act-kwh"].table == "fuels"
    assert fs.factors["act-cu"].name == "act-cu"  # no name column: the id


def test_every_bad_row_of_a_sheet_is_listed_with_its_column(tmp_path: Path) -> None:
    rows = [
        *WIDE_ROWS[:2],
        ["act-neg", "recycled copper", "GLO", "copper", "kg", -1.5, -1.5, 0, 0],
        ["act-text", "text value", "GLO", "x", "kg", "n/a", 1, 0, 0],
        ["act-unit", "odd unit", "GLO", "x", "furlong", 2.0, 1, 0, 0],
        ["", "no id", "GLO", "x", "kg", 2.0, 1, 0, 0],
        ["act-cu", "copper again", "GLO", "x", "kg", 2.0, 1, 0, 0],
    ]
    sheet = write_wide_csv(tmp_path / "lcia.csv", rows)
    mapping = ColumnMapping().with_options(
        header_rows=(3, 4, 5),
        skip_rows=(6,),
        columns={"id": "Activity UUID", "value": WIDE_GWP, "unit": "Reference Product Unit"},
        fixed={"source": "test"},
    )
    with pytest.raises(InputError) as caught:
        import_factors(sheet, "x", "1", tmp_path / "x", mapping)
    error = caught.value
    assert error.code == "invalid-factor-rows"
    listed = [line.strip() for line in error.message.splitlines()[1:]]
    assert listed == [
        "lcia.csv:9: negative factor -1.5: credits belong to the end_of_life table",
        f"lcia.csv:10: value 'n/a' is not a number (column {WIDE_GWP!r})",
        "lcia.csv:11: unknown unit 'furlong' (column 'Reference Product Unit')",
        "lcia.csv:12: missing id (column 'Activity UUID')",
        "lcia.csv:13: id 'act-cu' is also the id of lcia.csv:7",
    ]
    assert not (tmp_path / "x").exists() and leftovers(tmp_path) == []


def test_a_column_the_mapping_names_and_the_sheet_lacks_is_refused(tmp_path: Path) -> None:
    sheet = write_wide_csv(tmp_path / "lcia.csv")
    mapping = ColumnMapping().with_options(
        header_rows=(3, 4, 5),
        columns={"id": "Activity ID", "value": "climate change"},
        fixed={"unit": "kg CO2e/kg"},
    )
    with pytest.raises(InputError) as caught:
        import_factors(sheet, "x", "1", tmp_path / "x", mapping)
    error = caught.value
    assert error.code == "missing-column"
    assert "id: no column 'Activity ID' (did you mean 'Activity UUID'" in error.message
    assert f"value: no column 'climate change' (did you mean {WIDE_GWP!r}" in error.message
    assert "source: no column 'source'" in error.message


def test_a_mapping_file_is_checked_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('[columns]\nid = "A"\nvalues = "B"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_mapping(path)
    assert caught.value.code == "unknown-key" and "values" in caught.value.message
    path.write_text('[columns]\nunit = "U"\n[fixed]\nunit = "kg CO2e/kg"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_mapping(path)
    assert caught.value.code == "invalid-value" and caught.value.where is not None
    assert caught.value.where.line == 4
    path.write_text("header_rows = [0]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_mapping(path)
    assert caught.value.code == "wrong-type"


def test_text_that_toml_must_escape_is_written_so_that_it_reads_back(tmp_path: Path) -> None:
    name = 'Foil "A" \\ B\nsecond line\x7f\ttab'
    (tmp_path / "f.csv").write_text(
        "id,name,value,unit,source\n" + f'foil,"{name.replace(chr(34), chr(34) * 2)}",2,kg,"s"\n',
        encoding="utf-8",
    )
    import_factors(tmp_path / "f.csv", "f", "1", tmp_path / "f")
    assert load(tmp_path / "f").factors["foil"].name == name


def test_a_failed_write_leaves_no_half_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = ilcd_package([COPPER]).write_zip(tmp_path / "ef.zip")
    out = tmp_path / "ef"
    out.mkdir()
    (out / "kept.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        import_ilcd(archive, "ef", "1", out)
    assert caught.value.code == "output-exists"
    assert [p.name for p in out.iterdir()] == ["kept.txt"]

    def fail(self: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    empty = tmp_path / "empty"
    empty.mkdir()  # an empty --out is taken
    monkeypatch.setattr(Path, "rename", fail)
    with pytest.raises(UsageError) as caught:
        import_ilcd(archive, "ef", "1", empty)
    assert caught.value.code == "cannot-write" and "No space left" in caught.value.message
    assert list(empty.iterdir()) == [] and leftovers(tmp_path) == []
    monkeypatch.undo()
    import_ilcd(archive, "ef", "1", empty)
    assert load(empty).factors[COPPER.uuid].value == 4.25
