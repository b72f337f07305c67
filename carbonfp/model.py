"""Frozen dataclasses the core takes and returns: inputs, factor data, rules and results."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from carbonfp.errors import InputError, Location

#: UN CPC Ver. 2.1 subclass 46420, electric accumulators: the default productCategoryCpc.
CPC_ELECTRIC_ACCUMULATORS = "46420"


class Stage(str, Enum):
    """The four life-cycle stages of Annex II; the use stage is excluded by law."""

    RAW_MATERIALS = "raw_materials"
    PRODUCTION = "production"
    DISTRIBUTION = "distribution"
    END_OF_LIFE = "end_of_life"


_ALIASES = {
    "raw_materials": Stage.RAW_MATERIALS,
    "raw_material": Stage.RAW_MATERIALS,
    "raw_material_acquisition": Stage.RAW_MATERIALS,
    "rawmaterialextraction": Stage.RAW_MATERIALS,
    "production": Stage.PRODUCTION,
    "main_production": Stage.PRODUCTION,
    "mainproduction": Stage.PRODUCTION,
    "manufacturing": Stage.PRODUCTION,
    "distribution": Stage.DISTRIBUTION,
    "end_of_life": Stage.END_OF_LIFE,
    "eol": Stage.END_OF_LIFE,
    "recycling": Stage.END_OF_LIFE,
}
_USE = {"use", "use_phase", "use_stage", "operation"}


def parse_stage(text: str, where: Location | None = None) -> Stage:
    """Read a stage name ("raw_materials", "Raw materials", "EoL", ...).

    Raises InputError: ``use-stage`` for the use stage (excluded by Annex II), ``unknown-stage``
    for anything else not recognised.
    """
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key in _USE:
        raise InputError(
            f"stage {text!r}: the use stage is excluded from the battery carbon footprint",
            where=where,
            hint="Regulation (EU) 2023/1542 Annex II leaves the use stage out; remove this line "
            "(charging losses and use-phase electricity are not part of the declaration)",
            code="use-stage",
        )
    if key in _ALIASES:
        return _ALIASES[key]
    raise InputError(
        f"unknown stage {text!r}",
        where=where,
        hint="use one of: " + ", ".join(s.value for s in Stage),
        code="unknown-stage",
    )


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


def default_data_type(kind: LineKind, own_factor: bool) -> DataType:
    """Where a line's data come from when it does not say: the plant's own energy and process
    emissions are company data, a material line with its own factor is supplier data, the rest
    secondary data."""
    if kind in (LineKind.ELECTRICITY, LineKind.FUEL, LineKind.PROCESS_EMISSION):
        return DataType.COMPANY
    if kind is LineKind.MATERIAL and own_factor:
        return DataType.SUPPLIER
    return DataType.SECONDARY


def grid_factor_id(country: str) -> str:
    """The factor id of a country's national grid mix ("HU" -> "grid-hu")."""
    return f"grid-{country.strip().lower()}"


def grid_country(factor_id: str) -> str | None:
    """The country of a national grid factor id ("grid-hu" -> "HU"), None for other ids."""
    fid = factor_id.strip().lower()
    return fid[len("grid-") :].upper() if fid.startswith("grid-") and len(fid) > 5 else None


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
    #: URNs identifying the manufacturer (PACT companyIds); empty: derived from the name
    company_ids: tuple[str, ...] = ()


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
    vehicle_consumption_kwh_per_km: float | None = None
    declared_cycles: float | None = None
    end_of_life_capacity: float | None = None
    mean_capacity_factor: float | None = None


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
    #: URNs identifying the battery model (PACT productIds); empty: derived from the model
    product_ids: tuple[str, ...] = ()
    #: UN CPC code of the product (PACT productCategoryCpc); None: the electric accumulators code
    product_category_cpc: str | None = None
    #: when the declaration was made (UTC; PACT created); None: the reference period's end
    created: datetime | None = None
    #: the period the activity data represent (UTC, end exclusive; PACT referencePeriodStart/End)
    reference_period_start: datetime | None = None
    reference_period_end: datetime | None = None
    #: the date of the carbon footprint study and its version (the auditor's first questions)
    study_date: date | None = None
    study_version: str | None = None
    #: one of VERIFICATION_STATUSES; None: not stated
    verification_status: str | None = None
    #: the notified body or other verifier, and the id of its verification statement
    verifier: str | None = None
    verification_statement_id: str | None = None


#: [declaration] verification_status values: the study is not verified, its verification (by a
#: notified body, Regulation (EU) 2023/1542 Article 17 and Annex VIII) is under way, or done.
VERIFICATION_STATUSES = ("none", "in progress", "verified")


