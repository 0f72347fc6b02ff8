"""A damaged MLflow SQLite store is named and refused (exit 2), never a raw DatabaseError.

A real store is made by ``riskmodel train``; copies of its ``mlflow.db`` are then
truncated, or have their header overwritten, or a page in the middle scribbled on,
and ``train``, ``score`` and ``review`` are run against each copy.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

import riskmodel as rm
from riskmodel.cli import EXIT_BAD_INPUT, EXIT_OK, main
from riskmodel.exceptions import TrackingStoreError
from riskmodel.tracking import check_tracking_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A data folder, a settings file and a good store holding a ``champion`` model."""
    root = tmp_path_factory.mktemp("store")
    data = rm.make_local_authority(n_children=1_200, random_state=2)
    folder = rm.write_data(data, root / "data")
    settings = root / "settings.yaml"
    settings.write_text("n_resamples: 5\nn_splits: 2\nmodel: logistic\n")
    good = root / "mlflow.db"
    argv = ["train", "--data", folder, "--config", settings, "--out", root / "report.html"]
    argv += ["--tracking-uri", f"sqlite:///{good}"]
    assert main([str(a) for a in argv]) == EXIT_OK
    return {"data": folder, "settings": settings, "good": good}


def _truncate(path):
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 3)


def _overwrite_header(path):
    with path.open("r+b") as f:
        f.write(b"\x00" * 100)


def _scribble_on_a_page(path):
    page_size = 4096
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    with path.open("r+b") as f:
        f.seek(page_size * (pages // 2))
        f.write(b"\xa5" * page_size)


DAMAGE = {"truncated": _truncate, "header": _overwrite_header, "page": _scribble_on_a_page}


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request, store, tmp_path):
    path = tmp_path / "mlflow.db"
    shutil.copyfile(store["good"], path)
    DAMAGE[request.param](path)
    return path


def _args(command, store, db, tmp_path):
    uri = f"sqlite:///{db}"
    if command == "train":
        out = ["--out", tmp_path / "out" / "report.html", "--config", store["settings"]]
        return ["train", "--data", store["data"], *out, "--tracking-uri", uri]
    rest = ["--model", "models:/riskmodel@champion", "--tracking-uri", uri]
    if command == "score":
        return ["score", "--data", store["data"], "--out", tmp_path / "out", *rest]
    out = ["--out", tmp_path / "out" / "report.html", "--config", store["settings"]]
    return ["review", "--data", store["data"], *out, *rest]


@pytest.mark.parametrize("command", ["train", "score", "review"])
def test_a_damaged_store_is_named_and_refused(command, store, damaged, tmp_path, capsys):
    before = damaged.read_bytes()
    code = main([str(a) for a in _args(command, store, damaged, tmp_path)])
    captured = capsys.readouterr()
    assert code == EXIT_BAD_INPUT, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert f"tracking store sqlite:///{damaged} is damaged" in captured.err
    assert str(damaged) in captured.err and "backup" in captured.err
    assert damaged.read_bytes() == before  # nothing was written into it
    assert not (tmp_path / "out").exists()  # refused before any work or output


# the store, not the model, is under test: on 1,200 children the score date's
# days_since_any_event drifts beyond PSI 0.25 from the training dates (a warning)
@pytest.mark.filterwarnings("ignore::riskmodel.scoring.DriftWarning")
def test_the_undamaged_store_still_scores(store, tmp_path, capsys):
    copy = tmp_path / "mlflow.db"
    shutil.copyfile(store["good"], copy)
    code = main([str(a) for a in _args("score", store, copy, tmp_path)])
    captured = capsys.readouterr()
    assert code == EXIT_OK, captured.err
    assert (tmp_path / "out" / "scores.parquet").exists()


def test_the_check_itself(store, damaged, tmp_path):
    check_tracking_store(f"sqlite:///{store['good']}")
    check_tracking_store(f"sqlite:///{tmp_path / 'not_yet.db'}")  # MLflow will create it
    (tmp_path / "empty.db").touch()
    check_tracking_store(f"sqlite:///{tmp_path / 'empty.db'}")
    check_tracking_store("file:///nowhere/mlruns")  # not SQLite: not checked here
    with pytest.raises(TrackingStoreError, match="is damaged"):
        check_tracking_store(f"sqlite:///{damaged}")
