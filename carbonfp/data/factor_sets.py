"""Finds, loads, layers and checks factor sets (versioned data folders with sha256 hashes)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from carbonfp.errors import CarbonfpError, FactorDataError, Location
from carbonfp.files import TomlTable, load_toml
from carbonfp.model import (
    Factor,
    FactorSet,
    Source,
)
from carbonfp.resources import factors_root

#: Factor tables a set may hold, each a TOML file of ``[[factor]]`` rows.
TABLES = ("materials", "electricity", "fuels", "transport", "end_of_life", "screening")

#: Licences a shipped or layered row may carry.
LICENSES = {
    "CC0-1.0": "public domain dedication",
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "OGL-UK-3.0": "UK Open Government Licence v3.0",
    "MIT": "MIT licence",
    "public-domain": "work of a government, not under copyright",
    "cited": "a published figure cited with its source; the dataset behind it is not open",
    "proprietary": "the user's own licensed data (user sets only; never shipped)",
}

STATUSES = ("default", "literature", "proxy", "user")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _label(path: Path) -> str:
    """A path as shown to users: relative to the shipped data folder where it lies inside it."""
    try:
        return "factors/" + path.resolve().relative_to(factors_root().resolve()).as_posix()
    except ValueError:
        return str(path)


def split_ref(ref: str) -> tuple[str, str | None]:
    """Split ``"carbonfp-open@2026.1"`` into its id and version (None for the newest)."""
    name, _, version = ref.partition("@")
    return name, version or None


def available_sets() -> dict[str, list[str]]:
    """Shipped factor set ids and their versions, oldest first."""
    root = factors_root() / "sets"
    result: dict[str, list[str]] = {}
    for set_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        versions = sorted(
            (v.name for v in set_dir.iterdir() if (v / "manifest.toml").is_file()), key=_version_key
        )
        if versions:
            result[set_dir.name] = versions
    return result


def _version_key(version: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))


def resolve_set_dir(ref: str) -> Path:
    """Return the folder of a shipped set ``ID[@VERSION]``, or of a set given by its path.

    Raises FactorDataError (code ``unknown-factor-set``) listing what is available.
    """
    candidate = Path(ref)
    if (candidate / "manifest.toml").is_file():
        return candidate
    if "/" in ref or "\\" in ref or candidate.exists():
        raise FactorDataError(
            f"{ref} is not a factor set folder (no manifest.toml)",
            hint="a set folder holds manifest.toml, sources.toml and the tables; make one with "
            "`carbonfp factors import`",
            code="unknown-factor-set",
        )
    name, version = split_ref(ref)
    sets = available_sets()
    if name not in sets:
        raise FactorDataError(
            f"unknown factor set {name!r}",
            hint="shipped sets: " + ", ".join(f"{k}@{v[-1]}" for k, v in sets.items()),
            code="unknown-factor-set",
        )
    if version is None:
        version = sets[name][-1]
    if version not in sets[name]:
        raise FactorDataError(
            f"factor set {name!r} has no version {version!r}",
            hint="versions: " + ", ".join(sets[name]),
            code="unknown-factor-set",
        )
    return factors_root() / "sets" / name / version


def load_factor_set(ref: str) -> FactorSet:
    """Load a factor set by ``ID[@VERSION]`` or folder, checking every file against its manifest.

    Raises FactorDataError when a file is missing, malformed or does not match its hash.
    """
    return _load_factor_set(resolve_set_dir(ref).resolve())


def load_factors(refs: list[str] | tuple[str, ...]) -> FactorSet:
    """Load the first set and layer each further set over it (later layers win).

    The result lists every layer with its hash and every id a layer overrode.
    Raises FactorDataError as load_factor_set does.
    """
    sets = [load_factor_set(ref) for ref in refs]
    base = sets[0]
    if len(sets) == 1:
        return base
    factors = dict(base.factors)
    sources = dict(base.sources)
    gwp = {k: dict(v) for k, v in base.gwp.items()}
    gwp_sources = dict(base.gwp_sources)
    overridden: dict[str, str] = {}
    composition = dict(base.composition)
    for layer in sets[1:]:
        composition.update(layer.composition)
        for fid, factor in layer.factors.items():
            if fid in factors:
                overridden[fid] = layer.label
            factors[fid] = factor
        for key, source in layer.sources.items():
            if key in sources and sources[key] != source:
                raise FactorDataError(
                    f"source key {key!r} of {layer.label} differs from the one in an earlier layer",
                    hint="give the layer's sources keys of their own",
                    code="conflicting-source",
                )
            sources[key] = source
        for set_id, gases in layer.gwp.items():
            gwp.setdefault(set_id, {}).update(gases)
            gwp_sources[set_id] = layer.gwp_sources[set_id]
    return FactorSet(
        id=base.id,
        version=base.version,
        sha256=base.sha256,
        factors=factors,
        sources=sources,
        gwp=gwp,
        gwp_sources=gwp_sources,
        layers=tuple((s.label, s.sha256) for s in sets),
        overridden=tuple(sorted(overridden.items())),
        composition=composition,
    )


class Problems:
    """Collects factor-data problems (validate) or raises the first one (load)."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.found: list[CarbonfpError] = []

    def add(self, error: CarbonfpError) -> None:
        if self.strict:
            raise error
        self.found.append(error)


