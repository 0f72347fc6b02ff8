"""The best achievable from the records: calibrated against the truth, between it and a rule."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from riskmodel.data import LocalAuthorityData, looked_after_on
from riskmodel.data._codes import ETHNIC_GROUPS
from riskmodel.data.synthetic import ReportingBias, make_local_authority
from riskmodel.data.synthetic._process import STATE_CHILD, STATE_STRESS, hazard
from riskmodel.data.synthetic._propagate import propagate, state_hazard

pytestmark = pytest.mark.xdist_group("synthetic")

DATES = ("2019-04-01", "2020-04-01", "2021-04-01", "2022-04-01")


@pytest.fixture(scope="module")
def authority() -> LocalAuthorityData:
    return make_local_authority(n_children=4_000, random_state=3)


@pytest.fixture(scope="module")
def rows(authority) -> pd.DataFrame:
    """Every (child, as-of) key at four yearly dates, with truth and achievable."""
    ids = authority.persons["person_id"].to_numpy()
    keys = pd.DataFrame(
        {
            "person_id": np.tile(ids, len(DATES)),
            "as_of_date": pd.to_datetime(np.repeat(DATES, len(ids))),
        }
    )
    keys["truth"] = authority.truth.for_keys(keys, horizon_months=12)
    keys["achievable"] = authority.truth.achievable_for_keys(authority, keys, horizon_months=12)
    return keys


def _weighted_auc(truth: np.ndarray, score: np.ndarray) -> float:
    """AUC against outcomes drawn from the truth, in expectation (each row both ways)."""
    y = np.r_[np.ones(len(truth)), np.zeros(len(truth))]
    weight = np.r_[truth, 1.0 - truth]
    return roc_auc_score(y, np.r_[score, score], sample_weight=weight)


def test_conventions_match_the_truth(rows):
    assert np.array_equal(np.isnan(rows["truth"]), np.isnan(rows["achievable"]))
    at_risk = rows["achievable"].dropna()
    assert ((at_risk >= 0) & (at_risk <= 1)).all()


def test_zero_after_18_nan_when_looked_after_and_unknown_children_refused(authority):
    truth = authority.truth
    persons = authority.persons
    old = persons.loc[persons["date_of_birth"] < pd.Timestamp("2001-01-01"), "person_id"]
    assert (truth.achievable(authority, old, "2020-01-01") == 0).all()
    open_then = looked_after_on(authority.care_episodes, "2020-01-01")
    assert len(open_then)
    assert np.isnan(truth.achievable(authority, open_then, "2020-01-01")).all()
    with pytest.raises(ValueError, match="not children of this synthetic authority"):
        truth.achievable(authority, ["nobody"], "2020-01-01")
    with pytest.raises(ValueError, match="outside the simulated period"):
        truth.achievable(authority, persons["person_id"][:1], "2030-01-01")
    with pytest.raises(ValueError, match="missing as_of_date"):
        truth.achievable_for_keys(authority, persons[["person_id"]], horizon_months=12)


def test_calibrated_against_the_truth_by_the_tower_property(rows):
    """The achievable is E[truth | records]: within its own bins, the truth's mean matches."""
    ok = rows.dropna(subset=["truth"])
    ratio = ok["truth"].mean() / ok["achievable"].mean()
    assert 0.85 < ratio < 1.18, ratio
    bins = pd.qcut(ok["achievable"].rank(method="first"), 5, labels=False)
    means = ok.groupby(bins)[["truth", "achievable"]].mean()
    assert means["achievable"].is_monotonic_increasing
    # within 30% in each bin, or 10% of the overall mean in the sparse low bins
    tolerance = 0.3 * means["achievable"] + 0.1 * ok["achievable"].mean()
    assert (abs(means["truth"] - means["achievable"]) <= tolerance).all(), means
    top = ok["achievable"] >= ok["achievable"].quantile(0.99)
    top_ratio = ok.loc[top, "truth"].mean() / ok.loc[top, "achievable"].mean()
    assert 0.7 < top_ratio < 1.4, top_ratio


