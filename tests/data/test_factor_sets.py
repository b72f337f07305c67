"""The shipped factor sets and ruleset: hashes, sources, licences, units (data tests).

Rows are read here with tomllib, not with carbonfp's loader, so a loader that stops checking
something does not make these tests pass by accident.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from support import SHIPPED_SET, SHIPPED_SETS, make_line, make_project
from typer.testing import CliRunner

from carbonfp import calculate, load_project
from carbonfp.cli import app
from carbonfp.data.factor_sets import (
    LICENSES,
    TABLES,
    diff_sets,
    load_factor_set,
    load_factors,
    sha256_file,
    validate_set,
)
from carbonfp.data.rulesets import load_rules
from carbonfp.errors import FactorDataError, InputError
from carbonfp.method.electricity import LIST_ALL, choices
from carbonfp.model import FactorSet, LineKind, Stage
from carbonfp.units import emission_scale, parse_unit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Licences a shipped row may carry: the allow-list minus what only users' own sets may use.
SHIPPED_LICENSES = set(LICENSES) - {"proprietary"}

#: Per table: the unit of the amount a factor multiplies, and a plausible range of the factor in
#: kg CO2e per that unit. A unit slip (g for kg) or a misplaced decimal point lands outside.
PLAUSIBLE = {
    "materials": ("kg", 0.0, 200.0),
    "end_of_life": ("kg", -50.0, 50.0),
    "electricity": ("kWh", 0.0, 1.5),
    "fuels": ("MJ", 0.0, 0.2),
    "transport": ("t*km", 0.0, 2.0),
    "screening": ("kWh", 0.0, 300.0),  # kg CO2e per kWh of battery capacity
}


def set_id(folder: Path) -> str:
    return f"{folder.parent.name}@{folder.name}"


def toml(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def raw_rows(folder: Path) -> list[tuple[str, dict[str, object]]]:
    rows = []
    for table in TABLES:
        path = folder / f"{table}.toml"
        if path.is_file():
            factor_rows = toml(path).get("factor", [])
            assert isinstance(factor_rows, list)
            rows += [(table, row) for row in factor_rows]
    return rows


def raw_sources(folder: Path) -> dict[str, dict[str, object]]:
    sources = toml(folder / "sources.toml")["source"]
    assert isinstance(sources, list)
    return {str(s["key"]): s for s in sources}


ROWS = [
    pytest.param(folder, table, row, id=f"{set_id(folder)}:{table}:{row.get('id')}")
    for folder in SHIPPED_SETS
    for table, row in raw_rows(folder)
]
SETS = [pytest.param(folder, id=set_id(folder)) for folder in SHIPPED_SETS]


def test_there_are_shipped_sets() -> None:
    assert SHIPPED_SET in SHIPPED_SETS
    assert len(ROWS) > 50


@pytest.mark.parametrize("folder", SETS)
def test_every_shipped_set_validates(folder: Path) -> None:
    assert [str(problem) for problem in validate_set(folder)] == []
    loaded = load_factor_set(str(folder))
    assert loaded.label == set_id(folder)
    assert len(loaded.factors) == len(raw_rows(folder))
    assert loaded.sha256 == sha256_file(folder / "manifest.toml")


@pytest.mark.parametrize("folder", SETS)
def test_manifest_lists_every_file_with_its_hash(folder: Path) -> None:
    files = toml(folder / "manifest.toml")["files"]
    assert isinstance(files, dict)
    on_disk = sorted(p.name for p in folder.glob("*.toml") if p.name != "manifest.toml")
    assert sorted(files) == on_disk
    for name, digest in files.items():
        assert sha256_file(folder / name) == digest, name


@pytest.mark.parametrize(("folder", "table", "row"), ROWS)
def test_every_row_cites_a_known_source_under_an_allowed_licence(
    folder: Path, table: str, row: dict[str, object]
) -> None:
    sources = raw_sources(folder)
    assert row.get("source") in sources
    assert sources[str(row["source"])].get("license") in SHIPPED_LICENSES
    assert row.get("locator"), "no locator (table, page) for the value"


@pytest.mark.parametrize(("folder", "table", "row"), ROWS)
def test_every_row_is_co2e_per_amount_and_plausible(
    folder: Path, table: str, row: dict[str, object]
) -> None:
    unit = str(row["unit"])
    assert dict(parse_unit(unit).dimensionality).get("[co2e]") == 1, unit
    value = row["value"]
    assert isinstance(value, (int, float)) and not isinstance(value, bool)
    assert table in PLAUSIBLE, f"new table {table!r}: add its unit and range to PLAUSIBLE"
    amount_unit, low, high = PLAUSIBLE[table]
    kg = value * emission_scale(amount_unit, unit)  # raises on a wrong dimension
    assert low < kg < high, f"{value} {unit} = {kg:g} kg CO2e per {amount_unit}"


@pytest.mark.parametrize("folder", SETS)
def test_ids_are_unique_across_tables(folder: Path) -> None:
    ids = [str(row["id"]) for _, row in raw_rows(folder)]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


@pytest.mark.parametrize("folder", SETS)
def test_every_source_is_complete(folder: Path) -> None:
    for key, source in raw_sources(folder).items():
        assert source.get("license") in SHIPPED_LICENSES, key
        assert source.get("attribution"), key
        assert str(source.get("url", "")).startswith("https://"), key
        assert isinstance(source.get("year"), int), key


@pytest.mark.parametrize("folder", SETS)
def test_loaded_rows_carry_their_source_licence(folder: Path) -> None:
    loaded = load_factor_set(str(folder))
    for fid, factor in loaded.factors.items():
        assert factor.source in loaded.sources, fid
        assert factor.license == loaded.sources[factor.source].license, fid


@pytest.mark.parametrize("folder", SETS)
def test_gwp_sets(folder: Path) -> None:
    loaded = load_factor_set(str(folder))
    assert "AR6" in loaded.gwp
    for name, gases in loaded.gwp.items():
        assert gases.get("CO2") == 1.0, name
        assert all(v > 0 for v in gases.values()), name
        assert loaded.gwp_sources[name] in loaded.sources


def test_the_shipped_ruleset() -> None:
    rules = load_rules("eu-ev-draft-2024-04")
    assert rules.legal_status == "draft"
    assert set(rules.stage_by_kind) == set(LineKind) - {LineKind.TRANSPORT}
    assert rules.stage_by_kind[LineKind.MATERIAL] is Stage.RAW_MATERIALS
    assert rules.stage_by_kind[LineKind.ELECTRICITY] is Stage.PRODUCTION
    assert rules.fec_per_year["M1"] == 60 and rules.fec_per_year["L"] == 20
    assert rules.fec_per_year["M3"] == 250
    assert rules.km_per_year == {}  # not published: never a silent default
    factors = load_factor_set(rules.default_factor_set)
    assert factors.label == rules.default_factor_set
    assert rules.gwp_set in factors.gwp


def test_no_class_limits_are_shipped() -> None:
    """METHOD.md s.1: performance-class limits do not exist yet; ship none."""
    rule_files = sorted((SHIPPED_SET.parents[2] / "rules").glob("*.toml"))
    assert rule_files
    for path in rule_files:
        assert toml(path).get("performance_classes", {}) == {}, path.name


# --- tampering --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> FactorSet:
    return load_factor_set(str(SHIPPED_SET))


def copy_set(tmp_path: Path) -> Path:
    folder = tmp_path / "carbonfp-open" / SHIPPED_SET.name
    shutil.copytree(SHIPPED_SET, folder)
    return folder


def change_one_byte(path: Path) -> None:
    """Swap the case of one letter of the file's opening comment: still valid TOML."""
    data = bytearray(path.read_bytes())
    assert data.startswith(b"#"), f"{path.name} no longer opens with a comment"
    index = next(i for i, b in enumerate(data) if chr(b).isalpha())
    data[index] ^= 0x20
    path.write_bytes(bytes(data))


