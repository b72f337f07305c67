"""Reads a long BOM: every line of many batteries (LINES.csv) and their facts (BATTERIES.csv).

The format is docs/long-bom.md. Lines are read column by column (pandas' C reader, then each
distinct text of a column checked once, with the same checks and messages as a BOM line), so
reading a million lines costs about what the file costs to parse. Each battery row is read
by the same code as a project file's tables (carbonfp.inputs.project.read_facts). A problem
fails its battery only: the others are returned, and the problems are kept per battery.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from carbonfp.columns import (
    DATA_TYPES,
    DEFAULT_DATA_TYPE,
    KIND_FROM_FACTOR,
    KINDS,
    NO_STAGE,
    STAGES,
    Codes,
    Inputs,
    Ints,
    RawLines,
)
from carbonfp.errors import CarbonfpError, InputError, Location
from carbonfp.files import TomlTable, read_text, unguard_formula
from carbonfp.inputs.bom import (
    IGNORED,
    PACT_SOURCE,
    data_type_cell,
    dqr_cell,
    gsd_cell,
    number_cell,
    quantity_cell,
    read_xlsx_table,
    share_cell,
    supplied_factor,
)
from carbonfp.inputs.energy import SUPPLY_KEYS, read_supply
from carbonfp.inputs.project import BATTERY_KEYS, EOL_MATERIAL_KEYS, Facts, read_facts
from carbonfp.model import (
    ElectricitySupply,
    Issue,
    LineKind,
    Project,
    Stage,
    default_data_type,
    grid_country,
    grid_factor_id,
    parse_stage,
)
from carbonfp.units import parse_unit

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

#: Columns of LINES.csv (docs/long-bom.md), required first.
LINE_REQUIRED = ("battery", "material", "quantity", "unit")
LINE_OPTIONAL = (
    "kind",
    "component",
    "path",
    "stage",
    "origin",
    "recycled_share",
    "factor",
    "factor_source",
    "data_type",
    "dqr",
    "quantity_gsd",
    "factor_gsd",
    "note",
)
#: Supply columns of electricity lines, as the keys of an [[electricity]] block.
SUPPLY_COLUMNS = tuple(sorted(SUPPLY_KEYS - {"country"}))
#: Columns 0.1 wrote with the unit in their name: column -> ([battery] key, unit of a number).
LEGACY = {
    "usable_capacity_kwh": ("usable_capacity", "kWh"),
    "nominal_capacity_kwh": ("nominal_capacity", "kWh"),
    "mass_kg": ("mass", "kg"),
    "warranty_km": ("warranty_km", "km"),
    "annual_distance_km": ("annual_distance", "km"),
    "vehicle_consumption_kwh_per_km": ("vehicle_consumption", "kWh/km"),
}
#: [battery] keys that are quantities (with a unit), numbers, or fractions.
QUANTITY_KEYS = {
    "usable_capacity",
    "nominal_capacity",
    "mass",
    "warranty_km",
    "annual_distance",
    "vehicle_consumption",
}
NUMBER_KEYS = {"warranty_years", "cycles_per_year", "declared_cycles"}
SHARE_KEYS = {"end_of_life_capacity", "mean_capacity_factor"}
TABLE_KEYS = {
    "manufacturer": {"name", "trade_name", "address", "contact", "company_id"},
    "plant": {"name", "town", "region", "country"},
    "declaration": {
        "eu_doc_id",
        "study_url",
        "product_id",
        "product_category_cpc",
        "created",
        "reference_period_start",
        "reference_period_end",
    },
    "method": {"ruleset", "factor_set"},
}
LIST_KEYS = {("manufacturer", "company_id"), ("declaration", "product_id")}
EOL_NUMBERS = {"R2", "R3", "Qsout"}
_KIND_NAMES = {kind.value: i for i, kind in enumerate(KINDS)} | {
    "process emission": KINDS.index(LineKind.PROCESS_EMISSION),
    "process-emission": KINDS.index(LineKind.PROCESS_EMISSION),
    "energy": KINDS.index(LineKind.ELECTRICITY),
}


@dataclass
class _Table:
    """A table file as text columns, each row with its line in the file."""

    label: str
    frame: pd.DataFrame
    line: Ints
    decimal_comma: bool | None
    warnings: list[Issue] = field(default_factory=list)

    def column(self, name: str) -> tuple[Ints, list[str]]:
        """Codes per row and the distinct values (stripped); all "" when the column is absent."""
        import pandas as pd

        if name not in self.frame.columns:
            return np.zeros(len(self.frame), dtype=np.intp), [""]
        codes, uniques = pd.factorize(
            self.frame[name].to_numpy(dtype=object), use_na_sentinel=False
        )
        values = ["" if u is None or u != u else unguard_formula(str(u).strip()) for u in uniques]
        return np.asarray(codes, dtype=np.intp), values

    def where(self, row: int, column: str | None = None) -> Location:
        return Location(self.label, int(self.line[row]), key=column)


def _normalise(name: object) -> str:
    """Column names case-insensitive, spaces and ``-`` as ``_``; a dotted key (``end_of_life.
    materials.cathode-active-material.R2``) keeps its parts' spelling apart from the case."""
    text = str(name).strip().lstrip("\ufeff").strip().lower()
    return text if "." in text else text.replace(" ", "_").replace("-", "_")


