"""Where a line comes from: ISO 3166-1 alpha-2 countries and the grammar of an origin cell.

A BOM line's ``origin`` (and a long BOM's) is the country its material or part comes from, as
supplied, optionally followed by the country of each earlier supply-chain stage the user knows:
``KR``, or ``FI; refining=FI; extraction=ID``. Countries are checked against the shipped list
(``factors/sourcing/countries.toml``), never guessed; one function reads an origin cell for
every path (BOM, long BOM, what-if), so the same text gives the same line or the same error.
Part of the foundation: readers and the engine import it; it reads only the shipped list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from carbonfp.errors import InputError, Location
from carbonfp.files import load_toml
from carbonfp.model import SuppliedFactor
from carbonfp.resources import factors_root

#: Supply-chain stages an origin can name, from the part as supplied back to the mine.
SUPPLY_STAGES: tuple[str, ...] = ("manufacture", "refining", "extraction")
#: Other spellings of the stages (the origin cell reads them as the stage).
_STAGE_WORDS = {
    "manufacture": "manufacture",
    "manufacturing": "manufacture",
    "component": "manufacture",
    "componentmanufacture": "manufacture",
    "refining": "refining",
    "processing": "refining",
    "refinery": "refining",
    "extraction": "extraction",
    "mining": "extraction",
    "mine": "extraction",
}
#: the words of an origin cell: separators ; , or blanks; stage and country joined by = or :
_SPLIT = re.compile(r"[;,\s]+")
_JOIN = re.compile(r"\s*[=:]\s*")
EXAMPLE = "KR, or FI; refining=FI; extraction=ID"


def countries_path() -> Path:
    return factors_root() / "sourcing" / "countries.toml"


@dataclass(frozen=True)
class Countries:
    """The shipped ISO 3166-1 alpha-2 list: code -> English short name, and the suggestions
    for codes people write that are not ISO codes (UK for GB)."""

    names: Mapping[str, str]
    suggest: Mapping[str, str]
    source: str

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def hint_for(self, text: str) -> str:
        """What to write instead of ``text``: the ISO code it stands for, or close names."""
        key = text.strip().upper()
        if key in self.suggest:
            code = self.suggest[key]
            return f"did you mean {code} ({self.names[code]})? "
        by_name = {n.lower(): c for c, n in self.names.items()}
        close = difflib.get_close_matches(text.strip().lower(), list(by_name), n=2, cutoff=0.7)
        if close:
            return (
                "did you mean " + " or ".join(f"{by_name[n]} ({n.title()})" for n in close) + "? "
            )
        return ""


@cache
def load_countries(path: Path | None = None) -> Countries:
    """The shipped country list (or the one at ``path``). Raises FactorDataError for a file
    that is not valid TOML; a broken installation otherwise (KeyError)."""
    from carbonfp.errors import FactorDataError

    path = path or countries_path()
    data, _ = load_toml(path, "factors/sourcing/countries.toml", FactorDataError)
    names = {str(k).upper(): str(v) for k, v in data["countries"].items()}
    suggest = {str(k).upper(): str(v).upper() for k, v in data.get("suggest", {}).items()}
    return Countries(names, suggest, str(data.get("source", "")))


def country_code(text: str, where: Location | None, what: str = "origin") -> str:
    """An ISO 3166-1 alpha-2 code written in any case (``cn``), upper case. Raises InputError
    (``unknown-country``) for anything else, suggesting the code meant where it can."""
    code = text.strip().upper()
    countries = load_countries()
    if code in countries.names:
        return code
    raise InputError(
        f"{what} {text.strip()!r} is not an ISO 3166-1 alpha-2 country code",
        where=where,
        hint=countries.hint_for(text)
        + "write the two-letter code of the country (CN, KR, DE, GB...); factors/sourcing/"
        "countries.toml lists them",
        code="unknown-country",
    )


@dataclass(frozen=True)
class Origin:
    """A line's origin as read: the country its material or part comes from as supplied
    (``country``), and the country of earlier supply-chain stages where the line says
    (``stages``: (stage, code) in the order of SUPPLY_STAGES)."""

    country: str | None = None
    stages: tuple[tuple[str, str], ...] = ()

    def at(self, stage: str) -> str | None:
        """The country written for ``stage``, None where the line names none."""
        return next((code for s, code in self.stages if s == stage), None)

    @property
    def text(self) -> str:
        """The origin as carbonfp writes it: the country first, then ``stage=CODE`` from the
        part back to the mine (``FI; refining=FI; extraction=ID``)."""
        parts = [self.country] if self.country else []
        parts += [f"{s}={c}" for s, c in self.stages]
        return "; ".join(parts)


def parse_origin(text: str, where: Location | None = None) -> Origin | None:
    """Read an origin cell: None when empty. Raises InputError: ``unknown-country`` for a code
    that is not ISO 3166-1 alpha-2, ``invalid-value`` for an unknown stage or a stage (or the
    country as supplied) given twice."""
    words = [w for w in _SPLIT.split(_JOIN.sub("=", text.strip())) if w]
    if not words:
        return None
    country: str | None = None
    stages: dict[str, str] = {}
    for word in words:
        stage_word, sep, code_text = word.rpartition("=")
        if not sep:
            if country is not None:
                raise _twice(text, where, "the country it comes from as supplied")
            country = country_code(word, where)
            continue
        stage = _STAGE_WORDS.get(re.sub(r"[^a-z]", "", stage_word.lower()))
        if stage is None:
            raise InputError(
                f"origin {text.strip()!r}: unknown supply-chain stage {stage_word!r}",
                where=where,
                hint="stages: " + ", ".join(SUPPLY_STAGES) + f"; e.g. {EXAMPLE}",
                code="invalid-value",
            )
        if stage in stages:
            raise _twice(text, where, f"the {stage} stage")
        stages[stage] = country_code(code_text, where)
    ordered = tuple((s, stages[s]) for s in SUPPLY_STAGES if s in stages)
    return Origin(country, ordered)


def _twice(text: str, where: Location | None, what: str) -> InputError:
    return InputError(
        f"origin {text.strip()!r} names two countries for {what}",
        where=where,
        hint="give one country per stage: the country the line comes from, then stage=CODE "
        f"for earlier stages ({EXAMPLE}); a mix of origins is two lines, one per origin",
        code="invalid-value",
    )


def origin_cell(
    text: str, where: Location | None = None, inherited: str | None = None
) -> str | None:
    """An origin cell as carbonfp keeps it (``Origin.text``), None when empty; ``inherited``
    (the origin of the sub-BOM line above, in the same form) fills what the cell leaves out.
    Raises InputError as :func:`parse_origin` does."""
    own = parse_origin(text, where)
    if inherited:
        own = merged(own, parse_origin(inherited))
    return own.text if own is not None else None


def merged(own: Origin | None, inherited: Origin | None) -> Origin | None:
    """``own`` completed by ``inherited``: the country and each stage ``own`` does not give."""
    if own is None or inherited is None:
        return own or inherited
    stages = dict(inherited.stages) | dict(own.stages)
    return Origin(
        own.country or inherited.country,
        tuple((s, stages[s]) for s in SUPPLY_STAGES if s in stages),
    )


def read_origin(text: str | None) -> Origin | None:
    """An origin carbonfp wrote (``Origin.text``, or a grid country of an energy line) read
    back without checks: an energy line's grid may be a region (EU27)."""
    if not text:
        return None
    try:
        return parse_origin(text)
    except InputError:
        return Origin(text.strip().upper())


# --------------------------------------------------------------------------------------------
# What-if: a change of origin of a material or a line (``carbonfp compare --origin``)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginChange:
    """One change of a what-if: the lines of a material (its id or alias) or one line (its
    label, or a sub-BOM line's label for every line inside it) get ``origin``, and the user's
    own ``factor`` for that origin where one is given (never a shipped guess)."""

    target: str
    origin: str
    factor: SuppliedFactor | None = None
    #: "material", "line", or "" (a material if one has that id or alias, else a line)
    by: str = ""


@dataclass(frozen=True)
class OriginScenario:
    """A named what-if: one or more changes of origin applied together."""

    name: str
    changes: tuple[OriginChange, ...]
