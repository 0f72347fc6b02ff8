"""Temporal (rolling-origin) splits over as-of dates.

A model that scores children at an as-of date is used on the future, so it has to be
evaluated on the future: each fold trains on as-of dates strictly earlier than its
test dates, with a gap of at least the label horizon so that no training label (a care
entry in ``(as_of_date, as_of_date + horizon_months]``) is observed inside the test period.
This follows the rolling-origin design of DSSG's triage ``timechop``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.cohort import check_months
from riskmodel.exceptions import LeakageError, SchemaError

__all__ = ["TemporalSplit"]

FOLD_COLUMNS = (
    "fold",
    "train_start",
    "train_end",
    "test_start",
    "test_end",
    "n_train_dates",
    "n_test_dates",
    "n_train",
    "n_test",
)


class TemporalSplit:
    """Rolling-origin cross-validation over as-of dates.

    The last fold's test window ends at the last as-of date and covers
    ``test_duration``; each earlier fold's window is ``test_duration`` earlier. A
    fold's training rows are those with ``as_of_date <= test_start - gap``, where
    ``test_start`` is the fold's first test as-of date, so every training label window
    ends on or before the test period begins. Folds are yielded oldest first.

    The splitter follows scikit-learn's conventions and can be passed as ``cv=`` to
    :func:`sklearn.model_selection.cross_validate` or a search.

    Parameters
    ----------
    n_splits : int, default 3
        Number of folds (at least 1).
    test_duration : int or str, default 12
        Length of each test window in months (``12`` or ``"12M"``).
    gap : int or str, optional
        Months between a fold's first test as-of date and its last allowed training
        as-of date. Defaults to ``horizon_months``; a smaller gap raises
        :class:`~riskmodel.exceptions.LeakageError`.
    horizon_months : int, default 12
        The label horizon in whole months, as given to
        :func:`~riskmodel.cohort.care_entry_labels`.
    max_train_duration : int or str, optional
        Keep only training as-of dates within this many months before (and including)
        a fold's last allowed training date. Default: all earlier history.
    min_train_dates : int, default 1
        Fewest distinct training as-of dates a fold may have.

    Attributes
    ----------
    gap_months_ : int
        The gap in months actually used.
    horizon_months_ : int
        The label horizon in months, checked.

    Raises
    ------
    LeakageError
        If ``gap`` is shorter than ``horizon_months``.
    ValueError
        If a parameter is not valid (``horizon_months`` must be a whole number of
        months, not a string such as ``"12M"``).

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.Series(pd.date_range("2019-04-01", periods=5, freq="12MS"))
    >>> cv = TemporalSplit(n_splits=2, test_duration=12, horizon_months=12)
    >>> for train, test in cv.split(None, groups=dates):
    ...     print(dates[train].dt.year.tolist(), dates[test].dt.year.tolist())
    [2019, 2020, 2021] [2022]
    [2019, 2020, 2021, 2022] [2023]
    """

    def __init__(
        self,
        n_splits: int = 3,
        *,
        test_duration: int | str = 12,
        gap: int | str | None = None,
        horizon_months: int = 12,
        max_train_duration: int | str | None = None,
        min_train_dates: int = 1,
    ) -> None:
        self.n_splits = n_splits
        self.test_duration = test_duration
        self.gap = gap
        self.horizon_months = horizon_months
        self.max_train_duration = max_train_duration
        self.min_train_dates = min_train_dates
        self._check_params()

    def __repr__(self) -> str:
        params = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in (
                "n_splits",
                "test_duration",
                "gap",
                "horizon_months",
                "max_train_duration",
                "min_train_dates",
            )
        )
        return f"TemporalSplit({params})"

    def _check_params(self) -> None:
        for name in ("n_splits", "min_train_dates"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        self.test_months_ = _duration_months(self.test_duration, "test_duration")
        self.horizon_months_ = check_months(self.horizon_months, "horizon_months")
        self.gap_months_ = (
            self.horizon_months_
            if self.gap is None
            else _duration_months(self.gap, "gap", least=0)
        )
        if self.gap_months_ < self.horizon_months_:
            raise LeakageError(
                f"gap of {self.gap_months_} months is shorter than the label horizon of "
                f"{self.horizon_months_} months: training labels would observe care entries "
                "inside the test period; use a gap of at least the horizon"
            )
        self.max_train_months_ = (
            None
            if self.max_train_duration is None
            else _duration_months(self.max_train_duration, "max_train_duration")
        )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return the number of folds.

        Parameters
        ----------
        X, y, groups : object
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        int
        """
        return int(self.n_splits)

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Generate training and test row positions for each fold, oldest fold first.

        Parameters
        ----------
        X : pandas.DataFrame, array-like or None
            The rows to split. Their as-of dates come from ``groups`` if given,
            otherwise from an ``as_of_date`` index level or column of ``X``.
        y : object
            Ignored; present for scikit-learn compatibility.
        groups : array-like of dates, optional
            The as-of date of each row.

        Yields
        ------
        train : numpy.ndarray
            Integer positions of the training rows.
        test : numpy.ndarray
            Integer positions of the test rows.

        Raises
        ------
        ValueError
            If the rows have no as-of dates, or there are too few as-of dates for
            ``n_splits`` folds.
        """
        dates = _row_dates(X, groups)
        for train, test in self._folds(dates):
            yield np.flatnonzero(train), np.flatnonzero(test)

    def _folds(self, dates: pd.DatetimeIndex) -> list[tuple[np.ndarray, np.ndarray]]:
        self._check_params()
        unique = dates.unique().sort_values()
        last = unique[-1]
        folds = []
        for k in reversed(range(self.n_splits)):
            test_end = last - pd.DateOffset(months=k * self.test_months_)
            test_from = last - pd.DateOffset(months=(k + 1) * self.test_months_)
            test_dates = unique[(unique > test_from) & (unique <= test_end)]
            if len(test_dates) == 0:
                raise SchemaError(
                    f"fold {self.n_splits - k} of {self.n_splits} has no as-of dates in its "
                    f"test window ({test_from.date()}, {test_end.date()}]; the as-of dates run "
                    f"from {unique[0].date()} to {last.date()}: use fewer folds or as-of "
                    "dates over a longer period"
                )
            train_end = test_dates[0] - pd.DateOffset(months=self.gap_months_)
            train_mask = unique <= train_end
            if self.max_train_months_ is not None:
                train_mask &= unique > train_end - pd.DateOffset(months=self.max_train_months_)
            if train_mask.sum() < self.min_train_dates:
                raise SchemaError(
                    f"not enough as-of dates for {self.n_splits} folds: fold "
                    f"{self.n_splits - k} (test from {test_dates[0].date()}) has "
                    f"{int(train_mask.sum())} training as-of date(s) on or before "
                    f"{train_end.date()} (test start minus a {self.gap_months_}-month gap), "
                    f"needs at least {self.min_train_dates}; the as-of dates run from "
                    f"{unique[0].date()} to {last.date()}"
                )
            train = dates.isin(unique[train_mask])
            test = dates.isin(test_dates)
            folds.append((np.asarray(train), np.asarray(test)))
        return folds

    def folds(self, X: Any, groups: Any = None) -> pd.DataFrame:
        """Describe each fold's training and test periods.

        Parameters
        ----------
        X : pandas.DataFrame, array-like or None
            The rows, as for :meth:`split`.
        groups : array-like of dates, optional
            The as-of date of each row, as for :meth:`split`. A bare sequence of
            as-of dates may also be given as ``X``.

        Returns
        -------
        pandas.DataFrame
            One row per fold (oldest first) with columns ``fold`` (1 = oldest),
            ``train_start``, ``train_end``, ``test_start``, ``test_end`` (first and last
            as-of dates of each part), ``n_train_dates``, ``n_test_dates``,
            ``n_train`` and ``n_test`` (rows).
        """
        dates = _row_dates(X, groups, allow_dates=True)
        rows = []
        for number, (train, test) in enumerate(self._folds(dates), start=1):
            train_dates, test_dates = dates[train].unique(), dates[test].unique()
            rows.append(
                (
                    number,
                    train_dates.min(),
                    train_dates.max(),
                    test_dates.min(),
                    test_dates.max(),
                    len(train_dates),
                    len(test_dates),
                    int(train.sum()),
                    int(test.sum()),
                )
            )
        return pd.DataFrame(rows, columns=list(FOLD_COLUMNS))


def _duration_months(value: int | str, name: str, least: int = 1) -> int:
    """Read a duration in whole months: ``12``, ``"12M"``, ``"18m"`` or ``"2Y"``.

    A gap of 0 months is read (``least=0``), so that it is refused as leakage.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number of months such as 12 or '12M', got {value!r}")
    if isinstance(value, int | np.integer):
        months = int(value)
    else:
        match = re.fullmatch(r"\s*(\d+)\s*([MmYy])\s*", str(value))
        if match is None:
            raise ValueError(
                f"{name} must be a number of months such as 12 or '12M' (or years, '1Y'), "
                f"got {value!r}"
            )
        months = int(match.group(1)) * (12 if match.group(2) in "Yy" else 1)
    if months < least or (months == 0 and not isinstance(value, int | np.integer)):
        raise ValueError(f"{name} must be at least one month, got {value!r}")
    return months


