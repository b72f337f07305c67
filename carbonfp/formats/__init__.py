"""Writers: a declaration rendered as text, JSON, CSV, XLSX, HTML and exchange formats.

One seam, ``render(declarations, fmt)``, for every format of a declaration, and one function
per document of the other commands (``render_explain``, ``render_estimate``,
``render_comparison``). Each returns a ``Rendered``: the content, notes for stderr and the file
extension. Importing this package loads no heavy library (numpy, pandas, pint, matplotlib,
openpyxl): each writer is imported when it is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from carbonfp.errors import UsageError
from carbonfp.model import Declaration, Stage, Uncertainty

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "Rendered",
    "continued",
    "format_for_extension",
    "join",
    "render",
    "render_comparison",
    "render_estimate",
    "render_explain",
    "render_report_pdf",
    "render_sourcing",
    "uncertainty_of",
]

#: The formats of a declaration, and the extension of a file of each.
EXTENSIONS: Mapping[str, str] = {
    "text": "txt",
    "json": "json",
    "csv": "csv",
    "xlsx": "xlsx",
    "batterypass": "batterypass.json",
    "aas": "aas.json",
    "pact": "pact.json",
    "pact-v2": "pact-v2.json",
    "html": "html",
}
FORMATS: tuple[str, ...] = tuple(EXTENSIONS)
#: Formats written as one JSON document per declaration (JSON lines for several).
_JSON_FORMATS = ("json", "batterypass", "aas", "pact", "pact-v2")
#: What the command line puts between the texts of several declarations.
TEXT_SEPARATOR = "\n" + "=" * 78 + "\n\n"
_BY_SUFFIX = {
    ".json": "json",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".pdf": "pdf",  # the report laid out as PDF (carbonfp report; render_report_pdf)
    ".parquet": "parquet",  # the tidy table of many batteries (carbonfp.portfolio), not render
}


@dataclass(frozen=True)
class Rendered:
    """What a writer produced: the content (bytes for xlsx), notes for the user (stderr) and
    the extension of a file holding it."""

    content: str | bytes
    notes: tuple[str, ...] = ()
    extension: str = "txt"
    #: the format it was rendered in (one of FORMATS, or a command's document format)
    format: str = "text"

    @property
    def text(self) -> str:
        """The content as text. Raises TypeError for a binary format (xlsx)."""
        if isinstance(self.content, bytes):
            raise TypeError(f"{self.format} is binary: write Rendered.content as bytes")
        return self.content


def format_for_extension(suffix: str) -> str | None:
    """The format a file name's extension asks for (``.json`` -> ``json``, ``.htm`` ->
    ``html``), None when it names none."""
    key = suffix.lower()
    return _BY_SUFFIX.get(key if key.startswith(".") else "." + key)


def render(
    declarations: Declaration | Sequence[Declaration],
    fmt: str,
    *,
    top: int = 10,
    lines: bool = False,
    generated_at: datetime | None = None,
    compact: bool = False,
    comparison: Mapping[str, Any] | None = None,
    sourcing: Mapping[str, Any] | None = None,
) -> Rendered:
    """One or several declarations in format ``fmt`` (one of FORMATS).

    text: the terminal text, with the Monte Carlo results a declaration carries; json: the
    full record (indented, one line when ``compact``); csv: the tidy table (one row per
    activity line with ``lines``); xlsx: a workbook (bytes); batterypass: the passport payload;
    aas: the same as an AAS submodel (IDTA 02035-3; needs basyx-python-sdk); pact: the PACT
    footprint; html: the report (needs matplotlib), with
    ``comparison`` (the comparison dict) as its comparison section and ``sourcing`` (one
    battery's entry of the sourcing document, carbonfp.engine.sourcing) as its sourcing
    section. ``top`` is the number of
    top contributors; ``generated_at`` is the JSON's generated_at, the PACT created time and
    the workbook's date (default: none, so the same inputs give the same bytes).

    Several declarations give one document: texts joined by the separator of the command line,
    JSON lines (one compact document per line), one CSV header (the tidy CSV of several holds
    their figures only, as a portfolio's: the metadata rows are those of one declaration's CSV,
    and the workbook's metadata sheet), one workbook. Notes of each
    declaration come in order.

    Raises UsageError for an unknown format, no declaration, several declarations in html,
    or a missing optional library (openpyxl, matplotlib, basyx-python-sdk); and what the
    writer raises (InputError for a PACT footprint of a battery without mass, or for a
    passport without a study URL, say).
    """
    if fmt not in FORMATS:
        raise UsageError(
            f"unknown format {fmt!r}",
            hint="use one of " + ", ".join(FORMATS),
            code="invalid-option",
        )
    if isinstance(declarations, Declaration):
        return _render_one(
            declarations, fmt, top, lines, generated_at, compact, comparison, sourcing
        )
    decls = list(declarations)
    if not decls:
        raise UsageError(
            "no declaration to write", hint="give at least one", code="nothing-to-write"
        )
    if len(decls) == 1:
        return _render_one(decls[0], fmt, top, lines, generated_at, compact, comparison, sourcing)
    if fmt == "html":
        raise UsageError(
            "the report is written for one declaration",
            hint="give one project, or a second one to compare it with",
            code="invalid-option",
        )
    if fmt == "xlsx":
        from carbonfp.formats.xlsx import workbook_bytes

        return Rendered(workbook_bytes(decls, generated_at), (), EXTENSIONS[fmt], fmt)
    if fmt == "csv" and not lines:  # the figures, as a portfolio's tidy CSV (no metadata rows)
        from carbonfp.columns import Figures
        from carbonfp.formats.tables import csv_figures

        return Rendered(csv_figures(Figures.of(decls)), (), EXTENSIONS[fmt], fmt)
    return join([_render_one(d, fmt, top, lines, generated_at, True, None) for d in decls])


def join(parts: Sequence[Rendered]) -> Rendered:
    """Several rendered declarations of one format as one document, as ``render`` gives it for
    several: texts joined by TEXT_SEPARATOR, CSV under the first part's header, JSON documents
    as they are (render them with ``compact`` for JSON lines). Raises UsageError for binary
    parts (xlsx) and reports, and for no part at all."""
    if not parts:
        raise UsageError(
            "no declaration to write", hint="give at least one", code="nothing-to-write"
        )
    first = parts[0]
    if first.format in ("xlsx", "html"):
        raise UsageError(
            f"{first.format} documents cannot be joined: render several declarations into one "
            "workbook with render(declarations, 'xlsx'); a report is of one declaration",
            code="invalid-option",
        )
    texts = [p.text for p in parts]
    content = texts[0] + "".join(continued(t, first.format) for t in texts[1:])
    return Rendered(
        content, tuple(n for p in parts for n in p.notes), first.extension, first.format
    )


def continued(text: str, fmt: str) -> str:
    """A rendered document of ``fmt`` as it continues another of the same format in one
    output: a text after the separator, a CSV without its header, JSON lines as they are."""
    if fmt == "text":
        return TEXT_SEPARATOR + text
    if fmt == "csv":
        return text.split("\n", 1)[1] if "\n" in text else ""
    return text


def _render_one(
    decl: Declaration,
    fmt: str,
    top: int,
    lines: bool,
    generated_at: datetime | None,
    compact: bool,
    comparison: Mapping[str, Any] | None,
    sourcing: Mapping[str, Any] | None = None,
) -> Rendered:
    extension = EXTENSIONS[fmt]
    if fmt == "text":
        from carbonfp.formats.declaration import to_text

        return Rendered(to_text(decl, top), (), extension, fmt)
    if fmt == "json":
        from carbonfp.formats.common import json_text
        from carbonfp.formats.declaration import to_dict

        stamp = generated_at.isoformat() if generated_at is not None else None
        return Rendered(json_text(to_dict(decl, top, stamp), compact=compact), (), extension, fmt)
    if fmt == "csv":
        from carbonfp.formats.declaration import to_csv

        return Rendered(to_csv(decl, lines), (), extension, fmt)
    if fmt == "xlsx":
        from carbonfp.formats.xlsx import workbook_bytes

        return Rendered(workbook_bytes(decl, generated_at), (), extension, fmt)
    if fmt == "aas":
        from carbonfp.formats.aas import aas_environment
        from carbonfp.formats.common import json_text

        export = aas_environment(decl)
        return Rendered(json_text(export.data, compact=compact), export.notes, extension, fmt)
    if fmt == "batterypass":
        from carbonfp.formats.batterypass import batterypass
        from carbonfp.formats.common import json_text

        export = batterypass(decl)
        return Rendered(json_text(export.data, compact=compact), export.notes, extension, fmt)
    if fmt in ("pact", "pact-v2"):
        from carbonfp.formats.common import json_text
        from carbonfp.formats.pact import pact_footprint, pact_footprint_v2

        export = (pact_footprint if fmt == "pact" else pact_footprint_v2)(decl, generated_at)
        return Rendered(json_text(export.data, compact=compact), export.notes, extension, fmt)
    assert fmt == "html"
    try:
        import matplotlib  # noqa: F401  (the report draws its charts with it)
    except ImportError as exc:
        raise UsageError(
            "the report draws its charts with matplotlib, which is not installed",
            hint="install the report extra: pip install 'carbonfp[report]'",
            code="missing-dependency",
        ) from exc
    from carbonfp.formats.report import render_report

    return Rendered(
        render_report(decl, comparison=comparison, sourcing=sourcing, top=top), (), extension, fmt
    )


def render_explain(decl: Declaration, stage: Stage, fmt: str, *, top: int = 15) -> Rendered:
    """``carbonfp explain``: the hotspots and the trace of ``stage``, as text or json.
    Raises UsageError for another format."""
    from carbonfp.formats.explain import render as explain

    return Rendered(explain(decl, stage, fmt, top), (), EXTENSIONS.get(fmt, fmt), fmt)


def render_estimate(declarations: Sequence[Declaration], fmt: str) -> Rendered:
    """``carbonfp estimate``: one row per plant country, as text, json or csv. Raises
    UsageError for another format or no declaration."""
    from carbonfp.formats.estimate import render as estimate

    return Rendered(estimate(declarations, fmt), (), EXTENSIONS.get(fmt, fmt), fmt)


def render_comparison(data: Mapping[str, Any], fmt: str) -> Rendered:
    """``carbonfp compare``: the comparison dict (``varies``, ``baseline``, ``scenarios``) as
    text, json or csv. Raises UsageError for another format."""
    from carbonfp.formats.compare import render as compare

    return Rendered(compare(data, fmt), (), EXTENSIONS.get(fmt, fmt), fmt)


def render_report_pdf(report: Rendered) -> Rendered:
    """The HTML report (``render(declaration, "html")``) as a PDF to sign: the same content on
    A4 pages with page numbers and a contents table (``carbonfp.formats.report_pdf``). Raises
    UsageError for another format, and when WeasyPrint (the ``pdf`` extra) is missing."""
    if report.format != "html":
        raise UsageError(
            f"a PDF is made from the HTML report, not from {report.format}",
            hint='render the declaration with render(declaration, "html") first',
            code="invalid-option",
        )
    from carbonfp.formats.report_pdf import pdf_from_html

    return Rendered(pdf_from_html(report.text), report.notes, "pdf", "pdf")


def render_sourcing(document: Mapping[str, Any], fmt: str) -> Rendered:
    """``carbonfp sourcing``: the sourcing document (carbonfp.engine.sourcing) as text, json,
    csv or xlsx (bytes). Raises UsageError for another format, or xlsx without openpyxl."""
    from carbonfp.formats.sourcing import render as sourcing

    return Rendered(sourcing(document, fmt), (), EXTENSIONS.get(fmt, fmt), fmt)


def uncertainty_of(result: Any) -> Uncertainty:
    """The model's Uncertainty from a Monte Carlo result (carbonfp.method.uncertainty), to
    attach to its declaration with ``dataclasses.replace(declaration, uncertainty=...)``."""
    from carbonfp.formats.uncertainty import uncertainty_of as convert

    return convert(result)
