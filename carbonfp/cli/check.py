"""``carbonfp check``: every problem of projects at once, grouped by file, without a result."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any

import typer

from carbonfp.cli.boundary import error_record, errors_to_exit_codes
from carbonfp.cli.options import (
    DebugOption,
    FactorSetOption,
    LayersOption,
    ModeOption,
    RulesOption,
    emit,
    expand_projects,
)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


def check(
    projects: Annotated[
        list[str],
        typer.Argument(
            help="Project files (battery.toml), their folders, or globs.", show_default=False
        ),
    ],
    fmt: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="text, or json for pipelines.", case_sensitive=False),
    ] = CheckFormat.text,
    rules: RulesOption = None,
    factor_set: FactorSetOption = None,
    layers: LayersOption = None,
    mode: ModeOption = "screening",
    debug: DebugOption = False,
) -> None:
    """Check projects without computing their declarations: every problem at once, grouped by
    file with its line or key (missing factors, unknown ids with close matches, bad units and
    values), the values carbonfp ignores and why, and with --mode declaration the lines that
    need company-specific data. Exit 0 when clean (warnings allowed), 3 when not.

    Example: carbonfp check samples/ev-nmc811-hu --mode declaration
    """
    with errors_to_exit_codes(debug, fmt is CheckFormat.json):
        from carbonfp.api import check as check_projects

        found = check_projects(
            expand_projects(projects),
            factor_set,
            rules,
            mode,
            layers=tuple(str(p) for p in layers or []),
        )
        if fmt is CheckFormat.json:
            emit(json.dumps(_records(found), indent=2, ensure_ascii=False) + "\n", None, True)
        else:
            emit(_text(found), None, True)
        if not all(c.ok for c in found):
            raise typer.Exit(3)


def _records(found: Sequence[Any]) -> dict[str, Any]:
    return {
        "ok": all(c.ok for c in found),
        "projects": [
            {
                "battery": c.battery,
                "project": c.source,
                "ok": c.ok,
                "problems": [error_record(e) for e in c.problems],
                "declaration_gaps": list(c.gate_failures),
                "warnings": [
                    {"code": w.code, "message": w.message, "where": w.where} for w in c.warnings
                ],
            }
            for c in found
        ],
    }


def _file_of(where: Any) -> str:
    return str(where.file) if where is not None else "(the project)"


def _text(found: Sequence[Any]) -> str:
    out: list[str] = []
    for c in found:
        state = "ok" if c.ok else f"{len(c.problems) + len(c.gate_failures)} problem(s)"
        out.append(f"{c.source}: {state}")
        by_file: dict[str, list[Any]] = {}
        for error in c.problems:
            by_file.setdefault(_file_of(error.where), []).append(error)
        for name, errors in by_file.items():
            out.append(f"  {name}")
            # in the file's order (a stable sort: problems of one line stay in their order)
            for e in sorted(errors, key=lambda e: (e.where.line or 0) if e.where else 0):
                place = ""
                if e.where is not None and (e.where.line or e.where.key):
                    place = f"line {e.where.line}" if e.where.line else ""
                    place += f" [{e.where.key}]" if e.where.key else ""
                    place = place.strip() + ": "
                out.append(f"    {place}{e.message} ({e.code})")
                if e.hint:
                    out.append(f"      hint: {e.hint}")
        if c.gate_failures:
            out.append("  declaration mode: company- or supplier-specific data needed")
            out += [f"    {g}" for g in c.gate_failures]
        for w in c.warnings:
            out.append(f"  warning: {w.message}" + (f" ({w.where})" if w.where else ""))
    bad = sum(not c.ok for c in found)
    out.append(
        f"carbonfp check: {len(found)} project(s), "
        + (f"{bad} with problems" if bad else "no problems")
    )
    return "\n".join(out) + "\n"
