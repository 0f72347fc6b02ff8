"""The generator's ground truth: the true probability of a care entry, computed exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd

import riskmodel.data.synthetic._params as P
from riskmodel._wording import describe_rows
from riskmodel.data.synthetic._grid import MonthGrid
from riskmodel.data.synthetic._periods import Periods
from riskmodel.data.synthetic._population import AGE_OUT_MONTHS, Population
from riskmodel.data.synthetic._process import (
    N_BANDS,
    N_STATES,
    STATE_CHILD,
    STATE_STRESS,
    LatentPaths,
    child_band,
    hazard,
    joint_transition,
)

__all__ = ["GroundTruth"]

_CHUNK = 100_000


class GroundTruth:
    """The latent state of a synthetic authority, and the true risk it implies.

    Made by :func:`~riskmodel.data.synthetic.make_local_authority` and stored on the
    data as ``data.truth``; it is a :class:`~riskmodel.data.TrueRisk`. It keeps only
    what the exact computation needs: each household's stress level and each child's
    child-level component per month (small integers), each child's fixed effect,
    household class, birth month, and the start, end and kind of each period of care.
    It holds no recorded events.

    Attributes
    ----------
    person_ids : pandas.Index
        The children, as in ``data.persons``.
    start, end : pandas.Timestamp
        The period simulated; as-of dates must fall within it.
    label_noise : float
        The share of the care-entry hazard unrelated to the child's history.

    Examples
    --------
    >>> from riskmodel.data import make_local_authority
    >>> data = make_local_authority(n_children=500, random_state=0)
    >>> ids = data.persons["person_id"].iloc[:3]
    >>> p = data.truth.probability(ids, "2020-04-01")
    >>> bool(((p >= 0) & (p <= 1) | (p != p)).all())
    True
    """

    def __init__(
        self,
        *,
        pop: Population,
        grid: MonthGrid,
        paths: LatentPaths,
        periods: Periods,
        label_noise: float,
    ) -> None:
        self.person_ids = pd.Index(pop.person_id.astype(str), name="person_id")
        self.start = pd.Timestamp(grid.start)
        self.end = pd.Timestamp(grid.end)
        self.label_noise = float(label_noise)
        self._grid = grid
        self._paths = paths
        self._household = pop.household
        self._class = pop.child_class
        self._birth_month = pop.birth_month
        self._fixed_effect = pop.fixed_effect
        self._arrival_day = np.where(
            pop.uasc, np.iinfo(np.int64).max, grid.first_day(pop.birth_month)
        )
        self._period_child = periods.child
        self._period_start = periods.start
        self._period_end = periods.end
        self._period_history = periods.history
        first_uasc = np.flatnonzero(pop.uasc[periods.child])
        self._arrival_day[periods.child[first_uasc]] = np.minimum(
            self._arrival_day[periods.child[first_uasc]], periods.start[first_uasc]
        )

    def __repr__(self) -> str:
        return (
            f"GroundTruth(children={len(self.person_ids):,}, start={self.start.date()}, "
            f"end={self.end.date()}, label_noise={self.label_noise})"
        )

    def probability(self, person_ids, as_of_dates, horizon_months: int = 12) -> np.ndarray:
        """Return the true probability of a care entry in ``(as_of_date, as_of_date + horizon]``.

        The probability is computed exactly from the latent state in force on the
        as-of date: the state distribution is propagated month by month with the
        chain's transition matrices while the survival is multiplied by one minus
        the monthly care-entry hazard, the same hazard the simulation drew entries
        from. Partial months at both ends are handled exactly (entry days are
        uniform within a month). Months are calendar months, as in the cohort's
        labels.

        Parameters
        ----------
        person_ids : array-like of str
            The children.
        as_of_dates : date-like or array-like of date-like
            One date for all rows, or one per row; between the data's start and end.
        horizon_months : int, default 12
            Length of the window in calendar months.

        Returns
        -------
        numpy.ndarray of float
            One probability per row. NaN where the child is looked after on the as-of
            date, not yet born or (UASC) not yet arrived; 0 once the child is 18 or
            has left the authority.

        Raises
        ------
        ValueError
            If a person is unknown or an as-of date is outside the simulated period.
        """
        child, day = self._rows(person_ids, as_of_dates)
        if isinstance(horizon_months, bool) or int(horizon_months) != horizon_months:
            raise ValueError(f"horizon_months must be a whole number, got {horizon_months!r}")
        if horizon_months < 1:
            raise ValueError(f"horizon_months must be at least 1, got {horizon_months!r}")
        from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

        out = np.empty(len(child))
        # many small matrix products: BLAS threads only add overhead (3x slower on 2 cores)
        with threadpool_limits(limits=1, user_api="blas"):
            for lo in range(0, len(child), _CHUNK):
                sl = slice(lo, lo + _CHUNK)
                out[sl] = self._probability(child[sl], day[sl], int(horizon_months))
        return out

    def for_keys(self, keys: pd.DataFrame, *, horizon_months: int) -> np.ndarray:
        """Return the true probability of each row of a frame's keys, in their order.

        This is what :func:`~riskmodel.backtest` takes as ``truth``:
        ``data.truth.for_keys(frame.keys, horizon_months=frame.horizon_months)``.

        Parameters
        ----------
        keys : pandas.DataFrame
            Columns ``person_id`` and ``as_of_date`` (such as a training frame's
            ``keys``); other columns are ignored.
        horizon_months : int
            Length of the window in calendar months (the frame's horizon).

        Returns
        -------
        numpy.ndarray of float of shape (len(keys),)
            As :meth:`probability` gives them, row by row.

        Raises
        ------
        ValueError
            If a column is missing, a person is unknown or an as-of date is outside
            the simulated period.

        Examples
        --------
        >>> import pandas as pd
        >>> from riskmodel.data import make_local_authority
        >>> data = make_local_authority(n_children=500, random_state=0)
        >>> keys = pd.DataFrame(
        ...     {"person_id": data.persons["person_id"].iloc[:3], "as_of_date": "2020-04-01"}
        ... )
        >>> data.truth.for_keys(keys, horizon_months=12).shape
        (3,)
        """
        missing = [c for c in ("person_id", "as_of_date") if c not in keys.columns]
        if missing:
            raise ValueError(
                f"GroundTruth: keys must have columns person_id and as_of_date; "
                f"missing {', '.join(missing)}"
            )
        return self.probability(
            keys["person_id"].to_numpy(),
            keys["as_of_date"].to_numpy(),
            horizon_months=horizon_months,
        )

    def latent_state(self, person_ids, as_of_dates) -> pd.DataFrame:
        """Household stress level (0-5) and child level (0-3) in force on each as-of date.

        Parameters
        ----------
        person_ids : array-like of str
            The children.
        as_of_dates : date-like or array-like of date-like
            One date for all rows, or one per row.

        Returns
        -------
        pandas.DataFrame
            Columns ``person_id``, ``as_of_date``, ``household_stress``, ``child_level``.
        """
        child, day = self._rows(person_ids, as_of_dates)
        month = self._grid.month_of(day + 1) - self._paths.first_month
        return pd.DataFrame(
            {
                "person_id": self.person_ids[child],
                "as_of_date": day.astype("datetime64[D]").astype("datetime64[ns]"),
                "household_stress": self._paths.stress[month, self._household[child]],
                "child_level": self._paths.child[month, child],
            }
        )

    def _rows(self, person_ids, as_of_dates) -> tuple[np.ndarray, np.ndarray]:
        ids = pd.Index(np.asarray(person_ids, dtype=object).astype(str).ravel())
        child = self.person_ids.get_indexer(ids)
        unknown = np.flatnonzero(child < 0)
        if len(unknown):
            raise ValueError(
                f"GroundTruth: {len(unknown)} person_id(s) are not children of this synthetic "
                f"authority ({describe_rows(unknown, ids[unknown])})"
            )
        dates = pd.to_datetime(pd.Series(np.atleast_1d(np.asarray(as_of_dates, dtype=object))))
        if len(dates) == 1:
            dates = pd.Series(np.repeat(dates.to_numpy(), len(child)))
        if len(dates) != len(child):
            raise ValueError(
                f"GroundTruth: got {len(child)} person_ids but {len(dates)} as-of dates"
            )
        day = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
        outside = np.flatnonzero(
            dates.isna().to_numpy() | (day < self._grid.start_day) | (day > self._grid.end_day)
        )
        if len(outside):
            rows = describe_rows(outside, dates[outside])
            raise ValueError(
                f"GroundTruth: {len(outside)} as-of date(s) are outside the simulated period "
                f"{self.start.date()} to {self.end.date()} ({rows})"
            )
        return child, day

    def _probability(self, child: np.ndarray, day: np.ndarray, horizon: int) -> np.ndarray:
        out, rows, window = self._window(child, day, horizon)
        if len(rows):
            out[rows] = self._forward(child[rows], *window)
        return out

    def _window(self, child: np.ndarray, day: np.ndarray, horizon: int):
        """Conventions (NaN, 0) of each row and the window of the rows at risk.

        Returns the output with NaN and 0 filled in, the rows at risk and, for them,
        ``(month, f_first, month_end, f_last, history, blocked)``.
        """
        grid = self._grid
        out = np.full(len(child), np.nan)
        # the month whose entry days (first_day(m) .. first_day(m + 1) - 1) follow `day`
        month = grid.month_of(day + 1)
        last_day = grid.first_day(month + 1) - 1
        f_first = (last_day - day) / grid.days_in(month)
        window_end = _add_months(day, horizon)
        month_end = grid.month_of(window_end + 1)
        f_last = (window_end - (grid.first_day(month_end) - 1)) / grid.days_in(month_end)
        prev_end, history = self._previous_period(child, day)
        looked_after = prev_end > day
        born = day >= self._arrival_day[child]
        aged_out = day >= grid.first_day(self._birth_month[child] + AGE_OUT_MONTHS)
        out[born & ~looked_after & (aged_out | (history == P.HISTORY_LEFT))] = 0.0
        rows = np.flatnonzero(born & ~looked_after & ~aged_out & (history != P.HISTORY_LEFT))
        # an entry or exit earlier in the as-of month leaves no hazard for the rest of it
        blocked = prev_end[rows] >= grid.first_day(month[rows])
        window = tuple(a[rows] for a in (month, f_first, month_end, f_last, history))
        return out, rows, (*window, blocked)

    def _previous_period(self, child: np.ndarray, day: np.ndarray):
        """End day and care history class after each child's last period started by ``day``.

        A child with no such period gets an end day far in the past and history 0.
        """
        never = np.full(len(child), np.iinfo(np.int64).min)
        history = np.full(len(child), P.HISTORY_NEVER)
        if not len(self._period_child):
            return never, history
        base = int(min(self._period_start.min(), day.min())) - 1
        keys = (self._period_child << 22) | (self._period_start - base)
        pos = np.searchsorted(keys, (child << 22) | (day - base), "right") - 1
        valid = pos >= 0
        pos = np.maximum(pos, 0)
        valid &= self._period_child[pos] == child
        end = np.where(valid, self._period_end[pos], never)
        return end, np.where(valid, self._period_history[pos], history)

    def _forward(self, child, month, f_first, month_end, f_last, history, blocked):
        """Probability of an entry by propagating the joint state distribution.

        The distribution starts at the latent state in force in the as-of month (a
        point mass); see :func:`propagate`.
        """
        paths = self._paths
        row = month - paths.first_month
        stress = paths.stress[row, self._household[child]].astype(np.int64)
        level = paths.child[row, child].astype(np.int64)
        survival = propagate(
            (stress * P.N_CHILD + level, None),
            self._class[child],
            month - self._birth_month[child],
            self._fixed_effect[child],
            history,
            (f_first, month_end - month, f_last, blocked),
            self.label_noise,
        )
        return np.clip(1.0 - survival, 0.0, 1.0)  # round-off: -2e-16


def propagate(start, cls, age, fixed_effect, history, window, label_noise: float) -> np.ndarray:
    """Survival to the end of each row's window, propagating the joint state distribution.

    Parameters
    ----------
    start : tuple
        ``(state, None)``: a point mass on each row's state (0-23); or ``(None, dist)``:
        a distribution (weights) over the 24 states per row, shape (n, 24); the
        result is then the sum over states of weight times survival.
    cls, age, fixed_effect, history : numpy.ndarray
        Household class, age in months in the as-of month, fixed effect and care
        history of each row.
    window : tuple
        ``(f_first, steps, f_last, blocked)``: the share of the as-of month left, the
        number of months after it, the share of the last month in the window, and
        whether the as-of month has no hazard left.
    label_noise : float
        As in :func:`~riskmodel.data.synthetic._process.hazard`.

    Returns
    -------
    numpy.ndarray
        The probability of no entry in the window (times the row's weight).

    Notes
    -----
    Rows are sorted by household class and age, so that the rows sharing a
    transition matrix at each step are contiguous. A row whose window has ended
    keeps being propagated with zero hazard, which leaves its survival unchanged.
    """
    state, dist = start
    f_first, steps, f_last, blocked = window
    order = np.lexsort((age, cls))
    cls, age, fixed_effect, history, f_first, steps, f_last, blocked = (
        a[order] for a in (cls, age, fixed_effect, history, f_first, steps, f_last, blocked)
    )
    n = len(cls)
    if dist is None:
        state = state[order]
        h0 = hazard(
            STATE_STRESS[state], STATE_CHILD[state], age // 12, fixed_effect, history, label_noise
        )
        p0 = np.where(blocked, 0.0, h0 * f_first / (1.0 - h0 * (1.0 - f_first)))
        alpha = np.zeros((n, N_STATES))
        alpha[np.arange(n), state] = 1.0 - p0
    else:
        fe, hist = fixed_effect[:, None], history[:, None]
        h0 = hazard(STATE_STRESS, STATE_CHILD, (age // 12)[:, None], fe, hist, label_noise)
        ff = f_first[:, None]
        p0 = np.where(blocked[:, None], 0.0, h0 * ff / (1.0 - h0 * (1.0 - ff)))
        alpha = dist[order] * (1.0 - p0)
    joint = joint_transition().reshape(-1, N_STATES, N_STATES)
    fixed_effect, history = fixed_effect[:, None], history[:, None]
    for j in range(1, int(steps.max(initial=0)) + 1):
        combo = cls * N_BANDS + child_band(age + j)
        cuts = np.r_[0, np.flatnonzero(np.diff(combo)) + 1, n]
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            alpha[lo:hi] = alpha[lo:hi] @ joint[combo[lo]]
        h = hazard(
            STATE_STRESS[None, :],
            STATE_CHILD[None, :],
            ((age + j) // 12)[:, None],
            fixed_effect,
            history,
            label_noise,
        )
        weight = np.where(steps == j, f_last, np.where(steps > j, 1.0, 0.0))
        alpha *= 1.0 - weight[:, None] * h
    out = np.empty(n)
    out[order] = alpha.sum(axis=1)
    return out


def _add_months(day: np.ndarray, months: int) -> np.ndarray:
    """``day + months`` calendar months, clipped to the month's end (``pandas.DateOffset``)."""
    dates = day.astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    offset = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(offset, length - 1)
