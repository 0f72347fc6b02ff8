"""On Spark, scores, ranks, flags, bands and reasons equal the local ones (Java 17 needed)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.scoring._result import CHANGE_COLUMNS, SCORE_COLUMNS
from riskmodel.spark import check_children, score_spark, spark_tables

pytestmark = [
    pytest.mark.xdist_group("spark"),
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
]

AS_OF = "2023-04-01"
DATES = pd.date_range("2019-04-01", "2022-04-01", freq="6MS")


def fit_model(data: rm.LocalAuthorityData) -> rm.RiskClassifier:
    """A quick model; isotonic calibration makes ties that the log-odds break."""
    frame = rm.build_training_frame(data, DATES)
    model = rm.RiskClassifier(
        "hgb",
        calibration="isotonic",
        early_stopping=False,
        estimator_params={"max_iter": 60},
        random_state=0,
    )
    return model.fit(frame.X, frame.y, feature_spec=frame.spec)


@pytest.fixture(scope="module")
def authority():
    data = rm.make_local_authority(n_children=2_000, random_state=0)
    return data, fit_model(data)


@pytest.fixture(scope="module")
def two_authorities() -> dict[str, rm.LocalAuthorityData]:
    return {
        "E1": rm.make_local_authority(n_children=900, random_state=1),
        "E2": rm.make_local_authority(n_children=700, random_state=2),
    }


def spark_score(spark, data, model, **options):
    tables = spark_tables(spark, data)
    return score_spark(
        tables["persons"],
        tables["events"],
        tables["care_episodes"],
        model,
        AS_OF,
        extract_date=data.end_date,
        population=data.population,
        **options,
    )


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["authority", "rank"]).reset_index(drop=True)


def local_scores(data, model, code=None, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = rm.score(data, model, AS_OF, **options)
    scores = result.scores[[*SCORE_COLUMNS, *CHANGE_COLUMNS]].assign(authority=code)
    excluded = result.exclusions.assign(authority=code)
    return scores, excluded


def assert_same(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    """Equal row for row; Spark's nullable integers come back as floats or objects."""
    got = got.sort_values(keys).reset_index(drop=True)
    want = want[got.columns].sort_values(keys).reset_index(drop=True)
    want = want.astype({"as_of_date": got["as_of_date"].dtype, "authority": "str"})
    got = got.astype({"authority": "str"})
    for column in set(CHANGE_COLUMNS) & set(got.columns):
        got[column] = got[column].astype(want[column].dtype)
    pd.testing.assert_frame_equal(got, want)


def test_spark_scores_equal_the_local_scores_row_for_row(spark, authority):
    data, model = authority
    want, want_excluded = local_scores(data, model, capacity=40)
    assert want["risk_score"].duplicated().any()  # ties: the log-odds and id order them
    got = spark_score(spark, data, model, capacity=40, shard_size=500)
    scores, excluded = got.scores.toPandas(), got.excluded.toPandas()
    assert list(scores.columns) == ["authority", *SCORE_COLUMNS, *CHANGE_COLUMNS]
    assert_same(scores, want, ["authority", "rank"])
    assert_same(excluded, want_excluded, ["authority", "person_id"])
    assert got.counts == {
        "children_in": len(data.persons),
        "scored": len(want),
        "excluded": len(want_excluded),
        "flagged": 40,
    }


def test_a_logistic_models_reasons_on_spark_equal_the_local_ones(spark, authority):
    """Measured from the model's training mean, not each shard's (or cohort's) own mean."""
    data, _ = authority
    frame = rm.build_training_frame(data, DATES)
    model = rm.RiskClassifier("logistic", calibration="sigmoid", random_state=0)
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    want, _ = local_scores(data, model, capacity=30)
    got = spark_score(spark, data, model, capacity=30, shard_size=300)
    assert_same(got.scores.toPandas(), want, ["authority", "rank"])
    assert want["reason_1"].notna().any()


def test_spark_scores_of_pooled_authorities_equal_each_authority_scored_alone(
    spark, authority, two_authorities
):
    _, model = authority
    parts = two_authorities
    pooled = rm.data.pool_authorities(parts)
    local = [local_scores(data, model, code, capacity=20) for code, data in parts.items()]
    got = spark_score(spark, pooled, model, capacity=20, shard_size=300)
    want = pd.concat([s for s, _ in local], ignore_index=True)
    assert_same(got.scores.toPandas(), want, ["authority", "rank"])
    assert_same(
        got.excluded.toPandas(),
        pd.concat([e for _, e in local], ignore_index=True),
        ["authority", "person_id"],
    )
    assert got.counts["flagged"] == 40  # the capacity applies within each authority


def test_flagged_children_without_a_reason_are_noted_as_locally(spark, authority, two_authorities):
    """A model on age and referrals gives the children without referrals no reason."""
    data, _ = authority
    spec = rm.default_spec()
    two = dataclasses.replace(
        spec,
        features=tuple(f for f in spec.features if f.name in ("age_years", "referral_count_365d")),
    )
    frame = rm.build_training_frame(data, DATES, spec=two)
    model = rm.RiskClassifier(early_stopping=False, random_state=0)
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    parts = two_authorities
    pooled = rm.data.pool_authorities(parts)
    everyone = len(pooled.persons)
    want = [n for n in rm.score(pooled, model, AS_OF, capacity=everyone).notes if "reasons:" in n]
    got = spark_score(spark, pooled, model, capacity=everyone, shard_size=300)
    assert [n for n in got.notes if "reasons:" in n] == want
    assert [n.split(":")[0] for n in want] == ["authority E1", "authority E2"]


def test_a_dropped_row_fails_the_count_check(spark, authority, monkeypatch):
    import riskmodel.spark._score as module

    data, model = authority
    small = rm.make_local_authority(n_children=300, random_state=3)
    split = module._split

    def drop_one(rows):
        scored, excluded = split(rows)
        first = scored.orderBy("person_id").first()["person_id"]
        return scored.filter(scored["person_id"] != first), excluded

    monkeypatch.setattr(module, "_split", drop_one)
    want, excluded = local_scores(small, model)
    message = rf"children in \(300\) != scored \({len(want) - 1}\) \+ excluded \({len(excluded)}\)"
    with pytest.raises(RuntimeError, match=message):
        spark_score(spark, small, model)


def test_check_children_counts_on_spark(spark):
    persons = spark.createDataFrame([("a",), ("b",), ("c",)], "person_id string")
    scored = spark.createDataFrame([("a",)], "person_id string")
    excluded = spark.createDataFrame([("b",), ("c",)], "person_id string")
    counts = check_children(persons, scored, excluded)
    assert counts == {"children_in": 3, "scored": 1, "excluded": 2}
    with pytest.raises(RuntimeError, match=r"children in \(3\) != scored \(1\) \+ excluded \(1\)"):
        check_children(persons, scored, excluded.limit(1))
