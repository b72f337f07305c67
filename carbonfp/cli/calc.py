"""``carbonfp calc``: compute and print or export a battery's carbon footprint declaration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FactorSetOption,
    LayersOption,
    ModeOption,
    QuietOption,
    RulesOption,
    emit,
)
from carbonfp.errors import GateError, Location, UsageError


class CalcFormat(str, Enum):
    """What ``carbonfp calc`` writes."""

    text = "text"
    json = "json"
    csv = "csv"
    batterypass = "batterypass"
    pact = "pact"
    xlsx = "xlsx"


CalcFormatOption = Annotated[
    CalcFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text, json (the full record), csv (tidy; --lines), batterypass "
        "(battery passport carbon footprint), pact (PACT 2.3 ProductFootprint, cradle-to-gate "
        "per kg), xlsx (workbook; needs --output).",
        case_sensitive=False,
    ),
]


def calc(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Project files (battery.toml), globs or folders (every battery.toml below); or "
            "one long BOM CSV (a battery column) with --batteries.",
            show_default=False,
        ),
    ],
    fmt: CalcFormatOption = CalcFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (atomically) instead of stdout; with many batteries, an "
            "existing folder gets one file per battery.",
        ),
    ] = None,
    rules: RulesOption = None,
    factor_set: FactorSetOption = None,
    layers: LayersOption = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="CSV: one row per BOM or energy line.")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="How many top contributors.")] = 10,
    mode: ModeOption = "screening",
    batteries: Annotated[
        Path | None,
        typer.Option(
            "--batteries",
            help="Battery table (CSV: battery, vehicle_category, usable_capacity_kwh, "
            "warranty_years, ...) for a long BOM of many variants.",
            dir_okay=False,
        ),
    ] = None,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            min=2,
            help="Monte Carlo with this many draws (text and json): mean, median, 95 % "
            "interval and the inputs that drive the variance.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
    timestamp: Annotated[
        bool,
        typer.Option(
            "--timestamp",
            help="JSON: add generated_at (UTC); PACT: created is now (UTC). Off by default, so "
            "that the same inputs give the same bytes.",
        ),
    ] = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Compute the Article 7 declaration: kg CO2e per kWh delivered, per life-cycle stage.

    Examples: carbonfp calc samples/ev-nmc811-hu/battery.toml --format json -o decl.json;
    carbonfp calc samples/ --format csv (every battery.toml below, one combined CSV);
    carbonfp calc variants.csv --batteries batteries.csv --format csv -o results.csv
    """
    with errors_to_exit_codes(debug):
        if mode not in ("screening", "declaration"):
            raise UsageError(f"--mode must be screening or declaration, not {mode!r}")
        if fmt is CalcFormat.xlsx and output is None:
            raise UsageError(
                "--format xlsx writes a binary workbook and needs --output",
                hint="add -o declaration.xlsx",
            )
        options = _Options(
            fmt,
            rules,
            factor_set,
            [str(p) for p in layers or []],
            lines,
            top,
            mode,
            timestamp,
            quiet,
            uncertainty,
            seed,
        )
        long_bom = len(inputs) == 1 and inputs[0].lower().endswith((".csv", ".xlsx"))
        if batteries is not None or long_bom:
            if batteries is None:
                raise UsageError(
                    f"{inputs[0]} is a BOM; calc takes project files (battery.toml), or a long "
                    "BOM with a battery column together with --batteries TABLE.csv",
                    hint="see the README, sections 'Input formats' and 'Many batteries'",
                )
            _calc_long(Path(inputs[0]), batteries, output, options)
            return
        projects = _expand(inputs)
        if len(projects) == 1 and not (output is not None and output.is_dir()):
            _calc_one(projects[0], output, options)
            return
        _calc_many(projects, output, options)


@dataclass(frozen=True)
class _Options:
    fmt: CalcFormat
    rules: str | None
    factor_set: str | None
    layers: list[str]
    lines: bool
    top: int
    mode: str
    timestamp: bool
    quiet: bool
    uncertainty: int | None
    seed: int


def _expand(inputs: list[str]) -> list[Path]:
    """Project files from paths, globs and folders (every battery.toml below a folder)."""
    import glob

    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if any(c in item for c in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {item!r}")
            found += [m for m in matches if m.is_file()]
        elif path.is_dir():
            matches = sorted(path.rglob("battery.toml"))
            if not matches:
                raise UsageError(f"no battery.toml below {item}")
            found += matches
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _inputs_for(project: Path, options: _Options) -> tuple[Any, Any, Any]:
    from carbonfp.data import load_factors, load_rules
    from carbonfp.inputs.project import load_project

    loaded = load_project(project)
    ruleset = load_rules(options.rules or loaded.ruleset or "eu-ev-draft-2024-04")
    base = options.factor_set or loaded.factor_set or ruleset.default_factor_set
    factors = load_factors([base, *options.layers])
    return loaded, factors, ruleset


def _gate(declaration: Any) -> None:
    if declaration.gate_failures:
        raise GateError(
            "not a declaration: " + " | ".join(declaration.gate_failures),
            where=Location(declaration.project.label),
            hint="give company- or supplier-specific data (data_type = company or supplier) "
            "on these lines, or run --mode screening",
        )


def _now(options: _Options) -> Any:
    if not options.timestamp:
        return None
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0)


