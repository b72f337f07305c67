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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from carbonfp.columns import (
    DATA_TYPES,
    DEFAULT_DATA_TYPE,
    KIND_FROM_FACTOR,
    KINDS,
    LINE_OPTIONAL,
    LINE_REQUIRED,
    NO_STAGE,
    STAGES,
    SUPPLY_COLUMNS,
    Codes,
    Floats,
    Inputs,
    Ints,
    RawLines,
    combined_codes,
    zeros,
)
from carbonfp.errors import CarbonfpError, InputError, Location
from carbonfp.files import TomlTable, limit, read_text, too_large, unguard_formula
from carbonfp.inputs.bom import (
    CATENAX_SOURCE,
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
from carbonfp.inputs.energy import read_supply
from carbonfp.inputs.project import (
    BATTERY_KEYS,
    DECLARATION_KEYS,
    MANUFACTURER_KEYS,
    METHOD_KEYS,
    PLANT_KEYS,
    Facts,
    read_facts,
)
from carbonfp.model import (
    EOL_MATERIAL_KEYS,
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
from carbonfp.origins import origin_cell
from carbonfp.units import parse_unit

T = TypeVar("T")

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
    "manufacturer": MANUFACTURER_KEYS,
    "plant": PLANT_KEYS,
    "declaration": DECLARATION_KEYS,
    "method": METHOD_KEYS,
}
LIST_KEYS = {("manufacturer", "company_id"), ("declaration", "product_id")}
EOL_NUMBERS = {"R2", "R3", "Qsout"}
_KIND_NAMES = {kind.value: i for i, kind in enumerate(KINDS)} | {
    "process emission": KINDS.index(LineKind.PROCESS_EMISSION),
    "process-emission": KINDS.index(LineKind.PROCESS_EMISSION),
    "energy": KINDS.index(LineKind.ELECTRICITY),
}


_CHUNK_ROWS = 100_000  # rows parsed at a time: the text of one chunk is alive at once


@dataclass
class _Table:
    """A table file as columns (text ones as codes into their distinct values, stripped, a
    formula guard taken off), each row with its line in the file."""

    label: str
    columns: list[str]
    n: int
    line: Ints
    decimal_comma: bool | None
    warnings: list[Issue] = field(default_factory=list)
    read: dict[str, Codes[str]] = field(default_factory=dict)
    numbers: dict[str, Floats] = field(default_factory=dict)
    sha256: str = ""
    #: rows of the file this table was read from, blank rows included (-1: ``n``)
    rows_in_file: int = -1
    #: text columns kept as one numpy string per row (ids: nearly every value distinct)
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_in_file < 0:
            self.rows_in_file = self.n

    def codes(self, name: str) -> Codes[str]:
        """A column as codes into its distinct texts; all "" when the column is absent."""
        found = self.read.get(name)
        if found is None:
            if name in self.raw:
                column = _Column()
                column.add(self.raw[name].astype(object))
                return column.codes()
            if name in self.numbers:  # a number column asked for as text
                column = _Column()
                column.add(self.numbers[name])
                found = self.read[name] = column.codes()
            else:
                found = Codes.constant("", self.n)
        return found

    def where(self, row: int, column: str | None = None) -> Location:
        return Location(self.label, int(self.line[row]), key=column)

    def take(self, rows: Any) -> _Table:
        """The rows at ``rows`` (a mask or indices), each column compacted."""
        line = self.line[rows]
        return replace(
            self,
            n=len(line),
            rows_in_file=len(line),
            line=line,
            read={name: codes.take(rows).compact() for name, codes in self.read.items()},
            numbers={name: values[rows] for name, values in self.numbers.items()},
        )

    @staticmethod
    def concat(parts: Sequence[_Table]) -> _Table:
        """Tables of the same file one after the other (chunks of it)."""
        filled = [p for p in parts if p.n]
        if len(filled) <= 1:
            return filled[0] if filled else parts[0]
        first = filled[0]
        names = set(first.read) | set(first.numbers)
        read: dict[str, Codes[str]] = {}
        numbers: dict[str, Floats] = {}
        for name in names:
            if all(name in p.numbers for p in filled):
                numbers[name] = np.concatenate([p.numbers[name] for p in filled])
            else:
                read[name] = Codes.concat([p.codes(name) for p in filled])
        return replace(
            first,
            n=sum(p.n for p in filled),
            rows_in_file=sum(p.rows_in_file for p in filled),
            line=np.concatenate([p.line for p in filled]),
            read=read,
            numbers=numbers,
        )


class _Column:
    """One text column read chunk by chunk: each chunk factorized by pandas (no Python loop per
    row), its distinct values numbered in the order first seen over the whole file."""

    def __init__(self, raw: bool = False, narrow: bool = False) -> None:
        self.seen: dict[object, int] = {}
        self.parts: list[Any] = []
        #: keep each row's text (numpy strings), not codes: for a column of ids
        self.raw = raw
        #: codes in the narrowest integers that hold them (kept so: the battery table)
        self.narrow = narrow

    def add(self, values: Any) -> None:
        if self.raw:
            self.parts.append(np.asarray(values, dtype=str))
            return
        import pandas as pd

        factorized, uniques = pd.factorize(values, use_na_sentinel=True)
        seen = self.seen
        remap = [seen.setdefault(u, len(seen)) for u in uniques]
        remap.append(seen.setdefault(None, len(seen)) if (factorized < 0).any() else 0)
        codes = np.asarray(remap, dtype=np.intp)[factorized]  # -1: the last entry
        self.parts.append(_narrow(codes, len(seen)))

    def add_arrow(self, array: Any) -> None:
        """An Arrow column: dictionary-encoded by Arrow (already, or here in C++), so only
        its distinct values reach Python."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not pa.types.is_dictionary(array.type):
            array = pc.dictionary_encode(array)
        indices = array.indices.to_numpy(zero_copy_only=False)
        if array.null_count:
            indices = np.where(array.is_null().to_numpy(zero_copy_only=False), -1, indices)
        indices = np.asarray(indices, dtype=np.intp)
        # a batch's dictionary may hold values of other batches: number only those used here
        size = len(array.dictionary)
        used = np.bincount(indices[indices >= 0], minlength=size) > 0
        values = array.dictionary.to_pylist()
        seen = self.seen
        remap = [seen.setdefault(u, len(seen)) if used[k] else -1 for k, u in enumerate(values)]
        remap.append(seen.setdefault(None, len(seen)) if array.null_count else 0)
        self.parts.append(np.asarray(remap, dtype=np.intp)[indices])

    def texts(self) -> Any:
        """A raw column's text per row, stripped, a formula guard taken off."""
        text = np.char.strip(np.concatenate(self.parts)) if self.parts else np.zeros(0, str)
        guarded = np.flatnonzero(np.char.startswith(text, "'"))
        if len(guarded):
            text = text.astype(object)
            text[guarded] = [unguard_formula(str(t)) for t in text[guarded]]
            text = text.astype(str)
        return text

    def codes(self) -> Codes[str]:
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.intp)
        codes = _narrow(codes, len(self.seen)) if self.narrow else codes.astype(np.intp)
        values = tuple(
            unguard_formula(u.strip()) if isinstance(u, str) else _cell_text(u) for u in self.seen
        )
        column = Codes(codes, values)
        if len(set(values)) != len(values):  # distinct values made one once stripped
            column = column.compact()
        if len(column.values) == 1:  # one value (an empty column): no memory per row
            column = Codes.constant(column.values[0], len(codes))
        return column


def _cell_text(value: object) -> str:
    """A non-text cell (a number in an XLSX sheet, a missing cell) as the text a CSV holds."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _normalise(name: object) -> str:
    """Column names case-insensitive, spaces and ``-`` as ``_``; a dotted key (``end_of_life.
    materials.cathode-active-material.R2``) keeps its parts' spelling apart from the case."""
    text = str(name).strip().lstrip("\ufeff").strip().lower()
    parts = [part.strip().replace(" ", "_") for part in text.split(".")]
    group = 2 if parts[:2] == ["end_of_life", "materials"] and len(parts) == 4 else -1
    # "-" reads as "_" but in a material group's name, which is the ruleset's own spelling
    return ".".join(p if i == group else p.replace("-", "_") for i, p in enumerate(parts))


