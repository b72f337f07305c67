"""Which life-cycle stage a line belongs to when it names none: the ruleset's stage for its kind."""

from __future__ import annotations

from carbonfp.model import LineKind, Ruleset, Stage


def default_stage(kind: LineKind, rules: Ruleset) -> Stage | None:
    """The ruleset's stage for lines of ``kind`` that name none (None: such lines must name
    theirs, as transport legs do)."""
    return rules.stage_by_kind.get(kind)
