"""``carbonfp init``: a new project folder for a battery, from a few facts.

The scaffold holds the usual lines of the chemistry, category and cell format, with material
ids from the catalogue (``factors/catalogue/materials.toml``) and no invented number: every
quantity the user must give is left empty and marked "TO FILL", a material with no open value
says that its line needs the supplier's factor, and the one value filled in (cell-plant energy
per kWh of capacity) is the ruleset's cited literature value, marked as secondary data to
replace. ``carbonfp check`` on the fresh folder lists exactly what is left.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from carbonfp.data.catalogue import Catalogue, load_catalogue
from carbonfp.errors import InputError, UsageError
from carbonfp.files import write_output
from carbonfp.method.quality import chemistry_key
from carbonfp.method.screening import materials_factor_id, vehicle_category_problem
from carbonfp.model import BatteryCategory
from carbonfp.run import RunOptions, run_config

#: Cell formats and the housing line of each (material id, component).
CELL_FORMATS: dict[str, tuple[str, str]] = {
    "prismatic": ("aluminium-foil", "cell can and lid (aluminium sheet)"),
    "pouch": ("pouch-film", "pouch laminate film"),
    "cylindrical": ("steel-sheet", "cell can (nickel-plated steel)"),
}

#: Pack lines by battery category: (component, material id).
PACK_LINES: dict[BatteryCategory, tuple[tuple[str, str], ...]] = {
    BatteryCategory.EV: (
        ("pack tray (aluminium)", "aluminium-primary"),
        ("pack lid (steel sheet)", "steel-sheet"),
        ("module frames and brackets", "steel-sheet"),
        ("cooling plates (aluminium)", "aluminium-primary"),
        ("busbars (copper)", "copper-busbar"),
        ("battery management system", "electronics"),
        ("wiring harness insulation", "pvc"),
        ("wiring harness conductors (copper)", "copper-wire"),
        ("thermal interface material", "thermal-interface"),
        ("fasteners", "steel-sheet"),
    ),
    BatteryCategory.LMT: (
        ("housing (plastics)", "plastics-average"),
        ("cell holders (PP)", "pp"),
        ("heat spreader (aluminium)", "aluminium-primary"),
        ("cell connectors (steel strip)", "steel-sheet"),
        ("battery management system", "electronics"),
        ("cable insulation", "pvc"),
        ("cable conductors (copper)", "copper-wire"),
    ),
    BatteryCategory.INDUSTRIAL: (
        ("rack and enclosure (steel sheet)", "steel-sheet"),
        ("module housings (aluminium)", "aluminium-primary"),
        ("busbars (copper)", "copper-busbar"),
        ("battery management system", "electronics"),
        ("cable insulation", "pvc"),
        ("cable conductors (copper)", "copper-wire"),
        ("thermal interface material", "thermal-interface"),
        ("fasteners", "steel-sheet"),
    ),
}

#: The order of the cell's lines, by role.
CELL_ROLES = (
    "cathode-active-material",
    "anode-active-material",
    "current-collector",
    "electrolyte",
    "separator",
    "binder",
    "conductive-additive",
)

FILES = ("battery.toml", "bom.csv", "cell.csv", "energy.toml", "transport.toml", "README.md")
BOM_COLUMNS = [
    "component",
    "material",
    "quantity",
    "unit",
    "origin",
    "factor",
    "factor_source",
    "data_type",
    "dqr",
    "recycled_share",
    "notes",
]


def chemistries(catalogue: Catalogue | None = None) -> list[str]:
    """The chemistries the catalogue has a cathode active material for."""
    catalogue = catalogue or load_catalogue()
    return [
        c
        for m in catalogue.materials.values()
        if m.role == "cathode-active-material"
        for c in m.chemistries
    ]


@dataclass(frozen=True)
class Facts:
    """What ``carbonfp init`` asks for."""

    model: str
    chemistry: str
    capacity: str
    category: BatteryCategory
    vehicle_category: str | None
    plant_country: str
    cell_format: str


def check_facts(facts: Facts) -> Facts:
    """The facts with the chemistry and codes spelt as carbonfp writes them. Raises
    UsageError naming the option and the values it takes."""
    from carbonfp.units import quantity_in

    known = {chemistry_key(c): c for c in chemistries()}
    chemistry = known.get(chemistry_key(facts.chemistry))
    if chemistry is None:
        raise UsageError(
            f"no cathode active material for chemistry {facts.chemistry!r} in the catalogue",
            hint="--chemistry takes " + ", ".join(known.values()),
            code="invalid-option",
        )
    try:
        kwh = quantity_in(facts.capacity, "kWh", None, "--capacity")
    except InputError as exc:  # the text of an option: a usage problem here
        raise UsageError(
            f"--capacity {facts.capacity!r} is not an energy: {exc.message}",
            hint='e.g. --capacity "60 kWh"',
            code="invalid-option",
        ) from None
    if not kwh > 0:
        raise UsageError(
            f"--capacity must be above zero, got {facts.capacity!r}",
            hint='e.g. --capacity "60 kWh"',
            code="invalid-option",
        )
    problem = vehicle_category_problem(facts.category, facts.vehicle_category)
    if problem:
        raise UsageError(
            problem, hint="--category takes the vehicle category", code="invalid-option"
        )
    country = facts.plant_country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise UsageError(
            f"--plant-country {facts.plant_country!r} is not an ISO 3166 alpha-2 code",
            hint="e.g. PL for Poland, CN for China",
            code="invalid-option",
        )
    if facts.cell_format not in CELL_FORMATS:
        raise UsageError(
            f"unknown --cell-format {facts.cell_format!r}",
            hint="use " + ", ".join(CELL_FORMATS),
            code="invalid-option",
        )
    return Facts(
        model=facts.model,
        chemistry=chemistry,
        capacity=f"{kwh:g} kWh",
        category=facts.category,
        vehicle_category=facts.vehicle_category.strip() if facts.vehicle_category else None,
        plant_country=country,
        cell_format=facts.cell_format,
    )


def scaffold(facts: Facts, today: date | None = None) -> dict[str, str]:
    """The files of a new project for ``facts`` (checked with :func:`check_facts`): name ->
    text."""
    catalogue = load_catalogue()
    config = run_config(RunOptions(), category=facts.category)
    factors, rules = config.factors, config.rules
    has_value = {f.id for f in factors.factors.values() if f.table == "materials"}
    when = (today or date.today()).isoformat()

    def bom(rows: list[tuple[str, str, str, str]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(BOM_COLUMNS)
        for component, material, unit, note in rows:
            if material in has_value or material.startswith("bom:"):
                factor_note = ""
            else:
                factor_note = (
                    f"; no open value for {material}: give the supplier's factor "
                    "(e.g. 12.4 kg CO2e/kg) and factor_source"
                )
            writer.writerow(
                [component, material, "", unit, "", "", "", "", "", "", note + factor_note]
            )
        return out.getvalue()

    cell_rows: list[tuple[str, str, str, str]] = []
    for role in CELL_ROLES:
        for m in catalogue.materials.values():
            if m.role == role and facts.chemistry in m.chemistries:
                cell_rows.append(
                    (m.name, m.id, "kg", "TO FILL: kg per cell (the cell's specification)")
                )
    housing, housing_name = CELL_FORMATS[facts.cell_format]
    cell_rows.append((housing_name, housing, "kg", "TO FILL: kg per cell"))
    pack_rows = [("cells", "bom:cell.csv", "pcs", "TO FILL: number of cells per battery")]
    pack_rows += [
        (component, material, "kg", "TO FILL: kg per battery")
        for component, material in PACK_LINES[facts.category]
    ]
    return {
        "battery.toml": _battery_toml(facts, when, rules.id),
        "bom.csv": bom(pack_rows),
        "cell.csv": bom(cell_rows),
        "energy.toml": _energy_toml(
            facts, rules.screening, materials_factor_id(facts.chemistry) in factors.factors
        ),
        "transport.toml": _TRANSPORT,
        "README.md": _readme(facts, rules.id, factors.label),
    }


def write_scaffold(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write ``files`` into ``folder`` (made if missing), never over an existing file: raises
    UsageError (code ``output-exists``) naming those that exist, before writing anything."""
    existing = [folder / name for name in files if (folder / name).exists()]
    if existing:
        raise UsageError(
            "carbonfp init never overwrites a file: "
            + ", ".join(p.as_posix() for p in existing)
            + " exist"
            + ("s" if len(existing) == 1 else ""),
            hint="choose a new or empty folder (carbonfp init NEW-FOLDER)",
            code="output-exists",
        )
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"{folder.as_posix()} is a file, not a folder",
            hint="give the folder to create the project in",
            code="output-exists",
        )
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, text in files.items():
            write_output(folder / name, text)
            written.append(folder / name)
    except BaseException:
        for path in written:  # all or nothing: the files were new
            path.unlink(missing_ok=True)
        raise
    return written


