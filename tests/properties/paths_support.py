"""Random battery projects for test_paths_agree.py, each written two ways.

A raw description (``Project``) is drawn by hypothesis and written twice, independently:

- ``write_project`` writes a project folder: battery.toml, bom.csv and its sub-BOMs (nested, in
  sub-folders too), energy.toml and transport.toml (or the same tables inline in battery.toml),
  and [end_of_life];
- ``write_long_bom`` writes the same batteries as the two tables of docs/long-bom.md
  (lines.csv, batteries.csv), from this module's own reading of that document: sub-BOMs
  expanded, plant energy allocated to one battery, transport legs in t*km, the project's keys as
  batteries.csv columns.

Nothing here calls carbonfp's readers or its flatten code: only ``carbonfp.units.quantity_in``
converts quantities ("5 g" to kg, "288 kg" to t), so that amounts are the same floats on both
paths. The factor ids, CFF groups and grid countries are read from the shipped data files
(factors/), never from carbonfp's code.

Each project carries the error code the generator expects under each ruleset
(``Project.expected``): at most one fault is injected, so which error comes first is never in
question.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from carbonfp.model import VERIFICATION_STATUSES
from carbonfp.units import quantity_in

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
FACTOR_DIR = REPO / "factors" / "sets" / "carbonfp-open" / "2026.1"
CATALOGUE_FILE = REPO / "factors" / "catalogue" / "materials.toml"
RULES_DIR = REPO / "factors" / "rules"
LONG_BOM_DOC = REPO / "docs" / "long-bom.md"

EU = "eu-ev-draft-2024-04"  # national-mix, E_total = capacity x FEC x years
JRC = "jrc-cfb-ev-2023"  # market-based, E_total = warranty km x consumption
RULESETS = (EU, JRC)
FACTOR_SET = "carbonfp-open@2026.1"


# --------------------------------------------------------------------------------------------
# The shipped data the generator draws from (read from the data files themselves)
# --------------------------------------------------------------------------------------------


def _ids(name: str) -> list[str]:
    with open(FACTOR_DIR / name, "rb") as handle:
        return [row["id"] for row in tomllib.load(handle)["factor"]]


SHIPPED_MATERIALS = set(_ids("materials.toml"))
GRID_COUNTRIES = sorted(
    i[5:].upper() for i in _ids("electricity.toml") if i.startswith("grid-") and len(i) == 7
)
TECHNOLOGIES = sorted(i[5:] for i in _ids("electricity.toml") if i.startswith("tech-"))
TRANSPORT_MODES = _ids("transport.toml")
FUELS = _ids("fuels.toml")
with open(FACTOR_DIR / "gwp.toml", "rb") as _handle:
    _AR6 = next(s for s in tomllib.load(_handle)["gwp_set"] if s["id"] == "AR6")["gwp100"]
GASES = [g for g in ("HFC-134a", "CH4-fossil", "SF6", "N2O") if g in _AR6]
#: every factor id of the set, lower case (a spelling of a material must not be one of them:
#: an id the factor set has is kept as written)
ALL_FACTOR_IDS = {
    str(row["id"]).lower()
    for path in FACTOR_DIR.glob("*.toml")
    for row in tomllib.loads(path.read_text(encoding="utf-8")).get("factor", [])
    if "id" in row
}

# The material catalogue (factors/catalogue/materials.toml): roles, each material's role and
# its aliases, read from the data file, never from carbonfp.data.catalogue.
with open(CATALOGUE_FILE, "rb") as _handle:
    _CATALOGUE = tomllib.load(_handle)
ROLE_APPLIES_TO = {name: r["applies_to"] for name, r in _CATALOGUE["roles"].items()}
CATALOGUE_ROLE = {m["id"]: m["role"] for m in _CATALOGUE["material"]}
ALIASES = {m["id"]: list(m.get("aliases", [])) for m in _CATALOGUE["material"]}

#: roles a BOM part may be given (besides its material's own role in the catalogue)
PART_ROLES = ["cathode-active-material", "anode-active-material", "binder"]
#: roles an energy block (electricity, fuel, process gas) may be given
ENERGY_ROLES = ["cell-manufacturing", "module-pack-assembly", "other-production"]
#: roles a BOM part must not take: not a role, or an energy role
BAD_PART_ROLES = ["cathode", "cell-manufacturing", "Binder"]
#: roles an energy block must not take: not a role, or a material role
BAD_ENERGY_ROLES = ["assembly", "binder", "cathode-active-material"]
assert all(ROLE_APPLIES_TO.get(r) == "material" for r in PART_ROLES)
assert all(ROLE_APPLIES_TO.get(r) == "energy" for r in ENERGY_ROLES)
assert all(ROLE_APPLIES_TO.get(r) != "material" for r in BAD_PART_ROLES)
assert all(ROLE_APPLIES_TO.get(r) != "energy" for r in BAD_ENERGY_ROLES)


@dataclass(frozen=True)
class CffGroup:
    name: str
    match: tuple[str, ...]
    r2: float | None
    r3: float
    recycled_factor: str | None


def _cff_groups() -> list[CffGroup]:
    with open(RULES_DIR / f"{EU}.toml", "rb") as handle:
        data = tomllib.load(handle)
    with open(RULES_DIR / f"{JRC}.toml", "rb") as handle:
        # the JRC ruleset extends the EU one; the generator relies on it not changing the CFF
        assert "cff" not in tomllib.load(handle), "jrc-cfb-ev-2023 overrides [cff]: update"
    return [
        CffGroup(name, tuple(g["match"]), g.get("R2"), g.get("R3", 0.0), g.get("recycled_factor"))
        for name, g in data["cff"]["materials"].items()
    ]


CFF_GROUPS = _cff_groups()
GROUPS = {g.name: g for g in CFF_GROUPS}


def group_of(material: str) -> CffGroup | None:
    """The ruleset's CFF group of a material id (glob patterns of [cff.materials])."""
    return next((g for g in CFF_GROUPS if any(fnmatch(material.lower(), p) for p in g.match)), None)


#: shipped materials lines may use without a factor of their own
MATERIALS = [
    "aluminium-primary",
    "aluminium-foil",
    "aluminium-recycled",
    "steel-sheet",
    "steel-crude",
    "pp",
    "pet",
    "hdpe",
    "pvc",
    "plastics-average",
    "graphite-natural",
    "graphite-synthetic",
    "nickel-sulfate",
    "cobalt-sulfate",
    "lithium-carbonate-brine",
    "lithium-hydroxide-spodumene",
    "electronics",
]
assert set(MATERIALS) <= SHIPPED_MATERIALS, set(MATERIALS) - SHIPPED_MATERIALS
#: materials with no shipped factor: a line needs its own factor (else unknown-factor)
UNSHIPPED = ["cam-nmc811", "cam-lfp", "copper-foil", "copper-busbar", "electrolyte", "separator"]
assert not set(UNSHIPPED) & SHIPPED_MATERIALS
#: shipped materials of a CFF group without a recycled factor in the ruleset
NEED_EREC = [m for m in MATERIALS if (g := group_of(m)) is not None and not g.recycled_factor]
#: materials of groups with a default R2 > 0 (the project must give `recycling`)
DEFAULT_R2 = [m for m in MATERIALS + UNSHIPPED if (g := group_of(m)) is not None and g.r2]
assert "copper-foil" in DEFAULT_R2 and "nickel-sulfate" in DEFAULT_R2


def spellings(material: str) -> list[str]:
    """Other ways a BOM may write a catalogue material id (resolve reads them as the id): its
    aliases as the catalogue gives them and in capitals, the id in capitals and as words
    ("Graphite Natural"). Never another factor's id (an id the factor set has is kept as
    written)."""
    if material not in CATALOGUE_ROLE:
        return []
    out: list[str] = []
    for alias in ALIASES[material]:
        out += [alias, alias.upper()]
    out += [material.upper(), material.replace("-", " ").title()]
    return [
        s
        for s in dict.fromkeys(out)
        if s != material and (s.lower() == material or s.lower() not in ALL_FACTOR_IDS)
    ]


