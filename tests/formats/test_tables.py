"""The tidy table of many batteries, written column-wise, is the tidy table of each battery."""

from __future__ import annotations

from formats_support import PROJECTS, declared
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonfp.columns import Figures
from carbonfp.formats.common import number_text
from carbonfp.formats.tables import csv_figures, csv_text, figure_rows, tidy_csv


def test_many_batteries_write_what_each_writes_alone() -> None:
    declarations = [declared(p)[0] for p in PROJECTS]
    together = csv_figures(Figures.of(declarations))
    header, *rows = together.splitlines(keepends=True)
    alone = [tidy_csv(d).splitlines(keepends=True) for d in declarations]
    assert header == alone[0][0]
    # the figures; a declaration alone adds its metadata rows, which arrays do not hold
    figures = [row for lines in alone for row in lines[1:] if ",metadata," not in row]
    assert rows == figures


names = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s and "\r" not in s)
#: Finite numbers short of the float limit: within 1e-10 of 1.8e308, rounding to 10 digits
#: overflows (a figure that large is refused long before it is written)
numbers = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(names, st.lists(numbers, min_size=7, max_size=7)), max_size=6))
def test_column_wise_equals_row_wise(batteries: list[tuple[str, list[float]]]) -> None:
    """Any names (commas, quotes, a leading =) and numbers: the same bytes both ways."""
    import numpy as np

    n = len(batteries)
    values = np.array([v for _, v in batteries], dtype=float).reshape(n, 7)
    figures = Figures(
        battery=tuple(name for name, _ in batteries),
        stage_kg=values[:, :4],
        stage_per_kwh=values[:, :4] / 3.0,
        stage_share=values[:, :4],
        absolute_kg=values[:, 4],
        total_per_kwh=values[:, 5],
        cradle_to_gate_kg=values[:, 4],
        cradle_to_gate_per_kwh_capacity=values[:, 6],
        total_energy_kwh=values[:, 6] + 1.0,
    )
    assert csv_figures(figures) == csv_text(figure_rows(figures), number_text)
