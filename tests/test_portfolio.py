"""Many batteries in partitions: any partition size, Parquet or CSV, the local executor or a
real Dask LocalCluster give the same results; failures are reported; outputs are whole."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonfp.cli import app
from carbonfp.inputs.long_bom import LongBom
from tests.support import SAMPLES

RUNNER = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def _portfolio(folder: Path, n: int = 24) -> tuple[Path, Path]:
    """A long BOM of the three samples (flattened) and ``n`` generated variants."""
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "make_variants.py"), str(n), str(folder / "gen")],
        check=True,
        capture_output=True,
    )
    result = RUNNER.invoke(app, ["flatten", str(SAMPLES), "-o", str(folder / "flat")])
    assert result.exit_code == 0, result.stderr
    lines = _rows(folder / "flat" / "lines.csv") + _rows(folder / "gen" / "variants.csv")
    batteries = _rows(folder / "flat" / "batteries.csv") + _rows(folder / "gen" / "batteries.csv")
    _write(folder / "lines.csv", lines)
    _write(folder / "batteries.csv", batteries)
    return folder / "lines.csv", folder / "batteries.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _portfolio(tmp_path_factory.mktemp("portfolio"))


def _calc(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, ["calc", *args])
    return result.exit_code, result.stdout, result.stderr


def _by_battery(text: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in text.splitlines()[1:]:
        rows.setdefault(line.split(",", 1)[0], []).append(line)
    return rows


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(size=st.integers(1, 2500), shuffle=st.booleans(), seed=st.integers(0, 10**6))
def test_any_partition_size_gives_the_results_of_one_pass(
    portfolio: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
    size: int,
    shuffle: bool,
    seed: int,
) -> None:
    """Whole batteries per partition whatever the size, even when a battery's lines are spread
    over the file (shuffled): each battery's figures are those of one pass over everything."""
    lines, batteries = portfolio
    if shuffle:
        rows = _rows(lines)
        random.Random(seed).shuffle(rows)
        lines = tmp_path_factory.mktemp("shuffled") / "lines.csv"
        _write(lines, rows)
    code, whole, _ = _calc(
        str(lines), "--batteries", str(batteries), "-f", "csv", "--partition-lines", "100000000"
    )
    assert code == 0
    code, parted, err = _calc(
        str(lines), "--batteries", str(batteries), "-f", "csv", "--partition-lines", str(size)
    )
    assert code == 0, err
    assert parted.startswith("battery,stage,metric,value,unit\n")
    assert parted.count("battery,stage,metric") == 1  # one header, whatever the partitions
    assert _by_battery(parted) == _by_battery(whole)
    assert "computed 27 of 27 batteries" in err
    if not shuffle:
        assert parted == whole  # lines in battery order: the same bytes


