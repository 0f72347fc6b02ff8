"""The model card states how the model was fitted: calibration, constraints, stopping."""

from __future__ import annotations

import pytest
from report_pages import simulate

from riskmodel.models import RiskClassifier
from riskmodel.reports._build_review import describe_model


@pytest.fixture(scope="module")
def frame():
    return simulate(n_children=300)[0]


def test_the_card_states_monotone_constraints_and_the_chosen_calibration(frame):
    model = RiskClassifier(calibration="auto", monotone="domain", random_state=0)
    model.fit(frame.X, frame.y)
    card = describe_model(model, frame)
    assert card["Calibration"].startswith("auto (chose ")
    assert model.calibration_method_ in card["Calibration"]
    assert card["Monotone constraints"].startswith("risk never falls with more")
    assert card["Early stopping"].endswith(f"{model.n_iter_} iterations")


def test_the_card_says_when_nothing_is_constrained(frame):
    model = RiskClassifier("logistic", calibration="sigmoid").fit(frame.X, frame.y)
    card = describe_model(model, frame)
    assert card["Calibration"] == "sigmoid"
    assert card["Monotone constraints"] == "none"
    assert "Early stopping" not in card  # only gradient boosting stops early
