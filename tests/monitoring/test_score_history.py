"""read_score_history: one checked tidy table; errors name file, column, rows and values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.exceptions import SchemaError
from riskmodel.monitoring import read_score_history, summarise_runs
from riskmodel.scoring import append_history


def _run(n: int = 6, flagged: int = 2, version: str = "1", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    score = np.sort(rng.random(n))[::-1] * 0.5
    return pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in rng.permutation(n)],
            "risk_score": score,
            "risk_band": np.linspace(20, 1, n).round().astype(int),
            "rank": np.arange(1, n + 1),
            "flagged": np.arange(n) < flagged,
            "model_name": "m",
            "model_version": version,
        }
    )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    for i, date in enumerate(["2024-01-01", "2024-04-01", "2024-04-15"]):
        append_history(tmp_path / "history", _run(seed=i), pd.Timestamp(date))
    return tmp_path


def _partition(out: Path, date: str) -> Path:
    return out / "history" / f"as_of_date={date}" / "scores.parquet"


def test_reads_output_folder_or_history_folder_with_dtypes_and_order(out):
    table = read_score_history(out)
    assert table.equals(read_score_history(out / "history"))
    assert list(table.columns) == [
        "person_id",
        "as_of_date",
        "risk_score",
        "risk_band",
        "rank",
        "flagged",
        "model_name",
        "model_version",
    ]
    assert str(table["as_of_date"].dtype) == "datetime64[ns]"
    assert table["risk_band"].dtype == "int64" and table["rank"].dtype == "int64"
    assert table["flagged"].dtype == bool
    # once per month: 2024-04-01 and 2024-04-15 keep only the later run
    assert sorted(table["as_of_date"].dt.date.astype(str).unique()) == ["2024-01-01", "2024-04-15"]
    keys = list(zip(table["as_of_date"], table["rank"], strict=True))
    assert keys == sorted(keys)
    assert len(read_score_history(out, once_per_month=False)) == 18


def test_summarise_runs_counts_each_run(out):
    summary = summarise_runs(read_score_history(out, once_per_month=False))
    assert summary["scored"].tolist() == [6, 6, 6]
    assert summary["flagged"].tolist() == [2, 2, 2]
    history = read_score_history(out, once_per_month=False)
    for row in summary.itertuples():
        run = history[history["as_of_date"] == row.as_of_date]
        assert row.lowest_flagged_score == run.loc[run["flagged"], "risk_score"].min()
        assert row.lowest_flagged_band == run.loc[run["flagged"], "risk_band"].min()


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(SchemaError, match="holds no runs"):
        read_score_history(tmp_path)


def test_missing_column_names_the_partition_file(out):
    path = _partition(out, "2024-01-01")
    pd.read_parquet(path).drop(columns=["risk_band"]).to_parquet(path)
    with pytest.raises(SchemaError, match=r"as_of_date=2024-01-01.*missing column risk_band"):
        read_score_history(out)


@pytest.mark.parametrize(
    ("column", "change", "pattern"),
    [
        ("person_id", lambda t: t.assign(person_id=["p1"] * 2 + list(t["person_id"][2:])),
         r"person_id: \d+ rows repeat a child.*rows 0, 1"),
        ("risk_band", lambda t: t.assign(risk_band=[21] + list(t["risk_band"][1:])),
         r"risk_band: 1 bands outside 1-20 \(row 0; value 21\)"),
        ("flagged", lambda t: t.assign(flagged=t["flagged"].astype(int)),
         r"flagged: 6 values are not True/False \(rows 0, 1, 2, 3, 4 and 1 more; values 1, 1, 0"),
        ("flagged", lambda t: t.assign(flagged=[True, False, True, False, False, False]),
         r"flagged: 2 rows break the rule that the 2 flagged children are ranks 1-2 "
         r"\(rows 1, 2; values False, True\)"),
        ("rank", lambda t: t.assign(rank=[1, 1, 3, 4, 5, 6]), r"rank: 2 rows share a rank"),
        ("risk_score", lambda t: t.assign(risk_score=[1.5, *t["risk_score"][1:]]),
         r"risk_score: 1 scores missing or outside \[0, 1\] \(row 0; value 1.5\)"),
    ],
)  # fmt: skip
def test_bad_partition_names_file_column_rows_and_values(out, column, change, pattern):
    path = _partition(out, "2024-04-15")
    change(pd.read_parquet(path)).to_parquet(path, index=False)
    with pytest.raises(SchemaError, match=r"as_of_date=2024-04-15[/\\]scores.parquet: " + pattern):
        read_score_history(out)
