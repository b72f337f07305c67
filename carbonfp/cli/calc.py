"""``carbonfp calc``: compute and print or export carbon footprint declarations.

One project, many projects (files, globs, folders) or a long BOM with its battery table: the
library computes them (carbonfp.api), this module parses options, writes the output and
reports. Many batteries: each fails alone, the run ends with a summary of the failures and the
exit code of the worst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carbonfp.cli.boundary import errors_to_exit_codes, report
from carbonfp.cli.options import (
    DebugOption,
    FactorSetOption,
    LayersOption,
    ModeOption,
    QuietOption,
    RulesOption,
    choose_format,
    emit,
    expand_projects,
)
from carbonfp.errors import GateError, Location, UsageError

if TYPE_CHECKING:
    from carbonfp.model import Declaration


class CalcFormat(str, Enum):
    """What ``carbonfp calc`` writes."""

    text = "text"
    json = "json"
    csv = "csv"
    batterypass = "batterypass"
    aas = "aas"
    pact = "pact"
    pact_v2 = "pact-v2"
    xlsx = "xlsx"
    parquet = "parquet"


FORMATS = tuple(f.value for f in CalcFormat)


def calc(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Project files (battery.toml), globs or folders (every battery.toml below); or "
            "one long BOM (CSV or XLSX with a battery column) with --batteries.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        CalcFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json (the full record), csv (tidy; --lines: one row per line), "
            "batterypass (battery passport carbon footprint, Battery Pass data model 1.2.0), "
            "aas (the same as the AAS submodel IDTA 02035-3; needs the aas extra), pact (PACT v3 "
            "ProductFootprint, cradle-to-gate of one battery), pact-v2 (the deprecated PACT 2.3, "
            "per kg), xlsx (workbook; needs --output), parquet (the tidy table; "
            "needs --output). Default: from the --output extension (.json, .csv, .xlsx, "
            ".parquet), else text.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here instead of standard output ('-'). A regular file is replaced "
            "atomically; a link, FIFO or device is written through. With many batteries, a "
            "folder (an existing one, or a name ending in /) gets one file per battery.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    factor_set: FactorSetOption = None,
    layers: LayersOption = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--electricity-policy",
            help="national-mix or market-based instead of the ruleset's policy.",
            show_default=False,
        ),
    ] = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="CSV: one row per BOM, energy or transport line.")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="How many top contributors.")] = 10,
    mode: ModeOption = "screening",
    batteries: Annotated[
        Path | None,
        typer.Option(
            "--batteries",
            help="The battery table of a long BOM (docs/long-bom.md): one row per battery with "
            "its category, capacity, warranty, plant, manufacturer ...",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            min=2,
            help="Monte Carlo with this many draws per battery (text and json): mean, median, "
            "95 % interval and the inputs that drive the variance.",
            show_default=False,
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
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            help="Many batteries: local (this process) or dask (a Dask cluster: pip install "
            "'carbonfp[dask]'). Results are the same on both.",
        ),
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="--executor dask: worker processes of the local cluster started for the run "
            "(default: one per core).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="--executor dask: an existing cluster's scheduler (tcp://HOST:PORT) instead "
            "of a local one; its workers need carbonfp installed.",
            show_default=False,
        ),
    ] = None,
    partition_lines: Annotated[
        int,
        typer.Option(
            "--partition-lines",
            min=1,
            help="Long BOM: lines per partition (whole batteries; memory grows with it).",
        ),
    ] = 100_000,  # long_bom.PARTITION_LINES (a test keeps them equal; numpy is not imported here)
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Compute the Article 7 declaration: kg CO2e per kWh delivered, per life-cycle stage.

    Examples: carbonfp calc samples/ev-nmc811-hu/battery.toml -o declaration.json;
    carbonfp calc samples/ --format csv (every battery.toml below, one combined CSV);
    carbonfp calc lines.csv --batteries batteries.csv -o results/ (one file per battery);
    carbonfp calc lines.parquet --batteries batteries.csv -o results.parquet --executor dask
    """
    as_json = fmt is CalcFormat.json  # errors as JSON records where the user asked for JSON
    with errors_to_exit_codes(debug, as_json):
        from carbonfp.run import RunOptions

        options = RunOptions(
            rules=rules,
            factor_set=factor_set,
            layers=tuple(str(p) for p in layers or []),
            policy=policy,
            mode=mode,
        )
        run = _Run(
            fmt=choose_format(fmt.value if fmt else None, output, FORMATS),
            output=output,
            options=options,
            lines=lines,
            top=top,
            uncertainty=uncertainty,
            seed=seed,
            quiet=quiet,
            as_json=as_json,
            now=datetime.now(timezone.utc).replace(microsecond=0) if timestamp else None,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            partition_lines=partition_lines,
        )
        if run.uncertainty is not None and run.fmt not in ("text", "json"):
            raise UsageError(
                "--uncertainty works with --format text or json",
                hint="the Monte Carlo summary has no place in the other formats",
                code="invalid-option",
            )
        if run.fmt in ("xlsx", "parquet") and (output is None or output == "-"):
            raise UsageError(
                f"--format {run.fmt} writes a binary file and needs --output",
                hint=f"add -o declaration.{run.fmt}",
                code="invalid-option",
            )
        if run.fmt == "parquet" and (lines or _is_folder(output)):
            raise UsageError(
                "--format parquet writes the tidy table of every battery into one file",
                hint="leave out --lines, and give a file name ending in .parquet",
                code="invalid-option",
            )
        long_bom = len(inputs) == 1 and inputs[0].lower().endswith((".csv", ".xlsx", ".parquet"))
        if batteries is not None or long_bom:
            if batteries is None:
                raise UsageError(
                    f"{inputs[0]} is a BOM; calc takes project files (battery.toml), or a long "
                    "BOM with a battery column together with --batteries TABLE.csv",
                    hint="see the README, sections 'Input formats' and 'Many batteries'",
                    code="invalid-option",
                )
            if len(inputs) != 1:
                raise UsageError(
                    "a long BOM is one file: give one LINES file with --batteries",
                    code="invalid-option",
                )
            from carbonfp.inputs.long_bom import LongBom

            bom = LongBom(inputs[0], batteries)
            slices = bom.slices(run.partition_lines) if run.executor == "dask" else None
            if slices is not None:  # the workers read their own rows of the Parquet file
                _many([*slices, bom.without_lines()], bom.batteries, run)
            else:
                _many(bom.partitions(run.partition_lines), bom.batteries, run)
            return
        projects = expand_projects(inputs)
        if len(projects) == 1 and not _is_folder(output) and run.fmt != "parquet":
            _one(projects[0], run)
            return
        from carbonfp.portfolio import project_partitions

        _many(project_partitions(projects), len(projects), run)


