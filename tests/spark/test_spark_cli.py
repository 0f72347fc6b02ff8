"""``riskmodel train`` and ``score`` with ``--engine spark`` (Java 17 needed)."""

from __future__ import annotations

import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.scoring._result import SCORE_COLUMNS

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
    score += ["--as-of", "2024-04-01", "--capacity", "20", *common]
    assert main([*score, "--out", str(tmp_path / "spark" / "april.parquet"), *spark_engine]) == 0
    printed = capsys.readouterr().out
    assert main([*score, "--out", str(tmp_path / "local" / "april.parquet")]) == 0

    got = pd.read_parquet(tmp_path / "spark" / "april.parquet")
    excluded = pd.read_parquet(tmp_path / "spark" / "april_exclusions.parquet")
    persons = pd.read_parquet(data / "persons.parquet")
    assert len(got) + len(excluded) == len(persons)
    assert f"scored {len(got):,} children, excluded {len(excluded):,}" in printed
    assert got["flagged"].sum() == 20 and got["rank"].is_monotonic_increasing
    want = pd.read_parquet(tmp_path / "local" / "april.parquet")[SCORE_COLUMNS]
    got = got[SCORE_COLUMNS].astype({"as_of_date": want["as_of_date"].dtype})
    pd.testing.assert_frame_equal(got, want)
