"""Batch scoring at an as-of date: scores, bands, flags, reasons, history and drift.

:func:`score` computes a run (and only reads a score history); :func:`write_scores`
publishes its files into an output folder at once.
"""

from riskmodel.scoring._drift import (
    DriftWarning,
    FeatureProfile,
    population_stability,
    profile_features,
)
from riskmodel.scoring._history import (
    PreviousRun,
    add_changes,
    append_history,
    previous_scores,
    read_history,
)
from riskmodel.scoring._result import ScoringResult
from riskmodel.scoring._score import score, score_features
from riskmodel.scoring._streaks import HIGH_BAND, PERSISTENT_RUNS, high_streaks
from riskmodel.scoring._write import write_scores

__all__ = [
    "HIGH_BAND",
    "PERSISTENT_RUNS",
    "DriftWarning",
    "FeatureProfile",
    "PreviousRun",
    "ScoringResult",
    "add_changes",
    "high_streaks",
    "append_history",
    "population_stability",
    "previous_scores",
    "profile_features",
    "read_history",
    "score",
    "score_features",
    "write_scores",
]