@dataclass
class _Run:
    """The options of one calc run."""

    fmt: str
    output: str | None
    options: Any
    lines: bool
    top: int
    uncertainty: int | None
    seed: int
    quiet: bool
    as_json: bool
    #: the time written into the outputs (--timestamp), else none: outputs are reproducible
    now: datetime | None = None
    executor: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    partition_lines: int = 100_000  # long_bom.PARTITION_LINES

    def settings(self) -> dict[str, Any]:
        """The options of the API's calculate and calculate_many, from the command line."""
        options = self.options
        return {
            "factors": options.factor_set,
            "rules": options.rules,
            "mode": options.mode,
            "layers": options.layers,
            "policy": options.policy,
            "uncertainty": self.uncertainty,
            "seed": self.seed,
        }

    def render(self, declarations: Any, *, compact: bool = False) -> Any:
        from carbonfp.formats import render

        return render(
            declarations,
            self.fmt,
            top=self.top,
            lines=self.lines,
            generated_at=self.now,
            compact=compact,
        )

    def notes(self, notes: Sequence[str], battery: str | None = None) -> None:
        if self.quiet:
            return
        for note in notes:
            where = f"{battery}: " if battery else ""
            typer.echo(f"carbonfp: warning: {where}{note}", err=True)


def _is_folder(output: str | None) -> bool:
    return output is not None and output != "-" and (output.endswith("/") or Path(output).is_dir())


