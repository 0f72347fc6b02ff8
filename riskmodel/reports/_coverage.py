"""The review report's table of which event families the authority records, and when."""

from __future__ import annotations

import pandas as pd

from riskmodel.reports._explanations import SMALL_COUNT
from riskmodel.reports._html import DASH, Cell, fmt, para, table

NOT_RECORDED = "not recorded"
"""Shown for a family of the data model's vocabulary with no records in the data."""


def _month(value: object) -> str:
    return DASH if pd.isna(value) else str(value)


def _count(value: int, synthetic: bool) -> str:
    if not synthetic and 0 < value < SMALL_COUNT:
        return f"fewer than {SMALL_COUNT}"
    return fmt(value, "int")


def _row(r: object, synthetic: bool) -> list[object]:
    name = r.family if r.in_vocabulary else f"{r.family} (not in the data model)"
    if r.events == 0:
        absent = Cell(NOT_RECORDED, "suppressed")
        return [name, absent, absent, "0", "0"]
    return [
        name,
        _month(r.first_month),
        _month(r.last_month),
        _count(int(r.events), synthetic),
        _count(int(r.children), synthetic),
    ]


def coverage_block(summary: pd.DataFrame, *, synthetic: bool) -> str:
    """Render the per-family coverage table of the ``data`` section.

    Parameters
    ----------
    summary : pandas.DataFrame
        :meth:`LocalAuthorityData.coverage_summary`.
    synthetic : bool
        For real data, counts of 1 to 4 are shown as "fewer than 5".
    """
    rows = [_row(r, synthetic) for r in summary.itertuples(index=False)]
    absent = summary.loc[summary["events"] == 0, "family"].tolist()
    note = (
        f"Not recorded in these data: {', '.join(absent)}. Features of those families are "
        "empty, and the model cannot use them."
        if absent
        else "Every event family of the data model is recorded in these data."
    )
    return (
        para(
            "Which kinds of event the authority records, and from when (event families are "
            "the data model's event types; care episodes are the SSDA903 episodes, dated by "
            "their start). A family that starts or stops inside the training period means "
            "different things in different years."
        )
        + table(
            ["Event family", "First month", "Last month", "Events", "Children"],
            rows,
            caption="Coverage of event families",
        )
        + para(note)
    )
