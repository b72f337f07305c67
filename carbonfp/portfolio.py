"""Many batteries in partitions: one partition function, run here or on Dask, and sinks that
write each partition's results as they come.

A portfolio (a long BOM, or many project files) is read in partitions of whole batteries
(:meth:`carbonfp.inputs.long_bom.LongBom.partitions`, :func:`project_partitions`).
:func:`compute_partition` computes one with the one engine (:func:`carbonfp.api.
calculate_many`), applies the declaration gates and renders what the output needs; it is
pure (inputs and a :class:`Job` in, a :class:`PartitionResult` out), so the local executor
runs it on this process and the Dask executor runs the very same function on a cluster's
workers. Results come back in partition order and a :class:`Sink` writes each as it comes,
so memory holds a few partitions, not the portfolio.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from carbonfp.columns import Figures, Inputs
from carbonfp.errors import CarbonfpError, GateError, Location, UsageError
from carbonfp.inputs.long_bom import Slice
from carbonfp.model import Declaration

#: batteries per partition of project files (each file is read by the partition's reader)
PROJECTS_PER_PARTITION = 500
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class Job:
    """What every partition does: the settings of calculate_many and what to give back.

    ``shape``: ``figures`` (the tidy table: CSV or Parquet), ``documents`` (one rendered
    document per battery: a folder), ``stream`` (the partition's declarations rendered as one
    document: standard output or one file) or ``declarations`` (the objects: a workbook).
    """

    shape: str
    fmt: str = "csv"
    factors: str | None = None
    rules: str | None = None
    mode: str = "screening"
    layers: tuple[str, ...] = ()
    policy: str | None = None
    uncertainty: int | None = None
    seed: int = 0
    top: int = 10
    lines: bool = False
    now: datetime | None = None


@dataclass(frozen=True)
class Failure:
    """A battery that failed: its id, where it was read, why."""

    battery: str
    source: str
    error: CarbonfpError


@dataclass(frozen=True)
class Document:
    battery: str
    content: str | bytes
    notes: tuple[str, ...] = ()


@dataclass
class PartitionResult:
    """What one partition gives back (only what its Job's shape asks for)."""

    index: int
    batteries: int
    computed: int
    failures: list[Failure] = field(default_factory=list)
    figures: Figures | None = None
    documents: list[Document] = field(default_factory=list)
    content: str | bytes = ""
    notes: tuple[str, ...] = ()
    declarations: list[Declaration] = field(default_factory=list)


def compute_partition(index: int, inputs: Inputs | Slice, job: Job) -> PartitionResult:
    """Compute the batteries of one partition (read first where it is a slice of a Parquet
    long BOM), each failing alone, and render them as the job's shape asks. Raises only for
    what fails the whole run (an unknown ruleset, a file changed since the run began)."""
    from carbonfp.api import calculate_many
    from carbonfp.formats import render

    if isinstance(inputs, Slice):
        from carbonfp.inputs.long_bom import read_slice

        inputs = read_slice(inputs)
    batch = calculate_many(
        inputs,
        job.factors,
        job.rules,
        job.mode,
        layers=job.layers,
        policy=job.policy,
        uncertainty=job.uncertainty,
        seed=job.seed,
    )
    for outcome in batch.outcomes:
        failures = outcome.gate_failures
        if failures:
            outcome.error = GateError(
                "not a declaration: " + " | ".join(failures),
                where=Location(outcome.source),
                hint="give company- or supplier-specific data (data_type = company or "
                "supplier) on these lines, or run --mode screening",
                code="not-a-declaration",
            )
    computed = batch.computed
    result = PartitionResult(
        index,
        len(batch),
        len(computed),
        [Failure(o.battery, o.source, o.error) for o in batch.failed if o.error is not None],
    )
    if job.shape == "figures":
        result.figures = batch.figures()
    elif job.shape == "documents":
        for outcome in computed:
            declaration = outcome.build_declaration()  # rendered, then let go
            assert declaration is not None
            rendered = render(
                declaration, job.fmt, top=job.top, lines=job.lines, generated_at=job.now
            )
            result.documents.append(Document(outcome.battery, rendered.content, rendered.notes))
    elif job.shape == "stream":
        declarations = [o.declaration for o in computed if o.declaration is not None]
        if declarations:
            rendered = render(
                declarations,
                job.fmt,
                top=job.top,
                lines=job.lines,
                generated_at=job.now,
                compact=True,
            )
            result.content, result.notes = rendered.content, rendered.notes
    elif job.shape == "declarations":
        result.declarations = [o.declaration for o in computed if o.declaration is not None]
    else:
        raise ValueError(f"unknown shape {job.shape!r}")
    return result


def project_partitions(
    paths: Sequence[Path], size: int = PROJECTS_PER_PARTITION
) -> Iterator[Inputs]:
    """Project files read in partitions of ``size`` (a file that cannot be read fails alone)."""
    from carbonfp.api import load_projects

    for start in range(0, len(paths), size):
        yield load_projects(paths[start : start + size])


# --------------------------------------------------------------------------------------------
# executors
# --------------------------------------------------------------------------------------------


def run(
    partitions: Iterable[Inputs | Slice],
    job: Job,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[PartitionResult]:
    """The results of every partition, in partition order.

    ``local``: one after the other on this process. ``dask``: on a Dask cluster, an existing
    one at ``scheduler`` (``tcp://HOST:PORT``) or a local one of ``workers`` processes started
    for the run (default: one per core); at most two partitions per worker are in flight, so
    memory stays bounded on both sides. Raises UsageError for an unknown executor, Dask not
    installed or a scheduler that cannot be reached.
    """
    if executor == "local":
        if workers is not None or scheduler is not None:
            raise UsageError(
                "--workers and --scheduler are options of --executor dask",
                hint="add --executor dask, or leave them out",
                code="invalid-option",
            )
        for index, inputs in enumerate(partitions):
            yield compute_partition(index, inputs, job)
        return
    if executor != "dask":
        raise UsageError(
            f"unknown executor {executor!r}",
            hint="use " + " or ".join(EXECUTORS),
            code="invalid-option",
        )
    yield from on_dask(partitions, job, workers, scheduler)


def on_dask(
    partitions: Iterable[Inputs | Slice],
    job: Job,
    workers: int | None,
    scheduler: str | None,
    function: Callable[[int, Inputs | Slice, Job], PartitionResult] = compute_partition,
) -> Iterator[PartitionResult]:
    """``function`` (the partition function) over ``partitions`` on a Dask cluster (see
    :func:`run`), results in partition order. A worker that dies is replaced and its
    partitions run again (Dask's own rescheduling); a partition that raises is retried once."""
    try:
        import distributed
    except ImportError as exc:
        raise UsageError(
            "--executor dask needs Dask's distributed scheduler, which is not installed",
            hint="pip install 'carbonfp[dask]'",
            code="missing-dependency",
        ) from exc
    import logging

    with contextlib.ExitStack() as stack:
        if scheduler is not None:
            if workers is not None:
                raise UsageError(
                    "--workers starts a local cluster; with --scheduler the cluster has its own",
                    hint="leave out --workers (or --scheduler)",
                    code="invalid-option",
                )
            try:
                client = stack.enter_context(
                    distributed.Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
                )
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                    hint="check the address (tcp://HOST:PORT) and that the scheduler runs",
                    code="invalid-option",
                ) from exc
        else:
            count = workers or os.cpu_count() or 1
            if count < 1:
                raise UsageError("--workers must be at least 1", code="invalid-option")
            cluster = stack.enter_context(
                distributed.LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=count,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))  # type: ignore[no-untyped-call]
        limit = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers or 1)
        in_flight: deque[Any] = deque()
        import warnings

        for index, inputs in enumerate(partitions):
            # the partition goes with its task (not scattered), so the scheduler can run it
            # again on another worker if its worker dies; Dask warns about such large tasks
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Sending large graph")
                future = client.submit(function, index, inputs, job, pure=False, retries=1)
            in_flight.append(future)
            while len(in_flight) >= limit:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


