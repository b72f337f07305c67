"""carbonfp benchmarks: run them all and print a Markdown table of medians.

Usage: python bench/run.py [--quick]   (from a checkout with carbonfp installed)

Each timing is the median of repeated runs of a whole command in a fresh process, so it
includes Python's start-up and imports, as a user sees it; paired commands run alternately so
that load on the machine hits both alike. Peak memory is the largest resident set of that one
process (from wait4). Not part of the tests: timings depend on the machine.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
EV = ROOT / "samples" / "ev-nmc811-hu" / "battery.toml"
PY = sys.executable
CARBONFP = [PY, "-m", "carbonfp"]

# As installed from a wheel: bytecode compiled once and cached (some machines set
# PYTHONDONTWRITEBYTECODE, which would make every run compile carbonfp from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

Row = tuple[str, str, str]


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident set (MiB) of one run of ``cmd``."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        err = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode}):\n{err}")
    if child.stderr:
        child.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def median(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def paired(
    a: list[str], b: list[str], repeat: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median seconds, peak MiB) of two commands run alternately."""
    runs_a, runs_b = [], []
    for _ in range(repeat):
        runs_a.append(run(a))
        runs_b.append(run(b))
    return (
        (statistics.median(r[0] for r in runs_a), max(r[1] for r in runs_a)),
        (statistics.median(r[0] for r in runs_b), max(r[1] for r in runs_b)),
    )


def imports_of(args: list[str]) -> str:
    """Which of pandas, numpy and pint the command imports."""
    code = (
        "import sys\nfrom carbonfp.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        "print(','.join(m for m in ('pandas', 'numpy', 'pint') if m in sys.modules) or 'none')"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, env=ENV)
    return out.stdout.strip().splitlines()[-1]


def start_up(repeat: int) -> list[Row]:
    rows: list[Row] = []
    (floor, _), (one, rss) = paired(
        [PY, "-c", "import typer, pint, pandas"],
        [*CARBONFP, "calc", str(EV), "--format", "json"],
        repeat,
    )
    rows.append(('import floor `python -c "import typer, pint, pandas"`', f"{floor:.3f} s", ""))
    rows.append(
        (
            "one declaration of the EV sample (`calc ... --format json`)",
            f"{one:.3f} s, peak {rss:.0f} MiB",
            f"ratio {one / floor:.2f} to the floor (target <= 1)",
        )
    )
    for args in (["--help"], ["rules", "list"], ["factors", "list"]):
        seconds, _ = median([*CARBONFP, *args], repeat)
        rows.append(
            (
                f"`carbonfp {' '.join(args)}`",
                f"{seconds:.3f} s",
                f"imports of pandas, numpy, pint: {imports_of(args)} (target none)",
            )
        )
    (plain, _), (mc, rss) = paired(
        [*CARBONFP, "calc", str(EV), "--seed", "1"],
        [*CARBONFP, "calc", str(EV), "--uncertainty", "10000", "--seed", "1"],
        repeat,
    )
    rows.append(
        (
            "Monte Carlo, 10 000 draws on the EV sample",
            f"{mc:.3f} s, peak {rss:.0f} MiB",
            f"{mc - plain:+.3f} s beyond the same declaration without draws ({plain:.3f} s)",
        )
    )
    return rows


def many(quick: bool, work: Path) -> list[Row]:
    rows: list[Row] = []
    sizes = [100, 1000, 10_000] if quick else [100, 1000, 10_000, 100_000]
    measured: list[tuple[int, float]] = []
    for n in sizes:
        folder = work / str(n)
        subprocess.run([PY, str(BENCH / "make_variants.py"), str(n), str(folder)], check=True)
        lines, batteries = folder / "variants.csv", folder / "batteries.csv"
        cmd = [
            *CARBONFP,
            *("calc", str(lines), "--batteries", str(batteries)),
            *("--format", "csv", "-o", str(folder / "out.csv"), "--quiet"),
        ]
        repeat = 3 if n <= 10_000 else 1
        if n == 10_000:
            minimal = [PY, str(BENCH / "minimal_pass.py"), str(lines), str(batteries)]
            (seconds, rss), (floor, floor_rss) = paired(
                cmd, [*minimal, str(folder / "minimal.csv")], repeat
            )
            note = (
                f"minimal hand-written pandas pass (bench/minimal_pass.py) over the same files: "
                f"{floor:.2f} s, peak {floor_rss:.0f} MiB; ratio {seconds / floor:.2f} in time, "
                f"{rss / floor_rss:.2f} in memory"
            )
        else:
            seconds, rss = median(cmd, repeat)
            note = ""
        measured.append((n, seconds))
        size = os.path.getsize(lines) / 1e6
        rows.append(
            (
                f"{n:,} variants x 60 lines ({size:.0f} MB CSV) to tidy CSV".replace(",", " "),
                f"{seconds:.2f} s, peak {rss:.0f} MiB",
                note,
            )
        )
        shutil.rmtree(folder)
    steps = [
        f"{(t1 - t0) / (n1 - n0) * 1e6:.0f} us per extra variant from {n0:,} to {n1:,}".replace(
            ",", " "
        )
        for (n0, t0), (n1, t1) in pairwise(measured)
    ]
    rows.append(("growth", "; ".join(steps), "linear if the marginal cost stays flat"))
    return rows


def print_table(rows: list[Row]) -> None:
    """The machine, then the rows as the Markdown table bench/README.md records."""
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}"
    )
    print()
    print("| measurement | result | note |")
    print("|---|---|---|")
    for what, result, note in rows:
        print(f"| {what} | {result} | {note} |")


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 3 if quick else 7
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "carbonfp")], check=True, env=ENV)
    rows = start_up(repeat)
    work = Path(tempfile.mkdtemp(prefix="carbonfp-bench-"))
    try:
        rows += many(quick, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(rows)


if __name__ == "__main__":
    main()
