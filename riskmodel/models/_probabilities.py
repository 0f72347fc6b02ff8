"""Probabilities in scikit-learn's two-column form, and their log-odds.

The risk classifier and the rule baselines return ``predict_proba`` through
:func:`as_probabilities`, and log-odds through :func:`logit`, so every model of the
package gives the same shapes and the same round-off guarantees.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EPS", "as_probabilities", "logit"]

EPS = 1e-12
"""Probabilities are clipped to ``[EPS, 1 - EPS]`` before taking log-odds."""


def as_probabilities(positive: np.ndarray) -> np.ndarray:
    """Two columns from the positive class's probability, round-off clipped to [0, 1].

    Parameters
    ----------
    positive : ndarray of shape (n_samples,)
        Probability of ``classes_[1]``.

    Returns
    -------
    ndarray of shape (n_samples, 2)
        ``[1 - p, p]`` with ``p`` clipped to [0, 1]: calibrators can return round-off
        such as ``-2.2e-16``, which is not a probability.
    """
    positive = np.clip(positive, 0.0, 1.0)
    return np.column_stack([1.0 - positive, positive])


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped away from 0 and 1 so they stay finite.

    Parameters
    ----------
    p : array-like
        Probabilities.

    Returns
    -------
    ndarray
        ``log(p / (1 - p))`` with ``p`` clipped to ``[EPS, 1 - EPS]``.
    """
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)
