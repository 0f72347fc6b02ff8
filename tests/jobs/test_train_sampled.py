"""The training job on a sample of the negatives: weights reach every step, the review says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.cli import EXIT_BAD_INPUT, main
from riskmodel.exceptions import SchemaError
from riskmodel.fairness import audit_backtest
from riskmodel.frame import sample_negatives
from riskmodel.jobs import JobConfig, run_train

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")

DATES = tuple(str(d.date()) for d in pd.date_range("2017-04-01", "2022-04-01", freq="QS"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The local train job with half the negatives, logged to a fresh MLflow store."""
    root = tmp_path_factory.mktemp("sampled")
    data = rm.make_local_authority(n_children=2_000, random_state=1)
    config = JobConfig(
        out=str(root / "out"),
        model="logistic",
        capacity=10,
        as_of_dates=DATES,
        n_splits=2,
        n_resamples=5,
        register_as="sampled",
        tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        negative_fraction=0.5,
    )
    return data, config, run_train(data, config)


def test_the_job_trains_on_every_care_entry_and_half_the_other_rows(trained):
    data, config, outcome = trained
    full = rm.build_training_frame(data, pd.DatetimeIndex(DATES), horizon_months=12)
    keep, _ = sample_negatives(full.keys, full.y, 0.5, random_state=config.random_state)
    pd.testing.assert_frame_equal(outcome.frame.keys, full.keys[keep].reset_index(drop=True))
    assert outcome.frame.y.sum() == full.y.sum()  # every care entry
    assert 0.4 < (outcome.frame.y == 0).sum() / (full.y == 0).sum() < 0.6
    assert len(outcome.frame.cohort) == len(full.cohort)  # the review's cohort is whole


def test_the_weights_reach_the_backtest_the_fit_and_the_audit(trained):
    data, config, outcome = trained
    frame, result = outcome.frame, outcome.backtest
    assert result.weighted
    preds = result.predictions
    np.testing.assert_array_equal(preds["sample_weight"], np.where(preds["y_true"] == 1, 1.0, 2.0))
    weights = np.where(frame.y.to_numpy() == 1, 1.0, 2.0)
    refit = rm.RiskClassifier("logistic", calibration=config.calibration, random_state=0)
    refit.fit(frame.X, frame.y, sample_weight=weights, feature_spec=frame.spec)
    np.testing.assert_allclose(
        outcome.model.predict_proba(frame.X)[:, 1], refit.predict_proba(frame.X)[:, 1]
    )
    audit = audit_backtest(result, frame.groups, n_resamples=5, random_state=0)
    pd.testing.assert_frame_equal(outcome.audit.by_group, audit.by_group)
    sex = outcome.audit.by_group.query("attribute == 'sex' and metric == 'prevalence'")
    model_rows = preds[preds["model"] == "model"]
    assert sex["n"].sum() == pytest.approx(model_rows["sample_weight"].sum(), abs=len(sex))


def test_the_review_says_the_figures_are_weighted_estimates_and_mlflow_logs_the_fraction(trained):
    import mlflow

    _, config, outcome = trained
    html = outcome.report.read_text(encoding="utf-8")
    section = html[html.index('<section id="backtest">') :]
    section = section[: section.index("</section>")]
    assert "These figures are weighted estimates from a sample" in section
    assert "a random 50% of the others" in section
    assert "counts as 2 in every figure" in section
    assert "a sample of every care entry and 50% of the other child-dates" in html
    mlflow.set_tracking_uri(config.tracking_uri)
    run = mlflow.MlflowClient().get_run(outcome.run_id)
    assert run.data.params["negative_fraction"] == "0.5"


@pytest.mark.parametrize("fraction", [0, 1.5, -0.1, True])
def test_the_fraction_must_be_a_share_in_0_1(fraction):
    with pytest.raises(SchemaError, match=r"negative_fraction must be a share in \(0, 1\]"):
        JobConfig(negative_fraction=fraction)


def test_the_command_line_refuses_a_fraction_outside_0_1(tmp_path, capsys):
    code = main(["train", "--data", str(tmp_path), "--sample-negatives", "2"])
    assert code == EXIT_BAD_INPUT
    assert "negative_fraction must be a share in (0, 1]" in capsys.readouterr().err