def _render(
    declaration: Any, ruleset: Any, options: _Options, mc: Any = None, compact: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The declaration in the chosen format (not xlsx), and warnings for stderr."""
    import json

    from carbonfp.formats.declaration import to_csv, to_dict, to_text, uncertainty_dict

    now = _now(options)
    fmt = options.fmt
    if fmt is CalcFormat.json:
        data = to_dict(declaration, options.top, now.isoformat() if now else None)
        if mc is not None:
            data["uncertainty"] = uncertainty_dict(mc)
        if compact:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", ()
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n", ()
    if fmt is CalcFormat.csv:
        return to_csv(declaration, options.lines), ()
    if fmt is CalcFormat.batterypass:
        from carbonfp.formats.batterypass import batterypass
        from carbonfp.formats.pact import dumps

        export = batterypass(declaration)
        return _compact(dumps(export.data), compact), export.notes
    if fmt is CalcFormat.pact:
        from carbonfp.formats.pact import dumps, pact_footprint

        export = pact_footprint(declaration, ruleset, now)
        return _compact(dumps(export.data), compact), export.notes
    text = to_text(declaration, options.top)
    if mc is not None:
        from carbonfp.formats.declaration import uncertainty_text

        text += "\n" + uncertainty_text(mc)
    return text, ()


def _compact(text: str, compact: bool) -> str:
    if not compact:
        return text
    import json

    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) + "\n"


def _calc_one(project: Path, output: Path | None, options: _Options) -> None:
    from carbonfp.method.calculate import calculate

    if output is not None and not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    if project.suffix.lower() in (".csv", ".xlsx"):
        raise UsageError(
            f"{project.name} is a BOM; calc takes a project file (battery.toml)",
            hint="a project file names the battery, plant and its BOM: see the README, "
            "section 'Input formats'",
        )
    loaded, factors, ruleset = _inputs_for(project, options)
    declaration = calculate(loaded, factors, ruleset, options.mode)
    _gate(declaration)
    mc = None
    if options.uncertainty is not None:
        if options.fmt not in (CalcFormat.text, CalcFormat.json):
            raise UsageError("--uncertainty works with --format text or json")
        from carbonfp.method.uncertainty import monte_carlo

        mc = monte_carlo(loaded, factors, ruleset, options.uncertainty, options.seed)
    if options.fmt is CalcFormat.xlsx:
        from carbonfp.formats.xlsx import write_xlsx

        assert output is not None
        write_xlsx(output, declaration, _now(options))
        if not options.quiet:
            typer.echo(f"carbonfp: wrote {output}", err=True)
        return
    text, notes = _render(declaration, ruleset, options, mc)
    if not options.quiet:
        for note in notes:
            typer.echo(f"carbonfp: warning: {note}", err=True)
    emit(text, output, options.quiet)


_EXT = {
    CalcFormat.text: "txt",
    CalcFormat.json: "json",
    CalcFormat.csv: "csv",
    CalcFormat.batterypass: "batterypass.json",
    CalcFormat.pact: "pact.json",
    CalcFormat.xlsx: "xlsx",
}


def _name_of(project: Path) -> str:
    return project.parent.name if project.name == "battery.toml" else project.stem


def _calc_many(projects: list[Path], output: Path | None, options: _Options) -> None:
    """Many project files: each read and resolved, then all lines in one vectorised pass."""
    from carbonfp.cli.boundary import report
    from carbonfp.errors import CarbonfpError, ExitCode
    from carbonfp.files import write_atomic
    from carbonfp.method.calculate import evaluate, finish, prepare

    if options.uncertainty is not None:
        raise UsageError("--uncertainty takes one project")
    to_folder = output is not None and output.is_dir()
    if options.fmt is CalcFormat.xlsx and not to_folder:
        raise UsageError("--format xlsx with many batteries needs --output FOLDER")
    if output is not None and not to_folder and not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    worst = 0
    prepared = []
    names = []
    with _progress(len(projects), options.quiet) as advance:
        for project in projects:
            try:
                loaded, factors, ruleset = _inputs_for(project, options)
                prepared.append(prepare(loaded, factors, ruleset, options.mode))
                names.append(_name_of(project))
            except CarbonfpError as exc:
                report(exc)
                worst = max(worst, int(exc.exit_code))
            advance()
    kg, per_stage = evaluate(prepared)
    parts: list[str] = []
    start = 0
    done = 0
    for i, item in enumerate(prepared):
        end = start + len(item.lines)
        try:
            declaration = finish(item, kg[start:end], per_stage[i])
            _gate(declaration)
        except CarbonfpError as exc:
            report(exc)
            worst = max(worst, int(exc.exit_code))
            start = end
            continue
        start = end
        done += 1
        if to_folder and options.fmt is CalcFormat.xlsx:
            from carbonfp.formats.xlsx import write_xlsx

            assert output is not None
            write_xlsx(output / f"{names[i]}.xlsx", declaration, _now(options))
            continue
        text, notes = _render(declaration, item.rules, options, compact=not to_folder)
        if not options.quiet:
            for note in notes:
                typer.echo(f"carbonfp: warning: {names[i]}: {note}", err=True)
        if to_folder:
            assert output is not None
            write_atomic(output / f"{names[i]}.{_EXT[options.fmt]}", text)
        elif options.fmt is CalcFormat.csv and parts:
            parts.append(text.split("\n", 1)[1])  # one header for the combined stream
        else:
            parts.append(
                text
                if options.fmt is not CalcFormat.text or not parts
                else "\n" + "=" * 78 + "\n\n" + text
            )
    if not to_folder:
        emit("".join(parts), output, True)
    if not options.quiet:
        where = f" into {output}" if output is not None else ""
        typer.echo(
            f"carbonfp: computed {done} of {len(projects)} batteries{where}"
            + (f"; {len(projects) - done} failed (see above)" if done < len(projects) else ""),
            err=True,
        )
    if worst:
        raise typer.Exit(worst if worst in tuple(ExitCode) else 1)


def _calc_long(bom_path: Path, batteries: Path, output: Path | None, options: _Options) -> None:
    """A long BOM of many variants: one vectorised pass over every line of every battery."""
    from carbonfp.batch import compute_long, long_to_csv, read_long
    from carbonfp.data import load_factors, load_rules
    from carbonfp.errors import ExitCode
    from carbonfp.files import write_atomic

    if options.fmt not in (CalcFormat.csv, CalcFormat.json, CalcFormat.text):
        raise UsageError("a long BOM gives --format csv, json (JSON lines) or text")
    ruleset = load_rules(options.rules or "eu-ev-draft-2024-04")
    factors = load_factors([options.factor_set or ruleset.default_factor_set, *options.layers])
    with _progress(3, options.quiet) as advance:
        bom, table = read_long(bom_path, batteries)
        advance()
        result = compute_long(bom, table, factors, ruleset)
        advance()
        to_folder = output is not None and output.is_dir()
        if to_folder:
            assert output is not None
            text = long_to_csv(result)
            header, *rows = text.splitlines()
            by_battery: dict[str, list[str]] = {}
            for row in rows:
                by_battery.setdefault(row.split(",", 1)[0], []).append(row)
            for battery, battery_rows in by_battery.items():
                write_atomic(output / f"{battery}.csv", "\n".join([header, *battery_rows]) + "\n")
        else:
            emit(_long_text(result, options.fmt, long_to_csv), output, True)
        advance()
    for problem in result.problems:
        typer.echo(
            f"carbonfp: error: {problem.message} ({problem.where}) [battery {problem.battery}]",
            err=True,
        )
    if result.problems:
        typer.echo(
            "hint: fix or remove the lines named above; the other batteries were computed",
            err=True,
        )
    failed = result.batteries_read - len(result.table)
    if not options.quiet:
        typer.echo(
            f"carbonfp: computed {len(result.table)} of {result.batteries_read} batteries "
            f"({result.lines_read} lines) in one pass"
            + (f"; {failed} skipped for the errors above" if failed else ""),
            err=True,
        )
    if result.problems:
        raise typer.Exit(int(ExitCode.INPUT))


def _long_text(result: Any, fmt: CalcFormat, long_to_csv: Any) -> str:
    import json

    t = result.table
    if fmt is CalcFormat.csv:
        return str(long_to_csv(result))
    stages = ["raw_materials", "production", "distribution", "end_of_life"]
    if fmt is CalcFormat.json:
        out = []
        for battery, row in t.iterrows():
            e = float(row["total_energy_kwh"])
            out.append(
                json.dumps(
                    {
                        "battery": battery,
                        "total_energy_kwh": e,
                        "total_kg_co2e_per_kwh": float(f"{row['total'] / e:.10g}"),
                        "absolute_kg_co2e": float(f"{row['total']:.10g}"),
                        "stages": {
                            s: {
                                "kg_co2e": float(f"{row[s]:.10g}"),
                                "kg_co2e_per_kwh": float(f"{row[s] / e:.10g}"),
                            }
                            for s in stages
                        },
                    },
                    separators=(",", ":"),
                )
            )
        return "\n".join(out) + ("\n" if out else "")
    lines = [
        f"{'battery':<24}{'kg CO2e/kWh':>12}{'kg CO2e':>12}" + "".join(f"{s:>15}" for s in stages)
    ]
    for battery, row in t.iterrows():
        e = float(row["total_energy_kwh"])
        lines.append(
            f"{str(battery)[:23]:<24}{row['total'] / e:>12.4f}{row['total']:>12.1f}"
            + "".join(f"{row[s] / e:>15.4f}" for s in stages)
        )
    return "\n".join(lines) + "\n"


@contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal; silence in pipes and with --quiet."""
    import sys

    if quiet or total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("computing", total=total)
        yield lambda: bar.advance(task)
