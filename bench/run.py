"""carbonfp benchmarks: run them all and print a Markdown table of medians.

Usage: python bench/run.py [--quick]   (from a checkout with carbonfp installed)
Each timing is the median of repeated runs of a whole command in a fresh process, so it
includes Python's start-up and imports, as a user sees it. Peak memory is the largest
resident set of the measured process. Not part of the tests: timings depend on the machine.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EV = ROOT / "samples" / "ev-nmc811-hu" / "battery.toml"
PY = sys.executable
CARBONFP = [PY, "-m", "carbonfp"]


# As installed from a wheel: bytecode compiled once and cached (some machines set
# PYTHONDONTWRITEBYTECODE, which would make every run compile carbonfp from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(after, before) / 1024


def median(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [run(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def paired(a: list[str], b: list[str], repeat: int) -> tuple[float, float]:
    """Medians of two commands run alternately, so that load on the machine hits both alike."""
    times_a, times_b = [], []
    for _ in range(repeat):
        times_a.append(run(a)[0])
        times_b.append(run(b)[0])
    return statistics.median(times_a), statistics.median(times_b)


def imports_of(args: list[str]) -> str:
    code = (
        "import sys\nfrom carbonfp.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        "print(','.join(m for m in ('pandas', 'numpy', 'pint') if m in sys.modules) or 'none')"
    )
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, env=ENV)
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 3 if quick else 7
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "carbonfp")], check=True, env=ENV)
    rows: list[tuple[str, str, str]] = []
    floor, one = paired(
        [PY, "-c", "import typer, pint, pandas"],
        [*CARBONFP, "calc", str(EV), "--format", "json"],
        repeat,
    )
    rows.append(('import floor `python -c "import typer, pint, pandas"`', f"{floor:.3f} s", ""))
    rows.append(
        (
            "one declaration of the EV sample (`calc --format json`)",
            f"{one:.3f} s",
            f"ratio {one / floor:.2f} (target <= 1.25)",
        )
    )
    for args in (["--help"], ["factors", "list"]):
        seconds, _ = median([*CARBONFP, *args], repeat)
        rows.append(
            (
                f"`carbonfp {' '.join(args)}`",
                f"{seconds:.3f} s",
                f"imports: {imports_of(args)} (target < 0.35 s, no pandas/numpy)",
            )
        )
    mc, _ = median([*CARBONFP, "calc", str(EV), "--uncertainty", "10000", "--seed", "1"], repeat)
    plain, _ = median([*CARBONFP, "calc", str(EV)], repeat)
    rows.append(
        (
            "Monte Carlo, 10 000 draws on the EV sample",
            f"{mc:.3f} s",
            f"{mc - plain:+.3f} s beyond the single declaration (target < 1 s)",
        )
    )
    work = Path(tempfile.mkdtemp(prefix="carbonfp-bench-"))
    try:
        sizes = [100, 1000, 10_000] if quick else [100, 1000, 10_000, 100_000]
        per_variant = []
        for n in sizes:
            folder = work / str(n)
            subprocess.run(
                [PY, str(ROOT / "bench" / "make_variants.py"), str(n), str(folder)], check=True
            )
            cmd = [
                *CARBONFP,
                "calc",
                str(folder / "variants.csv"),
                "--batteries",
                str(folder / "batteries.csv"),
                "--format",
                "csv",
                "-o",
                str(folder / "out.csv"),
                "--quiet",
            ]
            seconds, rss = median(cmd, 3 if n <= 10_000 else 1)
            per_variant.append((n, seconds))
            note = "target < 3 s and < 1 GiB" if n == 10_000 else ""
            rows.append(
                (
                    f"{n:,} variants x 60 lines, CSV to combined CSV".replace(",", " "),
                    f"{seconds:.2f} s, peak {rss:.0f} MiB",
                    note,
                )
            )
            shutil.rmtree(folder)
        (n0, t0), (n1, t1) = per_variant[-2], per_variant[-1]
        rows.append(
            (
                "growth from the two largest sizes",
                f"{(t1 - t0) / (n1 - n0) * 1e6:.1f} us per extra variant",
                "linear if the marginal cost stays flat",
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}"
    )
    print()
    print("| measurement | result | note |")
    print("|---|---|---|")
    for what, result, note in rows:
        print(f"| {what} | {result} | {note} |")


if __name__ == "__main__":
    main()
