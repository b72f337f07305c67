"""Running the engine over many batteries: groups that share settings, one pass per group.

Batteries whose settings (ruleset, factor set and layers, policy, mode) are equal are resolved
and evaluated together, every line of every battery of the group in one array pass. A battery
that fails (a bad row, an unknown factor, a negative total) fails alone: its outcome carries
the error and the others are computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from carbonfp.columns import Figures, Inputs
from carbonfp.engine.evaluate import Evaluated, evaluate
from carbonfp.engine.resolve import resolve
from carbonfp.errors import CarbonfpError, ExitCode
from carbonfp.model import Declaration, Project
from carbonfp.run import RunConfig


@dataclass(eq=False)
class Outcome:
    """One battery of a batch: its declaration, or the error that stopped it."""

    battery: str
    #: where the battery was read: its project file, or the row of the battery table
    source: str
    error: CarbonfpError | None = None
    evaluated: Evaluated | None = field(default=None, repr=False)
    index: int = -1

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def gate_failures(self) -> tuple[str, ...]:
        """The declaration-mode checks that failed (known without building the declaration)."""
        if self.error is not None or self.evaluated is None:
            return ()
        return self.evaluated.gate_failures[self.index]

    @cached_property
    def declaration(self) -> Declaration | None:
        """The full declaration (built on first use and kept), None when the battery failed."""
        return self.build_declaration()

    def build_declaration(self) -> Declaration | None:
        """The full declaration, built anew and not kept: for writing many batteries one by
        one without holding every declaration at once."""
        if self.error is not None or self.evaluated is None:
            return None
        return self.evaluated.declaration(self.index)


@dataclass(eq=False)
class Batch:
    """Outcomes of a batch, one per battery in input order."""

    outcomes: list[Outcome]

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    @property
    def computed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def declarations(self) -> Iterator[Declaration]:
        """Declarations of the batteries that computed, in input order."""
        for outcome in self.outcomes:
            if outcome.declaration is not None:
                yield outcome.declaration

    def figures(self) -> Figures:
        """The declared figures of the batteries that computed, in input order, read from the
        evaluated arrays (no declaration is built)."""
        parts: list[Figures] = []
        run: list[int] = []
        source: Evaluated | None = None
        for outcome in self.computed:  # consecutive batteries of one group: one take
            if outcome.evaluated is not source and source is not None:
                parts.append(source.figures.take(run))
                run = []
            source = outcome.evaluated
            run.append(outcome.index)
        if source is not None:
            parts.append(source.figures.take(run))
        return Figures.concat(parts)

    @property
    def exit_code(self) -> int:
        """0 when every battery computed, else the exit code of the worst failure."""
        codes = [int(o.error.exit_code) for o in self.outcomes if o.error is not None]
        return max(codes, default=int(ExitCode.OK))


def run_local(
    inputs: Inputs,
    config_of: Callable[[Project], RunConfig],
    *,
    draws: int | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Batch:
    """Compute every battery of ``inputs`` on this process (``progress``: see evaluate).

    ``config_of`` gives each project its settings (it may raise a CarbonfpError, which fails
    that battery). With ``draws``, each battery also gets a Monte Carlo of that many draws.
    """
    outcomes = [
        Outcome(battery, inputs.source(b), problems[0].with_related(problems[1:]))
        if problems
        else Outcome(battery, inputs.source(b))
        for b, (battery, problems) in enumerate(zip(inputs.ids, inputs.problems, strict=True))
    ]
    groups: dict[tuple[str, ...], tuple[RunConfig, list[int], list[RunConfig]]] = {}
    for b, (project, outcome) in enumerate(zip(inputs.projects, outcomes, strict=True)):
        # a battery whose reading found problems but that has a project is still resolved:
        # its other problems come in the same run (it fails whatever they are)
        if project is None:
            if outcome.ok:  # no project and no problem: cannot happen from the readers
                raise ValueError(f"battery {inputs.ids[b]!r} has neither a project nor a problem")
            continue
        try:
            config = config_of(project)
        except CarbonfpError as exc:
            outcome.error = exc if outcome.error is None else outcome.error.with_related([exc])
            continue
        group = groups.setdefault(config.key, (config, [], []))
        group[1].append(b)
        group[2].append(config)
    for config, members, configs in groups.values():
        evaluated = _evaluate_group(inputs, members, config, configs, draws, seed, progress)
        for i, b in enumerate(members):
            read_error = outcomes[b].error  # problems of reading: they come first
            if read_error is not None:
                read_error.with_related(evaluated.problems[i])
            elif evaluated.ok(i):
                outcomes[b].evaluated = evaluated
                outcomes[b].index = i
            else:
                first, *rest = evaluated.problems[i]
                outcomes[b].error = first.with_related(rest)
    return Batch(outcomes)


def _evaluate_group(
    inputs: Inputs,
    members: list[int],
    config: RunConfig,
    configs: list[RunConfig],
    draws: int | None,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> Evaluated:
    """One pass over the batteries ``members`` (computed alike: ``config``), each recording
    its own settings (``configs``)."""
    lines = inputs.lines
    if members != list(range(len(inputs))):
        number = np.full(len(inputs), -1, dtype=np.intp)
        number[members] = np.arange(len(members), dtype=np.intp)
        keep = number[lines.battery] >= 0
        lines = lines.take(keep)
        lines = lines.with_battery(number[lines.battery])
    projects = [inputs.projects[b] for b in members]
    # a product too large for a float is caught where it matters (evaluate: "overflow", naming
    # the line), not warned about by numpy on the way
    with np.errstate(over="ignore", invalid="ignore"):
        table = resolve(
            [p for p in projects if p is not None],
            lines,
            config.factors,
            config.rules,
            config.mode,
            runs=[c.settings for c in configs],
        )
        return evaluate(table, draws, seed, progress)
