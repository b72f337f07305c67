"""Electricity accounting: which factor a block gets under the ruleset's policy, and why.

national-mix: grid supply and contractual instruments (PPA, guarantee of origin, green tariff)
at the national mix of the block's country; instruments recorded as "not credited".
market-based: grid supply at the residual mix (where the user supplies one; else the national
mix as a proxy, with a warning); an instrument credited only when all four criteria hold.
On-site generation and direct lines count at their technology's factor under both.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from carbonfp.errors import InputError
from carbonfp.model import (
    ActivityLine,
    ElectricityResult,
    ElectricitySupply,
    FactorSet,
    Issue,
    Ruleset,
    Supply,
)
from carbonfp.units import emission_scale

CRITERIA = (
    "conveys the attributes",
    "unique claim, tracked and cancelled for this user",
    "close in time to consumption",
    "same market",
)


@dataclass(frozen=True)
class _Row:
    id: str
    kg_per_kwh: float
    source: str


def _row(factors: FactorSet, fid: str, line: ActivityLine, what: str) -> _Row | None:
    factor = factors.factors.get(fid)
    if factor is None or factor.table != "electricity":
        return None
    return _Row(
        fid, factor.value * emission_scale("kWh", factor.unit, line.where, fid), factor.source
    )


def _required(factors: FactorSet, fid: str, line: ActivityLine, what: str) -> _Row:
    row = _row(factors, fid, line, what)
    if row is None:
        raise InputError(
            f"no {what} factor {fid!r} in {factors.label}",
            where=line.where,
            hint=choices(factors, fid),
            code="unknown-factor",
        )
    return row


#: A kind of electricity id with at most this many ids in the set is listed whole.
LIST_ALL = 12


def choices(factors: FactorSet, fid: str) -> str:
    """What to write instead of an electricity id the set lacks (``grid-li``, ``tech-tidal``).

    A short kind is listed whole. National grids: the ids whose name or id holds what was asked
    for ("italy": IT, "eu": EU27), else the country codes spelt closest to it; then the
    aggregates (EU27, WORLD, ...: ids that are not a two-letter code); then how to see them all
    or bring one's own.
    """
    prefix, _, wanted = fid.partition("-")
    rows = {
        k.partition("-")[2]: f
        for k, f in factors.factors.items()
        if k.startswith(prefix + "-") and f.table == "electricity"
    }
    if len(rows) <= LIST_ALL:
        return "known: " + ", ".join(sorted(rows))

    def is_code(key: str) -> bool:
        return len(key) == 2 and key.isalpha()

    def label(key: str) -> str:
        place = rows[key].name.rpartition(", ")[2].removesuffix(" (Ember aggregate)")
        return key.upper() if place.upper() == key.upper() else f"{key.upper()} ({place})"

    def distance(key: str) -> tuple[float, bool, str]:
        ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
        return (-ratio, key[:1] != wanted[:1], key)

    named = [
        k
        for k in sorted(rows, key=lambda k: (is_code(k), k))
        if (not is_code(k) and k.startswith(wanted))
        or (len(wanted) >= 3 and wanted in rows[k].name.lower())
    ]
    spelt = [] if named else sorted(filter(is_code, rows), key=distance)[:5]
    regions = sorted(k for k in rows if not is_code(k) and k not in named)
    parts = []
    if named or spelt:
        parts.append("nearest: " + ", ".join(label(k) for k in named + spelt))
    if regions:
        parts.append("or an average: " + ", ".join(label(k) for k in regions))
    parts.append(
        f"`carbonfp factors show {factors.label} --table electricity` lists all {len(rows)}; "
        f"or layer your own factor set (--factors) with a row {fid!r}"
    )
    return "; ".join(parts)


def instrument_criteria(supply: ElectricitySupply, country: str, time_match: str) -> list[str]:
    """The criteria an instrument fails, by name (empty when all four hold)."""
    failed = []
    if supply.conveys_attributes is not True:
        failed.append(CRITERIA[0] + " (conveys_attributes = true missing)")
    if supply.cancelled_for_user is not True or not supply.certificate_id:
        failed.append(CRITERIA[1] + " (needs certificate_id and cancelled_for_user = true)")
    gen, use = supply.generation_period, supply.consumption_period
    if not gen or not use:
        failed.append(CRITERIA[2] + " (generation_period and consumption_period missing)")
    elif time_match == "month" and (len(gen) != 7 or gen != use):
        failed.append(CRITERIA[2] + f" (generation {gen} vs consumption {use}, same month needed)")
    elif gen[:4] != use[:4]:
        failed.append(CRITERIA[2] + f" (generation {gen} vs consumption {use}, same year needed)")
    if supply.market is None or supply.market != country:
        failed.append(
            CRITERIA[3] + f" (instrument market {supply.market or 'not given'} vs grid {country})"
        )
    return failed


def resolve_electricity(
    line: ActivityLine,
    factors: FactorSet,
    rules: Ruleset,
    claimed: frozenset[str] = frozenset(),
) -> tuple[ElectricityResult, list[Issue]]:
    """The block's effective factor (kg CO2e/kWh) under the ruleset's policy, and why.

    ``claimed`` holds the certificate ids earlier blocks already used: a second use fails the
    unique-claim criterion. Raises InputError when a grid or technology factor the block needs
    is missing.
    """
    supply = line.supply or ElectricitySupply()
    country = line.origin or ""
    policy = rules.electricity_policy
    issues: list[Issue] = []
    grid = _required(factors, f"grid-{country.lower()}", line, "national grid")
    base, base_how = grid, f"national mix {country}"
    if policy == "market-based":
        residual = None
        if supply.residual_mix is not None:
            residual = _Row(
                "residual mix (project)",
                supply.residual_mix.value
                * emission_scale("kWh", supply.residual_mix.unit, line.where),
                f"project: {supply.residual_mix.source}",
            )
        else:
            residual = _row(factors, f"residual-{country.lower()}", line, "residual mix")
        if residual is not None:
            base, base_how = residual, f"residual mix {country}"
        else:
            issues.append(
                Issue(
                    "no-residual-mix",
                    f"market-based policy: no residual mix for {country}; the national "
                    "(generation) mix stands in as a proxy (give residual_mix in the block or a "
                    f"factor 'residual-{country.lower()}' in a --factors layer)",
                    str(line.where),
                )
            )
    tech = None
    if supply.supply is not Supply.GRID:
        tech = _required(factors, f"tech-{supply.technology}", line, "generation technology")
    share = supply.share
    if supply.supply in (Supply.ON_SITE, Supply.DIRECT_LINE):
        assert tech is not None
        credited = share
        reason = (
            f"{supply.supply.value.replace('_', ' ')}: {share:.0%} at the {supply.technology} "
            f"factor, the rest at the {base_how}"
        )
    elif supply.supply.is_instrument:
        assert tech is not None
        if policy == "national-mix":
            credited = 0.0
            reason = (
                f"{supply.supply.value.replace('_', ' ')} not credited: the national-mix policy "
                f"counts contractual instruments at the {base_how}"
            )
        else:
            failed = instrument_criteria(supply, country, rules.time_match)
            if supply.certificate_id and supply.certificate_id in claimed:
                failed.insert(
                    0,
                    CRITERIA[1] + f" (certificate {supply.certificate_id} is already claimed "
                    "by another block)",
                )
            if failed:
                credited = 0.0
                reason = (
                    f"{supply.supply.value.replace('_', ' ')} not credited, criteria not met: "
                    + "; ".join(failed)
                )
            else:
                credited = share
                reason = (
                    f"{supply.supply.value.replace('_', ' ')} credited for {share:.0%} "
                    f"({supply.technology}): all four criteria hold"
                )
    else:
        credited = 0.0
        reason = f"grid supply at the {base_how}"
    value = base.kg_per_kwh * (1 - credited) + (tech.kg_per_kwh * credited if tech else 0.0)
    ids = (
        (base.id,)
        if credited == 0 or tech is None
        else ((tech.id,) if credited == 1 else (base.id, tech.id))
    )
    return (
        ElectricityResult(
            line=line,
            policy=policy,
            supply=supply.supply,
            kwh=line.quantity,
            factor_kg_per_kwh=value,
            factor_ids=ids,
            credited_share=credited,
            reason=reason,
            certificate_id=supply.certificate_id,
        ),
        issues,
    )


def duplicate_message(certificate_id: str) -> str:
    """The warning for a certificate that backs a second block (where: both blocks)."""
    return (
        f"certificate {certificate_id!r} is claimed by two blocks: one certificate can back one "
        "claim only"
    )


def sources_of(result: ElectricityResult, factors: FactorSet) -> str:
    keys = [factors.factors[f].source for f in result.factor_ids if f in factors.factors]
    return ", ".join(dict.fromkeys(keys)) or "project"
