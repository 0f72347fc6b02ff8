"""Input checks shared by the metric functions.

Every public metric converts its inputs here, so they all accept lists, numpy arrays
and pandas Series, and all fail with the same clear messages. Offending rows are
named by position, or by index label for a pandas Series.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._wording import describe_rows

__all__ = [
    "check_binary_scores",
    "dot",
    "check_n_bins",
    "check_sample_weight",
    "check_scores",
    "resolve_k",
    "sort_descending",
]


def _as_float_vector(values: ArrayLike, name: str) -> tuple[np.ndarray, pd.Index]:
    """Convert to a 1-d float64 array; return it with the labels used in messages."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be one-dimensional; got a DataFrame")
    if isinstance(values, pd.Series | pd.Index):
        labels = values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))
        try:
            array = values.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must be numeric; got dtype {values.dtype}") from error
        return array, labels
    raw = np.asarray(values)
    if raw.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {raw.shape}")
    try:
        array = raw.astype("float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; got dtype {raw.dtype}") from error
    return array, pd.RangeIndex(len(array))


def check_scores(
    y_score: ArrayLike, *, name: str = "y_score", probabilities: bool = False
) -> np.ndarray:
    """Return ``y_score`` as a float64 vector after checking it has no NaN.

    Parameters
    ----------
    y_score : array-like of shape (n_samples,)
        Scores; infinite values are allowed unless ``probabilities`` is true.
    name : str, default "y_score"
        The argument's name, used in messages.
    probabilities : bool, default False
        Require every value to lie in [0, 1].

    Returns
    -------
    numpy.ndarray
        The scores as float64.

    Raises
    ------
    ValueError
        If the input is not one-dimensional and numeric, contains NaN, or (with
        ``probabilities``) has values outside [0, 1].
    """
    scores, labels = _as_float_vector(y_score, name)
    missing = np.isnan(scores)
    if missing.any():
        raise ValueError(
            f"{name} contains NaN in {int(missing.sum())} of {len(scores)} rows "
            f"({describe_rows(labels[missing])})"
        )
    if probabilities:
        outside = (scores < 0.0) | (scores > 1.0)
        if outside.any():
            raise ValueError(
                f"{name} must be probabilities in [0, 1]; {int(outside.sum())} values are "
                f"outside ({describe_rows(labels[outside], scores[outside])})"
            )
    return scores


def check_binary_scores(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    name: str = "y_score",
    probabilities: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Check a binary outcome and scores of the same length.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcomes coded 0/1 (or False/True).
    y_score : array-like of shape (n_samples,)
        Scores or probabilities for the positive class.
    name : str, default "y_score"
        The name of the scores argument, used in messages.
    probabilities : bool, default False
        Require scores in [0, 1].

    Returns
    -------
    y_true, y_score : numpy.ndarray
        Both as float64 vectors, ``y_true`` holding only 0.0 and 1.0.

    Raises
    ------
    ValueError
        If either input is empty, not one-dimensional, not numeric or contains NaN,
        if the lengths differ, if ``y_true`` holds anything other than 0 and 1, or if
        probabilities are required and some score is outside [0, 1].
    """
    truth, labels = _as_float_vector(y_true, "y_true")
    scores = check_scores(y_score, name=name, probabilities=probabilities)
    if len(truth) != len(scores):
        raise ValueError(
            f"y_true and {name} have different lengths ({len(truth)} and {len(scores)})"
        )
    if len(truth) == 0:
        raise ValueError("y_true is empty; a metric needs at least one row")
    missing = np.isnan(truth)
    if missing.any():
        raise ValueError(
            f"y_true contains NaN in {int(missing.sum())} of {len(truth)} rows "
            f"({describe_rows(labels[missing])})"
        )
    other = (truth != 0.0) & (truth != 1.0)
    if other.any():
        raise ValueError(
            "y_true must be binary (0/1 or False/True); "
            f"{int(other.sum())} values are not ({describe_rows(labels[other], truth[other])})"
        )
    return truth, scores


def check_sample_weight(sample_weight: ArrayLike | None, n_rows: int) -> np.ndarray | None:
    """Return row weights as positive floats, one per row, or None when not given.

    Parameters
    ----------
    sample_weight : array-like of shape (n_rows,) or None
        A weight per row: a sampled row of weight ``w`` stands for ``w`` rows of the
        unsampled data (``1 / fraction`` for a row kept with probability ``fraction``).
    n_rows : int
        Number of rows of the data.

    Returns
    -------
    numpy.ndarray of float64 or None

    Raises
    ------
    ValueError
        If the length differs from ``n_rows`` or a weight is not a positive finite
        number (naming the rows).
    """
    if sample_weight is None:
        return None
    weights, labels = _as_float_vector(sample_weight, "sample_weight")
    if len(weights) != n_rows:
        raise ValueError(f"sample_weight has {len(weights)} values for {n_rows} rows")
    bad = ~(np.isfinite(weights) & (weights > 0))
    if bad.any():
        raise ValueError(
            f"sample_weight: {int(bad.sum())} value(s) are not positive finite numbers "
            f"({describe_rows(labels[bad], weights[bad])})"
        )
    return weights


def check_n_bins(n_bins: int, strategy: str) -> None:
    """Check the binning arguments of the calibration metrics.

    Parameters
    ----------
    n_bins : int
        Number of bins, at least 1.
    strategy : {"quantile", "uniform"}
        How the bin edges are chosen.

    Raises
    ------
    ValueError
        If ``n_bins`` is not a positive integer or ``strategy`` is unknown.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, Integral) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}")
    if strategy not in ("quantile", "uniform"):
        raise ValueError(f"strategy must be 'quantile' or 'uniform'; got {strategy!r}")


