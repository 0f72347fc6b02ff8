"""Writing a scoring run: the table written is the table computed, against the same history."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.exceptions import SchemaError
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier
from riskmodel.scoring import PreviousRun, score, write_scores

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
JAN, FEB, MAR = (pd.Timestamp(d) for d in ("2024-01-01", "2024-02-01", "2024-03-01"))


@pytest.fixture(scope="module")
def fitted():
    data = rm.make_local_authority(n_children=1_500, random_state=0)
    dates = pd.date_range("2019-04-01", "2022-04-01", freq="QS-APR")
    frame = build_training_frame(data, dates, horizon_months=12)
    model = RiskClassifier("logistic", random_state=0).fit(frame.X, frame.y)
    return data, model


def _score(fitted, as_of, **kwargs):
    data, model = fitted
    return score(data, model, as_of, reasons=1, **kwargs)


def test_the_table_computed_is_the_table_written(fitted, tmp_path):
    _score(fitted, JAN, out=tmp_path)
    computed = _score(fitted, FEB, history=tmp_path / "history")
    assert computed.files == {}
    assert not (tmp_path / "history" / "as_of_date=2024-02-01").exists()  # only read
    assert computed.previous_run is not None and computed.previous_run.as_of == JAN
    written = write_scores(computed, tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "scores.parquet"), computed.scores)
    pd.testing.assert_frame_equal(written.scores, computed.scores)
    # the shorthand computes the same table and writes it
    again = _score(fitted, FEB, out=tmp_path / "again")  # a folder with no earlier run
    changes = ["previous_band", "band_change", "new_to_list", "rising"]
    pd.testing.assert_frame_equal(
        again.scores.drop(columns=changes), computed.scores.drop(columns=changes)
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "again" / "scores.parquet"), again.scores
    )


def test_the_columns_are_the_same_with_or_without_a_history(fitted, tmp_path):
    alone = _score(fitted, JAN)
    first = _score(fitted, JAN, out=tmp_path)
    assert list(alone.scores.columns) == list(first.scores.columns)
    assert list(alone.scores.columns[-4:]) == [
        "previous_band", "band_change", "new_to_list", "rising",
    ]  # fmt: skip
    pd.testing.assert_frame_equal(alone.scores, first.scores)
    assert alone.scores["previous_band"].isna().all() and not alone.scores["rising"].any()
    assert (alone.scores["new_to_list"] == alone.scores["flagged"]).all()
    later = _score(fitted, FEB, history=tmp_path / "history")
    assert later.scores["previous_band"].notna().any()
    assert list(later.scores.columns) == list(alone.scores.columns)


def test_writing_refuses_a_result_computed_against_another_history(fitted, tmp_path):
    _score(fitted, JAN, out=tmp_path)
    blind = _score(fitted, FEB)  # no history: every flagged child looks new
    with pytest.raises(SchemaError, match="compared with no earlier run") as refused:
        write_scores(blind, tmp_path)
    message = str(refused.value)
    assert "latest earlier run is the run as of 2024-01-01" in message
    assert f"history={tmp_path / 'history'}" in message and "Nothing was written" in message
    assert not (tmp_path / "history" / "as_of_date=2024-02-01").exists()


def test_writing_refuses_when_the_history_changed_since_computing(fitted, tmp_path):
    _score(fitted, JAN, out=tmp_path)
    march = _score(fitted, MAR, history=tmp_path / "history")
    _score(fitted, FEB, out=tmp_path)  # another run publishes in between
    with pytest.raises(SchemaError, match="compared with the run as of 2024-01-01") as refused:
        write_scores(march, tmp_path)
    assert "latest earlier run is the run as of 2024-02-01" in str(refused.value)

    march = _score(fitted, MAR, history=tmp_path / "history")
    _score(fitted, FEB, out=tmp_path, capacity=5)  # February scored again: other flags
    with pytest.raises(SchemaError, match="2024-02-01 was scored again since"):
        write_scores(march, tmp_path)
    assert not (tmp_path / "history" / "as_of_date=2024-03-01").exists()
    march = _score(fitted, MAR, history=tmp_path / "history")
    assert write_scores(march, tmp_path, csv=True).files["scores_csv"].exists()


def test_the_previous_run_names_its_date_and_partition_hash(fitted, tmp_path):
    _score(fitted, JAN, out=tmp_path)
    result = _score(fitted, FEB, history=tmp_path / "history")
    partition = tmp_path / "history" / "as_of_date=2024-01-01" / "scores.parquet"
    digest = hashlib.sha256(partition.read_bytes()).hexdigest()
    assert result.previous_run == PreviousRun(JAN, digest)
