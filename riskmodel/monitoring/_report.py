"""``MonitoringReport``: what past lists achieved, as one offline page (``monitoring.html``)."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.monitoring._paths import (
    PERSISTENT_COLUMNS,
    TIME_ON_LIST_COLUMNS,
    TIME_ON_LIST_SUMMARY_COLUMNS,
)
from riskmodel.monitoring._paths_missed import MISSED_COLUMNS
from riskmodel.monitoring._report_groups import calibration_section, groups_section
from riskmodel.monitoring._report_paths import paths_section
from riskmodel.monitoring._report_sections import (
    about_section,
    flags_section,
    near_cutoff_section,
    runs_section,
    trends_section,
)
from riskmodel.monitoring._result import MonitoringResult
from riskmodel.reports._blocks import Block, Bullets
from riskmodel.reports._format import fmt, fmt_date
from riskmodel.reports._html import environment, write_page
from riskmodel.reports._section_intended_use import JUDGEMENT

__all__ = ["MONITORING_SECTIONS", "TITLE", "MonitoringReport", "build_monitoring_report"]

MONITORING_SECTIONS: tuple[tuple[str, str], ...] = (
    ("about", "What this page is and is not"),
    ("runs", "The runs"),
    ("trends", "What each list achieved, against the backtest"),
    ("flags", "Flags and caveats"),
    ("near-cutoff", "Flagged and just below the cut-off"),
    ("groups", "By group"),
    ("calibration", "Calibration in bands"),
    ("paths", "Paths through the lists"),
)
"""Section ids and headings of the monitoring report, in order."""

TITLE = "What past lists achieved: monitoring a model of the risk of entering care"
"""The monitoring report's default title."""

TEMPLATE = "monitoring.html.j2"


