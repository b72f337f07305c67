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


#: The options of `factors import` that only a spreadsheet (CSV or XLSX) takes.
_SHEET_ONLY = ("--mapping", "--sheet", "--header-row", "--skip-row", "--*-column", "--unit")
#: The options that only ILCD data sets take.
_ILCD_ONLY = ("--indicator", "--ids")


@app.command("import")
def import_file(
    source_file: Annotated[
        Path,
        typer.Argument(
            help="A CSV or XLSX sheet of factors, or ILCD process data sets (a .zip or a "
            "folder). A sheet in carbonfp's own columns (id, name, value, unit, source; "
            "optional table, region, year, locator, status, license, note, low, high, gsd, "
            "source_url) needs no mapping.",
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Id of the new set.")],
    version: Annotated[str, typer.Option("--version", help="Version of the new set.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder to create for the set (new, or empty).", file_okay=False
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A mapping file (TOML) naming the columns: docs/factor-import.md.",
            dir_okay=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="The workbook's sheet (default: the first).")
    ] = None,
    header_row: Annotated[
        list[int] | None,
        typer.Option(
            "--header-row",
            help="The row holding the column names (from 1); give it again for names over "
            "several rows, joined with ' | '. Default: the first row that is not empty.",
        ),
    ] = None,
    skip_row: Annotated[
        list[int] | None,
        typer.Option("--skip-row", help="A row below the header to leave out (a units row)."),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="The column of the factor ids.")
    ] = None,
    name_column: Annotated[
        str | None, typer.Option("--name-column", help="The column of the names (default: id).")
    ] = None,
    value_column: Annotated[
        str | None,
        typer.Option(
            "--value-column",
            help="The column of the values, e.g. the climate change column of an LCIA sheet.",
        ),
    ] = None,
    unit_column: Annotated[
        str | None,
        typer.Option(
            "--unit-column",
            help="The column of the units: 'kg CO2e/kg', or the amount alone ('kg', the "
            "reference unit), the value then being kg CO2e.",
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="One unit for every row (e.g. 'kg CO2e/kg').")
    ] = None,
    region_column: Annotated[
        str | None, typer.Option("--region-column", help="The column of the geography.")
    ] = None,
    source_column: Annotated[
        str | None, typer.Option("--source-column", help="The column of each row's source.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="The source of every row (e.g. 'ecoinvent 3.10 cut-off, LCIA results').",
        ),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="The table of every row: materials, electricity, fuels, transport, "
            "end_of_life (default: by the unit; energy needs electricity or fuels).",
        ),
    ] = None,
    energy_table: Annotated[
        str | None,
        typer.Option(
            "--energy-table",
            help="The table of the rows per kWh or MJ that --table or a table column does not "
            "place: electricity or fuels.",
        ),
    ] = None,
    licence: Annotated[
        str | None,
        typer.Option(
            "--license", help="The licence of every row (default: proprietary, your own data)."
        ),
    ] = None,
    indicator: Annotated[
        str | None,
        typer.Option(
            "--indicator",
            help="ILCD: the climate-change LCIA indicator to read, by name or UUID, when the "
            "data sets carry several (EF: 'Climate change', '... fossil', ...).",
        ),
    ] = None,
    ids: Annotated[
        str,
        typer.Option(
            "--ids",
            help="ILCD: the factor ids, the data sets' uuid or their name (in lower "
            "case, words joined by '-').",
        ),
    ] = "uuid",
    debug: DebugOption = False,
) -> None:
    """Turn your own factors into a factor set to layer with `carbonfp calc --factors DIR`
    (or `[factors] layers` in the project): a CSV or XLSX sheet in any layout, such as a
    licensed database's LCIA results (one row per process, a column per indicator), or ILCD
    process data sets (EF 3.x secondary data sets) with their climate-change LCIA result.

    Every row that cannot be read is listed (row, column, reason) and nothing is written; the
    manifest records the file's sha256. Formats: docs/factor-import.md.
    """
    with errors_to_exit_codes(debug):
        from carbonfp.errors import UsageError
        from carbonfp.inputs.factor_import import (
            ColumnMapping,
            import_factors,
            import_ilcd,
            read_mapping,
        )

        is_ilcd = source_file.is_dir() or source_file.suffix.lower() == ".zip"
        columns = {
            "id": id_column,
            "name": name_column,
            "value": value_column,
            "unit": unit_column,
            "region": region_column,
            "source": source_column,
        }
        sheet_options = [
            mapping,
            sheet,
            header_row,
            skip_row,
            unit,
            *columns.values(),
        ]
        if is_ilcd and any(o for o in sheet_options):
            raise UsageError(
                f"{source_file.name} holds ILCD data sets: the column options are for CSV and "
                "XLSX sheets",
                hint="ILCD takes --indicator, --ids, --table, --energy-table, --source and "
                "--license; "
                "leave out " + ", ".join(_SHEET_ONLY),
                code="invalid-option",
            )
        if not is_ilcd and (indicator is not None or ids != "uuid"):
            raise UsageError(
                f"{', '.join(_ILCD_ONLY)} are for ILCD data sets (a .zip or a folder), not for "
                f"{source_file.name}",
                hint="name the columns of a sheet with --value-column and the others",
                code="invalid-option",
            )
        if is_ilcd:
            count = import_ilcd(
                source_file,
                name,
                version,
                out,
                indicator=indicator,
                table=table,
                energy_table=energy_table,
                ids=ids,
                source=source,
                licence=licence or "proprietary",
            )
        else:
            base = read_mapping(mapping) if mapping is not None else ColumnMapping()
            chosen = base.with_options(
                sheet=sheet,
                header_rows=tuple(header_row or ()),
                skip_rows=tuple(skip_row or ()),
                columns=columns,
                fixed={"unit": unit, "source": source, "table": table, "license": licence},
            )
            count = import_factors(
                source_file, name, version, out, chosen, energy_table=energy_table
            )
        typer.echo(f"carbonfp: wrote {name}@{version} ({count} rows) to {out}", err=True)
