"""Many variants in one vectorised pass: a long BOM (a ``battery`` column) and a battery table.

The long BOM has the BOM columns plus ``battery``: ``battery, component, material, quantity,
unit[, stage, factor, factor_source]``; other columns are ignored, so the per-line CSV that
``carbonfp calc --format csv --lines`` writes reads back as a long BOM. ``material`` is a factor
id of any table of the set (materials, electricity, fuels, transport, ...), unless the line
carries its own ``factor``; stages default by table (electricity and fuels: production;
transport lines must name theirs). Sub-BOMs, contractual electricity instruments and the
end-of-life formula need project files; their resolved lines (from --lines) work here.

The battery table has one row per battery: ``battery, vehicle_category, usable_capacity_kwh,
warranty_years`` and, as the ruleset needs, ``warranty_km, annual_distance_km,
vehicle_consumption_kwh_per_km, declared_cycles, mean_capacity_factor, category, model,
chemistry, nominal_capacity_kwh``. Numbers in the units the names say.

All lines of all batteries are merged with the factors, multiplied and summed per battery and
stage as arrays: no Python loop per battery or per line. A bad line or battery is reported with
its file and line and that battery is skipped; the others are computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carbonfp.errors import InputError, Location, UsageError
from carbonfp.io.tomlfile import read_text
from carbonfp.method.calculate import STAGES
from carbonfp.method.functional_unit import vehicle_group
from carbonfp.model import FactorSet, Ruleset, Stage

if TYPE_CHECKING:
    import pandas as pd

LONG_REQUIRED = ("battery", "component", "material", "quantity", "unit")
TABLE_STAGE = {
    "materials": Stage.RAW_MATERIALS,
    "screening": Stage.RAW_MATERIALS,
    "end_of_life": Stage.END_OF_LIFE,
    "electricity": Stage.PRODUCTION,
    "fuels": Stage.PRODUCTION,
}


@dataclass(frozen=True)
class Problem:
    """A bad line or battery: reported, and its battery skipped."""

    battery: str
    where: Location
    message: str


@dataclass(frozen=True)
class BatchResult:
    """Per battery: stage kg CO2e, E_total; and the problems that skipped batteries."""

    table: pd.DataFrame
    problems: tuple[Problem, ...]
    lines_read: int
    batteries_read: int


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    import pandas as pd

    text = read_text(path, label)
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = max((",", ";", "\t"), key=first.count)
    frame = pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        skipinitialspace=True,
    )
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    frame.attrs["decimal_comma"] = sep == ";"
    frame.attrs["label"] = label
    return frame


def _numbers(column: pd.Series, decimal_comma: bool) -> pd.Series:
    import pandas as pd

    text = column.str.strip().str.replace("\u00a0", "", regex=False)
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    result: pd.Series = pd.to_numeric(text, errors="coerce")
    return result


def read_long(bom_path: Path, batteries_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the long BOM and the battery table (checked for their columns).

    Raises InputError (code ``missing-column``) naming the file.
    """
    bom = _read_csv(bom_path, bom_path.name)
    missing = [c for c in LONG_REQUIRED if c not in bom.columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=Location(bom_path.name, 1),
            hint="a long BOM needs " + ", ".join(LONG_REQUIRED) + " (optional: stage, factor, "
            "factor_source)",
            code="missing-column",
        )
    batteries = _read_csv(batteries_path, batteries_path.name)
    needed = ("battery", "usable_capacity_kwh", "warranty_years")
    missing = [c for c in needed if c not in batteries.columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=Location(batteries_path.name, 1),
            hint="the battery table needs battery, vehicle_category, usable_capacity_kwh, "
            "warranty_years (and what the ruleset asks for)",
            code="missing-column",
        )
    return bom, batteries


