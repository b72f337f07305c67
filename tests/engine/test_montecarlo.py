"""Monte Carlo in blocks: seeds per battery and block, a spread on every line, running
correlations, the declared value's place among the draws, memory checked before allocation."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonfp import calculate, load_project, load_rules
from carbonfp.data import load_factors
from carbonfp.engine.calculate import calculate_projects, draw_project
from carbonfp.engine.montecarlo import (
    BLOCK,
    BYTES_PER_DRAW,
    _CoMoments,
    memory_needed,
    random_inputs,
    require_memory,
)
from carbonfp.errors import UsageError
from carbonfp.method.pedigree import PEDIGREE_VARIANCE, spread_from_quality
from carbonfp.model import LineKind
from tests.support import SAMPLES, make_factor_set, make_line, make_project, make_rules

RULES = load_rules("eu-ev-draft-2024-04")
FACTORS = load_factors(["carbonfp-open"])
EV = SAMPLES / "ev-nmc811-hu" / "battery.toml"


def test_a_block_draws_the_same_numbers_however_many_draws_follow() -> None:
    """Block k is seeded by (seed, model, k): the first blocks of a long run are a short run,
    so splitting the draws over workers by block never changes a number."""
    project = load_project(EV)
    short = draw_project(project, FACTORS, RULES, BLOCK, seed=5).per_stage_kg
    long = draw_project(project, FACTORS, RULES, 2 * BLOCK + 17, seed=5).per_stage_kg
    assert np.array_equal(long[:, :BLOCK], short)
    assert not np.array_equal(long[:, BLOCK : 2 * BLOCK], short)  # the next block is new
    other_seed = draw_project(project, FACTORS, RULES, BLOCK, seed=6).per_stage_kg
    assert not np.array_equal(other_seed, short)


def test_every_line_that_emits_has_a_spread_with_its_origin() -> None:
    """On every sample: each line with kg CO2e is multiplied by a random input (its amount or
    its factor), unless it is an end-of-life line that follows its material."""
    for path in sorted(SAMPLES.glob("*/battery.toml")):
        evaluated = calculate_projects([load_project(path)], FACTORS, RULES)
        table = evaluated.table
        rows = evaluated.rows[evaluated.starts[0] : evaluated.starts[1]]
        spec = random_inputs(table, rows, evaluated.kg)
        none = len(spec.inputs)
        for i, row in enumerate(rows):
            if evaluated.kg[row] == 0 or table.cff_of[row] >= 0:
                continue
            assert spec.amount_of[i] != none or spec.factor_of[i] != none, table.label(row)
        assert all(x.origin for x in spec.inputs)
        assert {x.origin.split(":")[0].split(" (")[0] for x in spec.inputs} <= {
            "stated",
            "factor set",
            "data quality",
        }


def test_a_line_without_a_stated_spread_gets_one_from_its_dqr() -> None:
    """DQR 2.3 rounds up to score 3 on each PEF criterion: basic 0.0006 + reliability 0.002
    + temporal 0.002 + geographical 0.0001 + technological 0.008 (Weidema et al. 2013)."""
    line = make_line("steel-sheet", 100.0, dqr=2.3)
    fs = make_factor_set({"steel-sheet": ("materials", 2.0, "kg CO2e/kg")})
    result = calculate(make_project([line]), fs, make_rules(), uncertainty=20_000, seed=2)
    u = result.uncertainty
    assert u is not None and len(u.inputs) == 1
    (spread,) = u.inputs
    expected = math.exp(math.sqrt(0.0006 + 0.002 + 0.002 + 0.0001 + 0.008))
    assert spread.gsd == pytest.approx(expected, rel=1e-12)
    assert spread.origin.startswith("data quality: DQR 2.3, scored 3 on each criterion")
    assert spread.share == pytest.approx(1.0)
    # one lognormal input with median 1: the declared value is the median of the draws
    assert u.declared_percentile == pytest.approx(50.0, abs=1.5)
    project = make_project([line])
    drawn = draw_project(project, fs, make_rules(), 20_000, seed=2).total_per_kwh
    spread = np.log(drawn / result.total_kg_co2e_per_kwh)
    assert float(spread.std()) == pytest.approx(math.log(expected), rel=0.03)
    # the histogram counts every draw
    assert sum(u.histogram_counts) == 20_000 and len(u.histogram_edges) == 60 + 1
    assert u.histogram_edges[0] == pytest.approx(float(drawn.min()))


def test_pedigree_scores_add_their_variances() -> None:
    worst, origin = spread_from_quality(LineKind.TRANSPORT)
    variance = 0.12 + 0.04 + 0.04 + 0.002 + 0.12  # basic (t*km) + each criterion at score 5
    assert worst == pytest.approx(math.exp(math.sqrt(variance)))
    assert "no DQR given, scored 5" in origin
    best, _ = spread_from_quality(LineKind.MATERIAL, criteria=(1, 1, 1, 1))
    assert best == pytest.approx(math.exp(math.sqrt(0.0006)))
    # criteria are read in the factor set's order TeR, GeR, TiR, P
    mixed, said = spread_from_quality(LineKind.MATERIAL, criteria=(3, 4, 1, 3))
    assert mixed == pytest.approx(math.exp(math.sqrt(0.0006 + 0.008 + 0.0006 + 0.0 + 0.002)))
    assert "TeR 3, GeR 4, TiR 1, P 3" in said
    for scores in PEDIGREE_VARIANCE.values():
        assert scores[0] == 0.0 and list(scores) == sorted(scores)


def test_a_factor_range_draws_its_triangular_distribution() -> None:
    """low 1, mode 2, high 5 (relative 0.5, 1, 2.5): mean (1 + 2 + 5) / 3."""
    fs = make_factor_set({"steel-sheet": ("materials", 2.0, "kg CO2e/kg")})
    fs = replace(fs, factors={"steel-sheet": replace(fs.factors["steel-sheet"], low=1, high=5)})
    project = make_project([make_line("steel-sheet", 100.0)])
    draws = draw_project(project, fs, make_rules(), 60_000, seed=4)
    kg = draws.per_stage_kg.sum(axis=0)
    assert float(kg.mean()) == pytest.approx(100.0 * 8 / 3, rel=5e-3)
    assert float(kg.min()) >= 100.0 and float(kg.max()) <= 500.0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(2, 300),
    st.integers(1, 7),
    st.integers(0, 2**32 - 1),
)
def test_running_correlations_equal_those_of_all_draws(
    inputs: int, n: int, blocks: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0, 0.3, (inputs, n))
    y = x.sum(axis=0) * rng.uniform(0.5, 2) + rng.normal(0, 0.1, n)
    moments = _CoMoments(0, np.zeros(inputs))
    for part in np.array_split(np.arange(n), blocks):
        if len(part):
            moments.add(x[:, part], y[part])
    expected = np.array([np.corrcoef(x[i], y)[0, 1] ** 2 for i in range(inputs)])
    assert moments.r2() == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_a_run_that_cannot_fit_is_refused_before_any_allocation() -> None:
    need = memory_needed(10**9, 60)
    assert need >= 10**9 * BYTES_PER_DRAW
    with pytest.raises(UsageError) as caught:
        require_memory(10**9, 60, available=2 * 1024**3)
    error = caught.value
    assert error.code == "too-many-draws" and int(error.exit_code) == 2
    assert "needs about 37.3 GiB" in error.message and "2.0 GiB is available" in error.message
    fit = int(error.hint.split("about ")[1].split(" ")[0])
    assert memory_needed(fit, 60) <= 2 * 1024**3 < memory_needed(fit + 2 * BLOCK, 60)
    require_memory(10_000, 60, available=2 * 1024**3)  # fits: no error


def test_calc_under_an_address_space_limit_refuses_a_huge_monte_carlo() -> None:
    """``ulimit -v`` of 1.5 GiB and a billion draws: a clear message, exit 2, no traceback."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))\n"
        "from carbonfp.cli import app\n"
        "sys.argv = ['carbonfp', 'calc', sys.argv[1], '--uncertainty', '1000000000']\n"
        "app()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(EV)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "--uncertainty 1000000000 needs about 37.3 GiB" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_progress_is_told_the_draws_done_block_by_block() -> None:
    seen: list[int] = []
    calculate(load_project(EV), uncertainty=2 * BLOCK + 5, seed=1, progress=seen.append)
    assert seen == [BLOCK, 2 * BLOCK, 2 * BLOCK + 5]
