"""``audit_backtest``: the fairness audit of a backtest's out-of-fold predictions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from riskmodel.evaluation import MODEL
from riskmodel.evaluation._keys import child_ids, list_ids, row_keys, row_weights
from riskmodel.fairness._audit import FairnessAudit, audit_fairness

if TYPE_CHECKING:
    from riskmodel.evaluation import BacktestResult

__all__ = ["audit_backtest"]


def audit_backtest(
    backtest: BacktestResult,
    groups: pd.DataFrame,
    *,
    capacity: int | None = None,
    n_resamples: int = 500,
    random_state: int | None = 0,
) -> FairnessAudit:
    """Audit the fairness of a backtest's out-of-fold predictions of ``"model"``.

    Decisions are made as the service would make them: the ``capacity`` highest
    scores at each as-of date are flagged. The bootstrap resamples children with all
    their rows. On pooled predictions (an ``authority`` column) each authority's list
    is its own: the ``capacity`` highest of each authority at each as-of date are
    flagged, and a child is ``(authority, person_id)``. On a sampled backtest
    (``backtest(..., sample_weight=...)``) the predictions' weights are used: a row
    counts as the children it stands for (in the capacity, the group sizes and
    every rate), so the audit estimates that of the unsampled frame.

    Parameters
    ----------
    backtest : BacktestResult
        From :func:`riskmodel.evaluation.backtest`.
    groups : pandas.DataFrame
        Protected attributes indexed by ``(person_id, as_of_date)`` (``(authority,
        person_id, as_of_date)`` for a pooled frame), such as ``TrainingFrame.groups``;
        every predicted row must be found.
    capacity : int, optional
        Children flagged per as-of date; default the backtest's capacity (one of
        them is required).
    n_resamples : int, default 500
        Bootstrap replicates (children resampled with all their rows).
    random_state : int, optional
        Seed of the bootstrap.

    Returns
    -------
    FairnessAudit
        As :func:`audit_fairness` on the predictions, their as-of dates as periods
        and their children as clusters.

    Raises
    ------
    ValueError
        If a predicted row has no groups, or no capacity is given or known.

    Examples
    --------
    >>> audit = audit_backtest(result, frame.groups, capacity=50)  # doctest: +SKIP
    >>> audit.flags()  # doctest: +SKIP
    """
    preds = backtest.predictions[backtest.predictions["model"] == MODEL]
    keys = pd.MultiIndex.from_frame(preds[row_keys(preds)])
    found = keys.isin(groups.index)
    if not found.all():
        first = keys[~found][0]
        raise ValueError(
            f"audit_backtest: {int((~found).sum())} predicted rows have no groups, such as "
            f"the row at {pd.Timestamp(first[-1]).date()}; pass the frame's groups"
        )
    capacity = capacity if capacity is not None else backtest.capacity
    if not capacity:
        raise ValueError(
            "audit_backtest: give a capacity (children flagged per as-of date); the "
            "backtest was run without one"
        )
    return audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        groups.reindex(keys).reset_index(drop=True),
        capacity=capacity,
        periods=list_ids(preds),
        clusters=child_ids(preds),
        n_resamples=n_resamples,
        random_state=random_state,
        sample_weight=row_weights(preds),
    )
