"""No traceback reaches a user of the command line on bad or partial data.

Each case runs ``riskmodel.cli.main`` in-process on data missing something a command
needs and checks the exit status (2 for bad input) and that the message names what is
wrong. A genuine bug exits 1 with a one-line message.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

import riskmodel as rm
import riskmodel.jobs
from riskmodel.cli import EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, main

pytestmark = pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning")


@pytest.fixture(scope="module")
def authority() -> rm.LocalAuthorityData:
    data = rm.make_local_authority(n_children=1_500, random_state=0)
    return dataclasses.replace(data, truth=None)


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text(f"n_resamples: 5\ntracking_uri: sqlite:///{tmp_path / 'mlflow.db'}\n")
    return path


def _write(data, tmp_path, name="data"):
    return str(rm.write_data(data, tmp_path / name, format="csv"))


def _cli(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err


def _train(capsys, data_dir, settings, tmp_path):
    return _cli(capsys, "train", "--data", data_dir, "--config", settings, "--out", tmp_path / "o")


def test_a_folder_of_903_tables_is_not_a_data_directory(capsys, fixtures_dir):
    code, err = _cli(capsys, "validate", "--data", fixtures_dir / "ssda903")
    assert code == EXIT_BAD_INPUT
    assert "no persons.parquet or persons.csv" in err


def test_an_unreadable_extract_date_names_the_file_and_value(capsys, tmp_path, authority):
    folder = _write(authority.subset(authority.persons["person_id"][:20]), tmp_path)
    (tmp_path / "data" / "metadata.json").write_text(json.dumps({"extract_date": "31/13/2024"}))
    code, err = _cli(capsys, "validate", "--data", folder)
    assert code == EXIT_BAD_INPUT
    assert "metadata.json: extract_date '31/13/2024' is not a date" in err


def test_an_empty_table_file_is_named(capsys, tmp_path, authority):
    folder = _write(authority.subset(authority.persons["person_id"][:20]), tmp_path)
    (tmp_path / "data" / "events.csv").write_text("")
    code, err = _cli(capsys, "validate", "--data", folder)
    assert code == EXIT_BAD_INPUT
    assert "events.csv" in err


def test_train_without_events(capsys, tmp_path, authority, settings):
    folder = _write(dataclasses.replace(authority, events=authority.events.iloc[:0]), tmp_path)
    code, err = _train(capsys, folder, settings, tmp_path)
    assert code == EXIT_BAD_INPUT
    assert "events: no dated events, so no as-of dates can be chosen" in err


def test_train_without_care_episodes(capsys, tmp_path, authority, settings):
    data = dataclasses.replace(authority, care_episodes=authority.care_episodes.iloc[:0])
    code, err = _train(capsys, _write(data, tmp_path), settings, tmp_path)
    assert code == EXIT_BAD_INPUT
    assert "labels need the SSDA903 return (care episodes): the data have none" in err


def test_train_and_score_on_an_empty_persons_table(capsys, tmp_path, authority, settings):
    empty = dataclasses.replace(
        authority,
        persons=authority.persons.iloc[:0],
        events=authority.events.iloc[:0],
        care_episodes=authority.care_episodes.iloc[:0],
    )
    folder = _write(empty, tmp_path)
    code, err = _train(capsys, folder, settings, tmp_path)
    assert code == EXIT_BAD_INPUT
    assert "persons: the table has no rows, so there is no child to train on" in err
    out = tmp_path / "scores"
    code, err = _cli(capsys, "score", "--data", folder, "--config", settings, "--out", out)
    assert code == EXIT_BAD_INPUT
    assert "no child to score" in err
    assert not out.exists()


def _first_entrant(data) -> tuple[str, pd.Timestamp]:
    """A child who enters care once, aged 12 to 16, with no care before."""
    starts = data.care_episodes.groupby("person_id")["start_date"].agg(["min", "size"])
    dob = data.persons.set_index("person_id")["date_of_birth"]
    age = (starts["min"] - dob.reindex(starts.index)).dt.days / 365.25
    pick = starts[(starts["size"] == 1) & age.between(12, 16)].index[0]
    return pick, starts.loc[pick, "min"]


def test_train_on_one_child_is_refused(capsys, tmp_path, authority):
    child, entry = _first_entrant(authority)
    dates = [(entry - pd.DateOffset(months=m)).to_period("Q").to_timestamp() for m in (9, 6)]
    path = tmp_path / "one.yaml"
    path.write_text(f"as_of_dates: [{', '.join(str(d.date()) for d in dates)}]\n")
    code, err = _train(capsys, _write(authority.subset([child]), tmp_path), path, tmp_path)
    assert code == EXIT_BAD_INPUT
    assert "of 1 child," in err and "fewer than two children" in err


def test_train_without_care_entries_is_refused(capsys, tmp_path, authority, settings):
    quiet = authority.persons.loc[
        ~authority.persons["person_id"].isin(authority.care_episodes["person_id"]), "person_id"
    ]
    some = authority.care_episodes["person_id"].iloc[:1]  # care before the as-of dates only
    data = authority.subset([*quiet[:200], *some])
    early = data.care_episodes["start_date"].min()
    data = dataclasses.replace(
        data, care_episodes=data.care_episodes[data.care_episodes["start_date"] == early]
    )
    code, err = _train(capsys, _write(data, tmp_path), settings, tmp_path)
    assert code == EXIT_BAD_INPUT
    assert "0 care entries" in err and "nothing to learn from" in err


def test_too_few_as_of_dates_for_the_folds(capsys, tmp_path, authority):
    path = tmp_path / "two.yaml"
    path.write_text("as_of_dates: [2022-01-01, 2022-04-01]\nn_resamples: 5\n")
    code, err = _train(capsys, _write(authority, tmp_path), path, tmp_path)
    assert code == EXIT_BAD_INPUT
    assert "fold 1 of 3 has no as-of dates in its test window" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("horizon_months: twelve\n", "horizon_months must be a whole number of at least 1"),
        ("model: xgb\n", "model must be one of hgb, logistic, got 'xgb'"),
        ("n_resamples: 0\n", "n_resamples must be a whole number of at least 1, got 0"),
        ("n_jobs: 0\n", "n_jobs must be a whole number other than 0 (-1: every core), got 0"),
        ("as_of_dates: [2020-01-01, soon]\n", "as_of_dates must be dates"),
        ("- a\n- b\n", "a config holds settings as 'name: value' lines, got a list"),
        ("horizon: 12\n", "unknown setting(s) horizon"),
    ],
)
def test_unusable_settings_name_the_file_and_the_setting(capsys, tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code, err = _cli(capsys, "train", "--data", tmp_path, "--config", path)
    assert code == EXIT_BAD_INPUT
    assert expected in err and str(path) in err


def test_score_with_an_unreadable_as_of_date(capsys, tmp_path, authority, settings):
    folder = _write(authority.subset(authority.persons["person_id"][:20]), tmp_path)
    code, err = _cli(capsys, "score", "--data", folder, "--config", settings, "--as-of", "soon")
    assert code == EXIT_BAD_INPUT
    assert "as_of must be a date such as 2024-04-01, got 'soon'" in err


def test_score_at_a_date_with_nobody_in_the_cohort_writes_nothing(
    capsys, tmp_path, authority, settings
):
    folder = _write(authority.subset(authority.persons["person_id"][:20]), tmp_path)
    out = tmp_path / "scores"
    code, err = _cli(
        capsys,
        "score",
        "--data",
        folder,
        "--config",
        settings,
        "--as-of",
        "1990-01-01",
        "--out",
        out,
    )
    assert code == EXIT_BAD_INPUT
    assert "no child of the 20 in persons is in the cohort at 1990-01-01 (" in err
    assert "born after the as-of date" in err
    assert not out.exists()


@pytest.mark.slow
def test_score_with_a_model_that_does_not_exist(capsys, tmp_path, authority, settings):
    folder = _write(authority.subset(authority.persons["person_id"][:20]), tmp_path)
    code, err = _cli(
        capsys, "score", "--data", folder, "--config", settings, "--model", "models:/nobody/1"
    )
    assert code == EXIT_BAD_INPUT
    assert "cannot use the model" in err


def test_a_bug_is_one_line_with_its_own_exit_status(capsys, monkeypatch, tmp_path, settings):
    def broken(data, config):
        raise RuntimeError("unexpected state\nsecond line")

    monkeypatch.setattr(riskmodel.jobs, "run_train", broken)
    monkeypatch.delenv("RISKMODEL_DEBUG", raising=False)
    folder = _write(rm.make_local_authority(n_children=50, random_state=1), tmp_path)
    code, err = _cli(capsys, "train", "--data", folder, "--config", settings)
    assert code == EXIT_INTERNAL_ERROR != EXIT_BAD_INPUT
    lines = [line for line in err.splitlines() if "riskmodel train" in line]
    assert len(lines) == 1
    assert "internal error (RuntimeError: unexpected state)" in lines[0]
    assert "second line" not in err
    monkeypatch.setenv("RISKMODEL_DEBUG", "1")
    with pytest.raises(RuntimeError, match="unexpected state"):
        main(["train", "--data", folder, "--config", str(settings)])


@pytest.mark.slow
def test_train_on_a_903_only_extract(capsys, tmp_path, authority, settings):
    events = authority.events[authority.events["event_type"] == "missing_episode"]
    folder = _write(dataclasses.replace(authority, events=events), tmp_path)
    code, err = _train(capsys, folder, settings, tmp_path)
    assert code == 0, err
