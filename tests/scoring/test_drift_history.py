import json

import numpy as np
import pandas as pd
import pytest

from riskmodel.scoring._drift import FeatureProfile, population_stability, profile_features
from riskmodel.scoring._history import add_changes, append_history, previous_scores


def _frame(rng, n, shift=0.0, missing=0.0):
    a = rng.normal(shift, 1, n)
    a[rng.random(n) < missing] = np.nan
    return pd.DataFrame({"a": a, "count": rng.poisson(1 + shift, n).astype(float)})


def test_same_population_is_stable_and_a_shift_alerts():
    rng = np.random.default_rng(0)
    profile = profile_features(_frame(rng, 20_000))
    same = population_stability(profile, _frame(rng, 20_000))
    assert (same["psi"] < 0.01).all() and (same["status"] == "stable").all()
    shifted = population_stability(profile, _frame(rng, 20_000, shift=1.0))
    assert (shifted.set_index("feature").loc["a", "status"]) == "alert"


def test_psi_matches_the_textbook_formula_on_known_bins():
    profile = FeatureProfile({"x": [0.5]}, {"x": [0.5, 0.5, 0.0]}, {"x": 0.0}, 100)
    now = pd.DataFrame({"x": [0.0] * 80 + [1.0] * 20})
    psi = population_stability(profile, now).loc[0, "psi"]
    expected = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5)
    assert psi == pytest.approx(expected, rel=1e-12)  # the empty missing bin adds 0


def test_a_rare_feature_is_compared_on_all_rows_not_its_few_values():
    rng = np.random.default_rng(4)

    def rare(n, scale):
        x = np.full(n, np.nan)
        some = rng.random(n) < 0.01
        x[some] = rng.exponential(scale, some.sum())
        return pd.DataFrame({"days_since": x})

    profile = profile_features(rare(20_000, 100))
    # its few recorded values move a lot, but 99% of rows are unchanged (missing)
    psi = population_stability(profile, rare(20_000, 300)).loc[0, "psi"]
    assert psi < 0.1


def test_missing_rates_and_absent_features_are_reported():
    rng = np.random.default_rng(1)
    profile = profile_features(_frame(rng, 5_000))
    now = population_stability(profile, _frame(rng, 5_000, missing=0.3)[["a"]])
    by = now.set_index("feature")
    assert by.loc["a", "missing_rate_now"] == pytest.approx(0.3, abs=0.03)
    assert by.loc["count", "status"] == "alert" and np.isinf(by.loc["count", "psi"])


def test_profile_round_trips_through_json_without_rows():
    rng = np.random.default_rng(2)
    profile = profile_features(_frame(rng, 1_000))
    text = json.dumps(profile.to_dict())
    assert FeatureProfile.from_dict(json.loads(text)) == profile
    assert len(profile.shares["a"]) <= 11 and profile.n_rows == 1_000


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
