"""``riskmodel train`` and ``score`` with ``--engine spark`` (Java 17 needed)."""

from __future__ import annotations

import pandas as pd
import pytest

from riskmodel.cli import main

pytestmark = [
    pytest.mark.xdist_group("spark"),
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
    pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning"),
]


def test_train_and_score_with_the_spark_engine(spark, tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["synth", "--out", str(data), "--n-children", "3000", "--seed", "3"]) == 0
    config = tmp_path / "train.yaml"
    config.write_text("n_splits: 2\nn_resamples: 20\nhistory_months: 24\ncalibration: isotonic\n")
    common = ["--tracking-uri", f"sqlite:///{tmp_path}/mlflow.db", "--config", str(config)]
    spark_engine = ["--engine", "spark", "--spark-master", "local[2]"]
    train = ["train", "--data", str(data), "--out", str(tmp_path / "out"), "--register", "cli"]
    assert main([*train, "--capacity", "20", *common, *spark_engine]) == 0
    assert "registered cli version 1" in capsys.readouterr().out

    score = ["score", "--data", str(data), "--model", "models:/cli@champion"]
    score += ["--capacity", "20", *common]
    for as_of, name in (("2024-01-01", "january"), ("2024-04-01", "april")):
        at = ["--as-of", as_of]
        spark_out, local_out = tmp_path / "spark" / f"{name}.parquet", tmp_path / "local"
        capsys.readouterr()  # what the Spark run prints, alone
        assert main([*score, *at, "--out", str(spark_out), *spark_engine]) == 0
        printed = capsys.readouterr().out
        assert main([*score, *at, "--out", str(local_out / f"{name}.parquet")]) == 0

    got = pd.read_parquet(tmp_path / "spark" / "april.parquet")
    excluded = pd.read_parquet(tmp_path / "spark" / "april_exclusions.parquet")
    persons = pd.read_parquet(data / "persons.parquet")
    assert len(got) + len(excluded) == len(persons)
    assert f"scored {len(got):,} children, excluded {len(excluded):,}" in printed
    assert got["flagged"].sum() == 20 and got["rank"].is_monotonic_increasing
    # April's change columns come from January's run, in the shared history folder
    assert got["previous_band"].notna().any()
    # the same files, and every table equal, whichever engine wrote them
    files = {p.name for p in (tmp_path / "spark").iterdir()}
    assert files == {p.name for p in (tmp_path / "local").iterdir()}
    assert {"april_drift.parquet", "april_list.html", "april_list.xlsx", "history"} <= files
    for name in ("april.parquet", "april_exclusions.parquet", "april_drift.parquet", "history"):
        want = pd.read_parquet(tmp_path / "local" / name)
        got = pd.read_parquet(tmp_path / "spark" / name)
        keys = [c for c in ("as_of_date", "person_id", "feature") if c in want.columns]
        pd.testing.assert_frame_equal(
            got.sort_values(keys).reset_index(drop=True),
            want.sort_values(keys).reset_index(drop=True),
            check_dtype=False,
        )
    assert (tmp_path / "spark" / "april_list.html").read_text() == (
        tmp_path / "local" / "april_list.html"
    ).read_text()
