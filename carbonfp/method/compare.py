"""Differences between declarations: per stage, and the lines that explain them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from carbonfp.model import ActivityLine, Declaration, LineKind, Project


@dataclass(frozen=True)
class LineDelta:
    key: str
    kind: str
    before_kg: float
    after_kg: float
    explanation: str

    @property
    def delta_kg(self) -> float:
        return self.after_kg - self.before_kg


def move_production(project: Project, country: str, every_block: bool = False) -> Project:
    """The project with its plant in ``country``, and the electricity blocks at the plant.

    A block counts as at the plant when its grid country is the plant's (blocks of a
    supplier's plant elsewhere stay where they are); ``every_block`` moves them all, as if
    the whole chain moved.
    """
    code = country.upper()
    here = project.plant.country.upper()
    lines = tuple(
        replace(line, origin=code, factor_id=f"grid-{code.lower()}")
        if line.kind is LineKind.ELECTRICITY and (every_block or (line.origin or here) == here)
        else line
        for line in project.lines
    )
    return replace(project, plant=replace(project.plant, country=code), lines=lines)


def _key(line: ActivityLine) -> str:
    return f"{line.kind.value}:{line.label}"


def line_deltas(before: Declaration, after: Declaration) -> list[LineDelta]:
    """Per line (matched by kind and component), the change in kg CO2e, largest first."""
    old: dict[str, float] = {}
    new: dict[str, float] = {}
    text: dict[str, list[str]] = {}
    for target, decl, side in ((old, before, 0), (new, after, 1)):
        for r in decl.lines:
            key = _key(r.line)
            target[key] = target.get(key, 0.0) + r.kg_co2e
            entry = text.setdefault(key, ["", "", r.line.label])
            entry[side] = _describe(r.line, r.factor_id, r.factor_value, r.factor_unit)
    deltas = []
    for key in sorted(old.keys() | new.keys()):
        before_kg = old.get(key, 0.0)
        after_kg = new.get(key, 0.0)
        if abs(after_kg - before_kg) < 1e-9:
            continue
        was, now, label = text[key]
        kind = key.split(":", 1)[0]
        if key not in old:
            why = f"{label}: added ({now})"
        elif key not in new:
            why = f"{label}: removed (was {was})"
        elif was != now:
            why = f"{label}, {was} -> {now}"
        else:
            why = f"{label} ({now})"
        deltas.append(LineDelta(key, kind, before_kg, after_kg, why))
    return sorted(deltas, key=lambda d: (-abs(d.delta_kg), d.key))


def _describe(line: ActivityLine, factor_id: str, value: float, unit: str) -> str:
    if line.kind is LineKind.ELECTRICITY:
        return f"{line.origin} {factor_id} {value * 1000:.1f} g CO2e/kWh"
    return f"{factor_id} {value:.4g} {unit}"
