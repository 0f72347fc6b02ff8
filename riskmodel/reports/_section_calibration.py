"""The report's ``calibration`` section: observed against expected, overall and within groups."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import riskmodel.reports._figures as _figures
from riskmodel.reports._blocks import Block, Cell, Details, Figure, Heading, Para, Table
from riskmodel.reports._format import fmt, fmt_interval
from riskmodel.reports._numbers import MODEL, estimate
from riskmodel.reports._section_gap import note


def _overall_calibration(backtest: Any) -> Para:
    by_date = backtest.by_date[backtest.by_date["model"] == MODEL]
    observed, expected = by_date["observed"].sum(), by_date["expected"].sum()
    ratio = estimate(backtest, "observed_expected_ratio")
    slope = estimate(backtest, "calibration_slope")
    intercept = estimate(backtest, "calibration_intercept")
    why = note(backtest, "calibration_slope")
    return Para(
        f"Over all test dates the model expected {fmt(expected, 'count')} care entries and "
        f"{fmt(observed, 'count')} were observed: observed/expected {ratio.prose()}. The "
        f"calibration slope was {slope.prose()} (1 is ideal) and the intercept "
        f"{intercept.prose()} (0 is ideal)." + (f" {why[:1].upper()}{why[1:]}." if why else "")
    )


def group_calibration(audit: Any) -> pd.DataFrame:
    """Observed/expected per group with a plain reading and whether it is flagged."""
    g = audit.by_group
    oe = g[g["metric"] == "observed_expected"].set_index(["attribute", "group"])
    prevalence = g[g["metric"] == "prevalence"].set_index(["attribute", "group"])["value"]
    mean = g[g["metric"] == "mean_score"].set_index(["attribute", "group"])["value"]
    low, high = audit.parity_range
    out = oe[["value", "lower", "upper", "n", "suppressed"]].copy()
    out["observed"] = prevalence.reindex(out.index) * out["n"]
    out["expected"] = mean.reindex(out.index) * out["n"]
    outside = (out["value"] < low) | (out["value"] > high)
    excludes = (out["lower"] > 1) | (out["upper"] < 1)
    out["flag"] = ~out["suppressed"] & (out["value"] > 0) & outside & excludes
    out["reading"] = np.select(
        [out["suppressed"], out["observed"].fillna(0) == 0, out["flag"] & (out["value"] < 1)],
        [
            f"suppressed (fewer than {audit.min_group_size} rows)",
            "no entrants: cannot judge",
            "scores over-predict",
        ],
        default=np.where(out["flag"], "scores under-predict", "consistent with the overall"),
    )
    return out.reset_index()


def _group_calibration_table(rows: pd.DataFrame) -> Table:
    body = []
    for r in rows.itertuples():
        hidden = bool(r.suppressed)
        cls = "suppressed" if hidden else ("flag" if r.flag else "")
        body.append(
            [
                Cell(r.attribute, "suppressed" if hidden else ""),
                Cell(r.group, "text"),
                fmt(r.n, "count"),
                "—" if hidden else fmt(r.observed, "int"),
                "—" if hidden else fmt(r.expected, "count"),
                Cell("—" if hidden else fmt_interval(r.value, r.lower, r.upper), cls),
                Cell(r.reading, "text " + cls),
            ]
        )
    header = ["Attribute", "Group", "Child-dates", "Entrants", "Predicted", "O/E", "Reading"]
    return Table.of(header, body, caption="Observed/expected within groups (95% interval)")


def _band_tables(audit: Any) -> Details:
    bands = audit.calibration_by_band
    out = []
    for attribute, part in bands.groupby("attribute", sort=False):
        rows = [
            [
                Cell(r.group, "suppressed" if r.suppressed else ""),
                f"{r.band_from}-{r.band_to}",
                fmt(r.n, "count"),
                "suppressed" if r.suppressed else fmt(r.mean_score, "pct"),
                "—" if r.suppressed else fmt_interval(r.observed_rate, r.lower, r.upper, "pct"),
            ]
            for r in part.itertuples()
        ]
        out.append(
            Table.of(
                ["Group", "Risk bands", "Child-dates", "Mean score", "Observed rate (95%)"],
                rows,
                caption=f"{attribute}: predicted against observed by risk band (20 = highest)",
            )
        )
    return Details("Calibration by risk band within each group", tuple(out))


def calibration_section(backtest: Any, audit: Any) -> tuple[Block, ...]:
    """Build the ``calibration`` section: overall and within groups."""
    rows = group_calibration(audit)
    shown = rows[~rows["suppressed"] & rows["value"].notna() & (rows["observed"] > 0)]
    forest = _figures.forest(
        shown.assign(label=shown["attribute"] + ": " + shown["group"]),
        title="Observed / expected care entries within groups",
        xlabel="observed / expected (1 = calibrated; 95% interval)",
        reference=1.0,
        band=audit.parity_range,
    )
    return (
        Para(
            "A calibrated score means what it says: of children scored at 5%, about 5 "
            "in 100 enter care. Calibration matters because practitioners read the "
            "score as a probability, and because a score that is right on average can "
            "still over-predict for one group and under-predict for another."
        ),
        _overall_calibration(backtest),
        Figure.of(
            _figures.reliability(backtest),
            alt="Reliability diagram: mean predicted probability against observed rate",
            caption="Reliability: each point is a tenth of the test rows by score; "
            "points on the dashed line are calibrated.",
        ),
        Heading("Within groups"),
        Para(
            "Observed/expected below 1 means the scores over-predict for the group (its "
            "children are flagged more than their outcomes justify); above 1 means they "
            "under-predict. A group is marked when the ratio lies outside "
            f"{fmt(audit.parity_range[0])}-{fmt(audit.parity_range[1])} and its interval "
            "excludes 1."
        ),
        Figure.of(
            forest,
            alt="Observed over expected care entries per group with 95% intervals",
            caption="Marked groups in red. Suppressed groups and groups without "
            "entrants are not shown.",
        ),
        _group_calibration_table(rows),
        _band_tables(audit),
    )
