"""Each child's path through the lists: persistently high, and time on the list.

Both read a score history (one row per child per run, as
:func:`riskmodel.scoring.read_history` returns) and count runs in a row with
:func:`riskmodel.scoring.high_streaks`, the one definition of consecutive
runs: a run in which a child was not scored ends a stretch, like a run outside the
top bands or off the list. The tables are child-level: they stay in the authority's
files and never go to MLflow.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.scoring._streaks import HIGH_BAND, PERSISTENT_RUNS, high_streaks

__all__ = [
    "PERSISTENT_COLUMNS",
    "TIME_ON_LIST_COLUMNS",
    "TIME_ON_LIST_SUMMARY_COLUMNS",
    "bands_text",
    "check_history",
    "persistently_high",
    "summarise_time_on_list",
    "time_on_list",
]

PERSISTENT_COLUMNS: list[str] = [
    "person_id",
    "streak_start",
    "streak_end",
    "streak_runs",
    "longest_runs",
    "persistent_streaks",
    "still_high",
    "bands",
]
"""Columns of :func:`persistently_high`."""

TIME_ON_LIST_COLUMNS: list[str] = [
    "person_id",
    "first_flagged",
    "last_flagged",
    "runs_on_list",
    "spells",
    "longest_spell",
    "still_on_list",
]
"""Columns of :func:`time_on_list`."""

TIME_ON_LIST_SUMMARY_COLUMNS: list[str] = ["runs_on_list", "children", "share", "still_on_list"]
"""Columns of ``time_on_list(history, summarise=True)``."""


def check_history(history: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise :class:`~riskmodel.exceptions.SchemaError` unless ``history`` can be read.

    Parameters
    ----------
    history : pandas.DataFrame
        A score history.
    columns : sequence of str
        Columns needed besides ``person_id`` and ``as_of_date``.

    Raises
    ------
    SchemaError
        Naming the missing columns, or the rows that repeat a child in one run or
        have no as-of date.
    """
    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"history must be a pandas DataFrame, got {type(history).__name__}")
    missing = [c for c in ("person_id", "as_of_date", *columns) if c not in history.columns]
    if missing:
        raise SchemaError(
            f"history: missing column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, history.columns)) or 'no columns'}"
        )
    no_date = np.flatnonzero(history["as_of_date"].isna().to_numpy())
    if len(no_date):
        raise SchemaError(
            f"history.as_of_date: {len(no_date)} rows have no as-of date "
            f"(rows {', '.join(map(str, no_date[:5]))})"
        )
    keys = pd.DataFrame(
        {"p": history["person_id"].astype(str).to_numpy(), "d": history["as_of_date"].to_numpy()}
    )
    repeated = np.flatnonzero(keys.duplicated(keep=False).to_numpy())
    if len(repeated):
        first = keys.iloc[repeated[0]]
        raise SchemaError(
            f"history.person_id: {len(repeated)} rows repeat a child within one run "
            f"(rows {', '.join(map(str, repeated[:5]))}; person_id {first['p']!r} "
            f"as of {pd.Timestamp(first['d']).date()}); read the history with "
            "once_per_month=True or pass one row per child per run"
        )


def bands_text(bands: Sequence[object]) -> str:
    """Write a child's bands over runs as short text, oldest first: ``"17 → 19 → 20"``."""
    return " → ".join("—" if pd.isna(b) else str(int(b)) for b in bands)  # type: ignore[call-overload]