def test_partitions_hold_whole_batteries_and_stay_bounded(
    portfolio: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import carbonfp.inputs.long_bom as long_bom

    monkeypatch.setattr(long_bom, "_CHUNK_ROWS", 50)
    bom = LongBom(*portfolio)
    parts = list(bom.partitions(120))
    assert len(parts) > 5
    seen: list[str] = []
    for part in parts:
        assert len(part.lines) <= 120 + 50 + 80  # a partition, a chunk, one battery carried
        assert not set(part.ids) & set(seen)  # a battery comes once, with all its lines
        seen += part.ids
    assert sorted(seen) == sorted(set(seen)) and len(seen) == bom.batteries == 27
    total = sum(len(p.lines) for p in parts)
    (whole,) = LongBom(*portfolio).partitions(None)
    assert total == len(whole.lines)


@pytest.mark.parametrize("quantities", ["numbers", "one as text"])
def test_a_csv_held_after_one_parse_gives_what_two_passes_give(
    portfolio: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    quantities: str,
) -> None:
    """A CSV of at most HOLD_LINES lines is parsed once, its chunks kept between the survey
    and the partitions; a longer one is parsed twice. Both give the same batteries, with lines
    spread over the file, rows of separators only, and quantities read as text where one is
    not a plain number ("1 234.5")."""
    import carbonfp.inputs.long_bom as long_bom

    lines, batteries = portfolio
    rows = _rows(lines)
    random.Random(7).shuffle(rows)
    for at in (0, len(rows) // 2, len(rows)):
        rows.insert(at, dict.fromkeys(rows[0], ""))
    if quantities == "one as text":
        rows[5]["quantity"] = "1 234.5"
    _write(tmp_path / "lines.csv", rows)
    monkeypatch.setattr(long_bom, "_CHUNK_ROWS", 97)  # many chunks, batteries across them
    out = {}
    for hold in (10**9, 0):
        monkeypatch.setattr(long_bom, "HOLD_LINES", hold)
        bom = LongBom(tmp_path / "lines.csv", batteries)
        assert (bom.lines._held is not None) == bool(hold)
        assert bom.lines._floats == (quantities == "numbers")
        # the count for the progress bar: a file parsed twice counts the rows of separators
        # only as one battery without an id until its chunks leave them out
        assert bom.batteries == (27 if hold else 28)
        code, out[hold], err = _calc(
            str(tmp_path / "lines.csv"),
            "--batteries",
            str(batteries),
            "-f",
            "csv",
            "--partition-lines",
            "300",
        )
        assert code == 0, err
        assert "computed 27 of 27 batteries" in err
    assert out[10**9] == out[0]
    assert len(_by_battery(out[0])) == 27


def test_parquet_lines_give_what_csv_lines_give(
    portfolio: tuple[Path, Path], tmp_path: Path
) -> None:
    """Quantities typed as numbers, or as text (checked cell by cell as in a CSV)."""
    import pandas as pd

    lines, batteries = portfolio
    table = pd.read_csv(lines, dtype=str, keep_default_na=False)
    table.to_parquet(tmp_path / "text.parquet")
    typed = table.assign(quantity=table["quantity"].astype(float))
    typed.to_parquet(tmp_path / "typed.parquet")
    code, expected, _ = _calc(str(lines), "--batteries", str(batteries), "-f", "csv")
    for name in ("text.parquet", "typed.parquet"):
        code, got, err = _calc(str(tmp_path / name), "--batteries", str(batteries), "-f", "csv")
        assert code == 0, err
        assert got == expected


def test_parquet_dictionaries_that_span_batches_give_each_battery_once(
    portfolio: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row group's dictionary holds the ids of every battery in it, read in smaller
    batches: only the ids a batch uses are its batteries (else a battery would come twice,
    once without lines)."""
    import pandas as pd

    import carbonfp.inputs.long_bom as long_bom

    lines, batteries = portfolio
    table = pd.read_csv(lines, dtype=str, keep_default_na=False)
    table = table.assign(quantity=table["quantity"].astype(float))
    for column in ("battery", "component", "material", "unit"):
        table[column] = table[column].astype("category")  # written as dictionaries
    table.to_parquet(tmp_path / "dict.parquet", row_group_size=10_000)
    monkeypatch.setattr(long_bom, "_CHUNK_ROWS", 97)
    parts = list(LongBom(tmp_path / "dict.parquet", batteries).partitions(150))
    ids = [b for p in parts for b in p.ids]
    assert len(ids) == len(set(ids)) == 27
    assert all(not p.problems[i] for p in parts for i in range(len(p)))
    code, expected, _ = _calc(str(lines), "--batteries", str(batteries), "-f", "csv")
    code, got, err = _calc(
        str(tmp_path / "dict.parquet"), "--batteries", str(batteries), "-f", "csv"
    )
    assert code == 0, err
    assert _by_battery(got) == _by_battery(expected)


def test_parquet_lines_report_bad_cells_with_their_row(tmp_path: Path) -> None:
    import pandas as pd

    lines = pd.DataFrame(
        {
            "battery": ["A", "A"],
            "material": ["steel-sheet", "steel-sheet"],
            "quantity": ["1", "lots"],
            "unit": ["kg", "kg"],
        }
    )
    lines.to_parquet(tmp_path / "lines.parquet")
    (tmp_path / "b.csv").write_text(
        (SAMPLES / "variants" / "batteries.csv").read_text(encoding="utf-8").splitlines()[0]
        + "\n"
        + "A,EV,M1,NMC811,100.0 kWh,530 kg,8,160000 km,15000 km,E,P,T,R,HU\n",
        encoding="utf-8",
    )
    code, _, err = _calc(str(tmp_path / "lines.parquet"), "--batteries", str(tmp_path / "b.csv"))
    assert code == 3
    assert "lines.parquet:3 [quantity]" in err


def test_a_file_that_is_not_parquet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "lines.parquet").write_text("battery,material\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("battery\nA\n", encoding="utf-8")
    code, _, err = _calc(str(tmp_path / "lines.parquet"), "--batteries", str(tmp_path / "b.csv"))
    assert code == 3 and "not a readable Parquet file" in err and "Traceback" not in err


def test_parquet_output_holds_the_unrounded_figures(
    portfolio: tuple[Path, Path], tmp_path: Path
) -> None:
    import pandas as pd

    lines, batteries = portfolio
    out = tmp_path / "r.parquet"
    code, _, err = _calc(str(lines), "--batteries", str(batteries), "-o", str(out))
    assert code == 0, err
    table = pd.read_parquet(out)
    assert list(table.columns) == ["battery", "stage", "metric", "value", "unit"]
    code, text, _ = _calc(str(lines), "--batteries", str(batteries), "-f", "csv")
    expected = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert len(table) == len(expected) == 27 * 12
    for column in ("battery", "stage", "metric", "unit"):
        assert table[column].astype(str).tolist() == expected[column].astype(str).tolist()
    assert table["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), rel=1e-9)
    assert not list(tmp_path.glob(".*.tmp"))


def test_parquet_needs_an_output_file(portfolio: tuple[Path, Path]) -> None:
    code, _, err = _calc(str(portfolio[0]), "--batteries", str(portfolio[1]), "-f", "parquet")
    assert code == 2 and "needs --output" in err


def test_a_run_that_fails_midway_writes_no_output(
    portfolio: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second partition breaks (a stand-in for any fault): the output file is not
    created, no temporary file is left."""
    import carbonfp.portfolio as portfolio_module

    real = portfolio_module.compute_partition

    def breaks(index: int, inputs: object, job: object) -> object:
        if index == 1:
            raise OSError(28, "No space left on device")
        return real(index, inputs, job)  # type: ignore[arg-type]

    monkeypatch.setattr(portfolio_module, "compute_partition", breaks)
    for name in ("r.csv", "r.parquet"):
        out = tmp_path / name
        result = RUNNER.invoke(
            app,
            [
                "calc",
                str(portfolio[0]),
                "--batteries",
                str(portfolio[1]),
                "-o",
                str(out),
                "--partition-lines",
                "200",
            ],
        )
        assert result.exit_code != 0
        assert not out.exists()
        assert not list(tmp_path.glob(".*"))


def test_local_executor_refuses_dask_options(portfolio: tuple[Path, Path]) -> None:
    code, _, err = _calc(str(portfolio[0]), "--batteries", str(portfolio[1]), "--workers", "2")
    assert code == 2 and "--executor dask" in err
    code, _, err = _calc(str(portfolio[0]), "--batteries", str(portfolio[1]), "--executor", "ray")
    assert code == 2 and "unknown executor 'ray'" in err


# --- a real Dask cluster ---------------------------------------------------------------------

distributed = pytest.importorskip("distributed")


def test_dask_gives_the_local_results(portfolio: tuple[Path, Path], tmp_path: Path) -> None:
    """Two workers, small partitions: the same bytes as the local executor, for the tidy CSV
    and for one JSON file per battery."""
    lines, batteries = portfolio
    base = [str(lines), "--batteries", str(batteries), "--partition-lines", "300"]
    code, local, _ = _calc(*base, "-f", "csv")
    code, remote, err = _calc(*base, "-f", "csv", "--executor", "dask", "--workers", "2")
    assert code == 0, err
    assert remote == local
    code, _, err = _calc(*base, "-f", "json", "-o", f"{tmp_path}/local/")
    code, _, err = _calc(
        *base, "-f", "json", "-o", f"{tmp_path}/dask/", "--executor", "dask", "--workers", "2"
    )
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "local").iterdir())
    assert len(names) == 27
    assert names == sorted(p.name for p in (tmp_path / "dask").iterdir())
    for name in names:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_dask_workers_read_their_own_rows_of_a_parquet_file(
    portfolio: tuple[Path, Path], tmp_path: Path
) -> None:
    """Parquet on Dask: the partitions are row ranges of whole batteries that the workers read
    themselves; with lines interleaved there are fewer, larger ranges, never a split battery.
    A battery of the table without lines is still reported."""
    import pandas as pd

    lines, batteries = portfolio
    table = pd.read_csv(lines, dtype=str, keep_default_na=False)
    table.to_parquet(tmp_path / "grouped.parquet")
    shuffled = table.sample(frac=1.0, random_state=3)
    shuffled.iloc[: len(shuffled) // 2].to_parquet(tmp_path / "half.parquet")
    extra = batteries.read_text(encoding="utf-8").splitlines()
    extra.append(extra[-1].replace("V000023,", "NOLINES,", 1))
    (tmp_path / "b.csv").write_text("\n".join(extra) + "\n", encoding="utf-8")
    for name in ("grouped.parquet", "half.parquet"):
        bom = LongBom(tmp_path / name, tmp_path / "b.csv")
        slices = bom.slices(300)
        assert slices is not None and slices[0].start == 0 and slices[-1].stop == bom.rows
        assert all(a.stop == b.start for a, b in pairwise(slices))
        if name == "grouped.parquet":
            assert len(slices) > 3
        base = [
            str(tmp_path / name),
            "--batteries",
            str(tmp_path / "b.csv"),
            "-f",
            "csv",
            "--partition-lines",
            "300",
        ]
        code, local, local_err = _calc(*base)
        code, remote, err = _calc(*base, "--executor", "dask", "--workers", "2")
        assert code == 3 and "'NOLINES' has no lines" in err
        assert _by_battery(remote) == _by_battery(local)
        assert err.splitlines()[-1] == local_err.splitlines()[-1]


def test_a_seeded_monte_carlo_is_the_same_on_one_and_two_workers(
    portfolio: tuple[Path, Path],
) -> None:
    lines, batteries = portfolio
    base = [
        str(lines),
        "--batteries",
        str(batteries),
        "--partition-lines",
        "200",
        "-f",
        "json",
        "--uncertainty",
        "300",
        "--seed",
        "9",
    ]
    outputs = [
        _calc(*base)[1],
        _calc(*base, "--executor", "dask", "--workers", "1")[1],
        _calc(*base, "--executor", "dask", "--workers", "2")[1],
    ]
    assert outputs[0] == outputs[1] == outputs[2]
    records = [json.loads(line) for line in outputs[0].splitlines()]
    assert len(records) == 27
    assert all(r["uncertainty"]["inputs"] for r in records)


def test_a_failing_battery_on_dask_is_reported_not_lost(tmp_path: Path) -> None:
    lines, batteries = _portfolio(tmp_path, 6)
    text = lines.read_text(encoding="utf-8").splitlines()
    bad = next(i for i, row in enumerate(text) if row.startswith("V000003,"))
    text[bad] = text[bad].replace(",kg,", ",parsec,", 1)
    lines.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, out, err = _calc(
        str(lines),
        "--batteries",
        str(batteries),
        "-f",
        "csv",
        "--executor",
        "dask",
        "--workers",
        "2",
        "--partition-lines",
        "100",
    )
    assert code == 3
    assert f"lines.csv:{bad + 1}" in err and "V000003" in err
    assert "computed 8 of 9 batteries" in err
    assert "V000003" not in out and out.count("V000004,total,") == 2


def test_a_worker_that_dies_is_replaced_and_its_partition_run_again(
    portfolio: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first worker to run partition 1 kills its own process: Dask starts another and
    runs the partition again; every battery comes back."""
    from carbonfp.portfolio import Job, compute_partition, on_dask

    monkeypatch.setenv("CARBONFP_TEST_DIE_ONCE", str(tmp_path / "died"))
    job = Job(shape="figures")
    parts = list(LongBom(*portfolio).partitions(200))
    expected = [compute_partition(i, p, job).figures for i, p in enumerate(parts)]
    results = list(on_dask(parts, job, 2, None, function=_die_once))
    assert (tmp_path / "died").exists()
    assert [r.index for r in results] == list(range(len(parts)))
    for result, figures in zip(results, expected, strict=True):
        assert result.figures is not None and figures is not None
        assert result.figures.battery == figures.battery
        assert (result.figures.total_per_kwh == figures.total_per_kwh).all()


def _die_once(index: int, inputs: object, job: object) -> object:
    import os

    from carbonfp.portfolio import compute_partition

    marker = Path(os.environ["CARBONFP_TEST_DIE_ONCE"])
    if index == 1 and not marker.exists():
        marker.write_text("died", encoding="utf-8")
        os._exit(1)
    return compute_partition(index, inputs, job)  # type: ignore[arg-type]


def test_the_command_line_default_partition_is_the_readers() -> None:
    """`calc --partition-lines` defaults to the reader's PARTITION_LINES (written twice: the
    command line does not import the reader, which imports numpy, to show its help)."""
    import inspect

    import carbonfp.inputs.long_bom as long_bom
    from carbonfp.cli import calc

    assert inspect.signature(calc.calc).parameters["partition_lines"].default == (
        long_bom.PARTITION_LINES
    )
    assert calc._Run.__dataclass_fields__["partition_lines"].default == long_bom.PARTITION_LINES
