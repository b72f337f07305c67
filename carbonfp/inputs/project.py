"""Reads a project file (battery.toml) and the BOM, energy and transport inputs it names."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from carbonfp.errors import CarbonfpError, InputError, Location
from carbonfp.files import TomlTable, load_toml, read_text, resolved
from carbonfp.inputs.bom import BomReader
from carbonfp.inputs.energy import read_energy, read_transport
from carbonfp.model import (
    CPC_ELECTRIC_ACCUMULATORS,
    EOL_MATERIAL_KEYS,
    ActivityLine,
    Battery,
    BatteryCategory,
    DeclarationInfo,
    EndOfLife,
    EolMaterial,
    Issue,
    Manufacturer,
    Plant,
    Project,
    SuppliedFactor,
)
from carbonfp.units import parse_iso

TOP_KEYS = {
    "end_of_life",
    "battery",
    "manufacturer",
    "plant",
    "declaration",
    "inputs",
    "method",
    "electricity",
    "fuel",
    "process_emission",
    "transport",
}
PLANT_KEYS = {"name", "town", "region", "country"}
MANUFACTURER_KEYS = {"name", "trade_name", "address", "contact", "company_id"}
METHOD_KEYS = {"ruleset", "factor_set"}
BATTERY_KEYS = {
    "model",
    "category",
    "vehicle_category",
    "chemistry",
    "usable_capacity",
    "nominal_capacity",
    "mass",
    "warranty_years",
    "warranty_km",
    "annual_distance",
    "cycles_per_year",
    "cycles_per_year_justification",
    "vehicle_consumption",
    "declared_cycles",
    "end_of_life_capacity",
    "mean_capacity_factor",
}


def load_project(path: str | Path, problems: list[CarbonfpError] | None = None) -> Project:
    """Read a project file and every input it names (paths relative to the project file).

    Raises InputError naming the file and key or line of the first problem. Given a
    ``problems`` list, the BOM's bad rows are added to it instead and the project is returned
    with its good lines (so that the rest can be checked in the same run).
    """
    project_path = Path(path)
    base = resolved(project_path).parent

    def display(p: Path) -> str:
        """Paths as users see them: relative to the project's folder, never absolute."""
        try:
            return Path(os.path.relpath(resolved(p), base)).as_posix()
        except ValueError:  # another drive on Windows
            return p.name

    label = project_path.name
    if not project_path.is_file():  # name it as the user typed it
        read_text(project_path, str(path))
    data, text = load_toml(project_path, label)
    top = TomlTable(data, label=label, text=text, table="")
    top.unknown_keys(TOP_KEYS)
    inputs = {label: hashlib.sha256(project_path.read_bytes()).hexdigest()}

    facts = read_facts(top)
    battery, plant, declaration = facts.battery, facts.plant, facts.declaration

    files = top.sub("inputs", required=False)
    files.unknown_keys({"bom", "energy", "transport"})
    lines: list[ActivityLine] = []
    reader = BomReader(display, period_end=declaration.reference_period_end)
    if not files.has("bom"):
        raise files.fail(
            "bom",
            "the project names no BOM",
            hint='add [inputs] bom = "bom.csv" (relative to the project file)',
            code="missing-key",
        )
    bom_path = base / files.string("bom")
    if not bom_path.is_file():
        raise InputError(
            "BOM file not found" if not bom_path.exists() else "the BOM path is not a file",
            where=Location(display(bom_path)),
            hint=f"named in {label} [inputs] bom = {files.string('bom')!r}; paths there are "
            "relative to the project file",
            code="missing-file",
        )
    lines.extend(reader.read(bom_path, keep_going=problems is not None))
    if problems is not None:
        problems.extend(reader.row_errors)
    inputs.update(reader.files)

    energy_top = top
    if files.has("energy"):
        energy_top = _sub_file(
            base / files.string("energy"), display, inputs, files.where("energy")
        )
    lines.extend(read_energy(energy_top, battery, plant))
    transport_top = top
    if files.has("transport"):
        transport_top = _sub_file(
            base / files.string("transport"), display, inputs, files.where("transport")
        )
    lines.extend(read_transport(transport_top, battery))

    return facts.project(label, tuple(lines), tuple(sorted(inputs.items())), tuple(reader.warnings))


