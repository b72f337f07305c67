"""Builders for tests: a tiny in-test factor set and ruleset, model objects, a tiny project.

Unit tests of the core compute on the tiny set and ruleset, built here from the model dataclasses
with round numbers, so that expected results can be worked out by hand and do not move when the
shipped data changes. The tiny project (``write_project_files``) uses ids that exist both in the
tiny set and in the shipped set, so the same files serve CLI tests (shipped data) and reader tests
(tiny data). Fixtures wrapping these live in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from carbonfp.errors import Location
from carbonfp.method.screening import ScreeningParameters
from carbonfp.model import (
    ActivityLine,
    Battery,
    BatteryCategory,
    DeclarationInfo,
    Factor,
    FactorSet,
    LineKind,
    Manufacturer,
    Plant,
    Project,
    Ruleset,
    Source,
    Stage,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
#: The factor set the shipped ruleset and the samples use (released sets are never removed).
SHIPPED_SET = REPO / "factors" / "sets" / "carbonfp-open" / "2026.1"
#: Every shipped factor set version, found on disk so that a new version is tested too.
SHIPPED_SETS = sorted(p.parent for p in (REPO / "factors" / "sets").glob("*/*/manifest.toml"))


# --------------------------------------------------------------------------------------------
# The tiny factor set and ruleset (in-test data, never the shipped files)
# --------------------------------------------------------------------------------------------

#: id -> (table, value, unit). Values chosen so hand sums are exact.
TINY_ROWS: dict[str, tuple[str, float, str]] = {
    "aluminium-primary": ("materials", 10.0, "kg CO2e/kg"),
    "aluminium-recycled": ("materials", 1.0, "kg CO2e/kg"),
    "steel-sheet": ("materials", 2.0, "kg CO2e/kg"),
    "graphite-natural": ("materials", 4000.0, "g CO2e/kg"),
    "grid-hu": ("electricity", 500.0, "g CO2e/kWh"),
    "grid-cn": ("electricity", 0.6, "kg CO2e/kWh"),
    "natural-gas": ("fuels", 0.05, "kg CO2e/MJ"),
    "truck-hgv-average": ("transport", 0.1, "kg CO2e/(t*km)"),
    "sea-container-average": ("transport", 0.02, "kg CO2e/tkm"),
    "recycling-hydromet": ("end_of_life", 0.5, "kg CO2e/kg"),
}

TINY_SOURCE = Source(
    key="tiny",
    title="Tiny in-test factor table",
    publisher="carbonfp tests",
    year=2026,
    url="https://example.invalid/tiny",
    license="CC0-1.0",
    attribution="carbonfp test data",
)


def make_factor_set(rows: Mapping[str, tuple[str, float, str]] = TINY_ROWS) -> FactorSet:
    factors = {
        fid: Factor(
            id=fid, table=table, name=fid, value=value, unit=unit, source="tiny", license="CC0-1.0"
        )
        for fid, (table, value, unit) in rows.items()
    }
    return FactorSet(
        id="tiny",
        version="1",
        sha256="0" * 64,
        factors=factors,
        sources={"tiny": TINY_SOURCE},
        gwp={"AR6": {"CO2": 1.0, "CH4-fossil": 29.8, "HFC-134a": 1530.0}},
        gwp_sources={"AR6": "tiny"},
    )


#: Screening parameters in round numbers for the estimate's tests (not the shipped defaults).
SCREENING_PARAMS = ScreeningParameters(
    cell_electricity_kwh_per_kwh=20.0,
    cell_natural_gas_mj_per_kwh=50.0,
    energy_source="tiny source",
    distribution_mode="truck-hgv-average",
    distribution_km=1000.0,
)


def make_screening_set() -> FactorSet:
    """The tiny set with screening rows for LFP (at 100 Wh/kg) and NMC811 (no specific
    energy), for the screening estimate's tests."""
    from dataclasses import replace

    factors = make_factor_set(
        {
            **TINY_ROWS,
            "greet-materials-lfp": ("screening", 40.0, "kg CO2e/kWh"),
            "greet-materials-nmc811": ("screening", 50.0, "kg CO2e/kWh"),
        }
    )
    lfp = replace(factors.factors["greet-materials-lfp"], specific_energy_wh_per_kg=100.0)
    return replace(factors, factors={**factors.factors, "greet-materials-lfp": lfp})