def compute_long(
    bom: pd.DataFrame, batteries: pd.DataFrame, factors: FactorSet, rules: Ruleset
) -> BatchResult:
    """Every battery of the long BOM in one pass. Bad lines skip their battery."""
    import pandas as pd

    from carbonfp.method.stages import parse_stage
    from carbonfp.units import emission_scale, parse_quantity

    label = bom.attrs.get("label", "bom.csv")
    blabel = batteries.attrs.get("label", "batteries.csv")
    problems: list[Problem] = []
    n = len(bom)
    line_no = np.arange(n) + 2  # header is line 1

    def flag(mask: Any, message: str | pd.Series) -> None:
        if not mask.any():
            return
        idx = np.flatnonzero(np.asarray(mask))
        texts = message if isinstance(message, str) else None
        for i in idx:
            problems.append(
                Problem(
                    str(bom_battery.iloc[i]),
                    Location(label, int(line_no[i])),
                    texts if texts is not None else str(message.iloc[i]),  # type: ignore[union-attr]
                )
            )

    bom_battery = bom["battery"].str.strip()
    quantity = _numbers(bom["quantity"], bool(bom.attrs.get("decimal_comma")))
    flag(bom_battery == "", "missing battery id")
    flag(quantity.isna(), "quantity is not a number")
    flag(quantity < 0, "negative quantity")
    material = bom["material"].str.strip()
    unit = bom["unit"].str.strip()

    # factors: a line's own factor, else the set's row (unique strings parsed once)
    # a leading apostrophe is carbonfp's own guard against spreadsheet formulas (--lines CSV)
    own = (
        bom["factor"].str.strip().str.removeprefix("'")
        if "factor" in bom.columns
        else pd.Series([""] * n)
    )
    value = pd.Series(np.nan, index=bom.index)
    funit = pd.Series("", index=bom.index)
    table = pd.Series("", index=bom.index)
    has_own = own != ""
    parsed: dict[str, tuple[float, str]] = {}
    bad_own: set[str] = set()
    for text in own[has_own].unique():
        try:
            parsed[text] = parse_quantity(text)
        except InputError:
            bad_own.add(text)
    flag(own.isin(bad_own), "factor is not a value with a unit")
    good_own = has_own & ~own.isin(bad_own)
    value[good_own] = own[good_own].map(lambda t: parsed[t][0])
    funit[good_own] = own[good_own].map(lambda t: parsed[t][1])
    table[good_own] = "own"
    rows = {fid: (f.value, f.unit, f.table) for fid, f in factors.factors.items()}
    known = material.isin(rows.keys()) & ~has_own
    value[known] = material[known].map(lambda m: rows[m][0])
    funit[known] = material[known].map(lambda m: rows[m][1])
    table[known] = material[known].map(lambda m: rows[m][2])
    flag(~has_own & ~known, material.map(lambda m: f"unknown material {m!r}: give a factor"))

    # unit scales: one per distinct (amount unit, factor unit) pair
    pairs = pd.DataFrame({"u": unit, "f": funit})[table != ""].drop_duplicates()
    scale_of: dict[tuple[str, str], float] = {}
    for u, f in pairs.itertuples(index=False):
        try:
            scale_of[(u, f)] = emission_scale(u, f)
        except InputError:
            scale_of[(u, f)] = np.nan
    keys = list(zip(unit, funit, strict=True))
    scale = pd.Series([scale_of.get(k, np.nan) for k in keys], index=bom.index, dtype=float)
    flag(
        (table != "") & scale.isna(),
        pd.Series([f"unit {u!r} does not fit the factor's {f!r}" for u, f in keys]),
    )

    # stages: the line's own, else by table
    stage_text = bom["stage"].str.strip() if "stage" in bom.columns else pd.Series([""] * n)
    stage_code = pd.Series(-1, index=bom.index, dtype=int)
    for text in stage_text[stage_text != ""].unique():
        try:
            code = STAGES.index(parse_stage(text))
        except InputError as exc:
            flag(stage_text == text, exc.message)
            continue
        stage_code[stage_text == text] = code
    default = table.map(lambda t: STAGES.index(TABLE_STAGE[t]) if t in TABLE_STAGE else -1)
    missing_stage = (stage_code < 0) & (stage_text == "")
    stage_code[missing_stage] = default[missing_stage]
    flag(
        (stage_code < 0) & (stage_text == "") & (table != ""),
        "no stage: transport lines and lines with their own factor name their stage",
    )

    # functional unit per battery, vectorised over the battery table
    facts = batteries.copy()
    facts["battery"] = facts["battery"].str.strip()
    fu, fu_problems = _total_energy(facts, rules, blabel)
    problems.extend(fu_problems)
    bad_batteries = {p.battery for p in problems}
    unknown = ~bom_battery.isin(set(fu.index))
    for b in bom_battery[unknown & ~bom_battery.isin(bad_batteries)].unique():
        problems.append(
            Problem(str(b), Location(blabel), f"battery {b!r} has no row in the battery table")
        )
    bad_batteries = {p.battery for p in problems}

    keep = ~bom_battery.isin(bad_batteries)
    ids = pd.Index(sorted(set(bom_battery[keep]) & set(fu.index)))
    codes = np.asarray(pd.Categorical(bom_battery[keep], categories=ids).codes, dtype=np.intp)
    kg = (quantity[keep] * value[keep] * scale[keep]).to_numpy(dtype=float)
    stage_k = stage_code[keep].to_numpy(dtype=np.intp)
    sums = np.bincount(
        codes * len(STAGES) + stage_k, weights=kg, minlength=len(ids) * len(STAGES)
    ).reshape(len(ids), len(STAGES))
    result = pd.DataFrame(sums, index=ids, columns=[s.value for s in STAGES])
    result["total"] = result[[s.value for s in STAGES]].sum(axis=1)
    result["total_energy_kwh"] = fu.loc[ids, "total_energy_kwh"].to_numpy()
    result["usable_capacity_kwh"] = fu.loc[ids, "usable_capacity_kwh"].to_numpy()
    negative = result["total"] < 0
    for b in result.index[negative]:
        problems.append(Problem(str(b), Location(label), "the total footprint is negative"))
    result = result[~negative]
    result.index.name = "battery"
    return BatchResult(
        table=result,
        problems=tuple(sorted(problems, key=lambda p: (p.where.line or 0, p.battery))),
        lines_read=n,
        batteries_read=int(bom_battery[bom_battery != ""].nunique()),
    )


