"""Training on more rows than memory holds: every care entry, a weighted sample of the rest."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.frame._pool import take_frame_rows

if TYPE_CHECKING:
    from riskmodel.frame._training_frame import TrainingFrame

__all__ = ["read_training_sample", "sample_negatives", "sample_weights"]

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
    # the same draw whatever the date resolution (a frame read back from Parquet is ns)
    named = keys[columns].astype({"as_of_date": "datetime64[ns]"}, errors="ignore")
    hashed = pd.util.hash_pandas_object(named, index=False).to_numpy()
    salted = pd.util.hash_array(hashed ^ np.uint64(random_state & 0xFFFFFFFFFFFFFFFF))
    uniform = (salted >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    positive = labels == 1
    keep = positive | ((labels == 0) & (uniform < fraction))
    return keep, sample_weights(labels[keep], fraction)


def sample_weights(y: Any, fraction: float) -> np.ndarray:
    """Return the weights of sampled rows: 1 for a care entry, ``1 / fraction`` otherwise.

    Parameters
    ----------
    y : array-like of shape (n_kept,)
        The labels of the rows :func:`~riskmodel.frame.sample_negatives` kept.
    fraction : float
        The share of the other rows that was kept.

    Returns
    -------
    ndarray of float, shape (n_kept,)
        Each row's weight: the number of rows of the full frame it stands for.

    Examples
    --------
    >>> sample_weights([1, 0, 0], 0.25).tolist()
    [1.0, 4.0, 4.0]
    """
    return np.where(np.asarray(y) == 1, 1.0, 1.0 / fraction)


def read_training_sample(
    out_dir: str | os.PathLike[str],
    negative_fraction: float,
    *,
    authorities: Iterable[str] | None = None,
    random_state: int = 0,
) -> tuple[TrainingFrame, np.ndarray]:
    """Read a streamed frame's labelled rows, keeping a weighted sample of the negatives.

    Each shard written by :func:`~riskmodel.frame.write_training_frame` is read in
    turn and cut down at once to its care entries and the share of its other labelled
    rows that :func:`sample_negatives` keeps, so memory holds the sample and one shard,
    never the whole frame. The rows are those that sampling the in-memory frame
    (``build_training_frame`` then ``sample_negatives(frame.keys, frame.y, ...)``)
    keeps, in the same order, with the same weights.

    Parameters
    ----------
    out_dir : path
        The directory :func:`~riskmodel.frame.write_training_frame` wrote.
    negative_fraction : float
        Share of the rows without a care entry kept, in (0, 1]. Measured on the
        synthetic authority: a quarter keeps observed/expected on held-out rows within
        0.9-1.1 of the unsampled model's; a tenth did not (0.85-0.88).
    authorities : iterable of str, optional
        Read only these authorities' shards.
    random_state : int, default 0
        Seed of the draw.

    Returns
    -------
    frame : TrainingFrame
        The kept rows. Its ``cohort`` is empty (the cohort of every child at every
        date is the size of the population: read the shards' ``cohort.parquet``).
    sample_weight : ndarray of shape (n_kept,)
        1 for a care entry, ``1 / negative_fraction`` for the others: pass it to
        ``RiskClassifier.fit(frame.X, frame.y, sample_weight=...)``.

    Examples
    --------
    >>> frame, w = read_training_sample("frame/", 0.25)  # doctest: +SKIP
    >>> model = rm.RiskClassifier().fit(frame.X, frame.y, sample_weight=w)  # doctest: +SKIP
    """
    from riskmodel.frame._stream import read_shards

    def cut(code: str | None, shard: TrainingFrame) -> TrainingFrame:
        keys = shard.keys if code is None else shard.keys.assign(authority=code)
        y = shard.y.to_numpy()
        keep, _ = sample_negatives(keys, y, negative_fraction, random_state=random_state)
        return take_frame_rows(shard, keep, cohort=shard.cohort.iloc[:0])

    frame = read_shards(out_dir, authorities=authorities, transform=cut)
    weights = np.where(frame.y.to_numpy() == 1, 1.0, 1.0 / negative_fraction)
    return frame, weights
