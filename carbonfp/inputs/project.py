"""Reads a project file (battery.toml) and the BOM, energy and transport inputs it names."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TypeVar

from carbonfp.errors import CarbonfpError, Collector, InputError, Location
from carbonfp.files import TomlTable, load_toml, read_text, resolved
from carbonfp.inputs.bom import BomReader
from carbonfp.inputs.energy import read_energy, read_transport
from carbonfp.model import (
    CPC_ELECTRIC_ACCUMULATORS,
    EOL_MATERIAL_KEYS,
    VERIFICATION_STATUSES,
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
    "factors",
    "electricity",
    "fuel",
    "process_emission",
    "transport",
}
PLANT_KEYS = {"name", "town", "region", "country"}
MANUFACTURER_KEYS = {"name", "trade_name", "address", "contact", "company_id"}
METHOD_KEYS = {"ruleset", "factor_set"}
FACTORS_KEYS = {"layers"}
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

_V = TypeVar("_V")


def load_project(path: str | Path, problems: list[CarbonfpError] | None = None) -> Project:
    """Read a project file and every input it names (paths relative to the project file).

    Every file is read to its end and every problem found, in file order: raises InputError
    for the first, carrying the others. Given a ``problems`` list, problems that leave the
    project whole (unknown keys, bad BOM rows, bad energy blocks or transport legs) are added
    to it instead and the project is returned with its good lines (so that the rest can be
    checked in the same run). A project whose facts ([battery], [plant], ...) cannot be read
    is returned too, with a placeholder battery and its problems in the list, so that its lines
    are resolved for their own problems: it is never computed.
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
    inputs = {label: hashlib.sha256(project_path.read_bytes()).hexdigest()}
    found = Collector()  # every problem, in file order
    soft: list[CarbonfpError] = []  # those that leave the project whole
    found.attempt(lambda: top.unknown_keys(TOP_KEYS), None)
    facts = found.attempt(lambda: read_facts(top, soft), None)
    for error in soft:
        found.add(error)
    layers = found.attempt(lambda: factor_layers(top, base, display, facts), None)
    if facts is not None and layers is not None:
        facts = replace(facts, factor_set=layers[0] or facts.factor_set, layers=layers[1])

    files = top.sub("inputs", required=False)
    found.attempt(lambda: files.unknown_keys({"bom", "energy", "transport"}), None)
    lines: list[ActivityLine] = []
    reader = BomReader(
        display, period_end=facts.declaration.reference_period_end if facts else None
    )
    bom_path = found.attempt(lambda: _bom_path(files, base, display, label), None)
    if bom_path is not None:
        lines.extend(reader.read(bom_path, keep_going=True))
        for error in reader.row_errors:
            found.add(error)
        inputs.update(reader.files)

    # the energy and transport are read even when the facts are not, for their problems
    battery = facts.battery if facts else _PLACEHOLDER
    plant = facts.plant if facts else _NO_PLANT
    kept: list[CarbonfpError] = []
    energy_top = _named_file(top, files, "energy", base, display, inputs, found)
    transport_top = _named_file(top, files, "transport", base, display, inputs, found)
    if energy_top is not None:
        lines.extend(read_energy(energy_top, battery, plant, kept))
    if transport_top is not None:
        lines.extend(read_transport(transport_top, battery, kept))
    for error in kept:
        found.add(error)

    if problems is None:
        found.check()
    else:
        problems.extend(found.errors)
    if facts is None:  # the lines are still resolved, for their own problems
        assert problems is not None and problems
        lines = [line for line in lines if line.origin != _NO_COUNTRY]
        facts = Facts(
            _PLACEHOLDER, _NO_PLANT, Manufacturer(""), DeclarationInfo(), None, None, None
        )
    return facts.project(label, tuple(lines), tuple(sorted(inputs.items())), tuple(reader.warnings))


#: the battery and plant the lines are read with when the project's facts have problems: the
#: project has problems then and is never computed, but its lines are resolved for theirs
#: (an EV of 1 kWh in M1 has a functional unit; energy that took the placeholder plant's
#: country is left out)
_PLACEHOLDER = Battery(
    model="",
    category=BatteryCategory.EV,
    chemistry="",
    usable_capacity_kwh=1.0,
    mass_kg=1.0,
    warranty_years=1.0,
    vehicle_category="M1",
)
_NO_COUNTRY = "XX"
_NO_PLANT = Plant("", "", "", _NO_COUNTRY)


