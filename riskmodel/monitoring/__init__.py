"""Monitoring: what past lists achieved, and each child's path through the lists.

For every run of a score history, the outcomes now known in the data are joined to
the children of that run's list, and what the list achieved is measured (precision
and recall at capacity, ranking, calibration), overall and by group, against what
the model's backtest promised. A run whose horizon has not passed is partial and
never mixed into complete figures.
"""

from riskmodel.monitoring._history import read_score_history, summarise_runs
from riskmodel.monitoring._outcomes import realised_outcomes
from riskmodel.monitoring._paths import (
    PERSISTENT_COLUMNS,
    TIME_ON_LIST_COLUMNS,
    TIME_ON_LIST_SUMMARY_COLUMNS,
    persistently_high,
    time_on_list,
)
from riskmodel.monitoring._paths_missed import MISSED_COLUMNS, missed_entrants
from riskmodel.monitoring._promise import PROMISE_CAPACITY, PROMISE_COLUMNS
from riskmodel.monitoring._realised import realised_performance
from riskmodel.monitoring._report import (
    MONITORING_SECTIONS,
    MonitoringReport,
    build_monitoring_report,
)
from riskmodel.monitoring._result import (
    CALIBRATION_COLUMNS,
    GROUP_METRICS,
    NEAR_CUTOFF_COLUMNS,
    OVERALL,
    OVERALL_METRICS,
    PROMISED_METRICS,
    REALISED_COLUMNS,
    RUN_COLUMNS,
    MonitoringResult,
)

__all__ = [
    "CALIBRATION_COLUMNS",
    "GROUP_METRICS",
    "MISSED_COLUMNS",
    "MONITORING_SECTIONS",
    "NEAR_CUTOFF_COLUMNS",
    "OVERALL",
    "OVERALL_METRICS",
    "PERSISTENT_COLUMNS",
    "PROMISED_METRICS",
    "PROMISE_CAPACITY",
    "PROMISE_COLUMNS",
    "REALISED_COLUMNS",
    "RUN_COLUMNS",
    "TIME_ON_LIST_COLUMNS",
    "TIME_ON_LIST_SUMMARY_COLUMNS",
    "MonitoringReport",
    "MonitoringResult",
    "build_monitoring_report",
    "missed_entrants",
    "persistently_high",
    "read_score_history",
    "realised_outcomes",
    "realised_performance",
    "summarise_runs",
    "time_on_list",
]
