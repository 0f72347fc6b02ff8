"""One figure style for the evaluation Displays and the review report's figures.

Sizes, colours and fonts live here, so that a reliability diagram looks the same in a
notebook, in an MLflow run and in the review report. Figures are
:class:`matplotlib.figure.Figure` objects made directly, never through ``pyplot``: the
library leaves no open figures behind and needs no display. matplotlib is imported
only inside the functions, so importing the package stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import cycle
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
"""Resolution of every figure, on screen and in PNG files."""

FONT_SIZE = 9
"""Axis labels and tick labels."""
TITLE_SIZE = 11
LEGEND_SIZE = 8
GRID_ALPHA = 0.3

BLUE = "#0969da"
ORANGE = "#bc4c00"
GREEN = "#1a7f37"
PURPLE = "#8250df"
PINK = "#bf3989"
RED = "#cf222e"
"""Reserved for what is flagged; never a series colour."""
GREY = "#6e7781"
LIGHT_GREY = "#d0d7de"
PALE_BLUE = "#e8f1fb"
SERIES = (BLUE, ORANGE, GREEN, PURPLE, PINK, GREY)
"""Colours of successive series (models), in order."""

RELIABILITY_SIZE = (7.0, 5.0)
CAPACITY_SIZE = (8.0, 5.0)
OVER_TIME_SIZE = (5.5, 4.2)
SPLIT_WIDTH = 8.0
FOREST_WIDTH = 8.0
IMPORTANCE_WIDTH = 9.0
ROW_HEIGHT = 0.32
"""Height per labelled row (a group, a feature) of a figure with one row per item."""
FOLD_HEIGHT = 0.6
"""Height per fold of a split figure."""
MARGIN_HEIGHT = 1.2
"""Height of a figure's title and axis, beyond its rows."""
MIN_HEIGHT = 2.5


def new_figure(width: float = 8.0, height: float = 4.5, ncols: int = 1) -> tuple[Figure, Any]:
    """Make a figure (not registered with pyplot) and its axes.

    Parameters
    ----------
    width, height : float
        Size in inches.
    ncols : int, default 1
        Number of axes side by side.

    Returns
    -------
    figure : matplotlib.figure.Figure
    axes : matplotlib.axes.Axes or numpy.ndarray of them
        One Axes when ``ncols`` is 1, else an array of ``ncols`` Axes.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig, fig.subplots(1, ncols)


def rows_height(n_rows: int, row_height: float = ROW_HEIGHT) -> float:
    """Height in inches of a figure with one row per item, at least :data:`MIN_HEIGHT`."""
    return max(MIN_HEIGHT, MARGIN_HEIGHT + row_height * n_rows)


def figure_and_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``ax`` and its figure, or a new figure of ``size`` and its one axes."""
    if ax is None:
        return new_figure(*size)
    return ax.get_figure(root=True), ax


def series_colours() -> Iterator[str]:
    """Colours for successive series, repeating when there are more than :data:`SERIES`."""
    return cycle(SERIES)


def style_axes(ax: Axes, *, grid: str | None = "both", legend: bool = True) -> None:
    """Apply the package's fonts and grid to drawn axes, and add a legend if asked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    grid : {"both", "x", "y"} or None, default "both"
        Which grid lines to draw (light); None for none.
    legend : bool, default True
        Add a legend of the labelled artists.
    """
    ax.title.set_fontsize(TITLE_SIZE)
    ax.xaxis.label.set_fontsize(FONT_SIZE)
    ax.yaxis.label.set_fontsize(FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    if grid is not None:
        ax.grid(True, axis=grid, alpha=GRID_ALPHA)
    if legend:
        ax.legend(fontsize=LEGEND_SIZE)
