"""The functional unit: total energy a battery delivers over its service life (E_total)."""

from __future__ import annotations

import re
from functools import lru_cache

from carbonfp.errors import InputError, Location
from carbonfp.model import Battery, FunctionalUnit, Issue, Ruleset

_L_CATEGORY = re.compile(r"^L\d*E?(-[A-Z0-9]+)?$")


@lru_cache(maxsize=256)
def vehicle_group(vehicle_category: str) -> str:
    """Key of a ruleset table for a vehicle category: "L3e-A1" -> "L", "M1" -> "M1"."""
    category = vehicle_category.strip().upper()
    return "L" if _L_CATEGORY.match(category) else category


def _fmt(value: float) -> str:
    return f"{value:,.6g}".replace(",", " ") if value >= 1e4 else f"{value:.6g}"


def functional_unit(
    battery: Battery, rules: Ruleset, project_label: str
) -> tuple[FunctionalUnit, list[Issue]]:
    """E_total = usable capacity x cycles per year x service life (years), per the ruleset.

    The service life is the warranty in years or, with a km warranty, the shorter of that and
    warranty km / annual distance. Raises InputError when the ruleset does not cover the
    battery's category, or when a needed input (cycles, km-to-years basis) is missing.
    """
    warnings: list[Issue] = []
    if rules.categories and battery.category not in rules.categories:
        raise InputError(
            f"ruleset {rules.id} covers {', '.join(c.value for c in rules.categories)} "
            f"batteries, not {battery.category.value}",
            where=Location(project_label, key="battery.category"),
            hint="choose a ruleset for this battery category in [method] ruleset",
            code="ruleset-category",
        )
    if rules.fu_method == "warranty-km-consumption":
        return _km_consumption(battery, rules, project_label), warnings
    if rules.fu_method == "cycle-life":
        return _cycle_life(battery, rules, project_label), warnings
    group = vehicle_group(battery.vehicle_category or "")
    table_fec = rules.fec_per_year.get(group)
    if battery.cycles_per_year is not None:
        if not battery.cycles_per_year_justification:
            raise InputError(
                "cycles_per_year needs a justification",
                where=Location(project_label, key="battery.cycles_per_year_justification"),
                hint='add cycles_per_year_justification = "...": the ruleset asks for a '
                "justified value where it gives none",
                code="missing-key",
            )
        if table_fec is not None:
            warnings.append(
                Issue(
                    "cycles-ignored",
                    f"cycles_per_year = {battery.cycles_per_year:g} is ignored: {rules.id} fixes "
                    f"{table_fec:g} full equivalent cycles per year for {group}",
                    str(Location(project_label, key="battery.cycles_per_year")),
                )
            )
            fec, fec_how = table_fec, f"{group}, {rules.id}"
        else:
            fec, fec_how = (
                battery.cycles_per_year,
                "user value: " + battery.cycles_per_year_justification,
            )
    elif table_fec is not None:
        fec, fec_how = table_fec, f"{group}, {rules.id}"
    else:
        raise InputError(
            f"{rules.id} gives no cycles per year for vehicle category "
            f"{battery.vehicle_category!r}",
            where=Location(project_label, key="battery.vehicle_category"),
            hint="categories with a value: "
            + ", ".join(rules.fec_per_year)
            + "; for another category give cycles_per_year and cycles_per_year_justification",
            code="unknown-vehicle-category",
        )

    years = battery.warranty_years
    life_how = f"{_fmt(years)} years (warranty)"
    if battery.warranty_km is not None:
        annual = battery.annual_distance_km
        basis = "annual_distance in the project"
        if annual is None and group in rules.km_per_year:
            annual, basis = rules.km_per_year[group], f"{rules.id} km per year for {group}"
        if annual is None:
            raise InputError(
                "the warranty is also given in km, but there is no km-to-years basis",
                where=Location(project_label, key="battery.annual_distance"),
                hint=f"{rules.id} publishes no annual distance for {group}: add "
                'annual_distance = "NN km" (per year) under [battery], with its justification '
                "in the study",
                code="missing-km-basis",
            )
        km_years = battery.warranty_km / annual
        if km_years < years:
            years = km_years
            life_how = (
                f"{_fmt(km_years)} years: {_fmt(battery.warranty_km)} km warranty at "
                f"{_fmt(annual)} km/year ({basis}), shorter than "
                f"{_fmt(battery.warranty_years)} years"
            )
        elif km_years == years:
            life_how = (
                f"{_fmt(years)} years (warranty; {_fmt(battery.warranty_km)} km at "
                f"{_fmt(annual)} km/year ({basis}) gives the same)"
            )
        else:
            life_how = (
                f"{_fmt(years)} years (warranty), shorter than {_fmt(km_years)} years for "
                f"{_fmt(battery.warranty_km)} km at {_fmt(annual)} km/year ({basis})"
            )
    total = battery.usable_capacity_kwh * fec * years
    derivation = (
        f"{_fmt(battery.usable_capacity_kwh)} kWh usable capacity x {_fmt(fec)} cycles "
        f"per year ({fec_how}) x {life_how} = {_fmt(total)} kWh"
    )
    return FunctionalUnit(
        usable_capacity_kwh=battery.usable_capacity_kwh,
        cycles_per_year=fec,
        service_life_years=years,
        total_energy_kwh=total,
        derivation=derivation,
    ), warnings


