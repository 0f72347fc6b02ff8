"""Capacity curves: precision and recall at k, for each size k of the list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

import riskmodel._style as _style
from riskmodel.evaluation._keys import WEIGHT, row_weights
from riskmodel.metrics._capacity_per_date import per_date_at_k

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from riskmodel.evaluation._backtest import BacktestResult

__all__ = ["CapacityDisplay"]

_N_POINTS = 25


class CapacityDisplay:
    """Precision and recall at k, averaged over as-of dates, for one or more models.

    At each as-of date the ``k`` highest scores are flagged; precision (the share of
    flagged children who entered care) and recall (the share of those who entered
    care who were flagged) are averaged over the as-of dates, for k from 1 to
    ``max_k``. Recall is averaged over the dates with at least one care entry. Make
    one with :meth:`from_backtest` or :meth:`from_predictions`, then call :meth:`plot`.

    Parameters
    ----------
    curves : pandas.DataFrame
        One row per model and k: ``model``, ``k``, ``precision``, ``recall``.
    capacity : int, optional
        The service's capacity per as-of date, marked by a vertical line.

    Attributes
    ----------
    lines_ : dict of str to tuple of matplotlib.lines.Line2D
        The precision and recall lines of each model, after :meth:`plot`.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``; not registered with pyplot when :meth:`plot` made it.

    Examples
    --------
    >>> import numpy as np
    >>> from riskmodel.evaluation import CapacityDisplay
    >>> rng = np.random.default_rng(0)
    >>> y, score = rng.random(500) < 0.1, rng.random(500)
    >>> display = CapacityDisplay.from_predictions(y, score, max_k=50, capacity=20)
    >>> display.curves.columns.tolist()
    ['model', 'k', 'precision', 'recall']
    >>> display = display.plot()
    """

    def __init__(self, curves: pd.DataFrame, *, capacity: int | None = None) -> None:
        self.curves = curves
        self.capacity = capacity

    @classmethod
    def from_predictions(
        cls,
        y_true: ArrayLike,
        y_score: ArrayLike,
        *,
        as_of_dates: ArrayLike | None = None,
        name: str = "model",
        max_k: int | None = None,
        capacity: int | None = None,
    ) -> CapacityDisplay:
        """Precision and recall at k of one model's scores.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Outcomes coded 0/1 (or False/True).
        y_score : array-like of shape (n_samples,)
            Scores, higher meaning flagged first.
        as_of_dates : array-like of shape (n_samples,), optional
            The as-of date of each row: each date's list is cut at k separately. By
            default all rows form one list.
        name : str, default "model"
            The model's name in the legend.
        max_k : int, optional
            Largest k. By default the smallest list's length, capped at four times
            the capacity (or 200 without one) and at least 100.
        capacity : int, optional
            Marked by a vertical line.

        Returns
        -------
        CapacityDisplay
        """
        dates = np.zeros(len(y_score)) if as_of_dates is None else as_of_dates
        table = pd.DataFrame(
            {"model": name, "as_of_date": dates, "y_true": y_true, "y_score": y_score}
        )
        return cls(_curves(table, max_k, capacity), capacity=capacity)

    @classmethod
    def from_backtest(cls, result: BacktestResult, *, max_k: int | None = None) -> CapacityDisplay:
        """Precision and recall at k of each model's out-of-fold predictions in a backtest.

        Parameters
        ----------
        result : BacktestResult
            From :func:`~riskmodel.backtest`; its ``predictions`` (each test as-of
            date a list) and ``capacity`` are read. On a sampled backtest (a
            ``sample_weight`` column) a row counts as its weight, in ``k`` too, so
            the curves estimate those of the unsampled lists.
        max_k : int, optional
            Largest k; the default is as for :meth:`from_predictions`.

        Returns
        -------
        CapacityDisplay
        """
        return cls(_curves(result.predictions, max_k, result.capacity), capacity=result.capacity)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> CapacityDisplay:
        """Draw precision (solid) and recall (dashed) against k, one colour per model.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; by default a new figure (not registered with pyplot).
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.plot` for every line.

        Returns
        -------
        CapacityDisplay
            ``self``, with ``lines_``, ``ax_`` and ``figure_`` set.
        """
        self.figure_, self.ax_ = _style.figure_and_axes(ax, _style.CAPACITY_SIZE)
        self.lines_ = {}
        groups = self.curves.groupby("model", sort=False)
        for (name, part), colour in zip(groups, _style.series_colours(), strict=False):
            style = {"color": colour, **kwargs}
            (precision,) = self.ax_.plot(
                part["k"], part["precision"], **{"label": f"{name}: precision", **style}
            )
            (recall,) = self.ax_.plot(
                part["k"],
                part["recall"],
                **{"label": f"{name}: recall", "linestyle": "--", **style},
            )
            self.lines_[str(name)] = (precision, recall)
        if self.capacity:
            self.ax_.axvline(
                self.capacity, color=_style.GREY, linewidth=1, label=f"capacity {self.capacity}"
            )
        self.ax_.set(
            xlabel="children flagged per as-of date (k)",
            ylabel="rate",
            title="Precision and recall at k",
        )
        _style.style_axes(self.ax_)
        return self


def _default_max_k(list_sizes: pd.Series, capacity: int | None) -> int:
    """Return the smallest list's length, capped at 4 x capacity (200 without), at least 100."""
    return int(min(list_sizes.min(), max(4 * (capacity or 50), 100)))


def _curves(predictions: pd.DataFrame, max_k: int | None, capacity: int | None) -> pd.DataFrame:
    """Precision and recall at each k, per model, from ``model``, ``as_of_date``, y columns."""
    lists = predictions.groupby(["model", "as_of_date"], sort=False)
    sizes = lists[WEIGHT].sum() if WEIGHT in predictions.columns else lists.size()
    ks = np.unique(np.linspace(1, max_k or _default_max_k(sizes, capacity), _N_POINTS).astype(int))
    parts = []
    for name, part in predictions.groupby("model", sort=False):
        precision, recall = _mean_over_dates(part, ks)
        parts.append(
            pd.DataFrame({"model": str(name), "k": ks, "precision": precision, "recall": recall})
        )
    return pd.concat(parts, ignore_index=True)


def _mean_over_dates(part: pd.DataFrame, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision at each k averaged over the as-of dates; recall over dates with a positive."""
    y, s = part["y_true"].to_numpy(float), part["y_score"].to_numpy(float)
    dates, w = part["as_of_date"].to_numpy(), row_weights(part)
    at_k = np.array([per_date_at_k(y, s, dates, int(k), w) for k in ks])
    return at_k[:, 0], at_k[:, 1]
