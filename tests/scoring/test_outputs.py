"""A scoring run's outputs belong to one run: published at once, locked, swept, counted once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import pytest

import riskmodel as rm
import riskmodel.jobs
from riskmodel.cli import EXIT_BAD_INPUT, main
from riskmodel.exceptions import DataQualityWarning, SchemaError
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier
from riskmodel.scoring import profile_features, read_history, score
from riskmodel.scoring._outputs import OutputFolder

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")
JAN, MID_JAN, FEB = (pd.Timestamp(d) for d in ("2024-01-01", "2024-01-15", "2024-02-01"))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fitted():
    data = rm.make_local_authority(n_children=1_500, random_state=0)
    dates = pd.date_range("2019-04-01", "2022-04-01", freq="QS-APR")
    frame = build_training_frame(data, dates, horizon_months=12)
    model = RiskClassifier("logistic", random_state=0).fit(frame.X, frame.y)
    return data, frame, model


def _run(fitted, out, as_of, **kwargs):
    data, _, model = fitted
    return score(data, model, as_of, out=out, reasons=1, **kwargs)


def _assert_one_run(out: Path, n_children: int, n_history: int) -> pd.Timestamp:
    """Scores, exclusions and the latest history partition are of one run; return its date."""
    scores = pd.read_parquet(out / "scores.parquet")
    excluded = pd.read_parquet(out / "exclusions.parquet")
    assert len(scores) + len(excluded) == n_children
    dates = set(scores["as_of_date"]) | set(excluded["as_of_date"])
    assert len(dates) == 1
    history = read_history(out / "history")
    assert history["as_of_date"].nunique() == n_history
    assert history["as_of_date"].max() == next(iter(dates))
    latest = history[history["as_of_date"] == history["as_of_date"].max()]
    assert sorted(latest["person_id"]) == sorted(scores["person_id"])
    return next(iter(dates))


def test_every_public_name_resolves_into_the_same_run(fitted, tmp_path):
    data = fitted[0]
    _run(fitted, tmp_path, JAN)
    result = _run(fitted, tmp_path, FEB)
    assert _assert_one_run(tmp_path, len(data.persons), 2) == FEB
    homes = {Path(os.path.realpath(result.files[k])).parent for k in ("scores", "exclusions")}
    assert len(homes) == 1
    assert result.files["scores"] == tmp_path / "scores.parquet"
    assert pd.read_parquet(result.files["history"])["person_id"].tolist() == (
        result.scores["person_id"].tolist()
    )


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4])
def test_a_crash_at_any_rename_leaves_the_old_or_the_new_complete_set(
    fitted, tmp_path, monkeypatch, crash_at
):
    data = fitted[0]
    _run(fitted, tmp_path, JAN)
    real_replace, calls = os.replace, []

    def crashing_replace(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == crash_at:
            raise OSError("simulated crash between renames")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", crashing_replace)
    try:
        _run(fitted, tmp_path, FEB)
        finished = True
    except OSError:
        finished = False
    monkeypatch.setattr(os, "replace", real_replace)
    date = _assert_one_run(tmp_path, len(data.persons), 2 if finished else 1)
    assert date == (FEB if finished else JAN)
    assert not [p for p in tmp_path.rglob("*.tmp")]
    _run(fitted, tmp_path, FEB)  # the next run completes the month
    assert _assert_one_run(tmp_path, len(data.persons), 2) == FEB


def test_a_failed_write_of_one_file_publishes_nothing(fitted, tmp_path, monkeypatch):
    data = fitted[0]
    _run(fitted, tmp_path, JAN)
    real = pd.DataFrame.to_parquet

    def failing(self, path, *args, **kwargs):
        if "exclusions" in str(path):
            raise OSError("disk full")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        _run(fitted, tmp_path, FEB)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real)
    assert _assert_one_run(tmp_path, len(data.persons), 1) == JAN


_KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    import pandas as pd
    from pathlib import Path
    from riskmodel.scoring import ScoringResult, write_scores
    from riskmodel.scoring._history import compare_with_history

    out, as_of, kill_at = sys.argv[1], pd.Timestamp(sys.argv[2]), int(sys.argv[3])
    ids = [f"c{i}" for i in range(6)]
    scores = pd.DataFrame({
        "person_id": ids[:4], "as_of_date": as_of, "risk_score": [0.9, 0.5, 0.2, 0.1],
        "risk_band": [20, 10, 4, 2], "rank": [1, 2, 3, 4], "flagged": [True, True, False, False],
        "reason_1": "", "model_name": "m", "model_version": "1"})
    excluded = pd.DataFrame({"person_id": ids[4:], "as_of_date": as_of, "reason": "age"})
    scores, previous = compare_with_history(scores, Path(out) / "history", as_of)
    real, calls = os.replace, []
    def replace(src, dst):
        calls.append(dst)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst)
    os.replace = replace
    write_scores(ScoringResult(scores, excluded, as_of, previous_run=previous), out)
    """
)


def _killed_run(out: Path, as_of: pd.Timestamp, kill_at: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_RUN, str(out), str(as_of.date()), str(kill_at)],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    return done.returncode


