"""Vectorised weighted group sums, group AUCs and the Poisson bootstrap behind them.

The audit computes every group metric from a handful of weighted sums per group
(rows, entrants, flagged, true positives, summed scores, and the same by risk band)
plus one weighted Mann-Whitney sum for the AUC. With all weights equal to one these
are the point estimates; with Poisson(1) weights per row (or per cluster) they are
bootstrap replicates. One weight matrix serves every attribute and group at once, so
the replicates of a group and of its reference are drawn jointly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse

_CHUNK_CELLS = 2_000_000
"""Replicates are drawn in chunks of about this many weights, to bound memory."""


def cell_matrix(cell_codes: np.ndarray, n_cells: int, features: np.ndarray) -> sparse.csr_array:
    """Sparse matrix summing row features by cell: ``(n_cells * n_features, n_rows)``.

    A cell is a combination of groups of all attributes; multiplying weights
    (rows x replicates) by it gives every cell's weighted feature sums, from which
    :func:`group_sums` adds up the groups of any attribute or intersection.
    """
    n, k = features.shape
    rows, cols = np.nonzero(features)
    return sparse.csr_array(
        (features[rows, cols], (cell_codes[rows] * k + cols, rows)), shape=(n_cells * k, n)
    )


def group_matrix(group_of_cell: np.ndarray, n_groups: int) -> sparse.csr_array:
    """Sparse 0/1 matrix ``(n_groups, n_cells)`` adding up cells into groups."""
    n_cells = len(group_of_cell)
    return sparse.csr_array(
        (np.ones(n_cells), (group_of_cell, np.arange(n_cells))), shape=(n_groups, n_cells)
    )


def group_sums(cell_sums: np.ndarray, groups: sparse.csr_array, n_features: int) -> np.ndarray:
    """Weighted feature sums by group, shape (replicates, groups, features).

    ``cell_sums`` is :func:`cell_matrix` times the weights, shape
    ``(n_cells * n_features, replicates)``.
    """
    n_groups, n_cells = groups.shape
    n_replicates = cell_sums.shape[1]
    grouped = groups @ cell_sums.reshape(n_cells, n_features * n_replicates)
    return grouped.reshape(n_groups, n_features, n_replicates).transpose(2, 0, 1)


@dataclass(frozen=True)
class AucLayout:
    """Precomputed structure to compute weighted AUCs by group.

    Build it with :func:`auc_layout`. Rows are sorted by group and score and cut
    into segments at every group start and at the start and end of every run of
    equal scores holding a positive; negatives' weights summed by segment and
    accumulated give, for each positive, the weight of its group's negatives scored
    lower and scored equal.
    """

    segment_matrix: sparse.csr_array
    positive_rows: np.ndarray
    at_group_start: np.ndarray
    at_block_start: np.ndarray
    after_block_end: np.ndarray
    positive_groups: sparse.csr_array


def auc_layout(codes: np.ndarray, n_groups: int, y: np.ndarray, p: np.ndarray) -> AucLayout:
    """Prepare weighted AUCs of scores ``p`` for outcomes ``y`` by group ``codes``.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Group code of each row.
    n_groups : int
        Number of groups.
    y, p : numpy.ndarray
        Outcomes (0/1) and scores.

    Returns
    -------
    AucLayout
    """
    n = len(codes)
    order = np.lexsort((p, codes))
    g_sorted, p_sorted, y_sorted = codes[order], p[order], y[order]
    new_group = np.r_[True, g_sorted[1:] != g_sorted[:-1]]
    new_block = new_group | np.r_[True, p_sorted[1:] != p_sorted[:-1]]
    block_id = np.cumsum(new_block) - 1
    block_starts = np.flatnonzero(new_block)
    block_stops = np.append(block_starts[1:], n)
    positives = np.flatnonzero(y_sorted == 1)
    group_start = np.flatnonzero(new_group)[np.cumsum(new_group)[positives] - 1]
    block_start = block_starts[block_id[positives]]
    block_stop = block_stops[block_id[positives]]
    cuts = np.unique(np.concatenate([[0], group_start, block_start, block_stop]))
    cuts = cuts[cuts < n]
    segment = np.searchsorted(cuts, np.arange(n), side="right") - 1
    negatives = np.flatnonzero(y_sorted == 0)
    segment_matrix = sparse.csr_array(
        (np.ones(len(negatives)), (segment[negatives], order[negatives])), shape=(len(cuts), n)
    )
    positive_groups = sparse.csr_array(
        (np.ones(len(positives)), (np.arange(len(positives)), g_sorted[positives])),
        shape=(len(positives), n_groups),
    )
    return AucLayout(
        segment_matrix=segment_matrix,
        positive_rows=order[positives],
        at_group_start=np.searchsorted(cuts, group_start),
        at_block_start=np.searchsorted(cuts, block_start),
        after_block_end=np.searchsorted(cuts, block_stop),
        positive_groups=positive_groups,
    )


def group_auc_numerators(layout: AucLayout, weights: np.ndarray) -> np.ndarray:
    """Weighted Mann-Whitney sums by group, shape (replicates, groups).

    For each positive row the sum adds its weight times the weight of negatives of
    its group scored lower, plus half the weight of negatives scored equal. Divided
    by (weighted positives x weighted negatives) this is the ROC AUC, ties counted
    as scikit-learn's trapezoidal ``roc_auc_score`` counts them.
    """
    segments = layout.segment_matrix @ weights
    prefix = np.zeros((len(segments) + 1, weights.shape[1]))
    np.cumsum(segments, axis=0, out=prefix[1:])
    before_block = prefix[layout.at_block_start]
    below = before_block - prefix[layout.at_group_start]
    equal = prefix[layout.after_block_end] - before_block
    terms = weights[layout.positive_rows] * (below + 0.5 * equal)
    return np.asarray(layout.positive_groups.T @ terms).T


# Poisson(1) cumulative probabilities; the tail beyond 20 is below 1e-19.
_POISSON_CDF = np.cumsum(np.exp(-1.0) / np.cumprod(np.r_[1.0, np.arange(1.0, 21.0)]))


def poisson_weights(
    rng: np.random.Generator, n_resamples: int, cluster_codes: np.ndarray, n_clusters: int
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield chunks of Poisson(1) bootstrap weights, shape (rows, replicates in chunk).

    Each cluster (a person, or each row when there are no clusters) draws one weight
    per replicate and all its rows share it, so repeated rows of one child move
    together and do not narrow the intervals. Weights are drawn by inverting the
    Poisson(1) distribution function on uniform numbers.
    """
    chunk = max(1, min(n_resamples, _CHUNK_CELLS // max(len(cluster_codes), 1)))
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        uniform = rng.random((n_clusters, stop - start))
        cluster_weights = np.searchsorted(_POISSON_CDF, uniform).astype(np.float64)
        yield slice(start, stop), cluster_weights[cluster_codes]


def percentile_interval(
    replicates: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, ignoring NaN replicates (NaN when all are).

    Infinite replicates (a ratio over a zero reference) take part in the ordering,
    so an interval can reach ``inf``. Quantiles interpolate linearly, as
    :func:`numpy.quantile` does by default.
    """
    alpha = (1.0 - confidence) / 2.0
    ordered = np.sort(replicates, axis=0)
    finite = (~np.isnan(ordered)).sum(axis=0)
    bounds = []
    for q in (alpha, 1.0 - alpha):
        position = q * np.maximum(finite - 1, 0)
        low = np.floor(position).astype(np.intp)
        high = np.minimum(low + 1, np.maximum(finite - 1, 0))
        fraction = position - low
        below = np.take_along_axis(ordered, low[np.newaxis], axis=0)[0]
        above = np.take_along_axis(ordered, high[np.newaxis], axis=0)[0]
        with np.errstate(invalid="ignore"):
            value = np.where(
                (fraction == 0) | (below == above), below, below + (above - below) * fraction
            )
        bounds.append(np.where(finite > 0, value, np.nan))
    return bounds[0], bounds[1]
