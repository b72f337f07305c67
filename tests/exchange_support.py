"""Builders for the exchange-format tests: runs, schema checks, supplier footprint files."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
from support import SAMPLES, render_project
from typer.testing import CliRunner, Result

from carbonfp.cli import app
from carbonfp.data import load_factors, load_rules
from carbonfp.engine.calculate import calculate
from carbonfp.inputs.project import load_project
from carbonfp.model import Declaration, Ruleset
from carbonfp.schemas import load_schema

PROJECTS = sorted(SAMPLES.glob("*/battery.toml"))
PROJECT_IDS = [p.parent.name for p in PROJECTS]
EV = SAMPLES / "ev-nmc811-hu" / "battery.toml"
#: Characters that make a spreadsheet evaluate a cell (OWASP CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    """Run and fail on any non-zero exit, showing what the user would have seen."""
    result = run(*args)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result


def declare(project_file: Path, rules: Ruleset | None = None) -> tuple[Declaration, Ruleset]:
    """What `carbonfp calc` computes, through the library, with the shipped data; with
    ``rules``, as `carbonfp calc --rules` computes it (the settings recorded alike)."""
    import carbonfp

    project = load_project(project_file)
    ruleset = rules or load_rules(project.ruleset or "eu-ev-draft-2024-04")
    if rules is None:
        return carbonfp.calculate(project), ruleset
    factors = load_factors([project.factor_set or ruleset.default_factor_set])
    return calculate(project, factors, ruleset), ruleset


def schema_errors(name: str, data: Any) -> list[str]:
    """Every message of validating ``data`` against carbonfp's schema ``name``."""
    validator = jsonschema.Draft202012Validator(load_schema(name))
    return sorted(
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(data)
    )


def extension_schema(data_schema: Any) -> dict[str, Any] | None:
    """The schema a ``data:`` URL in an extension's dataSchema holds (None for another URL)."""
    prefix = "data:application/schema+json;base64,"
    if not isinstance(data_schema, str) or not data_schema.startswith(prefix):
        return None
    schema: dict[str, Any] = json.loads(base64.b64decode(data_schema[len(prefix) :]))
    return schema


def pact_errors(data: Any) -> list[str]:
    """A PACT export against the rules of its version (v3: carbonfp.pact_spec, carbonfp's own
    code of the specification; v2: carbonfp's schema written from the 2.3 field tables), and its
    Article 7 extension against the extension schema its dataSchema URL holds, which must be
    carbonfp's."""
    from carbonfp.pact_spec import check_v3, major_version

    if isinstance(data, dict) and major_version(data) == 3:
        errors = [str(p) for p in check_v3(data)]
    else:
        errors = schema_errors("pact", data)
    for ext in data.get("extensions", []) if isinstance(data, dict) else []:
        schema = extension_schema(ext.get("dataSchema"))
        if schema is None:
            errors.append(f"extension dataSchema is not carbonfp's data: URL: {ext!r:.80}")
            continue
        if schema != load_schema("pact-article7"):
            errors.append("the extension's dataSchema holds another schema than carbonfp's")
        errors += schema_errors("pact-article7", ext.get("data"))
    return errors


#: A supplier's footprint: 2.5 kg CO2e per kg of product, one product (a piece) = 0.4 kg.
SUPPLIER_PF: dict[str, Any] = {
    "id": "3f0c8a4e-5b7d-4e21-9a36-0d2b6f1c7e55",
    "specVersion": "2.3.0",
    "version": 2,
    "created": "2025-02-01T00:00:00Z",
    "status": "Active",
    "companyName": "Example Separator Co.",
    "companyIds": ["urn:pact:separator.example.com:supplier-id:77"],
    "productDescription": "wet-process PE separator film",
    "productIds": ["urn:pact:separator.example.com:product-id:SEP-20"],
    "productCategoryCpc": "36410",
    "productNameCompany": "SEP-20",
    "comment": "",
    "pcf": {
        "declaredUnit": "kilogram",
        "unitaryProductAmount": "0.4",
        "pCfExcludingBiogenic": "2.5",
        "pCfIncludingBiogenic": "2.5",
        "fossilGhgEmissions": "2.5",
        "fossilCarbonContent": "0.8",
        "biogenicCarbonContent": "0",
        "characterizationFactors": "AR6",
        "ipccCharacterizationFactorsSources": ["AR6"],
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": "cradle to gate",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": 60.0,
    },
}


def supplier_pf(**changes: Any) -> dict[str, Any]:
    """SUPPLIER_PF with changes; ``pcf__name`` changes pcf fields; None deletes a field."""
    data = copy.deepcopy(SUPPLIER_PF)
    for key, value in changes.items():
        target, name = (data["pcf"], key[5:]) if key.startswith("pcf__") else (data, key)
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return data


def pf_text(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


def project_text(declaration: str = "", manufacturer: str = "") -> str:
    """The tiny project file with extra [declaration] and [manufacturer] lines."""
    text = render_project()
    if manufacturer:
        text = text.replace(
            'name = "Tiny Batteries Ltd"\n', f'name = "Tiny Batteries Ltd"\n{manufacturer}\n'
        )
    if declaration:
        text += f"\n[declaration]\n{declaration}\n"
    return text
