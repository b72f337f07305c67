"""Files: text and TOML read with errors that name the file, line and key; output written safely."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import socket
import stat
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from carbonfp.errors import LIMITS, CarbonfpError, InputError, Location, UsageError, code_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Characters that make a spreadsheet evaluate a cell (with their full-width forms).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def guard_formula(text: str) -> str:
    """Text a spreadsheet would evaluate as a formula, with a leading apostrophe (the rest is
    unchanged): a CSV carbonfp writes never runs a formula when opened."""
    if text.lstrip(" \u00a0").startswith(FORMULA_START):
        return "'" + text
    return text


def unguard_formula(text: str) -> str:
    """The text :func:`guard_formula` guarded, as it was (other text is unchanged)."""
    if text.startswith("'") and text[1:].lstrip(" \u00a0").startswith(FORMULA_START):
        return text[1:]
    return text


_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def limit(name: str) -> int:
    """The limit ``name`` (LIMITS), or the whole number its environment variable gives."""
    default, _ = LIMITS[name]
    given = os.environ.get(name, "").strip()
    return int(given) if given.isdigit() and int(given) > 0 else default


def too_large(what: str, size: int, name: str, where: Location) -> InputError:
    """The error for an input past the limit ``name``."""
    return InputError(
        f"{what} is {size:,} where carbonfp stops at {limit(name):,}".replace(",", " "),
        where=where,
        hint=f"check that this is the file you meant; to allow more, set {name} (README, "
        "Guarantees)",
        code="too-large",
    )


def resolved(path: Path, label: str | None = None) -> Path:
    """``path`` made absolute with its links followed. Raises InputError (code
    ``unreadable-file``) for a loop of symbolic links, naming ``label`` (default: the path)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: a link loop before Python 3.13
        loop = not isinstance(exc, OSError) or exc.errno == errno.ELOOP
        reason = str(exc)
        if loop:
            reason = "it is a loop of symbolic links"
        elif isinstance(exc, OSError) and exc.strerror:
            reason = exc.strerror
        raise InputError(
            f"cannot follow the path: {reason}",
            where=Location(label or str(path)),
            hint="the path is a loop of symbolic links, or a part of it cannot be read; fix "
            "or remove the link",
            code="unreadable-file",
        ) from exc


