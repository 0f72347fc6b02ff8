"""Day keys and the sorted-search count."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.features._day_keys import count_less


@settings(deadline=None)
@given(
    events=st.lists(st.integers(0, 40), max_size=30),
    queries=st.lists(st.integers(0, 40), max_size=30),
)
def test_count_less_counts_strictly_smaller_keys_either_way(events, queries):
    # count_less places events among queries when they are fewer, else searches queries
    e, q = np.sort(np.array(events, dtype=np.int64)), np.sort(np.array(queries, dtype=np.int64))
    assert count_less(e, q).tolist() == [int((e < x).sum()) for x in q]
