"""Population drift: the training profile and the stability index against it."""

import json

import numpy as np
import pandas as pd
import pytest

from riskmodel.scoring import FeatureProfile, population_stability, profile_features


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


def test_counts_of_parts_add_up_to_the_stability_of_the_whole():
    from riskmodel.scoring._drift import bin_counts, stability_table

    rng = np.random.default_rng(3)
    profile = profile_features(_frame(rng, 5_000))
    now = _frame(rng, 3_001, shift=0.4, missing=0.3)
    parts = [bin_counts(profile, now.iloc[i : i + 700]) for i in range(0, len(now), 700)]
    summed = {name: sum(part[name] for part in parts) for name in parts[0]}
    assert all(c.sum() == len(now) for c in summed.values())
    want = population_stability(profile, now)
    pd.testing.assert_frame_equal(stability_table(profile, summed), want)
    absent = stability_table(profile, {"a": summed["a"]}).set_index("feature")
    assert absent.loc["count", "psi"] == np.inf and absent.loc["count", "status"] == "alert"
