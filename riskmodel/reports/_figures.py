"""Figures of the review report, embedded in the page as base64 PNG images.

The backtest's figures are the evaluation Displays themselves (reliability, capacity,
metrics over time), so a figure looks the same in the report, in a notebook and in an
MLflow run; the report's own figures (forest plots, importance bars) use the same style
(``riskmodel._style``). Figures are :class:`matplotlib.figure.Figure` objects, never
``pyplot`` ones, so rendering a report leaves no open figures and needs no display.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import riskmodel._style as _style
from riskmodel._style import DPI, new_figure
from riskmodel.evaluation import CapacityDisplay, OverTimeDisplay, ReliabilityDisplay

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "capacity",
    "figure_html",
    "forest",
    "importance",
    "new_figure",
    "over_time",
    "png_bytes",
    "reliability",
]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_bytes(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (no creation-software metadata, so output is stable)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def figure_html(fig: Figure, alt: str, caption: str) -> str:
    """Embed a figure as ``<figure><img src="data:image/png;base64,...">`` with a caption.

    The alt text and caption are escaped here, so the result is safe HTML.
    """
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def over_time(backtest: Any) -> Figure:
    """Ranking (AUC) and average precision at each test as-of date, per model."""
    width, height = _style.OVER_TIME_SIZE
    fig, axes = new_figure(2 * width, height, ncols=2)
    for ax, metric in zip(axes, ("roc_auc", "average_precision"), strict=True):
        OverTimeDisplay.from_backtest(backtest, metric=metric).plot(ax=ax)
    axes[1].get_legend().remove()
    return fig


def reliability(backtest: Any, n_bins: int = 10) -> Figure:
    """Reliability diagram of the pooled out-of-fold predictions."""
    return ReliabilityDisplay.from_backtest(backtest, n_bins=n_bins).plot().figure_


def capacity(backtest: Any, max_k: int | None = None) -> Figure:
    """Precision and recall at k for each model, with the capacity marked."""
    return CapacityDisplay.from_backtest(backtest, max_k=max_k).plot().figure_


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
    fig, ax = new_figure(_style.FOREST_WIDTH, _style.rows_height(len(rows)))
    y = np.arange(len(rows))[::-1]
    flags = rows["flag"].to_numpy(bool) if "flag" in rows else np.zeros(len(rows), bool)
    value = rows["value"].to_numpy(float)
    lower = np.where(np.isnan(rows["lower"].to_numpy(float)), value, rows["lower"])
    upper = np.where(np.isnan(rows["upper"].to_numpy(float)), value, rows["upper"])
    if band is not None:
        ax.axvspan(*band, color=_style.PALE_BLUE, label="not flagged range")
    if reference is not None:
        ax.axvline(reference, color=_style.GREY, linewidth=1)
    for colour, mask in ((_style.BLUE, ~flags), (_style.RED, flags)):
        # Lines from lower to upper, not error bars: a percentile bootstrap interval
        # can leave out its own point estimate (few resamples, a skewed ratio), which
        # matplotlib's non-negative error lengths cannot draw.
        ax.hlines(y[mask], lower[mask], upper[mask], color=colour)
        ax.plot(value[mask], y[mask], "o", color=colour)
    ax.set_yticks(y, rows["label"].astype(str).tolist())
    ax.set(title=title, xlabel=xlabel)
    _style.style_axes(ax, grid="x", legend=False)
    return fig


def importance(table: pd.DataFrame, labels: Sequence[str]) -> Figure:
    """Horizontal bars of mean absolute contribution, largest at the top."""
    fig, ax = new_figure(_style.IMPORTANCE_WIDTH, _style.rows_height(len(table)))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["mean_abs_shap"].to_numpy(float), color=_style.BLUE)
    ax.set_yticks(y, list(labels))
    ax.set(
        title="What moves the scores most",
        xlabel="mean absolute contribution to the score (log-odds)",
    )
    _style.style_axes(ax, grid="x", legend=False)
    return fig
