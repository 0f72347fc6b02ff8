"""Every group metric of the audit against fairlearn's MetricFrame and scikit-learn."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from scipy.stats import rankdata
from sklearn.metrics import confusion_matrix, precision_score, roc_auc_score

from riskmodel.fairness import audit_fairness

ATTRIBUTES = ("sex", "ethnic_group", "age_band")


def _counts(y_true, y_pred):
    return confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()  # tn, fp, fn, tp


def _fdr(y_true, y_pred):
    tn, fp, fn, tp = _counts(y_true, y_pred)
    return fp / (fp + tp)


def _for(y_true, y_pred):
    tn, fp, fn, tp = _counts(y_true, y_pred)
    return fn / (fn + tn)


def _npv(y_true, y_pred):
    tn, fp, fn, tp = _counts(y_true, y_pred)
    return tn / (fn + tn)


def _prevalence(y_true, y_pred):
    return np.mean(y_true)


def _observed_expected(y_true, y_score):
    return np.sum(y_true) / np.sum(y_score)


DECISION_METRICS = {
    "prevalence": _prevalence,
    "selection_rate": selection_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "tnr": true_negative_rate,
    "precision": functools.partial(precision_score, zero_division=np.nan),
    "fdr": _fdr,
    "for": _for,
    "npv": _npv,
}
SCORE_METRICS = {
    "auc": roc_auc_score,
    "mean_score": mean_prediction,
    "observed_expected": _observed_expected,
}


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    n = 3000
    groups = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "ethnic_group": rng.choice(["White", "Black", "Asian", "Mixed", "Other"], n),
            "age_band": rng.choice(["10-12", "13-15", "16-17"], n, p=[0.3, 0.4, 0.3]),
        }
    )
    y = (rng.random(n) < 0.2).astype(int)
    # Rounded scores make ties, inside groups and at the decision cut-off.
    score = np.round(np.clip(0.2 + 0.25 * (y - 0.2) + rng.normal(0, 0.15, n), 0, 1), 2)
    return y, score, groups


def _capacity_decisions(score, capacity):
    order = np.lexsort((np.arange(len(score)), -score))
    flagged = np.zeros(len(score), dtype=int)
    flagged[order[:capacity]] = 1
    return flagged


def _reference_frames(y, score, flagged, features):
    decisions = MetricFrame(
        metrics={**DECISION_METRICS, "n": count},
        y_true=y,
        y_pred=flagged,
        sensitive_features=features,
    ).by_group
    scores = MetricFrame(
        metrics=SCORE_METRICS, y_true=y, y_pred=score, sensitive_features=features
    ).by_group
    return decisions.join(scores)


def _audit_wide(audit, attribute):
    rows = audit.by_group[audit.by_group["attribute"] == attribute]
    return rows.pivot(index="group", columns="metric", values="value"), rows


@pytest.mark.parametrize("rule", ["threshold", "capacity"])
def test_every_group_metric_equals_fairlearn(sample, rule):
    y, score, groups = sample
    if rule == "threshold":
        audit = audit_fairness(y, score, groups, threshold=0.3, n_resamples=20, random_state=0)
        flagged = (score >= 0.3).astype(int)
    else:
        audit = audit_fairness(y, score, groups, capacity=400, n_resamples=20, random_state=0)
        flagged = _capacity_decisions(score, 400)
    assert flagged.sum() > 100
    for attribute in ATTRIBUTES:
        expected = _reference_frames(y, score, flagged, groups[attribute])
        wide, rows = _audit_wide(audit, attribute)
        assert sorted(wide.index) == sorted(expected.index)
        for metric in [*DECISION_METRICS, *SCORE_METRICS]:
            got = wide.loc[expected.index, metric].to_numpy()
            np.testing.assert_allclose(got, expected[metric].to_numpy(float), rtol=0, atol=1e-12)
        sizes = rows.drop_duplicates("group").set_index("group")["n"]
        assert (sizes.loc[expected.index].to_numpy() == expected["n"].to_numpy()).all()


def test_intersections_equal_fairlearn_on_combined_features(sample):
    y, score, groups = sample
    audit = audit_fairness(
        y,
        score,
        groups,
        threshold=0.3,
        intersections=[("sex", "age_band")],
        min_group_size=1,
        n_resamples=20,
        random_state=0,
    )
    flagged = (score >= 0.3).astype(int)
    expected = _reference_frames(y, score, flagged, groups[["sex", "age_band"]])
    expected.index = [f"{sex} & {age}" for sex, age in expected.index]
    wide, _ = _audit_wide(audit, "sex & age_band")
    assert sorted(wide.index) == sorted(expected.index)
    for metric in [*DECISION_METRICS, *SCORE_METRICS]:
        np.testing.assert_allclose(
            wide.loc[expected.index, metric].to_numpy(),
            expected[metric].to_numpy(float),
            rtol=0,
            atol=1e-12,
        )


def test_denominators_are_the_counts_each_rate_divides_by(sample):
    y, score, groups = sample
    audit = audit_fairness(y, score, groups, threshold=0.3, n_resamples=10, random_state=0)
    flagged = score >= 0.3
    rows = audit.by_group[audit.by_group["attribute"] == "ethnic_group"]
    got = rows.pivot(index="group", columns="metric", values="denominator")
    frame = pd.DataFrame({"g": groups["ethnic_group"], "y": y, "f": flagged})
    by = frame.groupby("g")
    np.testing.assert_array_equal(got["tpr"], by["y"].sum().loc[got.index])
    np.testing.assert_array_equal(got["fpr"], (1 - frame["y"]).groupby(frame["g"]).sum())
    np.testing.assert_array_equal(got["precision"], by["f"].sum().loc[got.index])
    np.testing.assert_array_equal(got["npv"], (~frame["f"]).groupby(frame["g"]).sum())
    np.testing.assert_array_equal(got["prevalence"], by.size().loc[got.index])


def test_calibration_by_band_matches_a_direct_groupby(sample):
    y, score, groups = sample
    audit = audit_fairness(y, score, groups, threshold=0.3, n_resamples=10, random_state=0)
    # Twentieths of the whole population by mid-rank: band = ceil(20 * rank / n).
    band = np.ceil(20 * rankdata(score, method="average") / len(score) - 1e-9).astype(int)
    frame = pd.DataFrame({"g": groups["sex"], "y": y, "p": score, "b": (band - 1) // 4 * 4 + 1})
    expected = frame.groupby(["g", "b"]).agg(
        n=("y", "size"), rate=("y", "mean"), mean=("p", "mean")
    )
    table = audit.calibration_by_band
    table = table[(table["attribute"] == "sex") & (table["n"] > 0)].set_index(
        ["group", "band_from"]
    )
    assert (table["band_to"] - table.index.get_level_values("band_from") == 3).all()
    expected = expected.loc[table.index]
    np.testing.assert_array_equal(table["n"], expected["n"])
    np.testing.assert_allclose(table["observed_rate"], expected["rate"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(table["mean_score"], expected["mean"], rtol=0, atol=1e-12)


def test_small_group_is_suppressed_and_empty_denominators_are_nan():
    rng = np.random.default_rng(0)
    n = 400
    group = np.array(["big"] * 345 + ["no_entrants"] * 50 + ["tiny"] * 5)
    y = (rng.random(n) < 0.3).astype(int)
    y[group == "no_entrants"] = 0
    score = rng.random(n)
    audit = audit_fairness(y, score, {"g": group}, threshold=0.5, n_resamples=100, random_state=0)
    rows = audit.by_group.set_index(["group", "metric"])
    tiny = rows.loc["tiny"]
    assert tiny["suppressed"].all() and (tiny["n"] == 5).all()
    assert tiny[["value", "lower", "upper"]].isna().all().all()
    assert tiny["denominator"].isna().all()
    empty = rows.loc["no_entrants"]
    assert not empty["suppressed"].any()
    for metric in ("tpr", "fnr", "auc", "precision", "observed_expected"):
        expected_nan = metric != "precision" and metric != "observed_expected"
        assert np.isnan(empty.loc[metric, "value"]) == expected_nan, metric
    assert empty.loc["prevalence", "value"] == 0.0
    assert empty.loc["fdr", "value"] == 1.0
    disparities = audit.disparities.set_index(["group", "metric"])
    assert disparities.loc["tiny", ["ratio", "lower", "upper", "value"]].isna().all().all()
    assert not disparities.loc["tiny", "flagged"].any()
    assert "g=tiny (5)" in audit.summary()[-1]
