"""Helpers for the report tests: running the CLI, reading the HTML back, checking its numbers.

The reading side is written independently of carbonfp/formats/report.py (its own HTML walk and its
own parser for data-key paths), so that a mistake in the writer is not repeated in the check.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from support import SAMPLES
from typer.testing import CliRunner, Result

from carbonfp.cli import app

PROJECTS = sorted(SAMPLES.glob("*/battery.toml"))
PROJECT_IDS = [p.parent.name for p in PROJECTS]
EV = SAMPLES / "ev-nmc811-hu" / "battery.toml"
BUS = SAMPLES / "bus-lfp-cn" / "battery.toml"
CHROMIUM = Path("/usr/bin/chromium")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
#: The only digits the report may write outside a marked value: names of the law and units.
STATIC_DIGITS = (
    "2023/1542",
    "Article 7",
    "Article 8",
    "CO2e",
    "sha256",
    "1 (best) to 5",
    "2.5th",
    "97.5th",
    "P2.5",
    "P97.5",
    "R1",
    "R2",
    "R3",
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    """Run and fail on any non-zero exit, showing what the user would have seen."""
    result = run(*args)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result


def report_html(*args: str | Path) -> str:
    """``carbonfp report ARGS`` written to stdout."""
    return ok("report", *args).stdout


def calc_json(*args: str | Path) -> dict[str, Any]:
    """``carbonfp calc ARGS --format json``, parsed."""
    data: dict[str, Any] = json.loads(ok("calc", *args, "--format", "json").stdout)
    return data


@dataclass
class Marked:
    """An element carrying a data-key: its attributes and all the text inside it."""

    tag: str
    attrs: dict[str, str]
    text: str = ""


class Page(HTMLParser):
    """The report read back: marked values, free text, SVG sources, links and ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marked: list[Marked] = []
        self.free_text: list[str] = []
        self.svgs: list[str] = []
        self.ids: list[str] = []
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.problems: list[str] = []
        self._stack: list[tuple[str, Marked | None]] = []
        self._raw = ""
        self._svg_start: int | None = None

    def parse(self, html: str) -> Page:
        self._raw = html
        self.feed(html)
        self.close()
        if self._stack:
            self.problems.append(f"unclosed elements: {[t for t, _ in self._stack]}")
        return self

    def _open(self) -> list[Marked]:
        return [m for _, m in self._stack if m is not None]

    def _inside(self, *tags: str) -> bool:
        return any(t in tags for t, _ in self._stack)

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.append(values["id"])
        for name, value in values.items():
            if "//" in value or name in ("src", "href", "xlink:href", "srcset", "data", "action"):
                self.urls.append((tag, name, value))
        return values

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = self._attrs(tag, attrs)
        if tag == "svg" and not self._inside("svg"):
            self._svg_start = self._offset()
        if tag in VOID:
            return
        marked = Marked(tag, values) if "data-key" in values else None
        if marked is not None:
            self.marked.append(marked)
        self._stack.append((tag, marked))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self._stack or self._stack[-1][0] != tag:
            self.problems.append(f"</{tag}> closes {self._stack[-1][0] if self._stack else None}")
            return
        self._stack.pop()
        if tag == "svg" and not self._inside("svg") and self._svg_start is not None:
            end = self._raw.index("</svg>", self._offset()) + len("</svg>")
            self.svgs.append(self._raw[self._svg_start : end])
            self._svg_start = None

    def handle_data(self, data: str) -> None:
        for marked in self._open():
            marked.text += data
        if not self._open() and not self._inside("svg", "style", "title", "head"):
            self.free_text.append(data)

    def _offset(self) -> int:
        line, column = self.getpos()
        lines = self._raw.split("\n")
        return sum(len(x) + 1 for x in lines[: line - 1]) + column


def read_page(html: str) -> Page:
    page = Page().parse(html)
    assert not page.problems, page.problems
    return page


_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def resolve(data: Any, key: str) -> Any:
    """The value a data-key points at: ``a.b[0].c``, ``inputs["battery.toml"]``."""
    position = 0
    while position < len(key):
        match = _TOKEN.match(key, position)
        assert match is not None, f"bad data-key {key!r} at {position}"
        name, index, quoted = match.groups()
        if index is not None:
            data = data[int(index)]
        else:
            data = data[json.loads(quoted) if quoted is not None else name]
        position = match.end()
    return data