def _read_table(
    path: Path,
    label: str,
    numbers: Sequence[str] = (),
    blank_if: Sequence[str] = (),
    raw: Sequence[str] = (),
    narrow: bool = False,
) -> _Table:
    """A CSV (comma, semicolon or tab; UTF-8, else Windows-1252 with a warning) or XLSX file;
    the ``numbers`` columns of a CSV without decimal commas are read as floats where every
    cell is a plain number (else as text, checked cell by cell later). A row whose ``blank_if``
    columns (all columns when none are named) are all empty is left out, as a blank line is.
    A CSV is parsed in chunks of rows, each chunk's text turned into codes before the next.

    Raises InputError for a missing or unreadable file, a malformed CSV, an empty table or a
    column given twice.
    """
    import pandas as pd

    warnings: list[Issue] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = read_xlsx_table(path, label)
        header = [_normalise(c) for c in sheet.header]
        _unique_columns(header, label)
        width = len(header)
        rows = [cells[:width] + [""] * (width - len(cells)) for _, cells in sheet.rows]
        read: dict[str, Codes[str]] = {}
        kept: dict[str, Any] = {}
        for i, name in enumerate(header):
            if not name:  # ignored, as in a CSV
                continue
            column = _Column(raw=name in raw, narrow=narrow)
            column.add(np.array([r[i] for r in rows], dtype=object))
            if column.raw:
                kept[name] = column.texts()
            else:
                read[name] = column.codes()
        lines = np.array([n for n, _ in sheet.rows], dtype=np.intp)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        table = _Table(label, header, len(rows), lines, None, warnings, read, {}, digest, raw=kept)
        return _without_blank_rows(table, blank_if)
    # a regular file is read from disk as often as needed; a pipe (``<(command)``), once
    source: Path | bytes = path if path.is_file() else _read_bytes(path, label)
    scan = _scan(source, label)
    encoding, sep, header = _csv_header(scan, label, warnings)
    _refuse_long_line(scan, label)
    _refuse_misfit(scan.misfit, len(header), label)
    floats = [] if sep == ";" else [c for c in numbers if c in header]
    # text as text (never pandas' categoricals: they turn "0012" into 12.0), numbers as floats
    # where every cell is one; else the number columns as text too, checked cell by cell
    for as_floats in ([floats] if floats else []) + [[]]:
        try:
            texts, parsed, n = _parse_csv(source, sep, encoding, header, as_floats, raw, narrow)
            break
        except ValueError as exc:  # pandas' ParserError is one too
            if as_floats and not isinstance(exc, pd.errors.ParserError):
                continue
            raise _malformed(label, exc) from exc
    lines = _LineNumbers(source, encoding, scan.one_row_per_line, sep, header, label).take(n)
    decimal_comma = {";": True, "\t": None, ",": False}[sep]
    read = {name: column.codes() for name, column in texts.items() if not column.raw}
    kept = {name: column.texts() for name, column in texts.items() if column.raw}
    table = _Table(
        label, header, n, lines, decimal_comma, warnings, read, parsed, scan.sha256, raw=kept
    )
    return _without_blank_rows(table, blank_if)


def _csv_frames(
    source: Path | bytes, sep: str, encoding: str, header: list[str], floats: Sequence[str]
) -> Iterator[Any]:
    """A CSV in frames of _CHUNK_ROWS rows (pandas' C parser): ``floats`` columns as floats,
    the others as text as written ("" for an empty cell, never NaN, never a category).
    Raises pandas' ParserError for a malformed file (a frame with another number of columns
    than the header included), ValueError where a ``floats`` cell is not a plain number."""
    import pandas as pd

    with pd.read_csv(
        io.BytesIO(source) if isinstance(source, bytes) else source,
        sep=sep,
        header=0,
        names=[f"c{i}" for i in range(len(header))],  # the file's names may repeat
        dtype={f"c{i}": float if name in floats else object for i, name in enumerate(header)},
        keep_default_na=False,
        na_values={f"c{i}": [""] for i, name in enumerate(header) if name in floats},
        encoding=encoding,
        engine="c",
        chunksize=_CHUNK_ROWS,
    ) as chunks:
        for chunk in chunks:
            if len(chunk.columns) != len(header):
                raise pd.errors.ParserError(
                    f"the header has {len(header)} columns, pandas read {len(chunk.columns)}"
                )
            yield chunk


def _parse_csv(
    source: Path | bytes,
    sep: str,
    encoding: str,
    header: list[str],
    floats: Sequence[str],
    raw: Sequence[str] = (),
    narrow: bool = False,
) -> tuple[dict[str, _Column], dict[str, Floats], int]:
    """The CSV's columns: ``floats`` as float arrays, the others as text codes; and the row
    count. Raises pandas' ParserError for a malformed file, ValueError where a ``floats``
    column holds a cell that is not a plain number."""
    # columns without a name are ignored (a trailing separator in a spreadsheet's header)
    texts = {name: _Column(name in raw, narrow) for name in header if name and name not in floats}
    parts: dict[str, list[Floats]] = {name: [] for name in floats}
    n = 0
    for chunk in _csv_frames(source, sep, encoding, header, floats):
        for i, name in enumerate(header):
            if not name:
                continue
            values = chunk.iloc[:, i].to_numpy()
            if name in parts:
                parts[name].append(np.asarray(values, dtype=float))
            else:
                texts[name].add(values)
        n += len(chunk)
    return texts, {name: np.concatenate(p) if p else np.zeros(0) for name, p in parts.items()}, n


def _csv_header(scan: _Scan, label: str, warnings: list[Issue]) -> tuple[str, str, list[str]]:
    """A CSV's encoding (UTF-8, else Windows-1252 with a warning), separator (comma,
    semicolon or tab: the most frequent in the header) and column names, from its first bytes.
    Raises InputError for an empty file or a column given twice."""
    import csv

    encoding = "utf-8-sig"
    if not scan.utf8:
        encoding = "cp1252"
        warnings.append(Issue("not-utf8", "file is not UTF-8; read as Windows-1252", label))
    head = scan.head.decode(encoding, errors="replace")
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    if not first:
        raise InputError(
            "the file is empty: no header row",
            where=Location(label, 1),
            hint="the first row names the columns",
            code="empty-file",
        )
    sep = max((",", ";", "\t"), key=first.count)
    header = [_normalise(c) for c in next(csv.reader([first], delimiter=sep))]
    _unique_columns(header, label)
    return encoding, sep, header


def _refuse_long_line(scan: _Scan, label: str) -> None:
    if scan.long_line is not None:
        line, size = scan.long_line
        raise too_large(
            f"line {line}'s length in bytes", size, "CARBONFP_MAX_LINE_BYTES", Location(label, line)
        )


def _refuse_misfit(misfit: tuple[int, int] | None, width: int, label: str) -> None:
    """Raise InputError (``malformed-csv``) where a row has more or fewer fields than the
    ``width`` columns of the header (``misfit``: its line and fields; pandas would read
    missing fields as empty, and cells shifted by an unquoted separator as others)."""
    if misfit is not None:
        line, fields = misfit
        said = "more" if fields > width else "fewer"
        raise InputError(
            f"the row has {fields} fields, {said} than the {width} columns of the header",
            where=Location(label, line),
            hint="every row needs a field per column, empty ones included (a separator each); a "
            'cell that holds the separator needs quotes ("cell, prismatic")',
            code="malformed-csv",
        )


def _unique_columns(header: list[str], label: str) -> None:
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name in seen:
            raise InputError(
                f"column {name!r} appears twice (columns {seen[name] + 1} and {index + 1}; "
                "names are read without case, spaces and '-' as '_')",
                where=Location(label, 1, index + 1),
                hint="remove or rename one of them",
                code="duplicate-column",
            )
        seen[name] = index


def _without_blank_rows(table: _Table, columns: Sequence[str]) -> _Table:
    """The table without the rows that hold nothing in ``columns`` (all columns when none are
    named): a row of separators only (";;;;" from a spreadsheet) is left out like a blank line.
    Decided on each column's distinct values, not per cell."""
    names = [c for c in (columns or table.columns) if c in table.columns]
    if not names or not table.n:
        return table
    blank = np.ones(table.n, dtype=bool)
    for name in names:
        if name in table.numbers:
            blank &= np.isnan(table.numbers[name])
        elif name in table.raw:
            blank &= table.raw[name] == ""
        else:
            codes = table.codes(name)
            blank &= codes.per_value([v == "" for v in codes.values], dtype=bool)
        if not blank.any():
            return table
    keep = ~blank
    table.n = int(keep.sum())
    table.line = table.line[keep]
    table.numbers = {name: values[keep] for name, values in table.numbers.items()}
    table.read = {name: codes.take(keep).compact() for name, codes in table.read.items()}
    table.raw = {name: values[keep] for name, values in table.raw.items()}
    return table


@dataclass(frozen=True)
class _Scan:
    """What one pass over a file's bytes tells before parsing: its hash, whether it is UTF-8,
    its first bytes, and whether each line holds one row (no quote, no blank line)."""

    sha256: str
    utf8: bool
    head: bytes
    one_row_per_line: bool
    #: (line, fields) of the first row with more or fewer fields than the header, where the
    #: file has no quotes (one row per line); None when every row fits or it cannot be told
    misfit: tuple[int, int] | None = None
    #: (line, bytes) of the first line longer than the limit (files.LIMITS), if any
    long_line: tuple[int, int] | None = None
    #: line breaks in the file (a bound on its rows)
    lines: int = 0


