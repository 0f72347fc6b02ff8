"""``audit_backtest``: the audit of a backtest's out-of-fold predictions of the model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riskmodel.fairness import audit_backtest, audit_fairness


@pytest.fixture(scope="module")
def result():
    """Out-of-fold predictions of the model and of a rule, at four as-of dates."""
    rng = np.random.default_rng(3)
    ids = [f"c{i}" for i in range(400)]
    dates = pd.to_datetime(["2021-01-01", "2021-04-01", "2021-07-01", "2021-10-01"])
    keys = pd.MultiIndex.from_product([ids, dates], names=["person_id", "as_of_date"])
    rows = keys.to_frame(index=False)
    score = rng.beta(1, 12, len(rows))
    model = rows.assign(model="model", y_true=(rng.random(len(rows)) < score).astype(int))
    model["y_score"] = score
    rule = model.assign(model="rule: referrals", y_score=rng.random(len(rows)))
    groups = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], len(keys)),
            "age_band": rng.choice(["10-12", "13-17"], len(keys)),
        },
        index=keys,
    )
    predictions = pd.concat([model, rule], ignore_index=True)
    return SimpleNamespace(predictions=predictions, capacity=30), groups


def test_audit_backtest_equals_a_direct_audit(result):
    backtest, groups = result
    audit = audit_backtest(backtest, groups, n_resamples=20, random_state=1)
    preds = backtest.predictions.query("model == 'model'")
    direct = audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        groups.reindex(pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])).reset_index(
            drop=True
        ),
        capacity=30,
        periods=preds["as_of_date"].to_numpy(),
        clusters=preds["person_id"].to_numpy(),
        n_resamples=20,
        random_state=1,
    )
    pd.testing.assert_frame_equal(audit.by_group, direct.by_group)
    assert audit.capacity == 30  # the backtest's


def test_every_predicted_row_needs_its_groups(result):
    backtest, groups = result
    last = groups.index.get_level_values("as_of_date").max()
    with pytest.raises(ValueError, match="predicted rows have no groups"):
        audit_backtest(backtest, groups.drop(index=last, level="as_of_date"), n_resamples=5)


def test_a_capacity_is_required(result):
    backtest, groups = result
    without = SimpleNamespace(predictions=backtest.predictions, capacity=None)
    with pytest.raises(ValueError, match="give a capacity"):
        audit_backtest(without, groups, n_resamples=5)
    assert audit_backtest(without, groups, capacity=10, n_resamples=5).capacity == 10
