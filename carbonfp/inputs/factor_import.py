"""Turns a user's own emission factors into a factor set folder to layer with --factors: a CSV
or XLSX sheet in any column layout (named by a mapping), or ILCD process data sets.

Every import reads the whole file first and lists every row it cannot read (row or data set,
column, reason) before anything is written; the set is written into a temporary folder beside
``--out`` and renamed to it once it validates, so a failed import leaves nothing behind. The
manifest records the imported file's name, format and sha256. docs/factor-import.md is the
user's description of the formats.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from carbonfp.errors import InputError, Location, UsageError
from carbonfp.files import TomlTable, ensure_folder, limit, load_toml, read_text, too_large
from carbonfp.inputs.bom import _normalise_header, bad_quotes, open_workbook
from carbonfp.inputs.ilcd import IlcdProcess, LciaResult, read_package

#: The columns of carbonfp's own factor CSV: required, then optional.
REQUIRED = ("id", "name", "value", "unit", "source")
OPTIONAL = (
    "table",
    "region",
    "year",
    "locator",
    "status",
    "license",
    "note",
    "low",
    "high",
    "gsd",
    "source_url",
)
#: What a mapping may read from a column or fix for every row: carbonfp's columns, and
#: ``value_unit``, the unit of the value when ``unit`` holds only the amount ("kg").
FIELDS = (*REQUIRED, *OPTIONAL, "value_unit")
#: The unit of a value whose unit column holds only an amount, when the mapping names none.
DEFAULT_VALUE_UNIT = "kg CO2e"
#: What the id of an ILCD process is made of.
ILCD_IDS = ("uuid", "name")
#: The words that make an LCIA indicator a climate-change one.
_CLIMATE = re.compile(r"climate[\s_-]*change|global[\s_-]*warming|\bgwp", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


# --- the mapping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Where each field of a factor is read: a column (by its header, or its number from 1)
    or a value fixed for every row; which sheet and header rows; which rows to skip.

    A field neither mapped nor fixed is read from the column of its own name when there is
    one (so carbonfp's own CSV needs no mapping).
    """

    sheet: str | None = None
    #: the rows (numbered from 1, as the spreadsheet shows them) that hold the column names;
    #: several are joined with " | "; none: the first row that is not empty
    header_rows: tuple[int, ...] = ()
    skip_rows: frozenset[int] = frozenset()
    columns: Mapping[str, str | int] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)

    def with_options(
        self,
        *,
        sheet: str | None = None,
        header_rows: tuple[int, ...] = (),
        skip_rows: tuple[int, ...] = (),
        columns: Mapping[str, str | None] | None = None,
        fixed: Mapping[str, str | None] | None = None,
    ) -> ColumnMapping:
        """This mapping with the command line's options over it: a column option drops the
        field's fixed value, a fixed option its column. Raises UsageError for a row below 1."""
        for row in (*header_rows, *skip_rows):
            if row < 1:
                raise UsageError(
                    f"row {row}: rows are numbered from 1",
                    hint="give the row numbers the spreadsheet shows",
                    code="invalid-option",
                )
        cols = dict(self.columns)
        fix = dict(self.fixed)
        for name, column in (columns or {}).items():
            if column is not None:
                cols[name] = column
                fix.pop(name, None)
        for name, value in (fixed or {}).items():
            if value is not None:
                fix[name] = value
                cols.pop(name, None)
        return replace(
            self,
            sheet=sheet if sheet is not None else self.sheet,
            header_rows=tuple(header_rows) or self.header_rows,
            skip_rows=self.skip_rows | frozenset(skip_rows),
            columns=cols,
            fixed=fix,
        )


#: Keys of a mapping file.
MAPPING_KEYS = {"sheet", "header_row", "header_rows", "skip_rows", "columns", "fixed"}