assert "Graphite Natural" in spellings("graphite-natural")
assert {"NMC811", "ncm811"} <= set(spellings("cam-nmc811"))
assert "aluminum" in spellings("aluminium-primary")
assert all(spellings(m) for m in MATERIALS + UNSHIPPED + ["collection-dismantling"])

#: stage spellings a BOM accepts -> the stage
STAGE_SPELLINGS = {
    "raw_materials": "raw_materials",
    "Raw materials": "raw_materials",
    "production": "production",
    "manufacturing": "production",
    "end_of_life": "end_of_life",
    "EoL": "end_of_life",
    "distribution": "distribution",
}

#: (category, vehicle category, usable kWh range, consumption kWh/km range)
VEHICLES = [
    ("EV", "M1", (20.0, 120.0), (0.12, 0.25)),
    ("EV", "N1", (30.0, 110.0), (0.18, 0.35)),
    ("EV", "M3", (150.0, 600.0), (0.9, 1.6)),
    ("LMT", "L1e-B", (0.5, 3.0), (0.02, 0.06)),
    ("LMT", "L3e-A1", (2.0, 12.0), (0.04, 0.1)),
]

#: names with commas, quotes, semicolons and non-ASCII letters: CSV quoting and UTF-8
COMPONENTS = [
    "pack tray",
    "lid, steel sheet",
    'cell can "prismatic"',
    "Kühlplatte",
    "busbars; copper",
    "BMS board",
    "cathode active material",
    "anode graphite",
    "insulation film",
    "electrolyte (LiPF6)",
    "spacer ø12",
    "terminals",
]
PROCESSES = [
    "cell manufacturing",
    "module and pack assembly",
    "formation and ageing",
    "dry room, chillers",
    "electrode coating",
    "Lager & Büro",
]
SOURCES = [
    "supplier X PCF 2025-03",
    'EPD no. 123, "verified"',
    "Lieferant Ü, Datenblatt; 2025",
    "recycler report 2025",
]


# --------------------------------------------------------------------------------------------
# The raw description
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Q:
    """A quantity as a user writes it: "75.3 kWh"."""

    value: float
    unit: str

    def toml(self) -> str:
        return f"{num(self.value)} {self.unit}"

    def text(self, comma: bool = False) -> str:
        return f"{num(self.value, comma)} {self.unit}"


def num(value: float | int, comma: bool = False) -> str:
    """A number as text that reads back to the same float (repr), with a decimal comma if asked."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)
    assert "e" not in text and "inf" not in text and "nan" not in text, text
    return text.replace(".", ",") if comma else text


@dataclass
class Part:
    """A BOM row with a factor id."""

    component: str
    material: str
    quantity: float
    unit: str  # kg or g
    stage: str | None = None  # as written in the BOM (a spelling of STAGE_SPELLINGS)
    factor: Q | None = None
    factor_source: str | None = None
    data_type: str | None = None
    dqr: float | None = None
    origin: str | None = None  # as written (any case)
    recycled_share: float | None = None
    quantity_gsd: float | None = None
    factor_gsd: float | None = None
    role: str | None = None  # the BOM's role column
    spelling: str | None = None  # the material as written (an alias, another case); None: the id

    @property
    def stage_id(self) -> str | None:
        return STAGE_SPELLINGS[self.stage] if self.stage else None

    @property
    def written(self) -> str:
        """The material cell as the BOM (and lines.csv) writes it."""
        return self.spelling or self.material


@dataclass
class SubBom:
    """A BOM row `bom:NAME` used `count` times; NAME is relative to the BOM that uses it."""

    component: str
    count: int
    name: str
    rows: list[Part | SubBom]


@dataclass
class Electricity:
    process: str
    amount: Q
    basis: str
    country: str | None = None  # as written; None: the plant's
    supply: str | None = None
    technology: str | None = None
    share: float | None = None
    certificate_id: str | None = None
    conveys_attributes: bool | None = None
    cancelled_for_user: bool | None = None
    generation_period: str | None = None
    consumption_period: str | None = None
    market: str | None = None
    residual_mix: Q | None = None
    residual_mix_source: str | None = None
    data_type: str | None = None
    dqr: float | None = None
    amount_gsd: float | None = None
    factor_gsd: float | None = None
    role: str | None = None


@dataclass
class Fuel:
    process: str
    fuel: str
    amount: Q
    basis: str
    data_type: str | None = None
    dqr: float | None = None
    amount_gsd: float | None = None
    role: str | None = None


@dataclass
class Gas:
    process: str
    gas: str
    amount: Q
    basis: str
    data_type: str | None = None
    dqr: float | None = None
    role: str | None = None


@dataclass
class Leg:
    name: str
    mode: str
    distance: Q
    mass: Q | None  # None: "battery"
    stage: str
    data_type: str | None = None
    dqr: float | None = None
    amount_gsd: float | None = None
    factor_gsd: float | None = None


@dataclass
class Layout:
    """How the project folder is written (nothing here changes the declaration)."""

    energy_inline: bool = False
    transport_inline: bool = False
    bom_semicolon: bool = False  # European CSV: semicolons and decimal commas
    bom_byte_order_mark: bool = False
    bom_notes_column: bool = False
    #: a role column in every BOM, even where no row gives a role (else only where one does)
    bom_role_column: bool = False


@dataclass
class Project:
    battery_id: str
    battery: dict[str, Any]  # [battery] keys: text, numbers, Q
    manufacturer: dict[str, Any]
    plant: dict[str, str]
    declaration: dict[str, Any]
    method: dict[str, str]
    bom: list[Part | SubBom]
    electricity: list[Electricity] = field(default_factory=list)
    fuels: list[Fuel] = field(default_factory=list)
    gases: list[Gas] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
    eol_route: str | None = None  # None: no [end_of_life]
    eol: dict[str, dict[str, Any]] = field(default_factory=dict)  # group -> key -> value
    layout: Layout = field(default_factory=Layout)
    #: the long BOM carries the project reader's allocation notes (else `allocation` is not
    #: compared)
    notes_written: bool = True
    fault: str = "none"
    #: ruleset id -> the error code the project must fail with there (None: it computes)
    expected: dict[str, str | None] = field(default_factory=dict)

    @property
    def plant_country(self) -> str:
        return self.plant["country"]

    def battery_value(self, key: str, unit: str) -> float | None:
        value = self.battery.get(key)
        return None if value is None else quantity_in(value.toml(), unit)

    def parts(self) -> Iterable[Part]:
        """Every Part, sub-BOMs included (each once, not per use)."""

        def walk(rows: list[Part | SubBom]) -> Iterable[Part]:
            for row in rows:
                if isinstance(row, SubBom):
                    yield from walk(row.rows)
                else:
                    yield row

        return walk(self.bom)


@dataclass
class Example:
    projects: list[Project]
    mode: str
    #: True: the projects name their ruleset in [method] (method.ruleset in batteries.csv) and
    #: the calculation gets rules=None; False: every battery under both shipped rulesets
    rules_from_files: bool
    #: cosmetic choices of the long-BOM writer (separator, header spelling, optional columns)
    rnd: random.Random


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------


def decimals(low: float, high: float, places: int = 3) -> st.SearchStrategy[float]:
    """Short decimals mostly ("12.345"), full-precision floats sometimes."""
    scale = 10**places
    short = st.integers(int(low * scale), int(high * scale)).map(lambda n: n / scale)
    return st.one_of(short, short, st.floats(low, high, allow_nan=False, allow_infinity=False))


DATA_TYPES = st.sampled_from([None, None, None, "company", "supplier", "secondary"])
DQRS = st.one_of(st.none(), st.none(), st.sampled_from([1.0, 1.5, 2.0, 2.5, 3.0, 4.2, 5.0]))
GSDS = st.one_of(st.none(), st.none(), st.none(), decimals(1.0, 2.0, 2))
SHARES = decimals(0.01, 0.6, 2)
#: an energy block's role: mostly one, sometimes none
ENERGY_ROLE_DRAWS = st.sampled_from([*ENERGY_ROLES, *ENERGY_ROLES, None, None])


def spelled(draw: st.DrawFn, material: str) -> str | None:
    """Now and then the material written another way (an alias, another case); else None."""
    others = spellings(material)
    if not others or draw(st.integers(0, 5)) > 0:
        return None
    return draw(st.sampled_from(others))


@st.composite
def factor_q(draw: st.DrawFn, low: float, high: float) -> Q:
    value = draw(decimals(low, high, 2))
    if draw(st.integers(0, 3)) == 0:
        return Q(value * 1000, "g CO2e/kg")
    return Q(value, "kg CO2e/kg")


@st.composite
def parts(draw: st.DrawFn, *, top: bool) -> Part:
    shipped = draw(st.integers(0, 3)) > 0
    material = draw(st.sampled_from(MATERIALS if shipped else UNSHIPPED))
    unit = draw(st.sampled_from(["kg", "kg", "g"]))
    quantity = draw(decimals(0.01, 30.0) if unit == "kg" else decimals(1.0, 3000.0, 1))
    if draw(st.integers(0, 40)) == 0:
        quantity = 0.0
    stage = draw(
        st.sampled_from(
            [None] * 6 + ["raw_materials", "Raw materials", "production", "manufacturing"]
        )
    )
    factor = source = None
    if not shipped or draw(st.integers(0, 3)) == 0:
        factor = draw(factor_q(0.5, 40.0))
        source = draw(st.sampled_from(SOURCES))
    share = draw(st.one_of(st.none(), st.none(), SHARES))
    origin = draw(st.sampled_from([None, None, "CN", "cn", "KR", "de"]))
    # mostly none (the catalogue's role); sometimes another material role or its own again
    role = draw(st.sampled_from([None] * 6 + PART_ROLES + [CATALOGUE_ROLE.get(material)]))
    return Part(
        component=draw(st.sampled_from(COMPONENTS)),
        material=material,
        quantity=quantity,
        unit=unit,
        stage=stage,
        factor=factor,
        factor_source=source,
        data_type=draw(DATA_TYPES),
        dqr=draw(DQRS),
        origin=origin,
        recycled_share=share,
        quantity_gsd=draw(GSDS),
        factor_gsd=draw(GSDS) if factor is not None else None,
        role=role,
        spelling=spelled(draw, material),
    )


@st.composite
def end_of_life_parts(draw: st.DrawFn, *, top: bool) -> Part:
    """A line of the end-of-life stage with its own factor (negative only at the top level,
    small enough that the total stays positive)."""
    negative = top and draw(st.booleans())
    value = draw(decimals(0.01, 2.0, 2))
    material = draw(st.sampled_from(["collection-dismantling", "recycling-credit"]))
    return Part(
        component=draw(
            st.sampled_from(["collection and dismantling", "recycling credit", "Entsorgung"])
        ),
        material=material,
        quantity=draw(decimals(0.1, 5.0)),
        unit="kg",
        stage=draw(st.sampled_from(["end_of_life", "EoL"])),
        factor=Q(-value if negative else value, "kg CO2e/kg"),
        factor_source=draw(st.sampled_from(SOURCES)),
        data_type=draw(DATA_TYPES),
        dqr=draw(DQRS),
        role=draw(st.sampled_from([None, None, None, "end-of-life-treatment"])),
        spelling=spelled(draw, material),
    )


class _Names:
    """Unique sub-BOM file names within one project."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, folder: str) -> str:
        self.n += 1
        return f"{folder}part-{self.n}.csv"


