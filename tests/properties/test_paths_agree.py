"""A battery gets the same declaration from a project folder and from long-BOM rows.

Hypothesis draws random projects (paths_support.py: sub-BOMs nested up to two levels with
counts up to 200, supplier factors with and without sources, negative end-of-life factors,
recycled shares, [end_of_life] groups, electricity of every supply with and without evidence,
fuels, process gases, transport legs, EV and LMT batteries, roles on BOM parts and energy
blocks (valid, none, or now and then one the line's kind does not take), material ids written
as catalogue aliases or in another case) and writes each one twice,
independently: (a) as a project folder, (b) as lines.csv + batteries.csv written from this
suite's own reading of docs/long-bom.md, never through carbonfp's flatten or readers.

- ``test_a_battery_gets_the_same_declaration_from_a_project_and_from_long_bom_rows`` computes
  both through the public API (carbonfp.load_project / calculate and carbonfp.load_long_bom /
  calculate_many) under both shipped rulesets (national-mix and market-based), and compares the
  JSON records: numbers to 1e-9 relative, text apart from file locations (the warnings
  included: role-given, unknown-role), and the gate failures, spreads and roles of the lines;
  a project that fails must fail on the long-BOM path with the same error code. It fails until
  the long-BOM reader and the engine land (ImportError / AttributeError on the API).
- ``test_generated_projects_behave_as_the_generator_expects_today`` runs today's project reader
  and calculation on the same random projects: each computes, or fails with the code the
  generator expects, and the lines the project reader makes equal the long-BOM rows (b) holds.
- ``test_the_long_bom_writer_writes_the_columns_docs_long_bom_names`` parses (b) as CSV and
  checks its columns against the tables of docs/long-bom.md.

The comparison runs 300 examples, the generator test 250; CARBONFP_PATHS_EXAMPLES=N runs N
(and the generator test 5/6 of N).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
import re
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from paths_support import (
    EU,
    FACTOR_SET,
    GROUPS,
    LONG_BOM_DOC,
    RULESETS,
    Example,
    Project,
    differences,
    examples,
    flat_lines,
    without_locations,
    write_long_bom,
    write_project,
)

from carbonfp.formats.declaration import to_dict

EXAMPLES = int(os.environ.get("CARBONFP_PATHS_EXAMPLES", "300"))
SLOW = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]


# --------------------------------------------------------------------------------------------
# The comparison (public API; fails until the long-BOM reader and the engine exist)
# --------------------------------------------------------------------------------------------


@functools.cache
def public_api() -> SimpleNamespace:
    """The public API both paths go through, with the factor set and rulesets loaded once.

    Raises AttributeError (or ImportError) until carbonfp exports the long-BOM API.
    """
    import carbonfp

    api = SimpleNamespace(
        load_project=carbonfp.load_project,
        load_long_bom=carbonfp.load_long_bom,
        calculate=carbonfp.calculate,
        calculate_many=carbonfp.calculate_many,
        load_factors=carbonfp.load_factors,
        load_rules=carbonfp.load_rules,
        CarbonfpError=carbonfp.CarbonfpError,
    )
    api.factors = api.load_factors([FACTOR_SET])
    api.rules = {ruleset: api.load_rules(ruleset) for ruleset in RULESETS}
    return api


def runs(ex: Example, api: SimpleNamespace) -> list[tuple[str | None, Any, Any]]:
    """(ruleset id, factors, rules) to compute with: both shipped rulesets, or what the files
    name ([method] / method.* columns) when the example says so."""
    if ex.rules_from_files:
        return [(None, None, None)]
    return [(ruleset, api.factors, api.rules[ruleset]) for ruleset in RULESETS]


def skipper(p: Project) -> Any:
    """Record paths not compared: the input files (they differ by design) and, when the long
    BOM carries no notes, the allocation text."""

    def skip(path: str) -> bool:
        if path == "$.provenance.inputs":
            return True
        return (
            not p.notes_written and re.fullmatch(r"\$\.lines\[\d+\]\.allocation", path) is not None
        )

    return skip


def extras(decl: Any) -> dict[str, Any]:
    """What the JSON record does not hold but both paths must agree on: gate failures, the
    geometric standard deviations of the lines (Monte Carlo inputs) and their roles as given."""
    out: dict[str, Any] = {}
    if hasattr(decl, "gate_failures"):
        out["gate_failures"] = [without_locations(g) for g in decl.gate_failures]
    with contextlib.suppress(AttributeError):
        out["gsd"] = [(r.line.quantity_gsd, r.line.factor_gsd) for r in decl.lines]
    with contextlib.suppress(AttributeError):
        out["role"] = [r.line.role for r in decl.lines]
    with contextlib.suppress(AttributeError):
        out["declaration_info"] = repr(decl.project.declaration)
    return out


def project_outcome(
    api: SimpleNamespace, project: Any, factors: Any, rules: Any, mode: str
) -> tuple[Any, Any]:
    """(declaration, None) or (None, error) of a loaded project (or of its loading error)."""
    if isinstance(project, BaseException):
        return None, project
    try:
        return api.calculate(project, factors=factors, rules=rules, mode=mode), None
    except api.CarbonfpError as exc:
        return None, exc


def load(api: SimpleNamespace, path: Path) -> Any:
    """The project, or the CarbonfpError reading it raised."""
    try:
        return api.load_project(path)
    except api.CarbonfpError as exc:
        return exc


def test_a_battery_gets_the_same_declaration_from_a_project_and_from_long_bom_rows() -> None:
    api = public_api()  # fails here, at once, until the API exists
    compared = [0]  # projects compared field by field (declarations) or by error code
    # what the comparisons met: warning and error codes, materials written another way
    seen: dict[str, int] = {}

    def count(key: str) -> None:
        seen[key] = seen.get(key, 0) + 1

    # one bug at a time: shrinking every distinct failure of this big strategy takes minutes
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=SLOW,
        report_multiple_bugs=False,
    )
    @given(examples())
    def check(ex: Example) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            lines_csv, batteries_csv = write_long_bom(ex, root / "long")
            tomls = [write_project(p, root / f"project-{i}") for i, p in enumerate(ex.projects)]
            for written in (batteries_csv, lines_csv, *tomls):
                note(f"--- {written.name}:\n{written.read_text(encoding='utf-8-sig')}")
            # a bad battery fails alone: reading the long BOM never stops the others
            inputs = api.load_long_bom(lines_csv, batteries_csv)
            projects = [load(api, path) for path in tomls]
            for ruleset, factors, rules in runs(ex, api):
                batch = api.calculate_many(inputs, factors=factors, rules=rules, mode=ex.mode)
                outcomes = list(batch.outcomes)
                ids = [o.battery for o in outcomes]
                assert ids == [p.battery_id for p in ex.projects], f"battery ids {ids!r}"
                for p, project, outcome in zip(ex.projects, projects, outcomes, strict=True):
                    compared[0] += 1
                    rid = ruleset or p.method.get("ruleset", EU)
                    what = f"battery {p.battery_id!r} under {rid} ({ex.mode}, fault {p.fault})"
                    decl, error = project_outcome(api, project, factors, rules, ex.mode)
                    code = None if error is None else error.code
                    count(f"fault {p.fault}")
                    if any(part.spelling for part in p.parts()):
                        count("spelled material")
                    if ex.mode == "screening":
                        assert code == p.expected[rid], f"{what}: project path gave {code}: {error}"
                    if error is not None:
                        assert outcome.declaration is None and outcome.error is not None, (
                            f"{what}: the project fails with {code} ({error}), the long BOM "
                            "computes"
                        )
                        assert outcome.error.code == code, (
                            f"{what}: project fails with {code} ({error}), long BOM with "
                            f"{outcome.error.code} ({outcome.error})"
                        )
                        count(f"error {code}")
                        continue
                    assert outcome.error is None and outcome.declaration is not None, (
                        f"{what}: the project computes, the long BOM fails with "
                        f"{getattr(outcome.error, 'code', None)}: {outcome.error}"
                    )
                    found = differences(
                        to_dict(decl), to_dict(outcome.declaration), skip=skipper(p)
                    )
                    assert not found, f"{what}:\n" + "\n".join(found[:40])
                    found = differences(extras(decl), extras(outcome.declaration), "$extras")
                    assert not found, f"{what}:\n" + "\n".join(found[:40])
                    for warning in decl.warnings:
                        count(f"warning {warning.code}")
                    if decl.gate_failures:
                        count("gate failure")

    check()
    print(f"paths compared: {compared[0]} projects; met: {dict(sorted(seen.items()))}")
    assert compared[0] >= EXAMPLES * 5 // 3, f"only {compared[0]} random projects compared"
    if EXAMPLES >= 300:  # the role and alias branches were met (they are drawn often enough)
        for key in (
            "warning role-given",
            "warning unknown-role",
            "error invalid-value",
            "gate failure",
            "spelled material",
        ):
            assert seen.get(key), f"no example met {key!r}: {seen}"


# --------------------------------------------------------------------------------------------
# The generator against today's code (always runs)
# --------------------------------------------------------------------------------------------


@functools.cache
def today() -> SimpleNamespace:
    """Today's reader, calculation and data, loaded once."""
    from carbonfp.data import load_factors, load_rules
    from carbonfp.engine.calculate import calculate
    from carbonfp.errors import CarbonfpError
    from carbonfp.inputs.project import load_project

    return SimpleNamespace(
        load_project=load_project,
        calculate=calculate,
        CarbonfpError=CarbonfpError,
        factors=load_factors([FACTOR_SET]),
        rules={ruleset: load_rules(ruleset) for ruleset in RULESETS},
    )


