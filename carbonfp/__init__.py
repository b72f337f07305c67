"""carbonfp: carbon footprint declarations for batteries (EU Regulation 2023/1542, Art. 7).

Public API (imported lazily, so that the command line starts fast)::

    from carbonfp import load_project, load_factors, load_rules, calculate
    project = load_project("samples/ev-nmc811-hu/battery.toml")
    rules = load_rules("eu-ev-draft-2024-04")
    declaration = calculate(project, load_factors(rules.default_factor_set), rules)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from carbonfp.data import load_rules
    from carbonfp.data.factor_sets import load_factor_set as load_factors
    from carbonfp.errors import CarbonfpError, FactorDataError, InputError
    from carbonfp.inputs.project import load_project
    from carbonfp.method.calculate import calculate
    from carbonfp.model import Declaration

_EXPORTS = {
    "calculate": ("carbonfp.method.calculate", "calculate"),
    "load_project": ("carbonfp.inputs.project", "load_project"),
    "load_factors": ("carbonfp.data.factor_sets", "load_factor_set"),
    "load_rules": ("carbonfp.data.rulesets", "load_rules"),
    "Declaration": ("carbonfp.model", "Declaration"),
    "CarbonfpError": ("carbonfp.errors", "CarbonfpError"),
    "InputError": ("carbonfp.errors", "InputError"),
    "FactorDataError": ("carbonfp.errors", "FactorDataError"),
}

__all__ = [
    "CarbonfpError",
    "Declaration",
    "FactorDataError",
    "InputError",
    "__version__",
    "calculate",
    "load_factors",
    "load_project",
    "load_rules",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'carbonfp' has no attribute {name!r}")