def _read_table(path: Path, label: str, numbers: Sequence[str] = ()) -> _Table:
    """A CSV (comma, semicolon or tab; UTF-8, else Windows-1252 with a warning) or XLSX file;
    the ``numbers`` columns of a CSV without decimal commas are read as floats where every
    cell is a plain number (else as text, checked cell by cell later).

    Raises InputError for a missing or unreadable file, a malformed CSV or an empty table.
    """
    import pandas as pd

    warnings: list[Issue] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = read_xlsx_table(path, label)
        width = len(table.header)
        rows = [cells + [""] * (width - len(cells)) for _, cells in table.rows]
        frame = pd.DataFrame([r[:width] for r in rows], columns=table.header, dtype=object)
        lines = np.array([n for n, _ in table.rows], dtype=np.intp)
        frame.columns = [_normalise(c) for c in frame.columns]
        return _Table(label, frame, lines, None, warnings)
    data = _read_bytes(path, label)
    encoding = "utf-8-sig"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "cp1252"
        warnings.append(Issue("not-utf8", "file is not UTF-8; read as Windows-1252", label))
    head = data[:65536].decode(encoding, errors="replace")
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    if not first:
        raise InputError(
            "the file is empty: no header row",
            where=Location(label, 1),
            hint="the first row names the columns",
            code="empty-file",
        )
    sep = max((",", ";", "\t"), key=first.count)
    header = [_normalise(c) for c in first.split(sep)]
    floats = {} if sep == ";" else {c: float for c in numbers if c in header}
    frame = None
    for dtypes in ([floats] if floats else []) + [{}]:
        try:
            frame = pd.read_csv(
                io.BytesIO(data),
                sep=sep,
                dtype=object if not dtypes else _dtypes(header, dtypes),
                keep_default_na=False,
                na_values=[""] if dtypes else [],
                encoding=encoding,
                engine="c",
            )
            break
        except (pd.errors.ParserError, ValueError) as exc:
            if dtypes and not isinstance(exc, pd.errors.ParserError):
                continue  # a number column holds text: read it as text, checked later
            raise InputError(
                f"malformed CSV: {exc}",
                where=Location(label),
                hint="every row needs as many fields as the header; quote text that holds "
                "the separator",
                code="malformed-csv",
            ) from exc
    assert frame is not None
    frame.columns = [_normalise(c) for c in frame.columns]
    lines = _line_numbers(data, encoding, len(frame))
    return _Table(label, frame, lines, {";": True, "\t": None, ",": False}[sep], warnings)


def _dtypes(header: list[str], floats: Mapping[str, type]) -> Any:
    return {i: floats.get(name, object) for i, name in enumerate(header)}


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        read_text(path, label)  # raises the precise error (missing, a folder, unreadable)
        raise


