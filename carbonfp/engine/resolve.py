"""Resolve: raw lines and their batteries into one line table of stages, amounts and factors.

The only place where a line gets its factor (its own supplier value, a row of the factor set, a
GWP, or an electricity block's factor under the ruleset's policy), its stage, its unit scale and
its Circular Footprint Formula terms. Work is done once per distinct value (factor id, pair of
units, supply, end-of-life data and material group), then spread over the lines with arrays,
so a long BOM of a million lines costs about as much Python as a project of sixty. Problems are
collected per battery, never raised: a battery with problems fails alone.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from carbonfp.columns import (
    DATA_TYPES,
    DEFAULT_DATA_TYPE,
    KIND_FROM_FACTOR,
    KINDS,
    NO_STAGE,
    STAGES,
    Bools,
    Codes,
    Floats,
    Ints,
    RawLines,
    Texts,
    combined_codes,
)
from carbonfp.columns import distinct as distinct_keys
from carbonfp.data.catalogue import Catalogue, load_catalogue
from carbonfp.errors import CarbonfpError, InputError, Location
from carbonfp.method.circularity import cff_terms, group_of
from carbonfp.method.electricity import duplicate_message, resolve_electricity, sources_of
from carbonfp.method.functional_unit import functional_unit
from carbonfp.method.stages import default_stage
from carbonfp.model import (
    CffMaterial,
    DataType,
    ElectricityResult,
    EndOfLife,
    EolMaterial,
    FactorSet,
    FunctionalUnit,
    Issue,
    LineKind,
    Project,
    Ruleset,
    Stage,
    SuppliedFactor,
    default_data_type,
    grid_country,
)
from carbonfp.units import emission_scale, scale_to

MODES = ("screening", "declaration")
#: Factor tables a line of each kind may take its factor from.
TABLES = {
    LineKind.MATERIAL: ("materials", "end_of_life", "screening"),
    LineKind.ELECTRICITY: ("electricity",),
    LineKind.FUEL: ("fuels",),
    LineKind.TRANSPORT: ("transport",),
}
_K = {kind: i for i, kind in enumerate(KINDS)}
_S = {stage: i for i, stage in enumerate(STAGES)}
_D = {data_type: i for i, data_type in enumerate(DATA_TYPES)}


@dataclass(frozen=True)
class Factor:
    """The factor a group of lines uses, wherever it came from."""

    id: str
    value: float
    unit: str
    source: str
    status: str
    set_label: str = ""
    dqr: float | None = None
    #: the factor set row whose spread Monte Carlo draws for these lines (None: no spread)
    spread_id: str | None = None


#: The record of lines whose factor could not be resolved (their battery fails).
_NONE = Factor("", math.nan, "", "", "")


@dataclass(frozen=True, eq=False)
class CffLines:
    """The formula's terms for every material line it applies to (kg CO2e per battery)."""

    row: Ints  # table row of the material line (= its raw row)
    battery: Ints
    group: Ints  # index into rules.cff
    mass_kg: Floats
    kg_per_unit: Floats  # kg per one unit of the line's amount
    r1: Floats
    r2: Floats
    r3: Floats
    a: Floats
    q_out: Floats
    ev: Floats
    erec: Floats  # NaN where the R1 term does not apply
    erec_eol: Floats  # NaN where R2 is 0 or there is no [end_of_life]
    disposal: Floats  # NaN where nothing is disposed of or no factor is given
    raw_per_kg: Floats
    raw_materials_kg: Floats
    recycling_kg: Floats
    energy_recovery_kg: Floats
    disposal_kg: Floats
    #: table row of the end-of-life line added for it, -1 where none was added
    eol_row: Ints
    #: the project gave the recycling factor (the added line is supplier data)
    supplier_data: Bools
    #: neither the project nor the ruleset gives R2 (its recycling is not credited)
    r2_missing: Bools
    #: the project gives no disposal factor (the unrecycled share is not counted)
    disposal_missing: Bools

    def __len__(self) -> int:
        return len(self.row)

    @property
    def end_of_life_kg(self) -> Floats:
        return self.recycling_kg + self.energy_recovery_kg + self.disposal_kg


@dataclass(frozen=True, eq=False)
class LineTable:
    """Resolved lines of batteries that share one ruleset, factor set and mode.

    Rows: first every raw line (row i is raw line i), then one end-of-life line per material
    line the Circular Footprint Formula gives end-of-life terms. kg CO2e of a row = quantity x
    value x scale. Per battery: the project, its functional unit, its problems and warnings.
    """

    projects: tuple[Project, ...]
    raw: RawLines
    factors: FactorSet
    rules: Ruleset
    mode: str
    #: per battery: the run settings and where each came from (Provenance.run)
    runs: tuple[tuple[tuple[str, str, str], ...], ...]
    # per row
    raw_row: Ints  # the raw line (for an end-of-life line: its material's)
    battery: Ints
    kind: Ints
    stage: Ints
    quantity: Floats
    scale: Floats
    value: Floats
    factor_id: Texts
    factor_unit: Texts
    source: Texts
    status: Texts
    set_label: Texts
    factor_dqr: Floats
    line_dqr: Floats
    data_type: Ints
    #: the factor set row whose spread Monte Carlo draws for the row ("" none)
    spread_id: Texts
    cff_of: Ints  # for an end-of-life line, its index in ``cff``; else -1
    cff: CffLines
    #: per raw row: index into ``electricity_results`` (-1 for other lines)
    electricity: Ints
    electricity_results: tuple[ElectricityResult, ...]
    # per battery
    functional_units: tuple[FunctionalUnit | None, ...]
    problems: tuple[tuple[CarbonfpError, ...], ...]
    warnings: tuple[tuple[Issue, ...], ...]
    #: the factor set rows the formula took Erec from, per battery (for the status warnings)
    erec_ids: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.quantity)

    def label(self, row: int) -> str:
        return self.raw.label(int(self.raw_row[row]))

    def where(self, row: int) -> Location:
        return self.raw.where(int(self.raw_row[row]))


