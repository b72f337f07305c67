"""The one error boundary: maps CarbonfpError to its exit code and a message for people."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from carbonfp.errors import CarbonfpError, ExitCode


def report(error: CarbonfpError) -> None:
    """Print ``carbonfp: error: WHAT (WHERE)`` and a ``hint:`` line to stderr."""
    typer.echo(f"carbonfp: error: {error}", err=True)
    if error.hint:
        typer.echo(f"hint: {error.hint}", err=True)


@contextmanager
def errors_to_exit_codes(debug: bool = False) -> Iterator[None]:
    """Run a command body; turn carbonfp errors, interrupts and bugs into exit codes."""
    try:
        yield
    except CarbonfpError as exc:
        if debug:
            traceback.print_exc(file=sys.stderr)
        report(exc)
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
