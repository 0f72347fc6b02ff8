"""The report's ``backtest`` section: the temporal backtest against simple rules, fold by fold."""

from __future__ import annotations

from typing import Any

import riskmodel.reports._figures as _figures
from riskmodel.reports._blocks import Block, Bullets, Callout, Figure, Heading, Para, Table
from riskmodel.reports._format import fmt, fmt_date
from riskmodel.reports._numbers import (
    BEST_ACHIEVABLE,
    BEST_POSSIBLE,
    estimate,
    model_label,
    model_names,
)
from riskmodel.reports._sample import sample_note
from riskmodel.reports._section_gap import gap_blocks, notes_blocks

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
        "precision_at_top_share",
        "Precision in the top {share}",
        "pct",
        "share of the children in the top {share} of each as-of date's list who entered "
        "care, averaged over the dates",
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
"""The measures of the backtest table: metric, name, number format, plain meaning.

``{share}`` in a name or meaning is the backtest's top share (2% by default).
"""


def _share(backtest: Any) -> str:
    return fmt(getattr(backtest, "top_share", 0.02), "pct")


def _metrics_table(backtest: Any) -> Table:
    models = model_names(backtest)
    rows = []
    for metric, name, kind, _ in METRICS:
        cells = [estimate(backtest, metric, m).text(kind) for m in models]
        if any(c != "—" for c in cells):
            rows.append([name.format(share=_share(backtest)), *cells])
    return Table.of(
        ["Measure", *(model_label(m) for m in models)],
        rows,
        caption="All test dates pooled; value (95% interval)",
    )


def _best_possible(backtest: Any) -> tuple[Block, ...]:
    ceiling = estimate(backtest, "roc_auc", BEST_POSSIBLE)
    if not ceiling.known:
        return ()
    model = estimate(backtest, "roc_auc")
    ap_ceiling = estimate(backtest, "average_precision", BEST_POSSIBLE)
    ap_model = estimate(backtest, "average_precision")
    text = (
        "On this synthetic authority each child's true probability of entering care is "
        "known. Scored on the same rows, the true probabilities reach an AUC of "
        f"{ceiling.prose()} and an average precision of {ap_ceiling.prose('small')}: the "
        "most any model could achieve, because care entry is uncertain even with perfect "
        f"knowledge. The model reaches {model.prose()} and {ap_model.prose('small')}: a "
        f"gap of {fmt(ceiling.value - model.value)} in AUC."
    )
    achievable = estimate(backtest, "roc_auc", BEST_ACHIEVABLE)
    if achievable.known:
        ap = estimate(backtest, "average_precision", BEST_ACHIEVABLE)
        text += (
            " The best prediction from the records alone (what was recorded before each "
            f"as-of date, without the hidden family state) reaches {achievable.prose()} "
            f"and {ap.prose('small')}: that is the reference for the model, and the rest "
            "of the gap to the truth is what the records cannot show."
        )
    return (Callout(text),)


def _folds_table(backtest: Any) -> Table:
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
    return Table.of(header, rows, caption="Each fold: this model, value (95% interval)")


def backtest_section(backtest: Any, horizon_months: int) -> tuple[Block, ...]:
    """Build the ``backtest`` section."""
    n_folds = len(backtest.folds)
    return (
        Para(
            "The model was tested as it would be used: fitted only on earlier as-of dates, "
            f"then scored on later dates it had never seen, in {n_folds} rolling folds. "
            f"Training dates end at least {horizon_months} months before the test dates, "
            "so no training outcome overlaps the test period. It is compared with simple "
            "rules an authority might otherwise use, refitted on the same folds."
        ),
        *sample_note(backtest),
        Para(
            "Intervals are 95% bootstrap intervals that resample children with all their "
            "rows, so a child seen at many dates does not make the evidence look stronger "
            "than it is."
        ),
        _metrics_table(backtest),
        *notes_blocks(backtest),
        Bullets.of(
            f"{name}: {meaning}.".format(share=_share(backtest)) for _, name, _, meaning in METRICS
        ),
        *_best_possible(backtest),
        *gap_blocks(backtest),
        Heading("Folds"),
        _folds_table(backtest),
        Heading("Over time"),
        Figure.of(
            _figures.over_time(backtest),
            alt="Line charts of AUC and average precision at each test as-of date, per model",
            caption="Ranking (left) and average precision (right) at each test as-of date. "
            "Points rest on few entrants each, so month-to-month movement is mostly noise; "
            "a steady fall would be drift.",
        ),
    )
