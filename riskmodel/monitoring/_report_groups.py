"""The monitoring report's group and calibration sections, for the latest complete run."""

from __future__ import annotations

import pandas as pd

from riskmodel.monitoring._report_sections import metric_kind, metric_label
from riskmodel.monitoring._result import OVERALL, MonitoringResult
from riskmodel.reports._blocks import Block, Cell, Heading, Para, Table
from riskmodel.reports._format import DASH, fmt, fmt_date, interval_cell

__all__ = ["GROUP_COLUMNS", "calibration_section", "complete_dates", "groups_section"]

GROUP_COLUMNS: tuple[str, ...] = ("fpr", "tpr", "precision", "observed_expected")
"""The group metrics shown: families approached needlessly, entrants found, hits, calibration."""


def complete_dates(result: MonitoringResult) -> list[pd.Timestamp]:
    """As-of dates of the complete runs, oldest first."""
    runs = result.runs
    dates = pd.to_datetime(runs.loc[runs["complete"].astype(bool), "as_of_date"])
    return sorted(pd.Timestamp(d) for d in dates.unique())


def _change(value: float, before: float, kind: str) -> str:
    if pd.isna(value) or pd.isna(before):
        return ""
    delta = float(value) - float(before)
    if kind == "pct":
        text = f"{100 * delta:+.1f} pts"
    else:
        text = f"{delta:+.2f}"
    return text.replace("-", "−")


def _group_rows(
    latest: pd.DataFrame, first: pd.DataFrame | None, attribute: str, result: MonitoringResult
) -> list[list[object]]:
    rows = []
    for group, part in latest.groupby("group", sort=False):
        metrics = part.set_index("metric")
        head = metrics.iloc[0]
        reference = head["reference"] if isinstance(head["reference"], str) else None
        name = f"{group} (reference)" if reference == group else str(group)
        if bool(head["suppressed"]):
            note = f"fewer than {result.min_group_size} children"
            dashes = [Cell(DASH, "suppressed")] * len(GROUP_COLUMNS)
            rows.append([Cell(name, "suppressed"), Cell(note, "suppressed"), DASH, *dashes])
            continue
        row: list[object] = [name, fmt(head["n"], "int"), fmt(head["entrants"], "int")]
        for metric in GROUP_COLUMNS:
            if metric not in metrics.index:
                row.append(DASH)
                continue
            m, kind = metrics.loc[metric], metric_kind(metric)
            flagged = bool(m["disparity"])
            cell = interval_cell(
                m["value"], m["lower"], m["upper"], kind, "flag" if flagged else ""
            )
            before = None
            if first is not None:
                was = first[(first["group"] == group) & (first["metric"] == metric)]
                if len(was) and not bool(was["suppressed"].iloc[0]):
                    before = was["value"].iloc[0]
            change = _change(m["value"], before, kind) if before is not None else ""
            text = f"{cell.text} ({change})" if change else cell.text
            title = "flagged disparity" if flagged else ""
            row.append(Cell(text, cell.cls, title=title, sub=cell.sub))
        rows.append(row)
    return rows


def groups_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Realised group metrics of the latest complete run, and the change since the first."""
    dates = complete_dates(result)
    if not dates:
        return (
            Para(
                "No run is complete yet, so no group figures are shown: partial figures "
                "by group rest on too few entrants to compare."
            ),
        )
    table = result.realised
    groups = table[table["attribute"] != OVERALL]
    when = pd.to_datetime(groups["as_of_date"])
    latest = groups[when == dates[-1]]
    first = groups[when == dates[0]] if len(dates) > 1 else None
    since = f"; in brackets, the change since the first complete run ({fmt_date(dates[0])})"
    blocks: list[Block] = [
        Para(
            f"The latest complete run, as of {fmt_date(dates[-1])}"
            + (since if first is not None else "")
            + ". False positive rate: share of the group's children who did not enter care "
            "but were flagged. True positive rate: share of the group's entrants who were "
            "flagged. Precision: share of the group's flagged children who entered care. "
            "Observed / expected: entrants over entrants predicted. ▲ marks a disparity "
            "with the reference group. Groups with fewer than "
            f"{result.min_group_size} children are suppressed."
        )
    ]
    header = ["Group", "Children", "Entrants", *(metric_label(m) for m in GROUP_COLUMNS)]
    for attribute, part in latest.groupby("attribute", sort=False):
        previous = first[first["attribute"] == attribute] if first is not None else None
        rows = _group_rows(part, previous, str(attribute), result)
        blocks.append(Heading(str(attribute).replace("_", " ").capitalize(), 4))
        blocks.append(
            Table.of(
                header, rows, caption=f"{attribute}: value ({result.confidence:.0%} interval)"
            )
        )
    if len(blocks) == 1:
        blocks.append(Para("The result has no group rows."))
    return tuple(blocks)


def calibration_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Observed care-entry rate against mean score in merged bands, latest complete run."""
    dates = complete_dates(result)
    table = result.calibration
    if not dates or table.empty:
        return (Para("No complete run yet: calibration is shown once a horizon has passed."),)
    part = table[pd.to_datetime(table["as_of_date"]) == dates[-1]].sort_values("band_from")
    rows = [
        [
            f"{fmt(r.band_from, 'int')}–{fmt(r.band_to, 'int')}"
            if r.band_from != r.band_to
            else fmt(r.band_from, "int"),
            fmt(r.n, "int"),
            fmt(r.mean_score, "pct"),
            interval_cell(r.observed_rate, r.lower, r.upper, "pct"),
        ]
        for r in part.itertuples()
    ]
    return (
        Para(
            f"As of {fmt_date(dates[-1])}: in each group of risk bands, the mean score (the "
            "predicted chance of entering care) beside the share who did. Help offered to "
            "flagged families may lower the observed rate in the top bands."
        ),
        Table.of(
            ["Bands", "Children", "Mean score", "Observed rate"],
            rows,
            caption=f"Observed rate ({result.confidence:.0%} interval)",
        ),
    )