def _line_numbers(data: bytes, encoding: str, rows: int) -> Ints:
    """The file line of each data row: row i is line i + 2 when every line holds one row; with
    blank lines or line breaks inside quoted cells, the csv module counts them."""
    if data.count(b"\n") <= rows + 1 and b"\n\n" not in data and b"\n\r\n" not in data:
        return np.arange(2, rows + 2, dtype=np.intp)
    import csv

    reader = csv.reader(io.StringIO(data.decode(encoding, errors="replace"), newline=""))
    starts: list[int] = []
    line = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            starts.append(line)
        line = reader.line_num + 1
    numbers = starts[1 : rows + 1]
    numbers += list(range(line, line + rows - len(numbers)))  # defensive: never short
    return np.asarray(numbers, dtype=np.intp)


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.by_id: dict[str, list[CarbonfpError]] = {}

    def add(self, battery: str, error: CarbonfpError) -> None:
        self.by_id.setdefault(battery, []).append(error)


def read_long_bom(lines_path: str | Path, batteries_path: str | Path) -> Inputs:
    """Read LINES.csv and BATTERIES.csv into the batteries to compute.

    Raises InputError when a file is missing, unreadable or malformed as a whole (no header,
    a required column missing); a bad row fails only its battery (see Inputs.problems).
    """
    lines_path, batteries_path = Path(lines_path), Path(batteries_path)
    lines_label, batteries_label = lines_path.name, batteries_path.name
    if lines_label == batteries_label:
        lines_label, batteries_label = str(lines_path), str(batteries_path)
    lines = _read_table(lines_path, lines_label, numbers=("quantity",))
    batteries = _read_table(batteries_path, batteries_label)
    files = tuple(
        sorted(
            {
                lines_label: hashlib.sha256(lines_path.read_bytes()).hexdigest(),
                batteries_label: hashlib.sha256(batteries_path.read_bytes()).hexdigest(),
            }.items()
        )
    )
    _require(lines, LINE_REQUIRED, "a long BOM needs the columns")
    _require(batteries, ("battery",), "the battery table needs the column")
    if not len(lines.frame):
        raise InputError(
            "the long BOM has a header but no lines",
            where=Location(lines.label, 1),
            hint="add one row per line of each battery: " + ", ".join(LINE_REQUIRED),
            code="empty-file",
        )
    _unknown_columns(lines, set(LINE_REQUIRED + LINE_OPTIONAL + SUPPLY_COLUMNS), "long BOM")
    problems = _Problems()
    ids, projects = _batteries(batteries, files, lines.warnings + batteries.warnings, problems)
    raw, line_ids = _lines(lines, problems)
    # every battery of the lines needs a row in the table, and every row some lines
    position = {b: i for i, b in enumerate(ids)}
    with_lines = set(line_ids)
    for b in line_ids:
        if b not in position:
            position[b] = len(ids)
            ids.append(b)
            projects.append(None)
            first = int(np.flatnonzero(raw.battery == line_ids.index(b))[0])
            problems.add(
                b,
                InputError(
                    f"battery {b!r} has no row in the battery table {batteries.label}",
                    where=raw.where(first),
                    hint=f"add a row for {b!r} to {batteries.label}, or correct the battery id",
                    code="unknown-battery",
                ),
            )
    for b, project in zip(list(ids), list(projects), strict=True):
        if b not in with_lines and project is not None:
            problems.add(
                b,
                InputError(
                    f"battery {b!r} has no lines in {lines.label}",
                    where=Location(project.label),
                    hint=f"add its lines to {lines.label} with battery = {b!r}, or remove the row",
                    code="empty-file",
                ),
            )
    remap = np.array([position[b] for b in line_ids], dtype=np.intp)
    raw = raw.with_battery(remap[raw.battery] if len(raw) else raw.battery)
    return Inputs(
        ids=tuple(ids),
        projects=tuple(projects),
        lines=raw,
        problems=tuple(tuple(problems.by_id.get(b, ())) for b in ids),
        sources=tuple(
            p.label if p is not None else f"{lines.label} / {batteries.label}" for p in projects
        ),
    )


def _require(table: _Table, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=Location(table.label, 1),
            hint=f"{what} {', '.join(columns)} (docs/long-bom.md); found: "
            + (", ".join(map(str, table.frame.columns)) or "none"),
            code="missing-column",
        )


def _unknown_columns(table: _Table, known: set[str], what: str) -> None:
    import difflib

    for index, name in enumerate(table.frame.columns):
        if name in known or name in IGNORED or not name:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        table.warnings.append(
            Issue(
                "unused-column",
                f"column {name!r} is not a {what} column and is ignored"
                + (f" (did you mean {close[0]!r}?)" if close else ""),
                str(Location(table.label, 1, index + 1)),
            )
        )


