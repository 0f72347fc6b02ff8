"""A flagged child whom no reason explains is warned about, not left as a blank cell.

Reasons never name protected characteristics (age among them). A model that rests on
age alone still flags the top ``capacity``, and every flagged child then has an empty
reason. The run must warn (a DataQualityWarning in the notes) with the count, and the
team list must say why the reason is missing.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.exceptions import DataQualityWarning
from riskmodel.scoring import score
from riskmodel.scoring._list import NO_REASON
from riskmodel.scoring._unexplained import unexplained_message, warn_unexplained

AS_OF = pd.Timestamp("2023-04-01")
DATES = pd.date_range("2019-04-01", "2022-04-01", freq="QS")


@pytest.fixture(scope="module")
def data():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return rm.make_local_authority(n_children=1_500, random_state=4)


def _fit(data, spec):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = rm.build_training_frame(data, DATES, spec=spec)
        return rm.RiskClassifier(random_state=0).fit(frame.X, frame.y, feature_spec=frame.spec)


def _score(data, model, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = score(data, model, AS_OF, **kwargs)
    found = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    return result, [m for m in found if m.startswith("reasons:")]


def test_a_model_on_age_alone_warns_that_no_flagged_child_has_a_reason(data, tmp_path):
    spec = rm.default_spec()
    age_only = dataclasses.replace(
        spec, features=tuple(f for f in spec.features if f.name == "age_years")
    )
    result, messages = _score(data, _fit(data, age_only), capacity=20, out=tmp_path)
    flagged = result.scores[result.scores["flagged"]]
    assert len(flagged) == 20 and flagged["reason_1"].isna().all()
    assert messages == [unexplained_message(20, 20)] and messages[0] in result.notes
    assert "20 of the 20 flagged children have no reason" in messages[0]
    assert "1 of the 5 flagged children has no reason" in unexplained_message(1, 5)
    page = (tmp_path / "list.html").read_text()
    assert page.count(NO_REASON) == 20


def test_the_count_is_the_flagged_rows_without_a_reason(data):
    model = _fit(data, rm.default_spec())
    result, messages = _score(data, model, capacity=50)
    assert result.scores.loc[result.scores["flagged"], "reason_1"].notna().all()
    assert messages == [] and not [n for n in result.notes if n.startswith("reasons:")]
    result, messages = _score(data, model, capacity=len(result.scores))  # everyone flagged
    missing = int(result.scores["reason_1"].isna().sum())
    assert missing > 0 and messages == [unexplained_message(missing, len(result.scores))]


def test_only_flagged_rows_count_and_blank_text_is_no_reason():
    scores = pd.DataFrame(
        {
            "flagged": [True, True, True, False, False],
            "reason_1": ["2 referrals in the last year", np.nan, "  ", np.nan, np.nan],
        }
    )
    notes: list[str] = []
    with pytest.warns(DataQualityWarning, match="2 of the 3 flagged children"):
        warn_unexplained(scores, notes)
    assert notes == [unexplained_message(2, 3)]


def test_every_flagged_child_with_a_reason_gives_no_note():
    scores = pd.DataFrame({"flagged": [True, False], "reason_1": ["on a CP plan", np.nan]})
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_unexplained(scores, notes)
        warn_unexplained(scores.drop(columns="reason_1"), notes)
    assert notes == [] and unexplained_message(0, 1) is None