@st.composite
def sub_boms(draw: st.DrawFn, names: _Names, depth: int = 1) -> SubBom:
    rows: list[Part | SubBom] = draw(st.lists(parts(top=False), min_size=1, max_size=4))
    if draw(st.integers(0, 4)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), draw(end_of_life_parts(top=False)))
    if depth < 2 and draw(st.integers(0, 2)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), draw(sub_boms(names, depth + 1)))
    folder = draw(st.sampled_from(["", "", "parts/", "cells/"]))
    return SubBom(
        component=draw(st.sampled_from(["cells", "modules", "Zellen, prismatisch", "pack half"])),
        count=draw(st.one_of(st.integers(1, 12), st.integers(1, 200))),
        name=names.next(folder),
        rows=rows,
    )


#: None: the block names no supply (grid)
SUPPLIES = [None, None, "grid", "ppa", "guarantee_of_origin", "green_tariff", "on_site"]
SUPPLIES.append("direct_line")


@st.composite
def electricity_blocks(draw: st.DrawFn, plant_country: str) -> Electricity:
    supply = draw(st.sampled_from(SUPPLIES))
    unit = draw(st.sampled_from(["kWh", "kWh", "MWh"]))
    basis = draw(st.sampled_from(["per_battery", "per_kwh_capacity"]))
    amount = draw(decimals(0.5, 40.0) if basis == "per_kwh_capacity" else decimals(1.0, 500.0))
    country = draw(
        st.one_of(st.none(), st.sampled_from(GRID_COUNTRIES), st.sampled_from(["cn", "hu"]))
    )
    block = Electricity(
        process=draw(st.sampled_from(PROCESSES)),
        amount=Q(amount / 1000 if unit == "MWh" else amount, unit),
        basis=basis,
        country=country,
        supply=supply,
        data_type=draw(DATA_TYPES),
        dqr=draw(DQRS),
        amount_gsd=draw(GSDS),
        factor_gsd=draw(GSDS),
        role=draw(ENERGY_ROLE_DRAWS),
    )
    if supply not in (None, "grid"):
        block.technology = draw(st.sampled_from(TECHNOLOGIES))
        block.share = draw(st.sampled_from([None, None, 1.0, 0.5, 0.25, 0.0]))
    if supply in ("ppa", "guarantee_of_origin", "green_tariff"):
        grid = (country or plant_country).upper()
        evidence = draw(st.sampled_from(["all", "all", "some", "none"]))
        year = draw(st.sampled_from(["2025", "2024"]))
        if evidence == "all":
            block.certificate_id = draw(st.sampled_from(["PPA-2025-001", "GO-2025-17", "GT-7"]))
            block.conveys_attributes = True
            block.cancelled_for_user = True
            block.generation_period = draw(st.sampled_from(["2025", "2025-03"]))
            block.consumption_period = "2025"
            block.market = grid
        elif evidence == "some":
            block.certificate_id = draw(st.sampled_from([None, "PPA-2025-001", "GO-2025-17"]))
            block.conveys_attributes = draw(st.sampled_from([None, True, False]))
            block.cancelled_for_user = draw(st.sampled_from([None, True, False]))
            block.generation_period = draw(st.sampled_from([None, year, f"{year}-07"]))
            block.consumption_period = draw(st.sampled_from([None, "2025", "2025-07"]))
            block.market = draw(st.sampled_from([None, "SE", "CN", "DE"]))
    if draw(st.integers(0, 4)) == 0:
        block.residual_mix = Q(draw(decimals(50.0, 900.0, 1)), "g CO2e/kWh")
        block.residual_mix_source = draw(st.sampled_from(["AIB 2024 residual mix", "RE-DISS"]))
    return block


