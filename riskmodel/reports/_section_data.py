"""The report's ``data`` section: the authority's tables, event families, cohort, base rate."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskmodel.evaluation import MODEL
from riskmodel.evaluation._keys import row_weights
from riskmodel.reports._blocks import Block, Cell, Details, Heading, Para, Table
from riskmodel.reports._format import DASH, fmt, fmt_children, fmt_date

NOT_RECORDED = "not recorded"
"""Shown for a family of the data model's vocabulary with no records in the data."""

INTRODUCTION = (
    "The data are the authority's own statutory records: the SSDA903 return "
    "(children looked after) and the Children in Need census, or an extract in the "
    "same shape. Only facts the authority knew before an as-of date are used for "
    "that date's features."
)

COVERAGE_NOTE = (
    "Which kinds of event the authority records, and from when (event families are "
    "the data model's event types; care episodes are the SSDA903 episodes, dated by "
    "their start). A family that starts or stops inside the training period means "
    "different things in different years."
)


def _table_summary(data_summary: pd.DataFrame) -> Table:
    rows = [
        (
            name,
            fmt(row.get("rows"), "count"),
            fmt(row.get("children"), "count"),
            fmt_date(row.get("first_date")),
            fmt_date(row.get("last_date")),
        )
        for name, row in data_summary.iterrows()
    ]
    header = ["Table", "Rows", "Children", "First date", "Last date"]
    return Table.of(
        header, rows, caption="The authority's tables (dates of birth, events, episodes)"
    )


def _coverage_row(r: Any, synthetic: bool) -> list[object]:
    name = r.family if r.in_vocabulary else f"{r.family} (not in the data model)"
    if r.events == 0:
        absent = Cell(NOT_RECORDED, "suppressed")
        return [name, absent, absent, "0", "0"]
    return [
        name,
        DASH if pd.isna(r.first_month) else str(r.first_month),
        DASH if pd.isna(r.last_month) else str(r.last_month),
        fmt_children(int(r.events), synthetic),
        fmt_children(int(r.children), synthetic),
    ]


def coverage_blocks(summary: pd.DataFrame, *, synthetic: bool) -> tuple[Block, ...]:
    """Build the per-family coverage table of the ``data`` section.

    Parameters
    ----------
    summary : pandas.DataFrame
        :meth:`LocalAuthorityData.coverage_summary`.
    synthetic : bool
        For real data, counts of 1 to 4 are shown as "fewer than 5".
    """
    rows = [_coverage_row(r, synthetic) for r in summary.itertuples(index=False)]
    absent = summary.loc[summary["events"] == 0, "family"].tolist()
    note = (
        f"Not recorded in these data: {', '.join(absent)}. Features of those families are "
        "empty, and the model cannot use them."
        if absent
        else "Every event family of the data model is recorded in these data."
    )
    header = ["Event family", "First month", "Last month", "Events", "Children"]
    return (
        Para(COVERAGE_NOTE),
        Table.of(header, rows, caption="Coverage of event families"),
        Para(note),
    )


def _cohort_blocks(cohort_summary: pd.DataFrame) -> tuple[Block, ...]:
    dates = pd.to_datetime(pd.Index(cohort_summary.index))
    size = cohort_summary["in_cohort"]
    reasons = [c for c in cohort_summary.columns if c not in ("children", "in_cohort", "excluded")]
    totals = cohort_summary[reasons].sum()
    total = int(cohort_summary["excluded"].sum())
    rows = [
        (reason, fmt(n, "int"), fmt(n / total if total else float("nan"), "pct"))
        for reason, n in totals.items()
    ]
    per_date = [
        (fmt_date(d), *(fmt(v, "int") for v in row))
        for d, row in zip(
            dates, cohort_summary[["children", "in_cohort", "excluded"]].to_numpy(), strict=True
        )
    ]
    per_date_table = Table.of(
        ["As-of date", "Children in data", "In cohort", "Excluded"], per_date
    )
    return (
        Para(
            f"The cohort was taken at {len(dates)} as-of dates from {fmt_date(dates.min())} "
            f"to {fmt_date(dates.max())}. At each date between {fmt(size.min(), 'count')} "
            f"and {fmt(size.max(), 'count')} children were in it (median "
            f"{fmt(size.median(), 'count')})."
        ),
        Table.of(
            ["Reason not in the cohort", "Child-dates", "Share of exclusions"],
            rows,
            caption="Exclusions by reason, summed over the as-of dates",
        ),
        Details(f"Cohort size at each of the {len(dates)} as-of dates", (per_date_table,)),
    )


def _base_rate(backtest: Any, horizon_months: int) -> tuple[Block, ...]:
    preds = backtest.predictions
    part = preds[preds["model"] == MODEL]
    if part.empty:
        return ()
    weights = row_weights(part)
    w = pd.Series(1.0 if weights is None else weights, index=part.index)
    per_date = (
        part.assign(entrant=w * part["y_true"], weight=w)
        .groupby("as_of_date")[["entrant", "weight"]]
        .sum()
        .set_axis(["sum", "size"], axis=1)
    )
    entrants, rows = float(per_date["sum"].sum()), float(per_date["size"].sum())
    counted = f"{entrants:,.0f} of {rows:,.0f} child-dates"
    if weights is not None:
        counted = (
            f"about {entrants:,.0f} of an estimated {rows:,.0f} child-dates (weighted "
            "estimates from a sample)"
        )
    return (
        Para(
            f"Base rate: across the backtest's test dates, {counted} "
            f"({fmt(entrants / rows, 'pct')}) were followed by a care entry within "
            f"{horizon_months} months: on average {fmt(per_date['sum'].mean(), 'count')} "
            f"entrants among {fmt(per_date['size'].mean(), 'count')} children per as-of date. "
            "This is the honest size of the problem: most children on any list will not "
            "enter care, and every estimate below rests on few entrants."
        ),
    )


def data_section(
    backtest: Any,
    data_summary: pd.DataFrame | None,
    cohort_summary: pd.DataFrame | None,
    horizon_months: int,
    *,
    coverage_summary: pd.DataFrame | None = None,
    synthetic: bool = False,
) -> tuple[Block, ...]:
    """Build the ``data`` section: tables, dates, event families, cohort, base rate."""
    out: list[Block] = [
        Para(INTRODUCTION),
        Para(
            "Cohort: children aged 10 to 17 on the as-of date who are not looked after on "
            "that date and are not unaccompanied asylum-seeking children. Children who "
            "were in care before and went home stay in the cohort. Outcome: the start of "
            f"a period of care (not only short breaks) within {horizon_months} months "
            "after the as-of date, as recorded in the SSDA903 return."
        ),
    ]
    if data_summary is not None:
        out.append(_table_summary(data_summary))
    if coverage_summary is not None:
        out.append(Heading("Event families recorded"))
        out += coverage_blocks(coverage_summary, synthetic=synthetic)
    if cohort_summary is not None and len(cohort_summary):
        out.append(Heading("Cohort and exclusions"))
        out += _cohort_blocks(cohort_summary)
    out.append(Heading("How common care entry is"))
    out += _base_rate(backtest, horizon_months)
    return tuple(out)
