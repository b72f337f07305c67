"""Errors carbonfp raises, each with a place, a hint and the exit code the CLI maps it to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (see README, "Exit codes")."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    INPUT = 3
    FACTOR_DATA = 4
    GATE = 5
    INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and where known its line, column or TOML key."""

    file: str
    line: int | None = None
    column: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.key:
            text += f" [{self.key}]"
        return text


class CarbonfpError(Exception):
    """Base of every error carbonfp raises on purpose; carries a stable short code."""

    exit_code: ExitCode = ExitCode.INTERNAL
    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        where: Location | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        if code is not None:
            self.code = code
        #: further problems of the same input, reported together with this one
        self.related: tuple[CarbonfpError, ...] = ()

    def with_related(self, related: Sequence[CarbonfpError]) -> CarbonfpError:
        """This error, carrying the other problems found in the same input."""
        self.related = tuple(related)
        return self

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message


class InputError(CarbonfpError):
    """A project, BOM, energy or transport input is invalid (exit 3)."""

    exit_code = ExitCode.INPUT
    code = "invalid-input"


class FactorDataError(CarbonfpError):
    """A factor set or ruleset is invalid, missing or does not match its manifest (exit 4)."""

    exit_code = ExitCode.FACTOR_DATA
    code = "invalid-factor-data"


class UsageError(CarbonfpError):
    """The command line asks for something that cannot be done (exit 2)."""

    exit_code = ExitCode.USAGE
    code = "usage"


class GateError(CarbonfpError):
    """A declaration was computed but a gate failed: declaration-mode checks (exit 5)."""

    exit_code = ExitCode.GATE
    code = "gate-failed"