def validate_set(folder: Path) -> list[CarbonfpError]:
    """Every problem of a factor set folder at once, each naming its file and TOML key."""
    problems = Problems(strict=False)
    try:
        _parse_set(folder, problems)
    except FactorDataError as exc:  # a problem that stops the reading (no manifest, ...)
        problems.found.append(exc)
    return problems.found


@cache
def _load_factor_set(folder: Path) -> FactorSet:
    return _parse_set(folder, Problems(strict=True))


#: What an amount in each table is measured in: a factor must turn one of these into kg CO2e.
AMOUNT_UNITS = {
    "materials": ("kg", "piece"),
    "electricity": ("kWh",),
    "fuels": ("MJ", "kg", "L"),
    "transport": ("t*km",),
    "end_of_life": ("kg",),
    "screening": ("kWh",),
}


def _parse_set(folder: Path, problems: Problems) -> FactorSet:
    manifest_path = folder / "manifest.toml"
    manifest, text = load_toml(manifest_path, _label(manifest_path), FactorDataError)
    top = TomlTable(
        manifest, label=_label(manifest_path), text=text, table="", error=FactorDataError
    )
    set_id = top.string("id")
    version = top.string("version")
    files = top.sub("files")
    for name, expected in files.data.items():
        path = folder / name
        if not path.is_file():
            problems.add(
                FactorDataError(
                    f"file {name!r} listed in the manifest is missing",
                    where=files.where(name),
                    hint="restore the file, or remove its line from [files] in manifest.toml",
                    code="factor-data-missing-file",
                )
            )
            continue
        if sha256_file(path) != expected:
            problems.add(
                FactorDataError(
                    f"{name} does not match its sha256 in the manifest: the set has been modified",
                    where=Location(_label(path)),
                    hint="a released factor set is immutable: restore the file, or publish the "
                    "change as a new version with its own manifest",
                    code="hash-mismatch",
                )
            )
    for path in sorted(folder.glob("*.toml")):
        if path.name != "manifest.toml" and path.name not in files.data:
            problems.add(
                FactorDataError(
                    f"{path.name} is not listed in the manifest",
                    where=files.where(),
                    hint="add it with its sha256, or remove it",
                    code="unlisted-file",
                )
            )

    sources: dict[str, Source] = {}
    if (folder / "sources.toml").is_file():
        sources = _load_sources(folder / "sources.toml", problems)
    else:
        problems.add(
            FactorDataError(
                "sources.toml is missing",
                where=Location(_label(folder)),
                hint="a factor set needs sources.toml: one [[source]] per source its rows cite",
                code="factor-data-missing-file",
            )
        )
    factors: dict[str, Factor] = {}
    label = f"{set_id}@{version}"
    for table in TABLES:
        path = folder / f"{table}.toml"
        if not path.is_file():
            continue
        for factor, row in _load_table(path, table, sources, label, problems):
            if factor.id in factors:
                problems.add(
                    FactorDataError(
                        f"duplicate factor id {factor.id!r}",
                        where=row.where("id"),
                        hint="give each factor its own id: ids are unique across the set's tables",
                        code="duplicate-id",
                    )
                )
            factors[factor.id] = factor
    gwp: dict[str, dict[str, float]] = {}
    gwp_sources: dict[str, str] = {}
    if (folder / "gwp.toml").is_file():
        gwp, gwp_sources = _load_gwp(folder / "gwp.toml", sources, problems)
    composition: dict[str, dict[str, float]] = {}
    if (folder / "composition.toml").is_file():
        composition = _load_composition(folder / "composition.toml", sources, problems)
    return FactorSet(
        composition=composition,
        id=set_id,
        version=version,
        sha256=sha256_file(manifest_path),
        factors=factors,
        sources=sources,
        gwp=gwp,
        gwp_sources=gwp_sources,
        layers=((label, sha256_file(manifest_path)),),
    )