def test_an_untouched_copy_loads(tmp_path: Path, shipped: FactorSet) -> None:
    assert load_factor_set(str(copy_set(tmp_path))).factors == shipped.factors


@pytest.mark.parametrize(
    "name", sorted(p.name for p in SHIPPED_SET.glob("*.toml") if p.name != "manifest.toml")
)
def test_one_changed_byte_is_a_hash_mismatch(tmp_path: Path, name: str) -> None:
    folder = copy_set(tmp_path)
    change_one_byte(folder / name)
    with pytest.raises(FactorDataError) as info:
        load_factor_set(str(folder))
    error = info.value
    assert error.code == "hash-mismatch"
    assert name in error.message
    assert error.where is not None and error.where.file.endswith(name)
    assert error.hint
    assert [p.code for p in validate_set(folder)] == ["hash-mismatch"]


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)
    (folder / "transport.toml").unlink()
    with pytest.raises(FactorDataError) as info:
        load_factor_set(str(folder))
    assert info.value.code == "factor-data-missing-file"
    assert "transport.toml" in str(info.value)


def test_an_unlisted_file_is_refused(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)
    (folder / "extra.toml").write_text("[[factor]]\n", encoding="utf-8")
    with pytest.raises(FactorDataError) as info:
        load_factor_set(str(folder))
    assert info.value.code == "unlisted-file"


