"""``carbonfp init``: a scaffold that check reads exactly, that becomes a declaration once
filled in, that never overwrites, and that asks only at a terminal."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from carbonfp.api import materials
from carbonfp.cli import app
from carbonfp.cli import init as init_module

EV = [
    "--chemistry",
    "NMC811",
    "--capacity",
    "60 kWh",
    "--category",
    "M1",
    "--plant-country",
    "PL",
    "--cell-format",
    "prismatic",
]


def run(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_check_on_a_fresh_scaffold_lists_exactly_what_is_left(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    result = run("init", folder, *EV)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["README.md", "battery.toml", "bom.csv", "cell.csv", "energy.toml", "transport.toml"]
    )
    checked = json.loads(run("check", folder, "--format", "json").stdout)
    problems = checked["projects"][0]["problems"]
    found = {(p["code"], p["where"]) for p in problems}
    assert len(found) == len(problems)  # each once

    # every BOM and cell line lacks its quantity; every material with no open value lacks
    # its supplier factor; nothing else in the BOMs
    with_value = {str(m["id"]) for m in materials() if m["value"] is not None}
    for name in ("bom.csv", "cell.csv"):
        rows = _rows(folder / name)
        assert all(r["quantity"] == "" and "TO FILL" in r["notes"] for r in rows)
        where = {f"{name}:{i}:3" for i in range(2, len(rows) + 2)}
        assert {w for c, w in found if c == "missing-value" and w.startswith(name)} == where
        no_value = {
            f"{name}:{i}"
            for i, r in enumerate(rows, start=2)
            if r["material"] not in with_value and not r["material"].startswith("bom:")
        }
        assert no_value  # the scaffold's cell needs supplier factors (cam-nmc811, ...)
        assert {w for c, w in found if c == "unknown-factor" and w.startswith(name)} == no_value
    assert ("missing-key", "battery.toml:6 [battery]") in found  # mass
    todo = {
        f"{name}:{n} [{key}]"
        for name, key in (
            ("energy.toml", "electricity[1].amount"),
            ("transport.toml", "transport[0].distance"),
        )
        for n, line in enumerate((folder / name).read_text().splitlines(), start=1)
        if "TO FILL" in line and not line.startswith("#")
    }
    assert {w for c, w in found if c == "bad-quantity"} == todo


def _fill(folder: Path) -> None:
    """What a user fills in, led by check: values in every TO FILL."""
    toml = (folder / "battery.toml").read_text()
    for key, value in (
        ("mass", '"420 kg"'),
        ("warranty_years", "8"),
        ("name", '"Example"'),
        ("town", '"Example town"'),
        ("region", '"Example region"'),
    ):
        toml = re.sub(rf"^# {key} = .*$", f"{key} = {value}", toml, flags=re.M)
    (folder / "battery.toml").write_text(toml)
    for name, quantity in (("bom.csv", "2"), ("cell.csv", "0.1")):
        rows = _rows(folder / name)
        for r in rows:
            r["quantity"] = "200" if r["material"].startswith("bom:") else quantity
            if "no open value" in r["notes"]:
                r["factor"], r["factor_source"] = "10 kg CO2e/kg", "test supplier PCF"
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    for name, todo, value in (
        ("energy.toml", "TO FILL kWh", "300 kWh"),
        ("transport.toml", "TO FILL km", "800 km"),
    ):
        path = folder / name
        path.write_text(path.read_text().replace(todo, value))


def test_a_filled_in_scaffold_gives_a_declaration(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    assert run("init", folder, *EV).exit_code == 0
    _fill(folder)
    checked = run("check", folder)
    assert checked.exit_code == 0, checked.stdout
    result = run("calc", folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    # the pack's own parts at 2 kg and the 200 cells' materials at 0.1 kg each
    cell_rows = _rows(folder / "cell.csv")
    bom_rows = [r for r in _rows(folder / "bom.csv") if not r["material"].startswith("bom:")]
    material_mass = sum(
        line["amount"]
        for line in record["lines"]
        if line["kind"] == "material" and line["stage"] == "raw_materials"
    )
    assert material_mass == pytest.approx(2 * len(bom_rows) + 200 * 0.1 * len(cell_rows))
    assert record["carbon_footprint"]["total_kg_co2e_per_kwh"] > 0
    # declaration mode: the cell plant's literature energy and the secondary graphite fail
    gaps = run("check", folder, "--mode", "declaration")
    assert gaps.exit_code == 3
    assert "cell manufacturing electricity" in gaps.stdout
    assert "Natural graphite" in gaps.stdout


def test_init_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "bom.csv").write_text("mine\n")
    result = run("init", folder, *EV)
    assert result.exit_code == 2
    assert "never overwrites" in result.stderr and "bom.csv" in result.stderr
    assert (folder / "bom.csv").read_text() == "mine\n"
    assert sorted(p.name for p in folder.iterdir()) == ["bom.csv"]  # nothing else written


def test_missing_options_are_named_when_no_one_can_be_asked(tmp_path: Path) -> None:
    result = run("init", tmp_path / "pack", "--chemistry", "LFP")
    assert result.exit_code == 2
    assert "missing --capacity, --plant-country, --cell-format, --category" in result.stderr
    assert "carbonfp init my-pack --chemistry" in result.stderr
    assert not (tmp_path / "pack").exists()


def test_missing_options_are_asked_at_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(init_module, "interactive", lambda: True)
    result = run("init", tmp_path / "pack", "--chemistry", "LFP", input="40 kWh\nCN\npouch\nN1\n")
    assert result.exit_code == 0, result.stderr
    toml = (tmp_path / "pack" / "battery.toml").read_text()
    assert 'vehicle_category = "N1"' in toml and 'country = "CN"' in toml
    assert 'usable_capacity = "40 kWh"' in toml
    assert "pouch-film" in (tmp_path / "pack" / "cell.csv").read_text()


def test_sodium_ion_industrial_scaffold(tmp_path: Path) -> None:
    folder = tmp_path / "bess"
    result = run(
        "init",
        folder,
        "--battery-category",
        "industrial",
        "--chemistry",
        "sib layered",
        "--capacity",
        "200 kWh",
        "--plant-country",
        "CN",
        "--cell-format",
        "cylindrical",
    )
    assert result.exit_code == 0, result.stderr
    cell = {r["material"] for r in _rows(folder / "cell.csv")}
    assert {"cam-sodium-layered-oxide", "hard-carbon", "aluminium-foil"} <= cell
    assert not cell & {"copper-foil", "graphite-natural"}
    toml = (folder / "battery.toml").read_text()
    assert "vehicle_category" not in toml and "# declared_cycles" in toml
    assert "eu-industrial-provisional" in toml
    # no literature cell energy for sodium-ion: the amount is the user's
    assert "20.10 kWh" not in (folder / "energy.toml").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chemistry", "NMC999"], "no cathode active material for chemistry 'NMC999'"),
        (["--category", "X9"], "does not go with an EV battery"),
        (["--plant-country", "Poland"], "not an ISO 3166 alpha-2 code"),
        (["--cell-format", "round"], "unknown --cell-format 'round'"),
        (["--capacity", "60 kg"], "is not an energy"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    options = dict(zip(EV[::2], EV[1::2], strict=True))
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("init", tmp_path / "pack", *[x for kv in options.items() for x in kv])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "pack").exists()
