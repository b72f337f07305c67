"""The column helpers every path shares: distinct keys and combinations, compacted codes."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from carbonfp.columns import Codes, combined_codes, distinct, zeros

keys = st.lists(st.integers(min_value=0, max_value=300), max_size=200)


@given(keys, st.sampled_from([0, 10, 10**7]))
def test_distinct_is_numpys_unique(values: list[int], extra: int) -> None:
    """The table (small key range) and the sort (large range) give np.unique's answer."""
    array = np.asarray(values, dtype=np.intp)
    size = (max(values) + 1 if values else 0) + extra
    got = distinct(array, size)
    want = np.unique(array, return_index=True, return_inverse=True)
    for mine, numpys in zip(got, want, strict=True):
        assert list(mine) == list(np.asarray(numpys).reshape(-1))


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6), st.integers(0, 2)), min_size=1))
def test_combined_codes_number_each_combination(rows: list[tuple[int, int, int]]) -> None:
    columns = [np.asarray(c, dtype=np.intp) for c in zip(*rows, strict=True)]
    first, combination = combined_codes(*((c, w) for c, w in zip(columns, (5, 7, 3), strict=True)))
    assert sorted(set(rows)) == [rows[int(f)] for f in first]  # sorted like np.unique's rows
    for row, k in zip(rows, combination, strict=True):
        assert rows[int(first[k])] == row


@given(st.lists(st.sampled_from(["a", " a", "b", ""]), max_size=30))
def test_compact_keeps_each_rows_value(texts: list[str]) -> None:
    column = Codes.of(texts)
    stripped = Codes(column.codes, tuple(t.strip() for t in column.values)).compact()
    assert [stripped[i] for i in range(len(texts))] == [t.strip() for t in texts]
    assert len(set(stripped.values)) == len(stripped.values)


def test_constant_codes_take_no_memory_and_cannot_be_written() -> None:
    column = Codes.constant("x", 1_000_000)
    assert column.codes.strides == (0,) and not column.codes.flags.writeable
    assert column[999_999] == "x" and len(zeros(3)) == 3
