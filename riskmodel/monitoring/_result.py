"""What monitoring computes: :class:`MonitoringResult`, and the columns of its tables.

The tables are tidy (one row per run, group and metric) so that they can be written
as they are (``realised.csv``), plotted, or logged as aggregates. Nothing in them is
child-level: the child-level tables (:func:`~riskmodel.monitoring.missed_entrants`
and the paths through the lists) are separate, and stay in the authority's files.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "CALIBRATION_COLUMNS",
    "GROUP_METRICS",
    "NEAR_CUTOFF_COLUMNS",
    "OVERALL",
    "OVERALL_METRICS",
    "PROMISED_METRICS",
    "REALISED_COLUMNS",
    "RUN_COLUMNS",
    "MonitoringResult",
]

OVERALL = "all"
"""The ``attribute`` and ``group`` of the rows about every child of a run."""

OVERALL_METRICS: tuple[str, ...] = (
    "precision_at_capacity",
    "recall_at_capacity",
    "roc_auc",
    "average_precision",
    "observed_expected_ratio",
)
"""Realised metrics of each run's whole list, named as the backtest names them."""

PROMISED_METRICS: tuple[str, ...] = (
    "precision_at_capacity",
    "recall_at_capacity",
    "observed_expected_ratio",
)
"""The metrics whose realised value is checked against the backtest's interval."""

GROUP_METRICS: tuple[str, ...] = (
    "prevalence",
    "selection_rate",
    "tpr",
    "fpr",
    "precision",
    "auc",
    "observed_expected",
)
"""Realised metrics of each group, named as the fairness audit names them."""

REALISED_COLUMNS: list[str] = [
    "as_of_date",
    "attribute",
    "group",
    "metric",
    "value",
    "lower",
    "upper",
    "complete",
    "months_observed",
    "n",
    "entrants",
    "suppressed",
    "model_version",
    "promised_value",
    "promised_lower",
    "promised_upper",
    "outside_promise",
    "reference",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "disparity",
]
"""Columns of :attr:`MonitoringResult.realised` (and of ``realised.csv``), in order.

- ``as_of_date``: the scoring run; ``attribute``/``group``: ``"all"``/``"all"`` for the
  whole list, else a protected attribute and one of its groups.
- ``metric``, ``value``, ``lower``, ``upper``: the realised value and its interval
  (children resampled; ``confidence`` coverage).
- ``complete``: the run's whole horizon has passed by the data's end date;
  ``months_observed``: whole months of the horizon seen so far (equal to the horizon
  when complete). A partial run is never mixed into complete figures.
- ``n``, ``entrants``: children in the rows and how many entered care within the
  observed part of the horizon; ``suppressed``: a group smaller than
  ``min_group_size`` (its values are missing).
- ``model_version``: the model that made the list; ``promised_*``: the backtest's
  value and interval for that version (missing when not known or not a
  :data:`PROMISED_METRICS` metric); ``outside_promise``: a complete run whose value
  lies outside the promised interval (False for partial runs and unknown promises).
- ``reference``, ``ratio``, ``ratio_lower``, ``ratio_upper``, ``disparity``: for group
  rows, the fairness audit's comparison with the reference group of that run (the
  ratio of the group's metric to the reference's, its interval, and whether it lies
  outside the parity range with an interval excluding 1). Missing/False for the
  ``"all"`` rows.
"""

RUN_COLUMNS: list[str] = [
    "as_of_date",
    "model_name",
    "model_version",
    "scored",
    "flagged",
    "entrants",
    "entrants_flagged",
    "months_observed",
    "horizon_months",
    "complete",
    "lowest_flagged_score",
    "lowest_flagged_band",
    "not_in_data",
]
"""Columns of :attr:`MonitoringResult.runs`: one row per scoring run.

``lowest_flagged_score``/``lowest_flagged_band``: the cut-off of the list (missing
when it flagged nobody); ``not_in_data``: children of the list absent from the data's
``persons`` table (outcome unknown, counted as not entering care).
"""

CALIBRATION_COLUMNS: list[str] = [
    "as_of_date",
    "band_from",
    "band_to",
    "n",
    "mean_score",
    "observed_rate",
    "lower",
    "upper",
    "complete",
]
"""Columns of :attr:`MonitoringResult.calibration`: observed rate by merged risk band."""

NEAR_CUTOFF_COLUMNS: list[str] = [
    "as_of_date",
    "list",
    "rank_from",
    "rank_to",
    "n",
    "entrants",
    "rate",
    "lower",
    "upper",
    "complete",
]
"""Columns of :attr:`MonitoringResult.near_cutoff`.

Two rows per run: ``list`` is ``"flagged"`` (ranks 1 to the run's flagged count) or
``"just below"`` (the same number of children ranked immediately below the cut-off).
Help offered to flagged families may prevent care entries, so a lower rate among the
flagged than just below is not by itself a failure of the ranking.
"""


