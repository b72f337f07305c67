"""The public study as one self-contained HTML page: the declaration, charts, methods and data.

Every number on the page is read from the declaration's JSON dict (``to_dict``), the comparison
dict (what ``carbonfp compare --format json`` prints) or the uncertainty data (the declaration's
Monte Carlo results, ``uncertainty_data``), through one helper that also writes where it came
from: ``data-key`` (a path into the dict, e.g. ``carbon_footprint.stages.production.
kg_co2e_per_kwh``), ``data-value`` (the exact JSON value) and, for the comparison and
uncertainty dicts, ``data-doc``. So the page and the JSON agree by construction, and a test can
check every number. No script, no external asset, no request to the network (a
Content-Security-Policy forbids any); charts are inline SVG (report_charts).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from carbonfp.formats.common import STAGE_IDS, STAGE_NAMES, rounded, stage_of
from carbonfp.formats.report_format import FORMATS, STAGE_COLOURS
from carbonfp.model import Declaration, Stage, Uncertainty

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_ONE_NUMBER = re.compile(r'(<strong>)?<span class="(num|na)"[^>]*>[^<]*</span>(</strong>)?')

KeyPath = tuple[str | int, ...]


def key_of(path: KeyPath) -> str:
    """A path into a JSON dict as ``a.b[0].c``; keys that are not plain names (``battery.toml``)
    are written as JSON strings in brackets: ``inputs["battery.toml"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += ("." if out else "") + part
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out


def lookup(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


class _Page:
    """Writes values of one dict with their data-key markers."""

    def __init__(self, data: Mapping[str, Any], doc: str | None = None) -> None:
        self.data = data
        self.doc = doc

    def _attrs(self, path: KeyPath, value: Any) -> str:
        doc = f' data-doc="{self.doc}"' if self.doc else ""
        raw = json.dumps(value, ensure_ascii=False)
        return f'{doc} data-key="{escape(key_of(path))}" data-value="{escape(raw)}"'

    def get(self, *path: str | int) -> Any:
        return lookup(self.data, path)

    def num(self, fmt: str, *path: str | int, na: str = "n/a") -> str:
        """A number of the dict, formatted (see report_format.FORMATS) and marked."""
        value = self.get(*path)
        if value is None:
            return f'<span class="na"{self._attrs(path, None)}>{escape(na)}</span>'
        return f'<span class="num"{self._attrs(path, value)}>{FORMATS[fmt](value)}</span>'

    def text(self, *path: str | int, na: str = "not given", cls: str = "") -> str:
        """A string of the dict, escaped and marked."""
        value = self.get(*path)
        klass = f' class="{cls}"' if cls else ""
        if value is None:
            return f'<span class="na"{self._attrs(path, None)}>{escape(na)}</span>'
        key = escape(key_of(path))
        doc = f' data-doc="{self.doc}"' if self.doc else ""
        return f'<span{klass}{doc} data-key="{key}">{escape(str(value))}</span>'

    def flag(self, yes: str, no: str, *path: str | int) -> str:
        """A boolean of the dict as words."""
        value = bool(self.get(*path))
        cls = "ok" if value else "bad"
        return f'<span class="{cls}"{self._attrs(path, value)}>{yes if value else no}</span>'

    def stage(self, *path: str | int) -> str:
        """A stage id of the dict, shown by its name with a swatch of its chart style."""
        value = self.get(*path)
        stage = stage_of(value)
        name = stage.label if stage else str(value)
        return (
            f'<span class="stage"{self._attrs(path, value)}>{_swatch(str(value))}'
            f"{escape(name)}</span>"
        )

    def link(self, *path: str | int) -> str:
        """A web address of the dict: a link when it is http(s), else plain text."""
        value = self.get(*path)
        if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
            key = escape(key_of(path))
            return (
                f'<a href="{escape(value)}" rel="noopener noreferrer" data-key="{key}">'
                f"{escape(value)}</a>"
            )
        return self.text(*path)


def render_report(
    declaration: Declaration | Mapping[str, Any],
    *,
    comparison: Mapping[str, Any] | None = None,
    uncertainty: Mapping[str, Any] | None = None,
    sourcing: Mapping[str, Any] | None = None,
    top: int = 10,
) -> str:
    """The HTML report of a declaration, or of its dict (``carbonfp.formats.declaration.
    to_dict``), with a comparison (``carbonfp.cli.scenarios.comparison_data``) and an
    uncertainty section when given. A Declaration is written with its ``top`` contributors and,
    unless ``uncertainty`` is given, the Monte Carlo results it carries (``uncertainty_data``).
    Same inputs, same bytes. Needs matplotlib."""
    import carbonfp.formats.report_charts as charts

    if isinstance(declaration, Declaration):
        from carbonfp.formats.declaration import to_dict

        if uncertainty is None and declaration.uncertainty is not None:
            uncertainty = uncertainty_data(declaration.uncertainty, top)
        declaration = to_dict(declaration, top)
    d = _Page(declaration)
    model = str(declaration["battery"]["model"])
    is_declaration = declaration.get("mode") == "declaration"
    sections: list[tuple[str, str, str]] = [
        ("declaration", "Declaration", _declaration(d)),
        ("stages", "Life-cycle stages", _stages(d, charts)),
        ("contributors", "Top contributors", _contributors(d, charts)),
    ]
    if comparison is not None:
        sections.append(("comparison", "Comparison", _comparison(comparison, charts)))
    if uncertainty is not None:
        sections.append(("uncertainty", "Uncertainty", _uncertainty(uncertainty, d, charts)))
    sections += [
        ("electricity", "Electricity", _electricity(d)),
        ("end-of-life", STAGE_NAMES[Stage.END_OF_LIFE].label, _end_of_life(d)),
        ("recycled-content", "Recycled content", _recycled(d, charts)),
        *([("sourcing", "Sourcing", _sourcing(sourcing, charts))] if sourcing else []),
        ("data-quality", "Data quality", _quality(d)),
        ("methods", "Methods and data", _methods(d)),
        ("inventory", "Inventory", _inventory(d)),
    ]
    kind = "declaration" if is_declaration else "screening"
    title = f"Carbon footprint {'declaration' if is_declaration else 'screening'}: {model}"
    nav = " ".join(f'<a href="#{sid}">{escape(name)}</a>' for sid, name, _ in sections)
    body = "\n".join(
        f'<section id="{sid}">\n<h2>{escape(name)}</h2>\n{html}</section>'
        for sid, name, html in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="carbonfp">
<title>{escape(title)}</title>
<style>
{CSS}</style>
</head>
<body class="{kind}">
<header>
<p class="mode">{d.text("label")}</p>
<h1>Carbon footprint of the {d.text("battery", "model")} battery</h1>
<p class="lede">{escape(_lede(is_declaration))}</p>
{_headline(d)}
<nav aria-label="Contents">{nav}</nav>
</header>
<main>
{body}
</main>
<footer>
<p>Written by carbonfp {d.text("provenance", "tool_version")} from the declaration record
(schema {d.text("schema_version")}): every figure on this page is a value of that record.
Same inputs, same bytes.</p>
</footer>
</body>
</html>
"""


def _lede(is_declaration: bool) -> str:
    what = "declaration" if is_declaration else "screening result (not a declaration)"
    return (
        f"Public version of the study behind the carbon footprint {what} of Regulation (EU) "
        "2023/1542, Article 7: greenhouse gas emissions in kg CO2e per kWh of total energy "
        "the battery delivers over its service life, per life-cycle stage of Annex II."
    )


def _headline(d: _Page) -> str:
    return f"""<div class="headline">
<p class="big">{d.num("per_kwh", "carbon_footprint", "total_kg_co2e_per_kwh")}
<span class="unit">kg CO2e per kWh delivered over the service life</span></p>
<p>{d.num("kg", "carbon_footprint", "absolute_kg_co2e")} kg CO2e per battery,
over {d.num("kwh", "functional_unit", "total_energy_kwh")} kWh delivered.
Cradle-to-gate: {d.num("sig", "carbon_footprint", "cradle_to_gate", "kg_co2e_per_kwh_capacity")}
kg CO2e per kWh of usable capacity (not the Article 7 figure).</p>
</div>"""


def _row(*cells: str, cls: str = "") -> str:
    """A table row; a cell holding one number is aligned right."""
    klass = f' class="{cls}"' if cls else ""
    out = []
    for cell in cells:
        numeric = _ONE_NUMBER.fullmatch(cell) is not None
        out.append(f'<td class="n">{cell}</td>' if numeric else f"<td>{cell}</td>")
    return f"<tr{klass}>" + "".join(out) + "</tr>\n"


def _table(header: Sequence[str], rows: Sequence[str], cls: str = "") -> str:
    """A table; a column whose cells hold numbers has its heading aligned right too."""
    numeric: set[int] = set()
    for row in rows:
        for i, cell in enumerate(re.findall(r'<td( class="n")?[ >]', row)):
            if cell:
                numeric.add(i)
    klass = f' class="{cls}"' if cls else ""
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = "".join(rows)
    return f"<table{klass}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


#: the hatching of each stage in the charts, as SVG path data on a 10 x 10 swatch
_SWATCH_HATCH = {
    Stage.RAW_MATERIALS: ("stroke", "M-1 4L4-1M-1 9L9-1M4 11L11 4"),
    Stage.PRODUCTION: ("stroke", "M-1 6L4 11M-1 1L9 11M4-1L11 6"),
    Stage.DISTRIBUTION: ("fill", "M2 2h2v2h-2zM6 6h2v2h-2zM6 2h2v2h-2zM2 6h2v2h-2z"),
    Stage.END_OF_LIFE: ("stroke", "M-1 4L4-1M-1 9L9-1M4 11L11 4M-1 6L4 11M-1 1L9 11M4-1L11 6"),
}


def _swatch(stage_id: str) -> str:
    """A small key in the stage's chart colour and hatching, drawn as vector (a CSS gradient
    would be rasterised, and make a printed PDF many megabytes)."""
    name = stage_of(stage_id)
    colour = STAGE_COLOURS[name.stage] if name else "#999999"
    paint, path = _SWATCH_HATCH[name.stage] if name else ("stroke", "")
    style = (
        'stroke="#1d1d1f" stroke-width="1.1" fill="none"'
        if paint == "stroke"
        else ('fill="#1d1d1f"')
    )
    return (
        '<svg class="sw" viewBox="0 0 10 10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{colour}"/><path d="{path}" {style}/></svg>'
    )


def _stage_label(stage_id: str) -> str:
    name = stage_of(stage_id)
    return name.label if name else stage_id


def _stage_name(stage_id: str) -> str:
    name = stage_of(stage_id)
    return escape(name.title if name else stage_id)


def _declaration(d: _Page) -> str:
    b = ("battery",)
    maker = d.text("manufacturer", "name")
    if d.get("manufacturer", "trade_name") is not None:
        maker += f" (trade name {d.text('manufacturer', 'trade_name')})"
    for field in ("address", "contact"):
        if d.get("manufacturer", field) is not None:
            maker += f"<br>{d.text('manufacturer', field)}"
    vehicle = ""
    if d.get(*b, "vehicle_category") is not None:
        vehicle = f", vehicle category {d.text(*b, 'vehicle_category')}"
    battery = (
        f"{d.text(*b, 'model')}<br>{d.text(*b, 'category')} battery{vehicle}, "
        f"{d.text(*b, 'chemistry')}; {d.num('sig', *b, 'usable_capacity_kwh')} kWh usable"
    )
    if d.get(*b, "nominal_capacity_kwh") is not None:
        battery += f" ({d.num('sig', *b, 'nominal_capacity_kwh')} kWh nominal)"
    battery += (
        f", {d.num('sig', *b, 'mass_kg')} kg; warranty {d.num('sig', *b, 'warranty_years')} years"
    )
    if d.get(*b, "warranty_km") is not None:
        battery += f" or {d.num('kwh', *b, 'warranty_km')} km"
    plant = ", ".join(d.text("plant", f) for f in ("name", "town", "region", "country"))
    items = [
        _row("(a)", "Manufacturer", maker),
        _row("(b)", "Battery model", battery),
        _row("(c)", "Manufacturing plant", plant),
        _row(
            "(d)",
            "Total carbon footprint",
            f"<strong>{d.num('per_kwh', 'carbon_footprint', 'total_kg_co2e_per_kwh')}</strong> "
            f"kg CO2e per kWh delivered over the service life "
            f"({d.num('kg', 'carbon_footprint', 'absolute_kg_co2e')} kg CO2e per battery)",
        ),
        _row(
            "(e)",
            "Per life-cycle stage",
            "; ".join(
                f"{_stage_name(s)} "
                + d.num("per_kwh", "carbon_footprint", "stages", s, "kg_co2e_per_kwh")
                for s in _stages_of(d)
            )
            + ' kg CO2e/kWh (<a href="#stages">table and chart</a>)',
        ),
        _row("(f)", "EU declaration of conformity", d.text("declaration", "eu_doc_id")),
        _row("(g)", "Public study", d.link("declaration", "study_url")),
        *_study_rows(d),
    ]
    fu = ("functional_unit",)
    derivation = (
        f"<p>Functional unit: total energy delivered over the service life, "
        f"{d.num('sig', *fu, 'usable_capacity_kwh')} kWh usable capacity &times; "
        f"{d.num('sig', *fu, 'cycles_per_year')} full equivalent cycles per year &times; "
        f"{d.num('sig', *fu, 'service_life_years')} years = "
        f"<strong>{d.num('kwh', *fu, 'total_energy_kwh')} kWh</strong>.</p>\n"
        f'<p class="note">{d.text(*fu, "derivation")}</p>\n'
    )
    c2g = ("carbon_footprint", "cradle_to_gate")
    cradle = (
        f"<p>Cradle-to-gate (raw materials and production): {d.num('kg', *c2g, 'kg_co2e')} "
        f"kg CO2e, {d.num('sig', *c2g, 'kg_co2e_per_kwh_capacity')} kg CO2e per kWh of usable "
        f'capacity.</p>\n<p class="note">{d.text(*c2g, "note")}</p>\n'
    )
    return (
        _table(["", "Article 7 item", ""], items, cls="items")
        + "<h3>Functional unit</h3>\n"
        + derivation
        + cradle
    )


def _stages_of(d: _Page) -> list[str]:
    present = list(d.get("carbon_footprint", "stages"))
    return [s for s in STAGE_IDS if s in present] + [s for s in present if s not in STAGE_IDS]


def _stages(d: _Page, charts: Any) -> str:
    cf = ("carbon_footprint",)
    stages = _stages_of(d)
    rows = [
        _row(
            f"{_swatch(s)}{_stage_name(s)}",
            d.num("per_kwh", *cf, "stages", s, "kg_co2e_per_kwh"),
            d.num("kg", *cf, "stages", s, "kg_co2e"),
            d.num("share", *cf, "stages", s, "share"),
        )
        for s in stages
    ]
    rows.append(
        _row(
            "Total carbon footprint",
            d.num("per_kwh", *cf, "total_kg_co2e_per_kwh"),
            d.num("kg", *cf, "absolute_kg_co2e"),
            "",
            cls="total",
        )
    )
    svg = charts.stage_bars(
        [
            (
                str(d.get("battery", "model")),
                {s: d.get(*cf, "stages", s, "kg_co2e_per_kwh") for s in stages},
                d.get(*cf, "total_kg_co2e_per_kwh"),
            )
        ],
        "chart-stages",
        "Stacked bar of the four life-cycle stages, kg CO2e per kWh delivered; the table "
        "below gives the values",
    )
    return (
        _figure(
            svg,
            "The four life-cycle stages, kg CO2e per kWh delivered over the service life. "
            "A negative end of life (credits for recycled material) sits left of zero; the "
            "diamond is the net total.",
        )
        + _table(["Life-cycle stage", "kg CO2e/kWh", "kg CO2e per battery", "share"], rows, "nums")
        + f'<p class="note">{d.text(*cf, "unit")}.</p>\n'
    )


def _figure(svg: str, caption: str) -> str:
    return f"<figure>\n{svg}<figcaption>{escape(caption)}</figcaption>\n</figure>\n"


def _contributors(d: _Page, charts: Any) -> str:
    top = d.get("top_contributors")
    if not top:
        return "<p>No activity lines.</p>\n"
    svg = charts.pareto(
        [(str(t["component"]), str(t["stage"]), t["kg_co2e"], t["share"]) for t in top],
        "chart-pareto",
        "Pareto chart of the largest contributing lines, kg CO2e per battery, with the "
        "cumulative share of the total; the table below gives the values",
    )
    rows = [
        _row(
            d.text("top_contributors", i, "component"),
            d.stage("top_contributors", i, "stage"),
            d.num("kg", "top_contributors", i, "kg_co2e"),
            d.num("share", "top_contributors", i, "share"),
            d.text("top_contributors", i, "factor_id", cls="code"),
            d.text("top_contributors", i, "factor_source"),
        )
        for i, t in enumerate(top)
    ]
    return _figure(
        svg,
        "The lines contributing most (by absolute value), in the colour of their stage, and "
        "the cumulative share of the total they make up.",
    ) + _table(
        ["Line", "Stage", "kg CO2e", "share of total", "factor", "factor source"], rows, "nums"
    )


def _comparison(data: Mapping[str, Any], charts: Any) -> str:
    c = _Page(data, doc="comparison")
    scenarios = c.get("scenarios")
    stages = [s for s in STAGE_IDS if s in scenarios[0]["stages"]]
    svg = charts.stage_bars(
        [
            (
                str(sc["scenario"]),
                {s: sc["stages"][s]["kg_co2e_per_kwh"] for s in stages},
                sc["total_kg_co2e_per_kwh"],
            )
            for sc in scenarios
        ],
        "chart-comparison",
        "Stacked bars of the life-cycle stages per scenario, kg CO2e per kWh delivered; the "
        "table below gives the values",
    )
    rows = [
        _row(
            c.text("scenarios", i, "scenario"),
            *(c.num("per_kwh", "scenarios", i, "stages", s, "kg_co2e_per_kwh") for s in stages),
            f"<strong>{c.num('per_kwh', 'scenarios', i, 'total_kg_co2e_per_kwh')}</strong>",
            c.num("kg", "scenarios", i, "absolute_kg_co2e"),
            c.num("sig", "scenarios", i, "cradle_to_gate_kg_co2e_per_kwh_capacity"),
        )
        for i in range(len(scenarios))
    ]
    header = [
        "Scenario",
        *(_stage_label(s) for s in stages),
        "Total, kg CO2e/kWh",
        "kg CO2e per battery",
        "cradle-to-gate, kg CO2e/kWh capacity",
    ]
    above = (
        "The declaration above is the first project's."
        if c.get("varies") == "project"
        else "The declaration above is the project as given; each scenario changes only this."
    )
    out = (
        f"<p>Varies: {c.text('varies')}; baseline: {c.text('baseline')}. {above} Life-cycle "
        "stages in kg CO2e per kWh delivered.</p>\n"
        + _figure(
            svg,
            "The life-cycle stages of each scenario, kg CO2e per kWh delivered over the "
            "service life; the diamond is the net total.",
        )
        + _table(header, rows, "nums")
    )
    for i in range(1, len(scenarios)):
        changes = "; ".join(
            f"{_stage_name(s)} {c.num('kg', 'scenarios', i, 'stages', s, 'delta_kg_co2e')} kg"
            for s in stages
        )
        lines = [
            _row(
                c.text("scenarios", i, "explained_by", j, "line"),
                c.num("kg", "scenarios", i, "explained_by", j, "before_kg_co2e"),
                c.num("kg", "scenarios", i, "explained_by", j, "after_kg_co2e"),
                c.num("kg", "scenarios", i, "explained_by", j, "delta_kg_co2e"),
            )
            for j in range(len(scenarios[i]["explained_by"]))
        ]
        out += (
            f"<h3>{c.text('baseline')} &rarr; {c.text('scenarios', i, 'scenario')}</h3>\n"
            f"<p>Change per stage, kg CO2e per battery: {changes}.</p>\n"
        )
        if lines:
            out += _table(
                ["Explained by", "before, kg CO2e", "after, kg CO2e", "change"], lines, "nums"
            )
    return out


def uncertainty_data(u: Uncertainty, top: int = 10) -> dict[str, Any]:
    """The report's data of Monte Carlo results: draws, seed, the summary (total and per stage:
    mean, median, 2.5th and 97.5th percentiles), the ``top`` inputs that explain most of the
    variance, and the draws of the total for the histogram."""
    order = ["total", *STAGE_IDS]
    origin = {x.label: x.origin for x in u.inputs}
    keys = [*(k for k in order if k in u.summary), *(k for k in u.summary if k not in order)]
    return {
        "draws": u.draws,
        "seed": u.seed,
        "random_inputs": u.random_inputs,
        "summary": {k: {stat: rounded(v) for stat, v in u.summary[k].items()} for k in keys},
        "contributions": [
            {"input": label, "share_of_variance": rounded(share), "spread": origin.get(label, "")}
            for label, share in u.contributions[:top]
        ],
        "histogram": {"edges": list(u.histogram_edges), "counts": list(u.histogram_counts)},
        **(
            {}
            if math.isnan(u.declared_percentile)
            else {"declared_percentile": round(u.declared_percentile, 1)}
        ),
    }


def _uncertainty(data: Mapping[str, Any], d: _Page, charts: Any) -> str:
    u = _Page(data, doc="uncertainty")
    total = u.get("summary").get("total")
    marks: list[tuple[str, float, str]] = []
    if total is not None:
        marks = [
            ("2.5th and 97.5th percentiles", total["p2_5"], "--"),
            ("median", total["median"], "-"),
        ]
        marks.append(("", total["p97_5"], "--"))
    marks.append(("declared value", d.get("carbon_footprint", "total_kg_co2e_per_kwh"), ":"))
    svg = charts.histogram(
        u.get("histogram", "edges"),
        u.get("histogram", "counts"),
        [(name or "_nolegend_", value, style) for name, value, style in marks],
        "chart-uncertainty",
        "Histogram of the total carbon footprint over the Monte Carlo draws; the table below "
        "gives the percentiles",
    )
    stats = ("mean", "median", "p2_5", "p97_5")
    rows = [
        _row(
            "Total" if key == "total" else _stage_name(key),
            *(u.num("per_kwh", "summary", key, stat) for stat in stats),
        )
        for key in u.get("summary")
    ]
    contributions = [
        _row(
            u.text("contributions", i, "input"),
            u.text("contributions", i, "spread"),
            u.num("share", "contributions", i, "share_of_variance"),
        )
        for i in range(len(u.get("contributions")))
    ]
    inputs = ""
    if "random_inputs" in data:
        inputs = f" ({u.num('int', 'random_inputs')} uncertain inputs)"
    out = (
        f"<p>Monte Carlo over the spread of the amounts and factors{inputs}: "
        f"{u.num('int', 'draws')} draws, seed {u.num('int', 'seed')}; the same seed gives the "
        "same draws. Values in kg CO2e per kWh delivered over the service life.</p>\n"
        + _figure(
            svg,
            "Distribution of the total over the draws: the dashed lines are the 2.5th and "
            "97.5th percentiles, the solid line is the median, the dotted line the declared "
            "value.",
        )
        + _table(["", "mean", "median", "P2.5", "P97.5"], rows, "nums")
    )
    if "declared_percentile" in data:
        out += (
            f"<p>The declared value lies at percentile {u.num('dqr', 'declared_percentile')} "
            "of the draws.</p>\n"
        )
    if contributions:
        out += "<h3>What the spread comes from</h3>\n" + _table(
            ["Input", "spread and its origin", "share of variance"], contributions, "nums"
        )
    return out


def _electricity(d: _Page) -> str:
    blocks = d.get("electricity")
    if not blocks:
        return "<p>No electricity blocks in the inputs.</p>\n"
    policies = sorted({str(b["policy"]) for b in blocks})
    rows = []
    for i, block in enumerate(blocks):
        e = ("electricity", i)
        rows.append(
            _row(
                d.text(*e, "component"),
                d.text(*e, "country"),
                d.text(*e, "supply"),
                d.text(*e, "policy"),
                d.num("kwh", *e, "kwh"),
                d.num("sig", *e, "factor_kg_co2e_per_kwh"),
                d.num("kg", *e, "kg_co2e"),
                d.num("share", *e, "credited_share"),
            )
        )
        reason = d.text(*e, "reason")
        cert = ""
        if block.get("certificate_id") is not None:
            cert = f" Certificate {d.text(*e, 'certificate_id', cls='code')}."
        where = f' <span class="where">({d.text(*e, "where")})</span>'
        rows.append(f'<tr class="detail"><td colspan="8">{reason}.{cert}{where}</td></tr>\n')
    return (
        f"<p>Policy: {escape(', '.join(policies))}. A contractual instrument (PPA, guarantee of "
        "origin, green tariff) is credited only as the policy allows; each block says why.</p>\n"
        + _table(
            [
                "Block",
                "country",
                "supply",
                "policy",
                "kWh",
                "kg CO2e/kWh",
                "kg CO2e",
                "credited",
            ],
            rows,
            "nums",
        )
    )


def _end_of_life(d: _Page) -> str:
    e = ("end_of_life",)
    materials = d.get(*e, "materials")
    out = (
        f"<p>Route: {d.text(*e, 'route')}. Formula: {d.text(*e, 'formula')}: the R1 term "
        "counts in raw materials, the recycling, energy recovery and disposal terms in end of "
        "life.</p>\n"
    )
    if not materials:
        return out + "<p>No material lines under the formula.</p>\n"
    rows = [
        _row(
            d.text(*e, "materials", i, "component"),
            d.text(*e, "materials", i, "group"),
            d.num("sig", *e, "materials", i, "mass_kg"),
            d.num("sig", *e, "materials", i, "R1"),
            d.num("sig", *e, "materials", i, "R2"),
            d.num("sig", *e, "materials", i, "R3"),
            d.num("kg", *e, "materials", i, "raw_materials_kg_co2e"),
            d.num("kg", *e, "materials", i, "end_of_life_kg_co2e"),
        )
        for i in range(len(materials))
    ]
    return out + _table(
        ["Line", "group", "kg", "R1", "R2", "R3", "raw materials, kg CO2e", "end of life, kg CO2e"],
        rows,
        "nums",
    )


def _recycled(d: _Page, charts: Any) -> str:
    content = d.get("recycled_content")
    if not content:
        return "<p>The BOM holds no cobalt, lithium, nickel or lead to report.</p>\n"
    svg = charts.recycled_content(
        [
            (
                str(rc["element"]),
                rc["share"],
                [(str(m["applies_from"]), m["minimum_share"]) for m in rc["minimums"]],
            )
            for rc in content
        ],
        "chart-recycled",
        "Recycled share of cobalt, lithium, nickel and lead against the Article 8 minimum "
        "shares; the table below gives the values",
    )
    rows = []
    for i, rc in enumerate(content):
        rc_path = ("recycled_content", i)
        minimums = "; ".join(
            f"from {d.text(*rc_path, 'minimums', j, 'applies_from')}: "
            f"{d.num('share', *rc_path, 'minimums', j, 'minimum_share')} "
            f"{d.flag('met', 'not met', *rc_path, 'minimums', j, 'met')}"
            for j in range(len(rc["minimums"]))
        )
        rows.append(
            _row(
                d.text(*rc_path, "element"),
                d.num("sig", *rc_path, "content_kg"),
                d.num("sig", *rc_path, "recycled_kg"),
                d.num("share", *rc_path, "share"),
                minimums or "none",
            )
        )
    return (
        "<p>Article 8 of the Regulation sets minimum recycled shares of cobalt, lithium, nickel "
        "and lead from the dates shown; the BOM's recycled shares and the materials' element "
        "content give the battery's.</p>\n"
        + _figure(svg, "Recycled share per element; the markers are the minimum shares by date.")
        + _table(
            ["Element", "content, kg", "recycled, kg", "recycled share", "minimum share"],
            rows,
            "nums",
        )
    )


def _sourcing(data: Mapping[str, Any], charts: Any) -> str:
    """Where the battery comes from (``data``: the notice and rules of a sourcing document
    with one battery's entry, carbonfp.engine.sourcing): the footprint by country of origin of
    the lines, with a chart; the critical raw materials by country at each supply-chain stage;
    the lines not counted; the rules' findings and legal sources. Its numbers are those of
    ``carbonfp sourcing --format json`` (the one rounding of records)."""
    from carbonfp.formats.sourcing import rounded_document

    c = _Page(rounded_document(data), doc="sourcing")
    fp = ("footprint",)
    countries = c.get(*fp, "countries")
    stages = list(STAGE_IDS)
    svg = charts.stage_bars(
        [
            (
                "no stated origin" if x["country"] == "unknown" else f"{x['country']} {x['name']}",
                {s: x["stages"][s]["kg_co2e_per_kwh"] for s in stages},
                x["kg_co2e_per_kwh"],
            )
            for x in countries
        ],
        "chart-sourcing",
        "Stacked bars of the life-cycle stages per country of origin of the lines, kg CO2e per "
        "kWh delivered; the table below gives the values",
    )
    rows = [
        _row(
            c.text(*fp, "countries", i, "country"),
            c.text(*fp, "countries", i, "name"),
            *(c.num("kg", *fp, "countries", i, "stages", s, "kg_co2e") for s in stages),
            f"<strong>{c.num('kg', *fp, 'countries', i, 'kg_co2e')}</strong>",
            c.num("share", *fp, "countries", i, "share"),
        )
        for i in range(len(countries))
    ]
    rows.append(
        _row(
            "total",
            "the declaration",
            *("" for _ in stages),
            f"<strong>{c.num('kg', *fp, 'total_kg_co2e')}</strong>",
            "",
        )
    )
    out = (
        f'<p class="note">{c.text("notice")}</p>\n'
        "<p>The kg CO2e of every line of the declaration by the country its line comes from "
        "(an energy line: its grid country; a line whose origin the BOM does not state: its own "
        "row, never left out); the countries add up to the declaration.</p>\n"
        + _figure(
            svg,
            "Footprint by country of origin of the lines, per life-cycle stage, kg CO2e per kWh "
            "delivered; the diamond is the country's net total.",
        )
        + _table(
            ["Country", "", *(_stage_label(s) for s in stages), "kg CO2e", "share of total"],
            rows,
            "nums",
        )
    )
    elements = c.get("elements")
    element_rows = []
    for i, e in enumerate(elements):
        for j, st in enumerate(e["stages"]):
            parts = [
                f"{c.text('elements', i, 'stages', j, 'countries', k, 'country')} "
                f"{c.num('share', 'elements', i, 'stages', j, 'countries', k, 'share')}"
                for k in range(len(st["countries"]))
            ]
            if st["unknown_kg"]:
                parts.append(
                    "no stated origin "
                    + c.num("share", "elements", i, "stages", j, "unknown_share")
                )
            element_rows.append(
                _row(
                    c.text("elements", i, "name") if j == 0 else "",
                    c.num("sig", "elements", i, "kg") if j == 0 else "",
                    c.text("elements", i, "stages", j, "stage"),
                    ", ".join(parts),
                )
            )
    out += "<h3>Critical raw materials by country of origin</h3>\n"
    if element_rows:
        out += (
            "<p>Each element's mass in the BOM (its sub-BOMs included) by the country of each "
            "supply-chain stage, where the BOM states it; shares of the element in the "
            "battery.</p>\n"
            + _table(["Element", "kg in the battery", "stage", "by country"], element_rows)
        )
    else:
        out += "<p>No line's composition names a critical raw material carbonfp follows.</p>\n"
    missing = c.get("not_counted")
    if missing:
        out += (
            "<h3>Not counted</h3>\n"
            "<p>Lines that hold an element whose mass carbonfp cannot know:</p>\n"
        )
        out += _table(
            ["Line", "where", "material", "holds", "why"],
            [
                _row(
                    c.text("not_counted", i, "line"),
                    c.text("not_counted", i, "where"),
                    c.text("not_counted", i, "material"),
                    ", ".join(c.text("not_counted", i, "names", k) for k in range(len(x["names"]))),
                    c.text("not_counted", i, "why"),
                )
                for i, x in enumerate(missing)
            ],
        )
    rules = c.get("rules")
    if rules:
        out += "<h3>Sourcing rules and findings</h3>\n"
        out += _table(
            ["Rule", "title", "legal source", "status"],
            [
                _row(
                    c.text("rules", i, "label"),
                    c.text("rules", i, "title"),
                    c.text("rules", i, "legal", "act")
                    + "; "
                    + c.text("rules", i, "legal", "article"),
                    c.text("rules", i, "legal", "status"),
                )
                for i in range(len(rules))
            ],
        )
        findings = c.get("findings")
        out += (
            _table(
                ["Rule", "element", "finding", "lines behind it"],
                [
                    _row(
                        c.text("findings", i, "rule"),
                        c.text("findings", i, "name"),
                        c.text("findings", i, "message"),
                        "; ".join(
                            f"{c.text('findings', i, 'lines', k, 'line')} "
                            f"({c.text('findings', i, 'lines', k, 'where')})"
                            for k in range(len(f["lines"]))
                        ),
                    )
                    for i, f in enumerate(findings)
                ],
            )
            if findings
            else "<p>No finding.</p>\n"
        )
    return out


def _quality(d: _Page) -> str:
    q = d.get("data_quality")
    if not q:
        return "<p>No data quality ratings.</p>\n"
    rows = [
        _row(f"{_swatch(s)}{_stage_name(s)}", d.num("dqr", "data_quality", "dqr_by_stage", s))
        for s in [
            *(s for s in STAGE_IDS if s in q["dqr_by_stage"]),
            *(s for s in q["dqr_by_stage"] if s not in STAGE_IDS),
        ]
    ]
    rows.append(
        _row(
            f"Overall ({d.text('data_quality', 'rating')})",
            d.num("dqr", "data_quality", "dqr_overall"),
            cls="total",
        )
    )
    out = (
        "<p>PEF data quality rating of each line (the BOM's, else the factor's), weighted by "
        "its emissions; DQR 1 (best) to 5. Lines with a rating cover "
        f"{d.num('share', 'data_quality', 'dqr_coverage')} of the emissions.</p>\n"
        + _table(["Life-cycle stage", "DQR"], rows, "nums narrow")
    )
    missing = q.get("missing_primary_data") or []
    if missing:
        m = ("data_quality", "missing_primary_data")
        items = "".join(
            f"<li>{d.text(*m, i, 'item')}: {d.text(*m, i, 'component')} "
            f'<span class="where">({d.text(*m, i, "where")})</span></li>\n'
            for i in range(len(missing))
        )
        out += (
            "<h3>Secondary data where the ruleset requires company-specific data</h3>\n"
            f"<ul>\n{items}</ul>\n"
        )
    return out


def _study_rows(d: _Page) -> list[str]:
    """The reference period, study date and version, and verification (schema 1.1; a record
    of 1.0 has none of them)."""
    if "study_date" not in d.get("declaration"):
        return []
    dc = ("declaration",)
    period = (
        f"{d.text(*dc, 'reference_period_start')} to {d.text(*dc, 'reference_period_end')} "
        "(end exclusive)"
        if d.get(*dc, "reference_period_start") is not None
        else d.text(*dc, "reference_period_start")
    )
    verification = d.text(*dc, "verification_status")
    if d.get(*dc, "verifier") is not None:
        verification += f", by {d.text(*dc, 'verifier')}"
    if d.get(*dc, "verification_statement_id") is not None:
        verification += f", statement {d.text(*dc, 'verification_statement_id', cls='code')}"
    return [
        _row("", "Reference period", period),
        _row(
            "",
            "Study",
            f"dated {d.text(*dc, 'study_date')}, version {d.text(*dc, 'study_version')}",
        ),
        _row("", "Verification", verification),
    ]


def _methods(d: _Page) -> str:
    pv = ("provenance",)
    layers = d.get(*pv, "factor_layers")
    layer_items = "".join(
        f"<li>{d.text(*pv, 'factor_layers', i, 'factor_set')} sha256 "
        f"{d.text(*pv, 'factor_layers', i, 'sha256', cls='hash')}</li>\n"
        for i in range(len(layers))
    )
    overridden = d.get(*pv, "overridden_factors")
    over = ""
    if overridden:
        over = (
            "<p>Overridden factors: "
            + ", ".join(
                f"{d.text(*pv, 'overridden_factors', i, 'factor_id', cls='code')} (by "
                f"{d.text(*pv, 'overridden_factors', i, 'by')})"
                for i in range(len(overridden))
            )
            + ".</p>\n"
        )
    inputs = "".join(
        f"<li>{escape(name)} sha256 {d.text(*pv, 'inputs', name, cls='hash')}</li>\n"
        for name in d.get(*pv, "inputs")
    )
    sources = [
        _row(
            d.text(*pv, "sources", i, "key", cls="code"),
            f"{d.text(*pv, 'sources', i, 'publisher')} "
            f"({d.num('int', *pv, 'sources', i, 'year')}). "
            f"<cite>{d.text(*pv, 'sources', i, 'title')}</cite>. "
            f"{d.text(*pv, 'sources', i, 'url', cls='url')}. "
            f"Licence: {d.text(*pv, 'sources', i, 'license')}.",
            d.text(*pv, "sources", i, "attribution"),
        )
        for i in range(len(d.get(*pv, "sources")))
    ]
    out = (
        "<h3>Ruleset and factor data</h3>\n<ul>\n"
        f"<li>Ruleset {d.text(*pv, 'ruleset', cls='code')} version "
        f"{d.text(*pv, 'ruleset_version')}, legal status "
        f"<strong>{d.text(*pv, 'ruleset_legal_status')}</strong>, sha256 "
        f"{d.text(*pv, 'ruleset_sha256', cls='hash')}</li>\n"
        f"<li>Factor set {d.text(*pv, 'factor_set', cls='code')} sha256 "
        f"{d.text(*pv, 'factor_set_sha256', cls='hash')}</li>\n"
        f"<li>Material catalogue (aliases, roles) {d.text(*pv, 'catalogue', cls='code')} "
        f"sha256 {d.text(*pv, 'catalogue_sha256', cls='hash')}</li>\n"
        f"<li>Mode: {d.text('mode')} ({d.text('label')})</li>\n</ul>\n"
    )
    if len(layers) > 1:
        out += f"<p>Factor sets, base first, later layers win:</p>\n<ul>\n{layer_items}</ul>\n"
    out += over
    out += f"<h3>Inputs</h3>\n<ul>\n{inputs}</ul>\n"
    out += "<h3>Sources</h3>\n"
    out += (
        _table(["Source", "Citation", "Attribution"], sources)
        if sources
        else "<p>No sources.</p>\n"
    )
    out += "<h3>Assumptions</h3>\n<ul>\n" + _assumptions(d) + "</ul>\n"
    warnings = d.get("warnings")
    out += "<h3>Warnings</h3>\n"
    if warnings:
        out += (
            "<ul>\n"
            + "".join(
                f"<li>{d.text('warnings', i, 'message')}"
                + (
                    f' <span class="where">({d.text("warnings", i, "where")})</span>'
                    if w.get("where")
                    else ""
                )
                + f' <span class="code">[{d.text("warnings", i, "code")}]</span></li>\n'
                for i, w in enumerate(warnings)
            )
            + "</ul>\n"
        )
    else:
        out += "<p>None.</p>\n"
    return out


def _assumptions(d: _Page) -> str:
    items = [
        f"<li>Functional unit: {d.text('functional_unit', 'derivation')}</li>\n",
        f"<li>{d.text('carbon_footprint', 'cradle_to_gate', 'note')}</li>\n",
    ]
    if d.get("electricity"):
        items.append(
            f"<li>Electricity: {d.text('electricity', 0, 'policy')} policy, applied to every "
            "block (see Electricity).</li>\n"
        )
    if d.get("end_of_life", "route") is not None or d.get("end_of_life", "materials"):
        items.append(
            f"<li>End of life: {d.text('end_of_life', 'route')}, "
            f"{d.text('end_of_life', 'formula')}.</li>\n"
        )
    for i, line in enumerate(d.get("lines")):
        if line.get("allocation"):
            items.append(
                f"<li>Allocation, {d.text('lines', i, 'component')}: "
                f"{d.text('lines', i, 'allocation')}</li>\n"
            )
    return "".join(items)


def _inventory(d: _Page) -> str:
    lines = d.get("lines")
    if not lines:
        return "<p>No activity lines.</p>\n"
    rows = [
        _row(
            d.text("lines", i, "component"),
            d.stage("lines", i, "stage"),
            d.num("sig", "lines", i, "amount"),
            d.text("lines", i, "unit"),
            d.text("lines", i, "factor_id", cls="code"),
            d.num("sig", "lines", i, "factor_value"),
            d.text("lines", i, "factor_unit"),
            d.text("lines", i, "factor_status"),
            d.text("lines", i, "data_type"),
            d.num("dqr", "lines", i, "dqr", na=""),
            d.num("kg", "lines", i, "kg_co2e"),
        )
        for i, line in enumerate(lines)
    ]
    return (
        "<p>Every activity line per battery, with its emission factor; the JSON declaration "
        "holds each line's source and place in the input files.</p>\n"
        + _table(
            [
                "Line",
                "stage",
                "amount",
                "unit",
                "factor",
                "value",
                "factor unit",
                "status",
                "data",
                "DQR",
                "kg CO2e",
            ],
            rows,
            "nums inventory",
        )
    )


CSS = """\
:root { --ink: #1d1d1f; --muted: #5a5a60; --rule: #d6d6dc; --accent: #0072B2;
  --warn: #8a4b00; --warn-bg: #fff4e0; --ok: #006b4f; --bad: #a3341c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.25rem 3rem; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; background: #fff; }
h1 { font-size: 1.7rem; line-height: 1.2; margin: 0.4rem 0 0.5rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.25rem;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 0.4rem; }
p { margin: 0.4rem 0 0.7rem; }
.lede { color: var(--muted); max-width: 50rem; }
.mode { display: inline-block; margin: 0; padding: 0.25rem 0.7rem; font-weight: 700;
  letter-spacing: 0.04em; text-transform: uppercase; font-size: 0.85rem;
  border: 2px solid var(--warn); color: var(--warn); background: var(--warn-bg); }
body.declaration .mode { border-color: var(--ok); color: var(--ok); background: #e8f6f1; }
.headline { margin: 1rem 0; padding: 0.8rem 1rem; border-left: 6px solid var(--accent);
  background: #f3f7fb; }
.headline .big { font-size: 2.2rem; font-weight: 700; margin: 0; line-height: 1.2; }
.headline .big .unit { font-size: 1rem; font-weight: 400; color: var(--muted); }
nav { margin: 1rem 0 0; font-size: 0.9rem; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
nav a { color: var(--accent); }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1rem; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem;
  border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
td.n, th.n { text-align: right; }
.stage { white-space: nowrap; }
table.items td:first-child { width: 2.5rem; color: var(--muted); }
table.items td:nth-child(2) { width: 13rem; font-weight: 600; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
tr.detail td { color: var(--muted); font-size: 0.85rem; padding-top: 0; }
table.inventory { font-size: 0.78rem; }
table.narrow { width: auto; min-width: 50%; }
.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
.na { color: var(--muted); font-style: italic; }
.note, .where { color: var(--muted); font-size: 0.88rem; }
.code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.85em; }
.hash, .url { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.8em; word-break: break-all; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
figure { margin: 0.8rem 0 1rem; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 0.3rem; }
.sw { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em;
  vertical-align: -0.05em; border: 1px solid var(--ink); overflow: hidden; }
footer { margin-top: 3rem; padding-top: 0.6rem; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: 0.85rem; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 1.2rem; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .headline, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  section#methods, section#inventory { break-before: page; page-break-before: always; }
  table.inventory { font-size: 7pt; }
}
"""
