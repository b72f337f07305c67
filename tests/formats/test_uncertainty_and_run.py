"""What a declaration carries beyond its result: Monte Carlo results and the run's settings."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from formats_support import EV, declared, ok

from carbonfp.formats import render, uncertainty_of
from carbonfp.model import Declaration, RandomInput, Uncertainty

#: Monte Carlo results with round numbers (as a declaration carries them).
UNCERTAINTY = Uncertainty(
    draws=400,
    seed=7,
    summary={
        "total": {"mean": 0.155, "median": 0.1549, "p2_5": 0.1218, "p97_5": 0.1882},
        "production": {"mean": 0.05, "median": 0.049, "p2_5": 0.04, "p97_5": 0.0612345678912},
    },
    contributions=(("factor cam-nmc811", 0.75), ("amount of cell electricity", 0.25)),
    random_inputs=3,
    histogram_edges=tuple(0.12 + 0.002 * i for i in range(21)),
    histogram_counts=(5, 10, 20, 30, 40, 45, 40, 30, 20, 10, 5, 10, 20, 30, 40, 45, 40, 30, 20, 10),
    inputs=(
        RandomInput(
            "factor cam-nmc811", "lognormal", 1.2, origin="stated (factor_gsd)", share=0.75
        ),
        RandomInput(
            "amount of cell electricity",
            "triangular",
            low=0.9,
            high=1.2,
            origin="factor set (range)",
            share=0.25,
        ),
        RandomInput("tray", "lognormal", 1.05, origin="data quality: DQR 2", share=0.0),
    ),
    declared_per_kwh=0.19,
    declared_percentile=99.5,
)
RUN = (
    ("ruleset", "eu-ev-draft-2024-04", "option"),
    ("factor set", "carbonfp-open@2026.1", "ruleset"),
    ("electricity policy", "national-mix", "project"),
    ("mode", "screening", "default"),
)


def with_uncertainty(decl: Declaration) -> Declaration:
    return replace(decl, uncertainty=UNCERTAINTY)


def with_run(decl: Declaration) -> Declaration:
    return replace(decl, provenance=replace(decl.provenance, run=RUN))


def test_json_has_the_uncertainty_when_the_declaration_carries_it() -> None:
    decl, _ = declared(EV)
    data = json.loads(render(with_uncertainty(decl), "json").text)
    assert list(data)[-1] == "uncertainty"
    assert data["uncertainty"] == {
        "method": "Monte Carlo",
        "draws": 400,
        "seed": 7,
        "random_inputs": 3,
        "unit": "kg CO2e per kWh delivered",
        "summary": {
            "total": {"mean": 0.155, "median": 0.1549, "p2_5": 0.1218, "p97_5": 0.1882},
            "production": {"mean": 0.05, "median": 0.049, "p2_5": 0.04, "p97_5": 0.06123456789},
        },
        "contribution_to_variance": [
            {"input": "factor cam-nmc811", "share": 0.75},
            {"input": "amount of cell electricity", "share": 0.25},
        ],
        "declared_value": {"total": 0.19, "percentile": 99.5, "within_95_interval": False},
        "inputs": [
            {
                "input": "factor cam-nmc811",
                "shape": "lognormal",
                "gsd": 1.2,
                "origin": "stated (factor_gsd)",
                "share": 0.75,
            },
            {
                "input": "amount of cell electricity",
                "shape": "triangular",
                "low": 0.9,
                "high": 1.2,
                "origin": "factor set (range)",
                "share": 0.25,
            },
            {
                "input": "tray",
                "shape": "lognormal",
                "gsd": 1.05,
                "origin": "data quality: DQR 2",
                "share": 0.0,
            },
        ],
    }
    assert "uncertainty" not in json.loads(render(decl, "json").text)


def test_text_ends_with_the_uncertainty_block() -> None:
    decl, _ = declared(EV)
    plain = render(decl, "text").text
    text = render(with_uncertainty(decl), "text").text
    assert text.startswith(plain + "\nUncertainty (Monte Carlo, 400 draws, seed 7, 3 random inputs")
    assert "  total               0.1550    0.1549    0.1218    0.1882\n" in text
    assert "     75.0%  factor cam-nmc811\n            spread: stated (factor_gsd)\n" in text
    assert "(spread: 1 stated, 1 factor set, 1 data quality)" in text
    assert "declared value 0.1900 lies at percentile 99.5 of the draws, OUTSIDE the 95 %" in text
    assert "Uncertainty" not in plain


def test_other_formats_leave_the_uncertainty_out() -> None:
    decl, _ = declared(EV)
    for fmt in ("csv", "batterypass", "pact"):
        assert render(with_uncertainty(decl), fmt) == render(decl, fmt)


def test_the_report_takes_the_uncertainty_from_the_declaration() -> None:
    pytest.importorskip("matplotlib")
    decl, _ = declared(EV)
    html = render(with_uncertainty(decl), "html", top=1).text
    assert 'id="uncertainty"' in html and 'id="chart-uncertainty"' in html
    assert 'data-doc="uncertainty" data-key="contributions[0].share_of_variance"' in html
    assert 'data-key="contributions[1].share_of_variance"' not in html  # top 1
    assert 'id="uncertainty"' not in render(decl, "html").text


def test_uncertainty_of_a_monte_carlo_result() -> None:
    """The engine's result (numpy arrays, stage keys) becomes plain model data."""
    np = pytest.importorskip("numpy")
    result = SimpleNamespace(
        draws=3,
        seed=1,
        total_per_kwh=np.array([0.1, 0.2, 0.3]),
        summary={"total": {"mean": np.float64(0.2), "median": np.float64(0.2)}},
        contributions=[("factor x", np.float64(1.0))],
        random_inputs=1,
    )
    u = uncertainty_of(result)
    assert u == Uncertainty(
        draws=3,
        seed=1,
        summary={"total": {"mean": 0.2, "median": 0.2}},
        contributions=(("factor x", 1.0),),
        random_inputs=1,
        histogram_edges=u.histogram_edges,
        histogram_counts=u.histogram_counts,
    )
    # the draws become a histogram: 10 bins from 0.1 to 0.3 holding the three draws
    assert len(u.histogram_edges) == 11 and sum(u.histogram_counts) == 3
    assert u.histogram_edges[0] == 0.1 and u.histogram_edges[-1] == 0.3
    assert all(type(v) is float for v in u.histogram_edges)
    assert all(type(c) is int for c in u.histogram_counts)


