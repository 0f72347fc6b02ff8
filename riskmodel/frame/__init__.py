"""The training frame: cohort, as-of features, care-entry labels and fairness groups.

:func:`build_training_frame` joins them into a :class:`TrainingFrame` (``X``, ``y``,
``keys``, ``groups``); both are also at the top level (``riskmodel.build_training_frame``).
"""

from riskmodel.frame._build import NO_CARE_EPISODES, build_training_frame
from riskmodel.frame._groups import GROUP_COLUMNS, age_bands, demographic_groups
from riskmodel.frame._pool import pool_frames
from riskmodel.frame._sampling import read_training_sample, sample_negatives, sample_weights
from riskmodel.frame._shards import iter_shards
from riskmodel.frame._stream import read_training_frame, write_training_frame
from riskmodel.frame._training_frame import TrainingFrame

__all__ = [
    "GROUP_COLUMNS",
    "NO_CARE_EPISODES",
    "TrainingFrame",
    "age_bands",
    "build_training_frame",
    "demographic_groups",
    "iter_shards",
    "pool_frames",
    "read_training_frame",
    "read_training_sample",
    "sample_negatives",
    "sample_weights",
    "write_training_frame",
]