class _Problems:
    """Problems per battery, in the order found."""

    def __init__(self, batteries: int) -> None:
        self.by_battery: list[list[CarbonfpError]] = [[] for _ in range(batteries)]

    def add(self, battery: int, error: CarbonfpError) -> None:
        self.by_battery[battery].append(error)

    def at_rows(self, raw: RawLines, rows: Ints, error: CarbonfpError) -> None:
        """The same problem on each of ``rows``, each located at its row."""
        for row in rows:
            self.add(int(raw.battery[row]), _located(error, raw.where(int(row))))


def _located(error: CarbonfpError, where: Location) -> CarbonfpError:
    return type(error)(error.message, where=where, hint=error.hint, code=error.code)


def resolve(
    projects: Sequence[Project],
    raw: RawLines,
    factors: FactorSet,
    rules: Ruleset,
    mode: str = "screening",
    run: tuple[tuple[str, str, str], ...] = (),
    runs: Sequence[tuple[tuple[str, str, str], ...]] = (),
) -> LineTable:
    """Resolve the raw lines of ``projects`` (``raw.battery`` indexes ``projects``).

    ``run`` records the settings of every battery, ``runs`` those of each battery (batteries
    computed alike may have got their settings from different places).

    Never raises for bad input: each battery's problems are in ``LineTable.problems``. Raises
    ValueError for a mode other than screening or declaration (a programming error).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    problems = _Problems(len(projects))
    catalogue = load_catalogue()
    raw = _complete(canonical_ids(raw, factors, catalogue), factors, problems)
    _check_roles(raw, catalogue, problems)
    n = len(raw)
    warnings: list[list[Issue]] = [list(p.warnings) for p in projects]
    fus: list[FunctionalUnit | None] = []
    # once per distinct battery (its model aside): a portfolio repeats capacities and warranties;
    # a result with warnings is not shared (its warnings name the project)
    done: dict[tuple[object, ...], tuple[FunctionalUnit, list[Issue]]] = {}
    for b, project in enumerate(projects):
        facts = dict(vars(project.battery))
        del facts["model"]
        key = tuple(facts.values())
        found = done.get(key)
        if found is None:
            try:
                found = functional_unit(project.battery, rules, project.label)
            except CarbonfpError as exc:
                problems.add(b, exc)
                fus.append(None)
                continue
            if not found[1]:
                done[key] = found
        fus.append(found[0])
        warnings[b].extend(found[1])

    own = ~np.isnan(raw.own_value)
    stage = _stages(raw, rules, problems)

    # one factor record per distinct (kind, factor id), gas or electricity supply
    records: list[Factor] = [_NONE]
    record = np.zeros(n, dtype=np.intp)
    _set_factors(raw, own, factors, rules, records, record, problems)
    electricity, electricity_results = _electricity(
        raw, own, factors, rules, records, record, problems, warnings
    )

    any_own = bool(own.any())

    def pick(own_texts: Texts, field: str) -> Texts:
        """A text column: the own factor's text where a line has one, else its record's."""
        index: dict[str, int] = {}
        own_map = np.array([index.setdefault(v, len(index)) for v in own_texts.values], np.intp)
        rec_map = np.array(
            [index.setdefault(getattr(r, field), len(index)) for r in records], np.intp
        )
        if not any_own:  # the common case: every line's factor from a set
            return Codes(np.asarray(rec_map[record], dtype=np.intp), tuple(index))
        codes = np.where(own, own_map[own_texts.codes], rec_map[record])
        return Codes(np.asarray(codes, dtype=np.intp), tuple(index))

    value = np.where(own, raw.own_value, np.array([r.value for r in records])[record])
    factor_unit = pick(raw.own_unit, "unit")
    supplier = tuple(f"supplier: {s}" for s in raw.own_source.values)
    source = pick(Codes(raw.own_source.codes, supplier), "source")
    factor_id = pick(raw.factor_id, "id")
    status = pick(Codes.constant("supplier", n), "status")
    set_label = pick(Codes.constant("", n), "set_label")
    spread_id = pick(Codes.constant("", n), "spread_id")
    record_dqr = np.array([math.nan if r.dqr is None else r.dqr for r in records])
    factor_dqr = np.where(own, math.nan, record_dqr[record])
    scale = _scales(raw, factor_unit, factor_id, problems)

    # the Circular Footprint Formula on raw-material lines of its material groups
    cff = _circular(projects, raw, own, stage, value, factor_unit, factors, rules, problems)
    _cff_warnings(projects, cff, rules, warnings)
    _unused_recycled_shares(raw, own, cff, rules, warnings)
    _unknown_eol_groups(projects, rules, warnings)
    _mass_without_eol(projects, raw, stage, cff, warnings)
    changed = cff.row[~np.isnan(cff.erec)]
    if len(changed):  # the R1 term changes the line's factor: per kg from now on
        k = ~np.isnan(cff.erec)
        value = value.copy()
        scale = scale.copy()
        value[changed] = cff.raw_per_kg[k]
        scale[changed] = cff.kg_per_unit[k]
        source = _replace(
            source,
            changed,
            [
                f"{source[int(r)]}; CFF R1 = {share:g}"
                for r, share in zip(changed, cff.r1[k], strict=True)
            ],
        )
        factor_unit = _replace(factor_unit, changed, ["kg CO2e/kg"] * len(changed))

    # the end-of-life lines the formula adds, after the raw lines
    added = np.flatnonzero(cff.eol_row >= 0)
    m = len(added)
    material = cff.row[added]
    mass = cff.mass_kg[added]
    eol_kg = cff.end_of_life_kg[added]
    eol_value = np.divide(eol_kg, mass, out=np.zeros(m), where=mass != 0)
    routes = [projects[int(b)].end_of_life for b in cff.battery[added]]
    return LineTable(
        projects=tuple(projects),
        raw=raw,
        factors=factors,
        rules=rules,
        mode=mode,
        runs=tuple(runs) or tuple(run for _ in projects),
        raw_row=_append(np.arange(n, dtype=np.intp), material),
        battery=_append(raw.battery, cff.battery[added]),
        kind=_append(raw.kind, np.full(m, _K[LineKind.MATERIAL], dtype=np.intp)),
        stage=_append(stage, np.full(m, _S[Stage.END_OF_LIFE], dtype=np.intp)),
        quantity=_append(raw.quantity, mass),
        scale=_append(scale, np.ones(m)),
        value=_append(value, eol_value),
        factor_id=Codes.concat(
            [factor_id, Codes.of(f"cff:{rules.cff[int(g)].name}" for g in cff.group[added])]
        ),
        factor_unit=Codes.concat([factor_unit, Codes.constant("kg CO2e/kg", m)]),
        source=Codes.concat(
            [
                source,
                Codes.of(
                    f"Circular Footprint Formula, end-of-life terms ({eol.route if eol else ''})"
                    for eol in routes
                ),
            ]
        ),
        status=Codes.concat([status, Codes.constant("formula", m)]),
        set_label=Codes.concat([set_label, Codes.constant("", m)]),
        factor_dqr=_append(factor_dqr, np.full(m, math.nan)),
        line_dqr=_append(raw.dqr, np.full(m, math.nan)),
        data_type=_append(
            raw.data_type,
            np.where(
                cff.supplier_data[added], _D[DataType.SUPPLIER], _D[DataType.SECONDARY]
            ).astype(np.intp),
        ),
        spread_id=Codes.concat([spread_id, Codes.constant("", m)]),
        cff_of=_append(np.full(n, -1, dtype=np.intp), added.astype(np.intp)),
        cff=cff,
        electricity=electricity,
        electricity_results=electricity_results,
        functional_units=tuple(fus),
        problems=tuple(tuple(p) for p in problems.by_battery),
        warnings=tuple(tuple(w) for w in warnings),
        erec_ids=_erec_ids(len(projects), cff, factors, rules),
    )


def canonical_ids(raw: RawLines, factors: FactorSet, catalogue: Catalogue) -> RawLines:
    """Material ids given as a catalogue alias (or with other case, spaces or punctuation:
    ``NCM811``, ``Graphite Natural``) as the catalogue's id; an id the factor set has is kept
    as written. Once per distinct id; the lines' objects follow, so every path sees the same."""
    values = raw.factor_id.values
    mapped = [v if not v or v in factors.factors else (catalogue.canonical(v) or v) for v in values]
    if mapped == list(values):
        return raw
    factor_id = Codes(raw.factor_id.codes, tuple(mapped)).compact()
    objects = raw.objects
    if objects is not None:
        objects = tuple(
            replace(line, factor_id=mapped[int(code)])
            if mapped[int(code)] != values[code]
            else line
            for line, code in zip(objects, raw.factor_id.codes, strict=True)
        )
    return replace(raw, factor_id=factor_id, objects=objects)