def test_unknown_set_and_ruleset() -> None:
    with pytest.raises(FactorDataError) as info:
        load_factor_set("no-such-set")
    assert info.value.code == "unknown-factor-set"
    assert info.value.hint and "carbonfp-open" in info.value.hint
    with pytest.raises(FactorDataError) as info:
        load_factor_set("carbonfp-open@1999.1")
    assert info.value.code == "unknown-factor-set"
    with pytest.raises(FactorDataError) as info:
        load_rules("no-such-rules")
    assert info.value.code == "unknown-ruleset"


# --- released versions and carbonfp-open 2026.2 ----------------------------------------------

SETS_DIR = SHIPPED_SET.parent
NEW = SETS_DIR / "2026.2"

#: sha256 of each released version's manifest.toml, which holds the sha256 of each of its files:
#: a released version is never edited, byte for byte.
RELEASED = {
    "2026.0": "f28c87eabe5d511a14b8de0b6958a7c6c47ed62efb306963e6391148dafe22a6",
    "2026.1": "5ca2126d283552c7fe9d496ddd49a4e0d8c9d6e7cbf572b48f18fede5ebaef46",
}

#: Countries issue 13 names, and the EU-27: each must have its national grid in 2026.2.
EU27 = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
OTHERS = "GB NO CH IS US CA MX CN JP KR IN ID TR MA AU"
NAMED = f"{EU27} {OTHERS}".split()


def rows_by_id(folder: Path) -> dict[str, dict[str, object]]:
    return {str(row["id"]): row for _, row in raw_rows(folder)}


def grids(folder: Path) -> dict[str, dict[str, object]]:
    return {k: r for k, r in rows_by_id(folder).items() if k.startswith("grid-")}


@pytest.mark.parametrize("version", sorted(RELEASED))
def test_released_versions_are_untouched(version: str) -> None:
    folder = SETS_DIR / version
    assert sha256_file(folder / "manifest.toml") == RELEASED[version]
    assert validate_set(folder) == []  # every file still matches the manifest


def test_2026_2_ships_a_grid_for_every_country_named_and_the_eu27_average() -> None:
    rows = grids(NEW)
    missing = [c for c in NAMED if f"grid-{c.lower()}" not in rows]
    assert missing == []
    assert rows["grid-eu27"]["region"] == "EU-27"
    assert len(rows) > 10 * len(grids(SETS_DIR / "2026.1"))  # 221 against 21


def test_2026_2_grid_rows_say_what_they_read_where() -> None:
    """Each grid row quotes its file key, data year and value in its locator: the value is the
    file's, not a rounding of it; a country's id, region and ISO code agree."""
    for fid, row in grids(NEW).items():
        locator = str(row["locator"])
        assert "average-intensities.json (co2.js commit b459b5e5)" in locator, fid
        quoted = re.search(r"year (\d{4}), emissions_intensity_gco2_per_kwh ([0-9.]+)$", locator)
        assert quoted, fid
        assert int(quoted.group(1)) == row["year"], fid
        assert float(quoted.group(2)) == row["value"], fid
        code = fid.removeprefix("grid-")
        if len(code) == 2:
            assert row["region"] == code.upper(), fid
        assert row["source"] == "ember-2025" and row["read_in"] == "primary", fid


def test_2026_2_reads_2026_1_grids_again_without_rounding() -> None:
    """Same file, same commit: 2026.1 shipped each of its grids rounded to 0.1 g."""
    old, new = grids(SETS_DIR / "2026.1"), grids(NEW)
    assert set(old) <= set(new)
    for fid, row in old.items():
        assert new[fid]["year"] == row["year"], fid
        assert abs(float(new[fid]["value"]) - float(row["value"])) <= 0.05 + 1e-9, fid  # type: ignore[arg-type]


