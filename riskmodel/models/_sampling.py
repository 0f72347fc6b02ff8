"""Training on more rows than memory holds: every care entry, a weighted sample of the rest."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["sample_negatives"]

_KEY_COLUMNS = ("authority", "person_id", "as_of_date")


def sample_negatives(
    keys: pd.DataFrame, y: Any, fraction: float, *, random_state: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Keep every care entry and a random ``fraction`` of the other rows, with weights.

    Care entries are rare (about 1 row in 500), so almost all of a national frame's
    rows are children who did not enter care. Keeping each of those with
    probability ``fraction`` and weighting the kept ones by ``1 / fraction`` leaves
    every weighted sum unbiased: fitted with these weights
    (``RiskClassifier.fit(..., sample_weight=w)``), base model and calibration see
    the population's rate, so probabilities stay calibrated.

    The draw for a row is a hash of its keys (``authority`` when present,
    ``person_id``, ``as_of_date``) and ``random_state``, not a stream of random
    numbers: sampling shard by shard gives exactly the rows that sampling the whole
    frame gives, in any order.

    Parameters
    ----------
    keys : DataFrame
        ``frame.keys``: ``person_id`` and ``as_of_date`` (and ``authority``).
    y : array-like of shape (n_rows,)
        The labels; rows with label 1 are always kept (NaN labels are never kept).
    fraction : float
        Share of the other rows kept, in (0, 1].
    random_state : int, default 0
        Seed of the hash.

    Returns
    -------
    keep : ndarray of bool, shape (n_rows,)
        The rows kept.
    weights : ndarray of float, shape (n_kept,)
        1 for a care entry, ``1 / fraction`` for the others.

    Examples
    --------
    >>> import pandas as pd
    >>> keys = pd.DataFrame({"person_id": [f"C{i}" for i in range(1000)],
    ...                      "as_of_date": pd.Timestamp("2020-04-01")})
    >>> y = [1] * 10 + [0] * 990
    >>> keep, w = sample_negatives(keys, y, 0.1)
    >>> bool(keep[:10].all()), 50 < int(keep.sum()) < 150, float(w.max())
    (True, True, 10.0)
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    labels = np.asarray(y, dtype=np.float64)
    if len(labels) != len(keys):
        raise ValueError(f"y has {len(labels)} labels for {len(keys)} key rows")
    columns = [c for c in _KEY_COLUMNS if c in keys.columns]
    hashed = pd.util.hash_pandas_object(keys[columns], index=False).to_numpy()
    salted = pd.util.hash_array(hashed ^ np.uint64(random_state & 0xFFFFFFFFFFFFFFFF))
    uniform = (salted >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    positive = labels == 1
    keep = positive | ((labels == 0) & (uniform < fraction))
    weights = np.where(positive[keep], 1.0, 1.0 / fraction)
    return keep, weights
