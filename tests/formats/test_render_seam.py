"""carbonfp.formats.render: every format of every sample, several declarations, the errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from formats_support import EV, GOLDEN, PROJECT_IDS, PROJECTS, declared, ok

from carbonfp.errors import UsageError
from carbonfp.formats import (
    EXTENSIONS,
    FORMATS,
    TEXT_SEPARATOR,
    Rendered,
    format_for_extension,
    join,
    render,
)
from carbonfp.formats.batterypass import NO_PERFORMANCE_CLASS

EXPORTS = GOLDEN / "exports"
#: Format -> the golden file a sample's rendering must equal, byte for byte (a workbook cell by
#: cell, as tests/formats/test_golden_exports.py compares it).
GOLDEN_OF = {
    "json": lambda name: GOLDEN / f"{name}.json",
    "csv": lambda name: EXPORTS / f"{name}.csv",
    "xlsx": lambda name: EXPORTS / f"{name}.xlsx",
    "batterypass": lambda name: EXPORTS / f"{name}.batterypass.json",
    "pact": lambda name: EXPORTS / f"{name}.pact.json",
}


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == (
        "text",
        "json",
        "csv",
        "xlsx",
        "batterypass",
        "aas",
        "pact",
        "pact-v2",
        "html",
    )
    assert set(EXTENSIONS) == set(FORMATS)


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".json", "json"),
        (".csv", "csv"),
        (".xlsx", "xlsx"),
        (".html", "html"),
        (".htm", "html"),
        (".txt", "text"),
        (".JSON", "json"),
        ("csv", "csv"),
        (".pdf", "pdf"),
        (".dat", None),
        ("", None),
    ],
)
def test_format_for_extension(suffix: str, fmt: str | None) -> None:
    assert format_for_extension(suffix) == fmt


def test_importing_the_formats_loads_no_heavy_library() -> None:
    code = (
        "import sys, carbonfp.formats\n"
        "heavy = ('pandas', 'numpy', 'pint', 'matplotlib', 'openpyxl')\n"
        "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("project_file", PROJECTS, ids=PROJECT_IDS)
def test_every_format_renders_every_sample(project_file: Path, fmt: str) -> None:
    if fmt == "html":
        pytest.importorskip("matplotlib")
    if fmt == "xlsx":
        pytest.importorskip("openpyxl")
    decl, _ = declared(project_file)
    rendered = render(decl, fmt)
    assert isinstance(rendered, Rendered)
    assert rendered.format == fmt
    assert rendered.extension == EXTENSIONS[fmt]
    if fmt == "xlsx":
        assert isinstance(rendered.content, bytes) and rendered.content.startswith(b"PK")
        with pytest.raises(TypeError):
            _ = rendered.text
    else:
        assert isinstance(rendered.content, str) and rendered.content.endswith("\n")
        assert decl.project.battery.model in rendered.text
    if fmt in GOLDEN_OF:
        golden = GOLDEN_OF[fmt](project_file.parent.name)
        content = rendered.content
        if isinstance(content, bytes):  # a workbook: openpyxl writes other XML bytes with lxml
            from carbonfp.formats.xlsx import read_sheets

            assert read_sheets(content) == read_sheets(golden.read_bytes())
        else:
            assert content.encode() == golden.read_bytes()


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "batterypass", "pact"])
def test_render_is_what_calc_prints(fmt: str) -> None:
    decl, _ = declared(EV)
    assert render(decl, fmt).text == ok("calc", EV, "-f", fmt).stdout


def test_csv_lines_is_what_calc_prints() -> None:
    decl, _ = declared(EV)
    rendered = render(decl, "csv", lines=True)
    assert rendered.text == ok("calc", EV, "-f", "csv", "--lines").stdout
    assert rendered.text == (EXPORTS / "ev-nmc811-hu.lines.csv").read_text(encoding="utf-8")


def test_top_and_generated_at_reach_the_record() -> None:
    from datetime import datetime, timezone

    decl, _ = declared(EV)
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    data = json.loads(render(decl, "json", top=3, generated_at=moment).text)
    assert data["generated_at"] == "2026-03-01T12:00:00+00:00"
    assert len(data["top_contributors"]) == 3
    assert "generated_at" not in json.loads(render(decl, "json").text)


def test_compact_json_is_one_line_of_the_same_record() -> None:
    decl, _ = declared(EV)
    for fmt in ("json", "batterypass", "pact"):
        compact = render(decl, fmt, compact=True).text
        assert compact.count("\n") == 1 and compact.endswith("\n")
        assert json.loads(compact) == json.loads(render(decl, fmt).text)


def test_passport_notes_are_returned_not_printed() -> None:
    decl, _ = declared(EV)
    rendered = render(decl, "batterypass")
    assert NO_PERFORMANCE_CLASS in rendered.notes
    assert render(decl, "json").notes == ()


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "batterypass", "pact"])
def test_several_declarations_are_what_calc_prints_for_a_folder(fmt: str) -> None:
    pairs = [declared(p) for p in PROJECTS]
    decls = [d for d, _ in pairs]
    rules = pairs[0][1]
    assert all(r == rules for _, r in pairs), "the samples share a ruleset"
    folder = PROJECTS[0].parent.parent
    assert render(decls, fmt).text == ok("calc", folder, "-f", fmt).stdout


def test_several_declarations_in_each_format() -> None:
    decls = [declared(p)[0] for p in PROJECTS]
    singles = [render(d, "text").text for d in decls]
    assert render(decls, "text").text == TEXT_SEPARATOR.join(singles)
    lines = render(decls, "json").text.splitlines()
    assert [json.loads(line) for line in lines] == [
        json.loads(render(d, "json").text) for d in decls
    ]
    rows = list(csv.reader(io.StringIO(render(decls, "csv").text)))
    assert rows[0] == ["battery", "stage", "metric", "value", "unit"]
    assert rows.count(rows[0]) == 1
    assert {r[0] for r in rows[1:]} == {d.project.battery.model for d in decls}
    line_rows = list(csv.reader(io.StringIO(render(decls, "csv", lines=True).text)))
    assert len(line_rows) == 1 + sum(len(d.lines) for d in decls)


def test_several_declarations_in_one_workbook() -> None:
    pytest.importorskip("openpyxl")
    from carbonfp.formats.xlsx import read_sheets

    decls = [declared(p)[0] for p in PROJECTS]
    sheets = read_sheets(render(decls, "xlsx").content)  # type: ignore[arg-type]
    singles = [read_sheets(render(d, "xlsx").content) for d in decls]  # type: ignore[arg-type]
    for name in ("declaration", "lines"):
        assert sheets[name][0] == singles[0][name][0]
        assert sheets[name][1:] == [row for s in singles for row in s[name][1:]]


def test_one_declaration_in_a_list_is_that_declaration() -> None:
    decl, _ = declared(EV)
    assert render([decl], "json") == render(decl, "json")


def test_join_is_the_several_rendering() -> None:
    decls = [declared(p)[0] for p in PROJECTS]
    for fmt in ("text", "json", "csv"):
        parts = [render(d, fmt, compact=True, lines=fmt == "csv") for d in decls]
        assert join(parts) == render(decls, fmt, lines=fmt == "csv")
    # the tidy CSV of several is their figures: each one's CSV without its metadata rows
    alone = join([render(d, "csv") for d in decls]).text.splitlines(keepends=True)
    figures = [row for row in alone if ",metadata," not in row]
    assert len(figures) < len(alone)
    assert render(decls, "csv").text == "".join(figures)
    notes = join([render(d, "batterypass", compact=True) for d in decls]).notes
    assert notes.count(NO_PERFORMANCE_CLASS) == len(decls)


def test_errors_are_usage_errors() -> None:
    decl, _ = declared(EV)
    with pytest.raises(UsageError, match="unknown format"):
        render(decl, "parquet")
    with pytest.raises(UsageError):
        render([], "json")
    with pytest.raises(UsageError, match="one declaration"):
        render([decl, decl], "html")
    with pytest.raises(UsageError):
        join([])
    with pytest.raises(UsageError):
        join([Rendered(b"", (), "xlsx", "xlsx")])


def test_xlsx_without_openpyxl_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    decl, _ = declared(EV)
    with pytest.raises(UsageError, match="openpyxl"):
        render(decl, "xlsx")


def test_html_without_matplotlib_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    decl, _ = declared(EV)
    with pytest.raises(UsageError, match="matplotlib"):
        render(decl, "html")


def test_html_is_what_report_prints() -> None:
    pytest.importorskip("matplotlib")
    decl, _ = declared(EV)
    assert render(decl, "html").text == ok("report", EV).stdout
