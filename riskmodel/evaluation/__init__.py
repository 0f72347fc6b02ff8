"""Temporal backtest of a risk model against rule baselines, with honest intervals.

Its Displays follow scikit-learn's pattern: computed from a backtest or from
predictions (``from_backtest``, ``from_predictions``), drawn by ``plot(ax=None)``, which
returns the Display with ``figure_`` and ``ax_`` set and never touches pyplot. In a
notebook, run ``%matplotlib inline`` once and end a cell with a Display's ``figure_``
(or call ``display(d.figure_)``) to show it; ``plot(ax=ax)`` draws on axes of your own.
"""

from riskmodel.evaluation._backtest import (
    BEST_ACHIEVABLE,
    BEST_POSSIBLE,
    MODEL,
    OWN_MODEL,
    TOP_SHARE_METRIC,
    BacktestResult,
    backtest,
    default_baselines,
)
from riskmodel.evaluation._capacity_display import CapacityDisplay
from riskmodel.evaluation._over_time_display import OverTimeDisplay
from riskmodel.evaluation._reliability_display import ReliabilityDisplay
from riskmodel.evaluation._sample_size import MIN_CARE_ENTRIES
from riskmodel.evaluation._split_display import TemporalSplitDisplay

__all__ = [
    "BEST_ACHIEVABLE",
    "BEST_POSSIBLE",
    "MIN_CARE_ENTRIES",
    "MODEL",
    "OWN_MODEL",
    "TOP_SHARE_METRIC",
    "BacktestResult",
    "CapacityDisplay",
    "OverTimeDisplay",
    "ReliabilityDisplay",
    "TemporalSplitDisplay",
    "backtest",
    "default_baselines",
]
