"""audit_fairness as a whole: tables that never depend on the input type, seeds, settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.exceptions import SchemaError
from riskmodel.fairness import FairnessAudit, audit_fairness


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


def test_same_seed_same_result_and_other_seed_other_intervals(mixed_inputs):
    first = _audit(mixed_inputs["numpy"], intersections=False)
    again = _audit(mixed_inputs["numpy"], intersections=False)
    other = _audit(mixed_inputs["numpy"], intersections=False, random_state=2)
    pd.testing.assert_frame_equal(first.by_group, again.by_group)
    pd.testing.assert_series_equal(first.by_group["value"], other.by_group["value"])
    assert not first.by_group["lower"].equals(other.by_group["lower"])


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