def _supplied(factor: Any) -> tuple[float, str, str] | None:
    return None if factor is None else (factor.value, factor.unit, factor.source)


def check_lines_against_project(p: Project, project: Any) -> None:
    """The rows (b) writes equal the lines the project reader makes, field by field (exact
    floats), with the defaults docs/long-bom.md gives an empty data_type cell."""
    flats = flat_lines(p)
    assert len(project.lines) == len(flats), (len(project.lines), len(flats))
    for i, (want, line) in enumerate(zip(flats, project.lines, strict=True)):
        got = {
            "label": line.label,
            "component": line.component,
            "kind": line.kind.value,
            "material": line.factor_id,
            "quantity": line.quantity,
            "unit": line.unit,
            "stage": line.stage.value if line.stage else None,
            "origin": line.origin,
            "recycled_share": line.recycled_share,
            "factor": _supplied(line.supplied),
            "data_type": line.data_type.value,
            "dqr": line.dqr,
            "quantity_gsd": line.quantity_gsd,
            "factor_gsd": line.factor_gsd,
            "role": line.role,
            "note": line.note,
        }
        expected = {
            "label": want.path,
            "component": want.component,
            "kind": want.kind,
            "material": want.material,
            "quantity": want.quantity,
            "unit": want.unit,
            "stage": want.stage,
            "origin": want.origin,
            "recycled_share": want.recycled_share,
            "factor": None
            if want.factor is None
            else (want.factor.value, want.factor.unit, want.factor_source),
            "data_type": want.effective_data_type,
            "dqr": want.dqr,
            "quantity_gsd": want.quantity_gsd,
            "factor_gsd": want.factor_gsd,
            "role": want.role,
            "note": want.note,
        }
        assert got == expected, f"line {i}"
        if want.kind == "electricity":
            s = line.supply
            supply = want.supply
            assert s.supply.value == (supply["supply"] or "grid")
            assert s.technology == supply["technology"]
            assert s.share == (1.0 if supply["share"] is None else supply["share"])
            for key in (
                "certificate_id",
                "conveys_attributes",
                "cancelled_for_user",
                "generation_period",
                "consumption_period",
                "market",
            ):
                assert getattr(s, key) == supply[key], key
            residual = supply["residual_mix"]
            assert _supplied(s.residual_mix) == (
                None
                if residual is None
                else (residual.value, residual.unit, supply["residual_mix_source"])
            )


