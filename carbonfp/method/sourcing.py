"""Sourcing indicators: shares of a material by country, and the tests of sourcing rules.

Pure formulas on masses already summed per country (kg; an unknown origin is its own amount,
never dropped); no I/O. What a test means in law is in the rule file it comes from
(factors/sourcing/rules); what it computes is here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    """An amount from one country (``country`` None: of no stated origin) and its share of
    the whole."""

    country: str | None
    kg: float
    share: float


def shares(kg_by_country: Mapping[str, float], unknown_kg: float) -> list[Share]:
    """Each country's share of the whole (the countries and the unknown origin), largest
    first (ties by code), the unknown origin last when there is any. Shares of a whole of
    zero are zero."""
    total = sum(kg_by_country.values()) + unknown_kg
    out = [
        Share(country, kg, kg / total if total else 0.0)
        for country, kg in sorted(kg_by_country.items(), key=lambda x: (-x[1], x[0]))
        if kg
    ]
    if unknown_kg:
        out.append(Share(None, unknown_kg, unknown_kg / total if total else 0.0))
    return out


@dataclass(frozen=True)
class Finding:
    """What a test found: ``status`` is "above" (a country's share above the threshold),
    "undetermined" (no country is above, but the amount of no stated origin could make one
    so), "not-assessed" (no origin stated at all), "listed" (an amount from a listed country)
    or "unknown" (an amount of no stated origin)."""

    status: str
    country: str | None
    kg: float
    share: float


def single_country_above(
    kg_by_country: Mapping[str, float],
    unknown_kg: float,
    threshold: float,
    exclude: Collection[str] = (),
) -> list[Finding]:
    """Countries (outside ``exclude``) whose share of the whole is above ``threshold``; where
    none is, an "undetermined" finding when the largest such share plus the share of no stated
    origin is above it, and "not-assessed" when no origin is stated at all."""
    total = sum(kg_by_country.values()) + unknown_kg
    if total <= 0:
        return []
    if not any(kg_by_country.values()):
        return [Finding("not-assessed", None, unknown_kg, unknown_kg / total)]
    counted = {c: kg for c, kg in kg_by_country.items() if c not in exclude}
    above = [
        Finding("above", c, kg, kg / total)
        for c, kg in sorted(counted.items(), key=lambda x: (-x[1], x[0]))
        if kg / total > threshold
    ]
    if above:
        return above
    largest = max(counted.values(), default=0.0)
    if unknown_kg > 0 and (largest + unknown_kg) / total > threshold:
        return [Finding("undetermined", None, unknown_kg, unknown_kg / total)]
    return []


def in_listed_countries(
    kg_by_country: Mapping[str, float], unknown_kg: float, countries: Collection[str]
) -> list[Finding]:
    """Each listed country with an amount, and its share of the whole, largest first."""
    total = sum(kg_by_country.values()) + unknown_kg
    return [
        Finding("listed", c, kg, kg / total)
        for c, kg in sorted(kg_by_country.items(), key=lambda x: (-x[1], x[0]))
        if c in countries and kg > 0
    ]


def of_unknown_origin(known_kg: float, unknown_kg: float) -> list[Finding]:
    """The amount of no stated origin, and its share of the whole, where there is any."""
    total = known_kg + unknown_kg
    if unknown_kg <= 0 or total <= 0:
        return []
    return [Finding("unknown", None, unknown_kg, unknown_kg / total)]
