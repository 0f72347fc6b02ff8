"""Periods of care, care entries and "looked after on a date", from SSDA903 episodes.

A *period of care* is a chain of episodes joined where the earlier episode's
``reason_episode_ceased`` is ``X1`` (the period continues in the next episode) or
where the next episode starts on the day the earlier one ended. A *care entry* is the
start of a period of care, except periods made up only of ``V3``/``V4`` short breaks
(the Department for Education's convention).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.data._codes import CONTINUES_IN_NEXT_EPISODE, SHORT_BREAK_LEGAL_STATUSES

__all__ = ["care_entries", "looked_after_on", "periods_of_care"]

PERIOD_COLUMNS = [
    "person_id",
    "period_number",
    "start_date",
    "end_date",
    "n_episodes",
    "first_legal_status",
    "short_breaks_only",
    "is_care_entry",
    "care_start_date",
    "care_legal_status",
]


def periods_of_care(care_episodes: pd.DataFrame) -> pd.DataFrame:
    """Join episodes into periods of care.

    Parameters
    ----------
    care_episodes : pandas.DataFrame
        The canonical ``care_episodes`` table.

    Returns
    -------
    pandas.DataFrame
        One row per period, sorted by ``person_id`` and ``start_date``, with columns
        ``person_id``, ``period_number`` (1 = the child's first period),
        ``start_date``, ``end_date`` (missing while the period is open), ``n_episodes``,
        ``first_legal_status``, ``short_breaks_only``, ``is_care_entry``, and
        ``care_start_date`` / ``care_legal_status``: the start and legal status of the
        period's first episode that is not a short break (missing for periods made
        only of short breaks). A period that begins with short breaks and continues
        into care is a care entry dated at ``care_start_date``, never earlier: the
        short breaks alone did not make the child looked after.

    Examples
    --------
    >>> import pandas as pd
    >>> episodes = pd.DataFrame({
    ...     "person_id": ["a", "a", "a"],
    ...     "start_date": pd.to_datetime(["2020-01-01", "2020-03-01", "2021-01-01"]),
    ...     "end_date": pd.to_datetime(["2020-03-01", "2020-06-01", None]),
    ...     "legal_status": ["V2", "C2", "C2"],
    ...     "reason_episode_ceased": ["X1", "E13", None],
    ... })
    >>> periods_of_care(episodes)[["period_number", "n_episodes"]].values.tolist()
    [[1, 2], [2, 1]]
    """
    if care_episodes.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=_PERIOD_DTYPES.get(c, "str")) for c in PERIOD_COLUMNS}
        )
    frame = _label_periods(care_episodes)
    grouped = frame.groupby("period_id", sort=True)
    in_care = frame[~frame["short"]].groupby("period_id")
    care_start = in_care["start_date"].first()
    care_legal = in_care["legal_status"].first()
    periods = pd.DataFrame(
        {
            "person_id": grouped["person_id"].first().astype("str"),
            "start_date": grouped["start_date"].first(),
            "end_date": grouped["end_date"].last().where(~grouped["open"].last()),
            "n_episodes": grouped.size(),
            "first_legal_status": grouped["legal_status"].first().astype("str"),
            "short_breaks_only": grouped["short_breaks_only"].first(),
            "care_start_date": care_start,
            "care_legal_status": care_legal,
        }
    ).reset_index(drop=True)
    periods["care_legal_status"] = periods["care_legal_status"].astype("str")
    periods["is_care_entry"] = ~periods["short_breaks_only"]
    periods.insert(1, "period_number", periods.groupby("person_id").cumcount() + 1)
    return periods[PERIOD_COLUMNS]


def _label_periods(care_episodes: pd.DataFrame) -> pd.DataFrame:
    """Return the episodes sorted by child and start, each with its ``period_id``.

    Also adds ``open`` (no end date) and ``short_breaks_only`` (of the whole period).
    """
    eps = care_episodes.sort_values(["person_id", "start_date"], kind="stable")
    person = eps["person_id"].to_numpy()
    start = eps["start_date"].to_numpy()
    end = eps["end_date"].to_numpy()
    rec = eps["reason_episode_ceased"].astype("object").to_numpy()
    same_person = np.r_[False, person[1:] == person[:-1]]
    continues = np.r_[False, rec[:-1] == CONTINUES_IN_NEXT_EPISODE]
    adjacent = np.r_[False, start[1:] == end[:-1]]
    out = eps.assign(
        period_id=np.cumsum(~(same_person & (continues | adjacent))),
        open=eps["end_date"].isna(),
        short=eps["legal_status"].astype("object").isin(SHORT_BREAK_LEGAL_STATUSES),
    )
    out["short_breaks_only"] = out.groupby("period_id")["short"].transform("all")
    return out


_PERIOD_DTYPES = {
    "period_number": "int64",
    "start_date": "datetime64[ns]",
    "end_date": "datetime64[ns]",
    "n_episodes": "int64",
    "short_breaks_only": "bool",
    "is_care_entry": "bool",
    "care_start_date": "datetime64[ns]",
}


def care_entries(care_episodes: pd.DataFrame) -> pd.DataFrame:
    """Return the care entries: starts of periods of care that are not only short breaks.

    Parameters
    ----------
    care_episodes : pandas.DataFrame
        The canonical ``care_episodes`` table.

    Returns
    -------
    pandas.DataFrame
        Columns ``person_id``, ``entry_date`` and ``legal_status`` (of the first
        episode that is not a short break), ``end_date`` (of the period; missing while open) and
        ``entry_number`` (1 = the child's first care entry).
    """
    periods = periods_of_care(care_episodes)
    entries = periods[periods["is_care_entry"]]
    out = pd.DataFrame(
        {
            "person_id": entries["person_id"].to_numpy(),
            "entry_date": entries["care_start_date"].to_numpy(),
            "legal_status": entries["care_legal_status"].to_numpy(),
            "end_date": entries["end_date"].to_numpy(),
        }
    )
    out["person_id"] = out["person_id"].astype("str")
    out["legal_status"] = out["legal_status"].astype("str")
    out["entry_number"] = out.groupby("person_id").cumcount().astype("int64") + 1
    return out


def looked_after_on(
    care_episodes: pd.DataFrame, date: str | pd.Timestamp, *, include_short_breaks: bool = False
) -> pd.Index:
    """Return the children looked after on a date.

    A child is looked after on ``date`` when an episode has
    ``start_date <= date`` and ends after ``date`` (or is still open). Short-break
    episodes (``V3``/``V4``) do not count unless ``include_short_breaks``.

    Parameters
    ----------
    care_episodes : pandas.DataFrame
        The canonical ``care_episodes`` table.
    date : str or pandas.Timestamp
        The date.
    include_short_breaks : bool, default False
        Whether children on a short-break episode (``V3``/``V4``) count as looked
        after. By default they do not, as in the Department for
        Education's counts of looked-after children.

    Returns
    -------
    pandas.Index
        Sorted, unique ``person_id`` values.
    """
    date = pd.Timestamp(date)
    eps = care_episodes
    if not include_short_breaks and len(eps):
        short = eps["legal_status"].astype("object").isin(SHORT_BREAK_LEGAL_STATUSES)
        eps = eps[~short]
    on = (eps["start_date"] <= date) & (eps["end_date"].isna() | (eps["end_date"] > date))
    return pd.Index(np.unique(eps.loc[on, "person_id"].astype("str")), name="person_id")
