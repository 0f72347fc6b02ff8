"""The tidy metric tables of a backtest: every model per fold, all folds, each date.

Intervals are cluster bootstraps over children (``authority/person_id`` when
pooled); capacity and the top share are taken within each list (each as-of date,
within authority when pooled: :mod:`riskmodel.evaluation._keys`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskmodel.evaluation._comparison import top_share_row
from riskmodel.evaluation._keys import child_ids, list_ids, row_weights
from riskmodel.evaluation._names import REFERENCE_METRICS, REFERENCES
from riskmodel.metrics import capacity_metrics, summarise
from riskmodel.metrics._ranking import auc_kernel, average_precision_kernel
from riskmodel.metrics._validation import sort_descending

__all__ = ["by_date_table", "fold_metrics", "metrics_table"]


def fold_metrics(preds: pd.DataFrame, fold: Any, capacity, n_resamples, random_state, share):
    rows = []
    for name, part in preds.groupby("model", sort=False):
        y, p = part["y_true"].to_numpy(), part["y_score"].to_numpy()
        ids, w = child_ids(part), row_weights(part)
        table = summarise(
            y,
            p,
            clusters=ids,
            n_resamples=n_resamples,
            random_state=random_state,
            undefined="quiet",
            sample_weight=w,
        )
        if name in REFERENCES:
            table = table[table["metric"].isin(REFERENCE_METRICS)]
        top = top_share_row(part, share, n_resamples, random_state)
        table = pd.concat([table, pd.DataFrame([top])], ignore_index=True)
        if capacity:
            table = pd.concat(
                [
                    table,
                    capacity_metrics(
                        y,
                        p,
                        list_ids(part),
                        ids,
                        capacity,
                        n_resamples=n_resamples,
                        random_state=random_state,
                        sample_weight=w,
                    ),
                ],
                ignore_index=True,
            )
        rows.append(table.assign(model=name, fold=fold))
    return pd.concat(rows, ignore_index=True)


def by_date_table(preds: pd.DataFrame) -> pd.DataFrame:
    """Each model's AUC, average precision, observed and expected entrants at each date.

    On a sample (a ``sample_weight`` column) each is the weighted estimate of the
    unsampled list's, and ``n`` is the summed weight (the children it stands for).
    """
    rows = []
    for (name, date), part in preds.groupby(["model", "as_of_date"], sort=False):
        y, p = part["y_true"].to_numpy(float), part["y_score"].to_numpy(float)
        weights = row_weights(part)
        w = np.ones(len(y)) if weights is None else weights
        s_sorted, y_sorted, w_sorted = sort_descending(y, w, by=p)
        both = 0 < y.sum() < len(y)
        rows.append(
            {
                "model": name,
                "as_of_date": date,
                "roc_auc": auc_kernel(y_sorted, s_sorted, w_sorted) if both else np.nan,
                "average_precision": (
                    average_precision_kernel(y_sorted, s_sorted, w_sorted) if both else np.nan
                ),
                "observed": float(w @ y),
                "expected": float(w @ p),
                "n": len(y) if weights is None else float(w.sum()),
            }
        )
    return pd.DataFrame(rows)


def metrics_table(predictions, capacity, n_resamples, random_state, share) -> pd.DataFrame:
    """Every model's metrics per fold and for all folds pooled, as one tidy table."""
    metrics = [
        fold_metrics(p, f, capacity, n_resamples, random_state, share)
        for f, p in predictions.groupby("fold", sort=True)
    ]
    metrics.append(
        fold_metrics(predictions, "overall", capacity, n_resamples, random_state, share)
    )
    table = pd.concat(metrics, ignore_index=True)[
        ["model", "fold", "metric", "value", "lower", "upper"]
    ]
    table["fold"] = table["fold"].astype(str)
    return table
