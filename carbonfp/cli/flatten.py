"""``carbonfp flatten``: projects written as a long BOM (LINES.csv and BATTERIES.csv)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import DebugOption, QuietOption, expand_projects


def flatten(
    projects: Annotated[
        list[str],
        typer.Argument(
            help="Project files (battery.toml), globs or folders (every battery.toml below).",
            show_default=False,
        ),
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write lines.csv and batteries.csv into (created if missing).",
            show_default=False,
        ),
    ],
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Write projects as a long BOM: OUTPUT/lines.csv (every line of every battery: sub-BOMs
    expanded, energy and transport per battery) and OUTPUT/batteries.csv (each battery's keys).

    `carbonfp calc OUTPUT/lines.csv --batteries OUTPUT/batteries.csv` gives the projects'
    declarations back. Each battery is named by its project's folder. Example:
    carbonfp flatten samples/ -o portfolio/
    """
    with errors_to_exit_codes(debug):
        from carbonfp.api import flatten as flatten_projects
        from carbonfp.api import project_name, unique_ids
        from carbonfp.files import ensure_folder, write_output
        from carbonfp.inputs.project import load_project

        paths = expand_projects(projects)
        loaded = [load_project(p) for p in paths]
        ids = unique_ids([project_name(Path(p)) for p in paths])
        lines, batteries = flatten_projects(loaded, ids)
        folder = ensure_folder(Path(output))
        write_output(folder / "lines.csv", lines)
        write_output(folder / "batteries.csv", batteries)
        if not quiet:
            count = sum(len(p.lines) for p in loaded)
            typer.echo(
                f"carbonfp: wrote {len(loaded)} batteries ({count} lines) to "
                f"{folder / 'lines.csv'} and {folder / 'batteries.csv'}",
                err=True,
            )