# --------------------------------------------------------------------------------------------
# BATTERIES.csv
# --------------------------------------------------------------------------------------------


def _battery_key(column: str) -> tuple[str, ...] | None:
    """The project key a battery-table column stands for, as a path of TOML keys."""
    if column in LEGACY:
        return ("battery", LEGACY[column][0])
    if column in BATTERY_KEYS:
        return ("battery", column)
    parts = tuple(column.split("."))
    if parts[0] == "battery" and len(parts) == 2 and parts[1] in BATTERY_KEYS:
        return parts
    if parts[0] in TABLE_KEYS and len(parts) == 2 and parts[1] in TABLE_KEYS[parts[0]]:
        return parts
    if parts == ("end_of_life", "route"):
        return parts
    if (
        len(parts) == 4
        and parts[:2] == ("end_of_life", "materials")
        and parts[3].lower() in {k.lower() for k in EOL_MATERIAL_KEYS}
    ):
        key = next(k for k in EOL_MATERIAL_KEYS if k.lower() == parts[3].lower())
        return (*parts[:3], key)
    return None


def _batteries(
    table: _Table,
    files: tuple[tuple[str, str], ...],
    warnings: list[Issue],
    problems: _Problems,
) -> tuple[list[str], list[Project | None]]:
    frame = table.frame
    keys: dict[str, tuple[str, ...]] = {}
    names = [c for c in frame.columns if c != "battery"]
    known = {c for c in names if _battery_key(c) is not None}
    _unknown_columns(table, known | {"battery"}, "battery table")
    for c in names:
        key = _battery_key(c)
        if key is not None:
            keys[c] = key
    # a column of the original frame may be upper-case in its TOML key (R2): keep the header
    ids = [str(v).strip() for v in frame["battery"].to_numpy(dtype=object)]
    seen: dict[str, int] = {}
    out_ids: list[str] = []
    projects: list[Project | None] = []
    columns = {c: frame[c].to_numpy(dtype=object) for c in keys}
    model_columns = [c for c, key in keys.items() if key == ("battery", "model")]
    cache: dict[tuple[str, ...], Facts | CarbonfpError] = {}
    for row, battery in enumerate(ids):
        where = table.where(row, "battery")
        if not battery:
            problems.add(
                battery,
                InputError(
                    "missing battery id",
                    where=where,
                    hint="every row of the battery table names its battery",
                    code="missing-value",
                ),
            )
            if battery not in seen:
                seen[battery] = len(out_ids)
                out_ids.append(battery)
                projects.append(None)
            continue
        if battery in seen:
            problems.add(
                battery,
                InputError(
                    f"battery {battery!r} appears twice in the battery table",
                    where=where,
                    hint=f"first at line {table.line[seen[battery]]}; give each battery one row",
                    code="duplicate-battery",
                ),
            )
            projects[out_ids.index(battery)] = None
            continue
        seen[battery] = row
        out_ids.append(battery)
        cells = {c: unguard_formula(str(columns[c][row]).strip()) for c in keys}
        model = next((cells[c] for c in model_columns if cells[c]), battery)
        # rows that differ only in their id and model are read once
        key = tuple(cells[c] for c in keys if c not in model_columns)
        found = cache.get(key)
        if found is None:
            try:
                found = _facts(table, row, model, cells, keys)
            except CarbonfpError as exc:
                found = exc
            cache[key] = found
        line = int(table.line[row])
        if isinstance(found, CarbonfpError):
            at = found.where
            problems.add(
                battery,
                InputError(
                    found.message,
                    where=Location(table.label, line, key=at.key if at else None),
                    hint=found.hint,
                    code=found.code,
                ),
            )
            projects.append(None)
            continue
        eol = found.end_of_life
        facts = replace(
            found,
            battery=replace(found.battery, model=model),
            end_of_life=None
            if eol is None
            else replace(eol, where=Location(table.label, line, key="end_of_life")),
        )
        projects.append(facts.project(f"{table.label}:{line}", (), files, tuple(warnings)))
    return out_ids, projects


