"""Files: text and TOML read with errors that name the file, line and key; output written safely."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from carbonfp.errors import CarbonfpError, InputError, Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_text(path: Path, label: str, error: type[CarbonfpError] = InputError) -> str:
    """Read a UTF-8 text file (a byte-order mark is dropped).

    Raises ``error`` (code ``missing-file`` or ``unreadable-file``) naming ``label``.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise error(
            "file not found",
            where=Location(label),
            hint="check the path (paths inside a project file are relative to that file)",
            code="missing-file",
        ) from exc
    except IsADirectoryError as exc:
        raise error(
            "is a directory, not a file",
            where=Location(label),
            hint="give the path of a file inside it",
            code="unreadable-file",
        ) from exc
    except OSError as exc:
        raise error(
            f"cannot read file: {exc.strerror}",
            where=Location(label),
            hint="check that the file exists and that you may read it",
            code="unreadable-file",
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            "file is not UTF-8 text",
            where=Location(label, line),
            hint="save the file as UTF-8",
            code="unreadable-file",
        ) from exc


def load_toml(
    path: Path, label: str, error: type[CarbonfpError] = InputError
) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; return its data and its text (to locate keys in later messages).

    Raises ``error`` (code ``invalid-toml``) with the line and column of the syntax error.
    """
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
            code="invalid-toml",
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
    """Typed access to one TOML table with errors that name the file, key and line."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        label: str,
        text: str,
        table: str,
        index: int | None = None,
        error: type[CarbonfpError] = InputError,
    ) -> None:
        self.data = data
        self.label = label
        self.text = text
        self.table = table
        self.index = index
        self.error = error

    def where(self, key: str | None = None) -> Location:
        name = self.table if self.index is None else f"{self.table}[{self.index}]"
        dotted = f"{name}.{key}" if key and name else (key or name)
        return Location(self.label, key_line(self.text, self.table, self.index, key), key=dotted)

    def fail(
        self, key: str | None, message: str, hint: str | None = None, code: str = "invalid-value"
    ) -> CarbonfpError:
        return self.error(message, where=self.where(key), hint=hint, code=code)

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(
                    key,
                    f"unknown key {key!r}",
                    hint="allowed keys here: " + ", ".join(sorted(allowed)),
                    code="unknown-key",
                )

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
            raise self.fail(key, f"{key!r} must be non-empty text, got {value!r}")
        return value.strip()

    def opt_str(self, key: str) -> str | None:
        return self.string(key, required=False) or None

    def number(self, key: str, *, required: bool = True, positive: bool = True) -> float | None:
        if key not in self.data:
            if required:
                raise self.fail(key, f"missing key {key!r}", code="missing-key")
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
                raise self.fail(None, f"missing table [{self._child(key)}]", code="missing-key")
            value = {}
        if not isinstance(value, dict):
            raise self.fail(key, f"{key!r} must be a table")
        return TomlTable(
            value, label=self.label, text=self.text, table=self._child(key), error=self.error
        )

    def items(self, key: str) -> list[TomlTable]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"{key!r} must be an array of tables ([[{self._child(key)}]])")
        return [
            TomlTable(
                v,
                label=self.label,
                text=self.text,
                table=self._child(key),
                index=i,
                error=self.error,
            )
            for i, v in enumerate(value)
        ]

    def _child(self, key: str) -> str:
        return f"{self.table}.{key}" if self.table else key


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` through a temporary file and a rename: never
    half a file, and the file gets the usual permissions (0666 less the umask)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