def _gate(declaration: Declaration) -> None:
    if declaration.gate_failures:
        raise GateError(
            "not a declaration: " + " | ".join(declaration.gate_failures),
            where=Location(declaration.project.label),
            hint="give company- or supplier-specific data (data_type = company or supplier) "
            "on these lines, or run --mode screening",
            code="not-a-declaration",
        )


def _one(project: Path, run: _Run) -> None:
    """One project: computed, checked by the gates, rendered, written."""
    from carbonfp.api import calculate_many, load_projects

    inputs = load_projects([project])  # a BOM's bad rows kept: the rest is still checked
    with _progress(run.uncertainty or 0, run.quiet, "drawing", big=1_000_000) as advance:
        done = [0]

        def drawn(draws: int) -> None:  # the draws done so far, as the bar's steps
            advance(draws - done[0])
            done[0] = draws

        (outcome,) = calculate_many(inputs, **run.settings(), progress=drawn).outcomes
    if outcome.error is not None:  # every problem found, the first as the error
        raise outcome.error
    declaration = outcome.declaration
    assert declaration is not None
    _gate(declaration)
    rendered = run.render(declaration)
    run.notes(rendered.notes)
    emit(rendered.content, run.output, run.quiet)


def _many(partitions: Iterable[Any], total: int, run: _Run) -> None:
    """Many batteries, partition by partition (carbonfp.portfolio): each partition computed
    (here or on Dask) and written as it comes, each failure reported at the end with the exit
    code of the worst; the output is complete or not written."""
    from carbonfp.portfolio import Job, shape_for, write

    options = run.options
    job = Job(
        shape=shape_for(run.fmt, lines=run.lines, folder=_is_folder(run.output)),
        fmt=run.fmt,
        factors=options.factor_set,
        rules=options.rules,
        mode=options.mode,
        layers=options.layers,
        policy=options.policy,
        uncertainty=run.uncertainty,
        seed=run.seed,
        top=run.top,
        lines=run.lines,
        now=run.now,
    )
    with _progress(total, run.quiet, "computing") as advance, _settled():
        tally = write(
            partitions,
            job,
            run.output or "-",
            note=lambda text: run.notes([text]),
            progress=advance,
            executor=run.executor,
            workers=run.workers,
            scheduler=run.scheduler,
        )
    _summary(tally.failures, tally.computed, tally.batteries, run)
    if tally.failures:
        raise typer.Exit(max(int(f.error.exit_code) for f in tally.failures))


def _summary(failures: list[Any], computed: int, batteries: int, run: _Run) -> None:
    """Each failed battery with where it was read and why; then the count."""
    for failure in failures:
        report(failure.error, as_json=run.as_json, battery=failure.battery)
    if failures and not run.as_json:
        typer.echo("hint: fix the inputs named above; the other batteries were computed", err=True)
    if not run.quiet:
        where = f" into {run.output}" if run.output not in (None, "-") else ""
        failed = len(failures)
        typer.echo(
            f"carbonfp: computed {computed} of {batteries} batteries{where}"
            + (f"; {failed} failed (see above)" if failed else ""),
            err=True,
        )


@contextmanager
def _settled() -> Iterator[None]:
    """The objects alive before the run (modules, factor data, the battery table) left out of
    the garbage collector's passes while it runs: a many-battery run allocates objects by the
    hundred thousand, and each full pass would walk them all again (about 0.05 s of 1.3 at
    10 000 batteries, bench/README.md). Undone after the run (tests run many in one process)."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _progress(total: int, quiet: bool, what: str, big: int = 2) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal for ``total`` steps of at least ``big`` (advanced by the
    steps done); silence in pipes, with --quiet and for small work."""
    import sys

    if quiet or total < big or not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)