@st.composite
def fuels(draw: st.DrawFn) -> Fuel:
    basis = draw(st.sampled_from(["per_battery", "per_kwh_capacity"]))
    unit = draw(st.sampled_from(["MJ", "MJ", "GJ", "kWh"]))
    value = draw(decimals(1.0, 100.0))
    return Fuel(
        process=draw(st.sampled_from(PROCESSES)),
        fuel=draw(st.sampled_from(FUELS)),
        amount=Q(value / 1000 if unit == "GJ" else value, unit),
        basis=basis,
        data_type=draw(DATA_TYPES),
        dqr=draw(DQRS),
        amount_gsd=draw(GSDS),
        role=draw(ENERGY_ROLE_DRAWS),
    )


@st.composite
def gases(draw: st.DrawFn) -> Gas:
    unit = draw(st.sampled_from(["kg", "g"]))
    value = draw(decimals(0.001, 0.05, 4) if unit == "kg" else decimals(0.5, 50.0, 1))
    return Gas(
        process=draw(st.sampled_from(["dry-room chillers, leakage", "formation off-gas"])),
        gas=draw(st.sampled_from(GASES)),
        amount=Q(value, unit),
        basis=draw(st.sampled_from(["per_battery", "per_kwh_capacity"])),
        data_type=draw(DATA_TYPES),
        dqr=draw(DQRS),
        role=draw(ENERGY_ROLE_DRAWS),
    )


@st.composite
def legs(draw: st.DrawFn) -> Leg:
    mass: Q | None = None
    if draw(st.integers(0, 2)) > 0:
        unit = draw(st.sampled_from(["kg", "t"]))
        value = draw(decimals(1.0, 500.0, 1))
        mass = Q(value / 1000 if unit == "t" else value, unit)
    return Leg(
        name=draw(st.sampled_from(["cells: Shanghai to Koper", "pack to the vehicle plant"])),
        mode=draw(st.sampled_from(TRANSPORT_MODES)),
        distance=Q(draw(decimals(10.0, 20000.0, 1)), "km"),
        mass=mass,
        stage=draw(st.sampled_from(["raw_materials", "distribution", "distribution"])),
        data_type=draw(DATA_TYPES),
        dqr=draw(DQRS),
        amount_gsd=draw(GSDS),
        factor_gsd=draw(GSDS),
    )


@st.composite
def eol_groups(draw: st.DrawFn, group: CffGroup) -> dict[str, Any]:
    """[end_of_life.materials.GROUP]: rates and factors, every factor with its source."""
    entry: dict[str, Any] = {}
    if draw(st.booleans()):
        entry["R2"] = draw(st.sampled_from([0.0, 0.5, 0.9, 0.95, 1.0]))
    r2 = entry.get("R2", group.r2 or 0.0)
    if r2 < 0.95 and draw(st.integers(0, 3)) == 0:
        entry["R3"] = draw(st.sampled_from([0.0, round(min(0.1, 0.99 - r2), 2)]))
    if draw(st.integers(0, 2)) == 0:
        entry["Qsout"] = draw(st.sampled_from([0.5, 0.7, 1.0]))
    for key, low, high in (
        ("recycling", 0.1, 20.0),
        ("disposal", 0.01, 2.5),
        ("recycled_input", 0.5, 10.0),
        ("energy_recovery", 0.01, 1.0),
    ):
        if draw(st.booleans()):
            entry[key] = draw(factor_q(low, high))
            entry[f"{key}_source"] = draw(st.sampled_from(SOURCES))
    return entry


FAULTS = [
    "source-missing-bom",  # a supplier factor without factor_source
    "source-missing-eol",  # an [end_of_life] factor without its _source
    "source-missing-residual",  # residual_mix without residual_mix_source
    "negative-raw",  # a negative supplier factor on a raw-material or production line
    "recycled-no-erec",  # recycled share where neither project nor ruleset gives Erec
    "unknown-material",  # a material without a shipped factor and without its own
    "r2-no-recycling",  # R2 > 0 (ruleset default) but no recycling factor
    "fu-years-only",  # no km warranty, no consumption: fine for EU, JRC misses keys
    "fu-no-annual",  # km warranty without annual distance: EU has no km basis
    "fu-no-consumption",  # no vehicle consumption: JRC misses a key
    "invalid-role-material",  # a BOM part whose role is no role, or an energy role
    "invalid-role-energy",  # an energy block whose role is no role, or a material role
]
_BOTH = {
    "source-missing-bom": "missing-source",
    "source-missing-eol": "missing-source",
    "source-missing-residual": "missing-source",
    "negative-raw": "bad-factor",
    "recycled-no-erec": "missing-recycled-factor",
    "unknown-material": "unknown-factor",
    "r2-no-recycling": "missing-recycling-factor",
    "invalid-role-material": "invalid-value",
    "invalid-role-energy": "invalid-value",
}
EXPECTED: dict[str, dict[str, str | None]] = {
    "none": {EU: None, JRC: None},
    **{fault: {EU: code, JRC: code} for fault, code in _BOTH.items()},
    "fu-years-only": {EU: None, JRC: "missing-key"},
    "fu-no-annual": {EU: "missing-km-basis", JRC: None},
    "fu-no-consumption": {EU: None, JRC: "missing-key"},
}


@st.composite
def batteries(draw: st.DrawFn, fault: str) -> dict[str, Any]:
    category, vehicle, (low, high), (c_low, c_high) = draw(st.sampled_from(VEHICLES))
    usable = draw(decimals(low, high, 1))
    unit = "kWh"
    if category == "LMT" and draw(st.integers(0, 3)) == 0:
        usable, unit = usable * 1000, "Wh"  # "1900 Wh": converted to kWh on reading
    years = draw(st.one_of(st.integers(2, 10), st.sampled_from([7.5, 8.0])))
    annual = draw(decimals(2000.0, 60000.0, 0) if category == "EV" else decimals(500.0, 5000.0, 0))
    km = round(annual * draw(st.sampled_from([0.5, 0.9, 1.0, 1.5])) * years)
    battery: dict[str, Any] = {
        "model": None,  # set by the caller
        "category": category,
        "vehicle_category": vehicle,
        "chemistry": draw(st.sampled_from(["NMC811", "LFP", "NCA"])),
        "usable_capacity": Q(usable, unit),
        "mass": Q(
            draw(decimals(6.0, 15.0, 1)) * (usable if unit == "kWh" else usable / 1000), "kg"
        ),
        "warranty_years": years,
        "warranty_km": Q(float(km), "km"),
        "annual_distance": Q(annual, "km"),
        "vehicle_consumption": Q(draw(decimals(c_low, c_high, 3)), "kWh/km"),
    }
    if draw(st.booleans()):
        nominal = battery["usable_capacity"].value * draw(st.sampled_from([1.0, 1.04, 1.1]))
        battery["nominal_capacity"] = Q(nominal, unit)
    if draw(st.integers(0, 5)) == 0:
        battery["cycles_per_year"] = draw(st.sampled_from([100, 150.0]))
        battery["cycles_per_year_justification"] = "fleet telemetry, 2024"
    if fault == "fu-years-only":
        del battery["warranty_km"], battery["annual_distance"], battery["vehicle_consumption"]
    elif fault == "fu-no-annual":
        del battery["annual_distance"]
    elif fault == "fu-no-consumption":
        del battery["vehicle_consumption"]
    return battery


def _effective_stage(part: Part) -> str:
    return part.stage_id or "raw_materials"


def _in_cff(part: Part) -> CffGroup | None:
    """The CFF group of a material line the formula applies to (raw materials, a mass)."""
    if _effective_stage(part) != "raw_materials":
        return None
    return group_of(part.material)