def _battery_toml(facts: Facts, when: str, ruleset: str) -> str:
    b = facts
    lines = [
        f"# {b.model}: a {b.capacity} {b.chemistry} battery ({b.category.value}), scaffolded by",
        f"# `carbonfp init` on {when}. Fill in every value marked TO FILL (uncomment the key),",
        "# then run `carbonfp check .` until it reports no problem, and `carbonfp calc .`.",
        f"# Ruleset: {ruleset} (the default for {b.category.value} batteries).",
        "",
        "[battery]",
        f'model = "{_toml_text(b.model)}"',
        f'category = "{b.category.value}"',
    ]
    if b.vehicle_category:
        lines.append(f'vehicle_category = "{b.vehicle_category}"')
    lines += [
        f'chemistry = "{b.chemistry}"',
        f'usable_capacity = "{b.capacity}"',
        '# nominal_capacity = "... kWh"   # optional: per-kWh plant energy then uses it',
        '# mass = "... kg"                # TO FILL: the finished battery',
        "# warranty_years = ...            # TO FILL: the warranty in years",
    ]
    if b.category is BatteryCategory.INDUSTRIAL:
        lines += [
            "# declared_cycles = ...           # TO FILL: the cycle life the maker declares",
            "# end_of_life_capacity = 0.7      # TO FILL: capacity left after those cycles",
        ]
    else:
        lines.append(
            '# warranty_km = "... km"         # optional: with annual_distance, caps the years'
        )
    lines += [
        "",
        "[manufacturer]",
        '# name = "..."                   # TO FILL',
        "",
        "[plant]                           # where the battery is assembled",
        '# name = "..."                   # TO FILL',
        '# town = "..."                   # TO FILL',
        '# region = "..."                 # TO FILL',
        f'country = "{b.plant_country}"',
        "",
        "[declaration]",
        '# eu_doc_id = "..."              # the EU declaration of conformity',
        '# study_url = "https://..."      # the public carbon footprint study',
        "",
        "[inputs]",
        'bom = "bom.csv"',
        'energy = "energy.toml"',
        'transport = "transport.toml"',
        "",
        "# End of life: the Circular Footprint Formula per material group of the ruleset",
        "# (`carbonfp rules show` lists them). TO FILL from your recycler, with sources:",
        "# [end_of_life]",
        '# route = "dismantling and hydrometallurgical recycling"',
        "# [end_of_life.materials.cathode-active-material]",
        '# recycling = "... kg CO2e/kg"',
        '# recycling_source = "..."',
        '# disposal = "... kg CO2e/kg"',
        '# disposal_source = "..."',
    ]
    return "\n".join(lines) + "\n"