def read_mapping(path: Path) -> ColumnMapping:
    """Read a mapping file (TOML; docs/factor-import.md). Raises InputError naming the key."""
    label = path.name
    data, text = load_toml(path, label)
    top = TomlTable(data, label=label, text=text, table="")
    top.unknown_keys(MAPPING_KEYS)

    def rows(key: str) -> tuple[int, ...]:
        value = data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        if not items or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in items
        ):
            raise top.fail(
                key,
                f"{key} must be a row number from 1, or a list of them",
                hint=f"e.g. {key} = [1, 2]",
                code="wrong-type",
            )
        return tuple(items)

    if "header_row" in data and "header_rows" in data:
        raise top.fail(
            "header_rows",
            "give header_row or header_rows, not both",
            hint="header_rows = [1, 2] joins the names of two rows",
            code="invalid-value",
        )
    columns: dict[str, str | int] = {}
    fixed: dict[str, str] = {}
    if top.has("columns"):
        table = top.sub("columns")
        table.unknown_keys(set(FIELDS))
        for key, value in table.data.items():
            if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
                raise table.fail(
                    key,
                    f"columns.{key} must be a column's name, or its number from 1",
                    hint=f'e.g. {key} = "Activity Name" or {key} = 3',
                    code="wrong-type",
                )
            if isinstance(value, int) and value < 1:
                raise table.fail(
                    key, "columns are numbered from 1 (column A)", code="invalid-value"
                )
            columns[key] = value
    if top.has("fixed"):
        table = top.sub("fixed")
        table.unknown_keys(set(FIELDS) - {"id", "value"})
        for key, value in table.data.items():
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise table.fail(
                    key,
                    f"fixed.{key} must be a text (or a year)",
                    hint=f'e.g. {key} = "..."',
                    code="wrong-type",
                )
            if key in columns:
                raise table.fail(
                    key,
                    f"{key} is both read from a column and fixed",
                    hint=f"keep columns.{key} or fixed.{key}",
                    code="invalid-value",
                )
            fixed[key] = str(value)
    return ColumnMapping(
        sheet=top.opt_str("sheet"),
        header_rows=rows("header_rows") or rows("header_row"),
        skip_rows=frozenset(rows("skip_rows")),
        columns=columns,
        fixed=fixed,
    )


# --- rows of a factor set ---------------------------------------------------------------------


@dataclass(frozen=True)
class FactorRow:
    """One factor to write, read and checked."""

    id: str
    name: str
    value: float
    unit: str
    table: str
    source: str
    license: str
    locator: str
    region: str = ""
    year: int | None = None
    source_url: str = ""
    status: str = "user"
    note: str = ""
    low: float | None = None
    high: float | None = None
    gsd: float | None = None


@dataclass(frozen=True)
class Imported:
    """What an import wrote: the rows, and where they came from."""

    rows: tuple[FactorRow, ...]
    label: str
    format: str
    sha256: str


class _Rows:
    """The rows read so far, and every problem found (row, column, reason)."""

    def __init__(self) -> None:
        self.rows: list[FactorRow] = []
        self.problems: list[str] = []
        self.ids: dict[str, str] = {}

    def add(self, row: FactorRow, where: str) -> None:
        first = self.ids.get(row.id)
        if first is not None:
            self.problems.append(f"{where}: id {row.id!r} is also the id of {first}")
            return
        self.ids[row.id] = where
        self.rows.append(row)


# --- CSV and XLSX ----------------------------------------------------------------------------


def import_factors(
    path: Path,
    name: str,
    version: str,
    out: Path,
    mapping: ColumnMapping | None = None,
    *,
    energy_table: str | None = None,
) -> int:
    """Write the rows of the CSV or XLSX file ``path`` as factor set ``name@version`` into the
    new folder ``out``; ``mapping`` says which column holds what (default: carbonfp's own
    columns, :data:`REQUIRED` and :data:`OPTIONAL`); ``energy_table`` (electricity or fuels)
    takes the rows per kWh or MJ that no table column places. Returns the number of rows.

    Raises UsageError (a bad name or version; ``out`` exists and is not empty), InputError
    (``missing-column`` for a column the mapping names and the file lacks; ``invalid-factor-rows``
    listing every bad row; ``empty-file``; the file cannot be read).
    """
    _check_target(name, version, out)
    _check_energy_table(energy_table)
    mapping = mapping or ColumnMapping()
    label = path.name
    is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    if is_xlsx:
        raw, sheet = _xlsx_rows(path, label, mapping.sheet)
        decimal_comma = None
    else:
        if mapping.sheet is not None:
            raise UsageError(
                f"{label} is a CSV file: it has no sheets",
                hint="--sheet (and sheet in a mapping file) is for .xlsx workbooks",
                code="invalid-option",
            )
        raw, decimal_comma = _csv_rows(read_text(path, label), label, mapping.header_rows)
        sheet = ""
    rows = _read_rows(
        raw, mapping, label, sheet, decimal_comma, check_width=not is_xlsx, energy=energy_table
    )
    if rows.problems:
        raise _bad_rows(rows.problems, label)
    if not rows.rows:
        raise InputError(
            "no factor rows",
            where=Location(label),
            hint="add one row per factor below the header",
            code="empty-file",
        )
    digest = _sha256_of(path)
    _write_set(
        Imported(tuple(rows.rows), label, "xlsx" if is_xlsx else "csv", digest), name, version, out
    )
    return len(rows.rows)


