"""Reads bills of materials (CSV in any Excel locale, or XLSX) into activity lines.

A BOM line whose material is ``bom:OTHER.csv`` uses that BOM ``quantity`` times (a cell BOM
x 96); sub-BOMs are expanded here, so the core sees flat lines with their path. A line whose
factor_source is ``pact:FILE.json`` takes its factor from a supplier's PACT footprint file
(carbonfp.inputs.pact_footprint), one whose factor_source is ``catenax:FILE.json`` from a
supplier's Catena-X battery component footprint (carbonfp.inputs.catenax_footprint: its stage 1
and stage 2 can make two lines of one row), read here, so the core sees ordinary
supplier-specific factors.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbonfp.columns import BOM_OPTIONAL
from carbonfp.errors import InputError, Location
from carbonfp.files import limit, read_text, resolved, too_large
from carbonfp.model import (
    ActivityLine,
    DataType,
    Issue,
    LineKind,
    Stage,
    SuppliedFactor,
    default_data_type,
    parse_stage,
)
from carbonfp.origins import origin_cell
from carbonfp.units import dimension_name, parse_number, parse_quantity, parse_unit

if TYPE_CHECKING:
    from carbonfp.inputs.catenax_footprint import ComponentFactors

REQUIRED = ("component", "material", "quantity", "unit")
OPTIONAL = BOM_OPTIONAL
IGNORED = ("note", "notes", "comment", "comments", "description")
SUB_BOM = "bom:"
#: factor_source of a line whose factor comes from a supplier's PACT footprint file
PACT_SOURCE = "pact:"
#: factor_source of a line whose factor comes from a supplier's Catena-X footprint file
CATENAX_SOURCE = "catenax:"
MAX_DEPTH = 16


@dataclass
class Table:
    """Rows of a tabular file as text, each with its line (CSV) or row (XLSX) number."""

    label: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    decimal_comma: bool | None = None
    column_names: dict[str, int] = field(default_factory=dict)


def _normalise_header(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")


def bad_quotes(label: str, line: int, exc: csv.Error) -> InputError:
    """The error for a CSV the csv module cannot read at ``line`` (a quote not closed)."""
    return InputError(
        f"malformed CSV: {exc}",
        where=Location(label, line),
        hint="check the quotes on that line: a cell with a quote starts and ends with one",
        code="malformed-csv",
    )


def read_csv_table(text: str, label: str) -> Table:
    """Split CSV text, guessing the separator (comma, semicolon or tab) from the header line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    header_line = 0
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header, header_line = record, reader.line_num
                continue
            if len(record) != len(header):
                said = "more" if len(record) > len(header) else "fewer"
                raise InputError(
                    f"the row has {len(record)} fields, {said} than the {len(header)} columns "
                    "of the header",
                    where=Location(label, reader.line_num),
                    hint='a cell that holds the separator needs quotes ("cell, prismatic"); '
                    "every row needs a field per column, empty ones included",
                    code="malformed-csv",
                )
            rows.append((reader.line_num, record))
    except csv.Error as exc:
        raise bad_quotes(label, reader.line_num, exc) from exc
    if header is None:
        raise InputError(
            "the file is empty: no header row",
            where=Location(label, 1),
            hint="the first row names the columns: " + ", ".join(REQUIRED),
            code="empty-file",
        )
    del header_line
    return Table(label, header, rows, decimal_comma={";": True, "\t": None, ",": False}[sep])


def open_workbook(path: Path, label: str) -> Any:
    """An Excel workbook opened read-only (values, not formulas), after its zip was checked
    against the input limits. Raises InputError when openpyxl is missing, the file is missing
    or it is not a workbook."""
    try:
        import openpyxl
    except ImportError as exc:
        raise InputError(
            "reading .xlsx files needs openpyxl",
            where=Location(label),
            hint="pip install 'carbonfp[xlsx]', or save the sheet as CSV",
            code="missing-xlsx-reader",
        ) from exc
    _check_workbook(path, label)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise InputError(
            "file not found",
            where=Location(label),
            hint="check the path (paths inside a project file are relative to that file)",
            code="missing-file",
        ) from exc
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise _not_a_workbook(label, exc) from exc


