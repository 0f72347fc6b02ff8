"""A list's realised metrics, calibration and near-cut-off rates, with bootstrap intervals.

The point values are the library's metrics (:mod:`riskmodel.metrics`) on the run's
children; precision and recall at capacity count the children the run actually
flagged. Intervals resample children (clusters: a child on several lists is drawn
once with all their rows), drawn as :func:`riskmodel.metrics.bootstrap_metric` draws
them. Every replicate is summed with one matrix product per chunk of replicates, and
the ranking kernels are evaluated on the sums by tied score and outcome, which gives
exactly their value on the resampled rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pandas as pd
from scipy import sparse

from riskmodel.metrics import average_precision, observed_expected_ratio, roc_auc
from riskmodel.metrics._bootstrap import check_clusters, draw_counts, percentile_interval
from riskmodel.metrics._ranking import auc_kernel, average_precision_kernel
from riskmodel.monitoring._result import OVERALL_METRICS

__all__ = ["BAND_WIDTH", "CUTOFF_LISTS", "ListEstimates", "estimate_list"]

BAND_WIDTH = 4
"""Risk bands merged per calibration range: 5 ranges of the 20 bands, as the audit merges them."""
_N_RANGES = 20 // BAND_WIDTH
CUTOFF_LISTS: tuple[str, ...] = ("flagged", "just below")
"""The two lists compared near the cut-off."""
_CHUNK_WEIGHTS = 4_000_000


@dataclass(frozen=True)
class ListEstimates:
    """Realised figures of one list (a run, or complete runs pooled).

    Attributes
    ----------
    overall : pandas.DataFrame
        ``metric`` (:data:`OVERALL_METRICS`), ``value``, ``lower``, ``upper``.
    calibration : pandas.DataFrame
        ``band_from``, ``band_to``, ``n``, ``mean_score``, ``observed_rate``,
        ``lower``, ``upper`` (interval of the observed rate).
    near_cutoff : pandas.DataFrame
        ``list``, ``rank_from``, ``rank_to``, ``n``, ``entrants``, ``rate``,
        ``lower``, ``upper``.
    """

    overall: pd.DataFrame
    calibration: pd.DataFrame
    near_cutoff: pd.DataFrame


def _or_nan(metric: Callable[..., float], y: np.ndarray, s: np.ndarray) -> float:
    try:
        return float(metric(y, s))
    except ValueError:  # a single class, or nothing expected
        return float("nan")


def _features(
    y: np.ndarray, s: np.ndarray, flagged: np.ndarray, band: np.ndarray, cutoff: np.ndarray
) -> np.ndarray:
    """Per-row quantities whose weighted sums give every figure but the ranking metrics."""
    ranges = np.zeros((len(y), _N_RANGES))
    ranges[np.arange(len(y)), (band - 1) // BAND_WIDTH] = 1.0
    lists = np.column_stack([cutoff == i for i in range(len(CUTOFF_LISTS))]).astype(float)
    base = np.column_stack([y * flagged, flagged, y, s])
    return np.hstack(
        [base, ranges, ranges * y[:, None], ranges * s[:, None], lists, lists * y[:, None]]
    )


def _figures(sums: np.ndarray) -> np.ndarray:
    """Figures from feature sums (last axis): precision, recall, O/E, range and list rates."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tp, flagged, pos, expected = (sums[..., i] for i in range(4))
        r = 4
        count, observed = (
            sums[..., r : r + _N_RANGES],
            sums[..., r + _N_RANGES : r + 2 * _N_RANGES],
        )
        lists = sums[..., r + 3 * _N_RANGES :]
        n_lists = len(CUTOFF_LISTS)
        list_n, list_y = lists[..., :n_lists], lists[..., n_lists:]
        head = np.stack(
            [
                np.where(flagged > 0, tp / flagged, np.nan),
                np.where(pos > 0, tp / pos, np.nan),
                np.where(expected > 0, pos / expected, np.nan),
            ],
            axis=-1,
        )
        range_rate = np.where(count > 0, observed / count, np.nan)
        list_rate = np.where(list_n > 0, list_y / list_n, np.nan)
    return np.concatenate([head, range_rate, list_rate], axis=-1)


