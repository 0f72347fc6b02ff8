"""Spark scoring writes the local engine's files: history, change columns, drift and the list.

Two monthly runs into one output folder: the second run's change columns come from
the first run's history. Whichever engine wrote the first run, the second run's
files equal those of two local runs: every column of the scores, the exclusions,
the drift table, the history and the team's list (Java 17 needed).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.scoring import profile_features
from riskmodel.scoring._result import CHANGE_COLUMNS
from riskmodel.spark import history_folders, score_spark, spark_tables, write_scores_spark

pytestmark = [
    pytest.mark.xdist_group("spark"),
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
    pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning"),
]

FIRST, SECOND = pd.Timestamp("2022-10-01"), pd.Timestamp("2023-04-01")
CAPACITY = 25
DATES = pd.date_range("2018-04-01", "2022-04-01", freq="6MS")


@pytest.fixture(scope="module")
def fitted():
    """A quick model and its training profile (drift is measured against it)."""
    data = rm.make_local_authority(n_children=1_500, random_state=4)
    frame = rm.build_training_frame(data, DATES)
    model = rm.RiskClassifier(
        "hgb", early_stopping=False, estimator_params={"max_iter": 40}, random_state=0
    )
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    return data, model, profile_features(frame.X[model.features_used_])


def local_run(data, model, profile, as_of, out: Path) -> None:
    rm.score(data, model, as_of, capacity=CAPACITY, out=out, profile=profile)


def spark_run(spark, data, model, profile, as_of, out: Path) -> dict[str, Path]:
    tables = spark_tables(spark, data)
    result = score_spark(
        tables["persons"],
        tables["events"],
        tables["care_episodes"],
        model,
        as_of,
        capacity=CAPACITY,
        extract_date=data.end_date,
        population=data.population,
        shard_size=400,
        history=history_folders(out, list(data.authorities) or [None]),
        profile=profile,
    )
    files, _ = write_scores_spark(result, out)
    return files


def _history(folder: Path) -> pd.DataFrame:
    table = pd.read_parquet(folder / "history")
    keys = [c for c in ("as_of_date", "person_id") if c in table.columns]
    return table.sort_values(keys).reset_index(drop=True)


def _table(path: Path, keys: list[str]) -> pd.DataFrame:
    return pd.read_parquet(path).sort_values(keys).reset_index(drop=True)


def assert_same_outputs(got: Path, want: Path) -> None:
    """The files of two output folders are equal (each authority's folder on pooled data)."""
    scores = _table(got / "scores.parquet", ["rank"])
    want_scores = _table(want / "scores.parquet", ["rank"])
    assert list(scores.columns) == list(want_scores.columns)
    assert set(CHANGE_COLUMNS) <= set(scores.columns)
    pd.testing.assert_frame_equal(scores, want_scores, check_dtype=False)
    pd.testing.assert_frame_equal(
        _table(got / "exclusions.parquet", ["person_id"]),
        _table(want / "exclusions.parquet", ["person_id"]),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        _table(got / "drift.parquet", ["feature"]),
        _table(want / "drift.parquet", ["feature"]),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(_history(got), _history(want), check_dtype=False)
    for name in ("list.html",):
        assert (got / name).read_text(encoding="utf-8") == (want / name).read_text(
            encoding="utf-8"
        )
    lists = [pd.read_excel(folder / "list.xlsx", sheet_name=None) for folder in (got, want)]
    assert lists[0].keys() == lists[1].keys()
    for sheet in lists[0]:
        pd.testing.assert_frame_equal(lists[0][sheet], lists[1][sheet])


@pytest.fixture(scope="module")
def local_twice(fitted, tmp_path_factory):
    data, model, profile = fitted
    out = tmp_path_factory.mktemp("local")
    for as_of in (FIRST, SECOND):
        local_run(data, model, profile, as_of, out)
    return out


def test_two_spark_runs_write_what_two_local_runs_write(spark, fitted, local_twice, tmp_path):
    data, model, profile = fitted
    for as_of in (FIRST, SECOND):
        files = spark_run(spark, data, model, profile, as_of, tmp_path)
    assert {"scores", "exclusions", "drift"} <= set(files)
    scores = pd.read_parquet(tmp_path / "scores.parquet")
    assert scores["previous_band"].notna().any() and scores["new_to_list"].any()
    assert_same_outputs(tmp_path, local_twice)


@pytest.mark.parametrize("first", ["local", "spark"])
def test_either_engine_reads_the_history_the_other_wrote(
    spark, fitted, local_twice, tmp_path, first
):
    data, model, profile = fitted
    if first == "local":
        local_run(data, model, profile, FIRST, tmp_path)
        spark_run(spark, data, model, profile, SECOND, tmp_path)
    else:
        spark_run(spark, data, model, profile, FIRST, tmp_path)
        local_run(data, model, profile, SECOND, tmp_path)
    assert_same_outputs(tmp_path, local_twice)


def test_pooled_authorities_get_their_own_folders_history_and_list(spark, fitted, tmp_path):
    _, model, profile = fitted
    pooled = rm.data.pool_authorities(
        {
            "E1": rm.make_local_authority(n_children=700, random_state=1),
            "E2": rm.make_local_authority(n_children=600, random_state=2),
        }
    )
    local, on_spark = tmp_path / "local", tmp_path / "spark"
    for as_of in (FIRST, SECOND):
        local_run(pooled, model, profile, as_of, local)
        files = spark_run(spark, pooled, model, profile, as_of, on_spark)
    assert {"E1/scores", "E2/scores"} <= set(files)
    for code in ("E1", "E2"):
        assert_same_outputs(on_spark / f"authority={code}", local / f"authority={code}")


def _run_partition(history: Path, as_of: str, ids: list[str], bands: list[int]) -> None:
    folder = history / f"as_of_date={as_of}"
    folder.mkdir(parents=True)
    pd.DataFrame(
        {
            "person_id": ids,
            "risk_score": [0.01 * b for b in bands],
            "risk_band": bands,
            "rank": range(1, len(ids) + 1),
            "flagged": [True] * len(ids),
            "model_name": "m",
            "model_version": "1",
        }
    ).to_parquet(folder / "scores.parquet", index=False)


def test_the_list_shows_a_past_run_where_none_of_todays_children_were_scored(spark, tmp_path):
    """The runs a list shows come from the history's dates, not from the listed children."""
    from riskmodel.scoring._history import HISTORY_COLUMNS, recent_runs
    from riskmodel.scoring._list import LAST_RUNS, build_team_list
    from riskmodel.scoring._result import ScoringResult
    from riskmodel.spark._write import team_list_spark

    history, as_of = tmp_path / "history", pd.Timestamp("2024-02-01")
    _run_partition(history, "2024-01-01", ["A", "B"], [19, 18])  # nobody listed today
    _run_partition(history, "2024-02-01", ["C", "D"], [20, 19])
    today = pd.read_parquet(history / "as_of_date=2024-02-01" / "scores.parquet")
    scores = today.assign(band_change=float("nan"), new_to_list=True, rising=False)[
        [*HISTORY_COLUMNS, "band_change", "new_to_list", "rising"]
    ]
    counts = {"children_in": 2, "scored": 2, "excluded": 0, "flagged": 2}
    local = build_team_list(
        ScoringResult(scores, pd.DataFrame(), as_of), recent_runs(history, as_of, runs=LAST_RUNS)
    )
    on_spark = team_list_spark(spark.createDataFrame(scores), history, as_of, counts)
    assert local.runs == on_spark.runs == (pd.Timestamp("2024-01-01"), as_of)
    assert [e.bands for e in on_spark.entries] == [e.bands for e in local.entries]
    assert [e.bands for e in on_spark.entries] == [(None, 20), (None, 19)]