def _facts(
    table: _Table,
    row: int,
    model: str,
    cells: dict[str, str],
    keys: dict[str, tuple[str, ...]],
) -> Facts:
    """One battery row read as the project tables it stands for, by the project's reader."""
    data: dict[str, Any] = {"battery": {"model": model}}
    for column, text in cells.items():
        key = keys[column]
        if not text or key == ("battery", "model"):
            continue
        data_table = data
        for part in key[:-1]:
            data_table = data_table.setdefault(part, {})
        data_table[key[-1]] = _typed(column, key, text, table, row)
    top = TomlTable(data, label=table.label, text="", table="", line=int(table.line[row]))
    return read_facts(top)


def _typed(column: str, key: tuple[str, ...], text: str, table: _Table, row: int) -> Any:
    """A cell as the TOML value its key takes (numbers as numbers, lists of URNs as lists)."""
    where = table.where(row, column)
    name = key[-1]
    if key[0] == "battery":
        if column in LEGACY:
            try:
                value = float(text.replace(",", ".")) if table.decimal_comma else float(text)
            except ValueError:
                return text  # a quantity with its own unit ("160000 km")
            return f"{value!r} {LEGACY[column][1]}"
        if name in NUMBER_KEYS:
            return number_cell(column, text, where, table.decimal_comma)
        if name in SHARE_KEYS:
            return (
                text
                if text.endswith("%")
                else number_cell(column, text, where, table.decimal_comma)
            )
        return text
    if (key[0], name) in LIST_KEYS:
        parts = text.split()
        return parts if len(parts) > 1 else text
    if key[0] == "end_of_life" and name in EOL_NUMBERS:
        return text if text.endswith("%") else number_cell(column, text, where, table.decimal_comma)
    return text


# --------------------------------------------------------------------------------------------
# LINES.csv
# --------------------------------------------------------------------------------------------


