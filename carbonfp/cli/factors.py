"""``carbonfp factors``: list, show, validate, diff and import emission factor sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FormatOption,
    OutputFormat,
    OutputOption,
    choose_format,
    emit,
    rows_out,
    table_text,
)
from carbonfp.errors import ExitCode

app = typer.Typer(
    rich_markup_mode=None,
    help="List, show, validate, compare and import emission factor sets.",
    no_args_is_help=True,
)

#: Formats of the row listings.
ROWS = ("text", "json", "csv")

SetArgument = Annotated[
    str,
    typer.Argument(help="Factor set ID or ID@VERSION (shipped), or a set folder."),
]


@app.command("list")
def list_sets(debug: DebugOption = False) -> None:
    """List shipped factor sets and versions with row counts and licences, and the rulesets."""
    with errors_to_exit_codes(debug):
        from carbonfp.data import available_rules, available_sets
        from carbonfp.data.factor_sets import summarise_set

        rows = [
            summarise_set(f"{name}@{version}")
            for name, versions in available_sets().items()
            for version in versions
        ]
        typer.echo(table_text(rows, ["set", "rows", "tables", "licences", "sha256"]), nl=False)
        typer.echo("rulesets: " + ", ".join(available_rules()))


@app.command("show")
def show(
    ref: SetArgument = "carbonfp-open",
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="Only this table: materials, electricity, fuels, transport, end_of_life, gwp.",
        ),
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option("--grep", help="Only rows whose id or name contains this text."),
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Show a factor set's rows: id, value, unit, region, year, status, DQR and source."""
    with errors_to_exit_codes(debug):
        from carbonfp.data.factor_sets import TABLES, factor_rows, load_factor_set
        from carbonfp.errors import UsageError

        if table is not None and table not in (*TABLES, "gwp"):
            raise UsageError(
                f"unknown table {table!r}",
                hint="tables: " + ", ".join(TABLES) + ", gwp",
                code="invalid-option",
            )
        fmt = OutputFormat(
            choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        )
        fs = load_factor_set(ref)
        needle = (grep or "").lower()
        rows = [
            r
            for r in factor_rows(fs)
            if (table is None or r["table"] == table)
            and (not needle or needle in r["id"].lower() or needle in r["name"].lower())
        ]
        text = rows_out(
            rows, fmt, ["table", "id", "value", "unit", "region", "year", "status", "dqr", "source"]
        )
        if fmt is OutputFormat.text:
            text = f"{fs.label}  sha256 {fs.sha256}  ({len(rows)} rows)\n" + text
        emit(text, output)


@app.command("validate")
def validate(
    path: Annotated[
        Path, typer.Argument(help="A factor set folder (with manifest.toml).", file_okay=False)
    ],
    debug: DebugOption = False,
) -> None:
    """Check a factor set folder and report every problem at once (exit 4 if any).

    Checks: TOML syntax, row schema, unit dimension per table, duplicate ids, unknown source
    keys, licences outside the allow-list, files not matching the manifest's sha256.
    """
    with errors_to_exit_codes(debug):
        from carbonfp.data.factor_sets import validate_set

        if not (path / "manifest.toml").is_file():
            from carbonfp.errors import UsageError

            raise UsageError(
                f"{path} has no manifest.toml: not a factor set folder",
                hint="give the folder of one version of a set (it holds manifest.toml); "
                "carbonfp factors import makes one from a CSV",
                code="invalid-option",
            )
        problems = validate_set(path)
        for problem in problems:
            typer.echo(f"{problem.where or path}: {problem.message} [{problem.code}]", err=True)
        if problems:
            typer.echo(f"carbonfp: {len(problems)} problem(s) in {path}", err=True)
            raise typer.Exit(int(ExitCode.FACTOR_DATA))
        typer.echo(f"{path}: valid")


@app.command("diff")
def diff(
    old: SetArgument,
    new: SetArgument,
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Rows added, removed and changed between two sets, with old, new and % change.

    Example: carbonfp factors diff carbonfp-open@2026.0 carbonfp-open@2026.1
    """
    with errors_to_exit_codes(debug):
        from carbonfp.data.factor_sets import diff_sets, load_factor_set

        fmt = OutputFormat(
            choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        )
        a, b = load_factor_set(old), load_factor_set(new)
        changes = diff_sets(a, b)
        for c in changes:
            if c["percent"] is not None and fmt is OutputFormat.text:
                c["percent"] = f"{c['percent']:+.1f}%"
        text = rows_out(
            changes, fmt, ["change", "table", "id", "old", "new", "unit", "percent", "detail"]
        )
        if fmt is OutputFormat.text:
            counts = {
                k: sum(1 for c in changes if c["change"] == k)
                for k in ("added", "removed", "changed")
            }
            text = (
                f"{a.label} -> {b.label}: {counts['added']} added, {counts['removed']} "
                f"removed, {counts['changed']} changed\n"
            ) + text
        emit(text, output)


@app.command("import")
def import_csv(
    csv_file: Annotated[
        Path,
        typer.Argument(
            help="CSV of factors: id, name, value, unit, "
            "source; optional table, region, year, locator, "
            "status, license, note, low, high, gsd.",
            dir_okay=False,
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Id of the new set.")],
    version: Annotated[str, typer.Option("--version", help="Version of the new set.")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder to create for the set.", file_okay=False)
    ],
    debug: DebugOption = False,
) -> None:
    """Turn a CSV of your own factors (e.g. exported from a licensed LCA database) into a
    factor set to layer with `carbonfp calc --factors DIR`. Rows without unit or source are
    refused."""
    with errors_to_exit_codes(debug):
        from carbonfp.inputs.factor_import import import_factors

        count = import_factors(csv_file, name, version, out)
        typer.echo(f"carbonfp: wrote {name}@{version} ({count} rows) to {out}", err=True)
