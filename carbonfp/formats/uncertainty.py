"""A declaration's Monte Carlo results: taken from the engine's result, as data and as text."""

from __future__ import annotations

from typing import Any

from carbonfp.formats.common import rounded
from carbonfp.model import Uncertainty


def uncertainty_of(result: Any) -> Uncertainty:
    """The model's Uncertainty from a Monte Carlo result (what carbonfp.method.uncertainty.
    monte_carlo returns: draws, seed, summary, contributions, random_inputs, total_per_kwh),
    numbers as Python floats, summary keys as stage ids; attach it to its declaration with
    ``dataclasses.replace(declaration, uncertainty=...)``."""
    return Uncertainty(
        draws=int(result.draws),
        seed=int(result.seed),
        summary={
            str(getattr(key, "value", key)): {str(m): float(v) for m, v in stats.items()}
            for key, stats in result.summary.items()
        },
        contributions=tuple((str(label), float(share)) for label, share in result.contributions),
        random_inputs=int(result.random_inputs),
        total_per_kwh=tuple(float(v) for v in result.total_per_kwh),
    )


def uncertainty_dict(u: Uncertainty) -> dict[str, Any]:
    """The Monte Carlo results as the declaration record holds them (key ``uncertainty``)."""
    return {
        "method": "Monte Carlo",
        "draws": u.draws,
        "seed": u.seed,
        "random_inputs": u.random_inputs,
        "unit": "kg CO2e per kWh delivered",
        "summary": {k: {m: rounded(v) for m, v in stats.items()} for k, stats in u.summary.items()},
        "contribution_to_variance": [
            {"input": label, "share": rounded(share)} for label, share in u.contributions
        ],
    }


def uncertainty_text(u: Uncertainty) -> str:
    """The Monte Carlo results for a terminal: the summary table and what drives the spread."""
    out = [
        f"Uncertainty (Monte Carlo, {u.draws} draws, seed {u.seed}, "
        f"{u.random_inputs} random inputs; kg CO2e per kWh delivered)",
        f"  {'':<16}{'mean':>10}{'median':>10}{'2.5%':>10}{'97.5%':>10}",
    ]
    for key, stats in u.summary.items():
        out.append(
            f"  {key:<16}{stats['mean']:>10.4f}{stats['median']:>10.4f}{stats['p2_5']:>10.4f}"
            f"{stats['p97_5']:>10.4f}"
        )
    if u.contributions:
        out.append(
            "  Contribution to the variance of the total (replace these with primary data first):"
        )
        out += [f"    {share:>6.1%}  {label}" for label, share in u.contributions]
    elif u.random_inputs == 0:
        out.append(
            "  No input states an uncertainty: give quantity_gsd / factor_gsd in the BOM "
            "(amount_gsd / factor_gsd in energy and transport)."
        )
    return "\n".join(out) + "\n"
