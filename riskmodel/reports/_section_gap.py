"""The backtest section's comparison: the model against the best rule and the best achievable.

Two tables read from :class:`~riskmodel.evaluation.BacktestResult`: ``paired`` (the
model minus the best rule, with a paired interval over children) and
``achievable_share`` (how much of the gain from the best rule to the best achievable
from the records the model reaches). And the backtest's ``notes``: why a measure has
no value or no interval, in words.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from riskmodel.reports._blocks import Block, Bullets, Heading, Para, Table
from riskmodel.reports._format import fmt, fmt_range
from riskmodel.reports._numbers import MODEL, model_label

GAP_METRICS: dict[str, tuple[str, str]] = {
    "roc_auc": ("Ranking (AUC)", "ratio"),
    "average_precision": ("Average precision", "small"),
    "brier_score": ("Brier score (lower is better)", "small"),
    "log_loss": ("Log loss (lower is better)", "small"),
    "precision_at_top_share": ("Precision in the top {share}", "pct"),
    "precision_at_capacity": ("Precision at capacity", "pct"),
    "recall_at_capacity": ("Recall at capacity", "pct"),
}
"""The compared measures: name (``{share}`` is the top share) and number format."""


def _name(metric: str, backtest: Any) -> str:
    share = getattr(backtest, "top_share", 0.02)
    return GAP_METRICS[metric][0].format(share=fmt(share, "pct"))


def _frame(backtest: Any, attribute: str) -> pd.DataFrame:
    table = getattr(backtest, attribute, None)
    return table if isinstance(table, pd.DataFrame) else pd.DataFrame()


def _difference(row: Any, kind: str) -> str:
    """``"+0.18 (0.09 to 0.27)"``: a signed difference and its paired interval."""
    if not math.isfinite(row.difference):
        return "—"
    sign = "+" if row.difference > 0 else ""
    text = sign + fmt(row.difference, kind)
    interval = fmt_range(row.difference, row.lower, row.upper, kind)
    return f"{text} ({interval})" if interval else text


def _share_text(share: float, reason: str) -> str:
    return fmt(share, "pct") if math.isfinite(share) else f"— ({reason})"


def comparison_table(backtest: Any) -> Table | None:
    """Tabulate each measure: best rule, its value, the model's, the achievable, the share."""
    paired = _frame(backtest, "paired")
    if paired.empty:
        return None
    shares = _frame(backtest, "achievable_share")
    if not shares.empty:
        shares = shares[shares["fold"] == "overall"].set_index("metric")
    rows = []
    for row in paired.itertuples():
        if row.metric not in GAP_METRICS:
            continue
        kind = GAP_METRICS[row.metric][1]
        cells = [
            _name(row.metric, backtest),
            row.best_rule,
            fmt(row.rule, kind),
            fmt(row.model, kind),
            _difference(row, kind),
        ]
        if not shares.empty and row.metric in shares.index:
            s = shares.loc[row.metric]
            cells += [fmt(s["achievable"], kind), _share_text(s["share"], s["reason"])]
        elif not shares.empty:
            cells += ["—", "—"]
        rows.append(cells)
    header = ["Measure", "Best rule on it", "Best rule", "This model", "Model − rule (95%)"]
    if not shares.empty:
        header += ["Best achievable from the records", "Share of the achievable gain"]
    return Table.of(
        header,
        rows,
        caption="The model against the best rule on each measure, all test dates pooled; "
        "model − rule with its paired 95% interval over children",
        numeric_from=2,
    )


def gap_blocks(backtest: Any) -> tuple[Block, ...]:
    """Build the comparison sub-section: how to read it and its table (none without rules)."""
    table = comparison_table(backtest)
    if table is None:
        return ()
    text = (
        "On each measure the model is set against the rule that does best on it. The "
        "difference comes with a paired interval: each resample of children scores the "
        "model and the rule on the same rows, so an interval that excludes 0 means the "
        "model beats (or trails) that rule beyond the noise of who happened to be in "
        "the test dates."
    )
    if not _frame(backtest, "achievable_share").empty:
        text += (
            " The best achievable from the records is the probability of a care entry "
            "given only what was recorded before each as-of date (known here because the "
            "authority is synthetic). The share of the achievable gain is (model − best "
            "rule) / (best achievable − best rule): 0% is no better than the rule, 100% "
            "is all the records allow. A low share is model weakness; the gap between the "
            "best achievable and the best possible is what the records cannot show."
        )
    return (Heading("Against the best rule and the best achievable"), Para(text), table)


def note(backtest: Any, metric: str, model: str = MODEL) -> str:
    """Return the backtest's note on a pooled measure of ``model`` ("" when there is none)."""
    notes = _frame(backtest, "notes")
    if notes.empty:
        return ""
    hit = notes[
        (notes["model"] == model) & (notes["fold"] == "overall") & (notes["metric"] == metric)
    ]
    return "" if hit.empty else str(hit["note"].iloc[0])


def notes_blocks(backtest: Any) -> tuple[Block, ...]:
    """Why a measure of the pooled table has no value or no interval, a line per model.

    Notes on single folds stay in ``backtest.notes``: the report's per-fold table
    shows AUC and average precision only.
    """
    notes = _frame(backtest, "notes")
    if notes.empty:
        return ()
    notes = notes[notes["fold"] == "overall"]
    items = [f"{model_label(r.model)}: {r.note}." for r in notes.itertuples()]
    if not items:
        return ()
    return (Para("Measures the test dates could not support:"), Bullets.of(items))
