"""Write a long BOM of N battery variants x 60 lines and its battery table, deterministically.

Every variant is a car pack built from shipped factor ids (materials, grid electricity, fuel,
transport) with amounts varied by a seeded generator, so the benchmark exercises the factor
merge, unit scales and the group-by of the vectorised path.
Usage: python bench/make_variants.py N OUT_DIR
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

# (material id, unit, typical amount, stage or "")
LINES = [
    ("graphite-natural", "kg", 60.0, ""),
    ("graphite-synthetic", "kg", 10.0, ""),
    ("aluminium-primary", "kg", 40.0, ""),
    ("aluminium-foil", "kg", 12.0, ""),
    ("aluminium-recycled", "kg", 8.0, ""),
    ("steel-sheet", "kg", 30.0, ""),
    ("steel-crude", "kg", 4.0, ""),
    ("pp", "kg", 3.0, ""),
    ("pet", "kg", 1.0, ""),
    ("hdpe", "kg", 1.0, ""),
    ("pvc", "kg", 2.0, ""),
    ("plastics-average", "kg", 5.0, ""),
    ("electronics", "kg", 3.5, ""),
    ("lithium-hydroxide-spodumene", "kg", 5.0, ""),
    ("nickel-sulfate", "kg", 20.0, ""),
    ("cobalt-sulfate", "kg", 3.0, ""),
]
GRIDS = ["grid-cn", "grid-hu", "grid-pl", "grid-se", "grid-de", "grid-kr", "grid-us", "grid-fr"]


def main(n: int, out: Path) -> None:
    rng = random.Random(20261122)
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "variants.csv", "w", newline="") as bom_file,
        open(out / "batteries.csv", "w", newline="") as bat_file,
    ):
        bom = csv.writer(bom_file, lineterminator="\n")
        bat = csv.writer(bat_file, lineterminator="\n")
        bom.writerow(
            [
                "battery",
                "component",
                "material",
                "quantity",
                "unit",
                "stage",
                "factor",
                "factor_source",
            ]
        )
        bat.writerow(
            [
                "battery",
                "category",
                "vehicle_category",
                "chemistry",
                "usable_capacity",
                "mass",
                "warranty_years",
                "warranty_km",
                "annual_distance",
                "manufacturer.name",
                "plant.name",
                "plant.town",
                "plant.region",
                "plant.country",
            ]
        )
        for i in range(n):
            b = f"V{i:06d}"
            capacity = rng.choice([50.0, 60.0, 75.0, 90.0, 100.0])
            bat.writerow(
                [
                    b,
                    "EV",
                    "M1",
                    "NMC811",
                    f"{capacity} kWh",
                    f"{round(capacity * 5.3)} kg",
                    8,
                    "160000 km",
                    "15000 km",
                    "Example Battery Systems",
                    "Example pack plant",
                    "Example town",
                    "Example region",
                    "HU",
                ]
            )
            rows = 0
            # 3 x 16 material lines (cells, modules, pack)
            for part in ("cells", "modules", "pack"):
                for mid, unit, amount, stage in LINES:
                    qty = round(amount * capacity / 75 * rng.uniform(0.8, 1.2) / 3, 4)
                    bom.writerow([b, f"{part} {mid}", mid, qty, unit, stage, "", ""])
                    rows += 1
            # supplier lines with their own factor
            for name, value in (
                ("cathode active material", 22.0),
                ("copper foil", 7.0),
                ("electrolyte", 7.0),
                ("separator", 6.0),
            ):
                qty = round(rng.uniform(0.5, 100.0), 3)
                bom.writerow(
                    [
                        b,
                        name,
                        name.replace(" ", "-"),
                        qty,
                        "kg",
                        "",
                        f"{value} kg CO2e/kg",
                        "benchmark supplier value",
                    ]
                )
                rows += 1
            # energy and transport
            grid = rng.choice(GRIDS)
            bom.writerow(
                [
                    b,
                    "cell manufacturing electricity",
                    grid,
                    round(20.1 * capacity, 2),
                    "kWh",
                    "",
                    "",
                    "",
                ]
            )
            bom.writerow([b, "pack assembly electricity", "grid-hu", 250, "kWh", "", "", ""])
            bom.writerow(
                [
                    b,
                    "cell drying natural gas",
                    "natural-gas",
                    round(77 * capacity, 1),
                    "MJ",
                    "",
                    "",
                    "",
                ]
            )
            bom.writerow(
                [
                    b,
                    "dry room leak",
                    "hfc",
                    0.005,
                    "kg",
                    "production",
                    "1530 kg CO2e/kg",
                    "AR6 GWP100 of HFC-134a",
                ]
            )
            bom.writerow(
                [
                    b,
                    "cells by sea",
                    "sea-container-average",
                    round(0.3 * 19500, 1),
                    "t*km",
                    "raw_materials",
                    "",
                    "",
                ]
            )
            bom.writerow(
                [
                    b,
                    "cells by truck",
                    "truck-hgv-average",
                    round(0.3 * 800, 1),
                    "t*km",
                    "raw_materials",
                    "",
                    "",
                ]
            )
            bom.writerow(
                [
                    b,
                    "parts by truck",
                    "truck-hgv-average",
                    round(0.1 * 800, 1),
                    "t*km",
                    "raw_materials",
                    "",
                    "",
                ]
            )
            bom.writerow(
                [
                    b,
                    "to vehicle plant",
                    "truck-hgv-average",
                    round(0.4 * 900, 1),
                    "t*km",
                    "distribution",
                    "",
                    "",
                ]
            )
            rows += 8
            assert rows == 60, rows


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
