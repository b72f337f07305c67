"""Charts of the HTML report: matplotlib figures as deterministic, self-contained inline SVG.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies) and every
series also has its own hatching, so the charts still read when printed in black and white.
The SVG carries no date, no creator and no external reference, and its element ids are salted
and prefixed per chart: the same data give the same bytes, and several charts can share one
HTML page. Requires matplotlib (the ``report`` extra); import this module only when drawing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import escape
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import matplotlib
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from carbonfp.formats.common import STAGE_NAMES, stage_of
from carbonfp.formats.report_format import STAGE_COLOURS, fixed
from carbonfp.model import Stage

#: Okabe-Ito colours and a hatch per stage: colour for the eye, hatching for black and white
STAGE_STYLE: Mapping[Stage, tuple[str, str]] = MappingProxyType(
    {
        Stage.RAW_MATERIALS: (STAGE_COLOURS[Stage.RAW_MATERIALS], "//"),
        Stage.PRODUCTION: (STAGE_COLOURS[Stage.PRODUCTION], "\\\\"),
        Stage.DISTRIBUTION: (STAGE_COLOURS[Stage.DISTRIBUTION], ".."),
        Stage.END_OF_LIFE: (STAGE_COLOURS[Stage.END_OF_LIFE], "xx"),
    }
)
INK = "#222222"
GRID = "#BBBBBB"
WIDTH_IN = 7.6

_RC: dict[str, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: looks the same without any font installed
    "font.family": "DejaVu Sans",  # shipped with matplotlib: same glyphs on every machine
    "font.size": 8.5,
    "text.parse_math": False,  # a "$" in a component's name is text, not TeX
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "hatch.linewidth": 0.7,
    "hatch.color": INK,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def _style(chart_id: str) -> Iterator[None]:
    settings: Any = _RC | {"svg.hashsalt": f"carbonfp-report-{chart_id}"}
    with matplotlib.rc_context(settings):
        yield


def _svg(fig: Figure, chart_id: str, label: str) -> str:
    """The figure as an SVG element to inline in HTML: no prologue, comments, metadata,
    namespaces to fetch or fixed size; ids prefixed with ``chart_id``."""
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.DOTALL)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    ids = set(re.findall(r'\bid="([^"]+)"', text))

    def prefixed(match: re.Match[str]) -> str:
        head, name, tail = match.group(1), match.group(2), match.group(3)
        return f"{head}{chart_id}-{name}{tail}" if name in ids else match.group(0)

    text = re.sub(r'(\bid=")([^"]+)(")', prefixed, text)
    text = re.sub(r"(url\(#)([^)]+)(\))", prefixed, text)
    text = re.sub(r'(xlink:href="#)([^"]+)(")', prefixed, text)
    text = text.replace("xlink:href=", "href=")
    root_end = text.index(">")
    root = text[:root_end]
    root = re.sub(r'\s(xmlns(:\w+)?|width|height|version)="[^"]*"', "", root)
    root += f' role="img" aria-label="{escape(label)}" class="chart" id="{chart_id}"'
    return root + text[root_end:].rstrip() + "\n"


def stage_bars(
    rows: Sequence[tuple[str, Mapping[str, float], float]],
    chart_id: str,
    label: str,
) -> str:
    """Horizontal stacked bars of the four stages per row (label, stage -> kg CO2e/kWh, total):
    positive stages stack right of zero, negative ones (end-of-life credits) left of it, and a
    diamond marks each row's net total."""
    with _style(chart_id):
        height = 0.9 + 0.42 * len(rows)
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        ax = fig.subplots()
        for y, (_, stages, total) in enumerate(rows):
            right = left = 0.0
            for name in STAGE_NAMES.values():
                value = stages.get(name.id, 0.0)
                colour, hatch = STAGE_STYLE[name.stage]
                start = right if value >= 0 else left
                ax.barh(
                    y,
                    value,
                    left=start,
                    height=0.62,
                    color=colour,
                    hatch=hatch,
                    edgecolor=INK,
                    linewidth=0.6,
                )
                if value >= 0:
                    right += value
                else:
                    left += value
            ax.plot([total], [y], marker="D", color="white", markeredgecolor=INK, markersize=6)
            ax.annotate(
                fixed(total, 4),
                (right, y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.axvline(0, color=INK, linewidth=0.8)
        ax.set_yticks(range(len(rows)), [_short(r[0], 28) for r in rows])
        ax.invert_yaxis()
        ax.set_xlabel("kg CO2e per kWh delivered over the service life")
        ax.grid(axis="x", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        ax.margins(x=0.12)
        handles = _stage_patches(STAGE_NAMES)
        handles.append(
            ax.plot([], [], marker="D", linestyle="", color="white", markeredgecolor=INK)[0]
        )
        names = [*(n.label for n in STAGE_NAMES.values()), "Total"]
        fig.legend(handles, names, loc="outside lower center", ncols=5, handleheight=1.2)
        return _svg(fig, chart_id, label)


def pareto(
    items: Sequence[tuple[str, str, float, float]],
    chart_id: str,
    label: str,
) -> str:
    """Top contributors (label, stage, kg CO2e, share of the total), largest first, as
    horizontal bars in their stage's colour, and beside them the cumulative share of the total."""
    with _style(chart_id):
        height = 1.3 + 0.3 * len(items)
        fig = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        ax, cum = fig.subplots(1, 2, sharey=True, width_ratios=(3, 1.1))
        for y, (_, stage_id, kg, _) in enumerate(items):
            name = stage_of(stage_id)
            colour, hatch = STAGE_STYLE[name.stage] if name else ("#999999", "")
            ax.barh(y, kg, height=0.66, color=colour, hatch=hatch, edgecolor=INK, linewidth=0.6)
        ax.axvline(0, color=INK, linewidth=0.8)
        ax.set_yticks(range(len(items)), [_short(i[0], 46) for i in items])
        ax.invert_yaxis()
        ax.set_xlabel("kg CO2e per battery")
        ax.grid(axis="x", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        cumulative = []
        running = 0.0
        for item in items:
            running += item[3]
            cumulative.append(running * 100)
        cum.plot(
            cumulative, range(len(items)), color=INK, marker="o", markersize=3.5, linewidth=1.1
        )
        cum.set_xlim(0, max(100.0, *cumulative) * 1.02 if cumulative else 100.0)
        cum.set_xlabel("cumulative share (%)")
        cum.tick_params(axis="y", left=False, labelleft=False)
        cum.grid(axis="x", color=GRID, linewidth=0.5)
        cum.set_axisbelow(True)
        present = [s for s, n in STAGE_NAMES.items() if any(i[1] == n.id for i in items)]
        handles = _stage_patches(present)
        fig.legend(handles=handles, loc="outside lower center", ncols=4, handleheight=1.2)
        return _svg(fig, chart_id, label)


def recycled_content(
    rows: Sequence[tuple[str, float, Sequence[tuple[str, float]]]],
    chart_id: str,
    label: str,
) -> str:
    """Recycled share per element (element, share, [(applies from, minimum share)]) against
    the Article 8 minimums, drawn as markers of a different shape per date."""
    markers = ("v", "D", "s", "^")
    with _style(chart_id):
        fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.38 * len(rows)), layout="constrained")
        ax = fig.subplots()
        dates: list[str] = []
        for y, (_, share, minimums) in enumerate(rows):
            ax.barh(
                y,
                share * 100,
                height=0.55,
                color="#56B4E9",
                hatch="//",
                edgecolor=INK,
                linewidth=0.6,
            )
            for date, minimum in minimums:
                if date not in dates:
                    dates.append(date)
                ax.plot(
                    [minimum * 100],
                    [y],
                    marker=markers[dates.index(date) % len(markers)],
                    markersize=7,
                    color=INK,
                    markerfacecolor="white",
                    markeredgewidth=1.3,
                    linestyle="",
                )
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("recycled share of the element in the battery (%)")
        ax.grid(axis="x", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        handles = [
            Patch(facecolor="#56B4E9", hatch="//", edgecolor=INK, linewidth=0.6),
            *(
                ax.plot(
                    [],
                    [],
                    marker=markers[i % len(markers)],
                    color=INK,
                    markerfacecolor="white",
                    markeredgewidth=1.4,
                    linestyle="",
                )[0]
                for i in range(len(dates))
            ),
        ]
        names = ["recycled share", *(f"minimum from {d}" for d in dates)]
        fig.legend(handles, names, loc="outside lower center", ncols=len(names))
        return _svg(fig, chart_id, label)


def histogram(
    edges: Sequence[float],
    counts: Sequence[int],
    marks: Sequence[tuple[str, float, str]],
    chart_id: str,
    label: str,
) -> str:
    """Distribution of the total per kWh over the draws (bins computed over every draw by the
    engine), with vertical lines (name, value, line style) for the percentiles and the
    deterministic result."""
    with _style(chart_id):
        fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
        ax = fig.subplots()
        if counts:
            widths = [b - a for a, b in pairwise(edges)]
            ax.bar(
                list(edges[:-1]),
                list(counts),
                width=widths,
                align="edge",
                color="#56B4E9",
                edgecolor=INK,
                linewidth=0.4,
                hatch="//",
            )
        for name, value, style in marks:
            ax.axvline(value, color=INK, linestyle=style, linewidth=1.3, label=name)
        ax.set_xlabel("total, kg CO2e per kWh delivered over the service life")
        ax.set_ylabel("draws")
        ax.grid(axis="y", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        fig.legend(loc="outside lower center", ncols=max(1, len(marks)))
        return _svg(fig, chart_id, label)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _stage_patches(stages: Iterable[Stage]) -> list[Artist]:
    """Legend entries of the stages: colour and hatching, so they read in black and white."""
    return [
        Patch(
            facecolor=STAGE_STYLE[s][0],
            hatch=STAGE_STYLE[s][1],
            edgecolor=INK,
            linewidth=0.6,
            label=STAGE_NAMES[s].label,
        )
        for s in stages
    ]
