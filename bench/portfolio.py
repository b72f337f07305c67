"""Portfolio benchmarks: a Parquet long BOM of N batteries x 60 lines, local and on Dask.

Usage: python bench/portfolio.py [--sizes 10000,100000,1000000] [--work DIR] [--skip-dask]

For each size, bench/make_portfolio.py writes the portfolio (kept in --work between runs), then
one run of each command, in a fresh process, timed as a user sees it:

- local: ``carbonfp calc lines.parquet --batteries batteries.csv -o out.parquet``
- dask: the same with ``--executor dask --workers 2`` (a LocalCluster started for the run)

Peak memory: the largest resident set of the carbonfp process itself and of its largest child
(a Dask worker; the kernel keeps the largest resident set of any waited-for descendant). Then a
Monte Carlo of 10 000 draws for each of 1 000 batteries, local and on two workers. Not tests:
timings depend on the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import print_table

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# runs carbonfp in this child and reports its own and its children's peak resident sets
WRAPPER = (
    "import resource, sys\n"
    "from carbonfp.cli import app\n"
    "try:\n"
    "    app(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "else:\n"
    "    code = 0\n"
    "me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'PEAK {me} {kids}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak MiB of the carbonfp process and of its largest child."""
    start = time.perf_counter()
    done = subprocess.run(
        [PY, "-c", WRAPPER, *args], capture_output=True, text=True, env=ENV, cwd=ROOT
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"carbonfp {' '.join(args)} failed:\n{done.stderr}")
    line = next(x for x in done.stderr.splitlines() if x.startswith("PEAK "))
    me, kids = (int(v) / 1024 for v in line.split()[1:])
    return seconds, me, kids


def _n(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def portfolio(n: int, work: Path) -> Path:
    folder = work / f"p{n}"
    if not (folder / "lines.parquet").exists():
        start = time.perf_counter()
        subprocess.run(
            [PY, str(ROOT / "bench" / "make_portfolio.py"), str(n), str(folder)], check=True
        )
        print(f"# wrote {n} batteries in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return folder


def main() -> None:
    args = sys.argv[1:]
    sizes = [10_000, 100_000, 1_000_000]
    work = Path(tempfile.gettempdir()) / "carbonfp-portfolio-bench"
    if "--sizes" in args:
        sizes = [int(x) for x in args[args.index("--sizes") + 1].split(",")]
    if "--work" in args:
        work = Path(args[args.index("--work") + 1])
    dask = "--skip-dask" not in args
    work.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = []
    times: dict[str, list[tuple[int, float]]] = {"local": [], "dask": []}
    for n in sizes:
        folder = portfolio(n, work)
        size = (folder / "lines.parquet").stat().st_size / 1e6
        base = [
            "calc",
            str(folder / "lines.parquet"),
            "--batteries",
            str(folder / "batteries.csv"),
            "--quiet",
        ]
        runs = [("local", [*base, "-o", str(folder / "local.parquet")])]
        if dask:
            dask_args = [*base, "-o", str(folder / "dask.parquet"), "--executor", "dask"]
            runs.append(("dask", [*dask_args, "--workers", "2"]))
        for name, command in runs:
            seconds, me, kids = measure(command)
            times[name].append((n, seconds))
            where = "" if name == "local" else f"; largest worker {kids:.0f} MiB"
            rows.append(
                (
                    f"{_n(n)} batteries x 60 lines ({size:.0f} MB Parquet), {name}",
                    f"{seconds:.1f} s; carbonfp process {me:.0f} MiB{where}",
                    f"{seconds / n * 1e6:.0f} us per battery",
                )
            )
            print(rows[-1], file=sys.stderr, flush=True)
        if dask:
            same = subprocess.run(
                [
                    PY,
                    "-c",
                    "import sys, pandas as pd; a, b = (pd.read_parquet(p) for p in sys.argv[1:]);"
                    " print(a.equals(b))",
                    str(folder / "local.parquet"),
                    str(folder / "dask.parquet"),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            rows.append((f"{_n(n)} batteries: dask output equals local", same, ""))
    for name, measured in times.items():
        steps = [
            f"{(t1 - t0) / (n1 - n0) * 1e6:.0f} us per extra battery from {_n(n0)} to {_n(n1)}"
            for (n0, t0), (n1, t1) in pairwise(measured)
        ]
        if steps:
            rows.append((f"growth, {name}", "; ".join(steps), ""))
    folder = portfolio(1_000, work)
    mc = [
        "calc",
        str(folder / "lines.parquet"),
        "--batteries",
        str(folder / "batteries.csv"),
        "--uncertainty",
        "10000",
        "--seed",
        "1",
        "-f",
        "json",
        "--quiet",
    ]
    for name, extra in [
        ("local", []),
        ("dask, 2 workers", ["--executor", "dask", "--workers", "2"]),
    ]:
        if extra and not dask:
            continue
        seconds, me, kids = measure([*mc, "-o", str(folder / f"mc-{len(extra)}.jsonl"), *extra])
        rows.append(
            (
                f"Monte Carlo 10 000 draws x 1 000 batteries, {name}",
                f"{seconds:.1f} s; carbonfp process {me:.0f} MiB"
                + (f"; largest worker {kids:.0f} MiB" if extra else ""),
                f"{seconds / 1000 * 1e3:.0f} ms per battery",
            )
        )
        print(rows[-1], file=sys.stderr, flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