@dataclass(frozen=True)
class SuppliedFactor:
    """A factor given with the line itself (a supplier's PCF, say), overriding the factor set."""

    value: float
    unit: str
    source: str


class Supply(str, Enum):
    """How an electricity block is supplied (METHOD.md section 5)."""

    GRID = "grid"
    PPA = "ppa"
    GUARANTEE_OF_ORIGIN = "guarantee_of_origin"
    GREEN_TARIFF = "green_tariff"
    ON_SITE = "on_site"
    DIRECT_LINE = "direct_line"

    @property
    def is_instrument(self) -> bool:
        """A contractual instrument: credited only under a market-based policy, on evidence."""
        return self in (Supply.PPA, Supply.GUARANTEE_OF_ORIGIN, Supply.GREEN_TARIFF)


@dataclass(frozen=True)
class ElectricitySupply:
    """What an electricity block says about its supply, with the evidence for an instrument."""

    supply: Supply = Supply.GRID
    technology: str | None = None
    share: float = 1.0
    certificate_id: str | None = None
    conveys_attributes: bool | None = None
    cancelled_for_user: bool | None = None
    generation_period: str | None = None
    consumption_period: str | None = None
    market: str | None = None
    residual_mix: SuppliedFactor | None = None


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
    supply: ElectricitySupply | None = None
    #: geometric standard deviation of the amount (lognormal), for Monte Carlo
    quantity_gsd: float | None = None
    #: geometric standard deviation of the line's own (supplied) factor, for Monte Carlo
    factor_gsd: float | None = None
    #: the line's role as given (a BOM's role column, an energy block's role key); else its
    #: material's role in the catalogue decides (carbonfp.data.catalogue)
    role: str | None = None

    @property
    def label(self) -> str:
        return self.path or self.component


#: The keys of one material group of a project's [end_of_life.materials.GROUP] table (and of a
#: long BOM's end_of_life.materials.GROUP.KEY columns), in the order they are written.
EOL_MATERIAL_KEYS = (
    "R2",
    "R3",
    "Qsout",
    "recycling",
    "recycling_source",
    "disposal",
    "disposal_source",
    "recycled_input",
    "recycled_input_source",
    "energy_recovery",
    "energy_recovery_source",
)


@dataclass(frozen=True)
class EolMaterial:
    """The project's end-of-life data for one CFF material group (overrides ruleset defaults)."""

    name: str
    r2: float | None = None
    r3: float | None = None
    q_out: float | None = None
    recycling: SuppliedFactor | None = None
    disposal: SuppliedFactor | None = None
    recycled_input: SuppliedFactor | None = None
    energy_recovery: SuppliedFactor | None = None


@dataclass(frozen=True)
class EndOfLife:
    """How the battery ends its life: the route and, per material group, rates and factors."""

    route: str
    materials: Mapping[str, EolMaterial]
    where: Location


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
    end_of_life: EndOfLife | None = None
    #: the project's [factors] layers, the first winning over those after it: shipped sets
    #: (ID[@VERSION]) and set folders (absolute paths, read relative to the project file)
    factor_layers: tuple[str, ...] = ()


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
    #: material id -> element (or "graphite") -> mass fraction
    composition: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

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
class MandatoryItem:
    """A process the ruleset wants company- or supplier-specific data for."""

    id: str
    title: str
    kinds: tuple[LineKind, ...]
    #: glob patterns on factor ids (lower case)
    match: tuple[str, ...]
    #: roles of lines (factors/catalogue/materials.toml) the item covers
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class CffMaterial:
    """Circular Footprint Formula parameters of one material group."""

    name: str
    match: tuple[str, ...]
    a: float
    b: float = 0.0
    q_in: float = 1.0
    q_out: float = 1.0
    r2: float | None = None
    r3: float = 0.0
    recycled_factor: str | None = None


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
    fu_method: str = "fec-warranty"
    time_match: str = "year"
    cut_off: str = ""
    mandatory: tuple[MandatoryItem, ...] = ()
    cff: tuple[CffMaterial, ...] = ()
    #: date the minimum applies from -> element -> minimum recycled share
    recycled_minimums: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    material_content_per_kwh: Mapping[str, Band] = field(default_factory=dict)
    #: the chemistries the cradle-to-gate and the material content bands were published for
    #: (empty: every chemistry); other chemistries are not checked against them
    cradle_to_gate_chemistries: tuple[str, ...] = ()
    content_chemistries: tuple[str, ...] = ()
    performance_classes: Mapping[str, Band] = field(default_factory=dict)
    extends: str | None = None
    #: the ruleset's version (a shipped file is never edited; a change is a new version)
    version: int = 1

    @property
    def label(self) -> str:
        """ID@VERSION, as ``--rules`` takes it."""
        return f"{self.id}@{self.version}"


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
    #: (setting, value, where it came from) of the run: ruleset, factor set (and layers),
    #: electricity policy, mode; where: "option" (given by the caller), "project" (the project's
    #: [method]), "ruleset" (the ruleset's default), "default" (carbonfp's), "caller" (objects
    #: passed to the library)
    run: tuple[tuple[str, str, str], ...] = ()
    #: the GWP set that characterised the gases (AR6, AR5)
    gwp_set: str = ""
    #: the ruleset's version (ruleset@version names the file)
    ruleset_version: int = 1
    #: the material catalogue that gave aliases and roles (ID@VERSION) and its sha256
    catalogue: str = ""
    catalogue_sha256: str = ""


