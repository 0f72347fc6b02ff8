"""Metrics of bench_validity: top-share precision per date, and paired child bootstraps.

Precision among the top 2% is computed within each as-of date (a list is drawn up
at one date) and averaged over the dates. Ties at the cut count at their group's
rate, the expected precision when ties are broken at random (as
:func:`riskmodel.metrics.precision_at_k` does with ``ties="expected"``), so a
two-level rule is not flattered or punished by the order of its tied rows.

The paired interval resamples children once per resample and evaluates both
scores on that same resample, so what the two have in common cancels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.metrics import (
    average_precision,
    calibration_slope,
    observed_expected_ratio,
    roc_auc,
)
from riskmodel.metrics._bootstrap import draw_counts, percentile_interval

__all__ = ["METRICS", "TopShare", "paired_difference", "summarise"]

METRICS: tuple[str, ...] = ("auc", "ap", "top2", "slope", "oe")
"""The columns of :func:`summarise`, in print order."""


class TopShare:
    """Mean over as-of dates of the precision among each date's top ``share`` of rows.

    Parameters
    ----------
    y : numpy.ndarray
        Outcomes, 0/1.
    score : numpy.ndarray
        Scores, higher first.
    dates : numpy.ndarray
        As-of date of each row.
    share : float
        Share of each date's rows flagged (0.02: the top 2%).
    """

    def __init__(self, y: np.ndarray, score: np.ndarray, dates: np.ndarray, share: float) -> None:
        date_code, _ = pd.factorize(pd.Series(dates), sort=True)
        order = np.lexsort((-np.asarray(score, dtype=float), date_code))
        self.order = order
        self.y = np.asarray(y, dtype=float)[order]
        self.date = date_code[order]
        s = np.asarray(score, dtype=float)[order]
        new_group = np.ones(len(s), dtype=bool)
        new_group[1:] = (s[1:] != s[:-1]) | (self.date[1:] != self.date[:-1])
        self.group = np.cumsum(new_group) - 1
        self.group_date = self.date[new_group]
        self.n_dates = int(self.date.max()) + 1
        self.share = share

    def value(self, weight: np.ndarray | None = None) -> float:
        """Return the mean precision; ``weight`` per row in the caller's order (counts)."""
        w = np.ones(len(self.y)) if weight is None else np.asarray(weight, float)[self.order]
        per_date_w = np.bincount(self.date, w, minlength=self.n_dates)
        k = np.maximum(1.0, np.round(self.share * per_date_w))
        g_w = np.bincount(self.group, w)
        g_h = np.bincount(self.group, w * self.y)
        offset = np.concatenate([[0.0], np.cumsum(per_date_w)[:-1]])
        end = np.cumsum(g_w) - offset[self.group_date]
        before = end - g_w
        k_g = k[self.group_date]
        taken = np.clip(k_g - before, 0.0, g_w)
        with np.errstate(invalid="ignore", divide="ignore"):
            hits = np.where(g_w > 0, taken * g_h / np.where(g_w > 0, g_w, 1.0), 0.0)
        per_date = np.bincount(self.group_date, hits, minlength=self.n_dates) / k
        return float(per_date[per_date_w > 0].mean())


def _slope(y: np.ndarray, p: np.ndarray) -> float:
    """The calibration slope, or NaN (printed n/a) where it does not exist on these rows."""
    try:
        return calibration_slope(y, p)
    except ValueError:  # e.g. separation on a small authority's few care entries
        return np.nan


def summarise(y: np.ndarray, p: np.ndarray, dates: np.ndarray, share: float) -> dict:
    """AUC, average precision, top-share precision, calibration slope and observed/expected.

    Parameters
    ----------
    y, p, dates : numpy.ndarray
        Outcomes, probabilities and as-of dates of the test rows.
    share : float
        Share flagged at each date for ``top2``.

    Returns
    -------
    dict
        Keys :data:`METRICS`.
    """
    return {
        "auc": roc_auc(y, p),
        "ap": average_precision(y, p),
        "top2": TopShare(y, p, dates, share).value(),
        "slope": _slope(y, p),
        "oe": observed_expected_ratio(y, p),
    }


def paired_difference(
    y: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    dates: np.ndarray,
    children: np.ndarray,
    *,
    share: float,
    n_resamples: int = 500,
    confidence: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float, float]:
    """Top-share precision of ``first`` minus ``second``, with a child-clustered interval.

    Each resample draws children with replacement (all their rows come with them) and
    evaluates both scores on it.

    Parameters
    ----------
    y, first, second, dates, children : numpy.ndarray
        Aligned outcomes, the two scores, as-of dates and child ids.
    share : float
        Share flagged at each date.
    n_resamples : int, default 500
        Resamples of children.
    confidence : float, default 0.95
        Coverage of the percentile interval.
    random_state : int, default 0
        Seed of the resamples.

    Returns
    -------
    difference, lower, upper : float
        The difference on all rows and its percentile interval.
    """
    a, b = TopShare(y, first, dates, share), TopShare(y, second, dates, share)
    codes, uniques = pd.factorize(pd.Series(children))
    diffs = np.array(
        [
            a.value(counts[codes]) - b.value(counts[codes])
            for counts in draw_counts(len(uniques), n_resamples, random_state)
        ]
    )
    lower, upper = percentile_interval(diffs, confidence)
    return a.value() - b.value(), lower, upper
