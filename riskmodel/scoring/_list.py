"""The list a team opens: the flagged children of a run, with what to know about each.

:func:`build_team_list` gathers, for each flagged child in rank order, the score and
band, the reasons, the bands at the last runs of the score history (this run
included) and the status marks: new to the list, rising, persistently high (the one
definition in :mod:`riskmodel.scoring._streaks`). :mod:`riskmodel.scoring._list_html`
writes it as ``list.html`` and :mod:`riskmodel.scoring._list_xlsx` as ``list.xlsx``
(with every run, by :func:`~riskmodel.scoring.write_scores`); both say what the list is
for and what it is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from riskmodel.scoring._history import RISING_BANDS
from riskmodel.scoring._streaks import HIGH_BAND, PERSISTENT_RUNS, high_streaks

if TYPE_CHECKING:
    from riskmodel.scoring._result import ScoringResult

__all__ = [
    "LAST_RUNS",
    "NO_ONE",
    "NO_REASON",
    "PURPOSE",
    "ListEntry",
    "TeamList",
    "build_team_list",
]

LAST_RUNS = 6
"""How many runs (this one included) the list shows each child's band at."""

PURPOSE = (
    "This list is a prompt for a conversation about early help, never a finding about a family.",
    "Scores support professional judgement; they never decide. The practitioners who know "
    "a family decide whether help is offered, and which.",
    "The reasons describe what the records hold, not causes: they name the recorded events "
    "that raised a score, not why a family's life is as it is.",
)
"""The header both files open with, one statement a line."""

NO_ONE = "No child was flagged at this run, so there is no one on the list."
"""What both files say when no child was flagged."""

NO_REASON = (
    "no reason: nothing recorded about this child raised the score, only characteristics "
    "never given as reasons (such as age)"
)
"""What both files say in place of the reasons of a flagged child who has none."""

STATUS_WORDS = {
    "new": "new to the list",
    "rising": "rising",
    "persistent": "persistently high",
}
STATUS_MEANING = {
    "new": "flagged now, and not flagged (or not scored) at the previous run",
    "rising": f"band up by {RISING_BANDS} or more since the previous run",
    "persistent": (
        f"in the top bands ({HIGH_BAND} or 20) at {PERSISTENT_RUNS} or more runs in a row, "
        "this one included"
    ),
}


@dataclass(frozen=True)
class ListEntry:
    """One flagged child's row of the list.

    Attributes
    ----------
    rank : int
        1 = highest risk.
    person_id : str
    risk_score : float
        The calibrated probability of entering care within the horizon.
    risk_band : int
        1-20, twentieths of the scored population (20 = highest).
    reasons : tuple of str
        The plain-language reasons, in order (fewer than three when the run has fewer).
    bands : tuple of (int or None)
        The band at each of :attr:`TeamList.runs` (None: not scored at that run).
    band_change : int or None
        The change since the previous run (None: not scored then, or no previous run).
    new, rising, persistent : bool
        The status marks.
    """

    rank: int
    person_id: str
    risk_score: float
    risk_band: int
    reasons: tuple[str, ...]
    bands: tuple[int | None, ...]
    band_change: int | None
    new: bool
    rising: bool
    persistent: bool

    @property
    def marks(self) -> list[str]:
        """The status marks that apply: keys of ``STATUS_WORDS``, in its order."""
        on = {"new": self.new, "rising": self.rising, "persistent": self.persistent}
        return [key for key in STATUS_WORDS if on[key]]

    @property
    def status(self) -> list[str]:
        """The status marks in words (empty when none applies)."""
        return [STATUS_WORDS[key] for key in self.marks]

    @property
    def bands_text(self) -> str:
        """The bands at the last runs as a sentence: ``"bands 12, 15, 20"``."""
        shown = ["not scored" if b is None else str(b) for b in self.bands]
        return f"band{'s' if len(shown) > 1 else ''} {', '.join(shown)}"