def test_diff_shows_what_came_in_2026_2() -> None:
    old, new = rows_by_id(SETS_DIR / "2026.1"), rows_by_id(NEW)
    changes = diff_sets(
        load_factor_set("carbonfp-open@2026.1"), load_factor_set("carbonfp-open@2026.2")
    )
    by_kind: dict[str, set[str]] = {}
    for change in changes:
        by_kind.setdefault(change["change"], set()).add(change["id"])
    assert by_kind["added"] == set(new) - set(old)
    assert {"grid-it", "grid-gb", "grid-at", "natural-gas-wtt", "diesel-wtt"} <= by_kind["added"]
    assert by_kind["removed"] == set(old) - set(new) == {"greet-materials-lmo"}
    for change in changes:
        if change["change"] == "changed":
            assert change["new"] == new[change["id"]]["value"]
            assert change["old"] == old[change["id"]]["value"]
    steel = next(c for c in changes if c["id"] == "steel-sheet")  # a corrected locator shows
    assert "read_in: secondary -> primary" in steel["detail"]
    assert f"locator now: {new['steel-sheet']['locator']}" in steel["detail"]
    result = CliRunner().invoke(
        app, ["factors", "diff", "carbonfp-open@2026.1", "carbonfp-open@2026.2"]
    )
    assert result.exit_code == 0, result.stderr
    assert f"{len(by_kind['added'])} added, 1 removed" in result.stdout
    assert re.search(r"^added +electricity +grid-it +287.75", result.stdout, flags=re.M)


def test_2026_2_values_are_as_published() -> None:
    """Values quoted in the locators equal the row's value: DESNZ per tonne = 1000 x the value
    per kg, Istrate's results file and the GREET compilation to their full precision."""
    rows = rows_by_id(NEW)
    desnz = [
        r for r in rows.values() if r["source"] == "desnz-2025" and r.get("unit") == "kg CO2e/kg"
    ]
    assert {"steel-sheet", "aluminium-foil"} <= {str(r["id"]) for r in desnz}
    for row in desnz:
        per_tonne = re.search(r": ([0-9.]+) kg CO2e per tonne$", str(row["locator"]))
        assert per_tonne, row["id"]
        assert float(per_tonne.group(1)) == pytest.approx(float(row["value"]) * 1000, rel=1e-12)  # type: ignore[arg-type]
    assert "'Metal: steel cans'" in str(rows["steel-sheet"]["locator"])
    assert "'Metal: aluminium cans and foil (excl. forming)'" in str(
        rows["aluminium-foil"]["locator"]
    )
    for row in rows.values():
        if row["source"] in ("istrate-2024", "greet-2024"):
            assert repr(row["value"]) in str(row["locator"]), row["id"]


def test_2026_2_fuels_say_their_heating_value_and_upstream_part() -> None:
    fuels = {str(r["id"]): r for table, r in raw_rows(NEW) if table == "fuels"}
    for fid, row in fuels.items():
        text = f"{row['name']} {row['note']}".lower()
        assert "higher heating value" in text or "gross calorific value" in text, fid
        if fid.endswith("-wtt"):  # an upstream part goes with a combustion row, same basis
            assert fid.removesuffix("-wtt") in fuels
            assert "(hhv)" in str(row["name"]).lower() and "gross cv" in str(row["locator"]).lower()
    assert {"natural-gas-wtt", "diesel-wtt"} <= set(fuels)


def test_2026_2_methane_provenance_names_its_table() -> None:
    gwp = toml(NEW / "gwp.toml")["gwp_set"]
    assert isinstance(gwp, list)
    ar6 = next(s for s in gwp if s["id"] == "AR6")
    assert ar6["gwp100"]["CH4-fossil"] == 29.8
    assert "Table 7.15" in ar6["locator"] and "not in the CC0 copy" in ar6["locator"]


def test_an_unknown_grid_names_the_nearest_choices() -> None:
    factors, rules = load_factors(["carbonfp-open@2026.2"]), load_rules("eu-ev-draft-2024-04")
    countries = {k.removeprefix("grid-").upper() for k in factors.factors if k.startswith("grid-")}
    assert "LI" not in countries  # Liechtenstein: not in Ember's data
    line = make_line("grid-li", 1000.0, "kWh", LineKind.ELECTRICITY)
    with pytest.raises(InputError) as info:
        calculate(make_project([line]), factors, rules)
    error = info.value
    assert error.code == "unknown-factor" and error.where == line.where
    assert "'grid-li'" in error.message and error.hint
    nearest = re.search(r"nearest: ([^;]+);", error.hint)
    assert nearest
    suggested = re.findall(r"\b([A-Z][A-Z])\b \(", nearest.group(1))
    assert 1 <= len(suggested) <= 5
    assert all(c in countries and ("L" in c or "I" in c) for c in suggested)  # spelt close
    assert "EU27 (European Union (EU-27))" in error.hint and "WORLD" in error.hint
    assert f"lists all {len(countries)}" in error.hint
    named = make_line("grid-italy", 1000.0, "kWh", LineKind.ELECTRICITY)  # a name, not a code
    with pytest.raises(InputError) as info:
        calculate(make_project([named]), factors, rules)
    assert info.value.hint and info.value.hint.startswith("nearest: IT (Italy);")
    technologies = sorted(k.removeprefix("tech-") for k in factors.factors if k.startswith("tech-"))
    assert len(technologies) <= LIST_ALL  # a short kind is still listed whole
    assert choices(factors, "tech-tidal") == "known: " + ", ".join(technologies)


