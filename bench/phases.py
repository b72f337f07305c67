"""Where the time of a long-BOM run goes, in one process: imports, reading both tables, the
engine (resolve and evaluate, per battery run settings), writing the tidy CSV.

Usage: python bench/phases.py LINES BATTERIES   (e.g. the files of make_variants.py)
"""

from __future__ import annotations

import resource
import sys
import time

started = time.perf_counter()


def mark(what: str, since: list[float] = [started]) -> None:  # noqa: B006 - a running clock
    now = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{what:<34}{now - since[0]:7.3f} s   peak so far {peak:5.0f} MiB")
    since[0] = now


def main(lines: str, batteries: str) -> None:
    import carbonfp.api as api
    from carbonfp.formats.tables import csv_figures

    mark("imports (carbonfp)")
    inputs = api.load_long_bom(lines, batteries)
    mark(f"read {len(inputs.ids)} batteries, {len(inputs.lines)} lines")
    batch = api.calculate_many(inputs)
    mark("resolve + evaluate")
    text = csv_figures(batch.figures())
    mark(f"tidy CSV ({len(text) / 1e6:.1f} MB of text)")
    print(f"{'total':<34}{time.perf_counter() - started:7.3f} s")


if __name__ == "__main__":
    main(*sys.argv[1:3])
