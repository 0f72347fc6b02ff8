"""Displays of a backtest: reliability diagram, capacity curves, metric over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.metrics import precision_at_k, recall_at_k

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_capacity", "plot_over_time", "plot_reliability"]


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6, 4.5))[1]


def plot_reliability(predictions: pd.DataFrame, ax: Axes | None = None, n_bins: int = 10) -> Axes:
    """Mean predicted against observed rate in quantile bins, one line per model."""
    ax = _axes(ax)
    top = 0.0
    for name, part in predictions.groupby("model", sort=False):
        bins = pd.qcut(part["y_score"].rank(method="first"), n_bins, labels=False)
        grouped = part.groupby(bins)[["y_score", "y_true"]].mean()
        ax.plot(grouped["y_score"], grouped["y_true"], marker="o", label=str(name))
        top = max(top, grouped.to_numpy().max())
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="perfect")
    ax.set(
        xlabel="mean predicted probability",
        ylabel="observed rate of care entry",
        title="Reliability (out-of-fold, quantile bins)",
    )
    ax.legend(fontsize="small")
    return ax


def plot_capacity(
    predictions: pd.DataFrame,
    ax: Axes | None = None,
    max_k: int | None = None,
    capacity: int | None = None,
) -> Axes:
    """Precision and recall at k, averaged over as-of dates, for each model."""
    ax = _axes(ax)
    per_date = predictions.groupby("as_of_date").size()
    max_k = int(max_k or min(per_date.min(), max(4 * (capacity or 50), 100)))
    ks = np.unique(np.linspace(1, max_k, 25).astype(int))
    for name, part in predictions.groupby("model", sort=False):
        prec, rec = [], []
        for k in ks:
            p_k, r_k = [], []
            for _, day in part.groupby("as_of_date"):
                y, s = day["y_true"].to_numpy(), day["y_score"].to_numpy()
                p_k.append(precision_at_k(y, s, k))
                if y.sum():
                    r_k.append(recall_at_k(y, s, k))
            prec.append(np.mean(p_k))
            rec.append(np.mean(r_k) if r_k else np.nan)
        (line,) = ax.plot(ks, prec, label=f"{name}: precision")
        ax.plot(ks, rec, linestyle="--", color=line.get_color(), label=f"{name}: recall")
    if capacity:
        ax.axvline(capacity, color="grey", linewidth=1, label=f"capacity {capacity}")
    ax.set(
        xlabel="children flagged per as-of date (k)",
        ylabel="rate",
        title="Precision and recall at k",
    )
    ax.legend(fontsize="x-small")
    return ax


def plot_over_time(
    by_date: pd.DataFrame, metric: str = "average_precision", ax: Axes | None = None
) -> Axes:
    """Plot a metric at each test as-of date, one line per model."""
    ax = _axes(ax)
    for name, part in by_date.groupby("model", sort=False):
        part = part.sort_values("as_of_date")
        ax.plot(part["as_of_date"], part[metric], marker=".", label=str(name))
    ax.set(xlabel="as-of date", ylabel=metric.replace("_", " "), title=f"{metric} over time")
    ax.legend(fontsize="small")
    return ax
