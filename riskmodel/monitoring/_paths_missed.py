"""The misses a team should learn from: children who entered care and were never flagged.

A care entry (:func:`riskmodel.data.care_entries`) counts for a run when it falls in
that run's horizon, ``(as_of_date, as_of_date + horizon_months]``, exactly as the
label does (:func:`riskmodel.cohort.care_entry_labels`): an entry on the as-of date
does not count (the child was already looked after), one on the horizon's last day
does. An entry is *found* when the child was flagged in at least one run whose
horizon contains it, *missed* when the child was scored in such a run but never
flagged in any of them, and *not scored* when the child was in none of those runs'
cohorts (the list could not have found them; they are counted, not blamed on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.cohort import check_months
from riskmodel.data import care_entries
from riskmodel.monitoring._paths import bands_text, check_history

if TYPE_CHECKING:
    from riskmodel.data import LocalAuthorityData

__all__ = ["ENTRANT_STATUSES", "MISSED_COLUMNS", "missed_entrants"]

MISSED_COLUMNS: list[str] = [
    "person_id",
    "entry_date",
    "entry_number",
    "status",
    "runs_scored",
    "last_as_of",
    "last_band",
    "last_rank",
    "best_band",
    "bands",
]
"""Columns of :func:`missed_entrants`."""

ENTRANT_STATUSES: tuple[str, ...] = ("found", "missed", "not scored")
"""What became of a care entry within the horizon of a run (the ``status`` column)."""


def _entries_in_period(data: LocalAuthorityData, runs: np.ndarray, months: int) -> pd.DataFrame:
    """Care entries inside the horizon of at least one run of the history."""
    entries = care_entries(data.care_episodes)
    entries = entries[entries["entry_date"].notna()]
    entry = pd.to_datetime(entries["entry_date"]).to_numpy("datetime64[ns]")
    starts = np.sort(runs.astype("datetime64[ns]"))
    if len(starts) == 0 or len(entries) == 0:
        return entries.iloc[:0][["person_id", "entry_date", "entry_number"]]
    ends = (pd.DatetimeIndex(starts) + pd.DateOffset(months=months)).to_numpy("datetime64[ns]")
    # the latest run before each entry has the latest horizon end of the runs before it
    before = np.searchsorted(starts, entry, side="left") - 1
    inside = (before >= 0) & (entry <= ends[np.clip(before, 0, None)])
    keep = entries[inside][["person_id", "entry_date", "entry_number"]]
    return keep.assign(entry_date=pd.to_datetime(keep["entry_date"])).reset_index(drop=True)


def _window_runs(entries: pd.DataFrame, history: pd.DataFrame, months: int) -> pd.DataFrame:
    """Pairs of an entry and a run that scored the child and whose horizon contains it."""
    scored = pd.DataFrame(
        {
            "person_id": history["person_id"].astype(str).to_numpy(),
            "as_of_date": pd.to_datetime(history["as_of_date"]).to_numpy(),
            "risk_band": pd.to_numeric(history["risk_band"]).to_numpy(),
            "rank": pd.to_numeric(history["rank"]).to_numpy(),
            "flagged": history["flagged"].fillna(False).astype(bool).to_numpy(),
        }
    )
    pairs = entries.reset_index(names="entry").merge(scored, on="person_id", how="inner")
    end = pairs["as_of_date"] + pd.DateOffset(months=months)
    window = (pairs["as_of_date"] < pairs["entry_date"]) & (pairs["entry_date"] <= end)
    return pairs[window].sort_values(["entry", "as_of_date"], kind="stable")


def missed_entrants(
    data: LocalAuthorityData,
    history: pd.DataFrame,
    *,
    horizon_months: int = 12,
    include_unscored: bool = False,
) -> pd.DataFrame:
    """Return the children who entered care within a run's horizon and were never flagged.

    For every care entry that falls within the horizon of at least one run of the
    history, the runs whose horizon contains it and whose cohort held the child are
    looked at: if the child was flagged in none of them, the entry is a miss. These
    are the cases a team should learn from (help offered to flagged families may have
    prevented other entries, so misses are not the whole story of the list).

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables, with the outcomes now known (``care_episodes``).
    history : pandas.DataFrame
        The score history (``person_id``, ``as_of_date``, ``risk_band``, ``rank``,
        ``flagged``; one row per child per run), as
        :func:`riskmodel.scoring.read_history` returns.
    horizon_months : int, default 12
        The model's horizon in whole months.
    include_unscored : bool, default False
        Also return the entries of children who were in no cohort of a run whose
        horizon contains the entry (``status`` ``"not scored"``; their run columns
        are missing). They are not misses of the list, but a team should know how
        many there were.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MISSED_COLUMNS`, one row per missed care entry, latest entry
        first: ``runs_scored`` counts the runs before the entry whose horizon contains
        it and that scored the child; ``last_as_of``, ``last_band`` and ``last_rank``
        are from the latest of them, ``best_band`` the highest band in them, and
        ``bands`` those runs' bands as text, oldest first. Child-level: keep it in the
        authority's files, never in MLflow.

    Raises
    ------
    SchemaError
        If a history column is missing or a child appears twice in one run.
    ValueError
        If ``horizon_months`` is not a whole number of months of at least 1.

    Examples
    --------
    >>> misses = missed_entrants(data, history, horizon_months=12)  # doctest: +SKIP
    >>> misses[["person_id", "entry_date", "last_band", "bands"]]  # doctest: +SKIP
    """
    months = check_months(horizon_months)
    check_history(history, ["risk_band", "rank", "flagged"])
    runs = pd.unique(pd.to_datetime(history["as_of_date"]))
    entries = _entries_in_period(data, np.asarray(runs), months)
    entries["person_id"] = entries["person_id"].astype(str)
    pairs = _window_runs(entries, history, months)
    by_entry = pairs.groupby("entry", sort=True)
    last = pairs.drop_duplicates("entry", keep="last").set_index("entry")
    summary = pd.DataFrame(
        {
            "runs_scored": by_entry.size(),
            "found": by_entry["flagged"].any(),
            "last_as_of": last["as_of_date"],
            "last_band": last["risk_band"],
            "last_rank": last["rank"],
            "best_band": by_entry["risk_band"].max(),
            "bands": by_entry["risk_band"].agg(lambda b: bands_text(b.tolist())),
        }
    )
    summary["bands"] = summary["bands"].astype(object)
    out = entries.join(summary, how="left")
    out["runs_scored"] = out["runs_scored"].fillna(0).astype("int64")
    found = out["found"].astype("boolean").fillna(False).astype(bool)
    out["status"] = np.where(found, "found", np.where(out["runs_scored"] > 0, "missed", ""))
    out.loc[out["runs_scored"] == 0, "status"] = "not scored"
    wanted = ("missed", "not scored") if include_unscored else ("missed",)
    out = out[out["status"].isin(wanted)]
    for column in ("last_band", "last_rank", "best_band"):
        out[column] = out[column].astype("Int64")
    out["bands"] = out["bands"].astype(object).fillna("")
    out["last_as_of"] = pd.to_datetime(out["last_as_of"])
    out = out.sort_values(["entry_date", "person_id"], ascending=[False, True], kind="stable")
    return out[MISSED_COLUMNS].reset_index(drop=True)
