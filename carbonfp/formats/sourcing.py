"""``carbonfp sourcing``: where a battery comes from, as text, JSON, CSV or an XLSX workbook.

Takes the sourcing document as plain data (what ``carbonfp sourcing --format json`` prints:
carbonfp.engine.sourcing), so every format and the report's section read one document. Every
format says first that the findings are indicators computed from the user's data, not a legal
determination.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from carbonfp.errors import UsageError
from carbonfp.files import guard_formula
from carbonfp.formats.common import STAGE_NAMES, json_text, number_text, rounded, text_number

FORMATS = ("text", "json", "csv", "xlsx")
CSV_COLUMNS = (
    "battery",
    "table",
    "element",
    "stage",
    "country",
    "kg",
    "share",
    "kg_co2e",
    "kg_co2e_per_kwh",
    "rule",
    "status",
    "message",
    "lines",
)
STATUS_WORDS = {
    "above": "above the threshold",
    "undetermined": "undetermined",
    "not-assessed": "not assessed",
    "listed": "listed country",
    "unknown": "origin unknown",
    "not-counted": "not counted",
}


def render(document: Mapping[str, Any], fmt: str) -> str | bytes:
    """The document in ``fmt`` (text, json, csv: text; xlsx: bytes). Raises UsageError for
    another format, and when openpyxl is missing for xlsx."""
    if fmt == "json":
        return json_text(rounded_document(document))
    if fmt == "csv":
        return sourcing_csv(document)
    if fmt == "text":
        return sourcing_text(document)
    if fmt == "xlsx":
        from carbonfp.formats.xlsx import sheets_bytes

        return sheets_bytes(sheets(document), None)
    raise UsageError(
        f"sourcing writes {', '.join(FORMATS)}, not {fmt!r}",
        hint="use --format text, json, csv or xlsx",
        code="invalid-option",
    )


def rounded_document(value: Any) -> Any:
    """The document with every number to the one rounding of records (10 significant
    digits), as ``--format json`` writes it."""
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, Mapping):
        return {k: rounded_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded_document(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# rows: the CSV and the workbook
# --------------------------------------------------------------------------------------------


def _lines_text(lines: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(f"{x['line']} ({x['where']})" for x in lines)


def element_rows(document: Mapping[str, Any]) -> list[list[Any]]:
    """Per battery, element, supply-chain stage and country (``unknown``: no stated origin):
    kg and share of the element."""
    rows = []
    for b in document["batteries"]:
        for e in b["elements"]:
            for s in e["stages"]:
                for c in s["countries"]:
                    rows.append(
                        [b["battery"], e["element"], s["stage"], c["country"], c["kg"], c["share"]]
                    )
                if s["unknown_kg"]:
                    rows.append(
                        [
                            b["battery"],
                            e["element"],
                            s["stage"],
                            "unknown",
                            s["unknown_kg"],
                            s["unknown_share"],
                        ]
                    )
    return rows


def footprint_rows(document: Mapping[str, Any]) -> list[list[Any]]:
    """Per battery, country of origin and life-cycle stage (and ``total``): kg CO2e, kg CO2e
    per kWh delivered, and the country's share of the total footprint."""
    rows = []
    for b in document["batteries"]:
        for c in b["footprint"]["countries"]:
            for stage, v in c["stages"].items():
                rows.append(
                    [b["battery"], stage, c["country"], v["kg_co2e"], v["kg_co2e_per_kwh"], None]
                )
            rows.append(
                [
                    b["battery"],
                    "total",
                    c["country"],
                    c["kg_co2e"],
                    c["kg_co2e_per_kwh"],
                    c["share"],
                ]
            )
    return rows


def finding_rows(document: Mapping[str, Any]) -> list[list[Any]]:
    rows = []
    for b in document["batteries"]:
        for f in b["findings"]:
            rows.append(
                [
                    b["battery"],
                    f["rule"],
                    f["element"],
                    " and ".join(f["stages"]),
                    f["status"],
                    f["country"],
                    f["kg"],
                    f["share"],
                    f["message"],
                    _lines_text(f["lines"]),
                ]
            )
    return rows


