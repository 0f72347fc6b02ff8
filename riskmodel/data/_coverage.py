"""Coverage of event families: what an authority records, in which years, from when.

A *family* here is the data model's ``events.event_type`` (``referral``,
``early_help_start``, ...), plus the SSDA903 care episodes as one more row
(``care_episodes``, dated by ``start_date``). Years are collection years, as the
statutory returns count them: collection year ``YYYY`` runs from 1 April ``YYYY-1``
to 31 March ``YYYY``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.data._codes import EVENT_TYPES

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = [
    "CARE_EPISODES",
    "collection_year",
    "coverage_summary",
    "families_table",
    "summary_table",
    "coverage_table",
    "recording_changes",
]

CARE_EPISODES = "care_episodes"
"""The family name under which the care episodes appear in the coverage tables."""

COVERAGE_COLUMNS = (
    "family",
    "source",
    "in_vocabulary",
    "collection_year",
    "events",
    "children",
    "first_month",
    "last_month",
)
SUMMARY_COLUMNS = (
    "family",
    "source",
    "in_vocabulary",
    "first_month",
    "last_month",
    "months_recorded",
    "events",
    "children",
)


def collection_year(dates: pd.Series) -> pd.Series:
    """Return the collection year of each date (``YYYY``: 1 April ``YYYY-1`` to 31 March ``YYYY``).

    Examples
    --------
    >>> collection_year(pd.Series(pd.to_datetime(["2020-03-31", "2020-04-01"]))).tolist()
    [2020, 2021]
    """
    dates = pd.to_datetime(dates)
    return (dates.dt.year + (dates.dt.month >= 4)).astype("Int64")


def _records(data: LocalAuthorityData) -> pd.DataFrame:
    """One row per dated record: family, source, person_id, date (undated rows left out)."""
    events = data.events
    episodes = data.care_episodes
    parts = [
        pd.DataFrame(
            {
                "family": events["event_type"],
                "source": "events",
                "person_id": events["person_id"].astype("str"),
                "date": events["event_date"],
            }
        ),
        pd.DataFrame(
            {
                "family": CARE_EPISODES,
                "source": "care_episodes",
                "person_id": episodes["person_id"].astype("str"),
                "date": episodes["start_date"],
            }
        ),
    ]
    records = pd.concat(parts, ignore_index=True)
    return records[records["family"].notna() & records["date"].notna()]


def _families(records: pd.DataFrame) -> pd.DataFrame:
    """Every family to show, in a stable order: vocabulary, other types, care episodes."""
    return families_table(records.loc[records["source"] == "events", "family"])


def families_table(event_types) -> pd.DataFrame:
    """Every family to show given the dated event types seen: vocabulary, others, care."""
    others = sorted(set(event_types) - set(EVENT_TYPES))
    return pd.DataFrame(
        {
            "family": [*EVENT_TYPES, *others, CARE_EPISODES],
            "source": ["events"] * (len(EVENT_TYPES) + len(others)) + ["care_episodes"],
            "in_vocabulary": [True] * len(EVENT_TYPES) + [False] * len(others) + [True],
        }
    )


def _aggregate(records: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    month = records["date"].dt.to_period("M")
    grouped = records.assign(month=month).groupby(by, sort=False)
    return grouped.agg(
        events=("person_id", "size"),
        children=("person_id", "nunique"),
        first_month=("month", "min"),
        last_month=("month", "max"),
        months_recorded=("month", "nunique"),
    ).reset_index()


def coverage_table(data: LocalAuthorityData) -> pd.DataFrame:
    """Count events and children per family and collection year.

    See :meth:`LocalAuthorityData.coverage`.
    """
    records = _records(data)
    families = _families(records)
    if records.empty:
        return pd.DataFrame(
            {
                **{c: families[c] for c in ("family", "source", "in_vocabulary")},
                "collection_year": pd.array([pd.NA] * len(families), dtype="Int64"),
                "events": 0,
                "children": 0,
                "first_month": pd.PeriodIndex([pd.NaT] * len(families), freq="M"),
                "last_month": pd.PeriodIndex([pd.NaT] * len(families), freq="M"),
            }
        )[list(COVERAGE_COLUMNS)]
    records = records.assign(collection_year=collection_year(records["date"]))
    counts = _aggregate(records, ["family", "source", "collection_year"])
    years = pd.DataFrame(
        {
            "collection_year": pd.array(
                np.arange(records["collection_year"].min(), records["collection_year"].max() + 1),
                dtype="Int64",
            )
        }
    )
    grid = families.merge(years, how="cross")
    table = grid.merge(counts, on=["family", "source", "collection_year"], how="left")
    for column in ("events", "children"):
        table[column] = table[column].fillna(0).astype("int64")
    return table[list(COVERAGE_COLUMNS)]


def coverage_summary(data: LocalAuthorityData) -> pd.DataFrame:
    """Summarise each family: first and last month, months recorded, events, children.

    See :meth:`LocalAuthorityData.coverage_summary`.
    """
    records = _records(data)
    counts = _aggregate(records, ["family", "source"]) if len(records) else None
    return summary_table(_families(records), counts)


def summary_table(families: pd.DataFrame, counts: pd.DataFrame | None) -> pd.DataFrame:
    """Return :func:`coverage_summary`'s table from the families and their counts.

    ``counts`` has one row per family with any dated record: ``family``, ``source``,
    ``events``, ``children``, ``first_month``, ``last_month`` (``pandas.Period``) and
    ``months_recorded``; None when there is no dated record.
    """
    if counts is None:
        table = families.assign(
            first_month=pd.PeriodIndex([pd.NaT] * len(families), freq="M"),
            last_month=pd.PeriodIndex([pd.NaT] * len(families), freq="M"),
            months_recorded=0,
            events=0,
            children=0,
        )
    else:
        table = families.merge(counts, on=["family", "source"], how="left")
    for column in ("months_recorded", "events", "children"):
        table[column] = table[column].fillna(0).astype("int64")
    return table[list(SUMMARY_COLUMNS)].reset_index(drop=True)


def _grace_months(presence: float, *, chance: float, min_months: int) -> int:
    """Empty months in a row that a family recorded in ``presence`` of its months rarely shows."""
    if presence >= 1.0:
        return min_months
    if presence <= 0.0:
        return math.inf  # type: ignore[return-value]
    return max(min_months, math.ceil(math.log(chance) / math.log(1.0 - presence)))


def recording_changes(
    summary: pd.DataFrame,
    period_start: pd.Timestamp | str,
    period_end: pd.Timestamp | str,
    *,
    chance: float = 0.001,
    min_months: int = 3,
) -> pd.DataFrame:
    """Find families whose recording starts or stops inside a training period.

    The rule, per family with any records:

    * ``presence`` is the share of months holding at least one record, counted over
      the training period and any months recorded outside it (a family that starts
      late is thus judged as if recorded all along at its average rate, which makes
      the rule cautious: a handful of records never counts as a change);
    * the *grace* is the smallest number of empty months in a row that would happen
      by chance less often than ``chance`` if each month held a record with
      probability ``presence``, and at least ``min_months`` (a quarter): for a family
      recorded every month that is 3 months, for one recorded in half its months 10;
    * the family **starts** inside the period when its first month falls after the
      month of ``period_start`` and at least *grace* months after it, and before
      the month of ``period_end``;
    * it **stops** inside the period when its last month falls on or after the month
      of ``period_start`` and at least *grace* months before the last month whose
      records reach ``period_end``'s features (the month before ``period_end``).

    A family with no records is absent, not changed, and is not listed.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :meth:`LocalAuthorityData.coverage_summary` (columns ``family``,
        ``source``, ``first_month``, ``last_month``, ``months_recorded``, ``events``).
    period_start : date-like
        Where the training period's feature history starts: the first as-of date
        minus the history the features look back over.
    period_end : date-like
        The last as-of date.
    chance : float, default 0.001
        How unlikely a run of empty months must be to count as a change.
    min_months : int, default 3
        The smallest grace, in months.

    Returns
    -------
    pandas.DataFrame
        Columns ``family``, ``change`` (``"start"`` or ``"stop"``), ``month``
        (``pandas.Period``), ``message``; one row per change found.

    Examples
    --------
    >>> summary = pd.DataFrame({"family": ["early_help_start"], "source": ["events"],
    ...     "first_month": [pd.Period("2019-07", "M")], "last_month": [pd.Period("2024-03", "M")],
    ...     "months_recorded": [57], "events": [900]})
    >>> print(recording_changes(summary, "2016-04-01", "2023-01-01")["message"].iloc[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    early_help_start events start in 2019-07, inside the training period
    (2016-04 to 2023-01): its features mean different things in different years
    """
    start = pd.Timestamp(period_start).to_period("M")
    end = pd.Timestamp(period_end).to_period("M")
    last_used = (pd.Timestamp(period_end) - pd.Timedelta(days=1)).to_period("M")
    rows = []
    for row in summary[summary["events"] > 0].itertuples(index=False):
        first, last = row.first_month, row.last_month
        presence = row.months_recorded / ((max(last, last_used) - min(first, start)).n + 1)
        grace = _grace_months(presence, chance=chance, min_months=min_months)
        what = f"{row.family} events" if row.source == "events" else "care episodes"
        if start < first < end and (first - start).n >= grace:
            rows.append((row.family, "start", first, f"{what} start in {first}"))
        if start <= last < last_used and (last_used - last).n >= grace:
            rows.append((row.family, "stop", last, f"{what} stop in {last}"))
    suffix = (
        f", inside the training period ({start} to {end}): "
        "its features mean different things in different years"
    )
    return pd.DataFrame(
        {
            "family": [r[0] for r in rows],
            "change": [r[1] for r in rows],
            "month": pd.PeriodIndex([r[2] for r in rows], freq="M"),
            "message": [r[3] + suffix for r in rows],
        }
    )