@dataclass(frozen=True, eq=False, kw_only=True)
class MonitoringReport:
    """The monitoring report of a score history, written as one self-contained HTML file.

    Made by :func:`build_monitoring_report`. The page holds children's ids (the paths
    through the lists): it is for the authority's own files, never for MLflow.

    Attributes
    ----------
    result : MonitoringResult
        From :func:`~riskmodel.monitoring.realised_performance`.
    misses, persistent, time_on_list : pandas.DataFrame or None
        From :func:`~riskmodel.monitoring.missed_entrants`,
        :func:`~riskmodel.monitoring.persistently_high` and
        :func:`~riskmodel.monitoring.time_on_list` (per child or summarised).
    model_name : str or None
        Shown in the page's header.
    title : str
        The page's title.
    """

    result: MonitoringResult
    misses: pd.DataFrame | None = None
    persistent: pd.DataFrame | None = None
    time_on_list: pd.DataFrame | None = None
    model_name: str | None = None
    title: str = TITLE

    def _sections(self) -> dict[str, tuple[Block, ...]]:
        result = self.result
        return {
            "about": about_section(result),
            "runs": runs_section(result),
            "trends": trends_section(result),
            "flags": flags_section(result),
            "near-cutoff": near_cutoff_section(result),
            "groups": groups_section(result),
            "calibration": calibration_section(result),
            "paths": paths_section(self.persistent, self.misses, self.time_on_list),
        }

    def _meta(self) -> str:
        runs = self.result.runs
        complete = int(runs["complete"].astype(bool).sum())
        dates = pd.to_datetime(runs["as_of_date"])
        span = f"from {fmt_date(dates.min())} to {fmt_date(dates.max())} " if len(runs) else ""
        name = f"{self.model_name}: " if self.model_name else ""
        return (
            f"{name}{len(runs)} runs {span}({complete} complete, {len(runs) - complete} "
            f"partial); outcomes known to {fmt_date(self.result.end_date)}; entering care "
            f"within {self.result.horizon_months} months; intervals {self.result.confidence:.0%}"
            f" from {self.result.n_resamples} resamples of children. "
            f"Generated {_dt.date.today().isoformat()}."
        )

    def _key_points(self) -> Bullets:
        flags = self.result.flags()
        n = len(flags)
        points = [
            JUDGEMENT,
            f"{n} flag{'' if n == 1 else 's'}: see 'Flags and caveats'."
            if n
            else "Nothing is flagged against the backtest's promise or between groups.",
        ]
        if self.misses is not None:
            missed = self.misses
            if "status" in missed:
                missed = missed[missed["status"] == "missed"]
            points.append(
                f"{fmt(len(missed), 'int')} care entries within a run's horizon were never "
                "flagged: the misses to learn from."
            )
        return Bullets.of(points)

    def to_html(self) -> str:
        """Render the report as one self-contained HTML document.

        Returns
        -------
        str
            The page: inline CSS, figures embedded as PNG data URIs, a
            Content-Security-Policy that allows nothing else, no scripts; every
            piece of text escaped.
        """
        bodies = self._sections()
        return (
            environment("riskmodel.monitoring")
            .get_template(TEMPLATE)
            .render(
                title=self.title,
                meta=self._meta(),
                key_points=self._key_points(),
                sections=[
                    {"id": i, "heading": h, "blocks": bodies[i]} for i, h in MONITORING_SECTIONS
                ],
            )
        )

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the report to an HTML file, atomically (parent folders are created).

        Parameters
        ----------
        path : path-like
            The HTML file to write (``monitoring.html``).

        Returns
        -------
        pathlib.Path
            ``path``.
        """
        return write_page(path, self.to_html())


def _check_table(name: str, table: pd.DataFrame | None, *columns: list[str]) -> None:
    if table is None:
        return
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
    options = [[c for c in wanted if c not in table.columns] for wanted in columns]
    if all(options):
        raise SchemaError(f"{name}: missing column(s) {', '.join(min(options, key=len))}")


def build_monitoring_report(
    result: MonitoringResult,
    *,
    misses: pd.DataFrame | None = None,
    persistent: pd.DataFrame | None = None,
    time_on_list: pd.DataFrame | None = None,
    model_name: str | None = None,
    title: str = TITLE,
) -> MonitoringReport:
    """Build the monitoring report (``monitoring.html``) of a score history.

    Its sections (:data:`MONITORING_SECTIONS`): what the page is and is not; each run
    (complete, or partial "so far, 7 of 12 months"); a trend figure per realised
    metric against the backtest's promised interval; the flags in plain words and the
    caveats; entrants among the flagged beside those just below the cut-off; the
    latest complete run by group and its calibration in bands; and each child's path
    through the lists (persistently high, misses, time on the list).

    Parameters
    ----------
    result : MonitoringResult
        From :func:`~riskmodel.monitoring.realised_performance`.
    misses : pandas.DataFrame, optional
        From :func:`~riskmodel.monitoring.missed_entrants` (with
        ``include_unscored=True``, the children outside every cohort are counted).
    persistent : pandas.DataFrame, optional
        From :func:`~riskmodel.monitoring.persistently_high`.
    time_on_list : pandas.DataFrame, optional
        From :func:`~riskmodel.monitoring.time_on_list` (per child or summarised).
    model_name : str, optional
        The registered model's name, for the header.
    title : str
        The page's title.

    Returns
    -------
    MonitoringReport
        ``to_html()`` renders it; ``write(path)`` writes it atomically.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`MonitoringResult`.
    SchemaError
        If a child-level table lacks its columns.

    Examples
    --------
    >>> report = build_monitoring_report(result, misses=misses)  # doctest: +SKIP
    >>> report.write("out/monitoring.html")  # doctest: +SKIP
    PosixPath('out/monitoring.html')
    """
    if not isinstance(result, MonitoringResult):
        raise TypeError(
            f"build_monitoring_report: result must be a MonitoringResult, "
            f"got {type(result).__name__}"
        )
    _check_table("misses", misses, [c for c in MISSED_COLUMNS if c != "status"])
    _check_table("persistent", persistent, PERSISTENT_COLUMNS)
    _check_table("time_on_list", time_on_list, TIME_ON_LIST_COLUMNS, TIME_ON_LIST_SUMMARY_COLUMNS)
    return MonitoringReport(
        result=result,
        misses=misses,
        persistent=persistent,
        time_on_list=time_on_list,
        model_name=model_name,
        title=title,
    )
