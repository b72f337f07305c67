"""carbonfp: carbon footprint declarations for batteries (EU Regulation 2023/1542, Art. 7).

The library (imported lazily, so that the command line starts fast)::

    import carbonfp

    project = carbonfp.load_project("samples/ev-nmc811-hu/battery.toml")
    declaration = carbonfp.calculate(project)              # the project's or default settings
    print(declaration.total_kg_co2e_per_kwh)
    print(carbonfp.render(declaration, "json").text)       # text, json, csv, xlsx, pact, ...

    batch = carbonfp.calculate_many(carbonfp.load_long_bom("lines.csv", "batteries.csv"))
    for outcome in batch:                                  # one per battery; each fails alone
        print(outcome.battery, outcome.error or outcome.declaration.total_kg_co2e_per_kwh)

Every name below is typed (the package ships ``py.typed``); errors are CarbonfpError
subclasses with a stable ``code`` (see ``docs/errors.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from carbonfp.api import (
        calculate,
        calculate_many,
        flatten,
        load_long_bom,
        load_projects,
        sourcing,
    )
    from carbonfp.columns import Figures, Inputs
    from carbonfp.data import load_factors, load_rules
    from carbonfp.engine.executors import Batch, Outcome
    from carbonfp.engine.scenarios import build_scenarios as compare
    from carbonfp.engine.scenarios import comparison_data, estimate, screening_parameters
    from carbonfp.errors import (
        CarbonfpError,
        FactorDataError,
        GateError,
        InputError,
        UsageError,
    )
    from carbonfp.formats import Rendered, render
    from carbonfp.inputs.project import load_project
    from carbonfp.model import Declaration, Project
    from carbonfp.run import RunOptions, run_config

_EXPORTS = {
    "load_project": ("carbonfp.inputs.project", "load_project"),
    "load_projects": ("carbonfp.api", "load_projects"),
    "load_long_bom": ("carbonfp.api", "load_long_bom"),
    "load_factors": ("carbonfp.data", "load_factors"),
    "load_rules": ("carbonfp.data", "load_rules"),
    "calculate": ("carbonfp.api", "calculate"),
    "calculate_many": ("carbonfp.api", "calculate_many"),
    "compare": ("carbonfp.engine.scenarios", "build_scenarios"),
    "comparison_data": ("carbonfp.engine.scenarios", "comparison_data"),
    "estimate": ("carbonfp.engine.scenarios", "estimate"),
    "screening_parameters": ("carbonfp.engine.scenarios", "screening_parameters"),
    "flatten": ("carbonfp.api", "flatten"),
    "sourcing": ("carbonfp.api", "sourcing"),
    "render": ("carbonfp.formats", "render"),
    "run_config": ("carbonfp.run", "run_config"),
    "RunOptions": ("carbonfp.run", "RunOptions"),
    "Rendered": ("carbonfp.formats", "Rendered"),
    "Batch": ("carbonfp.engine.executors", "Batch"),
    "Outcome": ("carbonfp.engine.executors", "Outcome"),
    "Inputs": ("carbonfp.columns", "Inputs"),
    "Figures": ("carbonfp.columns", "Figures"),
    "Declaration": ("carbonfp.model", "Declaration"),
    "Project": ("carbonfp.model", "Project"),
    "CarbonfpError": ("carbonfp.errors", "CarbonfpError"),
    "InputError": ("carbonfp.errors", "InputError"),
    "FactorDataError": ("carbonfp.errors", "FactorDataError"),
    "UsageError": ("carbonfp.errors", "UsageError"),
    "GateError": ("carbonfp.errors", "GateError"),
}

__all__ = [
    "Batch",
    "CarbonfpError",
    "Declaration",
    "FactorDataError",
    "Figures",
    "GateError",
    "InputError",
    "Inputs",
    "Outcome",
    "Project",
    "Rendered",
    "RunOptions",
    "UsageError",
    "__version__",
    "calculate",
    "calculate_many",
    "compare",
    "comparison_data",
    "estimate",
    "flatten",
    "load_factors",
    "load_long_bom",
    "load_project",
    "load_projects",
    "load_rules",
    "render",
    "run_config",
    "screening_parameters",
    "sourcing",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'carbonfp' has no attribute {name!r}")