@dataclass(frozen=True)
class Facts:
    """What a project says about its battery apart from its lines."""

    battery: Battery
    plant: Plant
    manufacturer: Manufacturer
    declaration: DeclarationInfo
    ruleset: str | None
    factor_set: str | None
    end_of_life: EndOfLife | None

    def project(
        self,
        label: str,
        lines: tuple[ActivityLine, ...],
        inputs: tuple[tuple[str, str], ...],
        warnings: tuple[Issue, ...] = (),
    ) -> Project:
        return Project(
            name=self.battery.model,
            label=label,
            battery=self.battery,
            plant=self.plant,
            manufacturer=self.manufacturer,
            declaration=self.declaration,
            lines=lines,
            inputs=inputs,
            ruleset=self.ruleset,
            factor_set=self.factor_set,
            warnings=warnings,
            end_of_life=self.end_of_life,
        )


def read_facts(top: TomlTable) -> Facts:
    """[battery], [plant], [manufacturer], [declaration], [method] and [end_of_life] of a
    project file, or of a row of a long BOM's battery table given as the same tables.

    Raises InputError naming the key of the first problem.
    """
    battery = _battery(top.sub("battery"))
    plant_t = top.sub("plant")
    plant_t.unknown_keys(PLANT_KEYS)
    country = plant_t.string("country").upper()
    if len(country) != 2 or not country.isalpha():
        raise plant_t.fail(
            "country",
            f"country {country!r} is not an ISO 3166 alpha-2 code",
            hint='e.g. "HU" for Hungary, "CN" for China',
            code="invalid-value",
        )
    plant = Plant(plant_t.string("name"), plant_t.string("town"), plant_t.string("region"), country)
    man_t = top.sub("manufacturer")
    man_t.unknown_keys(MANUFACTURER_KEYS)
    manufacturer = Manufacturer(
        man_t.string("name"),
        man_t.opt_str("trade_name"),
        man_t.opt_str("address"),
        man_t.opt_str("contact"),
        company_ids=read_urns(man_t, "company_id"),
    )
    # eu_doc_id and study_url, plus the keys of the exchange formats (PACT ids and dates)
    declaration = declaration_info(top.sub("declaration", required=False))
    method = top.sub("method", required=False)
    method.unknown_keys(METHOD_KEYS)
    end_of_life = _end_of_life(top.sub("end_of_life")) if top.has("end_of_life") else None
    return Facts(
        battery=battery,
        plant=plant,
        manufacturer=manufacturer,
        declaration=declaration,
        ruleset=method.opt_str("ruleset"),
        factor_set=method.opt_str("factor_set"),
        end_of_life=end_of_life,
    )


def load_battery(path: str | Path) -> tuple[Battery, str | None]:
    """Read only [battery] (and the plant country, if any) of a project file, for estimates.

    Raises InputError as load_project does.
    """
    project_path = Path(path)
    if not project_path.is_file():
        read_text(project_path, str(path))
    data, text = load_toml(project_path, project_path.name)
    top = TomlTable(data, label=project_path.name, text=text, table="")
    battery = _battery(top.sub("battery"), require_mass=False)
    plant = top.sub("plant", required=False)
    country = plant.string("country", required=False).upper() or None
    return battery, country


def _sub_file(
    path: Path, display: Callable[[Path], str], inputs: dict[str, str], named_at: Location
) -> TomlTable:
    label = display(path)
    if not path.is_file():
        raise InputError(
            "file not found",
            where=Location(label),
            hint=f"named at {named_at}; paths are relative to the project file",
            code="missing-file",
        )
    data, text = load_toml(path, label)
    top = TomlTable(data, label=label, text=text, table="")
    top.unknown_keys({"electricity", "fuel", "process_emission", "transport"})
    inputs[label] = hashlib.sha256(path.read_bytes()).hexdigest()
    return top


