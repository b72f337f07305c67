"""A spread from data quality: the ecoinvent v3 pedigree rule, fed with PEF DQR scores.

Where a line states no spread, its geometric standard deviation comes from its data quality
(METHOD.md section 7; docs/uncertainty.md):

    sigma^2 = basic variance of the line's kind + sum of the pedigree variances of its scores
    GSD     = exp(sqrt(sigma^2))

The variances are those of the ecoinvent v3 data quality guideline: B. P. Weidema, Ch. Bauer,
R. Hischier, Ch. Mutel, T. Nemecek, J. Reinhard, C. O. Vadenbo, G. Wernet (2013), "Overview and
methodology. Data quality guideline for the ecoinvent database version 3", ecoinvent Report 1
(v3), St. Gallen: the pedigree variances in its Table 10.5 (p. 77), the basic variances in its
Table 10.3. Both are variances of the underlying normal distribution (ln of the value), not
the GSD^2 factors of ecoinvent v2. The same table is re-published in open code, for example
GreenDelta's openlca-python-tutorial (``patches/ei3_uncertainty_patch.md``, CC0) and the
Ocelot project (``ocelot/transformations/uncertainty/pedigree.py``, BSD-3-Clause).

PEF rates four criteria (TeR, GeR, TiR, P; Recommendation (EU) 2021/2279, Annex I); carbonfp
reads them as the pedigree indicators they match: P as reliability, TiR as temporal, GeR as
geographical and TeR as further technological correlation. PEF has no completeness criterion:
the completeness indicator adds nothing. A line with only an overall DQR scores each criterion
at the DQR rounded up to a whole score; a line with no rating at all scores 5 (the worst) on
each. This mapping is carbonfp's, stated in every origin it writes.
"""

from __future__ import annotations

import math

from carbonfp.model import LineKind

#: Weidema et al. 2013, Table 10.5: variance of ln per score 1..5
PEDIGREE_VARIANCE: dict[str, tuple[float, float, float, float, float]] = {
    "reliability": (0.0, 0.0006, 0.002, 0.008, 0.04),
    "completeness": (0.0, 0.0001, 0.0006, 0.002, 0.008),
    "temporal correlation": (0.0, 0.0002, 0.002, 0.008, 0.04),
    "geographical correlation": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "further technological correlation": (0.0, 0.0006, 0.008, 0.04, 0.12),
}
#: Weidema et al. 2013, Table 10.3: basic variance of ln by kind of exchange (demand of
#: materials, energy and fuels, and emissions: 0.0006; transport services in t*km: 0.12)
BASIC_VARIANCE: dict[LineKind, float] = {
    LineKind.MATERIAL: 0.0006,
    LineKind.ELECTRICITY: 0.0006,
    LineKind.FUEL: 0.0006,
    LineKind.PROCESS_EMISSION: 0.0006,
    LineKind.TRANSPORT: 0.12,
}
#: PEF criteria in the order a factor set writes them (TeR, GeR, TiR, P) -> pedigree indicator
PEF_TO_PEDIGREE = (
    "further technological correlation",
    "geographical correlation",
    "temporal correlation",
    "reliability",
)
SOURCE = "ecoinvent v3 pedigree rule (Weidema et al. 2013, Tables 10.3, 10.5)"


def whole_score(dqr: float) -> int:
    """A DQR as a whole pedigree score: rounded up, within 1..5."""
    return min(5, max(1, math.ceil(dqr - 1e-9)))


def spread_from_quality(
    kind: LineKind,
    *,
    dqr: float | None = None,
    criteria: tuple[int, int, int, int] | None = None,
) -> tuple[float, str]:
    """The geometric standard deviation of a line from its data quality, and where it came
    from (for the output): the four PEF ``criteria`` (TeR, GeR, TiR, P) where known, else an
    overall ``dqr``, else no rating (score 5 on each)."""
    if criteria is not None:
        scores = tuple(min(5, max(1, int(c))) for c in criteria)
        said = f"DQR criteria TeR {scores[0]}, GeR {scores[1]}, TiR {scores[2]}, P {scores[3]}"
    elif dqr is not None and not math.isnan(dqr):
        score = whole_score(dqr)
        scores = (score,) * 4
        said = f"DQR {dqr:g}, scored {score} on each criterion"
    else:
        scores = (5,) * 4
        said = "no DQR given, scored 5 (the worst) on each criterion"
    variance = BASIC_VARIANCE[kind] + sum(
        PEDIGREE_VARIANCE[indicator][score - 1]
        for indicator, score in zip(PEF_TO_PEDIGREE, scores, strict=True)
    )
    gsd = math.exp(math.sqrt(variance))
    return gsd, f"data quality: {said} -> GSD {gsd:.3f}, {SOURCE}"
