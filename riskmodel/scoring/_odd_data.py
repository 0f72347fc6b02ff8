"""Data that can be scored but should not be trusted: no events, or no care episodes.

Scoring such data still ranks every child and flags the top ``capacity``, so the
outputs look normal. Each case is warned about loudly (a
:class:`~riskmodel.exceptions.DataQualityWarning`) and recorded in the scoring
result's notes, which the scoring job logs and records with the run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskmodel._warnings import warn_caller
from riskmodel.exceptions import DataQualityWarning

__all__ = ["warn_odd_counts", "warn_odd_data"]


def _no_events(n_events: int, n_before: int, as_of: pd.Timestamp) -> str | None:
    if n_before:
        return None
    held = "no rows" if not n_events else f"{n_events:,} rows, all on or after it"
    return (
        f"events: no event is recorded before the as-of date {as_of.date()} (the table "
        f"has {held}): every child's referral, assessment, plan and other event features "
        "are 0, so the scores rank children on the persons table alone and the flagged "
        "children are not a risk list. Check the import: was the CIN census (or the "
        "events table) left out?"
    )


def _no_care_episodes(n_episodes: int) -> str | None:
    if n_episodes:
        return None
    return (
        "care_episodes: the table has no rows, so no child can be excluded as already "
        "looked after (children in care are scored, and may be flagged, as if never in "
        "care) and every care-history feature is 0. Check the import: was the SSDA903 "
        "return (or the care_episodes table) left out?"
    )


def warn_odd_data(data: Any, as_of: pd.Timestamp, notes: list[str]) -> None:
    """Warn about, and note, data with no event before ``as_of`` or no care episode.

    Parameters
    ----------
    data : LocalAuthorityData
        The validated data being scored.
    as_of : pandas.Timestamp
        The as-of date.
    notes : list of str
        The scoring notes; each warning's message is appended.

    Warns
    -----
    DataQualityWarning
        Once per case found.
    """
    events = data.events
    before = int((events["event_date"] < as_of).sum()) if len(events) else 0
    warn_odd_counts(len(events), before, len(data.care_episodes), as_of, notes)


def warn_odd_counts(
    n_events: int, n_before: int, n_episodes: int, as_of: pd.Timestamp, notes: list[str]
) -> None:
    """Warn and note as :func:`warn_odd_data`, from the counts alone (as Spark counts them).

    Parameters
    ----------
    n_events : int
        Rows of the events table.
    n_before : int
        Of them, events dated before ``as_of``.
    n_episodes : int
        Rows of the care episodes table.
    as_of : pandas.Timestamp
        The as-of date.
    notes : list of str
        The scoring notes; each warning's message is appended.
    """
    for message in (_no_events(n_events, n_before, as_of), _no_care_episodes(n_episodes)):
        if message is not None:
            notes.append(message)
            warn_caller(message, DataQualityWarning)