def test_calc_with_uncertainty_is_the_seam_with_the_monte_carlo_result() -> None:
    import carbonfp
    from carbonfp.inputs.project import load_project

    carried = carbonfp.calculate(load_project(EV), uncertainty=50, seed=3)
    assert carried.uncertainty is not None and carried.uncertainty.draws == 50
    for fmt in ("json", "text"):
        printed = ok("calc", EV, "-f", fmt, "--uncertainty", "50", "--seed", "3").stdout
        assert render(carried, fmt).text == printed


def test_json_has_the_run_settings_when_given() -> None:
    decl, _ = declared(EV)
    provenance = json.loads(render(with_run(decl), "json").text)["provenance"]
    assert list(provenance)[-1] == "run"
    assert provenance["run"] == [
        {"setting": "ruleset", "value": "eu-ev-draft-2024-04", "from": "option"},
        {"setting": "factor set", "value": "carbonfp-open@2026.1", "from": "ruleset"},
        {"setting": "electricity policy", "value": "national-mix", "from": "project"},
        {"setting": "mode", "value": "screening", "from": "default"},
    ]


def test_text_has_one_run_line_under_provenance() -> None:
    decl, _ = declared(EV)
    lines = render(with_run(decl), "text").text.splitlines()
    at = lines.index("Provenance")
    assert lines[at + 1].startswith("  carbonfp ")
    assert lines[at + 2] == (
        "  run: ruleset eu-ev-draft-2024-04 (option), factor set carbonfp-open@2026.1 "
        "(ruleset default), electricity policy national-mix (project), mode screening (default)"
    )
    assert sum(line.startswith("  run: ") for line in lines) == 1


def test_without_run_settings_there_is_no_run_block() -> None:
    decl, _ = declared(EV)
    assert decl.provenance.run  # what the command line records
    bare = replace(decl, provenance=replace(decl.provenance, run=()))
    record = render(bare, "json").text
    assert "run" not in json.loads(record)["provenance"]
    assert json.loads(record) == {
        **json.loads(render(decl, "json").text),
        "provenance": {
            k: v
            for k, v in json.loads(render(decl, "json").text)["provenance"].items()
            if k != "run"
        },
    }
    assert not any(line.startswith("  run: ") for line in render(bare, "text").text.splitlines())


def test_the_report_draws_draws_that_do_not_vary() -> None:
    """No input states an uncertainty: every draw is the declared value, but for float noise
    (numpy cannot cut so narrow a range into bins; the report once failed on it)."""
    pytest.importorskip("matplotlib")
    import math

    decl, _ = declared(EV)
    value = decl.total_kg_co2e_per_kwh
    import numpy as np

    from carbonfp.columns import histogram

    draws = np.array([math.nextafter(value, 1.0) if i % 2 else value for i in range(60)])
    edges, counts = histogram(draws)
    assert counts == (60,) and edges[0] < value < edges[1]  # one bin around the value
    flat = replace(
        UNCERTAINTY,
        histogram_edges=edges,
        histogram_counts=counts,
        contributions=(),
        random_inputs=0,
    )
    html = render(replace(decl, uncertainty=flat), "html").text
    assert 'id="chart-uncertainty"' in html
