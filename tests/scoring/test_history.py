"""The score history: partitions by as-of date, the previous run, and what changed."""

import numpy as np
import pandas as pd

from riskmodel.scoring import add_changes, append_history, previous_scores


def _scores(bands, flagged):
    ids = [f"p{i}" for i in range(len(bands))]
    return pd.DataFrame(
        {
            "person_id": ids,
            "risk_score": np.linspace(0, 1, len(bands)),
            "risk_band": bands,
            "rank": range(1, len(bands) + 1),
            "flagged": flagged,
            "model_name": "m",
            "model_version": "1",
        }
    )


def test_history_previous_run_and_changes(tmp_path):
    first = _scores([1, 5, 10, 20], [False, False, False, True])
    append_history(tmp_path, first, pd.Timestamp("2024-01-01"))
    second = _scores([4, 6, 20, 20], [False, False, True, True])
    date, before = previous_scores(tmp_path, pd.Timestamp("2024-02-01"))
    assert date == pd.Timestamp("2024-01-01")
    changed = add_changes(second, before)
    assert changed["previous_band"].tolist() == [1, 5, 10, 20]
    assert changed["band_change"].tolist() == [3, 1, 10, 0]
    assert changed["rising"].tolist() == [True, False, True, False]
    assert changed["new_to_list"].tolist() == [False, False, True, False]


def test_rerunning_a_date_replaces_its_partition(tmp_path):
    append_history(tmp_path, _scores([1, 2], [False, True]), pd.Timestamp("2024-01-01"))
    append_history(tmp_path, _scores([3, 4], [False, True]), pd.Timestamp("2024-01-01"))
    parts = list(tmp_path.rglob("*.parquet"))
    assert len(parts) == 1
    assert previous_scores(tmp_path, pd.Timestamp("2024-01-01")) == (None, None)
    _, back = previous_scores(tmp_path, pd.Timestamp("2024-03-01"))
    assert back["risk_band"].tolist() == [3, 4]


def test_first_run_has_no_previous_band():
    changed = add_changes(_scores([20, 3], [True, False]), None)
    assert changed["previous_band"].isna().all()
    assert changed["new_to_list"].tolist() == [True, False]
    assert not changed["rising"].any()
