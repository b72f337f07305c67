"""`carbonfp factors import` end to end: an ILCD package and a wide LCIA workbook each become a
factor set in one command and feed a `calc` of a project whose BOM uses the imported ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factor_import_support import (
    CLIMATE,
    FOSSIL,
    WIDE_GWP,
    WIDE_ROWS,
    XXE_PROCESS,
    Process,
    ilcd_package,
    write_wide_xlsx,
)
from support import WriteProject
from typer.testing import CliRunner

from carbonfp.cli import app

RUNNER = CliRunner()
#: A cathode material and a separator, as an EF package gives them (made-up values).
CAM = Process("NMC622 cathode active material", results=[(CLIMATE, 21.5), (FOSSIL, 21.0)])
SEPARATOR = Process(
    "Separator, PE film", amount=1000.0, results=[(CLIMATE, 3400.0), (FOSSIL, 3300.0)]
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def bom(*lines: tuple[str, str, float]) -> str:
    return "component,material,quantity,unit\n" + "".join(
        f"{component},{material},{quantity},kg\n" for component, material, quantity in lines
    )


def declaration(project: Path, *options: str) -> dict[str, object]:
    code, out, err = invoke("calc", str(project), "-f", "json", *options)
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def lines_of(data: dict[str, object]) -> dict[str, dict[str, object]]:
    lines = data["lines"]
    assert isinstance(lines, list)
    return {str(line["factor_id"]): line for line in lines}


def test_an_ilcd_zip_feeds_a_calc_in_one_command(
    tmp_path: Path, write_project: WriteProject
) -> None:
    archive = ilcd_package([CAM, SEPARATOR]).write_zip(tmp_path / "ef-datasets.zip")
    out = tmp_path / "project" / "ef-3.1"
    code, _, err = invoke(
        "factors", "import", str(archive), "--name", "ef", "--version", "3.1", "--out", str(out)
    )
    assert code == 2 and "--indicator" in err and CLIMATE.uuid in err  # total or fossil?
    assert not out.exists()
    code, _, err = invoke(
        "factors",
        "import",
        str(archive),
        "--name",
        "ef",
        "--version",
        "3.1",
        "--out",
        str(out),
        "--indicator",
        "Climate change",
    )
    assert code == 0, err
    assert "wrote ef@3.1 (2 rows)" in err
    project = write_project(
        bom=bom(("cathode", CAM.uuid, 12.0), ("separator", SEPARATOR.uuid, 0.8)),
        files={"battery.toml": _with_layers('["ef-3.1"]')},
    )
    data = declaration(project)
    lines = lines_of(data)
    assert lines[CAM.uuid]["kg_co2e"] == pytest.approx(12.0 * 21.5)
    assert lines[SEPARATOR.uuid]["kg_co2e"] == pytest.approx(0.8 * 3400.0 / 1000.0)
    assert {lines[CAM.uuid]["factor_set"], lines[SEPARATOR.uuid]["factor_set"]} == {"ef@3.1"}
    provenance = data["provenance"]
    assert isinstance(provenance, dict)
    assert [layer["factor_set"] for layer in provenance["factor_layers"]][1:] == ["ef@3.1"]
    assert {"setting": "factor layer", "value": "ef@3.1", "from": "project"} in provenance["run"]


def _with_layers(layers: str) -> str:
    from support import render_project

    return render_project() + f"\n[factors]\nlayers = {layers}\n"


def test_a_wide_lcia_workbook_feeds_a_calc_in_one_command(
    tmp_path: Path, write_project: WriteProject
) -> None:
    pytest.importorskip("openpyxl")
    book = write_wide_xlsx(tmp_path / "lcia.xlsx")
    out = tmp_path / "lcia-set"
    code, _, err = invoke(
        "factors",
        "import",
        str(book),
        "--name",
        "lcia",
        "--version",
        "2024",
        "--out",
        str(out),
        "--sheet",
        "LCIA",
        "--header-row",
        "3",
        "--header-row",
        "4",
        "--header-row",
        "5",
        "--skip-row",
        "6",
        "--id-column",
        "Activity UUID",
        "--name-column",
        "Activity Name",
        "--value-column",
        WIDE_GWP,
        "--unit-column",
        "Reference Product Unit",
        "--region-column",
        "Geography",
        "--source",
        "Test LCIA results (test data)",
        "--energy-table",
        "electricity",
    )
    assert code == 0, err
    assert f"({len(WIDE_ROWS)} rows)" in err
    gwp = {str(row[0]): float(row[5]) for row in WIDE_ROWS}  # type: ignore[arg-type]
    project = write_project(bom=bom(("busbars", "act-cu", 3.0), ("electrolyte", "act-el", 4.5)))
    data = declaration(project, "--factors", str(out))
    lines = lines_of(data)
    assert lines["act-cu"]["kg_co2e"] == pytest.approx(3.0 * gwp["act-cu"])
    assert lines["act-el"]["kg_co2e"] == pytest.approx(4.5 * gwp["act-el"])
    assert lines["act-cu"]["factor_set"] == "lcia@2024"
    code, text, err = invoke("calc", str(project), "--factors", str(out))
    assert code == 0, err
    assert "act-el [user] from lcia@2024" in text


def test_bad_rows_are_listed_with_exit_3(tmp_path: Path) -> None:
    sheet = tmp_path / "mine.csv"
    sheet.write_text(
        "id,name,value,unit,source\na,A,x,kg CO2e/kg,s\nb,B,2,,s\nc,C,-1,kg CO2e/kg,s\n",
        encoding="utf-8",
    )
    out = tmp_path / "m"
    code, _, err = invoke(
        "factors", "import", str(sheet), "--name", "m", "--version", "1", "--out", str(out)
    )
    assert code == 3
    assert "mine.csv:2: value 'x' is not a number (column 'value')" in err
    assert "mine.csv:3: missing unit (column 'unit')" in err
    assert "mine.csv:4: negative factor -1" in err
    assert not out.exists()


def test_options_of_the_other_format_are_refused(tmp_path: Path) -> None:
    archive = ilcd_package([CAM]).write_zip(tmp_path / "ef.zip")
    common = ["--name", "x", "--version", "1", "--out", str(tmp_path / "x")]
    code, _, err = invoke("factors", "import", str(archive), *common, "--value-column", "GWP")
    assert code == 2 and "ILCD" in err
    sheet = tmp_path / "s.csv"
    sheet.write_text("id,name,value,unit,source\na,A,1,kg CO2e/kg,s\n", encoding="utf-8")
    code, _, err = invoke("factors", "import", str(sheet), *common, "--indicator", "GWP")
    assert code == 2 and "--indicator" in err
    code, _, err = invoke("factors", "import", str(sheet), *common, "--sheet", "LCIA")
    assert code == 2 and "no sheets" in err
    assert not (tmp_path / "x").exists()


def test_an_xxe_package_is_refused_with_exit_3(tmp_path: Path) -> None:
    package = ilcd_package([CAM])
    package.files[f"ILCD/processes/{CAM.uuid}.xml"] = XXE_PROCESS
    archive = package.write_zip(tmp_path / "evil.zip")
    target = tmp_path / "x"
    code, out, err = invoke(
        "factors", "import", str(archive), "--name", "x", "--version", "1", "--out", str(target)
    )
    assert code == 3 and "document type" in err and "root:" not in err + out
    assert not target.exists()


def test_a_mapping_file_and_options_over_it(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    book = write_wide_xlsx(tmp_path / "lcia.xlsx")
    (tmp_path / "map.toml").write_text(
        'sheet = "LCIA"\nheader_rows = [3, 4, 5]\nskip_rows = [6]\n\n[columns]\n'
        f'id = "Activity UUID"\nvalue = "{WIDE_GWP}"\nunit = "Reference Product Unit"\n\n'
        '[fixed]\nsource = "from the mapping"\ntable = "materials"\n',
        encoding="utf-8",
    )
    out = tmp_path / "set"
    args = ["factors", "import", str(book), "--name", "m", "--version", "1", "--out", str(out)]
    code, _, err = invoke(*args, "--mapping", str(tmp_path / "map.toml"))
    assert code == 3  # every row in materials: the kWh and t*km rows do not fit
    assert "lcia.xlsx:9: unit 'kg CO2e/kWh' is not a materials factor" in err
    assert "lcia.xlsx:10: unit 'kg CO2e/tkm' is not a materials factor" in err
    code, _, err = invoke(
        *args, "--mapping", str(tmp_path / "map.toml"), "--skip-row", "9", "--skip-row", "10",
        "--source", "from the command line",
    )  # fmt: skip
    assert code == 0, err
    code, text, _ = invoke("factors", "show", str(out), "-f", "json")
    rows = {row["id"]: row for row in json.loads(text)}
    assert sorted(rows) == ["act-cu", "act-el"]
    assert rows["act-cu"]["value"] == WIDE_ROWS[0][5]
    sources = (out / "sources.toml").read_text(encoding="utf-8")
    assert "from the command line" in sources and "from the mapping" not in sources
