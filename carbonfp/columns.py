"""The model's lines as columns: what every reader gives the engine, one row per line.

A project's lines (ActivityLine objects) and a long BOM's rows (read column by column) become
the same :class:`RawLines`, and the batteries to compute the same :class:`Inputs`, so that
everything after reading is one code path. Text columns are stored as codes into their distinct
values (:class:`Codes`): a long BOM of 600 000 lines has a few hundred distinct components,
units or factor ids, and the engine works on those. Part of the model: readers build these,
the engine reads them; neither imports the other.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from carbonfp.errors import CarbonfpError, Location
from carbonfp.model import (
    ActivityLine,
    DataType,
    Declaration,
    ElectricitySupply,
    LineKind,
    Project,
    Stage,
    SuppliedFactor,
)

Floats = np.ndarray[Any, np.dtype[np.float64]]
Ints = np.ndarray[Any, np.dtype[np.intp]]
Bools = np.ndarray[Any, np.dtype[np.bool_]]

KINDS: tuple[LineKind, ...] = tuple(LineKind)
STAGES: tuple[Stage, ...] = tuple(Stage)
DATA_TYPES: tuple[DataType, ...] = tuple(DataType)
NO_STAGE = -1
#: kind of a line that names none (a long-BOM row): the table of its factor id decides
KIND_FROM_FACTOR = -1
#: data type of a line that names none: the default for its kind (model.default_data_type)
DEFAULT_DATA_TYPE = -1

#: Columns of a long BOM's LINES.csv (docs/long-bom.md): required, optional, and the supply
#: columns of electricity lines (the keys of an [[electricity]] block). Readers and writers of
#: the format both take them from here.
LINE_REQUIRED = ("battery", "material", "quantity", "unit")
#: The optional columns of a BOM (carbonfp.inputs.bom), which a long BOM's lines have too.
BOM_OPTIONAL = (
    "stage",
    "origin",
    "recycled_share",
    "factor",
    "factor_source",
    "data_type",
    "dqr",
    "quantity_gsd",
    "factor_gsd",
    "role",
)
LINE_OPTIONAL = ("kind", "component", "path", *BOM_OPTIONAL, "note")
SUPPLY_COLUMNS = (
    "supply",
    "technology",
    "share",
    "certificate_id",
    "conveys_attributes",
    "cancelled_for_user",
    "generation_period",
    "consumption_period",
    "market",
    "residual_mix",
    "residual_mix_source",
)
#: LINES.csv as carbonfp writes it: every column, in this order.
LINE_COLUMNS = (
    "battery",
    "kind",
    "component",
    "path",
    "material",
    "quantity",
    "unit",
    *LINE_OPTIONAL[3:],
    *SUPPLY_COLUMNS,
)

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True, eq=False)
class Codes(Generic[T]):
    """A column of repeated values: per row a code into the distinct values."""

    codes: Ints
    values: tuple[T, ...]

    @classmethod
    def of(cls, items: Iterable[T]) -> Codes[T]:
        index: dict[T, int] = {}
        codes = [index.setdefault(item, len(index)) for item in items]
        return cls(np.asarray(codes, dtype=np.intp), tuple(index))

    @classmethod
    def constant(cls, value: T, n: int) -> Codes[T]:
        """``value`` on every row; the codes a read-only view that takes no memory per row."""
        return cls(zeros(n), (value,))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, row: int) -> T:
        return self.values[int(self.codes[row])]

    def take(self, rows: Ints | Bools) -> Codes[T]:
        return Codes(self.codes[rows], self.values)

    def equals(self, value: T) -> Bools:
        """Rows whose value is ``value``."""
        try:
            code = self.values.index(value)
        except ValueError:
            return np.zeros(len(self.codes), dtype=bool)
        return np.asarray(self.codes == code)

    def per_value(self, values: Sequence[Any], dtype: Any = float) -> np.ndarray[Any, Any]:
        """Rows mapped through one result per distinct value (``values[code]``)."""
        return np.asarray(values, dtype=dtype)[self.codes] if len(self.codes) else np.zeros(0)

    def compact(self) -> Codes[T]:
        """The same column with each value once and only the values used."""
        if not len(self.codes):
            return Codes(self.codes, ())
        used, _, inverse = distinct(self.codes, len(self.values))
        index: dict[T, int] = {}
        remap = np.asarray(
            [index.setdefault(self.values[int(u)], len(index)) for u in used], dtype=np.intp
        )
        return Codes(remap[np.asarray(inverse, dtype=np.intp)], tuple(index))

    @staticmethod
    def concat(parts: Sequence[Codes[T]]) -> Codes[T]:
        """The columns one after the other, each distinct value once."""
        filled = [p for p in parts if len(p.codes)]
        if len(filled) == 1:
            return filled[0]
        index: dict[T, int] = {}
        out = []
        for part in filled:
            remap = np.fromiter(
                (index.setdefault(v, len(index)) for v in part.values),
                dtype=np.intp,
                count=len(part.values),
            )
            out.append(remap[part.codes])
        codes = np.concatenate(out) if out else np.zeros(0, dtype=np.intp)
        return Codes(codes, tuple(index))


Texts = Codes[str]


def zeros(n: int) -> Ints:
    """``n`` zero codes as a read-only view of one zero: no memory per row."""
    return np.broadcast_to(np.zeros(1, dtype=np.intp), (n,))


def distinct(keys: Ints, size: int) -> tuple[Ints, Ints, Ints]:
    """The distinct values of ``keys`` (non-negative integers below ``size``), sorted, as
    ``np.unique(keys, return_index=True, return_inverse=True)`` gives them: (values, first row
    of each, index of each row's value). Where ``size`` is small next to the rows, a table of
    ``size`` entries replaces the sort (linear instead of n log n).
    """
    n = len(keys)
    if n == 0 or size > 4 * n + 65_536 or keys.min() < 0:
        values, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        return (
            np.asarray(values, dtype=np.intp),
            np.asarray(first, dtype=np.intp),
            np.asarray(inverse, dtype=np.intp).reshape(-1),
        )
    present = np.zeros(size, dtype=bool)
    present[keys] = True
    values = np.flatnonzero(present)
    rank = np.cumsum(present, dtype=np.intp) - 1
    first_at = np.full(size, n, dtype=np.intp)
    np.minimum.at(first_at, keys, np.arange(n, dtype=np.intp))
    return values, first_at[values], rank[keys]


def combined_codes(*columns: tuple[Ints, int]) -> tuple[Ints, Ints]:
    """Distinct combinations of code columns, each given with its number of distinct values:
    (one row per combination: the codes of its first row's index, every row's combination).

    Returns (first row of each distinct combination, combination of each row), computed on
    one integer key per row (not a sort of rows).
    """
    size = 1
    key = np.zeros(len(columns[0][0]), dtype=np.int64)
    for codes, width in columns:
        width = max(int(width), 1)
        if size * width >= 2**62:  # too many combinations for one integer: sort rows instead
            stacked = np.stack([c for c, _ in columns], axis=1)
            _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
            return np.asarray(first, dtype=np.intp), np.asarray(inverse, dtype=np.intp).reshape(-1)
        key = key * width + codes
        size *= width
    _, first, inverse = distinct(key, size)
    return first, inverse


def histogram(values: Floats) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Bin edges and counts of ``values`` (draws of a Monte Carlo): sqrt(n) bins, 10 to 60.
    Draws that do not vary but for float noise (numpy cannot cut so narrow a range) are one
    bin 1 % either side of their value."""
    n = len(values)
    if not n:
        return (), ()
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-9 * max(abs(low), abs(high), 1e-12):
        pad = max(abs(low) * 0.01, 1e-9)
        return (low - pad, high + pad), (n,)
    counts, edges = np.histogram(values, bins=max(10, min(60, round(n**0.5))))
    return tuple(edges.tolist()), tuple(int(c) for c in counts)


def _floats(values: Iterable[float | None]) -> Floats:
    return np.asarray([math.nan if v is None else v for v in values], dtype=float)


@dataclass(frozen=True, eq=False)
class RawLines:
    """Every activity line of every battery as given: amounts, factor ids, own factors, data
    quality, supply evidence and where each line was read. Nothing resolved yet.

    Optional numbers are NaN where not given; ``stage`` is -1 where the line names none;
    ``supply`` is -1 for lines without electricity supply data; ``kind`` is KIND_FROM_FACTOR
    and ``data_type`` DEFAULT_DATA_TYPE where a long-BOM row leaves them to its factor's table
    (the engine completes them before anything else).
    """

    battery: Ints
    kind: Ints
    component: Texts
    path: Texts
    factor_id: Texts
    quantity: Floats
    unit: Texts
    stage: Ints
    own_value: Floats
    own_unit: Texts
    own_source: Texts
    data_type: Ints
    dqr: Floats
    origin: Texts
    recycled_share: Floats
    quantity_gsd: Floats
    factor_gsd: Floats
    note: Texts
    where_file: Texts
    where_line: Ints
    where_column: Ints
    where_key: Texts
    supply: Ints
    supplies: tuple[ElectricitySupply, ...] = ()
    #: the role given with the line ("" where none: its material's catalogue role decides)
    role: Texts = field(default_factory=lambda: Codes.constant("", 0))
    #: the ActivityLine objects the columns were built from, when they were (projects)
    objects: tuple[ActivityLine, ...] | None = None

    def __len__(self) -> int:
        return len(self.quantity)

    def where(self, row: int) -> Location:
        line = int(self.where_line[row])
        column = int(self.where_column[row])
        return Location(
            self.where_file[row], line or None, column or None, self.where_key[row] or None
        )

    def label(self, row: int) -> str:
        return self.path[row] or self.component[row]

    def activity_line(self, row: int) -> ActivityLine:
        """The line as the model's ActivityLine (the original object where there was one)."""
        if self.objects is not None:
            return self.objects[row]
        own = None
        if not math.isnan(self.own_value[row]):
            own = SuppliedFactor(
                float(self.own_value[row]), self.own_unit[row], self.own_source[row]
            )
        stage = int(self.stage[row])
        supply = int(self.supply[row])
        return ActivityLine(
            kind=KINDS[int(self.kind[row])],
            component=self.component[row],
            factor_id=self.factor_id[row] or None,
            quantity=float(self.quantity[row]),
            unit=self.unit[row],
            where=self.where(row),
            path=self.path[row],
            stage=None if stage == NO_STAGE else STAGES[stage],
            supplied=own,
            data_type=DATA_TYPES[int(self.data_type[row])],
            dqr=_opt(self.dqr[row]),
            origin=self.origin[row] or None,
            recycled_share=_opt(self.recycled_share[row]),
            note=self.note[row],
            supply=None if supply < 0 else self.supplies[supply],
            quantity_gsd=_opt(self.quantity_gsd[row]),
            factor_gsd=_opt(self.factor_gsd[row]),
            role=self.role_at(row) or None,
        )

    def role_at(self, row: int) -> str:
        return self.role[row] if len(self.role) else ""

    def take(self, rows: Ints | Bools) -> RawLines:
        """The lines at ``rows`` (indices or a mask), in that order."""
        mask = np.asarray(rows)
        index: Ints = np.asarray(
            np.flatnonzero(mask) if mask.dtype == bool else mask, dtype=np.intp
        )
        objects = None
        if self.objects is not None:
            objects = tuple(self.objects[int(i)] for i in index)
        return RawLines(
            battery=self.battery[index],
            kind=self.kind[index],
            component=self.component.take(index),
            path=self.path.take(index),
            factor_id=self.factor_id.take(index),
            quantity=self.quantity[index],
            unit=self.unit.take(index),
            stage=self.stage[index],
            own_value=self.own_value[index],
            own_unit=self.own_unit.take(index),
            own_source=self.own_source.take(index),
            data_type=self.data_type[index],
            dqr=self.dqr[index],
            origin=self.origin.take(index),
            recycled_share=self.recycled_share[index],
            quantity_gsd=self.quantity_gsd[index],
            factor_gsd=self.factor_gsd[index],
            note=self.note.take(index),
            where_file=self.where_file.take(index),
            where_line=self.where_line[index],
            where_column=self.where_column[index],
            where_key=self.where_key.take(index),
            supply=self.supply[index],
            supplies=self.supplies,
            role=self.role.take(index) if len(self.role) else self.role,
            objects=objects,
        )

    def with_battery(self, battery: Ints) -> RawLines:
        """The same lines assigned to other battery numbers (a subset renumbered)."""
        from dataclasses import replace

        return replace(self, battery=np.asarray(battery, dtype=np.intp))

    @classmethod
    def from_lines(cls, lines_by_battery: Sequence[Sequence[ActivityLine]]) -> RawLines:
        """Columns from ActivityLine objects, battery ``i`` holding ``lines_by_battery[i]``."""
        lines = [line for group in lines_by_battery for line in group]
        battery = np.repeat(
            np.arange(len(lines_by_battery), dtype=np.intp),
            [len(group) for group in lines_by_battery],
        )
        supplies: dict[ElectricitySupply, int] = {}
        supply = [
            -1 if line.supply is None else supplies.setdefault(line.supply, len(supplies))
            for line in lines
        ]
        kind_index = {k: i for i, k in enumerate(KINDS)}
        stage_index = {s: i for i, s in enumerate(STAGES)}
        type_index = {d: i for i, d in enumerate(DATA_TYPES)}
        return cls(
            battery=battery,
            kind=np.asarray([kind_index[line.kind] for line in lines], dtype=np.intp),
            component=Codes.of(line.component for line in lines),
            path=Codes.of(line.path for line in lines),
            factor_id=Codes.of(line.factor_id or "" for line in lines),
            quantity=np.asarray([line.quantity for line in lines], dtype=float),
            unit=Codes.of(line.unit for line in lines),
            stage=np.asarray(
                [NO_STAGE if line.stage is None else stage_index[line.stage] for line in lines],
                dtype=np.intp,
            ),
            own_value=_floats(None if ln.supplied is None else ln.supplied.value for ln in lines),
            own_unit=Codes.of("" if ln.supplied is None else ln.supplied.unit for ln in lines),
            own_source=Codes.of("" if ln.supplied is None else ln.supplied.source for ln in lines),
            data_type=np.asarray([type_index[line.data_type] for line in lines], dtype=np.intp),
            dqr=_floats(line.dqr for line in lines),
            origin=Codes.of(line.origin or "" for line in lines),
            recycled_share=_floats(line.recycled_share for line in lines),
            quantity_gsd=_floats(line.quantity_gsd for line in lines),
            factor_gsd=_floats(line.factor_gsd for line in lines),
            note=Codes.of(line.note for line in lines),
            where_file=Codes.of(line.where.file for line in lines),
            where_line=np.asarray([line.where.line or 0 for line in lines], dtype=np.intp),
            where_column=np.asarray([line.where.column or 0 for line in lines], dtype=np.intp),
            where_key=Codes.of(line.where.key or "" for line in lines),
            supply=np.asarray(supply, dtype=np.intp),
            supplies=tuple(supplies),
            role=Codes.of(line.role or "" for line in lines),
            objects=tuple(lines),
        )


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@dataclass(frozen=True, eq=False)
class Inputs:
    """Batteries to compute, as read: per battery its id, its project (the facts; its lines are
    in ``lines``, ``lines.battery`` indexing these batteries) or None where the facts could not
    be read, and the problems found while reading it. A battery with problems fails alone."""

    ids: tuple[str, ...]
    projects: tuple[Project | None, ...]
    lines: RawLines
    problems: tuple[tuple[CarbonfpError, ...], ...]
    #: where each battery was read: its project file, or its row of the battery table
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def source(self, battery: int) -> str:
        if self.sources:
            return self.sources[battery]
        project = self.projects[battery]
        return project.label if project is not None else self.ids[battery]

    @classmethod
    def from_projects(
        cls,
        projects: Sequence[Project | None],
        ids: Sequence[str] = (),
        problems: Sequence[Sequence[CarbonfpError]] = (),
        sources: Sequence[str] = (),
    ) -> Inputs:
        """Inputs of projects already read (their lines become the raw lines); a project that
        could not be read is None, with its problems. Ids default to the battery models."""
        return cls(
            ids=tuple(ids) or tuple(p.battery.model if p else "" for p in projects),
            projects=tuple(projects),
            lines=RawLines.from_lines([p.lines if p else () for p in projects]),
            problems=tuple(tuple(p) for p in problems) or tuple(() for _ in projects),
            sources=tuple(sources),
        )


@dataclass(frozen=True, eq=False)
class Figures:
    """The declared figures of many batteries as columns (one row per battery).

    :meth:`compute` is the one place where the per-kWh figures, the total, the stage shares
    and cradle-to-gate per kWh of capacity are derived from kg CO2e per stage; a Declaration
    holds one row of them, and a portfolio written as a table reads them here without building
    a Declaration per battery.
    """

    battery: tuple[str, ...]  # the battery model of each row
    stage_kg: Floats  # (batteries, stages), stages in Stage order
    stage_per_kwh: Floats
    stage_share: Floats
    absolute_kg: Floats
    total_per_kwh: Floats
    cradle_to_gate_kg: Floats
    cradle_to_gate_per_kwh_capacity: Floats
    total_energy_kwh: Floats

    def __len__(self) -> int:
        return len(self.battery)

    @classmethod
    def compute(
        cls,
        battery: Sequence[str],
        stage_kg: Floats,
        total_energy_kwh: Floats,
        usable_capacity_kwh: Floats,
    ) -> Figures:
        """Figures from kg CO2e per (battery, stage), E_total and usable capacity."""
        stage_kg = np.asarray(stage_kg, dtype=float).reshape(-1, len(STAGES))
        e_total = np.asarray(total_energy_kwh, dtype=float)
        absolute = stage_kg.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(absolute[:, None] != 0, stage_kg / absolute[:, None], 0.0)
            gate = stage_kg[:, 0] + stage_kg[:, 1]
            return cls(
                battery=tuple(battery),
                stage_kg=stage_kg,
                stage_per_kwh=stage_kg / e_total[:, None],
                stage_share=share,
                absolute_kg=absolute,
                total_per_kwh=absolute / e_total,
                cradle_to_gate_kg=gate,
                cradle_to_gate_per_kwh_capacity=gate / np.asarray(usable_capacity_kwh, dtype=float),
                total_energy_kwh=e_total,
            )

    def take(self, rows: Sequence[int]) -> Figures:
        index = np.asarray(rows, dtype=np.intp)
        return Figures(
            battery=tuple(self.battery[int(i)] for i in index),
            stage_kg=self.stage_kg[index],
            stage_per_kwh=self.stage_per_kwh[index],
            stage_share=self.stage_share[index],
            absolute_kg=self.absolute_kg[index],
            total_per_kwh=self.total_per_kwh[index],
            cradle_to_gate_kg=self.cradle_to_gate_kg[index],
            cradle_to_gate_per_kwh_capacity=self.cradle_to_gate_per_kwh_capacity[index],
            total_energy_kwh=self.total_energy_kwh[index],
        )

    @classmethod
    def concat(cls, parts: Sequence[Figures]) -> Figures:
        def cat(name: str) -> Floats:
            return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0)

        return cls(
            battery=tuple(b for p in parts for b in p.battery),
            stage_kg=np.concatenate([p.stage_kg for p in parts])
            if parts
            else np.zeros((0, len(STAGES))),
            stage_per_kwh=np.concatenate([p.stage_per_kwh for p in parts])
            if parts
            else np.zeros((0, len(STAGES))),
            stage_share=np.concatenate([p.stage_share for p in parts])
            if parts
            else np.zeros((0, len(STAGES))),
            absolute_kg=cat("absolute_kg"),
            total_per_kwh=cat("total_per_kwh"),
            cradle_to_gate_kg=cat("cradle_to_gate_kg"),
            cradle_to_gate_per_kwh_capacity=cat("cradle_to_gate_per_kwh_capacity"),
            total_energy_kwh=cat("total_energy_kwh"),
        )

    @classmethod
    def of(cls, declarations: Sequence[Declaration]) -> Figures:
        """The figures the declarations hold (read, not computed again)."""
        n = len(declarations)
        return cls(
            battery=tuple(d.project.battery.model for d in declarations),
            stage_kg=np.array([[s.kg_co2e for s in d.stages] for d in declarations]).reshape(
                n, len(STAGES)
            ),
            stage_per_kwh=np.array(
                [[s.kg_co2e_per_kwh for s in d.stages] for d in declarations]
            ).reshape(n, len(STAGES)),
            stage_share=np.array([[s.share for s in d.stages] for d in declarations]).reshape(
                n, len(STAGES)
            ),
            absolute_kg=np.array([d.absolute_kg_co2e for d in declarations]),
            total_per_kwh=np.array([d.total_kg_co2e_per_kwh for d in declarations]),
            cradle_to_gate_kg=np.array([d.cradle_to_gate_kg_co2e for d in declarations]),
            cradle_to_gate_per_kwh_capacity=np.array(
                [d.cradle_to_gate_kg_co2e_per_kwh_capacity for d in declarations]
            ),
            total_energy_kwh=np.array([d.functional_unit.total_energy_kwh for d in declarations]),
        )
