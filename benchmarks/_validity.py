"""Metrics of bench_validity: top-share precision per date, and paired child bootstraps.

Precision among the top 2% is :func:`riskmodel.metrics.precision_at_top_share`:
within each as-of date, ties at the cut counted at their group's rate, averaged over
the dates.

The paired interval resamples children once per resample and evaluates both
scores on that same resample, so what the two have in common cancels.
:func:`gap_shares` does the same for the share of the gap between an old model and
the best achievable that a new model closes, on one authority or pooled over several.

:func:`where_missed` says where a model falls short of the best achievable: the
child-dates at the very top of the achievable's list that the model ranks lower, and
the features most over-represented among them.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

from riskmodel.metrics import (
    average_precision,
    calibration_slope,
    observed_expected_ratio,
    roc_auc,
)
from riskmodel.metrics._bootstrap import draw_counts, percentile_interval
from riskmodel.metrics._ranking import average_precision_kernel
from riskmodel.metrics._top_share import PerDateTop

__all__ = [
    "GAP_METRICS",
    "METRICS",
    "SortedAP",
    "TopShare",
    "gap_shares",
    "paired_difference",
    "summarise",
    "where_missed",
]

METRICS: tuple[str, ...] = ("auc", "ap", "top2", "slope", "oe")
"""The columns of :func:`summarise`, in print order."""


class TopShare(PerDateTop):
    """Mean over as-of dates of the precision among each date's top ``share`` of rows.

    :class:`riskmodel.metrics._top_share.PerDateTop` (behind
    :func:`riskmodel.metrics.precision_at_top_share`) with this module's argument order;
    ``value(weight)`` is its ``precision``.

    Parameters
    ----------
    y, score, dates : numpy.ndarray
        Outcomes (0/1), scores (higher first) and as-of dates.
    share : float
        Share of each date's rows flagged (0.02: the top 2%).
    """

    def __init__(self, y: np.ndarray, score: np.ndarray, dates: np.ndarray, share: float) -> None:
        super().__init__(y, score, dates, share=share)

    def value(self, weight: np.ndarray | None = None) -> float:
        """Return the mean precision; ``weight`` per row in the caller's order (counts)."""
        return self.precision(weight)


class SortedAP:
    """Average precision of one score, sorted once, on any resample of its rows.

    Parameters
    ----------
    y, score : numpy.ndarray
        Outcomes (0/1) and scores (higher first).
    """

    def __init__(self, y: np.ndarray, score: np.ndarray) -> None:
        self._order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
        self._y = np.asarray(y, dtype=float)[self._order]
        self._s = np.asarray(score, dtype=float)[self._order]

    def value(self, weight: np.ndarray | None = None) -> float:
        """Return the average precision; ``weight`` per row in the caller's order (counts).

        Rows of weight 0 (children not drawn) are left out, as the kernel needs
        positive weights. NaN when no positive row is drawn.
        """
        if weight is None:
            return average_precision_kernel(self._y, self._s, np.ones(len(self._y)))
        w = np.asarray(weight, dtype=float)[self._order]
        keep = w > 0
        return average_precision_kernel(self._y[keep], self._s[keep], w[keep])


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


def _top_of_each_date(score: np.ndarray, dates: np.ndarray, share: float) -> np.ndarray:
    """Rows among the top ``share`` of their date by ``score`` (rank percentile)."""
    ranks = pd.Series(score).groupby(pd.Series(dates)).rank(ascending=False, pct=True)
    return ranks.to_numpy() <= share


