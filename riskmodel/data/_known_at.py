"""The canonical tables as they were known on a date: what a run at that date could see.

A scoring run at an as-of date sees the tables as extracted the day before. Cutting
the full tables there gives the data that run saw, so that a backtest or a monitor
can replay past runs honestly: events and episodes after the cut removed, end dates
after it not yet known, children not yet born not yet there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from riskmodel.data._columns import as_extract_date

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["known_at"]

_ONE_DAY = pd.Timedelta(days=1)


def known_at(data: LocalAuthorityData, date: object) -> LocalAuthorityData:
    """Return ``data`` as known the day before ``date`` (:meth:`LocalAuthorityData.known_at`)."""
    as_of = as_extract_date(date, where="known_at: date")
    end = as_of - _ONE_DAY
    last = data.end_date + _ONE_DAY
    if as_of > last:
        raise ValueError(
            f"known_at: date {as_of.date()} is after the data's end date "
            f"{data.end_date.date()} plus one day ({last.date()}); the tables cannot say "
            "what was known then"
        )
    persons = data.persons
    unborn = persons["date_of_birth"] > end
    gone = persons.loc[unborn, "person_id"]
    events = data.events
    events = events[~(events["event_date"] > end) & ~events["person_id"].isin(gone)]
    episodes = data.care_episodes
    episodes = episodes[~(episodes["start_date"] > end) & ~episodes["person_id"].isin(gone)]
    still_open = episodes["end_date"] > end
    episodes = episodes.assign(
        end_date=episodes["end_date"].mask(still_open),
        reason_episode_ceased=episodes["reason_episode_ceased"].mask(still_open),
    )
    persons = persons[~unborn]
    if data.population == "returns":
        named = pd.concat([events["person_id"], episodes["person_id"]])
        persons = persons[persons["person_id"].isin(named)]
    return replace(data, persons=persons, events=events, care_episodes=episodes, extract_date=end)
