"""A floor for the many-batteries benchmark: the least a hand-written pandas pass does over the
same files (read both CSVs, look up each line's factor, sum kg CO2e per battery and stage,
divide by the battery's energy, write one CSV row per battery).

It is NOT the method and its numbers are not declarations: no stage table, no unit check, no
electricity policy, no end-of-life formula, no recycled content, no data quality, no warnings,
no per-battery errors, no provenance. It answers one question: how close is carbonfp to what
pandas alone costs on these files? Usage: python bench/minimal_pass.py LINES BATTERIES OUT
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from carbonfp.run import RunOptions, run_config

STAGES = ["raw_materials", "production", "distribution", "end_of_life"]
SCALE = {"kg": 1.0, "t": 1000.0, "kWh": 1.0, "MWh": 1000.0, "MJ": 1.0, "tkm": 1.0, "m3": 1.0}


def main(lines_path: str, batteries_path: str, out: str) -> None:
    lines = pd.read_csv(
        lines_path,
        dtype={"quantity": float},
        usecols=["battery", "material", "quantity", "unit", "stage", "factor"],
        keep_default_na=False,
        na_values={"quantity": [""]},
    )
    batteries = pd.read_csv(batteries_path, dtype=object, keep_default_na=False)
    factors = run_config(RunOptions()).factors  # the shipped default set
    material_codes, materials = pd.factorize(lines["material"])
    value = np.array([factors.factors[m].value if m in factors.factors else 0.0 for m in materials])
    own_codes, own = pd.factorize(lines["factor"])
    own_value = np.array([float(text.split()[0]) if text else np.nan for text in own])[own_codes]
    per_line = np.where(np.isnan(own_value), value[material_codes], own_value)
    unit_codes, units = pd.factorize(lines["unit"])
    scale = np.array([SCALE.get(u, 1.0) for u in units])[unit_codes]
    kg = lines["quantity"].to_numpy() * scale * per_line
    stage_codes, stage_names = pd.factorize(lines["stage"])
    stage = np.array([sorted(STAGES).index(s or "production") for s in stage_names])[stage_codes]
    battery, ids = pd.factorize(lines["battery"])
    sums = np.bincount(battery * 4 + stage, weights=kg, minlength=4 * len(ids)).reshape(-1, 4)
    capacity = batteries.set_index("battery")["usable_capacity"].str.split().str[0].astype(float)
    energy = capacity.reindex(ids).to_numpy() * 8 * 365 * 0.8
    table = pd.DataFrame(sums / energy[:, None], columns=sorted(STAGES))
    table.insert(0, "battery", ids)
    table["total"] = table[sorted(STAGES)].sum(axis=1)
    table.to_csv(out, index=False, float_format="%.6g")


if __name__ == "__main__":
    main(*sys.argv[1:4])
