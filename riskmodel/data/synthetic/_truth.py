"""The generator's ground truth: the true probability of a care entry, computed exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd

import riskmodel.data.synthetic._params as P
from riskmodel._wording import describe_rows
from riskmodel.data.synthetic._grid import MonthGrid
from riskmodel.data.synthetic._periods import Periods
from riskmodel.data.synthetic._population import AGE_OUT_MONTHS, Population
from riskmodel.data.synthetic._process import LatentPaths
from riskmodel.data.synthetic._propagate import add_months, propagate

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
        reporting_bias: tuple | None = None,  # (ethnic group, factor, first day or None)
    ) -> None:
        self.person_ids = pd.Index(pop.person_id.astype(str), name="person_id")
        self.start = pd.Timestamp(grid.start)
        self.end = pd.Timestamp(grid.end)
        self.label_noise = float(label_noise)
        self._reporting_bias = reporting_bias
        self._grid = grid
        self._paths = paths
        self._household = pop.household
        self._class = pop.child_class
        self._birth_month = pop.birth_month
        self._fixed_effect = pop.fixed_effect
        self._fixed_effect_scale = float(pop.fixed_effect_scale)
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
        _check_horizon(horizon_months)
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
        _check_keys(keys)
        return self.probability(
            keys["person_id"].to_numpy(),
            keys["as_of_date"].to_numpy(),
            horizon_months=horizon_months,
        )

    def achievable(self, data, person_ids, as_of_dates, horizon_months: int = 12) -> np.ndarray:
        """Return the best probability of a care entry the records allow, by a forward filter.

        The probability of a care entry in ``(as_of_date, as_of_date + horizon]`` given
        only what ``data`` records before the as-of date's month, with the generator's
        parameters known: a Bayes filter (never a smoother) over the 24 joint (stress,
        child level) states, month by month from the data's start, then the exact
        forward propagation of :meth:`probability` from the filtered distribution. As
        ``E[truth | records]``, it lies between the truth and any model of the records.

        Stated approximations (most leave evidence out: less sharp, still calibrated):

        * unknowns as a finite mixture: the household's vulnerability (prior by the
          deprivation tier of ``imd_decile``), its domestic-abuse trait (it scales
          police notifications) and its frailty (5 Gauss-Hermite nodes); the rest of
          the fixed effect is read from ``persons``;
        * the prior at the data's start (or birth) is the chain's marginal for the
          class and age: stress stationary, child level moved from 0 at age 10 with
          no observations (not conditioned on the child being at home then);
        * siblings under 10 (child level 0) add their records as evidence of the stress,
          independent given stress and frailty; older siblings' records are left out;
        * evidence, each month, as the generator draws it: contacts not written by a
          referral, police domestic-abuse notifications, missing episodes,
          suspensions and exclusions (ages 5-15, not August), youth justice outcomes
          and codes, referrals (in months starting with no CIN case open, x1.2 within
          a year of one; not in a care entry's month) and their section 47 enquiry,
          early help starts, CP and CIN plans ending (or escalating), staying at
          home or entering care under the hazard;
        * left out: the as-of date's own month, assessment outcomes, conferences,
          plans after an escalation, assessment factors and school absence;
        * periods of care (start, end, how they ended) come from the truth's periods,
          as ``care_episodes`` records them; none starting after the as-of date; a
          reporting bias is known only if the truth was given it, else it is ignored.

        Parameters
        ----------
        data : LocalAuthorityData
            The authority this truth belongs to (its ``persons`` and ``events``); events
            on or after each as-of month are never read.
        person_ids : array-like of str
            The children.
        as_of_dates : date-like or array-like of date-like
            One date for all rows, or one per row; between the data's start and end.
        horizon_months : int, default 12
            Length of the window in calendar months.

        Returns
        -------
        numpy.ndarray of float
            One probability per row, with the conventions of :meth:`probability` (NaN
            when looked after, not yet born or not arrived; 0 once 18 or left).

        Raises
        ------
        ValueError
            As :meth:`probability`, and if a child of the authority is not in
            ``data.persons``.

        Examples
        --------
        >>> from riskmodel.data import make_local_authority
        >>> data = make_local_authority(n_children=500, random_state=0)
        >>> ids = data.persons["person_id"].iloc[:3]
        >>> p = data.truth.achievable(data, ids, "2020-04-01")
        >>> bool(((p >= 0) & (p <= 1) | (p != p)).all())
        True
        """
        from riskmodel.data.synthetic._achievable import achievable_probability

        child, day = self._rows(person_ids, as_of_dates)
        _check_horizon(horizon_months)
        return achievable_probability(self, data, child, day, int(horizon_months))

    def achievable_for_keys(self, data, keys: pd.DataFrame, *, horizon_months: int) -> np.ndarray:
        """Return :meth:`achievable` of each row of a frame's keys, in their order.

        Parameters
        ----------
        data : LocalAuthorityData
            The authority this truth belongs to.
        keys : pandas.DataFrame
            Columns ``person_id`` and ``as_of_date``; other columns are ignored.
        horizon_months : int
            Length of the window in calendar months (the frame's horizon).

        Returns
        -------
        numpy.ndarray of float of shape (len(keys),)
            As :meth:`achievable` gives them, row by row.

        Raises
        ------
        ValueError
            If a column is missing, a person is unknown or an as-of date is outside
            the simulated period.
        """
        _check_keys(keys)
        return self.achievable(
            data,
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
        window_end = add_months(day, horizon)
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


def _check_horizon(horizon_months) -> None:
    if isinstance(horizon_months, bool) or int(horizon_months) != horizon_months:
        raise ValueError(f"horizon_months must be a whole number, got {horizon_months!r}")
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be at least 1, got {horizon_months!r}")


def _check_keys(keys: pd.DataFrame) -> None:
    missing = [c for c in ("person_id", "as_of_date") if c not in keys.columns]
    if missing:
        raise ValueError(
            f"GroundTruth: keys must have columns person_id and as_of_date; "
            f"missing {', '.join(missing)}"
        )