def _ranking_replicates(
    y: np.ndarray, s: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """AUC and average precision of each replicate (rows of ``weights``)."""
    ties = np.r_[True, s[1:] != s[:-1]].cumsum() - 1  # s is sorted decreasing
    cell = ties * 2 + y.astype(np.int64)
    n_cells = 2 * (int(ties[-1]) + 1)
    cell_y = np.tile([0.0, 1.0], n_cells // 2)
    cell_s = np.repeat(s[np.r_[True, s[1:] != s[:-1]]], 2)
    to_cells = sparse.csr_array(
        (np.ones(len(y)), (cell, np.arange(len(y)))), shape=(n_cells, len(y))
    )
    cell_weights = (to_cells @ weights.T).T
    aucs, aps = np.empty(len(weights)), np.empty(len(weights))
    for j, w in enumerate(cell_weights):
        keep = w > 0
        yk, sk, wk = cell_y[keep], cell_s[keep], w[keep]
        aucs[j], aps[j] = auc_kernel(yk, sk, wk), average_precision_kernel(yk, sk, wk)
    return aucs, aps


def _intervals(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each column, NaN where every replicate is NaN."""
    lower, upper = np.full(replicates.shape[1], np.nan), np.full(replicates.shape[1], np.nan)
    for j in range(replicates.shape[1]):
        usable = replicates[~np.isnan(replicates[:, j]), j]
        if len(usable):
            lower[j], upper[j] = percentile_interval(usable, confidence)
    return lower, upper


def estimate_list(
    y: np.ndarray,
    score: np.ndarray,
    flagged: np.ndarray,
    band: np.ndarray,
    rank: np.ndarray,
    *,
    clusters: np.ndarray | None,
    n_resamples: int,
    confidence: float,
    random_state: int | np.random.Generator | None,
) -> ListEstimates:
    """Estimate a list's realised figures with bootstrap intervals.

    Parameters
    ----------
    y, score, flagged, band, rank : numpy.ndarray
        Entered care (bool), risk score, flagged (bool), risk band (1-20) and rank of
        each row (rank is used for the near-cut-off lists of a single run).
    clusters : numpy.ndarray or None
        A label per row (person id): clusters are resampled whole.
    n_resamples : int
        Bootstrap replicates.
    confidence : float
        Coverage of the intervals.
    random_state : int, numpy.random.Generator or None
        Seed of the bootstrap.

    Returns
    -------
    ListEstimates
    """
    order = np.argsort(-score, kind="stable")
    y, s = y[order].astype(float), score[order].astype(float)
    f, band, rank = flagged[order].astype(float), band[order].astype(int), rank[order]
    k = int(f.sum())
    cutoff = np.where(rank <= k, 0, np.where(rank <= 2 * k, 1, -1))
    features = _features(y, s, f, band, cutoff)
    point = _figures(features.sum(axis=0))
    point[2] = _or_nan(observed_expected_ratio, y, s)
    ranking_point = (_or_nan(roc_auc, y, s), _or_nan(average_precision, y, s))
    codes = check_clusters(None if clusters is None else clusters[order], len(y))
    n_clusters = int(codes.max()) + 1
    draws = draw_counts(n_clusters, n_resamples, random_state)
    chunk = max(1, _CHUNK_WEIGHTS // max(len(y), 1))
    figures, aucs, aps = [], [], []
    while counts := list(islice(draws, chunk)):
        weights = np.vstack(counts).astype(float)
        if clusters is not None:
            weights = weights[:, codes]
        figures.append(_figures(weights @ features))
        chunk_aucs, chunk_aps = _ranking_replicates(y, s, weights)
        aucs.append(chunk_aucs)
        aps.append(chunk_aps)
    replicates = np.vstack(figures)
    lower, upper = _intervals(replicates, confidence)
    rank_lower, rank_upper = _intervals(
        np.column_stack([np.concatenate(aucs), np.concatenate(aps)]), confidence
    )
    for j, value in enumerate(ranking_point):  # a metric undefined on the data has no interval
        if np.isnan(value):
            rank_lower[j] = rank_upper[j] = np.nan
    values = dict(
        zip(
            ("precision_at_capacity", "recall_at_capacity", "observed_expected_ratio"),
            range(3),
            strict=True,
        )
    )
    overall = pd.DataFrame({"metric": list(OVERALL_METRICS)})
    ranking = {"roc_auc": 0, "average_precision": 1}
    overall["value"] = [
        point[values[m]] if m in values else ranking_point[ranking[m]] for m in OVERALL_METRICS
    ]
    overall["lower"] = [
        lower[values[m]] if m in values else rank_lower[ranking[m]] for m in OVERALL_METRICS
    ]
    overall["upper"] = [
        upper[values[m]] if m in values else rank_upper[ranking[m]] for m in OVERALL_METRICS
    ]
    for column in ("lower", "upper"):
        overall.loc[overall["value"].isna(), column] = np.nan
    return ListEstimates(
        overall,
        _calibration(features, point, lower, upper),
        _near(features, point, lower, upper, k),
    )


def _calibration(
    features: np.ndarray, point: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> pd.DataFrame:
    sums = features.sum(axis=0)
    r = slice(4, 4 + _N_RANGES)
    count = sums[r]
    scores = sums[4 + 2 * _N_RANGES : 4 + 3 * _N_RANGES]
    rates = slice(3, 3 + _N_RANGES)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_score = np.where(count > 0, scores / count, np.nan)
    starts = np.arange(_N_RANGES) * BAND_WIDTH + 1
    return pd.DataFrame(
        {
            "band_from": starts.astype("int64"),
            "band_to": (starts + BAND_WIDTH - 1).astype("int64"),
            "n": count.round().astype("int64"),
            "mean_score": mean_score,
            "observed_rate": point[rates],
            "lower": lower[rates],
            "upper": upper[rates],
        }
    )


def _near(
    features: np.ndarray, point: np.ndarray, lower: np.ndarray, upper: np.ndarray, k: int
) -> pd.DataFrame:
    sums = features.sum(axis=0)
    n_lists = len(CUTOFF_LISTS)
    start = 4 + 3 * _N_RANGES
    lists = slice(3 + _N_RANGES, 3 + _N_RANGES + n_lists)
    return pd.DataFrame(
        {
            "list": list(CUTOFF_LISTS),
            "rank_from": np.array([1, k + 1], dtype="int64"),
            "rank_to": np.array([k, 2 * k], dtype="int64"),
            "n": sums[start : start + n_lists].round().astype("int64"),
            "entrants": sums[start + n_lists : start + 2 * n_lists].round().astype("int64"),
            "rate": point[lists],
            "lower": lower[lists],
            "upper": upper[lists],
        }
    )
