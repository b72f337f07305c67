"""Where `calc` writes: per-battery files never outside their folder, links, FIFOs and devices
written through, `-o -` as standard output, the format from the extension."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support import SAMPLES
from typer.testing import CliRunner, Result

from carbonfp.cli import app

EV = SAMPLES / "ev-nmc811-hu" / "battery.toml"
RUNNER = CliRunner()
HEAD = (
    "battery,category,vehicle_category,chemistry,usable_capacity,mass,warranty_years,"
    "manufacturer.name,plant.name,plant.town,plant.region,plant.country\n"
)


#: The battery-table cells after the id: every battery of these tests is the same.
FACTS = ["EV", "M1", "NMC811", "10 kWh", "80 kg", "8", "M", "P", "T", "R", "HU"]


def run(*args: object) -> Result:
    return RUNNER.invoke(app, [str(a) for a in args])


def long_bom(tmp_path: Path, ids: list[str]) -> tuple[Path, Path]:
    """A long BOM whose batteries have the given (hostile) ids, quoted as CSV needs."""
    import csv
    import io

    lines, table = io.StringIO(), io.StringIO()
    writer = csv.writer(lines, lineterminator="\n")
    writer.writerow(["battery", "material", "quantity", "unit"])
    for battery in ids:
        writer.writerow([battery, "steel-sheet", "10", "kg"])
    table.write(HEAD)
    writer = csv.writer(table, lineterminator="\n")
    for battery in ids:
        writer.writerow(
            [battery, "EV", "M1", "NMC811", "10 kWh", "80 kg", "8", "M", "P", "T", "R", "HU"]
        )
    (tmp_path / "lines.csv").write_text(lines.getvalue(), encoding="utf-8")
    (tmp_path / "batteries.csv").write_text(table.getvalue(), encoding="utf-8")
    return tmp_path / "lines.csv", tmp_path / "batteries.csv"


def test_hostile_battery_ids_stay_inside_the_output_folder(tmp_path: Path) -> None:
    ids = ["../esc", "A,1", "a/b", "CON", "..", "x\ty", "A", "a"]
    lines, batteries = long_bom(tmp_path, ids)
    out = tmp_path / "nested" / "out"
    result = run("calc", lines, "--batteries", batteries, "-f", "json", "-o", f"{out}/")
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == len(ids)  # every battery, none lost to a collision
    for name in written:
        assert (out / name).resolve().parent == out.resolve()
    assert not (tmp_path / "nested" / "esc.json").exists()
    assert '"A.json' not in written and "A,1.json" not in written
    models = {json.loads((out / n).read_text())["battery"]["model"] for n in written}
    assert models == set(ids)
    assert "would be written as" in result.stderr  # A and a collide on case-blind disks


def test_output_folder_is_created_with_a_trailing_slash(tmp_path: Path) -> None:
    result = run("calc", SAMPLES, "-o", f"{tmp_path / 'made'}/")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.suffix for p in (tmp_path / "made").iterdir()) == [".txt"] * 3


def test_format_follows_the_extension(tmp_path: Path) -> None:
    for name, check in (
        ("d.json", lambda b: json.loads(b)["carbon_footprint"]),
        ("d.csv", lambda b: b.decode().startswith("battery,stage,metric,value,unit")),
        ("d.xlsx", lambda b: b.startswith(b"PK")),
    ):
        result = run("calc", EV, "-o", tmp_path / name)
        assert result.exit_code == 0, result.stderr
        assert check((tmp_path / name).read_bytes())
    refused = run("compare", EV, "--plant-country", "HU,PL", "-o", tmp_path / "c.xlsx")
    assert refused.exit_code == 2 and "xlsx" in refused.stderr


def test_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("calc", EV, "-f", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["battery"]["model"] == "EVP-75 NMC811"
    assert not (tmp_path / "-").exists()


def test_a_symlink_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = run("calc", EV, "-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text())["battery"]["model"] == "EVP-75 NMC811"


def test_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("calc", EV, "-f", "csv", "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert received and received[0].startswith(b"battery,stage,metric,value,unit")
    assert fifo.is_fifo()


def test_dev_stdout_in_a_pipe_leaves_the_device_alone(tmp_path: Path) -> None:
    """The device is only ever opened by the child process, through its piped stdout."""
    code = "from carbonfp.cli import app; app()"
    done = subprocess.run(
        [sys.executable, "-c", code, "calc", str(EV), "-f", "json", "-o", "/dev/stdout"],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["battery"]["model"] == "EVP-75 NMC811"
    status = os.lstat("/dev/stdout")
    import stat

    assert stat.S_ISLNK(status.st_mode) or stat.S_ISCHR(status.st_mode)


def test_a_failed_battery_does_not_stop_the_others_being_written(tmp_path: Path) -> None:
    lines, batteries = long_bom(tmp_path, ["good", "bad"])
    text = lines.read_text().replace("bad,steel-sheet,10", "bad,steel-sheet,ten")
    lines.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("calc", lines, "--batteries", batteries, "-f", "json", "-o", f"{out}/")
    assert result.exit_code == 3
    assert sorted(p.name for p in out.iterdir()) == ["good.json"]
    record = json.loads(result.stderr.splitlines()[0])["error"]
    assert record["battery"] == "bad" and record["where"] == "lines.csv:3 [quantity]"


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd on this platform")
def test_a_long_bom_read_from_a_pipe_as_from_its_file(tmp_path: Path) -> None:
    """`calc <(make-lines) --batteries B.csv`: a pipe can be read only once, and the reader
    reads a regular file more than once (scan, parse, line numbers); both give the same CSV."""
    lines, batteries = long_bom(tmp_path, ["A", "B"])
    # a quoted line break and a quantity that is not a plain number: every pass of the reader
    text = lines.read_text().replace("B,steel-sheet,10", '"B",steel-sheet,"1 000"')
    text += '"A",steel-sheet,2,kg\n'
    lines.write_text(text, encoding="utf-8")
    args = ["calc", "--batteries", str(batteries), "-f", "csv", "--quiet"]
    read, write = os.pipe()
    os.write(write, text.encode())  # a few hundred bytes: the pipe holds them all
    os.close(write)
    try:
        piped = subprocess.run(
            [sys.executable, "-c", "from carbonfp.cli import app; app()", *args, f"/dev/fd/{read}"],
            capture_output=True,
            pass_fds=(read,),
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        os.close(read)
    assert piped.returncode == 0, piped.stderr.decode()
    from_file = run("calc", lines, "--batteries", batteries, "-f", "csv", "--quiet")
    assert from_file.exit_code == 0, from_file.output
    assert piped.stdout.decode().replace(f"/dev/fd/{read}", "lines.csv") == from_file.stdout
    assert "B,raw_materials" in from_file.stdout