def _km_consumption(battery: Battery, rules: Ruleset, project_label: str) -> FunctionalUnit:
    """JRC CFB-EV 2023: E_total = warranty km x vehicle consumption (kWh/km)."""
    missing = [
        key
        for key, value in (
            ("warranty_km", battery.warranty_km),
            ("vehicle_consumption", battery.vehicle_consumption_kwh_per_km),
        )
        if value is None
    ]
    if missing:
        raise InputError(
            f"{rules.id} computes E_total from the warranty distance and the vehicle's "
            f"consumption: {' and '.join(missing)} missing",
            where=Location(project_label, key=f"battery.{missing[0]}"),
            hint='add warranty_km = "160000 km" and vehicle_consumption = "0.17 kWh/km" under '
            "[battery] (the vehicle's certified consumption)",
            code="missing-key",
        )
    assert battery.warranty_km is not None and battery.vehicle_consumption_kwh_per_km is not None
    total = battery.warranty_km * battery.vehicle_consumption_kwh_per_km
    years = battery.warranty_years
    cycles = total / battery.usable_capacity_kwh / years
    derivation = (
        f"{_fmt(battery.warranty_km)} km warranty x {_fmt(battery.vehicle_consumption_kwh_per_km)}"
        f" kWh/km vehicle consumption ({rules.id}) = {_fmt(total)} kWh "
        f"(= {_fmt(cycles)} full cycles per year of {_fmt(battery.usable_capacity_kwh)} kWh "
        f"over {_fmt(years)} years)"
    )
    return FunctionalUnit(battery.usable_capacity_kwh, cycles, years, total, derivation)


def _cycle_life(battery: Battery, rules: Ruleset, project_label: str) -> FunctionalUnit:
    """Industrial (provisional): usable capacity x declared cycles x mean usable-capacity factor."""
    if battery.declared_cycles is None:
        raise InputError(
            f"{rules.id} computes E_total from the declared cycle life: declared_cycles missing",
            where=Location(project_label, key="battery.declared_cycles"),
            hint="add declared_cycles = 6000 (the cycle life declared under Article 10) under "
            "[battery]",
            code="missing-key",
        )
    if battery.mean_capacity_factor is not None:
        factor = battery.mean_capacity_factor
        how = "mean usable-capacity factor given in the project"
    elif battery.end_of_life_capacity is not None:
        factor = (1 + battery.end_of_life_capacity) / 2
        how = (
            f"mean usable-capacity factor under a linear fade to "
            f"{battery.end_of_life_capacity:.0%}: (1 + {battery.end_of_life_capacity:g}) / 2"
        )
    else:
        raise InputError(
            f"{rules.id} needs the capacity left after the declared cycles",
            where=Location(project_label, key="battery.end_of_life_capacity"),
            hint='add end_of_life_capacity = "80%" or mean_capacity_factor = 0.9 under [battery]',
            code="missing-key",
        )
    total = battery.usable_capacity_kwh * battery.declared_cycles * factor
    years = battery.warranty_years
    derivation = (
        f"{_fmt(battery.usable_capacity_kwh)} kWh usable capacity x "
        f"{_fmt(battery.declared_cycles)} declared cycles x {factor:.4g} ({how}) = "
        f"{_fmt(total)} kWh ({rules.id}, {rules.legal_status})"
    )
    return FunctionalUnit(
        battery.usable_capacity_kwh, battery.declared_cycles / years, years, total, derivation
    )
