"""Trend figures of the monitoring report: each realised metric over the runs.

Complete runs are joined by a solid line with their intervals; partial runs (whose
horizon has not passed) are hollow markers labelled "so far", never joined to the
complete line; the backtest's promised interval for the model version of each run is
a pale band behind it. Figures are :class:`matplotlib.figure.Figure` objects made
with ``riskmodel._style`` (no ``pyplot``), embedded like the review's figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import riskmodel._style as _style
from riskmodel.monitoring._result import MonitoringResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["COMPLETE_LABEL", "PARTIAL_LABEL", "PROMISE_LABEL", "so_far", "trend_figure"]

COMPLETE_LABEL = "complete runs"
PARTIAL_LABEL = "partial runs (so far)"
PROMISE_LABEL = "backtest's promised interval"
OUTSIDE_LABEL = "outside the promise"


def so_far(months: object, horizon: int) -> str:
    """Describe a partial run: ``"so far, 7 of 12 months"``."""
    return f"so far, {int(months)} of {horizon} months"  # type: ignore[call-overload]


def _half_width(dates: pd.DatetimeIndex) -> pd.Timedelta:
    """Half the narrowest gap between runs (45 days for a single run): a promise band's width."""
    gaps = pd.Series(dates.unique().sort_values()).diff().dropna()
    return gaps.min() * 0.4 if len(gaps) else pd.Timedelta(days=45)


def _draw_promise(ax, rows: pd.DataFrame, width: pd.Timedelta) -> None:
    labelled = False
    for row in rows.itertuples():
        lower, upper = float(row.promised_lower), float(row.promised_upper)
        if not (np.isfinite(lower) and np.isfinite(upper)):
            continue
        x = [row.as_of_date - width, row.as_of_date + width]
        label = None if labelled else PROMISE_LABEL
        ax.fill_between(
            x, lower, upper, color=_style.BLUE, alpha=0.15, label=label, lw=0, zorder=0
        )
        labelled = True


def trend_figure(
    result: MonitoringResult, metric: str, *, title: str, percent: bool = False
) -> Figure:
    """Draw one whole-list metric over the runs, against the backtest's promise.

    Parameters
    ----------
    result : MonitoringResult
        The realised performance.
    metric : str
        One of :data:`~riskmodel.monitoring.OVERALL_METRICS`.
    title : str
        The figure's title (the metric's plain name).
    percent : bool, default False
        Show the axis as percentages.

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled :data:`COMPLETE_LABEL` (complete runs only) and
        :data:`PARTIAL_LABEL` (hollow markers, no line), one "so far" annotation per
        partial run, and a band labelled :data:`PROMISE_LABEL` where known.
    """
    from matplotlib.ticker import PercentFormatter

    rows = result.overall().dropna(subset=["as_of_date"])  # pooled rows have no date
    rows = rows[rows["metric"] == metric].copy()
    rows["as_of_date"] = pd.to_datetime(rows["as_of_date"])
    rows = rows.sort_values("as_of_date")
    fig, ax = _style.new_figure(*_style.OVER_TIME_SIZE)
    dates = pd.DatetimeIndex(rows["as_of_date"])
    _draw_promise(ax, rows, _half_width(dates))
    complete = rows[rows["complete"].astype(bool)]
    partial = rows[~rows["complete"].astype(bool)]
    ax.vlines(complete["as_of_date"], complete["lower"], complete["upper"], color=_style.BLUE)
    ax.plot(
        complete["as_of_date"], complete["value"], "-o", color=_style.BLUE, label=COMPLETE_LABEL
    )
    ax.vlines(
        partial["as_of_date"],
        partial["lower"],
        partial["upper"],
        color=_style.ORANGE,
        linestyles="dotted",
    )
    ax.plot(
        partial["as_of_date"],
        partial["value"],
        linestyle="none",
        marker="o",
        markerfacecolor="white",
        markeredgecolor=_style.ORANGE,
        color=_style.ORANGE,
        label=PARTIAL_LABEL,
    )
    for row in partial.itertuples():
        if np.isfinite(float(row.value)):
            text = so_far(row.months_observed, result.horizon_months)
            ax.annotate(
                text,
                (row.as_of_date, row.value),
                xytext=(4, 6),
                textcoords="offset points",
                fontsize=_style.LEGEND_SIZE,
                color=_style.ORANGE,
            )
    outside = rows[rows["outside_promise"].astype(bool)]
    if len(outside):
        ax.plot(
            outside["as_of_date"], outside["value"], "o", color=_style.RED, label=OUTSIDE_LABEL
        )
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(title=title, xlabel="as-of date of the run")
    ax.tick_params(axis="x", labelrotation=30)
    _style.style_axes(ax, grid="y", legend=True)
    return fig
