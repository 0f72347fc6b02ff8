"""Behaviour of audit_fairness: result types, suppression, flags, intervals, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.exceptions import SchemaError
from riskmodel.fairness import FairnessAudit, audit_fairness


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.fixture(scope="module")
def mixed_inputs():
    """The same data as pandas objects, as plain lists and as numpy arrays."""
    rng = np.random.default_rng(3)
    n = 600
    y = (rng.random(n) < 0.25).astype(int)
    score = np.clip(0.25 + 0.3 * (y - 0.25) + rng.normal(0, 0.15, n), 0, 1)
    sex = rng.choice(["F", "M", "U"], n, p=[0.49, 0.49, 0.02])
    quintile = rng.integers(1, 6, n).astype(object)
    quintile[rng.random(n) < 0.05] = None
    disability = rng.choice(np.array([True, False], dtype=object), n, p=[0.2, 0.8])
    disability[rng.random(n) < 0.05] = None
    pandas_version = (
        pd.Series(y.astype(bool), index=np.arange(n) + 100),
        pd.Series(score, index=np.arange(n) + 100),
        pd.DataFrame(
            {
                "sex": pd.Series(sex, dtype="category"),
                "deprivation_quintile": pd.Series(quintile, dtype="Int64"),
                "disability": pd.Series(disability, dtype="boolean"),
            }
        ).set_axis(np.arange(n) + 100),
    )
    list_version = (
        y.tolist(),
        score.tolist(),
        {
            "sex": sex.tolist(),
            "deprivation_quintile": quintile.tolist(),
            "disability": disability.tolist(),
        },
    )
    numpy_version = (
        y.astype(float),
        score,
        {
            "sex": sex,
            "deprivation_quintile": np.array([np.nan if q is None else q for q in quintile]),
            "disability": disability,
        },
    )
    return {"pandas": pandas_version, "list": list_version, "numpy": numpy_version}


def _audit(inputs, **kwargs):
    y, score, groups = inputs
    settings = {"capacity": 60, "n_resamples": 50, "random_state": 1, "intersections": True}
    return audit_fairness(y, score, groups, **{**settings, **kwargs})


def test_tables_are_identical_for_pandas_lists_and_numpy(mixed_inputs):
    audits = {kind: _audit(inputs) for kind, inputs in mixed_inputs.items()}
    for name in ("by_group", "disparities", "calibration_by_band"):
        reference = getattr(audits["pandas"], name)
        for kind in ("list", "numpy"):
            pd.testing.assert_frame_equal(getattr(audits[kind], name), reference)
    groups = audits["pandas"].by_group.drop_duplicates(["attribute", "group"])
    quintiles = groups.loc[groups["attribute"] == "deprivation_quintile", "group"].tolist()
    assert quintiles == ["1", "2", "3", "4", "5", "(missing)"]
    disability = groups.loc[groups["attribute"] == "disability", "group"].tolist()
    assert disability == ["False", "True", "(missing)"]


def test_tables_have_fixed_columns_and_dtypes_even_when_empty():
    audit = audit_fairness([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], {"sex": ["F"] * 4}, threshold=0.5)
    assert isinstance(audit, FairnessAudit)
    assert audit.disparities.empty
    assert audit.disparities.dtypes.astype(str).to_dict() == {
        "attribute": "str",
        "group": "str",
        "reference": "str",
        "metric": "str",
        "value": "float64",
        "reference_value": "float64",
        "ratio": "float64",
        "lower": "float64",
        "upper": "float64",
        "flagged": "bool",
    }
    assert audit.by_group.dtypes.astype(str).to_dict() == {
        "attribute": "str",
        "group": "str",
        "metric": "str",
        "value": "float64",
        "lower": "float64",
        "upper": "float64",
        "n": "int64",
        "denominator": "Int64",
        "suppressed": "bool",
    }
    assert list(audit.calibration_by_band.columns) == [
        "attribute",
        "group",
        "band_from",
        "band_to",
        "n",
        "mean_score",
        "observed_rate",
        "lower",
        "upper",
        "observed_expected",
        "suppressed",
    ]
    assert audit.flags().columns.equals(audit.disparities.columns)


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


def _calibrated(latent):
    """P(entry | latent) when latent ~ N(-0.2, 1) for entrants, N(-2.2, 1) otherwise."""
    return _sigmoid(np.log(0.1 / 0.9) + 2.0 * latent + 2.4)


def _two_groups(n, shift_b, seed):
    """Calibrated scores, except that group B's entrants score lower by ``shift_b``."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.6, "A", "B")
    y = (rng.random(n) < 0.1).astype(int)
    latent = -2.2 + 2.0 * y + rng.normal(0, 1, n) - shift_b * ((group == "B") & (y == 1))
    return y, _calibrated(latent), group


