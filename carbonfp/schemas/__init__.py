"""JSON Schemas of carbonfp's exchange formats, shipped inside the package.

``carbonfp schema NAME`` prints one; tests validate every golden export against them. Beside
them, in ``batterypass/``, the Battery Pass data model's own schemas (``load_model_schema``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Schema name -> file beside this module.
SCHEMAS = {
    "declaration": "declaration.schema.json",
    "batterypass": "batterypass.schema.json",
    "pact": "pact.schema.json",
    "pact-article7": "pact-article7.schema.json",
}


#: The Battery Pass data model's own schemas (draft-04, CC BY 4.0), shipped as published:
#: aspect -> file under this folder (batterypass/NOTICE.md names source, commit and licence).
MODEL_SCHEMAS = {
    "CarbonFootprint": "batterypass/CarbonFootprintForBatteries-schema.json",
    "GeneralProductInformation": "batterypass/GeneralProductInformation-schema.json",
}


def load_model_schema(name: str) -> dict[str, Any]:
    """A Battery Pass data model schema (MODEL_SCHEMAS) as data. The files are kept byte for
    byte as published, one in UTF-16: ``json`` reads bytes in UTF-8, -16 or -32."""
    path = Path(__file__).resolve().parent / MODEL_SCHEMAS[name]
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


def schema_path(name: str) -> Path:
    """The file of schema ``name``; KeyError for an unknown name."""
    return Path(__file__).resolve().parent / SCHEMAS[name]


def schema_text(name: str) -> str:
    """The schema's JSON text, as shipped."""
    return schema_path(name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """The schema as data."""
    data: dict[str, Any] = json.loads(schema_text(name))
    return data
