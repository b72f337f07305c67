"""Reads what-ifs on origin (``carbonfp compare --origin``, ``--what-if FILE``): which lines move
to which origin, with the user's own factor for that origin where given.

A what-if file (TOML)::

    [[scenario]]
    name = "nickel sulfate from Indonesia"
    [[scenario.change]]
    material = "nickel-sulfate"          # every line of this material (id or alias); or
    # line = "cells (x96) > cathode"     # one line, or every line of a sub-BOM, by its label
    origin = "ID"                        # an origin cell: ID, or "ID; refining=CN"
    factor = "8.2 kg CO2e/kg"            # optional: the material's factor from this origin
    factor_source = "supplier PCF 2025"  # required with factor

On the command line, ``--origin TARGET=ORIGIN`` is one scenario changing TARGET (a material,
else a line label); ``--factor TARGET@ORIGIN=VALUE`` and ``--factor-source
TARGET@ORIGIN=TEXT`` give the factor of TARGET from that origin. carbonfp never picks a factor
for an origin: without the user's, a moved line keeps its factor, and the comparison says so.
Origins and factors are checked by the functions the BOM reader uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from carbonfp.errors import InputError, Location, UsageError
from carbonfp.files import TomlTable, load_toml
from carbonfp.inputs.bom import supplied_factor
from carbonfp.model import SuppliedFactor
from carbonfp.origins import OriginChange, OriginScenario, origin_cell


def read_what_if(path: Path, label: str | None = None) -> list[OriginScenario]:
    """The scenarios of a what-if file. Raises InputError naming the file and key of every
    problem (the first, carrying the others)."""
    label = label or str(path)
    data, text = load_toml(path, label)
    top = TomlTable(data, label=label, text=text, table="")
    top.unknown_keys({"scenario"})
    scenarios = []
    found: list[InputError] = []
    tables = top.items("scenario")
    if not tables:
        raise InputError(
            "the what-if file has no [[scenario]]",
            where=Location(label),
            hint='add [[scenario]] name = "..." with one or more [[scenario.change]] tables',
            code="missing-key",
        )
    for table in tables:
        try:
            table.unknown_keys({"name", "change"})
            name = table.string("name")
            changes = []
            for change in table.items("change"):
                try:
                    changes.append(_change(change))
                except InputError as exc:
                    found.append(exc)
            if not table.data.get("change"):
                raise table.fail(
                    "change",
                    f"scenario {name!r} changes nothing",
                    hint="add a [[scenario.change]] with material (or line) and origin",
                    code="missing-key",
                )
            scenarios.append(OriginScenario(name, tuple(changes)))
        except InputError as exc:
            found.append(exc)
    if found:
        raise found[0].with_related(found[1:])
    names = [s.name for s in scenarios]
    for name in names:
        if names.count(name) > 1:
            raise InputError(
                f"two scenarios are named {name!r}",
                where=Location(label, key="scenario.name"),
                hint="give each scenario its own name",
                code="invalid-value",
            )
    return scenarios


def _change(table: TomlTable) -> OriginChange:
    table.unknown_keys({"material", "line", "origin", "factor", "factor_source"})
    material = table.opt_str("material")
    line = table.opt_str("line")
    if (material is None) == (line is None):
        raise table.fail(
            None,
            "a change names either a material or a line",
            hint='write material = "nickel-sulfate", or line = "its label as carbonfp shows it"',
            code="invalid-value",
        )
    origin = origin_cell(table.string("origin"), table.where("origin"))
    assert origin is not None
    factor = None
    if table.has("factor") or table.has("factor_source"):
        factor = supplied_factor(
            table.string("factor"),
            table.string("factor_source", required=False),
            table.where("factor"),
            table.where("factor_source"),
        )
    if material is not None:
        return OriginChange(material, origin, factor, by="material")
    assert line is not None
    return OriginChange(line, origin, factor, by="line")


def origin_options(
    origins: Sequence[str], factors: Sequence[str] = (), sources: Sequence[str] = ()
) -> list[OriginScenario]:
    """One scenario per ``--origin TARGET=ORIGIN``, with the ``--factor TARGET@ORIGIN=VALUE``
    (and its ``--factor-source TARGET@ORIGIN=TEXT``) given for that target and origin. Raises
    UsageError for an option that is not of that form, a factor without its source (or a
    source without its factor), and a factor no --origin uses; InputError (``unknown-country``,
    ``bad-factor``) for an origin or a value that is not valid."""
    where = Location("command line")
    given: dict[str, tuple[str, str]] = {}
    for option in factors:
        target, value = _split(option, "--factor")
        given[_key(target)] = (option, value)
    said: dict[str, str] = {}
    for option in sources:
        target, value = _split(option, "--factor-source")
        said[_key(target)] = value
    for key in given.keys() - said.keys():
        raise UsageError(
            f"--factor {given[key][0]!r} has no --factor-source",
            hint=f'add --factor-source "{key}=who gave the value, in which document"',
            code="missing-option",
        )
    for key in said.keys() - given.keys():
        raise UsageError(
            f"--factor-source for {key!r} without a --factor for it",
            hint=f'add --factor "{key}=VALUE UNIT", e.g. "{key}=8.2 kg CO2e/kg"',
            code="missing-option",
        )
    scenarios = []
    used = set()
    for option in origins:
        target, text = _split(option, "--origin")
        origin = origin_cell(text, Location("command line", key="--origin"))
        assert origin is not None
        factor: SuppliedFactor | None = None
        key = _key(target, origin)
        if key in given:
            used.add(key)
            factor = supplied_factor(
                given[key][1], said[key], Location("command line", key="--factor"), where
            )
        scenarios.append(
            OriginScenario(f"{target} from {origin}", (OriginChange(target, origin, factor),))
        )
    for key in given.keys() - used:
        raise UsageError(
            f"--factor for {key!r}, but no --origin moves {key.split('@')[0]!r} to "
            f"{key.split('@')[1]!r}",
            hint="give the factor of the origin an --origin names, as TARGET@ORIGIN=VALUE",
            code="invalid-option",
        )
    return scenarios


def _split(option: str, name: str) -> tuple[str, str]:
    target, sep, value = option.partition("=")
    if not sep or not target.strip() or not value.strip():
        raise UsageError(
            f"{name} {option!r} is not of the form TARGET=VALUE",
            hint={
                "--origin": "e.g. --origin nickel-sulfate=ID (a material, or a line's label)",
                "--factor": 'e.g. --factor "nickel-sulfate@ID=8.2 kg CO2e/kg"',
                "--factor-source": 'e.g. --factor-source "nickel-sulfate@ID=supplier PCF 2025"',
            }[name],
            code="invalid-option",
        )
    return target.strip(), value.strip()


def _key(target: str, origin: str | None = None) -> str:
    """``TARGET@ORIGIN`` as the options write it: the origin checked and written as carbonfp
    keeps it (``nickel-sulfate@ID``)."""
    if origin is None:
        target, _, text = target.rpartition("@")
        origin = origin_cell(text, Location("command line", key="--factor")) if target else None
        if not target or origin is None:
            raise UsageError(
                "a factor names its material and origin as TARGET@ORIGIN",
                hint='e.g. --factor "nickel-sulfate@ID=8.2 kg CO2e/kg"',
                code="invalid-option",
            )
    return f"{target}@{origin}"