def read_xlsx_table(path: Path, label: str) -> Table:
    """Read the sheet named "BOM" (else the first sheet) of an Excel workbook.

    Raises InputError when openpyxl is missing or the file is not a workbook.
    """
    book = open_workbook(path, label)
    sheet = book["BOM"] if "BOM" in book.sheetnames else book.worksheets[0]
    # the cells that exist, whatever size the sheet claims (A1:XFD1048576 would make every
    # row 16 384 cells long)
    reset = getattr(sheet, "reset_dimensions", None)
    if reset is not None:
        reset()
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    columns = limit("CARBONFP_MAX_XLSX_COLUMNS")
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = ["" if v is None else (repr(v) if isinstance(v, float) else str(v)) for v in values]
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > columns:
            book.close()
            raise too_large(
                f"row {number}'s number of columns",
                len(cells),
                "CARBONFP_MAX_XLSX_COLUMNS",
                Location(label, number),
            )
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = cells
        else:
            rows.append((number, cells))
    book.close()
    if header is None:
        raise InputError(
            "the workbook's sheet is empty: no header row",
            where=Location(label, 1),
            hint="put the header row (the column names) first, then one row per line",
            code="empty-file",
        )
    return Table(label, header, rows, decimal_comma=None)


def _not_a_workbook(label: str, exc: Exception) -> InputError:
    return InputError(
        f"not a readable .xlsx workbook ({type(exc).__name__})",
        where=Location(label),
        hint="save it from Excel as an .xlsx workbook, or as CSV",
        code="unreadable-file",
    )