def _battery(t: TomlTable, require_mass: bool = True) -> Battery:
    from carbonfp.units import quantity_in

    t.unknown_keys(BATTERY_KEYS)

    def qty(key: str, unit: str, required: bool = True) -> float | None:
        if not t.has(key):
            if required:
                raise t.fail(
                    None,
                    f"missing key {key!r}",
                    hint=f'add {key} = "... {unit}" under [battery]',
                    code="missing-key",
                )
            return None
        raw = t.data[key]
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise t.fail(key, f'{key} must be a quantity such as "10 {unit}"', code="bad-quantity")
        value = quantity_in(raw, unit, t.where(key), key)
        if not value > 0:
            raise t.fail(
                key,
                f"{key} must be greater than zero, got {raw!r}",
                hint=f'e.g. {key} = "10 {unit}"',
                code="not-positive",
            )
        return value

    category_text = t.string("category")
    try:
        category = next(c for c in BatteryCategory if c.value.lower() == category_text.lower())
    except StopIteration:
        raise t.fail(
            "category",
            f"unknown battery category {category_text!r}",
            hint="use EV, LMT or industrial",
            code="invalid-value",
        ) from None
    usable = qty("usable_capacity", "kWh")
    mass = qty("mass", "kg", required=require_mass) or 0.0
    assert usable is not None
    warranty_years = t.number("warranty_years")
    assert warranty_years is not None
    vehicle = t.string("vehicle_category", required=False) or None
    if category in (BatteryCategory.EV, BatteryCategory.LMT) and vehicle is None:
        raise t.fail(
            None,
            "missing key 'vehicle_category'",
            hint="the vehicle category (M1, N1, L3e, M3, ...) sets the cycles per year",
            code="missing-key",
        )
    return Battery(
        model=t.string("model"),
        category=category,
        chemistry=t.string("chemistry"),
        usable_capacity_kwh=usable,
        mass_kg=mass,
        warranty_years=warranty_years,
        vehicle_category=vehicle,
        nominal_capacity_kwh=qty("nominal_capacity", "kWh", required=False),
        warranty_km=qty("warranty_km", "km", required=False),
        annual_distance_km=qty("annual_distance", "km", required=False),
        cycles_per_year=t.number("cycles_per_year", required=False),
        cycles_per_year_justification=t.opt_str("cycles_per_year_justification"),
        vehicle_consumption_kwh_per_km=qty("vehicle_consumption", "kWh/km", required=False),
        declared_cycles=t.number("declared_cycles", required=False),
        end_of_life_capacity=_share(t, "end_of_life_capacity"),
        mean_capacity_factor=_share(t, "mean_capacity_factor"),
    )


def _share(t: TomlTable, key: str) -> float | None:
    """A fraction given as 0.8 or "80%"."""
    if not t.has(key):
        return None
    raw = t.data[key]
    if isinstance(raw, str) and raw.strip().endswith("%"):
        try:
            value = float(raw.strip().rstrip("%").strip()) / 100
        except ValueError:
            raise t.fail(
                key,
                f"{key} {raw!r} is not a percentage",
                hint=f'write {key} = 0.8 or {key} = "80%"',
                code="not-a-number",
            ) from None
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        raise t.fail(
            key, f'{key} must be a fraction (0.8) or a percentage ("80%")', code="wrong-type"
        )
    if not 0 < value <= 1:
        raise t.fail(key, f"{key} must be above 0 and at most 1 (100%)", code="invalid-value")
    return value


def _end_of_life(t: TomlTable) -> EndOfLife:
    """[end_of_life]: route, and per CFF material group rates and factors (with sources)."""
    from carbonfp.inputs.bom import supplied_factor

    t.unknown_keys({"route", "materials"})
    materials: dict[str, EolMaterial] = {}
    table = t.sub("materials", required=False)
    for name in table.data:
        m = table.sub(name)
        m.unknown_keys(set(EOL_MATERIAL_KEYS))

        def factor(key: str, m: TomlTable = m) -> SuppliedFactor | None:
            if not m.has(key):
                return None
            return supplied_factor(
                m.string(key),
                m.string(f"{key}_source", ""),
                m.where(key),
                m.where(f"{key}_source"),
                allow_negative=False,
            )

        materials[name] = EolMaterial(
            name=name,
            r2=_share_or_zero(m, "R2"),
            r3=_share_or_zero(m, "R3"),
            q_out=_share(m, "Qsout"),
            recycling=factor("recycling"),
            disposal=factor("disposal"),
            recycled_input=factor("recycled_input"),
            energy_recovery=factor("energy_recovery"),
        )
    return EndOfLife(route=t.string("route"), materials=materials, where=t.where())


def _share_or_zero(t: TomlTable, key: str) -> float | None:
    if t.has(key) and t.data[key] == 0:
        return 0.0
    return _share(t, key)


