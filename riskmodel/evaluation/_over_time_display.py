"""A backtest metric at each test as-of date: how steady the model is over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

import riskmodel._style as _style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from riskmodel.evaluation._backtest import BacktestResult

__all__ = ["OverTimeDisplay"]

_LABELS = {"roc_auc": "Ranking (AUC)", "average_precision": "Average precision"}


class OverTimeDisplay:
    """One metric at each test as-of date of a backtest, one line per model.

    Make one with :meth:`from_backtest`, then call :meth:`plot`.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per model and as-of date: ``model``, ``as_of_date``, ``value``.
    metric : str
        The metric's name (a column of a :class:`~riskmodel.BacktestResult`'s
        ``by_date`` table), used in the labels.

    Attributes
    ----------
    lines_ : dict of str to matplotlib.lines.Line2D
        The line of each model, after :meth:`plot`.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``; not registered with pyplot when :meth:`plot` made it.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel.evaluation import OverTimeDisplay
    >>> values = pd.DataFrame(
    ...     {
    ...         "model": ["model", "model"],
    ...         "as_of_date": pd.to_datetime(["2022-04-01", "2022-07-01"]),
    ...         "value": [0.81, 0.79],
    ...     }
    ... )
    >>> display = OverTimeDisplay(values, metric="roc_auc").plot()
    >>> display.ax_.get_ylabel()
    'Ranking (AUC)'
    """

    def __init__(self, values: pd.DataFrame, *, metric: str) -> None:
        self.values = values
        self.metric = metric

    @classmethod
    def from_backtest(
        cls, result: BacktestResult, *, metric: str = "average_precision"
    ) -> OverTimeDisplay:
        """Read one metric at each test as-of date from a backtest.

        Parameters
        ----------
        result : BacktestResult
            From :func:`~riskmodel.backtest`; its ``by_date`` table is read.
        metric : str, default "average_precision"
            A column of ``result.by_date``: ``roc_auc``, ``average_precision``,
            ``observed``, ``expected`` or ``n``.

        Returns
        -------
        OverTimeDisplay

        Raises
        ------
        KeyError
            If ``result.by_date`` has no column ``metric``.
        """
        by_date = result.by_date
        if metric not in by_date.columns:
            known = ", ".join(c for c in by_date.columns if c not in ("model", "as_of_date"))
            raise KeyError(f"no metric {metric!r} at each as-of date; the backtest has {known}")
        values = by_date[["model", "as_of_date", metric]].rename(columns={metric: "value"})
        return cls(values.reset_index(drop=True), metric=metric)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> OverTimeDisplay:
        """Draw the metric against the as-of date, one line per model.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; by default a new figure (not registered with pyplot).
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.plot` for every model's line.

        Returns
        -------
        OverTimeDisplay
            ``self``, with ``lines_``, ``ax_`` and ``figure_`` set.
        """
        self.figure_, self.ax_ = _style.figure_and_axes(ax, _style.OVER_TIME_SIZE)
        self.lines_ = {}
        groups = self.values.groupby("model", sort=False)
        for (name, part), colour in zip(groups, _style.series_colours(), strict=False):
            part = part.sort_values("as_of_date")
            style = {"marker": ".", "color": colour, "label": str(name), **kwargs}
            (self.lines_[str(name)],) = self.ax_.plot(part["as_of_date"], part["value"], **style)
        label = _LABELS.get(self.metric, self.metric.replace("_", " "))
        self.ax_.set(xlabel="as-of date", ylabel=label, title=f"{label} at each test as-of date")
        self.ax_.tick_params(axis="x", labelrotation=30)
        _style.style_axes(self.ax_)
        return self
