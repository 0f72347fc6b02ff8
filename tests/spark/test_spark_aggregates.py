"""Per-group counts aggregated on Spark equal pandas', and give the audit's rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.spark import group_counts_spark, group_rates

pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]

DATES = pd.date_range("2019-04-01", "2022-04-01", freq="6MS")
BY = ["sex", "ethnic_group", "authority", "quintile"]
KEYS = ["authority", "person_id", "as_of_date"]
CAPACITY = 60


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Child-dates of two pooled authorities: outcome, groups and a score with ties."""
    pooled = rm.data.pool_authorities(
        {
            "E1": rm.make_local_authority(n_children=1_500, random_state=4),
            "E2": rm.make_local_authority(n_children=1_000, random_state=5),
        }
    )
    frame = rm.build_training_frame(pooled, DATES)
    rng = np.random.default_rng(0)
    table = pd.concat(
        [frame.keys, frame.groups[["sex", "ethnic_group"]].reset_index(drop=True)], axis=1
    )
    table["care_entry"] = frame.y.to_numpy().astype("int64")
    table["risk_score"] = np.round(rng.beta(1, 20, len(table)), 3)  # ties
    table["quintile"] = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, np.nan], len(table))
    table.loc[table.index[::97], "sex"] = None  # a "(missing)" group
    order = np.lexsort((table["person_id"].to_numpy(), -table["risk_score"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)  # rank order
    table["flagged"] = table.index < CAPACITY
    return table


def pandas_counts(table: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for name in ["all", *BY]:
        labels = "all" if name == "all" else table[name].map(rm.fairness._inputs.group_label)
        if name != "all":
            labels = labels.where(table[name].notna(), "(missing)")
        keyed = table.assign(group=labels, tp=table["care_entry"] * table["flagged"])
        sums = keyed.groupby("group", sort=True).agg(
            n=("risk_score", "size"),
            flagged=("flagged", "sum"),
            positives=("care_entry", "sum"),
            true_positives=("tp", "sum"),
            sum_score=("risk_score", "sum"),
        )
        parts.append(sums.reset_index().assign(attribute=name))
    out = pd.concat(parts, ignore_index=True)
    out["mean_score"] = out["sum_score"] / out["n"]
    columns = ["attribute", "group", "n", "flagged", "positives", "true_positives"]
    out = out[[*columns, "sum_score", "mean_score"]]
    return out.astype({c: "int64" for c in columns[2:]} | {"attribute": "str", "group": "str"})


def to_spark(spark, table: pd.DataFrame, schema: str):
    """A Spark DataFrame of ``table`` (as spark_tables makes them: objects, None for missing)."""
    values = table.astype(object)
    return spark.createDataFrame(values.where(values.notna(), None), schema=schema)


def spark_counts(spark, table: pd.DataFrame) -> pd.DataFrame:
    keys = "authority string, person_id string, as_of_date timestamp"
    scores = to_spark(
        spark,
        table[[*KEYS, "risk_score", "flagged"]],
        f"{keys}, risk_score double, flagged boolean",
    )
    outcomes = to_spark(
        spark,
        table[[*KEYS, "care_entry", "sex", "ethnic_group", "quintile"]],
        f"{keys}, care_entry bigint, sex string, ethnic_group string, quintile double",
    )
    return group_counts_spark(scores, outcomes, BY, on=KEYS)


def test_group_counts_on_spark_equal_pandas_counts(spark, rows):
    got = spark_counts(spark, rows)
    want = pandas_counts(rows)
    assert {"(missing)", "F", "M"} <= set(got.loc[got["attribute"] == "sex", "group"])
    assert set(got.loc[got["attribute"] == "quintile", "group"]) == {
        "1",
        "2",
        "3",
        "4",
        "5",
        "(missing)",
    }
    pd.testing.assert_frame_equal(got, want, rtol=1e-12)


def test_rates_from_spark_counts_equal_the_fairness_audit(spark, rows):
    rates = group_rates(spark_counts(spark, rows))
    audit = rm.audit_fairness(
        rows["care_entry"],
        rows["risk_score"],
        rows[BY],
        capacity=CAPACITY,
        min_group_size=1,
        n_resamples=2,
        random_state=0,
    )
    want = audit.by_group[audit.by_group["metric"] != "auc"]
    got = rates.melt(["attribute", "group"], var_name="metric", value_name="value")
    merged = want.merge(
        got, on=["attribute", "group", "metric"], how="left", suffixes=("", "_spark")
    )
    assert len(merged) == len(want) and merged["value_spark"].notna().sum() > 0
    np.testing.assert_allclose(merged["value_spark"], merged["value"], rtol=1e-12, equal_nan=True)
    assert rates["auc"].isna().all()
