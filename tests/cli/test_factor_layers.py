"""Factor layers named in the project: `[factors] layers`, the first winning, folders relative to
the project and shipped sets; `--factors` and `--factor-set` still win; each line says which
layer gave its factor and the declaration every id a layer overrode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import SHIPPED_SET, WriteProject, render_project
from typer.testing import CliRunner

from carbonfp.api import flatten
from carbonfp.cli import app
from carbonfp.data.factor_sets import load_factor_set
from carbonfp.errors import InputError
from carbonfp.inputs.factor_import import import_factors
from carbonfp.inputs.project import load_project
from carbonfp.run import RunOptions, run_config

RUNNER = CliRunner()
SHIPPED = load_factor_set(str(SHIPPED_SET))
#: The shipped set as a reference (ID@VERSION), as a project names it.
SHIPPED_REF = SHIPPED.label


def make_set(folder: Path, name: str, rows: dict[str, float]) -> Path:
    """A user set ``name@1`` in ``folder`` with kg CO2e/kg material rows."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    sheet = folder.parent / f"{name}.csv"
    sheet.write_text(
        "id,name,value,unit,source\n"
        + "".join(
            f"{fid},{fid},{value},kg CO2e/kg,{name} test data\n" for fid, value in rows.items()
        ),
        encoding="utf-8",
    )
    import_factors(sheet, name, "1", folder)
    return folder


def project_with(write_project: WriteProject, layers: str, extra: str = "") -> Path:
    return write_project(
        files={"battery.toml": render_project() + extra + f"\n[factors]\nlayers = {layers}\n"}
    )


def calc_json(project: Path, *options: str) -> dict[str, object]:
    result = RUNNER.invoke(app, ["calc", str(project), "-f", "json", *options])
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def by_id(data: dict[str, object]) -> dict[str, dict[str, object]]:
    lines = data["lines"]
    assert isinstance(lines, list)
    return {str(line["factor_id"]): line for line in lines}


def test_the_first_layer_wins_and_each_line_names_its_layer(
    tmp_path: Path, write_project: WriteProject
) -> None:
    folder = tmp_path / "project"
    steel = SHIPPED.factors["steel-sheet"].value
    make_set(folder / "acme", "acme", {"aluminium-primary": 7.5, "steel-sheet": steel * 2})
    make_set(folder / "sets" / "supplier", "supplier", {"aluminium-primary": 3.25})
    project = project_with(write_project, f'["sets/supplier", "acme", "{SHIPPED_REF}"]')
    loaded = load_project(project)
    assert loaded.factor_set == SHIPPED_REF  # the last entry, a shipped set, is the base
    assert loaded.factor_layers == (
        str((folder / "sets" / "supplier").resolve()),
        str((folder / "acme").resolve()),
    )
    data = calc_json(project)
    lines = by_id(data)
    # tray: 10 kg aluminium (support.BOM_CSV), lid: 5 kg steel sheet
    assert lines["aluminium-primary"]["kg_co2e"] == pytest.approx(10 * 3.25)
    assert lines["aluminium-primary"]["factor_set"] == "supplier@1"
    assert lines["steel-sheet"]["kg_co2e"] == pytest.approx(5 * steel * 2)
    assert lines["steel-sheet"]["factor_set"] == "acme@1"
    assert lines["grid-hu"]["factor_set"] == SHIPPED_REF
    provenance = data["provenance"]
    assert isinstance(provenance, dict)
    assert [layer["factor_set"] for layer in provenance["factor_layers"]] == [
        SHIPPED_REF,
        "acme@1",
        "supplier@1",
    ]
    assert provenance["overridden_factors"] == [
        {"factor_id": "aluminium-primary", "by": "supplier@1"},
        {"factor_id": "steel-sheet", "by": "acme@1"},
    ]
    run = {(r["setting"], r["value"]): r["from"] for r in provenance["run"]}
    assert run[("factor set", SHIPPED_REF)] == "project"
    assert run[("factor layer", "acme@1")] == run[("factor layer", "supplier@1")] == "project"


