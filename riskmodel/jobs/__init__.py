"""The batch jobs behind ``riskmodel import|train|score|review|monitor`` and ``pipelines/``.

Each job is a function over the public API, driven by a :class:`JobConfig` (from a
small YAML file in ``pipelines/configs/`` or from command-line options).
"""

from riskmodel.jobs._config import JobConfig, choose_as_of_dates, load_config, records_start
from riskmodel.jobs._import import format_summary, parse_extracts, run_import
from riskmodel.jobs._monitor import MonitorOutcome, run_monitor
from riskmodel.jobs._score import model_uri, run_review, run_score
from riskmodel.jobs._train import TrainingOutcome, headline_metrics, run_train

__all__ = [
    "JobConfig",
    "MonitorOutcome",
    "TrainingOutcome",
    "choose_as_of_dates",
    "format_summary",
    "headline_metrics",
    "load_config",
    "model_uri",
    "parse_extracts",
    "records_start",
    "run_import",
    "run_monitor",
    "run_review",
    "run_score",
    "run_train",
]
