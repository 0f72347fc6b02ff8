"""Batch scoring at an as-of date: scores, bands, flags, reasons, history and drift."""

from riskmodel.scoring._drift import FeatureProfile, population_stability, profile_features
from riskmodel.scoring._history import (
    add_changes,
    append_history,
    previous_scores,
    read_history,
)
from riskmodel.scoring._score import DriftWarning, ScoringResult, score, score_features

__all__ = [
    "DriftWarning",
    "FeatureProfile",
    "ScoringResult",
    "add_changes",
    "append_history",
    "population_stability",
    "previous_scores",
    "profile_features",
    "read_history",
    "score",
    "score_features",
]