# With a cut-off at latent -0.724, group A's FNR is about 0.3; a shift of 0.777 on
# group B's entrants makes B's about 0.6, double.
THRESHOLD = float(_calibrated(-0.724))


def test_planted_fnr_disparity_is_flagged():
    y, score, group = _two_groups(40_000, 0.777, seed=1)
    audit = audit_fairness(
        y, score, {"group": group}, threshold=THRESHOLD, n_resamples=200, random_state=0
    )
    assert audit.reference == {"group": "A"}
    fnr = audit.disparities.set_index("metric").loc["fnr"]
    assert fnr["group"] == "B" and fnr["reference"] == "A"
    assert 1.7 < fnr["ratio"] < 2.3
    assert fnr["lower"] > 1.25 and fnr["flagged"]
    assert "fnr" in set(audit.flags()["metric"])
    line = (
        f"group=B: false negative rate {fnr['ratio']:.2f}× the A reference "
        f"({100 * fnr['value']:.2g}% vs {100 * fnr['reference_value']:.2g}%;"
    )
    assert any(text.startswith(line) for text in audit.summary())


def test_equal_treatment_is_not_flagged():
    y, score, group = _two_groups(40_000, 0.0, seed=2)
    audit = audit_fairness(
        y, score, {"group": group}, threshold=THRESHOLD, n_resamples=200, random_state=0
    )
    assert audit.flags().empty
    rates = audit.disparities[audit.disparities["metric"] != "auc"]
    assert ((rates["lower"] <= 1.0) & (rates["upper"] >= 1.0)).mean() > 0.8
    assert audit.summary()[0].startswith("No disparity outside 0.8–1.25")