def _stretches(history: pd.DataFrame, in_stretch: pd.Series) -> pd.DataFrame:
    """One row per stretch of consecutive runs in which ``in_stretch`` holds for a child.

    The runs in a row are counted by :func:`high_streaks` (``in_stretch`` as a 0/1
    band with ``high_band=1``), so consecutive means exactly what it means for
    "persistently high".
    """
    marked = pd.DataFrame(
        {
            "person_id": history["person_id"].astype(str).to_numpy(),
            "as_of_date": pd.to_datetime(history["as_of_date"]).to_numpy(),
            "risk_band": in_stretch.astype("int64").to_numpy(),
            "band": pd.to_numeric(history["risk_band"]).to_numpy()
            if "risk_band" in history
            else np.nan,
        }
    )
    streak = high_streaks(marked, high_band=1).to_numpy()
    runs = np.sort(pd.unique(marked["as_of_date"]))
    run = pd.Index(runs).get_indexer(marked["as_of_date"])
    inside = marked[streak > 0].assign(start_run=(run - streak + 1)[streak > 0])
    inside = inside.sort_values(["person_id", "as_of_date"], kind="stable")
    grouped = inside.groupby(["person_id", "start_run"], sort=True)
    out = grouped.agg(
        start=("as_of_date", "min"), end=("as_of_date", "max"), runs=("as_of_date", "size")
    )
    out["bands"] = grouped["band"].agg(list)
    out["to_latest"] = out["end"] == (runs[-1] if len(runs) else pd.NaT)
    return out.reset_index()


def persistently_high(history: pd.DataFrame, *, high_band: int = HIGH_BAND) -> pd.DataFrame:
    """Return the children who were in the top bands for several runs in a row.

    A child is persistently high when :func:`~riskmodel.scoring.high_streaks`
    reaches :data:`~riskmodel.scoring.PERSISTENT_RUNS` (bands of at least
    ``high_band`` in that many runs in a row), the same definition the team's list uses.

    Parameters
    ----------
    history : pandas.DataFrame
        The score history (``person_id``, ``as_of_date``, ``risk_band``; one row per
        child per run), as :func:`riskmodel.scoring.read_history` returns.
    high_band : int, default HIGH_BAND
        The lowest band counted as top.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PERSISTENT_COLUMNS`, one row per persistently high child,
        longest streak first: ``streak_start``, ``streak_end``, ``streak_runs`` and
        ``bands`` (as text, oldest first) describe the child's latest streak of at
        least ``PERSISTENT_RUNS`` runs; ``longest_runs`` is the longest streak,
        ``persistent_streaks`` how many such streaks the child had, and
        ``still_high`` whether the latest streak reaches the history's latest run.

    Raises
    ------
    SchemaError
        If a column is missing or a child appears twice in one run.

    Examples
    --------
    >>> import pandas as pd
    >>> history = pd.DataFrame({
    ...     "person_id": ["a"] * 3 + ["b"] * 3,
    ...     "as_of_date": pd.to_datetime(["2024-01-01", "2024-04-01", "2024-07-01"] * 2),
    ...     "risk_band": [19, 20, 20, 20, 12, 20],
    ... })
    >>> persistently_high(history)[["person_id", "streak_runs", "still_high", "bands"]]
      person_id  streak_runs  still_high         bands
    0         a            3        True  19 → 20 → 20
    """
    check_history(history, ["risk_band"])
    high = pd.to_numeric(history["risk_band"]).fillna(0) >= high_band
    streaks = _stretches(history, high)
    long = streaks[streaks["runs"] >= PERSISTENT_RUNS]
    if long.empty:
        return _empty(PERSISTENT_COLUMNS, dates=("streak_start", "streak_end"))
    by_child = long.groupby("person_id", sort=False)
    latest = long.loc[by_child["end"].idxmax()].set_index("person_id")
    out = pd.DataFrame(
        {
            "person_id": latest.index.astype(str),
            "streak_start": latest["start"].to_numpy(),
            "streak_end": latest["end"].to_numpy(),
            "streak_runs": latest["runs"].to_numpy("int64"),
            "longest_runs": by_child["runs"].max().reindex(latest.index).to_numpy("int64"),
            "persistent_streaks": by_child.size().reindex(latest.index).to_numpy("int64"),
            "still_high": latest["to_latest"].to_numpy(bool),
            "bands": [bands_text(b) for b in latest["bands"]],
        }
    )
    order = out.sort_values(
        ["longest_runs", "streak_end", "person_id"], ascending=[False, False, True]
    )
    return order.reset_index(drop=True)


