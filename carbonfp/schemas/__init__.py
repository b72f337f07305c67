"""JSON Schemas of carbonfp's exchange formats, shipped inside the package.

``carbonfp schema NAME`` prints one; tests validate every golden export against them.
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
