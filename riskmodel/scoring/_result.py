"""What a scoring run computes: :class:`ScoringResult`, and the columns of its tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskmodel.scoring._history import PreviousRun

__all__ = ["CHANGE_COLUMNS", "EXCLUSION_COLUMNS", "SCORE_COLUMNS", "ScoringResult"]

SCORE_COLUMNS = [
    "person_id",
    "as_of_date",
    "risk_score",
    "risk_band",
    "rank",
    "flagged",
    "reason_1",
    "reason_2",
    "reason_3",
    "model_name",
    "model_version",
]
"""The scores-file contract (with ``reasons=3``), before :data:`CHANGE_COLUMNS`."""
CHANGE_COLUMNS = ["previous_band", "band_change", "new_to_list", "rising"]
"""What changed since the previous run of the score history, after the contract columns."""
EXCLUSION_COLUMNS = ["person_id", "as_of_date", "reason"]


@dataclass(frozen=True)
class ScoringResult:
    """The outputs of :func:`~riskmodel.scoring.score`, the same whether written or not.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per child in the cohort (see the scores-file contract), ranked, with
        the change columns ``previous_band``, ``band_change``, ``new_to_list`` and
        ``rising`` measured against ``previous_run`` (missing, and ``new_to_list``
        equal to ``flagged``, when there is none).
    exclusions : pandas.DataFrame
        One row per other child in the input, with the reason.
    as_of : pandas.Timestamp
        The as-of date scored.
    drift : pandas.DataFrame or None
        Per-feature population stability against the training profile.
    previous_run : PreviousRun or None
        The run of the score history the changes were measured against; None when
        no history was given or it holds no earlier run.
        :func:`~riskmodel.scoring.write_scores` refuses to write into a folder whose
        history no longer has this as its latest earlier run.
    notes : list of str
        What the run assumed or noticed (dropped or added feature columns, drift).
    files : dict of str to pathlib.Path
        What was written (empty until :func:`~riskmodel.scoring.write_scores`):
        ``scores``, ``exclusions``, ``drift``, their ``*_csv`` copies, the team's list
        ``list_html`` and ``list_xlsx``, and ``history`` (this run's partition).
    """

    scores: pd.DataFrame
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    drift: pd.DataFrame | None = None
    previous_run: PreviousRun | None = None
    notes: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Children in, scored, excluded and flagged."""
        return {
            "children_in": len(self.scores) + len(self.exclusions),
            "scored": len(self.scores),
            "excluded": len(self.exclusions),
            "flagged": int(self.scores["flagged"].sum()),
        }
