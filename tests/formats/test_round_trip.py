"""Round trip: the EV sample's cell exported as PACT v3 (one piece: the cell), then used as the
pack's supplier factor.

The cell project is the sample's cell BOM plus the cell's share of the cell-plant energy (the
sample allocates it per kWh of capacity: 78.1 kWh nominal for 96 cells). The pack project is the
sample with its cell line taking its factor from that PACT file (96 pieces; the footprint's
declared unit is one piece, the cell, of its mass) and without the cell-plant energy, which the
cell's footprint now holds. A PACT footprint is cradle-to-gate, so the pack's raw materials +
production, and its distribution, are the same both ways. The end-of-life formula (CFF) credits
the pack's materials line by line; the cell's materials go into the cell's footprint and come
back as one line in pieces, so their end-of-life terms need the cell's own BOM: with the
formula switched off the whole result is the same.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from exchange_support import EV, declare, pact_errors

from carbonfp.formats.pact import pact_footprint
from carbonfp.model import DataType, Declaration, Ruleset, Stage

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SAMPLE = EV.parent
CELLS = 96


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)  # a TOML basic string is a JSON string for this text


def toml_blocks(name: str, blocks: list[dict[str, object]]) -> str:
    out = []
    for block in blocks:
        out.append(f"[[{name}]]")
        out += [f"{key} = {toml_value(value)}" for key, value in block.items()]
        out.append("")
    return "\n".join(out)


def is_cell_plant(block: dict[str, object]) -> bool:
    return "cell" in str(block.get("process", "")).lower()


def build(tmp_path: Path) -> tuple[Path, Path]:
    """Write the cell project and the pack-with-PACT project; return both project files."""
    battery = tomllib.loads((SAMPLE / "battery.toml").read_text(encoding="utf-8"))
    energy = tomllib.loads((SAMPLE / "energy.toml").read_text(encoding="utf-8"))
    nominal_kwh = float(battery["battery"]["nominal_capacity"].split()[0])
    cell_text = (SAMPLE / "cell.csv").read_text(encoding="utf-8")
    cell_kg = sum(float(r["quantity"]) for r in csv.DictReader(io.StringIO(cell_text)))

    cell = tmp_path / "cell"
    cell.mkdir()
    shutil.copy(SAMPLE / "cell.csv", cell / "cell.csv")
    cell_capacity = nominal_kwh / CELLS
    (cell / "battery.toml").write_text(
        f"""[battery]
model = "EXC-220 prismatic cell"
category = "EV"
vehicle_category = "M1"
chemistry = "NMC811"
usable_capacity = "{cell_capacity!r} kWh"
nominal_capacity = "{cell_capacity!r} kWh"
mass = "{cell_kg!r} kg"
warranty_years = 8

[manufacturer]
name = "Example Cell Co."
company_id = "urn:pact:cells.example.com:supplier-id:220"

[plant]
name = "Example cell plant"
town = "Changzhou"
region = "Jiangsu"
country = "CN"

[declaration]
product_id = "urn:pact:cells.example.com:product-id:EXC-220"
reference_period_start = 2025-01-01
reference_period_end = 2026-01-01

[inputs]
bom = "cell.csv"

"""
        + toml_blocks("electricity", [b for b in energy.get("electricity", []) if is_cell_plant(b)])
        + toml_blocks("fuel", [b for b in energy.get("fuel", []) if is_cell_plant(b)]),
        encoding="utf-8",
    )

    pack = tmp_path / "pack"
    shutil.copytree(SAMPLE, pack)
    rows = list(csv.reader(io.StringIO((SAMPLE / "bom.csv").read_text(encoding="utf-8"))))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("material")] == "bom:cell.csv":
            assert row[header.index("quantity")] == str(CELLS)
            row[header.index("material")] = "cell-nmc811"
            row[header.index("factor_source")] = "pact:cell-pcf.json"
    with (pack / "bom.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    kept = {
        kind: [b for b in blocks if not is_cell_plant(b)]
        for kind, blocks in energy.items()
        if isinstance(blocks, list)
    }
    (pack / "energy.toml").write_text(
        "".join(toml_blocks(kind, blocks) for kind, blocks in kept.items()), encoding="utf-8"
    )
    return cell / "battery.toml", pack / "battery.toml"


def round_trip(tmp_path: Path, rules: Ruleset | None = None) -> tuple[Declaration, Declaration]:
    cell_file, pack_file = build(tmp_path)
    cell, _ = declare(cell_file, rules)
    footprint = pact_footprint(cell).data
    assert pact_errors(footprint) == []
    (pack_file.parent / "cell-pcf.json").write_text(json.dumps(footprint), encoding="utf-8")
    own, _ = declare(EV, rules)
    via_pact, _ = declare(pack_file, rules)
    return own, via_pact


def gate(decl: Declaration) -> float:
    return decl.stage(Stage.RAW_MATERIALS).kg_co2e + decl.stage(Stage.PRODUCTION).kg_co2e


def test_cell_energy_blocks_are_found() -> None:
    energy = tomllib.loads((SAMPLE / "energy.toml").read_text(encoding="utf-8"))
    assert [b for b in energy["electricity"] if is_cell_plant(b)]
    assert [b for b in energy["fuel"] if is_cell_plant(b)]
    assert [b for b in energy["electricity"] if not is_cell_plant(b)]


def test_pack_via_pact_equals_pack_with_the_cell_bom(tmp_path: Path) -> None:
    own, via_pact = round_trip(tmp_path)
    assert gate(via_pact) == pytest.approx(gate(own), rel=1e-9)
    assert via_pact.stage(Stage.DISTRIBUTION).kg_co2e == pytest.approx(
        own.stage(Stage.DISTRIBUTION).kg_co2e, rel=1e-12
    )
    assert via_pact.functional_unit == own.functional_unit
    cells = [r for r in via_pact.lines if r.line.factor_id == "cell-nmc811"]
    assert len(cells) == 1
    line = cells[0]
    assert line.line.quantity == CELLS and line.line.unit == "pcs"
    assert line.line.data_type is DataType.SUPPLIER
    assert "Example Cell Co." in line.factor_source and "PACT v3" in line.factor_source
    own_cell_kg = sum(
        r.kg_co2e for r in own.lines if r.line.label.startswith("cells (x96) >")
    ) + sum(
        r.kg_co2e
        for r in own.lines
        if r.line.kind.value in ("electricity", "fuel") and "cell" in r.line.label
    )
    assert line.kg_co2e == pytest.approx(own_cell_kg, rel=1e-9)


def test_without_the_end_of_life_formula_the_whole_result_is_equal(tmp_path: Path) -> None:
    rules = replace(declare(EV)[1], cff=())
    own, via_pact = round_trip(tmp_path, rules)
    assert via_pact.total_kg_co2e_per_kwh == pytest.approx(own.total_kg_co2e_per_kwh, rel=1e-9)
    for stage in (Stage.DISTRIBUTION, Stage.END_OF_LIFE):
        assert via_pact.stage(stage).kg_co2e == pytest.approx(own.stage(stage).kg_co2e, rel=1e-9)