def _rows(path: Path, key: str, problems: Problems) -> list[TomlTable]:
    try:
        data, text = load_toml(path, _label(path), FactorDataError)
        top = TomlTable(data, label=_label(path), text=text, table="", error=FactorDataError)
        return top.items(key)
    except FactorDataError as exc:
        problems.add(exc)
        return []


def _load_sources(path: Path, problems: Problems) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for row in _rows(path, "source", problems):
        try:
            licence = row.string("license")
            if licence not in LICENSES:  # reported; the key stays known, so rows citing it
                problems.add(  # are not reported again
                    row.fail(
                        "license",
                        f"licence {licence!r} is not in the allow-list",
                        hint="allowed: " + ", ".join(LICENSES),
                        code="bad-license",
                    )
                )
            year = row.data.get("year")
            if not isinstance(year, int):
                raise row.fail(
                    "year",
                    "'year' must be an integer",
                    hint="write year = 2024 (without quotes)",
                    code="factor-data-wrong-type",
                )
            key = row.string("key")
            sources[key] = Source(
                key=key,
                title=row.string("title"),
                publisher=row.string("publisher"),
                year=year,
                url=row.string("url", required=False),
                license=licence,
                attribution=row.string("attribution"),
            )
        except FactorDataError as exc:
            problems.add(exc)
    return sources


ROW_KEYS = {
    "id",
    "name",
    "value",
    "unit",
    "region",
    "year",
    "source",
    "locator",
    "status",
    "read_in",
    "dqr",
    "low",
    "high",
    "gsd",
    "note",
    "specific_energy_wh_per_kg",
}


def _load_table(
    path: Path, table: str, sources: dict[str, Source], set_label: str, problems: Problems
) -> list[tuple[Factor, TomlTable]]:
    rows = []
    for row in _rows(path, "factor", problems):
        try:
            # the row, not its location: finding a key's line reads the file from its start,
            # so it is done for the rows that have a problem only (a set of 20 000 rows)
            rows.append((_factor(row, table, sources, set_label), row))
        except FactorDataError as exc:
            problems.add(exc)
    return rows


def _source_key(table: TomlTable, sources: Mapping[str, object]) -> str:
    """The table's ``source``: a key of sources.toml. Raises FactorDataError otherwise."""
    source = table.string("source")
    if source not in sources:
        raise table.fail(
            "source",
            f"unknown source key {source!r}",
            hint="add it to sources.toml",
            code="unknown-source",
        )
    return source


