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
