"""Capacity metrics: precision, recall and number needed to flag among the top k.

A service can support k families, so the model is judged on the k children it would
flag. When several children share the score at the cut-off, the top k is not unique;
as DSSG's triage does, the ``ties`` argument says how the tied group is ordered:

- ``"worst"``: negatives of the tied group first (a lower bound);
- ``"best"``: positives of the tied group first (an upper bound);
- ``"expected"``: the exact expectation over random orders of the tied group. With
  ``slots`` places left for a tied group of ``g`` children holding ``g_pos``
  positives, the group contributes ``slots * g_pos / g`` true positives (the mean of
  a hypergeometric distribution).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from riskmodel.metrics._validation import check_binary_scores, resolve_k, sort_descending

__all__ = [
    "TIES",
    "capacity_kernel",
    "nnf_kernel",
    "number_needed_to_flag",
    "precision_at_k",
    "precision_kernel",
    "recall_at_k",
    "recall_kernel",
    "top_k_hits",
]

TIES = ("expected", "worst", "best")


def top_k_hits(
    y: np.ndarray, s: np.ndarray, w: np.ndarray, k: float, ties: str
) -> tuple[float, float]:
    """Count true positives among the top ``k`` of weighted rows sorted by decreasing score.

    Parameters
    ----------
    y, s, w : numpy.ndarray
        Outcomes (0.0/1.0), scores in decreasing order and positive integer weights
        (a weight of 3 stands for three identical rows).
    k : float
        Number of rows flagged, between 1 and ``w.sum()``.
    ties : {"expected", "worst", "best"}
        How the group tied at the cut-off is ordered.

    Returns
    -------
    hits, positives : float
        True positives among the flagged rows, and positives in all rows.
    """
    cum_w, cum_pos = np.cumsum(w), np.cumsum(w * y)
    cut = int(np.searchsorted(cum_w, k, side="left"))
    negated = -s
    first = int(np.searchsorted(negated, negated[cut], side="left"))
    last = int(np.searchsorted(negated, negated[cut], side="right")) - 1
    above_w = cum_w[first - 1] if first > 0 else 0.0
    above_pos = cum_pos[first - 1] if first > 0 else 0.0
    group_w, group_pos = cum_w[last] - above_w, cum_pos[last] - above_pos
    slots = k - above_w
    if ties == "worst":
        tied_hits = max(0.0, slots - (group_w - group_pos))
    elif ties == "best":
        tied_hits = min(slots, group_pos)
    else:
        tied_hits = slots * group_pos / group_w
    return float(above_pos + tied_hits), float(cum_pos[-1])


def capacity_kernel(
    y: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    *,
    k: int | None = None,
    top: float | None = None,
    ties: str = "expected",
) -> tuple[float, float, float]:
    """Return rows flagged, true positives among them and all positives (sorted rows)."""
    flagged = resolve_k(k, top, float(w.sum()))
    hits, positives = top_k_hits(y, s, w, flagged, ties)
    return flagged, hits, positives


def precision_kernel(y: np.ndarray, s: np.ndarray, w: np.ndarray, **kwargs: object) -> float:
    """Weighted precision at k of rows sorted by decreasing score."""
    flagged, hits, _ = capacity_kernel(y, s, w, **kwargs)
    return hits / flagged


def recall_kernel(y: np.ndarray, s: np.ndarray, w: np.ndarray, **kwargs: object) -> float:
    """Weighted recall at k of rows sorted by decreasing score (NaN without positives)."""
    _, hits, positives = capacity_kernel(y, s, w, **kwargs)
    return hits / positives if positives > 0 else float("nan")


def nnf_kernel(y: np.ndarray, s: np.ndarray, w: np.ndarray, **kwargs: object) -> float:
    """Weighted number needed to flag of rows sorted by decreasing score."""
    flagged, hits, _ = capacity_kernel(y, s, w, **kwargs)
    return flagged / hits if hits > 0 else float("inf")


def _prepare(
    y_true: ArrayLike, y_score: ArrayLike, ties: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if ties not in TIES:
        raise ValueError(f"ties must be one of {', '.join(map(repr, TIES))}; got {ties!r}")
    y, s = check_binary_scores(y_true, y_score)
    s, y = sort_descending(y, by=s)
    return y, s, np.ones_like(y)


def precision_at_k(
    y_true: ArrayLike,
    y_score: ArrayLike,
    k: int | None = None,
    *,
    top: float | None = None,
    ties: str = "expected",
) -> float:
    """Precision among the top ``k`` scores: the share of flagged children who are positive.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning flagged first; any real values.
    k : int, optional
        Number of children flagged (the service's capacity). If it exceeds the number
        of rows, every row is flagged.
    top : float, optional
        Share of the population flagged, in (0, 1], instead of ``k``: the top
        ``ceil(top * n_samples)`` rows (at least one). Give exactly one of ``k`` and
        ``top``.
    ties : {"expected", "worst", "best"}, default "expected"
        How children tied at the cut-off are ordered (see the module notes):
        negatives first (``"worst"``), positives first (``"best"``), or the exact
        expectation over random orders (``"expected"``).

    Returns
    -------
    float
        True positives among the flagged divided by the number flagged.

    Raises
    ------
    ValueError
        If the inputs are invalid, or ``k``, ``top`` or ``ties`` are.

    Examples
    --------
    >>> from riskmodel.metrics import precision_at_k
    >>> y, score = [1, 0, 1, 0, 0], [0.9, 0.7, 0.7, 0.2, 0.1]
    >>> precision_at_k(y, score, 2, ties="worst"), precision_at_k(y, score, 2, ties="best")
    (0.5, 1.0)
    >>> precision_at_k(y, score, 2)
    0.75
    """
    y, s, w = _prepare(y_true, y_score, ties)
    return precision_kernel(y, s, w, k=k, top=top, ties=ties)


def recall_at_k(
    y_true: ArrayLike,
    y_score: ArrayLike,
    k: int | None = None,
    *,
    top: float | None = None,
    ties: str = "expected",
) -> float:
    """Recall among the top ``k`` scores: the share of all positives who are flagged.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning flagged first; any real values.
    k : int, optional
        Number of children flagged (the service's capacity). If it exceeds the number
        of rows, every row is flagged.
    top : float, optional
        Share of the population flagged, in (0, 1], instead of ``k``: the top
        ``ceil(top * n_samples)`` rows (at least one). Give exactly one of ``k`` and
        ``top``.
    ties : {"expected", "worst", "best"}, default "expected"
        How children tied at the cut-off are ordered (see the module notes):
        negatives first (``"worst"``), positives first (``"best"``), or the exact
        expectation over random orders (``"expected"``).

    Returns
    -------
    float
        True positives among the flagged divided by all positives.

    Raises
    ------
    ValueError
        If the inputs are invalid, ``y_true`` has no positives, or ``k``, ``top`` or
        ``ties`` are invalid.

    Examples
    --------
    >>> from riskmodel.metrics import recall_at_k
    >>> recall_at_k([1, 0, 1, 0, 0], [0.9, 0.7, 0.6, 0.2, 0.1], top=0.4)
    0.5
    """
    y, s, w = _prepare(y_true, y_score, ties)
    value = recall_kernel(y, s, w, k=k, top=top, ties=ties)
    if np.isnan(value):
        raise ValueError(f"recall_at_k is undefined: y_true has no positives in {len(y)} rows")
    return value


def number_needed_to_flag(
    y_true: ArrayLike,
    y_score: ArrayLike,
    k: int | None = None,
    *,
    top: float | None = None,
    ties: str = "expected",
) -> float:
    """Compute the number needed to flag: children flagged per true positive in the top ``k``.

    ``1 / precision_at_k`` with the same ``ties`` (so the ``"expected"`` value is the
    reciprocal of the expected precision), and ``inf`` when no flagged child is
    positive.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning flagged first; any real values.
    k : int, optional
        Number of children flagged (the service's capacity). If it exceeds the number
        of rows, every row is flagged.
    top : float, optional
        Share of the population flagged, in (0, 1], instead of ``k``: the top
        ``ceil(top * n_samples)`` rows (at least one). Give exactly one of ``k`` and
        ``top``.
    ties : {"expected", "worst", "best"}, default "expected"
        How children tied at the cut-off are ordered (see the module notes):
        negatives first (``"worst"``), positives first (``"best"``), or the exact
        expectation over random orders (``"expected"``).

    Returns
    -------
    float
        The number flagged divided by the true positives among them.

    Raises
    ------
    ValueError
        If the inputs are invalid, or ``k``, ``top`` or ``ties`` are.

    Examples
    --------
    >>> from riskmodel.metrics import number_needed_to_flag
    >>> number_needed_to_flag([1, 0, 1, 0, 0], [0.9, 0.7, 0.6, 0.2, 0.1], 4)
    2.0
    """
    y, s, w = _prepare(y_true, y_score, ties)
    return nnf_kernel(y, s, w, k=k, top=top, ties=ties)