def _factor(row: TomlTable, table: str, sources: dict[str, Source], set_label: str) -> Factor:
    from carbonfp.errors import InputError
    from carbonfp.units import emission_scale, parse_unit

    row.unknown_keys(ROW_KEYS)
    source = _source_key(row, sources)
    status = row.string("status")
    if status not in STATUSES:
        raise row.fail(
            "status",
            f"status must be one of {', '.join(STATUSES)}",
            code="factor-data-invalid-value",
        )
    read_in = row.string("read_in", "primary")
    if read_in not in ("primary", "secondary"):
        raise row.fail(
            "read_in", "read_in must be primary or secondary", code="factor-data-invalid-value"
        )
    unit = row.string("unit")
    try:
        dims = parse_unit(unit).dimensionality
    except InputError as exc:
        raise row.fail("unit", exc.message, hint=exc.hint, code="factor-data-unknown-unit") from exc
    if "[co2e]" not in dims:
        raise row.fail(
            "unit",
            f"unit {unit!r} is not an emission factor (kg CO2e per ...)",
            hint=f"write kg CO2e per amount: {table} factors are per "
            + " or per ".join(AMOUNT_UNITS[table]),
            code="factor-data-wrong-dimension",
        )
    fits = []
    for amount in AMOUNT_UNITS[table]:
        try:
            emission_scale(amount, unit)
            fits.append(amount)
        except InputError:
            pass
    if not fits:
        raise row.fail(
            "unit",
            f"unit {unit!r} does not fit the {table} table",
            hint=f"{table} factors are per {' or per '.join(AMOUNT_UNITS[table])}",
            code="factor-data-wrong-dimension",
        )
    value = row.number("value", positive=False)
    assert value is not None
    if value < 0 and table != "end_of_life":
        raise row.fail(
            "value",
            f"negative factor {value:g} in the {table} table",
            hint="an emission factor is an emission per unit; credits belong to end-of-life "
            "rows or to the Circular Footprint Formula",
            code="negative-factor",
        )
    low = row.number("low", required=False, positive=False)
    high = row.number("high", required=False, positive=False)
    if low is not None and high is not None and not low <= value <= high:
        raise row.fail(
            "low",
            f"the range {low:g} to {high:g} does not hold the value {value:g}",
            hint="give low <= value <= high",
            code="factor-data-invalid-value",
        )
    gsd = row.number("gsd", required=False)
    if gsd is not None and gsd < 1:
        raise row.fail(
            "gsd",
            "a geometric standard deviation is at least 1",
            hint="1 means no spread; 1.2 means about +-20 % (one sigma, lognormal)",
            code="factor-data-invalid-value",
        )
    year = row.data.get("year")
    if year is not None and not isinstance(year, int):
        raise row.fail(
            "year",
            "'year' must be an integer",
            hint="write year = 2024 (without quotes)",
            code="factor-data-wrong-type",
        )
    return Factor(
        id=row.string("id"),
        table=table,
        name=row.string("name"),
        value=value,
        unit=unit,
        source=source,
        region=row.string("region", required=False),
        year=year,
        locator=row.string("locator"),
        license=sources[source].license,
        status=status,
        note=row.string("note", required=False),
        low=low,
        high=high,
        gsd=gsd,
        dqr=_dqr(row),
        read_in=read_in,
        set_label=set_label,
        specific_energy_wh_per_kg=row.number("specific_energy_wh_per_kg", required=False),
    )


def _dqr(row: TomlTable) -> tuple[int, int, int, int] | None:
    if not row.has("dqr"):
        return None
    table = row.sub("dqr")
    parts = []
    for key in ("TeR", "GeR", "TiR", "P"):
        value = table.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise row.fail(
                "dqr", f"dqr.{key} must be an integer from 1 to 5", code="factor-data-invalid-value"
            )
        parts.append(value)
    return parts[0], parts[1], parts[2], parts[3]


_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\))(\d+(?:\.\d+)?)?")


def formula_counts(formula: str) -> dict[str, float]:
    """Atoms per formula unit: "LiOH(H2O)" -> {Li: 1, O: 2, H: 3}. Raises ValueError."""
    stack: list[dict[str, float]] = [{}]
    pos = 0
    while pos < len(formula):
        match = _TOKEN.match(formula, pos)
        if not match:
            raise ValueError(f"cannot read {formula[pos:]!r}")
        token, count_text = match.group(1), match.group(2)
        count = float(count_text) if count_text else 1.0
        if token == "(":
            if count_text:
                raise ValueError("a count after '('")
            stack.append({})
        elif token == ")":
            if len(stack) == 1:
                raise ValueError("unbalanced ')'")
            group = stack.pop()
            for element, n in group.items():
                stack[-1][element] = stack[-1].get(element, 0.0) + n * count
        else:
            stack[-1][token] = stack[-1].get(token, 0.0) + count
        pos = match.end()
    if len(stack) != 1:
        raise ValueError("unbalanced '('")
    return stack[0]