def test_without_a_shipped_set_last_the_layers_go_over_the_default(
    tmp_path: Path, write_project: WriteProject
) -> None:
    make_set(tmp_path / "project" / "acme", "acme", {"steel-sheet": 9.0})
    project = project_with(write_project, '["acme"]')
    loaded = load_project(project)
    assert loaded.factor_set is None and len(loaded.factor_layers) == 1
    config = run_config(RunOptions(), None, None, loaded.battery.category, loaded.factor_layers)
    base = config.rules.default_factor_set  # the ruleset's set, then the project's layer
    assert [label for label, _ in config.factors.layers] == [
        load_factor_set(base).label,
        "acme@1",
    ]
    assert config.factors.factors["steel-sheet"].value == 9.0
    assert ("factor set", config.factors.label, "ruleset") in config.settings


def test_the_command_line_wins_over_the_project(
    tmp_path: Path, write_project: WriteProject
) -> None:
    folder = tmp_path / "project"
    make_set(folder / "acme", "acme", {"steel-sheet": 9.0})
    other = make_set(tmp_path / "other", "other", {"steel-sheet": 1.5})
    project = project_with(write_project, f'["acme", "{SHIPPED_REF}"]')
    data = calc_json(project, "--factors", str(other))
    lines = by_id(data)
    assert lines["steel-sheet"]["factor_set"] == "other@1"  # --factors replaces the layers
    assert lines["steel-sheet"]["kg_co2e"] == pytest.approx(5 * 1.5)
    provenance = data["provenance"]
    assert isinstance(provenance, dict)
    assert "acme@1" not in json.dumps(provenance)
    assert {"setting": "factor layer", "value": "other@1", "from": "option"} in provenance["run"]
    data = calc_json(project, "--factor-set", "carbonfp-open@2026.0")
    provenance = data["provenance"]
    assert isinstance(provenance, dict)
    assert [layer["factor_set"] for layer in provenance["factor_layers"]] == [
        "carbonfp-open@2026.0",
        "acme@1",
    ]


@pytest.mark.parametrize(
    ("layers", "extra", "code", "words"),
    [
        ('"acme"', "", "wrong-type", "must be a list"),
        ("[]", "", "wrong-type", "must be a list"),
        ('["sets/missing"]', "", "invalid-value", "holds no manifest.toml"),
        ('["notes"]', "", "invalid-value", "holds no manifest.toml"),
        ('["carbonfp-open", "carbonfp-open"]', "", "invalid-value", "named twice"),
        (
            f'["{SHIPPED_REF}"]',
            '\n[method]\nfactor_set = "carbonfp-open@2026.0"\n',
            "invalid-value",
            "two base factor sets",
        ),
    ],
)
def test_bad_layers_are_refused_at_their_key(
    write_project: WriteProject, layers: str, extra: str, code: str, words: str
) -> None:
    project = project_with(write_project, layers, extra)
    (project.parent / "notes").mkdir()
    with pytest.raises(InputError) as caught:
        load_project(project)
    error = caught.value
    assert error.code == code and words in error.message
    assert error.where is not None and error.where.key == "factors.layers"
    result = RUNNER.invoke(app, ["calc", str(project)])
    assert result.exit_code == 3 and "factors.layers" in result.stderr


def test_an_unknown_key_and_an_unknown_shipped_set(write_project: WriteProject) -> None:
    project = write_project(
        files={"battery.toml": render_project() + '\n[factors]\nlayer = ["x"]\n'}
    )
    with pytest.raises(InputError) as caught:
        load_project(project)
    assert caught.value.code == "unknown-key"
    project = project_with(write_project, '["acme-2099"]')
    result = RUNNER.invoke(app, ["calc", str(project)])
    assert result.exit_code == 4 and "acme-2099" in result.stderr
    assert "relative to the project file" in result.stderr


def test_flatten_refuses_a_project_with_layers(tmp_path: Path, write_project: WriteProject) -> None:
    make_set(tmp_path / "project" / "acme", "acme", {"steel-sheet": 9.0})
    project = load_project(project_with(write_project, '["acme"]'))
    with pytest.raises(InputError) as caught:
        flatten([project])
    assert caught.value.code == "invalid-value" and "long BOM" in caught.value.message
