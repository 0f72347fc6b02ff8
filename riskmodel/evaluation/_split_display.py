"""The folds of a temporal split: training, gap and test periods of each fold.

The Display lives in evaluation, not beside :class:`~riskmodel.TemporalSplit`, so that
``splits`` stays free of plotting and every layer imports only the layers before it:
the Display reads the folds through the splitter's public ``split``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import riskmodel._style as _style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from riskmodel.splits import TemporalSplit

__all__ = ["TemporalSplitDisplay"]

_COLOURS = {"training": _style.BLUE, "gap": _style.LIGHT_GREY, "test": _style.ORANGE}


class TemporalSplitDisplay:
    """Each fold's training, gap and test periods as horizontal bands.

    Bands span from a part's first to its last as-of date, and a tick marks each
    as-of date, so a part with a single date is still visible. The grey band is the
    gap, at least the label horizon, in which training labels mature before the test
    period starts. Make one with :meth:`from_splitter`, then call :meth:`plot`.

    Parameters
    ----------
    train_dates, test_dates : list of pandas.DatetimeIndex
        The distinct as-of dates of each fold's training and test rows, oldest fold
        first.
    horizon_months, gap_months : int
        The label horizon and the gap of the splitter, for the title.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        The axes drawn on, after :meth:`plot`.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``; not registered with pyplot when :meth:`plot` made it.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel import TemporalSplit
    >>> from riskmodel.evaluation import TemporalSplitDisplay
    >>> dates = pd.date_range("2019-01-01", periods=48, freq="MS")
    >>> cv = TemporalSplit(3, test_duration=6, horizon_months=12)
    >>> display = TemporalSplitDisplay.from_splitter(cv, dates).plot()
    >>> [len(d) for d in display.test_dates]
    [6, 6, 6]
    """

    def __init__(
        self,
        train_dates: list[pd.DatetimeIndex],
        test_dates: list[pd.DatetimeIndex],
        *,
        horizon_months: int,
        gap_months: int,
    ) -> None:
        self.train_dates = train_dates
        self.test_dates = test_dates
        self.horizon_months = horizon_months
        self.gap_months = gap_months

    @classmethod
    def from_splitter(
        cls, splitter: TemporalSplit, X: Any, groups: Any = None
    ) -> TemporalSplitDisplay:
        """Read each fold's as-of dates from a splitter applied to some rows.

        Parameters
        ----------
        splitter : TemporalSplit
            The splitter whose folds are drawn.
        X : pandas.DataFrame, array-like of dates or None
            The rows, with an ``as_of_date`` index level or column (as for
            :meth:`TemporalSplit.split <riskmodel.TemporalSplit.split>`), or simply
            their as-of dates.
        groups : array-like of dates, optional
            The as-of date of each row, as for ``split``.

        Returns
        -------
        TemporalSplitDisplay

        Raises
        ------
        ValueError
            If the rows have no as-of dates, or too few for the splitter's folds.
        """
        rows = _as_of_dates(X, groups)
        folds = list(splitter.split(None, groups=rows))  # the splitter checks the dates
        dates = pd.DatetimeIndex(pd.to_datetime(np.asarray(rows).ravel()))
        return cls(
            [dates[train].unique() for train, _ in folds],
            [dates[test].unique() for _, test in folds],
            horizon_months=splitter.horizon_months_,
            gap_months=splitter.gap_months_,
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> TemporalSplitDisplay:
        """Draw three bands (training, gap, test) per fold, oldest fold at the top.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; by default a new figure (not registered with pyplot).
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.barh` for every band.

        Returns
        -------
        TemporalSplitDisplay
            ``self``, with ``ax_`` and ``figure_`` set.
        """
        n_folds = len(self.test_dates)
        size = (_style.SPLIT_WIDTH, _style.rows_height(n_folds, _style.FOLD_HEIGHT))
        self.figure_, self.ax_ = _style.figure_and_axes(ax, size)
        folds = zip(self.train_dates, self.test_dates, strict=True)
        for number, (train, test) in enumerate(folds, start=1):
            _draw_fold(self.ax_, number, train, test, kwargs)
        self.ax_.xaxis_date()
        used = pd.DatetimeIndex(np.concatenate([*self.train_dates, *self.test_dates]))
        pad = max((used.max() - used.min()) * 0.03, pd.Timedelta(days=15))
        self.ax_.set_xlim(used.min() - pad, used.max() + pad)
        numbers = range(1, n_folds + 1)
        self.ax_.set_yticks(numbers, [f"fold {f}" for f in numbers])
        self.ax_.invert_yaxis()
        self.ax_.set(
            xlabel="as-of date",
            title=f"Temporal splits (horizon {self.horizon_months} months, "
            f"gap {self.gap_months} months)",
        )
        _style.style_axes(self.ax_, grid=None, legend=False)
        self.ax_.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=_style.LEGEND_SIZE,
        )
        return self


def _as_of_dates(X: Any, groups: Any) -> Any:
    """Return the rows' as-of dates: ``groups``, X's as_of_date level or column, or X."""
    if groups is None and isinstance(X, pd.DataFrame | pd.Series):
        if "as_of_date" in (X.index.names or []):
            return X.index.get_level_values("as_of_date")
    source = X if groups is None else groups
    if isinstance(source, pd.DataFrame) and "as_of_date" in source.columns:
        return source["as_of_date"]
    return source


def _draw_fold(
    ax: Axes, y: int, train: pd.DatetimeIndex, test: pd.DatetimeIndex, kwargs: dict
) -> None:
    """Draw one fold's bands (training, gap, test) and a tick at each as-of date."""
    import matplotlib.dates as mdates

    bands = {
        "training": (train.min(), train.max()),
        "gap": (train.max(), test.min()),
        "test": (test.min(), test.max()),
    }
    for name, (start, end) in bands.items():
        left = mdates.date2num(start)
        style = {"height": 0.5, "color": _COLOURS[name], "label": name if y == 1 else None}
        ax.barh(y, mdates.date2num(end) - left, left=left, **{**style, **kwargs})
    for name, part in (("training", train), ("test", test)):
        ticks = mdates.date2num(part)
        ax.plot(ticks, np.full(len(part), y), "|", color=_COLOURS[name], ms=18, mew=2.5)
