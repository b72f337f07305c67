"""The declaration as an Excel workbook: a tidy "declaration" sheet and a "lines" sheet.

The sheets hold the tables of ``--format csv`` and ``--format csv --lines``, numeric columns
as numbers. No cell is ever a formula: text is stored as text, and text a spreadsheet would
read as a formula (starting with = + - @, a tab or a carriage return, after any blanks,
full-width forms included) gets a leading apostrophe, as in the CSV. Same inputs, same bytes:
no clock in the document properties or the zip entries. Needs openpyxl (``carbonfp[xlsx]``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from carbonfp.errors import UsageError
from carbonfp.model import Declaration

#: Characters that make a spreadsheet evaluate a cell, with their full-width forms.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
SHEETS = ("declaration", "lines")
#: Zip entry time of every part: the earliest a zip file can hold (no clock).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_EPOCH = datetime(*_ZIP_TIME, tzinfo=timezone.utc)


def safe_text(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would evaluate; other text is unchanged."""
    if value.lstrip(" \u00a0").startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """A value as a cell holds it: numbers as they are, text made safe."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return safe_text(str(value))


#: Columns of the CSV tables that hold numbers (written as numbers, not text, in the sheets).
NUMERIC_COLUMNS = frozenset(
    {
        "value",
        "quantity",
        "amount",
        "kg_co2e",
        "dqr",
        "recycled_share",
        "factor_value",
        "factor_dqr",
        "quantity_gsd",
        "factor_gsd",
    }
)


def _typed(column: str, text: str) -> object:
    """A CSV cell as the sheet holds it: empty as an empty cell, numeric columns as numbers."""
    if text == "":
        return None
    if column in NUMERIC_COLUMNS:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def csv_rows(text: str) -> list[list[object]]:
    """Rows of one of carbonfp's CSV tables, header first, numeric columns as numbers."""
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        return []
    header = records[0]
    rows: list[list[object]] = [list(header)]
    rows += [[_typed(c, v) for c, v in zip(header, r, strict=False)] for r in records[1:]]
    return rows


def declaration_rows(decl: Declaration) -> list[list[object]]:
    """The tidy CSV (battery, stage, metric, value, unit) as rows, values as numbers."""
    from carbonfp.formats.declaration import to_csv

    return csv_rows(to_csv(decl))


def line_rows(decl: Declaration) -> list[list[object]]:
    """One row per activity line: the table of ``--format csv --lines``."""
    from carbonfp.formats.declaration import to_csv

    return csv_rows(to_csv(decl, lines=True))


def workbook_bytes(decl: Declaration, created: datetime | None = None) -> bytes:
    """The workbook as bytes; its document date is ``created``, else the project's
    ``[declaration] created``, else 1980-01-01 (no clock). Raises UsageError when openpyxl is
    not installed.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.writer.excel import ExcelWriter
    except ImportError as exc:
        raise UsageError(
            "--format xlsx needs openpyxl, which is not installed",
            hint="pip install 'carbonfp[xlsx]', or use --format csv",
            code="missing-dependency",
        ) from exc
    book = Workbook()
    first = book.active
    book.remove(first)
    for name, rows in zip(SHEETS, (declaration_rows(decl), line_rows(decl)), strict=True):
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                cell = sheet.cell(row=r, column=c)
                cell.value = _cell(value)
                if isinstance(cell.value, str):
                    # openpyxl makes text starting with "=" a formula: force plain text
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    stamp = (created or decl.project.declaration.created or _EPOCH).astimezone(timezone.utc)
    book.properties.creator = "carbonfp"
    book.properties.created = book.properties.modified = stamp.replace(tzinfo=None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return _without_timestamps(buffer.getvalue())


def _without_timestamps(data: bytes) -> bytes:
    """Rewrite a zip with a fixed time on every entry, so that the bytes depend on content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def write_xlsx(path: Path, decl: Declaration, created: datetime | None = None) -> None:
    """Write the workbook to ``path`` through a temporary file and a rename.

    Raises UsageError when openpyxl is missing (before any file is created).
    """
    from carbonfp.files import write_atomic

    write_atomic(Path(path), workbook_bytes(decl, created))


def read_sheets(data: bytes) -> dict[str, list[list[Any]]]:
    """Cell values of every sheet of a workbook (for tests and checks)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }
