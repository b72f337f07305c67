"""``carbonfp estimate`` for every battery category: EV, LMT, industrial (stationary storage),
and chemistries without an open screening factor (the user's own cited value)."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carbonfp.cli import app
from carbonfp.data import load_factors, load_rules
from carbonfp.model import FactorSet
from carbonfp.units import emission_scale

RUNNER = CliRunner()
#: the label of the set `estimate` uses by default: the one the default ruleset names
SET = load_factors([load_rules("eu-ev-draft-2024-04").default_factor_set]).label
INDUSTRIAL = [
    "estimate",
    "--battery-category",
    "industrial",
    "--chemistry",
    "LFP",
    "--capacity",
    "500 kWh",
    "--plant-country",
    "CN",
]
SIB = [
    "estimate",
    "--chemistry",
    "SIB",
    "--capacity",
    "60 kWh",
    "--category",
    "M1",
    "--warranty-years",
    "8",
    "--plant-country",
    "CN",
]
CITED = "Peters et al. 2016, Energy Environ. Sci. 9, table 2"


@pytest.fixture(scope="module")
def shipped() -> FactorSet:
    return load_factors([SET])


def run(*args: str, code: int = 0) -> Any:
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def as_json(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run(*args, "-f", "json").stdout)
    return data


def value(factors: FactorSet, fid: str, per: str) -> float:
    """A shipped factor in kg CO2e per ``per`` (a unit of the amount)."""
    f = factors.factors[fid]
    return f.value * emission_scale(per, f.unit)


# --- industrial and stationary storage ------------------------------------------------------


def test_industrial_estimate_uses_the_cycle_life_of_the_industrial_ruleset() -> None:
    capacity, cycles, left, mass = 500.0, 6000, 0.7, 3500.0
    data = as_json(
        *INDUSTRIAL,
        "--declared-cycles",
        str(cycles),
        "--end-of-life-capacity",
        "70%",
        "--warranty-years",
        "15",
        "--mass",
        f"{mass:g} kg",
    )
    assert data["provenance"]["ruleset"] == "eu-industrial-provisional"  # picked by category
    factors = load_factors([load_rules("eu-industrial-provisional").default_factor_set])
    assert data["provenance"]["factor_set"] == factors.label
    assert data["battery"]["category"] == "industrial"
    assert data["battery"]["vehicle_category"] is None
    energy = capacity * cycles * (1 + left) / 2  # mean factor under a linear fade
    assert data["functional_unit"]["total_energy_kwh"] == pytest.approx(energy)
    assert "6000 declared cycles" in data["functional_unit"]["derivation"]

    row = factors.factors["greet-materials-lfp"]
    assert data["battery"]["mass_kg"] == mass  # given: the distribution leg rests on it
    (cn,) = data["by_plant_country"]
    expected = {
        "materials_kg_co2e": row.value * capacity,
        "cell_electricity_kg_co2e": 20.10 * capacity * value(factors, "grid-cn", "kWh"),
        "cell_natural_gas_kg_co2e": 77.0 * capacity * value(factors, "natural-gas", "MJ"),
        "distribution_kg_co2e": mass / 1000 * 1000 * value(factors, "truck-hgv-average", "t*km"),
    }
    for key, kg in expected.items():
        assert cn[key] == pytest.approx(kg), key
    total = sum(expected.values())
    assert cn["total_kg_co2e"] == pytest.approx(total)
    assert cn["kg_co2e_per_kwh_delivered"] == pytest.approx(total / energy)
    assert cn["materials_source"] == f"greet-materials-lfp ({factors.label})"


def test_industrial_mean_capacity_factor_and_the_cycles_spelling() -> None:
    data = as_json(
        *INDUSTRIAL, "--cycles", "4000", "--mean-capacity-factor", "0.9", "--warranty-years", "12"
    )
    assert data["functional_unit"]["total_energy_kwh"] == pytest.approx(500 * 4000 * 0.9)
    text = run(
        *INDUSTRIAL, "--cycles", "4000", "--mean-capacity-factor", "0.9", "--warranty-years", "12"
    ).stdout
    assert "industrial battery" in text
    assert "4000 declared cycles x 0.9" in text


def test_industrial_names_exactly_what_is_missing_and_its_example_runs() -> None:
    result = run(*INDUSTRIAL, code=2)
    first = result.stderr.splitlines()[0]
    assert first == (
        "carbonfp: error: missing for an industrial battery under eu-industrial-provisional "
        "(functional unit: cycle-life): --declared-cycles, --end-of-life-capacity (or "
        "--mean-capacity-factor), --warranty-years"
    )
    assert "--category" not in first
    hint = result.stderr.split("hint: e.g. ", 1)[1].strip()
    example = shlex.split(hint)
    assert example[:2] == ["carbonfp", "estimate"]
    assert run(*example[1:]).stdout.startswith("SCREENING ESTIMATE, NOT A DECLARATION")
    # given one of them, only the others are named
    result = run(*INDUSTRIAL, "--declared-cycles", "6000", code=2)
    assert result.stderr.splitlines()[0].endswith(
        ": --end-of-life-capacity (or --mean-capacity-factor), --warranty-years"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--category", "M1"],
            "--category does not apply to an industrial battery under eu-industrial-provisional",
        ),
        (["--end-of-life-capacity", "0.8", "--mean-capacity-factor", "0.9"], "not both"),
        (["--end-of-life-capacity", "1.5"], "must be above 0 and at most 1"),
        (["--end-of-life-capacity", "much"], "is not a share"),
        (["--rules", "eu-ev-draft-2024-04"], "covers EV, LMT batteries, not industrial"),
        (["--warranty-km", "100000 km"], "--warranty-km does not apply"),
    ],
)
def test_industrial_usage_errors(extra: list[str], message: str) -> None:
    full = [*INDUSTRIAL, "--declared-cycles", "6000", "--warranty-years", "15"]
    if "--end-of-life-capacity" not in extra:
        full += ["--mean-capacity-factor", "0.85"]
    result = run(*full, *extra, code=2)
    assert message in result.stderr
    assert "hint:" in result.stderr


def test_stationary_storage_is_pointed_at_the_industrial_category() -> None:
    result = run(*[a if a != "industrial" else "stationary" for a in INDUSTRIAL], code=2)
    assert "unknown --battery-category 'stationary'" in result.stderr
    assert "use EV, LMT, industrial" in result.stderr
    assert "--battery-category industrial" in result.stderr


# --- LMT and vehicle categories -------------------------------------------------------------


def test_lmt_l3e_end_to_end() -> None:
    fec = load_rules("eu-ev-draft-2024-04").fec_per_year["L"]
    data = as_json(
        "estimate",
        "--battery-category",
        "LMT",
        "--category",
        "L3e",
        "--chemistry",
        "NMC811",
        "--capacity",
        "1.5 kWh",
        "--warranty-years",
        "3",
        "--plant-country",
        "CN",
    )
    assert data["battery"]["category"] == "LMT"
    assert data["battery"]["vehicle_category"] == "L3e"
    assert data["provenance"]["ruleset"] == "eu-ev-draft-2024-04"
    energy = 1.5 * fec * 3
    assert data["functional_unit"]["total_energy_kwh"] == pytest.approx(energy)
    (row,) = data["by_plant_country"]
    assert row["kg_co2e_per_kwh_delivered"] == pytest.approx(row["total_kg_co2e"] / energy)


@pytest.mark.parametrize(
    ("category", "vehicle", "message"),
    [
        ("LMT", "M1", "vehicle category 'M1' does not go with an LMT battery"),
        ("LMT", "N3", "vehicle category 'N3' does not go with an LMT battery"),
        ("EV", "X9", "vehicle category 'X9' does not go with an EV battery"),
        ("EV", "L9x", "vehicle category 'L9x' does not go with an EV battery"),
    ],
)
def test_a_vehicle_category_of_another_battery_category_is_an_error(
    category: str, vehicle: str, message: str
) -> None:
    result = run(
        "estimate",
        "--battery-category",
        category,
        "--category",
        vehicle,
        "--chemistry",
        "NMC811",
        "--capacity",
        "2 kWh",
        "--warranty-years",
        "3",
        "--plant-country",
        "CN",
        code=2,
    )
    assert message in result.stderr
    assert "LMT: L1e-L7e" in result.stderr  # the hint lists which goes with which


def test_an_ev_battery_may_power_an_l_category_vehicle() -> None:
    data = as_json(
        "estimate",
        "--category",
        "L3e-A2",
        "--chemistry",
        "NMC811",
        "--capacity",
        "10 kWh",
        "--warranty-years",
        "5",
        "--plant-country",
        "CN",
    )
    assert data["battery"]["category"] == "EV"
    assert data["functional_unit"]["total_energy_kwh"] == pytest.approx(10 * 20 * 5)


def test_an_lmt_battery_needs_its_vehicle_category() -> None:
    result = run(
        "estimate",
        "--battery-category",
        "lmt",
        "--chemistry",
        "NMC811",
        "--capacity",
        "2 kWh",
        "--warranty-years",
        "3",
        "--plant-country",
        "CN",
        code=2,
    )
    assert result.stderr.splitlines()[0].endswith("(functional unit: fec-warranty): --category")
    assert "--battery-category LMT" in result.stderr and "--category L3e" in result.stderr


def test_cycle_life_options_do_not_apply_to_an_ev_battery() -> None:
    result = run(*SIB[:2], "NMC811", *SIB[3:], "--declared-cycles", "1000", code=2)
    assert "--declared-cycles does not apply to an EV battery under eu-ev-draft-2024-04" in (
        result.stderr
    )


def test_help_says_which_vehicle_categories_go_with_which_battery_category() -> None:
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", run("estimate", "--help").stdout).split())
    text = text.replace("- ", "-")  # words wrapped at a hyphen
    assert "LMT with L1e-L7e" in text
    assert "stationary energy storage is an industrial battery" in text
    assert "--declared-cycles" in text and "--materials-source" in text
    assert "eu-industrial-provisional for industrial batteries" in text


# --- chemistries without an open screening factor -------------------------------------------


@pytest.mark.parametrize("chemistry", ["SIB", "LMFP", "sodium-ion"])
def test_no_value_is_made_up_for_a_chemistry_without_one(
    chemistry: str, shipped: FactorSet
) -> None:
    result = run(*SIB[:2], chemistry, *SIB[3:], code=3)
    assert f"no open screening factor for chemistry {chemistry!r} in {SET}" in result.stderr
    with_one = sorted(
        fid.removeprefix("greet-materials-").upper()
        for fid, f in shipped.factors.items()
        if f.table == "screening"
    )
    assert "LFP" in with_one and "NMC811" in with_one
    assert f"chemistries with one: {', '.join(with_one)}. " in result.stderr
    assert '--materials "X kg CO2e/kWh" --materials-source' in result.stderr
    assert result.stdout == ""


def test_a_cited_user_value_makes_a_sodium_ion_estimate(shipped: FactorSet) -> None:
    own = ["--materials", "65 kg CO2e/kWh", "--materials-source", CITED, "--mass", "400 kg"]
    data = as_json(*SIB, *own)
    (cn,) = data["by_plant_country"]
    assert cn["materials_kg_co2e"] == pytest.approx(65 * 60)
    assert cn["distribution_kg_co2e"] == pytest.approx(
        0.4 * 1000 * value(shipped, "truck-hgv-average", "t*km")
    )
    assert data["battery"]["mass_kg"] == 400
    assert cn["materials_source"] == f"user value: {CITED}"
    assert data["materials_source"] == f"user value: {CITED}"
    assert data["user_values"] == [
        {
            "line": "battery materials, SIB (user value per kWh)",
            "value": 65.0,
            "unit": "kg CO2e/kWh",
            "source": CITED,
        }
    ]
    sources = data["provenance"]["sources"]
    assert f"battery materials, SIB (user value per kWh): {CITED}" in sources
    assert not any("GREET" in s for s in sources)  # no shipped materials value was used

    rows = list(csv.DictReader(io.StringIO(run(*SIB, *own, "-f", "csv").stdout)))
    assert [r["materials_source"] for r in rows] == [f"user value: {CITED}"]
    assert float(rows[0]["materials_kg_co2e"]) == pytest.approx(65 * 60)

    text = run(*SIB, *own).stdout
    assert f"User values   not from {SET}" in text
    assert f"battery materials, SIB (user value per kWh): 65 kg CO2e/kWh ({CITED})" in text
    assert "mass given" in text


def test_a_user_value_replaces_a_shipped_one_and_says_so(shipped: FactorSet) -> None:
    lfp = ["--chemistry", "LFP", *SIB[3:]]
    own = ["--materials", "50000 g CO2e/kWh", "--materials-source", CITED]
    data = as_json("estimate", *lfp, *own)
    (cn,) = data["by_plant_country"]
    assert cn["materials_kg_co2e"] == pytest.approx(50 * 60)  # grams converted
    assert cn["materials_source"] == f"user value: {CITED}"
    assert not any("GREET" in s for s in data["provenance"]["sources"])
    # the set's LFP row gives no specific energy, so no mass is made up: no distribution leg
    assert shipped.factors["greet-materials-lfp"].specific_energy_wh_per_kg is None
    assert data["battery"]["mass_kg"] is None  # not given
    assert any(a.startswith("distribution: not included") for a in data["assumptions"])
    assert cn["distribution_kg_co2e"] is None  # not included, not a zero
    assert cn["total_kg_co2e"] == pytest.approx(
        50 * 60
        + 20.10 * 60 * value(shipped, "grid-cn", "kWh")
        + 77.0 * 60 * value(shipped, "natural-gas", "MJ")
    )
    text = run("estimate", *lfp, *own).stdout
    assert "mass not given" in text
    assert "distribution: not included (no battery mass: give --mass;" in text
    assert "mass estimated" not in text


def test_a_cited_user_value_without_a_mass_leaves_the_distribution_leg_out(
    shipped: FactorSet,
) -> None:
    own = ["--materials", "65 kg CO2e/kWh", "--materials-source", CITED]
    data = as_json(*SIB, *own)
    (cn,) = data["by_plant_country"]
    assert cn["materials_kg_co2e"] == pytest.approx(65 * 60)
    assert cn["distribution_kg_co2e"] is None  # not included, not a zero
    assert cn["total_kg_co2e"] == pytest.approx(
        65 * 60
        + 20.10 * 60 * value(shipped, "grid-cn", "kWh")
        + 77.0 * 60 * value(shipped, "natural-gas", "MJ")
    )
    text = run(*SIB, *own).stdout
    assert "distribution: not included (no battery mass: give --mass;" in text
    # given a mass, the same estimate has the leg (and the note is gone)
    text = run(*SIB, *own, "--mass", "400 kg").stdout
    assert "distribution: not included" not in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--materials", "65 kg CO2e/kWh"], "--materials needs --materials-source"),
        (["--materials", "65 kg CO2e/kWh", "--materials-source", "  "], "needs --materials-source"),
        (["--materials-source", CITED], "--materials-source without --materials"),
        (
            ["--materials", "9 kg CO2e/kg", "--materials-source", CITED],
            "is not an emission per kWh of battery capacity",
        ),
        (["--materials", "0 kg CO2e/kWh", "--materials-source", CITED], "greater than zero"),
        (
            [
                "--materials",
                "65 kg CO2e/kWh",
                "--materials-source",
                CITED,
                "--end-of-life",
                "0.5 kg CO2e/kg",
                "--end-of-life-source",
                "Study Y 2024",
            ],
            "no mass for the end-of-life value per kg",
        ),
        (["--end-of-life", "0.5 kg CO2e/kg"], "--end-of-life needs --end-of-life-source"),
    ],
)
def test_user_value_usage_errors(extra: list[str], message: str) -> None:
    result = run(*SIB, *extra, code=2)
    assert message in result.stderr
    assert result.stdout == ""


def test_end_of_life_keeps_the_materials_column_the_materials(shipped: FactorSet) -> None:
    """The end-of-life line is a material line too: the materials column must not be it."""
    lfp = ["--chemistry", "LFP", *SIB[3:]]
    eol = ["--end-of-life", "0.5 kg CO2e/kg", "--end-of-life-source", "Study Y 2024"]
    data = as_json("estimate", *lfp, *eol, "--mass", "400 kg")
    (cn,) = data["by_plant_country"]
    assert cn["materials_kg_co2e"] == pytest.approx(
        shipped.factors["greet-materials-lfp"].value * 60
    )
    assert data["battery"]["mass_kg"] == 400
    assert cn["end_of_life_kg_co2e"] == pytest.approx(0.5 * 400)
    assert cn["distribution_kg_co2e"] == pytest.approx(
        0.4 * 1000 * value(shipped, "truck-hgv-average", "t*km")
    )
    assert cn["end_of_life_source"] == "user value: Study Y 2024"
    assert "end of life (user value per kg): Study Y 2024" in data["provenance"]["sources"]
    # a value per kg needs a mass, and the set has no specific energy for LFP to estimate one
    result = run("estimate", *lfp, *eol, code=2)
    assert "no mass for the end-of-life value per kg" in result.stderr
    assert "--mass" in result.stderr


# --- a project file -------------------------------------------------------------------------


def test_an_industrial_project_file_and_options_over_it(tmp_path: Path) -> None:
    project = tmp_path / "battery.toml"
    project.write_text(
        "[battery]\n"
        'model = "ESS-1"\n'
        'category = "industrial"\n'
        'chemistry = "LFP"\n'
        'usable_capacity = "280 kWh"\n'
        "warranty_years = 10\n"
        "declared_cycles = 8000\n"
        "mean_capacity_factor = 0.9\n"
        "[plant]\n"
        'country = "CN"\n',
        encoding="utf-8",
    )
    data = as_json("estimate", str(project))
    assert data["provenance"]["ruleset"] == "eu-industrial-provisional"
    assert data["functional_unit"]["total_energy_kwh"] == pytest.approx(280 * 8000 * 0.9)
    # an option overrides the project's factor
    data = as_json("estimate", str(project), "--end-of-life-capacity", "0.6")
    assert data["functional_unit"]["total_energy_kwh"] == pytest.approx(280 * 8000 * 0.8)
    # and the category: an industrial project read as an EV battery lacks its vehicle category
    result = run("estimate", str(project), "--battery-category", "EV", code=2)
    assert "--category" in result.stderr.splitlines()[0]
    assert "or set them in the project's [battery]" in result.stderr
