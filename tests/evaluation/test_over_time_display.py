"""The over-time Display: a backtest metric at each test as-of date, drawn without pyplot."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import average_precision_score, roc_auc_score

from riskmodel.evaluation import OverTimeDisplay


@pytest.mark.parametrize(
    ("metric", "reference"),
    [("roc_auc", roc_auc_score), ("average_precision", average_precision_score)],
)
def test_values_are_the_metric_at_each_test_date(small_backtest, metric, reference):
    display = OverTimeDisplay.from_backtest(small_backtest, metric=metric)
    assert display.metric == metric
    preds = small_backtest.predictions
    assert len(display.values) == preds.groupby(["model", "as_of_date"]).ngroups
    for row in display.values.itertuples():
        day = preds[(preds["model"] == row.model) & (preds["as_of_date"] == row.as_of_date)]
        assert row.value == pytest.approx(reference(day["y_true"], day["y_score"]))


def test_an_unknown_metric_names_the_known_ones(small_backtest):
    with pytest.raises(KeyError, match=r"no metric 'recall'.*roc_auc, average_precision"):
        OverTimeDisplay.from_backtest(small_backtest, metric="recall")


def test_plot_returns_itself_with_a_figure_outside_pyplot(small_backtest, no_open_figures):
    display = OverTimeDisplay.from_backtest(small_backtest, metric="roc_auc")
    assert display.plot() is display
    assert isinstance(display.figure_, Figure)
    assert plt.get_fignums() == []
    assert [line.get_label() for line in display.ax_.lines] == ["model", "weak"]
    assert display.ax_.get_ylabel() == "Ranking (AUC)"
    dates = display.lines_["model"].get_xdata()
    assert len(dates) == 8 and (np.diff(dates).astype(float) > 0).all()


def test_plot_draws_on_the_axes_given(small_backtest, no_open_figures):
    fig = Figure()
    ax = fig.add_subplot()
    display = OverTimeDisplay.from_backtest(small_backtest).plot(ax=ax, marker="s")
    assert display.ax_ is ax and display.figure_ is fig
    assert len(ax.lines) == 2
    assert display.lines_["weak"].get_marker() == "s"
    assert display.ax_.get_ylabel() == "Average precision"
    assert plt.get_fignums() == []