def _row_dates(X: Any, groups: Any, *, allow_dates: bool = False) -> pd.DatetimeIndex:
    """Return the as-of date of each row, from ``groups``, ``X``'s index or its column."""
    if groups is not None:
        source, where = groups, "groups"
    elif isinstance(X, pd.DataFrame | pd.Series) and "as_of_date" in (X.index.names or []):
        source, where = X.index.get_level_values("as_of_date"), "X's as_of_date index level"
    elif isinstance(X, pd.DataFrame) and "as_of_date" in X.columns:
        source, where = X["as_of_date"], "X's as_of_date column"
    elif allow_dates and X is not None:
        source, where = X, "the dates given"
    else:
        raise ValueError(
            "TemporalSplit needs the as-of date of each row: pass groups=<as-of dates>, or X "
            "with an 'as_of_date' index level (as TrainingFrame.X has) or column"
        )
    if isinstance(source, pd.DataFrame):
        if "as_of_date" not in source.columns:
            raise ValueError(
                f"{where}: expected the as-of dates of the rows, got a table with columns "
                f"{', '.join(map(str, source.columns))}"
            )
        source = source["as_of_date"]
    values = np.asarray(source).ravel()
    if values.dtype.kind in "biuf":
        raise ValueError(
            f"{where}: expected the as-of date of each row, got numbers ({values.dtype}); "
            "TemporalSplit reads groups as as-of dates, not as group labels"
        )
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(values))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: expected the as-of date of each row ({exc})") from None
    if len(dates) == 0 or dates.hasnans:
        raise ValueError(f"{where}: every row needs an as-of date (got none or missing ones)")
    return dates
