"""Write a scoring run's files as one unit into the output folder, under its lock.

Where the files go (:func:`targets`), which public names a run owns, and the writing
itself: every file into a staged run folder, then one publish (see
:mod:`riskmodel.scoring._outputs`). Nothing is computed here: the scores table is
written as :func:`~riskmodel.scoring.score` returned it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from riskmodel._csv import write_csv
from riskmodel._warnings import warn_caller
from riskmodel.exceptions import DataQualityWarning, SchemaError
from riskmodel.scoring._history import (
    HISTORY_FOLDER,
    PreviousRun,
    append_history,
    previous_run,
    recent_runs,
    same_month_runs,
)
from riskmodel.scoring._list import LAST_RUNS, TeamList, build_team_list
from riskmodel.scoring._list_html import write_list_html
from riskmodel.scoring._list_xlsx import write_list_xlsx
from riskmodel.scoring._outputs import OutputFolder

if TYPE_CHECKING:
    from riskmodel.scoring._result import ScoringResult

__all__ = ["RunFiles", "history_folder", "publish_run", "targets", "write_scores"]


def write_scores(
    result: ScoringResult,
    out: str | os.PathLike[str],
    *,
    csv: bool = False,
    team_list: bool = True,
) -> ScoringResult:
    """Publish a scoring run's files into ``out`` at once; return the result with its files.

    The scores, exclusions and drift tables are written as they are in ``result``,
    with a partition of the score history and the list a team opens (``list.html``
    and ``list.xlsx``: the flagged children with their reasons, recent bands and
    status), into a staged run folder that one rename publishes (readers never see
    the files of two runs); a second run writing into the same folder at the same
    time is refused (a lock).

    Parameters
    ----------
    result : ScoringResult
        From :func:`~riskmodel.scoring.score`, computed against the history of
        ``out`` (``score(..., history=<out>/history)``) when ``out`` has earlier runs.
    out : path-like
        A directory for ``scores.parquet``, ``exclusions.parquet``, ``drift.parquet``
        (and ``.csv`` copies with ``csv=True``) and the score ``history/``; or the
        path of the scores file itself (``.parquet`` or ``.csv``), the other files
        then going beside it as ``<name>_exclusions`` and ``<name>_drift``.
    csv : bool, default False
        Also write CSV copies.
    team_list : bool, default True
        Write the list (``list.html`` and ``list.xlsx``, or ``<name>_list.*`` beside
        a scores file), which says so when no child was flagged. Without it, no list
        of an earlier run is left in the folder.

    Returns
    -------
    ScoringResult
        ``result`` with ``files`` (what was written: ``list_html`` and ``list_xlsx``
        among them) and any note of this write.

    Raises
    ------
    SchemaError
        If another run is writing into the folder (the message names its pid and
        as-of date), or if the folder's score history no longer has
        ``result.previous_run`` as its latest run before ``result.as_of`` (a run was
        written in between, or the result was computed against another history):
        the change columns would be wrong, so nothing is written.

    Warns
    -----
    DataQualityWarning
        When the history already holds another run in the same calendar month.
    """
    tables = {"scores": result.scores, "exclusions": result.exclusions, "drift": result.drift}
    run = RunFiles(
        as_of=result.as_of,
        previous_run=result.previous_run,
        tables={k: None if t is None else _writer(t) for k, t in tables.items()},
        append=lambda history: append_history(history, result.scores, result.as_of),
        team=lambda history: build_team_list(
            result, recent_runs(history, result.as_of, runs=LAST_RUNS)
        ),
    )
    files, notes = publish_run(out, run, csv=csv, team_list=team_list)
    return dataclasses.replace(result, files=files, notes=[*result.notes, *notes])


@dataclass(frozen=True)
class RunFiles:
    """How one run's files are written: by pandas here, by Spark on the Spark engine.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The run's as-of date.
    previous_run : PreviousRun or None
        The run of the history its changes were measured against (checked).
    tables : dict of str to callable or None
        ``scores``, ``exclusions`` and ``drift``: each a function writing the table
        to ``(path, suffix)`` (``".parquet"`` or ``".csv"``), or None (not written).
    append : callable
        Given the staged history folder, writes this run's partition; returns its file.
    team : callable
        Given the staged history folder (this run's partition written), returns the
        :class:`~riskmodel.scoring._list.TeamList` to write.
    """

    as_of: pd.Timestamp
    previous_run: PreviousRun | None
    tables: dict[str, Callable[[str, str], None] | None]
    append: Callable[[Path], Path]
    team: Callable[[Path], TeamList]


def publish_run(
    out: str | os.PathLike[str], run: RunFiles, *, csv: bool = False, team_list: bool = True
) -> tuple[dict[str, Path], list[str]]:
    """Write ``run``'s files into ``out`` and publish them at once (see :func:`write_scores`).

    Returns
    -------
    (dict of str to pathlib.Path, list of str)
        The files written, and the notes of this write.
    """
    folder, stem, suffix = targets(Path(out))
    with OutputFolder(folder, run.as_of, _names(stem, suffix)) as dest:
        return _write(dest, stem, suffix, run, csv, team_list)


def history_folder(out: Path) -> Path:
    """Return the score history folder of an output location (see :func:`targets`)."""
    return targets(Path(out))[0] / HISTORY_FOLDER


def targets(out: Path) -> tuple[Path, str, str]:
    """Where to write: ``(folder, scores file stem, format suffix)``.

    ``out`` is a directory (``scores.parquet`` and friends go inside it) or the path of
    the scores file itself (``.parquet`` or ``.csv``), with the exclusions and drift
    files and the ``history/`` folder beside it.
    """
    if out.suffix.lower() in (".parquet", ".csv"):
        return out.parent, out.stem, out.suffix.lower()
    return out, "scores", ".parquet"


def _public_names(stem: str) -> dict[str, str]:
    if stem == "scores":
        return {"scores": "scores", "exclusions": "exclusions", "drift": "drift"}
    return {"scores": stem, "exclusions": f"{stem}_exclusions", "drift": f"{stem}_drift"}


def _list_names(stem: str) -> dict[str, str]:
    """Return the list's file names (``list.html`` and ``list.xlsx`` for ``scores``)."""
    base = "list" if stem == "scores" else f"{stem}_list"
    return {"list_html": f"{base}.html", "list_xlsx": f"{base}.xlsx"}


def _names(stem: str, suffix: str) -> list[str]:
    """Every public file name of this stem, in every format (a run removes the unwritten)."""
    formats = [suffix] + [fmt for fmt in (".parquet", ".csv") if fmt != suffix]
    tables = [f"{name}{fmt}" for name in _public_names(stem).values() for fmt in formats]
    return [*tables, *_list_names(stem).values()]


def _write(dest: OutputFolder, stem: str, suffix: str, run: RunFiles, csv: bool, team_list: bool):
    """Write every file of the run into a staged run folder, then publish them at once.

    The staged folder starts as the current set (hard links); this run's files replace
    their names there and the ones it does not write (no drift this time, no CSV
    copies, no list) are removed, so the published set never mixes two runs.
    """
    staged = dest.stage()
    history = staged / HISTORY_FOLDER
    _check_history(dest.folder, previous_run(history, run.as_of), run.previous_run)
    notes = _warn_same_month(history, run.as_of)
    names = _public_names(stem)
    formats = {suffix} | ({".csv"} if csv else set())
    files = {}
    for name, table_writer in run.tables.items():
        for fmt in (".parquet", ".csv"):
            target = staged / f"{names[name]}{fmt}"
            target.unlink(missing_ok=True)  # linked from the previous run: never write into it
            if table_writer is not None and fmt in formats:
                table_writer(str(target), fmt)
                files[name if fmt == suffix else f"{name}_csv"] = dest.folder / target.name
    part = run.append(history)
    lists = {key: staged / name for key, name in _list_names(stem).items()}
    for target in lists.values():
        target.unlink(missing_ok=True)  # linked from the previous run: never write into it
    if team_list:
        team = run.team(history)
        write_list_html(team, lists["list_html"])
        write_list_xlsx(team, lists["list_xlsx"])
        files.update({key: dest.folder / path.name for key, path in lists.items()})
    dest.publish(staged)
    files["history"] = dest.folder / part.relative_to(staged)
    return files, notes


def _shown(run: PreviousRun | None) -> str:
    return "no earlier run" if run is None else f"the run as of {run.as_of.date()}"


def _check_history(folder: Path, found: PreviousRun | None, used: PreviousRun | None) -> None:
    """Refuse to write changes measured against another history than the folder's."""
    if found == used:
        return
    if used is not None and found is not None and found.as_of == used.as_of:
        now = f"{_shown(found)} was scored again since"
    else:
        now = f"its latest earlier run is {_shown(found)}"
    raise SchemaError(
        f"output folder {folder}: the scores were compared with {_shown(used)} of the "
        f"score history, but {now}; score again with history={folder / HISTORY_FOLDER} "
        "(or score(..., out=...)) so that previous_band, new_to_list and rising are "
        "measured against it. Nothing was written"
    )


def _warn_same_month(history: Path, as_of: pd.Timestamp) -> list[str]:
    others = same_month_runs(history, as_of)
    if not others:
        return []
    dates = ", ".join(str(d.date()) for d in others)
    message = (
        f"history: runs as of {dates} and {as_of.date()} are both in {as_of:%B %Y}, so "
        "children scored at both dates appear twice in that month; monitoring should read "
        "read_history(..., once_per_month=True), which keeps the latest run of the month"
    )
    warn_caller(message, DataQualityWarning)
    return [message]


def _writer(table: pd.DataFrame) -> Callable[[str, str], None]:
    def write(path: str, fmt: str) -> None:
        if fmt == ".csv":
            write_csv(table, path, date_format="%Y-%m-%d")
        else:
            table.to_parquet(path, index=False)

    return write
