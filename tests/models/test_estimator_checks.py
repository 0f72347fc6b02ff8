"""scikit-learn's estimator checks on the risk classifier and the baselines."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from riskmodel.models import RiskClassifier, RuleBaseline, SingleFeatureRanker

CALIBRATED_LOGISTIC = RiskClassifier(estimator="logistic", calibration="sigmoid")


@pytest.fixture(autouse=True)
def one_thread():
    # The checks fit on a few hundred rows, where OpenMP threads only add overhead.
    with threadpool_limits(limits=1):
        yield


ESTIMATORS = [
    # The checks fit on 10 to 300 rows: smaller leaves than the rare-outcome default.
    RiskClassifier(estimator="hgb", estimator_params={"max_iter": 20, "min_samples_leaf": 5}),
    CALIBRATED_LOGISTIC,
    # Uncalibrated, decision_function and predict agree, so check_classifiers_train runs
    # in full on this instance.
    RiskClassifier(estimator="logistic", calibration=None),
    # The issue-15 options: interpolated isotonic, constraints (by position on arrays),
    # early stopping on a random split (arrays have no as-of dates) and off.
    RiskClassifier(
        estimator="hgb",
        calibration="interpolated_isotonic",
        monotone={"x0": 1},
        early_stopping=False,
        estimator_params={"max_iter": 20, "min_samples_leaf": 5},
    ),
    RiskClassifier(
        estimator="hgb",
        calibration="auto",
        monotone="domain",
        early_stopping="random",
        estimator_params={"max_iter": 20, "min_samples_leaf": 5},
    ),
    # Arrays have no column names, so the baselines name their columns by position here.
    RuleBaseline(rule=((0, 0.0), (1, 1.0))),
    SingleFeatureRanker(column=0),
]


WEIGHTS_ARE_NOT_REPEATS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "sample_weight reaches the estimator, its early stopping and the calibration, "
        "but not the preprocessing (scaling, imputation), the row-count rules (leaf "
        "size, the calibration slice) or the temporal split, so a weight of 2 is not "
        "the row repeated; the calibrators alone pass that test (test_sample_weight)"
    )
}


def expected_failed_checks(estimator):
    if estimator is CALIBRATED_LOGISTIC:
        # The calibrated HGB instance passes this check only because its blobs are
        # separated well enough that the two thresholds agree.
        return {
            **WEIGHTS_ARE_NOT_REPEATS,
            "check_classifiers_train": (
                "decision_function is deliberately the uncalibrated base log-odds (what "
                "SHAP explains) while predict uses the calibrated probability, so "
                "decision_function > 0 disagrees with predict for a few rows near the "
                "boundary"
            ),
        }
    if isinstance(estimator, RuleBaseline | SingleFeatureRanker):
        return {}  # their weighted fits are those of the repeated rows
    return dict(WEIGHTS_ARE_NOT_REPEATS)


# The checks fit on a few dozen rows: calibration="auto" then warns that it has too few
# outcomes to choose and uses temperature scaling, as documented.
@pytest.mark.filterwarnings("ignore:calibration='auto' needs:UserWarning")
@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
