"""The library: read inputs, calculate declarations, render them. The command line calls this.

Every function here is importable from ``carbonfp`` itself (``carbonfp.calculate``, ...).
Settings follow one rule (carbonfp.run): what the caller passes wins, then the project's
``[method]``, then the ruleset's defaults; a FactorSet or Ruleset object passed in is used as
it is. Errors are :class:`carbonfp.errors.CarbonfpError` subclasses with a stable ``code``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbonfp.columns import Inputs
from carbonfp.engine.executors import Batch, run_local
from carbonfp.errors import CarbonfpError
from carbonfp.inputs.project import load_project
from carbonfp.model import Declaration, FactorSet, Issue, Project, Ruleset
from carbonfp.run import RunConfig, RunOptions, run_config


def load_projects(
    paths: Sequence[str | Path],
    ids: Sequence[str] = (),
    progress: Callable[[], None] | None = None,
) -> Inputs:
    """Read project files for a batch: a project that cannot be read fails alone (its problem
    is kept in the result). ``ids`` name the batteries (default: each project's folder);
    ``progress`` is called after each file."""
    projects: list[Project | None] = []
    problems: list[tuple[CarbonfpError, ...]] = []
    for path in paths:
        if progress is not None and projects:
            progress()
        found: list[CarbonfpError] = []  # the BOM's bad rows: the rest is still checked
        try:
            projects.append(load_project(path, found))
            problems.append(tuple(found))
        except CarbonfpError as exc:
            projects.append(None)
            problems.append((exc,))
    names = list(ids) or [project_name(Path(p)) for p in paths]
    return Inputs.from_projects(projects, names, problems, [str(p) for p in paths])


def project_name(path: Path) -> str:
    """A battery's name from its project file: the folder of a ``battery.toml``, else the
    file's stem."""
    if path.name == "battery.toml":
        return path.parent.name or str(path)
    return path.stem


def load_long_bom(lines: str | Path, batteries: str | Path) -> Inputs:
    """Read a long BOM (docs/long-bom.md): LINES.csv and BATTERIES.csv. A bad row fails only
    its battery. Raises InputError when a file is missing or malformed as a whole."""
    from carbonfp.inputs.long_bom import read_long_bom  # pandas: only for long BOMs

    return read_long_bom(lines, batteries)


def _configurator(
    factors: FactorSet | str | None,
    rules: Ruleset | str | None,
    mode: str,
    layers: Sequence[str],
    policy: str | None,
) -> RunOptions | RunConfig:
    """Options to resolve per project, or one fixed configuration when objects are given."""
    options = RunOptions(
        rules=rules if isinstance(rules, str) else None,
        factor_set=factors if isinstance(factors, str) else None,
        layers=tuple(str(x) for x in layers),
        policy=policy,
        mode=mode,
    )
    if isinstance(rules, Ruleset) and isinstance(factors, FactorSet):
        from dataclasses import replace

        fixed = replace(rules, electricity_policy=policy) if policy else rules
        return RunConfig(
            rules=fixed,
            factors=factors,
            mode=mode,
            settings=(
                ("ruleset", fixed.label, "caller"),
                ("factor set", factors.label, "caller"),
                ("electricity policy", fixed.electricity_policy, "option" if policy else "ruleset"),
                ("mode", mode, "option" if mode != "screening" else "default"),
            ),
        )
    if isinstance(rules, Ruleset) or isinstance(factors, FactorSet):
        raise TypeError("give both the factor set and the ruleset as objects, or neither")
    return options


def calculate_many(
    inputs: Inputs | Sequence[Project],
    factors: FactorSet | str | None = None,
    rules: Ruleset | str | None = None,
    mode: str = "screening",
    *,
    layers: Sequence[str] = (),
    policy: str | None = None,
    uncertainty: int | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Batch:
    """Declarations of many batteries (projects, or a long BOM), each battery failing alone.

    ``factors`` and ``rules``: objects used as they are, or references (id, ID@VERSION, file or
    folder) that win over each project's ``[method]``; ``layers``: user factor sets laid over
    the base set; ``policy``: the electricity policy instead of the ruleset's; ``uncertainty``:
    Monte Carlo draws per battery (``progress`` is called with the draws done of the battery
    being drawn, block by block). Raises UsageError for an unknown mode or policy.
    """
    if not isinstance(inputs, Inputs):
        inputs = Inputs.from_projects(list(inputs))
    chosen = _configurator(factors, rules, mode, layers, policy)
    if isinstance(chosen, RunConfig):
        fixed = chosen

        def config_of(project: Project) -> RunConfig:
            del project
            return fixed
    else:
        options = chosen
        known: dict[tuple[object, ...], RunConfig] = {}  # a long BOM repeats a few settings

        def config_of(project: Project) -> RunConfig:
            asked = (
                project.ruleset,
                project.factor_set,
                project.battery.category,
                project.factor_layers,
            )
            found = known.get(asked)
            if found is None:
                found = known[asked] = run_config(options, *asked)
            return found

    return run_local(inputs, config_of, draws=uncertainty, seed=seed, progress=progress)


def calculate(
    project: Project,
    factors: FactorSet | str | None = None,
    rules: Ruleset | str | None = None,
    mode: str = "screening",
    *,
    layers: Sequence[str] = (),
    policy: str | None = None,
    uncertainty: int | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Declaration:
    """The Article 7 declaration of one battery (see :func:`calculate_many` for the options).

    In mode "declaration" the result records gate failures (secondary data where the ruleset
    requires company-specific data) in ``gate_failures``; the caller decides to refuse it.
    Raises CarbonfpError: the first problem found, the others in its ``related``.
    """
    batch = calculate_many(
        [project],
        factors,
        rules,
        mode,
        layers=layers,
        policy=policy,
        uncertainty=uncertainty,
        seed=seed,
        progress=progress,
    )
    outcome = batch.outcomes[0]
    if outcome.error is not None:
        raise outcome.error
    assert outcome.declaration is not None
    return outcome.declaration


def flatten(projects: Sequence[Project], ids: Sequence[str] = ()) -> tuple[str, str]:
    """Projects as a long BOM: the text of LINES.csv and of BATTERIES.csv (docs/long-bom.md).
    ``ids`` name the batteries (default: each battery's model, made unique).

    Raises InputError (``invalid-value``) for a project with [factors] layers, which a long
    BOM does not carry: its batteries would be computed with other factors.
    """
    from carbonfp.errors import InputError, Location
    from carbonfp.formats.long_bom import flatten as write

    for project in projects:
        if project.factor_layers:
            raise InputError(
                "the project names factor layers, which a long BOM does not carry: its lines "
                "would be computed with other factors",
                where=Location(project.label, key="factors.layers"),
                hint="leave [factors] layers out of the project to flatten it, and give the "
                "layers when computing the long BOM (carbonfp calc LINES --batteries "
                "BATTERIES --factors DIR, the first layer last)",
                code="invalid-value",
            )

    names = list(ids) or unique_ids([p.battery.model for p in projects])
    return write(projects, names)


def unique_ids(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(name if count == 1 else f"{name}-{count}")
    return out


@dataclass(frozen=True)
class Checked:
    """What :func:`check` found in one project: every problem (each with its file and line or
    key), the warnings (values ignored, data missing), and the declaration-mode gaps."""

    battery: str
    source: str
    problems: tuple[CarbonfpError, ...]
    warnings: tuple[Issue, ...]
    gate_failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.gate_failures


def check(
    paths: Sequence[str | Path],
    factors: FactorSet | str | None = None,
    rules: Ruleset | str | None = None,
    mode: str = "screening",
    *,
    layers: Sequence[str] = (),
    policy: str | None = None,
) -> list[Checked]:
    """Read and resolve projects as :func:`calculate_many` does, keeping what is wrong rather
    than the result: per project every problem found, its warnings and (in mode "declaration")
    the lines that need company-specific data."""
    inputs = load_projects(paths)
    batch = calculate_many(inputs, factors, rules, mode, layers=layers, policy=policy)
    out = []
    for outcome in batch:
        error = outcome.error
        problems = () if error is None else (error, *error.related)
        evaluated = outcome.evaluated
        warnings = () if evaluated is None or error else evaluated.warnings(outcome.index)
        out.append(
            Checked(outcome.battery, outcome.source, problems, warnings, outcome.gate_failures)
        )
    return out


def materials(
    search: str | None = None,
    role: str | None = None,
    factors: str | None = None,
    rules: str | None = None,
    *,
    layers: Sequence[str] = (),
) -> list[dict[str, object]]:
    """The material catalogue with what the factor sets and the ruleset say of each material:
    one row per material id the catalogue or the sets (with ``layers``) know, optionally those
    matching ``search`` (id, name, alias or role) or of one ``role``.

    Each row: id, name, role (and its title), aliases, value and unit with the set (ID@VERSION)
    that gives it, its status and source (empty where no set has a value), the ruleset's
    Circular Footprint Formula group, and the Article 8 recycled-content elements the
    material's composition holds. Raises UsageError for an unknown role.
    """
    from carbonfp.data.catalogue import load_catalogue
    from carbonfp.errors import UsageError
    from carbonfp.method.circularity import group_of

    catalogue = load_catalogue()
    config = run_config(RunOptions(rules=rules, factor_set=factors, layers=tuple(layers)))
    fs, rs = config.factors, config.rules
    if role is not None and role not in catalogue.roles:
        close = catalogue.close_roles(role, "material") + catalogue.close_roles(role, "energy")
        raise UsageError(
            f"unknown role {role!r}" + (f": did you mean {close[0]!r}?" if close else ""),
            hint="`carbonfp materials --roles` lists the roles",
            code="invalid-option",
        )
    wanted = sorted({el for m in rs.recycled_minimums.values() for el in m})
    known = dict(catalogue.materials)
    from_sets = [f for f in fs.factors.values() if f.table == "materials" and f.id not in known]
    if search:
        hits = {m.id for m in catalogue.search(search)}
        from carbonfp.data.catalogue import normal

        key = normal(search)
        from_sets = [f for f in from_sets if key in normal(f"{f.id} {f.name}")]
    else:
        hits = set(known)
    rows: list[dict[str, object]] = []

    def row(mid: str, name: str, role_name: str, aliases: tuple[str, ...]) -> dict[str, object]:
        factor = fs.factors.get(mid)
        has = factor is not None and factor.table == "materials"
        group = group_of(mid, rs)
        elements = [e for e in wanted if fs.composition.get(mid, {}).get(e, 0) > 0]
        return {
            "id": mid,
            "name": name,
            "role": role_name,
            "role_title": catalogue.roles[role_name].title if role_name else "",
            "aliases": list(aliases),
            "value": factor.value if has and factor else None,
            "unit": factor.unit if has and factor else "",
            "set": factor.set_label if has and factor else "",
            "status": factor.status if has and factor else "no open value",
            "source": factor.source if has and factor else "",
            "cff_group": group.name if group else "",
            "recycled_content_elements": elements,
        }

    for m in catalogue.materials.values():
        if m.id in hits and (role is None or m.role == role):
            rows.append(row(m.id, m.name, m.role, m.aliases))
    if role is None:
        rows += [row(f.id, f.name, "", ()) for f in from_sets]
    return rows


def sourcing(
    projects: Inputs | Sequence[Project],
    factors: FactorSet | str | None = None,
    rules: Ruleset | str | None = None,
    *,
    sourcing_rules: Sequence[str] = (),
    layers: Sequence[str] = (),
    policy: str | None = None,
) -> dict[str, Any]:
    """Where each battery's critical raw materials and its footprint come from: per element
    (lithium, nickel, cobalt, manganese, graphite, copper, aluminium) its mass by country of
    origin at each supply-chain stage (of no stated origin: its own share), the lines whose
    element carbonfp cannot count, the footprint by country of origin per life-cycle stage
    (adding up to the declaration), and the findings of ``sourcing_rules`` (ids, ID@VERSION or
    paths of rule files: factors/sourcing/rules). The document ``carbonfp sourcing --format
    json`` prints; its findings are indicators from the user's data, not a legal determination.

    ``factors``, ``rules`` (the ruleset), ``layers`` and ``policy`` are as for
    :func:`calculate_many`. Raises the first problem of a battery that does not compute, and
    FactorDataError for an unknown or invalid sourcing rule.
    """
    from carbonfp.data.sourcing import load_sourcing_data, load_sourcing_rule
    from carbonfp.engine.sourcing import battery_sourcing, sourcing_document

    data = load_sourcing_data()
    loaded = [load_sourcing_rule(ref) for ref in dict.fromkeys(sourcing_rules)]
    batch = calculate_many(projects, factors, rules, layers=layers, policy=policy)
    batteries = []
    for outcome in batch:
        if outcome.error is not None:
            raise outcome.error
        assert outcome.evaluated is not None
        entry = battery_sourcing(outcome.evaluated, outcome.index, data, loaded)
        batteries.append({**entry, "source": outcome.source})
    return sourcing_document(batteries, data, loaded)
