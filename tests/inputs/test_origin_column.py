"""The origin column: ISO 3166-1 alpha-2 countries, checked the same way in a project's BOM and
in a long BOM; a sub-BOM line's origin is the default of the lines inside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import WriteProject

from carbonfp.errors import CarbonfpError, InputError
from carbonfp.inputs.long_bom import read_long_bom
from carbonfp.inputs.project import load_project

HEAD = (
    "battery,category,vehicle_category,chemistry,usable_capacity,mass,warranty_years,"
    "manufacturer.name,plant.name,plant.town,plant.region,plant.country"
)
BATTERY = "A,EV,M1,NMC811,10 kWh,80 kg,8,Maker,Plant,Town,Region,HU"


def bom(origin: str) -> str:
    return (
        "component,material,quantity,unit,origin\n"
        "tray,aluminium-primary,10,kg,DE\n"
        f'cathode,cam-nmc811,20,kg,"{origin}"\n'
    )


def long_bom(tmp_path: Path, origin: str) -> tuple[Path, Path]:
    lines = tmp_path / "lines.csv"
    batteries = tmp_path / "batteries.csv"
    lines.write_text(
        "battery,kind,material,quantity,unit,origin\n"
        "A,,aluminium-primary,10,kg,DE\n"
        f'A,material,cam-nmc811,20,kg,"{origin}"\n'
        "A,,grid-eu27,100,kWh,EU27\n"
        "A,electricity,,50,kWh,hu\n",
        encoding="utf-8",
    )
    batteries.write_text(HEAD + "\n" + BATTERY + "\n", encoding="utf-8")
    return lines, batteries


def project_error(write_project: WriteProject, origin: str) -> CarbonfpError:
    path = write_project(bom=bom(origin))
    with pytest.raises(InputError) as caught:
        load_project(path)
    return caught.value


@pytest.mark.parametrize(
    ("origin", "code"),
    [
        ("XX", "unknown-country"),
        ("UK", "unknown-country"),
        ("mine=XX", "unknown-country"),
        ("smelter=CN", "invalid-value"),
        ("CN KR", "invalid-value"),
    ],
)
def test_both_paths_refuse_a_bad_origin_alike(
    write_project: WriteProject, tmp_path: Path, origin: str, code: str
) -> None:
    from_project = project_error(write_project, origin)
    inputs = read_long_bom(*long_bom(tmp_path, origin))
    (from_long_bom,) = inputs.problems[0]
    for error in (from_project, from_long_bom):
        assert error.code == code
        assert error.where is not None and error.where.line == 3
        assert error.hint
    assert from_project.message == from_long_bom.message
    assert from_project.where is not None and from_project.where.column == 5  # the origin column
    assert from_long_bom.where is not None and from_long_bom.where.file.endswith("lines.csv")


@pytest.mark.parametrize(
    ("written", "kept"),
    [("cn", "CN"), ("FI; refining=fi; extraction=ID", "FI; refining=FI; extraction=ID")],
)
def test_both_paths_keep_the_same_origin(
    write_project: WriteProject, tmp_path: Path, written: str, kept: str
) -> None:
    project = load_project(write_project(bom=bom(written)))
    assert [line.origin for line in project.lines if line.factor_id == "cam-nmc811"] == [kept]
    inputs = read_long_bom(*long_bom(tmp_path, written))
    assert inputs.problems == ((),)
    origins = [inputs.lines.activity_line(i).origin for i in range(len(inputs.lines))]
    # an electricity line's origin is its grid country, a region (EU27) included
    assert origins == ["DE", kept, "EU27", "HU"]


def test_a_sub_bom_line_gives_its_origin_to_the_lines_inside_it(
    write_project: WriteProject,
) -> None:
    path = write_project(
        bom="component,material,quantity,unit,origin\ncells,bom:cell.csv,4,pcs,KR\n",
        files={
            "cell.csv": "component,material,quantity,unit,origin\n"
            "cathode,cam-nmc811,1,kg,FI; refining=FI\n"
            "foil,copper-foil,0.2,kg,\n"
            "graphite,graphite-natural,0.5,kg,extraction=MZ\n"
        },
    )
    origins = {line.component: line.origin for line in load_project(path).lines if line.path}
    assert origins == {
        "cathode": "FI; refining=FI",
        "foil": "KR",
        "graphite": "KR; extraction=MZ",
    }


def test_a_bad_origin_on_a_sub_bom_line_is_refused_there(write_project: WriteProject) -> None:
    path = write_project(
        bom="component,material,quantity,unit,origin\ncells,bom:cell.csv,4,pcs,Korea\n",
        files={"cell.csv": "component,material,quantity,unit\ncathode,cam-nmc811,1,kg\n"},
    )
    with pytest.raises(InputError) as caught:
        load_project(path)
    assert caught.value.code == "unknown-country"
    assert str(caught.value.where).startswith("bom.csv:2:5")
