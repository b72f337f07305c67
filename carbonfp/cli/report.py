"""``carbonfp report``: the public study as one self-contained HTML page with charts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    LayersOption,
    ModeOption,
    OutputOption,
    PlantCountryOption,
    PolicyOption,
    QuietOption,
    emit,
)
from carbonfp.errors import GateError, Location, UsageError

if TYPE_CHECKING:
    from carbonfp.cli.scenarios import Scenario

UNCERTAINTY_MODULE = "carbonfp.method.uncertainty"


def report(
    projects: Annotated[
        list[Path],
        typer.Argument(
            help="Project file (battery.toml); a second one adds a comparison with it.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    output: OutputOption = None,
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rules",
            help="Ruleset id or file (default: the project's method.ruleset, else "
            "eu-ev-draft-2024-04); repeat to compare rulesets.",
        ),
    ] = None,
    factor_set: Annotated[
        list[str] | None,
        typer.Option(
            "--factor-set",
            help="Factor set ID or ID@VERSION, or a folder (default: the ruleset's); repeat to "
            "compare factor sets.",
        ),
    ] = None,
    layers: LayersOption = None,
    mode: ModeOption = "screening",
    policy: PolicyOption = None,
    plant_country: PlantCountryOption = None,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            min=2,
            help="Add a Monte Carlo of N draws over the spread of the amounts and factors "
            "(of the declaration).",
            metavar="N",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed of --uncertainty.")] = 0,
    top: Annotated[int, typer.Option("--top", min=1, help="How many top contributors.")] = 10,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Write the public study as one HTML page: declaration, charts, methods, data.

    Self-contained (inline CSS and SVG, no script, no network); prints to PDF.
    Give two projects, or repeat --rules, --factor-set, --electricity-policy
    or --plant-country, to add a comparison.
    Needs matplotlib: pip install 'carbonfp[report]'.

    Example: carbonfp report samples/ev-nmc811-hu/battery.toml -o report.html
    """
    with errors_to_exit_codes(debug):
        from importlib.util import find_spec

        if output is not None and not output.parent.is_dir():
            raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
        if mode not in ("screening", "declaration"):
            raise UsageError(f"--mode must be screening or declaration, not {mode!r}")
        for path in projects:
            if path.suffix.lower() in (".csv", ".xlsx"):
                raise UsageError(
                    f"{path.name} is a BOM; report takes a project file (battery.toml)",
                    hint="a project file names the battery, plant and its BOM: see the README, "
                    "section 'Input formats'",
                )
        if find_spec("matplotlib") is None:
            raise UsageError(
                "carbonfp report draws its charts with matplotlib, which is not installed",
                hint="install the report extra: pip install 'carbonfp[report]' "
                "(or pip install 'matplotlib>=3.7')",
            )
        if uncertainty is not None and find_spec(UNCERTAINTY_MODULE) is None:
            raise UsageError(
                "--uncertainty needs the Monte Carlo module (carbonfp.method.uncertainty), "
                "which this version of carbonfp does not have",
                hint="run the report without --uncertainty",
            )
        from carbonfp.cli.scenarios import build_scenarios, comparison_data
        from carbonfp.formats.declaration import to_dict
        from carbonfp.formats.report import render_report, uncertainty_data

        options = {
            "rules": rules or [],
            "factor set": factor_set or [],
            "electricity policy": policy or [],
            "plant country": plant_country or [],
        }

        def scenarios_of(
            paths: list[Path], drop: str | None = None
        ) -> tuple[str | None, list[Scenario]]:
            kept = {k: ([] if k == drop else v) for k, v in options.items()}
            return build_scenarios(
                paths,
                rules=kept["rules"],
                factor_sets=kept["factor set"],
                policies=kept["electricity policy"],
                plant_countries=kept["plant country"],
                layers=[str(p) for p in layers or []],
                mode=mode,
                require_variation=False,
                command="report",
            )

        dim, scenarios = scenarios_of(projects)
        # The declaration is the first project's as calc computes it; an option repeated
        # to compare its values changes only the comparison.
        main = scenarios[0] if dim in (None, "project") else scenarios_of(projects[:1], dim)[1][0]
        for scenario in [main, *scenarios]:
            failures = scenario.declaration.gate_failures
            if failures:
                raise GateError(
                    "not a declaration: " + " | ".join(failures),
                    where=Location(scenario.project.label),
                    hint="give company- or supplier-specific data (data_type = company or "
                    "supplier) on these lines, or run --mode screening",
                )
        comparison = None
        if dim is not None:
            comparison = comparison_data(
                dim, [(s.label, s.declaration) for s in scenarios], min(top, 5)
            )
        spread = None
        if uncertainty is not None:
            spread = uncertainty_data(
                _monte_carlo(main.project, main.factors, main.ruleset, uncertainty, seed), top
            )
        html = render_report(
            to_dict(main.declaration, top), comparison=comparison, uncertainty=spread
        )
        emit(html, output, quiet)


def _monte_carlo(project: Any, factors: Any, rules: Any, draws: int, seed: int) -> Any:
    """Run carbonfp.method.uncertainty.monte_carlo (imported here: it needs numpy, and
    ``carbonfp --help`` must not)."""
    from importlib import import_module

    module = import_module(UNCERTAINTY_MODULE)
    return module.monte_carlo(project, factors, rules, draws, seed)