# --------------------------------------------------------------------------------------------
# [declaration] and [manufacturer] keys used by the exchange formats
# --------------------------------------------------------------------------------------------

DECLARATION_KEYS = {
    "eu_doc_id",
    "study_url",
    "product_id",
    "product_category_cpc",
    "created",
    "reference_period_start",
    "reference_period_end",
}
_URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9]:\S+$", re.IGNORECASE)


def read_urns(table: TomlTable, key: str) -> tuple[str, ...]:
    """Read ``key`` as one URN or an array of URNs (``urn:pact:example.com:supplier-id:42``).

    Raises InputError naming the key when a value is not a URN.
    """
    if not table.has(key):
        return ()
    raw = table.data[key]
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise table.fail(
            key,
            f"{key} must be a URN or an array of URNs",
            hint=f'write {key} = "urn:..." or {key} = ["urn:...", "urn:..."]',
            code="wrong-type",
        )
    urns = tuple(v.strip() for v in values)
    for urn in urns:
        if not _URN.match(urn):
            raise table.fail(
                key,
                f"{key} {urn!r} is not a URN",
                hint='write "urn:NAMESPACE:ID", e.g. "urn:pact:example.com:supplier-id:4711" '
                'or "urn:gtin:4712345060507" (RFC 8141)',
                code="invalid-value",
            )
    if len(set(urns)) != len(urns):
        raise table.fail(
            key, f"{key} lists the same URN twice", hint="remove the repeat", code="invalid-value"
        )
    return urns


def read_utc(table: TomlTable, key: str) -> datetime | None:
    """Read ``key`` as a UTC time: a TOML date (midnight UTC), a TOML date-time with an offset,
    or the same as text ("2025-01-01", "2025-01-01T00:00:00Z").

    Raises InputError naming the key for anything else, including a time without an offset.
    """
    if not table.has(key):
        return None
    raw = table.data[key]
    hint = "write a date (2025-01-01) or a UTC time (2025-01-01T00:00:00Z)"
    if isinstance(raw, str):
        try:
            raw = parse_iso(raw.strip())
        except ValueError:
            raise table.fail(
                key, f"{key} {raw!r} is not a date", hint=hint, code="invalid-value"
            ) from None
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise table.fail(key, f"{key} has no time zone", hint=hint, code="invalid-value")
        return raw.astimezone(timezone.utc)
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day, tzinfo=timezone.utc)
    raise table.fail(key, f"{key} must be a date", hint=hint, code="wrong-type")


def declaration_info(table: TomlTable) -> DeclarationInfo:
    """Read the project's ``[declaration]`` table (Article 7 items and exchange keys).

    Raises InputError naming the key for an unknown key, a bad URN or date, or a reference
    period that ends before it starts.
    """
    table.unknown_keys(DECLARATION_KEYS)
    start = read_utc(table, "reference_period_start")
    end = read_utc(table, "reference_period_end")
    if (start is None) != (end is None):
        missing = "reference_period_end" if end is None else "reference_period_start"
        raise table.fail(
            None,
            f"missing key {missing!r}",
            hint="give both reference_period_start and reference_period_end (end exclusive), "
            "e.g. 2025-01-01 and 2026-01-01 for the calendar year 2025",
            code="missing-key",
        )
    if start is not None and end is not None and not start < end:
        raise table.fail(
            "reference_period_end",
            "reference_period_end must be after reference_period_start",
            hint="the end is exclusive: 2025-01-01 to 2026-01-01 is the calendar year 2025",
            code="invalid-value",
        )
    cpc = table.opt_str("product_category_cpc")
    if cpc is not None and not re.fullmatch(r"\d{1,5}", cpc):
        raise table.fail(
            "product_category_cpc",
            f"product_category_cpc {cpc!r} is not a UN CPC code",
            hint=f'a UN CPC Ver. 2.1 code of up to 5 digits, e.g. "{CPC_ELECTRIC_ACCUMULATORS}" '
            "(electric accumulators)",
            code="invalid-value",
        )
    return DeclarationInfo(
        eu_doc_id=table.opt_str("eu_doc_id"),
        study_url=table.opt_str("study_url"),
        product_ids=read_urns(table, "product_id"),
        product_category_cpc=cpc,
        created=read_utc(table, "created"),
        reference_period_start=start,
        reference_period_end=end,
    )