def _fix_recycled_shares(
    p: Project, draw: st.DrawFn, protected: Part | None, no_erec: str | None
) -> None:
    """Recycled shares only where an Erec exists: the group's recycled factor in the ruleset,
    the project's recycled_input, or a supplier factor (which already holds its recycled
    content)."""
    for part in p.parts():
        group = _in_cff(part)
        if part is protected or not part.recycled_share or group is None:
            continue
        if part.factor is not None or group.recycled_factor:
            continue
        if p.eol_route is not None and group.name != no_erec:
            entry = p.eol.setdefault(group.name, {})
            if "recycled_input" not in entry:
                entry["recycled_input"] = draw(factor_q(0.5, 10.0))
                entry["recycled_input_source"] = draw(st.sampled_from(SOURCES))
        else:
            part.recycled_share = None


def _fix_rates(p: Project, draw: st.DrawFn, skip: str | None) -> None:
    """Every group the formula meets with R2 > 0 gets a recycling factor, R3 > 0 an energy
    recovery factor."""
    if p.eol_route is None:
        return
    used = {g.name for part in p.parts() if (g := _in_cff(part)) is not None}
    for name in sorted(used):
        if name == skip:
            continue
        entry = p.eol.setdefault(name, {})
        r2 = entry.get("R2", GROUPS[name].r2 or 0.0)
        if r2 > 0 and "recycling" not in entry:
            entry["recycling"] = draw(factor_q(0.1, 20.0))
            entry["recycling_source"] = draw(st.sampled_from(SOURCES))
        if entry.get("R3", 0.0) > 0 and "energy_recovery" not in entry:
            entry["energy_recovery"] = draw(factor_q(0.01, 1.0))
            entry["energy_recovery_source"] = draw(st.sampled_from(SOURCES))


@st.composite
def projects(draw: st.DrawFn, battery_id: str, ruleset: str | None = None) -> Project:
    """A random project, valid except for at most one fault (see FAULTS)."""
    fault = draw(st.sampled_from(["none"] * 10 + FAULTS))
    battery = draw(batteries(fault))
    models = ["EVP-75 NMC811", "MOVE-2 60V, 35Ah", "4680", 'Akku "Ü"']
    battery["model"] = battery_id if draw(st.booleans()) else draw(st.sampled_from(models))
    country = draw(st.sampled_from(GRID_COUNTRIES))
    names = _Names()
    # the anchor: a BMS of 1 to 5 kg of electronics (about 25 kg CO2e per kg, in no CFF
    # group) outweighs every negative end-of-life line (at most 5 kg x 2 kg CO2e/kg each)
    anchor = Part("battery management system", "electronics", draw(decimals(1.0, 5.0)), "kg")
    anchor.spelling = spelled(draw, "electronics")
    rows: list[Part | SubBom] = [anchor]
    rows += draw(st.lists(parts(top=True), max_size=4))
    rows += draw(st.lists(sub_boms(names), max_size=2))
    rows += draw(st.lists(end_of_life_parts(top=True), max_size=2))
    rows = draw(st.permutations(rows))
    manufacturer: dict[str, Any] = {"name": draw(st.sampled_from(["EXB Kft.", "Ä, B & Co"]))}
    for key, values in (
        ("trade_name", ["EXB", "Zellwerk"]),
        ("address", ["Ipari park 1, 2800 Tatabánya", "Main St 1; Springfield"]),
        ("contact", ["declarations@example.com"]),
    ):
        if draw(st.booleans()):
            manufacturer[key] = draw(st.sampled_from(values))
    if draw(st.integers(0, 3)) == 0:
        manufacturer["company_id"] = draw(
            st.sampled_from(
                [
                    "urn:pact:example.com:supplier-id:4711",
                    ["urn:pact:example.com:supplier-id:4711", "urn:uuid:1234-abcd"],
                ]
            )
        )
    declaration: dict[str, Any] = {}
    if draw(st.booleans()):
        declaration["eu_doc_id"] = draw(st.sampled_from(["EXB-DoC-2026-0075", "2026", "12,5"]))
        declaration["study_url"] = "https://example.com/cf/evp-75"
    if draw(st.integers(0, 3)) == 0:
        declaration["reference_period_start"] = date(2025, 1, 1)
        declaration["reference_period_end"] = date(2026, 1, 1)
        if draw(st.booleans()):
            declaration["created"] = datetime(2026, 3, 1, tzinfo=timezone.utc)
    if draw(st.integers(0, 4)) == 0:
        declaration["product_id"] = "urn:pact:example.com:product-id:EVP-75"
        declaration["product_category_cpc"] = "46420"
    if draw(st.integers(0, 3)) == 0:
        declaration["study_date"] = date(2026, 2, 15)
        declaration["study_version"] = draw(st.sampled_from(["1.2", "2026-02", "3"]))
        declaration["verification_status"] = draw(st.sampled_from(VERIFICATION_STATUSES))
        if declaration["verification_status"] == "verified" or draw(st.booleans()):
            declaration["verifier"] = "Example Notified Body (NB 0000)"
            declaration["verification_statement_id"] = "VS-2026-001"
    method: dict[str, str] = {}
    if ruleset is not None:
        method["ruleset"] = ruleset
    elif draw(st.integers(0, 3)) == 0:
        method["ruleset"] = draw(st.sampled_from(RULESETS))
    if draw(st.integers(0, 3)) == 0:
        method["factor_set"] = FACTOR_SET

    p = Project(
        battery_id=battery_id,
        battery=battery,
        manufacturer=manufacturer,
        plant={
            "name": draw(st.sampled_from(["EXB pack plant", "Werk Nord, Halle 2"])),
            "town": draw(st.sampled_from(["Tatabánya", "Ningde"])),
            "region": "Region 1",
            "country": country,
        },
        declaration=declaration,
        method=method,
        bom=rows,
        electricity=draw(st.lists(electricity_blocks(country), max_size=3)),
        fuels=draw(st.lists(fuels(), max_size=2)),
        gases=draw(st.lists(gases(), max_size=1)),
        legs=draw(st.lists(legs(), max_size=3)),
        layout=Layout(
            energy_inline=draw(st.booleans()),
            transport_inline=draw(st.booleans()),
            bom_semicolon=draw(st.integers(0, 3)) == 0,
            bom_byte_order_mark=draw(st.integers(0, 3)) == 0,
            bom_notes_column=draw(st.integers(0, 3)) == 0,
            bom_role_column=draw(st.integers(0, 3)) == 0,
        ),
        notes_written=draw(st.integers(0, 3)) > 0,
        fault=fault,
        expected=EXPECTED[fault],
    )
    if len(p.electricity) >= 2 and draw(st.integers(0, 2)) == 0:
        # one certificate claimed by two blocks: a warning (and under market-based policy the
        # second claim is not credited)
        first, second = draw(st.permutations(p.electricity))[:2]
        first.certificate_id = second.certificate_id = first.certificate_id or "GO-2025-17"
    if draw(st.booleans()) or fault in ("source-missing-eol", "r2-no-recycling"):
        p.eol_route = draw(st.sampled_from(["dismantling and hydrometallurgy", "Schredder; pyro"]))
        chosen = draw(st.lists(st.sampled_from(CFF_GROUPS), max_size=3, unique_by=lambda g: g.name))
        p.eol = {g.name: draw(eol_groups(g)) for g in chosen}

    protected: Part | None = None
    no_erec = skip_rates = None
    if fault == "source-missing-bom":
        candidates = [x for x in p.parts() if x.factor is not None]
        if candidates:
            draw(st.sampled_from(candidates)).factor_source = None
        else:
            p.bom.append(Part("busbars", "copper-busbar", 4.0, "kg", factor=Q(4.5, "kg CO2e/kg")))
    elif fault == "negative-raw":
        candidates = [
            x for x in p.parts() if x.factor is not None and _effective_stage(x) != "end_of_life"
        ]
        if candidates:
            target = draw(st.sampled_from(candidates))
            assert target.factor is not None
            target.factor = Q(-abs(target.factor.value) or -1.0, target.factor.unit)
        else:
            stage = draw(st.sampled_from([None, "raw_materials", "production"]))
            p.bom.append(
                Part("credit?", "steel-sheet", 1.0, "kg", stage, Q(-1.5, "kg CO2e/kg"), "x")
            )
    elif fault == "recycled-no-erec":
        material = draw(st.sampled_from(NEED_EREC))
        protected = Part("recycled part", material, draw(decimals(0.5, 5.0)), "kg")
        protected.recycled_share = draw(SHARES)
        p.bom.insert(draw(st.integers(0, len(p.bom))), protected)
        no_erec = group_of(material).name  # type: ignore[union-attr]
        p.eol.get(no_erec, {}).pop("recycled_input", None)
        p.eol.get(no_erec, {}).pop("recycled_input_source", None)
    elif fault == "unknown-material":
        material = draw(st.sampled_from(["cam-nmc811", "copper-foil", "graphite-natura"]))
        p.bom.insert(draw(st.integers(0, len(p.bom))), Part("no factor", material, 1.0, "kg"))
    elif fault == "r2-no-recycling":
        material = draw(st.sampled_from(DEFAULT_R2))
        part = Part("recycled metal", material, draw(decimals(0.1, 5.0)), "kg")
        if material in UNSHIPPED:
            part.factor, part.factor_source = Q(7.0, "kg CO2e/kg"), "supplier PCF"
        p.bom.insert(draw(st.integers(0, len(p.bom))), part)
        skip_rates = group_of(material).name  # type: ignore[union-attr]
        entry = p.eol.setdefault(skip_rates, {})
        for key in ("R2", "R3", "recycling", "recycling_source"):
            entry.pop(key, None)  # the ruleset's default R2 > 0 applies
    elif fault == "source-missing-residual":
        if not p.electricity:
            p.electricity.append(Electricity("pack assembly", Q(100.0, "kWh"), "per_battery"))
        target_block = draw(st.sampled_from(p.electricity))
        target_block.residual_mix = Q(620.0, "g CO2e/kWh")
        target_block.residual_mix_source = None
    elif fault == "invalid-role-material":
        draw(st.sampled_from(list(p.parts()))).role = draw(st.sampled_from(BAD_PART_ROLES))
    elif fault == "invalid-role-energy":
        blocks: list[Electricity | Fuel | Gas] = [*p.electricity, *p.fuels, *p.gases]
        if not blocks:
            p.fuels.append(Fuel("formation and ageing", FUELS[0], Q(12.5, "MJ"), "per_battery"))
            blocks = [p.fuels[0]]
        draw(st.sampled_from(blocks)).role = draw(st.sampled_from(BAD_ENERGY_ROLES))
    _fix_recycled_shares(p, draw, protected, no_erec)
    _fix_rates(p, draw, skip_rates)
    if fault == "source-missing-eol":
        keyed = [
            (g, k)
            for g, entry in p.eol.items()
            for k in ("recycling", "disposal", "recycled_input", "energy_recovery")
            if k in entry
        ]
        if keyed:
            group_name, key = draw(st.sampled_from(keyed))
            del p.eol[group_name][f"{key}_source"]
        else:
            p.eol.setdefault(draw(st.sampled_from(CFF_GROUPS)).name, {})["disposal"] = Q(
                0.02, "kg CO2e/kg"
            )
    return p