_BLOCK = 1 << 20


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        read_text(path, label)  # raises the precise error (missing, a folder, unreadable)
        raise


def _scan(source: Path | bytes, label: str) -> _Scan:
    """Read the file once in blocks (never whole into memory). Raises InputError where it is
    missing, a folder or unreadable."""
    import codecs

    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, simple, head = True, True, b""
    fields = _Fields()
    try:
        with io.BytesIO(source) if isinstance(source, bytes) else source.open("rb") as handle:
            while block := handle.read(_BLOCK):
                digest.update(block)
                fields.feed(block)
                if not head:
                    simple = block[:1] not in (b"\n", b"\r")
                if len(head) < 65536:
                    head += block[: 65536 - len(head)]
                if utf8 and not block.isascii():
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
                simple = simple and b'"' not in block
        fields.feed(b"", final=True)
        simple = simple and not fields.blank
        if utf8:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    except OSError:
        if isinstance(source, Path):
            read_text(source, label)  # raises the precise error (missing, a folder, unreadable)
        raise
    return _Scan(
        digest.hexdigest(),
        utf8,
        head,
        simple,
        fields.misfit if simple else None,
        fields.long_line,
        fields.lines,
    )


class _Fields:
    """The fields of each line of a file read in blocks, counted with numpy (a separator
    count per line): the first line with more or fewer than the header's. Meaningful for a
    file without quotes only (the caller knows)."""

    def __init__(self) -> None:
        self.carry = b""
        self.lines = 0  # lines passed
        self.sep: int | None = None
        self.expected = 0
        self.misfit: tuple[int, int] | None = None
        self.long_line: tuple[int, int] | None = None
        self.longest = limit("CARBONFP_MAX_LINE_BYTES")
        #: whether a line holds nothing but spaces and tabs, or nothing (then the file is not
        #: read one row per line: pandas skips such lines)
        self.blank = False

    def feed(self, block: bytes, final: bool = False) -> None:
        if self.long_line is not None:
            return
        data = self.carry + block
        end = len(data) if final else data.rfind(b"\n") + 1
        self.carry = data[end:]
        if len(self.carry) > self.longest:  # a line longer than the limit, and not ended yet
            self.long_line = (self.lines + 1, len(self.carry))
            self.carry = b""
            return
        if end <= 0:
            return
        text = np.frombuffer(data[:end], dtype=np.uint8)
        ends = np.flatnonzero(text == 10)
        if final and (not len(ends) or ends[-1] != end - 1):
            ends = np.append(ends, end)
        starts = np.concatenate([[0], ends[:-1] + 1])
        stops = ends - (text[np.maximum(ends - 1, 0)] == 13)  # without a \r before \n
        stops = np.maximum(stops, starts)
        longer = np.flatnonzero(stops - starts > self.longest)
        if len(longer):
            k = int(longer[0])
            self.long_line = (self.lines + k + 1, int(stops[k] - starts[k]))
            return
        filled = stops > starts
        self.blank = self.blank or _has_blank(text, starts, stops, filled)
        if self.misfit is not None:
            self.lines += len(ends)
            return
        if self.sep is None:
            if not filled.any():
                self.lines += len(ends)
                return
            first = int(np.flatnonzero(filled)[0])
            header = bytes(text[starts[first] : stops[first]])
            self.sep = max(b",;\t", key=header.count)
            self.expected = header.count(self.sep) + 1
            filled[first] = False  # the header itself
        # separators per line: one sum per line over the bytes from its start to the next
        # line's (the line break and a \r hold none); starts are distinct, so no line's range
        # is empty (where np.add.reduceat would give a byte, not 0)
        is_sep = (text == self.sep).view(np.uint8)
        count = np.add.reduceat(is_sep, starts, dtype=np.intp) + 1
        wrong = np.flatnonzero(filled & (count != self.expected))
        if len(wrong):
            k = int(wrong[0])
            self.misfit = (self.lines + k + 1, int(count[k]))
        self.lines += len(ends)


def _has_blank(text: Any, starts: Ints, stops: Ints, filled: Any) -> bool:
    """Whether one of the lines (``starts`` to ``stops`` of ``text``, ``filled`` where not
    empty) is empty or holds only spaces and tabs; only lines that start with one are looked
    into."""
    if not filled.all():
        return True
    lead = text[starts]
    maybe = np.flatnonzero((lead == 32) | (lead == 9))
    if not len(maybe):
        return False
    other = np.flatnonzero((text != 32) & (text != 9))  # the first such byte after a start
    first = np.searchsorted(other, starts[maybe])
    beyond = np.append(other, len(text))[first]
    return bool((beyond >= stops[maybe]).any())


class _LineNumbers:
    """The file line of each data row, read as a stream alongside the chunks: rows count as
    pandas counts them (a line break inside quotes is one row; a blank line none)."""

    def __init__(
        self,
        source: Path | bytes,
        encoding: str,
        simple: bool,
        sep: str,
        header: list[str],
        label: str,
    ) -> None:
        self.simple = simple
        self.next_row = 0
        self.records: Iterator[int] | None = None
        if not simple:
            self.records = self._records(source, encoding, sep, len(header), label)

    @staticmethod
    def _records(
        source: Path | bytes, encoding: str, sep: str, width: int, label: str, endless: bool = True
    ) -> Iterator[int]:
        """Each data row's line; a row with fewer fields than the header is refused here
        (where quotes or blank lines keep the block count from telling: _Fields)."""
        import csv

        raw = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
        with io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=sep)
            line, header = 1, True
            for record in reader:
                if any(cell.strip() for cell in record):
                    if not header:
                        if len(record) != width:
                            _refuse_misfit(
                                (line, len(record)),
                                width,
                                label,
                            )
                        yield line
                    header = False
                line = reader.line_num + 1
            while endless:  # defensive: never short
                yield line
                line += 1

    def take(self, n: int) -> Ints:
        start = self.next_row
        self.next_row += n
        if self.records is None:
            return np.arange(start + 2, start + n + 2, dtype=np.intp)
        return np.fromiter(self.records, dtype=np.intp, count=n)


