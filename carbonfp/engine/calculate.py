"""Declarations from model objects: the engine's two steps for projects already read.

Pure: projects, a factor set and a ruleset in, declarations out; no file, clock or terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from carbonfp.columns import RawLines
from carbonfp.engine.evaluate import Evaluated, evaluate
from carbonfp.engine.montecarlo import Draws, draw
from carbonfp.engine.resolve import resolve
from carbonfp.model import Declaration, FactorSet, Project, Ruleset


def calculate_projects(
    projects: Sequence[Project],
    factors: FactorSet,
    rules: Ruleset,
    mode: str = "screening",
    *,
    draws: int | None = None,
    seed: int = 0,
    run: tuple[tuple[str, str, str], ...] = (),
) -> Evaluated:
    """Resolve and evaluate ``projects`` together: every line of every battery in one pass.

    Never raises for bad input: a battery that fails has its problems in the result.
    """
    raw = RawLines.from_lines([p.lines for p in projects])
    table = resolve(projects, raw, factors, rules, mode, run)
    return evaluate(table, draws, seed)


def calculate(
    project: Project,
    factors: FactorSet,
    rules: Ruleset,
    mode: str = "screening",
    *,
    draws: int | None = None,
    seed: int = 0,
    run: tuple[tuple[str, str, str], ...] = (),
) -> Declaration:
    """Compute the Article 7 declaration of one battery (with ``draws``: and its Monte Carlo).

    ``mode`` "declaration" records a gate failure for secondary data on the ruleset's
    mandatory items (the caller refuses such a declaration). Raises InputError for an unknown
    factor, a unit that does not match its factor, a ruleset that does not cover the battery,
    missing end-of-life data or a negative total: the first problem, carrying the others in
    ``related``.
    """
    evaluated = calculate_projects([project], factors, rules, mode, draws=draws, seed=seed, run=run)
    return evaluated.declaration(0)


def draw_project(
    project: Project, factors: FactorSet, rules: Ruleset, draws: int, seed: int = 0
) -> Draws:
    """The Monte Carlo draws of one project, per stage (for analyses and tests; a declaration
    computed with ``draws`` carries their summary). Raises as :func:`calculate` does."""
    evaluated = calculate_projects([project], factors, rules)
    if not evaluated.ok(0):
        evaluated.declaration(0)  # raises the problem
    rows = evaluated.rows[evaluated.starts[0] : evaluated.starts[1]]
    return draw(evaluated.table, rows, evaluated.kg, 0, draws, seed)
