"""Many variants in one vectorised pass: a long BOM (a ``battery`` column) and a battery table.

The long BOM has the BOM columns plus ``battery``: ``battery, component, material, quantity,
unit[, stage, factor, factor_source]``; other columns are ignored, so the per-line CSV that
``carbonfp calc --format csv --lines`` writes reads back as a long BOM. ``material`` is a factor
id of any table of the set (materials, electricity, fuels, transport, ...), unless the line
carries its own ``factor``; stages default as in a BOM (materials and lines with their own
factor: raw materials; electricity and fuels: production; transport lines must name theirs).
Sub-BOMs, contractual electricity instruments and the end-of-life formula need project files;
their resolved lines (from --lines) work here.

The battery table has one row per battery: ``battery, vehicle_category, usable_capacity_kwh,
warranty_years`` and, as the ruleset needs, ``warranty_km, annual_distance_km,
vehicle_consumption_kwh_per_km, declared_cycles, mean_capacity_factor, end_of_life_capacity``.
Numbers in the units the names say.

All lines of all batteries are merged with the factors, multiplied and summed per battery and
stage as arrays (pd.factorize, then work on the distinct values only): no Python loop per
battery or per line. A bad line or battery is reported with its file and line and that battery
is skipped; the others are computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carbonfp.errors import InputError, Location, UsageError
from carbonfp.files import read_text
from carbonfp.method.calculate import STAGES
from carbonfp.method.functional_unit import vehicle_group
from carbonfp.model import FactorSet, Ruleset, Stage

if TYPE_CHECKING:
    import pandas as pd

LONG_REQUIRED = ("battery", "material", "quantity", "unit")
TABLE_STAGE = {
    "own": Stage.RAW_MATERIALS,  # a BOM line with its own factor is a material, as in a BOM
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


def _read_csv(
    path: Path, label: str, usecols: tuple[str, ...] = (), numbers: tuple[str, ...] = ()
) -> pd.DataFrame:
    import pandas as pd

    try:
        with open(path, encoding="utf-8-sig") as handle:
            first = next((line for line in handle if line.strip()), "")
    except (OSError, UnicodeDecodeError):
        read_text(path, label)  # raises the precise error (missing, unreadable, not UTF-8)
        raise
    sep = max((",", ";", "\t"), key=first.count)
    header = [c.strip().lower().replace(" ", "_") for c in first.strip("\r\n").split(sep)]
    wanted = [c for c in header if c in (usecols or header)]
    # object columns: C-speed reading, and pd.factorize hashes them without Python loops;
    # numbers written plainly are parsed as floats by the C reader
    numeric = {c: float for c in numbers if c in wanted and sep != ";"}
    frame = None
    for dtypes in ([numeric] if numeric else []) + [{}]:
        try:
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=object if not dtypes else {c: dtypes.get(c, object) for c in wanted},
                keep_default_na=False,
                na_values=[],
                encoding="utf-8-sig",
                usecols=lambda c: str(c).strip().lower().replace(" ", "_") in wanted,
            )
            break
        except pd.errors.ParserError as exc:
            raise InputError(
                f"malformed CSV: {exc}", where=Location(label), code="malformed-csv"
            ) from exc
        except ValueError as exc:
            if not dtypes:  # already the plain-text attempt: a malformed file
                raise InputError(
                    f"malformed CSV: {exc}", where=Location(label), code="malformed-csv"
                ) from exc
    assert frame is not None
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    frame.attrs["decimal_comma"] = sep == ";"
    frame.attrs["label"] = label
    return frame


Ints = np.ndarray[Any, np.dtype[np.intp]]
Floats = np.ndarray[Any, np.dtype[np.float64]]


def _codes(frame: pd.DataFrame, column: str) -> tuple[Ints, list[str]]:
    """Codes per row and the distinct values (stripped): work on the few distinct values."""
    import pandas as pd

    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.intp), [""]
    codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.intp), [str(u).strip() for u in uniques]


def _number_of(text: str, decimal_comma: bool) -> float:
    from carbonfp.units import parse_number

    try:
        return parse_number(text, decimal_comma)
    except ValueError:
        return float("nan")


def _numbers_of(frame: pd.DataFrame, column: str) -> Floats:
    """A numeric column, each distinct text parsed once (NaN where it is not a number)."""
    import pandas as pd

    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    if frame[column].dtype.kind == "f":  # read as numbers already
        return np.asarray(frame[column].to_numpy(float))
    codes, uniques = _codes(frame, column)
    dec = bool(frame.attrs.get("decimal_comma"))
    # plain numbers in C; only the others (decimal commas, thousands separators) in Python;
    # in a decimal-comma file every number goes through the locale-aware parser
    values = np.array(pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce"), dtype=float)
    if dec:
        values[:] = np.nan
    for k in np.flatnonzero(np.isnan(values)):
        if uniques[k]:
            values[k] = _number_of(uniques[k], dec)
    return values[codes]


def read_long(bom_path: Path, batteries_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the long BOM and the battery table (checked for their columns).

    Raises InputError (code ``missing-column``) naming the file.
    """
    bom = _read_csv(
        bom_path,
        bom_path.name,
        usecols=("battery", "material", "quantity", "unit", "stage", "factor"),
        numbers=("quantity",),
    )
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
    battery_codes, battery_ids = _codes(bom, "battery")

    def flag(mask: Any, message: str | Callable[[int], str]) -> None:
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):  # messages for bad rows only
            text = message if isinstance(message, str) else message(int(i))
            problems.append(
                Problem(battery_ids[battery_codes[i]], Location(label, int(line_no[i])), text)
            )

    quantity = _numbers_of(bom, "quantity")
    flag(np.array([b == "" for b in battery_ids])[battery_codes], "missing battery id")
    flag(np.isnan(quantity), "quantity is not a number")
    flag(quantity < 0, "negative quantity")
    material_codes, materials = _codes(bom, "material")
    unit_codes, units = _codes(bom, "unit")
    factor_codes, factor_texts = _codes(bom, "factor")

    # per distinct material and distinct own factor: value, unit and table
    mat_value = np.array([f.value if (f := factors.factors.get(m)) else np.nan for m in materials])
    mat_unit = [f.unit if (f := factors.factors.get(m)) else "" for m in materials]
    mat_table = [f.table if (f := factors.factors.get(m)) else "" for m in materials]
    own_value = np.full(len(factor_texts), np.nan)
    own_unit = [""] * len(factor_texts)
    own_bad = np.zeros(len(factor_texts), dtype=bool)
    for k, text in enumerate(factor_texts):
        text = text.removeprefix("'")  # carbonfp's own formula guard in --lines CSV
        if not text:
            continue
        try:
            own_value[k], own_unit[k] = parse_quantity(text)
        except InputError:
            own_bad[k] = True
    has_own = np.array([bool(t) for t in factor_texts])[factor_codes]
    flag(own_bad[factor_codes], "factor is not a value with a unit")
    known_material = ~np.isnan(mat_value)[material_codes]
    flag(
        ~has_own & ~known_material,
        lambda i: f"unknown material {materials[material_codes[i]]!r}: give a factor",
    )
    value = np.where(has_own, own_value[factor_codes], mat_value[material_codes])
    known = np.where(has_own, ~own_bad[factor_codes], known_material)

    # the factor unit and table as small codes: own factors first, then materials
    funits = sorted(set(own_unit) | set(mat_unit))
    funit_index = {u: i for i, u in enumerate(funits)}
    own_funit = np.array([funit_index[u] for u in own_unit], dtype=np.intp)
    mat_funit = np.array([funit_index[u] for u in mat_unit], dtype=np.intp)
    funit_codes = np.where(has_own, own_funit[factor_codes], mat_funit[material_codes])
    tables = ["own", *TABLE_STAGE.keys(), "transport", ""]
    mat_table_codes = np.array(
        [tables.index(t) if t in tables else len(tables) - 1 for t in mat_table], dtype=np.intp
    )
    table_codes = np.where(has_own, 0, mat_table_codes[material_codes])

    # unit scales: one per distinct (amount unit, factor unit) pair
    pair = unit_codes * len(funits) + funit_codes
    pair_ids, pair_codes = np.unique(pair[known], return_inverse=True)
    pair_scale = np.empty(len(pair_ids))
    for k, key in enumerate(pair_ids):
        u, f = units[key // len(funits)], funits[key % len(funits)]
        try:
            pair_scale[k] = emission_scale(u, f)
        except InputError:
            pair_scale[k] = np.nan
    scale = np.full(n, np.nan)
    scale[known] = pair_scale[pair_codes]
    flag(
        known & np.isnan(scale),
        lambda i: (
            f"unit {units[unit_codes[i]]!r} does not fit the factor's {funits[funit_codes[i]]!r}"
        ),
    )

    # stages: the line's own, else by table
    stage_codes_in, stage_texts = _codes(bom, "stage")
    given = np.full(len(stage_texts), -1, dtype=np.intp)
    for k, text in enumerate(stage_texts):
        if not text:
            continue
        try:
            given[k] = STAGES.index(parse_stage(text))
        except InputError as exc:
            given[k] = -2
            flag(stage_codes_in == k, exc.message)
    default_by_table = np.array(
        [STAGES.index(TABLE_STAGE[t]) if t in TABLE_STAGE else -1 for t in tables],
        dtype=np.intp,
    )
    stage_code = np.where(
        given[stage_codes_in] == -1, default_by_table[table_codes], given[stage_codes_in]
    )
    flag(
        known & (given[stage_codes_in] == -1) & (stage_code < 0),
        "no stage: transport lines name their stage (raw_materials or distribution)",
    )

    # functional unit per battery, vectorised over the battery table
    facts = batteries.copy()
    facts["battery"] = [str(b).strip() for b in facts["battery"]]
    fu, fu_problems = _total_energy(facts, rules, blabel)
    problems.extend(fu_problems)
    bad_batteries = {p.battery for p in problems}
    in_table = set(fu.index) | {p.battery for p in fu_problems}
    for b in battery_ids:
        if b and b not in in_table and b not in bad_batteries:
            problems.append(
                Problem(b, Location(blabel), f"battery {b!r} has no row in the battery table")
            )
    bad_batteries = {p.battery for p in problems}

    bad_ids = np.array([b in bad_batteries or b not in fu.index for b in battery_ids])
    keep_np = ~bad_ids[battery_codes]
    ids = pd.Index(sorted({battery_ids[c] for c in np.unique(battery_codes[keep_np])}))
    position = {b: i for i, b in enumerate(ids)}
    id_code = np.array([position.get(b, -1) for b in battery_ids], dtype=np.intp)
    codes = id_code[battery_codes[keep_np]]
    kg = quantity[keep_np] * value[keep_np] * scale[keep_np]
    stage_k = stage_code[keep_np]
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
        batteries_read=sum(1 for b in battery_ids if b),
    )