class _LinesFile:
    """The lines table of a long BOM, opened for reading in chunks of rows: CSV (streamed from
    disk), XLSX (read whole: a sheet holds at most a million rows) or Parquet (row batches).
    The header, hash, encoding and separator are known on opening."""

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        self.warnings: list[Issue] = []
        self.decimal_comma: bool | None = None
        self.suffix = path.suffix.lower()
        self._sheet: _Table | None = None
        self._floats = False
        #: a CSV's line breaks (a bound on its rows; 0 for other formats)
        self.line_breaks = 0
        #: a small CSV's chunks, read by the survey and kept for :meth:`chunks`
        self._held: list[_Table] | None = None
        if self.suffix in (".xlsx", ".xlsm"):
            self._sheet = _read_table(path, label, numbers=("quantity",), blank_if=LINE_REQUIRED)
            self.header, self.sha256 = self._sheet.columns, self._sheet.sha256
            self.warnings = self._sheet.warnings
            return
        if self.suffix == ".parquet":
            self._open_parquet()
            return
        # a regular file is read from disk as often as needed; a pipe (``<(command)``), once
        self.source: Path | bytes = path if path.is_file() else _read_bytes(path, label)
        scan = _scan(self.source, label)
        self.sha256, self.simple = scan.sha256, scan.one_row_per_line
        self.line_breaks = scan.lines
        self.encoding, self.sep, self.header = _csv_header(scan, label, self.warnings)
        _refuse_long_line(scan, label)
        _refuse_misfit(scan.misfit, len(self.header), label)
        self.decimal_comma = {";": True, "\t": None, ",": False}[self.sep]

    def _open_parquet(self) -> None:
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise InputError(
                "reading Parquet files needs pyarrow",
                where=Location(self.label),
                hint="pip install 'carbonfp[dask]' (or pyarrow), or give the table as CSV",
                code="missing-parquet-reader",
            ) from exc
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as handle:
                while block := handle.read(_BLOCK):
                    digest.update(block)
            self._parquet = pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises ArrowInvalid for a file that is not Parquet
            if isinstance(exc, OSError) and (not self.path.exists() or self.path.is_dir()):
                read_text(self.path, self.label)  # the precise error: missing, a folder
            raise InputError(
                f"not a readable Parquet file ({type(exc).__name__}: {exc})",
                where=Location(self.label),
                hint="write it with pyarrow or pandas (to_parquet), or give the table as CSV",
                code="unreadable-file",
            ) from exc
        self.sha256 = digest.hexdigest()
        self._names = list(self._parquet.schema_arrow.names)
        self.header = [_normalise(c) for c in self._names]
        _unique_columns(self.header, self.label)
        import pyarrow as pa

        types = dict(zip(self.header, self._parquet.schema_arrow.types, strict=True))
        quantity = types.get("quantity")
        self._floats = quantity is not None and (
            pa.types.is_floating(quantity) or pa.types.is_integer(quantity)
        )

    # -- the pass over the battery column ---------------------------------------------------

    def survey(
        self,
        keys: Callable[[Sequence[str]], Ints],
        record: Callable[[Ints, Ints], None],
        hold: bool = False,
    ) -> int:
        """One pass over the battery column (for a CSV with the quantities: whether every one
        is a plain number, else a second pass without): each chunk's distinct ids turned into
        keys by ``keys``, then ``record(keys per row, rows)``. Returns the number
        of rows. Raises InputError for a malformed CSV.

        ``hold``: a CSV is read whole in this pass, its chunks kept (codes in the narrowest
        integers) for :meth:`chunks`: one parse of the file instead of two, for files small
        enough to hold."""
        attempts = [True, False] if self._may_be_floats() else [False]
        if hold and self._sheet is None and self.suffix != ".parquet":
            return self._survey_holding(keys, record, attempts)
        for as_floats in attempts:
            n = 0
            try:
                for factorized, uniques in self._battery_column(as_floats):
                    per_row = keys(uniques)[factorized]
                    rows = np.arange(n, n + len(per_row), dtype=np.intp)
                    record(per_row, rows)
                    n += len(per_row)
            except _NotFloats:
                continue
            self._floats = self._floats or as_floats
            return n
        raise AssertionError("unreachable: the last attempt reads text")  # pragma: no cover

    def _survey_holding(
        self,
        keys: Callable[[Sequence[str]], Ints],
        record: Callable[[Ints, Ints], None],
        attempts: list[bool],
    ) -> int:
        """The survey from the chunks themselves, which are kept. A row is numbered within
        its chunk's rows of the file (blank rows are left out of a chunk, never numbered
        past it), as :meth:`LongBom.partitions` counts them."""
        for as_floats in attempts:
            self._floats = as_floats
            held: list[_Table] = []
            n = 0
            try:
                for chunk in self._csv_chunks(trial=as_floats):
                    ids = chunk.codes("battery")
                    per_row = keys(list(ids.values))[ids.codes]
                    record(per_row, np.arange(n, n + chunk.n, dtype=np.intp))
                    n += chunk.rows_in_file
                    held.append(_narrowed(chunk))
            except _NotFloats:
                continue
            self._held = held
            return n
        raise AssertionError("unreachable: the last attempt reads text")  # pragma: no cover

    def _may_be_floats(self) -> bool:
        return (
            self._sheet is None
            and self.suffix != ".parquet"
            and "quantity" in self.header
            and self.sep != ";"
        )

    def _battery_column(self, as_floats: bool) -> Iterator[tuple[Ints, Sequence[str]]]:
        """The battery column in chunks, each as codes into its distinct ids (as the chunks
        read them: stripped, a formula guard taken off)."""
        if self._sheet is not None:
            column = self._sheet.codes("battery")
            yield column.codes, column.values
            return
        if self.suffix == ".parquet":
            name = self._names[self.header.index("battery")]
            for batch in self._batches([name]):
                reader = _Column()
                reader.add_arrow(batch.column(0))
                ids = reader.codes()
                yield ids.codes, ids.values
            return
        import pandas as pd

        index = self.header.index("battery")
        use = [index] + ([self.header.index("quantity")] if as_floats else [])
        names = [f"c{i}" for i in range(len(self.header))]  # the file's names may repeat
        try:
            with pd.read_csv(
                io.BytesIO(self.source) if isinstance(self.source, bytes) else self.source,
                sep=self.sep,
                header=0,
                names=names,
                usecols=[names[i] for i in use],
                dtype={names[i]: float if i != index else object for i in use},
                keep_default_na=False,
                na_values=[""] if as_floats else None,
                encoding=self.encoding,
                engine="c",
                chunksize=_CHUNK_ROWS,
            ) as chunks:
                for chunk in chunks:
                    yield _factorize(chunk[names[index]].to_numpy())
        except ValueError as exc:
            if as_floats and not isinstance(exc, pd.errors.ParserError):
                raise _NotFloats from exc
            raise self._malformed(exc) from exc

    def _malformed(self, exc: Exception) -> InputError:
        """The error for a CSV pandas could not parse: the row whose fields do not fit the
        header where the csv module finds one (pandas does not always say which), else
        pandas' own words."""
        rows = _LineNumbers._records(
            self.source, self.encoding, self.sep, len(self.header), self.label, endless=False
        )
        try:
            for _ in rows:
                pass
        except InputError as found:
            return found
        return _malformed(self.label, exc)

    # -- the chunks -------------------------------------------------------------------------

    def chunks(self) -> Iterator[_Table]:
        """The table in chunks of about _CHUNK_ROWS rows, blank rows left out."""
        if self._held is not None:  # read by the survey: given once, let go as they go
            held, self._held = self._held, None
            while held:
                yield _widened(held.pop(0))
            return
        if self._sheet is not None:
            sheet = self._sheet
            for start in range(0, max(sheet.n, 1), _CHUNK_ROWS):
                yield sheet.take(np.arange(start, min(start + _CHUNK_ROWS, sheet.n)))
            return
        if self.suffix == ".parquet":
            yield from self._parquet_chunks()
            return
        yield from self._csv_chunks()

    def _empty(self, n: int, line: Ints) -> _Table:
        return _Table(
            self.label, self.header, n, line, self.decimal_comma, self.warnings, {}, {}, self.sha256
        )

    def _csv_chunks(self, trial: bool = False) -> Iterator[_Table]:
        """The CSV in chunks; ``trial``: raise _NotFloats where a quantity is not a plain
        number (the caller reads the quantities as text instead)."""
        header = self.header
        floats = [c for c in ("quantity",) if self._floats and c in header]
        lines = _LineNumbers(
            self.source, self.encoding, self.simple, self.sep, self.header, self.label
        )
        try:
            for chunk in _csv_frames(self.source, self.sep, self.encoding, header, floats):
                table = self._empty(len(chunk), lines.take(len(chunk)))
                table.rows_in_file = len(chunk)
                for i, name in enumerate(header):
                    if not name:  # columns without a name are ignored
                        continue
                    values = chunk.iloc[:, i].to_numpy()
                    if name in floats:
                        table.numbers[name] = np.asarray(values, dtype=float)
                    else:
                        column = _Column()
                        column.add(values)
                        table.read[name] = column.codes()
                yield _without_blank_rows(table, LINE_REQUIRED)
        except ValueError as exc:  # pandas' ParserError is one too
            import pandas as pd

            if trial and not isinstance(exc, pd.errors.ParserError):
                raise _NotFloats from exc
            raise self._malformed(exc) from exc

    def _batches(self, columns: list[str] | None = None) -> Iterator[Any]:
        """The Parquet file's rows in batches, one row group at a time (one reader over the
        whole file keeps Arrow memory of every group it passed: 40 to 280 MiB over a million
        batteries; a reader per group stays flat)."""
        for group in range(self._parquet.metadata.num_row_groups):
            yield from self._parquet.iter_batches(
                batch_size=_CHUNK_ROWS, row_groups=[group], columns=columns
            )

    def _parquet_chunks(self, start: int = 0, stop: int | None = None) -> Iterator[_Table]:
        """Rows ``start`` to ``stop`` (all by default) in chunks: only the row groups that
        hold them are read."""
        if start == 0 and stop is None:
            batches = self._batches()
        else:
            metadata = self._parquet.metadata
            end = metadata.num_rows if stop is None else stop
            groups, first, offset = [], None, 0
            for g in range(metadata.num_row_groups):
                size = metadata.row_group(g).num_rows
                if offset < end and offset + size > start:
                    groups.append(g)
                    first = offset if first is None else first
                offset += size
            table = self._parquet.read_row_groups(groups) if groups else None
            if table is None or first is None:
                return
            batches = table.slice(start - first, end - start).to_batches(_CHUNK_ROWS)
        n = start
        for batch in batches:
            m = batch.num_rows
            table = self._empty(m, np.arange(n + 2, n + m + 2, dtype=np.intp))
            table.rows_in_file = m
            for i, name in enumerate(self.header):
                if not name:
                    continue
                array = batch.column(i)
                if name == "quantity" and self._floats:
                    table.numbers[name] = _arrow_values(array)
                else:
                    column = _Column()
                    column.add_arrow(array)
                    table.read[name] = column.codes()
            n += m
            yield _without_blank_rows(table, LINE_REQUIRED)


