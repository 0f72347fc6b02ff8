"""The monitoring report's first sections: what the page is, the runs, trends, flags, cut-off.

Each function returns the blocks of one section (``riskmodel.reports._blocks``), laid
out and escaped by the review's block templates.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import riskmodel.monitoring._report_figures as _figures
from riskmodel.monitoring._result import OVERALL_METRICS, MonitoringResult
from riskmodel.reports._blocks import Block, Bullets, Callout, Cell, Figure, Para, Table
from riskmodel.reports._format import fmt, fmt_date, fmt_interval, interval_cell
from riskmodel.reports._section_backtest import METRICS
from riskmodel.reports._section_fairness import GROUP_METRIC_LABELS
from riskmodel.reports._section_intended_use import JUDGEMENT

__all__ = [
    "HELP_CHANGES_OUTCOMES",
    "OUTSIDE_MEANS",
    "about_section",
    "flag_sentence",
    "flags_section",
    "metric_kind",
    "metric_label",
    "near_cutoff_section",
    "run_status",
    "runs_section",
    "trends_section",
]

HELP_CHANGES_OUTCOMES = (
    "Help changes outcomes. A flagged family who was offered support may not enter care "
    "because of that support, so fewer entrants among the flagged than the backtest "
    "promised is not by itself a failure of the list, and may be a sign that help worked."
)

OUTSIDE_MEANS = (
    "A value outside the backtest's interval is a prompt to look (a change in how events "
    "are recorded, in the children known to the authority, or in the service), not proof "
    "that the model has got worse. Each run has few entrants: one or two more or fewer "
    "move precision and recall by several points, and across many runs and measures some "
    "values fall outside by chance alone. A value inside the interval does not prove "
    "that all is well either."
)

_LABELS = {metric: (name, kind) for metric, name, kind, _ in METRICS}
_GROUP_KINDS = {"auc": "ratio", "observed_expected": "ratio"}


def metric_label(metric: str) -> str:
    """Return the plain name of a realised metric (whole-list or group)."""
    if metric in _LABELS:
        return _LABELS[metric][0]
    return GROUP_METRIC_LABELS.get(metric, metric).capitalize()


def metric_kind(metric: str) -> str:
    """Return the number format of a metric: rates as percentages, AUC and O/E as ratios."""
    if metric in _LABELS:
        kind = _LABELS[metric][1]
        return "ratio" if kind == "small" else kind
    return _GROUP_KINDS.get(metric, "pct")


def run_status(row: Any, horizon: int) -> str:
    """``"complete"`` or ``"partial: so far, 7 of 12 months"`` for a run (a runs-table row)."""
    if bool(row.complete):
        return "complete"
    return f"partial: {_figures.so_far(row.months_observed, horizon)}"


def about_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Build the section on what this page is and is not."""
    return (
        Callout(JUDGEMENT, "key"),
        Para(
            "This page shows what past lists achieved once their outcomes became known: "
            "for each scoring run, how many of the flagged children entered care within "
            f"{result.horizon_months} months of the run, how many entrants the list found, "
            "and how those figures compare with what the model's backtest promised, for "
            "every child and group by group. It also follows each child's path through "
            "the lists: who stayed in the top bands, how long children stayed on the list, "
            "and who entered care without ever being flagged."
        ),
        Callout(HELP_CHANGES_OUTCOMES, "note"),
        Callout(
            "This page holds children's ids (in the section on paths through the lists). "
            "It is for the authority's own files: do not e-mail it outside the authority, "
            "and never upload it to MLflow or any other shared store.",
            "warn",
        ),
    )


def runs_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Build the runs table: date, model version, counts, complete or partial."""
    runs = result.runs.sort_values("as_of_date")
    rows = [
        [
            fmt_date(r.as_of_date),
            Cell(str(r.model_version), "text"),
            fmt(r.scored, "int"),
            fmt(r.flagged, "int"),
            fmt(r.entrants, "int"),
            fmt(r.entrants_flagged, "int"),
            Cell(run_status(r, result.horizon_months), "" if r.complete else "suppressed"),
        ]
        for r in runs.itertuples()
    ]
    header = [
        "As of",
        "Model version",
        "Scored",
        "Flagged",
        "Entrants",
        "Entrants among the flagged",
        "Outcome window",
    ]
    caption = (
        "Entrants: children of the run's cohort who entered care within the observed part "
        f"of the {result.horizon_months}-month horizon, up to {fmt_date(result.end_date)}."
    )
    if not rows:
        return (Para("The score history has no run."),)
    return (Table.of(header, rows, caption=caption, numeric_from=2),)


POOLED_LABEL = "All complete runs"
"""The values table's row of the complete runs pooled (children resampled as one)."""


def _values_table(result: MonitoringResult) -> Table:
    overall = result.overall()
    pooled = overall["as_of_date"].isna()
    dates = sorted(pd.to_datetime(overall.loc[~pooled, "as_of_date"]).unique())
    cells: dict[tuple[object, str], Cell] = {}
    for r in overall.itertuples():
        kind = metric_kind(r.metric)
        cell = interval_cell(r.value, r.lower, r.upper, kind, "flag" if r.outside_promise else "")
        if not r.complete:
            cell = Cell(f"{cell.text} so far", "suppressed", sub=cell.sub)
        key = POOLED_LABEL if pd.isna(r.as_of_date) else pd.Timestamp(r.as_of_date)
        cells[(key, r.metric)] = cell
    keys: list[object] = [*dates, *([POOLED_LABEL] if pooled.any() else [])]
    rows = [
        [
            Cell(POOLED_LABEL, "text") if key == POOLED_LABEL else fmt_date(key),
            *(cells.get((key, m), Cell("—")) for m in OVERALL_METRICS),
        ]
        for key in keys
    ]
    return Table.of(
        ["As of", *(metric_label(m) for m in OVERALL_METRICS)],
        rows,
        caption=(
            f"Realised value ({result.confidence:.0%} interval); ▲ outside the promise. "
            f"{POOLED_LABEL}: every complete run's list together, a child on several "
            "lists resampled as one; partial runs are never in it."
        ),
    )