def _load_composition(
    path: Path, sources: dict[str, Source], problems: Problems
) -> dict[str, dict[str, float]]:
    try:
        data, text = load_toml(path, _label(path), FactorDataError)
    except FactorDataError as exc:
        problems.add(exc)
        return {}
    top = TomlTable(data, label=_label(path), text=text, table="", error=FactorDataError)
    weights: dict[str, float] = {}
    try:
        table = top.sub("atomic_weights")
        _source_key(table, sources)  # checked: the weights name their source
        for element, value in table.data.items():
            if element in ("source", "locator"):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise table.fail(
                    element,
                    f"atomic weight of {element} must be a positive number",
                    code="factor-data-invalid-value",
                )
            weights[element] = float(value)
    except FactorDataError as exc:
        problems.add(exc)
        return {}
    result: dict[str, dict[str, float]] = {}
    for row in _rows(path, "material", problems):
        try:
            row.unknown_keys({"id", "formula", "graphite"})
            mid = row.string("id")
            if row.has("graphite"):
                share = row.number("graphite")
                assert share is not None
                result[mid] = {"graphite": share}
                continue
            try:
                counts = formula_counts(row.string("formula"))
            except ValueError as exc:
                raise row.fail(
                    "formula",
                    f"formula: {exc}",
                    hint='write a chemical formula such as "LiOH(H2O)"',
                    code="factor-data-invalid-value",
                ) from None
            unknown = sorted(set(counts) - set(weights))
            if unknown:
                raise row.fail(
                    "formula",
                    f"no atomic weight for {', '.join(unknown)}",
                    hint="add the element to [atomic_weights]",
                    code="factor-data-invalid-value",
                )
            total = sum(weights[el] * n for el, n in counts.items())
            result[mid] = {el: weights[el] * n / total for el, n in counts.items()}
        except FactorDataError as exc:
            problems.add(exc)
    return result


