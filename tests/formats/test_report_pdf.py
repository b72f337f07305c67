"""`carbonfp report -o report.pdf`: the HTML report as a PDF to sign.

The PDF is read back independently of the writer: its text and outline with pypdf, its pages
as images with poppler's pdftoppm (Debian's poppler-utils). Expected values come from the HTML
report of the same project (its sections, marked values and label) and from the PDF itself
(its page count), never from numbers written here.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from report_support import EV, ok, read_page, run

from carbonfp.errors import CATALOGUE, UsageError
from carbonfp.formats import Rendered, render_report_pdf

pytest.importorskip("matplotlib")
pypdf = pytest.importorskip("pypdf", reason="pypdf (the test extra) reads the PDF's text")
PDFTOPPM = shutil.which("pdftoppm")


def _weasyprint_or_skip() -> None:
    from carbonfp.formats.report_pdf import weasyprint

    try:
        weasyprint()
    except UsageError as exc:  # not installed, or Pango missing: the message says which
        pytest.skip(f"no PDF without WeasyPrint: {exc}")


@dataclass(frozen=True)
class Report:
    html: str
    pdf: bytes
    path: Path
    pages: list[str]  # each page's text, whitespace as pypdf gives it
    outline: dict[str, int]  # bookmark title -> page number (1-based)


def _outline(reader: Any) -> dict[str, int]:
    found: dict[str, int] = {}

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[str(item.title)] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    return found


def _read(path: Path, html: str) -> Report:
    reader = pypdf.PdfReader(path)
    pages = [page.extract_text() or "" for page in reader.pages]
    return Report(html, path.read_bytes(), path, pages, _outline(reader))


@pytest.fixture(scope="module")
def ev(tmp_path_factory: pytest.TempPathFactory) -> Report:
    _weasyprint_or_skip()
    folder = tmp_path_factory.mktemp("pdf")
    ok("report", EV, "-o", folder / "report.html")
    result = ok("report", EV, "-o", folder / "report.pdf")
    assert result.stdout == ""
    html = (folder / "report.html").read_text(encoding="utf-8")
    return _read(folder / "report.pdf", html)


def sections(html: str) -> list[tuple[str, str]]:
    """(id, heading) of each section of the HTML report, in order."""
    found = re.findall(r'<section id="([^"]+)">\s*<h2>([^<]*)</h2>', html)
    assert found, "the report has sections"
    return [(sid, html_lib.unescape(name)) for sid, name in found]


def squeeze(text: str) -> str:
    """Text without any whitespace (line breaks, thin spaces), case folded: a value wrapped
    over two lines or upper-cased by the style still matches."""
    return "".join(text.split()).casefold()


def test_pdf_opens_with_every_section_where_its_contents_line_says(ev: Report) -> None:
    assert ev.pdf.startswith(b"%PDF-") and ev.pdf.rstrip().endswith(b"%%EOF")
    count = len(ev.pages)
    heads = sections(ev.html)
    assert count >= 2
    first = ev.pages[0]
    assert "Contents" in first
    for _, name in heads:
        # the contents line: the heading, dot leaders, the page it starts on
        line = re.search(re.escape(name) + r"[ .\u2024\u2026]*?(\d+)\s*$", first, re.MULTILINE)
        assert line is not None, f"{name!r} has no line in the contents table:\n{first}"
        page = int(line.group(1))
        assert 1 <= page <= count
        assert ev.outline.get(name) == page, (name, page, ev.outline)
        assert re.search(rf"^{re.escape(name)}\s*$", ev.pages[page - 1], re.MULTILINE), (
            f"{name!r} is not a heading on page {page}"
        )
    starts = [ev.outline[name] for _, name in heads]
    assert starts == sorted(starts), "sections in the order of the HTML report"


def test_every_page_is_numbered_and_headed(ev: Report) -> None:
    count = len(ev.pages)
    label = re.search(r'<p class="mode"><span[^>]*>([^<]+)</span>', ev.html)
    title = re.search(r"<h1>(.*?)</h1>", ev.html, re.DOTALL)
    assert label is not None and title is not None
    title_text = squeeze(re.sub(r"<[^>]+>", "", html_lib.unescape(title.group(1))))
    for number, text in enumerate(ev.pages, 1):
        assert f"Page {number} of {count}" in text, (number, text[-200:])
        if number > 1:  # the first page shows them in full
            assert squeeze(label.group(1)) in squeeze(text), number
            assert title_text in squeeze(text), number


def test_pdf_holds_every_value_of_the_html_report(ev: Report) -> None:
    page = read_page(ev.html)
    text = squeeze("".join(ev.pages))
    missing = [m.text for m in page.marked if squeeze(m.text) not in text]
    assert len(page.marked) > 100
    assert missing == []


def test_pdf_metadata_names_the_battery_and_carbonfp(ev: Report) -> None:
    info = pypdf.PdfReader(ev.path).metadata
    title = re.search(r"<title>([^<]*)</title>", ev.html)
    assert title is not None
    assert info.title == html_lib.unescape(title.group(1))
    assert info.creator == "carbonfp"


def _pixels(ppm: Path) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6) as pdftoppm writes it."""
    data = ppm.read_bytes()
    match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert match is not None and match.group(3) == b"255", data[:20]
    width, height = int(match.group(1)), int(match.group(2))
    pixels = data[match.end() :]
    assert len(pixels) == width * height * 3
    return width, height, pixels


