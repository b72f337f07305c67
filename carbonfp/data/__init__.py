"""Shipped and user factor sets and rulesets: find, load, layer, validate, verify hashes.

Imports the model and the file helpers, never a reader of user files.
"""

from carbonfp.data.factor_sets import (
    available_sets,
    load_factor_set,
    load_factors,
    validate_set,
)
from carbonfp.data.rulesets import POLICIES, available_rules, load_rules

__all__ = [
    "POLICIES",
    "available_rules",
    "available_sets",
    "load_factor_set",
    "load_factors",
    "load_rules",
    "validate_set",
]