BATTERY_IDS = ["B{n}", "00{n}2", "EVP 75, v{n}", "Akku-Ä{n}"]


@st.composite
def examples(draw: st.DrawFn) -> Example:
    """One to three batteries, each drawn as a project; one long BOM holds them all."""
    rules_from_files = draw(st.integers(0, 3)) == 0
    count = draw(st.integers(1, 3))
    pattern = draw(st.sampled_from(BATTERY_IDS))
    drawn = []
    for n in range(1, count + 1):
        ruleset = draw(st.sampled_from(RULESETS)) if rules_from_files else None
        drawn.append(draw(projects(pattern.format(n=n), ruleset)))
    return Example(
        projects=drawn,
        mode=draw(st.sampled_from(["screening", "screening", "declaration"])),
        rules_from_files=rules_from_files,
        rnd=draw(st.randoms(use_true_random=False)),
    )


# --------------------------------------------------------------------------------------------
# (a) the project folder
# --------------------------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return num(value)
    if isinstance(value, Q):
        return json.dumps(value.toml())
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def toml_table(header: str, values: dict[str, Any]) -> str:
    body = "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items() if v is not None)
    return f"{header}\n{body}\n"


def _block_values(block: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {k: getattr(block, k) for k in fields}


def energy_toml(p: Project) -> str:
    out = []
    for e in p.electricity:
        values = _block_values(
            e,
            (
                "process",
                "amount",
                "basis",
                "country",
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
                "data_type",
                "dqr",
                "amount_gsd",
                "factor_gsd",
                "role",
            ),
        )
        out.append(toml_table("[[electricity]]", values))
    for f in p.fuels:
        values = _block_values(
            f, ("process", "role", "fuel", "amount", "basis", "data_type", "dqr", "amount_gsd")
        )
        out.append(toml_table("[[fuel]]", values))
    for g in p.gases:
        values = _block_values(g, ("process", "gas", "amount", "basis", "data_type", "dqr", "role"))
        out.append(toml_table("[[process_emission]]", values))
    return "".join(out)


def transport_toml(p: Project) -> str:
    out = []
    for leg in p.legs:
        values = _block_values(
            leg, ("name", "mode", "distance", "stage", "data_type", "dqr", "amount_gsd")
        )
        values["mass"] = leg.mass if leg.mass is not None else "battery"
        values["factor_gsd"] = leg.factor_gsd
        out.append(toml_table("[[transport]]", values))
    return "".join(out)


BOM_COLUMNS = (
    "component",
    "material",
    "quantity",
    "unit",
    "stage",
    "factor",
    "factor_source",
    "data_type",
    "dqr",
    "origin",
    "recycled_share",
    "quantity_gsd",
    "factor_gsd",
    "role",
)


def bom_csv(rows: list[Part | SubBom], layout: Layout) -> str:
    comma = layout.bom_semicolon
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",", lineterminator="\r\n")
    roles = layout.bom_role_column or any(isinstance(r, Part) and r.role for r in rows)
    columns = [c for c in BOM_COLUMNS if roles or c != "role"]
    header = columns + (["notes"] if layout.bom_notes_column else [])
    writer.writerow(header)

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Q):
            return value.text(comma)
        if isinstance(value, (int, float)):
            return num(value, comma)
        return str(value)

    for row in rows:
        if isinstance(row, SubBom):
            cells = [row.component, f"bom:{row.name}", str(row.count), "pcs"]
            cells += [""] * (len(columns) - len(cells))
        else:
            cells = [cell(row.written if c == "material" else getattr(row, c)) for c in columns]
        if layout.bom_notes_column:
            cells.append("a note, ignored")
        writer.writerow(cells)
    return out.getvalue()