def not_counted_rows(document: Mapping[str, Any]) -> list[list[Any]]:
    return [
        [
            b["battery"],
            x["line"],
            x["where"],
            x["material"],
            x["mass_kg"],
            " ".join(x["elements"]),
            x["why"],
        ]
        for b in document["batteries"]
        for x in b["not_counted"]
    ]


def rule_rows(document: Mapping[str, Any]) -> list[list[Any]]:
    return [
        [
            r["label"],
            r["title"],
            r["legal"]["act"],
            r["legal"]["article"],
            r["legal"]["date"],
            r["legal"]["status"],
            r["legal"]["url"],
            r["legal"]["text"],
            r["test"]["kind"],
            " ".join(c["element"] for c in r["covers"]),
        ]
        for r in document["rules"]
    ]


def sheets(document: Mapping[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    """The workbook's sheets: the notice, element shares, footprint by country, findings, lines
    not counted and the rules with their legal sources."""
    return [
        ("notice", [["notice"], [document["notice"]]]),
        (
            "elements",
            [["battery", "element", "stage", "country", "kg", "share"], *element_rows(document)],
        ),
        (
            "footprint",
            [
                ["battery", "stage", "country", "kg_co2e", "kg_co2e_per_kwh", "share_of_total"],
                *footprint_rows(document),
            ],
        ),
        (
            "findings",
            [
                [
                    "battery",
                    "rule",
                    "element",
                    "stage",
                    "status",
                    "country",
                    "kg",
                    "share",
                    "message",
                    "lines",
                ],
                *finding_rows(document),
            ],
        ),
        (
            "not counted",
            [
                ["battery", "line", "where", "material", "mass_kg", "elements", "why"],
                *not_counted_rows(document),
            ],
        ),
        (
            "rules",
            [
                [
                    "rule",
                    "title",
                    "act",
                    "article",
                    "date",
                    "status",
                    "url",
                    "text",
                    "test",
                    "covers",
                ],
                *rule_rows(document),
            ],
        ),
    ]


def sourcing_csv(document: Mapping[str, Any]) -> str:
    """One tidy table: a row per element share (table ``element``), per footprint figure
    (``footprint``), per finding (``finding``) and per line not counted (``not-counted``);
    numbers with 10 significant digits, text a spreadsheet would evaluate guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def row(**cells: Any) -> None:
        writer.writerow([_cell(cells.get(c)) for c in CSV_COLUMNS])

    for battery, element, stage, country, kg, share in element_rows(document):
        row(
            battery=battery,
            table="element",
            element=element,
            stage=stage,
            country=country,
            kg=kg,
            share=share,
        )
    for battery, stage, country, kg, per_kwh, share in footprint_rows(document):
        row(
            battery=battery,
            table="footprint",
            stage=stage,
            country=country,
            kg_co2e=kg,
            kg_co2e_per_kwh=per_kwh,
            share=share,
        )
    for battery, rule, element, stage, status, country, kg, share, message, lines in finding_rows(
        document
    ):
        row(
            battery=battery,
            table="finding",
            rule=rule,
            element=element,
            stage=stage,
            status=status,
            country=country,
            kg=kg,
            share=share,
            message=message,
            lines=lines,
        )
    for battery, line, where, material, mass, elements, why in not_counted_rows(document):
        row(
            battery=battery,
            table="not-counted",
            element=elements,
            kg=mass,
            message=f"{material}: {why}",
            lines=f"{line} ({where})",
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(float(value))
    return guard_formula(str(value))


# --------------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------------


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def sourcing_text(document: Mapping[str, Any]) -> str:
    """The document for the terminal: per battery the elements by country at each stage, the
    lines not counted, the footprint by country of origin, and the findings with their rules'
    legal sources and the lines behind each."""
    out = [
        "carbonfp sourcing: where the battery's critical raw materials and footprint come from",
        "",
    ]
    out += _wrapped(document["notice"])
    rules = {r["label"]: r for r in document["rules"]}
    for b in document["batteries"]:
        out += ["", f"== {b['battery']} ({b['source']})", ""]
        out += _elements_text(b)
        out += _footprint_text(b)
        if rules:
            out += _findings_text(b, rules)
    if rules:
        out += ["", "Rules (each finding is an indicator, not a legal determination):"]
        for r in rules.values():
            out.append(f"  {r['label']}: {r['title']}")
            out += _wrapped(f"act: {r['legal']['act']}; {r['legal']['article']}", "      ")
            out += _wrapped(f"status: {r['legal']['status']}", "      ")
            out += _wrapped(f"written from: {r['legal']['text']}", "      ")
            out.append(
                f"      source: {r['legal']['url']} ({r['source']}, sha256 {r['sha256'][:12]})"
            )
    else:
        out += [
            "",
            "No sourcing rule applied: give --rules NAME (eu-crma-benchmark, "
            "eu-battery-due-diligence, us-30d-feoc, or the path of your own rule file).",
        ]
    return "\n".join(out) + "\n"


def _wrapped(text: str, indent: str = "", width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def _elements_text(b: Mapping[str, Any]) -> list[str]:
    out = ["Critical raw materials by country of origin (share of the element in the battery):"]
    if not b["elements"]:
        out.append(
            "  none: no line's composition names lithium, nickel, cobalt, manganese, "
            "graphite, copper or aluminium"
        )
    for e in b["elements"]:
        name = e["name"] if e["name"] == e["element"] else f"{e['name']} ({e['element']})"
        out.append(f"  {name}: {text_number(e['kg'], 3)} kg")
        for s in e["stages"]:
            parts = [f"{c['country']} {_pct(c['share'])}" for c in s["countries"]]
            if s["unknown_kg"]:
                parts.append(f"no stated origin {_pct(s['unknown_share'])}")
            out.append(f"    {s['stage']:<12} " + ", ".join(parts))
    if b["not_counted"]:
        out += ["", "Not counted (carbonfp cannot know the element's mass in these lines):"]
        for x in b["not_counted"]:
            mass = (
                f"{text_number(x['mass_kg'], 3)} kg" if x["mass_kg"] is not None else "not a mass"
            )
            held = ", ".join(x["names"])
            out.append(f"  {x['line']} ({x['where']}): {x['material']}, {mass}, holds {held}")
            out += _wrapped(x["why"], "      ")
    return out


def _footprint_text(b: Mapping[str, Any]) -> list[str]:
    fp = b["footprint"]
    names = [n.label for n in STAGE_NAMES.values()]
    ids = [n.id for n in STAGE_NAMES.values()]
    out = ["", "Footprint by country of origin of the lines (kg CO2e per battery):"]
    out.append("  " + f"{'country':<28}" + "".join(f"{n:>15}" for n in [*names, "total", "share"]))
    for c in fp["countries"]:
        label = f"{c['country']} {c['name']}" if c["country"] != "unknown" else "no stated origin"
        cells = [text_number(c["stages"][i]["kg_co2e"], 1) for i in ids]
        cells += [text_number(c["kg_co2e"], 1), _pct(c["share"])]
        out.append("  " + f"{label[:27]:<28}" + "".join(f"{x:>15}" for x in cells))
    out.append(
        "  "
        + f"{'total (the declaration)':<28}"
        + " " * 15 * len(ids)
        + f"{text_number(fp['total_kg_co2e'], 1):>15}"
    )
    return out


def _findings_text(b: Mapping[str, Any], rules: Mapping[str, Any]) -> list[str]:
    out = ["", f"Findings ({len(b['findings'])}):"]
    if not b["findings"]:
        out.append("  none")
    for f in b["findings"]:
        out += _wrapped(
            f"[{STATUS_WORDS[f['status']]}] {f['rule']}, {f['name']}: {f['message']}", "  "
        )
        for x in f["lines"][:8]:
            kg = f", {text_number(x['kg'], 3)} kg" if x.get("kg") is not None else ""
            out.append(f"      {x['line']} ({x['where']}){kg}")
        if len(f["lines"]) > 8:
            out.append(
                f"      ... and {len(f['lines']) - 8} more lines (--format json lists them all)"
            )
    return out
