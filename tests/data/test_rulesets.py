"""Shipped rulesets: what each pins, functional units, GREET reference, modes, samples."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonfp.cli import app
from carbonfp.data import available_rules, load_rules
from carbonfp.engine.calculate import calculate
from carbonfp.errors import FactorDataError, InputError
from carbonfp.method.functional_unit import functional_unit
from carbonfp.model import BatteryCategory, DataType, LineKind, Stage, SuppliedFactor
from tests.support import (
    SAMPLES,
    make_battery,
    make_factor_set,
    make_line,
    make_project,
    make_rules,
)

RUNNER = CliRunner()
SAMPLE_PROJECTS = sorted(SAMPLES.glob("*/battery.toml"))


def test_shipped_rulesets_and_their_legal_status() -> None:
    assert set(available_rules()) >= {
        "eu-ev-draft-2024-04",
        "jrc-cfb-ev-2023",
        "eu-industrial-provisional",
    }
    draft = load_rules("eu-ev-draft-2024-04")
    jrc = load_rules("jrc-cfb-ev-2023")
    industrial = load_rules("eu-industrial-provisional")
    assert (draft.legal_status, jrc.legal_status, industrial.legal_status) == (
        "draft",
        "draft",
        "provisional",
    )
    assert draft.electricity_policy == "national-mix"
    assert jrc.electricity_policy == "market-based"
    assert jrc.fu_method == "warranty-km-consumption"
    assert industrial.categories == (BatteryCategory.INDUSTRIAL,)
    # jrc extends the draft: tables it does not set are inherited, its hash covers both
    assert jrc.fec_per_year == draft.fec_per_year
    assert jrc.mandatory == draft.mandatory
    assert jrc.sha256 != draft.sha256
    assert draft.recycled_minimums["2031-08-18"] == {"Co": 0.16, "Li": 0.06, "Ni": 0.06, "Pb": 0.85}
    assert draft.recycled_minimums["2036-08-18"]["Ni"] == 0.15
    assert draft.performance_classes == {}


def test_jrc_functional_unit_is_warranty_km_times_consumption() -> None:
    battery = make_battery(warranty_km=160_000.0, vehicle_consumption_kwh_per_km=0.17)
    fu, _ = functional_unit(battery, load_rules("jrc-cfb-ev-2023"), "battery.toml")
    assert fu.total_energy_kwh == pytest.approx(27_200.0)
    with pytest.raises(InputError) as caught:
        functional_unit(make_battery(), load_rules("jrc-cfb-ev-2023"), "battery.toml")
    assert "vehicle_consumption" in caught.value.message


def test_industrial_functional_unit_from_declared_cycle_life() -> None:
    rules = load_rules("eu-industrial-provisional")
    battery = make_battery(
        category=BatteryCategory.INDUSTRIAL,
        vehicle_category=None,
        usable_capacity_kwh=100.0,
        declared_cycles=6000.0,
        end_of_life_capacity=0.8,
    )
    fu, _ = functional_unit(battery, rules, "battery.toml")
    assert fu.total_energy_kwh == pytest.approx(100 * 6000 * 0.9)
    assert "linear fade" in fu.derivation
    with pytest.raises(InputError):
        functional_unit(
            make_battery(category=BatteryCategory.INDUSTRIAL, vehicle_category=None), rules, "x"
        )


def test_greet_2024_nmc811_car_reproduced_as_a_declaration() -> None:
    """METHOD.md 11: 49.97 materials + 12.946 assembly = 62.92 kg CO2e/kWh capacity, and
    0.1311 kg CO2e/kWh delivered for M1 over 8 years."""
    rows = {
        "greet-materials-nmc811": ("screening", 49.97, "kg CO2e/kWh"),
        "greet-assembly": ("materials", 12.946, "kg CO2e/kWh"),
    }
    lines = [
        make_line("greet-materials-nmc811", 75.0, "kWh", row=2),
        make_line("greet-assembly", 75.0, "kWh", stage=Stage.PRODUCTION, row=3),
    ]
    decl = calculate(make_project(lines), make_factor_set(rows), make_rules())
    assert decl.functional_unit.total_energy_kwh == 36_000
    assert round(decl.cradle_to_gate_kg_co2e_per_kwh_capacity, 2) == 62.92
    assert round(decl.total_kg_co2e_per_kwh, 4) == 0.1311


def test_declaration_mode_gates_secondary_data_on_mandatory_items_by_role() -> None:
    rules = load_rules("eu-ev-draft-2024-04")
    rows = {
        "grid-hu": ("electricity", 200.0, "g CO2e/kWh"),
        "graphite-natural": ("materials", 3.0, "kg CO2e/kg"),
    }
    energy = replace(
        make_line("grid-hu", 1000.0, "kWh", LineKind.ELECTRICITY, data_type=DataType.SECONDARY),
        component="cell manufacturing",
        role="cell-manufacturing",
    )
    cam = make_line(
        "cam-nmc811",
        10.0,
        supplied=SuppliedFactor(20.0, "kg CO2e/kg", "s"),
        data_type=DataType.SUPPLIER,
        row=3,
    )
    project = make_project([energy, cam])
    screening = calculate(project, make_factor_set(rows), rules)
    assert screening.gate_failures == ()
    assert screening.quality is not None
    assert [m[1] for m in screening.quality.missing_primary] == ["cell manufacturing"]
    assert any(w.code == "missing-primary-data" for w in screening.warnings)
    declaration = calculate(project, make_factor_set(rows), rules, mode="declaration")
    assert any("cell manufacturing" in f for f in declaration.gate_failures)

    # renamed: the role, not the name, decides; the graphite's role comes from the catalogue
    renamed = make_project(
        [
            replace(energy, component="line 7"),
            replace(make_line("graphite-natural", 5.0, row=4), component="black powder"),
            cam,
        ]
    )
    declaration = calculate(renamed, make_factor_set(rows), rules, mode="declaration")
    assert declaration.quality is not None
    assert sorted(m[1] for m in declaration.quality.missing_primary) == [
        "black powder",
        "line 7",
    ]
    assert {m[0] for m in declaration.quality.missing_primary} == {
        "cell manufacturing: electrode making, assembly, formation (energy)",
        "anode active material",
    }
    assert "line 7 (bom.csv:2); black powder (bom.csv:4)" in declaration.gate_failures[0]


def test_a_secondary_energy_block_without_a_role_cannot_pass_the_gate() -> None:
    rules = load_rules("eu-ev-draft-2024-04")
    rows = {"grid-hu": ("electricity", 200.0, "g CO2e/kWh")}
    energy = replace(
        make_line("grid-hu", 1000.0, "kWh", LineKind.ELECTRICITY, data_type=DataType.SECONDARY),
        component="something",
    )
    project = make_project([energy])
    screening = calculate(project, make_factor_set(rows), rules)
    assert [w.code for w in screening.warnings if w.code == "unknown-role"] == ["unknown-role"]
    declaration = calculate(project, make_factor_set(rows), rules, mode="declaration")
    assert any("role is unknown" in f and "something" in f for f in declaration.gate_failures)
    company = make_project([replace(energy, data_type=DataType.COMPANY)])
    declaration = calculate(company, make_factor_set(rows), rules, mode="declaration")
    assert not any("role" in f for f in declaration.gate_failures)


def test_a_role_given_other_than_the_catalogues_is_listed_for_the_study() -> None:
    rules = load_rules("eu-ev-draft-2024-04")
    rows = {"graphite-natural": ("materials", 3.0, "kg CO2e/kg")}
    line = replace(make_line("graphite-natural", 5.0), role="conductive-additive")
    decl = calculate(make_project([line]), make_factor_set(rows), rules, mode="declaration")
    assert not any("company-specific" in f for f in decl.gate_failures)
    (given,) = [w for w in decl.warnings if w.code == "role-given"]
    assert "conductive-additive (catalogue: anode-active-material)" in given.message


def test_dqr_is_emission_weighted() -> None:
    lines = [
        make_line("steel-sheet", 10.0, dqr=1.0, row=2),  # 20 kg CO2e at DQR 1
        make_line("aluminium-primary", 6.0, dqr=4.0, row=3),  # 60 kg CO2e at DQR 4
    ]
    decl = calculate(make_project(lines), make_factor_set(), make_rules())
    assert decl.quality is not None
    assert decl.quality.dqr_overall == pytest.approx((20 * 1 + 60 * 4) / 80)
    assert decl.quality.dqr_by_stage[Stage.RAW_MATERIALS] == pytest.approx(3.25)


@pytest.mark.parametrize("project", SAMPLE_PROJECTS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("rules", ["eu-ev-draft-2024-04", "jrc-cfb-ev-2023"])
@pytest.mark.parametrize("policy", ["national-mix", "market-based"])
def test_every_sample_runs_under_both_rulesets_and_policies(
    project: Path, rules: str, policy: str
) -> None:
    other = "market-based" if policy == "national-mix" else "national-mix"
    result = RUNNER.invoke(
        app,
        [
            "compare",
            str(project),
            "--rules",
            rules,
            "--electricity-policy",
            policy,
            "--electricity-policy",
            other,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    totals = [s["total_kg_co2e_per_kwh"] for s in data["scenarios"]]
    assert all(t > 0 for t in totals)


def test_ev_sample_ppa_is_credited_only_under_market_based() -> None:
    ev = str(SAMPLES / "ev-nmc811-hu" / "battery.toml")
    result = RUNNER.invoke(
        app,
        [
            "compare",
            ev,
            "--electricity-policy",
            "national-mix",
            "--electricity-policy",
            "market-based",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    national, market = data["scenarios"]
    assert national["stages"]["production"]["delta_kg_co2e"] == 0
    assert market["stages"]["production"]["delta_kg_co2e"] < -500
    assert "cell manufacturing" in market["explained_by"][0]["line"]
    assert market["stages"]["raw_materials"]["delta_kg_co2e"] == 0


def test_compare_plant_countries_explains_the_electricity_lines() -> None:
    ev = str(SAMPLES / "ev-nmc811-hu" / "battery.toml")
    result = RUNNER.invoke(app, ["compare", ev, "--plant-country", "PL,SE"])
    assert result.exit_code == 0, result.output
    assert "PL -> SE:" in result.stdout
    assert "grid-pl" in result.stdout and "grid-se" in result.stdout


def test_compare_refuses_to_vary_two_things() -> None:
    ev = str(SAMPLES / "ev-nmc811-hu" / "battery.toml")
    result = RUNNER.invoke(
        app, ["compare", ev, "--plant-country", "PL,SE", "--rules", "a", "--rules", "b"]
    )
    assert result.exit_code == 2
    assert "exactly one" in result.stderr


def test_declaration_mode_exits_5_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    ev = str(SAMPLES / "ev-nmc811-hu" / "battery.toml")
    result = RUNNER.invoke(app, ["calc", ev, "--mode", "declaration", "-f", "json", "-o", str(out)])
    assert result.exit_code == 5
    assert "cell manufacturing" in result.stderr
    assert not out.exists()


def test_rules_commands() -> None:
    listed = RUNNER.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0
    assert "jrc-cfb-ev-2023" in listed.stdout and "provisional" in listed.stdout
    shown = RUNNER.invoke(app, ["rules", "show", "jrc-cfb-ev-2023", "--format", "json"])
    data = json.loads(shown.stdout)
    assert data["electricity"]["policy"] == "market-based"
    assert data["extends"] == "eu-ev-draft-2024-04@2"
    assert RUNNER.invoke(app, ["rules", "show", "nope"]).exit_code == 4


def test_ruleset_versions_an_id_means_the_latest_and_old_versions_stay_as_shipped() -> None:
    """A shipped ruleset file is never edited: version 2 is a new file, version 1 computes as it
    did (its gate matches names), and a file that extends an id without a version keeps
    extending version 1."""
    latest, first = load_rules("eu-ev-draft-2024-04"), load_rules("eu-ev-draft-2024-04@1")
    assert (latest.version, first.version) == (2, 1)
    assert latest.sha256 == load_rules("eu-ev-draft-2024-04@2").sha256 != first.sha256
    assert all(item.roles and not item.match for item in latest.mandatory)
    assert all(item.match and not item.roles for item in first.mandatory)
    assert load_rules("jrc-cfb-ev-2023@1").mandatory == first.mandatory
    assert load_rules("jrc-cfb-ev-2023").mandatory == latest.mandatory
    rows = {"graphite-natural": ("materials", 3.0, "kg CO2e/kg")}
    renamed = make_project([replace(make_line("graphite-natural", 5.0), component="powder")])
    named = make_project([replace(make_line("graphite-natural", 5.0), component="anode graphite")])
    gaps = {
        (rules.version, project.lines[0].component): bool(
            calculate(project, make_factor_set(rows), rules).quality.missing_primary  # type: ignore[union-attr]
        )
        for rules in (first, latest)
        for project in (renamed, named)
    }
    # version 1 went by the name (a renamed component passed); version 2 by the role
    assert gaps == {
        (1, "powder"): False,
        (1, "anode graphite"): True,
        (2, "powder"): True,
        (2, "anode graphite"): True,
    }


@pytest.mark.parametrize("ref", ["eu-ev-draft-2024-04@3", "eu-ev-draft-2024-04@x", "nope"])
def test_an_unknown_ruleset_version_names_the_versions_there_are(ref: str) -> None:
    with pytest.raises(FactorDataError) as caught:
        load_rules(ref)
    assert caught.value.code == "unknown-ruleset"
    assert "eu-ev-draft-2024-04 (versions 1, 2)" in (caught.value.hint or "")