def _recent_counts(data: LocalAuthorityData, rows: pd.DataFrame) -> np.ndarray:
    """A simple rule: referrals, police notifications and missing episodes in the last year."""
    kinds = ["referral", "police_domestic_abuse", "missing_episode"]
    events = data.events[data.events["event_type"].isin(kinds)]
    out = np.zeros(len(rows))
    for as_of in rows["as_of_date"].unique():
        recent = events[
            (events["event_date"] < as_of)
            & (events["event_date"] >= as_of - pd.DateOffset(years=1))
        ]
        counts = recent["person_id"].value_counts()
        at = (rows["as_of_date"] == as_of).to_numpy()
        out[at] = rows.loc[at, "person_id"].map(counts).fillna(0).to_numpy()
    return out


def test_ranks_between_the_truth_and_a_simple_rule(authority, rows):
    ok = rows.dropna(subset=["truth"])
    truth, achievable = ok["truth"].to_numpy(), ok["achievable"].to_numpy()
    rule = _recent_counts(authority, ok) + 1e-3 * rng_ties(len(ok))
    auc_truth = _weighted_auc(truth, truth)
    auc_achievable = _weighted_auc(truth, achievable)
    auc_rule = _weighted_auc(truth, rule)
    assert auc_truth > auc_achievable > auc_rule + 0.02, (auc_truth, auc_achievable, auc_rule)
    # closer to the truth than the best constant
    assert np.mean((achievable - truth) ** 2) < 0.8 * np.var(truth)


def rng_ties(n: int) -> np.ndarray:
    return np.random.default_rng(0).random(n)


@pytest.mark.parametrize("as_of", ["2021-04-01", "2021-06-17", "2021-08-31"])
def test_later_records_never_change_it(authority, as_of):
    ids = authority.persons["person_id"].iloc[::4]
    before = authority.truth.achievable(authority, ids, as_of)
    cut = authority.known_at(as_of)
    assert len(cut.events) < len(authority.events)
    known = ids.isin(cut.persons["person_id"]).to_numpy()
    after = authority.truth.achievable(cut, ids[known], as_of)
    np.testing.assert_array_equal(before[known], after)
    # many later events for every child: still identical
    late = pd.DataFrame(
        {
            "person_id": ids,
            "event_date": pd.Timestamp(as_of) + pd.Timedelta(days=1),
            "event_type": "missing_episode",
            "code": "M",
            "value": np.nan,
        }
    )
    more = authority.events.astype(object).pipe(lambda e: pd.concat([e, late.astype(object)]))
    changed = LocalAuthorityData(
        persons=authority.persons,
        events=more.astype(authority.events.dtypes.to_dict()),
        care_episodes=authority.care_episodes,
        extract_date=authority.extract_date,
        truth=authority.truth,
    )
    np.testing.assert_array_equal(before, authority.truth.achievable(changed, ids, as_of))


def test_earlier_records_do_change_it(authority):
    """Missing episodes before the as-of date raise a teenager's achievable risk."""
    persons = authority.persons
    teen = persons.loc[
        (persons["date_of_birth"] < "2006-06-01") & (persons["date_of_birth"] > "2005-06-01"),
        "person_id",
    ]
    as_of = "2021-04-01"
    base = authority.truth.achievable(authority, teen, as_of)
    extra = pd.DataFrame(
        {
            "person_id": np.repeat(teen.to_numpy(), 3),
            "event_date": pd.Timestamp("2021-02-10"),
            "event_type": "missing_episode",
            "code": "M",
            "value": np.nan,
        }
    )
    dtypes = authority.events.dtypes[extra.columns].to_dict()
    events = pd.concat([authority.events, extra.astype(dtypes)])
    data = LocalAuthorityData(
        persons=persons,
        events=events.reset_index(drop=True),
        care_episodes=authority.care_episodes,
        extract_date=authority.extract_date,
        truth=authority.truth,
    )
    raised = authority.truth.achievable(data, teen, as_of)
    ok = ~np.isnan(base)
    assert ok.sum() > 20
    assert (raised[ok] > base[ok]).all()


