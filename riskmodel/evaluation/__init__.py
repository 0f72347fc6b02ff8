"""Temporal backtest of a risk model against rule baselines, with honest intervals."""

from riskmodel.evaluation._backtest import (
    BEST_POSSIBLE,
    BacktestResult,
    backtest,
    default_baselines,
)
from riskmodel.evaluation._capacity import capacity_metrics

__all__ = ["BEST_POSSIBLE", "BacktestResult", "backtest", "capacity_metrics", "default_baselines"]