def _named_file(
    top: TomlTable,
    files: TomlTable,
    key: str,
    base: Path,
    display: Callable[[Path], str],
    inputs: dict[str, str],
    found: Collector,
) -> TomlTable | None:
    """The table of the file [inputs] names under ``key`` (the project's own when it names
    none), or None when it cannot be read (the problem is in ``found``)."""
    if not files.has(key):
        return top
    path = found.attempt(lambda: base / files.string(key), None)
    if path is None:
        return None
    return found.attempt(lambda: _sub_file(path, display, inputs, files.where(key), found), None)


def _bom_path(files: TomlTable, base: Path, display: Callable[[Path], str], label: str) -> Path:
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
    return bom_path


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
    #: the [factors] layers laid over the factor set, the first winning
    layers: tuple[str, ...] = ()

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
            factor_layers=self.layers,
        )


def read_facts(top: TomlTable, soft: list[CarbonfpError] | None = None) -> Facts:
    """[battery], [plant], [manufacturer], [declaration], [method] and [end_of_life] of a
    project file, or of a row of a long BOM's battery table given as the same tables.

    Raises InputError for every problem at once (the first carrying the others). Given a
    ``soft`` list, unknown keys (which change nothing read) are added to it instead, and the
    facts are returned when nothing else is wrong.
    """
    found = Collector()

    def plant_of() -> Plant:
        plant_t = top.sub("plant")
        found.attempt(lambda: plant_t.unknown_keys(PLANT_KEYS), None)
        country = plant_t.string("country").upper()
        if len(country) != 2 or not country.isalpha():
            raise plant_t.fail(
                "country",
                f"country {country!r} is not an ISO 3166 alpha-2 code",
                hint='e.g. "HU" for Hungary, "CN" for China',
                code="invalid-value",
            )
        return Plant(
            plant_t.string("name"), plant_t.string("town"), plant_t.string("region"), country
        )

    def manufacturer_of() -> Manufacturer:
        man_t = top.sub("manufacturer")
        found.attempt(lambda: man_t.unknown_keys(MANUFACTURER_KEYS), None)
        return Manufacturer(
            man_t.string("name"),
            man_t.opt_str("trade_name"),
            man_t.opt_str("address"),
            man_t.opt_str("contact"),
            company_ids=read_urns(man_t, "company_id"),
        )

    def method_of() -> TomlTable:
        method = top.sub("method", required=False)
        found.attempt(lambda: method.unknown_keys(METHOD_KEYS), None)
        return method

    battery = found.attempt(lambda: _battery(top.sub("battery"), outer=found), None)
    plant = found.attempt(plant_of, None)
    manufacturer = found.attempt(manufacturer_of, None)

    # eu_doc_id and study_url, plus the keys of the exchange formats (PACT ids and dates)
    def declaration_of() -> DeclarationInfo:
        declaration_t = top.sub("declaration", required=False)
        # unknown keys apart, as in the other tables: a soft problem that still reads the rest
        found.attempt(lambda: declaration_t.unknown_keys(DECLARATION_KEYS), None)
        return declaration_info(declaration_t, check_keys=False)

    declaration = found.attempt(declaration_of, None)
    method = found.attempt(method_of, None)
    end_of_life = found.attempt(
        lambda: _end_of_life(top.sub("end_of_life")) if top.has("end_of_life") else None, None
    )
    if soft is not None and all(e.code == "unknown-key" for e in found.errors):
        soft.extend(found.errors)
    else:
        found.check()
    assert battery is not None and plant is not None and manufacturer is not None
    assert declaration is not None and method is not None
    return Facts(
        battery=battery,
        plant=plant,
        manufacturer=manufacturer,
        declaration=declaration,
        ruleset=method.opt_str("ruleset"),
        factor_set=method.opt_str("factor_set"),
        end_of_life=end_of_life,
    )


