"""Figures of the review report, embedded in the page as base64 PNG images.

Figures are drawn on :class:`matplotlib.figure.Figure` objects, never through
``pyplot``, so rendering a report leaves no open figures and needs no display.
matplotlib is imported only here, inside the functions.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.reports._html import esc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def new_figure(width: float = 8.0, height: float = 4.5, ncols: int = 1) -> tuple[Figure, Any]:
    """Make a figure (not registered with pyplot) and its axes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig, fig.subplots(1, ncols)


def png_bytes(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (no creation-software metadata, so output is stable)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def figure_html(fig: Figure, alt: str, caption: str) -> str:
    """Embed a figure as ``<figure><img src="data:image/png;base64,...">`` with a caption."""
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def over_time(backtest: Any) -> Figure:
    """Ranking (AUC) and average precision at each test as-of date, per model."""
    fig, axes = new_figure(11, 4.2, ncols=2)
    for ax, metric, label in zip(
        axes,
        ("roc_auc", "average_precision"),
        ("Ranking (AUC)", "Average precision"),
        strict=True,
    ):
        backtest.plot_over_time(metric, ax=ax)
        ax.set(title=f"{label} at each test as-of date", ylabel=label)
        ax.tick_params(axis="x", labelrotation=30)
        ax.grid(alpha=0.3)
    axes[1].get_legend().remove()
    return fig


def reliability(backtest: Any, n_bins: int = 10) -> Figure:
    """Reliability diagram of the pooled out-of-fold predictions."""
    fig, ax = new_figure(7, 5)
    backtest.plot_reliability(ax=ax, n_bins=n_bins)
    ax.grid(alpha=0.3)
    return fig


def capacity(backtest: Any, max_k: int | None = None) -> Figure:
    """Precision and recall at k for each model, with the capacity marked."""
    fig, ax = new_figure(8, 5)
    backtest.plot_capacity(ax=ax, max_k=max_k)
    ax.grid(alpha=0.3)
    return fig


def forest(
    rows: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    reference: float | None = None,
    band: tuple[float, float] | None = None,
) -> Figure:
    """Point and interval per row (columns ``label``, ``value``, ``lower``, ``upper``).

    Rows whose ``flag`` column is true are drawn in red. ``reference`` adds a vertical
    line (1 for a ratio) and ``band`` shades the range that is not flagged.
    """
    height = 1.2 + 0.32 * len(rows)
    fig, ax = new_figure(8, max(2.5, height))
    y = np.arange(len(rows))[::-1]
    flags = rows["flag"].to_numpy(bool) if "flag" in rows else np.zeros(len(rows), bool)
    value = rows["value"].to_numpy(float)
    lower = np.where(np.isnan(rows["lower"].to_numpy(float)), value, rows["lower"])
    upper = np.where(np.isnan(rows["upper"].to_numpy(float)), value, rows["upper"])
    if band is not None:
        ax.axvspan(*band, color="#e8f1fb", label="not flagged range")
    if reference is not None:
        ax.axvline(reference, color="grey", linewidth=1)
    for colour, mask in (("#0969da", ~flags), ("#cf222e", flags)):
        # Lines from lower to upper, not error bars: a percentile bootstrap interval
        # can leave out its own point estimate (few resamples, a skewed ratio), which
        # matplotlib's non-negative error lengths cannot draw.
        ax.hlines(y[mask], lower[mask], upper[mask], color=colour)
        ax.plot(value[mask], y[mask], "o", color=colour)
    ax.set_yticks(y, rows["label"].astype(str).tolist())
    ax.set(title=title, xlabel=xlabel)
    ax.grid(axis="x", alpha=0.3)
    return fig


def importance(table: pd.DataFrame, labels: Sequence[str]) -> Figure:
    """Horizontal bars of mean absolute contribution, largest at the top."""
    height = 1.2 + 0.3 * len(table)
    fig, ax = new_figure(9, max(2.5, height))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["mean_abs_shap"].to_numpy(float), color="#0969da")
    ax.set_yticks(y, list(labels))
    ax.set(
        title="What moves the scores most",
        xlabel="mean absolute contribution to the score (log-odds)",
    )
    ax.grid(axis="x", alpha=0.3)
    return fig
