"""Where a battery comes from: element masses by origin add up to the BOM's (the declaration's
element content), the footprint by country adds up to the declaration, and the numbers of the
mixed-origin pack follow from its inputs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import tomllib
from support import REPO, SAMPLES, SHIPPED_SET, WriteProject

import carbonfp
from carbonfp.api import calculate_many, sourcing
from carbonfp.columns import STAGES
from carbonfp.data import load_factors
from carbonfp.data.sourcing import load_sourcing_data
from carbonfp.engine.sourcing import battery_sourcing
from carbonfp.inputs.project import load_project
from carbonfp.units import scale_to

MIXED = REPO / "tests" / "projects" / "ev-mixed-origin" / "battery.toml"
PROJECTS = [*sorted(SAMPLES.glob("*/battery.toml")), MIXED]
IDS = [p.parent.name for p in PROJECTS]
ALL_RULES = ["eu-crma-benchmark", "eu-battery-due-diligence", "us-30d-feoc"]


def entry(path: Path, rules: list[str] | None = None) -> dict[str, Any]:
    document = sourcing([load_project(path)], sourcing_rules=rules or [])
    found: dict[str, Any] = document["batteries"][0]
    return found


def element(found: dict[str, Any], key: str) -> dict[str, Any]:
    return next(e for e in found["elements"] if e["element"] == key)


def at(found: dict[str, Any], key: str, stage: str) -> tuple[dict[str, float], float]:
    """kg of an element by country at a stage, and of no stated origin."""
    s = next(s for s in element(found, key)["stages"] if s["stage"] == stage)
    return {c["country"]: c["kg"] for c in s["countries"]}, s["unknown_kg"]


@pytest.mark.parametrize("path", PROJECTS, ids=IDS)
def test_the_countries_add_up_to_the_declaration(path: Path) -> None:
    project = load_project(path)
    batch = calculate_many([project])
    outcome = batch.outcomes[0]
    assert outcome.evaluated is not None
    found = battery_sourcing(outcome.evaluated, outcome.index, load_sourcing_data(), [])
    declaration = outcome.declaration
    assert declaration is not None
    countries = found["footprint"]["countries"]
    for i, stage in enumerate(STAGES):
        summed = sum(c["stages"][stage.value]["kg_co2e"] for c in countries)
        assert math.isclose(summed, declaration.stages[i].kg_co2e, rel_tol=1e-9, abs_tol=1e-9)
        per_kwh = sum(c["stages"][stage.value]["kg_co2e_per_kwh"] for c in countries)
        assert math.isclose(
            per_kwh, declaration.stages[i].kg_co2e_per_kwh, rel_tol=1e-9, abs_tol=1e-12
        )
    total = sum(c["kg_co2e"] for c in countries)
    assert math.isclose(total, declaration.absolute_kg_co2e, rel_tol=1e-9)
    assert math.isclose(found["footprint"]["total_kg_co2e"], declaration.absolute_kg_co2e)
    assert math.isclose(sum(c["share"] for c in countries), 1.0)


@pytest.mark.parametrize("path", PROJECTS, ids=IDS)
def test_the_origin_shares_add_up_to_the_bom_masses(path: Path) -> None:
    batch = calculate_many([load_project(path)])
    outcome = batch.outcomes[0]
    evaluated = outcome.evaluated
    assert evaluated is not None
    found = battery_sourcing(evaluated, outcome.index, load_sourcing_data(), [])
    content = evaluated.elements
    assert found["elements"], "every sample holds critical raw materials"
    for e in found["elements"]:
        # the element's mass is the one the declaration counts (recycled and material content)
        expected = float(content.content[outcome.index, content.names.index(e["element"])])
        assert math.isclose(e["kg"], expected, rel_tol=1e-9)
        assert math.isclose(sum(x["kg"] for x in e["lines"]), e["kg"], rel_tol=1e-9)
        for s in e["stages"]:
            summed = sum(c["kg"] for c in s["countries"]) + s["unknown_kg"]
            assert math.isclose(summed, e["kg"], rel_tol=1e-9)
            shares = sum(c["share"] for c in s["countries"]) + s["unknown_share"]
            assert math.isclose(shares, 1.0)
    for rc in outcome.declaration.recycled_content if outcome.declaration else ():
        assert math.isclose(element(found, rc.element)["kg"], rc.content_kg, rel_tol=1e-9)


def _mass_fraction(formula: dict[str, float], of: str) -> float:
    weights = tomllib.loads((SHIPPED_SET / "composition.toml").read_text())["atomic_weights"]
    total = sum(weights[el] * n for el, n in formula.items())
    return weights[of] * formula[of] / total


def grid(country: str) -> float:
    """kg CO2e per kWh of a national grid in the factor set the mixed pack is computed with."""
    declaration = carbonfp.calculate(load_project(MIXED))
    factor = load_factors([declaration.provenance.factor_set]).factors[f"grid-{country.lower()}"]
    return factor.value * scale_to(factor.unit, "kg CO2e/kWh")


def test_the_mixed_origin_pack_from_its_inputs() -> None:
    found = entry(MIXED, ALL_RULES)
    nmc811 = {"Li": 1, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2}
    nickel = 96 * 1.05 * _mass_fraction(nmc811, "Ni")
    assert math.isclose(element(found, "Ni")["kg"], nickel, rel_tol=1e-4)
    # cathode material: made in FI from metals refined in FI; no mine stated
    assert at(found, "Ni", "manufacture") == ({"FI": pytest.approx(nickel, rel=1e-4)}, 0.0)
    assert at(found, "Ni", "refining")[0] == {"FI": pytest.approx(nickel, rel=1e-4)}
    assert at(found, "Ni", "extraction") == ({}, pytest.approx(nickel, rel=1e-4))
    # graphite: 96 x 0.70 kg, processed in CN, mined in MZ
    graphite = 96 * 0.70
    assert at(found, "graphite", "manufacture") == ({"CN": pytest.approx(graphite)}, 0.0)
    assert at(found, "graphite", "extraction") == ({"MZ": pytest.approx(graphite)}, 0.0)
    # copper: the foil takes the cells' KR (96 x 0.26 kg), busbars PL, wires of no origin
    by_country, unknown = at(found, "Cu", "manufacture")
    assert by_country == {"KR": pytest.approx(96 * 0.26), "PL": pytest.approx(4.0)}
    assert unknown == pytest.approx(3.0)
    # the footprint: the separator (JP, 96 x 0.05 kg x 6.0 kg CO2e/kg) is Japan's only line
    countries = {c["country"]: c for c in found["footprint"]["countries"]}
    assert countries["JP"]["kg_co2e"] == pytest.approx(96 * 0.05 * 6.0)
    # Korea's production: the cell plant's electricity, 20.1 kWh per kWh of 78.1 kWh, at the
    # KR grid of the factor set the declaration used; Germany's: 250 kWh of pack assembly
    assert countries["KR"]["stages"]["production"]["kg_co2e"] == pytest.approx(
        20.1 * 78.1 * grid("KR")
    )
    assert countries["DE"]["stages"]["production"]["kg_co2e"] == pytest.approx(250 * grid("DE"))
    # fuel, process gas and transport state no country: their own share, never dropped
    assert countries["unknown"]["stages"]["distribution"]["kg_co2e"] > 0
    # the aluminium and the electrolyte's lithium are said to be not counted
    assert {x["material"] for x in found["not_counted"]} == {
        "aluminium-primary",
        "aluminium-foil",
        "electrolyte",
    }


def test_the_rules_find_what_the_origins_say() -> None:
    found = entry(MIXED, ALL_RULES)
    keys = {
        (f["rule"], f["element"], " and ".join(f["stages"]), f["status"], f["country"])
        for f in found["findings"]
    }
    # CRMA: every graphite stage from one third country (CN processing, MZ mining) is above 65 %
    assert ("eu-crma-benchmark@1", "graphite", "manufacture", "above", "CN") in keys
    assert ("eu-crma-benchmark@1", "graphite", "extraction", "above", "MZ") in keys
    # FI is a Member State: the cathode material's metals are not a third-country share
    assert not any(k[0] == "eu-crma-benchmark@1" and k[4] == "FI" for k in keys)
    assert ("eu-crma-benchmark@1", "Ni", "extraction", "not-assessed", None) in keys
    # US: the graphite's processing in CN, a covered nation
    assert ("us-30d-feoc@1", "graphite", "refining", "listed", "CN") in keys
    # due diligence: every covered line states an origin
    assert not any(k[0] == "eu-battery-due-diligence@1" and k[3] == "unknown" for k in keys)
    crma = next(f for f in found["findings"] if f["status"] == "above" and f["country"] == "MZ")
    assert crma["share"] == pytest.approx(1.0)
    assert [x["line"] for x in crma["lines"]] == ["cells (x96) > anode graphite (natural)"]


def test_unknown_origin_and_materials_without_a_fraction(write_project: WriteProject) -> None:
    path = write_project(
        bom="component,material,quantity,unit,origin,factor,factor_source\n"
        "cathode,cam-nmc811,20,kg,,20 kg CO2e/kg,test supplier PCF\n"
        "nickel salt,nickel-sulfate,4,kg,ID,,\n"
        "lithium salt,lithium-carbonate-brine,2,kg,CL,,\n"
        "anode,graphite-natural,9,kg,CN,,\n"
        "anode blend,graphite-synthetic,5,kg,,,\n"
    )
    found = entry(path, ["eu-battery-due-diligence", "eu-crma-benchmark"])
    # the nickel sulfate's nickel is not counted: its hydrate varies
    (salt,) = found["not_counted"]
    assert salt["material"] == "nickel-sulfate" and salt["mass_kg"] == 4.0
    assert salt["elements"] == ["Ni"] and "hydrate" in salt["why"]
    # a refined chemical's own country stands for refining, and for the part as supplied
    li_from_salt = 2 * _mass_fraction({"Li": 2, "C": 1, "O": 3}, "Li")
    assert at(found, "Li", "refining")[0] == {"CL": pytest.approx(li_from_salt)}
    assert at(found, "Li", "manufacture")[0] == {"CL": pytest.approx(li_from_salt)}
    assert at(found, "Li", "extraction")[0] == {}
    # due diligence: the cathode states no origin; synthetic graphite is not covered
    findings = [f for f in found["findings"] if f["rule"] == "eu-battery-due-diligence@1"]
    unknown = {f["element"]: f for f in findings if f["status"] == "unknown"}
    assert set(unknown) == {"Ni", "Co", "Li"}
    assert [x["line"] for x in unknown["Ni"]["lines"]] == ["cathode"]
    li_total = element(found, "Li")["kg"]
    assert unknown["Li"]["share"] == pytest.approx((li_total - li_from_salt) / li_total)
    assert any(f["status"] == "not-counted" and f["element"] == "Ni" for f in findings)
    # CRMA on graphite: 9 kg CN of 14 kg (64 %), 5 kg of no stated origin: CN could be above
    crma = [f for f in found["findings"] if f["rule"] == "eu-crma-benchmark@1"]
    graphite = [f for f in crma if f["element"] == "graphite" and f["stages"] == ["manufacture"]]
    assert [(f["status"], f["share"]) for f in graphite] == [
        ("undetermined", pytest.approx(5 / 14))
    ]


def test_the_library_names_the_document() -> None:
    document = carbonfp.sourcing(
        [load_project(SAMPLES / "ev-nmc811-hu" / "battery.toml")], sourcing_rules=["us-30d-feoc"]
    )
    assert document["document"] == "carbonfp sourcing"
    assert "not a legal determination" in document["notice"]
    assert [r["label"] for r in document["rules"]] == ["us-30d-feoc@1"]
    assert document["batteries"][0]["source"].endswith("battery.toml")