def test_a_rate_without_events_is_not_flagged_on_a_degenerate_interval():
    rng = np.random.default_rng(4)
    n = 10_000
    group = np.where(np.arange(n) < n // 2, "A", "B")
    y = (rng.random(n) < 0.1).astype(int)
    score = np.where(y == 1, 0.9, rng.choice([0.1, 0.95], n, p=[0.999, 0.001]))
    score[(group == "B") & (y == 0)] = 0.1  # B has no false positives at all
    audit = audit_fairness(
        y, score, {"group": group}, threshold=0.5, n_resamples=100, random_state=0
    )
    fpr = audit.disparities.set_index("metric").loc["fpr"]
    assert fpr["ratio"] == 0.0 and fpr["upper"] == 0.0
    assert not fpr["flagged"]


def test_named_reference_replaces_the_largest_group():
    y, score, group = _two_groups(4000, 0.777, seed=1)
    audit = audit_fairness(
        y,
        score,
        {"group": group},
        threshold=THRESHOLD,
        reference={"group": "B"},
        n_resamples=50,
        random_state=0,
    )
    assert audit.reference == {"group": "B"}
    assert set(audit.disparities["group"]) == {"A"}
    assert set(audit.disparities["reference"]) == {"B"}


def test_intersection_reference_accepts_tuples():
    rng = np.random.default_rng(0)
    n = 2000
    groups = {"sex": rng.choice(["F", "M"], n), "band": rng.choice([1, 2], n)}
    audit = audit_fairness(
        rng.integers(0, 2, n),
        rng.random(n),
        groups,
        threshold=0.5,
        intersections=True,
        reference={("sex", "band"): ("F", 2), "band": 2},
        n_resamples=20,
        random_state=0,
    )
    assert audit.reference["sex & band"] == "F & 2"
    assert audit.reference["band"] == "2"


def test_capacity_flags_the_top_scores_and_breaks_ties_by_row_order():
    groups = {"row": ["a", "b", "c", "d", "e", "f"]}
    score = [0.9, 0.5, 0.5, 0.5, 0.1, 0.7]
    audit = audit_fairness(
        [1, 0, 1, 0, 1, 0], score, groups, capacity=3, min_group_size=1, n_resamples=5
    )
    selected = audit.by_group[audit.by_group["metric"] == "selection_rate"]
    assert selected["value"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    per_period = audit_fairness(
        [1, 0, 1, 0, 1, 0],
        score,
        groups,
        capacity=1,
        periods=["2023", "2023", "2023", "2024", "2024", "2024"],
        min_group_size=1,
        n_resamples=5,
    )
    selected = per_period.by_group[per_period.by_group["metric"] == "selection_rate"]
    assert selected["value"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]


def test_interval_width_matches_the_binomial_standard_error():
    rng = np.random.default_rng(5)
    n = 20_000
    y = (rng.random(n) < 0.2).astype(int)
    audit = audit_fairness(
        y, rng.random(n), {"g": ["all"] * n}, threshold=0.5, n_resamples=500, random_state=0
    )
    row = audit.by_group.set_index("metric").loc["prevalence"]
    expected_width = 2 * 1.959964 * np.sqrt(row["value"] * (1 - row["value"]) / n)
    assert row["lower"] < row["value"] < row["upper"]
    assert (row["upper"] - row["lower"]) == pytest.approx(expected_width, rel=0.15)


def test_clusters_keep_repeated_rows_from_narrowing_intervals():
    rng = np.random.default_rng(6)
    n = 3000
    y = np.repeat((rng.random(n) < 0.2).astype(int), 4)
    score = np.repeat(rng.random(n), 4)
    person = np.repeat(np.arange(n), 4)
    groups = {"g": ["all"] * (4 * n)}
    widths = {}
    for name, clusters in (("rows", None), ("persons", person)):
        audit = audit_fairness(
            y,
            score,
            groups,
            threshold=0.5,
            clusters=clusters,
            n_resamples=400,
            random_state=0,
        )
        row = audit.by_group.set_index("metric").loc["prevalence"]
        widths[name] = row["upper"] - row["lower"]
    single = 2 * 1.959964 * np.sqrt(y.mean() * (1 - y.mean()) / n)
    assert widths["persons"] == pytest.approx(single, rel=0.15)
    assert widths["rows"] == pytest.approx(single / 2, rel=0.15)


def test_same_seed_same_result_and_other_seed_other_intervals(mixed_inputs):
    first = _audit(mixed_inputs["numpy"], intersections=False)
    again = _audit(mixed_inputs["numpy"], intersections=False)
    other = _audit(mixed_inputs["numpy"], intersections=False, random_state=2)
    pd.testing.assert_frame_equal(first.by_group, again.by_group)
    pd.testing.assert_series_equal(first.by_group["value"], other.by_group["value"])
    assert not first.by_group["lower"].equals(other.by_group["lower"])


@pytest.mark.parametrize(
    ("y_true", "y_score", "message"),
    [
        ([0, 2, 1], [0.1, 0.2, 0.3], r"y_true: 1 value\(s\) are not 0/1 .*row 1; value 2"),
        ([0, None, 1], [0.1, 0.2, 0.3], r"y_true: 1 value\(s\) are not 0/1"),
        ([0, 1, 1], [0.1, 1.2, np.nan], r"y_score: 2 value\(s\) are not probabilities"),
        ([0, 1, 1], [0.1, 0.2], r"y_score: expected 3 values"),
    ],
)
def test_bad_outcomes_and_scores_are_named(y_true, y_score, message):
    with pytest.raises(SchemaError, match=message):
        audit_fairness(y_true, y_score, {"g": ["a", "b", "a"]}, threshold=0.5)


def test_misaligned_pandas_inputs_are_refused():
    y = pd.Series([0, 1, 1], index=[1, 2, 3])
    groups = pd.DataFrame({"g": ["a", "b", "a"]}, index=[3, 2, 1])
    with pytest.raises(SchemaError, match="groups: its index differs from y_true's index"):
        audit_fairness(y, [0.1, 0.2, 0.3], groups, threshold=0.5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "exactly one of capacity"),
        ({"capacity": 2, "threshold": 0.5}, ValueError, "exactly one of capacity"),
        ({"capacity": 0}, ValueError, "capacity must be a positive whole number"),
        ({"threshold": 0.5, "periods": [1, 1, 1, 1]}, ValueError, "periods applies only"),
        ({"threshold": 0.5, "reference": {"h": "a"}}, SchemaError, "unknown attribute.*'h'"),
        ({"threshold": 0.5, "reference": {"g": "z"}}, SchemaError, "g has no group 'z'"),
        (
            {"threshold": 0.5, "reference": {"g": "a"}},
            SchemaError,
            "group 'a' has 2 rows, fewer than min_group_size=10",
        ),
        ({"threshold": 0.5, "intersections": [("g", "h")]}, SchemaError, "intersections"),
        ({"threshold": 0.5, "confidence": 1.0}, ValueError, "confidence"),
        ({"threshold": 0.5, "calibration_bands": 3}, ValueError, "calibration_bands"),
        ({"threshold": 0.5, "clusters": [1, None, 2, 3]}, SchemaError, "clusters: 1 value"),
    ],
)
def test_bad_settings_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        audit_fairness([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], {"g": ["a", "a", "b", "b"]}, **kwargs)
