"""Finds and loads rulesets: the method as versioned data (one TOML file per ruleset)."""

from __future__ import annotations

import difflib
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from carbonfp.data.catalogue import load_catalogue
from carbonfp.data.factor_sets import _label, sha256_file
from carbonfp.data.versions import versioned_path, versions_in
from carbonfp.errors import FactorDataError, Location
from carbonfp.files import TomlTable, load_toml
from carbonfp.model import (
    Band,
    BatteryCategory,
    CffMaterial,
    LineKind,
    MandatoryItem,
    Ruleset,
    Stage,
)
from carbonfp.resources import factors_root


def rule_versions() -> dict[str, list[int]]:
    """Shipped ruleset ids and their versions, oldest first: ``ID.toml`` is version 1 (as
    shipped before versions existed), ``ID@N.toml`` version N."""
    return versions_in(factors_root() / "rules")


def available_rules() -> list[str]:
    """Shipped ruleset ids (each means its latest version)."""
    return list(rule_versions())


def rules_path(ref: str) -> Path | None:
    """The shipped file of ``ID`` (its latest version) or ``ID@VERSION``, or None."""
    return versioned_path(factors_root() / "rules", ref)


def load_rules(ref: str) -> Ruleset:
    """Load a ruleset by id (shipped: its latest version), ``ID@VERSION``, or the path of its
    TOML file.

    Raises FactorDataError (code ``unknown-ruleset``, or a ``factor-data-...`` code naming the
    file and key of a problem inside it).
    """
    path = Path(ref)
    if not path.is_file():
        found = rules_path(ref)
        if found is None:
            raise FactorDataError(
                f"unknown ruleset {ref!r}",
                hint="shipped rulesets: "
                + ", ".join(
                    f"{rid} (versions {', '.join(map(str, v))})"
                    for rid, v in rule_versions().items()
                ),
                code="unknown-ruleset",
            )
        path = found
    return _load_rules(path.resolve())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: tables merge key by key, everything else in ``over`` replaces."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _rules_data(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], str, str]:
    """A ruleset file's data merged over the ruleset it extends; its text; a combined sha256."""
    data, text = load_toml(path, _label(path), FactorDataError)
    digest = sha256_file(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, text, digest
    # an extends without a version names version 1: the only one when versions did not exist,
    # so that a shipped file keeps its meaning when its base gets a new version
    parent_path = (
        rules_path(parent if "@" in parent else f"{parent}@1") if isinstance(parent, str) else None
    )
    if parent_path is None:
        raise FactorDataError(
            f"extends unknown ruleset {parent!r}",
            where=Location(_label(path), key="extends"),
            hint="shipped rulesets: " + ", ".join(available_rules()),
            code="unknown-ruleset",
        )
    if parent_path.resolve() in seen:
        raise FactorDataError(
            "rulesets extend each other in a cycle",
            where=Location(_label(path), key="extends"),
            hint="remove the extends key of one of them",
            code="ruleset-cycle",
        )
    base, _, base_digest = _rules_data(parent_path.resolve(), (*seen, path))
    combined = hashlib.sha256(f"{digest}\n{base_digest}".encode()).hexdigest()
    merged = _merge(base, data)
    merged["extends"] = parent
    return merged, text, combined


@cache
def _load_rules(path: Path) -> Ruleset:
    data, text, digest = _rules_data(path)
    top = TomlTable(data, label=_label(path), text=text, table="", error=FactorDataError)
    fu = top.sub("functional_unit")
    fu_method = fu.string("method")
    if fu_method not in FU_METHODS:
        raise fu.fail(
            "method",
            f"unknown method {fu_method!r}",
            hint="use " + ", ".join(FU_METHODS),
            code="factor-data-invalid-value",
        )
    fec = fu.sub("fec_per_year", required=fu_method == "fec-warranty")
    km = fu.sub("km_per_year", required=False)
    electricity = top.sub("electricity")
    policy = electricity.string("policy")
    if policy not in POLICIES:
        raise electricity.fail(
            "policy",
            f"unknown policy {policy!r}",
            hint="use " + ", ".join(POLICIES),
            code="factor-data-invalid-value",
        )
    time_match = electricity.string("time_match", "year")
    if time_match not in ("year", "month"):
        raise electricity.fail(
            "time_match", "time_match must be year or month", code="factor-data-invalid-value"
        )
    stage_table = top.sub("stages")
    stage_by_kind: dict[LineKind, Stage] = {}
    for kind in LineKind:
        if kind is LineKind.TRANSPORT:
            continue  # every transport leg names its own stage
        value = stage_table.string(kind.value)
        try:
            stage_by_kind[kind] = Stage(value)
        except ValueError as exc:
            raise stage_table.fail(
                kind.value,
                f"unknown stage {value!r}",
                hint="use one of: " + ", ".join(s.value for s in Stage),
                code="factor-data-invalid-value",
            ) from exc
    categories = []
    for value in top.data.get("categories", []):
        try:
            categories.append(BatteryCategory(value))
        except ValueError as exc:
            raise top.fail(
                "categories",
                f"unknown battery category {value!r}",
                hint="use " + ", ".join(c.value for c in BatteryCategory),
                code="factor-data-invalid-value",
            ) from exc
    mandatory = []
    for item in top.items("mandatory"):
        kinds = []
        for kind in item.data.get("kinds", []):
            try:
                kinds.append(LineKind(kind))
            except ValueError as exc:
                raise item.fail(
                    "kinds",
                    f"unknown kind of line {kind!r}",
                    hint="use " + ", ".join(k.value for k in LineKind),
                    code="factor-data-invalid-value",
                ) from exc
        item.unknown_keys({"id", "title", "kinds", "roles", "match"})
        roles = tuple(str(r) for r in item.data.get("roles", []))
        catalogue = load_catalogue()
        for role in roles:
            if role not in catalogue.roles:
                close = difflib.get_close_matches(role, list(catalogue.roles), n=1)
                raise item.fail(
                    "roles",
                    f"unknown role {role!r}" + (f": did you mean {close[0]!r}?" if close else ""),
                    hint="roles: " + ", ".join(catalogue.roles),
                    code="factor-data-invalid-value",
                )
        mandatory.append(
            MandatoryItem(
                item.string("id"),
                item.string("title"),
                tuple(kinds),
                tuple(str(m).lower() for m in item.data.get("match", [])),
                roles,
            )
        )
    cff = []
    materials = top.sub("cff", required=False).sub("materials", required=False)
    for name in materials.data:
        m = materials.sub(name)
        r2 = m.number("R2", required=False, positive=False)
        cff.append(
            CffMaterial(
                name=name,
                match=tuple(str(x).lower() for x in m.data.get("match", [])),
                a=_fraction(m, "A"),
                b=_fraction(m, "B", 0.0),
                q_in=_fraction(m, "Qsin", 1.0),
                q_out=_fraction(m, "Qsout", 1.0),
                r2=None if r2 is None else _fraction(m, "R2"),
                r3=_fraction(m, "R3", 0.0),
                recycled_factor=m.opt_str("recycled_factor"),
            )
        )
    minimum = top.sub("recycled_content", required=False).sub("minimum", required=False)
    recycled_minimums = {
        str(date): {el: _fraction(minimum.sub(str(date)), el) for el in minimum.sub(str(date)).data}
        for date in minimum.data
    }
    bands = top.sub("plausibility", required=False)

    def band_table(name: str, owner: TomlTable = bands) -> dict[str, Band]:
        table = owner.sub(name, required=False)
        return {
            k: b for k in table.data if k != "chemistries" and (b := _band(table, k)) is not None
        }

    def chemistries(table: TomlTable, key: str) -> tuple[str, ...]:
        value = table.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise table.fail(
                key,
                f"{key} must be a list of chemistries",
                hint=f'write {key} = ["LFP", "NMC811"]',
                code="factor-data-invalid-value",
            )
        return tuple(value)

    return Ruleset(
        id=top.string("id"),
        title=top.string("title"),
        legal_status=top.string("legal_status"),
        sha256=digest,
        gwp_set=top.string("gwp_set"),
        electricity_policy=policy,
        default_factor_set=top.string("factor_set"),
        fec_per_year={k: _positive(fec, k) for k in fec.data},
        km_per_year={k: _positive(km, k) for k in km.data},
        categories=tuple(categories),
        stage_by_kind=stage_by_kind,
        cradle_to_gate_per_kwh_capacity=_band(bands, "cradle_to_gate_per_kwh_capacity"),
        per_kwh_delivered=band_table("per_kwh_delivered"),
        stage_shares={Stage(k): b for k, b in band_table("stage_shares").items()},
        sources=tuple(str(s) for s in top.data.get("sources", [])),
        screening={k: str(v) for k, v in top.sub("screening", required=False).data.items()},
        fu_method=fu_method,
        time_match=time_match,
        cut_off=top.string("cut_off", ""),
        mandatory=tuple(mandatory),
        cff=tuple(cff),
        recycled_minimums=recycled_minimums,
        material_content_per_kwh=band_table("material_content_per_kwh"),
        cradle_to_gate_chemistries=chemistries(bands, "cradle_to_gate_chemistries"),
        content_chemistries=chemistries(
            bands.sub("material_content_per_kwh", required=False), "chemistries"
        ),
        performance_classes=band_table("performance_classes", top),
        extends=top.opt_str("extends"),
        version=_version(top),
    )


def _version(top: TomlTable) -> int:
    value = top.data.get("version", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise top.fail(
            "version",
            f"version must be a whole number from 1, got {value!r}",
            code="factor-data-invalid-value",
        )
    return value


FU_METHODS = ("fec-warranty", "warranty-km-consumption", "cycle-life")
POLICIES = ("national-mix", "market-based")


def _fraction(table: TomlTable, key: str, default: float | None = None) -> float:
    if key not in table.data and default is not None:
        return default
    value = table.number(key, positive=False)
    assert value is not None
    if not 0 <= value <= 1:
        raise table.fail(
            key, f"{key} must be between 0 and 1, got {value:g}", code="factor-data-invalid-value"
        )
    return value


def _positive(table: TomlTable, key: str) -> float:
    value = table.number(key)
    assert value is not None
    return value


def _band(table: TomlTable, key: str) -> Band | None:
    value: Any = table.data.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, (int, float)) for v in value)
        or value[0] > value[1]
    ):
        raise table.fail(
            key,
            f"{key!r} must be a band [low, high]",
            hint=f"write {key} = [low, high], two numbers with low <= high",
            code="factor-data-invalid-value",
        )
    return Band(float(value[0]), float(value[1]))
