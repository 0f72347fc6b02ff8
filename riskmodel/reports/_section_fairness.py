"""The report's ``fairness`` section: group tables, flagged disparities, whom the list misses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

import riskmodel.reports._figures as _figures
from riskmodel.fairness._group_metrics import METRIC_LABELS
from riskmodel.fairness._summary import RATIO_METRICS
from riskmodel.reports._blocks import Block, Bullets, Cell, Figure, Heading, Para, Table
from riskmodel.reports._format import fmt, fmt_interval, interval_cell

GROUP_METRIC_LABELS = {**METRIC_LABELS, "prevalence": "share who entered care"}
"""Plain names of the fairness audit's metrics."""

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("selection_rate", "Selection rate", "pct"),
    ("fnr", "False negative rate", "pct"),
    ("fpr", "False positive rate", "pct"),
    ("precision", "Precision", "pct"),
    ("observed_expected", "Observed / expected", "ratio"),
)
"""The metrics shown per group: who is flagged, who is missed, and calibration."""

MEANINGS = (
    "Selection rate: share of the group's children who were flagged.",
    "False negative rate: share of the group's children who entered care but were not "
    "flagged (whom the list misses).",
    "False positive rate: share of the group's children who did not enter care but were "
    "flagged (families approached who would not have entered care).",
    "Precision: share of the group's flagged children who entered care.",
    "Observed / expected: entrants observed over entrants predicted; below 1 the scores "
    "over-predict for the group.",
)


def _flag_set(audit: Any) -> set[tuple[str, str, str]]:
    flags = audit.flags()
    return set(zip(flags["attribute"], flags["group"], flags["metric"], strict=True))


def _group_row(
    attribute: str, group: str, part: pd.DataFrame, audit: Any, flags: set
) -> list[object]:
    metrics = part.set_index("metric")
    n = int(metrics["n"].iloc[0])
    hidden = bool(metrics["suppressed"].iloc[0])
    name = group + (" (reference)" if audit.reference.get(attribute) == group else "")
    if hidden:
        note = f"suppressed: fewer than {audit.min_group_size} child-dates"
        cells = [Cell(note, "suppressed text")] + [Cell("—", "suppressed")] * len(COLUMNS)
        return [Cell(name, "suppressed"), fmt(n, "count"), *cells]
    prevalence = metrics.loc["prevalence"]
    row: list[object] = [
        Cell(name, "ref" if "(reference)" in name else ""),
        fmt(n, "count"),
        Cell(fmt(prevalence["value"] * n, "int"), sub=f"({fmt(prevalence['value'], 'pct')})"),
    ]
    for metric, _, kind in COLUMNS:
        if metric not in metrics.index:
            row.append("—")
            continue
        m = metrics.loc[metric]
        flagged = (attribute, group, metric) in flags
        cell = interval_cell(m["value"], m["lower"], m["upper"], kind, "flag" if flagged else "")
        row.append(replace(cell, title="flagged disparity") if flagged else cell)
    return row


def _attribute_tables(audit: Any) -> list[Block]:
    flags = _flag_set(audit)
    header = ["Group", "Child-dates", "Entrants (share)", *(label for _, label, _ in COLUMNS)]
    out: list[Block] = []
    for attribute, rows in audit.by_group.groupby("attribute", sort=False):
        body = [
            _group_row(attribute, group, part, audit, flags)
            for group, part in rows.groupby("group", sort=False)
        ]
        out.append(Heading(attribute.replace("_", " ").capitalize(), 4))
        out.append(Table.of(header, body, caption=f"{attribute}: value (95% interval)"))
    return out


def _kind(metric: str) -> str:
    """Return a metric's number format: rates as percentages, AUC and O/E as ratios."""
    return "ratio" if metric in RATIO_METRICS else "pct"


def _flags_table(audit: Any) -> Block:
    flags = audit.flags()
    if flags.empty:
        return Para("No disparity was flagged.")
    rows = [
        [
            Cell(f"{r.attribute} = {r.group}", "flag"),
            Cell(GROUP_METRIC_LABELS.get(r.metric, r.metric), "text"),
            f"{fmt(r.value, _kind(r.metric))} vs {fmt(r.reference_value, _kind(r.metric))} "
            f"({r.reference})",
            fmt_interval(r.ratio, r.lower, r.upper),
        ]
        for r in flags.itertuples()
    ]
    return Table.of(
        ["Group", "Measure", "Group vs reference", "Ratio (95% interval)"],
        rows,
        caption="Flagged disparities",
    )


def _misses_figure(audit: Any) -> tuple[Block, ...]:
    g = audit.by_group
    fnr = g[(g["metric"] == "fnr") & ~g["suppressed"] & g["value"].notna()].copy()
    if fnr.empty:
        return ()
    flags = _flag_set(audit)
    fnr["flag"] = [
        (a, b, "fnr") in flags for a, b in zip(fnr["attribute"], fnr["group"], strict=True)
    ]
    fnr["label"] = fnr["attribute"] + ": " + fnr["group"]
    fig = _figures.forest(
        fnr,
        title="Whom the list misses: false negative rate by group",
        xlabel="share of the group's entrants who were not flagged (95% interval)",
    )
    figure = Figure.of(
        fig,
        alt="False negative rate per group with 95% intervals",
        caption="Flagged disparities in red. Suppressed groups and groups without entrants "
        "are not shown.",
    )
    return (figure,)


def _rule(audit: Any) -> str:
    if audit.capacity is not None:
        return f"the {audit.capacity} highest scores at each as-of date are flagged"
    return f"scores of at least {fmt(audit.threshold, 'pct')} are flagged"


def fairness_section(audit: Any) -> tuple[Block, ...]:
    """Build the ``fairness`` section."""
    low, high = audit.parity_range
    references = "; ".join(f"{a}: {g}" for a, g in audit.reference.items())
    summary = audit.summary()
    flagged_lines = len(audit.flags())
    return (
        Para(
            f"Decisions are made as the service would make them: {_rule(audit)}. Each "
            "group's rates are compared with a reference group as ratios. A disparity "
            f"is flagged when the ratio lies outside {fmt(low)} to {fmt(high)} and its "
            f"{audit.confidence:.0%} interval excludes 1. Reference groups: "
            f"{references}. Groups with fewer than {audit.min_group_size} child-dates "
            "are suppressed, as in official statistics."
        ),
        Para(
            "Intervals come from a bootstrap that resamples children; they are not "
            "adjusted for the many comparisons, so an occasional flag can be chance. "
            "Equal error rates and equal calibration cannot in general both hold when "
            "groups differ in how often care entry happens: the board must judge which "
            "differences matter."
        ),
        Heading("Findings"),
        Bullets.of(
            Cell(line, "flag") if i < flagged_lines else Cell(line)
            for i, line in enumerate(summary)
        ),
        _flags_table(audit),
        *_misses_figure(audit),
        Heading("Each attribute"),
        Bullets.of(MEANINGS),
        *_attribute_tables(audit),
    )
