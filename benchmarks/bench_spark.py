"""Benchmark: Spark ``local[2]`` against the streamed local path, on the same machine.

Run with ``python -m benchmarks.bench_spark [--children 100000] [--authorities 2]
[--score-children 100000]`` (needs Java 17 and the ``spark`` extra).

- **Features**: a synthetic region of ``--children`` children (``make_region``) at 28
  quarterly as-of dates. Local: ``write_training_frame`` (shards of 20,000 children,
  two joblib workers). Spark: the canonical tables written to Parquet and read back
  (as a cluster would read them), ``build_training_frame_spark`` and a Parquet write
  of its rows. The ratio is Spark's wall time over the local one.
- **Scoring**: a model fitted on a separate authority of 20,000 children, then the
  cohort of ``--score-children`` children scored at one as-of date with three reasons
  each: local ``score`` against ``score_spark`` with its scores and exclusions written
  to Parquet. Reasons (SHAP values per child) dominate both.

Times include Spark's own start-up of Python workers on the first job, not the
session start (printed separately).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

DATES = pd.date_range("2016-04-01", "2023-01-01", freq="QS")  # 28 quarterly dates
AS_OF = pd.Timestamp("2023-04-01")


def _session():
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("riskmodel-bench")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _tables_on_disk(spark, data, folder: Path) -> dict:
    from riskmodel.spark import spark_tables

    out = {}
    for name, table in spark_tables(spark, data).items():
        table.write.parquet(str(folder / name))
        out[name] = spark.read.parquet(str(folder / name))
    return out


def _timed(step):
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


def _features(spark, data, folder: Path) -> dict:
    from riskmodel.frame import write_training_frame
    from riskmodel.spark import build_training_frame_spark

    local_s, _ = _timed(
        lambda: write_training_frame(data, folder / "local", DATES, shard_size=20_000, n_jobs=2)
    )
    tables = _tables_on_disk(spark, data, folder / "tables")
    rows = build_training_frame_spark(
        tables["persons"], tables["events"], tables["care_episodes"], DATES
    )
    spark_s, _ = _timed(lambda: rows.write.parquet(str(folder / "spark")))
    return {
        "step": "features",
        "children": len(data.persons),
        "local_s": local_s,
        "spark_s": spark_s,
    }


def _scoring(spark, data, folder: Path) -> dict:
    import riskmodel as rm
    from riskmodel.spark import score_spark

    trainer = rm.make_local_authority(n_children=20_000, random_state=7)
    frame = rm.build_training_frame(trainer, DATES[-12:])
    model = rm.RiskClassifier(random_state=0).fit(frame.X, frame.y, feature_spec=frame.spec)
    local_s, local = _timed(lambda: rm.score(data, model, AS_OF, capacity=50))
    tables = _tables_on_disk(spark, data, folder / "score_tables")

    def on_spark():
        result = score_spark(
            tables["persons"], tables["events"], tables["care_episodes"], model, AS_OF
        )
        result.scores.write.parquet(str(folder / "scores"))
        result.excluded.write.parquet(str(folder / "excluded"))
        return result

    spark_s, _ = _timed(on_spark)
    row = {
        "step": "scoring with reasons",
        "children": len(data.persons),
        "scored": len(local.scores),
        "local_s": local_s,
        "spark_s": spark_s,
    }
    return row, model


def _region_on_disk(spark, n_authorities: int, n_children: int, folder: Path) -> dict:
    """Write a region's tables to Parquet one authority at a time; return them on Spark."""
    from riskmodel.data.synthetic import make_authority, region_settings
    from riskmodel.spark import spark_tables

    for settings in region_settings(n_authorities, n_children, random_state=2):
        tables = spark_tables(spark, make_authority(settings))
        for name, table in tables.items():
            table.write.mode("append").parquet(str(folder / name))
    names = ("persons", "events", "care_episodes")
    return {name: spark.read.parquet(str(folder / name)) for name in names}


def _scoring_spark_only(spark, model, n_authorities: int, n_children: int, folder: Path) -> dict:
    from riskmodel.spark import score_spark

    tables = _region_on_disk(spark, n_authorities, n_children, folder / "tables")

    def on_spark():
        result = score_spark(
            tables["persons"], tables["events"], tables["care_episodes"], model, AS_OF
        )
        result.scores.write.parquet(str(folder / "scores"))
        result.excluded.write.parquet(str(folder / "excluded"))
        return result.counts

    spark_s, counts = _timed(on_spark)
    return {
        "step": "scoring with reasons (Spark only)",
        "children": n_children,
        "scored": counts["scored"],
        "local_s": float("nan"),
        "spark_s": spark_s,
    }


def main() -> None:
    """Run both comparisons and print the table with the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--authorities", type=int, default=2)
    parser.add_argument("--score-children", type=int, default=100_000)
    parser.add_argument(
        "--spark-only-children",
        type=int,
        default=0,
        help="also score a region this large on Spark alone (e.g. 1000000), built and "
        "written authority by authority",
    )
    args = parser.parse_args()
    import riskmodel as rm

    warnings.simplefilter("ignore")
    started, spark = _timed(_session)
    print(f"Spark session start: {started:.1f} s")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = rm.make_region(args.authorities, args.children, random_state=0)
        rows.append(_features(spark, data, folder / "features"))
        scored = rm.make_region(args.authorities, args.score_children, random_state=1)
        scoring, model = _scoring(spark, scored, folder / "scoring")
        rows.append(scoring)
        del scored
        if args.spark_only_children:
            n = max(1, round(args.spark_only_children / 100_000))
            big = folder / "spark_only"
            rows.append(_scoring_spark_only(spark, model, n, args.spark_only_children, big))
    spark.stop()
    table = pd.DataFrame(rows)
    table["spark_over_local"] = table["spark_s"] / table["local_s"]
    table["spark_us_per_child"] = 1e6 * table["spark_s"] / table["children"]
    print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