def _images(pdf: Path, out: Path, dpi: int, *pages: int) -> list[tuple[int, int, bytes]]:
    if PDFTOPPM is None:
        pytest.skip("pdftoppm is not installed (Debian's poppler-utils; .ci/run installs it)")
    out.mkdir()
    args = [PDFTOPPM, "-r", str(dpi)]
    if pages:
        args += ["-f", str(min(pages)), "-l", str(max(pages))]
    done = subprocess.run([*args, str(pdf), str(out / "page")], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return [_pixels(p) for p in sorted(out.glob("page-*.ppm"))]


def _ink(image: tuple[int, int, bytes]) -> float:
    """Share of the page's pixels that are not near white."""
    width, height, pixels = image
    dark = sum(1 for i in range(0, len(pixels), 3) if min(pixels[i : i + 3]) < 200)
    return dark / (width * height)


def _colour_share(image: tuple[int, int, bytes], colour: str) -> float:
    """Share of the page's pixels within a small distance of ``colour`` (#RRGGBB)."""
    width, height, pixels = image
    target = bytes.fromhex(colour.lstrip("#"))
    near = 0
    for i in range(0, len(pixels), 3):
        if sum(abs(pixels[i + c] - target[c]) for c in range(3)) < 40:
            near += 1
    return near / (width * height)


def test_pages_render_as_images_and_none_is_blank(ev: Report, tmp_path: Path) -> None:
    images = _images(ev.path, tmp_path / "report", 30)
    assert len(images) == len(ev.pages)
    # the floor: a page of the same layout with nothing but its running header and page number
    from carbonfp.formats.report_pdf import pdf_from_html

    title = re.search(r"<header>.*?</h1>", ev.html, re.DOTALL)
    assert title is not None
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(
        pdf_from_html(
            f"<html><body>{title.group(0)}</header>"
            '<div style="break-after: page"></div><p>&nbsp;</p></body></html>'
        )
    )
    floor = _ink(_images(empty, tmp_path / "empty", 30, 2)[0])
    inks = [_ink(image) for image in images]
    assert all(ink > 5 * floor for ink in inks), (floor, inks)


def chart_colours(html: str) -> dict[str, tuple[str, set[str]]]:
    """Section id -> (heading, the fill colours of its chart's hatched bars), for each section
    of the HTML report that holds a chart."""
    found: dict[str, tuple[str, set[str]]] = {}
    for sid, name, body in re.findall(
        r'<section id="([^"]+)">\s*<h2>([^<]*)</h2>(.*?)</section>', html, re.DOTALL
    ):
        figure = re.search(r"<figure>.*?</figure>", body, re.DOTALL)
        if figure is None:
            continue
        colours = re.findall(r'<pattern [^>]*>\s*<rect [^>]*fill="(#[0-9a-fA-F]{6})"', figure[0])
        found[sid] = (html_lib.unescape(name), set(colours))
    return found


def test_charts_are_drawn_in_the_pdf(ev: Report, tmp_path: Path) -> None:
    """The page where each chart's section starts holds the colours of the chart's bars over an
    area no colour key in a table could cover."""
    charts = chart_colours(ev.html)
    assert {"stages", "contributors", "recycled-content"} <= set(charts)
    pages = {sid: ev.outline[name] for sid, (name, _) in charts.items()}
    images = _images(ev.path, tmp_path / "charts", 40, *pages.values())
    first = min(pages.values())
    for sid, (_, colours) in charts.items():
        assert colours, f"the {sid} chart has hatched bars"
        image = images[pages[sid] - first]
        share = sum(_colour_share(image, colour) for colour in colours)
        # measured on the EV sample at 40 dpi: 0.016% of the page at most without the charts
        # (the stage keys in tables, 0.8 em squares); 0.16% (the recycled shares' three short
        # bars) to 1.7% with them
        assert share > 0.0008, (sid, pages[sid], share)


def test_same_inputs_same_bytes_and_format_option(ev: Report, tmp_path: Path) -> None:
    """Another process, another hash seed, --format pdf to a name without .pdf: same bytes."""
    out = tmp_path / "report.out"
    subprocess.run(
        [sys.executable, "-m", "carbonfp", "report", str(EV), "-q", "-f", "pdf", "-o", str(out)],
        check=True,
        env=os.environ | {"PYTHONHASHSEED": "3"},
        timeout=300,
    )
    assert out.read_bytes() == ev.pdf


def test_html_format_wins_over_the_pdf_extension(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    ok("report", EV, "--format", "html", "-o", out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("output", [None, "-"])
def test_pdf_needs_an_output_file(output: str | None) -> None:
    result = run("report", EV, "--format", "pdf", *(["-o", output] if output else []))
    assert result.exit_code == 2, result.stderr
    assert "needs --output" in result.stderr
    assert result.stdout == ""


def test_without_weasyprint_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now fails
    out = tmp_path / "report.pdf"
    result = run("report", EV, "-o", out)
    assert result.exit_code == CATALOGUE["missing-dependency"].exit_code == 2, result.stderr
    assert "WeasyPrint, which is not installed" in result.stderr
    assert "pip install 'carbonfp[pdf]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


class _NoPango:
    """An import finder that fails as WeasyPrint does when it cannot load Pango."""

    def find_spec(self, name: str, *args: object) -> None:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return None


def test_without_pango_the_error_says_which_library(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    out = tmp_path / "report.pdf"
    result = run("report", EV, "-o", out)
    assert result.exit_code == 2, result.stderr
    assert "cannot load the Pango library" in result.stderr
    assert "libpango-1.0-0" in result.stderr
    assert not out.exists()


def test_a_failed_report_leaves_the_existing_pdf_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import carbonfp.formats.report_pdf as report_pdf

    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF- signed last year")
    gate = run("report", EV, "--mode", "declaration", "-o", out)
    assert gate.exit_code == 5

    def fails(html: str) -> bytes:
        raise UsageError("layout failed", code="cannot-write")

    monkeypatch.setattr(report_pdf, "weasyprint", lambda: None)
    monkeypatch.setattr(report_pdf, "pdf_from_html", fails)
    failed = run("report", EV, "-o", out)
    assert failed.exit_code == 2, failed.stderr
    assert "layout failed" in failed.stderr
    assert out.read_bytes() == b"%PDF- signed last year"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"], "no temporary file left"


def _png(path: Path) -> None:
    """An 8 x 8 red PNG, written by hand."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_the_pdf_is_made_offline(tmp_path: Path) -> None:
    """An image the HTML names (a local file here) is not fetched: WeasyPrint's own fetcher
    draws it, carbonfp's draws nothing."""
    _weasyprint_or_skip()
    import weasyprint

    from carbonfp.formats.report_pdf import pdf_from_html

    image = tmp_path / "pixel.png"
    _png(image)
    html = f'<html><body><p>x</p><img src="{image.as_uri()}" width="80"></body></html>'
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(weasyprint.HTML(string=html).write_pdf())
    ours = tmp_path / "ours.pdf"
    ours.write_bytes(pdf_from_html(html))
    assert len(pypdf.PdfReader(plain).pages[0].images) == 1, "the control draws the image"
    assert len(pypdf.PdfReader(ours).pages[0].images) == 0


def test_only_the_html_report_becomes_a_pdf() -> None:
    with pytest.raises(UsageError, match="made from the HTML report") as caught:
        render_report_pdf(Rendered("{}", (), "json", "json"))
    assert caught.value.code == "invalid-option"