def resolve_k(k: int | None, top: float | None, n: float) -> float:
    """Return the number of rows flagged: ``k`` or the share ``top``, capped at ``n``.

    Parameters
    ----------
    k : int or None
        Number of rows flagged (the service's capacity), at least 1.
    top : float or None
        Share of the population flagged, in (0, 1]. Exactly one of ``k`` and ``top``
        is given.
    n : float
        Size of the scored population (a total weight in a bootstrap resample).

    Returns
    -------
    float
        ``min(k, n)``, or ``ceil(top * n)`` (at least 1) computed so that floating
        point noise never adds a row: ``top=0.05`` of 1,000 rows is 50 rows.

    Raises
    ------
    ValueError
        If both or neither of ``k`` and ``top`` are given, or either is out of range.
    """
    if (k is None) == (top is None):
        raise ValueError("give exactly one of k (a number of rows) and top (a share)")
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
            raise ValueError(f"k must be a positive integer number of rows; got {k!r}")
        return float(min(int(k), n))
    if isinstance(top, bool) or not isinstance(top, Real) or not 0.0 < top <= 1.0:
        raise ValueError(f"top must be a share of the population in (0, 1]; got {top!r}")
    return float(min(max(1, math.ceil(float(top) * n - 1e-9)), n))


def sort_descending(*arrays: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, ...]:
    """Reorder ``by`` and every array in ``arrays`` by decreasing ``by``.

    Parameters
    ----------
    *arrays : numpy.ndarray
        Arrays aligned with ``by``.
    by : numpy.ndarray
        The scores to sort by; equal scores keep their input order.

    Returns
    -------
    tuple of numpy.ndarray
        ``by`` sorted in decreasing order, followed by each of ``arrays`` reordered.
    """
    order = np.argsort(-by, kind="stable")
    return (by[order], *(array[order] for array in arrays))


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Return the inner product of two vectors without going through BLAS.

    ``numpy.dot`` on vectors calls multithreaded BLAS; in the bootstrap's tight loops
    on a busy machine its threads cost more than they save (measured here: a 1,000
    resample bootstrap took five times the CPU). ``einsum`` uses numpy's own loop.

    Parameters
    ----------
    a, b : numpy.ndarray
        Vectors of the same length.

    Returns
    -------
    float
        ``sum(a * b)``.
    """
    return float(np.einsum("i,i->", a, b))
