"""Calibration within authority: one log-odds shift each, on top of the pooled map."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.models._group_calibration import (
    MIN_GROUP_CARE_ENTRIES,
    apply_group_offsets,
    fit_group_offsets,
    warn_few_care_entries,
)

DATES = pd.date_range("2016-04-01", "2022-04-01", freq="QS")


def test_offsets_recover_a_known_shift_and_shrink_small_groups():
    rng = np.random.default_rng(0)
    z = rng.normal(-4, 1, 200_000)
    groups = np.where(np.arange(len(z)) % 2 == 0, "up", "same")
    shift = np.where(groups == "up", 1.0, 0.0)
    y = rng.random(len(z)) < expit(z + shift)
    offsets = fit_group_offsets(expit(z), y, groups)
    assert offsets["up"] == pytest.approx(1.0, abs=0.05)
    assert offsets["same"] == pytest.approx(0.0, abs=0.05)
    # twenty rows with one outcome: the prior keeps the shift well short of the raw fit
    few = fit_group_offsets(np.full(20, 0.01), np.r_[True, np.zeros(19, bool)], np.full(20, "x"))
    raw = np.log(0.05 / 0.95) - np.log(0.01 / 0.99)
    assert 0 < few["x"] < raw
    # an authority without any care entry gets a finite shift downwards
    none = fit_group_offsets(np.full(50, 0.02), np.zeros(50, bool), np.full(50, "z"))
    assert -5 < none["z"] < 0


def test_weights_count_as_repeated_rows():
    rng = np.random.default_rng(1)
    risk = rng.uniform(0.01, 0.2, 400)
    y = rng.random(400) < risk * 2
    groups = np.full(400, "a")
    w = rng.integers(1, 4, 400)
    weighted = fit_group_offsets(risk, y, groups, w.astype(float))
    repeated = fit_group_offsets(np.repeat(risk, w), np.repeat(y, w), np.repeat(groups, w))
    assert weighted["a"] == pytest.approx(repeated["a"], abs=1e-8)


def test_an_unseen_group_keeps_the_pooled_probability():
    risk = np.array([0.1, 0.2, 0.3])
    shifted = apply_group_offsets(risk, np.array(["a", "new", "a"]), {"a": 0.5})
    assert shifted[1] == pytest.approx(0.2)
    assert shifted[0] > 0.1 and shifted[2] > 0.3


@pytest.fixture(scope="module")
def pooled_frame():
    busy = rm.make_local_authority(n_children=5000, random_state=0)
    other = rm.make_local_authority(n_children=5000, random_state=1)
    # the second authority records a third of the first's care entries: a lower rate
    persons = other.persons["person_id"]
    kept = persons[np.arange(len(persons)) % 3 == 0]
    other = dataclasses.replace(
        other, care_episodes=other.care_episodes[other.care_episodes["person_id"].isin(kept)]
    )
    data = rm.pool_authorities({"E1": busy, "E2": other})
    return rm.build_training_frame(data, DATES, drop_unlabelled=True)


def _fit(frame, **params):
    model = rm.RiskClassifier(calibration="temperature", random_state=0, **params)
    if not params.get("calibrate_within"):
        return model.fit(frame.X, frame.y)
    # E2 records a third of E1's care entries: few fall in its calibration rows
    with pytest.warns(DataQualityWarning, match=r"E2 \(\d care entries in [\d,]+ rows; shift"):
        return model.fit(frame.X, frame.y)


@pytest.fixture(scope="module")
def fitted(pooled_frame):
    """The same model calibrated once for all, and within authority."""
    return _fit(pooled_frame), _fit(pooled_frame, calibrate_within="authority")


def test_within_authority_calibration_matches_each_authoritys_rate(pooled_frame, fitted):
    frame = pooled_frame
    shared, within = fitted
    assert set(within.group_offsets_) == {"E1", "E2"}
    assert within.group_offsets_["E1"] > within.group_offsets_["E2"]
    held = frame.keys["as_of_date"].isin(within.calibration_dates_).to_numpy()
    X, y = frame.X[held], frame.y[held].to_numpy()
    authority = frame.keys["authority"].to_numpy()[held]
    p_shared = shared.predict_proba(X)[:, 1]
    p_within = within.predict_proba(X)[:, 1]
    for code in ("E1", "E2"):
        mine = authority == code
        gap_shared = abs(np.log(p_shared[mine].sum() / y[mine].sum()))
        gap_within = abs(np.log(p_within[mine].sum() / y[mine].sum()))
        assert gap_within < gap_shared
        # a shift of the log-odds: the ranking within the authority is unchanged
        assert (
            np.argsort(p_within[mine], kind="stable") == np.argsort(p_shared[mine], kind="stable")
        ).all()


def test_a_new_authority_gets_the_shared_calibration(pooled_frame, fitted):
    frame = pooled_frame
    shared, within = fitted
    X = frame.X.iloc[:50]
    renamed = X.rename(index={"E1": "E7", "E2": "E7"}, level="authority")
    np.testing.assert_allclose(
        within.predict_proba(renamed)[:, 1], shared.predict_proba(X)[:, 1], rtol=1e-12
    )


def test_within_calibration_needs_the_level_and_a_calibration(pooled_frame, fitted):
    frame = pooled_frame
    _, within = fitted
    with pytest.raises(ValueError, match="'authority' index level"):
        within.predict_proba(frame.X.reset_index(drop=True))
    with pytest.raises(ValueError, match="needs calibration"):
        rm.RiskClassifier(calibration=None, calibrate_within="authority").fit(frame.X, frame.y)
    with pytest.raises(ValueError, match="calibrate_within must be"):
        rm.RiskClassifier(calibrate_within=3).fit(frame.X, frame.y)


def test_within_authority_calibration_holds_on_later_dates_it_never_saw(pooled_frame):
    """Fitted on the dates up to 2019-04 only, it is nearer each authority's rate after.

    Both authorities' observed/expected move towards 1 on the later dates. They do not
    reach it: the shifts are fitted on the calibration slice's few care entries and
    shrunk by their prior, and the pooled rate itself moves between the dates.
    """
    frame = pooled_frame
    early = frame.keys["as_of_date"].to_numpy() <= np.datetime64("2019-04-01")
    later = ~early
    train = dataclasses.replace(frame, X=frame.X[early], y=frame.y[early])
    shared, within = _fit(train), _fit(train, calibrate_within="authority")
    authority = frame.keys["authority"].to_numpy()[later]
    y_later = frame.y[later].to_numpy()
    p_shared = shared.predict_proba(frame.X[later])[:, 1]
    p_within = within.predict_proba(frame.X[later])[:, 1]
    for code in ("E1", "E2"):
        mine = authority == code
        assert y_later[mine].sum() >= 10
        oe_shared = y_later[mine].sum() / p_shared[mine].sum()
        oe_within = y_later[mine].sum() / p_within[mine].sum()
        assert abs(np.log(oe_within)) < abs(np.log(oe_shared)), (code, oe_shared, oe_within)


def test_the_warning_names_each_group_with_few_care_entries_weighted():
    groups = np.repeat(["A", "B", "C"], 100)
    positive = np.zeros(300, bool)
    positive[:30] = True  # A: 30
    positive[100:103] = True  # B: 3, or 3 x 4 = 12 with weights of 4
    offsets = {"A": 0.4, "B": -1.2, "C": -2.0}
    with pytest.warns(DataQualityWarning) as caught:
        warn_few_care_entries(positive, groups, None, offsets, "authority")
    (message,) = [str(w.message) for w in caught]
    assert "B (3 care entries in 100 rows; shift -1.20, odds times 0.30)" in message
    assert "C (0 care entries in 100 rows" in message and "A (" not in message
    weights = np.where(groups == "B", 4.0, 1.0)
    with pytest.warns(DataQualityWarning) as caught:
        warn_few_care_entries(positive, groups, weights, offsets, "authority")
    assert 12 >= MIN_GROUP_CARE_ENTRIES > 3  # B's weighted count is enough, C's none
    assert "B (" not in str(caught[0].message) and "C (0 care entries" in str(caught[0].message)
