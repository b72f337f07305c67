"""``carbonfp estimate``: a screening estimate without a BOM, for one or more plant countries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FormatOption,
    OutputFormat,
    OutputOption,
    QuietOption,
    choose_format,
    emit,
)
from carbonfp.errors import UsageError


def estimate(
    project: Annotated[
        Path | None,
        typer.Argument(
            help="Optional project file: its [battery] and plant country are used; options "
            "override them.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    chemistry: Annotated[
        str | None,
        typer.Option("--chemistry", help="LFP, NMC111, NMC532, NMC622, NMC811, NCA, LMO."),
    ] = None,
    capacity: Annotated[
        str | None, typer.Option("--capacity", help='Usable capacity, e.g. "75 kWh".')
    ] = None,
    plant_country: Annotated[
        list[str] | None,
        typer.Option(
            "--plant-country",
            help="ISO country of the cell plant; repeat (or separate by commas) to compare.",
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Vehicle category: M1, N1, L1e..L7e, M2, M3, N2, N3."),
    ] = None,
    battery_category: Annotated[
        str, typer.Option("--battery-category", help="EV, LMT or industrial.")
    ] = "EV",
    warranty_years: Annotated[
        float | None, typer.Option("--warranty-years", help="Warranty in years.", min=0.1)
    ] = None,
    warranty_km: Annotated[
        str | None, typer.Option("--warranty-km", help='Warranty distance, e.g. "160000 km".')
    ] = None,
    annual_distance: Annotated[
        str | None,
        typer.Option("--annual-distance", help='km-to-years basis, e.g. "15000 km" (per year).'),
    ] = None,
    cell_electricity: Annotated[
        str | None,
        typer.Option(
            "--cell-electricity",
            help="Cell production electricity per kWh of capacity (default: the ruleset's, "
            '"20.10 kWh", Degen & Schuette 2022).',
        ),
    ] = None,
    cell_gas: Annotated[
        str | None,
        typer.Option(
            "--cell-gas",
            help='Cell production natural gas per kWh of capacity (default "77.0 MJ").',
        ),
    ] = None,
    distribution: Annotated[
        str | None,
        typer.Option(
            "--distribution",
            help="Distance of the finished battery by truck (default: the ruleset's screening "
            'assumption, "1000 km").',
        ),
    ] = None,
    end_of_life: Annotated[
        str | None,
        typer.Option(
            "--end-of-life",
            help='End-of-life factor per kg of battery, e.g. "0.5 kg CO2e/kg" (omitted unless '
            "given; needs --end-of-life-source).",
        ),
    ] = None,
    end_of_life_source: Annotated[
        str | None,
        typer.Option("--end-of-life-source", help="Where the end-of-life value comes from."),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules", help="Ruleset id or file (default: eu-ev-draft-2024-04).", show_default=False
        ),
    ] = None,
    factor_set: Annotated[
        str | None, typer.Option("--factor-set", help="Factor set ID or ID@VERSION, or a folder.")
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Screening estimate without a BOM: GREET 2024 materials per kWh for the chemistry, plus
    cell production energy at the plant country's grid, plus a distribution leg.

    Labelled "screening estimate, not a declaration". Example:
    carbonfp estimate --chemistry NMC811 --capacity "75 kWh" --category M1 --warranty-years 8
    --plant-country HU --plant-country PL --plant-country SE
    """
    with errors_to_exit_codes(debug, as_json=fmt is OutputFormat.json):
        from dataclasses import replace

        from carbonfp.engine.scenarios import estimate as estimate_for
        from carbonfp.engine.scenarios import screening_parameters
        from carbonfp.errors import Location
        from carbonfp.formats import render_estimate
        from carbonfp.inputs.bom import supplied_factor
        from carbonfp.inputs.project import load_battery
        from carbonfp.model import Battery, BatteryCategory
        from carbonfp.run import RunOptions, run_config
        from carbonfp.units import quantity_in

        where = Location("command line")
        battery: Battery | None = None
        countries: list[str] = []
        if project is not None:
            battery, country = load_battery(project)
            if country:
                countries.append(country)
        if plant_country:
            countries = [c.strip().upper() for v in plant_country for c in v.split(",") if c]
        if not countries:
            raise UsageError(
                "give --plant-country (or a project file with [plant] country)",
                hint="e.g. --plant-country HU, or several: --plant-country HU,PL,SE",
                code="missing-option",
            )
        try:
            bcat = next(c for c in BatteryCategory if c.value.lower() == battery_category.lower())
        except StopIteration:
            raise UsageError(
                f"unknown --battery-category {battery_category!r}",
                hint="use " + ", ".join(c.value for c in BatteryCategory),
                code="invalid-option",
            ) from None
        if battery is None:
            missing = [
                name
                for name, value in (
                    ("--chemistry", chemistry),
                    ("--capacity", capacity),
                    ("--category", category),
                    ("--warranty-years", warranty_years),
                )
                if value is None
            ]
            if missing:
                raise UsageError(
                    "missing " + ", ".join(missing),
                    hint='e.g. carbonfp estimate --chemistry NMC811 --capacity "75 kWh" '
                    "--category M1 --warranty-years 8 --plant-country HU",
                    code="missing-option",
                )
            assert chemistry and capacity and category and warranty_years
            battery = Battery(
                model=f"{chemistry} {capacity} (screening)",
                category=bcat,
                chemistry=chemistry,
                usable_capacity_kwh=quantity_in(capacity, "kWh", where, "--capacity"),
                mass_kg=0.0,
                warranty_years=warranty_years,
                vehicle_category=category,
            )
        else:
            changes: dict[str, object] = {}
            if chemistry:
                changes["chemistry"] = chemistry
            if capacity:
                changes["usable_capacity_kwh"] = quantity_in(capacity, "kWh", where, "--capacity")
            if category:
                changes["vehicle_category"] = category
            if warranty_years:
                changes["warranty_years"] = warranty_years
            battery = replace(battery, **changes)  # type: ignore[arg-type]
        if warranty_km:
            battery = replace(battery, warranty_km=quantity_in(warranty_km, "km", where))
        if annual_distance:
            battery = replace(battery, annual_distance_km=quantity_in(annual_distance, "km", where))

        chosen = choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        config = run_config(RunOptions(rules=rules, factor_set=factor_set))
        eol = None
        if end_of_life:
            eol = supplied_factor(end_of_life, end_of_life_source or "", where, where)
        params = screening_parameters(
            config.rules,
            cell_electricity=cell_electricity,
            cell_gas=cell_gas,
            distribution=distribution,
            end_of_life=eol,
        )
        declarations = estimate_for(
            battery, countries, params, config.factors, config.rules, config.settings
        )
        emit(render_estimate(declarations, chosen).text, output, quiet)
