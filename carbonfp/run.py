"""The settings of a run, and the only place their defaults live.

Which ruleset, factor set (and layers over it), electricity policy and mode a declaration is
computed with comes from, in this order: the caller's options (``--rules``, ``--factor-set``,
``--factors``, ``--electricity-policy``, ``--mode``), the project (``[method] ruleset`` and
``factor_set``, ``[factors] layers``), the ruleset (its factor set and policy), and carbonfp's
default ruleset for the battery's category. Layers given as options replace the project's.
Every command and the library build their settings with :func:`run_config`, and the
declaration records which source won each setting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from carbonfp.errors import FactorDataError, UsageError

if TYPE_CHECKING:  # the model is not needed to import this (the CLI's help names the defaults)
    from carbonfp.model import BatteryCategory, FactorSet, Ruleset

#: The ruleset used when neither the options nor the project name one.
DEFAULT_RULESET = "eu-ev-draft-2024-04"
#: The default ruleset of the battery categories (by their value) :data:`DEFAULT_RULESET` does
#: not cover: industrial batteries, stationary energy storage included (Regulation (EU)
#: 2023/1542).
CATEGORY_RULESETS: dict[str, str] = {
    "industrial": "eu-industrial-provisional",
}
MODES = ("screening", "declaration")
POLICIES = ("national-mix", "market-based")


@dataclass(frozen=True)
class RunOptions:
    """What the caller asked for; None (or empty) means "not given"."""

    rules: str | None = None
    factor_set: str | None = None
    layers: tuple[str, ...] = ()
    policy: str | None = None
    mode: str = "screening"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UsageError(
                f"--mode must be screening or declaration, not {self.mode!r}",
                hint="screening labels the result; declaration refuses secondary data where the "
                "ruleset requires company-specific data",
                code="invalid-option",
            )
        if self.policy is not None and self.policy not in POLICIES:
            raise UsageError(
                f"unknown --electricity-policy {self.policy!r}",
                hint="use national-mix or market-based",
                code="invalid-option",
            )


@dataclass(frozen=True, eq=False)
class RunConfig:
    """The ruleset, factor set and mode a declaration is computed with, and where each came
    from: ``settings`` holds (setting, value, source) with source "option", "project",
    "ruleset" or "default"."""

    rules: Ruleset
    factors: FactorSet
    mode: str
    settings: tuple[tuple[str, str, str], ...]

    @cached_property
    def key(self) -> tuple[str, ...]:
        """Equal for runs that compute alike (batteries with equal keys share one pass)."""
        return (
            self.rules.id,
            self.rules.sha256,
            self.rules.electricity_policy,
            *(f"{label}={digest}" for label, digest in self.factors.layers),
            self.mode,
        )


def default_ruleset(category: BatteryCategory | None = None) -> str:
    """The ruleset a battery of ``category`` is computed with when nothing names one."""
    return CATEGORY_RULESETS.get(category.value, DEFAULT_RULESET) if category else DEFAULT_RULESET


def run_config(
    options: RunOptions,
    project_rules: str | None = None,
    project_factor_set: str | None = None,
    category: BatteryCategory | None = None,
    project_layers: tuple[str, ...] = (),
) -> RunConfig:
    """The settings for one project (or one battery of a long BOM); ``category``, the battery's
    category, picks the default ruleset (:func:`default_ruleset`) when nothing names one;
    ``project_layers``, the project's [factors] layers (the first winning), are laid over the
    factor set unless the options give layers.

    Raises FactorDataError for an unknown or invalid ruleset or factor set.
    """
    return _config(options, project_rules, project_factor_set, category, project_layers)


@lru_cache(maxsize=256)
def _config(
    options: RunOptions,
    project_rules: str | None,
    project_factor_set: str | None,
    category: BatteryCategory | None,
    project_layers: tuple[str, ...] = (),
) -> RunConfig:
    from carbonfp.data import load_factors, load_rules

    settings: list[tuple[str, str, str]] = []
    if options.rules:
        rules_ref, rules_from = options.rules, "option"
    elif project_rules:
        rules_ref, rules_from = project_rules, "project"
    else:
        rules_ref, rules_from = default_ruleset(category), "default"
    rules = load_rules(rules_ref)
    settings.append(("ruleset", rules.label, rules_from))
    if options.factor_set:
        set_ref, set_from = options.factor_set, "option"
    elif project_factor_set:
        set_ref, set_from = project_factor_set, "project"
    else:
        set_ref, set_from = rules.default_factor_set, "ruleset"
    if options.layers or not project_layers:
        layers, layers_from = options.layers, "option"
    else:  # the first listed wins: it is laid last
        layers, layers_from = tuple(reversed(project_layers)), "project"
    try:
        factors = load_factors([set_ref, *layers])
    except FactorDataError as exc:
        if "project" in (set_from, layers_from) and exc.code == "unknown-factor-set":
            exc.hint = (
                f"{exc.hint}; an entry of the project's [factors] layers that is no shipped set "
                "must be a set folder (with manifest.toml) relative to the project file"
            )
        raise
    settings.append(("factor set", factors.label, set_from))
    settings.extend(("factor layer", label, layers_from) for label, _ in factors.layers[1:])
    if options.policy:
        rules = replace(rules, electricity_policy=options.policy)
        settings.append(("electricity policy", options.policy, "option"))
    else:
        settings.append(("electricity policy", rules.electricity_policy, "ruleset"))
    settings.append(("mode", options.mode, "option" if options.mode != "screening" else "default"))
    return RunConfig(rules=rules, factors=factors, mode=options.mode, settings=tuple(settings))