def write_project(p: Project, folder: Path) -> Path:
    """Write the project folder; return its battery.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}

    def add_boms(rows: list[Part | SubBom], name: str) -> None:
        files[name] = bom_csv(rows, p.layout)
        base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for row in rows:
            if isinstance(row, SubBom):
                add_boms(row.rows, base + row.name)

    add_boms(p.bom, "bom.csv")
    inputs = {"bom": "bom.csv"}
    energy, transport = energy_toml(p), transport_toml(p)
    inline = ""
    if energy and p.layout.energy_inline:
        inline += energy
    elif energy:
        files["energy.toml"] = energy
        inputs["energy"] = "energy.toml"
    if transport and p.layout.transport_inline:
        inline += transport
    elif transport:
        files["transport.toml"] = transport
        inputs["transport"] = "transport.toml"
    text = toml_table("[battery]", p.battery)
    text += toml_table("[manufacturer]", p.manufacturer)
    text += toml_table("[plant]", p.plant)
    if p.declaration:
        text += toml_table("[declaration]", p.declaration)
    text += toml_table("[inputs]", inputs)
    if p.method:
        text += toml_table("[method]", p.method)
    if p.eol_route is not None:
        text += toml_table("[end_of_life]", {"route": p.eol_route})
        for group_name, entry in p.eol.items():
            text += toml_table(f"[end_of_life.materials.{group_name}]", entry)
    files["battery.toml"] = text + inline
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        encoding = (
            "utf-8-sig" if name.endswith(".csv") and p.layout.bom_byte_order_mark else "utf-8"
        )
        path.write_text(content, encoding=encoding, newline="")
    return folder / "battery.toml"


# --------------------------------------------------------------------------------------------
# (b) the long BOM, from docs/long-bom.md
# --------------------------------------------------------------------------------------------

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
LINE_COLUMNS = (
    "battery",
    "kind",
    "component",
    "path",
    "material",
    "quantity",
    "unit",
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
    "note",
    *SUPPLY_COLUMNS,
)


@dataclass
class Flat:
    """One row of lines.csv with typed values: a line of one battery, amounts per battery."""

    battery: str
    kind: str
    component: str
    path: str  # the label: "cells (x96) > anode"; equal to component at the top level
    material: str
    quantity: float
    unit: str
    stage: str | None = None
    origin: str | None = None
    recycled_share: float | None = None
    factor: Q | None = None
    factor_source: str | None = None
    data_type: str | None = None  # as given; None: the default of the kind
    dqr: float | None = None
    quantity_gsd: float | None = None
    factor_gsd: float | None = None
    role: str | None = None  # as given (a BOM's role column, an energy block's role key)
    note: str = ""
    supply: dict[str, Any] = field(default_factory=dict)

    @property
    def effective_data_type(self) -> str:
        """The data type docs/long-bom.md gives a line whose data_type cell is empty."""
        if self.data_type:
            return self.data_type
        if self.kind in ("electricity", "fuel", "process_emission"):
            return "company"
        return "supplier" if self.factor is not None else "secondary"

    @property
    def top_level(self) -> bool:
        return self.path == self.component


def _allocation(p: Project, basis: str) -> tuple[float, str]:
    """Multiplier from an energy block's basis to one battery: per kWh of capacity means times
    the nominal capacity where given, else the usable one."""
    if basis == "per_battery":
        return 1.0, "per battery"
    nominal = p.battery_value("nominal_capacity", "kWh")
    if nominal is not None:
        return nominal, f"per kWh of capacity x {nominal:g} kWh nominal capacity"
    usable = p.battery_value("usable_capacity", "kWh")
    assert usable is not None
    return usable, f"per kWh of capacity x {usable:g} kWh usable capacity"


def flat_lines(p: Project) -> list[Flat]:
    """Every activity line of the project, per battery, in the order of the project."""
    out: list[Flat] = []

    def walk(rows: list[Part | SubBom], multiplier: float, prefix: str) -> None:
        for row in rows:
            label = prefix + row.component
            if isinstance(row, SubBom):
                walk(row.rows, multiplier * row.count, f"{label} (x{row.count}) > ")
                continue
            out.append(
                Flat(
                    battery=p.battery_id,
                    kind="material",
                    component=row.component,
                    path=label,
                    material=row.written,
                    quantity=row.quantity * multiplier,
                    unit=row.unit,
                    stage=row.stage_id,
                    origin=row.origin.upper() if row.origin else None,
                    recycled_share=row.recycled_share,
                    factor=row.factor,
                    factor_source=row.factor_source,
                    data_type=row.data_type,
                    dqr=row.dqr,
                    quantity_gsd=row.quantity_gsd,
                    factor_gsd=row.factor_gsd,
                    role=row.role,
                )
            )

    walk(p.bom, 1.0, "")
    for e in p.electricity:
        multiplier, how = _allocation(p, e.basis)
        kwh = quantity_in(e.amount.toml(), "kWh")
        country = (e.country or p.plant_country).upper()
        supply = {
            "supply": e.supply,
            "technology": e.technology,
            "share": e.share,
            "certificate_id": e.certificate_id,
            "conveys_attributes": e.conveys_attributes,
            "cancelled_for_user": e.cancelled_for_user,
            "generation_period": e.generation_period,
            "consumption_period": e.consumption_period,
            "market": e.market.upper() if e.market else None,
            "residual_mix": e.residual_mix,
            "residual_mix_source": e.residual_mix_source,
        }
        out.append(
            Flat(
                battery=p.battery_id,
                kind="electricity",
                component=f"{e.process} electricity",
                path=f"{e.process} electricity",
                material=f"grid-{country.lower()}",
                quantity=kwh * multiplier,
                unit="kWh",
                origin=country,
                data_type=e.data_type,
                dqr=e.dqr,
                quantity_gsd=e.amount_gsd,
                factor_gsd=e.factor_gsd,
                role=e.role,
                note=f"{kwh:g} kWh {how}",
                supply=supply,
            )
        )
    for f in p.fuels:
        multiplier, how = _allocation(p, f.basis)
        mj = quantity_in(f.amount.toml(), "MJ")
        out.append(
            Flat(
                battery=p.battery_id,
                kind="fuel",
                component=f"{f.process} {f.fuel}",
                path=f"{f.process} {f.fuel}",
                material=f.fuel,
                quantity=mj * multiplier,
                unit="MJ",
                data_type=f.data_type,
                dqr=f.dqr,
                quantity_gsd=f.amount_gsd,
                role=f.role,
                note=f"{mj:g} MJ {how}",
            )
        )
    for g in p.gases:
        multiplier, how = _allocation(p, g.basis)
        kg = quantity_in(g.amount.toml(), "kg")
        out.append(
            Flat(
                battery=p.battery_id,
                kind="process_emission",
                component=f"{g.process} {g.gas} emission",
                path=f"{g.process} {g.gas} emission",
                material=g.gas,
                quantity=kg * multiplier,
                unit="kg",
                data_type=g.data_type,
                dqr=g.dqr,
                role=g.role,
                note=f"{kg:g} kg {how}",
            )
        )
    for leg in p.legs:
        if leg.mass is None:
            mass_kg = p.battery_value("mass", "kg")
            assert mass_kg is not None
            tonnes, mass_note = mass_kg / 1000, f"battery {mass_kg:g} kg"
        else:
            tonnes, mass_note = quantity_in(leg.mass.toml(), "t"), leg.mass.toml()
        km = quantity_in(leg.distance.toml(), "km")
        out.append(
            Flat(
                battery=p.battery_id,
                kind="transport",
                component=leg.name,
                path=leg.name,
                material=leg.mode,
                quantity=tonnes * km,
                unit="t*km",
                stage=leg.stage,
                data_type=leg.data_type,
                dqr=leg.dqr,
                quantity_gsd=leg.amount_gsd,
                factor_gsd=leg.factor_gsd,
                note=f"{mass_note} x {km:g} km",
            )
        )
    return out


#: batteries.csv: [battery] keys written with a unit, and their 0.1 names with the unit in
#: the name (docs/long-bom.md: "Columns named with a unit ... still read")
LEGACY = {
    "usable_capacity": ("usable_capacity_kwh", "kWh"),
    "nominal_capacity": ("nominal_capacity_kwh", "kWh"),
    "mass": ("mass_kg", "kg"),
    "warranty_km": ("warranty_km", "km"),
    "annual_distance": ("annual_distance_km", "km"),
    "vehicle_consumption": ("vehicle_consumption_kwh_per_km", "kWh/km"),
}


def battery_row(
    p: Project,
    comma: bool,
    prefix: str = "",
    legacy: frozenset[str] = frozenset(),
    omit_model: bool = False,
) -> dict[str, str]:
    """The project's keys as batteries.csv columns (values as written in battery.toml).

    ``prefix``: "battery." before the [battery] keys, or ""; ``legacy``: [battery] keys written
    under their 0.1 name with the unit in the name (a bare number); ``omit_model``: leave the
    model empty where it is the battery id.
    """

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Q):
            return value.text(comma)
        if isinstance(value, (int, float)):
            return num(value, comma)
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return " ".join(value)
        return str(value)

    row = {"battery": p.battery_id}
    for key, value in p.battery.items():
        if key == "model" and value == p.battery_id and omit_model:
            continue  # empty model: the battery id
        if key in legacy:
            assert isinstance(value, Q) and value.unit == LEGACY[key][1]
            row[LEGACY[key][0]] = num(value.value, comma)
        else:
            row[prefix + key] = text(value)
    for table, values in (
        ("manufacturer", p.manufacturer),
        ("plant", p.plant),
        ("declaration", p.declaration),
        ("method", p.method),
    ):
        for key, value in values.items():
            row[f"{table}.{key}"] = text(value)
    if p.eol_route is not None:
        row["end_of_life.route"] = p.eol_route
        for group_name, entry in p.eol.items():
            for key, value in entry.items():
                row[f"end_of_life.materials.{group_name}.{key}"] = text(value)
    return row


def line_row(line: Flat, rnd: random.Random, comma: bool) -> dict[str, str]:
    """A Flat as lines.csv cells; optional cells left empty where the document says empty
    means the same."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Q):
            return value.text(comma)
        if isinstance(value, (int, float)):
            return num(value, comma)
        return str(value)

    own = line.factor is not None
    # kind may be left empty where the table of the material decides it (an own factor makes a
    # line a material; a gas is in no factor table): materials, grid rows, fuels, transport
    inferable = line.kind == "material" or (
        not own and line.kind in ("electricity", "fuel", "transport")
    )
    row = {
        "battery": line.battery,
        "kind": "" if inferable and rnd.random() < 0.5 else line.kind,
        "component": line.component,
        "path": "" if line.top_level and rnd.random() < 0.5 else line.path,
        "material": line.material,
        "quantity": num(line.quantity, comma),
        "unit": line.unit,
        "stage": text(line.stage),
        "origin": text(line.origin),
        "recycled_share": text(line.recycled_share),
        "factor": text(line.factor),
        "factor_source": text(line.factor_source),
        "data_type": text(line.data_type),
        "dqr": text(line.dqr),
        "quantity_gsd": text(line.quantity_gsd),
        "factor_gsd": text(line.factor_gsd),
        "role": text(line.role),
        "note": line.note,
    }
    if not row["data_type"] and rnd.random() < 0.3:
        row["data_type"] = line.effective_data_type
    if line.kind == "electricity":
        choice = rnd.random()
        if choice < 0.25:
            row["origin"] = ""  # taken from material = grid-XX
        elif choice < 0.5:
            row["material"] = ""  # an electricity line that gives origin
            row["kind"] = "electricity"
        for key in SUPPLY_COLUMNS:
            row[key] = text(line.supply.get(key))
        if not row["supply"] and rnd.random() < 0.5:
            row["supply"] = "grid"
    return row


