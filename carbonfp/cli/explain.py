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
    fmt: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """The hotspot table (each line's share, factor, source, data type, DQR) and the trace of
    how one stage total was derived."""
    with errors_to_exit_codes(debug):
        from carbonfp.data import load_factors, load_rules
        from carbonfp.formats.explain import explain_json, explain_text
        from carbonfp.inputs.project import load_project
        from carbonfp.method.calculate import calculate
        from carbonfp.method.stages import parse_stage

        loaded = load_project(project)
        ruleset = load_rules(rules or loaded.ruleset or "eu-ev-draft-2024-04")
        base = factor_set or loaded.factor_set or ruleset.default_factor_set
        decl = calculate(loaded, load_factors([base, *(str(p) for p in layers or [])]), ruleset)
        if stage is None:
            chosen = max(decl.stages, key=lambda s: abs(s.kg_co2e)).stage
        else:
            try:
                chosen = parse_stage(stage)
            except Exception as exc:  # InputError from the parser: a usage problem here
                raise UsageError(str(exc)) from None
        if fmt is OutputFormat.json:
            emit(explain_json(decl, chosen, top), output)
        elif fmt is OutputFormat.csv:
            raise UsageError("explain writes text or json")
        else:
            emit(explain_text(decl, chosen, top), output)
