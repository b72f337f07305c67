"""Sourcing: where a battery's critical raw materials and its footprint come from.

Read off the evaluated line table, never computed again: an element's mass is what
:func:`carbonfp.engine.evaluate.element_lines` counts for the declaration's recycled content,
split by the origin of each line; the footprint of a country is the sum of the evaluated kg CO2e
of the rows whose line comes from it (an energy line: its grid country; no stated origin: its
own share, "unknown"), so the countries add up to the declaration's stages and total. Per kWh
delivered, the countries' figures come from ``Figures.compute``, as the declaration's do.

A line's origin (carbonfp.origins) gives the country it comes from as supplied, which stands
for one supply-chain stage (by the line's role: a refined chemical for refining, anything else
for component manufacture; factors/sourcing/materials.toml), and where the BOM says so the
country of the other stages. The result is plain data (``carbonfp sourcing --format json``):
the formats and the report write it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from carbonfp.columns import STAGES, Codes, Figures, Ints
from carbonfp.data.catalogue import load_catalogue
from carbonfp.data.sourcing import SourcingData, SourcingRule
from carbonfp.engine.evaluate import Evaluated, element_lines
from carbonfp.method.sourcing import (
    Finding,
    in_listed_countries,
    of_unknown_origin,
    shares,
    single_country_above,
)
from carbonfp.model import LineKind, Stage
from carbonfp.origins import SUPPLY_STAGES, Origin, load_countries, read_origin

UNKNOWN = "unknown"
#: What every sourcing output says first.
NOTICE = (
    "Sourcing indicators computed from the origins stated in the user's data (the BOM's origin "
    "column): not a legal determination. Whether and how a rule applies depends on facts these "
    "data do not hold (ownership and control of suppliers, Union-wide quantities, dates of "
    "application); each rule names its legal source and status."
)
_MATERIAL = list(LineKind).index(LineKind.MATERIAL)
_EOL = STAGES.index(Stage.END_OF_LIFE)


def sourcing_document(
    batteries: Sequence[dict[str, Any]], data: SourcingData, rules: Sequence[SourcingRule]
) -> dict[str, Any]:
    """The document of ``carbonfp sourcing``: the notice, the data and rules used, and one
    entry per battery (:func:`battery_sourcing`)."""
    countries = load_countries()
    return {
        "document": "carbonfp sourcing",
        "notice": NOTICE,
        "sourcing_data": {"id": data.label, "sha256": data.sha256, "countries": countries.source},
        "rules": [rule_data(r) for r in rules],
        "batteries": list(batteries),
    }


def battery_document(document: dict[str, Any], battery: int = 0) -> dict[str, Any]:
    """One battery's entry of a sourcing document with the document's notice, data and rules
    (what the report's sourcing section reads)."""
    return {
        "notice": document["notice"],
        "sourcing_data": document["sourcing_data"],
        "rules": document["rules"],
        **document["batteries"][battery],
    }


def rule_data(rule: SourcingRule) -> dict[str, Any]:
    """A rule as the document lists it: id, version, title, legal source, cover and test."""
    test = rule.test
    return {
        "id": rule.id,
        "version": rule.version,
        "label": rule.label,
        "title": rule.title,
        "indicator": rule.indicator,
        "legal": {
            "act": rule.legal.act,
            "article": rule.legal.article,
            "date": rule.legal.date,
            "status": rule.legal.status,
            "url": rule.legal.url,
            "text": rule.legal.text,
        },
        "covers": [
            {"element": c.element, "as_named": c.as_named, "materials": list(c.materials)}
            for c in rule.covers
        ],
        "test": {
            "kind": test.kind,
            "stages": list(test.stages),
            "threshold": test.threshold,
            "countries": list(test.countries),
            "list_source": test.list_source,
            "exclude": list(test.exclude),
            "exclude_source": test.exclude_source,
        },
        "source": rule.source,
        "sha256": rule.sha256,
    }


class _Lines:
    """The rows of one battery and what each line's origin says, per distinct value."""

    def __init__(self, ev: Evaluated, battery: int, data: SourcingData) -> None:
        table = ev.table
        raw = table.raw
        self.ev, self.table, self.raw, self.data = ev, table, raw, data
        self.rows: Ints = ev.rows[ev.starts[battery] : ev.starts[battery + 1]]
        catalogue = load_catalogue()
        role = raw.role if len(raw.role) else Codes.constant("", len(raw))
        index = {s: i for i, s in enumerate(SUPPLY_STAGES)}
        listed = np.array(
            [index[data.stage_of_role(catalogue.role_of(f))] for f in raw.factor_id.values] or [0],
            dtype=np.intp,
        )
        stated = np.array(
            [index[data.stage_of_role(r)] if r else -1 for r in role.values] or [-1],
            dtype=np.intp,
        )
        #: per raw row: the supply-chain stage its own country stands for (index of a stage)
        self.own = np.where(
            stated[role.codes] >= 0, stated[role.codes], listed[raw.factor_id.codes]
        )
        self.origins: list[Origin | None] = [read_origin(v) for v in raw.origin.values]

    def country(self, raw_row: int, stage: int) -> str:
        """The country of ``raw_row`` at the supply-chain ``stage`` (index), "" where none is
        stated: the stage written in the origin, else the line's own country at its own stage
        and at the stages after it (the part as supplied)."""
        origin = self.origins[int(self.raw.origin.codes[raw_row])]
        if origin is None:
            return ""
        written = origin.at(SUPPLY_STAGES[stage])
        if written:
            return written
        own = int(self.own[raw_row])
        if origin.country and stage <= own:
            return origin.country
        return ""

    def supplied(self, raw_row: int) -> str:
        """The country a line comes from as supplied (an energy line: its grid), "" if none."""
        return self.country(raw_row, int(self.own[raw_row]))


def battery_sourcing(
    ev: Evaluated, battery: int, data: SourcingData, rules: Sequence[SourcingRule]
) -> dict[str, Any]:
    """Where the critical raw materials of ``battery`` (a battery of ``ev`` that computed) come
    from, its footprint by country of origin, and the findings of ``rules``."""
    lines = _Lines(ev, battery, data)
    table = lines.table
    project = table.projects[battery]
    elements, element_rows = _elements(lines, battery)
    not_counted = _not_counted(lines)
    findings: list[dict[str, Any]] = []
    for rule in rules:
        findings += _findings(rule, lines, element_rows, not_counted, data)
    return {
        "battery": project.battery.model,
        "source": project.label,
        "elements": elements,
        "not_counted": not_counted,
        "footprint": _footprint(lines, battery),
        "findings": findings,
    }


# --------------------------------------------------------------------------------------------
# critical raw materials by country
# --------------------------------------------------------------------------------------------


def _elements(
    lines: _Lines, battery: int
) -> tuple[list[dict[str, Any]], dict[str, list[tuple[int, float]]]]:
    """Per element of the sourcing data the battery holds: its mass, and per supply-chain stage
    the mass by country and of no stated origin (each stage adds up to the mass); and per
    element the (raw row, kg) of its lines."""
    raw, data = lines.raw, lines.data
    found = element_lines(lines.table)
    mine = raw.battery[found.rows] == battery
    rows = found.rows[mine]
    kg = found.element_kg(raw.factor_id.codes)[mine]
    out = []
    element_rows: dict[str, list[tuple[int, float]]] = {}
    countries = load_countries()
    for element in data.elements:
        if element.key not in found.names:
            continue
        column = kg[:, found.names.index(element.key)]
        held = [(int(r), float(k)) for r, k in zip(rows, column, strict=True) if k > 0]
        if not held:
            continue
        element_rows[element.key] = held
        total = sum(k for _, k in held)
        stages = []
        for s, stage in enumerate(SUPPLY_STAGES):
            by_country, unknown = _by_country(lines, held, s)
            stages.append(
                {
                    "stage": stage,
                    "title": data.stages[stage],
                    "countries": [
                        {
                            "country": x.country,
                            "name": countries.name(x.country),
                            "kg": x.kg,
                            "share": x.share,
                        }
                        for x in shares(by_country, unknown)
                        if x.country is not None
                    ],
                    "unknown_kg": unknown,
                    "unknown_share": unknown / total if total else 0.0,
                }
            )
        out.append(
            {
                "element": element.key,
                "name": element.name,
                "kg": total,
                "stages": stages,
                "lines": [_line(lines, r, k) for r, k in held],
            }
        )
    return out, element_rows


def _by_country(
    lines: _Lines, held: Sequence[tuple[int, float]], stage: int
) -> tuple[dict[str, float], float]:
    by_country: dict[str, float] = {}
    unknown = 0.0
    for row, kg in held:
        country = lines.country(row, stage)
        if country:
            by_country[country] = by_country.get(country, 0.0) + kg
        else:
            unknown += kg
    return by_country, unknown


def _line(lines: _Lines, raw_row: int, kg: float) -> dict[str, Any]:
    raw = lines.raw
    return {
        "line": raw.label(raw_row),
        "where": str(raw.where(raw_row)),
        "material": raw.factor_id[raw_row],
        "origin": raw.origin[raw_row] or None,
        "kg": kg,
        "countries": {
            stage: lines.country(raw_row, s) or None for s, stage in enumerate(SUPPLY_STAGES)
        },
    }


def _not_counted(lines: _Lines) -> list[dict[str, Any]]:
    """Material lines that hold a reported element whose mass carbonfp cannot know: the
    composition data give no fraction for their material, or their amount is not a mass."""
    raw, data, table = lines.raw, lines.data, lines.table
    composition = table.factors.composition
    found = element_lines(table)
    counted = set(found.rows.tolist())
    names = {e.key: e.name for e in data.elements}
    out = []
    for row in lines.rows.tolist():
        if table.cff_of[row] >= 0 or row in counted:
            continue
        raw_row = int(table.raw_row[row])
        if raw.kind[raw_row] != _MATERIAL or raw.stage[raw_row] == _EOL:
            continue
        fid = raw.factor_id[raw_row]
        holds = data.holds.get(fid)
        fractions = composition.get(fid.lower(), {})
        if holds is not None and not fractions:
            elements, why = list(holds.elements), holds.why
        elif fractions:
            elements = [e for e in names if fractions.get(e, 0) > 0]
            why = f"its amount is given in {raw.unit[raw_row]!r}, not as a mass"
        else:
            continue
        if not elements:
            continue
        scale = found.mass_scale[int(raw.unit.codes[raw_row])]
        mass = float(raw.quantity[raw_row] * scale) if np.isfinite(scale) else None
        out.append(
            {
                "line": raw.label(raw_row),
                "where": str(raw.where(raw_row)),
                "material": fid,
                "mass_kg": mass,
                "origin": raw.origin[raw_row] or None,
                "elements": elements,
                "names": [names[e] for e in elements],
                "why": why,
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# the footprint by country of origin
# --------------------------------------------------------------------------------------------


def _footprint(lines: _Lines, battery: int) -> dict[str, Any]:
    """kg CO2e per life-cycle stage and country of origin: the evaluated kg of each row of the
    battery, by the country its line comes from (an end-of-life row of the Circular Footprint
    Formula: its material line's)."""
    ev, table = lines.ev, lines.table
    rows = lines.rows
    raw_rows = table.raw_row[rows]
    country_of_row = [lines.supplied(int(r)) or UNKNOWN for r in raw_rows.tolist()]
    names = sorted(set(country_of_row))
    code = np.array([names.index(c) for c in country_of_row], dtype=np.intp)
    stage = table.stage[rows]
    valid = stage >= 0
    matrix = np.zeros(len(names) * len(STAGES))
    np.add.at(matrix, code[valid] * len(STAGES) + stage[valid], ev.kg[rows][valid])
    stage_kg = matrix.reshape(len(names), len(STAGES))
    fu = table.functional_units[battery]
    e_total = fu.total_energy_kwh if fu is not None else float("nan")
    capacity = table.projects[battery].battery.usable_capacity_kwh
    figures = Figures.compute(
        names, stage_kg, np.full(len(names), e_total), np.full(len(names), capacity)
    )
    total = float(ev.figures.absolute_kg[battery])
    countries = load_countries()
    order = sorted(
        range(len(names)),
        key=lambda i: (names[i] == UNKNOWN, -figures.absolute_kg[i], names[i]),
    )
    return {
        "total_kg_co2e": total,
        "total_energy_kwh": e_total,
        "countries": [
            {
                "country": names[i],
                "name": "no stated origin" if names[i] == UNKNOWN else countries.name(names[i]),
                "kg_co2e": float(figures.absolute_kg[i]),
                "share": float(figures.absolute_kg[i]) / total if total else 0.0,
                "kg_co2e_per_kwh": float(figures.total_per_kwh[i]),
                "stages": {
                    s.value: {
                        "kg_co2e": float(figures.stage_kg[i, j]),
                        "kg_co2e_per_kwh": float(figures.stage_per_kwh[i, j]),
                    }
                    for j, s in enumerate(STAGES)
                },
            }
            for i in order
        ],
    }


# --------------------------------------------------------------------------------------------
# the rules' findings
# --------------------------------------------------------------------------------------------


def _findings(
    rule: SourcingRule,
    lines: _Lines,
    element_rows: dict[str, list[tuple[int, float]]],
    not_counted: list[dict[str, Any]],
    data: SourcingData,
) -> list[dict[str, Any]]:
    test = rule.test
    out: list[dict[str, Any]] = []
    for cover in rule.covers:
        held = [
            (r, kg)
            for r, kg in element_rows.get(cover.element, [])
            if not cover.materials or lines.raw.factor_id[r] in cover.materials
        ]
        name = data.element_name(cover.element)
        base = {"rule": rule.label, "element": cover.element, "name": name}
        missing = [
            x
            for x in not_counted
            if cover.element in x["elements"]
            and (not cover.materials or x["material"] in cover.materials)
        ]
        if missing:
            out.append(
                base
                | {
                    "stage": None,
                    "stages": [],
                    "status": "not-counted",
                    "country": None,
                    "kg": None,
                    "share": None,
                    "message": f"{len(missing)} line(s) hold {name} whose mass carbonfp cannot "
                    "know (see 'not counted'): their "
                    f"{name} is not assessed",
                    "lines": [
                        {"line": x["line"], "where": x["where"], "kg": None} for x in missing
                    ],
                }
            )
        if not held:
            continue
        if test.kind == "origin-unknown":
            stages = [SUPPLY_STAGES.index(s) for s in test.stages]
            unknown_rows = [
                (r, kg) for r, kg in held if not any(lines.country(r, s) for s in stages)
            ]
            unknown = sum(kg for _, kg in unknown_rows)
            known = sum(kg for _, kg in held) - unknown
            for f in of_unknown_origin(known, unknown):
                out.append(
                    base
                    | _finding(f, None, rule, name)
                    | {"lines": [_behind(lines, r, kg) for r, kg in unknown_rows]}
                )
            continue
        silent: list[str] = []  # stages where no origin is stated: one finding for them all
        for stage in test.stages:
            s = SUPPLY_STAGES.index(stage)
            by_country, unknown = _by_country(lines, held, s)
            if test.kind == "single-country-share-above":
                assert test.threshold is not None
                found = single_country_above(by_country, unknown, test.threshold, test.exclude)
            else:
                found = in_listed_countries(by_country, unknown, test.countries)
            for f in found:
                if f.status == "not-assessed":
                    silent.append(stage)
                    continue
                behind = [
                    _behind(lines, r, kg)
                    for r, kg in held
                    if lines.country(r, s) == (f.country or "")
                ]
                out.append(base | _finding(f, stage, rule, name) | {"lines": behind})
        if silent:
            total = sum(kg for _, kg in held)
            f = Finding("not-assessed", None, total, 1.0)
            out.append(
                base
                | _finding(f, " and ".join(silent), rule, name)
                | {
                    "stage": None,
                    "stages": silent,
                    "lines": [_behind(lines, r, kg) for r, kg in held],
                }
            )
    return out


def _behind(lines: _Lines, raw_row: int, kg: float) -> dict[str, Any]:
    return {"line": lines.raw.label(raw_row), "where": str(lines.raw.where(raw_row)), "kg": kg}


def _finding(f: Finding, stage: str | None, rule: SourcingRule, name: str) -> dict[str, Any]:
    countries = load_countries()
    plural = "s" if stage and " and " in stage else ""
    where = f"at the {stage} stage{plural}" if stage else "at any stage"
    country = f"{f.country} ({countries.name(f.country)})" if f.country else ""
    pct = f"{f.share * 100:.1f} %"
    threshold = f"{(rule.test.threshold or 0) * 100:g} %"
    messages = {
        "above": f"{pct} of the {name} {where} comes from {country}, a single country outside "
        f"the rule's exclusions: above {threshold}",
        "undetermined": f"{pct} of the {name} {where} has no stated origin: a single country's "
        f"share may be above {threshold}",
        "not-assessed": f"no origin is stated for the {name} {where}: the share of a single "
        "country cannot be computed there",
        "listed": f"{f.kg:.4g} kg ({pct}) of the {name} has its {stage} stage in {country}, a "
        "country the rule lists",
        "unknown": f"{f.kg:.4g} kg ({pct}) of the {name} is in lines with no stated origin {where}",
    }
    return {
        "stage": stage,
        "stages": [stage] if stage else [],
        "status": f.status,
        "country": f.country,
        "kg": f.kg,
        "share": f.share,
        "message": messages[f.status],
    }