def read_text(path: Path, label: str, error: type[CarbonfpError] = InputError) -> str:
    """Read a UTF-8 text file (a byte-order mark is dropped).

    Raises ``error`` (code ``missing-file`` or ``unreadable-file``, or the same problems'
    codes of ``error``'s class: ``factor-data-missing-file``...) naming ``label``.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise error(
            "file not found",
            where=Location(label),
            hint="check the path (paths inside a project file are relative to that file)",
            code=code_for(error, "missing-file"),
        ) from exc
    except IsADirectoryError as exc:
        raise error(
            "is a directory, not a file",
            where=Location(label),
            hint="give the path of a file inside it",
            code=code_for(error, "unreadable-file"),
        ) from exc
    except OSError as exc:
        raise error(
            f"cannot read file: {exc.strerror}",
            where=Location(label),
            hint="check that the file exists and that you may read it",
            code=code_for(error, "unreadable-file"),
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            "file is not UTF-8 text",
            where=Location(label, line),
            hint="save the file as UTF-8",
            code=code_for(error, "unreadable-file"),
        ) from exc


def load_toml(
    path: Path, label: str, error: type[CarbonfpError] = InputError
) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; return its data and its text (to locate keys in later messages).

    Raises ``error`` (code ``invalid-toml``, or ``factor-data-invalid-toml`` for a
    FactorDataError) with the line and column of the syntax error.
    """
    with contextlib.suppress(OSError):  # read_text says what is wrong with an unreadable one
        size = path.stat().st_size
        if size > limit("CARBONFP_MAX_TOML_BYTES") and path.is_file():
            raise too_large(
                "the file's size in bytes", size, "CARBONFP_MAX_TOML_BYTES", Location(label)
            )
    text = read_text(path, label, error)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = _AT.search(str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        what = _AT.sub("", str(exc)).strip()
        raise error(
            f"invalid TOML: {what}",
            where=Location(label, line, col),
            hint="check quotes around text, '=' between key and value, and [table] headers",
            code=code_for(error, "invalid-toml"),
        ) from exc


def key_line(text: str, table: str, index: int | None, key: str | None) -> int | None:
    """Best-effort line number of ``key`` in ``[table]`` (or the index-th ``[[table]]``)."""
    if index is not None:
        header = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]\s*(#.*)?$")
    else:
        header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$")
    any_header = re.compile(r"^\s*\[")
    lines = text.splitlines()
    seen = -1
    start = None
    for number, line in enumerate(lines, 1):
        if header.match(line):
            seen += 1
            if index is None or seen == index:
                start = number
                break
    if start is None:
        return None
    if key is None:
        return start
    key_re = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if any_header.match(line):
            break
        if key_re.match(line):
            return number
    return start


class TomlTable:
    """Typed access to one TOML table with errors that name the file, key and line.

    The same access serves a row of a table file (a long BOM's battery table): ``line`` is
    then the row's line, and every key is located there.
    """

    def __init__(
        self,
        data: dict[str, Any],
        *,
        label: str,
        text: str,
        table: str,
        index: int | None = None,
        error: type[CarbonfpError] = InputError,
        line: int | None = None,
    ) -> None:
        self.data = data
        self.label = label
        self.text = text
        self.table = table
        self.index = index
        self.error = error
        self.line = line

    def where(self, key: str | None = None) -> Location:
        name = self.table if self.index is None else f"{self.table}[{self.index}]"
        dotted = f"{name}.{key}" if key and name else (key or name)
        if self.line is not None:
            return Location(self.label, self.line, key=dotted)
        return Location(self.label, key_line(self.text, self.table, self.index, key), key=dotted)

    def fail(
        self, key: str | None, message: str, hint: str | None = None, *, code: str
    ) -> CarbonfpError:
        """The error (of this table's class) for a problem at ``key``: ``code`` is catalogued
        for that class, or is the user-input code of the same problem (``missing-key`` becomes
        ``factor-data-missing-key`` in a factor set; see errors.code_for)."""
        return self.error(
            message, where=self.where(key), hint=hint, code=code_for(self.error, code)
        )

    def unknown_keys(self, allowed: set[str]) -> None:
        """Raise for keys that are not ``allowed`` (the first, carrying the others), each
        naming the nearest allowed key (a typo), else every allowed key."""
        import difflib

        found = []
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                found.append(
                    self.fail(
                        key,
                        f"unknown key {key!r}" + (f": did you mean {close[0]!r}?" if close else ""),
                        hint=(f"write {close[0]!r}; other " if close else "")
                        + "allowed keys here: "
                        + ", ".join(sorted(allowed)),
                        code="unknown-key",
                    )
                )
        if found:  # every unknown key of the table at once
            raise found[0].with_related(found[1:])

    def has(self, key: str) -> bool:
        return key in self.data

    def string(self, key: str, default: str | None = None, *, required: bool = True) -> str:
        if key not in self.data:
            if default is not None or not required:
                return default or ""
            raise self.fail(
                key, f"missing key {key!r}", hint=f'add {key} = "..."', code="missing-key"
            )
        value = self.data[key]
        if isinstance(value, str) and not value.strip() and (default is not None or not required):
            return default or ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                key,
                f"{key!r} must be non-empty text, got {value!r}",
                hint=f'give {key} as text (in TOML: {key} = "...")',
                code="wrong-type",
            )
        return value.strip()

    def opt_str(self, key: str) -> str | None:
        return self.string(key, required=False) or None

    def number(self, key: str, *, required: bool = True, positive: bool = True) -> float | None:
        if key not in self.data:
            if required:
                raise self.fail(
                    key, f"missing key {key!r}", hint=f"give {key}, a number", code="missing-key"
                )
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(
                key,
                f"{key!r} must be a number, got {value!r}",
                hint=f"write {key} = 8 (a number without quotes)",
                code="not-a-number",
            )
        if positive and not value > 0:
            raise self.fail(
                key,
                f"{key!r} must be greater than zero, got {value!r}",
                hint="give a positive number",
                code="not-positive",
            )
        return float(value)

    def sub(self, key: str, *, required: bool = True) -> TomlTable:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(
                    None,
                    f"missing table [{self._child(key)}]",
                    hint=f"add a [{self._child(key)}] table",
                    code="missing-key",
                )
            value = {}
        if not isinstance(value, dict):
            raise self.fail(
                key,
                f"{key!r} must be a table",
                hint=f"write it as a [{self._child(key)}] table",
                code="wrong-type",
            )
        return TomlTable(
            value,
            label=self.label,
            text=self.text,
            table=self._child(key),
            error=self.error,
            line=self.line,
        )

    def items(self, key: str) -> list[TomlTable]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(
                key,
                f"{key!r} must be an array of tables ([[{self._child(key)}]])",
                code="wrong-type",
            )
        return [
            TomlTable(
                v,
                label=self.label,
                text=self.text,
                table=self._child(key),
                index=i,
                error=self.error,
                line=self.line,
            )
            for i, v in enumerate(value)
        ]

    def _child(self, key: str) -> str:
        return f"{self.table}.{key}" if self.table else key


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` through a temporary file and a rename: never
    half a file, and the file gets the usual permissions (0666 less the umask).

    Raises ``OSError`` as the operating system reports it; write_output() turns it into a
    message for people and also handles links, FIFOs and devices.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    _replace_atomically(Path(path), data, None)


# --- Output: names that stay in their folder, writes that respect what is at the path ---------

# Characters that never appear in a name from safe_name(), each run replaced by one "_". The set is
# spelled out (not taken from unicodedata categories) so that a name does not change with the
# Unicode version of the Python that computes it.
_FORBIDDEN = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0 and C1 control characters, DEL
    "/\\\\"  # path separators
    ",\"':*?<>|"  # forbidden on Windows, or troublesome in CSV and shells
    "\u2044\u2215\u2216\u29f8\u29f9\ufe68\uff0f\uff3c"  # look like separators (best-fit code pages)
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # invisible or reordering marks
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (from undecodable bytes): not valid UTF-8
    "]+"
)
_SUPERSCRIPT_DIGITS = "\u00b9\u00b2\u00b3"
# Windows device names: a file whose part before the first dot is one of these (any case,
# trailing spaces ignored) opens the device instead of a file.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789" + _SUPERSCRIPT_DIGITS}
)
_HASH_CHARS = 10
_MIN_NAME_BYTES = _HASH_CHARS + 6
_MAX_NAME_BYTES = 200


def _cut_utf8(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` that is at most ``max_bytes`` in UTF-8 (whole characters)."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def safe_name(text: str, max_bytes: int = _MAX_NAME_BYTES) -> str:
    """A file-name stem made from ``text`` (a battery id) that stays inside its folder.

    Each run of separators, control characters and characters unsafe on some file systems or in
    shells (``/ \\ , " ' : * ? < > |``, invisible marks) becomes ``_``; leading and trailing dots
    and spaces are dropped; an empty result becomes ``_``; a Windows device name (``CON``,
    ``nul.txt``, ``LPT9``) gets ``_`` after the device part. A name longer than ``max_bytes`` in
    UTF-8 is cut on a character boundary and ends in ``-`` and a hash of the whole ``text``, so
    two long ids that share a prefix keep different names. The same text gives the same name on
    every platform.

    Raises ``ValueError`` if ``max_bytes`` is too small to hold that hash (below 16).
    """
    if max_bytes < _MIN_NAME_BYTES:
        raise ValueError(f"max_bytes must be at least {_MIN_NAME_BYTES}, got {max_bytes}")
    name = _FORBIDDEN.sub("_", text).strip(" .") or "_"
    device = name.split(".", 1)[0].rstrip(" ")
    if device.upper() in _RESERVED:
        name = name[: len(device)] + "_" + name[len(device) :]
    if len(name.encode("utf-8")) > max_bytes:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
        name = _cut_utf8(name, max_bytes - _HASH_CHARS - 1) + "-" + digest
    return name