def test_propagate_from_a_point_mass_distribution_equals_the_point_mass_path():
    """probability's point-mass start and the distribution start agree to the last bit."""
    rng = np.random.default_rng(0)
    n = 500
    state = rng.integers(0, 24, n)
    dist = np.zeros((n, 24))
    dist[np.arange(n), state] = 1.0
    cls, age = rng.integers(0, 6, n), rng.integers(0, 216, n)
    fe, history = np.exp(rng.normal(0, 0.5, n)), rng.integers(0, 3, n)
    window = (rng.random(n), rng.integers(0, 24, n), rng.random(n), rng.random(n) < 0.1)
    point = propagate((state, None), cls, age, fe, history, window, 0.1)
    spread = propagate((None, dist), cls, age, fe, history, window, 0.1)
    np.testing.assert_array_equal(point, spread)
    half = propagate((None, dist * 0.5), cls, age, fe, history, window, 0.1)
    np.testing.assert_allclose(half, 0.5 * point, rtol=1e-12)


def test_state_hazard_is_the_hazard_of_every_state_to_the_last_bit():
    rng = np.random.default_rng(1)
    n = 400
    age, history = rng.integers(-1, 20, n), rng.integers(0, 4, n)
    fe = np.exp(rng.normal(0, 1, n))
    for noise in (0.0, 0.3):
        expected = hazard(
            STATE_STRESS[None, :],
            STATE_CHILD[None, :],
            age[:, None],
            fe[:, None],
            history[:, None],
            noise,
        )
        np.testing.assert_array_equal(state_hazard(age, fe, history, noise), expected)


def test_a_known_reporting_bias_keeps_the_biased_group_calibrated():
    """Over-recorded children look riskier than they are unless the filter knows the bias."""
    start = "2017-04-01"
    bias = ReportingBias("White", 3.0, start=start)
    data = make_local_authority(n_children=3_000, random_state=3, reporting_bias=bias)
    persons = data.persons
    white = persons.loc[persons["ethnicity"].map(ETHNIC_GROUPS) == "White", "person_id"]
    keys = pd.DataFrame(
        {
            "person_id": np.tile(white.to_numpy(), 2),
            "as_of_date": pd.to_datetime(np.repeat(["2020-04-01", "2022-04-01"], len(white))),
        }
    )
    truth = data.truth.for_keys(keys, horizon_months=12)
    assert data.truth._reporting_bias == (
        "White",
        3.0,
        int(np.datetime64(start).astype(np.int64)),
    )  # make_local_authority tells its truth the bias it recorded with
    known = data.truth.achievable_for_keys(data, keys, horizon_months=12)
    unaware = copy.copy(data.truth)
    unaware._reporting_bias = None
    ignored = unaware.achievable_for_keys(data, keys, horizon_months=12)
    ok = ~np.isnan(truth)
    assert np.nanmean(ignored[ok]) > 1.3 * truth[ok].mean()
    assert 0.8 < np.nanmean(known[ok]) / truth[ok].mean() < 1.25


def test_fewer_records_still_give_probabilities(authority):
    """A subset of children, no household ids, no events: still defined, still 0-1."""
    ids = authority.persons["person_id"].iloc[:300]
    part = authority.subset(ids)
    alone = LocalAuthorityData(
        persons=part.persons.drop(columns="household_id"),
        events=part.events.iloc[:0],
        care_episodes=part.care_episodes,
        extract_date=part.extract_date,
        truth=authority.truth,
    )
    for data in (part, alone):
        p = authority.truth.achievable(data, ids, "2021-04-01")
        truth = authority.truth.probability(ids, "2021-04-01")
        assert np.array_equal(np.isnan(p), np.isnan(truth))
        assert ((p[~np.isnan(p)] >= 0) & (p[~np.isnan(p)] <= 1)).all()
    with pytest.raises(ValueError, match="not in data.persons"):
        authority.truth.achievable(
            part, authority.persons["person_id"].iloc[300:900], "2021-04-01"
        )