def _total_energy(
    facts: pd.DataFrame, rules: Ruleset, label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    import pandas as pd

    problems: list[Problem] = []
    dec = bool(facts.attrs.get("decimal_comma"))

    def num(column: str) -> pd.Series:
        values: pd.Series
        if column not in facts.columns:
            values = pd.Series([np.nan] * len(facts), index=facts.index, dtype=float)
        else:
            values = _numbers(facts[column].astype(str), dec)
        return values

    capacity = num("usable_capacity_kwh")
    years = num("warranty_years")
    if rules.fu_method == "fec-warranty":
        if "vehicle_category" not in facts.columns:
            raise InputError(
                "missing column vehicle_category",
                where=Location(label, 1),
                hint=f"{rules.id} takes cycles per year from the vehicle category",
                code="missing-column",
            )
        group = facts["vehicle_category"].map(lambda v: vehicle_group(str(v)))
        fec = group.map(lambda g: rules.fec_per_year.get(g, np.nan)).astype(float)
        km = num("warranty_km")
        annual = num("annual_distance_km")
        by_km = km / annual
        life = years.where(km.isna(), np.fmin(years, by_km))
        no_basis = km.notna() & annual.isna()
        total = capacity * fec * life
        bad_fec = fec.isna()
        reasons = [
            (bad_fec, f"no cycles per year in {rules.id} for this vehicle category"),
            (no_basis, "warranty_km without annual_distance_km"),
        ]
    elif rules.fu_method == "warranty-km-consumption":
        total = num("warranty_km") * num("vehicle_consumption_kwh_per_km")
        reasons = []
    else:
        mean = num("mean_capacity_factor")
        if "end_of_life_capacity" in facts.columns:
            mean = mean.fillna((1 + num("end_of_life_capacity")) / 2)
        total = capacity * num("declared_cycles") * mean
        reasons = []
    reasons.append((total.isna() | ~(total > 0), "cannot compute E_total from this row"))
    reasons.append((facts["battery"].duplicated(keep=False), "battery id appears twice"))
    bad = pd.Series(False, index=facts.index)
    for mask, message in reasons:
        for i in np.flatnonzero(np.asarray(mask & ~bad)):
            problems.append(
                Problem(str(facts["battery"].iloc[i]), Location(label, int(i) + 2), message)
            )
        bad |= mask
    fu = pd.DataFrame(
        {"total_energy_kwh": total, "usable_capacity_kwh": capacity},
    )
    fu.index = facts["battery"]
    return fu[~bad.to_numpy()], problems


def long_to_csv(result: BatchResult) -> str:
    """Tidy CSV of all batteries: battery, stage, metric, value, unit."""
    import pandas as pd

    t = result.table
    frames = []
    for stage in [s.value for s in STAGES] + ["total"]:
        frames.append(
            pd.DataFrame(
                {
                    "battery": t.index,
                    "stage": stage,
                    "metric": "kg_co2e_per_kwh",
                    "value": t[stage] / t["total_energy_kwh"],
                    "unit": "kg CO2e/kWh",
                }
            )
        )
        frames.append(
            pd.DataFrame(
                {
                    "battery": t.index,
                    "stage": stage,
                    "metric": "kg_co2e",
                    "value": t[stage],
                    "unit": "kg CO2e",
                }
            )
        )
    frames.append(
        pd.DataFrame(
            {
                "battery": t.index,
                "stage": "cradle_to_gate",
                "metric": "kg_co2e_per_kwh_capacity",
                "value": (t["raw_materials"] + t["production"]) / t["usable_capacity_kwh"],
                "unit": "kg CO2e/kWh capacity",
            }
        )
    )
    frames.append(
        pd.DataFrame(
            {
                "battery": t.index,
                "stage": "functional_unit",
                "metric": "total_energy_kwh",
                "value": t["total_energy_kwh"],
                "unit": "kWh",
            }
        )
    )
    out = pd.concat(frames, ignore_index=True)
    order = {b: i for i, b in enumerate(t.index)}
    out["_b"] = out["battery"].map(order)
    out = out.sort_values(["_b"], kind="stable").drop(columns="_b")
    out["battery"] = out["battery"].map(_safe)
    text: str = out.to_csv(index=False, lineterminator="\n", float_format="%.10g")
    return text


def _safe(value: object) -> object:
    from carbonfp.io.declaration import safe_cell

    return safe_cell(value)


__all__ = ["BatchResult", "Problem", "UsageError", "compute_long", "long_to_csv", "read_long"]
