"""The score history: every scoring run appends a partition, so change can be tracked.

The history is a Parquet dataset partitioned by as-of date
(``history/as_of_date=2024-04-01/scores.parquet``) beside the outputs. Re-running the
same as-of date replaces its partition. Two runs at different dates of one calendar
month (2024-01-01 and 2024-01-15) keep both partitions, with the same children in
each; scoring warns when that happens, and ``read_history(..., once_per_month=True)``
keeps only the latest run of each month, so that monitoring counts each child once
per month.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskmodel._atomic import atomic_write

__all__ = [
    "HISTORY_FOLDER",
    "RISING_BANDS",
    "PreviousRun",
    "add_changes",
    "append_history",
    "compare_with_history",
    "history_partitions",
    "previous_run",
    "previous_scores",
    "read_history",
    "recent_runs",
    "same_month_runs",
]

RISING_BANDS = 3
"""A child is *rising* when their band went up by at least this many since the last run."""

HISTORY_COLUMNS = [
    "person_id",
    "risk_score",
    "risk_band",
    "rank",
    "flagged",
    "model_name",
    "model_version",
]
_PARTITION = "as_of_date="
HISTORY_FOLDER = "history"
"""The score history's folder name inside an output folder."""


def history_partitions(history_dir: Path) -> dict[pd.Timestamp, Path]:
    """Return each run's partition file of a score history, by as-of date (empty if none)."""
    if not history_dir.is_dir():
        return {}
    found = {}
    for path in history_dir.iterdir():
        if path.is_dir() and path.name.startswith(_PARTITION):
            found[pd.Timestamp(path.name[len(_PARTITION) :])] = path / "scores.parquet"
    return found


def append_history(
    history_dir: str | os.PathLike[str], scores: pd.DataFrame, as_of: pd.Timestamp
) -> Path:
    """Write (or replace) the partition of ``as_of`` in the score history.

    Parameters
    ----------
    history_dir : path-like
        The history dataset's directory (created if needed).
    scores : pandas.DataFrame
        The scores file's rows; only ``HISTORY_COLUMNS`` are kept.
    as_of : pandas.Timestamp
        The run's as-of date.

    Returns
    -------
    pathlib.Path
        The partition's file.
    """
    as_of = pd.Timestamp(as_of)
    folder = Path(history_dir) / f"{_PARTITION}{as_of.date()}"
    folder.mkdir(parents=True, exist_ok=True)
    table = scores[HISTORY_COLUMNS].reset_index(drop=True)
    return atomic_write(folder / "scores.parquet", lambda p: table.to_parquet(p, index=False))


@dataclass(frozen=True)
class PreviousRun:
    """The run of a score history that a new run's changes are measured against.

    Attributes
    ----------
    as_of : pandas.Timestamp
        Its as-of date: the latest in the history strictly before the new run's.
    sha256 : str
        The SHA-256 of its partition file, so that a rerun of that date (which
        replaces the partition) is told apart.
    """

    as_of: pd.Timestamp
    sha256: str


def _latest_before(history_dir: Path, as_of: pd.Timestamp) -> tuple[pd.Timestamp, Path] | None:
    earlier = {d: p for d, p in history_partitions(history_dir).items() if d < pd.Timestamp(as_of)}
    if not earlier:
        return None
    date = max(earlier)
    return date, earlier[date]


def previous_run(history_dir: str | os.PathLike[str], as_of: pd.Timestamp) -> PreviousRun | None:
    """Return the latest run of the history strictly before ``as_of`` (None if none).

    Parameters
    ----------
    history_dir : path-like
        The history dataset's directory.
    as_of : pandas.Timestamp
        The new run's as-of date.

    Returns
    -------
    PreviousRun or None
    """
    found = _latest_before(Path(history_dir), as_of)
    if found is None:
        return None
    date, path = found
    return PreviousRun(date, hashlib.sha256(path.read_bytes()).hexdigest())


def compare_with_history(
    scores: pd.DataFrame, history_dir: str | os.PathLike[str] | None, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, PreviousRun | None]:
    """Add the change columns to ``scores`` against the history's latest earlier run.

    The history is only read.

    Parameters
    ----------
    scores : pandas.DataFrame
        This run's scores (``person_id``, ``risk_band``, ``flagged``).
    history_dir : path-like or None
        The history dataset's directory; None (or a folder with no earlier run)
        compares with no run.
    as_of : pandas.Timestamp
        This run's as-of date.

    Returns
    -------
    (pandas.DataFrame, PreviousRun or None)
        ``scores`` with the columns of :func:`add_changes`, and the run compared with.
    """
    found = None if history_dir is None else _latest_before(Path(history_dir), as_of)
    if found is None:
        return add_changes(scores, None), None
    date, path = found
    content = path.read_bytes()  # hash and read the same bytes
    previous = pd.read_parquet(io.BytesIO(content))
    return add_changes(scores, previous), PreviousRun(date, hashlib.sha256(content).hexdigest())


def previous_scores(
    history_dir: str | os.PathLike[str], as_of: pd.Timestamp
) -> tuple[pd.Timestamp | None, pd.DataFrame | None]:
    """Return the latest run strictly before ``as_of``, and its date.

    Returns
    -------
    (pandas.Timestamp or None, pandas.DataFrame or None)
        ``(None, None)`` when there is no earlier run.
    """
    found = _latest_before(Path(history_dir), as_of)
    if found is None:
        return None, None
    date, path = found
    return date, pd.read_parquet(path)