def _energy_toml(facts: Facts, screening: Mapping[str, str], lithium_ion: bool) -> str:
    """The energy file; the cell plant's literature values (the ruleset's screening values,
    measured for lithium-ion cells) only for a lithium-ion chemistry."""
    electricity = screening.get("cell_electricity")
    gas = screening.get("cell_natural_gas")
    source = screening.get("energy_source", "")
    lines = [
        "# Plant energy. `role` tells the ruleset which process a block belongs to",
        "# (`carbonfp materials --roles`): in declaration mode, cell manufacturing and module and",
        '# pack assembly need company-specific data (data_type = "company").',
        "",
    ]
    if electricity and gas and lithium_ion:
        lines += [
            "# The cell plant's energy: literature values per kWh of cell capacity, filled in",
            "# from the ruleset's screening settings:",
            f"# {source}.",
            "# Secondary data: replace them with the cell plant's metered values and set",
            '# data_type = "company" for a declaration.',
            "[[electricity]]",
            'process = "cell manufacturing"',
            'role = "cell-manufacturing"',
            f'amount = "{electricity}"',
            'basis = "per_kwh_capacity"',
            f'country = "{facts.plant_country}"   # TO CHECK: the cell plant\'s country',
            'data_type = "secondary"',
            f'note = "{_toml_text(source)}"',
            "",
            "[[fuel]]",
            'process = "electrode drying and dry rooms"',
            'role = "cell-manufacturing"',
            'fuel = "natural-gas"',
            f'amount = "{gas}"',
            'basis = "per_kwh_capacity"',
            'data_type = "secondary"',
            f'note = "{_toml_text(source)}"',
            "",
        ]
    else:
        lines += [
            "# The cell plant's energy per kWh of cell capacity: no open value for "
            f"{facts.chemistry} cells.",
            "[[electricity]]",
            'process = "cell manufacturing"',
            'role = "cell-manufacturing"',
            'amount = "TO FILL kWh"             # per kWh of cell capacity',
            'basis = "per_kwh_capacity"',
            f'country = "{facts.plant_country}"   # TO CHECK: the cell plant\'s country',
            'data_type = "company"',
            "",
        ]
    lines += [
        "[[electricity]]",
        'process = "module and pack assembly"',
        'role = "module-pack-assembly"',
        'amount = "TO FILL kWh"             # metered electricity per battery',
        'basis = "per_battery"',
        f'country = "{facts.plant_country}"',
        'data_type = "company"',
    ]
    return "\n".join(lines) + "\n"


