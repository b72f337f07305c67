"""Fuzzing: the samples' files mutated (truncated, bytes flipped, fields added and dropped,
numbers made huge, tiny, negative or not numbers, keys doubled, encodings changed), then
computed. Whatever the input, carbonfp answers with a documented exit code, never an internal
error or a traceback, never an output file on failure, and on success a valid document.

A bounded number of examples per file in the test suite; more with CARBONFP_FUZZ_EXAMPLES=N.
Every case found is kept in tests/corpus/ (the file, what it replaces, the expected exit code)
and replayed by test_the_corpus_still_ends_as_it_should.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonfp.cli import app
from carbonfp.errors import EXIT_MEANINGS

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CORPUS = Path(__file__).resolve().parent / "corpus"
EXAMPLES = int(os.environ.get("CARBONFP_FUZZ_EXAMPLES", "25"))
#: the exit codes the README documents, but 1 (internal error: a bug)
ALLOWED = {code for code in EXIT_MEANINGS if code not in (1, 130)}
NUMBERS = ["1e308", "1e-320", "-1", "-0", "nan", "inf", "-inf", "0", "99999999999999999999", "1,5"]

# (sample project, file to mutate)
TARGETS = [
    ("ev-nmc811-hu", "bom.csv"),
    ("ev-nmc811-hu", "cell.csv"),
    ("ev-nmc811-hu", "battery.toml"),
    ("ev-nmc811-hu", "energy.toml"),
    ("ev-nmc811-hu", "transport.toml"),
    ("scooter-nmc-l1e", "battery.toml"),
    ("variants", "variants.csv"),  # a long BOM: LINES
    ("variants", "batteries.csv"),  # and its battery table
    ("ev-nmc811-hu", "bom.xlsx"),  # the BOM as a workbook (written by the test)
]


def _original(project: str, name: str) -> bytes:
    """The file to mutate: a sample's, or the EV BOM written as a workbook."""
    if name != "bom.xlsx":
        return (SAMPLES / project / name).read_bytes()
    import csv
    import io

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "BOM"
    with (SAMPLES / project / "bom.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


@st.composite
def mutations(draw: st.DrawFn, text: bytes) -> bytes:
    """One or a few mutations of a file's bytes."""
    data = text
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                [
                    "truncate",
                    "flip",
                    "insert",
                    "drop-line",
                    "double-line",
                    "number",
                    "extra-field",
                    "drop-field",
                    "latin1",
                    "blank",
                ]
            )
        )
        lines = data.split(b"\n")
        if kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at:]
        elif kind == "drop-line" and len(lines) > 1:
            lines.pop(draw(st.integers(0, len(lines) - 1)))
            data = b"\n".join(lines)
        elif kind == "double-line" and lines:
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])  # a doubled TOML key or table, a doubled BOM row
            data = b"\n".join(lines)
        elif kind == "number":
            digits = [i for i, b in enumerate(data) if chr(b).isdigit()]
            if digits:
                at = draw(st.sampled_from(digits))
                end = at
                while end < len(data) and (chr(data[end]).isdigit() or data[end] in b".e-"):
                    end += 1
                data = data[:at] + draw(st.sampled_from(NUMBERS)).encode() + data[end:]
        elif kind in ("extra-field", "drop-field") and len(lines) > 1:
            at = draw(st.integers(1, len(lines) - 1))
            fields = lines[at].split(b",")
            if kind == "extra-field":
                fields.append(b"x")
            elif len(fields) > 1:
                fields.pop(draw(st.integers(0, len(fields) - 1)))
            lines[at] = b",".join(fields)
            data = b"\n".join(lines)
        elif kind == "latin1":
            data = data.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
            data = data.replace(b"e", b"\xe9", 1)
        elif kind == "blank":
            data = b""
    return data


def _finite(data: object) -> bool:
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, dict):
        return all(_finite(v) for v in data.values())
    if isinstance(data, list):
        return all(_finite(v) for v in data)
    return True


def check(project: str, name: str, content: bytes) -> int:
    """Compute the sample with ``name`` replaced by ``content``; assert the promises; return
    the exit code."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / project
        shutil.copytree(SAMPLES / project, work)
        (work / name).write_bytes(content)
        out = Path(folder) / "out.json"
        if project == "variants":
            args = [str(work / "variants.csv"), "--batteries", str(work / "batteries.csv")]
        else:
            args = [str(work / "battery.toml")]
            if name == "bom.xlsx":
                toml = (work / "battery.toml").read_text(encoding="utf-8")
                (work / "battery.toml").write_text(
                    toml.replace('"bom.csv"', '"bom.xlsx"'), encoding="utf-8"
                )
        result = CliRunner().invoke(app, ["calc", *args, "-f", "json", "-o", str(out)])
        code = result.exit_code
        assert code in ALLOWED, (code, result.stderr, result.exception)
        assert "internal error" not in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
        # many batteries: each fails alone, the others are written (README)
        some = project == "variants" and " computed 0 of " not in result.stderr
        if code == 0 or (some and out.exists()):
            text = out.read_text(encoding="utf-8")
            documents = text.splitlines() if project == "variants" else [text]
            for document in documents:  # JSON lines, or one indented document
                assert _finite(json.loads(document, parse_constant=float))
        elif code != 5:  # 5: computed, a gate failed, the declaration is not written
            assert not out.exists(), result.stderr
            # asked for JSON, the error is a JSON record with its code and exit code
            record = json.loads(result.stderr.splitlines()[0])["error"]
            assert record["exit_code"] == code and record["code"] and record["hint"], record
            assert not [p for p in Path(folder).iterdir() if p.name.startswith(".out.json")]
        return code


@pytest.mark.parametrize(("project", "name"), TARGETS)
def test_mutated_inputs_end_in_a_documented_exit_code(project: str, name: str) -> None:
    original = _original(project, name)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=EXAMPLES <= 25,  # the suite's examples are the same on every run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutations(original))
    def mutated(content: bytes) -> None:
        check(project, name, content)

    mutated()


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.json"))


@pytest.mark.parametrize("case", _corpus(), ids=lambda p: p.stem)
def test_the_corpus_still_ends_as_it_should(case: Path) -> None:
    """Each case found by fuzzing, kept: the file content (base64), the sample it replaces a
    file of, and the exit code it must give."""
    import base64

    found = json.loads(case.read_text(encoding="utf-8"))
    content = base64.b64decode(found["content"])
    assert check(found["project"], found["file"], content) == found["exit_code"], found["why"]