def trends_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Build one trend figure per whole-list metric, and the values as a table."""
    blocks: list[Block] = [
        Para(
            "Complete runs are joined by a solid line with their intervals. Partial runs, "
            "whose horizon has not passed, are hollow markers labelled 'so far': their "
            "figures will change as outcomes arrive, and they are never joined to the "
            "complete line. The pale band is the backtest's promised interval for the "
            "model version that made the list; red marks a complete run outside it."
        )
    ]
    overall = result.overall()
    for metric in OVERALL_METRICS:
        if overall.loc[overall["metric"] == metric, "value"].notna().sum() == 0:
            continue
        label = metric_label(metric)
        fig = _figures.trend_figure(
            result, metric, title=label, percent=metric_kind(metric) == "pct"
        )
        blocks.append(
            Figure.of(
                fig,
                alt=f"{label} of each run's list over the runs, against the backtest's band",
                caption=f"{label}: realised at each run ({result.confidence:.0%} interval).",
            )
        )
    blocks.append(_values_table(result))
    return tuple(blocks)


def flag_sentence(row: Any, runs: pd.DataFrame, parity: tuple[float, float] | None) -> str:
    """Write one flag of :meth:`MonitoringResult.flags` in plain words."""
    kind = metric_kind(row.metric)
    when = f"As of {fmt_date(row.as_of_date)}"
    value = fmt_interval(row.value, row.lower, row.upper, kind)
    label = metric_label(row.metric)
    name = label if label[:2].isupper() else label[:1].lower() + label[1:]
    if bool(row.disparity):
        ratio = fmt_interval(row.ratio, row.ratio_lower, row.ratio_upper)
        bounds = f" ({fmt(parity[0])} to {fmt(parity[1])})" if parity else ""
        return (
            f"{when}, for {row.attribute} = {row.group}, the {name} was {value}: "
            f"{ratio} times that of the reference group ({row.reference}), "
            f"outside the parity range{bounds}."
        )
    promised = fmt_interval(row.promised_value, row.promised_lower, row.promised_upper, kind)
    side = "below" if float(row.value) < float(row.promised_lower) else "above"
    run = runs[pd.to_datetime(runs["as_of_date"]) == pd.Timestamp(row.as_of_date)]
    counts = ""
    if len(run):
        first = run.iloc[0]
        counts = (
            f" There were {fmt(first['entrants_flagged'], 'int')} entrants among the "
            f"{fmt(first['flagged'], 'int')} flagged and {fmt(first['entrants'], 'int')} "
            "in all."
        )
    return (
        f"{when} (model version {row.model_version}), {name} was {value}, {side} the "
        f"backtest's promise of {promised}.{counts}"
    )


def flags_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Build the flags in plain words, and the caveats."""
    flags = result.flags()
    parity = getattr(result, "parity_range", None)
    if flags.empty:
        found: Block = Para(
            "Nothing is flagged: no complete run lies outside the backtest's promise and "
            "no group shows a flagged disparity."
        )
    else:
        found = Bullets.of(
            Cell(flag_sentence(r, result.runs, parity), "flag") for r in flags.itertuples()
        )
    return (
        found,
        Callout(OUTSIDE_MEANS, "warn"),
        Bullets.of([*result.caveats, HELP_CHANGES_OUTCOMES]),
    )


def near_cutoff_section(result: MonitoringResult) -> tuple[Block, ...]:
    """Build the table of entrants among the flagged and among those just below the cut-off."""
    table = result.near_cutoff
    if table.empty:
        return (Para("No run has children ranked just below the cut-off."),)
    runs = result.runs.set_index(pd.to_datetime(result.runs["as_of_date"]))
    rows = []
    for date, part in table.groupby(pd.to_datetime(table["as_of_date"]), sort=True):
        sides = part.set_index("list")
        row: list[object] = [fmt_date(date)]
        for side in ("flagged", "just below"):
            if side not in sides.index:
                row += ["—", "—"]
                continue
            s = sides.loc[side]
            ranks = f"ranks {fmt(s['rank_from'], 'int')}–{fmt(s['rank_to'], 'int')}"
            row.append(Cell(f"{fmt(s['entrants'], 'int')} of {fmt(s['n'], 'int')}", sub=ranks))
            row.append(interval_cell(s["rate"], s["lower"], s["upper"], "pct"))
        status = run_status(runs.loc[date], result.horizon_months) if date in runs.index else ""
        row.append(Cell(status, "text"))
        rows.append(row)
    header = [
        "As of",
        "Flagged: entrants",
        "Flagged: rate",
        "Just below: entrants",
        "Just below: rate",
        "Outcome window",
    ]
    note = (
        "The children just below the cut-off are as many as were flagged, ranked "
        "immediately after them. Their rate shows what the flagged might have looked like "
        "without help; a lower rate among the flagged is not by itself a failure of the "
        f"ranking. Intervals: {result.confidence:.0%}, children resampled."
    )
    return (Para(note), Table.of(header, rows, caption="Entrants on each side of the cut-off"))
