"""A list's realised metrics, calibration and near-cut-off rates, with bootstrap intervals.

The point values are the library's metrics (:mod:`riskmodel.metrics`) on the run's
children; precision and recall at capacity count the children the run actually
flagged. Intervals resample children (clusters: a child on several lists is drawn
once with all their rows, as :func:`riskmodel.metrics.bootstrap_metric` draws them).
Rows are collapsed into cells of equal score, outcome, flag, cut-off list and band:
every figure, and the library's ranking kernels, are exact functions of the weight
of each cell, so a replicate costs the cells rather than the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


@dataclass(frozen=True)
class _Cells:
    """Rows collapsed into cells of equal score, outcome, flag, cut-off list and band.

    Every figure is a function of weighted sums by cell, so a replicate needs only its
    cell weights; cells are in decreasing order of score, as the ranking kernels need.
    """

    of_row: np.ndarray
    y: np.ndarray
    s: np.ndarray
    features: np.ndarray


def _cells(
    y: np.ndarray, s: np.ndarray, f: np.ndarray, band: np.ndarray, cutoff: np.ndarray
) -> _Cells:
    """Collapse rows sorted by decreasing score ``s`` into cells."""
    new_score = np.r_[True, s[1:] != s[:-1]]
    tie = np.cumsum(new_score) - 1
    key = (((tie * 2 + y.astype(np.int64)) * 2 + f.astype(np.int64)) * 3 + cutoff + 1) * 20
    cells, of_row = np.unique(key + band - 1, return_inverse=True)
    first = np.zeros(len(cells), dtype=np.intp)
    first[of_row[::-1]] = np.arange(len(y))[::-1]  # a row of each cell
    cy, cs, cf, cband, ccut = y[first], s[first], f[first], band[first], cutoff[first]
    return _Cells(of_row.ravel(), cy, cs, _features(cy, cs, cf, cband, ccut))


def _ranking_replicates(cells: _Cells, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUC and average precision of each replicate (columns of the cell ``weights``)."""
    aucs, aps = np.empty(weights.shape[1]), np.empty(weights.shape[1])
    for j in range(weights.shape[1]):
        w = weights[:, j]
        keep = w > 0
        yk, sk, wk = cells.y[keep], cells.s[keep], w[keep]
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


def _cell_weights(
    cells: _Cells,
    codes: np.ndarray | None,
    n_resamples: int,
    random_state: int | np.random.Generator | None,
) -> Iterator[np.ndarray]:
    """Yield the weight of every cell in chunks of replicates, shape (cells, replicates).

    Without clusters, each replicate draws ``n`` rows with replacement; the number
    landing in each cell is then multinomial with the cells' shares, which is drawn
    directly (the same distribution, at the cost of the cells, not the rows). With
    clusters, children are drawn as :func:`riskmodel.metrics.bootstrap_metric` draws
    them and their rows summed by cell.
    """
    n_rows, n_cells = len(cells.of_row), len(cells.y)
    if codes is None:
        rng = np.random.default_rng(random_state)
        share = np.bincount(cells.of_row, minlength=n_cells) / n_rows
        yield rng.multinomial(n_rows, share, size=n_resamples).T.astype(float)
        return
    to_cells = sparse.csr_array(
        (np.ones(n_rows), (cells.of_row, np.arange(n_rows))), shape=(n_cells, n_rows)
    )
    draws = draw_counts(int(codes.max()) + 1, n_resamples, random_state)
    chunk = max(1, _CHUNK_WEIGHTS // max(n_rows, 1))
    while counts := list(islice(draws, chunk)):
        yield to_cells @ np.vstack(counts).T[codes].astype(float)


def _replicates(
    cells: _Cells,
    codes: np.ndarray | None,
    n_resamples: int,
    random_state: int | np.random.Generator | None,
) -> np.ndarray:
    """Every figure of every replicate: columns as :func:`_figures`, then AUC and AP."""
    parts = []
    for weights in _cell_weights(cells, codes, n_resamples, random_state):
        aucs, aps = _ranking_replicates(cells, weights)
        parts.append(np.column_stack([_figures(weights.T @ cells.features), aucs, aps]))
    return np.vstack(parts)


def estimate_list(
    y: np.ndarray,
    score: np.ndarray,
    flagged: np.ndarray,
    band: np.ndarray,
    cutoff: np.ndarray,
    *,
    clusters: np.ndarray | None,
    n_resamples: int,
    confidence: float,
    random_state: int | np.random.Generator | None,
) -> ListEstimates:
    """Estimate a list's realised figures with bootstrap intervals.

    Parameters
    ----------
    y, score, flagged, band : numpy.ndarray
        Entered care (bool), risk score, flagged (bool) and risk band (1-20) of each row.
    cutoff : numpy.ndarray of int
        0 for a row of the flagged list, 1 for the same number ranked just below the
        cut-off, -1 otherwise.
    clusters : numpy.ndarray or None
        A label per row (person id): clusters are resampled whole. None resamples rows.
    n_resamples : int
        Bootstrap replicates.
    confidence : float
        Coverage of the intervals.
    random_state : int, numpy.random.Generator or None
        Seed of the bootstrap.

    Returns
    -------
    ListEstimates
        ``near_cutoff`` without ``rank_from``/``rank_to`` (the caller knows the ranks).
    """
    order = np.argsort(-score, kind="stable")
    y, s, f = y[order].astype(float), score[order].astype(float), flagged[order].astype(float)
    cells = _cells(y, s, f, band[order].astype(np.int64), cutoff[order].astype(np.int64))
    sums = np.bincount(cells.of_row, minlength=len(cells.y)) @ cells.features
    point = np.r_[_figures(sums), _or_nan(roc_auc, y, s), _or_nan(average_precision, y, s)]
    point[2] = _or_nan(observed_expected_ratio, y, s)
    codes = None if clusters is None else check_clusters(clusters[order], len(y))
    draws = _replicates(cells, codes, n_resamples, random_state)
    lower, upper = _intervals(draws, confidence)
    lower[np.isnan(point)] = upper[np.isnan(point)] = np.nan  # undefined: no interval
    column = {"precision_at_capacity": 0, "recall_at_capacity": 1, "observed_expected_ratio": 2}
    column |= {"roc_auc": len(point) - 2, "average_precision": len(point) - 1}
    picked = [column[m] for m in OVERALL_METRICS]
    overall = pd.DataFrame(
        {
            "metric": list(OVERALL_METRICS),
            "value": point[picked],
            "lower": lower[picked],
            "upper": upper[picked],
        }
    )
    return ListEstimates(
        overall, _calibration(sums, point, lower, upper), _near(sums, point, lower, upper)
    )


def _calibration(
    sums: np.ndarray, point: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> pd.DataFrame:
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
    sums: np.ndarray, point: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> pd.DataFrame:
    n_lists = len(CUTOFF_LISTS)
    start = 4 + 3 * _N_RANGES
    lists = slice(3 + _N_RANGES, 3 + _N_RANGES + n_lists)
    return pd.DataFrame(
        {
            "list": list(CUTOFF_LISTS),
            "n": sums[start : start + n_lists].round().astype("int64"),
            "entrants": sums[start + n_lists : start + 2 * n_lists].round().astype("int64"),
            "rate": point[lists],
            "lower": lower[lists],
            "upper": upper[lists],
        }
    )
