"""A pooled backtest seen from each authority: its own figures, and pooling against going alone.

A regional model is trained on every authority's children; each borough still acts on
its own list. So a pooled backtest also reports, for each authority:

- every model's metrics on that authority's test rows alone (``by_authority``), where
  the lists are its own (capacity and the top share within the authority at each
  date) and the intervals resample its own children;
- the pooled model against the authority's *own model*: the same estimator cloned and
  fitted, fold by fold, on that authority's training rows alone, scored on the same
  test rows (``pooled_vs_own``: pooled minus own, with a paired cluster-bootstrap
  interval). A borough can see whether pooling helps it.

An authority whose training rows in a fold hold no care entry has no own model in that
fold; it is said in the notes, and its comparison uses the folds where it has one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.evaluation._comparison import side_by_side
from riskmodel.evaluation._folds import fit_on
from riskmodel.evaluation._keys import WEIGHT, child_ids, list_ids, row_weights
from riskmodel.evaluation._metric_tables import fold_metrics
from riskmodel.evaluation._names import MODEL, OWN_MODEL
from riskmodel.metrics import paired_difference

__all__ = ["authority_metrics", "own_model_predictions", "pooled_vs_own"]

PAIRED_AUTHORITY_COLUMNS = [
    "authority",
    "metric",
    "pooled",
    "own",
    "difference",
    "lower",
    "upper",
    "n_test",
    "test_positives",
]
NOTE_COLUMNS = ["model", "fold", "metric", "note"]


def own_model_predictions(
    model: Any,
    frame: Any,
    splits: Iterable[tuple[np.ndarray, np.ndarray]],
    weights: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit ``model`` on each authority's training rows alone, fold by fold.

    With ``weights`` (a sampled frame's row weights) each own model is fitted with
    its training rows' weights, and the test rows keep theirs (``sample_weight``).

    Returns
    -------
    predictions : pandas.DataFrame
        As the backtest's, with ``model`` equal to :data:`OWN_MODEL`.
    notes : pandas.DataFrame
        ``model``, ``fold``, ``metric`` (empty), ``note``: folds where an authority had
        no own model, and what its fits warned (recorded, so nothing is lost).
    """
    X, y = frame.X, frame.y.to_numpy()
    authority = frame.keys["authority"].astype("str").to_numpy()
    out, notes = [], []
    for fold, (train, test) in enumerate(splits, start=1):
        for code in pd.unique(authority[test]):
            own_train = train[authority[train] == code]
            own_test = test[authority[test] == code]
            if not y[own_train].any():
                notes.append(
                    [
                        OWN_MODEL,
                        str(fold),
                        "",
                        f"authority {code}: no care entry in its "
                        f"{len(own_train)} training rows of fold {fold}, so no own model",
                    ]
                )
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fitted = fit_on(model, frame, own_train, weights)
                p = fitted.predict_proba(X.iloc[own_test])[:, 1]
            notes.extend(
                [OWN_MODEL, str(fold), "", f"authority {code}, fold {fold}: {w.message}"]
                for w in caught
            )
            keys = frame.keys.iloc[own_test].reset_index(drop=True)
            if weights is not None:
                keys = keys.assign(**{WEIGHT: weights[own_test]})
            out.append(keys.assign(model=OWN_MODEL, y_true=y[own_test], y_score=p, fold=fold))
    predictions = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return predictions, pd.DataFrame(notes, columns=NOTE_COLUMNS)


def authority_metrics(
    predictions: pd.DataFrame,
    capacity: int | None,
    n_resamples: int,
    random_state: Any,
    share: float,
) -> pd.DataFrame:
    """Every model's metrics on each authority's test rows (all folds pooled).

    Returns
    -------
    pandas.DataFrame
        ``authority``, ``model``, ``metric``, ``value``, ``lower``, ``upper``,
        ``n_test`` and ``test_positives`` (the model's rows of that authority).
    """
    rows = []
    for code, part in predictions.groupby("authority", sort=True):
        table = fold_metrics(part, "overall", capacity, n_resamples, random_state, share)
        counts = part.groupby("model")["y_true"].agg(["size", "sum"])
        table = table.assign(
            authority=code,
            n_test=table["model"].map(counts["size"]).astype(int),
            test_positives=table["model"].map(counts["sum"]).astype(int),
        )
        rows.append(table)
    columns = [
        "authority",
        "model",
        "metric",
        "value",
        "lower",
        "upper",
        "n_test",
        "test_positives",
    ]
    return pd.concat(rows, ignore_index=True)[columns]


def pooled_vs_own(
    predictions: pd.DataFrame,
    *,
    capacity: int | None,
    n_resamples: int,
    random_state: Any,
    share: float,
) -> pd.DataFrame:
    """Return the pooled model minus each authority's own model, on the rows both scored.

    The interval is a paired cluster bootstrap over the authority's children: each
    resample scores both models on the same rows.
    """
    both = predictions[predictions["model"].isin([MODEL, OWN_MODEL])]
    wide = side_by_side(both, MODEL).dropna(subset=[MODEL, OWN_MODEL])
    rows = []
    for code, part in wide.groupby("authority", sort=True):
        table = paired_difference(
            part["y_true"].to_numpy(),
            part[MODEL].to_numpy(),
            part[OWN_MODEL].to_numpy(),
            groups=list_ids(part),
            clusters=child_ids(part),
            share=share,
            capacity=capacity,
            n_resamples=n_resamples,
            random_state=random_state,
            sample_weight=row_weights(part),
        )
        rows.append(
            table.rename(columns={"first": "pooled", "second": "own"}).assign(
                authority=code, n_test=len(part), test_positives=int(part["y_true"].sum())
            )
        )
    if not rows:
        return pd.DataFrame(columns=PAIRED_AUTHORITY_COLUMNS)
    return pd.concat(rows, ignore_index=True)[PAIRED_AUTHORITY_COLUMNS]
