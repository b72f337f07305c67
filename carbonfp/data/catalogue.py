"""The material catalogue (``factors/catalogue/materials.toml``): the material ids carbonfp
knows, their names, the aliases a BOM may use and the role of each material in a battery.

The catalogue holds no values; factor sets do. Roles are what a ruleset's ``[[mandatory]]``
items name (declaration mode), so the catalogue's id, version and sha256 travel in every
declaration's provenance.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from carbonfp.data.factor_sets import _label, sha256_file
from carbonfp.errors import FactorDataError
from carbonfp.files import TomlTable, load_toml
from carbonfp.resources import factors_root

#: What a role applies to: material lines, or energy blocks (electricity, fuel, process gases).
APPLIES_TO = ("material", "energy")


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    applies_to: str


@dataclass(frozen=True)
class CatalogueMaterial:
    id: str
    name: str
    role: str
    aliases: tuple[str, ...] = ()
    chemistries: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Catalogue:
    id: str
    version: str
    sha256: str
    roles: dict[str, Role]
    materials: dict[str, CatalogueMaterial]
    #: normalised id or alias -> material id
    keys: dict[str, str]

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def canonical(self, text: str) -> str | None:
        """The material id ``text`` names (an id or an alias, ignoring case, spaces and
        punctuation), or None."""
        return self.keys.get(normal(text))

    def role_of(self, material_id: str) -> str | None:
        found = self.materials.get(material_id) or self.materials.get(
            self.keys.get(normal(material_id), "")
        )
        return found.role if found else None

    def roles_for(self, applies_to: str) -> list[str]:
        return [r.name for r in self.roles.values() if r.applies_to == applies_to]

    def close_roles(self, text: str, applies_to: str) -> list[str]:
        """Roles of ``applies_to`` holding ``text``, else close to it in spelling."""
        names = self.roles_for(applies_to)
        key = normal(text)
        holding = [r for r in names if key and key in normal(r)]
        return holding[:3] or difflib.get_close_matches(text, names, n=3, cutoff=0.6)

    def suggestions(self, text: str, n: int = 3) -> list[str]:
        """Material ids close to ``text``: by edit distance to ids and aliases, then by a
        shared word of the id, name or aliases."""
        key = normal(text)
        close = difflib.get_close_matches(key, list(self.keys), n=n * 3, cutoff=0.75)
        found: list[str] = []
        for k in close:
            if self.keys[k] not in found:
                found.append(self.keys[k])
        if found:
            return found[:n]
        by_word: dict[str, list[str]] = {}  # a misspelt word of an id, name or alias
        for m in self.materials.values():
            for w in _words(" ".join((m.id, m.name, *m.aliases))):
                by_word.setdefault(w, []).append(m.id)
        for w in difflib.get_close_matches(text.lower(), list(by_word), n=3, cutoff=0.75):
            found += [i for i in by_word[w] if i not in found]
        if found:
            return found[:n]
        words = _words(text)
        for m in self.materials.values():
            if words & _words(" ".join((m.id, m.name, *m.aliases))):
                found.append(m.id)
        return found[:n]

    def search(self, text: str) -> list[CatalogueMaterial]:
        """Materials whose id, name, alias or role holds ``text`` (ignoring case, spaces and
        punctuation); where none does, the close ones."""
        key = normal(text)
        hits = [
            m
            for m in self.materials.values()
            if any(
                key in normal(t)
                for t in (m.id, m.name, m.role, self.roles[m.role].title, *m.aliases)
            )
        ]
        return hits or [self.materials[i] for i in self.suggestions(text, 5)]


def normal(text: str) -> str:
    """An id or alias as compared: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[\s_\-/(),.]+", text.lower()) if len(w) >= 3}


def catalogue_path() -> Path:
    return factors_root() / "catalogue" / "materials.toml"


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    """The shipped catalogue (or the one at ``path``), checked: every role known, every id
    and alias distinct once normalised. Raises FactorDataError naming the file and key."""
    path = path or catalogue_path()
    label = _label(path)
    data, text = load_toml(path, label, FactorDataError)
    top = TomlTable(data, label=label, text=text, table="", error=FactorDataError)
    top.unknown_keys({"id", "version", "title", "roles", "material"})
    roles: dict[str, Role] = {}
    role_table = top.sub("roles")
    for name in role_table.data:
        entry = role_table.sub(name)
        entry.unknown_keys({"title", "applies_to"})
        applies_to = entry.string("applies_to")
        if applies_to not in APPLIES_TO:
            raise entry.fail(
                "applies_to",
                f"applies_to must be one of {', '.join(APPLIES_TO)}, got {applies_to!r}",
                code="factor-data-invalid-value",
            )
        roles[name] = Role(name, entry.string("title"), applies_to)
    materials: dict[str, CatalogueMaterial] = {}
    keys: dict[str, str] = {}
    for row in top.items("material"):
        row.unknown_keys({"id", "name", "role", "aliases", "chemistries", "note"})
        mid = row.string("id")
        role = row.string("role")
        if roles.get(role) is None or roles[role].applies_to != "material":
            raise row.fail(
                "role",
                f"unknown material role {role!r}",
                hint="use one of the [roles] that apply to materials: "
                + ", ".join(r for r in roles if roles[r].applies_to == "material"),
                code="factor-data-invalid-value",
            )
        aliases = tuple(str(a) for a in row.data.get("aliases", []))
        for text_ in (mid, *aliases):
            key = normal(text_)
            if not key or keys.get(key, mid) != mid:
                raise row.fail(
                    "aliases" if text_ != mid else "id",
                    f"{text_!r} is already the id or an alias of {keys.get(key)!r}"
                    if key
                    else f"{text_!r} has no letter or digit",
                    hint="every id and alias must name one material only",
                    code="factor-data-invalid-value",
                )
            keys[key] = mid
        materials[mid] = CatalogueMaterial(
            id=mid,
            name=row.string("name"),
            role=role,
            aliases=aliases,
            chemistries=tuple(str(c) for c in row.data.get("chemistries", [])),
            note=row.string("note", ""),
        )
    return Catalogue(
        id=top.string("id"),
        version=top.string("version"),
        sha256=sha256_file(path),
        roles=roles,
        materials=materials,
        keys=keys,
    )