def test_kill_9_at_the_pointer_rename_leaves_the_old_complete_set(tmp_path):
    assert _killed_run(tmp_path, JAN, kill_at=99) == 0
    # rename 1 publishes the history partition inside the staged run, rename 2 the pointer
    assert _killed_run(tmp_path, FEB, kill_at=2) == -signal.SIGKILL
    assert _assert_one_run(tmp_path, 6, 1) == JAN
    assert len(list((tmp_path / ".riskmodel-runs").iterdir())) == 2  # the killed run's ...
    assert list(tmp_path.glob(".riskmodel-current.*.tmp"))  # ... folder and temporary link
    assert _killed_run(tmp_path, FEB, kill_at=99) == 0
    assert _assert_one_run(tmp_path, 6, 2) == FEB
    runs = sorted(p.name[:10] for p in (tmp_path / ".riskmodel-runs").iterdir())
    assert runs == ["2024-01-01", "2024-02-01"]  # swept: the killed run's folder is gone
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_second_run_on_the_same_folder_is_refused(fitted, tmp_path):
    with OutputFolder(tmp_path, JAN, ["scores.parquet"]):
        with pytest.raises(SchemaError) as refused:
            _run(fitted, tmp_path, FEB)
    message = str(refused.value)
    assert str(tmp_path) in message and f"pid {os.getpid()}, as-of 2024-01-01" in message
    assert not (tmp_path / "scores.parquet").exists()
    _run(fitted, tmp_path, FEB)  # the lock is released with the first run
    assert _assert_one_run(tmp_path, len(fitted[0].persons), 1) == FEB


def test_the_command_line_refuses_a_concurrent_run_with_exit_2(
    fitted, tmp_path, monkeypatch, capsys
):
    data, _, model = fitted
    folder = rm.write_data(data.subset(data.persons["person_id"][:300]), tmp_path / "data")

    def run_score(data, config):
        return score(data, model, config.as_of, out=config.out, reasons=1)

    monkeypatch.setattr(riskmodel.jobs, "run_score", run_score)
    out = tmp_path / "scores"
    args = ["score", "--data", str(folder), "--model", "models:/m/1", "--as-of", "2024-02-01"]
    with OutputFolder(out, JAN, ["scores.parquet"]):
        code = main([*args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and "Traceback" not in err
    assert f"output folder {out}: another scoring run (pid {os.getpid()}, as-of 2024-01-01)" in err
    assert main([*args, "--out", str(out)]) == 0


def test_stale_temporaries_of_killed_runs_are_swept_and_nothing_else(fitted, tmp_path):
    stale = [
        tmp_path / ".riskmodel-runs" / "2023-12-01.20231201T000000.1.abcdef",
        tmp_path / ".riskmodel-current.0a1b2c3d.tmp",
        tmp_path / ".scores.parquet.k2j4h5g6.tmp",
        tmp_path / ".exclusions.csv.abc_1234.tmp",
    ]
    stale[0].mkdir(parents=True)
    for path in stale[1:]:
        path.write_text("half")
    mine = [tmp_path / "notes.tmp", tmp_path / ".backup.tmp", tmp_path / "mine.parquet"]
    for path in mine:
        path.write_text("keep")
    _run(fitted, tmp_path, JAN)
    assert not any(p.exists() for p in stale)
    assert all(p.read_text() == "keep" for p in mine)


@pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning")
def test_a_run_without_drift_leaves_no_drift_file_of_an_earlier_run(fitted, tmp_path):
    data, frame, _ = fitted
    first = _run(fitted, tmp_path, JAN, profile=profile_features(frame.X), csv=True)
    assert {"drift", "drift_csv", "scores_csv"} <= set(first.files)
    second = _run(fitted, tmp_path, FEB)
    assert set(second.files) == {"scores", "exclusions", "list_html", "list_xlsx", "history"}
    for name in ("drift.parquet", "drift.csv", "scores.csv", "exclusions.csv"):
        assert not os.path.lexists(tmp_path / name)
    assert _assert_one_run(tmp_path, len(data.persons), 2) == FEB


def test_two_runs_in_one_month_warn_and_monitoring_counts_each_child_once(fitted, tmp_path):
    _run(fitted, tmp_path, JAN)
    with pytest.warns(DataQualityWarning, match="2024-01-01 and 2024-01-15 are both in Jan"):
        second = _run(fitted, tmp_path, MID_JAN)
    assert any("once_per_month=True" in note for note in second.notes)
    every = read_history(tmp_path / "history")
    once = read_history(tmp_path / "history", once_per_month=True)
    assert set(every["as_of_date"]) == {JAN, MID_JAN}
    assert set(once["as_of_date"]) == {MID_JAN}
    month = once["as_of_date"].dt.to_period("M")
    assert not once.assign(month=month).duplicated(["person_id", "month"]).any()
    assert len(once) == len(second.scores)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(fitted, tmp_path, FEB)  # the only run of February
    assert not [w for w in caught if "both in" in str(w.message)]


def test_outputs_of_an_older_version_are_adopted_as_the_previous_run(fitted, tmp_path):
    data = fitted[0]
    old = _run(fitted, None, JAN)
    old.scores.to_parquet(tmp_path / "scores.parquet", index=False)
    old.exclusions.to_parquet(tmp_path / "exclusions.parquet", index=False)
    part = tmp_path / "history" / "as_of_date=2024-01-01"
    part.mkdir(parents=True)
    old.scores.drop(columns=["as_of_date", "reason_1"]).to_parquet(part / "scores.parquet")
    result = _run(fitted, tmp_path, FEB)
    assert result.scores["previous_band"].notna().any()
    assert (tmp_path / "history").is_symlink() and (tmp_path / "scores.parquet").is_symlink()
    assert _assert_one_run(tmp_path, len(data.persons), 2) == FEB


def test_a_run_that_fails_before_writing_creates_no_output_folder(fitted, tmp_path, monkeypatch):
    data, _, model = fitted

    def bad_cohort(*args, **kwargs):
        raise SchemaError("persons.date_of_birth: bad input found while scoring")

    monkeypatch.setattr("riskmodel.scoring._score.build_cohort", bad_cohort)
    out = tmp_path / "scores"
    with pytest.raises(SchemaError, match="bad input found while scoring"):
        score(data, model, JAN, out=out, reasons=1)
    assert not out.exists()