def check_battery_against_project(p: Project, project: Any) -> None:
    b = project.battery
    assert b.model == p.battery["model"]
    assert b.category.value == p.battery["category"]
    assert b.vehicle_category == p.battery["vehicle_category"]
    assert b.usable_capacity_kwh == p.battery_value("usable_capacity", "kWh")
    assert b.nominal_capacity_kwh == p.battery_value("nominal_capacity", "kWh")
    assert b.mass_kg == p.battery_value("mass", "kg")
    assert b.warranty_years == p.battery["warranty_years"]
    assert b.warranty_km == p.battery_value("warranty_km", "km")
    assert b.annual_distance_km == p.battery_value("annual_distance", "km")
    assert b.vehicle_consumption_kwh_per_km == p.battery_value("vehicle_consumption", "kWh/km")
    assert project.plant.country == p.plant_country
    assert project.ruleset == p.method.get("ruleset")
    if p.eol_route is None:
        assert project.end_of_life is None
    else:
        assert project.end_of_life.route == p.eol_route
        assert set(project.end_of_life.materials) == set(p.eol) <= set(GROUPS)
        for name, entry in p.eol.items():
            m = project.end_of_life.materials[name]
            assert (m.r2, m.r3, m.q_out) == (entry.get("R2"), entry.get("R3"), entry.get("Qsout"))
            for key in ("recycling", "disposal", "recycled_input", "energy_recovery"):
                q = entry.get(key)
                want = None if q is None else (q.value, q.unit, entry[f"{key}_source"])
                assert _supplied(getattr(m, key)) == want, (name, key)