TRUCK_BOM = """component,material,quantity,unit,factor,factor_source
cathode,cam-nmc622,520,kg,{cam},
anode,graphite-synthetic,330,kg,,
electrolyte,electrolyte,260,kg,{electrolyte},
separator,separator,40,kg,{separator},
anode foil,copper-foil,150,kg,{copper},
cathode foil,aluminium-foil,90,kg,,
housing,aluminium-primary,350,kg,,
"""

TRUCK_ENERGY = """[[electricity]]
process = "cell and pack production"
amount = "20000 kWh"
basis = "per_battery"

[[fuel]]
process = "electrode drying"
fuel = "natural-gas"
amount = "30000 MJ"
basis = "per_battery"

[[fuel]]
process = "electrode drying, gas supply"
fuel = "natural-gas-wtt"
amount = "30000 MJ"
basis = "per_battery"
"""


def write_truck(folder: Path, own: dict[str, str]) -> Path:
    """Issue 13's truck pack: NMC622, 400 kWh, made in Italy."""
    folder.mkdir(parents=True)
    (folder / "battery.toml").write_text(
        '[battery]\nmodel = "TRUCK-400"\ncategory = "EV"\nvehicle_category = "N3"\n'
        'chemistry = "NMC622"\nusable_capacity = "400 kWh"\nmass = "2600 kg"\n'
        'warranty_years = 8\n\n[manufacturer]\nname = "Truck Batteries"\n\n[plant]\n'
        'name = "Pack plant"\ntown = "Torino"\nregion = "Piemonte"\ncountry = "IT"\n\n'
        '[inputs]\nbom = "bom.csv"\nenergy = "energy.toml"\n',
        encoding="utf-8",
    )
    values = {k: own.get(k, "") for k in ("cam", "electrolyte", "separator", "copper")}
    bom = TRUCK_BOM.format(**values)
    if own:  # the user's own values name their source
        bom = re.sub(r"(kg CO2e/kg),$", r"\1,supplier PCF 2026", bom, flags=re.M)
    (folder / "bom.csv").write_text(bom, encoding="utf-8")
    (folder / "energy.toml").write_text(TRUCK_ENERGY, encoding="utf-8")
    return folder / "battery.toml"


def test_the_truck_pack_lists_in_one_run_every_line_that_needs_a_factor(tmp_path: Path) -> None:
    project = write_truck(tmp_path / "truck", {})
    result = CliRunner().invoke(
        app, ["check", str(project), "--factor-set", "carbonfp-open@2026.2", "-f", "json"]
    )
    assert result.exit_code == 3
    problems = json.loads(result.stdout)["projects"][0]["problems"]
    shipped = rows_by_id(NEW)
    bom = [line.split(",") for line in TRUCK_BOM.splitlines()[1:]]
    without = [f"bom.csv:{n}" for n, cells in enumerate(bom, 2) if cells[1] not in shipped]
    assert [p["where"] for p in problems] == without  # the Italian grid and the fuels resolve
    assert all(p["code"] == "unknown-factor" for p in problems)


def test_the_truck_pack_computes_its_energy_on_shipped_data(tmp_path: Path) -> None:
    """With its own values on the lines no open value covers, the truck pack computes on 2026.2:
    the Italian grid and natural gas with its upstream part come from the set."""
    own = {k: "10 kg CO2e/kg" for k in ("cam", "electrolyte", "separator", "copper")}
    project = write_truck(tmp_path / "truck", own)
    result = CliRunner().invoke(
        app, ["calc", str(project), "--factor-set", "carbonfp-open@2026.2", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert '"grid-it"' in result.stdout and '"natural-gas-wtt"' in result.stdout
    rows = rows_by_id(NEW)

    def per(fid: str, unit: str) -> float:
        """kg CO2e per ``unit`` of the row ``fid``, from the shipped file."""
        return float(rows[fid]["value"]) * emission_scale(unit, str(rows[fid]["unit"]))  # type: ignore[arg-type]

    expected = 20000 * per("grid-it", "kWh") + 30000 * (
        per("natural-gas", "MJ") + per("natural-gas-wtt", "MJ")
    )
    decl = calculate(
        load_project(project),
        load_factors(["carbonfp-open@2026.2"]),
        load_rules("eu-ev-draft-2024-04"),
    )
    assert decl.stage(Stage.PRODUCTION).kg_co2e == pytest.approx(expected, rel=1e-9)
