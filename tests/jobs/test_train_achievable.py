"""The training job passes the best achievable from the records when the truth can give it."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from riskmodel.jobs._train import _achievable_probabilities, _true_probabilities


def _frame():
    keys = pd.DataFrame(
        {"person_id": ["a", "b"], "as_of_date": pd.to_datetime(["2020-01-01"] * 2)}
    )
    return SimpleNamespace(keys=keys, horizon_months=12)


class _Truth:
    def __init__(self):
        self.calls = []

    def for_keys(self, keys, *, horizon_months):
        return np.full(len(keys), 0.1)

    def achievable_for_keys(self, data, keys, *, horizon_months):
        self.calls.append((data, len(keys), horizon_months))
        return np.full(len(keys), 0.05)


def test_achievable_is_asked_of_the_truth_with_the_data_and_the_frame_keys():
    truth = _Truth()
    data = SimpleNamespace(truth=truth)
    values = _achievable_probabilities(data, _frame())
    np.testing.assert_array_equal(values, [0.05, 0.05])
    assert truth.calls == [(data, 2, 12)]


def test_no_achievable_without_a_truth_or_without_the_method():
    assert _achievable_probabilities(SimpleNamespace(truth=None), _frame()) is None
    older = SimpleNamespace(for_keys=_Truth().for_keys)  # a truth from before the method
    data = SimpleNamespace(truth=older)
    assert _achievable_probabilities(data, _frame()) is None
    assert _true_probabilities(data, _frame()) is not None