@settings(max_examples=max(1, EXAMPLES * 5 // 6), deadline=None, suppress_health_check=SLOW)
@given(examples())
def test_generated_projects_behave_as_the_generator_expects_today(ex: Example) -> None:
    code = today()
    with tempfile.TemporaryDirectory() as tmp:
        for i, p in enumerate(ex.projects):
            path = write_project(p, Path(tmp) / f"project-{i}")
            try:
                project = code.load_project(path)
            except code.CarbonfpError as exc:
                assert set(p.expected.values()) == {exc.code}, (
                    f"fault {p.fault}: load_project raised {exc.code}: {exc}"
                )
                continue
            check_battery_against_project(p, project)
            check_lines_against_project(p, project)
            for ruleset in RULESETS:
                try:
                    decl = code.calculate(project, code.factors, code.rules[ruleset], ex.mode)
                except code.CarbonfpError as exc:
                    assert p.expected[ruleset] == exc.code, (
                        f"fault {p.fault}, {ruleset}: calculate raised {exc.code}: {exc}"
                    )
                    continue
                assert p.expected[ruleset] is None, (
                    f"fault {p.fault}, {ruleset}: expected {p.expected[ruleset]}, it computes"
                )
                assert decl.absolute_kg_co2e > 0
                # the record serialises (what the comparison test compares)
                assert to_dict(decl)["provenance"]["ruleset"] == ruleset


# --------------------------------------------------------------------------------------------
# The long-BOM writer against docs/long-bom.md
# --------------------------------------------------------------------------------------------


def _normalise(name: str) -> str:
    """docs/long-bom.md: column names are case-insensitive; spaces and '-' read as '_'."""
    return name.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


@functools.cache
def documented_columns() -> SimpleNamespace:
    """The column names of docs/long-bom.md's tables, normalised."""
    text = LONG_BOM_DOC.read_text(encoding="utf-8")
    lines_part = text.split("## LINES.csv", 1)[1].split("## BATTERIES.csv", 1)[0]
    batteries_part = text.split("## BATTERIES.csv", 1)[1].split("## Errors", 1)[0]

    def rows(part: str) -> list[list[str]]:
        out = []
        for line in part.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("|") and cells[0] not in ("column", "") and set(cells[0]) != {"-"}:
                out.append(cells)
        return out

    def names(cell: str) -> list[str]:
        # column names in backticks (`[battery]` names a table, not a column)
        return [_normalise(n) for n in re.findall(r"`([^`\[]+)`", cell)]

    line_rows = rows(lines_part)
    battery_rows = rows(batteries_part)
    eol_keys = next(r for r in battery_rows if "GROUP.KEY" in r[0])
    legacy = re.search(r"Columns named with a unit.*?\n\n", batteries_part, re.S)
    assert legacy is not None and "`battery.` prefix" in legacy.group(0)
    battery_keys = {n for r in battery_rows for n in names(r[0]) if "group" not in n}
    own_keys = {n for r in battery_rows if "[battery]" in r[1] for n in names(r[0])}
    return SimpleNamespace(
        lines={n for r in line_rows for n in names(r[0])},
        lines_required={n for r in line_rows if r[1] == "yes" for n in names(r[0])},
        batteries=battery_keys | set(names(legacy.group(0))) - {"battery."},
        battery_prefixed={f"battery.{k}" for k in own_keys},
        eol_keys={k.lower() for k in names(eol_keys[2])},
        ignored={"notes", "comment", "description"},
    )


def read_table(path: Path) -> tuple[list[str], list[list[str]], str]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0]
    sep = max((",", ";", "\t"), key=first.count)
    records = list(csv.reader(text.splitlines(), delimiter=sep))
    header, body = records[0], [r for r in records[1:] if any(c.strip() for c in r)]
    assert all(len(r) == len(header) for r in body), "ragged rows"
    return [_normalise(h) for h in header], body, sep


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW)
@given(examples())
def test_the_long_bom_writer_writes_the_columns_docs_long_bom_names(ex: Example) -> None:
    doc = documented_columns()
    assert {"battery", "material", "quantity", "unit"} <= doc.lines_required
    eol_column = re.compile(r"end_of_life\.materials\.([a-z0-9_]+)\.([a-z0-9_]+)")
    groups = {_normalise(g) for g in GROUPS}
    with tempfile.TemporaryDirectory() as tmp:
        lines_csv, batteries_csv = write_long_bom(ex, Path(tmp))
        header, body, sep = read_table(lines_csv)
        assert doc.lines_required <= set(header)
        assert set(header) <= doc.lines | doc.ignored, set(header) - doc.lines - doc.ignored
        assert len(set(header)) == len(header)
        column = {name: i for i, name in enumerate(header)}
        for p in ex.projects:
            rows = [r for r in body if r[column["battery"]] == p.battery_id]
            flats = flat_lines(p)
            assert len(rows) == len(flats)
            for row, flat in zip(rows, flats, strict=True):
                quantity = row[column["quantity"]]
                assert float(quantity.replace(",", ".") if sep == ";" else quantity) == (
                    flat.quantity
                )
                assert row[column["unit"]] == flat.unit
                assert row[column["material"]] in (flat.material, "")
                assert (row[column["role"]] if "role" in column else "") == (flat.role or "")
        assert {r[column["battery"]] for r in body} == {p.battery_id for p in ex.projects}

        header, body, _ = read_table(batteries_csv)
        for name in header:
            match = eol_column.fullmatch(name)
            if match:
                assert match.group(1) in groups and match.group(2) in doc.eol_keys, name
            else:
                assert name in doc.batteries | doc.battery_prefixed, name
        assert [r[header.index("battery")] for r in body] == [p.battery_id for p in ex.projects]
