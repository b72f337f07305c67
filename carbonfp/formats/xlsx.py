"""The declaration as an Excel workbook: a tidy "declaration" sheet, a "lines" sheet and a
"metadata" sheet.

The first two sheets hold the rows of ``--format csv`` and ``--format csv --lines`` (the rows of
carbonfp.formats.tables, which the CSV writer writes too), numbers as numbers; the metadata sheet
holds, per battery, the label, ruleset (version, sha256), factor set, study and verification
fields and every warning (carbonfp.formats.common.metadata: the CSV's ``metadata`` rows).
No cell is ever a formula: text is stored as text, and text a spreadsheet would read as a
formula (starting with = + - @, a tab or a carriage return, after any blanks, full-width forms
included) gets a leading apostrophe, as in the CSV. Same inputs, same bytes:
no clock in the document properties or the zip entries. Needs openpyxl (``carbonfp[xlsx]``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import carbonfp.formats.common as common
from carbonfp.errors import UsageError
from carbonfp.formats.common import metadata
from carbonfp.formats.tables import LINE_COLUMNS, TIDY_COLUMNS, Row, line_rows, tidy_rows
from carbonfp.model import Declaration

#: Characters that make a spreadsheet evaluate a cell, with their full-width forms.
FORMULA_START = (*common.FORMULA_START, "\uff1d", "\uff0b", "\uff0d", "\uff20")
SHEETS = ("declaration", "lines", "metadata")
#: The columns of the metadata sheet.
METADATA_COLUMNS = ("battery", "field", "value")
#: Zip entry time of every part: the earliest a zip file can hold (no clock).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_EPOCH = datetime(*_ZIP_TIME, tzinfo=timezone.utc)


def safe_text(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would evaluate; other text is unchanged."""
    if value.lstrip(" \u00a0").startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """A value as a cell holds it: numbers as numbers, empty text as an empty cell, other text
    made safe."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return value
    return safe_text(str(value))


def workbook_bytes(
    declarations: Declaration | Sequence[Declaration], created: datetime | None = None
) -> bytes:
    """The workbook as bytes: the tidy table, the line table and the metadata of each
    declaration, one header each. Its document date is ``created``, else the first project's
    ``[declaration] created``, else 1980-01-01 (no clock). Raises UsageError when openpyxl is
    not installed.
    """
    decls = [declarations] if isinstance(declarations, Declaration) else list(declarations)
    tables: tuple[list[Row], list[Row], list[Row]] = (
        [list(TIDY_COLUMNS), *(row for d in decls for row in tidy_rows(d)[1:])],
        [list(LINE_COLUMNS), *(row for d in decls for row in line_rows(d)[1:])],
        [
            list(METADATA_COLUMNS),
            *(_meta_row(d, key, value) for d in decls for key, value in metadata(d)),
        ],
    )
    given = decls[0].project.declaration.created if decls else None
    return sheets_bytes(list(zip(SHEETS, tables, strict=True)), created or given)


def _meta_row(decl: Declaration, key: str, value: str | None) -> Row:
    return [decl.project.battery.model, key, value]


def sheets_bytes(sheets: Sequence[tuple[str, Sequence[Row]]], created: datetime | None) -> bytes:
    """A workbook of named sheets (each a header row, then rows), as every workbook carbonfp
    writes: numbers as numbers, no cell ever a formula, the header frozen, dated ``created``
    (else 1980-01-01: no clock), the same bytes for the same rows. Raises UsageError when
    openpyxl is not installed."""
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
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                cell = sheet.cell(row=r, column=c)
                cell.value = _cell(value)
                if isinstance(cell.value, str):
                    # openpyxl makes text starting with "=" a formula: force plain text
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    stamp = (created or _EPOCH).astimezone(timezone.utc)
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


def read_sheets(data: bytes) -> dict[str, list[list[Any]]]:
    """Cell values of every sheet of a workbook (for tests and checks)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }
