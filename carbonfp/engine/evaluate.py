"""Evaluate: a line table into declarations, for one battery or many, with optional draws.

kg CO2e of every line is one array product; stage totals per battery are one ``np.bincount``;
data quality, recycled content, plausibility and the warnings are computed for all batteries
at once from the same arrays. A Monte Carlo run is the same product with a draws axis. The
full :class:`carbonfp.model.Declaration` of a battery (every line with its factor and source)
is built only when asked for (:meth:`Evaluated.declaration`), so a portfolio written as a
tidy CSV never builds one object per line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from carbonfp import __version__
from carbonfp.columns import (
    DATA_TYPES,
    KINDS,
    STAGES,
    Codes,
    Figures,
    Floats,
    Ints,
    combined_codes,
    distinct,
)
from carbonfp.data.catalogue import load_catalogue
from carbonfp.engine.montecarlo import monte_carlo, require_memory
from carbonfp.engine.resolve import LineTable
from carbonfp.errors import CarbonfpError, InputError
from carbonfp.method.quality import (
    band_applies,
    mandatory_matches_of,
    plausibility_issues,
    role_needed,
)
from carbonfp.model import (
    ActivityLine,
    CffResult,
    DataType,
    Declaration,
    Issue,
    LineKind,
    LineResult,
    Project,
    Provenance,
    QualitySummary,
    RecycledContent,
    Ruleset,
    Stage,
    StageResult,
    Uncertainty,
)
from carbonfp.units import scale_to

_K = {kind: i for i, kind in enumerate(KINDS)}
_SECONDARY = DATA_TYPES.index(DataType.SECONDARY)


@dataclass(frozen=True, eq=False)
class Evaluated:
    """Declarations of the batteries of one line table: summary arrays for all, the full
    Declaration on demand. Per battery ``problems`` is empty when it computed."""

    table: LineTable
    kg: Floats  # per table row
    stage_kg: Floats  # (batteries, 4)
    problems: tuple[tuple[CarbonfpError, ...], ...]
    #: per status (literature, proxy): which batteries use such factors (warnings on demand)
    statuses: tuple[_StatusUse, ...]
    #: per battery: the DQR sums per stage and the secondary lines on mandatory items
    dqr: _DqrSums
    #: per battery: secondary lines on mandatory items, lines whose role is unknown, lines
    #: whose role the input gave
    roles: _Roles
    #: per battery and element: kg in the lines and kg recycled
    elements: _Elements
    gate_failures: tuple[tuple[str, ...], ...]
    uncertainty: tuple[Uncertainty | None, ...]
    #: rows of each battery, in table order: rows[starts[b]:starts[b + 1]]
    rows: Ints
    starts: Ints
    #: the declared figures of every battery (rows of failed batteries are meaningless)
    figures: Figures

    @property
    def batteries(self) -> int:
        return len(self.table.projects)

    @cached_property
    def _cff_index(self) -> tuple[Ints, Ints]:
        cff_battery = self.table.cff.battery
        order = np.asarray(np.argsort(cff_battery, kind="stable"), dtype=np.intp)
        starts = np.searchsorted(cff_battery[order], np.arange(self.batteries + 1))
        return order, np.asarray(starts, dtype=np.intp)

    def cff_rows(self, battery: int) -> Ints:
        """The formula's entries (rows of ``table.cff``) of ``battery``, in line order: one
        sort for all batteries, not a scan per battery."""
        order, starts = self._cff_index
        return order[starts[battery] : starts[battery + 1]]

    def ok(self, battery: int) -> bool:
        return not self.problems[battery]

    def total_energy_kwh(self) -> Floats:
        return np.array(
            [math.nan if fu is None else fu.total_energy_kwh for fu in self.table.functional_units]
        )

    def warnings(self, battery: int) -> tuple[Issue, ...]:
        """The warnings of ``battery``, in order: those of reading and resolving, literature
        and proxy factors, implausible results, material content, missing primary data.
        Formatted here, not in :func:`evaluate` (a portfolio written as a table never needs
        them)."""
        table = self.table
        out = list(table.warnings[battery])
        if self.problems[battery]:
            return tuple(out)
        out += [i for s in self.statuses if (i := s.issue(battery, table)) is not None]
        fig = self.figures
        project = table.projects[battery]
        out += plausibility_issues(
            table.rules,
            [project.battery.vehicle_category or ""],
            fig.cradle_to_gate_per_kwh_capacity[battery : battery + 1],
            fig.total_per_kwh[battery : battery + 1],
            fig.stage_share[battery : battery + 1],
            np.ones(1, dtype=bool),
            [project.battery.chemistry],
        )[0]
        out += self.elements.content_issues(battery, project, table.rules)
        out += _role_issues(self.roles, battery, table)
        lines = self.roles.missing_primary(battery)
        if lines and table.mode != "declaration":  # where: the lines' places
            out.append(
                Issue(
                    "missing-primary-data",
                    f"{len(lines)} lines use secondary data where {table.rules.id} requires "
                    f"company-specific data: {'; '.join(label for _, label, _ in lines)}",
                    "; ".join(where for _, _, where in lines),
                )
            )
        return tuple(out)

    def quality(self, battery: int) -> QualitySummary | None:
        """The data quality summary of ``battery`` (None when it failed)."""
        if self.problems[battery]:
            return None
        return self.dqr.summary(battery, tuple(self.roles.missing_primary(battery)))

    def recycled(self, battery: int) -> tuple[RecycledContent, ...]:
        """The recycled content of ``battery`` against the Article 8 minimums."""
        if self.problems[battery]:
            return ()
        return self.elements.recycled_content(battery, self.table.rules)

    def declaration(self, battery: int) -> Declaration:
        """The full declaration of ``battery``. Raises its first problem when it failed."""
        if self.problems[battery]:
            first, *rest = self.problems[battery]
            raise first.with_related(rest)
        return _declaration(self, battery)


def evaluate(
    table: LineTable,
    draws: int | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Evaluated:
    """Evaluate every battery of ``table``; with ``draws``, a Monte Carlo of that many draws
    per battery (the same seed gives the same numbers, whatever else is in the table), and
    ``progress`` called with the draws done of the battery being drawn, block by block."""
    n_b = len(table.projects)
    # per battery with a problem (most have none: no list per battery)
    problems: dict[int, list[CarbonfpError]] = {
        b: list(p) for b, p in enumerate(table.problems) if p
    }
    failed = np.array([bool(p) for p in table.problems], dtype=bool)
    valid = (table.stage >= 0) & ~failed[table.battery] if len(table) else np.zeros(0, bool)
    with np.errstate(over="ignore", invalid="ignore"):
        kg = np.where(valid, table.quantity * table.value * table.scale, 0.0)
        overflow = valid & ~np.isfinite(kg)
        if overflow.any():  # each battery with such a line fails, naming its first one
            rows = np.flatnonzero(overflow)
            _, first = np.unique(table.battery[rows], return_index=True)
            for row in rows[first].tolist():
                problems.setdefault(int(table.battery[row]), []).append(_overflow(table, row))
                failed[int(table.battery[row])] = True
            valid = valid & ~failed[table.battery]
            kg = np.where(valid, kg, 0.0)
        stage_kg = _per_battery_stage(table.battery, table.stage, kg, valid, n_b)
    for b in np.flatnonzero(~failed & ~np.isfinite(stage_kg).all(axis=1)).tolist():
        problems.setdefault(b, []).append(_sum_overflow(table, kg, b, "the sum of the lines"))
        failed[b] = True
    absolute = stage_kg.sum(axis=1)
    for b in np.flatnonzero(~failed & (absolute < 0)):
        problems.setdefault(int(b), []).append(
            InputError(
                f"the total footprint is negative ({absolute[b]:.1f} kg CO2e): end-of-life "
                "credits exceed all emissions",
                where=None,
                hint="check the signs and amounts of the end-of-life lines and [end_of_life] rates",
                code="negative-total",
            )
        )
        failed[b] = True
    order = np.argsort(table.battery, kind="stable")
    starts = np.searchsorted(table.battery[order], np.arange(n_b + 1))
    dqr = _dqr_sums(table, kg, valid)
    roles = _gate_lines(table, valid)
    elements = _element_masses(table)
    figures = Figures.compute(
        [p.battery.model for p in table.projects],
        stage_kg,
        np.array(
            [math.nan if fu is None else fu.total_energy_kwh for fu in table.functional_units]
        ),
        np.array([p.battery.usable_capacity_kwh for p in table.projects]),
    )
    # sums and weights of finite lines can still pass the largest float: an infinity in any
    # figure is an overflow (a NaN where a figure has no meaning, 0 / 0, is not)
    infinite = np.isinf(
        np.column_stack(
            [
                figures.stage_per_kwh,
                figures.absolute_kg,
                figures.total_per_kwh,
                figures.cradle_to_gate_kg,
                figures.cradle_to_gate_per_kwh_capacity,
                dqr.covered,
                dqr.weighted,
                dqr.total,
            ]
        )
    ).any(axis=1)
    for b in np.flatnonzero(~failed & infinite).tolist():
        problems.setdefault(b, []).append(
            _sum_overflow(table, kg, b, "a sum or a weight of the lines")
        )
        failed[b] = True
    gates = _gates(table, failed, roles)
    uncertainty: list[Uncertainty | None] = [None] * n_b
    if draws is not None:
        require_memory(draws, int(np.diff(starts).max(initial=0)))
        for b in np.flatnonzero(~failed):
            rows = order[starts[b] : starts[b + 1]]
            try:
                uncertainty[int(b)] = monte_carlo(table, rows, kg, int(b), draws, seed, progress)
            except CarbonfpError as exc:
                problems.setdefault(int(b), []).append(exc)
    return Evaluated(
        table=table,
        kg=kg,
        stage_kg=stage_kg,
        problems=tuple(tuple(problems[b]) if b in problems else () for b in range(n_b)),
        statuses=tuple(_status_use(table, kg, valid, s, what) for s, what in _STATUS_WHAT),
        dqr=dqr,
        roles=roles,
        elements=elements,
        gate_failures=tuple(gates),
        uncertainty=tuple(uncertainty),
        rows=np.asarray(order, dtype=np.intp),
        starts=np.asarray(starts, dtype=np.intp),
        figures=figures,
    )


def _overflow(table: LineTable, row: int) -> InputError:
    return InputError(
        f"{table.label(row)}: amount x factor is too large for a number "
        f"({table.quantity[row]:g} x {table.value[row]:g} {table.factor_unit[row]})",
        where=table.where(row),
        hint="check the quantity, unit and factor of this line",
        code="overflow",
    )


def _sum_overflow(table: LineTable, kg: Floats, battery: int, what: str) -> InputError:
    """The error for a battery whose lines are finite but whose ``what`` is not, at its
    largest line."""
    rows = np.flatnonzero(table.battery == battery)
    largest = int(rows[np.argmax(np.abs(kg[rows]))]) if len(rows) else -1
    return InputError(
        f"the footprint overflows: {what} is too large for a number"
        + (f"; the largest line is {table.label(largest)}" if largest >= 0 else ""),
        where=table.where(largest) if largest >= 0 else None,
        hint="check the quantities, units and factors of the largest lines",
        code="overflow",
    )


def _per_battery_stage(
    battery: Ints, stage: Ints, kg: Floats, valid: Any, batteries: int
) -> Floats:
    """kg CO2e per (battery, stage); ``kg`` may have a draws axis."""
    size = batteries * len(STAGES)
    index = battery[valid] * len(STAGES) + stage[valid]
    if kg.ndim == 1:
        sums = np.bincount(index, weights=kg[valid], minlength=size)
        return np.asarray(sums, dtype=float).reshape(batteries, len(STAGES))
    out = np.zeros((size, kg.shape[1]))
    np.add.at(out, index, kg[valid])
    return out.reshape(batteries, len(STAGES), kg.shape[1])


# --------------------------------------------------------------------------------------------
# data quality
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _DqrSums:
    """|kg CO2e|-weighted DQR sums per battery and stage (METHOD.md section 7)."""

    covered: Floats  # (batteries, stages): |kg| of lines with a DQR
    weighted: Floats  # (batteries, stages): |kg| x DQR
    total: Floats  # (batteries,): |kg| of all lines

    def summary(self, battery: int, missing: tuple[tuple[str, str, str], ...]) -> QualitySummary:
        cov, wei = self.covered[battery].tolist(), self.weighted[battery].tolist()
        all_cov = sum(cov)
        total = float(self.total[battery])
        return QualitySummary(
            dqr_by_stage={s: (wei[i] / cov[i] if cov[i] else None) for i, s in enumerate(STAGES)},
            dqr_overall=sum(wei) / all_cov if all_cov else None,
            dqr_coverage=all_cov / total if total else 0.0,
            missing_primary=missing,
        )


def _dqr_sums(table: LineTable, kg: Floats, valid: Any) -> _DqrSums:
    """PEF DQR of each line (its own, else its factor's) weighted by |kg CO2e|, summed per
    battery and stage."""
    n_b = len(table.projects)
    dqr = np.where(np.isnan(table.line_dqr), table.factor_dqr, table.line_dqr)
    weight = np.abs(kg) * valid
    known = ~np.isnan(dqr) & valid
    index = table.battery * len(STAGES) + np.maximum(table.stage, 0)
    size = n_b * len(STAGES)
    covered = np.bincount(index, weights=np.where(known, weight, 0.0), minlength=size)
    weighted = np.bincount(
        index, weights=np.where(known, weight * np.nan_to_num(dqr), 0.0), minlength=size
    )
    total = np.bincount(table.battery, weights=weight, minlength=n_b)
    return _DqrSums(
        covered=np.asarray(covered, dtype=float).reshape(n_b, len(STAGES)),
        weighted=np.asarray(weighted, dtype=float).reshape(n_b, len(STAGES)),
        total=np.asarray(total, dtype=float),
    )


@dataclass(frozen=True, eq=False)
class _Flagged:
    """Raw rows flagged by the declaration gate, grouped per battery (in line order), each
    with its distinct (kind, factor id, role) key; formatted only for the batteries asked
    about (a portfolio written as a table never formats them)."""

    table: LineTable
    rows: Ints  # raw rows, sorted by battery, then line
    keys: Ints  # per row: its distinct key
    starts: Ints  # rows[starts[b]:starts[b + 1]] belong to battery b

    @classmethod
    def of(cls, table: LineTable, mask: Any, inverse: Ints) -> _Flagged:
        rows = np.flatnonzero(mask)
        battery = table.battery[rows]
        order = np.argsort(battery, kind="stable")
        rows = np.asarray(rows[order], dtype=np.intp)
        starts = np.searchsorted(battery[order], np.arange(len(table.projects) + 1))
        return cls(table, rows, np.asarray(inverse[rows], dtype=np.intp), starts)

    def count(self) -> Ints:
        """Per battery: how many rows are flagged."""
        return np.asarray(np.diff(self.starts), dtype=np.intp)

    def of_battery(self, battery: int) -> list[tuple[int, str, str]]:
        """(key, label, where) of each flagged row of ``battery``, in line order."""
        table = self.table
        span = slice(int(self.starts[battery]), int(self.starts[battery + 1]))
        return [
            (k, table.label(r), str(table.where(r)))
            for r, k in zip(self.rows[span].tolist(), self.keys[span].tolist(), strict=True)
        ]


@dataclass(frozen=True, eq=False)
class _Roles:
    """What the declaration gate found in the raw lines, per distinct (kind, factor id, role
    given) and per battery: secondary lines on mandatory items (with the items' titles),
    secondary lines whose role is unknown where the ruleset gates by role, and lines whose
    role was given in the input other than the catalogue's (with the role given and the
    catalogue's role or "")."""

    titles: list[list[str]]  # per key: the mandatory items the key's lines fall under
    stated: list[str]  # per key: the role given
    listed: list[str]  # per key: the catalogue's role, or ""
    mandatory: _Flagged
    unknown: _Flagged
    given: _Flagged

    def missing_primary(self, battery: int) -> list[tuple[str, str, str]]:
        """(mandatory item, line label, where) of the secondary lines on mandatory items."""
        return [
            (title, label, where)
            for k, label, where in self.mandatory.of_battery(battery)
            for title in self.titles[k]
        ]

    def unknown_lines(self, battery: int) -> list[tuple[str, str]]:
        return [(label, where) for _, label, where in self.unknown.of_battery(battery)]

    def given_lines(self, battery: int) -> list[tuple[str, str, str]]:
        return [
            (label, self.stated[k], self.listed[k])
            for k, label, _ in self.given.of_battery(battery)
        ]


def _gate_lines(table: LineTable, valid: Any) -> _Roles:
    """The lines the declaration gate looks at (:class:`_Roles`), decided by the lines' roles
    (given, else their material's in the catalogue), never by their names.

    Decided once per distinct (kind, factor id, role given) of the raw lines; the rows are
    kept as arrays. The end-of-life lines of the formula are not production: no mandatory
    item covers them.
    """
    rules = table.rules
    raw = table.raw
    n_raw = len(raw)
    if not n_raw:
        none = _Flagged.of(table, np.zeros(0, dtype=bool), np.zeros(0, dtype=np.intp))
        return _Roles([], [], [], none, none, none)
    catalogue = load_catalogue()
    role_col = raw.role if len(raw.role) else Codes.constant("", n_raw)
    legacy = any(item.match for item in rules.mandatory)  # version 1: names count too
    first, inverse = combined_codes(
        (raw.kind, len(KINDS)),
        (raw.factor_id.codes, len(raw.factor_id.values)),
        (role_col.codes, len(role_col.values)),
        *(
            [
                (raw.component.codes, len(raw.component.values)),
                (raw.path.codes, len(raw.path.values)),
            ]
            if legacy
            else []
        ),
    )
    secondary = valid[:n_raw] & (table.data_type[:n_raw] == _SECONDARY)
    titles: list[list[str]] = []
    unknown = np.zeros(len(first), dtype=bool)
    given = np.zeros(len(first), dtype=bool)
    stated_as: list[str] = []
    known_as: list[str] = []
    for k, row in enumerate(first.tolist()):
        kind = KINDS[int(raw.kind[row])]
        fid = raw.factor_id[row]
        stated = role_col[row]
        listed = catalogue.role_of(fid) if kind is LineKind.MATERIAL else None
        role = stated or listed
        names = (raw.component[row], raw.path[row] or raw.component[row]) if legacy else ()
        found = mandatory_matches_of(kind, fid, role, rules, names)
        titles.append(found)
        unknown[k] = not found and role is None and role_needed(kind, rules)
        given[k] = bool(stated) and kind is LineKind.MATERIAL and stated != listed
        stated_as.append(stated)
        known_as.append(listed or "")
    hits = np.array([bool(t) for t in titles], dtype=bool)
    return _Roles(
        titles,
        stated_as,
        known_as,
        mandatory=_Flagged.of(table, secondary & hits[inverse], inverse),
        unknown=_Flagged.of(table, secondary & unknown[inverse], inverse),
        given=_Flagged.of(table, valid[:n_raw] & given[inverse], inverse),
    )


# --------------------------------------------------------------------------------------------
# recycled content and material content
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ElementLines:
    """The raw lines whose element content is counted, and what they hold: materials outside
    the end-of-life stage, with a composition in the factor set and an amount in mass. The one
    place element masses come from: the declaration's recycled and material content sum them
    per battery, ``carbonfp sourcing`` per origin (carbonfp.engine.sourcing)."""

    #: the elements (or "graphite") some line's composition names, sorted
    names: list[str]
    #: per distinct factor id (``raw.factor_id`` codes): mass fraction of each element
    fraction: Floats
    #: per distinct factor id: whether the factor set has its composition
    known: Any
    #: per distinct unit (``raw.unit`` codes): kg per unit, NaN where it is not a mass
    mass_scale: Floats
    #: the raw rows counted, and the mass of each in kg
    rows: Ints
    mass_kg: Floats

    def element_kg(self, raw_factor_codes: Ints) -> Floats:
        """kg of each element (columns) in each counted row: mass x mass fraction."""
        return self.mass_kg[:, None] * self.fraction[raw_factor_codes[self.rows]]


def element_lines(table: LineTable) -> ElementLines:
    """The lines that hold elements (see :class:`ElementLines`), found per distinct factor id
    and unit."""
    raw = table.raw
    composition = table.factors.composition
    fids = [fid.lower() for fid in raw.factor_id.values]
    elements = sorted({el for fid in fids for el in composition.get(fid, {})})
    per_fid = np.zeros((len(fids), len(elements)))
    for i, fid in enumerate(fids):
        for el, fraction in composition.get(fid, {}).items():
            per_fid[i, elements.index(el)] = fraction
    known = np.array([fid in composition for fid in fids], dtype=bool)
    mass_scale = np.array([_kg_or_nan(u) for u in raw.unit.values])
    rows = np.zeros(0, dtype=np.intp)
    if len(raw) and known.any():
        rows = np.flatnonzero(
            known[raw.factor_id.codes]
            & (raw.kind == _K[LineKind.MATERIAL])
            & (raw.stage != STAGES.index(Stage.END_OF_LIFE))
            & ~np.isnan(mass_scale[raw.unit.codes])
        )
    mass = raw.quantity[rows] * mass_scale[raw.unit.codes[rows]] if len(rows) else np.zeros(0)
    return ElementLines(elements, per_fid, known, mass_scale, rows, mass)


def _element_masses(table: LineTable) -> _Elements:
    """Per battery and element: kg in the lines, kg recycled (the lines' R1), and whether a
    line's composition names the element. Lines counted: those of :func:`element_lines`
    (aggregated per battery and material first, then multiplied by the composition: no array
    of lines x elements)."""
    raw = table.raw
    n_b = len(table.projects)
    found = element_lines(table)
    elements, per_fid, rows, mass = found.names, found.fraction, found.rows, found.mass_kg
    named = per_fid > 0
    content = np.zeros((n_b, len(elements)))
    recycled = np.zeros((n_b, len(elements)))
    present = np.zeros((n_b, len(elements)), dtype=bool)
    if not len(rows):
        return _Elements(elements, content, recycled, present)
    r1 = np.nan_to_num(raw.recycled_share[rows], nan=0.0)
    first, pair = combined_codes(
        (raw.battery[rows], n_b), (raw.factor_id.codes[rows], len(per_fid))
    )
    pair_mass = np.bincount(pair, weights=mass, minlength=len(first))
    pair_recycled = np.bincount(pair, weights=mass * r1, minlength=len(first))
    pair_battery = raw.battery[rows[first]]
    pair_fid = raw.factor_id.codes[rows[first]]
    for j in range(len(elements)):
        fraction = per_fid[pair_fid, j]
        content[:, j] = np.bincount(pair_battery, weights=pair_mass * fraction, minlength=n_b)
        recycled[:, j] = np.bincount(pair_battery, weights=pair_recycled * fraction, minlength=n_b)
        present[:, j] = np.bincount(pair_battery, weights=named[pair_fid, j], minlength=n_b) > 0
    return _Elements(elements, content, recycled, present)


@dataclass(frozen=True, eq=False)
class _Elements:
    """Per battery and element: kg in the lines, kg recycled, whether a line names it."""

    names: list[str]
    content: Floats
    recycled: Floats
    present: Any

    def recycled_content(self, battery: int, rules: Ruleset) -> tuple[RecycledContent, ...]:
        """Recycled share of each element the Article 8 minimums name (from the lines' R1)."""
        wanted = sorted({el for m in rules.recycled_minimums.values() for el in m})
        items = []
        for el in wanted:
            if el not in self.names:
                continue
            j = self.names.index(el)
            kg, rec = float(self.content[battery, j]), float(self.recycled[battery, j])
            if kg <= 0:
                continue
            share = rec / kg
            minimums = tuple(
                (date, m[el], share >= m[el])
                for date, m in sorted(rules.recycled_minimums.items())
                if el in m
            )
            items.append(RecycledContent(el, kg, rec, minimums))
        return tuple(items)

    def content_issues(self, battery: int, project: Project, rules: Ruleset) -> list[Issue]:
        """Warnings where kg of an element per kWh of capacity is outside the ruleset's bands
        (only for elements some line's composition names)."""
        capacity = project.battery.nominal_capacity_kwh or project.battery.usable_capacity_kwh
        issues = []
        if not band_applies(rules.content_chemistries, project.battery.chemistry):
            checked = [e for e in rules.material_content_per_kwh if e in self.names]
            if checked:
                issues.append(
                    Issue(
                        "no-plausibility-band",
                        f"material content per kWh ({', '.join(checked)}) not checked: "
                        f"{rules.id}'s bands were published for "
                        f"{', '.join(rules.content_chemistries)}, not "
                        f"{project.battery.chemistry!r}",
                    )
                )
            return issues
        for element, band in rules.material_content_per_kwh.items():
            if element not in self.names:
                continue
            j = self.names.index(element)
            per_kwh = float(self.content[battery, j]) / capacity
            if self.present[battery, j] and not band.low <= per_kwh <= band.high:
                issues.append(
                    Issue(
                        "implausible-material-content",
                        f"{element}: {per_kwh:.3f} kg per kWh of capacity in the BOM, outside "
                        f"the {band.low:g} to {band.high:g} of BatPaC 5.2 packs: check masses "
                        "and units",
                    )
                )
        return issues


def _kg_or_nan(unit: str) -> float:
    try:
        return scale_to(unit, "kg")
    except InputError:
        return math.nan


# --------------------------------------------------------------------------------------------
# warnings and gates
# --------------------------------------------------------------------------------------------

_STATUS_WHAT = (
    ("literature", "published figures whose dataset is not open"),
    ("proxy", "a related material standing in"),
)


@dataclass(frozen=True, eq=False)
class _StatusUse:
    """Which batteries use factors of one status (literature, proxy): how many lines, their kg
    CO2e, and the factor ids, sorted by name (``names[bounds[b]:bounds[b + 1]]``)."""

    status: str
    what: str
    count: Ints
    total: Floats
    names: list[str]
    bounds: Ints

    def issue(self, battery: int, table: LineTable) -> Issue | None:
        extra = {
            f"{fid} (as Erec)"
            for fid in table.erec_ids[battery]
            if table.factors.factors[fid].status == self.status
        }
        count = int(self.count[battery])
        if not count and not extra:
            return None
        found = self.names[self.bounds[battery] : self.bounds[battery + 1]]
        listed = ", ".join(sorted({*found, *extra}) if extra else found)
        return Issue(
            f"{self.status}-factors",
            f"{count} lines ({self.total[battery]:,.0f} kg CO2e) use {self.status} factors "
            f"({self.what}): {listed}",
        )


def _status_use(table: LineTable, kg: Floats, valid: Any, status: str, what: str) -> _StatusUse:
    n_b = len(table.projects)
    names = table.factor_id.values
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.intp)
    rank[order] = np.arange(len(names), dtype=np.intp)
    width = max(len(names), 1)
    mask = valid & table.status.equals(status)
    # each battery's distinct factor ids of this status, sorted by name: one sort in all
    pairs, _, _ = distinct(
        table.battery[mask] * width + rank[table.factor_id.codes[mask]], n_b * width
    )
    return _StatusUse(
        status=status,
        what=what,
        count=np.asarray(np.bincount(table.battery[mask], minlength=n_b), dtype=np.intp),
        total=np.asarray(
            np.bincount(table.battery[mask], weights=kg[mask], minlength=n_b), dtype=float
        ),
        names=[names[order[r]] for r in (pairs % width).tolist()],
        bounds=np.asarray(np.searchsorted(pairs // width, np.arange(n_b + 1)), dtype=np.intp),
    )


def _role_issues(roles: _Roles, battery: int, table: LineTable) -> list[Issue]:
    out = []
    unknown = roles.unknown_lines(battery)
    if unknown and table.mode != "declaration":  # declaration mode refuses them instead
        out.append(
            Issue(
                "unknown-role",
                f"{len(unknown)} lines use secondary data and have no role, so "
                f"{table.rules.id} cannot tell whether they need company-specific data: "
                + "; ".join(label for label, _ in unknown)
                + ". Give each a role (the BOM's role column, an energy block's role key; "
                "`carbonfp materials --roles` lists them)",
                "; ".join(where for _, where in unknown),
            )
        )
    if given := roles.given_lines(battery):
        out.append(
            Issue(
                "role-given",
                "roles given in the input instead of the catalogue's, for the study to "
                "justify: "
                + "; ".join(
                    f"{label}: {role} (catalogue: {listed or 'no role'})"
                    for label, role, listed in given
                ),
            )
        )
    return out


def _gates(
    table: LineTable,
    failed: Any,
    roles: _Roles,
) -> list[tuple[str, ...]]:
    """The declaration-mode gates of each battery: secondary data where the ruleset requires
    company-specific data, and an end-of-life formula that could not be applied."""
    gates: list[tuple[str, ...]] = [() for _ in table.projects]
    if table.mode != "declaration":
        return gates
    cff_missing = [any(w.code == "cff-not-applied" for w in ws) for ws in table.warnings]
    flagged = (roles.mandatory.count() > 0) | (roles.unknown.count() > 0)
    for b in np.flatnonzero(~failed & (flagged | np.array(cff_missing, dtype=bool))).tolist():
        failures: list[str] = []
        lines = roles.missing_primary(b)
        if lines:
            listed = "; ".join(f"{label} ({where})" for _, label, where in lines)
            failures.append(
                f"secondary data where {table.rules.id} requires company-specific data: {listed}"
            )
        if unknown := roles.unknown_lines(b):
            listed = "; ".join(f"{label} ({where})" for label, where in unknown)
            failures.append(
                f"secondary data on lines whose role is unknown, so {table.rules.id} cannot "
                f"tell whether they need company-specific data: {listed}; give each a role "
                "(the BOM's role column, an energy block's role key)"
            )
        if cff_missing[b]:
            failures.append("the end-of-life formula was not applied: add [end_of_life]")
        gates[b] = tuple(failures)
    return gates


# --------------------------------------------------------------------------------------------
# the full declaration of one battery
# --------------------------------------------------------------------------------------------


def _line(table: LineTable, row: int) -> ActivityLine:
    """The activity line of a table row (an end-of-life line of the formula is built here)."""
    k = int(table.cff_of[row])
    raw_row = int(table.raw_row[row])
    if k < 0:
        return table.raw.activity_line(raw_row)
    cff = table.cff
    group = table.rules.cff[int(cff.group[k])]
    erec_eol = None if math.isnan(cff.erec_eol[k]) else float(cff.erec_eol[k])
    disposal = None if math.isnan(cff.disposal[k]) else float(cff.disposal[k])
    return ActivityLine(
        kind=LineKind.MATERIAL,
        component=f"end of life (CFF, {group.name}): {table.raw.label(raw_row)}",
        factor_id=f"cff:{group.name}",
        quantity=float(cff.mass_kg[k]),
        unit="kg",
        where=table.raw.where(raw_row),
        stage=Stage.END_OF_LIFE,
        data_type=DATA_TYPES[int(table.data_type[row])],
        note=f"R2 {cff.r2[k]:g}, R3 {cff.r3[k]:g}, A {cff.a[k]:g}, Qsout/Qp {cff.q_out[k]:g}, "
        f"E*v {cff.ev[k]:.4g}, ErecEoL {erec_eol if erec_eol is not None else '-'}, "
        f"ED {disposal if disposal is not None else '-'} (kg CO2e/kg)",
    )


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _declaration(ev: Evaluated, b: int) -> Declaration:
    table = ev.table
    rules, factors = table.rules, table.factors
    rows = ev.rows[ev.starts[b] : ev.starts[b + 1]]
    fu = table.functional_units[b]
    assert fu is not None
    project = table.projects[b]
    line_of = {int(row): _line(table, int(row)) for row in rows}  # each line built once
    raw_rows = [int(r) for r in rows if table.cff_of[r] < 0]
    if not project.lines and raw_rows:
        project = replace(project, lines=tuple(line_of[r] for r in raw_rows))
    lines: list[LineResult] = []
    for row in rows:
        line = line_of[int(row)]
        lines.append(
            LineResult(
                line=line,
                stage=STAGES[int(table.stage[row])],
                factor_id=table.factor_id[int(row)],
                factor_value=float(table.value[row]),
                factor_unit=table.factor_unit[int(row)],
                factor_source=table.source[int(row)],
                factor_status=table.status[int(row)],
                kg_co2e=float(ev.kg[row]),
                factor_set=table.set_label[int(row)],
                factor_dqr=_opt(float(table.factor_dqr[row])),
            )
        )
    electricity = tuple(
        replace(
            table.electricity_results[int(table.electricity[r])],
            line=line_of[r],
            kwh=line_of[r].quantity,
        )
        for r in raw_rows
        if table.electricity[r] >= 0
    )
    cff = table.cff
    cff_results = []
    for k in ev.cff_rows(b):
        row = int(cff.row[k])
        cff_results.append(
            CffResult(
                line=line_of[row],
                group=rules.cff[int(cff.group[k])].name,
                mass_kg=float(cff.mass_kg[k]),
                r1=float(cff.r1[k]),
                r2=float(cff.r2[k]),
                r3=float(cff.r3[k]),
                a=float(cff.a[k]),
                q_out=float(cff.q_out[k]),
                ev=float(cff.ev[k]),
                erec=_opt(float(cff.erec[k])),
                erec_eol=_opt(float(cff.erec_eol[k])),
                disposal=_opt(float(cff.disposal[k])),
                raw_materials_kg=float(cff.raw_materials_kg[k]),
                recycling_kg=float(cff.recycling_kg[k]),
                energy_recovery_kg=float(cff.energy_recovery_kg[k]),
                disposal_kg=float(cff.disposal_kg[k]),
            )
        )
    fig = ev.figures
    stages = tuple(
        StageResult(
            stage,
            float(fig.stage_kg[b, i]),
            float(fig.stage_per_kwh[b, i]),
            float(fig.stage_share[b, i]),
        )
        for i, stage in enumerate(STAGES)
    )
    used = sorted(
        {key for r in lines for key in r.factor_source.split(", ") if key in factors.sources}
    )
    catalogue = load_catalogue()
    provenance = Provenance(
        tool_version=__version__,
        factor_set=factors.label,
        factor_set_sha256=factors.sha256,
        ruleset=rules.id,
        ruleset_sha256=rules.sha256,
        ruleset_legal_status=rules.legal_status,
        ruleset_version=rules.version,
        inputs=project.inputs,
        sources=tuple(factors.sources[k] for k in used),
        factor_layers=factors.layers or ((factors.label, factors.sha256),),
        overridden_factors=factors.overridden,
        run=table.runs[b],
        gwp_set=rules.gwp_set,
        catalogue=catalogue.label,
        catalogue_sha256=catalogue.sha256,
    )
    return Declaration(
        project=project,
        functional_unit=fu,
        stages=stages,
        absolute_kg_co2e=float(fig.absolute_kg[b]),
        total_kg_co2e_per_kwh=float(fig.total_per_kwh[b]),
        cradle_to_gate_kg_co2e=float(fig.cradle_to_gate_kg[b]),
        cradle_to_gate_kg_co2e_per_kwh_capacity=float(fig.cradle_to_gate_per_kwh_capacity[b]),
        lines=tuple(lines),
        warnings=ev.warnings(b),
        provenance=provenance,
        mode=table.mode,
        electricity=electricity,
        cff=tuple(cff_results),
        recycled_content=ev.recycled(b),
        quality=ev.quality(b),
        gate_failures=ev.gate_failures[b],
        uncertainty=ev.uncertainty[b],
    )
