"""``carbonfp explain``: which lines make the footprint, and how a stage total was derived."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FactorSetOption,
    FormatOption,
    LayersOption,
    OutputFormat,
    OutputOption,
    RulesOption,
    choose_format,
    emit,
)
from carbonfp.errors import UsageError


def explain(
    project: Annotated[Path, typer.Argument(help="Project file (battery.toml).", dir_okay=False)],
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage",
            help="Stage to trace: raw_materials, production, distribution, end_of_life "
            "(default: the largest).",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many hotspots.")] = 15,
    rules: RulesOption = None,
    factor_set: FactorSetOption = None,
    layers: LayersOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """The hotspot table (each line's share, factor, source, data type, DQR) and the trace of
    how one stage total was derived."""
    with errors_to_exit_codes(debug, as_json=fmt is OutputFormat.json):
        from carbonfp.api import calculate
        from carbonfp.errors import InputError
        from carbonfp.formats import render_explain
        from carbonfp.inputs.project import load_project
        from carbonfp.model import parse_stage

        chosen_format = choose_format(fmt.value if fmt else None, output, ("text", "json"))
        chosen = None
        if stage is not None:
            try:
                chosen = parse_stage(stage)
            except InputError as exc:  # the stage comes from the command line
                raise UsageError(exc.message, hint=exc.hint, code="invalid-option") from None
        decl = calculate(
            load_project(project), factor_set, rules, layers=[str(p) for p in layers or []]
        )
        if chosen is None:
            chosen = max(decl.stages, key=lambda s: abs(s.kg_co2e)).stage
        emit(render_explain(decl, chosen, chosen_format, top=top).text, output)