def shown_number(text: str) -> tuple[float, float]:
    """A displayed number and the rounding it may carry: ("5 612.9") -> (5612.9, 0.05);
    a percentage is returned as a share: ("88.2%") -> (0.882, 0.0005)."""
    clean = text.strip().replace("\u202f", "").replace("\u2212", "-").replace(",", "")
    scale = 1.0
    if clean.endswith("%"):
        clean, scale = clean[:-1], 0.01
    assert re.fullmatch(r"-?\d+(\.\d+)?", clean), f"not a number: {text!r}"
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean) * scale, 0.5 * 10.0**-decimals * scale


def check_marked(page: Page, documents: dict[str | None, Any]) -> int:
    """Compare every marked value with the JSON document it names (data-doc; none: the
    declaration): the exact value in data-value, and the text shown, within its rounding.
    Returns how many values were checked."""
    checked = 0
    for m in page.marked:
        doc = m.attrs.get("data-doc")
        assert doc in documents, f"unknown data-doc {doc!r}"
        expected = resolve(documents[doc], m.attrs["data-key"])
        where = f"{doc or 'declaration'}: {m.attrs['data-key']} shown as {m.text!r}"
        if "data-value" in m.attrs:
            assert json.loads(m.attrs["data-value"]) == expected, where
        if expected is None:
            assert m.attrs.get("data-value") == "null", where
        elif isinstance(expected, bool):
            assert m.text.strip() in ("met", "not met"), where
        elif isinstance(expected, int | float):
            if isinstance(expected, int):
                assert m.text.strip() == str(expected), where
            else:
                shown, rounding = shown_number(m.text)
                assert math.isclose(shown, expected, abs_tol=rounding * 1.000001), where
        elif "data-value" not in m.attrs:
            assert m.text == str(expected), where
        checked += 1
    return checked


def unmarked_digits(page: Page, names: Iterable[str] = ()) -> list[str]:
    """Text outside marked values (and outside charts, styles and the head) that still holds
    a digit once the names of the law, units and formula terms are taken out, and ``names``
    (the input file names: keys of the JSON, not values)."""
    bad = []
    for text in page.free_text:
        rest = text
        for phrase in (*names, *STATIC_DIGITS):
            rest = rest.replace(phrase, "")
        if re.search(r"\d", rest):
            bad.append(text.strip())
    return bad


def network_references(html: str, page: Page, study_url: str | None) -> list[str]:
    """Anything that could make a browser fetch: script or stylesheet links, images, url() or
    @import in CSS, and http(s) addresses other than the study link and the sources' cited
    addresses shown as text."""
    found = []
    lowered = html.lower()
    for needle in ("<script", "<link", "<img", "<iframe", "<object", "<embed", "@import"):
        if needle in lowered:
            found.append(needle)
    for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", html):
        if not url.startswith("#"):
            found.append(f"url({url})")
    for tag, name, value in page.urls:
        if name == "href" and tag == "a" and (value.startswith("#") or value == study_url):
            continue
        if name == "href" and tag != "a" and value.startswith("#"):
            continue  # SVG <use href="#glyph">: a reference inside the page
        found.append(f"<{tag} {name}={value!r}>")
    cited = {
        m.text
        for m in page.marked
        if re.fullmatch(r"provenance\.sources\[\d+\]\.url", m.attrs["data-key"])
    }
    for address in re.findall(r"https?://[^\s\"'<>)]+", html):
        if address != study_url and address not in cited:
            found.append(address)
    return found


def svg_problems(page: Page) -> list[str]:
    """Each inline SVG parsed as XML on its own."""
    problems = []
    for svg in page.svgs:
        try:
            root = ET.fromstring(svg)
        except ET.ParseError as exc:
            problems.append(f"{exc}: {svg[:80]}")
            continue
        if root.tag.rsplit("}", 1)[-1] != "svg" or "viewBox" not in root.attrib:
            problems.append(f"not a scalable svg: {root.tag} {root.attrib}")
    return problems


def chromium(html_file: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless Chromium on a local file, without network services, in a fresh profile."""
    profile = tempfile.mkdtemp(prefix="carbonfp-chromium-")
    try:
        return subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                *args,
                html_file.as_uri(),
            ],
            capture_output=True,
            check=False,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