def _fold(name: str) -> str:
    """The key under which case-insensitive or normalising file systems see ``name``."""
    return unicodedata.normalize("NFC", name).casefold()


def unique_names(ids: Sequence[str], suffix: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """File names ``safe_name(id) + suffix``, one per id in order, unique even where the file
    system ignores case: a later id whose name is taken gets ``-2``, ``-3``... before the suffix.

    Returns the names and the collisions as ``(id, name it would have had, name it got)``.
    Raises ``ValueError`` if ``suffix`` holds a separator or another character safe_name() drops.
    """
    namer = UniqueNames(suffix)
    names = [namer.name(item) for item in ids]
    return names, namer.collisions


class UniqueNames:
    """File names given one at a time, as :func:`unique_names` gives them all at once (for
    outputs written as they come). ``collisions`` lists ``(id, wanted, got)``."""

    def __init__(self, suffix: str) -> None:
        if _FORBIDDEN.search(suffix):
            raise ValueError(f"suffix {suffix!r} is not safe in a file name")
        self.suffix = suffix
        self.collisions: list[tuple[str, str, str]] = []
        self._taken: set[str] = set()
        self._tried: dict[str, int] = {}  # the last number tried for a wanted name: O(n) in all

    def name(self, item: str) -> str:
        wanted = safe_name(item) + self.suffix
        name = wanted
        number = self._tried.get(_fold(wanted), 1)
        while _fold(name) in self._taken:
            number += 1
            tag = f"-{number}"
            # a long stem is cut again (with its hash) so that the tag fits in the same bytes
            name = safe_name(item, _MAX_NAME_BYTES - len(tag)) + tag + self.suffix
        self._tried[_fold(wanted)] = number
        self._taken.add(_fold(name))
        if name != wanted:
            self.collisions.append((item, wanted, name))
        return name


def ensure_folder(path: Path) -> Path:
    """Create the output folder ``path`` (and its parents) if it is missing; return it.

    Raises ``UsageError`` (code ``not-a-folder``) if something other than a folder is there,
    or (code ``cannot-write``) if the folder cannot be created.
    """
    path = Path(path)
    if path.is_dir():
        return path
    if os.path.lexists(path):
        raise UsageError(
            f"cannot write into {path}: it is not a folder",
            hint="give the path of a folder, or a new path for carbonfp to create",
            code="not-a-folder",
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise UsageError(
            f"cannot create folder {path}: {_reason(exc)}",
            hint="a part of the path is a file or a broken link; give another folder",
            code="not-a-folder",
        ) from exc
    except OSError as exc:
        raise UsageError(
            f"cannot create folder {path}: {_reason(exc)}",
            hint="check that you may write in its parent folder",
            code="cannot-write",
        ) from exc
    return path


def write_output(
    target: str | Path, content: str | bytes, *, stdout: BinaryIO | None = None
) -> str:
    """Write a whole output (text as UTF-8, or bytes) to ``target``; say what was written.

    ``"-"`` is standard output (``stdout`` if given, else ``sys.stdout.buffer``); write
    ``./-`` for a file of that name. ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` write to
    that file descriptor of this process, as a shell would. An existing FIFO, device or socket
    (or a link to one) is opened and written through, never replaced. A regular file or a new path
    is replaced atomically: a temporary file in the same folder, then a rename. An existing file
    keeps its permission bits; a new one gets 0666 less the umask. A link to a file, or a
    dangling link, stays a link: the file it points to is replaced or created.

    Raises ``UsageError``: code ``output-is-folder`` when ``target`` is a folder,
    ``missing-folder`` when its folder does not exist, ``cannot-write`` for any failure of the
    operating system (no space, no permission, a closed pipe...), naming the path and the reason.
    No temporary file is left behind.
    """
    with Output(target, stdout=stdout) as out:
        out.write(content)
    return out.done


class Output:
    """An output written piece by piece (see :func:`write_output` for where it goes): a
    regular file through a temporary file beside it, renamed over it only when the ``with``
    block ends without an exception (never half a file; the temporary file is removed on
    failure); standard output, a descriptor, FIFO, device or socket written through as the
    pieces come. ``done`` says what was written. Raises ``UsageError`` as write_output does."""

    def __init__(self, target: str | Path, *, stdout: BinaryIO | None = None) -> None:
        self.done = ""
        self._stream: BinaryIO | None = None
        self._descriptor: int | None = None
        self._close = False
        self._socket: socket.socket | None = None
        self._temporary: Path | None = None
        self._path: Path | None = None
        self._existing: os.stat_result | None = None
        self._label = str(target)
        if str(target) == "-":
            self._stream = stdout if stdout is not None else sys.stdout.buffer
            self._label = self.done = "standard output"
            return
        path = Path(target)
        descriptor = _own_descriptor(path)
        if descriptor is not None:
            # what this process already printed to that descriptor comes first
            stream = {1: sys.stdout, 2: sys.stderr}.get(descriptor)
            if stream is not None:
                stream.flush()
            self._descriptor = descriptor
            self.done = f"wrote through {path} (file descriptor {descriptor})"
            return
        try:
            link = os.lstat(path)
        except FileNotFoundError:
            self._file(path, label=str(path), existing=None)
            self.done = f"wrote {path}"
            return
        except NotADirectoryError as exc:
            raise _not_a_folder(str(path), path.parent) from exc
        except OSError as exc:
            raise _cannot_write(str(path), exc) from exc
        if not stat.S_ISLNK(link.st_mode):
            self._open_at(path, link, label=str(path))
            return
        try:
            pointed = os.stat(path)
        except FileNotFoundError:  # a dangling link: create the file it points to
            real = Path(os.path.realpath(path))
            self._file(real, label=f"{path} (a link to {real})", existing=None)
            self.done = f"wrote {real} through the link {path}"
            return
        except OSError as exc:  # a loop of links, a part of the path that is a file...
            raise _cannot_write(str(path), exc) from exc
        if stat.S_ISREG(pointed.st_mode):
            real = Path(os.path.realpath(path))
            self._file(real, label=f"{path} (a link to {real})", existing=pointed)
            self.done = f"wrote {real} through the link {path}"
            return
        self._open_at(path, pointed, label=str(path))

    def _open_at(self, path: Path, info: os.stat_result, *, label: str) -> None:
        """Open what ``info`` says is at ``path`` (after following a link)."""
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(
                f"cannot write {label}: {path} is a folder",
                hint=f"give a file name, e.g. {path / 'declaration.json'}",
                code="output-is-folder",
            )
        if stat.S_ISREG(info.st_mode):
            self._file(path, label=label, existing=info)
            self.done = f"wrote {path}"
            return
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "special file")
        try:
            if stat.S_ISSOCK(info.st_mode):
                self._socket = _connect(path)
            else:
                flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
                self._descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
                self._close = True
        except OSError as exc:
            raise _cannot_write(label, exc) from exc
        self.done = f"wrote through the {kind} {path}"

    def _file(self, path: Path, *, label: str, existing: os.stat_result | None) -> None:
        """A regular file, written through a temporary file beside it."""
        folder = path.parent
        if not folder.is_dir():
            if os.path.lexists(folder):
                raise _not_a_folder(label, folder)
            raise UsageError(
                f"cannot write {label}: folder {folder} does not exist",
                hint=f"create it first (mkdir -p {folder}) or write somewhere else",
                code="missing-folder",
            )
        self._label, self._path, self._existing = label, path, existing
        try:
            self._temporary, self._descriptor = _temporary_beside(path)
        except OSError as exc:
            raise _cannot_write(label, exc) from exc
        self._close = True

    def write(self, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        try:
            if self._stream is not None:
                self._stream.write(data)
            elif self._socket is not None:
                self._socket.sendall(data)
            elif self._descriptor is not None:
                _write_all(self._descriptor, data)
        except OSError as exc:
            raise _cannot_write(self._label, exc) from exc

    def __enter__(self) -> Output:
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def commit(self) -> None:
        """Finish the output: the temporary file renamed over the target, streams flushed."""
        try:
            if self._stream is not None:
                self._stream.flush()
            if self._temporary is not None and self._descriptor is not None:
                assert self._path is not None
                if self._existing is not None:
                    _keep_owner_and_mode(self._descriptor, self._temporary, self._existing)
                os.close(self._descriptor)
                self._descriptor = None
                os.replace(self._temporary, self._path)
                self._temporary = None
        except OSError as exc:
            self.abort()
            raise _cannot_write(self._label, exc) from exc
        self.abort()  # closes what is left open

    def abort(self) -> None:
        """Give the output up: the temporary file removed, what is open closed."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._descriptor is not None and self._close:
            with contextlib.suppress(OSError):
                os.close(self._descriptor)
        self._descriptor = None
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None


_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISCHR, "device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


def _connect(path: Path) -> socket.socket:
    """A connection to the Unix stream socket at ``path``."""
    family = getattr(socket, "AF_UNIX", None)
    if family is None:  # pragma: no cover - no Unix sockets on this platform
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))
    connection = socket.socket(family, socket.SOCK_STREAM)
    try:
        connection.connect(os.fspath(path))
    except OSError:
        connection.close()
        raise
    return connection


def _temporary_beside(path: Path) -> tuple[Path, int]:
    """A new temporary file in ``path``'s folder, open for writing (mode 0666 less the umask).

    The file is created with mode 0666 so that the umask (and a default ACL) apply as for any
    new file, without reading the umask (which would change it for every thread).
    """
    stem = _cut_utf8(path.name, 100)  # leave room in the 255 bytes a name may have
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.parent / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(  # pragma: no cover - a hundred random names all taken
        errno.EEXIST, "no free temporary file name", str(path.parent)
    )


def _write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` to an open file descriptor (os.write may write less)."""
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/(\d+)/fd)/(\d+)$")
_STD_PATHS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _own_descriptor(path: Path) -> int | None:
    """The file descriptor that ``path`` names in this process (``/dev/stdout``, ``/dev/fd/3``,
    or a link to one), or None. Writing to the descriptor keeps the shell's redirection: with
    ``>> log`` the output is appended, where opening the path again would start the file over."""
    if os.name != "posix":
        return None
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's limit on links followed
        if current in _STD_PATHS:
            return _STD_PATHS[current]
        match = _FD_PATH.match(current)
        if match and (match.group(1) is None or int(match.group(1)) == os.getpid()):
            return int(match.group(2))
        try:
            if not os.path.islink(current):
                return None
            current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
        except OSError:
            return None
    return None


def _replace_atomically(path: Path, data: bytes, existing: os.stat_result | None) -> None:
    """Write a temporary file beside ``path`` and rename it over ``path``; raise OSError."""
    temporary, descriptor = _temporary_beside(path)
    try:
        try:
            _write_all(descriptor, data)
            if existing is not None:
                _keep_owner_and_mode(descriptor, temporary, existing)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _keep_owner_and_mode(descriptor: int, temporary: Path, existing: os.stat_result) -> None:
    """Give the new file the owner (where allowed) and permission bits of the one it replaces."""
    fchown = getattr(os, "fchown", None)
    if fchown is not None:
        mine = os.fstat(descriptor)
        if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
            with contextlib.suppress(OSError):  # only root may give a file away: best effort
                fchown(descriptor, existing.st_uid, existing.st_gid)
    mode = stat.S_IMODE(existing.st_mode) & 0o777
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, mode)
    else:  # pragma: no cover - Windows before Python 3.13
        os.chmod(temporary, mode)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _cannot_write(label: str, exc: OSError) -> UsageError:
    hints = {
        errno.ENOSPC: "free some space on that disk, or write somewhere else",
        errno.EACCES: "check that you may write there, or write somewhere else",
        errno.EPERM: "check that you may write there, or write somewhere else",
        errno.EROFS: "that file system is read-only: write somewhere else",
        errno.EPIPE: "the program reading the output stopped before the end",
        errno.ENAMETOOLONG: "use a shorter path",
        errno.ELOOP: "the path is a loop of symbolic links; fix or remove the link",
    }
    return UsageError(
        f"cannot write {label}: {_reason(exc)}",
        hint=hints.get(exc.errno or 0, "check the path and that you may write there"),
        code="cannot-write",
    )


def _not_a_folder(label: str, folder: Path) -> UsageError:
    return UsageError(
        f"cannot write {label}: {folder} (or a folder above it) is not a folder",
        hint="give a path inside an existing folder",
        code="missing-folder",
    )
