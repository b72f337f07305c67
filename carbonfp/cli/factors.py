"""``carbonfp factors``: list the shipped factor sets and show their rows."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import DebugOption

app = typer.Typer(help="List and show emission factor sets.", no_args_is_help=True)


@app.command("list")
def list_sets(debug: DebugOption = False) -> None:
    """List shipped factor sets with their versions, and the shipped rulesets."""
    with errors_to_exit_codes(debug):
        from carbonfp.factors import available_rules, available_sets

        for name, versions in available_sets().items():
            typer.echo(f"{name}: {', '.join(versions)}")
        typer.echo("rulesets: " + ", ".join(available_rules()))


@app.command("show")
def show(
    ref: Annotated[
        str, typer.Argument(help="Factor set ID or ID@VERSION, or a folder.")
    ] = "carbonfp-open",
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="Only this table (materials, electricity, fuels, transport, end_of_life, gwp).",
        ),
    ] = None,
    grep: Annotated[
        str | None, typer.Option("--grep", help="Only rows whose id or name contains this text.")
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Show a factor set's rows: id, value, unit, status and source."""
    with errors_to_exit_codes(debug):
        from carbonfp.factors import load_factor_set

        factors = load_factor_set(ref)
        typer.echo(f"{factors.label}  sha256 {factors.sha256}")
        needle = (grep or "").lower()
        for f in sorted(factors.factors.values(), key=lambda f: (f.table, f.id)):
            if table and f.table != table:
                continue
            if needle and needle not in f.id.lower() and needle not in f.name.lower():
                continue
            typer.echo(
                f"{f.table:<12} {f.id:<30} {f.value:>10g} {f.unit:<16} {f.status:<10} "
                f"{f.source}  {f.name}"
            )
        if table in (None, "gwp"):
            for set_id, gases in factors.gwp.items():
                for gas, value in gases.items():
                    if needle and needle not in gas.lower():
                        continue
                    typer.echo(
                        f"{'gwp':<12} {set_id + ':' + gas:<30} {value:>10g} "
                        f"{'kg CO2e/kg':<16} {'default':<10} {factors.gwp_sources[set_id]}"
                    )