_TRANSPORT = """\
# Transport legs: mode (`carbonfp factors show --table transport`), distance, mass carried
# ("battery" for the finished battery) and stage (raw_materials to the plant, distribution to
# the customer). Add a leg per inbound shipment (cells, modules) with stage = "raw_materials".

[[transport]]
name = "finished battery to the customer"
mode = "truck-hgv-average"
distance = "TO FILL km"
mass = "battery"
stage = "distribution"
"""


def _readme(facts: Facts, ruleset: str, factor_set: str) -> str:
    return f"""\
# {facts.model}

A carbon footprint project for a {facts.capacity} {facts.chemistry} battery
({facts.category.value}{", " + facts.vehicle_category if facts.vehicle_category else ""}),
{facts.cell_format} cells, scaffolded by `carbonfp init`. Ruleset {ruleset}, factors
{factor_set}.

What to fill in (`carbonfp check .` lists each one with its file and line):

1. `battery.toml`: the battery's mass and warranty, the manufacturer and the plant (keys
   marked TO FILL: uncomment them), and the end of life from your recycler.
2. `bom.csv`: the number of cells and the kg per battery of each pack part.
3. `cell.csv`: the kg per cell of each material, from the cell's specification.
4. Lines whose notes say "no open value": no open, citable factor ships for that material;
   give the supplier's value in `factor` (e.g. `12.4 kg CO2e/kg`) with its `factor_source`.
   `carbonfp materials` shows which materials have a value.
5. `energy.toml`: the pack plant's metered electricity; the cell plant's values are
   literature values to replace with the cell maker's data for a declaration.
6. `transport.toml`: the distances.

Then:

    carbonfp check .                       # every problem left, at once
    carbonfp calc .                        # the declaration (screening)
    carbonfp check . --mode declaration    # what a declaration still needs
"""


def _toml_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
