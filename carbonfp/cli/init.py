"""``carbonfp init DIR``: scaffold a project folder for a new battery."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import DebugOption, QuietOption

EXAMPLE = (
    'carbonfp init my-pack --chemistry NMC811 --capacity "60 kWh" --category M1 '
    "--plant-country PL --cell-format prismatic"
)


def interactive() -> bool:
    """Whether to ask for what is missing: only with a person at a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def init(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The project folder to create (or an empty one); never written over.",
            file_okay=False,
            show_default=False,
        ),
    ],
    chemistry: Annotated[
        str | None,
        typer.Option(
            "--chemistry",
            help="Cell chemistry: NMC111, NMC532, NMC622, NMC811, NCA, LFP, LMFP, LMO, "
            "SIB-layered, SIB-prussian-white.",
        ),
    ] = None,
    capacity: Annotated[
        str | None, typer.Option("--capacity", help='Usable capacity, e.g. "60 kWh".')
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help="Vehicle category: M1, N1, M2, M3, N2, N3 (EV); L1e..L7e (LMT); none for "
            "industrial batteries.",
        ),
    ] = None,
    battery_category: Annotated[
        str,
        typer.Option(
            "--battery-category",
            help="EV, LMT or industrial (stationary storage is industrial).",
        ),
    ] = "EV",
    plant_country: Annotated[
        str | None,
        typer.Option("--plant-country", help="ISO country of the plant, e.g. PL."),
    ] = None,
    cell_format: Annotated[
        str | None,
        typer.Option("--cell-format", help="prismatic, pouch or cylindrical."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="The battery model's name (default: the folder's name)."),
    ] = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Scaffold a project folder: battery.toml, a BOM and a cell BOM with the usual lines of
    the chemistry, category and cell format (material ids from the catalogue), energy and
    transport files, and a README of what to fill in. Quantities no open source gives are left
    empty and marked TO FILL; `carbonfp check FOLDER` then lists exactly what is left.

    Asks for missing options at a terminal, never otherwise (it then names them). Never
    overwrites a file.

    Example: carbonfp init my-pack --chemistry NMC811 --capacity "60 kWh" --category M1
    --plant-country PL --cell-format prismatic
    """
    with errors_to_exit_codes(debug):
        from carbonfp.cli.estimate import parse_battery_category
        from carbonfp.errors import UsageError
        from carbonfp.model import BatteryCategory
        from carbonfp.scaffold import CELL_FORMATS, Facts, check_facts, chemistries, write_scaffold
        from carbonfp.scaffold import scaffold as build

        bcat = parse_battery_category(battery_category)
        wanted: dict[str, tuple[str | None, str]] = {
            "--chemistry": (chemistry, "chemistry (" + ", ".join(chemistries()) + ")"),
            "--capacity": (capacity, 'usable capacity (e.g. "60 kWh")'),
            "--plant-country": (plant_country, "plant country (ISO code, e.g. PL)"),
            "--cell-format": (cell_format, "cell format (" + ", ".join(CELL_FORMATS) + ")"),
        }
        if bcat is not BatteryCategory.INDUSTRIAL:
            wanted["--category"] = (category, "vehicle category (e.g. M1, N1, L3e)")
        missing = [name for name, (value, _) in wanted.items() if not value]
        if missing and interactive():
            answers = {name: typer.prompt(wanted[name][1]).strip() for name in missing}
            wanted.update({name: (value, wanted[name][1]) for name, value in answers.items()})
        elif missing:
            raise UsageError(
                "missing " + ", ".join(missing) + " (no terminal to ask at)",
                hint=f"e.g. {EXAMPLE}",
                code="missing-option",
            )

        def given(name: str) -> str:
            value = wanted[name][0]
            assert value is not None
            return value

        facts = check_facts(
            Facts(
                model=model or folder.resolve().name or "new-battery",
                chemistry=given("--chemistry"),
                capacity=given("--capacity"),
                category=bcat,
                vehicle_category=wanted["--category"][0] if "--category" in wanted else category,
                plant_country=given("--plant-country"),
                cell_format=given("--cell-format").lower(),
            )
        )
        written = write_scaffold(folder, build(facts))
        if not quiet:
            shown = folder.as_posix()
            typer.echo(
                f"carbonfp: wrote {', '.join(p.name for p in written)} in {shown}/\n"
                f"next: fill in what is marked TO FILL (see {shown}/README.md), then run "
                f"`carbonfp check {shown}`",
                err=True,
            )