def time_on_list(history: pd.DataFrame, *, summarise: bool = False) -> pd.DataFrame:
    """Return how long each flagged child stayed on the list, or its distribution.

    A spell is a stretch of consecutive runs of the history in which the child was
    flagged; a run in which the child was not flagged, or not scored, ends it.

    Parameters
    ----------
    history : pandas.DataFrame
        The score history (``person_id``, ``as_of_date``, ``flagged``; one row per
        child per run), as :func:`riskmodel.scoring.read_history` returns.
    summarise : bool, default False
        Return the distribution instead of one row per child.

    Returns
    -------
    pandas.DataFrame
        Without ``summarise``: columns :data:`TIME_ON_LIST_COLUMNS`, one row per child
        flagged at least once (``runs_on_list`` counts every run flagged, ``spells``
        the separate stretches, ``still_on_list`` whether the child is flagged in the
        history's latest run), most runs first. With ``summarise``: columns
        :data:`TIME_ON_LIST_SUMMARY_COLUMNS`, one row per number of runs on the list
        (children, their share of the flagged children, and how many of them are still
        on the list, whose time is not yet final).

    Raises
    ------
    SchemaError
        If a column is missing or a child appears twice in one run.

    Examples
    --------
    >>> import pandas as pd
    >>> history = pd.DataFrame({
    ...     "person_id": ["a"] * 3 + ["b"] * 3,
    ...     "as_of_date": pd.to_datetime(["2024-01-01", "2024-04-01", "2024-07-01"] * 2),
    ...     "flagged": [True, False, True, True, True, False],
    ... })
    >>> time_on_list(history)[["person_id", "runs_on_list", "spells", "still_on_list"]]
      person_id  runs_on_list  spells  still_on_list
    0         a             2       2           True
    1         b             2       1          False
    """
    check_history(history, ["flagged"])
    flagged = history["flagged"].fillna(False).astype(bool)
    spells = _stretches(history, flagged)
    by_child = spells.groupby("person_id", sort=True)
    out = pd.DataFrame(
        {
            "first_flagged": by_child["start"].min(),
            "last_flagged": by_child["end"].max(),
            "runs_on_list": by_child["runs"].sum().astype("int64"),
            "spells": by_child.size().astype("int64"),
            "longest_spell": by_child["runs"].max().astype("int64"),
            "still_on_list": by_child["to_latest"].any().astype(bool),
        }
    )
    out = out.rename_axis("person_id").reset_index()
    if out.empty:
        out = _empty(TIME_ON_LIST_COLUMNS, dates=("first_flagged", "last_flagged"))
    out = out.sort_values(["runs_on_list", "person_id"], ascending=[False, True])
    out = out.reset_index(drop=True)[TIME_ON_LIST_COLUMNS]
    return summarise_time_on_list(out) if summarise else out


def summarise_time_on_list(per_child: pd.DataFrame) -> pd.DataFrame:
    """Summarise :func:`time_on_list`'s table: children by number of runs on the list."""
    grouped = per_child.groupby("runs_on_list", sort=True)
    out = pd.DataFrame(
        {
            "children": grouped.size().astype("int64"),
            "still_on_list": grouped["still_on_list"].sum().astype("int64"),
        }
    )
    out["share"] = out["children"] / max(len(per_child), 1)
    return out.reset_index()[TIME_ON_LIST_SUMMARY_COLUMNS]


def _empty(columns: list[str], *, dates: tuple[str, ...]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    for c in dates:
        out[c] = pd.Series(dtype="datetime64[ns]")
    for c in ("still_high", "still_on_list"):
        if c in out:
            out[c] = pd.Series(dtype=bool)
    for c in ("person_id", "bands"):
        if c in out:
            out[c] = pd.Series(dtype=object)
    return out
