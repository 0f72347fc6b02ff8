"""``high_streaks`` against a plain loop over runs, on random histories with gaps."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.scoring._streaks import HIGH_BAND, high_streaks

DATES = pd.date_range("2024-01-01", periods=6, freq="QS")


def _reference(history: pd.DataFrame) -> list[int]:
    runs = sorted(history["as_of_date"].unique())
    band = {(r.person_id, r.as_of_date): r.risk_band for r in history.itertuples()}
    out = []
    for row in history.itertuples():
        k, streak = runs.index(row.as_of_date), 0
        while k >= 0 and band.get((row.person_id, runs[k]), 0) >= HIGH_BAND:
            streak, k = streak + 1, k - 1
        out.append(streak)
    return out


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from("abcde"), st.integers(0, 5), st.integers(14, 20)),
        max_size=30,
        unique_by=lambda c: c[:2],
    ),
    seed=st.integers(0, 2**16),
)
def test_streaks_match_a_loop_over_runs(cells, seed):
    history = pd.DataFrame(
        [(p, DATES[d], b) for p, d, b in cells], columns=["person_id", "as_of_date", "risk_band"]
    ).sample(frac=1, random_state=seed)
    got = high_streaks(history)
    assert got.index.equals(history.index)
    assert got.tolist() == _reference(history)


def test_a_run_without_the_child_ends_the_streak():
    history = pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "a"],
            "as_of_date": DATES[[0, 1, 2, 3]],
            "risk_band": [20, 20, 1, 20],
        }
    )
    assert high_streaks(history).tolist() == [1, 2, 0, 1]
    assert high_streaks(history.iloc[:0]).dtype == np.int64