def factor_layers(
    top: TomlTable, base: Path, display: Callable[[Path], str], facts: Facts | None
) -> tuple[str | None, tuple[str, ...]]:
    """The project's [factors] layers: the base set they name (their last entry, when it is a
    shipped set: ID or ID@VERSION) or None, and the layers laid over it, the first winning.

    An entry is a set folder when a folder of that name, relative to the project file, holds
    a manifest.toml (given as its absolute path), else a shipped set. Raises InputError at
    the key: not a list of texts, a path that is no set folder, a base also named by
    [method] factor_set.
    """
    table = top.sub("factors", required=False)
    table.unknown_keys(FACTORS_KEYS)
    if not table.has("layers"):
        return None, ()
    value = table.data["layers"]
    example = 'e.g. layers = ["acme-2026", "carbonfp-open@2026.2"]'
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise table.fail(
            "layers",
            "layers must be a list of factor sets, the first winning: set folders (relative to "
            "the project file) or shipped sets (ID or ID@VERSION)",
            hint=example,
            code="wrong-type",
        )
    entries: list[str] = []
    shipped: list[bool] = []
    for entry in (str(v).strip() for v in value):
        folder = base / entry
        try:
            is_set = (folder / "manifest.toml").is_file()
        except OSError as exc:  # a name too long, say
            raise table.fail(
                "layers",
                f"{entry[:80]!r} cannot be read as a folder: {exc.strerror}",
                hint=example,
                code="invalid-value",
            ) from exc
        if is_set:
            entries.append(str(resolved(folder, display(folder))))
            shipped.append(False)
        elif "/" in entry or "\\" in entry or os.path.lexists(folder):
            raise table.fail(
                "layers",
                f"{entry!r} is not a factor set folder: {display(folder)} holds no manifest.toml",
                hint="give a folder that `carbonfp factors import` wrote (relative to the project "
                "file), or a shipped set (carbonfp factors list)",
                code="invalid-value",
            )
        else:
            entries.append(entry)
            shipped.append(True)
    if len(set(entries)) != len(entries):
        raise table.fail(
            "layers", "a factor set is named twice in layers", hint=example, code="invalid-value"
        )
    if not shipped[-1]:
        return None, tuple(entries)
    if facts is not None and facts.factor_set:
        raise table.fail(
            "layers",
            f"two base factor sets: [method] factor_set = {facts.factor_set!r} and the last "
            f"entry of [factors] layers, {entries[-1]!r}",
            hint="keep one: the last entry of layers, when it is a shipped set, is the set the "
            "others are laid over",
            code="invalid-value",
        )
    return entries[-1], tuple(entries[:-1])


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
    path: Path,
    display: Callable[[Path], str],
    inputs: dict[str, str],
    named_at: Location,
    found: Collector,
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
    found.attempt(
        lambda: top.unknown_keys({"electricity", "fuel", "process_emission", "transport"}), None
    )
    inputs[label] = hashlib.sha256(path.read_bytes()).hexdigest()
    return top


