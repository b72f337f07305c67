"""Write a portfolio of N battery variants x 60 lines as Parquet, fast enough for a million.

The same 60 lines per battery as make_variants.py (48 material lines on shipped factor ids, 4
supplier lines with their own factor, grid electricity of a random country, natural gas, a
refrigerant line, 4 transport legs), amounts drawn with numpy from a fixed seed, written in row
groups of 10 000 batteries; the battery table beside it as CSV (one row per battery). The lines'
quantities are float64, the text columns dictionary-encoded strings.
Usage: python bench/make_portfolio.py N OUT_DIR   (writes lines.parquet and batteries.csv)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_variants import GRIDS, LINES

GROUP = 10_000  # batteries per row group
CAPACITIES = np.array([50.0, 60.0, 75.0, 90.0, 100.0])
SUPPLIERS = (
    ("cathode active material", 22.0),
    ("copper foil", 7.0),
    ("electrolyte", 7.0),
    ("separator", 6.0),
)
# (component, material, unit, stage, factor, source) of the 60 lines; quantities apart
TEMPLATE: list[tuple[str, str, str, str, str, str]] = [
    (f"{part} {mid}", mid, unit, stage, "", "")
    for part in ("cells", "modules", "pack")
    for mid, unit, _, stage in LINES
]
TEMPLATE += [
    (name, name.replace(" ", "-"), "kg", "", f"{value} kg CO2e/kg", "benchmark supplier value")
    for name, value in SUPPLIERS
]
TEMPLATE += [
    ("cell manufacturing electricity", "GRID", "kWh", "", "", ""),
    ("pack assembly electricity", "grid-hu", "kWh", "", "", ""),
    ("cell drying natural gas", "natural-gas", "MJ", "", "", ""),
    ("dry room leak", "hfc", "kg", "production", "1530 kg CO2e/kg", "AR6 GWP100 of HFC-134a"),
    ("cells by sea", "sea-container-average", "t*km", "raw_materials", "", ""),
    ("cells by truck", "truck-hgv-average", "t*km", "raw_materials", "", ""),
    ("parts by truck", "truck-hgv-average", "t*km", "raw_materials", "", ""),
    ("to vehicle plant", "truck-hgv-average", "t*km", "distribution", "", ""),
]
assert len(TEMPLATE) == 60
PER = len(TEMPLATE)


def _dictionary(values: list[str], codes: np.ndarray) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(values))


def _group(start: int, n: int, rng: np.random.Generator) -> tuple[pa.Table, list[str]]:
    capacity = CAPACITIES[rng.integers(0, len(CAPACITIES), n)]
    quantity = np.empty((n, PER))
    typical = np.array([amount for _, _, amount, _ in LINES] * 3)
    quantity[:, :48] = np.round(
        typical * capacity[:, None] / 75 * rng.uniform(0.8, 1.2, (n, 48)) / 3, 4
    )
    quantity[:, 48:52] = np.round(rng.uniform(0.5, 100.0, (n, 4)), 3)
    quantity[:, 52] = np.round(20.1 * capacity, 2)
    quantity[:, 53] = 250.0
    quantity[:, 54] = np.round(77 * capacity, 1)
    quantity[:, 55] = 0.005
    quantity[:, 56:60] = [0.3 * 19500, 0.3 * 800, 0.1 * 800, 0.4 * 900]
    grid = rng.integers(0, len(GRIDS), n)
    materials = [m for _, m, _, _, _, _ in TEMPLATE if m != "GRID"] + list(GRIDS)
    material_code = np.tile(
        np.array([materials.index(m) if m != "GRID" else -1 for _, m, *_ in TEMPLATE]), (n, 1)
    )
    material_code[:, 52] = len(materials) - len(GRIDS) + grid
    ids = [f"V{i:07d}" for i in range(start, start + n)]
    line_of = np.tile(np.arange(PER), n)

    def column(k: int) -> pa.DictionaryArray:
        values = sorted({t[k] for t in TEMPLATE})
        return _dictionary(values, np.array([values.index(t[k]) for t in TEMPLATE])[line_of])

    table = pa.table(
        {
            "battery": _dictionary(ids, np.repeat(np.arange(n), PER)),
            "component": column(0),
            "material": _dictionary(materials, material_code.reshape(-1)),
            "quantity": pa.array(quantity.reshape(-1), pa.float64()),
            "unit": column(2),
            "stage": column(3),
            "factor": column(4),
            "factor_source": column(5),
        }
    )
    rows = [
        f"{b},EV,M1,NMC811,{c} kWh,{round(c * 5.3)} kg,8,160000 km,15000 km,Example Battery "
        "Systems,Example pack plant,Example town,Example region,HU"
        for b, c in zip(ids, capacity.tolist(), strict=True)
    ]
    return table, rows


def main(n: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261202)
    writer = None
    with open(out / "batteries.csv", "w", encoding="utf-8") as batteries:
        batteries.write(
            "battery,category,vehicle_category,chemistry,usable_capacity,mass,warranty_years,"
            "warranty_km,annual_distance,manufacturer.name,plant.name,plant.town,plant.region,"
            "plant.country\n"
        )
        for start in range(0, n, GROUP):
            table, rows = _group(start, min(GROUP, n - start), rng)
            if writer is None:
                writer = pq.ParquetWriter(out / "lines.parquet", table.schema)
            writer.write_table(table)
            batteries.write("\n".join(rows) + "\n")
    assert writer is not None
    writer.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
