"""RiskClassifier(monotone=...): constraints from the domain or a dict, on preprocessed columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from riskmodel.models import RiskClassifier
from riskmodel.models._monotone import domain_constraints

PARAMS = {"max_iter": 60, "learning_rate": 0.2, "min_samples_leaf": 20}


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


def _frame(n: int = 3000, seed: int = 0):
    """Risk peaks at 3 referrals and falls after: unconstrained trees learn the fall."""
    rng = np.random.default_rng(seed)
    referrals = rng.integers(0, 8, n)
    missing = rng.poisson(1.0, n)
    X = pd.DataFrame(
        {
            "referral_count_365d": referrals.astype("int32"),
            "missing_episode_count_90d": missing.astype("int32"),
            "cp_plan_ever": rng.random(n) < 0.2,
            "referral_days_since_last": np.where(
                rng.random(n) < 0.3, np.nan, rng.uniform(0, 900, n)
            ),
            "age_years": rng.uniform(10, 17, n),
            "region": pd.Series(rng.choice(["north", "south"], n), dtype="str"),
        }
    )
    logit = -3 + 2.5 * (referrals == 3) - 0.4 * referrals + 0.6 * missing + X["cp_plan_ever"]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.fixture(scope="module")
def frame():
    return _frame()


def _lowers(model, X, column, step=1):
    raised = X.copy()
    raised[column] = True if step is None else (raised[column] + step).astype(X[column].dtype)
    return model.predict_proba(raised)[:, 1] < model.predict_proba(X)[:, 1] - 1e-12


CONSTRAINED = {"referral_count_365d": 1, "missing_episode_count_90d": 1, "cp_plan_ever": None}


@pytest.mark.parametrize("calibration", ["isotonic", "interpolated_isotonic", "temperature"])
def test_raising_a_constrained_feature_never_lowers_the_risk(frame, calibration):
    X, y = frame
    free = RiskClassifier(calibration=calibration, estimator_params=PARAMS, random_state=0)
    free.fit(X, y)
    # The test has teeth: without constraints, a fourth referral lowers some risks.
    assert _lowers(free, X, "referral_count_365d").any()
    model = RiskClassifier(
        calibration=calibration, estimator_params=PARAMS, monotone="domain", random_state=0
    ).fit(X, y)
    for column, step in CONSTRAINED.items():
        assert not _lowers(model, X, column, step).any(), column


def test_domain_constraints_sit_on_the_preprocessed_columns(frame):
    X, y = frame
    model = RiskClassifier(estimator_params=PARAMS, monotone="domain", random_state=0).fit(X, y)
    cst = model.base_pipeline_.named_steps["estimator"].monotonic_cst
    constraints = dict(zip(model.feature_groups_, cst, strict=True))
    assert constraints == {
        "referral_count_365d": 1,
        "missing_episode_count_90d": 1,
        "cp_plan_ever": 1,
        "referral_days_since_last": 0,
        "age_years": 0,
        "region": 0,
    }


def test_a_dict_sets_each_named_feature(frame):
    X, y = frame
    monotone = {"age_years": -1, "referral_count_365d": 1}
    model = RiskClassifier(estimator_params=PARAMS, monotone=monotone, random_state=0).fit(X, y)
    cst = dict(
        zip(
            model.feature_groups_,
            model.base_pipeline_.named_steps["estimator"].monotonic_cst,
            strict=True,
        )
    )
    assert cst["age_years"] == -1 and cst["referral_count_365d"] == 1
    assert cst["missing_episode_count_90d"] == 0
    older = X.assign(age_years=X["age_years"] + 1)
    assert np.all(model.predict_proba(older)[:, 1] <= model.predict_proba(X)[:, 1] + 1e-12)


def test_domain_names():
    columns = [
        "contact_count_90d",
        "referral_count_ever",
        "missing_episode_ever",
        "permanent_exclusion_count_730d",
        "suspension_count_365d",
        "youth_justice_ever",
        "cp_plan_count_365d",
        "previous_cp_plans",
        "cp_plan_open",
        "referral_days_since_last",
        "referral_nfa_count_365d",
        "neglect_count_365d",
        "age_years",
        "cp_plan_end_days_since_last",
    ]
    assert list(domain_constraints(columns)) == columns[:9]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"monotone": {"nope": 1}}, r"names \['nope'\], which are not columns"),
        ({"monotone": {"age_years": 2}}, "must be -1, 0 or 1"),
        ({"monotone": {"region": 1}}, r"categorical features \['region'\]"),
        ({"monotone": "yes"}, "monotone must be None, 'domain' or a dict"),
        ({"monotone": "domain", "estimator": "logistic"}, "needs a HistGradientBoosting"),
    ],
)
def test_invalid_monotone(frame, params, message):
    X, y = frame
    with pytest.raises(ValueError, match=message):
        RiskClassifier(**params).fit(X, y)
