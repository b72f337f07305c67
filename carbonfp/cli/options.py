"""Options shared by commands, so every command spells them the same way."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout.", dir_okay=False
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks for errors (for bug reports).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No messages on stderr.")]


def emit(text: str, output: Path | None, quiet: bool = False) -> None:
    """Print ``text`` to stdout, or write it atomically to ``output``."""
    if output is None:
        typer.echo(text, nl=False)
        return
    from carbonfp.errors import UsageError
    from carbonfp.io.declaration import write_atomic

    if not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    write_atomic(output, text)
    if not quiet:
        typer.echo(f"carbonfp: wrote {output}", err=True)
