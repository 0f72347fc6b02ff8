"""Risk bands: twentieths (or any number of equal shares) of the scored population."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike

from riskmodel.metrics._validation import check_sample_weight, check_scores

__all__ = ["risk_bands"]


def risk_bands(
    y_score: ArrayLike, n_bands: int = 20, *, sample_weight: ArrayLike | None = None
) -> np.ndarray:
    """Assign each score a band from 1 (lowest) to ``n_bands`` (highest), as AFST does.

    With the default 20 bands, band 20 holds the highest-scored twentieth (5 %) of the
    scored population, band 1 the lowest. A row whose mid-rank among the ``n`` scores
    (ascending, ties taking the average of their ranks) is ``r`` gets band
    ``ceil(n_bands * r / n)``. So:

    - equal scores always get the same band, and a higher score never a lower band;
    - without ties the bands are as equal in size as ``n`` allows (sizes differ by at
      most one; exactly ``n / 20`` each when ``n`` is a multiple of 20);
    - a group of tied scores lands in the band where the middle of the group falls,
      neither pushed up nor down; the neighbouring bands are smaller accordingly (and
      may be empty when many scores tie).

    The bands are relative to the scores given, so band 20 of one population and of
    another need not share a probability range.

    Parameters
    ----------
    y_score : array-like of shape (n_samples,)
        Scores of the scored population; any real values without NaN.
    n_bands : int, default 20
        Number of bands.
    sample_weight : array-like of shape (n_samples,), optional
        A positive weight per row, for a sample of the population: a row of weight
        ``w`` counts as ``w`` rows (tied with one another), so the bands are
        twentieths of the weighted population, as if each row were repeated.

    Returns
    -------
    numpy.ndarray of int64, shape (n_samples,)
        The band of each score, aligned with the input (empty for empty input).

    Raises
    ------
    ValueError
        If a score is NaN or ``n_bands`` is not a positive integer.

    Examples
    --------
    >>> from riskmodel.metrics import risk_bands
    >>> risk_bands([0.1, 0.5, 0.2, 0.9], n_bands=4)
    array([1, 3, 2, 4])
    >>> risk_bands([0.1, 0.5, 0.5, 0.9], n_bands=4)
    array([1, 3, 3, 4])
    """
    if isinstance(n_bands, bool) or not isinstance(n_bands, Integral) or n_bands < 1:
        raise ValueError(f"n_bands must be a positive integer; got {n_bands!r}")
    scores = check_scores(y_score)
    weights = check_sample_weight(sample_weight, len(scores))
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    # twice the mid-rank of a tied group = 2 * (rows below it) + (its size) + 1, exactly
    _, group, sizes = np.unique(scores, return_inverse=True, return_counts=True)
    if weights is not None:
        sizes = np.bincount(group.ravel(), weights=weights)
    below = np.cumsum(sizes) - sizes
    twice_rank = (2 * below + sizes + 1)[group]
    bands = -(-int(n_bands) * twice_rank // (2 * sizes.sum()))
    return bands.astype(np.int64)
