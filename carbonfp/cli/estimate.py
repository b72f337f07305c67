"""``carbonfp estimate``: a screening estimate without a BOM, for one or more plant countries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from carbonfp.errors import Location, UsageError
from carbonfp.run import CATEGORY_RULESETS, DEFAULT_RULESET

if TYPE_CHECKING:
    from carbonfp.model import Battery, BatteryCategory, SuppliedFactor

WHERE = Location("command line")

#: A whole command per battery category (by its value), for the hints of usage errors.
EXAMPLES: dict[str, str] = {
    "EV": 'carbonfp estimate --chemistry NMC811 --capacity "75 kWh" --category M1 '
    "--warranty-years 8 --plant-country HU",
    "LMT": "carbonfp estimate --battery-category LMT --chemistry NMC811 "
    '--capacity "1.5 kWh" --category L3e --warranty-years 3 --plant-country CN',
    "industrial": "carbonfp estimate --battery-category industrial --chemistry LFP "
    '--capacity "500 kWh" --declared-cycles 6000 --end-of-life-capacity 70% --warranty-years 15 '
    "--plant-country CN",
}
#: The options each functional-unit method of a ruleset reads (besides capacity and chemistry).
CYCLE_LIFE_OPTIONS = ("--declared-cycles", "--end-of-life-capacity", "--mean-capacity-factor")
KM_CONSUMPTION_OPTIONS = ("--vehicle-consumption",)
FEC_OPTIONS = ("--annual-distance",)
_RULES_DEFAULTS = ", ".join(
    [f"{DEFAULT_RULESET} for EV and LMT batteries"]
    + [f"{rules} for {category} batteries" for category, rules in CATEGORY_RULESETS.items()]
)


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
        typer.Option(
            "--chemistry",
            help="With an open screening factor: LFP, NMC111, NMC532, NMC622, NMC811, NCA, LMO. "
            "Any other (sodium-ion, LMFP, ...) needs your own cited --materials value.",
        ),
    ] = None,
    capacity: Annotated[
        str | None, typer.Option("--capacity", help='Usable capacity, e.g. "75 kWh".')
    ] = None,
    mass: Annotated[
        str | None,
        typer.Option(
            "--mass",
            help='Battery mass, e.g. "3200 kg", for the distribution leg (default: estimated '
            "from the screening row's specific energy where the set has one, else the leg is "
            "left out and the estimate says so; needed with --end-of-life).",
        ),
    ] = None,
    plant_country: Annotated[
        list[str] | None,
        typer.Option(
            "--plant-country",
            help="ISO country of the cell plant; repeat (or separate by commas) to compare.",
        ),
    ] = None,
    battery_category: Annotated[
        str | None,
        typer.Option(
            "--battery-category",
            help="EV (default), LMT or industrial; stationary energy storage is an industrial "
            "battery. EV goes with --category M1, M2, M3, N1, N2, N3, O1-O4, or L1e-L7e with a "
            "battery over 25 kg; LMT with L1e-L7e (battery of 25 kg or less); industrial with "
            "no vehicle category, but --declared-cycles and --end-of-life-capacity (or "
            "--mean-capacity-factor).",
            show_default=False,
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help="Vehicle category of an EV or LMT battery (see --battery-category); sets the "
            "cycles per year.",
        ),
    ] = None,
    warranty_years: Annotated[
        float | None,
        typer.Option(
            "--warranty-years",
            help="Warranty in years (industrial: the service life shown beside the cycle life; "
            "it does not change E_total).",
            min=0.1,
        ),
    ] = None,
    warranty_km: Annotated[
        str | None, typer.Option("--warranty-km", help='Warranty distance, e.g. "160000 km".')
    ] = None,
    annual_distance: Annotated[
        str | None,
        typer.Option("--annual-distance", help='km-to-years basis, e.g. "15000 km" (per year).'),
    ] = None,
    vehicle_consumption: Annotated[
        str | None,
        typer.Option(
            "--vehicle-consumption",
            help='Vehicle consumption, e.g. "0.17 kWh/km" (rulesets computing E_total from the '
            "warranty km, e.g. jrc-cfb-ev-2023).",
        ),
    ] = None,
    declared_cycles: Annotated[
        float | None,
        typer.Option(
            "--declared-cycles",
            "--cycles",
            help="Industrial: the cycle life declared under Article 10, e.g. 6000 "
            "(E_total = capacity x declared cycles x mean usable-capacity factor).",
            min=1,
        ),
    ] = None,
    end_of_life_capacity: Annotated[
        str | None,
        typer.Option(
            "--end-of-life-capacity",
            help='Industrial: share of capacity left after the declared cycles, 0.7 or "70%"; '
            "the mean factor is then (1 + share) / 2 (a linear fade).",
        ),
    ] = None,
    mean_capacity_factor: Annotated[
        str | None,
        typer.Option(
            "--mean-capacity-factor",
            help="Industrial: the mean usable-capacity factor over the cycle life, e.g. 0.9, "
            "instead of --end-of-life-capacity.",
        ),
    ] = None,
    materials: Annotated[
        str | None,
        typer.Option(
            "--materials",
            help='Your own materials factor per kWh of capacity, e.g. "65 kg CO2e/kWh", instead '
            "of the factor set's screening row (needs --materials-source); shown as a user "
            "value in every format.",
        ),
    ] = None,
    materials_source: Annotated[
        str | None,
        typer.Option(
            "--materials-source",
            help="Where the --materials value comes from (publication, table, year).",
        ),
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
            "--rules",
            help=f"Ruleset id or file (default: {_RULES_DEFAULTS}).",
            show_default=False,
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
    """Screening estimate without a BOM: GREET 2024 materials per kWh for the chemistry (or
    your own cited value), plus cell production energy at the plant country's grid, plus a
    distribution leg. For EV, LMT and industrial batteries (stationary storage included).

    Labelled "screening estimate, not a declaration". Examples:

    carbonfp estimate --chemistry NMC811 --capacity "75 kWh" --category M1 --warranty-years 8
    --plant-country HU --plant-country PL --plant-country SE

    carbonfp estimate --battery-category industrial --chemistry LFP --capacity "500 kWh"
    --declared-cycles 6000 --end-of-life-capacity 70% --warranty-years 15 --plant-country CN

    carbonfp estimate --chemistry SIB --materials "65 kg CO2e/kWh" --materials-source "..."
    --mass "420 kg" --capacity "60 kWh" --category M1 --warranty-years 8 --plant-country CN
    """
    with errors_to_exit_codes(debug, as_json=fmt is OutputFormat.json):
        from dataclasses import replace

        from carbonfp.engine.scenarios import estimate as estimate_for
        from carbonfp.engine.scenarios import screening_parameters, split_countries
        from carbonfp.formats import render_estimate
        from carbonfp.inputs.bom import supplied_factor
        from carbonfp.inputs.project import load_battery
        from carbonfp.model import Battery, BatteryCategory
        from carbonfp.run import RunOptions, default_ruleset, run_config
        from carbonfp.units import quantity_in

        base: Battery | None = None
        countries: list[str] = []
        if project is not None:
            base, country = load_battery(project)
            if country:
                countries.append(country)
        if plant_country:
            countries = split_countries(plant_country)
        if not countries:
            raise UsageError(
                "give --plant-country (or a project file with [plant] country)",
                hint="e.g. --plant-country HU, or several: --plant-country HU,PL,SE",
                code="missing-option",
            )
        if battery_category is not None:
            bcat = parse_battery_category(battery_category)
        else:
            bcat = base.category if base else BatteryCategory.EV

        chosen = choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        config = run_config(RunOptions(rules=rules, factor_set=factor_set), category=bcat)
        ruleset = config.rules
        if ruleset.categories and bcat not in ruleset.categories:
            raise UsageError(
                f"ruleset {ruleset.id} covers "
                f"{', '.join(c.value for c in ruleset.categories)} batteries, not {bcat.value}",
                hint=f"leave out --rules for {default_ruleset(bcat)}, the default for "
                f"{bcat.value} batteries, or name a ruleset that covers them (carbonfp rules list)",
                code="invalid-option",
            )
        method = ruleset.fu_method
        example = EXAMPLES[bcat.value]
        given = {
            "--declared-cycles": declared_cycles,
            "--end-of-life-capacity": end_of_life_capacity,
            "--mean-capacity-factor": mean_capacity_factor,
            "--vehicle-consumption": vehicle_consumption,
            "--warranty-km": warranty_km,
            "--annual-distance": annual_distance,
            "--category": category,
        }
        used: tuple[str, ...] = {
            "cycle-life": CYCLE_LIFE_OPTIONS,
            "warranty-km-consumption": (*KM_CONSUMPTION_OPTIONS, "--warranty-km", "--category"),
        }.get(method, (*FEC_OPTIONS, "--warranty-km", "--category"))
        if bcat is BatteryCategory.INDUSTRIAL:
            used = tuple(o for o in used if o != "--category")
        unused = [name for name, value in given.items() if value is not None and name not in used]
        if unused:
            raise UsageError(
                f"{', '.join(unused)} {'does' if len(unused) == 1 else 'do'} not apply to "
                f"{_a(bcat)} battery under {ruleset.id} (functional unit: {method})",
                hint=f"leave {'it' if len(unused) == 1 else 'them'} out; e.g. {example}",
                code="invalid-option",
            )
        if end_of_life_capacity is not None and mean_capacity_factor is not None:
            raise UsageError(
                "give --end-of-life-capacity or --mean-capacity-factor, not both",
                hint="the mean factor under a linear fade is (1 + end-of-life capacity) / 2",
                code="invalid-option",
            )

        # the battery: the options, else the project's [battery]
        changes: dict[str, object] = {}
        if chemistry:
            changes["chemistry"] = chemistry
        if capacity:
            changes["usable_capacity_kwh"] = quantity_in(capacity, "kWh", WHERE, "--capacity")
        if mass:
            changes["mass_kg"] = _positive(quantity_in(mass, "kg", WHERE, "--mass"), "--mass")
        if category:
            changes["vehicle_category"] = category
        if warranty_years:
            changes["warranty_years"] = warranty_years
        if warranty_km:
            changes["warranty_km"] = quantity_in(warranty_km, "km", WHERE, "--warranty-km")
        if annual_distance:
            changes["annual_distance_km"] = quantity_in(annual_distance, "km", WHERE)
        if vehicle_consumption:
            changes["vehicle_consumption_kwh_per_km"] = _positive(
                quantity_in(vehicle_consumption, "kWh/km", WHERE, "--vehicle-consumption"),
                "--vehicle-consumption",
            )
        if declared_cycles is not None:
            changes["declared_cycles"] = declared_cycles
        if end_of_life_capacity is not None:
            changes["end_of_life_capacity"] = fraction(
                end_of_life_capacity, "--end-of-life-capacity"
            )
            changes["mean_capacity_factor"] = None  # the option wins over the project's factor
        if mean_capacity_factor is not None:
            changes["mean_capacity_factor"] = fraction(
                mean_capacity_factor, "--mean-capacity-factor"
            )

        def value(name: str) -> object:
            return changes.get(name, getattr(base, name) if base else None)

        needed = [("--chemistry", value("chemistry")), ("--capacity", value("usable_capacity_kwh"))]
        if bcat is not BatteryCategory.INDUSTRIAL:
            needed.append(("--category", value("vehicle_category")))
        if method == "cycle-life":
            needed += [
                ("--declared-cycles", value("declared_cycles")),
                (
                    "--end-of-life-capacity (or --mean-capacity-factor)",
                    value("end_of_life_capacity") or value("mean_capacity_factor"),
                ),
            ]
        elif method == "warranty-km-consumption":
            needed += [
                ("--warranty-km", value("warranty_km")),
                ("--vehicle-consumption", value("vehicle_consumption_kwh_per_km")),
            ]
        needed.append(("--warranty-years", value("warranty_years")))
        missing = [name for name, v in needed if v is None]
        if missing:
            raise UsageError(
                f"missing for {_a(bcat)} battery under {ruleset.id} (functional unit: {method}): "
                + ", ".join(missing),
                hint=f"e.g. {example}"
                + ("; or set them in the project's [battery]" if base else ""),
                code="missing-option",
            )
        # a battery of the estimate's own: what no option and no project gives stays empty
        # (a mass of 0 is estimated from the chemistry's screening row)
        battery = base or Battery(
            model=f"{chemistry} {capacity} (screening)",
            category=bcat,
            chemistry="",
            usable_capacity_kwh=0.0,
            mass_kg=0.0,
            warranty_years=0.0,
        )
        battery = replace(battery, category=bcat, **changes)  # type: ignore[arg-type]

        own = user_factor(materials, materials_source, "--materials")
        check_paired(end_of_life, end_of_life_source, "--end-of-life")
        eol = None
        if end_of_life is not None:
            eol = supplied_factor(end_of_life, end_of_life_source or "", WHERE, WHERE)
        params = screening_parameters(
            ruleset,
            cell_electricity=cell_electricity,
            cell_gas=cell_gas,
            distribution=distribution,
            end_of_life=eol,
            materials=own,
        )
        declarations = estimate_for(
            battery, countries, params, config.factors, ruleset, config.settings
        )
        emit(render_estimate(declarations, chosen).text, output, quiet)


def parse_battery_category(text: str) -> BatteryCategory:
    """The battery category an option names (EV, LMT, industrial; any case).

    Raises UsageError for another name, pointing stationary storage at industrial.
    """
    from carbonfp.model import BatteryCategory

    for c in BatteryCategory:
        if c.value.lower() == text.strip().lower():
            return c
    raise UsageError(
        f"unknown --battery-category {text!r}",
        hint="use " + ", ".join(c.value for c in BatteryCategory) + "; stationary energy storage "
        "is an industrial battery under Regulation (EU) 2023/1542: --battery-category industrial",
        code="invalid-option",
    )


def fraction(text: str, option: str) -> float:
    """A share given as 0.7 or "70%", above 0 and at most 1. Raises UsageError otherwise."""
    raw = text.strip()
    try:
        value = float(raw[:-1].strip()) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a share",
            hint=f'write it as a fraction or a percentage, e.g. {option} 0.7 or {option} "70%"',
            code="invalid-option",
        ) from None
    if not 0 < value <= 1:
        raise UsageError(
            f"{option} must be above 0 and at most 1 (100%), got {text!r}",
            hint=f"e.g. {option} 0.7",
            code="invalid-option",
        )
    return value


def check_paired(text: str | None, source: str | None, option: str) -> bool:
    """Whether the user gave their own value for ``option``; it must come with its source.

    Raises UsageError when one of the value and ``option``-source comes without the other.
    """
    if text is None and source is None:
        return False
    if text is None:
        raise UsageError(
            f"{option}-source without {option}",
            hint=f"give the value too, e.g. {option} " + _EXAMPLE_VALUE[option],
            code="missing-option",
        )
    if not (source and source.strip()):
        raise UsageError(
            f"{option} needs {option}-source: a value carbonfp does not ship must say where it "
            "comes from",
            hint=f'e.g. {option} {_EXAMPLE_VALUE[option]} {option}-source "Author et al. 2024, '
            'J. Clean. Prod., table 3"',
            code="missing-option",
        )
    return True


def user_factor(text: str | None, source: str | None, option: str) -> SuppliedFactor | None:
    """The user's own factor per kWh of capacity given by ``option`` and ``option``-source, or
    None when neither is given.

    Raises UsageError when one comes without the other, or the value is not a positive emission
    per kWh; InputError when it is not a quantity.
    """
    from carbonfp.errors import InputError
    from carbonfp.model import SuppliedFactor
    from carbonfp.units import quantity_in

    if not check_paired(text, source, option):
        return None
    assert text is not None and source is not None
    unit = "kg CO2e/kWh"
    try:
        value = quantity_in(text, unit, Location("command line", key=option), option)
    except InputError as exc:
        if exc.code != "wrong-dimension":
            raise
        raise UsageError(
            f"{option} {text!r} is not an emission per kWh of battery capacity",
            hint=f"e.g. {option} {_EXAMPLE_VALUE[option]}; a figure per kg of battery times its "
            "specific energy (kWh/kg) gives one per kWh",
            code="invalid-option",
        ) from None
    return SuppliedFactor(_positive(value, option), unit, source.strip())


_EXAMPLE_VALUE = {"--materials": '"65 kg CO2e/kWh"', "--end-of-life": '"0.5 kg CO2e/kg"'}


def _positive(value: float, option: str) -> float:
    if not value > 0:
        raise UsageError(
            f"{option} must be greater than zero, got {value:g}",
            hint="give the value with its unit, as --help shows",
            code="invalid-option",
        )
    return value


def _a(category: BatteryCategory) -> str:
    return f"an {category.value}"  # an EV, an LMT, an industrial
