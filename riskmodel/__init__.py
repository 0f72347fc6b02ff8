"""riskmodel: find adolescents at risk of entering care early enough to offer help.

Scores support professional judgement; they never decide. The package reads an
authority's SSDA903 and CIN census data (or makes a synthetic authority), builds
as-of features with temporal validation by default, fits calibrated models, and
explains and audits every score.

Heavy optional dependencies (shap, mlflow, matplotlib) are imported only by the
functions that need them, so ``import riskmodel`` stays fast and has no side effects.

Examples
--------
>>> import riskmodel as rm
>>> data = rm.make_local_authority(n_children=2_000, random_state=0)
>>> cohort = rm.build_cohort(data, "2020-04-01")
>>> int(cohort["in_cohort"].sum()) > 0
True
"""

from riskmodel._version import __version__
from riskmodel.cohort import build_cohort, care_entry_labels, summarise_cohort
from riskmodel.data import (
    ImportResult,
    LocalAuthorityData,
    import_returns,
    make_local_authority,
    make_region,
    merge_data,
    pool_authorities,
    read_cin_census,
    read_data,
    read_ssda903,
    write_data,
    write_region,
    write_returns,
)
from riskmodel.evaluation import BacktestResult, backtest
from riskmodel.exceptions import DataQualityWarning, LeakageError, SchemaError
from riskmodel.explain import compare_groups, explain, global_importance, reason_codes
from riskmodel.fairness import FairnessAudit, audit_backtest, audit_fairness
from riskmodel.features import FeatureSpec, build_features, default_spec
from riskmodel.frame import (
    TrainingFrame,
    build_training_frame,
    pool_frames,
    read_training_frame,
    write_training_frame,
)
from riskmodel.models import RiskClassifier, RuleBaseline, SingleFeatureRanker
from riskmodel.reports import ReviewReport, build_review
from riskmodel.scoring import ScoringResult, score, write_scores
from riskmodel.splits import TemporalSplit

__all__ = [
    "BacktestResult",
    "DataQualityWarning",
    "FairnessAudit",
    "FeatureSpec",
    "ImportResult",
    "LeakageError",
    "LocalAuthorityData",
    "ReviewReport",
    "RiskClassifier",
    "RuleBaseline",
    "SchemaError",
    "ScoringResult",
    "SingleFeatureRanker",
    "TemporalSplit",
    "TrainingFrame",
    "__version__",
    "audit_backtest",
    "audit_fairness",
    "backtest",
    "build_cohort",
    "build_features",
    "build_review",
    "build_training_frame",
    "care_entry_labels",
    "compare_groups",
    "default_spec",
    "explain",
    "global_importance",
    "import_returns",
    "make_local_authority",
    "make_region",
    "merge_data",
    "pool_authorities",
    "pool_frames",
    "read_cin_census",
    "read_data",
    "read_ssda903",
    "read_training_frame",
    "reason_codes",
    "score",
    "summarise_cohort",
    "write_data",
    "write_region",
    "write_returns",
    "write_scores",
    "write_training_frame",
]
