"""MLflow tracking and the model registry. The only package that imports mlflow.

mlflow is imported inside the functions that need it, so importing this package
is cheap. No child-level row is ever logged: runs hold parameters, aggregates,
figures, the feature specification and the model (skops). Models are saved and
loaded with the library's own allow-list of exact types (:data:`TRUSTED_TYPES`), and
the SHA-256 of each stored model file is recorded and checked on load. A damaged
SQLite store is refused with :class:`~riskmodel.exceptions.TrackingStoreError`.
"""

from riskmodel.tracking._fingerprint import data_fingerprint, table_hash
from riskmodel.tracking._health import check_tracking_store
from riskmodel.tracking._mlflow import default_tracking_uri, set_tracking_uri
from riskmodel.tracking._monitoring import MONITORING_TAG, as_of_step, log_monitoring_run
from riskmodel.tracking._promise import VersionRun, backtest_promise, version_runs
from riskmodel.tracking._registry import (
    LoadedModel,
    PromotionDecision,
    load_model,
    promote,
    register_model,
)
from riskmodel.tracking._runs import (
    TrainingRun,
    TrainingRunRecord,
    load_run_dict,
    log_scoring_run,
    log_training_run,
)
from riskmodel.tracking._serialise import TRUSTED_TYPES, trusted_types
from riskmodel.tracking._signature import column_type
from riskmodel.tracking._store import SHA256_TAG

__all__ = [
    "MONITORING_TAG",
    "SHA256_TAG",
    "TRUSTED_TYPES",
    "LoadedModel",
    "PromotionDecision",
    "TrainingRun",
    "TrainingRunRecord",
    "VersionRun",
    "as_of_step",
    "backtest_promise",
    "check_tracking_store",
    "column_type",
    "data_fingerprint",
    "default_tracking_uri",
    "load_model",
    "load_run_dict",
    "log_monitoring_run",
    "log_scoring_run",
    "log_training_run",
    "promote",
    "register_model",
    "set_tracking_uri",
    "table_hash",
    "trusted_types",
    "version_runs",
]
