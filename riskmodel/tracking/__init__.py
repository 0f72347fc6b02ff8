"""MLflow tracking and the model registry. The only package that imports mlflow.

mlflow is imported inside the functions that need it, so importing this package
is cheap. No child-level row is ever logged: runs hold parameters, aggregates,
figures, the feature specification and the model (skops, explicit trusted types).
"""

from riskmodel.tracking._fingerprint import data_fingerprint, table_hash
from riskmodel.tracking._registry import (
    LoadedModel,
    PromotionDecision,
    load_model,
    promote,
    register_model,
)
from riskmodel.tracking._runs import (
    TrainingRun,
    default_tracking_uri,
    load_run_dict,
    log_scoring_run,
    log_training_run,
    set_tracking_uri,
)
from riskmodel.tracking._serialise import TRUSTED_MODULE_PREFIXES, trusted_types

__all__ = [
    "TRUSTED_MODULE_PREFIXES",
    "LoadedModel",
    "PromotionDecision",
    "TrainingRun",
    "data_fingerprint",
    "default_tracking_uri",
    "load_model",
    "load_run_dict",
    "log_scoring_run",
    "log_training_run",
    "promote",
    "register_model",
    "set_tracking_uri",
    "table_hash",
    "trusted_types",
]