@dataclass(frozen=True)
class TeamList:
    """A run's list: its context and one :class:`ListEntry` per flagged child.

    Attributes
    ----------
    as_of : pandas.Timestamp
    model_name, model_version : str
        As in the scores table ("unknown" when no child was scored).
    counts : dict of str to int
        :attr:`ScoringResult.counts <riskmodel.scoring.ScoringResult.counts>`.
    runs : tuple of pandas.Timestamp
        The runs the bands are shown at, oldest first; the last is this run.
    entries : tuple of ListEntry
        In rank order; empty when no child was flagged.
    """

    as_of: pd.Timestamp
    model_name: str
    model_version: str
    counts: dict[str, int]
    runs: tuple[pd.Timestamp, ...]
    entries: tuple[ListEntry, ...]


def _one(values: pd.Series) -> str:
    found = sorted({str(v) for v in pd.unique(values.dropna())})
    return ", ".join(found) if found else "unknown"


def _text(value: object) -> str | None:
    """Return a reason as text, or None when the cell is empty or missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value)
    return text if text.strip() else None


def _int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _streaks_now(history: pd.DataFrame, runs: tuple[pd.Timestamp, ...]) -> dict[str, int]:
    """Each child's run of top bands ending at the last of ``runs`` (:func:`high_streaks`).

    ``history`` holds only the children of the list; one placeholder row (never in the
    top bands) per run keeps every run counted, even one at which none of them was
    scored, so that such a run still breaks their streaks.
    """
    if not runs:
        return {}
    history = history.assign(person_id=history["person_id"].astype(str))
    nobody = "\x00"  # an id none of them has
    while nobody in set(history["person_id"]):
        nobody += "\x00"
    placeholder = pd.DataFrame({"person_id": nobody, "as_of_date": list(runs), "risk_band": 0})
    rows = pd.concat([history, placeholder], ignore_index=True)
    streak = high_streaks(rows)
    now = (rows["as_of_date"] == runs[-1]) & (rows["person_id"] != nobody)
    return dict(zip(rows.loc[now, "person_id"], streak[now], strict=True))


def build_team_list(result: ScoringResult, history: pd.DataFrame) -> TeamList:
    """Gather the list of a run from its result and the score history.

    Parameters
    ----------
    result : ScoringResult
        The run (its ``scores`` with the change columns).
    history : pandas.DataFrame
        The score history's last runs up to and including this one, as
        :func:`~riskmodel.scoring._history.recent_runs` reads them after the run's
        partition was written (or any history with this run's rows).

    Returns
    -------
    TeamList
    """
    scores = result.scores
    as_of = pd.Timestamp(result.as_of)
    flagged = scores[scores["flagged"].astype(bool)].sort_values("rank")
    history = history[pd.to_datetime(history["as_of_date"]) <= as_of]
    runs = tuple(pd.Timestamp(d) for d in sorted(pd.unique(history["as_of_date"])))[-LAST_RUNS:]
    ids = set(flagged["person_id"].astype(str))
    history = history[history["as_of_date"].isin(runs) & history["person_id"].isin(ids)]
    streaks = _streaks_now(history[["person_id", "as_of_date", "risk_band"]], runs)
    bands = history.pivot(index="person_id", columns="as_of_date", values="risk_band")
    reason_columns = [c for c in (f"reason_{i}" for i in (1, 2, 3)) if c in scores.columns]
    entries = []
    for row in flagged.to_dict("records"):
        pid = str(row["person_id"])
        shown = bands.loc[pid] if pid in bands.index else pd.Series(dtype=float)
        entries.append(
            ListEntry(
                rank=int(row["rank"]),
                person_id=pid,
                risk_score=float(row["risk_score"]),
                risk_band=int(row["risk_band"]),
                reasons=tuple(t for c in reason_columns if (t := _text(row[c])) is not None),
                bands=tuple(_int(shown.get(run, pd.NA)) for run in runs),
                band_change=_int(row.get("band_change", pd.NA)),
                new=bool(row.get("new_to_list", False)),
                rising=bool(row.get("rising", False)),
                persistent=streaks.get(pid, 0) >= PERSISTENT_RUNS,
            )
        )
    return TeamList(
        as_of=as_of,
        model_name=_one(scores["model_name"]) if "model_name" in scores else "unknown",
        model_version=_one(scores["model_version"]) if "model_version" in scores else "unknown",
        counts=result.counts,
        runs=runs,
        entries=tuple(entries),
    )
