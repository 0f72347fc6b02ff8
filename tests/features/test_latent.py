"""Latent states of the monthly event counts: the filter, the fit and the features."""

import json

import numpy as np
import pandas as pd
import pytest
from hmmlearn.hmm import PoissonHMM

import riskmodel as rm
from riskmodel.features import (
    AgeYears,
    EventFamily,
    FeatureSpec,
    LatentStates,
    build_features,
    default_spec,
    fit_latent_states,
)
from tests.features.feature_data import make_data, small_chunks

UNTIL = "2019-04-01"
REFERRAL = EventFamily("referral", "referral", "referrals")
CONTACT = EventFamily("contact", "contact", "contacts")


@pytest.fixture(scope="module")
def data():
    return rm.make_local_authority(n_children=400, random_state=3)


@pytest.fixture(scope="module")
def latent(data):
    return fit_latent_states(data, until=UNTIL, n_states=3, random_state=0, n_iter=15)


def _random_model(rng, k=3, f=2):
    start = rng.dirichlet(np.ones(k))
    transition = rng.dirichlet(np.ones(k) * 0.5, size=k)
    rates = rng.gamma(1.0, 1.0, size=(k, f))
    return start, transition, rates


def test_filter_equals_hmmlearn_last_posterior_for_every_prefix():
    rng = np.random.default_rng(0)
    start, transition, rates = _random_model(rng)
    hmm = PoissonHMM(n_components=3, init_params="", params="")
    hmm.startprob_, hmm.transmat_, hmm.lambdas_ = start, transition, rates
    hmm.n_features = 2
    X, _ = hmm.sample(60, random_state=1)
    model = LatentStates(
        (REFERRAL, CONTACT), start, transition, rates, until=UNTIL, observed_from="2014-04"
    )
    for t in range(len(X)):
        expected = hmm.predict_proba(X[: t + 1])[-1]
        np.testing.assert_allclose(model.filter(X[: t + 1]), expected, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(model.filter(X[:0]), start)


def test_filter_is_not_the_smoothed_posterior():
    rng = np.random.default_rng(2)
    start, transition, rates = _random_model(rng)
    hmm = PoissonHMM(n_components=3, init_params="", params="")
    hmm.startprob_, hmm.transmat_, hmm.lambdas_ = start, transition, rates
    hmm.n_features = 2
    X, _ = hmm.sample(40, random_state=3)
    model = LatentStates(
        (REFERRAL, CONTACT), start, transition, rates, until=UNTIL, observed_from="2014-04"
    )
    smoothed = hmm.predict_proba(X)[20]
    assert not np.allclose(model.filter(X[:21]), smoothed)


def test_fit_is_deterministic_and_sorted_quiet_to_busy(data, latent):
    again = fit_latent_states(data, until=UNTIL, n_states=3, random_state=0, n_iter=15)
    assert again.to_dict() == latent.to_dict()
    totals = latent.rates.sum(axis=1)
    assert np.all(np.diff(totals) >= 0)
    np.testing.assert_allclose(latent.transition.sum(axis=1), 1.0)
    assert latent.until == UNTIL


def test_fit_reads_only_months_before_until(data, latent):
    later = data.events.copy()
    later["event_date"] = pd.Timestamp(UNTIL) + pd.to_timedelta(
        np.arange(len(later)) % 300, unit="D"
    )
    more = rm.data.LocalAuthorityData(
        persons=data.persons,
        events=pd.concat([data.events, later], ignore_index=True),
        care_episodes=data.care_episodes,
    )
    refit = fit_latent_states(more, until=UNTIL, n_states=3, random_state=0, n_iter=15)
    assert refit.to_dict() == latent.to_dict()


def test_family_not_recorded_is_skipped_with_reason(data):
    no_youth = rm.data.LocalAuthorityData(
        persons=data.persons,
        events=data.events[data.events["event_type"] != "youth_justice_outcome"],
        care_episodes=data.care_episodes,
    )
    model = fit_latent_states(no_youth, until=UNTIL, n_states=2, random_state=0, n_iter=5)
    assert "youth_justice" not in [f.name for f in model.families]
    reason = "no youth justice outcomes are recorded before 2019-04-01"
    assert ("youth_justice", reason) in model.skipped
    assert {name for name, _ in model.skipped}.isdisjoint(f.name for f in model.families)
    assert model.rates.shape == (2, len(model.families))


def test_no_recorded_family_is_an_error(data):
    with pytest.raises(ValueError, match="none of the families"):
        fit_latent_states(data, until="2000-01-01", families=(REFERRAL,))


def _reference_counts(data, model, person_id, as_of):
    """One child's monthly counts, by pandas, from the 10th birthday to before the as-of month."""
    dob = data.persons.set_index("person_id").loc[person_id, "date_of_birth"]
    first = max(pd.Period(dob, "M") + 120, pd.Period(model.observed_from, "M"))
    months = pd.period_range(first, pd.Period(as_of, "M") - 1, freq="M")
    events = data.events[data.events["person_id"] == person_id]
    out = np.zeros((len(months), len(model.families)))
    for k, family in enumerate(model.families):
        chosen = [
            family.selects(t, c if isinstance(c, str) else None)
            for t, c in zip(events["event_type"], events["code"], strict=True)
        ]
        when = events.loc[chosen, "event_date"].dt.to_period("M")
        for i, month in enumerate(months):
            out[i, k] = (when == month).sum()
    return out


def test_features_are_the_filter_of_the_months_before_the_as_of_month(data, latent):
    spec = latent.extend(FeatureSpec(()))
    as_of = ["2019-04-01", "2020-07-15"]
    with small_chunks(97):
        table = build_features(data, as_of, spec)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    children = data.persons.sample(25, random_state=0)["person_id"]
    for person_id in children:
        for date in as_of:
            counts = _reference_counts(data, latent, person_id, date)
            expected = latent.filter(counts) if len(counts) else latent.start
            got = table.loc[(person_id, pd.Timestamp(date))].to_numpy()
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_events_after_the_as_of_date_never_change_the_features(data, latent):
    spec = latent.extend(default_spec())
    names = [f"latent_state_{k}" for k in (1, 2, 3)]
    as_of = "2020-04-01"
    cut = build_features(data.known_at(as_of), [as_of], spec)[names]
    full = build_features(data, [as_of], spec)[names]
    assert len(cut) > 300
    pd.testing.assert_frame_equal(full.loc[cut.index], cut)


def test_spec_round_trips_through_json_and_gives_identical_features(data, latent):
    spec = latent.extend(default_spec())
    back = FeatureSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert back == spec
    dates = ["2019-04-01", "2021-01-01"]
    pd.testing.assert_frame_equal(
        build_features(data, dates, back), build_features(data, dates, spec)
    )
    model = LatentStates.from_dict(json.loads(json.dumps(latent.to_dict())))
    assert model.to_dict() == latent.to_dict()
    assert model.extend(FeatureSpec(())) == latent.extend(FeatureSpec(()))
    with pytest.raises(ValueError, match="expected a dict with the keys"):
        LatentStates.from_dict({"format": 1, "start": [1.0]})


def test_descriptions_name_the_pattern_in_words():
    quiet_then_busy = LatentStates(
        (REFERRAL, CONTACT),
        [0.9, 0.1],
        [[0.9, 0.1], [0.5, 0.5]],
        [[0.01, 0.02], [0.5, 0.05]],
        until=UNTIL,
        observed_from="2014-04",
    )
    one, two = quiet_then_busy.features()
    assert one.template == (
        "how closely the recent pattern of events matches pattern 1 of 2: few events of "
        "any kind ({value})"
    )
    assert two.describe(0.25) == (
        "how closely the recent pattern of events matches pattern 2 of 2: frequent referrals (25%)"
    )


def test_max_children_fits_on_a_subset(data):
    model = fit_latent_states(
        data, until=UNTIL, n_states=2, random_state=1, max_children=50, n_iter=5
    )
    assert model.n_states == 2
    assert np.isfinite(model.rates).all()


def test_sequences_start_after_a_thin_back_history(data, latent):
    # the synthetic authority carries a few referrals from before its start (2014-04)
    assert data.events["event_date"].min() < pd.Timestamp("2014-04-01")
    assert latent.observed_from == "2014-04"
    given = fit_latent_states(
        data, until=UNTIL, n_states=2, random_state=0, n_iter=3, observed_from="2016-01-01"
    )
    assert given.observed_from == "2016-01"
    assert all(f.observed_from == "2016-01" for f in given.features())


def test_a_fitted_classifier_carries_the_latent_model_as_plain_numbers(data, latent):
    spec = latent.extend(FeatureSpec((AgeYears(),)))
    frame = rm.build_training_frame(data, ["2019-04-01", "2019-10-01"], 12, spec)
    model = rm.RiskClassifier(calibration=None, random_state=0)
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    stored = json.loads(json.dumps(model.feature_spec_))
    rebuilt = FeatureSpec.from_dict(stored)
    names = [f"latent_state_{k}" for k in (1, 2, 3)]
    assert [rebuilt[n] for n in names] == [spec[n] for n in names]
    again = build_features(data, ["2020-04-01"], rebuilt)[names]
    pd.testing.assert_frame_equal(again, build_features(data, ["2020-04-01"], spec)[names])


def test_hand_made_histories_by_month():
    model = LatentStates(
        (REFERRAL,),
        [0.8, 0.2],
        [[0.9, 0.1], [0.3, 0.7]],
        [[0.05], [1.5]],
        until=UNTIL,
        observed_from="2019-01",
    )
    events = [
        ("a", "2018-12-31", "referral", None, None),  # before observed_from: not counted
        ("a", "2019-02-10", "referral", None, None),
        ("a", "2019-02-20", "referral", None, None),
        ("a", "2019-04-03", "referral", None, None),  # in the as-of month: not counted
        ("b", "2019-03-05", "referral", None, None),
        ("c", "2019-01-15", "referral", None, None),
    ]
    persons = [("a", "2008-05-01", "h1"), ("b", "2009-02-01", "h2"), ("c", None, "h3")]
    data = make_data(events, persons=persons)
    table = build_features(data, ["2019-04-15"], model.extend(FeatureSpec(())))
    got = table.droplevel("as_of_date")
    # a: January to March 2019 (10th birthday long before); b: from February 2019, the
    # month of the 10th birthday; c: no date of birth, so from observed_from
    np.testing.assert_allclose(got.loc["a"], model.filter([[0], [2], [0]]))
    np.testing.assert_allclose(got.loc["b"], model.filter([[0], [1]]))
    np.testing.assert_allclose(got.loc["c"], model.filter([[1], [0], [0]]))
    young = build_features(data, ["2019-02-01"], model.extend(FeatureSpec(())))
    np.testing.assert_allclose(young.droplevel("as_of_date").loc["b"], model.start)


def test_rows_given_as_keys_match_the_grid(data, latent):
    spec = latent.extend(FeatureSpec(()))
    grid = build_features(data, ["2019-04-01", "2021-01-01"], spec)
    keys = grid.index[::3][::-1]  # every third row, some children left out, reversed
    with small_chunks(31):
        rows = build_features(data, spec=spec, keys=keys)
    pd.testing.assert_frame_equal(rows, grid.loc[keys])
