"""``carbonfp materials``: the material catalogue, and which factor set gives each a value."""

from __future__ import annotations

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
    rows_out,
    table_text,
)

#: The columns of the text table (JSON and CSV hold every field).
COLUMNS = ["id", "role", "value", "unit", "set", "status", "cff_group", "recycled", "aliases"]


def materials(
    search: Annotated[
        str | None,
        typer.Argument(
            help="Only materials whose id, name, alias or role contains this (case, spaces "
            "and punctuation ignored); close ids where none does.",
            show_default=False,
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Only materials of this role (see --roles)."),
    ] = None,
    roles: Annotated[
        bool,
        typer.Option("--roles", help="List the roles (of materials and of energy blocks)."),
    ] = False,
    rules: RulesOption = None,
    factor_set: FactorSetOption = None,
    layers: LayersOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """List the materials carbonfp knows: id, role, the value and the factor set (and version)
    that gives it, or "no open value" (the BOM then needs a supplier value in its factor
    column), the ruleset's Circular Footprint Formula group, the Article 8 recycled-content
    elements, and the aliases a BOM may use instead of the id.

    Roles decide which lines need company-specific data in declaration mode (a BOM line's
    role is its material's; an energy block's is its role key).

    Examples: carbonfp materials graphite; carbonfp materials --role cathode-active-material;
    carbonfp materials --roles
    """
    with errors_to_exit_codes(debug):
        from carbonfp.api import materials as list_materials
        from carbonfp.data.catalogue import load_catalogue

        chosen = OutputFormat(
            choose_format(fmt.value if fmt else None, output, ("text", "json", "csv"))
        )
        if roles:
            catalogue = load_catalogue()
            rows = [
                {"role": r.name, "applies_to": r.applies_to, "title": r.title}
                for r in catalogue.roles.values()
            ]
            emit(rows_out(rows, chosen, ["role", "applies_to", "title"]), output)
            return
        found = list_materials(
            search, role, factor_set, rules, layers=[str(p) for p in layers or ()]
        )
        if chosen is not OutputFormat.text:
            if chosen is OutputFormat.csv:
                found = [
                    {
                        **r,
                        "aliases": "; ".join(r["aliases"]),  # type: ignore[arg-type]
                        "recycled_content_elements": " ".join(
                            r["recycled_content_elements"]  # type: ignore[arg-type]
                        ),
                    }
                    for r in found
                ]
            emit(rows_out(found, chosen, COLUMNS), output)
            return
        if not found:
            emit(
                f"no material matches {search!r}"
                + (f" with role {role!r}" if role else "")
                + "; `carbonfp materials` lists them all\n",
                output,
            )
            return
        shown = [
            {
                **r,
                "value": r["value"],
                "recycled": " ".join(r["recycled_content_elements"]),  # type: ignore[arg-type]
                "aliases": ", ".join(r["aliases"]),  # type: ignore[arg-type]
            }
            for r in found
        ]
        with_value = sum(1 for r in found if r["value"] is not None)
        head = (
            f"{len(found)} materials, {with_value} with a value in the factor set; "
            "'no open value': give a supplier value in the BOM's factor column, or layer "
            "your own set (--factors)\n"
        )
        if search and not any(_holds(r, search) for r in found):
            head = f"no material holds {search!r}; the closest:\n" + head
        emit(head + table_text(shown, COLUMNS), output)


def _holds(row: dict[str, object], search: str) -> bool:
    from carbonfp.data.catalogue import normal

    key = normal(search)
    texts = [str(row["id"]), str(row["name"]), str(row["role"]), str(row["role_title"])]
    texts += [str(a) for a in row["aliases"]]  # type: ignore[attr-defined]
    return any(key in normal(t) for t in texts)