def _csv_rows(
    text: str, label: str, header_rows: tuple[int, ...]
) -> tuple[list[tuple[int, list[str]]], bool | None]:
    """Every record of a CSV text with its line, the separator guessed (comma, semicolon or
    tab) from the header line; and whether a lone comma is a decimal comma."""
    lines = text.splitlines()
    first = ""
    if header_rows and header_rows[0] <= len(lines):
        first = lines[header_rows[0] - 1]
    if not first.strip():
        first = next((line for line in lines if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","
    longest = limit("CARBONFP_MAX_LINE_BYTES")
    for number, line in enumerate(lines, 1):
        if len(line) > longest and len(line.encode("utf-8")) > longest:
            raise too_large(
                f"line {number}'s length in bytes",
                len(line.encode("utf-8")),
                "CARBONFP_MAX_LINE_BYTES",
                Location(label, number),
            )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            rows.append((reader.line_num, record))
    except csv.Error as exc:
        raise bad_quotes(label, reader.line_num, exc) from exc
    return rows, {";": True, "\t": None, ",": False}[sep]


def _xlsx_rows(
    path: Path, label: str, sheet_name: str | None
) -> tuple[list[tuple[int, list[str]]], str]:
    """Every row of a workbook's sheet (``sheet_name``, else the first) with its number, the
    cells as text (numbers written exactly), and the sheet's name."""
    book = open_workbook(path, label)
    try:
        if sheet_name is None:
            sheet = book.worksheets[0]
        elif sheet_name in book.sheetnames:
            sheet = book[sheet_name]
        else:
            raise UsageError(
                f"{label} has no sheet {sheet_name!r}",
                hint="its sheets: " + ", ".join(repr(s) for s in book.sheetnames),
                code="invalid-option",
            )
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:  # the cells that exist, whatever size the sheet claims
            reset()
        columns = limit("CARBONFP_MAX_XLSX_COLUMNS")
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if len(cells) > columns:
                raise too_large(
                    f"row {number}'s number of columns",
                    len(cells),
                    "CARBONFP_MAX_XLSX_COLUMNS",
                    Location(label, number),
                )
            rows.append((number, cells))
        return rows, str(sheet.title)
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a whole number as Excel stores it: 2024.0 is 2024
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _read_rows(
    raw: list[tuple[int, list[str]]],
    mapping: ColumnMapping,
    label: str,
    sheet: str,
    decimal_comma: bool | None,
    *,
    check_width: bool,
    energy: str | None = None,
) -> _Rows:
    """The factor rows of a table, every bad row listed. Raises InputError for a header that
    is not there or a column the mapping names that the table lacks."""
    numbered = {number: cells for number, cells in raw}
    where_file = f"{label} sheet {sheet!r}" if sheet else label
    if mapping.header_rows:
        missing = [r for r in mapping.header_rows if not any(numbered.get(r, []))]
        if missing:
            raise InputError(
                f"header row {missing[0]} is empty or past the end of {where_file}",
                where=Location(label, missing[0]),
                hint="give the row that holds the column names (numbered from 1, as the "
                "spreadsheet shows them)",
                code="empty-file",
            )
        header_numbers = tuple(mapping.header_rows)
    else:
        first = next((n for n, cells in raw if any(c.strip() for c in cells)), None)
        if first is None:
            raise InputError(
                "the file is empty: no header row",
                where=Location(label, 1),
                hint="the first row names the columns: " + ", ".join(REQUIRED),
                code="empty-file",
            )
        header_numbers = (first,)
    width = max(len(numbered[n]) for n in header_numbers)
    names = [
        " | ".join(
            numbered[n][i].strip()
            for n in header_numbers
            if i < len(numbered[n]) and numbered[n][i].strip()
        )
        for i in range(width)
    ]
    columns = _columns(names, mapping, label, where_file)
    last_header = max(header_numbers)

    def value_of(cells: list[str], name: str) -> str:
        i = columns.get(name)
        if i is not None:
            return cells[i].strip() if i < len(cells) else ""
        return mapping.fixed.get(name, "").strip()

    result = _Rows()
    for number, cells in raw:
        if number <= last_header or number in mapping.skip_rows:
            continue
        if not any(c.strip() for c in cells):
            continue
        where = f"{label}:{number}"
        if check_width and len(cells) != width and len(header_numbers) == 1:
            said = "more" if len(cells) > width else "fewer"
            result.problems.append(
                f"{where}: the row has {len(cells)} fields, {said} than the {width} columns of "
                "the header (a cell that holds the separator needs quotes)"
            )
            continue

        def text(name: str, cells: list[str] = cells) -> str:
            return value_of(cells, name)

        def column(name: str) -> str:
            i = columns.get(name)
            if i is not None:
                return f" (column {names[i]!r})"
            return f" (fixed {name})" if name in mapping.fixed else ""

        locator = f"{label} sheet {sheet} row {number}" if sheet else f"{label} line {number}"
        row, problems = _row(text, column, decimal_comma, locator, energy)
        if row is None:
            result.problems.extend(f"{where}: {p}" for p in problems)
        else:
            result.add(row, where)
    return result


def _columns(
    names: list[str], mapping: ColumnMapping, label: str, where_file: str
) -> dict[str, int]:
    """Field -> column index. Raises InputError (``missing-column``) listing every column the
    mapping names that the header lacks, and every required field mapped nowhere."""
    by_key: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name:
            by_key.setdefault(_key(name), []).append(i)
            own = _normalise_header(name)
            if own != _key(name):
                by_key.setdefault(own, []).append(i)
    found: dict[str, int] = {}
    problems: list[str] = []
    ambiguous: list[str] = []
    for field_name, spec in mapping.columns.items():
        if isinstance(spec, int):
            if spec > len(names):
                problems.append(
                    f"{field_name}: column {spec} is past the last column ({len(names)})"
                )
            else:
                found[field_name] = spec - 1
            continue
        hits = sorted(set(by_key.get(_key(spec), [])))
        if len(hits) > 1:
            ambiguous.append(
                f"{field_name}: {spec!r} names columns "
                + ", ".join(str(i + 1) for i in hits)
                + " (give its number instead)"
            )
        elif hits:
            found[field_name] = hits[0]
        else:
            close = difflib.get_close_matches(spec, [n for n in names if n], n=3, cutoff=0.6)
            if field_name == "value":
                close += [n for n in names if _CLIMATE.search(n) and n not in close][:5]
            problems.append(
                f"{field_name}: no column {spec!r}"
                + (" (did you mean " + " or ".join(repr(c) for c in close) + "?)" if close else "")
            )
    for field_name in FIELDS:  # carbonfp's own columns, where nothing else maps the field
        if field_name in found or field_name in mapping.fixed or field_name in mapping.columns:
            continue
        hits = sorted(set(by_key.get(field_name, [])))
        if len(hits) == 1:
            found[field_name] = hits[0]
    for field_name in ("id", "value"):
        if field_name not in found and field_name not in mapping.columns:
            problems.append(
                f"{field_name}: no column {field_name!r}, and the mapping names none "
                f"(--{field_name}-column, or columns.{field_name} in a mapping file)"
            )
    for field_name in ("unit", "source"):
        if field_name not in found and field_name not in (*mapping.fixed, *mapping.columns):
            problems.append(
                f"{field_name}: no column {field_name!r}, and the mapping names no column "
                f"and no fixed {field_name} (--{field_name}-column or --{field_name})"
            )
    if ambiguous:
        raise InputError(
            "the header of "
            + where_file
            + " holds a name the mapping uses more than once: "
            + "; ".join(ambiguous),
            where=Location(label),
            hint="name the column by its number (1 is column A) in a mapping file",
            code="duplicate-column",
        )
    if problems:
        shown = [n for n in names if n][:40]
        raise InputError(
            f"{len(problems)} column{'s' if len(problems) > 1 else ''} not found in {where_file}: "
            + "; ".join(problems),
            where=Location(label),
            hint="its columns: "
            + ", ".join(repr(n) for n in shown)
            + (" ..." if len([n for n in names if n]) > len(shown) else "")
            + "; docs/factor-import.md shows how to map them",
            code="missing-column",
        )
    return found


def _row(
    text: Callable[[str], str],
    column: Callable[[str], str],
    decimal_comma: bool | None,
    locator: str,
    energy_table: str | None = None,
) -> tuple[FactorRow | None, list[str]]:
    """One row from its cells (``text`` gives a field's text, ``column`` names where it came
    from): the row, or None and every problem of it."""
    from carbonfp.data.factor_sets import LICENSES, STATUSES, TABLES
    from carbonfp.units import parse_number

    problems: list[str] = []
    fid, unit_text, source = text("id"), text("unit"), text("source")
    for name in ("id", "value", "unit", "source"):
        if not text(name):
            problems.append(f"missing {name}{column(name)}")
    if problems:
        return None, problems

    def number(name: str) -> float | None:
        given = text(name)
        if not given:
            return None
        try:
            return parse_number(given, decimal_comma)
        except ValueError:
            problems.append(f"{name} {given!r} is not a number{column(name)}")
            return None

    value = number("value")
    low, high, gsd = number("low"), number("high"), number("gsd")
    table = text("table")
    factor_unit, problem = _factor_unit(unit_text, text("value_unit") or DEFAULT_VALUE_UNIT)
    if problem:
        problems.append(problem + column("unit"))
    if table and table not in TABLES:
        problems.append(f"unknown table {table!r} (use {', '.join(TABLES)}){column('table')}")
    elif factor_unit:
        table, problem = _table_for(factor_unit, table, energy_table)
        if problem:
            problems.append(problem + column("table" if text("table") else "unit"))
    licence = text("license") or "proprietary"
    if licence not in LICENSES:
        problems.append(f"licence {licence!r} not in {', '.join(LICENSES)}{column('license')}")
    status = text("status") or "user"
    if status not in STATUSES:
        problems.append(f"status {status!r} not in {', '.join(STATUSES)}{column('status')}")
    year = None
    year_text = text("year")
    if year_text:
        try:
            year_number = float(year_text)
            if not year_number.is_integer() or not 0 < year_number < 10_000:
                raise ValueError(year_text)
            year = int(year_number)
        except ValueError:
            problems.append(f"year {year_text!r} is not a year{column('year')}")
    if problems or value is None:
        return None, problems
    row = FactorRow(
        id=fid,
        name=text("name") or fid,
        value=value,
        unit=factor_unit,
        table=table,
        source=source,
        license=licence,
        locator=text("locator") or locator,
        region=text("region"),
        year=year,
        source_url=text("source_url"),
        status=status,
        note=text("note"),
        low=low,
        high=high,
        gsd=gsd,
    )
    problems = _checked(row)
    return (None, problems) if problems else (row, [])


#: Amount units as LCA software writes them (ILCD's "Item(s)", SimaPro's "p"), as carbonfp's
#: unit registry reads them.
_AMOUNT_ALIASES = {
    "item(s)": "piece",
    "p": "piece",
    "pc.": "piece",
}
#: "m2", "m3" as LCA software writes squares and cubes (within a unit: "m2*a")
_POWER = re.compile(r"\b([A-Za-z]+)([23])\b")


def _factor_unit(unit: str, value_unit: str) -> tuple[str, str]:
    """The factor's unit: ``unit`` itself when it is kg CO2e per something, else the value's
    unit per the amount ``unit`` names ("kg" -> "kg CO2e/kg"). Returns (unit, problem)."""
    from carbonfp.units import parse_unit

    try:
        dims = parse_unit(unit).dimensionality
    except InputError:
        given = unit
        unit = _AMOUNT_ALIASES.get(unit.strip().lower()) or _POWER.sub(r"\1**\2", unit)
        try:
            dims = parse_unit(unit).dimensionality
        except InputError:
            return "", f"unknown unit {given!r}"
    if "[co2e]" in dims:
        return unit, ""
    try:
        value_dims = parse_unit(value_unit).dimensionality
    except InputError:
        return "", f"unknown value unit {value_unit!r}"
    if dict(value_dims) != {"[co2e]": 1}:
        return "", f"the value's unit {value_unit!r} is not a mass of CO2e (kg CO2e)"
    amount = unit if re.fullmatch(r"[A-Za-z_]+", unit) else f"({unit})"
    return f"{value_unit}/{amount}", ""


def _table_for(unit: str, table: str, energy_table: str | None = None) -> tuple[str, str]:
    """The table of a factor in ``unit``: ``table`` if given, else from what the factor is
    per (mass or pieces: materials; t*km: transport; volume: fuels; energy: ``energy_table``).
    Returns (table, problem)."""
    from carbonfp.data.factor_sets import AMOUNT_UNITS

    if table:
        if any(_fits(amount, unit) for amount in AMOUNT_UNITS[table]):
            return table, ""
        return "", (
            f"unit {unit!r} is not a {table} factor (kg CO2e per "
            f"{' or '.join(AMOUNT_UNITS[table])})"
        )
    for candidate, amount in (
        ("materials", "kg"),
        ("materials", "piece"),
        ("transport", "t*km"),
        ("fuels", "L"),
    ):
        if _fits(amount, unit):
            return candidate, ""
    if _fits("kWh", unit):
        if energy_table:
            return energy_table, ""
        return "", (
            f"unit {unit!r} is per energy: electricity or fuels? (--energy-table, or a table "
            "column)"
        )
    return "", (
        f"unit {unit!r} fits no factor table (materials per kg or piece, electricity per kWh, "
        "fuels per MJ, kg or L, transport per t*km)"
    )


def _checked(row: FactorRow) -> list[str]:
    """What a factor set would refuse in a row read (the sign, the range, the spread)."""
    problems = []
    if not math.isfinite(row.value) or abs(row.value) > 1e300:
        problems.append(f"value {row.value!r} is not a finite number")
    if row.value < 0 and row.table != "end_of_life":
        problems.append(f"negative factor {row.value:g}: credits belong to the end_of_life table")
    if row.low is not None and row.high is not None and not row.low <= row.value <= row.high:
        problems.append(
            f"the range {row.low:g} to {row.high:g} does not hold the value {row.value:g}"
        )
    if row.gsd is not None and row.gsd < 1:
        problems.append(f"gsd {row.gsd:g} is below 1 (1 means no spread)")
    return problems


def _fits(amount: str, unit: str) -> bool:
    from carbonfp.units import emission_scale

    try:
        emission_scale(amount, unit)
        return True
    except InputError:
        return False


# --- ILCD ------------------------------------------------------------------------------------


def import_ilcd(
    path: Path,
    name: str,
    version: str,
    out: Path,
    *,
    indicator: str | None = None,
    table: str | None = None,
    energy_table: str | None = None,
    ids: str = "uuid",
    source: str | None = None,
    licence: str = "proprietary",
) -> int:
    """Write the process data sets of the ILCD zip or folder ``path`` as factor set
    ``name@version`` into the new folder ``out``: one factor per process, its climate-change
    LCIA result per unit of its reference flow. ``indicator`` (a name or UUID) picks the
    LCIA indicator when the data sets carry several; ``table`` puts every factor in that table
    (by default, from the reference unit; ``energy_table``, electricity or fuels, takes those
    per kWh or MJ); ``ids``: "uuid" (the data set's UUID) or "name"
    (its name in lower case, words joined by "-"); ``source`` the source's title. Returns the
    number of rows.

    Raises UsageError (bad options; ``choose-indicator``), InputError (``invalid-factor-rows``
    listing every data set that cannot be read; ``invalid-ilcd``; ``unsafe-xml``; ``too-large``).
    """
    from carbonfp.data.factor_sets import LICENSES, TABLES

    _check_target(name, version, out)
    _check_energy_table(energy_table)
    if ids not in ILCD_IDS:
        raise UsageError(f"--ids must be uuid or name, not {ids!r}", code="invalid-option")
    if table is not None and table not in TABLES:
        raise UsageError(
            f"unknown table {table!r}", hint="tables: " + ", ".join(TABLES), code="invalid-option"
        )
    if licence not in LICENSES:
        raise UsageError(
            f"licence {licence!r} is not in the allow-list",
            hint="licences: " + ", ".join(LICENSES),
            code="invalid-option",
        )
    label = path.name
    processes, unread = read_package(path, label)
    where = {p.entry: _in_package(label, path, p.entry) for p in processes}
    problems = [f"{_in_package(label, path, p.entry)}: {p.reason}" for p in unread]
    chosen = _choose_indicator(processes, indicator, label)
    title = source or f"ILCD data sets of {label}"
    rows = _Rows()
    slugs: dict[str, str] = {}
    for process in processes:
        row, reasons = _ilcd_row(process, chosen, (table, energy_table), ids, title, licence, label)
        if row is None:
            problems.extend(f"{where[process.entry]}: {r}" for r in reasons)
            continue
        if ids == "name":
            first = slugs.setdefault(row.id, process.entry)
            if first != process.entry:
                problems.append(
                    f"{where[process.entry]}: its name gives the id {row.id!r}, as does "
                    f"{first} (import with --ids uuid)"
                )
                continue
        rows.add(row, where[process.entry])
    problems.extend(rows.problems)
    if problems:
        raise _bad_rows(problems, label)
    _write_set(Imported(tuple(rows.rows), label, "ilcd", _sha256_of(path)), name, version, out)
    return len(rows.rows)


def _in_package(label: str, path: Path, entry: str) -> str:
    return f"{label}/{entry}" if path.is_dir() else f"{label}:{entry}"


def _is_climate(result: LciaResult) -> bool:
    return any(_CLIMATE.search(text) for text in (result.name, result.category, result.indicator))


def _choose_indicator(
    processes: list[IlcdProcess], indicator: str | None, label: str
) -> LciaResult | None:
    """The climate-change indicator to read (one of each process's LCIA results, by key), or
    None when no process carries results at all (each is then a listed problem)."""
    candidates: dict[str, tuple[LciaResult, int]] = {}
    every: dict[str, LciaResult] = {}
    for process in processes:
        for result in process.results:
            every.setdefault(result.key, result)
            if _is_climate(result):
                first, count = candidates.get(result.key, (result, 0))
                candidates[result.key] = (first, count + 1)
    listed = "; ".join(
        f"{r.describe()} in {n} data set{'s' if n > 1 else ''}"
        for r, n in sorted(candidates.values(), key=lambda c: c[0].name.casefold())
    )
    if indicator is not None:
        wanted = _key(indicator)
        hits = [
            r for r, _ in candidates.values() if wanted in (r.method_uuid.lower(), _key(r.name))
        ]
        if len(hits) == 1:
            return hits[0]
        raise UsageError(
            f"--indicator {indicator!r} "
            + ("names several indicators" if hits else "is none of the climate-change indicators")
            + f" of {label}",
            hint=("give one of them by name or UUID: " + listed)
            if candidates
            else "the data sets carry no climate-change LCIA result",
            code="choose-indicator",
        )
    if len(candidates) > 1:
        names = sorted(candidates.values(), key=lambda c: c[0].name.casefold())
        raise UsageError(
            f"the data sets of {label} carry {len(candidates)} climate-change indicators: "
            + listed,
            hint=f"choose one with --indicator, e.g. --indicator {names[0][0].name!r}",
            code="choose-indicator",
        )
    if candidates:
        return next(iter(candidates.values()))[0]
    if every:
        raise InputError(
            f"no LCIA result of {label} is a climate-change indicator; it carries "
            + ", ".join(r.describe() for r in every.values()),
            where=Location(label),
            hint="export the data sets with the EF 'Climate change' (GWP100) LCIA results",
            code="invalid-ilcd",
        )
    return None


def _ilcd_row(
    process: IlcdProcess,
    chosen: LciaResult | None,
    tables: tuple[str | None, str | None],
    ids: str,
    title: str,
    licence: str,
    label: str,
) -> tuple[FactorRow | None, list[str]]:
    result = None
    if chosen is not None:
        result = next((r for r in process.results if r.key == chosen.key), None)
    if result is None:
        return None, [
            f"no LCIA result {chosen.describe()}"
            if chosen is not None
            else "no LCIA results (carbonfp reads the results; it computes none from the inventory)"
        ]
    if result.amount is None:
        return None, [f"the LCIA result {result.describe()} is not a number"]
    value_unit, problem = _indicator_unit(result.unit)
    if problem:
        return None, [problem]
    amount_unit, problem = _factor_unit(process.unit, value_unit)
    if problem:
        return None, [f"{problem} (the reference flow's unit)"]
    chosen_table, problem = _table_for(amount_unit, tables[0] or "", tables[1])
    if problem:
        return None, [problem]
    fid = process.uuid if ids == "uuid" else _slug(process.name)
    if not fid:
        return None, ["the name makes no id (import with --ids uuid)"]
    version = f"version {process.version}" if process.version else "no version given"
    row = FactorRow(
        id=fid,
        name=process.name,
        value=result.amount / process.amount,
        unit=amount_unit,
        table=chosen_table,
        source=title,
        license=licence,
        locator=(
            f"ILCD process {process.uuid} ({version}), {process.entry} in {label}; "
            f"LCIA result {result.name} ({result.method_uuid or 'no UUID'}) per "
            f"{process.amount:g} {process.unit} of {process.flow_name or 'its reference flow'}"
        ),
        region=process.location,
        year=process.year,
    )
    problems = _checked(row)
    return (None, problems) if problems else (row, [])


def _indicator_unit(unit: str) -> tuple[str, str]:
    """The unit of an LCIA result, from the reference unit of its method's quantity ("kg":
    kg CO2e); kg CO2e when the package does not say. Returns (unit, problem)."""
    from carbonfp.units import dimension_name

    if not unit:
        return DEFAULT_VALUE_UNIT, ""
    try:
        kind = dimension_name(unit)
    except InputError:
        kind = ""
    if kind == "co2e":
        return unit, ""
    if kind == "mass":
        return f"{unit} CO2e", ""
    return "", f"the LCIA indicator's unit {unit!r} is not a mass of CO2e"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


# --- writing the set -------------------------------------------------------------------------


def _check_energy_table(table: str | None) -> None:
    if table not in (None, "electricity", "fuels"):
        raise UsageError(
            f"--energy-table must be electricity or fuels, not {table!r}", code="invalid-option"
        )


def _check_target(name: str, version: str, out: Path) -> None:
    if not _NAME.fullmatch(name) or not _NAME.fullmatch(version):
        raise UsageError(
            "--name and --version may hold letters, digits, '.', '_' and '-'",
            hint="e.g. --name my-factors --version 2026.1",
            code="invalid-option",
        )
    if os.path.lexists(out) and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"{out} exists and is not an empty folder",
            hint="choose a new --out",
            code="output-exists",
        )


def _bad_rows(problems: list[str], label: str) -> InputError:
    return InputError(
        f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in {label}; nothing was "
        "written:\n  " + "\n  ".join(problems),
        where=Location(label),
        hint="fix each row listed (each names its row or data set, column and reason); "
        "docs/factor-import.md describes what is read",
        code="invalid-factor-rows",
    )


def _sha256_of(path: Path) -> str:
    """The sha256 of a file, read in blocks; of a folder, the sha256 of its files' relative
    paths and sha256s, one "path sha256" line each, sorted."""
    if path.is_dir():
        lines = []
        for top, dirs, files in os.walk(path):
            dirs.sort()
            for file in sorted(files):
                full = Path(top) / file
                lines.append(f"{full.relative_to(path).as_posix()} {_sha256_of(full)}\n")
        return hashlib.sha256("".join(sorted(lines)).encode("utf-8")).hexdigest()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _toml_str(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML escapes too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _move(tmp: Path, out: Path) -> None:
    """Rename the folder ``tmp`` to ``out`` (new, or an empty folder: replaced). Raises
    OSError, leaving ``out`` as it was."""
    try:
        tmp.rename(out)  # POSIX replaces an empty folder
    except OSError:
        if not out.is_dir() or any(out.iterdir()):
            raise
        out.rmdir()  # where a rename does not replace a folder
        try:
            tmp.rename(out)
        except OSError:
            out.mkdir()
            raise


def _write_set(imported: Imported, name: str, version: str, out: Path) -> None:
    """Write the rows as a set folder: a temporary folder beside ``out``, validated, then
    renamed to ``out``. Raises UsageError when the folder cannot be written."""
    from carbonfp.data.factor_sets import TABLES, validate_set

    sources: dict[str, tuple[str, str, str, int]] = {}
    by_table: dict[str, list[str]] = {t: [] for t in TABLES}
    for row in imported.rows:
        key = "user-" + hashlib.sha256(f"{row.source}|{row.license}".encode()).hexdigest()[:10]
        sources.setdefault(key, (row.source, row.source_url, row.license, row.year or 0))
        lines = [
            "[[factor]]",
            f"id = {_toml_str(row.id)}",
            f"name = {_toml_str(row.name)}",
            f"value = {row.value!r}",
            f"unit = {_toml_str(row.unit)}",
            f"region = {_toml_str(row.region)}",
        ]
        if row.year is not None:
            lines.append(f"year = {row.year}")
        lines += [
            f"source = {_toml_str(key)}",
            f"locator = {_toml_str(row.locator)}",
            f"status = {_toml_str(row.status)}",
        ]
        for key_name, number in (("low", row.low), ("high", row.high), ("gsd", row.gsd)):
            if number is not None:
                lines.append(f"{key_name} = {number!r}")
        if row.note:
            lines.append(f"note = {_toml_str(row.note)}")
        by_table[row.table].append("\n".join(lines) + "\n")
    source_rows = [
        "\n".join(
            [
                "[[source]]",
                f"key = {_toml_str(key)}",
                f"title = {_toml_str(title)}",
                'publisher = "user-supplied"',
                f"year = {year}",
                f"url = {_toml_str(url)}",
                f"license = {_toml_str(licence)}",
                f"attribution = {_toml_str(title)}",
            ]
        )
        + "\n"
        for key, (title, url, licence, year) in sorted(sources.items())
    ]
    files = {
        "sources.toml": "# Sources of an imported user factor set.\n\n" + "\n".join(source_rows)
    }
    for table, rows in by_table.items():
        if rows:
            files[f"{table}.toml"] = (
                f"# Imported from {imported.label} by carbonfp factors import.\n\n"
                + "\n".join(rows)
            )
    parent = ensure_folder(out.parent if str(out.parent) else Path("."))
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise UsageError(
            f"cannot write into {parent}: {exc.strerror}",
            hint="check that you may write there",
            code="cannot-write",
        ) from exc
    try:
        for file_name, text in files.items():
            (tmp / file_name).write_text(text, encoding="utf-8")
        manifest = [
            f"# User factor set imported from {imported.label} by carbonfp factors import.",
            f"id = {_toml_str(name)}",
            f"version = {_toml_str(version)}",
            f"title = {_toml_str(f'{name} (imported from {imported.label})')}",
            "",
            "# The file the rows were read from (a folder: the sha256 of its files' paths and",
            "# sha256s, one 'path sha256' line each, sorted).",
            "[imported]",
            f"file = {_toml_str(imported.label)}",
            f"format = {_toml_str(imported.format)}",
            f"sha256 = {_toml_str(imported.sha256)}",
            "",
            "[files]",
        ]
        for file_name in sorted(files):
            digest = hashlib.sha256((tmp / file_name).read_bytes()).hexdigest()
            manifest.append(f"{_toml_str(file_name)} = {_toml_str(digest)}")
        (tmp / "manifest.toml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
        errors = validate_set(tmp)
        if errors:  # a bug in this writer: every row was checked before
            raise RuntimeError("imported set does not validate: " + "; ".join(map(str, errors)))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        _move(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(
            f"cannot write {out}: {exc.strerror or exc}",
            hint="check that you may write there and that the disk has room",
            code="cannot-write",
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
