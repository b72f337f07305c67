"""The time to render the report as PDF, against the same report as HTML.

Usage: python bench/report_pdf.py [--repeat N] (a checkout with carbonfp[test]: pypdf counts pages)

Whole commands in fresh processes, alternately (median of N runs, 7 by default; peak resident
set from wait4, as bench/run.py measures): `carbonfp report EV -o report.html` and
`-o report.pdf`, then the same pair for the EV sample with a comparison of three plant
countries and a Monte Carlo of 2 000 draws (two more sections, a histogram). Then, in one
process, where the PDF's time goes: the HTML report, then WeasyPrint's layout and PDF (median of
N calls each, after one warm-up call). Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CARBONFP, EV, paired, print_table

Row = tuple[str, str, str]


def commands(repeat: int, work: Path) -> list[Row]:
    rows: list[Row] = []
    cases = {
        "EV sample": [str(EV)],
        "EV sample, 3 plant countries, 2 000 draws": [
            str(EV),
            *("--plant-country", "HU,PL,SE", "--uncertainty", "2000"),
        ],
    }
    for name, args in cases.items():
        html, pdf = work / "report.html", work / "report.pdf"
        (h_s, h_rss), (p_s, p_rss) = paired(
            [*CARBONFP, "report", *args, "-q", "-o", str(html)],
            [*CARBONFP, "report", *args, "-q", "-o", str(pdf)],
            repeat,
        )
        pages = _pages(pdf)
        rows.append((f"`report` {name} as HTML", f"{h_s:.2f} s, peak {h_rss:.0f} MiB", ""))
        rows.append(
            (
                f"`report` {name} as PDF",
                f"{p_s:.2f} s, peak {p_rss:.0f} MiB",
                f"{pages} A4 pages, {pdf.stat().st_size / 1024:.0f} KiB; "
                f"{p_s - h_s:+.2f} s and {p_rss - h_rss:+.0f} MiB beyond the HTML",
            )
        )
    return rows


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def in_process(repeat: int) -> list[Row]:
    import carbonfp
    from carbonfp.formats import render, render_report_pdf
    from carbonfp.inputs.project import load_project

    declaration = carbonfp.calculate(load_project(EV))
    html = render(declaration, "html")
    render_report_pdf(html)  # warm-up: imports, fonts
    html_times, pdf_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        html = render(declaration, "html")
        middle = time.perf_counter()
        render_report_pdf(html)
        html_times.append(middle - start)
        pdf_times.append(time.perf_counter() - middle)
    h, p = statistics.median(html_times), statistics.median(pdf_times)
    return [
        (
            "in one process, EV sample: HTML report, then its PDF",
            f"{h:.2f} s, then {p:.2f} s",
            f"WeasyPrint's layout and PDF are {p / (h + p):.0%} of the PDF report's work",
        )
    ]


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 7
    with tempfile.TemporaryDirectory(prefix="carbonfp-bench-pdf-") as work:
        rows = commands(repeat, Path(work))
    rows += in_process(repeat)
    print_table(rows)


if __name__ == "__main__":
    main()