def _arrow_values(column: Any) -> Any:
    """A Parquet column of numbers as floats (NaN for nulls)."""
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=float)


class _NotFloats(Exception):
    """A quantity cell is not a plain number: the quantities are read as text."""


def _narrowed(table: _Table) -> _Table:
    """A chunk to keep: its codes and line numbers in the narrowest integers (a few bytes
    per row and column instead of eight; a constant column stays a view)."""

    def narrow(codes: Ints, size: int) -> Ints:
        return codes if not codes.strides[0] else _narrow(codes, size)

    return replace(
        table,
        line=narrow(table.line, int(table.line.max(initial=0)) + 1),
        read={
            name: Codes(narrow(c.codes, len(c.values)), c.values) for name, c in table.read.items()
        },
    )


def _widened(table: _Table) -> _Table:
    """A kept chunk as the engine reads chunks: codes and line numbers as ``intp``."""

    def widen(codes: Ints) -> Ints:
        return codes if not codes.strides[0] else np.asarray(codes, dtype=np.intp)

    return replace(
        table,
        line=widen(table.line),
        read={name: Codes(widen(c.codes), c.values) for name, c in table.read.items()},
    )


def _factorize(values: Any) -> tuple[Ints, list[str]]:
    """Codes of ``values`` and their distinct texts, as the chunks read them (stripped, a
    formula guard taken off)."""
    import pandas as pd

    factorized, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(factorized, dtype=np.intp), [
        unguard_formula(u.strip()) if isinstance(u, str) else _cell_text(u) for u in uniques
    ]


def _malformed(label: str, exc: Exception) -> InputError:
    return InputError(
        f"malformed CSV: {exc}",
        where=Location(label),
        hint="every row needs as many fields as the header; quote text that holds the separator",
        code="malformed-csv",
    )


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.by_id: dict[str, list[CarbonfpError]] = {}

    def add(self, battery: str, error: CarbonfpError) -> None:
        self.by_id.setdefault(battery, []).append(error)


#: lines per partition by default: a few thousand batteries, about 50 MB of working memory
#: (250 000 took 40 MiB more at 10 000 batteries and was no faster: bench/README.md)
PARTITION_LINES = 100_000
#: a CSV of at most this many lines is parsed once, its chunks kept between the survey and
#: the partitions (about 20 bytes per line: 20 MB at this size); a longer one twice, each
#: chunk let go as it is read (memory flat in the file's length)
HOLD_LINES = 1_000_000


def read_long_bom(lines_path: str | Path, batteries_path: str | Path) -> Inputs:
    """Read LINES and BATTERIES into the batteries to compute, all at once.

    Raises InputError when a file is missing, unreadable or malformed as a whole (no header,
    a required column missing); a bad row fails only its battery (see Inputs.problems).
    """
    (whole,) = LongBom(lines_path, batteries_path).partitions(None)
    return whole


class LongBom:
    """A long BOM opened for reading in partitions of whole batteries (docs/long-bom.md).

    Opening reads the battery table and makes one pass over the lines' battery column (to know
    where each battery's last line is); :meth:`partitions` then reads the lines chunk by chunk
    and gives each battery, with all its lines, once it has been read to its last line. Lines
    of a battery may be anywhere in the file; batteries whose lines stand together (as
    ``carbonfp flatten`` and most exports write them) keep memory to one partition.

    Raises InputError when a file is missing, unreadable or malformed as a whole.
    """

    def __init__(
        self, lines_path: str | Path, batteries_path: str | Path, *, survey: bool = True
    ) -> None:
        self.paths = (str(lines_path), str(batteries_path))
        lines_path, batteries_path = Path(lines_path), Path(batteries_path)
        lines_label, batteries_label = lines_path.name, batteries_path.name
        if lines_label == batteries_label:
            lines_label, batteries_label = str(lines_path), str(batteries_path)
        self.lines = _LinesFile(lines_path, lines_label)
        _require_header(
            self.lines.header, lines_label, LINE_REQUIRED, "a long BOM needs the columns"
        )
        table = _read_table(batteries_path, batteries_label, raw=("battery",), narrow=True)
        _require(table, ("battery",), "the battery table needs the column")
        self.files = tuple(
            sorted({lines_label: self.lines.sha256, batteries_label: table.sha256}.items())
        )
        unknown = _Table(lines_label, self.lines.header, 0, zeros(0), None)
        _unknown_columns(unknown, set(LINE_REQUIRED + LINE_OPTIONAL + SUPPLY_COLUMNS), "long BOM")
        self.lines.warnings.extend(unknown.warnings)
        self.table = _BatteryTable(table, self.files, self.lines.warnings)
        #: ids of the lines that the table does not hold -> their key (after the table's rows)
        self.unknown: dict[str, int] = {}
        #: per key (a battery: the table row of its id, else table rows + its place in
        #: ``unknown``): its first and last row in the lines, -1 where it has none
        self.first_row = np.full(self.table.n, -1, dtype=np.intp)
        self.last_row = np.full(self.table.n, -1, dtype=np.intp)
        self.rows = 0
        if not survey:  # opened to read slices that another process planned (read_slice)
            return
        hold = self.lines.line_breaks <= HOLD_LINES
        self.rows = self.lines.survey(self._keys, self._grow, hold=hold)
        if not self.rows:
            raise InputError(
                "the long BOM has a header but no lines",
                where=Location(lines_label, 1),
                hint="add one row per line of each battery: " + ", ".join(LINE_REQUIRED),
                code="empty-file",
            )

    def _keys(self, ids: Sequence[str]) -> Ints:
        """The key of each battery id (a new one for an id the table does not hold)."""
        keys = self.table.lookup(ids)
        for i in np.flatnonzero(keys < 0).tolist():
            keys[i] = self.unknown.setdefault(ids[i], self.table.n + len(self.unknown))
        return keys

    def _grow(self, keys: Ints, rows: Ints) -> None:
        """Record rows of the lines: ``keys[i]`` is the battery of row ``rows[i]``."""
        size = self.table.n + len(self.unknown)
        if size > len(self.first_row):
            more = np.full(size - len(self.first_row), -1, dtype=np.intp)
            self.first_row = np.concatenate([self.first_row, more])
            self.last_row = np.concatenate([self.last_row, more])
        unset = self.first_row[keys] < 0
        # the first write of each key: reversed, so that the earliest row is written last
        self.first_row[keys[unset][::-1]] = rows[unset][::-1]
        self.last_row[keys] = rows  # the last write wins

    @property
    def batteries(self) -> int:
        """How many batteries the run has: those of the lines and those of the table."""
        return int((self.first_row >= 0).sum()) + len(self._without())

    def _without(self) -> list[str]:
        """The table's batteries that have no lines, in table order ("" for rows without an
        id: they are reported as such)."""
        return self.table.ids_at(self.table.first_rows(self.first_row[: self.table.n] < 0))

    def partitions(self, lines: int | None = PARTITION_LINES) -> Iterator[Inputs]:
        """The batteries in partitions of about ``lines`` lines (None: one partition), each
        battery whole, in the order their last lines come in the file; the batteries of the
        table that have no lines come last, with their problem."""
        if lines is None:  # one partition: the lines in file order
            yield self._inputs(_Table.concat(list(self.lines.chunks())), final=True)
            return
        pending: list[_Table] = []
        ready: list[_Table] = []
        ready_rows = 0
        read = 0
        for chunk in self.lines.chunks():
            read += chunk.rows_in_file
            pending.append(chunk)
            combined = _Table.concat(pending)
            ids = combined.codes("battery")
            done_value = self.last_row[self._keys(ids.values)] < read
            done = done_value[ids.codes] if combined.n else np.zeros(0, dtype=bool)
            if done.all():
                ready.append(combined)
                pending = []
            else:
                if done.any():
                    ready.append(combined.take(done))
                pending = [combined.take(~done)]
            ready_rows += int(done.sum())
            if ready_rows >= lines:
                yield self._inputs(_Table.concat(ready), final=False)
                ready, ready_rows = [], 0
        ready += pending  # empty: every battery's last row has been read
        yield self._inputs(_Table.concat(ready) if ready else None, final=True)

    def slices(self, lines: int = PARTITION_LINES) -> list[Slice] | None:
        """For a Parquet file: the partitions as row ranges of whole batteries, each of about
        ``lines`` lines (fewer, larger ones where batteries' lines are interleaved), for
        :func:`read_slice` to read where the partition is computed; then the table's
        batteries without lines (:meth:`without_lines`). None for other formats."""
        if self.lines.suffix != ".parquet":
            return None
        present = np.flatnonzero(self.first_row >= 0)
        order = present[np.argsort(self.first_row[present], kind="stable")]
        ends = np.maximum.accumulate(self.last_row[order]) + 1  # rows up to here: closed
        starts = np.append(self.first_row[order][1:], self.rows)
        cuts = np.unique(starts[ends <= starts])  # no battery spans these rows
        out: list[Slice] = []
        start = 0
        for cut in cuts.tolist():
            if cut - start >= lines or cut == self.rows:
                out.append(Slice(self.paths, self.files, start, cut))
                start = cut
        return out

    def without_lines(self) -> Inputs:
        """The table's batteries that have no lines, each with its problem."""
        return self._inputs(None, final=True)

    def _inputs(self, lines: _Table | None, *, final: bool) -> Inputs:
        """The batteries of ``lines`` (and, in the final partition, the table's batteries
        without lines) as Inputs."""
        problems = _Problems()
        if lines is not None and lines.n:
            raw, line_ids = _lines(lines, problems)
        else:
            raw, line_ids = RawLines.from_lines([]), []
        extra = self._without() if final else []
        ids, projects = self.table.read(line_ids, extra, problems)
        position = {b: i for i, b in enumerate(ids)}
        held = self.table.lookup(line_ids) >= 0
        missing = [b for b, ok in zip(line_ids, held.tolist(), strict=True) if not ok]
        for b in missing:
            rows = np.flatnonzero(raw.battery == line_ids.index(b)) if len(raw) else zeros(0)
            # its first line, or the file where every line of it failed (already reported)
            where = raw.where(int(rows[0])) if len(rows) else Location(self.lines.label)
            problems.add(
                b,
                InputError(
                    f"battery {b!r} has no row in the battery table {self.table.label}",
                    where=where,
                    hint=f"add a row for {b!r} to {self.table.label}, or correct the battery id",
                    code="unknown-battery",
                ),
            )
        for b in extra:
            if not b:  # a row without an id: reported as such
                continue
            project = projects[position[b]]
            problems.add(
                b,
                InputError(
                    f"battery {b!r} has no lines in {self.lines.label}",
                    where=Location(project.label if project is not None else self.table.label),
                    hint=f"add its lines to {self.lines.label} with battery = {b!r}, or remove "
                    "the row",
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
                p.label if p is not None else f"{self.lines.label} / {self.table.label}"
                for p in projects
            ),
        )


