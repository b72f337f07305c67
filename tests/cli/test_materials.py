"""The material catalogue: ``carbonfp materials``, aliases in BOMs, roles in BOMs, and the
catalogue file's own checks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support import REPO, SAMPLES, write_project_files
from typer.testing import CliRunner, Result

from carbonfp.cli import app
from carbonfp.data import load_factors, load_rules
from carbonfp.data.catalogue import catalogue_path, load_catalogue, normal
from carbonfp.errors import FactorDataError
from carbonfp.method.circularity import group_of


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def listing(*args: str | Path) -> list[dict[str, object]]:
    result = run("materials", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_every_catalogue_material_is_listed_with_what_the_set_and_ruleset_say() -> None:
    catalogue = load_catalogue()
    rules = load_rules("eu-ev-draft-2024-04")
    factors = load_factors([rules.default_factor_set])  # what `materials` lists by default
    rows = {str(r["id"]): r for r in listing()}
    assert set(catalogue.materials) <= set(rows)
    for mid, row in rows.items():
        factor = factors.factors.get(mid)
        if factor is not None and factor.table == "materials":
            assert (row["value"], row["unit"], row["set"]) == (
                factor.value,
                factor.unit,
                rules.default_factor_set,
            )
            assert row["status"] == factor.status
        else:
            assert row["value"] is None and row["status"] == "no open value"
        group = group_of(mid, rules)
        assert row["cff_group"] == (group.name if group else "")
    assert rows["cam-nmc811"]["recycled_content_elements"] == ["Co", "Li", "Ni"]
    assert rows["cam-lfp"]["recycled_content_elements"] == ["Li"]
    assert rows["steel-sheet"]["recycled_content_elements"] == []


def test_every_shipped_material_has_a_role_in_the_catalogue() -> None:
    """Roles decide the declaration gate: a shipped material without one could not be placed."""
    factors = load_factors(["carbonfp-open"])
    catalogue = load_catalogue()
    shipped = {f.id for f in factors.factors.values() if f.table == "materials"}
    assert shipped - set(catalogue.materials) == set()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("NCM811", {"cam-nmc811"}),  # an alias
        ("graphite", {"graphite-natural", "graphite-synthetic"}),  # ids and names
        ("grafite", {"graphite-natural", "graphite-synthetic"}),  # a misspelt word
        ("binder", {"pvdf", "cmc", "sbr"}),  # a role
    ],
)
def test_search_by_id_name_alias_role_or_close_spelling(search: str, expected: set[str]) -> None:
    assert {str(r["id"]) for r in listing(search)} == expected


def test_role_filter_roles_list_and_csv() -> None:
    assert {str(r["id"]) for r in listing("--role", "binder")} == {"pvdf", "cmc", "sbr"}
    roles = json.loads(run("materials", "--roles", "-f", "json").stdout)
    assert {r["role"] for r in roles} == set(load_catalogue().roles)
    table = list(csv.DictReader(io.StringIO(run("materials", "cam-nmc811", "-f", "csv").stdout)))
    assert table[0]["aliases"] == "nmc811; ncm811" and table[0]["status"] == "no open value"
    bad = run("materials", "--role", "anode")
    assert bad.exit_code == 2 and "did you mean 'anode-active-material'" in bad.stderr


def test_a_layered_set_adds_its_materials_and_values(tmp_path: Path) -> None:
    layer = tmp_path / "acme"
    imported = run(
        "factors",
        "import",
        REPO / "samples" / "user-factors.csv",
        "--name",
        "acme",
        "--version",
        "1",
        "--out",
        layer,
    )
    assert imported.exit_code == 0, imported.stderr
    rows = {str(r["id"]): r for r in listing("--factors", layer)}
    assert rows["cam-nmc811"]["value"] == 22.0 and rows["cam-nmc811"]["set"] == "acme@1"
    # a material the layer does not give keeps the ruleset's set (and its value)
    base = load_factors([load_rules("eu-ev-draft-2024-04").default_factor_set])
    assert rows["steel-sheet"]["set"] == base.label
    assert rows["steel-sheet"]["value"] == base.factors["steel-sheet"].value


def _total(bom: str, tmp_path: Path, name: str) -> dict[str, object]:
    project = write_project_files(tmp_path / name, bom=bom)
    result = run("calc", project, "--format", "json")
    assert result.exit_code == 0, result.stderr
    record: dict[str, object] = json.loads(result.stdout)
    return record


def test_a_bom_may_name_a_material_by_an_alias_or_another_spelling(tmp_path: Path) -> None:
    head = "component,material,quantity,unit\n"
    by_id = _total(head + "lid,steel-sheet,5,kg\nanode,graphite-natural,3,kg\n", tmp_path, "a")
    aliased = _total(head + "lid,Sheet Steel,5,kg\nanode,natural graphite,3,kg\n", tmp_path, "b")
    assert aliased["carbon_footprint"] == by_id["carbon_footprint"]
    assert [line["factor_id"] for line in aliased["lines"]][:2] == [  # type: ignore[index]
        "steel-sheet",
        "graphite-natural",
    ]


def test_a_role_column_must_name_a_material_role(tmp_path: Path) -> None:
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit,role\nanode,graphite-natural,3,kg,anode-activ\n"
        "lid,steel-sheet,5,kg,cell-manufacturing\n",
    )
    result = run("check", project, "--format", "json")
    problems = json.loads(result.stdout)["projects"][0]["problems"]
    assert [(p["code"], p["where"]) for p in problems] == [
        ("invalid-value", "bom.csv:2"),
        ("invalid-value", "bom.csv:3"),
    ]
    assert "did you mean 'anode-active-material'" in problems[0]["message"]
    assert "unknown material role 'cell-manufacturing'" in problems[1]["message"]


def test_an_energy_role_must_be_an_energy_role(tmp_path: Path) -> None:
    sample = (SAMPLES / "ev-nmc811-hu" / "energy.toml").read_text()
    energy = sample.replace('role = "module-pack-assembly"', 'role = "binder"')
    project = write_project_files(tmp_path, energy=energy)
    problems = json.loads(run("check", project, "--format", "json").stdout)["projects"][0][
        "problems"
    ]
    assert any("unknown energy role 'binder'" in p["message"] for p in problems)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('aliases = ["lfp", "lifepo4"', "'lfp' is already the id or an alias of 'cam-lfp'"),
        ('role = "binder"', "unknown material role"),
    ],
)
def test_the_catalogue_refuses_an_alias_twice_and_an_unknown_role(
    tmp_path: Path, change: str, message: str
) -> None:
    text = catalogue_path().read_text(encoding="utf-8")
    extra = f'\n[[material]]\nid = "extra"\nname = "Extra"\nrole = "polymer-part"\n{change}' + (
        "]\n" if change.startswith("aliases") else "\n"
    )
    if change.startswith("role"):
        extra = '\n[[material]]\nid = "extra"\nname = "Extra"\nrole = "gasket"\n'
    path = tmp_path / "materials.toml"
    path.write_text(text + extra, encoding="utf-8")
    with pytest.raises(FactorDataError) as caught:
        load_catalogue(path)
    assert message in caught.value.message


def test_aliases_compare_without_case_spaces_or_punctuation() -> None:
    catalogue = load_catalogue()
    assert normal("NCM-811") == normal("ncm 811") == "ncm811"
    assert catalogue.canonical("NCM-811") == "cam-nmc811"
    assert catalogue.canonical("Graphite_Natural") == "graphite-natural"
    assert catalogue.canonical("unobtainium") is None


def test_a_sub_bom_line_has_no_role(tmp_path: Path) -> None:
    """A role belongs to the lines inside the sub-BOM: on the line that uses it, it would be
    ignored, so it is refused."""
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit,role\ncells,bom:cell.csv,2,pcs,binder\n",
        files={"cell.csv": "component,material,quantity,unit\nlid,steel-sheet,1,kg\n"},
    )
    problems = json.loads(run("check", project, "--format", "json").stdout)["projects"][0][
        "problems"
    ]
    assert [(p["code"], p["message"]) for p in problems] == [
        ("invalid-value", "a sub-BOM line cannot have a role")
    ]
