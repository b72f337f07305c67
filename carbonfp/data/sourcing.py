"""Sourcing data: the critical raw materials carbonfp follows and the sourcing rules, from
``factors/sourcing/``.

``materials.toml`` names the elements reported, the supply-chain stages and the materials known
to hold an element that the composition data give no fraction for. ``rules/ID.toml`` (version
1) and ``rules/ID@N.toml`` (version N) are the sourcing rules: each names its legal source
(act, article, date, status, the words it is written from), the materials it covers and its
test. Like rulesets, a shipped rule file is never edited; ``ID`` means the latest version.
A user's own rule file (a path) takes the same grammar and is checked the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from carbonfp.data.catalogue import load_catalogue
from carbonfp.data.factor_sets import _label, sha256_file
from carbonfp.data.versions import versioned_path, versions_in
from carbonfp.errors import FactorDataError, InputError
from carbonfp.files import TomlTable, load_toml
from carbonfp.origins import SUPPLY_STAGES, country_code
from carbonfp.resources import factors_root

#: The tests a sourcing rule may apply (carbonfp.method.sourcing).
TEST_KINDS = ("single-country-share-above", "origin-in-listed-country", "origin-unknown")


@dataclass(frozen=True)
class Element:
    key: str
    name: str


@dataclass(frozen=True)
class Holds:
    """A material known to hold elements the composition data give no fraction for."""

    material: str
    elements: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class SourcingData:
    """factors/sourcing/materials.toml: what carbonfp sourcing reports on."""

    id: str
    version: str
    sha256: str
    elements: tuple[Element, ...]
    #: supply-chain stage -> title
    stages: Mapping[str, str]
    #: catalogue role -> the stage a line's own origin stands for (default: manufacture)
    own_stage: Mapping[str, str]
    holds: Mapping[str, Holds]

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def element_name(self, key: str) -> str:
        return next((e.name for e in self.elements if e.key == key), key)

    def stage_of_role(self, role: str | None) -> str:
        return self.own_stage.get(role or "", SUPPLY_STAGES[0])


@dataclass(frozen=True)
class Covered:
    """An element a rule covers, as the act names it; ``materials``: only lines of these
    material ids count (empty: every line holding the element)."""

    element: str
    as_named: str
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalSource:
    act: str
    article: str
    date: str
    status: str
    url: str
    text: str


@dataclass(frozen=True)
class RuleTest:
    kind: str
    stages: tuple[str, ...]
    threshold: float | None = None
    countries: tuple[str, ...] = ()
    list_source: str = ""
    exclude: tuple[str, ...] = ()
    exclude_source: str = ""


@dataclass(frozen=True)
class SourcingRule:
    id: str
    version: int
    title: str
    indicator: str
    legal: LegalSource
    covers: tuple[Covered, ...]
    test: RuleTest
    sha256: str
    #: where it was read: the shipped file's name, or the user's path
    source: str

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


def sourcing_root() -> Path:
    return factors_root() / "sourcing"


@cache
def load_sourcing_data(path: Path | None = None) -> SourcingData:
    """The shipped sourcing data (or the file at ``path``), checked: stages known, elements
    named once, every [[holds]] a catalogue material holding known elements. Raises
    FactorDataError naming the file and key."""
    path = path or sourcing_root() / "materials.toml"
    label = _label(path)
    data, text = load_toml(path, label, FactorDataError)
    top = TomlTable(data, label=label, text=text, table="", error=FactorDataError)
    top.unknown_keys({"id", "version", "title", "element", "stages", "own_stage", "holds"})
    elements: list[Element] = []
    for row in top.items("element"):
        row.unknown_keys({"key", "name"})
        key = row.string("key")
        if any(e.key == key for e in elements):
            raise row.fail("key", f"element {key!r} is listed twice", code="invalid-value")
        elements.append(Element(key, row.string("name")))
    stages_table = top.sub("stages")
    stages_table.unknown_keys(set(SUPPLY_STAGES))
    stages = {}
    for stage in SUPPLY_STAGES:
        entry = stages_table.sub(stage)
        entry.unknown_keys({"title"})
        stages[stage] = entry.string("title")
    own_table = top.sub("own_stage", required=False)
    catalogue = load_catalogue()
    own: dict[str, str] = {}
    for role in own_table.data:
        if role not in catalogue.roles:
            raise own_table.fail(role, f"unknown role {role!r}", code="invalid-value")
        own[role] = _stage(own_table, role, own_table.string(role))
    keys = {e.key for e in elements}
    holds: dict[str, Holds] = {}
    for row in top.items("holds"):
        row.unknown_keys({"material", "elements", "why"})
        material = row.string("material")
        if material not in catalogue.materials:
            raise row.fail(
                "material",
                f"{material!r} is not a material of the catalogue",
                hint="use an id of factors/catalogue/materials.toml",
                code="invalid-value",
            )
        named = _strings(row, "elements")
        unknown = [e for e in named if e not in keys]
        if unknown or not named:
            raise row.fail(
                "elements",
                f"elements must be keys of [[element]], got {unknown or named}",
                hint="elements: " + ", ".join(sorted(keys)),
                code="invalid-value",
            )
        holds[material] = Holds(material, tuple(named), row.string("why"))
    return SourcingData(
        id=top.string("id"),
        version=top.string("version"),
        sha256=sha256_file(path),
        elements=tuple(elements),
        stages=stages,
        own_stage=own,
        holds=holds,
    )


def _strings(row: TomlTable, key: str, required: bool = True) -> list[str]:
    value = row.data.get(key, [] if not required else None)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise row.fail(
            key,
            f"{key!r} must be a list of texts",
            hint=f'write {key} = ["...", "..."]',
            code="wrong-type",
        )
    return [str(v).strip() for v in value]


def _stage(table: TomlTable, key: str, text: str) -> str:
    if text not in SUPPLY_STAGES:
        raise table.fail(
            key,
            f"unknown supply-chain stage {text!r}",
            hint="stages: " + ", ".join(SUPPLY_STAGES),
            code="invalid-value",
        )
    return text


def _countries(table: TomlTable, key: str) -> tuple[str, ...]:
    out = []
    for text in _strings(table, key):
        try:
            out.append(country_code(text, None, f"{key} entry"))
        except InputError as exc:
            raise table.fail(key, exc.message, exc.hint, code="invalid-value") from exc
    return tuple(out)


def sourcing_rule_versions() -> dict[str, list[int]]:
    """Shipped sourcing rule ids and their versions, oldest first (``ID.toml`` is version 1,
    ``ID@N.toml`` version N)."""
    return versions_in(sourcing_root() / "rules")


def sourcing_rule_path(ref: str) -> Path | None:
    """The shipped file of ``ID`` (its latest version) or ``ID@VERSION``, or None."""
    return versioned_path(sourcing_root() / "rules", ref)


def load_sourcing_rule(ref: str) -> SourcingRule:
    """A sourcing rule by id (shipped: its latest version), ``ID@VERSION`` or the path of a
    rule file. Raises FactorDataError: ``unknown-sourcing-rule``, or a ``factor-data-...``
    code naming the file and key of a problem inside it."""
    path = Path(ref)
    if not (ref.lower().endswith(".toml") and path.is_file()):
        found = sourcing_rule_path(ref)
        if found is None:
            versions = sourcing_rule_versions()
            close = difflib.get_close_matches(ref.partition("@")[0], list(versions), n=1)
            raise FactorDataError(
                f"unknown sourcing rule {ref!r}"
                + (f": did you mean {close[0]!r}?" if close else ""),
                hint="shipped sourcing rules: "
                + ", ".join(
                    f"{rid} (versions {', '.join(map(str, v))})" for rid, v in versions.items()
                )
                + "; or give the path of your own rule file (.toml)",
                code="unknown-sourcing-rule",
            )
        return _load_rule(found.resolve(), _label(found))
    return _load_rule(path.resolve(), ref)


def shipped_sourcing_rules() -> list[SourcingRule]:
    """The latest version of every shipped sourcing rule, by id."""
    return [load_sourcing_rule(rid) for rid in sourcing_rule_versions()]


@cache
def _load_rule(path: Path, label: str) -> SourcingRule:
    data, text = load_toml(path, label, FactorDataError)
    top = TomlTable(data, label=label, text=text, table="", error=FactorDataError)
    top.unknown_keys({"id", "version", "title", "indicator", "legal", "covers", "test"})
    version = top.number("version")
    assert version is not None
    if version != int(version):
        raise top.fail("version", "version must be a whole number", code="invalid-value")
    rid = top.string("id")
    shipped = path.parent == (sourcing_root() / "rules").resolve()
    if shipped and path.stem != (rid if version == 1 else f"{rid}@{int(version)}"):
        raise top.fail(
            "id",
            f"a shipped rule file's name must be its id and version, not {path.name}",
            code="invalid-value",
        )
    legal_table = top.sub("legal")
    legal_table.unknown_keys({"act", "article", "date", "status", "url", "text"})
    legal = LegalSource(
        **{k: legal_table.string(k) for k in ("act", "article", "date", "status", "url", "text")}
    )
    elements = {e.key for e in load_sourcing_data().elements}
    catalogue = load_catalogue()
    covers = []
    for row in top.items("covers"):
        row.unknown_keys({"element", "as_named", "materials"})
        element = row.string("element")
        if element not in elements:
            raise row.fail(
                "element",
                f"unknown element {element!r}",
                hint="elements: " + ", ".join(sorted(elements)),
                code="invalid-value",
            )
        materials = tuple(_strings(row, "materials")) if row.has("materials") else ()
        for m in materials:
            if catalogue.canonical(m) is None:
                raise row.fail(
                    "materials", f"{m!r} is not a catalogue material", code="invalid-value"
                )
        canonical = tuple(catalogue.canonical(m) or m for m in materials)
        covers.append(Covered(element, row.string("as_named"), canonical))
    if not covers:
        raise top.fail(
            None, "a sourcing rule covers at least one [[covers]] element", code="missing-key"
        )
    test_table = top.sub("test")
    test_table.unknown_keys(
        {"kind", "stages", "threshold", "countries", "list_source", "exclude", "exclude_source"}
    )
    kind = test_table.string("kind")
    if kind not in TEST_KINDS:
        raise test_table.fail(
            "kind",
            f"unknown test {kind!r}",
            hint="tests: " + ", ".join(TEST_KINDS),
            code="invalid-value",
        )
    stages = tuple(_stage(test_table, "stages", s) for s in _strings(test_table, "stages"))
    threshold = None
    if kind == "single-country-share-above":
        threshold = test_table.number("threshold")
        if threshold is None or not 0 < threshold < 1:
            raise test_table.fail(
                "threshold", "threshold must be a share between 0 and 1", code="invalid-value"
            )
    countries: tuple[str, ...] = ()
    list_source = ""
    if kind == "origin-in-listed-country":
        countries = _countries(test_table, "countries")
        list_source = test_table.string("list_source")
    exclude: tuple[str, ...] = ()
    exclude_source = ""
    if test_table.has("exclude"):
        exclude = _countries(test_table, "exclude")
        exclude_source = test_table.string("exclude_source")
    return SourcingRule(
        id=rid,
        version=int(version),
        title=top.string("title"),
        indicator=top.string("indicator"),
        legal=legal,
        covers=tuple(covers),
        test=RuleTest(kind, stages, threshold, countries, list_source, exclude, exclude_source),
        sha256=sha256_file(path),
        source=label,
    )