@dataclass(frozen=True)
class MonitoringResult:
    """What past lists achieved: realised performance of every run of a score history.

    Built by :func:`~riskmodel.monitoring.realised_performance`.

    Attributes
    ----------
    realised : pandas.DataFrame
        Tidy realised metrics, columns :data:`REALISED_COLUMNS`: for every run, the
        whole list's :data:`OVERALL_METRICS` and every group's :data:`GROUP_METRICS`.
    runs : pandas.DataFrame
        One row per run, columns :data:`RUN_COLUMNS`.
    calibration : pandas.DataFrame
        Observed care-entry rate against mean score in merged risk bands, per run,
        columns :data:`CALIBRATION_COLUMNS`.
    near_cutoff : pandas.DataFrame
        Entrants among the flagged beside entrants among the children ranked just
        below the cut-off, columns :data:`NEAR_CUTOFF_COLUMNS`.
    horizon_months : int
        The model's horizon: a care entry counts when it falls in
        ``(as_of_date, as_of_date + horizon_months]``.
    end_date : pandas.Timestamp
        The last day the outcomes were observed (the data's extract date).
    min_group_size : int
        Groups with fewer children were suppressed.
    n_resamples : int
        Bootstrap replicates behind every interval (children resampled).
    confidence : float
        Coverage of the intervals.
    caveats : tuple of str
        What the figures do and do not mean, in plain words, for every reader of
        the results (the report shows them).
    """

    realised: pd.DataFrame
    runs: pd.DataFrame
    calibration: pd.DataFrame
    near_cutoff: pd.DataFrame
    horizon_months: int
    end_date: pd.Timestamp
    min_group_size: int
    n_resamples: int
    confidence: float
    caveats: tuple[str, ...] = ()

    def flags(self) -> pd.DataFrame:
        """Return the rows of ``realised`` outside the promise or showing a disparity.

        Returns
        -------
        pandas.DataFrame
            Same columns as ``realised``, fresh index: complete runs whose value lies
            outside the backtest's interval, and group rows whose disparity with the
            reference group is flagged.
        """
        table = self.realised
        keep = table["outside_promise"].astype(bool) | table["disparity"].astype(bool)
        return table[keep].reset_index(drop=True)

    def overall(self, *, complete_only: bool = False) -> pd.DataFrame:
        """Return the whole-list rows of ``realised``.

        Parameters
        ----------
        complete_only : bool, default False
            Keep only runs whose horizon has passed.

        Returns
        -------
        pandas.DataFrame
            Same columns as ``realised``, fresh index.
        """
        table = self.realised
        keep = (table["attribute"] == OVERALL) & (table["group"] == OVERALL)
        if complete_only:
            keep &= table["complete"].astype(bool)
        return table[keep].reset_index(drop=True)

    def summary(self) -> list[str]:
        """Describe each run's list in short plain lines, then the caveats.

        Returns
        -------
        list of str
            One line per run (entrants among the flagged, recall, partial or
            complete, and whether a figure lies outside the promise), one per
            group disparity, and the ``caveats``.
        """
        lines = []
        overall = self.overall().set_index(["metric"])
        outside = set(self.flags().loc[lambda t: t["outside_promise"], "as_of_date"])
        for run in self.runs.itertuples():
            rows = overall[overall["as_of_date"] == run.as_of_date]
            low, high = rows.loc["precision_at_capacity", ["lower", "upper"]]
            state = (
                "complete"
                if run.complete
                else f"partial, so far {run.months_observed} of {run.horizon_months} months"
            )
            if not run.flagged:
                lines.append(f"List of {run.as_of_date.date()} ({state}): nobody was flagged.")
                continue
            line = (
                f"List of {run.as_of_date.date()} ({state}): {run.entrants_flagged} of "
                f"{run.flagged} flagged children entered care ({self.confidence:.0%} interval of "
                f"the rate {low:.0%} to {high:.0%}); the list found {run.entrants_flagged} of "
                f"{run.entrants} entrants"
            )
            if run.as_of_date in outside:
                line += "; a figure lies outside the backtest's promise"
            lines.append(line + ".")
        disparities = self.flags().loc[lambda t: t["disparity"]]
        for row in disparities.itertuples():
            lines.append(
                f"List of {row.as_of_date.date()}: {row.metric} of {row.attribute} "
                f"{row.group} is {row.ratio:.2f} times that of {row.reference}."
            )
        return lines + list(self.caveats)