def _total_energy(
    facts: pd.DataFrame, rules: Ruleset, label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    import pandas as pd

    problems: list[Problem] = []

    def num(column: str) -> pd.Series:
        values: pd.Series = pd.Series(_numbers_of(facts, column), index=facts.index, dtype=float)
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
            (
                bad_fec,
                f"no cycles per year in {rules.id} for this vehicle_category (it has "
                + ", ".join(rules.fec_per_year)
                + ")",
            ),
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
    reasons.append(
        (
            total.isna() | ~(total > 0),
            f"cannot compute E_total ({rules.fu_method}): a needed number is missing, not a "
            "number, or not positive",
        )
    )
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
    t = result.table
    e = t["total_energy_kwh"].to_numpy(float)
    columns: list[tuple[str, str, Floats, str]] = []
    for stage in [s.value for s in STAGES] + ["total"]:
        kg = t[stage].to_numpy(float)
        columns.append((stage, "kg_co2e_per_kwh", kg / e, "kg CO2e/kWh"))
        columns.append((stage, "kg_co2e", kg, "kg CO2e"))
    c2g = (t["raw_materials"] + t["production"]).to_numpy(float) / t[
        "usable_capacity_kwh"
    ].to_numpy(float)
    columns.append(("cradle_to_gate", "kg_co2e_per_kwh_capacity", c2g, "kg CO2e/kWh capacity"))
    columns.append(("functional_unit", "total_energy_kwh", e, "kWh"))
    out = ["battery,stage,metric,value,unit\n"]
    for i, battery in enumerate(t.index):
        name = _csv_text(str(_safe(str(battery))))
        out.extend(
            f"{name},{stage},{metric},{values[i]:.10g},{unit}\n"
            for stage, metric, values, unit in columns
        )
    return "".join(out)


def _csv_text(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _safe(value: object) -> object:
    from carbonfp.formats.declaration import safe_cell

    return safe_cell(value)


__all__ = ["BatchResult", "Problem", "UsageError", "compute_long", "long_to_csv", "read_long"]
