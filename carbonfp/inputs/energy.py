"""Reads plant energy (electricity, fuels, process gases) and transport legs from TOML tables."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TypedDict

from carbonfp.columns import SUPPLY_COLUMNS
from carbonfp.errors import CarbonfpError, Collector, InputError, Location
from carbonfp.files import TomlTable
from carbonfp.inputs.bom import supplied_factor
from carbonfp.model import (
    ActivityLine,
    Battery,
    DataType,
    ElectricitySupply,
    LineKind,
    Plant,
    Stage,
    SuppliedFactor,
    Supply,
    grid_factor_id,
    parse_stage,
)

BASES = ("per_battery", "per_kwh_capacity")
_COMMON = {
    "process",
    "role",
    "amount",
    "basis",
    "data_type",
    "dqr",
    "note",
    "amount_gsd",
    "factor_gsd",
}


def _basis(block: TomlTable, battery: Battery) -> tuple[float, str]:
    """Multiplier from the block's basis to one battery, and how it was derived."""
    basis = block.string("basis", required=True).lower().replace("-", "_")
    if basis in ("per_kwh", "per_kwh_capacity"):
        if battery.nominal_capacity_kwh is not None:
            return battery.nominal_capacity_kwh, (
                f"per kWh of capacity x {battery.nominal_capacity_kwh:g} kWh nominal capacity"
            )
        return battery.usable_capacity_kwh, (
            f"per kWh of capacity x {battery.usable_capacity_kwh:g} kWh usable capacity"
        )
    if basis == "per_battery":
        return 1.0, "per battery"
    raise block.fail(
        "basis",
        f"unknown basis {basis!r}",
        hint="use per_battery or per_kwh_capacity (per kWh of battery capacity)",
        code="invalid-value",
    )


def _data_type(block: TomlTable, default: DataType) -> DataType:
    text = block.string("data_type", required=False).lower()
    if not text:
        return default
    try:
        return DataType(text)
    except ValueError:
        raise block.fail(
            "data_type",
            f"unknown data_type {text!r}",
            hint="use company, supplier or secondary",
            code="invalid-value",
        ) from None


def _gsd(block: TomlTable, key: str) -> float | None:
    value = block.number(key, required=False)
    if value is not None and value < 1:
        raise block.fail(
            key,
            f"{key} {value:g} is below 1: a geometric standard deviation is at least 1",
            hint="1 means no spread; 1.2 means about +-20 % (one sigma, lognormal)",
            code="impossible-distribution",
        )
    return value


def _own_factor(block: TomlTable) -> SuppliedFactor | None:
    """The block's own factor (value with unit, and its source), if it gives one."""
    if not block.has("factor"):
        return None
    return supplied_factor(
        block.string("factor"),
        block.string("factor_source", ""),
        block.where("factor"),
        block.where("factor_source"),
    )


class _Quality(TypedDict):
    where: Location
    data_type: DataType
    dqr: float | None
    quantity_gsd: float | None
    factor_gsd: float | None


def _quality(block: TomlTable, default: DataType) -> _Quality:
    """What every energy block and transport leg says of its line: where it is, its data type
    (``default`` when not given), DQR and spreads."""
    return _Quality(
        where=block.where(),
        data_type=_data_type(block, default),
        dqr=_dqr(block),
        quantity_gsd=_gsd(block, "amount_gsd"),
        factor_gsd=_gsd(block, "factor_gsd"),
    )


def _dqr(block: TomlTable) -> float | None:
    value = block.number("dqr", required=False)
    if value is not None and not 1 <= value <= 5:
        raise block.fail(
            "dqr",
            f"dqr {value:g} is outside 1 to 5",
            hint="the PEF data quality rating runs from 1 (best) to 5",
            code="invalid-value",
        )
    return value


def _amount(block: TomlTable, target: str, what: str) -> float:
    from carbonfp.units import quantity_in

    if not block.has("amount"):
        raise block.fail(
            None, "missing key 'amount'", hint=f'add amount = "... {target}"', code="missing-key"
        )
    raw = block.data["amount"]
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise block.fail(
            "amount", f'amount must be a quantity such as "100 {target}"', code="bad-quantity"
        )
    value = quantity_in(raw, target, block.where("amount"), what)
    if value < 0:
        raise block.fail(
            "amount",
            f"negative amount {raw!r}",
            hint="give the amount consumed, a positive quantity",
            code="negative-quantity",
        )
    return value