def same_month_runs(
    history_dir: str | os.PathLike[str], as_of: pd.Timestamp
) -> list[pd.Timestamp]:
    """Return the other runs in the history in the calendar month of ``as_of``.

    Parameters
    ----------
    history_dir : path-like
        The history dataset's directory.
    as_of : pandas.Timestamp
        The run's as-of date (its own partition is not counted).

    Returns
    -------
    list of pandas.Timestamp
        Sorted; empty when ``as_of`` is the only run of its month.
    """
    as_of = pd.Timestamp(as_of)
    month = as_of.to_period("M")
    found = history_partitions(Path(history_dir))
    return sorted(d for d in found if d != as_of and d.to_period("M") == month)


def read_history(
    history_dir: str | os.PathLike[str], *, once_per_month: bool = False
) -> pd.DataFrame:
    """Read every run of the score history, one row per child per run.

    Parameters
    ----------
    history_dir : path-like
        The history dataset's directory (``<out>/history``).
    once_per_month : bool, default False
        Keep only the latest run of each calendar month, so that a month scored
        twice (as of 2024-01-01 and 2024-01-15) counts each child once.

    Returns
    -------
    pandas.DataFrame
        ``as_of_date`` and ``HISTORY_COLUMNS``, in date order (each run in rank order); empty
        (with those columns) when there is no run.
    """
    found = history_partitions(Path(history_dir))
    if once_per_month:
        latest: dict[pd.Period, pd.Timestamp] = {}
        for date in found:
            month = date.to_period("M")
            latest[month] = max(date, latest.get(month, date))
        found = {d: found[d] for d in latest.values()}
    return _read_runs(found, sorted(found))


def _read_runs(found: dict[pd.Timestamp, Path], dates: list[pd.Timestamp]) -> pd.DataFrame:
    """One table of the partitions of ``dates`` (in that order), ``as_of_date`` first."""
    parts = [
        pd.read_parquet(found[d]).assign(as_of_date=d)[["as_of_date", *HISTORY_COLUMNS]]
        for d in dates
    ]
    if not parts:
        return pd.DataFrame(columns=["as_of_date", *HISTORY_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def recent_runs(
    history_dir: str | os.PathLike[str], as_of: pd.Timestamp, *, runs: int
) -> pd.DataFrame:
    """Read the last ``runs`` runs of the history up to ``as_of``, once per calendar month.

    Runs are counted as ``read_history(..., once_per_month=True)`` counts them, among
    the runs as of ``as_of`` or earlier: the month of ``as_of`` is that run itself, even
    when the history also holds a later date of that month.

    Parameters
    ----------
    history_dir : path-like
        The history dataset's directory, holding the partition of ``as_of``.
    as_of : pandas.Timestamp
        The run the window ends with.
    runs : int
        How many runs at most.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_history`, for the runs kept (in date order).
    """
    found = history_partitions(Path(history_dir))
    return _read_runs(found, _recent_dates(found, as_of, runs=runs))


def _recent_dates(found: dict[pd.Timestamp, Path], as_of: pd.Timestamp, *, runs: int) -> list:
    """Return the dates :func:`recent_runs` reads among the partitions ``found``, in order.

    Parameters
    ----------
    found : dict of pandas.Timestamp to pathlib.Path
        The history's partitions (:func:`history_partitions`).
    as_of : pandas.Timestamp
        The run the window ends with.
    runs : int
        How many runs at most.

    Returns
    -------
    list of pandas.Timestamp
        The latest run of each calendar month up to ``as_of``, the last ``runs`` of them.
    """
    as_of = pd.Timestamp(as_of)
    dates = sorted(d for d in found if d <= as_of)
    latest = {date.to_period("M"): date for date in dates}  # the last of each month
    return sorted(latest.values())[-runs:] if runs > 0 else []


def add_changes(scores: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Add each child's previous band and what changed since the last run.

    Parameters
    ----------
    scores : pandas.DataFrame
        This run's scores (``person_id``, ``risk_band``, ``flagged``).
    previous : pandas.DataFrame or None
        The previous run's scores, from :func:`previous_scores`.

    Returns
    -------
    pandas.DataFrame
        ``scores`` with ``previous_band`` (missing when not scored last time),
        ``band_change``, ``new_to_list`` (flagged now, not flagged or not scored
        last time) and ``rising`` (up ``RISING_BANDS`` bands or more).
    """
    out = scores.copy()
    if previous is None or previous.empty:
        before = pd.DataFrame(
            {
                "person_id": pd.Series(dtype="str"),
                "previous_band": pd.Series(dtype="Int64"),
                "was_flagged": pd.Series(dtype="boolean"),
            }
        )
    else:
        before = previous[["person_id", "risk_band", "flagged"]].rename(
            columns={"risk_band": "previous_band", "flagged": "was_flagged"}
        )
    merged = out[["person_id"]].merge(before, on="person_id", how="left", validate="one_to_one")
    out["previous_band"] = merged["previous_band"].astype("Int64").to_numpy()
    out["band_change"] = (out["risk_band"].astype("Int64") - out["previous_band"]).astype("Int64")
    was_flagged = merged["was_flagged"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    out["new_to_list"] = out["flagged"].to_numpy(dtype=bool) & ~was_flagged
    out["rising"] = (out["band_change"] >= RISING_BANDS).fillna(False).astype(bool)
    return out
