"""Runs in a row in the top bands: what "persistently high" means, in one place.

The list a team opens marks persistently high children, and monitoring lists them;
both count with :func:`high_streaks`, so the two never disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["HIGH_BAND", "PERSISTENT_RUNS", "high_streaks"]

HIGH_BAND = 19
"""A child is in the *top bands* at a run when their risk band is at least this (top tenth)."""

PERSISTENT_RUNS = 3
"""A child is *persistently high* after this many runs in a row in the top bands."""


def high_streaks(history: pd.DataFrame, *, high_band: int = HIGH_BAND) -> pd.Series:
    """Count, for each row of a score history, the runs in a row in the top bands.

    A streak counts consecutive runs of the history (its distinct ``as_of_date``
    values, in date order) up to and including the row's run in which the child's
    ``risk_band`` was at least ``high_band``. A run in which the child was not in the
    top bands, or not scored at all, ends the streak.

    Parameters
    ----------
    history : pandas.DataFrame
        Rows with ``person_id``, ``as_of_date`` and ``risk_band`` (one row per child per
        run), as :func:`~riskmodel.scoring.read_history` returns.
    high_band : int, default HIGH_BAND
        The lowest band counted as top.

    Returns
    -------
    pandas.Series
        int64, aligned with ``history``'s index: 0 for a row outside the top bands,
        else the length of the streak ending at that run.
        ``>= PERSISTENT_RUNS`` means persistently high.

    Examples
    --------
    >>> import pandas as pd
    >>> history = pd.DataFrame({
    ...     "person_id": ["a", "a", "a", "b", "b"],
    ...     "as_of_date": pd.to_datetime(["2024-01-01", "2024-04-01", "2024-07-01",
    ...                                   "2024-01-01", "2024-07-01"]),
    ...     "risk_band": [20, 19, 20, 20, 20],
    ... })
    >>> high_streaks(history).tolist()
    [1, 2, 3, 1, 1]
    """
    if history.empty:
        return pd.Series(np.zeros(0, dtype="int64"), index=history.index)
    run = pd.Index(np.sort(pd.unique(history["as_of_date"]))).get_indexer(history["as_of_date"])
    high = pd.to_numeric(history["risk_band"]).fillna(0).to_numpy() >= high_band
    order = np.lexsort((run, history["person_id"].astype(str).to_numpy()))
    person = history["person_id"].astype(str).to_numpy()[order]
    run_o, high_o = run[order], high[order]
    follows = np.r_[False, (person[1:] == person[:-1]) & (run_o[1:] == run_o[:-1] + 1)]
    # a new streak starts at every high row that does not continue a high row of the run before
    starts = high_o & ~(follows & np.r_[False, high_o[:-1]])
    streak_id = np.cumsum(starts)
    position = np.arange(len(order))
    first = pd.Series(position).groupby(streak_id).transform("min").to_numpy()
    counts = np.where(high_o, position - first + 1, 0)
    out = np.empty(len(order), dtype="int64")
    out[order] = counts
    return pd.Series(out, index=history.index)