#: The keys of an [[electricity]] block's supply: a long BOM's supply columns and the country.
SUPPLY_KEYS = frozenset({"country", *SUPPLY_COLUMNS})
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def read_supply(block: TomlTable) -> ElectricitySupply:
    """How the block is supplied, and the evidence an instrument brings (read, not judged)."""
    text = block.string("supply", "grid").lower().replace("-", "_").replace(" ", "_")
    try:
        supply = Supply(text)
    except ValueError:
        raise block.fail(
            "supply",
            f"unknown supply {text!r}",
            hint="use " + ", ".join(s.value for s in Supply),
            code="invalid-value",
        ) from None
    technology = block.string("technology", required=False).lower() or None
    if supply is not Supply.GRID and technology is None:
        raise block.fail(
            None,
            f"supply {supply.value!r} needs the technology that generates it",
            hint='add technology = "wind-onshore" (see carbonfp factors show --table electricity,'
            " ids tech-*)",
            code="missing-key",
        )
    share = block.number("share", required=False, positive=False)
    if share is not None and not 0 <= share <= 1:
        raise block.fail(
            "share",
            "share must be between 0 and 1 (the part of the block covered)",
            code="invalid-value",
        )
    for key in ("generation_period", "consumption_period"):
        value = block.data.get(key)
        if value is not None and not (isinstance(value, str) and _PERIOD.match(value)):
            raise block.fail(
                key, f'{key} must be a year or a month: "2025" or "2025-03"', code="invalid-value"
            )
    flags: dict[str, bool | None] = {}
    for key in ("conveys_attributes", "cancelled_for_user"):
        value = block.data.get(key)
        if value is not None and not isinstance(value, bool):
            raise block.fail(key, f"{key} must be true or false", code="wrong-type")
        flags[key] = value
    residual = None
    if block.has("residual_mix"):
        residual = supplied_factor(
            block.string("residual_mix"),
            block.string("residual_mix_source", ""),
            block.where("residual_mix"),
            block.where("residual_mix_source"),
        )
    market = block.string("market", required=False).upper() or None
    return ElectricitySupply(
        supply=supply,
        technology=technology,
        share=1.0 if share is None else share,
        certificate_id=block.opt_str("certificate_id"),
        conveys_attributes=flags["conveys_attributes"],
        cancelled_for_user=flags["cancelled_for_user"],
        generation_period=block.opt_str("generation_period"),
        consumption_period=block.opt_str("consumption_period"),
        market=market,
        residual_mix=residual,
    )


def read_energy(
    top: TomlTable, battery: Battery, plant: Plant, problems: list[CarbonfpError] | None = None
) -> list[ActivityLine]:
    """Turn [[electricity]], [[fuel]] and [[process_emission]] tables into per-battery lines.

    Every block is read: raises InputError for all their problems at once (the first carrying
    the others), or, given ``problems``, adds them there and returns the good blocks' lines.
    """
    found = Collector()
    lines: list[ActivityLine] = []
    for name, read, keys in (
        ("electricity", _electricity, _COMMON | SUPPLY_KEYS),
        ("fuel", _fuel, _COMMON | {"fuel", "factor", "factor_source"}),
        ("process_emission", _process_emission, _COMMON | {"gas"}),
    ):
        for block in _tables(top, name, found):
            _read_one(block, keys, partial(read, battery=battery, plant=plant), found, lines)
    _report(found, problems)
    return lines


def _read_one(
    table: TomlTable,
    keys: set[str],
    read: Callable[[TomlTable], ActivityLine],
    found: Collector,
    lines: list[ActivityLine],
) -> None:
    """One block or leg: its unknown keys and its other problems both found (the block is
    read past an unknown key); its line kept when it reads."""
    try:
        table.unknown_keys(keys)
    except InputError as exc:
        found.add(exc)
    try:
        lines.append(read(table))
    except InputError as exc:
        found.add(exc)


def _tables(top: TomlTable, name: str, found: Collector) -> list[TomlTable]:
    try:
        return top.items(name)
    except InputError as exc:
        found.add(exc)
        return []


def _report(found: Collector, problems: list[CarbonfpError] | None) -> None:
    """Problems found: into ``problems`` when given, else raised together."""
    if problems is None:
        found.check()
    else:
        problems.extend(found.errors)


def _electricity(block: TomlTable, battery: Battery, plant: Plant) -> ActivityLine:
    country = block.string("country", plant.country).upper()
    multiplier, how = _basis(block, battery)
    kwh = _amount(block, "kWh", "electricity amount")
    process = block.string("process")
    supply = read_supply(block)
    return ActivityLine(
        kind=LineKind.ELECTRICITY,
        component=f"{process} electricity",
        factor_id=grid_factor_id(country),
        quantity=kwh * multiplier,
        unit="kWh",
        origin=country,
        note=f"{kwh:g} kWh {how}",
        supply=supply,
        **_quality(block, DataType.COMPANY),
        role=block.opt_str("role"),
    )


