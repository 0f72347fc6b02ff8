"""The fairness audit of a weighted sample: a row of weight w counts as w children."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riskmodel.fairness import audit_backtest, audit_fairness
from riskmodel.frame import sample_negatives

TABLES = ("by_group", "disparities", "calibration_by_band")


@pytest.fixture(scope="module")
def rows():
    """Scores, outcomes and two attributes of 300 children at four as-of dates."""
    rng = np.random.default_rng(7)
    ids = [f"c{i:03d}" for i in range(300)]
    dates = pd.to_datetime(["2021-01-01", "2021-04-01", "2021-07-01", "2021-10-01"])
    keys = pd.MultiIndex.from_product([ids, dates], names=["person_id", "as_of_date"])
    table = keys.to_frame(index=False)
    table["y_score"] = np.round(rng.beta(1, 8, len(table)), 2)  # ties at the cut
    table["y_true"] = (rng.random(len(table)) < table["y_score"]).astype(int)
    table["sex"] = rng.choice(["F", "M"], len(table))
    table["age_band"] = rng.choice(["10-12", "13-17"], len(table))
    return table


def _audit(table, weights=None, n_resamples=30):
    return audit_fairness(
        table["y_true"].to_numpy(),
        table["y_score"].to_numpy(),
        table[["sex", "age_band"]].reset_index(drop=True),
        capacity=25,
        periods=table["as_of_date"].to_numpy(),
        clusters=table["person_id"].to_numpy(),
        n_resamples=n_resamples,
        random_state=0,
        sample_weight=weights,
    )


def _assert_same(got, want, **tolerance):
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(got, name), getattr(want, name), obj=name, **tolerance
        )


def test_weights_of_one_give_exactly_the_unweighted_audit(rows):
    _assert_same(_audit(rows, np.ones(len(rows))), _audit(rows))


def test_integer_weights_give_the_audit_of_the_repeated_rows(rows):
    """Bootstrap included: copies of a row are its child's, drawn together."""
    times = np.random.default_rng(1).integers(1, 4, len(rows))
    repeated = rows.loc[rows.index.repeat(times)].reset_index(drop=True)
    weighted = _audit(rows, times.astype(float))
    _assert_same(weighted, _audit(repeated), check_exact=False, rtol=1e-9)
    n = weighted.by_group.query("metric == 'prevalence'")["n"].sum()
    assert n == 2 * times.sum()  # two attributes, each group sized by weight


def test_capacity_counts_weight(rows):
    """With every weight 5, a capacity of 25 flags 5 rows per date: 25 children."""
    audit = _audit(rows, np.full(len(rows), 5.0), n_resamples=1)
    selection = audit.by_group.query("metric == 'selection_rate'")
    flagged = (selection["value"] * selection["n"]).groupby(selection["attribute"]).sum()
    np.testing.assert_allclose(flagged.to_numpy(), 4 * 25)


def test_audit_backtest_uses_the_predictions_weights(rows):
    """A sampled backtest's audit: that of its predictions weighted, near the full frame's."""
    keep, weights = sample_negatives(rows[["person_id", "as_of_date"]], rows["y_true"], 0.5)
    sample = rows[keep].assign(model="model", sample_weight=weights).reset_index(drop=True)
    groups = rows.set_index(["person_id", "as_of_date"])[["sex", "age_band"]]
    backtest = SimpleNamespace(predictions=sample, capacity=25)
    audit = audit_backtest(backtest, groups, n_resamples=30, random_state=0)
    _assert_same(audit, _audit(sample, weights))
    full = _audit(rows).by_group.set_index(["attribute", "group", "metric"])
    got = audit.by_group.set_index(["attribute", "group", "metric"])
    # the weighted group sizes estimate the full frame's (about 600 each) within 10%
    np.testing.assert_allclose(
        got.xs("prevalence", level="metric")["n"],
        full.xs("prevalence", level="metric")["n"],
        rtol=0.1,
    )
    # and the weighted rates the full frame's; unweighted, the sample's twice-as-many
    # care entries per row would be far off
    unweighted = _audit(sample).by_group.set_index(["attribute", "group", "metric"])
    for metric in ("prevalence", "selection_rate"):
        want = full.xs(metric, level="metric")["value"]
        np.testing.assert_allclose(got.xs(metric, level="metric")["value"], want, atol=0.02)
    prevalence = full.xs("prevalence", level="metric")["value"]
    assert (abs(unweighted.xs("prevalence", level="metric")["value"] - prevalence) > 0.05).all()