def _check_roles(raw: RawLines, catalogue: Catalogue, problems: _Problems) -> None:
    """Roles given with lines (a BOM's role column, an energy block's role key) must be roles
    of the catalogue that apply to the line's kind: materials take material roles; electricity,
    fuel and process gases energy roles; transport legs none."""
    if not len(raw.role) or raw.role.values == ("",):
        return
    kind_group = np.array(
        [
            "material" if k is LineKind.MATERIAL else "" if k is LineKind.TRANSPORT else "energy"
            for k in KINDS
        ]
    )
    empty = raw.role.values.index("") if "" in raw.role.values else -1
    given = np.flatnonzero(raw.role.codes != empty)
    if not len(given):
        return
    # once per distinct (kind, role): a long BOM repeats them on millions of lines
    first, inverse = combined_codes(
        (raw.kind[given], len(KINDS)), (raw.role.codes[given], len(raw.role.values))
    )
    for k, at in enumerate(first.tolist()):
        row = int(given[at])
        role = raw.role[row]
        group = str(kind_group[int(raw.kind[row])])
        found = catalogue.roles.get(role)
        if found is not None and found.applies_to == group:
            continue
        if not group:
            error = InputError(
                f"a transport leg has no role (got {role!r})",
                hint="remove the role: transport is never company-specific data by role",
                code="invalid-value",
            )
        else:
            close = catalogue.close_roles(role, group)
            error = InputError(
                f"unknown {group} role {role!r}"
                + (f": did you mean {close[0]!r}?" if close else ""),
                hint=f"{group} roles: "
                + ", ".join(catalogue.roles_for(group))
                + " (`carbonfp materials --roles` lists them)",
                code="invalid-value",
            )
        problems.at_rows(raw, given[inverse == k], error)


def _complete(raw: RawLines, factors: FactorSet, problems: _Problems) -> RawLines:
    """Kinds and data types of lines that leave them to their factor (long-BOM rows without
    ``kind`` or ``data_type``): a line with its own factor is a material; else the table of its
    factor id decides (electricity, fuels, transport; anything else a material). An electricity
    line found so takes its grid country from the id (``grid-hu``)."""
    unknown = raw.kind == KIND_FROM_FACTOR
    no_type = raw.data_type == DEFAULT_DATA_TYPE
    if not unknown.any() and not no_type.any():
        return raw
    own = ~np.isnan(raw.own_value)
    by_table = {
        "electricity": LineKind.ELECTRICITY,
        "fuels": LineKind.FUEL,
        "transport": LineKind.TRANSPORT,
    }
    kind_of_id = np.array(
        [
            _K[by_table.get(f.table, LineKind.MATERIAL)]
            if (f := factors.factors.get(fid))
            else _K[LineKind.MATERIAL]
            for fid in raw.factor_id.values
        ],
        dtype=np.intp,
    )
    inferred = np.where(own, _K[LineKind.MATERIAL], kind_of_id[raw.factor_id.codes])
    kind = np.where(unknown, inferred, raw.kind).astype(np.intp)
    defaults = np.array(
        [[_D[default_data_type(k, o)] for o in (False, True)] for k in KINDS], dtype=np.intp
    )
    data_type = np.where(no_type, defaults[kind, own.astype(np.intp)], raw.data_type)
    origin = raw.origin
    electricity = np.flatnonzero(
        unknown & (kind == _K[LineKind.ELECTRICITY]) & raw.origin.equals("")
    )
    if len(electricity):  # the grid country from the grid id, once per distinct id
        countries = list(raw.origin.values)
        codes = raw.origin.codes.copy()
        country_of = [grid_country(fid) for fid in raw.factor_id.values]
        for fid_code in np.unique(raw.factor_id.codes[electricity]):
            rows = electricity[raw.factor_id.codes[electricity] == fid_code]
            country = country_of[int(fid_code)]
            if country is None:
                for row in rows:
                    problems.add(
                        int(raw.battery[row]),
                        InputError(
                            "an electricity line needs its grid country",
                            where=raw.where(int(row)),
                            hint="give origin (an ISO country code such as HU) or a grid id "
                            "(grid-hu) in material",
                            code="missing-value",
                        ),
                    )
                continue
            if country not in countries:
                countries.append(country)
            codes[rows] = countries.index(country)
        origin = Codes(codes, tuple(countries))
    for row in np.flatnonzero(unknown & (kind != _K[LineKind.ELECTRICITY]) & (raw.supply >= 0)):
        problems.add(
            int(raw.battery[row]),
            InputError(
                "supply columns are for electricity lines",
                where=raw.where(int(row)),
                hint="leave supply, technology, share, certificate_id ... empty on other lines",
                code="invalid-value",
            ),
        )
    return replace(raw, kind=kind, data_type=np.asarray(data_type, dtype=np.intp), origin=origin)


