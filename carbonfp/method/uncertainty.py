"""Monte Carlo uncertainty: every draw of every line in one array operation, seeded.

Random inputs: a line's amount when it states a geometric standard deviation (``quantity_gsd``,
lognormal with the stated amount as median); a line's own factor with ``factor_gsd``; a factor
of the set with a geometric standard deviation (lognormal, median = value) or a range (triangular
from low to high with the value as mode). A factor of the set used by several lines is one
random input (its lines move together). The end-of-life terms of the Circular Footprint
Formula follow the draws of their material line (its amount, and its factor as E*v); the R1
term scales with the line's drawn factor as a whole. Everything else is fixed. The contribution
of each input to the variance of the total is its squared correlation with the total,
normalised to sum 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from carbonfp.errors import InputError
from carbonfp.method.calculate import STAGES, prepare
from carbonfp.model import FactorSet, Project, Ruleset, Stage

Array = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class UncertaintyResult:
    draws: int
    seed: int
    total_per_kwh: Array
    stage_per_kwh: dict[Stage, Array]
    #: "total" and each stage id -> {"mean", "median", "p2_5", "p97_5"} in kg CO2e/kWh
    summary: dict[str, dict[str, float]]
    #: (input, share of the variance of the total), largest first, top 10
    contributions: list[tuple[str, float]]
    random_inputs: int


def _lognormal(rng: np.random.Generator, gsd: float, draws: int) -> Array:
    return np.exp(math.log(gsd) * rng.standard_normal(draws))


def monte_carlo(
    project: Project, factors: FactorSet, rules: Ruleset, draws: int, seed: int = 0
) -> UncertaintyResult:
    """Draw ``draws`` samples of the declaration; the same seed gives the same numbers.

    Raises InputError (code ``impossible-distribution``) for a distribution that cannot be
    drawn (a lognormal around a negative or zero value), naming the line.
    """
    if draws < 2:
        raise InputError(f"--uncertainty needs at least 2 draws, got {draws}", code="invalid-value")
    prep = prepare(project, factors, rules)
    rng = np.random.default_rng(seed)
    n = len(prep.lines)
    base = prep.quantities * prep.values * prep.scales
    amounts = np.ones((n, draws))  # multipliers of each line's amount
    factors_m = np.ones((n, draws))  # and of its factor
    inputs: list[tuple[str, Array]] = []
    shared: dict[str, Array] = {}
    for i, (line, resolved) in enumerate(zip(prep.lines, prep.resolved, strict=True)):
        if line.quantity_gsd is not None and line.quantity_gsd > 1:
            amount = _lognormal(rng, line.quantity_gsd, draws)
            amounts[i] *= amount
            inputs.append((f"amount of {line.label}", amount))
        if line.supplied is not None:
            if line.factor_gsd is not None and line.factor_gsd > 1:
                _positive(resolved.value, line, "factor_gsd")
                own = _lognormal(rng, line.factor_gsd, draws)
                factors_m[i] *= own
                inputs.append((f"factor of {line.label}", own))
            continue
        factor = factors.factors.get(resolved.id)
        if factor is None:
            continue
        if resolved.id not in shared:
            m: Array | None = None
            if factor.gsd is not None and factor.gsd > 1:
                _positive(factor.value, line, f"gsd of factor {factor.id}")
                m = _lognormal(rng, factor.gsd, draws)
            elif factor.low is not None and factor.high is not None and factor.high > factor.low:
                _positive(factor.value, line, f"range of factor {factor.id}")
                m = rng.triangular(factor.low, factor.value, factor.high, draws) / factor.value
            if m is None:
                continue
            shared[resolved.id] = m
            inputs.append((f"factor {factor.id}", m))
        factors_m[i] *= shared[resolved.id]
    kg = base[:, None] * amounts * factors_m
    # an end-of-life credit moves with its material: same amount, and E*v is that factor
    for eol, source, per_factor in prep.eol_coupling:
        kg[eol] = amounts[source] * (base[eol] + per_factor * (1.0 - factors_m[source]))
    onehot = np.zeros((len(STAGES), n))
    onehot[prep.stage_index, np.arange(n)] = 1.0
    per_stage = onehot @ kg
    total = per_stage.sum(axis=0)
    e_total = prep.fu.total_energy_kwh
    summary = {"total": _stats(total / e_total)}
    stage_per_kwh = {}
    for s, stage in enumerate(STAGES):
        stage_per_kwh[stage] = per_stage[s] / e_total
        summary[stage.value] = _stats(stage_per_kwh[stage])
    return UncertaintyResult(
        draws=draws,
        seed=seed,
        total_per_kwh=total / e_total,
        stage_per_kwh=stage_per_kwh,
        summary=summary,
        contributions=_contributions(inputs, total),
        random_inputs=len(inputs),
    )


def _positive(value: float, line: Any, what: str) -> None:
    if value <= 0:
        raise InputError(
            f"{what}: a lognormal or range distribution needs a positive value, got {value:g}",
            where=line.where,
            hint="give no spread for credits and zero values, or a positive value",
            code="impossible-distribution",
        )


def _stats(values: Array) -> dict[str, float]:
    low, median, high = np.percentile(values, [2.5, 50.0, 97.5])
    return {
        "mean": float(values.mean()),
        "median": float(median),
        "p2_5": float(low),
        "p97_5": float(high),
    }


def _contributions(inputs: list[tuple[str, Array]], total: Array) -> list[tuple[str, float]]:
    if not inputs or float(total.std()) == 0.0:
        return []
    r2 = []
    for label, draws in inputs:
        if float(draws.std()) == 0.0:
            continue
        r = float(np.corrcoef(draws, total)[0, 1])
        r2.append((label, r * r))
    norm = sum(v for _, v in r2) or 1.0
    ranked = sorted(((label, v / norm) for label, v in r2), key=lambda x: (-x[1], x[0]))
    return ranked[:10]
