"""Global views: importance ranking, group comparison with suppression, shap's own plots."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from riskmodel.explain import compare_groups, explain, global_importance
from riskmodel.explain._shap import import_shap
from riskmodel.models import RiskClassifier

matplotlib.use("Agg")

pytestmark = pytest.mark.filterwarnings(
    "ignore:The set_(bad|over|under) function will be deprecated:PendingDeprecationWarning"
)


@pytest.fixture(scope="module")
def fitted():
    """Children seen at two as-of dates; a string category among the inputs."""
    rng = np.random.default_rng(1)
    n_children = 600
    person = np.tile([f"c{i}" for i in range(n_children)], 2)
    dates = np.repeat(pd.to_datetime(["2021-04-01", "2021-10-01"]), n_children)
    index = pd.MultiIndex.from_arrays([person, dates], names=["person_id", "as_of_date"])
    n = len(index)
    X = pd.DataFrame(
        {
            "missing_episode_count_180d": rng.poisson(0.5, n).astype("int32"),
            "absence_latest": np.where(rng.random(n) < 0.2, np.nan, rng.beta(2, 10, n)),
            "school_type": pd.array(rng.choice(["academy", "maintained"], n), dtype="str"),
            "contact_count_365d": rng.poisson(1.0, n).astype("int32"),
        },
        index=index,
    )
    logit = -1.5 + 1.2 * X.iloc[:, 0] + 4 * X.iloc[:, 1].fillna(0.2) + 0.1 * X.iloc[:, 3]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    with threadpool_limits(limits=1):
        # 1,200 rows: leaves of 20 rows, not the default's 500, so every input is used
        model = RiskClassifier(
            "hgb", calibration=None, estimator_params={"min_samples_leaf": 20}, random_state=0
        ).fit(X, y)
    return X, explain(model, X)


def test_global_importance_ranks_by_mean_absolute_value(fitted):
    X, e = fitted
    table = global_importance(e)
    assert list(table.columns) == [
        "feature",
        "mean_abs_shap",
        "mean_shap",
        "description",
        "protected",
    ]
    assert list(table.index) == list(range(1, X.shape[1] + 1))
    assert table["mean_abs_shap"].is_monotonic_decreasing
    by_name = table.set_index("feature")
    for j, name in enumerate(e.feature_names):
        assert by_name.loc[name, "mean_abs_shap"] == pytest.approx(np.abs(e.values[:, j]).mean())
        assert by_name.loc[name, "mean_shap"] == pytest.approx(e.values[:, j].mean())
    assert table.iloc[0]["feature"] == "missing_episode_count_180d"
    assert by_name.loc["missing_episode_count_180d", "description"] == (
        "{value} missing from home episodes in the last 6 months"
    )
    assert pd.isna(by_name.loc["school_type", "description"])
    assert not table["protected"].any()


def test_compare_groups_matches_a_groupby(fitted):
    X, e = fitted
    rng = np.random.default_rng(2)
    per_child = dict(zip(X.index.levels[0], rng.choice(["A", "B"], 600), strict=True))
    groups = pd.Series(
        [per_child[p] for p in X.index.get_level_values("person_id")], index=X.index, name="area"
    )
    table = compare_groups(e, groups)
    assert set(table["column"]) == {"area"} and not table["suppressed"].any()
    values = pd.DataFrame(e.values, columns=e.feature_names)
    expected = values.groupby(groups.to_numpy()).mean()
    got = table.pivot(index="group", columns="feature", values="mean_shap")
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_names=False)
    counts = table.drop_duplicates("group").set_index("group")
    assert counts.loc["A", "n_rows"] == (groups == "A").sum()
    assert counts.loc["A", "n_children"] == (groups == "A").sum() // 2  # two dates each
    first = table[table["group"] == "A"]["feature"].tolist()
    assert first == global_importance(e)["feature"].tolist()


def test_small_groups_are_suppressed_counting_children(fitted):
    X, e = fitted
    person = X.index.get_level_values("person_id")
    # 8 children seen twice: 16 rows but fewer than 10 children
    small = person.isin([f"c{i}" for i in range(8)])
    groups = pd.DataFrame(
        {"band": np.where(small, "rare", "common"), "sex": np.where(small, "F", "M")},
        index=X.index,
    )
    table = compare_groups(e, groups)
    assert set(table["column"]) == {"band", "sex"}
    rare = table[table["group"].isin(["rare", "F"])]
    assert rare["suppressed"].all()
    assert rare[["mean_shap", "mean_abs_shap", "n_rows", "n_children"]].isna().all().all()
    common = table[table["group"] == "common"]
    assert not common["suppressed"].any() and common["mean_shap"].notna().all()
    shown = compare_groups(e, groups, min_count=8)
    assert not shown["suppressed"].any()


def test_compare_groups_checks_its_input(fitted):
    _, e = fitted
    with pytest.raises(ValueError, match="groups has 3 rows for 1200 explained rows"):
        compare_groups(e, ["a", "b", "c"])
    with pytest.raises(ValueError, match="min_count must be a whole number"):
        compare_groups(e, np.zeros(1200), min_count=2.5)


def test_shap_plots_draw_headless(fitted):
    import matplotlib.pyplot as plt

    shap = import_shap()
    _, e = fitted
    try:
        plt.figure()
        shap.plots.beeswarm(e, show=False)
        beeswarm = plt.gcf()
        plt.figure()
        shap.plots.bar(e, show=False)
        plt.figure()
        shap.plots.scatter(e[:, "absence_latest"], color=e, show=False)
        plt.figure()
        shap.plots.scatter(e[:, "school_type"], show=False)
        plt.figure()
        shap.plots.waterfall(e[0], show=False)
        assert len(plt.get_fignums()) >= 5
        labels = [t.get_text() for t in beeswarm.axes[0].get_yticklabels()]
        assert "missing_episode_count_180d" in labels
    finally:
        plt.close("all")