# --------------------------------------------------------------------------------------------
# writing a portfolio: partitions computed, each written as it comes
# --------------------------------------------------------------------------------------------


def shape_for(fmt: str, *, lines: bool = False, folder: bool = False) -> str:
    """What partitions give back for an output: the tidy figures (CSV without --lines,
    Parquet), one document per battery (a folder), the objects (a workbook), else one stream."""
    if folder:
        return "documents"
    if fmt == "parquet" or (fmt == "csv" and not lines):
        return "figures"
    return "declarations" if fmt == "xlsx" else "stream"


@dataclass
class Tally:
    """What a run computed: batteries, those computed, and each failure."""

    batteries: int = 0
    computed: int = 0
    failures: list[Failure] = field(default_factory=list)


def write(
    partitions: Iterable[Inputs | Slice],
    job: Job,
    target: str,
    *,
    note: Callable[[str], None] = lambda text: None,
    progress: Callable[[int], None] = lambda batteries: None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Tally:
    """Compute ``partitions`` (:func:`run`) and write each result as it comes to ``target``
    (``-`` standard output, a file, or a folder for ``job.shape == "documents"``): whole or
    not at all, and not at all when every battery failed. ``note`` receives the writers'
    notes, ``progress`` the batteries of each partition done. Raises what :func:`run` and
    the output raise; the batteries' own failures are in the result."""
    from carbonfp.formats import EXTENSIONS

    sink: Sink
    if job.shape == "documents":
        sink = FolderSink(target, EXTENSIONS[job.fmt], note)
    elif job.fmt == "parquet":
        sink = ParquetSink(target)
    elif job.shape == "declarations":
        sink = WorkbookSink(target, job.now)
    else:
        sink = StreamSink(target, job.fmt, note)
    tally = Tally()
    ok = False
    try:
        for result in run(partitions, job, executor=executor, workers=workers, scheduler=scheduler):
            sink.add(result)
            tally.failures += result.failures
            tally.computed += result.computed
            tally.batteries += result.batteries
            progress(result.batteries)
        # a run where every battery failed writes nothing (no empty file stands for results)
        ok = tally.computed > 0 or not tally.failures
    finally:
        sink.close(ok)
    return tally


# --------------------------------------------------------------------------------------------
# sinks
# --------------------------------------------------------------------------------------------


class Sink(Protocol):
    """Writes partition results as they come; nothing is left half-written on failure."""

    def add(self, result: PartitionResult) -> None: ...

    def close(self, ok: bool) -> str:
        """Finish (``ok``) or abandon the output; say what was written."""
        ...


class StreamSink:
    """One output (standard output or a file): the partitions' documents one after the other,
    as one document of the format (one CSV header, JSON lines, texts with separators)."""

    def __init__(self, target: str, fmt: str, note: Callable[[str], None]) -> None:
        from carbonfp.files import Output

        self.output = Output(target)
        self.fmt = fmt
        self.note = note
        self.started = False
        self.noted: set[str] = set()

    def add(self, result: PartitionResult) -> None:
        from carbonfp.formats import continued
        from carbonfp.formats.tables import csv_figures

        if result.figures is not None:
            if not len(result.figures) and self.started:
                return
            text = csv_figures(result.figures)
            self.output.write(continued(text, "csv") if self.started else text)
            self.started = True
            return
        for note in result.notes:
            if note not in self.noted:
                self.noted.add(note)
                self.note(note)
        if not result.content:
            return
        content = result.content
        assert isinstance(content, str)
        self.output.write(continued(content, self.fmt) if self.started else content)
        self.started = True

    def close(self, ok: bool) -> str:
        if ok:
            self.output.commit()
        else:
            self.output.abort()
        return self.output.done


class ParquetSink:
    """The tidy table as Parquet, one row group per partition, written to a temporary file
    beside the output and renamed over it when the run ends."""

    def __init__(self, target: str) -> None:
        from carbonfp.files import Output

        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError as exc:
            raise UsageError(
                "writing Parquet needs pyarrow, which is not installed",
                hint="pip install 'carbonfp[dask]' (or pyarrow), or write CSV",
                code="missing-dependency",
            ) from exc
        self.output = Output(target)
        self.writer: Any = None

    def add(self, result: PartitionResult) -> None:
        import pyarrow.parquet as pq

        from carbonfp.formats.tables import arrow_figures

        assert result.figures is not None
        table = arrow_figures(result.figures)
        if self.writer is None:
            self.writer = pq.ParquetWriter(_Writes(self.output), table.schema)
        if table.num_rows:
            self.writer.write_table(table)

    def close(self, ok: bool) -> str:
        if ok:
            if self.writer is None:  # no battery computed: an empty table
                import pyarrow.parquet as pq

                from carbonfp.formats.tables import arrow_figures

                empty = arrow_figures(Figures.concat([]))
                self.writer = pq.ParquetWriter(_Writes(self.output), empty.schema)
            self.writer.close()
        if ok:
            self.output.commit()
        else:
            self.output.abort()
        return self.output.done


class _Writes:
    """A file-like object over files.Output, for pyarrow's writer."""

    closed = False

    def __init__(self, output: Any) -> None:
        self.output = output

    def write(self, data: Any) -> int:
        payload = bytes(data)
        self.output.write(payload)
        return len(payload)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class FolderSink:
    """One file per battery in a folder, named from its id (files.UniqueNames), each written
    atomically as its partition comes."""

    def __init__(self, folder: str, extension: str, note: Callable[[str], None]) -> None:
        from carbonfp.files import UniqueNames, ensure_folder

        self.folder = ensure_folder(Path(folder))
        self.names = UniqueNames(f".{extension}")
        self.note = note
        self.written = 0

    def add(self, result: PartitionResult) -> None:
        from carbonfp.files import write_output

        for document in result.documents:
            seen = len(self.names.collisions)
            name = self.names.name(document.battery)
            for wanted_id, wanted, got in self.names.collisions[seen:]:
                self.note(
                    f"battery {wanted_id!r} would be written as {wanted}, which another "
                    f"battery takes; written as {got}"
                )
            for note in document.notes:
                self.note(f"{document.battery}: {note}")
            write_output(self.folder / name, document.content)
            self.written += 1

    def close(self, ok: bool) -> str:
        return f"wrote {self.written} files into {self.folder}"


class WorkbookSink:
    """A workbook of every battery: the declarations are held until the end (a workbook is
    written whole; for large portfolios write CSV or Parquet)."""

    def __init__(self, target: str, now: datetime | None) -> None:
        self.target, self.now = target, now
        self.declarations: list[Declaration] = []

    def add(self, result: PartitionResult) -> None:
        self.declarations.extend(result.declarations)

    def close(self, ok: bool) -> str:
        from carbonfp.files import write_output
        from carbonfp.formats import render

        if not ok or not self.declarations:
            return ""
        return write_output(
            self.target, render(self.declarations, "xlsx", generated_at=self.now).content
        )
