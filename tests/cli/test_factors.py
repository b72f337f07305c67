"""factors validate / diff / import, layering with --factors, and the screening estimate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonfp.cli import app
from carbonfp.data import load_rules
from carbonfp.data.factor_sets import diff_sets, load_factor_set, load_factors, validate_set
from carbonfp.units import emission_scale
from tests.support import SAMPLES, SHIPPED_SET

RUNNER = CliRunner()
EV = str(SAMPLES / "ev-nmc811-hu" / "battery.toml")


def test_shipped_sets_validate() -> None:
    for version in ("2026.0", "2026.1"):
        folder = SHIPPED_SET.parent / version
        assert validate_set(folder) == []
        result = RUNNER.invoke(app, ["factors", "validate", str(folder)])
        assert result.exit_code == 0 and "valid" in result.stdout


def test_validate_reports_every_problem_at_once_with_file_and_key(tmp_path: Path) -> None:
    copy = tmp_path / "set"
    shutil.copytree(SHIPPED_SET, copy)
    materials = copy / "materials.toml"
    text = materials.read_text(encoding="utf-8")
    text = text.replace('unit = "kg CO2e/kg"', 'unit = "kg CO2e/kWh"', 1)  # wrong dimension
    text = text.replace('source = "desnz-2025"', 'source = "nobody-2099"', 1)  # unknown source
    text = text.replace('id = "pp"', 'id = "pet"', 1)  # duplicate id
    materials.write_text(text, encoding="utf-8")
    sources = copy / "sources.toml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace('license = "MIT"', 'license = "GPL-3.0"'),
        encoding="utf-8",
    )
    problems = validate_set(copy)
    codes = sorted({p.code for p in problems})
    assert codes == sorted(
        {
            "hash-mismatch",
            "factor-data-wrong-dimension",
            "unknown-source",
            "duplicate-id",
            "bad-license",
        }
    )
    assert all(p.where is not None for p in problems)
    unit_problem = next(p for p in problems if p.code == "factor-data-wrong-dimension")
    assert unit_problem.where is not None and unit_problem.where.key == "factor[0].unit"
    result = RUNNER.invoke(app, ["factors", "validate", str(copy)])
    assert result.exit_code == 4
    assert "materials.toml" in result.stderr and "sources.toml" in result.stderr
    assert f"{len(problems)} problem(s)" in result.stderr


def test_a_tampered_set_is_refused_by_calc(tmp_path: Path) -> None:
    copy = tmp_path / "set"
    shutil.copytree(SHIPPED_SET, copy)
    path = copy / "electricity.toml"
    path.write_text(path.read_text().replace("value = 182.8", "value = 18.28"), encoding="utf-8")
    result = RUNNER.invoke(app, ["calc", EV, "--factor-set", str(copy)])
    assert result.exit_code == 4
    assert "electricity.toml" in result.stderr and "sha256" in result.stderr


def test_diff_shows_the_ember_revisions() -> None:
    changes = diff_sets(
        load_factor_set("carbonfp-open@2026.0"), load_factor_set("carbonfp-open@2026.1")
    )
    by_id = {c["id"]: c for c in changes}
    assert by_id["grid-hu"]["change"] == "changed"
    assert (by_id["grid-hu"]["old"], by_id["grid-hu"]["new"]) == (204.2, 182.8)
    assert by_id["grid-hu"]["percent"] == pytest.approx((182.8 - 204.2) / 204.2 * 100)
    assert by_id["grid-cd"]["change"] == "added"
    assert all(c["table"] == "electricity" for c in changes)
    result = RUNNER.invoke(
        app, ["factors", "diff", "carbonfp-open@2026.0", "carbonfp-open@2026.1", "-f", "json"]
    )
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == len(changes)


def test_import_refuses_rows_without_unit_or_source(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "id,name,value,unit,source\n"
        "cam-x,CAM of supplier X,18.5,kg CO2e/kg,Supplier X PCF 2025\n"
        "no-unit,No unit,3,,Some study\n"
        "no-source,No source,3,kg CO2e/kg,\n",
        encoding="utf-8",
    )
    out = tmp_path / "set"
    result = RUNNER.invoke(
        app, ["factors", "import", str(csv), "--name", "acme", "--version", "1", "--out", str(out)]
    )
    assert result.exit_code == 3
    assert "mine.csv:3: missing unit" in result.stderr
    assert "mine.csv:4: missing source" in result.stderr
    assert not out.exists()


def test_imported_set_layers_over_the_shipped_one(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "id,name,value,unit,source,table,region,year\n"
        "grid-hu,Hungary residual mix (user),310,g CO2e/kWh,AIB 2024 residual mix,"
        "electricity,HU,2024\n",
        encoding="utf-8",
    )
    out = tmp_path / "set"
    imported = RUNNER.invoke(
        app, ["factors", "import", str(csv), "--name", "acme", "--version", "1", "--out", str(out)]
    )
    assert imported.exit_code == 0, imported.stderr
    assert validate_set(out) == []
    base = load_factors([load_rules("eu-ev-draft-2024-04").default_factor_set])  # calc's default
    layered = load_factors([base.label, str(out)])
    assert layered.factors["grid-hu"].value == 310
    assert layered.overridden == (("grid-hu", "acme@1"),)
    plain = json.loads(RUNNER.invoke(app, ["calc", EV, "-f", "json"]).stdout)
    result = RUNNER.invoke(app, ["calc", EV, "-f", "json", "--factors", str(out)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    prov = data["provenance"]
    assert [layer["factor_set"] for layer in prov["factor_layers"]] == [base.label, "acme@1"]
    assert prov["overridden_factors"] == [{"factor_id": "grid-hu", "by": "acme@1"}]
    delta = (
        data["carbon_footprint"]["stages"]["production"]["kg_co2e"]
        - plain["carbon_footprint"]["stages"]["production"]["kg_co2e"]
    )
    # the 250 kWh of pack assembly in HU, at the layer's 310 g/kWh instead of the base's grid
    shipped_hu = base.factors["grid-hu"].value * emission_scale("kWh", base.factors["grid-hu"].unit)
    assert delta == pytest.approx(250 * (0.310 - shipped_hu))
    assert "AIB 2024 residual mix" in RUNNER.invoke(app, ["calc", EV, "--factors", str(out)]).stdout


def test_estimate_one_row_per_plant_country() -> None:
    args = [
        "estimate",
        "--chemistry",
        "NMC811",
        "--capacity",
        "75 kWh",
        "--category",
        "M1",
        "--warranty-years",
        "8",
        "--plant-country",
        "HU,PL,SE",
        "-f",
        "json",
    ]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["document"].startswith("screening estimate, not a declaration")
    factors = load_factors([load_rules("eu-ev-draft-2024-04").default_factor_set])
    assert data["provenance"]["factor_set"] == factors.label
    rows = {r["plant_country"]: r for r in data["by_plant_country"]}
    assert list(rows) == ["HU", "PL", "SE"]
    # materials are the set's GREET row (kg CO2e per kWh x 75 kWh) whatever the country
    greet = factors.factors["greet-materials-nmc811"]
    assert greet.unit == "kg CO2e/kWh"
    (materials,) = {r["materials_kg_co2e"] for r in rows.values()}
    assert materials == pytest.approx(greet.value * 75)
    # cell electricity: 20.10 kWh/kWh x 75 kWh x the grid
    pl = factors.factors["grid-pl"]
    assert rows["PL"]["cell_electricity_kg_co2e"] == pytest.approx(
        20.1 * 75 * pl.value * emission_scale("kWh", pl.unit)
    )
    assert rows["SE"]["total_kg_co2e"] < rows["HU"]["total_kg_co2e"] < rows["PL"]["total_kg_co2e"]
    assert data["functional_unit"]["total_energy_kwh"] == 36_000
    text = RUNNER.invoke(app, args[:-2])
    assert "SCREENING ESTIMATE, NOT A DECLARATION" in text.stdout


def test_estimate_errors_are_clear() -> None:
    result = RUNNER.invoke(app, ["estimate", "--chemistry", "NMC811", "--plant-country", "HU"])
    assert result.exit_code == 2 and "--capacity" in result.stderr
    result = RUNNER.invoke(
        app,
        [
            "estimate",
            "--chemistry",
            "NMC999",
            "--capacity",
            "75 kWh",
            "--category",
            "M1",
            "--warranty-years",
            "8",
            "--plant-country",
            "HU",
        ],
    )
    assert result.exit_code == 3 and "NMC811" in result.stderr
