"""Options shared by commands, so every command spells them the same way."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: from the --output extension, else text).",
        case_sensitive=False,
        show_default=False,
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of standard output ('-'): a regular file is replaced "
        "atomically, a link, FIFO or device is written through.",
        show_default=False,
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks for errors (for bug reports).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No messages on stderr.")]
RulesOption = Annotated[
    str | None,
    typer.Option(
        "--rules",
        help="Ruleset id or file (default: the project's method.ruleset, else "
        "eu-ev-draft-2024-04).",
    ),
]
FactorSetOption = Annotated[
    str | None,
    typer.Option(
        "--factor-set", help="Factor set ID or ID@VERSION, or a folder (default: the ruleset's)."
    ),
]
LayersOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--factors",
        help="A user factor set folder to layer over the base set (repeatable; later layers "
        "win). Make one with `carbonfp factors import`.",
        file_okay=False,
    ),
]
ModeOption = Annotated[
    str,
    typer.Option(
        "--mode",
        help="screening: label the result 'screening, not a declaration' and list the primary "
        "data still missing; declaration: refuse secondary data on the ruleset's mandatory "
        "items (exit 5).",
    ),
]
PolicyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--electricity-policy", help="national-mix or market-based (repeat to compare both)."
    ),
]
PlantCountryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--plant-country",
        help="Move the plant, and the electricity blocks at the plant's grid, to this country "
        "(repeat, or separate by commas, to compare countries).",
    ),
]


def choose_format(fmt: str | None, output: str | None, allowed: Sequence[str]) -> str:
    """The format asked for, else the one the output's extension names, else text.

    Raises UsageError when the format, or the one the extension names, is not one this command
    writes.
    """
    from carbonfp.errors import UsageError

    if fmt:
        if fmt not in allowed:
            raise UsageError(
                f"this command writes {', '.join(allowed)}, not {fmt}",
                hint=f"use --format {allowed[0]}",
                code="invalid-option",
            )
        return fmt
    if output and output != "-":
        from carbonfp.formats import format_for_extension

        suffix = Path(output.rstrip("/")).suffix
        found = format_for_extension(suffix) if suffix else None
        if found is not None:
            if found not in allowed:
                raise UsageError(
                    f"{suffix} output is not one of the formats this command writes "
                    f"({', '.join(allowed)})",
                    hint="give --format, or an output name with another extension",
                    code="invalid-option",
                )
            return found
    return "text"


def emit(content: str | bytes, output: str | None, quiet: bool = False) -> None:
    """Write a whole output to standard output (no ``output``, or ``-``) or to ``output``."""
    import sys

    from carbonfp.files import write_output

    sys.stdout.flush()
    target = "-" if output is None else output
    done = write_output(target, content)
    if not quiet and target != "-":
        typer.echo(f"carbonfp: {done}", err=True)


def expand_projects(inputs: list[str]) -> list[Path]:
    """Project files from paths, globs and folders (every battery.toml below a folder).

    Raises UsageError for a glob or folder that finds none, and for a BOM given as a project.
    """
    import glob

    from carbonfp.errors import UsageError

    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if any(c in item for c in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise UsageError(
                    f"no file matches {item!r}",
                    hint="check the pattern (** matches folders at any depth)",
                    code="invalid-option",
                )
            found += [m for m in matches if m.is_file()]
        elif path.is_dir():
            matches = sorted(path.rglob("battery.toml"))
            if not matches:
                raise UsageError(
                    f"no battery.toml below {item}",
                    hint="give project files (battery.toml), or a folder that holds some",
                    code="invalid-option",
                )
            found += matches
        else:
            if path.suffix.lower() in (".csv", ".xlsx"):
                raise UsageError(
                    f"{path.name} is a BOM; calc takes project files (battery.toml)",
                    hint="a project file names the battery, plant and its BOM: see the README, "
                    "section 'Input formats'",
                    code="invalid-option",
                )
            found.append(path)
    return list(dict.fromkeys(found))


def table_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as an aligned text table of ``columns``."""
    if not rows:
        return ""
    cells = [[_cell_text(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(out) + "\n"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rows_out(rows: list[dict[str, Any]], fmt: OutputFormat, columns: list[str]) -> str:
    """A listing's rows as JSON, CSV (every key) or a text table of ``columns``."""
    import csv
    import io
    import json

    from carbonfp.formats.common import safe_cell

    if fmt is OutputFormat.json:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt is OutputFormat.csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        keys = list(rows[0]) if rows else columns
        writer.writerow(keys)
        for row in rows:
            writer.writerow([safe_cell(row[k]) for k in keys])
        return out.getvalue()
    return table_text(rows, columns)