def _fuel(block: TomlTable, battery: Battery, plant: Plant) -> ActivityLine:
    multiplier, how = _basis(block, battery)
    mj = _amount(block, "MJ", "fuel amount")
    process = block.string("process")
    fuel = block.string("fuel")
    supplied = _own_factor(block)
    return ActivityLine(
        kind=LineKind.FUEL,
        component=f"{process} {fuel}",
        factor_id=fuel,
        quantity=mj * multiplier,
        unit="MJ",
        supplied=supplied,
        note=f"{mj:g} MJ {how}",
        **_quality(block, DataType.COMPANY),
        role=block.opt_str("role"),
    )


def _process_emission(block: TomlTable, battery: Battery, plant: Plant) -> ActivityLine:
    multiplier, how = _basis(block, battery)
    kg = _amount(block, "kg", "gas amount")
    process = block.string("process")
    gas = block.string("gas")
    return ActivityLine(
        kind=LineKind.PROCESS_EMISSION,
        component=f"{process} {gas} emission",
        factor_id=gas,
        quantity=kg * multiplier,
        unit="kg",
        note=f"{kg:g} kg {how}",
        **_quality(block, DataType.COMPANY),
        role=block.opt_str("role"),
    )


def read_transport(
    top: TomlTable, battery: Battery, problems: list[CarbonfpError] | None = None
) -> list[ActivityLine]:
    """Turn [[transport]] legs (mode, distance, mass, stage) into t*km lines.

    ``mass = "battery"`` stands for the finished battery's mass. Every leg is read: raises
    InputError for all their problems at once, or, given ``problems``, adds them there and
    returns the good legs' lines.
    """
    found = Collector()
    lines: list[ActivityLine] = []
    for leg in _tables(top, "transport", found):
        _read_one(leg, TRANSPORT_KEYS, lambda t: _leg(t, battery), found, lines)
    _report(found, problems)
    return lines


TRANSPORT_KEYS = {
    "name",
    "mode",
    "distance",
    "mass",
    "stage",
    "factor",
    "factor_source",
    "data_type",
    "dqr",
    "note",
    "amount_gsd",
    "factor_gsd",
}


def _leg(leg: TomlTable, battery: Battery) -> ActivityLine:
    from carbonfp.units import quantity_in

    name = leg.string("name")
    mode = leg.string("mode")
    stage_text = leg.string("stage", required=False)
    if not stage_text:
        raise leg.fail(
            None,
            f"transport leg {name!r} has no stage",
            hint='add stage = "raw_materials" (to the plant) or '
            '"distribution" (the finished battery)',
            code="missing-key",
        )
    stage = parse_stage(stage_text, leg.where("stage"))
    if stage is Stage.PRODUCTION:
        raise leg.fail(
            "stage",
            "transport legs belong to raw_materials, distribution or end_of_life",
            hint="transport inside the plant is not a leg",
            code="invalid-value",
        )
    for key in ("distance", "mass"):
        if not leg.has(key):
            raise leg.fail(
                None,
                f"transport leg {name!r} has no {key}",
                hint='add distance = "800 km" and mass = "0.5 t" (or mass = "battery")',
                code="missing-key",
            )
    raw_mass = leg.data["mass"]
    if isinstance(raw_mass, str) and raw_mass.strip().lower() == "battery":
        tonnes = battery.mass_kg / 1000
        mass_note = f"battery {battery.mass_kg:g} kg"
    else:
        tonnes = quantity_in(raw_mass, "t", leg.where("mass"), "mass")
        mass_note = f"{raw_mass}"
    km = quantity_in(leg.data["distance"], "km", leg.where("distance"), "distance")
    if tonnes < 0 or km < 0:
        raise leg.fail(
            "mass" if tonnes < 0 else "distance",
            "negative mass or distance",
            hint="give the mass carried and the distance as positive quantities",
            code="negative-quantity",
        )
    supplied = _own_factor(leg)
    return ActivityLine(
        kind=LineKind.TRANSPORT,
        component=name,
        factor_id=mode,
        quantity=tonnes * km,
        unit="t*km",
        stage=stage,
        supplied=supplied,
        note=f"{mass_note} x {km:g} km",
        **_quality(leg, DataType.SECONDARY),
    )
