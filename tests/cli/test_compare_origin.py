"""What-if on origin: ``carbonfp compare --origin`` and ``--what-if FILE`` show the change of
the declaration and of the sourcing findings side by side, with the user's own factor per
origin (never a shipped guess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import REPO
from typer.testing import CliRunner, Result

from carbonfp.cli import app

MIXED = REPO / "tests" / "projects" / "ev-mixed-origin" / "battery.toml"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def compare(*args: str | Path) -> dict[str, Any]:
    result = run("compare", MIXED, *args, "-f", "json")
    assert result.exit_code == 0, (result.stderr, result.exception)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def finding(data: dict[str, Any], rule: str, element: str, stage: str, country: str) -> list[bool]:
    """Per scenario, whether the finding is there."""
    (row,) = [
        f
        for f in data["sourcing"]["findings"]
        if (f["rule"], f["element"], " and ".join(f["stages"]), f["country"])
        == (rule, element, stage, country)
    ]
    return [x["found"] for x in row["by_scenario"]]


def test_a_users_factor_for_the_new_origin_changes_the_declaration() -> None:
    data = compare(
        "--origin",
        "separator=CN",
        "--factor",
        "separator@CN=7.0 kg CO2e/kg",
        "--factor-source",
        "separator@CN=test value for a what-if",
    )
    assert data["varies"] == "origin" and data["baseline"] == "as given"
    base, moved = data["scenarios"]
    assert moved["scenario"] == "separator from CN"
    # 96 cells x 0.05 kg of separator, 6.0 -> 7.0 kg CO2e/kg
    assert moved["stages"]["raw_materials"]["delta_kg_co2e"] == pytest.approx(96 * 0.05 * 1.0)
    assert moved["absolute_kg_co2e"] - base["absolute_kg_co2e"] == pytest.approx(4.8)
    by_country = {c["country"]: c["kg_co2e"] for c in data["sourcing"]["footprint_by_country"]}
    assert by_country["JP"] == [pytest.approx(28.8), 0.0]
    assert by_country["CN"][1] - by_country["CN"][0] == pytest.approx(96 * 0.05 * 7.0)
    (lines,) = [m["lines"] for m in data["sourcing"]["moved"] if m["lines"]]
    assert lines[0]["from"] == "JP" and lines[0]["to"] == "CN"
    assert "test value for a what-if" in lines[0]["factor"]


def test_an_origin_alone_changes_the_findings_not_the_footprint() -> None:
    data = compare("--origin", "graphite-natural=CA")
    _, moved = data["scenarios"]
    assert all(s["delta_kg_co2e"] == 0 for s in moved["stages"].values())
    crma = "eu-crma-benchmark@1"
    assert finding(data, crma, "graphite", "manufacture", "CN") == [True, False]
    assert finding(data, crma, "graphite", "manufacture", "CA") == [False, True]
    assert finding(data, "us-30d-feoc@1", "graphite", "manufacture", "CN") == [True, False]
    note = data["sourcing"]["moved"][1]["lines"][0]["note"]
    assert "keeps its factor" in note
    assert "not a legal determination" in data["sourcing"]["notice"]
    text = run("compare", MIXED, "--origin", "graphite-natural=CA").stdout
    assert "Where the battery comes from, side by side:" in text
    assert "eu-crma-benchmark@1 graphite, manufacture: above CA" in text


def test_a_what_if_file_moves_a_sub_bom_and_names_its_scenarios(tmp_path: Path) -> None:
    what_if = tmp_path / "what-if.toml"
    what_if.write_text(
        '[[scenario]]\nname = "cells from China"\n[[scenario.change]]\nline = "cells"\n'
        'origin = "CN"\n\n'
        '[[scenario]]\nname = "cathode from Korea"\n[[scenario.change]]\n'
        'material = "NCM811"\norigin = "KR; refining=CN"\nfactor = "23 kg CO2e/kg"\n'
        'factor_source = "test value"\n',
        encoding="utf-8",
    )
    data = compare("--what-if", what_if, "--sourcing-rules", "eu-crma-benchmark")
    assert [s["scenario"] for s in data["scenarios"]] == [
        "as given",
        "cells from China",
        "cathode from Korea",
    ]
    assert data["sourcing"]["rules"] == ["eu-crma-benchmark@1"]
    cells = data["sourcing"]["moved"][1]["lines"]
    assert len(cells) == 10 and {m["to"] for m in cells} == {"CN"}
    assert finding(data, "eu-crma-benchmark@1", "Ni", "refining", "CN") == [False, False, True]
    # 96 x 1.05 kg of cathode material at 23 instead of 22 kg CO2e/kg (its CFF terms move too)
    assert data["scenarios"][2]["stages"]["raw_materials"]["delta_kg_co2e"] > 0


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--origin", "unobtainium=CN"], 3, "no line of the project is of material"),
        (["--origin", "separator=XX"], 3, "not an ISO 3166-1 alpha-2"),
        (["--origin", "separator"], 2, "TARGET=VALUE"),
        (
            ["--origin", "separator=CN", "--factor", "separator@CN=7 kg CO2e/kg"],
            2,
            "has no --factor-source",
        ),
        (
            [
                "--origin",
                "separator=CN",
                "--factor",
                "separator@KR=7 kg CO2e/kg",
                "--factor-source",
                "separator@KR=x",
            ],
            2,
            "no --origin moves",
        ),
        (
            [
                "--origin",
                "separator=CN",
                "--factor",
                "separator@CN=7 kWh",
                "--factor-source",
                "separator@CN=x",
            ],
            3,
            "not an emission factor",
        ),
        (["--sourcing-rules", "eu-crma-benchmark", "--plant-country", "HU,PL"], 2, "what-if"),
        (["--origin", "separator=CN", "--plant-country", "HU,PL"], 2, "varies exactly one"),
    ],
)
def test_bad_what_ifs_exit_with_their_code(args: list[str], code: int, says: str) -> None:
    result = run("compare", MIXED, *args)
    assert result.exit_code == code, result.stderr
    assert says in result.stderr
