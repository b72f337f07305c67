"""Output files: names from battery ids stay in their folder; writes respect what is at the path."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carbonfp
import carbonfp.files
from carbonfp.errors import UsageError
from carbonfp.files import ensure_folder, safe_name, unique_names, write_atomic, write_output

LONG_PREFIX = "p" * 250
HOSTILE_IDS = [
    "../esc",
    "..",
    ".",
    "a/b",
    "a\\b",
    "A,1",
    '"q"',
    "nul",
    "CON.txt",
    "lpt9",
    "x\x00y",
    "\t\n",
    "é" * 300,
    LONG_PREFIX + "a" * 50,
    LONG_PREFIX + "b" * 50,
    "",
    "   ",
]
ROOT = os.name == "posix" and os.geteuid() == 0
ROOT_REASON = "runs as root, and root may write anywhere: no permission error to provoke"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _leftovers(folder: Path) -> list[str]:
    """Temporary files write_output() may have left in ``folder``."""
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


# --- safe_name ------------------------------------------------------------------------------


@pytest.mark.parametrize("battery_id", HOSTILE_IDS, ids=repr)
def test_safe_name_of_a_hostile_id_is_one_harmless_component(
    battery_id: str, tmp_path: Path
) -> None:
    name = safe_name(battery_id)
    assert name not in ("", ".", "..")
    assert Path(name).parts == (name,)
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert len(name.encode("utf-8")) <= 200
    (tmp_path / name).write_bytes(b"x")
    assert os.listdir(tmp_path) == [name]


@pytest.mark.parametrize(
    ("battery_id", "expected"),
    [
        ("../esc", "_esc"),
        ("..", "_"),
        (".", "_"),
        ("a/b", "a_b"),
        ("a\\b", "a_b"),
        ("A,1", "A_1"),
        ('"q"', "_q_"),
        ("a::*?<>|b", "a_b"),
        ("it's", "it_s"),
        ("nul", "nul_"),
        ("CON.txt", "CON_.txt"),
        ("con .txt", "con_ .txt"),
        ("lpt9", "lpt9_"),
        ("COM\u00b9", "COM\u00b9_"),
        ("CONSOLE", "CONSOLE"),
        ("x\x00y", "x_y"),
        ("\t\n", "_"),
        ("", "_"),
        ("   ", "_"),
        (" .hidden. ", "hidden"),
        ("evil\u202egpj", "evil_gpj"),
        ("a\uff0fb", "a_b"),
        ("Zelle 7 (Prüfung)", "Zelle 7 (Prüfung)"),
        ("BAT-2026-0001", "BAT-2026-0001"),
    ],
)
def test_safe_name_gives_these_names(battery_id: str, expected: str) -> None:
    assert safe_name(battery_id) == expected


def test_safe_name_cuts_long_ids_on_a_character_and_keeps_them_apart() -> None:
    accents = safe_name("é" * 300)
    assert len(accents.encode("utf-8")) <= 200
    assert accents.startswith("é" * 90)  # cut between characters, not inside one
    first = safe_name(LONG_PREFIX + "a" * 50)
    second = safe_name(LONG_PREFIX + "b" * 50)
    assert first != second
    assert first.startswith("p" * 150) and second.startswith("p" * 150)
    # the hash is part of file names people keep: it must not change between versions
    assert safe_name("x" * 300) == "x" * 189 + "-0d4e2ca9e9"
    assert safe_name("x" * 200) == "x" * 200  # fits: no hash


def test_safe_name_honours_max_bytes() -> None:
    name = safe_name("é" * 30, max_bytes=20)
    assert len(name.encode("utf-8")) <= 20
    assert name == safe_name("é" * 30, max_bytes=20)
    with pytest.raises(ValueError, match="max_bytes"):
        safe_name("abc", max_bytes=8)


_HOSTILE_PIECES = st.sampled_from(
    ["..", ".", "/", "\\", " ", "CON", "nul", "lpt1", ".txt", "\x00", "\n", "é", "\ud800", "-"]
)
_ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=())),  # every code point, surrogates too
    st.lists(_HOSTILE_PIECES).map("".join),
)


# tmp_path is only a folder to join names to; each example removes the file it creates
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_ANY_TEXT)
def test_safe_name_property_any_text_gives_a_name_inside_the_folder(
    text: str, tmp_path: Path
) -> None:
    name = safe_name(text)
    assert name and name not in (".", "..")
    assert "/" not in name and "\\" not in name
    assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in name)
    assert len(name.encode("utf-8")) <= 200
    assert name == name.strip(" .")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    (tmp_path / name).write_bytes(b"")
    (tmp_path / name).unlink()


# --- unique_names ---------------------------------------------------------------------------


def test_unique_names_numbers_duplicates_and_case_only_differences() -> None:
    names, collisions = unique_names(["A", "B", "A", "a", "A-2", "b"], ".json")
    assert names == ["A.json", "B.json", "A-2.json", "a-3.json", "A-2-2.json", "b-2.json"]
    assert collisions == [
        ("A", "A.json", "A-2.json"),
        ("a", "a.json", "a-3.json"),
        ("A-2", "A-2.json", "A-2-2.json"),
        ("b", "b.json", "b-2.json"),
    ]


def test_unique_names_separates_ids_that_clean_to_the_same_name(tmp_path: Path) -> None:
    names, collisions = unique_names(["A,1", "A:1", "A|1", "e\u0301", "\u00e9"], ".csv")
    assert names == ["A_1.csv", "A_1-2.csv", "A_1-3.csv", "e\u0301.csv", "\u00e9-2.csv"]
    assert [wanted for _, wanted, _ in collisions] == ["A_1.csv", "A_1.csv", "\u00e9.csv"]
    for name in names:
        (tmp_path / name).write_text(name, encoding="utf-8")
    assert len(os.listdir(tmp_path)) == len(names)


def test_unique_names_of_every_hostile_id_can_all_be_written(tmp_path: Path) -> None:
    ids = [*HOSTILE_IDS, *HOSTILE_IDS, *("é" * 300 for _ in range(3))]
    names, collisions = unique_names(ids, ".json")
    assert len({name.casefold() for name in names}) == len(ids)
    assert all(len(name.encode("utf-8")) <= 200 + len(".json") for name in names)
    assert len(collisions) >= len(HOSTILE_IDS)
    for name in names:
        write_output(tmp_path / name, "{}\n")
    assert len(os.listdir(tmp_path)) == len(ids)


def test_unique_names_refuses_an_unsafe_suffix() -> None:
    with pytest.raises(ValueError, match="suffix"):
        unique_names(["A"], "/../x")


# --- write_output: regular files and new paths ----------------------------------------------


def test_write_output_replaces_a_regular_file_atomically_and_keeps_its_mode(
    tmp_path: Path,
) -> None:
    target = tmp_path / "x.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    before = target.stat()
    with target.open("rb") as reader:  # a reader of the old file keeps seeing the old file
        assert write_output(target, "new é\n") == f"wrote {target}"
        assert reader.read() == b"old\n"
    after = target.stat()
    assert target.read_bytes() == "new é\n".encode()
    assert after.st_ino != before.st_ino  # replaced by a rename, not rewritten in place
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert _leftovers(tmp_path) == []


def test_write_output_creates_a_new_file_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    assert write_output(str(target), b"a,b\n1,2\n") == f"wrote {target}"
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert os.listdir(tmp_path) == ["new.csv"]


def test_write_atomic_still_writes_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "old-api.txt"
    write_atomic(target, "text")
    assert target.read_text(encoding="utf-8") == "text"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()


def test_write_output_to_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UsageError) as caught:
        write_output(folder, "x")
    assert caught.value.code == "output-is-folder"
    assert "is a folder" in caught.value.message and str(folder) in caught.value.message
    assert caught.value.hint
    assert os.listdir(folder) == []


def test_write_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "out" / "x.json"
    with pytest.raises(UsageError) as caught:
        write_output(target, "x")
    assert caught.value.code == "missing-folder"
    assert caught.value.message == (
        f"cannot write {target}: folder {tmp_path / 'out'} does not exist"
    )
    assert caught.value.hint
    assert not (tmp_path / "out").exists()


def test_write_output_below_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        write_output(tmp_path / "plain" / "x.json", "x")
    assert caught.value.code == "missing-folder"
    assert "is not a folder" in caught.value.message


def test_write_output_reports_a_failed_write_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kept.json"
    target.write_text("old\n", encoding="utf-8")

    def disk_full(descriptor: int, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(carbonfp.files, "_write_all", disk_full)
    for path in (target, tmp_path / "new.json"):
        with pytest.raises(UsageError) as caught:
            write_output(path, "new\n")
        assert caught.value.code == "cannot-write"
        assert caught.value.message == f"cannot write {path}: No space left on device"
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["kept.json"]


@pytest.mark.skipif(ROOT, reason=ROOT_REASON)
def test_write_output_into_a_read_only_folder_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(UsageError) as caught:
            write_output(folder / "x.json", "x")
        assert caught.value.code == "cannot-write"
        assert "Permission denied" in caught.value.message
    finally:
        folder.chmod(0o700)
    assert os.listdir(folder) == []


# --- write_output: standard output ----------------------------------------------------------


def test_write_output_dash_writes_to_the_given_stream() -> None:
    stream = io.BytesIO()
    assert write_output("-", "é\n", stdout=stream) == "standard output"
    assert stream.getvalue() == "é\n".encode()
    assert write_output(Path("-"), b"\x00\xff", stdout=stream) == "standard output"
    assert stream.getvalue() == "é\n".encode() + b"\x00\xff"


def test_write_output_dash_defaults_to_sys_stdout(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    write_output("-", "declaration\n")
    assert capsysbinary.readouterr().out == b"declaration\n"


def test_write_output_dot_slash_dash_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_output("./-", "a file named -")
    assert (tmp_path / "-").read_text(encoding="utf-8") == "a file named -"


def test_write_output_to_a_closed_pipe_is_a_usage_error() -> None:
    class Closed(io.BytesIO):
        def write(self, data: object) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(UsageError) as caught:
        write_output("-", "x", stdout=Closed())
    assert caught.value.code == "cannot-write"
    assert caught.value.message == "cannot write standard output: Broken pipe"


# --- write_output: links, FIFOs, sockets ----------------------------------------------------

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


@needs_symlinks
def test_write_output_through_a_link_replaces_the_file_and_keeps_the_link(
    tmp_path: Path,
) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "target.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o604)
    link = tmp_path / "link.json"
    link.symlink_to(Path("real") / "target.json")
    description = write_output(link, "new\n")
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("real", "target.json")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert description == f"wrote {target.resolve()} through the link {link}"
    assert _leftovers(tmp_path) == [] and _leftovers(tmp_path / "real") == []


@needs_symlinks
def test_write_output_through_a_dangling_link_creates_its_file(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    write_output(link, "made\n")
    assert link.is_symlink()
    made = tmp_path / "made.json"
    assert stat.S_ISREG(os.lstat(made).st_mode)
    assert made.read_text(encoding="utf-8") == "made\n"
    assert stat.S_IMODE(made.stat().st_mode) == 0o666 & ~_umask()


@needs_symlinks
def test_write_output_through_links_to_nowhere_or_a_folder_is_a_usage_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "folder").mkdir()
    cases = {
        "to-folder": ("folder", "output-is-folder"),
        "to-missing-folder": (os.path.join("missing", "x.json"), "missing-folder"),
        "loop": ("loop", "cannot-write"),
    }
    for name, (points_to, code) in cases.items():
        (tmp_path / name).symlink_to(points_to)
        with pytest.raises(UsageError) as caught:
            write_output(tmp_path / name, "x")
        assert caught.value.code == code, name
        assert (tmp_path / name).is_symlink()
    assert sorted(os.listdir(tmp_path)) == sorted(["folder", *cases])


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


def _read_in_thread(path: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as reader:
            received.append(reader.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, received


@needs_fifo
def test_write_output_writes_through_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = b"0123456789abcdef" * 65536  # 1 MiB: more than a pipe holds at once
    thread, received = _read_in_thread(fifo)
    assert write_output(fifo, data) == f"wrote through the FIFO {fifo}"
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert received == [data]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


@needs_fifo
@needs_symlinks
def test_write_output_through_a_link_to_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to("pipe")
    thread, received = _read_in_thread(fifo)
    write_output(link, "through the link\n")
    thread.join(timeout=30)
    assert received == [b"through the link\n"]
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets on this platform")
def test_write_output_writes_through_a_unix_socket(tmp_path: Path) -> None:
    path = tmp_path / "s"
    if len(os.fsencode(path)) > 100:
        pytest.skip("tmp_path too long for a Unix socket address")
    received: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(os.fspath(path))
        server.listen(1)

        def serve() -> None:
            connection, _ = server.accept()
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                received.append(b"".join(chunks))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        assert write_output(path, "to a socket\n") == f"wrote through the socket {path}"
        thread.join(timeout=30)
    assert received == [b"to a socket\n"]
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


# --- write_output: /dev/stdout, only ever in a child process --------------------------------

_DEV_STDOUT = "/dev/stdout"
needs_dev_stdout = pytest.mark.skipif(
    os.name != "posix" or not os.path.lexists(_DEV_STDOUT), reason="no /dev/stdout"
)
_CHILD = (
    "import sys\n"
    "from carbonfp.files import write_output\n"
    "print(write_output('/dev/stdout', 'through /dev/stdout\\n'), file=sys.stderr)\n"
)


def _dev_stdout_kind() -> int:
    """lstat() only: the test process never opens a device."""
    return stat.S_IFMT(os.lstat(_DEV_STDOUT).st_mode)


def _child_env() -> dict[str, str]:
    source = str(Path(carbonfp.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": source + (os.pathsep + path if path else "")}


@needs_dev_stdout
def test_write_output_to_dev_stdout_writes_through_a_pipe(tmp_path: Path) -> None:
    kind = _dev_stdout_kind()
    assert kind in (stat.S_IFLNK, stat.S_IFCHR)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        capture_output=True,
        cwd=tmp_path,
        env=_child_env(),
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr.decode(errors="replace")
    assert child.stdout == b"through /dev/stdout\n"
    assert b"wrote through /dev/stdout" in child.stderr
    assert _dev_stdout_kind() == kind


@needs_dev_stdout
def test_write_output_to_dev_stdout_appends_where_the_shell_appends(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_bytes(b"earlier\n")
    with log.open("ab") as appended:  # as `carbonfp ... -o /dev/stdout >> log.txt`
        child = subprocess.run(
            [sys.executable, "-c", _CHILD],
            stdout=appended,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=_child_env(),
            timeout=60,
            check=False,
        )
    assert child.returncode == 0, child.stderr.decode(errors="replace")
    assert log.read_bytes() == b"earlier\nthrough /dev/stdout\n"
    assert sorted(os.listdir(tmp_path)) == ["log.txt"]


# --- ensure_folder --------------------------------------------------------------------------


def test_ensure_folder_creates_missing_folders(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "2026"
    assert ensure_folder(folder) == folder
    assert folder.is_dir()
    assert ensure_folder(folder) == folder  # already there: fine


def test_ensure_folder_refuses_a_file(tmp_path: Path) -> None:
    plain = tmp_path / "out"
    plain.write_text("", encoding="utf-8")
    for path in (plain, plain / "below"):
        with pytest.raises(UsageError) as caught:
            ensure_folder(path)
        assert caught.value.code == "not-a-folder"
        assert caught.value.hint
    assert plain.is_file()


@needs_symlinks
def test_ensure_folder_accepts_a_link_to_a_folder_and_refuses_a_dangling_one(
    tmp_path: Path,
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    assert ensure_folder(tmp_path / "link") == tmp_path / "link"
    (tmp_path / "dangling").symlink_to("nowhere")
    with pytest.raises(UsageError):
        ensure_folder(tmp_path / "dangling")
    assert not (tmp_path / "nowhere").exists()