def _header(name: str, rnd: random.Random) -> str:
    """A column name as a person may spell it: case-insensitive, spaces and '-' for '_'."""
    if "materials." in name or rnd.random() < 0.7:
        return name  # a CFF group name keeps its own spelling (cathode-active-material)
    return rnd.choice([name.upper(), name.replace("_", " ").title(), name.replace("_", "-")])


def _write_table(
    path: Path,
    rows: list[dict[str, str]],
    order: list[str],
    sep: str,
    bom: bool,
    rnd: random.Random,
    extra: str | None = None,
) -> None:
    columns = [c for c in order if any(r.get(c) for r in rows) or c in ("battery",)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=rnd.choice(["\n", "\r\n"]))
    writer.writerow([_header(c, rnd) for c in columns] + ([extra] if extra else []))
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns] + (["ignored"] if extra else []))
    path.write_text(out.getvalue(), encoding="utf-8-sig" if bom else "utf-8", newline="")


def write_long_bom(ex: Example, folder: Path) -> tuple[Path, Path]:
    """Write lines.csv and batteries.csv holding every battery of the example."""
    rnd = ex.rnd
    folder.mkdir(parents=True, exist_ok=True)
    sep = rnd.choice([",", ",", ";", "\t"])
    comma = sep == ";"
    per_battery = [[line_row(f, rnd, comma) for f in flat_lines(p)] for p in ex.projects]
    for p, rows in zip(ex.projects, per_battery, strict=True):
        if not p.notes_written:
            for r in rows:
                r["note"] = ""
    if rnd.random() < 0.5:
        rows = [r for group in per_battery for r in group]
    else:  # interleaved: each battery's lines keep their order
        queues = [list(g) for g in per_battery]
        rows = []
        while any(queues):
            rows.append(rnd.choice([q for q in queues if q]).pop(0))
    required = ["battery", "component", "material", "quantity", "unit"]
    optional = [c for c in LINE_COLUMNS if c not in required]
    rnd.shuffle(optional)
    lines = folder / "lines.csv"
    bom = rnd.random() < 0.3
    _write_table(
        lines, rows, required + optional, sep, bom, rnd, "notes" if rnd.random() < 0.2 else None
    )
    # one spelling per key and file: with or without "battery.", the 0.1 name with the unit
    # where every battery has the value in that unit
    prefix = "battery." if rnd.random() < 0.2 else ""
    legacy = frozenset(
        key
        for key, (_, unit) in LEGACY.items()
        if rnd.random() < 0.3
        and all(p.battery.get(key) is None or p.battery[key].unit == unit for p in ex.projects)
    )
    battery_rows = [battery_row(p, comma, prefix, legacy, rnd.random() < 0.5) for p in ex.projects]
    order = ["battery", *sorted({k for r in battery_rows for k in r} - {"battery"})]
    batteries = folder / "batteries.csv"
    _write_table(batteries, battery_rows, order, sep, bom, rnd)
    return lines, batteries


# --------------------------------------------------------------------------------------------
# Comparing two declaration records
# --------------------------------------------------------------------------------------------

#: a place in an input file as messages name it: "cell.csv:3", "energy.toml:7 [electricity[0]]",
#: "batteries.csv:2 [battery.usable_capacity]"
LOCATION = re.compile(r"[\w./\\-]*\.(?:csv|toml|xlsx|json)(?::\d+){0,2}(?: \[[^ ]*\])?")
REL, ABS = 1e-9, 1e-12


def without_locations(text: str) -> str:
    return LOCATION.sub("<where>", text)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), ABS)


def differences(
    a: Any, b: Any, path: str = "$", skip: Callable[[str], bool] = lambda _: False
) -> list[str]:
    """Where two JSON records differ: numbers to 1e-9 relative, text apart from file
    locations, every key named `where` ignored."""
    if skip(path):
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key == "where":
                continue
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'project' if key in a else 'long BOM'}")
                continue
            out += differences(a[key], b[key], f"{path}.{key}", skip)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items (project) vs {len(b)} (long BOM): {a!r} vs {b!r}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]", skip)
        ]
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return [] if close(float(a), float(b)) else [f"{path}: {a!r} (project) vs {b!r} (long BOM)"]
    if isinstance(a, str) and isinstance(b, str):
        if without_locations(a) == without_locations(b):
            return []
        return [f"{path}: {a!r} (project) vs {b!r} (long BOM)"]
    return [] if a == b else [f"{path}: {a!r} (project) vs {b!r} (long BOM)"]
