"""Sections on performance: the temporal backtest, and calibration overall and within groups."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskmodel.reports import _figures
from riskmodel.reports._html import (
    Cell,
    bullets,
    callout,
    details,
    fmt,
    fmt_date,
    fmt_interval,
    heading,
    para,
    table,
)
from riskmodel.reports._numbers import (
    BEST_POSSIBLE,
    MODEL,
    estimate,
    model_names,
)

METRICS: tuple[tuple[str, str, str, str], ...] = (
    (
        "roc_auc",
        "Ranking (AUC)",
        "ratio",
        "the chance that a child who entered care scored above one who did not; 0.5 is "
        "chance, 1 is perfect",
    ),
    (
        "average_precision",
        "Average precision",
        "small",
        "how well entrants are concentrated at the top of the list; a random list scores "
        "about the base rate",
    ),
    (
        "brier_score",
        "Brier score",
        "small",
        "mean squared error of the probabilities; lower is better",
    ),
    (
        "expected_calibration_error",
        "Calibration error (ECE)",
        "small",
        "average gap between predicted and observed rates; lower is better",
    ),
    (
        "calibration_slope",
        "Calibration slope",
        "ratio",
        "1 is ideal; below 1 the scores are too extreme, above 1 too timid",
    ),
    ("calibration_intercept", "Calibration intercept", "ratio", "0 is ideal"),
    (
        "observed_expected_ratio",
        "Observed / expected",
        "ratio",
        "entrants observed divided by entrants predicted; 1 is ideal, below 1 the scores "
        "over-predict",
    ),
    (
        "precision_at_capacity",
        "Precision at capacity",
        "pct",
        "share of the children flagged at each as-of date who entered care",
    ),
    (
        "recall_at_capacity",
        "Recall at capacity",
        "pct",
        "share of the children who entered care who were on the list",
    ),
    (
        "nnf_at_capacity",
        "Number needed to flag",
        "count",
        "children flagged for each child found who entered care",
    ),
)


def label(model: str) -> str:
    """Name a backtest model for readers."""
    return "This model" if model == MODEL else model


def _metrics_table(backtest: Any) -> str:
    models = model_names(backtest)
    rows = []
    for metric, name, kind, _ in METRICS:
        cells = [estimate(backtest, metric, m).text(kind) for m in models]
        if any(c != "—" for c in cells):
            rows.append([name, *cells])
    return table(
        ["Measure", *(label(m) for m in models)],
        rows,
        caption="All test dates pooled; value (95% interval)",
    )


def _best_possible(backtest: Any) -> str:
    ceiling = estimate(backtest, "roc_auc", BEST_POSSIBLE)
    if not ceiling.known:
        return ""
    model = estimate(backtest, "roc_auc")
    ap_ceiling = estimate(backtest, "average_precision", BEST_POSSIBLE)
    ap_model = estimate(backtest, "average_precision")
    return callout(
        "On this synthetic authority each child's true probability of entering care is "
        "known. Scored on the same rows, the true probabilities reach an AUC of "
        f"{ceiling.prose()} and an average precision of {ap_ceiling.prose('small')}: the "
        "most any model could achieve, because care entry is uncertain even with perfect "
        f"knowledge. The model reaches {model.prose()} and {ap_model.prose('small')}: a "
        f"gap of {fmt(ceiling.value - model.value)} in AUC."
    )


def _folds_table(backtest: Any) -> str:
    rows = []
    for fold in backtest.folds.itertuples():
        auc = estimate(backtest, "roc_auc", fold=fold.fold)
        ap = estimate(backtest, "average_precision", fold=fold.fold)
        rows.append(
            [
                str(fold.fold),
                f"{fmt_date(fold.train_start)} to {fmt_date(fold.train_end)}",
                f"{fmt_date(fold.test_start)} to {fmt_date(fold.test_end)}",
                f"{fold.n_train:,} ({fold.train_positives:,})",
                f"{fold.n_test:,} ({fold.test_positives:,})",
                auc.text(),
                ap.text("small"),
            ]
        )
    header = [
        "Fold",
        "Training as-of dates",
        "Test as-of dates",
        "Training rows (entrants)",
        "Test rows (entrants)",
        "AUC",
        "Average precision",
    ]
    return table(header, rows, caption="Each fold: this model, value (95% interval)")


def backtest_section(backtest: Any, horizon_months: int) -> str:
    """Render the ``backtest`` section."""
    n_folds = len(backtest.folds)
    out = [
        para(
            "The model was tested as it would be used: fitted only on earlier as-of dates, "
            f"then scored on later dates it had never seen, in {n_folds} rolling folds. "
            f"Training dates end at least {horizon_months} months before the test dates, "
            "so no training outcome overlaps the test period. It is compared with simple "
            "rules an authority might otherwise use, refitted on the same folds."
        ),
        para(
            "Intervals are 95% bootstrap intervals that resample children with all their "
            "rows, so a child seen at many dates does not make the evidence look stronger "
            "than it is."
        ),
        _metrics_table(backtest),
        bullets(f"{name}: {meaning}." for _, name, _, meaning in METRICS),
        _best_possible(backtest),
        heading("Folds"),
        _folds_table(backtest),
        heading("Over time"),
        _figures.figure_html(
            _figures.over_time(backtest),
            alt="Line charts of AUC and average precision at each test as-of date, per model",
            caption="Ranking (left) and average precision (right) at each test as-of date. "
            "Points rest on few entrants each, so month-to-month movement is mostly noise; "
            "a steady fall would be drift.",
        ),
    ]
    return "".join(out)


def _overall_calibration(backtest: Any) -> str:
    by_date = backtest.by_date[backtest.by_date["model"] == MODEL]
    observed, expected = by_date["observed"].sum(), by_date["expected"].sum()
    ratio = estimate(backtest, "observed_expected_ratio")
    slope = estimate(backtest, "calibration_slope")
    intercept = estimate(backtest, "calibration_intercept")
    return para(
        f"Over all test dates the model expected {fmt(expected, 'count')} care entries and "
        f"{fmt(observed, 'count')} were observed: observed/expected {ratio.prose()}. The "
        f"calibration slope was {slope.prose()} (1 is ideal) and the intercept "
        f"{intercept.prose()} (0 is ideal)."
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


def _group_calibration_table(rows: pd.DataFrame) -> str:
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
    return table(header, body, caption="Observed/expected within groups (95% interval)")


def _band_tables(audit: Any) -> str:
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
            table(
                ["Group", "Risk bands", "Child-dates", "Mean score", "Observed rate (95%)"],
                rows,
                caption=f"{attribute}: predicted against observed by risk band (20 = highest)",
            )
        )
    return details("Calibration by risk band within each group", "".join(out))


def calibration_section(backtest: Any, audit: Any) -> str:
    """Render the ``calibration`` section: overall and within groups."""
    rows = group_calibration(audit)
    shown = rows[~rows["suppressed"] & rows["value"].notna() & (rows["observed"] > 0)]
    forest = _figures.forest(
        shown.assign(label=shown["attribute"] + ": " + shown["group"]),
        title="Observed / expected care entries within groups",
        xlabel="observed / expected (1 = calibrated; 95% interval)",
        reference=1.0,
        band=audit.parity_range,
    )
    return "".join(
        [
            para(
                "A calibrated score means what it says: of children scored at 5%, about 5 "
                "in 100 enter care. Calibration matters because practitioners read the "
                "score as a probability, and because a score that is right on average can "
                "still over-predict for one group and under-predict for another."
            ),
            _overall_calibration(backtest),
            _figures.figure_html(
                _figures.reliability(backtest),
                alt="Reliability diagram: mean predicted probability against observed rate",
                caption="Reliability: each point is a tenth of the test rows by score; "
                "points on the dashed line are calibrated.",
            ),
            heading("Within groups"),
            para(
                "Observed/expected below 1 means the scores over-predict for the group (its "
                "children are flagged more than their outcomes justify); above 1 means they "
                "under-predict. A group is marked when the ratio lies outside "
                f"{fmt(audit.parity_range[0])}-{fmt(audit.parity_range[1])} and its interval "
                "excludes 1."
            ),
            _figures.figure_html(
                forest,
                alt="Observed over expected care entries per group with 95% intervals",
                caption="Marked groups in red. Suppressed groups and groups without "
                "entrants are not shown.",
            ),
            _group_calibration_table(rows),
            _band_tables(audit),
        ]
    )
