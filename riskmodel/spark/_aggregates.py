"""Per-group counts for the review and the fairness audit, aggregated on Spark.

Each row is counted once per attribute (an ``explode`` of its (attribute, group)
pairs, then one ``groupBy``), and only the aggregated table (a few rows per
attribute) comes to the driver; the rates
of the fairness audit and calibration in the large follow from it with the audit's
own formulas (:func:`group_rates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.fairness._group_metrics import METRICS, rates
from riskmodel.fairness._inputs import MISSING_GROUP

__all__ = ["COUNT_COLUMNS", "group_counts_spark", "group_rates"]

COUNT_COLUMNS = ["n", "flagged", "positives", "true_positives", "sum_score", "mean_score"]
"""What :func:`group_counts_spark` gives per attribute and group, after their names."""

OVERALL = "all"
"""Attribute and group name of the row over everyone."""


def group_counts_spark(
    scores: Any,
    outcomes: Any,
    by: Sequence[str],
    *,
    outcome: str = "care_entry",
    on: Sequence[str] = ("authority", "person_id"),
) -> pd.DataFrame:
    """Count, on Spark, what each group's audit and calibration rest on.

    Parameters
    ----------
    scores : pyspark.sql.DataFrame
        With the columns of ``on``, ``risk_score`` and ``flagged`` (as
        :func:`~riskmodel.spark.score_spark` gives), and any columns of ``by``.
    outcomes : pyspark.sql.DataFrame
        With the columns of ``on``, ``outcome`` (0/1, or null while unknown) and the
        group columns of ``by`` that ``scores`` lacks. Joined to ``scores`` on ``on``;
        rows whose outcome is null are left out.
    by : sequence of str
        The group columns (such as ``sex``, ``ethnic_group``, ``authority``), each
        counted on its own. Values are labelled as the fairness audit labels them:
        text, whole numbers without a decimal point, missing as ``"(missing)"``.
    outcome : str, default "care_entry"
        The outcome column.
    on : sequence of str, default ("authority", "person_id")
        The join keys.

    Returns
    -------
    pandas.DataFrame
        One row per attribute and group (first the row ``all``/``all`` over
        everyone), sorted by attribute (in the order of ``by``) and group: columns
        ``attribute``, ``group`` (str), ``n``, ``flagged``, ``positives``,
        ``true_positives`` (int64), ``sum_score`` and ``mean_score`` (float64; the sum
        of scores is the expected count, so ``positives / sum_score`` is the
        observed/expected ratio).
    """
    from pyspark.sql import functions as F

    keep = [c for c in outcomes.columns if c in (*on, outcome, *by) and c not in scores.columns]
    joined = scores.join(outcomes.select(*on, *keep), on=list(on), how="inner")
    joined = joined.filter(F.col(outcome).isNotNull()).withColumn(
        "_flag", F.col("flagged").cast("long")
    )
    joined = joined.withColumn("_y", F.col(outcome).cast("long"))
    sums = [
        F.count(F.lit(1)).alias("n"),
        F.sum("_flag").alias("flagged"),
        F.sum("_y").alias("positives"),
        F.sum(F.col("_y") * F.col("_flag")).alias("true_positives"),
        F.sum("risk_score").alias("sum_score"),
    ]
    types = dict(joined.dtypes)
    labels = [F.lit(OVERALL)] + [_label(F.col(name), types[name]) for name in by]
    pairs = F.array(
        *(F.struct(F.lit(i).alias("_a"), g.alias("group")) for i, g in enumerate(labels))
    )
    long = joined.select(F.explode(pairs).alias("_k"), "_flag", "_y", "risk_score")
    table = long.groupBy("_k._a", "_k.group").agg(*sums).toPandas()
    return _tidy(table, [OVERALL, *by])


def _label(column: Any, dtype: str) -> Any:
    """Return the audit's text label of a group value (as ``fairness._inputs.group_label``)."""
    from pyspark.sql import functions as F

    if dtype == "boolean":
        text = F.when(column, F.lit("True")).otherwise(F.lit("False"))
    elif dtype in ("float", "double") or dtype.startswith("decimal"):
        whole = column == F.floor(column)
        text = F.when(whole, column.cast("bigint").cast("string")).otherwise(column.cast("string"))
    else:
        text = column.cast("string")
    return F.when(column.isNull(), F.lit(MISSING_GROUP)).otherwise(text)


def _tidy(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    table = table.assign(attribute=[names[i] for i in table["_a"]])
    table = table.sort_values(["_a", "group"], kind="stable").reset_index(drop=True)
    for column in ("n", "flagged", "positives", "true_positives"):
        table[column] = table[column].fillna(0).astype("int64")
    table["sum_score"] = table["sum_score"].astype("float64")
    table["mean_score"] = table["sum_score"] / table["n"]
    columns = ["attribute", "group", *COUNT_COLUMNS]
    return table[columns].astype({"attribute": "str", "group": "str"})


def group_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Derive the fairness audit's rates from :func:`group_counts_spark`'s counts.

    The formulas are the audit's own (:func:`~riskmodel.fairness.audit_fairness`):
    prevalence, selection rate, TPR, FPR, FNR, TNR, precision, FDR, FOR, NPV, mean
    score and observed/expected. AUC needs the scores' order, not counts: it is NaN.

    Parameters
    ----------
    counts : pandas.DataFrame
        From :func:`group_counts_spark`.

    Returns
    -------
    pandas.DataFrame
        ``attribute``, ``group``, then one float64 column per metric of the audit
        (NaN where the denominator is zero).
    """
    columns = ["n", "positives", "flagged", "true_positives", "sum_score"]
    sums = counts[columns].to_numpy(dtype=np.float64)
    values = rates(sums, np.full(len(counts), np.nan))
    out = counts[["attribute", "group"]].copy()
    for metric in METRICS:
        out[metric] = values[metric]
    return out