@dataclass(frozen=True)
class ElectricityResult:
    """How one electricity block was counted."""

    line: ActivityLine
    policy: str
    supply: Supply
    kwh: float
    factor_kg_per_kwh: float
    factor_ids: tuple[str, ...]
    credited_share: float
    reason: str
    certificate_id: str | None


@dataclass(frozen=True)
class CffResult:
    """The formula's terms for one material line, per battery (kg CO2e)."""

    line: ActivityLine
    group: str
    mass_kg: float
    r1: float
    r2: float
    r3: float
    a: float
    q_out: float
    ev: float
    erec: float | None
    erec_eol: float | None
    disposal: float | None
    raw_materials_kg: float
    recycling_kg: float
    energy_recovery_kg: float
    disposal_kg: float

    @property
    def end_of_life_kg(self) -> float:
        return self.recycling_kg + self.energy_recovery_kg + self.disposal_kg


@dataclass(frozen=True)
class RecycledContent:
    element: str
    content_kg: float
    recycled_kg: float
    minimums: tuple[tuple[str, float, bool], ...]  # (applies from, minimum share, met)

    @property
    def share(self) -> float:
        return self.recycled_kg / self.content_kg if self.content_kg else 0.0


DQR_LEVELS = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"))


def dqr_label(dqr: float | None) -> str:
    """PEF wording of a DQR: <= 1.5 excellent, <= 2 very good, <= 3 good, <= 4 fair, else poor."""
    if dqr is None:
        return "unknown"
    return next((name for limit, name in DQR_LEVELS if dqr <= limit), "poor")


@dataclass(frozen=True)
class QualitySummary:
    """Data quality: PEF DQR weighted by |emissions|, per stage and overall, and primary data."""

    dqr_by_stage: Mapping[Stage, float | None]
    dqr_overall: float | None
    dqr_coverage: float
    #: (mandatory item title, line label, where) for secondary data where primary is required
    missing_primary: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class RandomInput:
    """One random input of a Monte Carlo: what it multiplies, its distribution around 1 and
    where its spread comes from (stated in the inputs, the factor set, or data quality)."""

    label: str
    #: "lognormal" (median 1, geometric standard deviation ``gsd``) or "triangular" (``low``,
    #: mode 1, ``high``, relative to the value)
    distribution: str
    gsd: float = math.nan
    low: float = math.nan
    high: float = math.nan
    origin: str = ""
    #: share of the variance of the total it explains (squared correlation, normalised)
    share: float = 0.0


@dataclass(frozen=True)
class Uncertainty:
    """Monte Carlo results of one declaration, in kg CO2e per kWh delivered."""

    draws: int
    seed: int
    #: "total" and each stage id -> {"mean", "median", "p2_5", "p97_5"}
    summary: Mapping[str, Mapping[str, float]]
    #: (random input, share of the variance of the total), largest first, top 10
    contributions: tuple[tuple[str, float], ...]
    random_inputs: int
    #: the histogram of the total over every draw: bin edges, and draws per bin
    histogram_edges: tuple[float, ...] = ()
    histogram_counts: tuple[int, ...] = ()
    #: every random input, in line order, with its distribution, origin and share
    inputs: tuple[RandomInput, ...] = ()
    #: the declared (deterministic) total and the share of draws at or below it, in %
    declared_per_kwh: float = math.nan
    declared_percentile: float = math.nan


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
    mode: str = "screening"
    electricity: tuple[ElectricityResult, ...] = ()
    cff: tuple[CffResult, ...] = ()
    recycled_content: tuple[RecycledContent, ...] = ()
    quality: QualitySummary | None = None
    gate_failures: tuple[str, ...] = ()
    uncertainty: Uncertainty | None = None

    def stage(self, stage: Stage) -> StageResult:
        return next(s for s in self.stages if s.stage is stage)

    def top_contributors(self, n: int = 10) -> list[LineResult]:
        return sorted(self.lines, key=lambda r: (-abs(r.kg_co2e), r.line.label))[:n]
