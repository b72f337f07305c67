"""Monte Carlo: a battery's lines drawn in blocks, each block with its own seed.

Every line gets a spread: the one its inputs state (an amount's or a factor's geometric
standard deviation, a factor set's range), else one derived from its data quality by the
pedigree rule of :mod:`carbonfp.method.pedigree`. The spreads are the battery's *random
inputs*, fixed before any draw (:func:`random_inputs`). Draws come in blocks of
:data:`BLOCK`; block ``k`` of a battery draws from a generator seeded with (run seed, battery
model, ``k``), so a block gives the same numbers on any process, alone or among others, and
the draws of a battery are the same however they are split over workers. Memory is the
draws' stage totals (:data:`BYTES_PER_DRAW` each) plus one block, whatever the number of
lines; :func:`require_memory` refuses a run that cannot fit before anything is allocated.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from carbonfp.columns import KINDS, STAGES, Floats, Ints, histogram
from carbonfp.engine.resolve import LineTable
from carbonfp.errors import InputError, UsageError
from carbonfp.method.pedigree import spread_from_quality
from carbonfp.model import RandomInput, Stage, Uncertainty

#: draws per block: the unit of seeding (never change it lightly: it changes every draw)
BLOCK = 4096
#: memory kept per draw: kg CO2e per stage and the total, float64
BYTES_PER_DRAW = 8 * (len(STAGES) + 1)


@dataclass(frozen=True, eq=False)
class _Spec:
    """The random inputs of one battery and which lines they multiply."""

    inputs: tuple[RandomInput, ...]
    #: per input: lognormal sigma (log of the gsd), NaN for a triangular input
    sigma: Floats
    #: per input: triangular (low, mode, high) relative to the value, NaN for lognormal
    low: Floats
    high: Floats
    #: per line (battery row): the input its amount and its factor follow, len(inputs) = none
    amount_of: Ints
    factor_of: Ints


def seed_key(seed: int, model: str) -> list[int]:
    """The seed of a battery: the run's seed and its model, so a battery draws the same
    numbers alone, in a batch or on any number of workers."""
    digest = hashlib.sha256(model.encode("utf-8")).digest()
    return [seed, int.from_bytes(digest[:8], "little")]


def random_inputs(table: LineTable, rows: Ints, kg: Floats) -> _Spec:
    """The random inputs of the battery whose table rows are ``rows``, in line order.

    A line's amount with ``quantity_gsd``; a line's own factor with ``factor_gsd``; a factor of
    the set with a geometric standard deviation or a range (one input per factor id, however
    many lines use it). A line with none of these gets a spread from its data quality (its own
    DQR, else its factor's criteria: one input per factor id); a line of zero kg needs none.
    An end-of-life line of the Circular Footprint Formula follows its material line.
    Raises InputError (``impossible-distribution``) for a stated spread around a value that
    is not positive.
    """
    raw = table.raw
    factors = table.factors
    n = len(rows)
    inputs: list[RandomInput] = []
    amount_of = np.full(n, -1, dtype=np.intp)
    factor_of = np.full(n, -1, dtype=np.intp)
    shared: dict[str, int] = {}

    def add(item: RandomInput) -> int:
        inputs.append(item)
        return len(inputs) - 1

    for i, row in enumerate(rows):
        if table.cff_of[row] >= 0:
            continue  # an end-of-life line: coupled to its material line
        r = int(table.raw_row[row])
        label = raw.label(r)
        gsd = float(raw.quantity_gsd[r])
        if gsd > 1:
            amount_of[i] = add(
                RandomInput(f"amount of {label}", "lognormal", gsd, origin="stated (quantity_gsd)")
            )
        own = not math.isnan(raw.own_value[r])
        if own and float(raw.factor_gsd[r]) > 1:
            _positive(float(raw.own_value[r]), table, int(row), "factor_gsd")
            factor_of[i] = add(
                RandomInput(
                    f"factor of {label}",
                    "lognormal",
                    float(raw.factor_gsd[r]),
                    origin="stated (factor_gsd)",
                )
            )
            continue
        fid = "" if own else table.spread_id[int(row)]
        if fid:
            if fid not in shared:
                factor = factors.factors[fid]
                if factor.gsd is not None and factor.gsd > 1:
                    _positive(factor.value, table, int(row), f"gsd of factor {fid}")
                    shared[fid] = add(
                        RandomInput(
                            f"factor {fid}", "lognormal", factor.gsd, origin="factor set (gsd)"
                        )
                    )
                elif (
                    factor.low is not None and factor.high is not None and factor.high > factor.low
                ):
                    _positive(factor.value, table, int(row), f"range of factor {fid}")
                    shared[fid] = add(
                        RandomInput(
                            f"factor {fid}",
                            "triangular",
                            math.nan,
                            low=factor.low / factor.value,
                            high=factor.high / factor.value,
                            origin="factor set (range)",
                        )
                    )
                else:
                    shared[fid] = -1
            if shared[fid] >= 0:
                factor_of[i] = shared[fid]
                continue
        if amount_of[i] >= 0 or kg[row] == 0:
            continue  # the line states its spread, or emits nothing
        # no stated spread: one from data quality
        kind = KINDS[int(table.kind[row])]
        line_dqr = float(table.line_dqr[row])
        if not math.isnan(line_dqr):
            gsd, origin = spread_from_quality(kind, dqr=line_dqr)
            factor_of[i] = add(RandomInput(label, "lognormal", gsd, origin=origin))
            continue
        fid = table.factor_id[int(row)]
        key = f"quality:{fid}" if fid and not own else f"quality:line:{i}"
        if key not in shared:
            record = None if own or not fid else factors.factors.get(fid)
            criteria = None if record is None else record.dqr
            gsd, origin = spread_from_quality(kind, criteria=criteria)
            name = f"factor {fid}" if key != f"quality:line:{i}" else label
            shared[key] = add(RandomInput(name, "lognormal", gsd, origin=origin))
        factor_of[i] = shared[key]
    k = len(inputs)
    sigma = np.array(
        [math.log(x.gsd) if x.distribution == "lognormal" else math.nan for x in inputs]
    )
    return _Spec(
        inputs=tuple(inputs),
        sigma=sigma,
        low=np.array([x.low for x in inputs], dtype=float),
        high=np.array([x.high for x in inputs], dtype=float),
        amount_of=np.where(amount_of >= 0, amount_of, k),
        factor_of=np.where(factor_of >= 0, factor_of, k),
    )


def _sample(spec: _Spec, rng: np.random.Generator, m: int) -> Floats:
    """One block: a multiplier per input and draw, shape (inputs + 1, m), the last row ones."""
    k = len(spec.inputs)
    out = np.ones((k + 1, m))
    lognormal = np.flatnonzero(~np.isnan(spec.sigma))
    triangular = np.flatnonzero(np.isnan(spec.sigma))
    if len(lognormal):
        out[lognormal] = np.exp(
            spec.sigma[lognormal, None] * rng.standard_normal((len(lognormal), m))
        )
    if len(triangular):
        u = rng.random((len(triangular), m))
        a, b = spec.low[triangular, None], spec.high[triangular, None]
        c = 1.0  # the mode: the factor's value
        cut = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        out[triangular] = np.where(u < cut, left, right)
    return out


@dataclass
class _CoMoments:
    """Running means and co-moments of each input with the total (Chan et al.'s merge), so
    the correlations need no draw kept."""

    n: int
    mean_x: Floats
    mean_y: float = 0.0
    cxy: Floats | None = None
    cxx: Floats | None = None
    cyy: float = 0.0

    def add(self, x: Floats, y: Floats) -> None:
        m = y.shape[0]
        mx, my = x.mean(axis=1), float(y.mean())
        dx, dy = x - mx[:, None], y - my
        cxy, cxx, cyy = dx @ dy, (dx * dx).sum(axis=1), float(dy @ dy)
        if self.cxy is None or self.cxx is None:
            self.n, self.mean_x, self.mean_y, self.cxy, self.cxx, self.cyy = (
                m,
                mx,
                my,
                cxy,
                cxx,
                cyy,
            )
            return
        n = self.n + m
        ex, ey = mx - self.mean_x, my - self.mean_y
        w = self.n * m / n
        self.cxy = self.cxy + cxy + ex * ey * w
        self.cxx = self.cxx + cxx + ex * ex * w
        self.cyy = self.cyy + cyy + ey * ey * w
        self.mean_x = self.mean_x + ex * m / n
        self.mean_y = self.mean_y + ey * m / n
        self.n = n

    def r2(self) -> Floats:
        """Squared correlation of each input with the total (0 where either does not vary)."""
        if self.cxy is None or self.cxx is None:
            return np.zeros(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = self.cxy / np.sqrt(self.cxx * self.cyy)
        scale = max(self.cyy, 0.0)
        varies = (self.cxx > 1e-24 * self.n) & (scale > 1e-300)
        return np.where(varies & np.isfinite(r), r * r, 0.0)


@dataclass(frozen=True, eq=False)
class Draws:
    """The draws of one battery: kg CO2e per stage and draw, its random inputs, and their
    running co-moments with the total."""

    per_stage_kg: Floats  # (stages, draws)
    total_energy_kwh: float
    declared_kg: float
    spec: _Spec
    moments: _CoMoments

    @property
    def total_per_kwh(self) -> Floats:
        return np.asarray(self.per_stage_kg.sum(axis=0) / self.total_energy_kwh)

    def stage_per_kwh(self, stage: Stage) -> Floats:
        return np.asarray(self.per_stage_kg[STAGES.index(stage)] / self.total_energy_kwh)


def draw(
    table: LineTable,
    rows: Ints,
    kg: Floats,
    battery: int,
    draws: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> Draws:
    """Draw ``draws`` samples of one battery's lines (its table ``rows``), block by block
    (``progress`` is called with the draws done after each block).

    Raises InputError (``invalid-value``) for fewer than 2 draws, (``impossible-distribution``)
    for a stated spread around a value that is not positive.
    """
    if draws < 2:
        raise InputError(f"--uncertainty needs at least 2 draws, got {draws}", code="invalid-value")
    spec = random_inputs(table, rows, kg)
    fu = table.functional_units[battery]
    assert fu is not None
    energy = fu.total_energy_kwh
    base = kg[rows]
    n = len(rows)
    cff = table.cff
    eol = np.flatnonzero(table.cff_of[rows] >= 0)
    entries = table.cff_of[rows][eol]
    position = {int(r): i for i, r in enumerate(rows)}
    source = np.array([position[int(cff.row[k])] for k in entries], dtype=np.intp)
    per_factor = (1 - cff.a[entries]) * cff.r2[entries] * cff.q_out[entries] * cff.ev[entries]
    per_factor = per_factor * cff.mass_kg[entries]
    onehot = np.zeros((len(STAGES), n))
    onehot[table.stage[rows], np.arange(n)] = 1.0
    per_stage = np.empty((len(STAGES), draws))
    moments = _CoMoments(0, np.zeros(len(spec.inputs)))
    key = seed_key(seed, table.projects[battery].battery.model)
    for block, start in enumerate(range(0, draws, BLOCK)):
        m = min(BLOCK, draws - start)
        multiplier = _sample(spec, np.random.default_rng([*key, block]), m)
        amounts = multiplier[spec.amount_of]
        factor = multiplier[spec.factor_of]
        sampled = base[:, None] * amounts * factor
        if len(eol):
            sampled[eol] = amounts[source] * (
                base[eol, None] + per_factor[:, None] * (1.0 - factor[source])
            )
        block_stages = onehot @ sampled
        per_stage[:, start : start + m] = block_stages
        if spec.inputs:
            moments.add(multiplier[:-1], block_stages.sum(axis=0) / energy)
        if progress is not None:
            progress(start + m)
    return Draws(per_stage, energy, float(base.sum()), spec, moments)


def monte_carlo(
    table: LineTable,
    rows: Ints,
    kg: Floats,
    battery: int,
    draws: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> Uncertainty:
    """The Monte Carlo of one battery (see :func:`draw`): mean, median and 95 % interval of
    the total and of each stage, per kWh delivered; every random input with its distribution,
    origin and share of the variance of the total; where the declared value falls among the
    draws."""
    sample = draw(table, rows, kg, battery, draws, seed, progress)
    total = sample.total_per_kwh
    summary = {"total": _stats(total)}
    for stage in STAGES:
        summary[stage.value] = _stats(sample.stage_per_kwh(stage))
    declared = sample.declared_kg / sample.total_energy_kwh
    r2 = sample.moments.r2()
    shares = r2 / (float(r2.sum()) or 1.0)
    inputs = tuple(replace(x, share=float(shares[i])) for i, x in enumerate(sample.spec.inputs))
    edges, counts = histogram(total)
    ranked = sorted(
        ((x.label, x.share) for x in inputs if x.share > 0), key=lambda t: (-t[1], t[0])
    )
    return Uncertainty(
        draws=draws,
        seed=seed,
        summary=summary,
        contributions=tuple(ranked[:10]),
        random_inputs=len(inputs),
        histogram_edges=edges,
        histogram_counts=counts,
        inputs=inputs,
        declared_per_kwh=declared,
        declared_percentile=float(np.count_nonzero(total <= declared) / draws * 100.0),
    )


def _stats(values: Floats) -> dict[str, float]:
    low, median, high = np.percentile(values, [2.5, 50.0, 97.5])
    return {
        "mean": float(values.mean()),
        "median": float(median),
        "p2_5": float(low),
        "p97_5": float(high),
    }


def _positive(value: float, table: LineTable, row: int, what: str) -> None:
    if value <= 0:
        raise InputError(
            f"{what}: a lognormal or range distribution needs a positive value, got {value:g}",
            where=table.where(row),
            hint="give no spread for credits and zero values, or a positive value",
            code="impossible-distribution",
        )


def memory_needed(draws: int, lines: int) -> int:
    """Bytes a Monte Carlo of ``draws`` draws over a battery of ``lines`` lines holds at
    once: the stage totals of every draw, plus one block's arrays (multipliers, amounts,
    factors and kg per line, and the stage totals of the block)."""
    block = min(draws, BLOCK)
    return draws * BYTES_PER_DRAW + 8 * block * (4 * (lines + 1) + len(STAGES))


def available_memory() -> int | None:
    """Bytes this process may still allocate: the smaller of the system's available memory
    and what is left under an address-space limit (``ulimit -v``); None where unknown."""
    limits: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            used = 0
            with open("/proc/self/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmSize:"):
                        used = int(line.split()[1]) * 1024
                        break
            limits.append(max(soft - used, 0))
    except (ImportError, OSError, ValueError, IndexError):
        pass
    return min(limits) if limits else None


def require_memory(draws: int, lines: int, available: int | None = None) -> None:
    """Refuse, before any allocation, a Monte Carlo that cannot fit in memory.

    Raises UsageError (``too-many-draws``) saying how much it needs and how many draws fit.
    """
    need = memory_needed(draws, lines)
    free = available_memory() if available is None else available
    if free is None or need <= free:
        return
    fit = max((free - memory_needed(BLOCK, lines) + BLOCK * BYTES_PER_DRAW) // BYTES_PER_DRAW, 0)
    raise UsageError(
        f"--uncertainty {draws} needs about {_size(need)} of memory ({BYTES_PER_DRAW} bytes "
        f"per draw for the stage totals, plus one block of {BLOCK} draws over {lines} lines); "
        f"{_size(free)} is available",
        hint=f"ask for fewer draws (about {fit} fit here), or run where more memory is free",
        code="too-many-draws",
    )


def _size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"  # pragma: no cover
