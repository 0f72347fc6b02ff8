"""The reliability Display: its bins are scikit-learn's calibration curve, drawn without pyplot."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve

from riskmodel.evaluation import ReliabilityDisplay


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
def test_bins_are_sklearn_calibration_curve(strategy):
    rng = np.random.default_rng(0)
    p = rng.beta(1, 8, 2000)
    y = rng.random(2000) < p
    display = ReliabilityDisplay.from_predictions(y, p, n_bins=8, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=8, strategy=strategy)
    np.testing.assert_array_equal(display.curves["prob_true"], prob_true)
    np.testing.assert_array_equal(display.curves["prob_pred"], prob_pred)
    assert (display.curves["model"] == "model").all()
    assert display.strategy == strategy


def test_from_backtest_bins_each_model_out_of_fold(small_backtest):
    display = ReliabilityDisplay.from_backtest(small_backtest, n_bins=5)
    assert display.curves["model"].unique().tolist() == ["model", "weak"]
    for name, part in small_backtest.predictions.groupby("model"):
        prob_true, prob_pred = calibration_curve(
            part["y_true"], part["y_score"], n_bins=5, strategy="quantile"
        )
        got = display.curves[display.curves["model"] == name]
        np.testing.assert_allclose(got["prob_true"], prob_true)
        np.testing.assert_allclose(got["prob_pred"], prob_pred)


def test_plot_returns_itself_with_a_figure_outside_pyplot(small_backtest, no_open_figures):
    display = ReliabilityDisplay.from_backtest(small_backtest)
    assert display.plot() is display
    assert isinstance(display.figure_, Figure)
    assert display.ax_.figure is display.figure_
    assert plt.get_fignums() == []
    # one line per model and the diagonal
    assert [line.get_label() for line in display.ax_.lines] == ["model", "weak", "perfect"]
    assert list(display.lines_) == ["model", "weak"]
    assert display.ax_.get_xlabel() == "mean predicted probability"
    assert display.ax_.get_ylabel() == "observed rate of care entry"


def test_plot_draws_on_the_axes_given(small_backtest, no_open_figures):
    fig = Figure()
    ax = fig.add_subplot()
    display = ReliabilityDisplay.from_backtest(small_backtest).plot(ax=ax, linewidth=3)
    assert display.ax_ is ax and display.figure_ is fig
    assert len(ax.lines) == 3
    assert display.lines_["model"].get_linewidth() == 3
    assert plt.get_fignums() == []