def _per_value(
    values: Sequence[str],
    codes: Ints,
    parse: Callable[[str], T],
    table: _Table,
    column: str,
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> list[T | None]:
    """Parse each distinct value once; a value that fails is reported on each of its rows
    (located at the row) and those rows marked failed."""
    out: list[T | None] = []
    for k, text in enumerate(values):
        try:
            out.append(parse(text))
        except InputError as exc:
            out.append(None)
            for row in np.flatnonzero(codes == k):
                failed[row] = True
                problems.add(
                    battery_of(int(row)),
                    InputError(
                        exc.message,
                        where=table.where(int(row), column),
                        hint=exc.hint,
                        code=exc.code,
                    ),
                )
    return out


def _lines(table: _Table, problems: _Problems) -> tuple[RawLines, list[str]]:
    """The lines as raw columns; ``raw.battery`` indexes the returned list of battery ids."""
    n = len(table.frame)
    failed = np.zeros(n, dtype=bool)
    battery_codes, battery_ids = table.column("battery")

    def battery_of(row: int) -> str:
        return str(battery_ids[battery_codes[row]])

    for row in np.flatnonzero(np.array([b == "" for b in battery_ids])[battery_codes]):
        failed[row] = True
        problems.add(
            "",
            InputError(
                "missing battery id",
                where=table.where(int(row), "battery"),
                hint="every line of a long BOM names its battery",
                code="missing-value",
            ),
        )
    dc = table.decimal_comma

    def column(name: str) -> tuple[Ints, list[str]]:
        return table.column(name)

    def parse(name: str, fn: Callable[[str], Any]) -> tuple[Ints, list[Any]]:
        codes, values = column(name)
        return codes, _per_value(values, codes, fn, table, name, battery_of, problems, failed)

    kind_codes, kinds = parse("kind", _kind)
    stage_codes, stages = parse("stage", lambda t: parse_stage(t) if t else None)
    quantity = _quantities(table, battery_of, problems, failed)
    unit_codes, units = column("unit")
    _per_value(
        units,
        unit_codes,
        lambda t: parse_unit(t) if t else _missing("unit"),
        table,
        "unit",
        battery_of,
        problems,
        failed,
    )
    share_codes, shares = parse("recycled_share", lambda t: share_cell(t, None, dc))
    dqr_codes, dqrs = parse("dqr", lambda t: dqr_cell(t, None, dc))
    qgsd_codes, qgsds = parse("quantity_gsd", lambda t: gsd_cell("quantity_gsd", t, None, dc))
    fgsd_codes, fgsds = parse("factor_gsd", lambda t: gsd_cell("factor_gsd", t, None, dc))
    type_codes, types = parse(
        "data_type",
        lambda t: data_type_cell(t, None, DATA_TYPES[0]) if t else None,
    )
    material_codes, materials = column("material")
    origin_codes, origins = column("origin")
    component_codes, components = column("component")
    path_codes, paths = column("path")
    note_codes, notes = column("note")

    kind = np.array([KIND_FROM_FACTOR if k is None else k for k in kinds], dtype=np.intp)[
        kind_codes
    ]
    stage = np.array([NO_STAGE if s is None else STAGES.index(s) for s in stages], dtype=np.intp)[
        stage_codes
    ]

    # own factors: once per distinct (factor, source, may be negative)
    factor_codes, factor_texts = column("factor")
    source_codes, source_texts = column("factor_source")
    eol_stage = STAGES.index(Stage.END_OF_LIFE)
    may_be_negative = (kind == KINDS.index(LineKind.MATERIAL)) | (kind == KIND_FROM_FACTOR)
    may_be_negative &= stage == eol_stage
    own_key = (factor_codes * len(source_texts) + source_codes) * 2 + may_be_negative
    own_value = np.full(n, math.nan)
    own_unit_text = [""] * n
    own_source_text = [""] * n
    distinct, inverse = np.unique(own_key, return_inverse=True)
    electricity = KINDS.index(LineKind.ELECTRICITY)
    process = KINDS.index(LineKind.PROCESS_EMISSION)
    for k, key in enumerate(distinct):
        negative = bool(key % 2)
        f_code, s_code = divmod(int(key) // 2, len(source_texts))
        text, source = factor_texts[f_code], source_texts[s_code]
        rows = np.flatnonzero(inverse == k)
        if not text and not source:
            continue
        for row in rows:
            if kind[row] in (electricity, process):
                failed[row] = True
                problems.add(
                    battery_of(int(row)),
                    InputError(
                        f"a {KINDS[kind[row]].value} line takes no factor of its own",
                        where=table.where(int(row), "factor"),
                        hint="an electricity line gets its factor from its grid and supply "
                        "columns; a process emission from the gas's GWP",
                        code="invalid-value",
                    ),
                )
        try:
            if source.lower().startswith(PACT_SOURCE):
                raise InputError(
                    "a long BOM takes the factor value itself, not a pact: footprint file",
                    hint="give the footprint's value in factor (carbonfp flatten writes it from "
                    "a project whose BOM uses pact:FILE)",
                    code="invalid-value",
                )
            if not text:
                raise InputError(
                    "factor_source given without a factor",
                    hint="give the supplier-specific value, e.g. '12.4 kg CO2e/kg'",
                    code="missing-value",
                )
            else:
                factor = supplied_factor(
                    text,
                    source,
                    Location(table.label),
                    Location(table.label),
                    dc,
                    allow_negative=negative,
                )
        except InputError as exc:
            column_name = "factor_source" if exc.code == "missing-source" else "factor"
            for row in rows:
                failed[row] = True
                problems.add(
                    battery_of(int(row)),
                    InputError(
                        exc.message,
                        where=table.where(int(row), column_name),
                        hint=exc.hint,
                        code=exc.code,
                    ),
                )
            continue
        own_value[rows] = factor.value
        for row in rows:
            own_unit_text[row] = factor.unit
            own_source_text[row] = factor.source

    # electricity: grid country and supply
    supplies, supply = _supplies(table, kind, battery_of, problems, failed)
    origin = [""] * len(origins)
    origin_text = np.array(origins, dtype=object)[origin_codes] if n else np.array([], dtype=object)
    material_text = (
        np.array(materials, dtype=object)[material_codes] if n else np.array([], dtype=object)
    )
    factor_id = material_text.copy()
    for row in np.flatnonzero(kind == electricity):
        country = (origin_text[row] or grid_country(material_text[row]) or "").upper()
        if not country:
            failed[row] = True
            problems.add(
                battery_of(int(row)),
                InputError(
                    "an electricity line needs its grid country",
                    where=table.where(int(row), "origin"),
                    hint="give origin (an ISO country code such as HU) or material = grid-XX",
                    code="missing-value",
                ),
            )
            continue
        given = material_text[row]
        if given and grid_country(given) not in (None, country):
            failed[row] = True
            problems.add(
                battery_of(int(row)),
                InputError(
                    f"material {given!r} and origin {country!r} name different grids",
                    where=table.where(int(row), "material"),
                    hint="leave material empty or give grid-" + country.lower(),
                    code="invalid-value",
                ),
            )
        origin_text[row] = country
        factor_id[row] = grid_factor_id(country)
    del origin
    for row in np.flatnonzero(material_text == ""):
        if kind[row] != electricity and not failed[row]:
            failed[row] = True
            problems.add(
                battery_of(int(row)),
                InputError(
                    "missing material",
                    where=table.where(int(row), "material"),
                    hint="every line needs its factor id in material (an electricity line may "
                    "give origin instead)",
                    code="missing-value",
                ),
            )
    origin_upper = _codes(origin_text)
    origin_upper = Codes(origin_upper.codes, tuple(o.upper() for o in origin_upper.values))

    component_text = np.array(components, dtype=object)[component_codes]
    component_text = np.where(component_text == "", material_text, component_text)

    data_type = np.array(
        [DEFAULT_DATA_TYPE if t is None else DATA_TYPES.index(t) for t in types], dtype=np.intp
    )[type_codes]
    # explicit kinds get their default data type now; lines whose kind their factor decides,
    # once resolved (carbonfp.engine.resolve)
    own = ~np.isnan(own_value)
    for row in np.flatnonzero((data_type == DEFAULT_DATA_TYPE) & (kind != KIND_FROM_FACTOR)):
        data_type[row] = DATA_TYPES.index(default_data_type(KINDS[kind[row]], bool(own[row])))

    keep = ~failed
    raw = RawLines(
        battery=battery_codes,
        kind=kind,
        component=_codes(component_text),
        path=Codes(path_codes, tuple(paths)),
        factor_id=_codes(factor_id),
        quantity=quantity,
        unit=Codes(unit_codes, tuple(units)),
        stage=stage,
        own_value=own_value,
        own_unit=_codes(np.array(own_unit_text, dtype=object)),
        own_source=_codes(np.array(own_source_text, dtype=object)),
        data_type=data_type,
        dqr=_floats(dqrs, dqr_codes),
        origin=origin_upper,
        recycled_share=_floats(shares, share_codes),
        quantity_gsd=_floats(qgsds, qgsd_codes),
        factor_gsd=_floats(fgsds, fgsd_codes),
        note=Codes(note_codes, tuple(notes)),
        where_file=Codes.constant(table.label, n),
        where_line=np.asarray(table.line, dtype=np.intp),
        where_column=np.zeros(n, dtype=np.intp),
        where_key=Codes.constant("", n),
        supply=supply,
        supplies=supplies,
    )
    return (raw if keep.all() else raw.take(keep)), battery_ids


def _codes(values: Any) -> Codes[str]:
    """Codes of a column of text (pandas' hash table: no Python loop per row)."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return Codes(np.asarray(codes, dtype=np.intp), tuple(str(u) for u in uniques))


def _missing(column: str) -> Any:
    raise InputError(f"missing {column}", hint=f"every line needs a {column}", code="missing-value")


def _kind(text: str) -> int | None:
    if not text:
        return None
    key = text.strip().lower()
    if key in _KIND_NAMES:
        return _KIND_NAMES[key]
    raise InputError(
        f"unknown kind {text!r}",
        hint="use " + ", ".join(k.value for k in KINDS) + " (or leave it empty: the factor's "
        "table decides)",
        code="invalid-value",
    )


def _floats(values: Sequence[float | None], codes: Ints) -> Any:
    array = np.array([math.nan if v is None else v for v in values], dtype=float)
    return array[codes] if len(codes) else np.zeros(0)


def _quantities(
    table: _Table, battery_of: Callable[[int], str], problems: _Problems, failed: Any
) -> Any:
    """The quantity column as floats: read as numbers by the C parser where it could, else each
    distinct text through the BOM's check (decimal commas, thousands separators, errors)."""
    column = table.frame["quantity"]
    if column.dtype.kind == "f":
        numbers = np.asarray(column.to_numpy(dtype=float))
        bad = ~np.isfinite(numbers) | (numbers < 0)
        if not bad.any():
            return numbers
        texts = ["" if math.isnan(v) else repr(float(v)) for v in numbers[bad]]
        for row, text in zip(np.flatnonzero(bad), texts, strict=True):
            _quantity_problem(table, int(row), text, battery_of, problems, failed)
        return numbers
    codes, values = table.column("quantity")
    parsed = np.full(len(values), math.nan)
    for k, text in enumerate(values):
        try:
            parsed[k] = quantity_cell(text, None, table.decimal_comma)
        except InputError:
            for row in np.flatnonzero(codes == k):
                _quantity_problem(table, int(row), text, battery_of, problems, failed)
    return parsed[codes] if len(codes) else np.zeros(0)


def _quantity_problem(
    table: _Table,
    row: int,
    text: str,
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> None:
    failed[row] = True
    try:
        quantity_cell(text, table.where(row, "quantity"), table.decimal_comma)
    except InputError as exc:
        problems.add(battery_of(row), exc)
    else:  # a number the C parser read but that is not finite
        problems.add(
            battery_of(row),
            InputError(
                f"quantity {text} is not a finite number",
                where=table.where(row, "quantity"),
                code="not-a-number",
            ),
        )


def _supplies(
    table: _Table,
    kind: Ints,
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> tuple[tuple[ElectricitySupply, ...], Ints]:
    """Per line: its ElectricitySupply (read like an [[electricity]] block's keys), -1 for lines
    without supply data. Once per distinct combination of the supply cells."""
    n = len(table.frame)
    present = [c for c in SUPPLY_COLUMNS if c in table.frame.columns]
    supply = np.full(n, -1, dtype=np.intp)
    electricity = KINDS.index(LineKind.ELECTRICITY)
    from_factor = kind == KIND_FROM_FACTOR
    if not present:
        supply[(kind == electricity) | from_factor] = -1
        return (), supply
    codes = [table.column(c) for c in present]
    stacked = np.stack([c for c, _ in codes], axis=1)
    distinct, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    supplies: list[ElectricitySupply] = []
    chosen = np.full(len(distinct), -1, dtype=np.intp)
    for k, row in enumerate(first):
        cells = {c: v[int(cs[row])] for c, (cs, v) in zip(present, codes, strict=True)}
        cells = {c: t for c, t in cells.items() if t}
        rows = np.flatnonzero(inverse == k)
        if not cells:
            continue
        others = rows[(kind[rows] != electricity) & ~from_factor[rows]]
        for r in others:
            failed[r] = True
            problems.add(
                battery_of(int(r)),
                InputError(
                    "supply columns are for electricity lines",
                    where=table.where(int(r), next(iter(cells))),
                    hint="leave supply, technology, share, certificate_id ... empty on other lines",
                    code="invalid-value",
                ),
            )
        try:
            block = TomlTable(
                _supply_data(cells, table.decimal_comma),
                label=table.label,
                text="",
                table="",
                line=int(table.line[row]),
            )
            chosen[k] = len(supplies)
            supplies.append(read_supply(block))
        except InputError as exc:
            chosen[k] = -1
            for r in rows:
                failed[r] = True
                problems.add(
                    battery_of(int(r)),
                    InputError(
                        exc.message,
                        where=Location(
                            table.label,
                            int(table.line[r]),
                            key=exc.where.key if exc.where else None,
                        ),
                        hint=exc.hint,
                        code=exc.code,
                    ),
                )
    supply = chosen[inverse]
    return tuple(supplies), np.asarray(supply, dtype=np.intp)


def _supply_data(cells: dict[str, str], decimal_comma: bool | None) -> dict[str, Any]:
    """Supply cells as the TOML values of an [[electricity]] block."""
    data: dict[str, Any] = {}
    for column, text in cells.items():
        if column in ("conveys_attributes", "cancelled_for_user"):
            lowered = text.lower()
            data[column] = {"true": True, "false": False}.get(lowered, text)
        elif column == "share":
            data[column] = number_cell("share", text, None, decimal_comma)
        else:
            data[column] = text
    return data