def _append(first: Any, second: Any) -> Any:
    """Rows of ``second`` after those of ``first`` (``first`` itself when there are none)."""
    return first if not len(second) else np.concatenate([first, second])


def _replace(texts: Texts, rows: Ints, new: Sequence[str]) -> Texts:
    """``texts`` with the values at ``rows`` replaced by ``new``."""
    merged = Codes.concat([texts, Codes.of(new)])
    codes = merged.codes[: len(texts)].copy()
    codes[rows] = merged.codes[len(texts) :]
    return Codes(codes, merged.values)


# --------------------------------------------------------------------------------------------
# stages
# --------------------------------------------------------------------------------------------


def _stages(raw: RawLines, rules: Ruleset, problems: _Problems) -> Ints:
    """The line's own stage where it names one, else the ruleset's stage for its kind."""
    defaults = [default_stage(k, rules) for k in KINDS]
    default = np.array([NO_STAGE if s is None else _S[s] for s in defaults], dtype=np.intp)
    stage = np.where(raw.stage != NO_STAGE, raw.stage, default[raw.kind])
    for row in np.flatnonzero(stage == NO_STAGE):
        kind = KINDS[int(raw.kind[row])]
        problems.add(
            int(raw.battery[row]),
            InputError(
                f"{kind.value} line {raw.label(int(row))!r} has no stage",
                where=raw.where(int(row)),
                hint='add stage = "raw_materials" (inbound) or "distribution" (finished battery)',
                code="missing-stage",
            ),
        )
    return np.asarray(stage, dtype=np.intp)


# --------------------------------------------------------------------------------------------
# factors of the set and GWPs
# --------------------------------------------------------------------------------------------


