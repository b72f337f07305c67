"""Many batteries in one pass (projects and long BOMs), Monte Carlo and explain."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonfp import calculate, flatten, load_project, load_rules
from carbonfp.data import load_factors
from carbonfp.engine.calculate import draw_project
from carbonfp.formats.declaration import to_dict
from carbonfp.model import Stage
from carbonfp.units import emission_scale
from tests.support import SAMPLES, make_factor_set, make_line, make_project, make_rules

RUNNER = CliRunner()
PROJECTS = sorted(SAMPLES.glob("*/battery.toml"))
RULES = load_rules("eu-ev-draft-2024-04")
FACTORS = load_factors([RULES.default_factor_set])  # what calc uses by default


def _single(project: Path) -> dict:  # type: ignore[type-arg]
    """The project's declaration as the library computes it with the default settings."""
    return to_dict(calculate(load_project(project)))


def test_many_projects_in_one_pass_equal_each_computed_alone() -> None:
    result = RUNNER.invoke(app_(), ["calc", str(SAMPLES), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    batch = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(batch) == len(PROJECTS) >= 3
    alone = [_single(p) for p in PROJECTS]
    assert batch == alone
    assert "computed 3 of 3 batteries" in result.stderr


def app_():  # type: ignore[no-untyped-def]
    from carbonfp.cli import app

    return app


def _without_places(data: object) -> object:
    """A declaration record without the places lines were read at (they name other files in a
    long BOM) and without the input files' hashes."""
    if isinstance(data, dict):
        return {k: _without_places(v) for k, v in data.items() if k not in ("where", "inputs")}
    if isinstance(data, list):
        return [_without_places(v) for v in data]
    return data


def test_flattened_projects_give_their_declarations_back(tmp_path: Path) -> None:
    """carbonfp flatten, then calc of the long BOM: every sample's declaration, the same."""
    result = RUNNER.invoke(app_(), ["flatten", *map(str, PROJECTS), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    lines, batteries = tmp_path / "lines.csv", tmp_path / "batteries.csv"
    assert lines.read_text().startswith("battery,kind,component,")
    out = tmp_path / "out"
    result = RUNNER.invoke(
        app_(), ["calc", str(lines), "--batteries", str(batteries), "-f", "json", "-o", f"{out}/"]
    )
    assert result.exit_code == 0, result.stderr
    for project in PROJECTS:
        back = json.loads((out / f"{project.parent.name}.json").read_text())
        assert _without_places(back) == _without_places(_single(project))
        assert set(back["provenance"]["inputs"]) == {"lines.csv", "batteries.csv"}


def test_interleaved_long_bom_rows_give_each_battery_its_own_lines(tmp_path: Path) -> None:
    """The batteries' rows taken in turn (A1, B1, C1, A2, ...), each battery's own order kept:
    every declaration, its end-of-life formula entries included, as from its project."""
    import csv
    import itertools

    result = RUNNER.invoke(app_(), ["flatten", *map(str, PROJECTS), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    lines = tmp_path / "lines.csv"
    with lines.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    by_battery: dict[str, list[list[str]]] = {}
    for row in rows:
        by_battery.setdefault(row[0], []).append(row)
    turns = itertools.zip_longest(*by_battery.values())
    interleaved = [row for turn in turns for row in turn if row is not None]
    assert interleaved[:3] != rows[:3] and len(by_battery) == len(PROJECTS)
    with lines.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *interleaved])
    out = tmp_path / "out"
    batteries = tmp_path / "batteries.csv"
    args = ["calc", str(lines), "--batteries", str(batteries), "-f", "json", "-o", f"{out}/"]
    result = RUNNER.invoke(app_(), args)
    assert result.exit_code == 0, result.stderr
    for project in PROJECTS:
        back = json.loads((out / f"{project.parent.name}.json").read_text())
        assert back["end_of_life"]["materials"], "every sample has end-of-life formula entries"
        assert _without_places(back) == _without_places(_single(project))


def test_flatten_of_the_library_matches_the_command(tmp_path: Path) -> None:
    projects = [load_project(p) for p in PROJECTS]
    ids = [p.parent.name for p in PROJECTS]
    lines_text, batteries_text = flatten(projects, ids)
    RUNNER.invoke(app_(), ["flatten", *map(str, PROJECTS), "-o", str(tmp_path)])
    assert (tmp_path / "lines.csv").read_text() == lines_text
    assert (tmp_path / "batteries.csv").read_text() == batteries_text


#: The battery table columns every row of these tests needs.
HEAD = (
    "battery,category,vehicle_category,chemistry,usable_capacity,mass,warranty_years,"
    "manufacturer.name,plant.name,plant.town,plant.region,plant.country\n"
)


def _row(battery: str, capacity: str = "10 kWh") -> str:
    return f"{battery},EV,M1,NMC811,{capacity},80 kg,8,Maker,Plant,Town,Region,HU\n"


def test_long_bom_reports_bad_lines_and_computes_the_rest(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_text(
        "battery,component,material,quantity,unit,stage\n"
        "A,tray,aluminium-primary,10,kg,\n"
        "A,lid,steel-sheet,5,kg,\n"
        "B,tray,aluminium-primary,ten,kg,\n"
        "C,tray,unobtainium,1,kg,\n"
        "D,truck,truck-hgv-average,100,t*km,\n"
        "E,tray,aluminium-primary,1,kWh,\n"
        "F,tray,steel-sheet,1,kg,\n",
        encoding="utf-8",
    )
    (tmp_path / "batteries.csv").write_text(
        HEAD + "".join(_row(b) for b in "ABCDE") + _row("F", "0 kWh"), encoding="utf-8"
    )
    result = RUNNER.invoke(
        app_(),
        [
            "calc",
            str(tmp_path / "bom.csv"),
            "--batteries",
            str(tmp_path / "batteries.csv"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 3
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["battery"]["model"] for r in rows] == ["A"]
    aluminium, steel = FACTORS.factors["aluminium-primary"], FACTORS.factors["steel-sheet"]
    expected = 10 * aluminium.value * emission_scale("kg", aluminium.unit) + 5 * (
        steel.value * emission_scale("kg", steel.unit)
    )
    assert rows[0]["carbon_footprint"]["absolute_kg_co2e"] == pytest.approx(expected)
    assert rows[0]["functional_unit"]["total_energy_kwh"] == 10 * 60 * 8
    errors = [
        json.loads(line)["error"] for line in result.stderr.splitlines() if line.startswith("{")
    ]
    by_battery = {e["battery"]: e for e in errors}
    assert by_battery["B"]["where"] == "bom.csv:4 [quantity]"
    assert by_battery["B"]["code"] == "not-a-number"
    assert (
        by_battery["C"]["where"] == "bom.csv:5" and "unknown material" in by_battery["C"]["message"]
    )
    assert by_battery["D"]["code"] == "missing-stage" and by_battery["D"]["where"] == "bom.csv:6"
    assert by_battery["E"]["code"] == "wrong-dimension" and by_battery["E"]["where"] == "bom.csv:7"
    assert by_battery["F"]["where"] == "batteries.csv:7 [battery.usable_capacity]"
    assert all(e["exit_code"] == 3 for e in errors)
    assert "computed 1 of 6 batteries" in result.stderr


def test_long_bom_options_apply_per_battery(tmp_path: Path) -> None:
    """--mode declaration and --uncertainty work on a long BOM, battery by battery: the one
    with secondary data on a mandatory item fails alone with exit 5."""
    (tmp_path / "lines.csv").write_text(
        "battery,component,material,quantity,unit,factor,factor_source,data_type,quantity_gsd\n"
        "A,cathode active material,cam-nmc811,10,kg,20 kg CO2e/kg,supplier PCF,supplier,1.2\n"
        "B,cathode active material,cam-nmc811,10,kg,20 kg CO2e/kg,supplier PCF,secondary,\n",
        encoding="utf-8",
    )
    eol = ",recycling,0"
    (tmp_path / "batteries.csv").write_text(
        HEAD.replace("\n", ",end_of_life.route,end_of_life.materials.cathode-active-material.R2\n")
        + _row("A").replace("\n", eol + "\n")
        + _row("B").replace("\n", eol + "\n"),
        encoding="utf-8",
    )
    args = ["calc", str(tmp_path / "lines.csv"), "--batteries", str(tmp_path / "batteries.csv")]
    declared = RUNNER.invoke(app_(), [*args, "--mode", "declaration", "-f", "csv"])
    assert declared.exit_code == 5
    assert "[battery B]" in declared.stderr and "not a declaration" in declared.stderr
    assert "computed 1 of 2 batteries" in declared.stderr
    drawn = RUNNER.invoke(app_(), [*args, "--uncertainty", "200", "--seed", "3", "-f", "json"])
    assert drawn.exit_code == 0, drawn.stderr
    records = [json.loads(line) for line in drawn.stdout.splitlines()]
    first, second = (r["uncertainty"]["inputs"] for r in records)
    assert [(x["input"], x["origin"]) for x in first] == [
        ("amount of cathode active material", "stated (quantity_gsd)")
    ]
    # B states no spread: its one line gets one from data quality (no DQR: scored 5)
    assert len(second) == 1 and second[0]["input"] == "cathode active material"
    assert second[0]["origin"].startswith("data quality: no DQR given, scored 5")


def test_bad_project_among_good_ones_is_skipped_with_its_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad" / "battery.toml"
    bad.parent.mkdir()
    bad.write_text("[battery\n", encoding="utf-8")
    result = RUNNER.invoke(app_(), ["calc", str(PROJECTS[0]), str(bad), "--format", "csv"])
    assert result.exit_code == 3
    assert "invalid TOML" in result.stderr and "battery.toml:1" in result.stderr
    assert "computed 1 of 2 batteries" in result.stderr
    assert result.stdout.startswith("battery,stage,metric,value,unit\n")


def test_one_file_per_battery_into_a_folder(tmp_path: Path) -> None:
    result = RUNNER.invoke(app_(), ["calc", str(SAMPLES), "-f", "json", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{p.parent.name}.json" for p in PROJECTS)
    ev = json.loads((tmp_path / "ev-nmc811-hu.json").read_text())
    assert ev == _single(SAMPLES / "ev-nmc811-hu" / "battery.toml")


def test_monte_carlo_is_byte_identical_for_a_seed() -> None:
    ev = str(SAMPLES / "ev-nmc811-hu" / "battery.toml")
    args = ["calc", ev, "--uncertainty", "2000", "--seed", "7", "--format", "json"]
    first = RUNNER.invoke(app_(), args)
    second = RUNNER.invoke(app_(), args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    other = RUNNER.invoke(app_(), [*args[:-4], "--seed", "8", "--format", "json"])
    assert other.stdout != first.stdout
    data = json.loads(first.stdout)["uncertainty"]
    assert data["draws"] == 2000 and data["random_inputs"] >= 5
    total = data["summary"]["total"]
    assert total["p2_5"] < total["median"] < total["p97_5"]
    shares = data["contribution_to_variance"]
    assert sum(x["share"] for x in data["inputs"]) == pytest.approx(1.0, abs=1e-6)
    assert sum(c["share"] for c in shares) <= 1.0
    # every input names where its spread comes from: stated, the factor set or data quality
    origins = {x["origin"].split(" ")[0] for x in data["inputs"]}
    assert origins <= {"stated", "factor", "data"} and "data" in origins
    # the widest spread on the largest production line leads (amount_gsd 1.3 on 1 570 kWh)
    assert shares[0]["input"] == "amount of cell manufacturing (cell supplier's plant) electricity"
    # the end-of-life credit moves with its materials' drawn factors
    eol = data["summary"]["end_of_life"]
    assert eol["p2_5"] < eol["p97_5"]


def test_monte_carlo_mean_converges_for_symmetric_inputs() -> None:
    from carbonfp.model import Factor

    fs = make_factor_set({"steel-sheet": ("materials", 2.0, "kg CO2e/kg")})
    steel = replace(fs.factors["steel-sheet"], low=1.0, high=3.0)  # symmetric triangular
    fs = replace(fs, factors={"steel-sheet": steel})
    assert isinstance(steel, Factor)
    project = make_project([make_line("steel-sheet", 100.0)])
    deterministic = calculate(project, fs, make_rules()).total_kg_co2e_per_kwh
    result = calculate(project, fs, make_rules(), uncertainty=40_000, seed=1).uncertainty
    assert result is not None
    assert result.summary["total"]["mean"] == pytest.approx(deterministic, rel=5e-3)
    assert result.summary["total"]["p2_5"] < deterministic < result.summary["total"]["p97_5"]
    assert result.contributions == (("factor steel-sheet", pytest.approx(1.0)),)


def test_impossible_distribution_is_an_input_error_naming_the_line(tmp_path: Path) -> None:
    from tests.support import write_project_files

    bom = "component,material,quantity,unit,quantity_gsd\ntray,aluminium-primary,10,kg,0.5\n"
    project = write_project_files(tmp_path, bom=bom)
    result = RUNNER.invoke(app_(), ["calc", str(project), "--uncertainty", "100"])
    assert result.exit_code == 3
    assert "bom.csv:2" in result.stderr and "at least 1" in result.stderr


def test_explain_trace_adds_up_to_the_stage_total() -> None:
    ev = SAMPLES / "ev-nmc811-hu" / "battery.toml"
    result = RUNNER.invoke(
        app_(), ["explain", str(ev), "--stage", "production", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    decl = calculate(load_project(ev), FACTORS, RULES)
    trace = data["trace"]
    assert sum(t["kg_co2e"] for t in trace["terms"]) == pytest.approx(trace["kg_co2e"])
    assert trace["kg_co2e"] == pytest.approx(decl.stage(Stage.PRODUCTION).kg_co2e)
    assert data["hotspots"][0]["component"] == decl.top_contributors(1)[0].line.label
    text = RUNNER.invoke(app_(), ["explain", str(ev), "--top", "3"])
    assert "How raw_materials" in text.stdout


def test_end_of_life_credit_moves_with_the_drawn_material_factor() -> None:
    """CFF: (1 - A) R2 (ErecEoL - E*v) falls as E*v rises, so the net of a material and its
    credit varies less than the material alone."""
    from carbonfp.errors import Location
    from carbonfp.model import CffMaterial, EndOfLife, EolMaterial, SuppliedFactor

    rules = make_rules(cff=(CffMaterial("copper", ("copper*",), a=0.2, r2=0.9),))
    line = make_line(
        "copper-foil", 10.0, supplied=SuppliedFactor(5.0, "kg CO2e/kg", "s"), factor_gsd=1.5
    )
    end = EndOfLife(
        "recycling",
        {"copper": EolMaterial("copper", recycling=SuppliedFactor(1.0, "kg CO2e/kg", "r"))},
        Location("battery.toml"),
    )
    project = replace(make_project([line]), end_of_life=end)
    fs = make_factor_set({})
    result = draw_project(project, fs, rules, 20_000, seed=3)
    raw = result.stage_per_kwh(Stage.RAW_MATERIALS)
    eol = result.stage_per_kwh(Stage.END_OF_LIFE)
    assert float(((raw - raw.mean()) * (eol - eol.mean())).mean()) < 0  # they move oppositely
    # net per draw: E*v m (1 - 0.72) + 0.72 * 1: exactly linear in the raw-materials draw
    e_total = calculate(project, fs, rules).functional_unit.total_energy_kwh
    net = (raw + eol) * e_total
    expected = raw * e_total * (1 - 0.72) + 0.72 * 1.0 * 10.0
    assert net == pytest.approx(expected)


def test_the_variants_sample_runs_in_one_pass() -> None:
    folder = SAMPLES / "variants"
    result = RUNNER.invoke(
        app_(),
        [
            "calc",
            str(folder / "variants.csv"),
            "--batteries",
            str(folder / "batteries.csv"),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["battery"]["model"] for r in rows] == ["V000000", "V000001", "V000002", "V000003"]
    totals = [r["carbon_footprint"]["total_kg_co2e_per_kwh"] for r in rows]
    assert all(0.05 < t < 0.5 for t in totals)  # M1 band
    assert all(len(r["lines"]) == 60 for r in rows)
    assert "computed 4 of 4 batteries" in result.stderr