@dataclass(frozen=True)
class Slice:
    """Rows ``start`` to ``stop`` of a long BOM's Parquet lines: whole batteries, planned by
    :meth:`LongBom.slices` and read by :func:`read_slice`, on this process or a worker."""

    paths: tuple[str, str]
    #: the files' hashes as the planning process read them (provenance; a changed file is
    #: refused)
    files: tuple[tuple[str, str], ...]
    start: int
    stop: int


_OPENED: dict[tuple[str, str], LongBom] = {}


def read_slice(part: Slice) -> Inputs:
    """The batteries of one slice (the long BOM opened once per process, without the pass
    over the battery column). Raises InputError when a file changed since the slices were
    planned."""
    bom = _OPENED.get(part.paths)
    if bom is None or bom.files != part.files:
        bom = _OPENED[part.paths] = LongBom(*part.paths, survey=False)
    if bom.files != part.files:
        raise InputError(
            "the long BOM changed while it was read",
            where=Location(bom.lines.label),
            hint="run again once the files are written",
            code="changed-file",
        )
    chunks = list(bom.lines._parquet_chunks(part.start, part.stop))
    return bom._inputs(_Table.concat(chunks) if chunks else None, final=False)


def _require_header(header: list[str], label: str, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=Location(label, 1),
            hint=f"{what} {', '.join(columns)} (docs/long-bom.md); found: "
            + (", ".join(map(str, header)) or "none"),
            code="missing-column",
        )


def _require(table: _Table, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=Location(table.label, 1),
            hint=f"{what} {', '.join(columns)} (docs/long-bom.md); found: "
            + (", ".join(map(str, table.columns)) or "none"),
            code="missing-column",
        )


def _unknown_columns(table: _Table, known: set[str], what: str) -> None:
    import difflib

    for index, name in enumerate(table.columns):
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


def _narrow(codes: Ints, size: int) -> Any:
    """Codes in the narrowest unsigned integers that hold ``size`` values."""
    return np.asarray(codes, dtype=np.min_scalar_type(max(size - 1, 0)))


class _BatteryTable:
    """The battery table, read whole (one row per battery) and turned into projects on demand,
    for the batteries of one partition at a time. Its ids are one numpy string per row with a
    sorted index (no Python object per battery); rows that differ only in their id and model
    are read once (their facts are kept, shared)."""

    def __init__(
        self, table: _Table, files: tuple[tuple[str, str], ...], warnings: list[Issue]
    ) -> None:
        self.table, self.files, self.label = table, files, table.label
        self.n = table.n
        names = [c for c in table.columns if c != "battery"]
        known = {c for c in names if _battery_key(c) is not None}
        _unknown_columns(table, known | {"battery"}, "battery table")
        self.warnings = tuple(warnings + table.warnings)
        self.keys = {c: key for c in names if (key := _battery_key(c)) is not None}
        self.model_columns = [c for c, key in self.keys.items() if key == ("battery", "model")]
        columns = {c: table.codes(c) for c in self.keys}
        fact_columns = [c for c in self.keys if c not in self.model_columns]
        group = np.zeros(table.n, dtype=np.intp)
        if fact_columns and table.n:
            _, group = combined_codes(
                *((columns[c].codes, len(columns[c].values)) for c in fact_columns)
            )
        # kept per row for the run: codes in the narrowest integers (a few bytes per battery)
        self.columns = {
            c: Codes(_narrow(v.codes, len(v.values)), v.values) for c, v in columns.items()
        }
        self.group = _narrow(group, int(group.max(initial=0)) + 1)
        self.ids = table.raw["battery"] if "battery" in table.raw else np.zeros(0, str)
        table.read, table.raw, table.numbers = {}, {}, {}  # held above, in less memory
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted = self.ids[self._order]
        repeated = self._sorted[1:] == self._sorted[:-1]
        #: rows whose id an earlier row gave
        self.later = np.zeros(self.n, dtype=bool)
        self.later[self._order[1:][repeated]] = True
        #: ids given on more than one row -> their rows, in order
        self.repeats: dict[str, list[int]] = {}
        for row in np.flatnonzero(self.later).tolist():
            battery = str(self.ids[row])
            first = int(self.lookup([battery])[0])
            self.repeats.setdefault(battery, [first]).append(row)
        self._facts: dict[int, Facts | CarbonfpError] = {}

    def lookup(self, ids: Sequence[str]) -> Ints:
        """The row of each id (its first row where it is given twice), -1 where none."""
        if not len(ids):
            return np.zeros(0, dtype=np.intp)
        if not self.n:
            return np.full(len(ids), -1, dtype=np.intp)
        wanted = np.asarray(ids, dtype=str)
        at = np.minimum(np.searchsorted(self._sorted, wanted), self.n - 1)
        found = self._sorted[at] == wanted
        return np.where(found, self._order[at], -1).astype(np.intp)

    def first_rows(self, mask: Any) -> Ints:
        """The rows of ``mask`` that are the first of their id, in table order."""
        return np.flatnonzero(mask & ~self.later)

    def ids_at(self, rows: Ints) -> list[str]:
        return [str(b) for b in self.ids[rows]]

    def read(
        self, line_ids: Sequence[str], extra: Sequence[str], problems: _Problems
    ) -> tuple[list[str], list[Project | None]]:
        """The batteries of a partition: those of ``line_ids`` and ``extra`` that the table
        holds, in table order, then those it does not (project None). Problems of their rows
        (a missing id, an id given twice, a bad value) are added to ``problems``."""
        wanted = list(dict.fromkeys([*line_ids, *extra]))
        rows = self.lookup(wanted)
        held = sorted(((int(r), b) for b, r in zip(wanted, rows.tolist(), strict=True) if r >= 0))
        ids = [b for _, b in held] + [
            b for b, r in zip(wanted, rows.tolist(), strict=True) if r < 0
        ]
        projects = [self._project(b, r, problems) for r, b in held]
        return ids, projects + [None] * (len(ids) - len(held))

    def _project(self, battery: str, first: int, problems: _Problems) -> Project | None:
        table = self.table
        rows = self.repeats.get(battery, [first])
        if not battery:
            for row in rows:
                problems.add(
                    battery,
                    InputError(
                        "missing battery id",
                        where=table.where(row, "battery"),
                        hint="every row of the battery table names its battery",
                        code="missing-value",
                    ),
                )
            return None
        if len(rows) > 1:
            for row in rows[1:]:
                problems.add(
                    battery,
                    InputError(
                        f"battery {battery!r} appears twice in the battery table",
                        where=table.where(row, "battery"),
                        hint=f"first at line {table.line[rows[0]]}; give each battery one row",
                        code="duplicate-battery",
                    ),
                )
            return None
        (row,) = rows
        columns = self.columns
        model = next((m for c in self.model_columns if (m := columns[c][row])), battery)
        group = int(self.group[row])
        found = self._facts.get(group)
        if found is None:
            cells = {c: columns[c][row] for c in self.keys}
            try:
                found = _facts(table, row, model, cells, self.keys)
            except CarbonfpError as exc:
                found = exc
            self._facts[group] = found
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
            return None
        return _project_of(found, model, table.label, line, self.files, self.warnings)


