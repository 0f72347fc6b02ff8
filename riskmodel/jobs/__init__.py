"""The batch jobs behind ``riskmodel train|score|review`` and ``pipelines/``.

Each job is a function over the public API, driven by a :class:`JobConfig` (from a
small YAML file in ``pipelines/configs/`` or from command-line options).
"""

from riskmodel.jobs._config import JobConfig, choose_as_of_dates, load_config, records_start
from riskmodel.jobs._score import model_uri, run_review, run_score
from riskmodel.jobs._train import TrainingOutcome, headline_metrics, run_train

__all__ = [
    "JobConfig",
    "TrainingOutcome",
    "choose_as_of_dates",
    "headline_metrics",
    "load_config",
    "model_uri",
    "records_start",
    "run_review",
    "run_score",
    "run_train",
]