def where_missed(
    y: np.ndarray,
    model: np.ndarray,
    achievable: np.ndarray,
    dates: np.ndarray,
    X: pd.DataFrame,
    *,
    share: float = 0.005,
    below: float = 0.02,
    n_features: int = 8,
) -> tuple[dict, pd.DataFrame]:
    """Compare the very top of the achievable's lists with the model's, and the misses.

    Parameters
    ----------
    y, model, achievable, dates : numpy.ndarray
        Aligned outcomes (0/1), the model's and the achievable's probabilities, and
        as-of dates.
    X : pandas.DataFrame
        The rows' features, aligned (the numeric columns that are never negative are
        compared: a ratio of means says nothing of a signed change).
    share : float, default 0.005
        The top of each date's list looked at (0.005: the top half per cent).
    below : float, default 0.02
        A row of the achievable's top is "missed" when the model ranks it below its
        own top ``below`` of the date.
    n_features : int, default 8
        How many features to return.

    Returns
    -------
    facts : dict
        ``rows`` and ``rate`` (share entering care) of the achievable's top and of the
        model's, and ``missed``, ``missed_rate``, ``missed_model`` and
        ``missed_achievable`` (mean probabilities) of the misses.
    features : pandas.DataFrame
        The ``n_features`` features whose mean among the misses is the largest multiple
        of their mean over all rows: columns ``missed``, ``model_top``, ``all`` and
        ``ratio``, indexed by feature.
    """
    y = np.asarray(y, dtype=float)
    top_a = _top_of_each_date(achievable, dates, share)
    top_m = _top_of_each_date(model, dates, share)
    missed = top_a & ~_top_of_each_date(model, dates, below)
    facts = {
        "rows": int(top_a.sum()),
        "rate": float(y[top_a].mean()),
        "model_rate": float(y[top_m].mean()),
        "missed": int(missed.sum()),
        "missed_rate": float(y[missed].mean()) if missed.any() else float("nan"),
        "missed_model": float(model[missed].mean()) if missed.any() else float("nan"),
        "missed_achievable": float(achievable[missed].mean()) if missed.any() else float("nan"),
    }
    numeric = X.select_dtypes("number").reset_index(drop=True).astype(float)
    numeric = numeric.loc[:, numeric.min() >= 0]
    overall = numeric.mean()
    table = pd.DataFrame(
        {
            "missed": numeric[missed].mean(),
            "model_top": numeric[top_m].mean(),
            "all": overall,
        }
    )
    table["ratio"] = table["missed"] / overall.where(overall > 0)
    return facts, table.dropna(subset=["ratio"]).nlargest(n_features, "ratio")


GAP_METRICS: tuple[str, ...] = ("ap", "top2")
"""The metrics whose gap share :func:`gap_shares` measures."""


def _metric(name: str, y: np.ndarray, score: np.ndarray, dates: np.ndarray, share: float):
    return SortedAP(y, score) if name == "ap" else TopShare(y, score, dates, share)


def gap_shares(
    authorities: list[dict],
    *,
    share: float,
    n_resamples: int = 500,
    confidence: float = 0.95,
    random_state: int = 0,
) -> dict[str, tuple[float, float, float]]:
    """Share of the old-to-best gap a new model closes, pooled, with a clustered interval.

    For each metric of :data:`GAP_METRICS` the share is the sum over authorities of
    ``metric(new) - metric(old)`` over the sum of ``metric(best) - metric(old)``: on
    one authority the usual ``(new - old) / (best - old)``, on several a ratio of
    sums, which a single authority with a tiny gap cannot swing. Each resample
    draws every authority's children with replacement (all their rows with them)
    and evaluates the three scores on it; resamples where the pooled gap is not
    positive are left out.

    Parameters
    ----------
    authorities : list of dict
        One dict per authority with aligned arrays ``y`` (0/1), ``old``, ``new``,
        ``best`` (scores), ``dates`` and ``children``.
    share : float
        Share flagged at each date for ``"top2"``.
    n_resamples, confidence, random_state
        As :func:`paired_difference`.

    Returns
    -------
    dict of str to (share, lower, upper)
        Per metric, the share on all rows and its percentile interval (NaN bounds
        when no resample has a positive gap).
    """
    gains = {m: np.zeros((n_resamples + 1, 2)) for m in GAP_METRICS}
    rng = np.random.default_rng(random_state)
    for one in authorities:
        y, dates = np.asarray(one["y"], dtype=float), np.asarray(one["dates"])
        scores = {
            m: [_metric(m, y, one[k], dates, share) for k in ("old", "new", "best")]
            for m in GAP_METRICS
        }
        codes, uniques = pd.factorize(pd.Series(one["children"]))
        counts = draw_counts(len(uniques), n_resamples, rng)
        for i, w in enumerate(chain([None], (c[codes] for c in counts))):
            for m, (old, new, best) in scores.items():
                base = old.value(w)
                gains[m][i] += (new.value(w) - base, best.value(w) - base)
    out = {}
    for m, g in gains.items():
        gain, gap = g.T
        ratio = np.divide(gain, gap, out=np.full(len(gap), np.nan), where=gap > 0)
        usable = ratio[1:][np.isfinite(ratio[1:])]
        lower, upper = percentile_interval(usable, confidence) if len(usable) else (np.nan,) * 2
        out[m] = (float(ratio[0]), lower, upper)
    return out