def _project_of(
    facts: Facts,
    model: str,
    label: str,
    line: int,
    files: tuple[tuple[str, str], ...],
    warnings: tuple[Issue, ...],
) -> Project:
    """The project of one battery row, from the facts its cells gave (shared by rows that
    differ only in their id and model): its own model, its own line for errors."""
    battery = facts.battery
    if battery.model != model:  # the model's own battery: the shared facts, renamed
        battery = _changed(battery, model=model)
    eol = facts.end_of_life
    if eol is not None:
        eol = _changed(eol, where=Location(label, line, key="end_of_life"))
    return Project(
        name=model,
        label=f"{label}:{line}",
        battery=battery,
        plant=facts.plant,
        manufacturer=facts.manufacturer,
        declaration=facts.declaration,
        lines=(),
        inputs=files,
        ruleset=facts.ruleset,
        factor_set=facts.factor_set,
        warnings=warnings,
        end_of_life=eol,
    )


_T = TypeVar("_T")


def _changed(checked: _T, **fields: object) -> _T:
    """A copy of a frozen dataclass already built (and checked) with ``fields`` changed, made
    without calling its ``__init__`` again: a battery's model and a place are not checked, and
    a long BOM makes one such copy per battery (``dataclasses.replace`` costs 10 times more)."""
    copy = object.__new__(type(checked))
    copy.__dict__.update(vars(checked), **fields)
    return copy


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


