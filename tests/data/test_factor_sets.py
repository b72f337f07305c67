"""The shipped factor sets and ruleset: hashes, sources, licences, units (data tests).

Rows are read here with tomllib, not with carbonfp's loader, so a loader that stops checking
something does not make these tests pass by accident.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from support import SHIPPED_SET, SHIPPED_SETS

from carbonfp.data.factor_sets import (
    LICENSES,
    TABLES,
    load_factor_set,
    sha256_file,
    validate_set,
)
from carbonfp.data.rulesets import load_rules
from carbonfp.errors import FactorDataError
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
