"""A declaration's Monte Carlo results: taken from the engine's result, as data and as text."""

from __future__ import annotations

import math
from typing import Any

from carbonfp.formats.common import rounded
from carbonfp.model import RandomInput, Uncertainty


def uncertainty_of(result: Any) -> Uncertainty:
    """The model's Uncertainty from a Monte Carlo result (what carbonfp.method.uncertainty.
    monte_carlo returns: draws, seed, summary, contributions, random_inputs, and the draws of
    the total ``total_per_kwh`` or their histogram),
    numbers as Python floats, summary keys as stage ids; attach it to its declaration with
    ``dataclasses.replace(declaration, uncertainty=...)``."""
    edges, counts = getattr(result, "histogram_edges", ()), getattr(result, "histogram_counts", ())
    if not edges and getattr(result, "total_per_kwh", None) is not None:
        import numpy as np

        from carbonfp.columns import histogram

        edges, counts = histogram(np.asarray(result.total_per_kwh, dtype=float))
    edges, counts = tuple(float(e) for e in edges), tuple(int(c) for c in counts)
    return Uncertainty(
        draws=int(result.draws),
        seed=int(result.seed),
        summary={
            str(getattr(key, "value", key)): {str(m): float(v) for m, v in stats.items()}
            for key, stats in result.summary.items()
        },
        contributions=tuple((str(label), float(share)) for label, share in result.contributions),
        random_inputs=int(result.random_inputs),
        histogram_edges=edges,
        histogram_counts=counts,
        inputs=tuple(getattr(result, "inputs", ())),
        declared_per_kwh=float(getattr(result, "declared_per_kwh", math.nan)),
        declared_percentile=float(getattr(result, "declared_percentile", math.nan)),
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
        **_declared(u),
        "inputs": [input_dict(x) for x in u.inputs],
    }


def _declared(u: Uncertainty) -> dict[str, Any]:
    if math.isnan(u.declared_percentile):
        return {}
    return {
        "declared_value": {
            "total": rounded(u.declared_per_kwh),
            "percentile": round(u.declared_percentile, 2),
            "within_95_interval": bool(
                u.summary["total"]["p2_5"] <= u.declared_per_kwh <= u.summary["total"]["p97_5"]
            ),
        }
    }


def input_dict(x: RandomInput) -> dict[str, Any]:
    """One random input as the record holds it: what it multiplies, its distribution around
    1, where its spread comes from and its share of the variance of the total."""
    spread: dict[str, Any] = (
        {"gsd": rounded(x.gsd)}
        if x.distribution == "lognormal"
        else {"low": rounded(x.low), "high": rounded(x.high)}
    )
    return {
        "input": x.label,
        "shape": x.distribution,
        **spread,
        "origin": x.origin,
        "share": rounded(x.share),
    }


def _origin_counts(u: Uncertainty) -> str:
    kinds = {"stated": 0, "factor set": 0, "data quality": 0}
    for x in u.inputs:
        for kind in kinds:
            if x.origin.startswith(kind):
                kinds[kind] += 1
    said = [f"{n} {kind}" for kind, n in kinds.items() if n]
    return f" (spread: {', '.join(said)})" if said else ""


def uncertainty_text(u: Uncertainty) -> str:
    """The Monte Carlo results for a terminal: the summary table and what drives the spread."""
    out = [
        f"Uncertainty (Monte Carlo, {u.draws} draws, seed {u.seed}, "
        f"{u.random_inputs} random inputs{_origin_counts(u)}; kg CO2e per kWh delivered)",
        f"  {'':<16}{'mean':>10}{'median':>10}{'2.5%':>10}{'97.5%':>10}",
    ]
    for key, stats in u.summary.items():
        out.append(
            f"  {key:<16}{stats['mean']:>10.4f}{stats['median']:>10.4f}{stats['p2_5']:>10.4f}"
            f"{stats['p97_5']:>10.4f}"
        )
    if not math.isnan(u.declared_percentile):
        total = u.summary["total"]
        inside = total["p2_5"] <= u.declared_per_kwh <= total["p97_5"]
        out.append(
            f"  The declared value {u.declared_per_kwh:.4f} lies at percentile "
            f"{u.declared_percentile:.1f} of the draws, "
            + ("inside" if inside else "OUTSIDE")
            + " the 95 % interval."
        )
    if u.contributions:
        origin = {x.label: x.origin for x in u.inputs}
        out.append(
            "  Contribution to the variance of the total (replace these with primary data first):"
        )
        for label, share in u.contributions:
            out.append(f"    {share:>6.1%}  {label}")
            if origin.get(label):
                out.append(f"            spread: {origin[label]}")
    elif u.random_inputs == 0:
        out.append("  No line varies: every line emits nothing.")
    return "\n".join(out) + "\n"
