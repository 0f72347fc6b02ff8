"""Temporal backtest of a risk model against rule baselines, with honest intervals."""

from riskmodel.evaluation._backtest import (
    BEST_POSSIBLE,
    BacktestResult,
    backtest,
    default_baselines,
)
from riskmodel.evaluation._sample_size import MIN_CARE_ENTRIES

__all__ = [
    "BEST_POSSIBLE",
    "MIN_CARE_ENTRIES",
    "BacktestResult",
    "backtest",
    "default_baselines",
]
