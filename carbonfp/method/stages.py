"""Which life-cycle stage a line belongs to: its own override, else its kind's default."""

from __future__ import annotations

from carbonfp.errors import InputError, Location
from carbonfp.model import ActivityLine, Ruleset, Stage

_ALIASES = {
    "raw_materials": Stage.RAW_MATERIALS,
    "raw_material": Stage.RAW_MATERIALS,
    "raw_material_acquisition": Stage.RAW_MATERIALS,
    "rawmaterialextraction": Stage.RAW_MATERIALS,
    "production": Stage.PRODUCTION,
    "main_production": Stage.PRODUCTION,
    "mainproduction": Stage.PRODUCTION,
    "manufacturing": Stage.PRODUCTION,
    "distribution": Stage.DISTRIBUTION,
    "end_of_life": Stage.END_OF_LIFE,
    "eol": Stage.END_OF_LIFE,
    "recycling": Stage.END_OF_LIFE,
}
_USE = {"use", "use_phase", "use_stage", "operation"}


def parse_stage(text: str, where: Location | None = None) -> Stage:
    """Read a stage name ("raw_materials", "Raw materials", "EoL", ...).

    Raises InputError: ``use-stage`` for the use stage (excluded by Annex II), ``unknown-stage``
    for anything else not recognised.
    """
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key in _USE:
        raise InputError(
            f"stage {text!r}: the use stage is excluded from the battery carbon footprint",
            where=where,
            hint="Regulation (EU) 2023/1542 Annex II leaves the use stage out; remove this line "
            "(charging losses and use-phase electricity are not part of the declaration)",
            code="use-stage",
        )
    if key in _ALIASES:
        return _ALIASES[key]
    raise InputError(
        f"unknown stage {text!r}",
        where=where,
        hint="use one of: " + ", ".join(s.value for s in Stage),
        code="unknown-stage",
    )


def assign_stage(line: ActivityLine, rules: Ruleset) -> Stage:
    """The line's own stage where it names one, else the ruleset's default for its kind.

    Raises InputError (code ``missing-stage``) for a line whose kind has no default.
    """
    if line.stage is not None:
        return line.stage
    try:
        return rules.stage_by_kind[line.kind]
    except KeyError:
        raise InputError(
            f"{line.kind.value} line {line.label!r} has no stage",
            where=line.where,
            hint='add stage = "raw_materials" (inbound) or "distribution" (finished battery)',
            code="missing-stage",
        ) from None
