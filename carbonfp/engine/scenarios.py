"""Scenarios: one battery under other settings or at another plant, and two batteries side by
side (``carbonfp compare`` and ``carbonfp report``); and the screening estimate without a BOM.

Each scenario is a new project or new settings computed by the same engine; the comparison is
plain data: per scenario the totals, per stage the change from the baseline, and the lines
that explain it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from carbonfp.errors import InputError, Location, UsageError
from carbonfp.method.screening import ScreeningParameters
from carbonfp.model import (
    ActivityLine,
    Battery,
    Declaration,
    FactorSet,
    LineKind,
    Project,
    Ruleset,
    SuppliedFactor,
    grid_factor_id,
)
from carbonfp.origins import OriginScenario

if TYPE_CHECKING:
    from carbonfp.data.sourcing import SourcingRule

#: The label of the project as given, the baseline of a what-if on origin.
AS_GIVEN = "as given"


@dataclass(frozen=True)
class Scenario:
    """One declaration of a comparison, with the inputs it was computed from."""

    label: str
    project: Project
    factors: FactorSet
    ruleset: Ruleset
    declaration: Declaration
    #: with a what-if on origin: where the battery comes from (carbonfp.engine.sourcing) and
    #: the lines the what-if moved
    sourcing: dict[str, Any] | None = None


def split_countries(values: Sequence[str] | None) -> list[str]:
    """``--plant-country`` values, repeated or separated by commas, as upper-case codes."""
    return [c.strip().upper() for v in values or [] for c in v.split(",") if c]


def build_scenarios(
    projects: Sequence[tuple[str, Project]],
    *,
    rules: Sequence[str] = (),
    factor_sets: Sequence[str] = (),
    policies: Sequence[str] = (),
    plant_countries: Sequence[str] = (),
    every_block: bool = False,
    layers: Sequence[str] = (),
    mode: str = "screening",
    require_variation: bool = True,
    command: str = "compare",
    origins: Sequence[OriginScenario] = (),
    sourcing_rules: Sequence[SourcingRule] = (),
) -> tuple[str | None, list[Scenario]]:
    """The dimension that varies and one scenario per value, baseline first.

    ``projects``: (label, project) of one or two projects. A single value of an option applies
    to every scenario. ``origins``: what-ifs on origin, each a scenario after the project as
    given ("as given"); each scenario then also carries where the battery comes from, with the
    findings of ``sourcing_rules``. With ``require_variation`` false, nothing may vary: the
    result is ``(None, [the one scenario])``. ``layers`` are user factor sets laid over each
    scenario's base set; ``command`` names the command in messages.

    Raises UsageError when more than one thing varies (or, with ``require_variation``, none),
    for more than two projects or an unknown electricity policy; and what loading the factor
    sets and the ruleset or calculating raise.
    """
    from carbonfp.engine.calculate import calculate
    from carbonfp.run import RunOptions, run_config

    countries = split_countries(plant_countries)
    rules_, sets_, policies_ = list(rules), list(factor_sets), list(policies)
    varying: dict[str, list[str]] = {
        "project": [label for label, _ in projects] if len(projects) > 1 else [],
        "rules": rules_ if len(rules_) > 1 else [],
        "factor set": sets_ if len(sets_) > 1 else [],
        "electricity policy": policies_ if len(policies_) > 1 else [],
        "plant country": countries if len(countries) > 1 else [],
        "origin": [AS_GIVEN, *(o.name for o in origins)] if origins else [],
    }
    dims = [k for k, v in varying.items() if v]
    if len(projects) > 2:
        raise UsageError(
            "give one or two project files",
            hint="compare two projects, or one project under repeated options",
            code="invalid-option",
        )
    if len(dims) > 1 or (require_variation and not dims):
        raise UsageError(
            f"{command} varies {'exactly' if require_variation else 'at most'} one thing: "
            "two projects, or repeat one of --rules, "
            "--factor-set, --electricity-policy, --plant-country, or give --origin or --what-if"
            + (f" (now: {', '.join(dims)})" if dims else ""),
            hint="e.g. --plant-country HU,PL,SE, or --rules A --rules B",
            code="invalid-option",
        )
    dim = dims[0] if dims else None
    labels = varying[dim] if dim else [projects[0][0]]
    scenarios = []
    for i, label in enumerate(labels):
        project = projects[i][1] if dim == "project" else projects[0][1]

        def pick(values: list[str], name: str, i: int = i) -> str | None:
            return values[i] if dim == name else (values[0] if values else None)

        options = RunOptions(
            rules=pick(rules_, "rules"),
            factor_set=pick(sets_, "factor set"),
            layers=tuple(layers),
            policy=pick(policies_, "electricity policy"),
            mode=mode,
        )
        if countries:
            project = move_production(project, pick(countries, "plant country") or "", every_block)
        moves: list[dict[str, Any]] = []
        if dim == "origin" and i > 0:
            project, moves = change_origins(project, origins[i - 1])
        config = run_config(
            options,
            project.ruleset,
            project.factor_set,
            project.battery.category,
            project.factor_layers,
        )
        if dim != "origin":
            decl = calculate(
                project, config.factors, config.rules, config.mode, run=config.settings
            )
            scenarios.append(Scenario(label, project, config.factors, config.rules, decl))
            continue
        from carbonfp.data.sourcing import load_sourcing_data
        from carbonfp.engine.calculate import calculate_projects
        from carbonfp.engine.sourcing import battery_sourcing

        evaluated = calculate_projects(
            [project], config.factors, config.rules, config.mode, run=config.settings
        )
        decl = evaluated.declaration(0)  # raises the battery's problem
        found = battery_sourcing(evaluated, 0, load_sourcing_data(), sourcing_rules)
        found["moved"] = moves
        scenarios.append(Scenario(label, project, config.factors, config.rules, decl, found))
    return dim, scenarios


def comparison_data(
    dim: str,
    scenarios: Sequence[tuple[str, Declaration]],
    top: int,
    sourcing: Sequence[Mapping[str, Any] | None] = (),
    rules: Sequence[SourcingRule] = (),
) -> dict[str, Any]:
    """The comparison as plain data (what ``carbonfp compare --format json`` prints): per
    scenario the totals, per stage the change from the baseline, and the lines explaining it;
    with ``sourcing`` (per scenario, where the battery comes from: a what-if on origin), the
    sourcing findings of ``rules`` and the footprint by country side by side."""
    base_label, base = scenarios[0]
    out: dict[str, Any] = {"varies": dim, "baseline": base_label, "scenarios": []}
    for label, decl in scenarios:
        deltas = line_deltas(base, decl) if decl is not base else []
        out["scenarios"].append(
            {
                "scenario": label,
                "total_kg_co2e_per_kwh": decl.total_kg_co2e_per_kwh,
                "absolute_kg_co2e": decl.absolute_kg_co2e,
                "cradle_to_gate_kg_co2e_per_kwh_capacity": (
                    decl.cradle_to_gate_kg_co2e_per_kwh_capacity
                ),
                "total_energy_kwh": decl.functional_unit.total_energy_kwh,
                "stages": {
                    s.stage.value: {
                        "kg_co2e": s.kg_co2e,
                        "kg_co2e_per_kwh": s.kg_co2e_per_kwh,
                        "delta_kg_co2e": s.kg_co2e - base.stage(s.stage).kg_co2e,
                    }
                    for s in decl.stages
                },
                "explained_by": [
                    {
                        "line": d.explanation,
                        "before_kg_co2e": d.before_kg,
                        "after_kg_co2e": d.after_kg,
                        "delta_kg_co2e": d.delta_kg,
                    }
                    for d in deltas[:top]
                ],
            }
        )
    if sourcing and all(x is not None for x in sourcing):
        labels = [label for label, _ in scenarios]
        out["sourcing"] = sourcing_side_by_side(labels, [x for x in sourcing if x], rules)
    return out


def _finding_order(rules: Sequence[SourcingRule]) -> Any:
    """Findings by rule (in the order given), element (as the sourcing data list them),
    stage, status and country."""
    from carbonfp.data.sourcing import load_sourcing_data

    elements = [e.key for e in load_sourcing_data().elements]
    labels = [r.label for r in rules]

    def key(f: Mapping[str, Any]) -> tuple[Any, ...]:
        rule = labels.index(f["rule"]) if f["rule"] in labels else len(labels)
        element = elements.index(f["element"]) if f["element"] in elements else len(elements)
        return (rule, element, " and ".join(f["stages"]), f["status"], f["country"] or "")

    return key


def sourcing_side_by_side(
    labels: Sequence[str], entries: Sequence[Mapping[str, Any]], rules: Sequence[SourcingRule]
) -> dict[str, Any]:
    """Sourcing findings and the footprint by country of several scenarios side by side: each
    finding (rule, element, stages, status, country) once, with per scenario whether it is
    found and its amount; each country once, with its kg CO2e per scenario; the lines each
    what-if moved."""
    from carbonfp.engine.sourcing import NOTICE

    findings: dict[tuple[str, ...], dict[str, Any]] = {}
    for i, entry in enumerate(entries):
        for f in entry["findings"]:
            key = (
                f["rule"],
                f["element"],
                " and ".join(f["stages"]),
                f["status"],
                f["country"] or "",
            )
            row = findings.setdefault(
                key,
                {
                    "rule": f["rule"],
                    "element": f["element"],
                    "name": f["name"],
                    "stages": list(f["stages"]),
                    "status": f["status"],
                    "country": f["country"],
                    "message": f["message"],
                    "by_scenario": [
                        {"scenario": label, "found": False, "kg": None, "share": None}
                        for label in labels
                    ],
                },
            )
            row["by_scenario"][i] = {
                "scenario": labels[i],
                "found": True,
                "kg": f["kg"],
                "share": f["share"],
            }
    countries: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(entries):
        for c in entry["footprint"]["countries"]:
            row = countries.setdefault(
                c["country"],
                {"country": c["country"], "name": c["name"], "kg_co2e": [0.0] * len(labels)},
            )
            row["kg_co2e"][i] = c["kg_co2e"]
    return {
        "notice": NOTICE,
        "rules": [r.label for r in rules],
        "findings": sorted(findings.values(), key=_finding_order(rules)),
        "footprint_by_country": sorted(
            countries.values(),
            key=lambda r: (r["country"] == "unknown", -r["kg_co2e"][0], r["country"]),
        ),
        "moved": [
            {"scenario": label, "lines": e.get("moved", [])}
            for label, e in zip(labels, entries, strict=True)
        ],
    }


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


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
        replace(line, origin=code, factor_id=grid_factor_id(code))
        if line.kind is LineKind.ELECTRICITY and (every_block or (line.origin or here) == here)
        else line
        for line in project.lines
    )
    return replace(project, plant=replace(project.plant, country=code), lines=lines)


def change_origins(
    project: Project, scenario: OriginScenario
) -> tuple[Project, list[dict[str, Any]]]:
    """The project with the what-if's changes of origin, and what each change moved: the lines
    of a material (its id or a catalogue alias) or the line of a label (or every line of a
    sub-BOM line's label) get the change's origin, and its factor where the change gives one;
    a line moved without a factor keeps its own (carbonfp never picks a factor by origin).

    Raises InputError (``invalid-value``) for a change that matches no line of the project.
    """
    from carbonfp.data.catalogue import load_catalogue

    catalogue = load_catalogue()
    lines = list(project.lines)
    moves: list[dict[str, Any]] = []
    for change in scenario.changes:
        material = catalogue.canonical(change.target) or change.target
        hits: list[int] = []
        if change.by in ("", "material"):
            hits = [
                i
                for i, line in enumerate(lines)
                if line.kind is LineKind.MATERIAL
                and line.factor_id is not None
                and (catalogue.canonical(line.factor_id) or line.factor_id) == material
            ]
        if not hits and change.by in ("", "line"):
            hits = [
                i
                for i, line in enumerate(lines)
                if line.label == change.target or line.label.startswith(change.target + " (x")
            ]
        if not hits:
            raise InputError(
                f"what-if {scenario.name!r}: no line of the project is of material "
                f"{change.target!r} or has that label",
                where=Location(project.label),
                hint="name a material id or alias of the BOM (carbonfp materials), or a line's "
                "label as carbonfp prints it (cells (x96) > copper foil)",
                code="invalid-value",
            )
        for i in hits:
            line = lines[i]
            supplied = change.factor or line.supplied
            lines[i] = replace(line, origin=change.origin, supplied=supplied)
            moves.append(
                {
                    "line": line.label,
                    "where": str(line.where),
                    "from": line.origin,
                    "to": change.origin,
                    "factor": (
                        f"{change.factor.value:g} {change.factor.unit} ({change.factor.source})"
                        if change.factor
                        else None
                    ),
                    "note": "the user's factor for this origin"
                    if change.factor
                    else "no factor given for this origin: the line keeps its factor, so only "
                    "the sourcing changes",
                }
            )
    return replace(project, lines=tuple(lines)), moves


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


# --------------------------------------------------------------------------------------------
# The screening estimate: no BOM, one declaration per plant country
# --------------------------------------------------------------------------------------------


def screening_parameters(
    rules: Ruleset,
    *,
    cell_electricity: str | None = None,
    cell_gas: str | None = None,
    distribution: str | None = None,
    end_of_life: SuppliedFactor | None = None,
    materials: SuppliedFactor | None = None,
) -> ScreeningParameters:
    """The estimate's activity data: the ruleset's ``[screening]`` settings, each overridable
    (quantities as text, e.g. "20.1 kWh" per kWh of capacity); ``materials``, the user's own
    materials factor per kWh of capacity, replaces the factor set's screening row.

    Raises UsageError when the ruleset has no [screening] settings, InputError for a value
    that is not a quantity of the right kind.
    """
    from carbonfp.errors import Location
    from carbonfp.units import quantity_in

    settings = rules.screening
    if not settings:
        raise UsageError(
            f"ruleset {rules.id} has no [screening] settings",
            hint="use a ruleset with screening settings, e.g. eu-ev-draft-2024-04",
            code="invalid-option",
        )
    where = Location("estimate options")
    return ScreeningParameters(
        cell_electricity_kwh_per_kwh=quantity_in(
            cell_electricity or settings["cell_electricity"], "kWh", where, "cell electricity"
        ),
        cell_natural_gas_mj_per_kwh=quantity_in(
            cell_gas or settings["cell_natural_gas"], "MJ", where, "cell natural gas"
        ),
        energy_source=settings["energy_source"]
        if not (cell_electricity or cell_gas)
        else "user value",
        distribution_mode=settings["distribution_mode"],
        distribution_km=quantity_in(
            distribution or settings["distribution_distance"], "km", where, "distribution"
        ),
        distribution_is_assumption=distribution is None,
        end_of_life=end_of_life,
        materials=materials,
    )


def estimate(
    battery: Battery,
    countries: Sequence[str],
    params: ScreeningParameters,
    factors: FactorSet,
    rules: Ruleset,
    run: tuple[tuple[str, str, str], ...] = (),
) -> list[Declaration]:
    """Screening declarations of ``battery`` made in each of ``countries`` (no BOM): the
    screening row of its chemistry per kWh (or the user's own factor, ``params.materials``),
    cell-plant energy at each country's grid, a distribution leg where the battery's mass is
    given or estimated from an open specific energy (else none, and the estimate says so).

    Raises UsageError for a capacity that is not positive, a vehicle category that does not go
    with the battery's category, or an end-of-life value per kg without a mass; InputError for
    a chemistry (without ``params.materials``) or country the set has no factor for.
    """
    from carbonfp.engine.calculate import calculate
    from carbonfp.method.screening import (
        VEHICLE_CATEGORIES,
        estimated_mass,
        screening_project,
        screening_row,
        vehicle_category_problem,
    )

    if not battery.usable_capacity_kwh > 0:
        raise UsageError(
            f"--capacity must be greater than zero, got {battery.usable_capacity_kwh:g} kWh",
            hint='e.g. --capacity "75 kWh"',
            code="invalid-option",
        )
    problem = vehicle_category_problem(battery.category, battery.vehicle_category)
    if problem:
        raise UsageError(
            problem,
            hint="vehicle categories by --battery-category: "
            + "; ".join(f"{c.value}: {v}" for c, v in VEHICLE_CATEGORIES.items()),
            code="invalid-option",
        )
    if params.materials is None:
        screening_row(battery.chemistry, factors)  # raises for a chemistry without one
    battery, mass_basis = estimated_mass(battery, factors)
    if not battery.mass_kg > 0 and params.end_of_life is not None:
        raise UsageError(
            f"no mass for the end-of-life value per kg: {factors.label} has no specific energy "
            f"for chemistry {battery.chemistry!r} to estimate it from",
            hint='give the battery\'s mass, e.g. --mass "3200 kg"',
            code="missing-option",
        )
    params = replace(params, mass_basis=mass_basis)
    return [
        calculate(screening_project(battery, c, params, factors), factors, rules, run=run)
        for c in dict.fromkeys(countries)
    ]
