"""`carbonfp report` renders every sample: valid HTML and SVG, a page Chromium can draw and
print, nothing fetched from the network, and the same bytes on every run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from report_support import (
    CHROMIUM,
    EV,
    PROJECT_IDS,
    PROJECTS,
    chromium,
    network_references,
    ok,
    read_page,
    report_html,
    svg_problems,
)

pytest.importorskip("matplotlib")


@pytest.mark.parametrize("project", PROJECTS, ids=PROJECT_IDS)
def test_report_of_every_sample_renders(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = ok("report", project, "--output", out)
    assert result.stdout == ""
    html = out.read_text(encoding="utf-8")
    page = read_page(html)  # balanced tags, or the parse fails
    assert html.startswith("<!DOCTYPE html>")
    assert {"chart-stages", "chart-pareto"} <= set(page.ids)
    assert svg_problems(page) == []
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert duplicates == [], "inline SVGs share the page's id space"
    assert "@media print" in html
    if CHROMIUM.exists():
        shot = tmp_path / "report.png"
        done = chromium(out, f"--screenshot={shot}", "--window-size=1200,3000", "--hide-scrollbars")
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_report_prints_to_pdf(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    ok("report", EV, "-o", out)
    pdf = tmp_path / "report.pdf"
    done = chromium(out, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 3
    assert len(data) < 5_000_000, "vector charts and keys: nothing rasterised page-wide"


@pytest.mark.parametrize("project", PROJECTS, ids=PROJECT_IDS)
def test_report_makes_no_request_to_the_network(project: Path) -> None:
    html = report_html(project)
    page = read_page(html)
    study = next(
        (m.text for m in page.marked if m.attrs["data-key"] == "declaration.study_url"), None
    )
    assert network_references(html, page, study) == []
    assert "default-src 'none'" in html, "a Content-Security-Policy forbids any fetch"
    assert "<script" not in html.lower()


def test_study_url_is_the_only_link_out(tmp_path: Path) -> None:
    html = report_html(EV)
    page = read_page(html)
    links = [(t, v) for t, a, v in page.urls if t == "a" and not v.startswith("#")]
    assert links == [("a", "https://example.com/carbon-footprint/evp-75")]


def test_a_study_url_that_is_not_http_is_shown_not_linked(write_project) -> None:  # type: ignore[no-untyped-def]
    from support import render_project

    text = render_project() + '\n[declaration]\nstudy_url = "javascript:alert(1)"\n'
    html = report_html(write_project(project=text))
    assert 'href="javascript' not in html
    page = read_page(html)
    shown = [m.text for m in page.marked if m.attrs["data-key"] == "declaration.study_url"]
    assert shown == ["javascript:alert(1)"]


def test_text_from_the_inputs_is_escaped(write_project) -> None:  # type: ignore[no-untyped-def]
    from support import render_project

    text = render_project({"model": '"$x^{2$ <script>alert(1)</script> & <b>"'})
    html = report_html(write_project(project=text))  # "$" in a chart label is not TeX either
    assert "<script>" not in html
    assert "$x^{2$ &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    read_page(html)


def test_same_inputs_same_bytes_across_processes(tmp_path: Path) -> None:
    """Two processes with different hash seeds, and one run in this process, agree."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"report-{seed}.html"
        subprocess.run(
            [sys.executable, "-m", "carbonfp", "report", str(EV), "-q", "-o", str(out)],
            check=True,
            env=os.environ | {"PYTHONHASHSEED": seed},
            timeout=300,
        )
        outputs.append(out.read_bytes())
    outputs.append(ok("report", EV).stdout_bytes)
    assert outputs[0] == outputs[1] == outputs[2]
    assert b"<svg" in outputs[0]


def test_comparison_report_is_deterministic_too() -> None:
    args = (EV, "--plant-country", "HU,PL,SE")
    assert report_html(*args) == report_html(*args)
