"""Plain-English lines summarising a fairness audit."""

from __future__ import annotations

import math

import pandas as pd

from riskmodel.fairness._group_metrics import METRIC_LABELS
from riskmodel.fairness._inputs import INTERSECTION_SEPARATOR


def _number(x: float) -> str:
    if math.isinf(x):
        return "inf"
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


RATIO_METRICS = frozenset({"auc", "observed_expected"})
"""Metrics that are not shares of children; every other metric is shown as a percentage."""


def _value(metric: str, x: float) -> str:
    """Format a metric's value: ``"0.21%"`` for rates (two significant figures), else a number."""
    if metric in RATIO_METRICS or not math.isfinite(x):
        return _number(x)
    return f"{100 * x:.2g}%"


def describe_group(attribute: str, group: str) -> str:
    """``"ethnic_group=Black"``, or ``"sex=F & age_band=16-17"`` for an intersection."""
    names = attribute.split(INTERSECTION_SEPARATOR)
    labels = group.split(INTERSECTION_SEPARATOR)
    if len(names) != len(labels):
        return f"{attribute}={group}"
    return INTERSECTION_SEPARATOR.join(f"{n}={g}" for n, g in zip(names, labels, strict=True))


def disparity_lines(flags: pd.DataFrame, confidence: float) -> list[str]:
    """One line per flagged disparity."""
    return [
        f"{describe_group(row.attribute, row.group)}: {METRIC_LABELS[row.metric]} "
        f"{_number(row.ratio)}× the {row.reference} reference ({_value(row.metric, row.value)} "
        f"vs {_value(row.metric, row.reference_value)}; {confidence:.0%} CI of the ratio "
        f"{_number(row.lower)}–{_number(row.upper)})"
        for row in flags.itertuples(index=False)
    ]


def calibration_lines(
    by_group: pd.DataFrame, confidence: float, parity_range: tuple[float, float]
) -> list[str]:
    """One line per group whose observed/expected ratio is off and excludes 1.

    Groups without observed entrants are left out: their ratio is 0 in every
    bootstrap replicate, so its interval says nothing (as for disparities).
    """
    rows = by_group[
        (by_group["metric"] == "observed_expected")
        & ~by_group["suppressed"]
        & (by_group["value"] > 0)
    ]
    off = ((rows["value"] < parity_range[0]) | (rows["value"] > parity_range[1])) & (
        (rows["lower"] > 1.0) | (rows["upper"] < 1.0)
    )
    lines = []
    for row in rows[off].itertuples(index=False):
        direction = "over" if row.value < 1.0 else "under"
        lines.append(
            f"{describe_group(row.attribute, row.group)}: observed/expected "
            f"{_number(row.value)} ({confidence:.0%} CI {_number(row.lower)}–"
            f"{_number(row.upper)}): the scores {direction}-predict the outcome for this group"
        )
    return lines


def suppression_line(by_group: pd.DataFrame, min_group_size: int) -> list[str]:
    """Name the suppressed groups and their sizes in one line (none if no group is)."""
    groups = by_group.loc[by_group["suppressed"], ["attribute", "group", "n"]].drop_duplicates()
    if groups.empty:
        return []
    named = ", ".join(
        f"{describe_group(row.attribute, row.group)} ({row.n})"
        for row in groups.itertuples(index=False)
    )
    return [f"Suppressed, fewer than {min_group_size} rows: {named}"]