def _load_gwp(
    path: Path, sources: dict[str, Source], problems: Problems
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    sets: dict[str, dict[str, float]] = {}
    set_sources: dict[str, str] = {}
    for row in _rows(path, "gwp_set", problems):
        try:
            name = row.string("id")
            source = _source_key(row, sources)
            set_sources[name] = source
            values = row.sub("gwp100")
            sets[name] = {}
            for gas, value in values.data.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise values.fail(
                        gas,
                        f"GWP of {gas} must be a positive number",
                        code="factor-data-invalid-value",
                    )
                sets[name][gas] = float(value)
        except FactorDataError as exc:
            problems.add(exc)
    return sets, set_sources


def factor_rows(factors: FactorSet) -> list[dict[str, Any]]:
    """Every row of a set as plain data (factor tables, then GWP values), sorted by table and id."""
    rows: list[dict[str, Any]] = []
    for f in sorted(factors.factors.values(), key=lambda f: (TABLES.index(f.table), f.id)):
        rows.append(
            {
                "table": f.table,
                "id": f.id,
                "name": f.name,
                "value": f.value,
                "unit": f.unit,
                "region": f.region,
                "year": f.year,
                "status": f.status,
                "source": f.source,
                "license": f.license,
                "locator": f.locator,
                "read_in": f.read_in,
                "dqr": f.dqr_score,
                "low": f.low,
                "high": f.high,
                "gsd": f.gsd,
                "note": f.note,
            }
        )
    for set_id, gases in sorted(factors.gwp.items()):
        source = factors.gwp_sources.get(set_id, "")
        for gas, value in gases.items():
            rows.append(
                {
                    "table": "gwp",
                    "id": f"{set_id}:{gas}",
                    "name": f"GWP100 of {gas} ({set_id})",
                    "value": value,
                    "unit": "kg CO2e/kg",
                    "region": "",
                    "year": None,
                    "status": "default",
                    "source": source,
                    "license": factors.sources[source].license if source in factors.sources else "",
                    "locator": "",
                    "read_in": "primary",
                    "dqr": None,
                    "low": None,
                    "high": None,
                    "gsd": None,
                    "note": "",
                }
            )
    return rows


#: What a changed row is compared on: its figure and where it says the figure comes from.
DIFF_FIELDS = ("value", "unit", "source", "year", "status", "read_in", "low", "high", "locator")


def diff_sets(old: FactorSet, new: FactorSet) -> list[dict[str, Any]]:
    """Rows added, removed or changed (value, unit, source, year, status, where it was read,
    its range or its locator) from ``old`` to ``new``."""
    before = {r["id"]: r for r in factor_rows(old)}
    after = {r["id"]: r for r in factor_rows(new)}
    changes: list[dict[str, Any]] = []
    for fid in sorted(before.keys() | after.keys()):
        a, b = before.get(fid), after.get(fid)
        if a is None and b is not None:
            changes.append(
                {
                    "change": "added",
                    "id": fid,
                    "table": b["table"],
                    "old": None,
                    "new": b["value"],
                    "unit": b["unit"],
                    "percent": None,
                    "detail": b["name"],
                }
            )
        elif b is None and a is not None:
            changes.append(
                {
                    "change": "removed",
                    "id": fid,
                    "table": a["table"],
                    "old": a["value"],
                    "new": None,
                    "unit": a["unit"],
                    "percent": None,
                    "detail": a["name"],
                }
            )
        elif a is not None and b is not None:
            fields = [k for k in DIFF_FIELDS if a[k] != b[k]]
            if not fields:
                continue
            percent = None
            if a["unit"] == b["unit"] and a["value"]:
                percent = (b["value"] - a["value"]) / abs(a["value"]) * 100
            detail = "; ".join(
                f"locator now: {b[k]}" if k == "locator" else f"{k}: {a[k]} -> {b[k]}"
                for k in fields
                if k != "value"
            )
            changes.append(
                {
                    "change": "changed",
                    "id": fid,
                    "table": b["table"],
                    "old": a["value"],
                    "new": b["value"],
                    "unit": b["unit"],
                    "percent": percent,
                    "detail": detail,
                }
            )
    return changes


def summarise_set(ref: str) -> dict[str, Any]:
    """Rows per table, licences and hash of a set, without parsing units (no pint, no numpy).

    The files are still checked against the manifest. Raises FactorDataError.
    """
    folder = resolve_set_dir(ref).resolve()
    manifest_path = folder / "manifest.toml"
    manifest, text = load_toml(manifest_path, _label(manifest_path), FactorDataError)
    top = TomlTable(
        manifest, label=_label(manifest_path), text=text, table="", error=FactorDataError
    )
    files = top.sub("files")
    counts: dict[str, int] = {}
    licences: set[str] = set()
    for name, expected in files.data.items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != expected:
            raise FactorDataError(
                f"{name} is missing or does not match its sha256 in the manifest",
                where=Location(_label(path)),
                hint="a released factor set is immutable: restore the file",
                code="hash-mismatch",
            )
        data, _ = load_toml(path, _label(path), FactorDataError)
        stem = Path(name).stem
        if stem in TABLES:
            counts[stem] = len(data.get("factor", []))
        elif stem == "gwp":
            counts["gwp"] = sum(len(s.get("gwp100", {})) for s in data.get("gwp_set", []))
        elif stem == "sources":
            licences |= {str(s.get("license", "")) for s in data.get("source", [])}
    return {
        "set": f"{top.string('id')}@{top.string('version')}",
        "rows": sum(counts.values()),
        "tables": ", ".join(f"{t} {n}" for t, n in sorted(counts.items())),
        "licences": ", ".join(sorted(licences)),
        "sha256": sha256_file(manifest_path)[:12],
    }
