"""Screening estimate without a BOM: per-kWh materials by chemistry plus cell-plant energy."""

from __future__ import annotations

from dataclasses import dataclass, replace

from carbonfp.errors import InputError, Location
from carbonfp.model import (
    ActivityLine,
    Battery,
    DataType,
    DeclarationInfo,
    FactorSet,
    LineKind,
    Manufacturer,
    Plant,
    Project,
    Stage,
    SuppliedFactor,
)

WHERE = Location("estimate options")


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


def materials_factor_id(chemistry: str) -> str:
    return "greet-materials-" + chemistry.strip().lower().replace(" ", "").replace("-", "")


def screening_project(
    battery: Battery, country: str, params: ScreeningParameters, factors: FactorSet
) -> Project:
    """A synthetic project for one plant country: the core then computes it as any other.

    Raises InputError (code ``unknown-chemistry``) when the set has no screening row for the
    chemistry.
    """
    fid = materials_factor_id(battery.chemistry)
    materials = factors.factors.get(fid)
    if materials is None or materials.table != "screening":
        known = sorted(
            f.id.removeprefix("greet-materials-").upper()
            for f in factors.factors.values()
            if f.table == "screening"
        )
        raise InputError(
            f"no screening factor for chemistry {battery.chemistry!r} in {factors.label}",
            where=Location("estimate options", key="chemistry"),
            hint="chemistries with one: " + ", ".join(known),
            code="unknown-chemistry",
        )
    capacity = battery.nominal_capacity_kwh or battery.usable_capacity_kwh
    mass_kg = battery.mass_kg
    lines = [
        ActivityLine(
            kind=LineKind.MATERIAL,
            component=f"battery materials, {battery.chemistry} (GREET 2024 per kWh)",
            factor_id=fid,
            quantity=capacity,
            unit="kWh",
            where=WHERE,
            note=f"{materials.value:g} kg CO2e per kWh of capacity x {capacity:g} kWh",
        ),
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
        ActivityLine(
            kind=LineKind.TRANSPORT,
            component="distribution of the finished battery",
            factor_id=params.distribution_mode,
            quantity=mass_kg / 1000 * params.distribution_km,
            unit="t*km",
            where=WHERE,
            stage=Stage.DISTRIBUTION,
            note=f"{mass_kg:.0f} kg x {params.distribution_km:g} km"
            + (" (screening assumption)" if params.distribution_is_assumption else ""),
        ),
    ]
    if params.end_of_life is not None:
        lines.append(
            ActivityLine(
                kind=LineKind.MATERIAL,
                component="end of life",
                factor_id="end-of-life",
                quantity=mass_kg,
                unit="kg",
                where=WHERE,
                stage=Stage.END_OF_LIFE,
                supplied=params.end_of_life,
                data_type=DataType.SUPPLIER,
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


def estimated_mass(battery: Battery, factors: FactorSet) -> Battery:
    """Fill the battery's mass from the screening row's specific energy when it is not given."""
    if battery.mass_kg > 0:
        return battery
    row = factors.factors.get(materials_factor_id(battery.chemistry))
    if row is None or not row.specific_energy_wh_per_kg:
        return battery
    capacity = battery.nominal_capacity_kwh or battery.usable_capacity_kwh
    return replace(battery, mass_kg=capacity * 1000 / row.specific_energy_wh_per_kg)
