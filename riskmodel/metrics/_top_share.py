"""Precision among the top share (or top k) of each as-of date's list, averaged over dates.

A list is drawn up at one as-of date, so the top of the list is taken within each
date and the per-date precisions are averaged. Children tied at the cut count at
their tied group's rate: the expected precision when ties are broken at random, as
:func:`~riskmodel.metrics.precision_at_k` computes with ``ties="expected"``. A
two-level rule is then neither flattered nor punished by the order of its tied rows.

:class:`PerDateTop` sorts once and evaluates any row weights (bootstrap counts) in one
pass over the rows, so a bootstrap or a paired bootstrap costs little per resample.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel.metrics._validation import check_binary_scores

__all__ = ["PerDateTop", "precision_at_top_share"]


class PerDateTop:
    """Per-date top-of-list precision and recall for any row weights, sorted once.

    Parameters
    ----------
    y : numpy.ndarray
        Outcomes, 0/1.
    score : numpy.ndarray
        Scores, higher first.
    groups : numpy.ndarray
        The list each row belongs to (its as-of date).
    share : float, optional
        Share of each date's (weighted) rows flagged, at least one row:
        ``max(1, round(share * n_date))``.
    k : int, optional
        Rows flagged at each date instead (``min(k, n_date)``); give exactly one of
        ``share`` and ``k``.
    """

    def __init__(
        self,
        y: np.ndarray,
        score: np.ndarray,
        groups: np.ndarray,
        *,
        share: float | None = None,
        k: int | None = None,
    ) -> None:
        if (share is None) == (k is None):
            raise ValueError("give exactly one of share and k")
        date_code, _ = pd.factorize(pd.Series(np.asarray(groups)), sort=True)
        s = np.asarray(score, dtype=float)
        self.order = np.lexsort((-s, date_code))
        self.y = np.asarray(y, dtype=float)[self.order]
        self.date = date_code[self.order]
        s = s[self.order]
        starts = np.ones(len(s), dtype=bool)
        starts[1:] = (s[1:] != s[:-1]) | (self.date[1:] != self.date[:-1])
        self.tie_group = np.cumsum(starts) - 1
        self.group_date = self.date[starts]
        self.n_dates = int(self.date.max()) + 1 if len(s) else 0
        self.share, self.k = share, k

    def _hits(self, weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per date: rows, positives and (expected) hits among the flagged."""
        w = np.ones(len(self.y)) if weight is None else np.asarray(weight, float)[self.order]
        per_date_w = np.bincount(self.date, w, minlength=self.n_dates)
        per_date_pos = np.bincount(self.date, w * self.y, minlength=self.n_dates)
        if self.share is not None:
            k = np.maximum(1.0, np.round(self.share * per_date_w))
        else:
            k = np.full(self.n_dates, float(self.k))
        k = np.minimum(k, per_date_w)
        g_w = np.bincount(self.tie_group, w)
        g_pos = np.bincount(self.tie_group, w * self.y)
        offset = np.concatenate([[0.0], np.cumsum(per_date_w)[:-1]])
        before = np.cumsum(g_w) - g_w - offset[self.group_date]
        taken = np.clip(k[self.group_date] - before, 0.0, g_w)
        rate = np.divide(g_pos, g_w, out=np.zeros_like(g_pos), where=g_w > 0)
        hits = np.bincount(self.group_date, taken * rate, minlength=self.n_dates)
        return np.where(per_date_w > 0, k, 0.0), per_date_pos, hits

    def precision(self, weight: np.ndarray | None = None) -> float:
        """Mean over dates of the precision among the flagged.

        Parameters
        ----------
        weight : numpy.ndarray, optional
            A weight per row in the caller's order (bootstrap counts); zero drops a row.

        Returns
        -------
        float
            NaN when no date has a row.
        """
        k, _, hits = self._hits(weight)
        on = k > 0
        return float(np.mean(hits[on] / k[on])) if on.any() else float("nan")

    def recall(self, weight: np.ndarray | None = None) -> float:
        """Mean over dates with a positive of the share of positives flagged (NaN if none)."""
        _, positives, hits = self._hits(weight)
        on = positives > 0
        return float(np.mean(hits[on] / positives[on])) if on.any() else float("nan")


def precision_at_top_share(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    share: float = 0.02,
) -> float:
    """Precision among the top ``share`` of each group's rows, averaged over the groups.

    With ``groups`` the as-of dates, this is the precision of each date's list when
    the service flags its top 2% (by default), averaged over the dates. Each list
    flags ``max(1, round(share * n))`` of its ``n`` rows; children tied at the cut
    count at their tied group's rate (the expectation over random orders of the tie).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores, higher first.
    groups : array-like of shape (n_samples,), optional
        The list of each row, typically its as-of date; by default one list.
    share : float, default 0.02
        Share of each list flagged, in (0, 1].

    Returns
    -------
    float
        The mean precision over the groups.

    Raises
    ------
    ValueError
        If the inputs are invalid, ``share`` is not in (0, 1] or ``groups`` does not
        have one label per row.

    See Also
    --------
    precision_at_k : the same for one list, at ``k`` rows or a ``top`` share.

    Examples
    --------
    Two dates, the top half of each flagged: 1 of 2, then 2 of 2 entered care.

    >>> from riskmodel.metrics import precision_at_top_share
    >>> y = [1, 0, 0, 0, 1, 1, 0, 0]
    >>> score = [0.9, 0.8, 0.1, 0.2, 0.7, 0.6, 0.3, 0.1]
    >>> dates = ["2020-01"] * 4 + ["2020-04"] * 4
    >>> precision_at_top_share(y, score, groups=dates, share=0.5)
    0.75
    """
    y, s = check_binary_scores(y_true, y_score)
    if isinstance(share, bool) or not isinstance(share, Real) or not 0.0 < share <= 1.0:
        raise ValueError(f"share must be a number in (0, 1]; got {share!r}")
    labels = np.zeros(len(y)) if groups is None else np.asarray(groups)
    if labels.ndim != 1 or len(labels) != len(y):
        raise ValueError(
            f"groups must have one label per row ({len(y)}); got shape {np.shape(labels)}"
        )
    return PerDateTop(y, s, labels, share=float(share)).precision()
