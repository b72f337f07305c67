"""The one error boundary: maps CarbonfpError to its exit code and a message for people.

Text on stderr (``carbonfp: error: WHAT (WHERE)`` and a ``hint:`` line), or, where the user
asked for JSON output, one JSON object per error on stderr with the same fields as the text.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from carbonfp.errors import CarbonfpError, ExitCode


def error_record(error: CarbonfpError, battery: str | None = None) -> dict[str, object]:
    """An error as plain data: what ``--format json`` prints on stderr."""
    record: dict[str, object] = {
        "code": error.code,
        "message": error.message,
        "where": str(error.where) if error.where else None,
        "hint": error.hint,
        "exit_code": int(error.exit_code),
    }
    if battery is not None:
        record = {"battery": battery, **record}
    return record


def report(error: CarbonfpError, *, as_json: bool = False, battery: str | None = None) -> None:
    """Print an error and the related problems found with it, on stderr."""
    for item in (error, *error.related):
        if as_json:
            typer.echo(
                json.dumps({"error": error_record(item, battery)}, ensure_ascii=False), err=True
            )
            continue
        prefix = f"[battery {battery}] " if battery is not None else ""
        typer.echo(f"carbonfp: error: {prefix}{item}", err=True)
        if item.hint:
            typer.echo(f"hint: {item.hint}", err=True)


@contextmanager
def errors_to_exit_codes(debug: bool = False, as_json: bool = False) -> Iterator[None]:
    """Run a command body; turn carbonfp errors, interrupts and bugs into exit codes."""
    try:
        yield
    except CarbonfpError as exc:
        if debug:
            traceback.print_exc(file=sys.stderr)
        report(exc, as_json=as_json)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        typer.echo("carbonfp: interrupted", err=True)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # the boundary: anything else is a bug in carbonfp
        if debug:
            traceback.print_exc(file=sys.stderr)
        typer.echo(f"carbonfp: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo(
            "hint: this is a bug in carbonfp; please report it with the output of --debug", err=True
        )
        raise typer.Exit(int(ExitCode.INTERNAL)) from None
