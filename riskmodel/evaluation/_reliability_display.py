"""Reliability diagram: observed rate of care entry against mean predicted probability."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import riskmodel._style as _style
from riskmodel.evaluation._keys import WEIGHT, row_weights

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from riskmodel.evaluation._backtest import BacktestResult

__all__ = ["ReliabilityDisplay"]


class ReliabilityDisplay:
    """Reliability diagram of one or more models' predicted probabilities.

    Predictions are put into bins; each bin's mean predicted probability is drawn
    against the observed rate of care entry in it, one line per model. A calibrated
    model's points lie on the diagonal. Make one with :meth:`from_backtest` or
    :meth:`from_predictions`, then call :meth:`plot`.

    Parameters
    ----------
    curves : pandas.DataFrame
        One row per non-empty bin and model: ``model``, ``prob_pred`` (mean predicted
        probability in the bin) and ``prob_true`` (observed rate in the bin), as
        :func:`sklearn.calibration.calibration_curve` returns them for each model.
    strategy : {"quantile", "uniform"}, default "quantile"
        How the bins were made: equal numbers of predictions, or equal widths.

    Attributes
    ----------
    lines_ : dict of str to matplotlib.lines.Line2D
        The line of each model, after :meth:`plot`.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``; not registered with pyplot when :meth:`plot` made it.

    See Also
    --------
    sklearn.calibration.CalibrationDisplay : The same diagram for one estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from riskmodel.evaluation import ReliabilityDisplay
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.5, 1000)
    >>> y = rng.random(1000) < p
    >>> display = ReliabilityDisplay.from_predictions(y, p, n_bins=10, strategy="uniform")
    >>> len(display.curves)  # the five bins above 0.5 are empty, so left out
    5
    >>> display = display.plot()
    >>> display.figure_ is display.ax_.figure
    True
    """

    def __init__(self, curves: pd.DataFrame, *, strategy: str = "quantile") -> None:
        self.curves = curves
        self.strategy = strategy

    @classmethod
    def from_predictions(
        cls,
        y_true: ArrayLike,
        y_score: ArrayLike,
        *,
        name: str = "model",
        n_bins: int = 10,
        strategy: str = "quantile",
    ) -> ReliabilityDisplay:
        """Bin one model's predicted probabilities against the outcomes.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Outcomes coded 0/1 (or False/True).
        y_score : array-like of shape (n_samples,)
            Predicted probabilities, in [0, 1].
        name : str, default "model"
            The model's name in the legend.
        n_bins : int, default 10
            Number of bins; empty bins are left out.
        strategy : {"quantile", "uniform"}, default "quantile"
            Bins with equal numbers of predictions, or of equal widths on [0, 1].

        Returns
        -------
        ReliabilityDisplay
        """
        return cls(_curves({name: (y_true, y_score)}, n_bins, strategy), strategy=strategy)

    @classmethod
    def from_backtest(
        cls, result: BacktestResult, *, n_bins: int = 10, strategy: str = "quantile"
    ) -> ReliabilityDisplay:
        """Bin the pooled out-of-fold predictions of each model in a backtest.

        Parameters
        ----------
        result : BacktestResult
            From :func:`~riskmodel.backtest`; its ``predictions`` are read.
        n_bins : int, default 10
            Number of bins per model; empty bins are left out.
        strategy : {"quantile", "uniform"}, default "quantile"
            Bins with equal numbers of predictions, or of equal widths on [0, 1].
            On a sampled backtest (a ``sample_weight`` column) the bins are those of
            the weighted expected calibration error (quantiles of the weighted
            predictions), and each bin's mean prediction and observed rate are
            weighted: estimates of the unsampled frame's.

        Returns
        -------
        ReliabilityDisplay
        """
        groups = result.predictions.groupby("model", sort=False)
        if WEIGHT in result.predictions.columns:
            curves = pd.concat(
                [_weighted_curve(str(name), part, n_bins, strategy) for name, part in groups],
                ignore_index=True,
            )
            return cls(curves, strategy=strategy)
        models = {str(name): (part["y_true"], part["y_score"]) for name, part in groups}
        return cls(_curves(models, n_bins, strategy), strategy=strategy)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> ReliabilityDisplay:
        """Draw one line per model and the diagonal of perfect calibration.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; by default a new figure (not registered with pyplot).
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.plot` for every model's line.

        Returns
        -------
        ReliabilityDisplay
            ``self``, with ``lines_``, ``ax_`` and ``figure_`` set.
        """
        self.figure_, self.ax_ = _style.figure_and_axes(ax, _style.RELIABILITY_SIZE)
        self.lines_ = {}
        groups = self.curves.groupby("model", sort=False)
        for (name, part), colour in zip(groups, _style.series_colours(), strict=False):
            style = {"marker": "o", "color": colour, "label": str(name), **kwargs}
            (self.lines_[str(name)],) = self.ax_.plot(
                part["prob_pred"], part["prob_true"], **style
            )
        top = float(self.curves[["prob_pred", "prob_true"]].to_numpy().max(initial=0.0))
        self.ax_.plot(
            [0, top], [0, top], color=_style.GREY, linestyle="--", linewidth=1, label="perfect"
        )
        self.ax_.set(
            xlabel="mean predicted probability",
            ylabel="observed rate of care entry",
            title=f"Reliability ({self.strategy} bins)",
        )
        _style.style_axes(self.ax_)
        return self


def _curves(
    models: Mapping[str, tuple[ArrayLike, ArrayLike]], n_bins: int, strategy: str
) -> pd.DataFrame:
    """Calibration curve of each model, as one tidy table."""
    from sklearn.calibration import calibration_curve

    parts = []
    for name, (y_true, y_score) in models.items():
        prob_true, prob_pred = calibration_curve(
            np.asarray(y_true).astype(int), y_score, n_bins=n_bins, strategy=strategy
        )
        parts.append(pd.DataFrame({"model": name, "prob_pred": prob_pred, "prob_true": prob_true}))
    return pd.concat(parts, ignore_index=True)


def _weighted_curve(name: str, part: pd.DataFrame, n_bins: int, strategy: str) -> pd.DataFrame:
    """One model's weighted calibration curve, in the bins of the weighted ECE."""
    from riskmodel.metrics._calibration import bin_sums

    weight, sum_p, sum_y = bin_sums(
        part["y_true"].to_numpy(float),
        part["y_score"].to_numpy(float),
        row_weights(part),
        n_bins,
        strategy,
    )
    full = weight > 0
    return pd.DataFrame(
        {
            "model": name,
            "prob_pred": sum_p[full] / weight[full],
            "prob_true": sum_y[full] / weight[full],
        }
    )
