"""Every care entry and a weighted share of the other rows, drawn on Spark before a collect.

A national frame does not fit the driver; a sample of it does. The draw is
:func:`~riskmodel.frame.sample_negatives` itself, applied to each Arrow batch with
``mapInPandas``: a narrow step (no shuffle), and since the draw for a row is a hash of
its keys alone, the rows kept are exactly those that sampling the whole frame in memory
keeps. Unlabelled rows (the horizon past the end of the data) are dropped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskmodel.frame import sample_negatives, sample_weights
from riskmodel.frame._stream import LABEL

__all__ = ["sample_negatives_spark", "sample_weights"]


def _keep(batch: pd.DataFrame, fraction: float, random_state: int) -> pd.DataFrame:
    keys = batch[["authority", "person_id", "as_of_date"]]
    if keys["authority"].isna().all():  # one authority: keyed as its own frame is
        keys = keys.drop(columns="authority")
    keep, _ = sample_negatives(keys, batch[LABEL].to_numpy(), fraction, random_state=random_state)
    return batch[keep]


def sample_negatives_spark(rows: Any, fraction: float, *, random_state: int = 0) -> Any:
    """Keep every care entry and a ``fraction`` of the other labelled rows, on Spark.

    Parameters
    ----------
    rows : pyspark.sql.DataFrame
        The rows of :func:`~riskmodel.spark.build_training_frame_spark`.
    fraction : float
        Share of the rows without a care entry kept, in (0, 1] (see
        :func:`~riskmodel.frame.read_training_sample` on how far to go).
    random_state : int, default 0
        Seed of the hash draw.

    Returns
    -------
    pyspark.sql.DataFrame
        The kept rows, same schema. Collect them with
        :func:`~riskmodel.spark.collect_training_frame` and weight them with
        :func:`sample_weights`.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")

    def batches(frames):
        for batch in frames:
            yield _keep(batch, fraction, random_state)

    return rows.mapInPandas(batches, schema=rows.schema)
