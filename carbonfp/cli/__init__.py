"""The carbonfp command line (typer): one module per command, one error boundary."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonfp import __version__
from carbonfp.cli import calc as _calc
from carbonfp.cli import check as _check
from carbonfp.cli import compare as _compare
from carbonfp.cli import estimate as _estimate
from carbonfp.cli import explain as _explain
from carbonfp.cli import factors as _factors
from carbonfp.cli import flatten as _flatten
from carbonfp.cli import init as _init
from carbonfp.cli import materials as _materials
from carbonfp.cli import report as _report
from carbonfp.cli import rules as _rules
from carbonfp.cli import schema as _schema
from carbonfp.cli import sourcing as _sourcing

app = typer.Typer(
    name="carbonfp",
    # plain help: rich's help renderer costs about 0.15 s of start-up on every --help
    rich_markup_mode=None,
    help="Carbon footprint declarations for batteries (EU Batteries Regulation 2023/1542, "
    "Article 7): kg CO2e per kWh delivered over the service life, per life-cycle stage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"carbonfp {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Carbon footprint declarations for batteries.

    Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 invalid or tampered
    factor data, 5 gate failed, 130 interrupted.
    """


app.command("init")(_init.init)
app.command("calc")(_calc.calc)
app.command("check")(_check.check)
app.command("estimate")(_estimate.estimate)
app.command("compare")(_compare.compare)
app.command("report")(_report.report)
app.command("explain")(_explain.explain)
app.command("schema")(_schema.schema)
app.command("flatten")(_flatten.flatten)
app.command("materials")(_materials.materials)
app.command("sourcing")(_sourcing.sourcing)
app.add_typer(_factors.app, name="factors")
app.add_typer(_rules.app, name="rules")