def make_rules(**changes: object) -> Ruleset:
    values: dict[str, object] = dict(
        id="tiny-rules",
        title="Tiny in-test ruleset",
        legal_status="draft",
        sha256="1" * 64,
        gwp_set="AR6",
        electricity_policy="national-mix",
        default_factor_set="tiny@1",
        fec_per_year={
            "M1": 60.0,
            "N1": 60.0,
            "L": 20.0,
            "M2": 250.0,
            "M3": 250.0,
            "N2": 250.0,
            "N3": 250.0,
        },
        km_per_year={},
        categories=(BatteryCategory.EV, BatteryCategory.LMT),
        stage_by_kind={
            LineKind.MATERIAL: Stage.RAW_MATERIALS,
            LineKind.ELECTRICITY: Stage.PRODUCTION,
            LineKind.FUEL: Stage.PRODUCTION,
            LineKind.PROCESS_EMISSION: Stage.PRODUCTION,
        },
    )
    values.update(changes)
    return Ruleset(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Model objects built directly (no files)
# --------------------------------------------------------------------------------------------


def make_battery(**changes: object) -> Battery:
    values: dict[str, object] = dict(
        model="TINY-75",
        category=BatteryCategory.EV,
        chemistry="NMC811",
        usable_capacity_kwh=75.0,
        mass_kg=400.0,
        warranty_years=8.0,
        vehicle_category="M1",
    )
    values.update(changes)
    return Battery(**values)  # type: ignore[arg-type]


def make_line(
    factor_id: str | None,
    quantity: float,
    unit: str = "kg",
    kind: LineKind = LineKind.MATERIAL,
    *,
    stage: Stage | None = None,
    row: int = 2,
    **changes: object,
) -> ActivityLine:
    if kind is LineKind.ELECTRICITY and factor_id and factor_id.startswith("grid-"):
        # the electricity policy picks the grid factor from the block's country
        changes.setdefault("origin", factor_id[len("grid-") :].upper())
    return ActivityLine(
        kind=kind,
        component=f"{factor_id} line {row}",
        factor_id=factor_id,
        quantity=quantity,
        unit=unit,
        where=Location("bom.csv", row),
        stage=stage,
        **changes,  # type: ignore[arg-type]
    )


def make_project(
    lines: tuple[ActivityLine, ...] | list[ActivityLine], battery: Battery | None = None
) -> Project:
    battery = battery or make_battery()
    return Project(
        name=battery.model,
        label="battery.toml",
        battery=battery,
        plant=Plant("Tiny plant", "Tinytown", "Tinyregion", "HU"),
        manufacturer=Manufacturer("Tiny Batteries Ltd"),
        declaration=DeclarationInfo(),
        lines=tuple(lines),
    )


# --------------------------------------------------------------------------------------------
# A tiny project on disk
# --------------------------------------------------------------------------------------------

#: [battery] keys of the tiny project, as TOML value literals.
BATTERY = {
    "model": '"TINY-10"',
    "category": '"EV"',
    "vehicle_category": '"M1"',
    "chemistry": '"NMC811"',
    "usable_capacity": '"10 kWh"',
    "mass": '"80 kg"',
    "warranty_years": "8",
}

#: The tiny BOM. With the tiny set: raw materials 10*10 + 5*2 + 20*20 = 510 kg CO2e,
#: end of life 80*0.5 = 40 kg CO2e.
BOM_CSV = """\
component,material,quantity,unit,stage,factor,factor_source
tray,aluminium-primary,10,kg,,,
lid,steel-sheet,5,kg,,,
cathode,cam-nmc811,20,kg,,20 kg CO2e/kg,test supplier PCF 2026
recycling,recycling-hydromet,80,kg,end_of_life,0.5 kg CO2e/kg,test recycler 2026
"""

#: With the tiny set: 100 kWh x 0.5 kg/kWh = 50 kg CO2e in production.
ENERGY_TOML = """\
[[electricity]]
process = "pack assembly"
amount = "100 kWh"
basis = "per_battery"
country = "HU"
"""

#: With the tiny set: 0.08 t x 500 km x 0.1 = 4 kg CO2e in distribution.
TRANSPORT_TOML = """\
[[transport]]
name = "battery to the vehicle plant"
mode = "truck-hgv-average"
distance = "500 km"
mass = "battery"
stage = "distribution"
"""

#: Per-stage totals of the tiny project with the tiny set, worked out by hand.
TINY_PROJECT_STAGES = {
    Stage.RAW_MATERIALS: 510.0,
    Stage.PRODUCTION: 50.0,
    Stage.DISTRIBUTION: 4.0,
    Stage.END_OF_LIFE: 40.0,
}


def render_project(
    battery: Mapping[str, str | None] | None = None, inputs: Mapping[str, str] | None = None
) -> str:
    keys = dict(BATTERY)
    keys.update(battery or {})
    lines = ["[battery]"]
    lines += [f"{k} = {v}" for k, v in keys.items() if v is not None]
    lines += [
        "",
        "[manufacturer]",
        'name = "Tiny Batteries Ltd"',
        "",
        "[plant]",
        'name = "Tiny plant"',
        'town = "Tinytown"',
        'region = "Tinyregion"',
        'country = "HU"',
        "",
        "[inputs]",
    ]
    files = {"bom": "bom.csv", "energy": "energy.toml", "transport": "transport.toml"}
    files.update(inputs or {})
    lines += [f'{k} = "{v}"' for k, v in files.items()]
    return "\n".join(lines) + "\n"


#: The type of the ``write_project`` fixture.
WriteProject = Callable[..., Path]


def write_project_files(
    folder: Path,
    *,
    bom: str | bytes = BOM_CSV,
    energy: str | bytes = ENERGY_TOML,
    transport: str | bytes = TRANSPORT_TOML,
    battery: Mapping[str, str | None] | None = None,
    project: str | bytes | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> Path:
    """Write a tiny project into ``folder`` and return its battery.toml.

    ``battery`` overrides [battery] keys (TOML literals; None drops a key); ``project`` replaces
    battery.toml's whole text; ``files`` adds more files (a sub-BOM, say). Text is written as
    UTF-8 without newline translation; bytes as they are.
    """
    folder.mkdir(parents=True, exist_ok=True)
    contents: dict[str, str | bytes] = {
        "battery.toml": project if project is not None else render_project(battery),
        "bom.csv": bom,
        "energy.toml": energy,
        "transport.toml": transport,
    }
    contents.update(files or {})
    for name, content in contents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return folder / "battery.toml"
