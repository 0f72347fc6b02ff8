"""The training job on a sample: every care entry and a share of the other child-dates.

With ``negative_fraction`` below 1, ``train`` keeps every care entry and that share
of the other labelled child-dates (:func:`~riskmodel.frame.sample_negatives`, a hash
of each row's keys and ``random_state``), on Spark before the collect
(:func:`~riskmodel.spark.sample_negatives_spark`) or in memory on the local engine:
the same rows either way. Each kept row is weighted by the inverse of its chance of
being kept, and the weights go into the backtest, the final fit and the audit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskmodel.jobs._config import JobConfig

__all__ = ["sample_frame", "training_weights"]


def sample_frame(frame: Any, config: JobConfig) -> Any:
    """Keep every care entry and ``config.negative_fraction`` of the other labelled rows.

    The frame itself when the fraction is 1. The cohort (every child at every date,
    for the review's cohort summary) is kept whole.
    """
    if config.negative_fraction >= 1:
        return frame
    from riskmodel.frame import sample_negatives
    from riskmodel.frame._pool import take_frame_rows

    keep, _ = sample_negatives(
        frame.keys, frame.y, config.negative_fraction, random_state=config.random_state
    )
    return take_frame_rows(frame, keep)


def training_weights(frame: Any, config: JobConfig) -> np.ndarray | None:
    """Return the sampled frame's row weights (1 for a care entry, 1/F otherwise), or None."""
    if config.negative_fraction >= 1:
        return None
    from riskmodel.frame import sample_weights

    return sample_weights(frame.y, config.negative_fraction)
