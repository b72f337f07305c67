"""Frozen dataclasses the core takes and returns: inputs, factor data, rules and results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from carbonfp.errors import Location


class Stage(str, Enum):
    """The four life-cycle stages of Annex II; the use stage is excluded by law."""

    RAW_MATERIALS = "raw_materials"
    PRODUCTION = "production"
    DISTRIBUTION = "distribution"
    END_OF_LIFE = "end_of_life"


STAGE_TITLES = {
    Stage.RAW_MATERIALS: "Raw material acquisition and pre-processing",
    Stage.PRODUCTION: "Main product production",
    Stage.DISTRIBUTION: "Distribution",
    Stage.END_OF_LIFE: "End of life and recycling",
}


class LineKind(str, Enum):
    """What an activity line is; decides the factor table and the default stage."""

    MATERIAL = "material"
    ELECTRICITY = "electricity"
    FUEL = "fuel"
    PROCESS_EMISSION = "process_emission"
    TRANSPORT = "transport"


class DataType(str, Enum):
    """Where a line's data comes from (PEF: company-specific, supplier-specific, secondary)."""

    COMPANY = "company"
    SUPPLIER = "supplier"
    SECONDARY = "secondary"


class BatteryCategory(str, Enum):
    """Battery categories of Regulation (EU) 2023/1542 that need a carbon footprint declaration."""

    EV = "EV"
    LMT = "LMT"
    INDUSTRIAL = "industrial"


@dataclass(frozen=True)
class Manufacturer:
    name: str
    trade_name: str | None = None
    address: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Battery:
    model: str
    category: BatteryCategory
    chemistry: str
    usable_capacity_kwh: float
    mass_kg: float
    warranty_years: float
    vehicle_category: str | None = None
    nominal_capacity_kwh: float | None = None
    warranty_km: float | None = None
    annual_distance_km: float | None = None
    cycles_per_year: float | None = None
    cycles_per_year_justification: str | None = None


@dataclass(frozen=True)
class Plant:
    name: str
    town: str
    region: str
    country: str


@dataclass(frozen=True)
class DeclarationInfo:
    eu_doc_id: str | None = None
    study_url: str | None = None


@dataclass(frozen=True)
class SuppliedFactor:
    """A factor given with the line itself (a supplier's PCF, say), overriding the factor set."""

    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class ActivityLine:
    """One amount per battery times one emission factor: a BOM line, energy block or leg."""

    kind: LineKind
    component: str
    factor_id: str | None
    quantity: float
    unit: str
    where: Location
    path: str = ""
    stage: Stage | None = None
    supplied: SuppliedFactor | None = None
    data_type: DataType = DataType.SECONDARY
    dqr: float | None = None
    origin: str | None = None
    recycled_share: float | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return self.path or self.component


@dataclass(frozen=True)
class Project:
    """Everything one declaration needs from the user, read and validated."""

    name: str
    label: str
    battery: Battery
    plant: Plant
    manufacturer: Manufacturer
    declaration: DeclarationInfo
    lines: tuple[ActivityLine, ...]
    inputs: tuple[tuple[str, str], ...] = ()
    ruleset: str | None = None
    factor_set: str | None = None
    warnings: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    year: int
    url: str
    license: str
    attribution: str


@dataclass(frozen=True)
class Factor:
    id: str
    table: str
    name: str
    value: float
    unit: str
    source: str
    region: str = ""
    year: int | None = None
    locator: str = ""
    license: str = ""
    status: str = "default"
    note: str = ""
    low: float | None = None
    high: float | None = None
    gsd: float | None = None
    dqr: tuple[int, int, int, int] | None = None
    read_in: str = "primary"
    set_label: str = ""
    specific_energy_wh_per_kg: float | None = None

    @property
    def dqr_score(self) -> float | None:
        """PEF DQR = (TeR + GeR + TiR + P) / 4."""
        return None if self.dqr is None else sum(self.dqr) / 4


@dataclass(frozen=True)
class FactorSet:
    id: str
    version: str
    sha256: str
    factors: Mapping[str, Factor]
    sources: Mapping[str, Source]
    gwp: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    gwp_sources: Mapping[str, str] = field(default_factory=dict)
    #: (ID@VERSION, manifest sha256) of the base set and of each layer over it, in order
    layers: tuple[tuple[str, str], ...] = ()
    #: (factor id, label of the layer that overrode it)
    overridden: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def table(self, name: str) -> dict[str, Factor]:
        return {k: f for k, f in self.factors.items() if f.table == name}


@dataclass(frozen=True)
class Band:
    low: float
    high: float


@dataclass(frozen=True)
class Ruleset:
    id: str
    title: str
    legal_status: str
    sha256: str
    gwp_set: str
    electricity_policy: str
    default_factor_set: str
    fec_per_year: Mapping[str, float]
    km_per_year: Mapping[str, float]
    categories: tuple[BatteryCategory, ...]
    stage_by_kind: Mapping[LineKind, Stage]
    cradle_to_gate_per_kwh_capacity: Band | None = None
    per_kwh_delivered: Mapping[str, Band] = field(default_factory=dict)
    stage_shares: Mapping[Stage, Band] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    #: raw settings of ``carbonfp estimate`` (quantity strings), parsed at the edge
    screening: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionalUnit:
    usable_capacity_kwh: float
    cycles_per_year: float
    service_life_years: float
    total_energy_kwh: float
    derivation: str


@dataclass(frozen=True)
class LineResult:
    line: ActivityLine
    stage: Stage
    factor_id: str
    factor_value: float
    factor_unit: str
    factor_source: str
    factor_status: str
    kg_co2e: float
    factor_set: str = ""
    factor_dqr: float | None = None


@dataclass(frozen=True)
class StageResult:
    stage: Stage
    kg_co2e: float
    kg_co2e_per_kwh: float
    share: float


@dataclass(frozen=True)
class Issue:
    """A warning attached to a declaration; ``code`` is stable and filterable."""

    code: str
    message: str
    where: str | None = None


@dataclass(frozen=True)
class Provenance:
    tool_version: str
    factor_set: str
    factor_set_sha256: str
    ruleset: str
    ruleset_sha256: str
    ruleset_legal_status: str
    inputs: tuple[tuple[str, str], ...]
    sources: tuple[Source, ...]
    factor_layers: tuple[tuple[str, str], ...] = ()
    overridden_factors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Declaration:
    project: Project
    functional_unit: FunctionalUnit
    stages: tuple[StageResult, ...]
    absolute_kg_co2e: float
    total_kg_co2e_per_kwh: float
    cradle_to_gate_kg_co2e: float
    cradle_to_gate_kg_co2e_per_kwh_capacity: float
    lines: tuple[LineResult, ...]
    warnings: tuple[Issue, ...]
    provenance: Provenance

    def stage(self, stage: Stage) -> StageResult:
        return next(s for s in self.stages if s.stage is stage)

    def top_contributors(self, n: int = 10) -> list[LineResult]:
        return sorted(self.lines, key=lambda r: (-abs(r.kg_co2e), r.line.label))[:n]
