"""``carbonfp rules``: list the shipped rulesets and show what one pins."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from carbonfp.cli.boundary import errors_to_exit_codes
from carbonfp.cli.options import DebugOption, FormatOption, OutputOption, choose_format, emit

app = typer.Typer(
    help="List and show rulesets (the method as versioned data).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
def list_rules(debug: DebugOption = False) -> None:
    """List shipped rulesets, each version (the latest first; an id alone means the latest):
    id@version, legal status, functional unit, electricity policy, sha256."""
    with errors_to_exit_codes(debug):
        from carbonfp.data import load_rules
        from carbonfp.data.rulesets import rule_versions

        for rid, versions in rule_versions().items():
            for version in reversed(versions):
                r = load_rules(f"{rid}@{version}")
                latest = " (latest)" if version == versions[-1] else ""
                typer.echo(
                    f"{r.label + latest:<39} {r.legal_status:<12} {r.fu_method:<24} "
                    f"{r.electricity_policy:<13} {r.sha256[:12]}  {r.title}"
                )


def _as_data(rid: str) -> dict[str, Any]:
    from carbonfp.data import load_rules

    r = load_rules(rid)
    return {
        "id": r.id,
        "version": r.version,
        "title": r.title,
        "legal_status": r.legal_status,
        "sha256": r.sha256,
        "extends": r.extends,
        "sources": list(r.sources),
        "default_factor_set": r.default_factor_set,
        "gwp_set": r.gwp_set,
        "categories": [c.value for c in r.categories],
        "cut_off": r.cut_off,
        "functional_unit": {
            "method": r.fu_method,
            "fec_per_year": dict(r.fec_per_year),
            "km_per_year": dict(r.km_per_year),
        },
        "electricity": {"policy": r.electricity_policy, "time_match": r.time_match},
        "stages": {k.value: v.value for k, v in r.stage_by_kind.items()},
        "mandatory_company_specific": [
            {
                "id": m.id,
                "title": m.title,
                "kinds": [k.value for k in m.kinds],
                "roles": list(m.roles),
                "match": list(m.match),
            }
            for m in r.mandatory
        ],
        "cff": [
            {
                "group": c.name,
                "match": list(c.match),
                "A": c.a,
                "B": c.b,
                "Qsin": c.q_in,
                "Qsout": c.q_out,
                "R2": c.r2,
                "R3": c.r3,
                "recycled_factor": c.recycled_factor,
            }
            for c in r.cff
        ],
        "recycled_content_minimums": {k: dict(v) for k, v in r.recycled_minimums.items()},
        "plausibility": {
            "cradle_to_gate_per_kwh_capacity": None
            if r.cradle_to_gate_per_kwh_capacity is None
            else [r.cradle_to_gate_per_kwh_capacity.low, r.cradle_to_gate_per_kwh_capacity.high],
            "per_kwh_delivered": {k: [b.low, b.high] for k, b in r.per_kwh_delivered.items()},
            "stage_shares": {k.value: [b.low, b.high] for k, b in r.stage_shares.items()},
            "material_content_per_kwh": {
                k: [b.low, b.high] for k, b in r.material_content_per_kwh.items()
            },
        },
        "performance_classes": {k: [b.low, b.high] for k, b in r.performance_classes.items()},
    }


@app.command("show")
def show(
    rid: Annotated[str, typer.Argument(help="Ruleset id (see `carbonfp rules list`) or file.")],
    fmt: FormatOption = None,
    output: OutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Show everything a ruleset pins: functional unit, electricity policy, mandatory
    company-specific data, CFF defaults, recycled-content minimums, plausibility bands."""
    with errors_to_exit_codes(debug):
        chosen = choose_format(fmt.value if fmt else None, output, ("text", "json"))
        data = _as_data(rid)
        if chosen == "json":
            emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", output)
            return
        out = [
            f"{data['id']}@{data['version']}: {data['title']}",
            f"  legal status: {data['legal_status']}; sha256 {data['sha256']}",
        ]
        if data["extends"]:
            out.append(f"  extends {data['extends']}")
        for key in (
            "default_factor_set",
            "gwp_set",
            "categories",
            "cut_off",
            "functional_unit",
            "electricity",
            "stages",
            "recycled_content_minimums",
            "plausibility",
            "performance_classes",
        ):
            out.append(f"  {key}: {json.dumps(data[key], ensure_ascii=False)}")
        out.append("  mandatory company-specific data:")
        out += [
            f"    - {m['title']} ({', '.join(m['kinds'])}): "
            + ", ".join([f"role {x}" for x in m["roles"]] + [f"name or id {x}" for x in m["match"]])
            for m in data["mandatory_company_specific"]
        ]
        out.append("  circular footprint formula (per material group):")
        out += [
            f"    - {c['group']}: A {c['A']}, B {c['B']}, Qsin {c['Qsin']}, Qsout {c['Qsout']}, "
            f"R2 {c['R2'] if c['R2'] is not None else 'none (project gives it)'}, R3 {c['R3']}"
            + (f", recycled factor {c['recycled_factor']}" if c["recycled_factor"] else "")
            for c in data["cff"]
        ]
        out.append("  sources:")
        out += [f"    - {s}" for s in data["sources"]]
        emit("\n".join(out) + "\n", output)