def _check_workbook(path: Path, label: str) -> None:
    """Refuse a workbook whose zip would unpack past the limits (a zip bomb), before any of it
    is parsed. Raises InputError (``too-large``, or ``unreadable-file`` when it is no zip)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except FileNotFoundError:
        return  # openpyxl's own message names the missing file
    except (zipfile.BadZipFile, OSError) as exc:
        raise _not_a_workbook(label, exc) from exc
    if len(entries) > limit("CARBONFP_MAX_XLSX_ENTRIES"):
        raise too_large(
            "the workbook's number of parts",
            len(entries),
            "CARBONFP_MAX_XLSX_ENTRIES",
            Location(label),
        )
    size = sum(e.file_size for e in entries)
    if size > limit("CARBONFP_MAX_XLSX_BYTES"):
        raise too_large(
            "the workbook's unpacked size in bytes",
            size,
            "CARBONFP_MAX_XLSX_BYTES",
            Location(label),
        )


class BomReader:
    """Reads a BOM and its sub-BOMs; ``display`` turns a path into the label users see."""

    def __init__(
        self, display: Callable[[Path], str], *, period_end: datetime | None = None
    ) -> None:
        self.display = display
        self.files: dict[str, str] = {}
        self.warnings: list[Issue] = []
        #: end of the declaration's reference period: supplier footprints must be valid until
        #: then (a PACT file's validity is checked against it, never against the clock)
        self.period_end = period_end
        #: problems of rows read so far (every bad row is reported at once)
        self.row_errors: list[InputError] = []
        #: the origins of the sub-BOM lines being read, outermost first: the lines inside a
        #: sub-BOM take its origin where they give none (carbonfp.origins.origin_cell)
        self.origins: list[str | None] = []

    def read(self, path: Path, *, keep_going: bool = False) -> list[ActivityLine]:
        """Read ``path`` and every sub-BOM it uses into flat lines (amounts per battery).

        Raises InputError for every problem of point 7 of the format: missing column, bad
        quantity, unknown unit, unknown stage, sub-BOM cycle, missing file... (every bad row,
        the first as the error). With ``keep_going``, a bad row's problem is kept in
        ``row_errors`` and the good rows' lines are returned.
        """
        self.row_errors = []
        lines = self._read(resolved(path, str(path)), 1.0, "", (), None)
        if self.row_errors and not keep_going:  # every bad row at once, the first as the error
            first, *rest = self.row_errors
            raise first.with_related(rest)
        return lines

    def _table(self, path: Path) -> Table:
        label = self.display(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            table = read_xlsx_table(path, label)
            self.files[label] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            text = _read_csv_text(path, label, self.warnings)
            self.files[label] = hashlib.sha256(path.read_bytes()).hexdigest()
            table = read_csv_table(text, label)
        names = [_normalise_header(h) for h in table.header]
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise InputError(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                where=Location(label, 1),
                hint="a BOM needs the columns "
                + ", ".join(REQUIRED)
                + "; optional: "
                + ", ".join(OPTIONAL)
                + f"; found: {', '.join(names) or 'none'}",
                code="missing-column",
            )
        for index, name in enumerate(names):
            if name in table.column_names:
                raise InputError(
                    f"column {name!r} appears twice",
                    where=Location(label, 1, index + 1),
                    hint="remove or rename one of the two columns",
                    code="duplicate-column",
                )
            table.column_names[name] = index
            if name not in REQUIRED + OPTIONAL + IGNORED and name:
                close = difflib.get_close_matches(name, REQUIRED + OPTIONAL, n=1)
                self.warnings.append(
                    Issue(
                        "unused-column",
                        f"column {name!r} is not a BOM column and is ignored"
                        + (f" (did you mean {close[0]!r}?)" if close else ""),
                        str(Location(label, 1, index + 1)),
                    )
                )
        return table

    def _read(
        self,
        path: Path,
        multiplier: float,
        prefix: str,
        stack: tuple[Path, ...],
        used_at: Location | None,
    ) -> list[ActivityLine]:
        if path in stack:
            chain = " -> ".join(self.display(p) for p in (*stack, path))
            raise InputError(
                f"sub-BOM cycle: {chain}",
                where=used_at,
                hint="a BOM cannot use itself, directly or through other BOMs",
                code="sub-bom-cycle",
            )
        if len(stack) >= MAX_DEPTH:
            raise InputError(
                f"sub-BOMs nested deeper than {MAX_DEPTH} levels",
                where=Location(self.display(path)),
                hint="flatten some levels: a sub-BOM may list the materials of its own sub-BOMs",
                code="sub-bom-depth",
            )
        if not path.is_file():
            label = self.display(path)
            if not stack:
                read_text(path, label)  # raises the precise missing/unreadable error
            raise InputError(
                f"sub-BOM file {label} not found",
                where=used_at,
                hint="the path after 'bom:' is relative to the BOM that uses it",
                code="missing-file",
            )
        table = self._table(path)
        lines: list[ActivityLine] = []
        if not table.rows:
            raise InputError(
                "the BOM has a header but no lines",
                where=Location(table.label, 1),
                hint="add one line per component: " + ", ".join(REQUIRED),
                code="empty-file",
            )
        for number, cells in table.rows:
            try:
                lines.extend(self._row(table, number, cells, path, multiplier, prefix, stack))
            except InputError as exc:  # the other rows are read: every problem is reported
                self.row_errors.append(exc)
        return lines

    def _row(
        self,
        table: Table,
        number: int,
        cells: list[str],
        path: Path,
        multiplier: float,
        prefix: str,
        stack: tuple[Path, ...],
    ) -> list[ActivityLine]:
        """The lines of one BOM row (a sub-BOM's, expanded). Raises InputError."""
        row = _Row(table, number, cells, self, path)
        component = row.text("component", required=True)
        material = row.text("material", required=True)
        sub_bom = material.lower().startswith(SUB_BOM)
        try:
            quantity = row.quantity()
        except InputError as exc:
            # the row is bad, yet its material (or sub-BOM) is still read and resolved for
            # problems of its own; the battery is never computed with it
            self.row_errors.append(exc)
            quantity = 1.0 if sub_bom else 0.0
        unit_text = row.text("unit")
        parse_unit(unit_text, row.where("unit"))
        label = f"{prefix}{component}"
        if sub_bom:
            return self._sub_bom(row, path, material, quantity, unit_text, multiplier, label, stack)
        amount = quantity * multiplier
        if not math.isfinite(amount):
            raise InputError(
                f"the amount per battery overflows: {quantity:g} x {multiplier:g} (this "
                "line's quantity times the sub-BOM counts above it) is too large for a number",
                where=row.where("quantity"),
                hint="check the quantity and the counts of the sub-BOMs that use this file",
                code="overflow",
            )
        return row.lines(label, component, material, amount, unit_text)

    def _sub_bom(
        self,
        row: _Row,
        path: Path,
        material: str,
        count: float,
        unit_text: str,
        multiplier: float,
        label: str,
        stack: tuple[Path, ...],
    ) -> list[ActivityLine]:
        if dimension_name(unit_text) not in ("count", "dimensionless"):
            raise InputError(
                f"a sub-BOM line counts pieces, but its unit is {unit_text!r}",
                where=row.where("unit"),
                hint="give how many times the sub-BOM is used, with unit 'pcs'",
                code="wrong-dimension",
            )
        for column in ("stage", "factor", "factor_source", "role"):
            if row.text(column):
                raise InputError(
                    f"a sub-BOM line cannot have a {column}",
                    where=row.where(column),
                    hint="set stages, factors and roles on the lines inside the sub-BOM",
                    code="invalid-value",
                )
        target = resolved(
            path.parent / material[len(SUB_BOM) :].strip(), str(row.where("material"))
        )
        prefix = f"{label} (x{count:g}) > "
        self.origins.append(row.origin())
        try:
            return self._read(
                target, multiplier * count, prefix, (*stack, path), row.where("material")
            )
        finally:
            self.origins.pop()


def _read_csv_text(path: Path, label: str, warnings: list[Issue]) -> str:
    try:
        return read_text(path, label)
    except InputError as exc:
        if exc.code != "unreadable-file" or not path.is_file():
            raise
    # Excel's "CSV" in many Western locales is Windows-1252, not UTF-8.
    text = path.read_bytes().decode("cp1252", errors="replace")
    warnings.append(Issue("not-utf8", "file is not UTF-8; read as Windows-1252", label))
    return text


class _Row:
    def __init__(
        self,
        table: Table,
        number: int,
        cells: list[str],
        reader: BomReader | None = None,
        path: Path | None = None,
    ) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.reader = reader
        self.path = path

    def where(self, column: str) -> Location:
        index = self.table.column_names.get(column)
        return Location(self.table.label, self.number, None if index is None else index + 1)

    def text(self, column: str, *, required: bool = False) -> str:
        index = self.table.column_names.get(column)
        value = self.cells[index].strip() if index is not None and index < len(self.cells) else ""
        if required and not value:
            raise InputError(
                f"missing {column}",
                where=self.where(column),
                hint=f"every BOM line needs a {column}",
                code="missing-value",
            )
        return value

    def origin(self) -> str | None:
        """The row's origin (checked: ISO 3166-1 alpha-2 countries), completed by the origin
        of the sub-BOM line it is read under. Raises InputError."""
        inherited = self.reader.origins[-1] if self.reader and self.reader.origins else None
        return origin_cell(self.text("origin"), self.where("origin"), inherited)

    def quantity(self) -> float:
        return quantity_cell(
            self.text("quantity"), self.where("quantity"), self.table.decimal_comma
        )

    def lines(
        self, label: str, component: str, material: str, quantity: float, unit: str
    ) -> list[ActivityLine]:
        """The row's line; a Catena-X footprint's stage 2 adds a second line in production."""
        stage_text = self.text("stage")
        stage = parse_stage(stage_text, self.where("stage")) if stage_text else None
        source = self.text("factor_source")
        footprint_dqr = None
        if source.lower().startswith(CATENAX_SOURCE):
            found = self._catenax_factors(source, unit, stage is not None)
            parts: tuple[tuple[Stage | None, SuppliedFactor | None], ...] = found.parts
            footprint_dqr = found.dqr
        else:
            allow_negative = negative_factor_allowed(LineKind.MATERIAL, stage)
            parts = ((None, self._supplied_factor(allow_negative, unit)),)
        dc = self.table.decimal_comma
        data_type = data_type_cell(
            self.text("data_type"),
            self.where("data_type"),
            default_data_type(LineKind.MATERIAL, parts[0][1] is not None),
        )
        dqr = dqr_cell(self.text("dqr"), self.where("dqr"), dc)
        line = ActivityLine(
            kind=LineKind.MATERIAL,
            component=component,
            factor_id=material,
            quantity=quantity,
            unit=unit,
            where=Location(self.table.label, self.number),
            path=label,
            stage=stage,
            supplied=parts[0][1],
            data_type=data_type,
            dqr=footprint_dqr if dqr is None else dqr,
            origin=self.origin(),
            recycled_share=share_cell(
                self.text("recycled_share"), self.where("recycled_share"), dc
            ),
            quantity_gsd=gsd_cell(
                "quantity_gsd", self.text("quantity_gsd"), self.where("quantity_gsd"), dc
            ),
            factor_gsd=gsd_cell(
                "factor_gsd", self.text("factor_gsd"), self.where("factor_gsd"), dc
            ),
            role=self.text("role") or None,
        )
        more = [
            replace(line, path=f"{label} (supplier's main production)", stage=part, supplied=f)
            for part, f in parts[1:]
        ]
        return [line, *more]

    def _supplied_factor(self, allow_negative: bool, unit: str = "") -> SuppliedFactor | None:
        text = self.text("factor")
        source = self.text("factor_source")
        if source.lower().startswith(PACT_SOURCE):
            return self._pact_factor(text, source, unit)
        if not text:
            if source:
                raise InputError(
                    "factor_source given without a factor",
                    where=self.where("factor"),
                    hint="give the supplier-specific value, e.g. '12.4 kg CO2e/kg'",
                    code="missing-value",
                )
            return None
        return supplied_factor(
            text,
            source,
            self.where("factor"),
            self.where("factor_source"),
            self.table.decimal_comma,
            allow_negative=allow_negative,
        )

    def _pact_factor(self, text: str, source: str, unit: str) -> SuppliedFactor:
        """The factor from a supplier's PACT footprint file named by ``pact:FILE``."""
        from carbonfp.inputs.pact_footprint import supplier_factor as pact_factor

        if text:
            raise InputError(
                "a line takes its factor from the factor column or from a pact: file, not both",
                where=self.where("factor"),
                hint=f"empty the factor column to use {source}",
                code="invalid-value",
            )
        name = source[len(PACT_SOURCE) :].strip()
        if not name or self.path is None or self.reader is None:
            raise InputError(
                "factor_source 'pact:' names no file",
                where=self.where("factor_source"),
                hint="write pact:FILE.json, the supplier's PACT ProductFootprint, relative to "
                "the BOM",
                code="missing-value",
            )
        target = resolved(self.path.parent / name, str(self.where("factor_source")))
        label = self.reader.display(target)
        factor, issues = pact_factor(
            target, label, unit, self.where("factor_source"), self.reader.period_end
        )
        self.reader.files[label] = hashlib.sha256(target.read_bytes()).hexdigest()
        self.reader.warnings.extend(issues)
        return factor

    def _catenax_factors(self, source: str, unit: str, stage_given: bool) -> ComponentFactors:
        """The factors from a supplier's Catena-X footprint file named by ``catenax:FILE``."""
        from carbonfp.inputs.catenax_footprint import component_factors

        if self.text("factor"):
            raise InputError(
                "a line takes its factor from the factor column or from a catenax: file, not both",
                where=self.where("factor"),
                hint=f"empty the factor column to use {source}",
                code="invalid-value",
            )
        name = source[len(CATENAX_SOURCE) :].strip()
        if not name or self.path is None or self.reader is None:
            raise InputError(
                "factor_source 'catenax:' names no file",
                where=self.where("factor_source"),
                hint="write catenax:FILE.json, the supplier's Catena-X battery component "
                "footprint (io.catenax.pcf_for_battery_component_supplier), relative to the BOM",
                code="missing-value",
            )
        target = resolved(self.path.parent / name, str(self.where("factor_source")))
        label = self.reader.display(target)
        found = component_factors(
            target,
            label,
            unit,
            self.where("factor_source"),
            self.reader.period_end,
            stage_given=stage_given,
        )
        self.reader.files[label] = hashlib.sha256(target.read_bytes()).hexdigest()
        return found


# --------------------------------------------------------------------------------------------
# One cell's value: the same checks for a BOM line and for a long BOM's line
# --------------------------------------------------------------------------------------------


def number_cell(
    column: str, text: str, where: Location | None, decimal_comma: bool | None
) -> float:
    """A number written as text ("12.5", "12,5"). Raises InputError (``not-a-number``)."""
    try:
        return parse_number(text, decimal_comma)
    except ValueError:
        raise InputError(
            f"{column} {text!r} is not a number",
            where=where,
            hint="write a plain number such as 12.5 (or 12,5)",
            code="not-a-number",
        ) from None


def quantity_cell(text: str, where: Location | None, decimal_comma: bool | None) -> float:
    """A line's amount: given, a number, not negative. Raises InputError."""
    if not text:
        raise InputError(
            "missing quantity",
            where=where,
            hint="give the amount per battery (per piece in a sub-BOM)",
            code="missing-value",
        )
    value = number_cell("quantity", text, where, decimal_comma)
    if value < 0:
        raise InputError(
            f"negative quantity {text}",
            where=where,
            hint="quantities are amounts used per battery; credits for recycling belong to "
            "the end-of-life stage, not to negative amounts",
            code="negative-quantity",
        )
    return value


def dqr_cell(text: str, where: Location | None, decimal_comma: bool | None) -> float | None:
    """A PEF data quality rating, 1 to 5 (None when empty). Raises InputError."""
    if not text:
        return None
    dqr = number_cell("dqr", text, where, decimal_comma)
    if not 1 <= dqr <= 5:
        raise InputError(
            f"dqr {text} is outside 1 to 5",
            where=where,
            hint="the PEF data quality rating runs from 1 (best) to 5",
            code="invalid-value",
        )
    return dqr


def share_cell(text: str, where: Location | None, decimal_comma: bool | None) -> float | None:
    """A recycled share as a fraction (0.25) or a percentage (25%). Raises InputError."""
    if not text:
        return None
    percent = text.endswith("%")
    share = number_cell("recycled_share", text.rstrip("% "), where, decimal_comma)
    share = share / 100 if percent else share
    if not 0 <= share <= 1:
        raise InputError(
            f"recycled_share {text} is outside 0 to 1",
            where=where,
            hint="write a fraction (0.25) or a percentage (25%)",
            code="invalid-value",
        )
    return share


def gsd_cell(
    column: str, text: str, where: Location | None, decimal_comma: bool | None
) -> float | None:
    """A geometric standard deviation (>= 1) for Monte Carlo, or None. Raises InputError."""
    if not text:
        return None
    value = number_cell(column, text, where, decimal_comma)
    if value < 1:
        raise InputError(
            f"{column} {text} is below 1: a geometric standard deviation is at least 1",
            where=where,
            hint="1 means no spread; 1.2 means about +-20 % (one sigma, lognormal)",
            code="impossible-distribution",
        )
    return value


def data_type_cell(text: str, where: Location | None, default: DataType) -> DataType:
    """company, supplier or secondary (``default`` when empty). Raises InputError."""
    if not text:
        return default
    try:
        return DataType(text.lower())
    except ValueError:
        raise InputError(
            f"unknown data_type {text.lower()!r}",
            where=where,
            hint="use company, supplier or secondary",
            code="invalid-value",
        ) from None


def negative_factor_allowed(kind: LineKind, stage: Stage | None) -> bool:
    """A line's own factor may be negative (a credit) only on an end-of-life material line."""
    return kind is LineKind.MATERIAL and stage is Stage.END_OF_LIFE


def supplied_factor(
    text: str,
    source: str,
    where: Location,
    source_where: Location,
    decimal_comma: bool | None = None,
    *,
    allow_negative: bool = False,
) -> SuppliedFactor:
    """Read a line's own factor ("12.4 kg CO2e/kg") and its source.

    Negative values (credits) are allowed only for end-of-life lines. Raises InputError when
    the value is not an emission factor or has no source.
    """
    value, unit = parse_quantity(text, where, decimal_comma)
    if not unit or "[co2e]" not in parse_unit(unit, where).dimensionality:
        raise InputError(
            f"factor {text!r} is not an emission factor",
            where=where,
            hint="write the value with its unit, e.g. '12.4 kg CO2e/kg' or '450 g CO2e/kWh'",
            code="bad-factor",
        )
    if value < 0 and not allow_negative:
        raise InputError(
            f"negative factor {text!r}",
            where=where,
            hint="a supplier factor is an emission per unit; credits belong to the "
            "end-of-life stage",
            code="bad-factor",
        )
    if not source:
        raise InputError(
            "a supplier-specific factor needs its source",
            where=source_where,
            hint="fill factor_source: who supplied the value and in which document, e.g. "
            "'Supplier X PCF 2025-03, EPD no. 123'",
            code="missing-source",
        )
    return SuppliedFactor(value, unit, source)