def _set_factors(
    raw: RawLines,
    own: Bools,
    factors: FactorSet,
    rules: Ruleset,
    records: list[Factor],
    record: Ints,
    problems: _Problems,
) -> None:
    """Fill ``record`` for lines that take their factor from the set or from a GWP table."""
    rows = np.flatnonzero(~own & (raw.kind != _K[LineKind.ELECTRICITY]))
    if not len(rows):
        return
    width = len(raw.factor_id.values)
    distinct, _, inverse = distinct_keys(
        raw.kind[rows] * width + raw.factor_id.codes[rows], len(KINDS) * width
    )
    chosen = np.zeros(len(distinct), dtype=np.intp)
    for k, key in enumerate(distinct):
        kind = KINDS[int(key) // width]
        fid = raw.factor_id.values[int(key) % width]
        try:
            if kind is LineKind.PROCESS_EMISSION:
                found = _gwp(fid, factors, rules)
            else:
                found = _from_set(kind, fid, factors)
        except InputError as exc:
            problems.at_rows(raw, rows[inverse == k], exc)
            continue
        chosen[k] = len(records)
        records.append(found)
    record[rows] = chosen[inverse]


def _from_set(kind: LineKind, fid: str, factors: FactorSet) -> Factor:
    tables = TABLES[kind]
    factor = factors.factors.get(fid)
    if factor is not None and factor.table in tables:
        return Factor(
            factor.id,
            factor.value,
            factor.unit,
            factor.source,
            factor.status,
            factor.set_label,
            factor.dqr_score,
            factor.id,
        )
    if factor is not None:
        raise InputError(
            f"{fid!r} is a {factor.table} factor, not a {kind.value} factor",
            hint=f"use a {' or '.join(tables)} id here",
            code="wrong-factor-table",
        )
    raise unknown_factor(kind, fid, factors)


def unknown_factor(kind: LineKind, fid: str, factors: FactorSet) -> InputError:
    """The error for a factor id the set does not have, with the closest ids it has."""
    tables = TABLES[kind]
    known = sorted(k for k, f in factors.factors.items() if f.table in tables)
    if kind is LineKind.MATERIAL:
        catalogue = load_catalogue()
        entry = catalogue.materials.get(fid)
        if entry is not None:  # a known material without an open value
            return InputError(
                f"material {fid!r} ({entry.name}) has no value in {factors.label}: no open, "
                "citable value for it is shipped",
                hint="give a supplier-specific value in the BOM's factor column (e.g. "
                "'12.4 kg CO2e/kg') with its factor_source, or layer your own factor set "
                "(--factors); `carbonfp materials` shows which materials have a value",
                code="unknown-factor",
            )
        close = catalogue.suggestions(fid)
        close += [
            c for c in difflib.get_close_matches(fid, known, n=3, cutoff=0.5) if c not in close
        ]
        close = close[:3]
    else:
        close = difflib.get_close_matches(fid, known, n=3, cutoff=0.5)
    if not close:  # a word of it in an id or a name ("stainless steel": steel-sheet, ...)
        words = {w for w in re.split(r"[\s_\-/(),.]+", fid.lower()) if len(w) >= 3}
        close = [
            k
            for k in known
            if words & set(re.split(r"[\s_\-/(),.]+", f"{k} {factors.factors[k].name}".lower()))
        ][:3]
    named = [repr(c) + ("" if c in factors.factors else " (no open value)") for c in close]
    suggestion = f"did you mean {' or '.join(named)}? If not, " if close else ""
    if kind is LineKind.MATERIAL:
        how = (
            "give a supplier-specific value in the BOM's factor column (e.g. '12.4 kg CO2e/kg')"
            " with its factor_source"
        )
        what = "material"
    elif kind is LineKind.FUEL:
        how = 'give factor = "... kg CO2e/MJ" and factor_source in the [[fuel]] block'
        what = "fuel"
    else:
        how = 'give factor = "... kg CO2e/(t*km)" and factor_source in the [[transport]] leg'
        what = "transport mode"
    return InputError(
        f"unknown {what} {fid!r}: {factors.label} has no factor for it",
        hint=suggestion + how + ("; `carbonfp factors` lists the shipped ids" if not close else ""),
        code="unknown-factor",
    )


def _gwp(gas: str, factors: FactorSet, rules: Ruleset) -> Factor:
    table = factors.gwp.get(rules.gwp_set)
    if table is None:
        raise InputError(
            f"factor set {factors.label} has no GWP set {rules.gwp_set!r} (ruleset {rules.id})",
            hint="use a factor set whose gwp.toml has it, or a ruleset with another gwp_set",
            code="unknown-gwp-set",
        )
    if gas not in table:
        raise InputError(
            f"unknown gas {gas!r}",
            hint=f"gases with a {rules.gwp_set} GWP: {', '.join(table)}",
            code="unknown-factor",
        )
    return Factor(
        f"{rules.gwp_set}:{gas}",
        table[gas],
        "kg CO2e/kg",
        factors.gwp_sources.get(rules.gwp_set, ""),
        "default",
    )


# --------------------------------------------------------------------------------------------
# electricity
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Supply:
    """One distinct (grid country, supply, already claimed) resolved under the policy."""

    result: int  # index into the results, -1 when it failed
    record: int
    issues: tuple[Issue, ...]
    error: CarbonfpError | None


def _electricity(
    raw: RawLines,
    own: Bools,
    factors: FactorSet,
    rules: Ruleset,
    records: list[Factor],
    record: Ints,
    problems: _Problems,
    warnings: list[list[Issue]],
) -> tuple[Ints, tuple[ElectricityResult, ...]]:
    """Each electricity block's factor under the ruleset's policy, once per distinct supply.

    A block whose certificate an earlier block of the same battery already claimed fails the
    unique-claim criterion, and its battery is warned.
    """
    index = np.full(len(raw), -1, dtype=np.intp)
    rows = np.flatnonzero((raw.kind == _K[LineKind.ELECTRICITY]) & ~own)
    if not len(rows):
        return index, ()
    claimed_before = np.zeros(len(rows), dtype=bool)
    duplicates: list[tuple[int, Issue]] = []
    first: dict[tuple[int, str], int] = {}
    certified = [
        s for s, supply in enumerate(raw.supplies) if supply.certificate_id
    ]  # only blocks with a certificate can claim one twice
    for i in np.flatnonzero(np.isin(raw.supply[rows], certified)):
        row = int(rows[i])
        cid = raw.supplies[int(raw.supply[row])].certificate_id
        assert cid is not None
        claim = (int(raw.battery[row]), cid)
        if claim in first:
            claimed_before[i] = True
            where = f"{raw.where(row)}; first claimed at {raw.where(first[claim])}"
            duplicates.append(
                (claim[0], Issue("duplicate-certificate", duplicate_message(cid), where))
            )
        else:
            first[claim] = row
    # once per distinct (grid country, supply, already claimed), spread over the blocks
    first_rows, signature = combined_codes(
        (raw.origin.codes[rows], len(raw.origin.values)),
        (raw.supply[rows] + 1, len(raw.supplies) + 1),
        (claimed_before.astype(np.intp), 2),
    )
    results: list[ElectricityResult] = []
    policy_issues: list[tuple[int, Issue]] = []  # (row, issue): added in line order below
    result_of = np.full(len(first_rows), -1, dtype=np.intp)
    record_of = np.zeros(len(first_rows), dtype=np.intp)
    for k, at in enumerate(first_rows):
        block = int(rows[at])
        key = (int(raw.origin.codes[block]), int(raw.supply[block]), bool(claimed_before[at]))
        supply = _resolve_supply(raw, block, key, factors, rules, records, results)
        members = rows[signature == k]
        if supply.error is not None:
            problems.at_rows(raw, members, supply.error)
            continue
        result_of[k], record_of[k] = supply.result, supply.record
        for member in members if supply.issues else ():  # the policy's warnings, at each block
            policy_issues.extend(
                (int(member), Issue(i.code, i.message, str(raw.where(int(member)))))
                for i in supply.issues
            )
    ok = result_of[signature] >= 0
    index[rows[ok]] = result_of[signature][ok]
    record[rows[ok]] = record_of[signature][ok]
    for at_row, issue in sorted(policy_issues, key=lambda pair: pair[0]):
        warnings[int(raw.battery[at_row])].append(issue)
    for b, issue in duplicates:
        warnings[b].append(issue)
    return index, tuple(results)


def _resolve_supply(
    raw: RawLines,
    row: int,
    key: tuple[int, int, bool],
    factors: FactorSet,
    rules: Ruleset,
    records: list[Factor],
    results: list[ElectricityResult],
) -> _Supply:
    line = raw.activity_line(row)
    supply = raw.supplies[key[1]] if key[1] >= 0 else None
    claimed = (
        frozenset({supply.certificate_id})
        if key[2] and supply and supply.certificate_id
        else frozenset()
    )
    try:
        result, issues = resolve_electricity(line, factors, rules, claimed)
    except InputError as exc:
        return _Supply(-1, 0, (), exc)
    ids = result.factor_ids
    records.append(
        Factor(
            " + ".join(ids),
            result.factor_kg_per_kwh,
            "kg CO2e/kWh",
            sources_of(result, factors),
            _electricity_status(ids, factors),
            ", ".join(
                dict.fromkeys(factors.factors[f].set_label for f in ids if f in factors.factors)
            ),
            _mean_dqr(ids, factors),
            ids[0] if len(ids) == 1 and ids[0] in factors.factors else None,
        )
    )
    results.append(result)
    return _Supply(len(results) - 1, len(records) - 1, tuple(issues), None)


def _electricity_status(ids: tuple[str, ...], factors: FactorSet) -> str:
    statuses = [factors.factors[f].status for f in ids if f in factors.factors]
    for status in ("proxy", "literature", "user"):
        if status in statuses:
            return status
    return "default" if statuses else "project"


def _mean_dqr(ids: tuple[str, ...], factors: FactorSet) -> float | None:
    scores = [
        d for f in ids if f in factors.factors and (d := factors.factors[f].dqr_score) is not None
    ]
    return sum(scores) / len(scores) if scores else None


# --------------------------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------------------------


def _scales(raw: RawLines, factor_unit: Texts, factor_id: Texts, problems: _Problems) -> Floats:
    """kg CO2e per (amount unit x factor unit), once per distinct pair of units."""
    if not len(raw):
        return np.zeros(0)
    width = len(factor_unit.values)
    distinct, _, inverse = distinct_keys(
        raw.unit.codes * width + factor_unit.codes, len(raw.unit.values) * width
    )
    scales = np.full(len(distinct), math.nan)
    for k, key in enumerate(distinct):
        amount = raw.unit.values[int(key) // width]
        unit = factor_unit.values[int(key) % width]
        if not unit:
            continue  # no factor: the line's problem is already recorded
        try:
            scales[k] = emission_scale(amount, unit)
        except InputError:
            for row in np.flatnonzero(inverse == k):
                try:  # again, to name the line and its factor
                    emission_scale(amount, unit, raw.where(int(row)), factor_id[int(row)])
                except InputError as exc:
                    problems.add(int(raw.battery[row]), exc)
    return np.asarray(scales[inverse], dtype=float)


# --------------------------------------------------------------------------------------------
# the Circular Footprint Formula
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Eol:
    """One (end-of-life data, material group) pair: rates, factors per kg, and a problem."""

    r2: float
    r3: float
    q_out: float
    recycling: float
    energy_recovery: float
    disposal: float
    recycled_input: float
    r2_missing: bool
    supplier_data: bool
    problem: CarbonfpError | None


def _eol(eol: EndOfLife | None, group: CffMaterial, factors: FactorSet) -> _Eol:
    over = (eol.materials.get(group.name) if eol else None) or EolMaterial(group.name)
    q_out = over.q_out if over.q_out is not None else group.q_out
    erec = math.nan
    if over.recycled_input is not None:
        erec = _per_kg(over.recycled_input)
    elif group.recycled_factor and group.recycled_factor in factors.factors:
        f = factors.factors[group.recycled_factor]
        erec = f.value * emission_scale("kg", f.unit, None, f.id)
    if eol is None:
        return _Eol(0.0, 0.0, q_out, math.nan, math.nan, math.nan, erec, False, False, None)
    r2_given = over.r2 if over.r2 is not None else group.r2
    r2 = 0.0 if r2_given is None else r2_given
    r3 = over.r3 if over.r3 is not None else group.r3
    problem: CarbonfpError | None = None
    if r2 + r3 > 1:
        problem = InputError(
            f"end of life of {group.name}: R2 + R3 = {r2 + r3:g} exceeds 1",
            where=eol.where,
            hint=f"lower R2 or R3 under [end_of_life.materials.{group.name}]: the shares "
            "recycled and burned with energy recovery add up to at most 1",
            code="invalid-value",
        )
    elif r2 > 0 and over.recycling is None:
        problem = InputError(
            f"end of life of {group.name}: R2 = {r2:g} needs the emissions of recycling (ErecEoL)",
            where=eol.where,
            hint=f"add [end_of_life.materials.{group.name}] recycling = "
            '"... kg CO2e/kg" and recycling_source = "..." (no open value is '
            "shipped for recycling processes)",
            code="missing-recycling-factor",
        )
    elif r3 > 0 and over.energy_recovery is None:
        problem = InputError(
            f"end of life of {group.name}: R3 = {r3:g} needs the net emissions of energy recovery",
            where=eol.where,
            hint=f"add [end_of_life.materials.{group.name}] energy_recovery = "
            '"... kg CO2e/kg" (EER minus credited heat and electricity) and '
            "energy_recovery_source",
            code="missing-recycling-factor",
        )
    return _Eol(
        r2=r2,
        r3=r3,
        q_out=q_out,
        recycling=_per_kg(over.recycling),
        energy_recovery=_per_kg(over.energy_recovery),
        disposal=_per_kg(over.disposal),
        recycled_input=erec,
        r2_missing=r2_given is None,
        supplier_data=over.recycling is not None,
        problem=problem,
    )


def _per_kg(factor: SuppliedFactor | None) -> float:
    if factor is None:
        return math.nan
    return factor.value * emission_scale("kg", factor.unit)


def _circular(
    projects: Sequence[Project],
    raw: RawLines,
    own: Bools,
    stage: Ints,
    value: Floats,
    factor_unit: Texts,
    factors: FactorSet,
    rules: Ruleset,
    problems: _Problems,
) -> CffLines:
    """The formula's terms for every material line of a CFF group in the raw-material stage
    whose factor is per mass and whose amount is a mass."""
    n = len(raw)
    groups = [group_of(fid, rules) for fid in raw.factor_id.values]
    group_index = np.array([-1 if g is None else rules.cff.index(g) for g in groups], dtype=np.intp)
    kg_per_factor = np.array([_kg_scale(u) for u in factor_unit.values])
    kg_per_amount = np.array([_mass_scale(u) for u in raw.unit.values])
    ev = value * kg_per_factor[factor_unit.codes] if n else np.zeros(0)
    mass_scale = kg_per_amount[raw.unit.codes] if n else np.zeros(0)
    line_group = group_index[raw.factor_id.codes] if n else np.zeros(0, dtype=np.intp)
    rows = np.flatnonzero(
        (raw.kind == _K[LineKind.MATERIAL])
        & (stage == _S[Stage.RAW_MATERIALS])
        & (line_group >= 0)
        & ~np.isnan(ev)
        & ~np.isnan(mass_scale)
    )
    # end-of-life data per battery: each distinct object once (a long BOM shares them)
    eols: list[EndOfLife | None] = [None]
    seen: dict[tuple[object, ...], int] = {}
    eol_of = np.zeros(len(projects), dtype=np.intp)
    for b, project in enumerate(projects):
        eol = project.end_of_life
        if eol is not None:
            key = (eol.route, tuple(sorted(eol.materials.items())))
            if key not in seen:
                seen[key] = len(eols)
                eols.append(eol)
            eol_of[b] = seen[key]
    params = [[_eol(eol, g, factors) for g in rules.cff] for eol in eols]
    battery = raw.battery[rows]
    e = eol_of[battery]
    g = line_group[rows]

    def param(name: str) -> Floats:
        grid = np.array([[float(getattr(p, name)) for p in row] for row in params])
        return grid.reshape(len(params), len(rules.cff))[e, g] if len(rows) else np.zeros(0)

    def per_group(name: str) -> Floats:
        return (
            np.array([float(getattr(c, name)) for c in rules.cff])[g] if len(rows) else np.zeros(0)
        )

    mass = raw.quantity[rows] * mass_scale[rows]
    r1 = np.nan_to_num(raw.recycled_share[rows], nan=0.0)
    applies_r1 = (r1 > 0) & ~own[rows]  # a supplier's factor already holds its recycled content
    erec = np.where(applies_r1, param("recycled_input"), math.nan)
    for k in np.flatnonzero(applies_r1 & np.isnan(erec)):
        row, group = int(rows[k]), rules.cff[int(g[k])]
        problems.add(
            int(battery[k]),
            InputError(
                f"recycled_share {r1[k]:g} of {raw.label(row)!r} needs the emissions of the "
                f"recycled {group.name} (Erec)",
                where=raw.where(row),
                hint=f'add [end_of_life.materials.{group.name}] recycled_input = "... kg '
                'CO2e/kg" and recycled_input_source in the project',
                code="missing-recycled-factor",
            ),
        )
    # problems of the end-of-life data: once per battery and group, looked at only where the
    # (end-of-life data, group) pair has one
    has_problem = np.array([[p.problem is not None for p in row] for row in params], dtype=bool)
    reported: set[tuple[int, int]] = set()
    for k in np.flatnonzero(has_problem.reshape(len(params), len(rules.cff))[e, g]):
        b, problem = int(battery[k]), params[int(e[k])][int(g[k])].problem
        eol_here = projects[b].end_of_life
        if problem is not None and eol_here is not None and (b, int(g[k])) not in reported:
            reported.add((b, int(g[k])))
            problems.add(b, _located(problem, eol_here.where))
    r2, r3 = param("r2"), param("r3")
    recycling, energy_recovery, disposal = (
        param("recycling"),
        param("energy_recovery"),
        param("disposal"),
    )
    terms = cff_terms(
        ev=ev[rows],
        mass_kg=mass,
        r1=np.where(applies_r1, r1, 0.0),
        erec=np.nan_to_num(erec, nan=0.0),
        a=per_group("a"),
        b=per_group("b"),
        q_in=per_group("q_in"),
        q_out=param("q_out"),
        r2=r2,
        r3=r3,
        erec_eol=recycling,
        energy_recovery=energy_recovery,
        disposal=disposal,
    )
    added = (e > 0) & (terms.end_of_life_kg != 0)
    eol_row = np.full(len(rows), -1, dtype=np.intp)
    eol_row[added] = n + np.arange(int(added.sum()), dtype=np.intp)
    has_eol = e > 0
    return CffLines(
        row=rows.astype(np.intp),
        battery=battery,
        group=g,
        mass_kg=mass,
        kg_per_unit=mass_scale[rows],
        r1=r1,
        r2=r2,
        r3=r3,
        a=per_group("a"),
        q_out=param("q_out"),
        ev=ev[rows],
        erec=erec,
        erec_eol=np.where(has_eol & (r2 > 0), recycling, math.nan),
        disposal=np.where(has_eol & (1 - r2 - r3 > 0), disposal, math.nan),
        raw_per_kg=terms.raw_per_kg,
        raw_materials_kg=terms.raw_materials_kg,
        recycling_kg=terms.recycling_kg,
        energy_recovery_kg=terms.energy_recovery_kg,
        disposal_kg=terms.disposal_kg,
        eol_row=eol_row,
        supplier_data=param("supplier_data") > 0,
        r2_missing=param("r2_missing") > 0,
        disposal_missing=np.isnan(disposal),
    )


def _cff_warnings(
    projects: Sequence[Project],
    cff: CffLines,
    rules: Ruleset,
    warnings: list[list[Issue]],
) -> None:
    """Per battery with formula lines: no [end_of_life] at all, groups without R2, unrecycled
    shares without a disposal factor."""
    if not len(cff):
        return
    no_eol = np.array([p.end_of_life is None for p in projects], dtype=bool)
    for b in np.unique(cff.battery[no_eol[cff.battery]]):
        warnings[int(b)].append(
            Issue(
                "cff-not-applied",
                "end-of-life formula (CFF) not applied: the project has no [end_of_life]; "
                "recycling credits and burdens are missing",
            )
        )
    with_eol = ~no_eol[cff.battery]
    flags = (
        ("cff-no-r2", with_eol & cff.r2_missing),
        ("cff-no-disposal", with_eol & (1 - cff.r2 - cff.r3 > 0) & cff.disposal_missing),
    )
    per_battery: dict[int, dict[str, set[str]]] = {}
    for code, mask in flags:
        for b, g in set(zip(cff.battery[mask].tolist(), cff.group[mask].tolist(), strict=True)):
            per_battery.setdefault(b, {}).setdefault(code, set()).add(rules.cff[g].name)
    for b in sorted(per_battery):
        for name in sorted(per_battery[b].get("cff-no-r2", ())):
            warnings[b].append(
                Issue(
                    "cff-no-r2",
                    f"no recycling rate R2 for {name} (the ruleset gives none): its recycling "
                    f"is not credited; give [end_of_life.materials.{name}] R2 and recycling",
                )
            )
        for name in sorted(per_battery[b].get("cff-no-disposal", ())):
            warnings[b].append(
                Issue(
                    "cff-no-disposal",
                    f"no disposal factor (ED) for the unrecycled share of {name}: that term is "
                    f"not counted; give [end_of_life.materials.{name}] disposal",
                )
            )


def _mass_without_eol(
    projects: Sequence[Project],
    raw: RawLines,
    stage: Ints,
    cff: CffLines,
    warnings: list[list[Issue]],
) -> None:
    """Per battery with [end_of_life]: the materials whose lines get no end-of-life term (in
    none of the formula's groups), with their share of the mass of the battery's material
    lines, largest first (graphite, electrolyte, separator... are often a third of a pack)."""
    n = len(raw)
    with_eol = np.array([p.end_of_life is not None for p in projects], dtype=bool)
    if not n or not with_eol.any():
        return
    per_unit = np.array([_mass_scale(u) for u in raw.unit.values])[raw.unit.codes]
    material = (
        (raw.kind == _K[LineKind.MATERIAL])
        & (stage == _S[Stage.RAW_MATERIALS])
        & ~np.isnan(per_unit)
        & with_eol[raw.battery]
    )
    mass = np.where(material, raw.quantity * np.nan_to_num(per_unit), 0.0)
    total = np.bincount(raw.battery, weights=mass, minlength=len(projects))
    outside = material.copy()
    outside[cff.row] = False
    rows = np.flatnonzero(outside & (mass > 0))
    if not len(rows):
        return
    width = len(raw.factor_id.values)
    key = raw.battery[rows] * width + raw.factor_id.codes[rows]
    pairs, inverse = np.unique(key, return_inverse=True)
    kg = np.bincount(inverse, weights=mass[rows])
    per_battery: dict[int, list[tuple[float, str]]] = {}
    for pair, share_kg in zip(pairs.tolist(), kg.tolist(), strict=True):
        b = pair // width
        per_battery.setdefault(b, []).append((share_kg, raw.factor_id.values[pair % width]))
    for b, items in per_battery.items():
        if total[b] <= 0:
            continue
        items.sort(key=lambda item: (-item[0], item[1]))
        share = sum(k for k, _ in items) / total[b]
        listed = ", ".join(f"{fid or 'own factor'} {k / total[b]:.1%}" for k, fid in items)
        warnings[b].append(
            Issue(
                "no-end-of-life-term",
                f"{share:.1%} of the material mass gets no end-of-life term (in none of the "
                f"recycling formula's material groups): {listed}",
            )
        )


def _unknown_eol_groups(
    projects: Sequence[Project], rules: Ruleset, warnings: list[list[Issue]]
) -> None:
    """An [end_of_life.materials.NAME] the ruleset has no group of is said, with the nearest
    group (a typo leaves the meant group on the ruleset's defaults)."""
    import difflib

    names = [g.name for g in rules.cff]
    said: dict[int, list[Issue]] = {}  # per end-of-life object (a long BOM shares them)
    for b, project in enumerate(projects):
        eol = project.end_of_life
        if eol is None:
            continue
        found = said.get(id(eol))
        if found is None:
            found = []
            for name in sorted(set(eol.materials) - set(names)):
                close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
                found.append(
                    Issue(
                        "unknown-eol-group",
                        f"[end_of_life.materials.{name}] is not used: {rules.id} has no "
                        f"material group {name!r}"
                        + (f" (did you mean {close[0]!r}?)" if close else "")
                        + f"; its groups: {', '.join(names) or 'none'}",
                        str(eol.where) if eol.where is not None else None,
                    )
                )
            said[id(eol)] = found
        warnings[b].extend(found)


def _unused_recycled_shares(
    raw: RawLines, own: Bools, cff: CffLines, rules: Ruleset, warnings: list[list[Issue]]
) -> None:
    """A recycled share the method cannot use is said, never dropped in silence: on a
    supplier's factor (taken as it is: its recycled content is in it), or on a line outside
    the Circular Footprint Formula's material groups (charged as virgin material)."""
    shares = np.nan_to_num(raw.recycled_share, nan=0.0) > 0
    if not shares.any():
        return
    in_formula = np.zeros(len(raw), dtype=bool)
    in_formula[cff.row] = True
    groups = ", ".join(g.name for g in rules.cff) or "none"
    cases = (
        (
            shares & own,
            "recycled_share is not applied to a supplier's own factor (it is taken as it is: "
            "the supplier's footprint holds its recycled content)",
        ),
        (
            shares & ~own & ~in_formula,
            f"recycled_share is not used: the line is no raw-material line of the recycling "
            f"formula's material groups under {rules.id} ({groups}), so it is charged as "
            "virgin material",
        ),
    )
    for mask, why in cases:
        rows = np.flatnonzero(mask)
        for b in np.unique(raw.battery[rows]).tolist():
            mine = rows[raw.battery[rows] == b]
            warnings[b].append(
                Issue(
                    "recycled-share-not-used",
                    f"{why}: " + "; ".join(raw.label(int(r)) for r in mine),
                    "; ".join(str(raw.where(int(r))) for r in mine),
                )
            )


def _erec_ids(
    batteries: int, cff: CffLines, factors: FactorSet, rules: Ruleset
) -> tuple[tuple[str, ...], ...]:
    out: list[set[str]] = [set() for _ in range(batteries)]
    used = ~np.isnan(cff.erec)
    width = max(len(rules.cff), 1)
    pairs, _, _ = distinct_keys(cff.battery[used] * width + cff.group[used], batteries * width)
    for pair in pairs.tolist():  # once per battery and group, not per line
        fid = rules.cff[pair % width].recycled_factor
        if fid and fid in factors.factors:
            out[pair // width].add(fid)
    return tuple(tuple(sorted(s)) for s in out)


def _kg_scale(unit: str) -> float:
    """kg CO2e per kg for one unit of a factor in ``unit``; NaN if it is not per mass."""
    if not unit:
        return math.nan
    try:
        return emission_scale("kg", unit)
    except InputError:
        return math.nan


def _mass_scale(unit: str) -> float:
    """kg per one ``unit``; NaN if it is not a mass."""
    try:
        return scale_to(unit, "kg")
    except InputError:
        return math.nan
