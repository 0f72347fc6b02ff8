"""The capacity Display: precision and recall at k per as-of date, averaged, without pyplot."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from riskmodel.evaluation import CapacityDisplay
from riskmodel.metrics import precision_at_k, recall_at_k


def _direct(y, score, dates, k):
    """Precision at k averaged over the dates; recall over the dates with a positive."""
    days = [(y[dates == d], score[dates == d]) for d in np.unique(dates)]
    precision = np.mean([precision_at_k(yd, sd, k) for yd, sd in days])
    recall = np.mean([recall_at_k(yd, sd, k) for yd, sd in days if yd.sum()])
    return precision, recall


def test_each_list_is_cut_at_k_separately_and_averaged():
    rng = np.random.default_rng(0)
    dates = np.repeat(np.array(["2020-01-01", "2020-04-01", "2020-07-01"]), 300)
    y = rng.random(900) < 0.1
    y[dates == "2020-07-01"] = False  # no care entry: counted in precision, not in recall
    score = y + rng.normal(0, 1, 900)
    display = CapacityDisplay.from_predictions(y, score, as_of_dates=dates, max_k=60)
    assert display.curves["k"].iloc[0] == 1 and display.curves["k"].iloc[-1] == 60
    for row in display.curves.itertuples():
        precision, recall = _direct(y, score, dates, row.k)
        assert row.precision == pytest.approx(precision)
        assert row.recall == pytest.approx(recall)


def test_without_dates_all_rows_are_one_list():
    rng = np.random.default_rng(1)
    y, score = rng.random(400) < 0.2, rng.random(400)
    curves = CapacityDisplay.from_predictions(y, score, max_k=40).curves
    for row in curves.itertuples():
        assert row.precision == pytest.approx(precision_at_k(y, score, row.k))
        assert row.recall == pytest.approx(recall_at_k(y, score, row.k))


def test_default_largest_k_is_four_times_capacity_within_the_smallest_list():
    rng = np.random.default_rng(2)
    y, score = rng.random(1000) < 0.1, rng.random(1000)
    dates = np.repeat([1, 2], [600, 400])
    assert CapacityDisplay.from_predictions(y, score, capacity=30).curves["k"].max() == 120
    assert CapacityDisplay.from_predictions(y, score, as_of_dates=dates).curves["k"].max() == 200
    big = CapacityDisplay.from_predictions(y, score, as_of_dates=dates, capacity=500)
    assert big.curves["k"].max() == 400  # the smallest list


def test_from_backtest_reads_each_model_and_the_capacity(small_backtest):
    display = CapacityDisplay.from_backtest(small_backtest, max_k=30)
    assert display.capacity == small_backtest.capacity == 10
    assert display.curves["model"].unique().tolist() == ["model", "weak"]
    preds = small_backtest.predictions
    for name, part in preds.groupby("model"):
        got = display.curves[display.curves["model"] == name].iloc[-1]
        y, s, d = (part[c].to_numpy() for c in ("y_true", "y_score", "as_of_date"))
        assert (got["precision"], got["recall"]) == pytest.approx(_direct(y, s, d, 30))


def test_plot_returns_itself_with_a_figure_outside_pyplot(small_backtest, no_open_figures):
    display = CapacityDisplay.from_backtest(small_backtest)
    assert display.plot() is display
    assert isinstance(display.figure_, Figure)
    assert plt.get_fignums() == []
    labels = [line.get_label() for line in display.ax_.lines]
    assert labels == [
        "model: precision",
        "model: recall",
        "weak: precision",
        "weak: recall",
        "capacity 10",
    ]
    precision, recall = display.lines_["weak"]
    assert precision.get_color() == recall.get_color()
    assert recall.get_linestyle() == "--"


def test_plot_draws_on_the_axes_given(small_backtest, no_open_figures):
    fig = Figure()
    ax = fig.add_subplot()
    display = CapacityDisplay.from_backtest(small_backtest).plot(ax=ax, linewidth=0.5)
    assert display.ax_ is ax and display.figure_ is fig
    assert len(ax.lines) == 5
    assert display.lines_["model"][0].get_linewidth() == 0.5
    assert plt.get_fignums() == []
