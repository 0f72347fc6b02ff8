"""Drift on Spark: each shard bins its rows, Spark counts the bins, the driver measures PSI.

Each shard gives every scored child's bin of each used, profiled feature
(:func:`~riskmodel.scoring._drift.row_bins`, the local binning) as an array column;
Spark counts (authority, feature, bin) with one ``posexplode`` and ``groupBy``, and
only that small table comes to the driver, where the local formula
(:func:`~riskmodel.scoring._drift.stability_table`) and warning
(:func:`~riskmodel.scoring._drift.warn_drift`) make the drift table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskmodel.scoring._drift import FeatureProfile, row_bins, stability_table, warn_drift

__all__ = ["BINS", "drift_spark", "shard_bins"]

BINS = "_bins"
"""The column of each scored child's bins, one per feature of the used profile, in its order."""


def shard_bins(profile: FeatureProfile, X: pd.DataFrame) -> list[list[int]]:
    """Return each row's bins of the profile's features (in the profile's order).

    Every feature of ``profile`` must be a column of ``X`` (the used features of an
    aligned frame are).
    """
    bins = row_bins(profile, X)
    missing = [name for name in profile.edges if name not in bins]
    if missing:
        raise ValueError(f"drift: the scored features lack the profiled {', '.join(missing)}")
    if not bins:
        return [[] for _ in range(len(X))]
    return np.column_stack([bins[name] for name in profile.edges]).astype(int).tolist()


def drift_spark(
    scored: Any,
    profile: FeatureProfile,
    codes: list[str | None],
    notes: list[str],
    *,
    pooled: bool,
) -> pd.DataFrame:
    """Measure each authority's drift from the shards' bins, counted on Spark.

    Parameters
    ----------
    scored : pyspark.sql.DataFrame
        One row per scored child: ``authority`` and :data:`BINS`.
    profile : FeatureProfile
        The used features' training profile (the order of :data:`BINS`).
    codes : list of str or None
        The authorities scored (one with no scored child counts zero rows, as locally).
    notes : list of str
        Receives the alerts (prefixed ``authority CODE:`` on pooled data).
    pooled : bool
        Whether to prefix the notes.

    Returns
    -------
    pandas.DataFrame
        ``authority``, then the columns of
        :func:`~riskmodel.scoring.population_stability`, each authority in its PSI order.

    Warns
    -----
    DriftWarning
        For each authority with a feature above the alert level.
    """
    from pyspark.sql import functions as F

    names = list(profile.edges)
    counted = (
        scored.select("authority", F.posexplode(BINS).alias("_feature", "_bin"))
        .groupBy("authority", "_feature", "_bin")
        .count()
        .collect()
    )
    counts = {
        code: {n: np.zeros(len(profile.edges[n]) + 2, dtype="int64") for n in names}
        for code in codes
    }
    for row in counted:
        counts[row["authority"]][names[row["_feature"]]][row["_bin"]] += row["count"]
    tables = []
    for code in codes:
        found: list[str] = []
        table = warn_drift(stability_table(profile, counts[code]), found)
        notes.extend(f"authority {code}: {n}" if pooled else n for n in found)
        tables.append(table.assign(authority=code))
    table = pd.concat(tables, ignore_index=True)
    return table[["authority", *[c for c in table.columns if c != "authority"]]]
