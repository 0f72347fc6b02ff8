"""reason_codes: top positive contributions in plain English, never a protected characteristic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from riskmodel.explain import PROTECTED, explain, is_protected, reason_codes
from riskmodel.features import FeatureSpec, LatentState, default_spec
from riskmodel.models import RiskClassifier

pytestmark = pytest.mark.filterwarnings(
    "ignore:The set_(bad|over|under) function will be deprecated:PendingDeprecationWarning"
)

NAMES = [
    "domestic_abuse_count_365d",
    "missing_episode_count_180d",
    "missing_episode_count_ever",
    "cp_plan_open",
    "ethnic_group_black",
    "absence_latest",
    "age_years",
]


def explanation(values, data, names=NAMES):
    from riskmodel.explain._shap import import_shap

    shap = import_shap()
    values = np.asarray(values, dtype=float)
    return shap.Explanation(
        values=values,
        base_values=np.zeros(len(values)),
        data=np.asarray(data, dtype=float),
        feature_names=names,
    )


@pytest.fixture
def three_children():
    values = [
        [0.9, 0.5, 0.4, 0.7, 2.0, -0.3, 0.1],  # protected "ethnic_group_black" is largest
        [-0.2, -0.1, 0.0, 0.0, 0.0, 0.05, 0.0],  # only one feature pushes risk up
        [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, -0.5],  # nothing pushes risk up
    ]
    data = [
        [3, 2, 5, 1, 1, 0.25, 15],
        [0, 0, 0, 0, 0, 0.12, 12],
        [1, 0, 0, 0, 1, np.nan, 16],
    ]
    return explanation(values, data)


def test_reasons_are_the_largest_positive_contributions_in_words(three_children):
    reasons = reason_codes(three_children, default_spec(), top=3)
    first = reasons.iloc[0]
    assert list(first[["reason_1", "reason_2", "reason_3"]]) == [
        "3 records of domestic abuse in the last year",
        "on a child protection plan at the as-of date",
        "2 missing from home episodes in the last 6 months",
    ]
    assert list(first[["reason_feature_1", "reason_feature_2", "reason_feature_3"]]) == [
        "domestic_abuse_count_365d",
        "cp_plan_open",
        "missing_episode_count_180d",
    ]
    np.testing.assert_allclose(first.filter(like="contribution").to_numpy(float), [0.9, 0.7, 0.5])


def test_fewer_reasons_than_asked_are_missing(three_children):
    reasons = reason_codes(three_children, top=3)
    assert reasons.loc[1, "reason_1"] == "latest school absence rate: 12%"
    assert reasons.loc[1, ["reason_2", "reason_3", "reason_feature_2"]].isna().all()
    assert reasons.loc[2].isna().all()
    assert list(reasons.columns) == [
        *(f"reason_{k}" for k in (1, 2, 3)),
        *(f"reason_feature_{k}" for k in (1, 2, 3)),
        *(f"reason_contribution_{k}" for k in (1, 2, 3)),
    ]


def test_protected_characteristics_never_appear(three_children):
    reasons = reason_codes(three_children, top=6, one_per_family=False)
    features = reasons.filter(like="reason_feature").stack().tolist()
    assert "ethnic_group_black" not in features
    assert not reasons.filter(regex=r"^reason_\d").stack().str.contains("ethnic").any()
    # exact age pushes the score up here, but age is a protected characteristic
    assert three_children[:, "age_years"].values.max() > 0
    assert "age_years" not in features
    excluded = reason_codes(three_children, top=6, exclude=["absence_latest"])
    assert "absence_latest" not in excluded.filter(like="reason_feature").stack().tolist()


def test_one_reason_per_event_family_by_default(three_children):
    default = reason_codes(three_children, top=6).iloc[0]
    every = reason_codes(three_children, top=6, one_per_family=False).iloc[0]
    family = [f for f in default.filter(like="reason_feature").dropna() if "missing" in f]
    assert family == ["missing_episode_count_180d"]
    assert "missing_episode_count_ever" in every.filter(like="reason_feature").tolist()


def test_index_and_unknown_features():
    e = explanation([[0.4, 0.2], [0.1, 0.3]], [[2.0, np.nan], [0.0, 7.0]], ["school_moves", "x"])
    index = pd.Index(["a", "b"], name="person_id")
    reasons = reason_codes(e, top=2, index=index)
    assert reasons.index.equals(index)
    assert reasons.loc["a", "reason_1"] == "school moves: 2"
    assert reasons.loc["a", "reason_2"] == "x: missing"
    assert reasons.loc["b", "reason_1"] == "x: 7"


def test_bad_arguments(three_children):
    with pytest.raises(ValueError, match="top must be a whole number"):
        reason_codes(three_children, top=0)
    with pytest.raises(ValueError, match="index has 2 labels for 3 explained rows"):
        reason_codes(three_children, index=pd.Index([1, 2]))
    with pytest.raises(TypeError, match="expected a shap.Explanation"):
        reason_codes(np.zeros((3, 2)))


@pytest.mark.parametrize(
    "name",
    [
        "sex",
        "sex_f",
        "ethnicity",
        "ethnic_group_black",
        "disability_yes",
        "deprivation_q1_most_deprived",
        "imd_decile",
        "age_band_10_12",
        "age_years",
        "Ethnic_Group",
    ],
)
def test_protected_names(name):
    assert is_protected(name)


@pytest.mark.parametrize("name", ["sexual_exploitation_count_365d", "disabled_parent", "imdx"])
def test_not_protected_names(name):
    assert not is_protected(name)


def test_protected_list_covers_the_fairness_groups():
    from riskmodel.frame import GROUP_COLUMNS

    assert set(GROUP_COLUMNS) <= PROTECTED


def test_a_predictive_protected_input_is_never_a_reason():
    """A model that leans on ethnic group still never gives it as a reason."""
    rng = np.random.default_rng(0)
    n = 2000
    X = pd.DataFrame(
        {
            "ethnic_group": pd.array(rng.choice(["White", "Black", "Asian"], n), dtype="str"),
            "referral_count_365d": rng.poisson(1.0, n).astype("int32"),
        }
    )
    logit = -1.0 + 2.5 * (X["ethnic_group"] == "Black").to_numpy() + 0.3 * X.iloc[:, 1]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    with threadpool_limits(limits=1):
        model = RiskClassifier("hgb", calibration=None, random_state=0).fit(X, y)
    e = explain(model, X)
    top = np.asarray(e.feature_names)[np.argmax(e.values, axis=1)]
    assert (top == "ethnic_group").mean() > 0.2  # it does drive many scores
    reasons = reason_codes(e, top=2)
    assert "ethnic_group" not in set(reasons.filter(like="reason_feature").stack())
    given = reasons["reason_1"].dropna()
    assert len(given) > n // 4
    assert given.str.fullmatch(r"(\d+|no) referrals? in the last year").all()


def test_household_and_latent_features_never_take_the_childs_own_slot():
    families = default_spec()["contact_count_90d"].families
    latent = LatentState(
        state=1,
        event_families=families,
        start=(0.5, 0.5),
        transition=((0.9, 0.1), (0.1, 0.9)),
        rates=((0.1,), (2.0,)),
        observed_from="2015-01",
    )
    spec = FeatureSpec((*default_spec().features, latent))
    names = [
        "household_referral_count_365d",
        "referral_count_365d",
        "latent_state_1",
        "contact_count_90d",
        "household_contact_decayed_90d",
    ]
    e = explanation([[0.9, 0.8, 0.7, 0.6, 0.5]], [[2, 1, 0.8, 3, 1.5]], names)
    reasons = reason_codes(e, spec, top=4).iloc[0]
    # the household's referrals and the latent state are concerns of their own, so
    # the child's own referral and contact counts are still given
    assert reasons.filter(like="reason_feature").tolist() == names[:4]
    slots = [spec[name].reason_slot for name in names]
    assert slots == [
        "household referral",
        "referral",
        "latent state",
        "contact",
        "household contact",
    ]
