"""Screening estimate without a BOM: per-kWh materials by chemistry plus cell-plant energy."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from carbonfp.errors import InputError, Location
from carbonfp.method.functional_unit import vehicle_group
from carbonfp.model import (
    ActivityLine,
    Battery,
    BatteryCategory,
    DataType,
    DeclarationInfo,
    Factor,
    FactorSet,
    LineKind,
    Manufacturer,
    Plant,
    Project,
    Stage,
    SuppliedFactor,
)

WHERE = Location("estimate options")

#: The vehicle categories each battery category goes with, after Regulation (EU) 2023/1542,
#: Article 3: an EV battery powers vehicles of categories M, N or O, or of category L with a
#: battery over 25 kg; an LMT battery (25 kg or less) powers light vehicles, category L among
#: them; an industrial battery (stationary energy storage included) no vehicle.
VEHICLE_CATEGORIES: dict[BatteryCategory, str] = {
    BatteryCategory.EV: "M1, M2, M3, N1, N2, N3, O1-O4, or L1e-L7e with a battery over 25 kg",
    BatteryCategory.LMT: "L1e-L7e (battery of 25 kg or less)",
    BatteryCategory.INDUSTRIAL: "none",
}
_MNO_CATEGORY = re.compile(r"^([MN][123]G?|O[1-4])$")


@dataclass(frozen=True)
class ScreeningParameters:
    """Activity data of an estimate, per kWh of capacity where so named."""

    cell_electricity_kwh_per_kwh: float
    cell_natural_gas_mj_per_kwh: float
    energy_source: str
    distribution_mode: str
    distribution_km: float
    distribution_is_assumption: bool = True
    end_of_life: SuppliedFactor | None = None
    #: the user's own materials factor per kWh of capacity (a chemistry the set has no
    #: screening row for, or another figure): used instead of the set's screening row
    materials: SuppliedFactor | None = None
    #: where the battery's mass comes from (the distribution leg rests on it)
    mass_basis: str = ""


def materials_factor_id(chemistry: str) -> str:
    return "greet-materials-" + _chemistry_key(chemistry)


def user_materials_factor_id(chemistry: str) -> str:
    return "user-materials-" + _chemistry_key(chemistry)


def _chemistry_key(chemistry: str) -> str:
    return chemistry.strip().lower().replace(" ", "").replace("-", "")


def screening_chemistries(factors: FactorSet) -> list[str]:
    """The chemistries ``factors`` has a screening materials row for (LFP, NMC811, ...)."""
    return sorted(
        f.id.removeprefix("greet-materials-").upper()
        for f in factors.factors.values()
        if f.table == "screening"
    )


def screening_row(chemistry: str, factors: FactorSet) -> Factor:
    """The screening materials row of ``chemistry`` in ``factors``.

    Raises InputError (code ``unknown-chemistry``) when the set has none: the estimate never
    makes one up; the hint lists the chemistries with one and how to give a cited value.
    """
    row = factors.factors.get(materials_factor_id(chemistry))
    if row is None or row.table != "screening":
        raise InputError(
            f"no open screening factor for chemistry {chemistry!r} in {factors.label}",
            where=Location("estimate options", key="chemistry"),
            hint="chemistries with one: "
            + ", ".join(screening_chemistries(factors))
            + ". For another chemistry give your own cited figure per kWh of capacity: --materials "
            '"X kg CO2e/kWh" --materials-source "who published it, where" (and --mass "N kg" '
            "for a distribution leg)",
            code="unknown-chemistry",
        )
    return row


def vehicle_category_problem(category: BatteryCategory, vehicle: str | None) -> str | None:
    """Why ``vehicle`` (a vehicle category, or None) does not go with a battery of
    ``category`` (:data:`VEHICLE_CATEGORIES`), or None when it does."""
    if category is BatteryCategory.INDUSTRIAL:
        if vehicle:
            return (
                f"an industrial battery has no vehicle category, got {vehicle!r} (a traction "
                "battery is an EV or LMT battery)"
            )
        return None
    if not vehicle:
        return (
            f"an {category.value} battery needs its vehicle category: "
            f"{VEHICLE_CATEGORIES[category]}"
        )
    is_l = vehicle_group(vehicle) == "L"
    if category is BatteryCategory.LMT and not is_l:
        return (
            f"vehicle category {vehicle!r} does not go with an LMT battery: an LMT battery "
            f"powers light vehicles, {VEHICLE_CATEGORIES[category]}"
        )
    if category is BatteryCategory.EV and not (
        is_l or _MNO_CATEGORY.match(vehicle.strip().upper())
    ):
        return (
            f"vehicle category {vehicle!r} does not go with an EV battery: an EV battery "
            f"powers vehicles of categories {VEHICLE_CATEGORIES[category]}"
        )
    return None


def screening_project(
    battery: Battery, country: str, params: ScreeningParameters, factors: FactorSet
) -> Project:
    """A synthetic project for one plant country: the core then computes it as any other.

    The materials line is the set's screening row of the chemistry, or the user's own factor
    (``params.materials``), labelled as such. Raises InputError (code ``unknown-chemistry``)
    when there is neither.
    """
    capacity = battery.nominal_capacity_kwh or battery.usable_capacity_kwh
    mass_kg = battery.mass_kg
    if params.materials is not None:
        own = params.materials
        materials_line = ActivityLine(
            kind=LineKind.MATERIAL,
            component=f"battery materials, {battery.chemistry} (user value per kWh)",
            factor_id=user_materials_factor_id(battery.chemistry),
            quantity=capacity,
            unit="kWh",
            where=WHERE,
            stage=Stage.RAW_MATERIALS,
            supplied=own,
            note=f"{own.value:g} {own.unit} of capacity x {capacity:g} kWh "
            f"(user value, not in {factors.label}; source: {own.source})",
        )
    else:
        row = screening_row(battery.chemistry, factors)
        materials_line = ActivityLine(
            kind=LineKind.MATERIAL,
            component=f"battery materials, {battery.chemistry} (GREET 2024 per kWh)",
            factor_id=row.id,
            quantity=capacity,
            unit="kWh",
            where=WHERE,
            note=f"{row.value:g} kg CO2e per kWh of capacity x {capacity:g} kWh",
        )
    lines = [
        materials_line,
        ActivityLine(
            kind=LineKind.ELECTRICITY,
            component=f"cell production electricity ({country} grid)",
            factor_id=f"grid-{country.lower()}",
            quantity=params.cell_electricity_kwh_per_kwh * capacity,
            unit="kWh",
            where=WHERE,
            origin=country,
            data_type=DataType.SECONDARY,
            note=f"{params.cell_electricity_kwh_per_kwh:g} kWh per kWh of capacity "
            f"({params.energy_source})",
        ),
        ActivityLine(
            kind=LineKind.FUEL,
            component="cell production natural gas",
            factor_id="natural-gas",
            quantity=params.cell_natural_gas_mj_per_kwh * capacity,
            unit="MJ",
            where=WHERE,
            data_type=DataType.SECONDARY,
            note=f"{params.cell_natural_gas_mj_per_kwh:g} MJ per kWh of capacity "
            f"({params.energy_source})",
        ),
    ]
    if mass_kg > 0:  # without a mass (given or from an open specific energy): no leg
        lines.append(
            ActivityLine(
                kind=LineKind.TRANSPORT,
                component="distribution of the finished battery",
                factor_id=params.distribution_mode,
                quantity=mass_kg / 1000 * params.distribution_km,
                unit="t*km",
                where=WHERE,
                stage=Stage.DISTRIBUTION,
                note=f"{mass_kg:.0f} kg x {params.distribution_km:g} km"
                + (" (screening assumption)" if params.distribution_is_assumption else "")
                + (f"; mass {params.mass_basis}" if params.mass_basis else ""),
            )
        )
    if params.end_of_life is not None:
        eol = params.end_of_life
        lines.append(
            ActivityLine(
                kind=LineKind.MATERIAL,
                component="end of life (user value per kg)",
                factor_id="end-of-life",
                quantity=mass_kg,
                unit="kg",
                where=WHERE,
                stage=Stage.END_OF_LIFE,
                supplied=eol,
                data_type=DataType.SUPPLIER,
                note=f"{eol.value:g} {eol.unit} x {mass_kg:.0f} kg (user value; source: "
                f"{eol.source})",
            )
        )
    return Project(
        name=battery.model,
        label="estimate options",
        battery=battery,
        plant=Plant(name="(screening)", town="", region="", country=country),
        manufacturer=Manufacturer(name="(screening)"),
        declaration=DeclarationInfo(),
        lines=tuple(lines),
    )


def estimated_mass(battery: Battery, factors: FactorSet) -> tuple[Battery, str]:
    """The battery with its mass, filled from the screening row's specific energy when it is
    not given, and where the mass comes from ("" when there is none: no mass given and no
    specific energy for the chemistry)."""
    if battery.mass_kg > 0:
        return battery, "given"
    row = factors.factors.get(materials_factor_id(battery.chemistry))
    if row is None or row.table != "screening" or not row.specific_energy_wh_per_kg:
        return battery, ""
    capacity = battery.nominal_capacity_kwh or battery.usable_capacity_kwh
    basis = f"estimated from {row.specific_energy_wh_per_kg:g} Wh/kg ({row.id}, {factors.label})"
    return replace(battery, mass_kg=capacity * 1000 / row.specific_energy_wh_per_kg), basis
