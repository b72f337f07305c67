"""The other commands' documents behind carbonfp.formats: explain, estimate and compare."""

from __future__ import annotations

import csv
import io
import json

import pytest
from formats_support import EV, declared, ok

from carbonfp.errors import UsageError
from carbonfp.formats import render_comparison, render_estimate, render_explain
from carbonfp.model import Stage

ESTIMATE = (
    "--chemistry",
    "NMC811",
    "--capacity",
    "75 kWh",
    "--category",
    "M1",
    "--warranty-years",
    "8",
    "--plant-country",
    "HU,PL",
)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_is_what_the_command_prints(fmt: str) -> None:
    decl, _ = declared(EV)
    printed = ok("explain", EV, "-f", fmt, "--stage", "production", "--top", "4").stdout
    rendered = render_explain(decl, Stage.PRODUCTION, fmt, top=4)
    assert rendered.text == printed
    assert rendered.format == fmt


def test_explain_names_the_stage_by_its_title() -> None:
    decl, _ = declared(EV)
    text = render_explain(decl, Stage.RAW_MATERIALS, "text").text
    assert "How raw_materials (Raw material acquisition and pre-processing) was derived" in text


def test_explain_writes_no_csv() -> None:
    decl, _ = declared(EV)
    with pytest.raises(UsageError, match="text or json"):
        render_explain(decl, Stage.PRODUCTION, "csv")


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_estimate_command_writes_each_format(fmt: str) -> None:
    printed = ok("estimate", *ESTIMATE, "-f", fmt).stdout
    if fmt == "json":
        data = json.loads(printed)
        assert [r["plant_country"] for r in data["by_plant_country"]] == ["HU", "PL"]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(printed)))
        assert [r[0] for r in rows[1:]] == ["HU", "PL"]
    with pytest.raises(UsageError):
        render_estimate([], fmt)


def test_estimate_renders_declarations() -> None:
    decl, _ = declared(EV)
    data = json.loads(render_estimate([decl], "json").text)
    assert data["by_plant_country"][0]["plant_country"] == decl.project.plant.country
    assert render_estimate([decl], "csv").extension == "csv"
    with pytest.raises(UsageError):
        render_estimate([decl], "xlsx")


COMPARISON = {
    "varies": "plant country",
    "baseline": "HU",
    "scenarios": [
        {
            "scenario": "HU",
            "total_kg_co2e_per_kwh": 0.1,
            "absolute_kg_co2e": 5000.0,
            "cradle_to_gate_kg_co2e_per_kwh_capacity": 70.0,
            "total_energy_kwh": 50000.0,
            "stages": {
                "raw_materials": {
                    "kg_co2e": 4000.0,
                    "kg_co2e_per_kwh": 0.08,
                    "delta_kg_co2e": 0.0,
                },
                "production": {"kg_co2e": 1000.0, "kg_co2e_per_kwh": 0.02, "delta_kg_co2e": 0.0},
            },
            "explained_by": [],
        },
        {
            "scenario": "SE, hydro",
            "total_kg_co2e_per_kwh": 0.09,
            "absolute_kg_co2e": 4500.0,
            "cradle_to_gate_kg_co2e_per_kwh_capacity": 63.0,
            "total_energy_kwh": 50000.0,
            "stages": {
                "raw_materials": {
                    "kg_co2e": 4000.0,
                    "kg_co2e_per_kwh": 0.08,
                    "delta_kg_co2e": 0.0,
                },
                "production": {
                    "kg_co2e": 500.0,
                    "kg_co2e_per_kwh": 0.01,
                    "delta_kg_co2e": -500.00000000001,
                },
            },
            "explained_by": [
                {
                    "line": "cell electricity: grid-hu -> grid-se",
                    "before_kg_co2e": 600.0,
                    "after_kg_co2e": 100.0,
                    "delta_kg_co2e": -500.0,
                }
            ],
        },
    ],
}


def test_comparison_text() -> None:
    text = render_comparison(COMPARISON, "text").text
    assert text.splitlines() == [
        "Comparison by plant country (baseline: HU); kg CO2e per kWh delivered",
        "",
        "  stage                       HU     SE, hydro",
        "  raw_materials           0.0800        0.0800",
        "  production              0.0200        0.0100",
        "  total                   0.1000        0.0900",
        "  kg per battery           5 000         4 500",
        "  c2g kg/kWh cap.           70.0          63.0",
        "",
        "HU -> SE, hydro: -500 kg CO2e per battery",
        "        -500 kg  cell electricity: grid-hu -> grid-se",
    ]


def test_comparison_csv_rounds_and_quotes() -> None:
    text = render_comparison(COMPARISON, "csv").text
    assert text.splitlines()[0] == "scenario,stage,kg_co2e,kg_co2e_per_kwh,delta_kg_co2e"
    assert '"SE, hydro",production,500,0.01,-500\n' in text
    assert "HU,raw_materials,4000,0.08,0\n" in text


def test_comparison_json_is_the_data() -> None:
    assert json.loads(render_comparison(COMPARISON, "json").text) == COMPARISON
    with pytest.raises(UsageError):
        render_comparison(COMPARISON, "html")


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_compare_prints_the_rendered_comparison(fmt: str) -> None:
    args = ("compare", EV, "--plant-country", "HU,SE")
    data = json.loads(ok(*args, "-f", "json").stdout)  # floats read back exactly
    assert render_comparison(data, fmt).text == ok(*args, "-f", fmt).stdout