def _battery(t: TomlTable, require_mass: bool = True, outer: Collector | None = None) -> Battery:
    """[battery]; raises InputError for its problems, all at once (the first carrying the
    others). Unknown keys go to ``outer`` where given (they change nothing read)."""
    from carbonfp.units import quantity_in

    found = Collector()
    (outer or found).attempt(lambda: t.unknown_keys(BATTERY_KEYS), None)

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

    def category_of() -> BatteryCategory:
        text = t.string("category")
        try:
            return next(c for c in BatteryCategory if c.value.lower() == text.lower())
        except StopIteration:
            raise t.fail(
                "category",
                f"unknown battery category {text!r}",
                hint="use EV, LMT or industrial",
                code="invalid-value",
            ) from None

    def vehicle_of(category: BatteryCategory | None) -> str | None:
        vehicle = t.string("vehicle_category", required=False) or None
        if category in (BatteryCategory.EV, BatteryCategory.LMT) and vehicle is None:
            raise t.fail(
                None,
                "missing key 'vehicle_category'",
                hint="the vehicle category (M1, N1, L3e, M3, ...) sets the cycles per year",
                code="missing-key",
            )
        return vehicle

    def get(step: Callable[[], _V]) -> _V | None:
        return found.attempt(step, None)

    model = get(lambda: t.string("model"))
    category = get(category_of)
    chemistry = get(lambda: t.string("chemistry"))
    usable = get(lambda: qty("usable_capacity", "kWh"))
    mass = get(lambda: qty("mass", "kg", required=require_mass))
    warranty_years = get(lambda: t.number("warranty_years"))
    vehicle = get(lambda: vehicle_of(category))
    optional = {
        "nominal_capacity_kwh": get(lambda: qty("nominal_capacity", "kWh", required=False)),
        "warranty_km": get(lambda: qty("warranty_km", "km", required=False)),
        "annual_distance_km": get(lambda: qty("annual_distance", "km", required=False)),
        "cycles_per_year": get(lambda: t.number("cycles_per_year", required=False)),
        "cycles_per_year_justification": get(lambda: t.opt_str("cycles_per_year_justification")),
        "vehicle_consumption_kwh_per_km": get(
            lambda: qty("vehicle_consumption", "kWh/km", required=False)
        ),
        "declared_cycles": get(lambda: t.number("declared_cycles", required=False)),
        "end_of_life_capacity": get(lambda: _share(t, "end_of_life_capacity")),
        "mean_capacity_factor": get(lambda: _share(t, "mean_capacity_factor")),
    }
    found.check()
    assert model is not None and category is not None and chemistry is not None
    assert usable is not None and warranty_years is not None
    return Battery(
        model=model,
        category=category,
        chemistry=chemistry,
        usable_capacity_kwh=usable,
        mass_kg=mass or 0.0,
        warranty_years=warranty_years,
        vehicle_category=vehicle,
        **optional,  # type: ignore[arg-type]
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
    "study_date",
    "study_version",
    "verification_status",
    "verifier",
    "verification_statement_id",
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


def read_date(table: TomlTable, key: str) -> date | None:
    """Read ``key`` as a calendar date: a TOML date or the same as text ("2025-06-30").

    Raises InputError naming the key for anything else (a time of day included).
    """
    if not table.has(key):
        return None
    raw = table.data[key]
    hint = f"write a date without a time, e.g. {key} = 2025-06-30"
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise table.fail(
                key, f"{key} {raw!r} is not a date (YYYY-MM-DD)", hint=hint, code="invalid-value"
            ) from None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    raise table.fail(key, f"{key} must be a date", hint=hint, code="wrong-type")


def read_verification(table: TomlTable) -> tuple[str | None, str | None, str | None]:
    """``verification_status`` (one of VERIFICATION_STATUSES), ``verifier`` and
    ``verification_statement_id``; a verified study names its verifier.

    Raises InputError naming the key for a status not among the choices, or a verified study
    without a verifier.
    """
    status = table.opt_str("verification_status")
    if status is not None:
        status = status.strip()
        if status not in VERIFICATION_STATUSES:
            choices = ", ".join(f'"{c}"' for c in VERIFICATION_STATUSES)
            raise table.fail(
                "verification_status",
                f"verification_status {status!r} is not one of {choices}",
                hint=f"write one of {choices}: not verified, verification by the notified body "
                "under way, verified",
                code="invalid-value",
            )
    verifier = table.opt_str("verifier")
    if status == "verified" and verifier is None:
        raise table.fail(
            None,
            "missing key 'verifier'",
            hint='a verified study names its verifier: add verifier = "NAME OF THE NOTIFIED '
            'BODY" to [declaration]',
            code="missing-key",
        )
    return status, verifier, table.opt_str("verification_statement_id")


def declaration_info(table: TomlTable, *, check_keys: bool = True) -> DeclarationInfo:
    """Read the project's ``[declaration]`` table (Article 7 items and exchange keys).

    Raises InputError naming the key for an unknown key (unless ``check_keys`` is False: the
    caller checks them), a bad URN or date, a verification status not among
    VERIFICATION_STATUSES, a verified study without a verifier, or a reference period that ends
    before it starts.
    """
    if check_keys:
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
    status, verifier, statement_id = read_verification(table)
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
        study_date=read_date(table, "study_date"),
        study_version=table.opt_str("study_version"),
        verification_status=status,
        verifier=verifier,
        verification_statement_id=statement_id,
    )
