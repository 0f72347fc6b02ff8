"""CSV outputs open safely in a spreadsheet: text that would run as a formula is defused.

A person id such as ``=HYPERLINK(...)`` (or any text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with a leading ``'`` in every CSV
meant for people (scores, exclusions, import issues, tables logged with a run), as
OWASP advises. Numbers stay numbers and the Parquet files keep the raw values.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel._csv import FORMULA_PREFIXES, defuse_formulas, write_csv
from riskmodel.cli import main
from riskmodel.scoring import score

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
# person ids are stripped of surrounding blanks when read, so none starts with a tab
HOSTILE_IDS = HOSTILE[:4] + ["=2*3", "-A1"]
POLICE_YAML = """source: police
person_id: ChildID
date: NotifiedOn
date_format: "%d/%m/%Y"
event_type: police_domestic_abuse
"""


def _read_raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_every_formula_prefix_is_defused_and_numbers_are_not():
    table = pd.DataFrame(
        {
            "text": HOSTILE + ["A1", "a-b", "'=already"],
            "number": [-1.5, -2, 3, -4, 5, 6, -7, 8, -9],
            "integer": np.arange(-5, 4),
            "category": pd.Categorical(["-x"] * 4 + ["y"] * 5),
        }
    )
    before = table.copy()
    path = io.StringIO()
    write_csv(table, path)
    back = pd.read_csv(io.StringIO(path.getvalue()), keep_default_na=False)
    assert back["text"].tolist() == ["'" + v for v in HOSTILE] + ["A1", "a-b", "'=already"]
    assert back["number"].dtype == float and back["number"].tolist() == before["number"].tolist()
    assert back["integer"].tolist() == list(range(-5, 4))
    assert back["category"].tolist() == ["'-x"] * 4 + ["y"] * 5
    pd.testing.assert_frame_equal(table, before)  # the caller's table is untouched
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


def test_column_names_and_missing_values(tmp_path):
    table = pd.DataFrame({"=bad": ["x", None], "ok": [None, "-y"]})
    write_csv(table, tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_bytes().decode()
    assert text.split("\r\n") == ["'=bad,ok", "x,", ",'-y", ""]
    assert defuse_formulas(table).columns.tolist() == ["'=bad", "ok"]


@pytest.fixture(scope="module")
def hostile_authority():
    """A small authority in which four children have ids built to run as formulas."""
    data = rm.make_local_authority(n_children=1_500, random_state=3)
    frame = rm.build_training_frame(data, pd.date_range("2019-04-01", "2021-04-01", freq="QS"))
    model = rm.RiskClassifier("logistic", random_state=0).fit(frame.X, frame.y)
    cohort = rm.build_cohort(data, "2023-04-01")
    ids = cohort.loc[cohort["in_cohort"], "person_id"].astype(str).head(4).tolist()
    ids += cohort.loc[~cohort["in_cohort"], "person_id"].astype(str).head(2).tolist()
    rename = dict(zip(ids, HOSTILE_IDS, strict=True))

    def swap(table):
        return table.assign(person_id=table["person_id"].astype(str).replace(rename))

    hostile = rm.LocalAuthorityData(
        persons=swap(data.persons),
        events=swap(data.events),
        care_episodes=swap(data.care_episodes),
        extract_date=data.extract_date,
        population=data.population,
    )
    return hostile, model


def test_scores_and_exclusions_csv_are_defused_parquet_is_raw(hostile_authority, tmp_path):
    data, model = hostile_authority
    result = score(data, model, "2023-04-01", out=tmp_path, csv=True)
    for name in ("scores", "exclusions"):
        raw = pd.read_parquet(tmp_path / f"{name}.parquet")
        written = _read_raw(tmp_path / f"{name}.csv")
        hostile_ids = sorted(set(raw["person_id"]) & set(HOSTILE_IDS))
        assert hostile_ids, name
        assert set(written["person_id"]) & set(HOSTILE_IDS) == set()
        defused = set(written["person_id"]) & {"'" + v for v in HOSTILE_IDS}
        assert sorted(v[1:] for v in defused) == hostile_ids
        ordinary = ~raw["person_id"].isin(HOSTILE_IDS)
        kept = raw.loc[ordinary, "person_id"].tolist()
        assert written.loc[ordinary, "person_id"].tolist() == kept
    back = pd.read_csv(tmp_path / "scores.csv")
    assert pd.api.types.is_float_dtype(back["risk_score"])
    np.testing.assert_allclose(back["risk_score"], result.scores["risk_score"])


def test_negative_band_changes_stay_numbers(hostile_authority, tmp_path):
    data, model = hostile_authority
    score(data, model, "2023-01-01", out=tmp_path, csv=True)
    second = score(data, model, "2023-04-01", out=tmp_path, csv=True).scores
    back = pd.read_csv(tmp_path / "scores.csv")
    assert pd.api.types.is_numeric_dtype(back["band_change"])
    assert (second["band_change"] < 0).any()
    np.testing.assert_array_equal(
        back["band_change"].fillna(0).to_numpy(), second["band_change"].fillna(0).to_numpy()
    )


def test_import_issues_csv_is_defused(tmp_path, fixtures_dir, capsys):
    police = tmp_path / "police.csv"
    police.write_text(
        'ChildID,NotifiedOn\n"=HYPERLINK(""http://x"",""y"")",01/02/2017\n@SUM(A1),01/03/2017\n',
        encoding="utf-8",
    )
    mapping = tmp_path / "police.yaml"
    mapping.write_text(POLICE_YAML, encoding="utf-8")
    out = tmp_path / "tables"
    argv = ["import", "--ssda903", str(fixtures_dir / "ssda903"), "--out", str(out)]
    argv += ["--extract", f"{police}={mapping}"]
    assert main(argv) == 0
    capsys.readouterr()
    issues = _read_raw(out / "import_issues.csv")
    ids = set(issues["person_id"])
    assert {'\'=HYPERLINK("http://x","y")', "'@SUM(A1)"} <= ids
    assert not any(str(v).startswith(FORMULA_PREFIXES) for v in issues.to_numpy().ravel())


def test_tables_logged_with_a_run_are_defused(tmp_path, monkeypatch):
    import mlflow
    from sklearn.ensemble import HistGradientBoostingClassifier

    import riskmodel.tracking as tracking

    monkeypatch.chdir(tmp_path)
    tracking.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    try:
        rng = np.random.default_rng(0)
        X = pd.DataFrame(rng.random((200, 2)), columns=["a", "b"])
        y = (X["a"] > 0.5).astype(int)
        model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
        groups = pd.DataFrame({"event_type": ["-referral", "=cmd"], "change": [-0.25, 0.5]})
        record = tracking.TrainingRunRecord(model, tables={"groups": groups})
        run = tracking.log_training_run(record)
        local = mlflow.artifacts.download_artifacts(
            run_id=run.run_id, artifact_path="tables/groups.csv", dst_path=str(tmp_path / "dl")
        )
        back = pd.read_csv(local)
    finally:
        mlflow.set_tracking_uri(None)
        shutil.rmtree(tmp_path / "dl", ignore_errors=True)
    assert back["event_type"].tolist() == ["'-referral", "'=cmd"]
    assert back["change"].tolist() == [-0.25, 0.5]