def fail_rows(
    table: _Table,
    rows: Sequence[int] | Ints,
    error: CarbonfpError,
    column: str | None,
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> None:
    """The same problem on each of ``rows``: located at the row and ``column``, reported for
    the row's battery, the row marked failed."""
    for row in rows:
        failed[row] = True
        problems.add(
            battery_of(int(row)),
            type(error)(
                error.message, where=table.where(int(row), column), hint=error.hint, code=error.code
            ),
        )


def _per_value(
    column: Codes[str],
    parse: Callable[[str], T],
    table: _Table,
    name: str,
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> list[T | None]:
    """Parse each distinct value once; a value that fails is reported on each of its rows
    (located at the row) and those rows marked failed."""
    out: list[T | None] = []
    for k, text in enumerate(column.values):
        try:
            out.append(parse(text))
        except InputError as exc:
            out.append(None)
            fail_rows(
                table, np.flatnonzero(column.codes == k), exc, name, battery_of, problems, failed
            )
    return out


def _lines(table: _Table, problems: _Problems) -> tuple[RawLines, list[str]]:
    """The lines as raw columns; ``raw.battery`` indexes the returned list of battery ids.

    Each column is worked on through its distinct values (codes); no text is built per row.
    """
    n = table.n
    failed = np.zeros(n, dtype=bool)
    battery = table.codes("battery")
    battery_ids = list(battery.values)

    def battery_of(row: int) -> str:
        return battery_ids[int(battery.codes[row])]

    no_id = InputError(
        "missing battery id",
        hint="every line of a long BOM names its battery",
        code="missing-value",
    )
    fail_rows(
        table, np.flatnonzero(battery.equals("")), no_id, "battery", battery_of, problems, failed
    )
    dc = table.decimal_comma

    def parse(name: str, fn: Callable[[str], Any]) -> tuple[Codes[str], list[Any]]:
        column = table.codes(name)
        return column, _per_value(column, fn, table, name, battery_of, problems, failed)

    kind_col, kinds = parse("kind", _kind)
    stage_col, stages = parse("stage", lambda text: parse_stage(text) if text else None)
    quantity = _quantities(table, battery_of, problems, failed)
    unit, _ = parse("unit", lambda text: parse_unit(text) if text else _missing("unit"))
    share_col, shares = parse("recycled_share", lambda text: share_cell(text, None, dc))
    dqr_col, dqrs = parse("dqr", lambda text: dqr_cell(text, None, dc))
    qgsd_col, qgsds = parse("quantity_gsd", lambda text: gsd_cell("quantity_gsd", text, None, dc))
    fgsd_col, fgsds = parse("factor_gsd", lambda text: gsd_cell("factor_gsd", text, None, dc))
    type_col, types = parse(
        "data_type", lambda text: data_type_cell(text, None, DATA_TYPES[0]) if text else None
    )
    material = table.codes("material")
    kind = _per_row(kind_col, [KIND_FROM_FACTOR if k is None else k for k in kinds])
    stage = _per_row(stage_col, [NO_STAGE if s is None else STAGES.index(s) for s in stages])
    electricity = KINDS.index(LineKind.ELECTRICITY)

    own_value, own_unit, own_source = _own_factors(
        table, kind, stage, unit, battery_of, problems, failed
    )
    supplies, supply = _supplies(table, kind, battery_of, problems, failed)
    factor_id, origin = _grids(table, kind, material, battery_of, problems, failed)
    no_material = InputError(
        "missing material",
        hint="every line needs its factor id in material (an electricity line may give origin "
        "instead)",
        code="missing-value",
    )
    rows = np.flatnonzero(material.equals("") & (kind != electricity) & ~failed)
    fail_rows(table, rows, no_material, "material", battery_of, problems, failed)
    component = table.codes("component")
    component = _either(component, material)  # no component: the material id names the line

    data_type = _per_row(
        type_col,
        [DEFAULT_DATA_TYPE if d is None else DATA_TYPES.index(d) for d in types],
    )
    # explicit kinds get their default data type here; lines whose kind their factor decides,
    # once resolved (carbonfp.engine.resolve)
    own = ~np.isnan(own_value)
    defaults = np.array(
        [[DATA_TYPES.index(default_data_type(k, o)) for o in (False, True)] for k in KINDS],
        dtype=np.intp,
    )
    unset = (data_type == DEFAULT_DATA_TYPE) & (kind != KIND_FROM_FACTOR)
    if unset.any():
        data_type = np.array(data_type)  # a writable copy (a constant column is a view)
        data_type[unset] = defaults[kind[unset], own[unset].astype(np.intp)]

    raw = RawLines(
        battery=battery.codes,
        kind=kind,
        component=component,
        path=table.codes("path"),
        factor_id=factor_id,
        quantity=quantity,
        unit=unit,
        stage=stage,
        own_value=own_value,
        own_unit=own_unit,
        own_source=own_source,
        data_type=data_type,
        dqr=_floats(dqrs, dqr_col),
        origin=origin,
        recycled_share=_floats(shares, share_col),
        quantity_gsd=_floats(qgsds, qgsd_col),
        factor_gsd=_floats(fgsds, fgsd_col),
        note=table.codes("note"),
        where_file=Codes.constant(table.label, n),
        where_line=np.asarray(table.line, dtype=np.intp),
        where_column=zeros(n),
        where_key=Codes.constant("", n),
        supply=supply,
        supplies=supplies,
        role=table.codes("role"),
    )
    return (raw if not failed.any() else raw.take(~failed)), battery_ids


def _per_row(column: Codes[str], per_value: Sequence[int]) -> Ints:
    """One integer per distinct value of ``column``, spread over its rows."""
    return np.asarray(_spread(np.asarray(per_value, dtype=np.intp), column), dtype=np.intp)


def _spread(per_value: Any, column: Codes[str]) -> Any:
    """``per_value[code]`` per row; a column of one value (an empty optional column) as a
    read-only view of that value, no memory per row."""
    if len(column.values) == 1 and not column.codes.strides[0]:
        return np.broadcast_to(per_value[:1], (len(column.codes),))
    return per_value[column.codes] if len(column.codes) else per_value[:0]


def _either(first: Codes[str], second: Codes[str]) -> Codes[str]:
    """``first``, with ``second``'s value on the rows where ``first`` is empty."""
    if "" not in first.values:
        return first
    both = Codes.concat([first, second])
    n = len(first)
    empty = first.equals("")
    codes = np.where(empty, both.codes[n:], both.codes[:n])
    return Codes(np.asarray(codes, dtype=np.intp), both.values).compact()


def _own_factors(
    table: _Table,
    kind: Ints,
    stage: Ints,
    unit: Codes[str],
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> tuple[Any, Codes[str], Codes[str]]:
    """Lines' own factors (value, unit, source), once per distinct (factor, source, may be
    negative); the same checks as a BOM line's own factor."""
    del unit
    n = table.n
    factor = table.codes("factor")
    source = table.codes("factor_source")
    own_value = np.full(n, math.nan)
    unit_code = np.zeros(n, dtype=np.intp)
    source_code = np.zeros(n, dtype=np.intp)
    units: list[str] = [""]
    sources: list[str] = [""]
    if factor.values == ("",) and source.values == ("",):
        return own_value, Codes(unit_code, tuple(units)), Codes(source_code, tuple(sources))
    material = KINDS.index(LineKind.MATERIAL)
    may_be_negative = ((kind == material) | (kind == KIND_FROM_FACTOR)) & (
        stage == STAGES.index(Stage.END_OF_LIFE)
    )
    first, key = combined_codes(
        (factor.codes, len(factor.values)),
        (source.codes, len(source.values)),
        (may_be_negative.astype(np.intp), 2),
    )
    refused = np.isin(
        kind, [KINDS.index(LineKind.ELECTRICITY), KINDS.index(LineKind.PROCESS_EMISSION)]
    )
    for k, row0 in enumerate(first):
        text, given_source = factor[int(row0)], source[int(row0)]
        if not text and not given_source:
            continue
        rows = np.flatnonzero(key == k)
        for row in rows[refused[rows]]:
            no_own = InputError(
                f"a {KINDS[kind[row]].value} line takes no factor of its own",
                hint="an electricity line gets its factor from its grid and supply columns; "
                "a process emission from the gas's GWP",
                code="invalid-value",
            )
            fail_rows(table, [row], no_own, "factor", battery_of, problems, failed)
        try:
            if given_source.lower().startswith((PACT_SOURCE, CATENAX_SOURCE)):
                prefix = given_source.split(":", 1)[0].lower()
                raise InputError(
                    f"a long BOM takes the factor value itself, not a {prefix}: footprint file",
                    hint="give the footprint's value in factor (carbonfp flatten writes it from "
                    f"a project whose BOM uses {prefix}:FILE)",
                    code="invalid-value",
                )
            if not text:
                raise InputError(
                    "factor_source given without a factor",
                    hint="give the supplier-specific value, e.g. '12.4 kg CO2e/kg'",
                    code="missing-value",
                )
            own = supplied_factor(
                text,
                given_source,
                Location(table.label),
                Location(table.label),
                table.decimal_comma,
                allow_negative=bool(may_be_negative[row0]),
            )
        except InputError as exc:
            column = "factor_source" if exc.code == "missing-source" else "factor"
            fail_rows(table, rows, exc, column, battery_of, problems, failed)
            continue
        own_value[rows] = own.value
        if own.unit not in units:
            units.append(own.unit)
        if own.source not in sources:
            sources.append(own.source)
        unit_code[rows] = units.index(own.unit)
        source_code[rows] = sources.index(own.source)
    return own_value, Codes(unit_code, tuple(units)), Codes(source_code, tuple(sources))


def _grids(
    table: _Table,
    kind: Ints,
    material: Codes[str],
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> tuple[Codes[str], Codes[str]]:
    """Factor ids and origins: an electricity line's grid country is its origin, else the
    country of its grid id (``grid-hu``); its factor id is that country's grid. Other lines'
    origins are checked as a BOM's are (carbonfp.origins.origin_cell: ISO 3166-1 alpha-2
    countries), once per distinct text; a line whose origin is not one fails."""
    origin = _origins(table, kind, material, battery_of, problems, failed)
    rows = np.flatnonzero(kind == KINDS.index(LineKind.ELECTRICITY))
    if not len(rows):
        return material, origin
    countries = list(origin.values)
    fids = list(material.values)
    origin_codes = origin.codes.copy()
    fid_codes = material.codes.copy()
    first, key = combined_codes(
        (origin.codes[rows], len(origin.values)), (material.codes[rows], len(material.values))
    )
    for k, at in enumerate(rows[first]):
        given, fid = origin[int(at)], material[int(at)]
        country = given or grid_country(fid) or ""
        same = rows[key == k]
        if not country:
            problem = InputError(
                "an electricity line needs its grid country",
                hint="give origin (an ISO country code such as HU) or material = grid-XX",
                code="missing-value",
            )
            column = "origin"
        elif fid and grid_country(fid) not in (None, country):
            problem = InputError(
                f"material {fid!r} and origin {country!r} name different grids",
                hint="leave material empty or give grid-" + country.lower(),
                code="invalid-value",
            )
            column = "material"
        else:
            if country not in countries:
                countries.append(country)
            grid = grid_factor_id(country)
            if grid not in fids:
                fids.append(grid)
            origin_codes[same] = countries.index(country)
            fid_codes[same] = fids.index(grid)
            continue
        fail_rows(table, same, problem, column, battery_of, problems, failed)
    return Codes(fid_codes, tuple(fids)), Codes(origin_codes, tuple(countries))


def _origins(
    table: _Table,
    kind: Ints,
    material: Codes[str],
    battery_of: Callable[[int], str],
    problems: _Problems,
    failed: Any,
) -> Codes[str]:
    """The origin column: a grid country (upper case) on electricity lines and on lines whose
    grid id decides their kind, the origin cell as carbonfp keeps it on the others."""
    origin = table.codes("origin")
    grid = np.array([grid_country(m) is not None for m in material.values] or [False])
    as_grid = (kind == KINDS.index(LineKind.ELECTRICITY)) | (
        (kind == KIND_FROM_FACTOR) & grid[material.codes]
    )
    values: list[str] = []
    upper = np.zeros(len(origin.values), dtype=np.intp)
    checked = np.zeros(len(origin.values), dtype=np.intp)
    for k, text in enumerate(origin.values):
        upper[k] = len(values)
        values.append(text.upper())
        try:
            cell = origin_cell(text) or ""
        except InputError as exc:
            rows = np.flatnonzero((origin.codes == k) & ~as_grid)
            fail_rows(table, rows, exc, "origin", battery_of, problems, failed)
            cell = text.upper()
        checked[k] = len(values)
        values.append(cell)
    codes = np.where(as_grid, upper[origin.codes], checked[origin.codes])
    return Codes(np.asarray(codes, dtype=np.intp), tuple(values)).compact()


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


def _floats(values: Sequence[float | None], column: Codes[str]) -> Any:
    """One number per distinct value of ``column`` (None: NaN), spread over its rows."""
    array = np.array([math.nan if v is None else v for v in values], dtype=float)
    return _spread(array, column)


def _quantities(
    table: _Table, battery_of: Callable[[int], str], problems: _Problems, failed: Any
) -> Any:
    """The quantity column as floats: read as numbers by the C parser where it could, else each
    distinct text through the BOM's check (decimal commas, thousands separators, errors)."""
    if "quantity" in table.numbers:
        numbers = table.numbers["quantity"]
        numbers = numbers + 0.0  # -0 is 0
        bad = ~np.isfinite(numbers) | (numbers < 0)
        if not bad.any():
            return numbers
        texts = ["" if math.isnan(v) else repr(float(v)) for v in numbers[bad]]
        for row, text in zip(np.flatnonzero(bad), texts, strict=True):
            _quantity_problem(table, int(row), text, battery_of, problems, failed)
        return numbers
    quantity = table.codes("quantity")
    codes, values = quantity.codes, quantity.values
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
    n = table.n
    present = [c for c in SUPPLY_COLUMNS if c in table.columns]
    supply = np.full(n, -1, dtype=np.intp)
    electricity = KINDS.index(LineKind.ELECTRICITY)
    from_factor = kind == KIND_FROM_FACTOR
    if not present:
        return (), supply
    codes = [(col.codes, list(col.values)) for col in (table.codes(c) for c in present)]
    first, inverse = combined_codes(*((c, len(values)) for c, values in codes))
    # the rows of each combination: one sort, not a scan of every row per combination
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(len(first) + 1))
    supplies: list[ElectricitySupply] = []
    chosen = np.full(len(first), -1, dtype=np.intp)
    for k, row in enumerate(first):
        cells = {c: v[int(cs[row])] for c, (cs, v) in zip(present, codes, strict=True)}
        cells = {c: t for c, t in cells.items() if t}
        if not cells:
            continue
        rows = order[starts[k] : starts[k + 1]]
        others = rows[(kind[rows] != electricity) & ~from_factor[rows]]
        not_here = InputError(
            "supply columns are for electricity lines",
            hint="leave supply, technology, share, certificate_id ... empty on other lines",
            code="invalid-value",
        )
        fail_rows(table, others, not_here, next(iter(cells)), battery_of, problems, failed)
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
            key = exc.where.key if exc.where else None
            fail_rows(table, rows, exc, key, battery_of, problems, failed)
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
