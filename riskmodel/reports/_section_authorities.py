"""The report's ``authorities`` section: each authority on its own rows, and pooling vs alone.

Shown only for a pooled backtest (``BacktestResult.by_authority`` has rows). For each
authority it reads two tables of :class:`~riskmodel.evaluation.BacktestResult`:

- ``by_authority``: the pooled model, the authority's own model and the best simple
  rule on that authority's test rows alone (its own lists, its own children
  resampled);
- ``pooled_vs_own``: the pooled model minus the authority's own model (the same
  estimator fitted fold by fold on its rows alone), with a paired interval, written
  as plain sentences.

Folds where an authority had no own model (no care entry in its training rows) come
from ``BacktestResult.notes`` (model ``"own model"``) and are said in words.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from riskmodel.evaluation import MIN_CARE_ENTRIES, MODEL, OWN_MODEL
from riskmodel.metrics import PAIRED_METRICS
from riskmodel.reports._blocks import Block, Bullets, Callout, Details, Heading, Para, Table
from riskmodel.reports._format import fmt, fmt_children
from riskmodel.reports._numbers import RULE_PREFIX, Estimate

__all__ = ["KEY_METRICS", "PAIRED_WORDS", "authorities_section", "has_authorities"]

KEY_METRICS: tuple[tuple[str, str, str], ...] = (
    ("roc_auc", "Ranking (AUC)", "ratio"),
    ("average_precision", "Average precision", "small"),
    ("precision_at_top_share", "Precision in its top {share}", "pct"),
    ("precision_at_capacity", "Precision at capacity", "pct"),
    ("recall_at_capacity", "Recall at capacity", "pct"),
    ("observed_expected_ratio", "Observed / expected", "ratio"),
    ("calibration_slope", "Calibration slope", "ratio"),
)
"""The measures of each authority's table: metric, name (``{share}``: top share), format."""

PAIRED_WORDS: dict[str, tuple[str, str]] = {
    "roc_auc": ("ranking (AUC)", "ratio"),
    "average_precision": ("average precision", "small"),
    "brier_score": ("Brier score", "small"),
    "log_loss": ("log loss", "small"),
    "precision_at_top_share": ("precision among its top {share}", "pct"),
    "precision_at_capacity": ("precision among the {capacity} it flags at each date", "pct"),
    "recall_at_capacity": ("recall at capacity (its entrants who were on its list)", "pct"),
}
"""How the pooled-against-own sentences name each compared measure, and its format."""

COLUMNS = ((MODEL, "Pooled model"), (OWN_MODEL, "Its own model"))
"""The models of each authority's table before the best rule, with their headings."""


def _table(backtest: Any, attribute: str) -> pd.DataFrame:
    table = getattr(backtest, attribute, None)
    return table if isinstance(table, pd.DataFrame) else pd.DataFrame()


def has_authorities(backtest: Any) -> bool:
    """Whether the backtest pooled authorities and so has ``by_authority`` rows."""
    return not _table(backtest, "by_authority").empty


def _share(backtest: Any) -> str:
    return fmt(getattr(backtest, "top_share", 0.02), "pct")


def _estimate(rows: pd.DataFrame, model: str, metric: str) -> Estimate:
    hit = rows[(rows["model"] == model) & (rows["metric"] == metric)]
    if hit.empty:
        return Estimate()
    row = hit.iloc[0]
    return Estimate(float(row["value"]), float(row["lower"]), float(row["upper"]))


def best_rule(rows: pd.DataFrame) -> str | None:
    """Name the rule with the highest AUC on one authority's rows (None without rules)."""
    rules = [str(m) for m in pd.unique(rows["model"]) if str(m).startswith(RULE_PREFIX)]
    scored = [(_estimate(rows, r, "roc_auc").value, r) for r in rules]
    scored = [(value, r) for value, r in scored if math.isfinite(value)]
    return max(scored)[1] if scored else None


def _key_table(code: str, rows: pd.DataFrame, backtest: Any) -> Table:
    """Tabulate the key figures on one authority's rows: pooled, own model, best rule."""
    present = set(rows["model"])
    models = [(m, label) for m, label in COLUMNS if m in present]
    rule = best_rule(rows)
    if rule is not None:
        models.append((rule, "Best rule here"))
    body = []
    for metric, name, kind in KEY_METRICS:
        cells = [_estimate(rows, m, metric).text(kind) for m, _ in models]
        if any(c != "—" for c in cells):
            body.append([name.format(share=_share(backtest)), *cells])
    caption = f"Authority {code}, its test rows only: value (95% interval)"
    if rule is not None:
        caption += f"; best rule here (by AUC on these rows): '{rule}'"
    caption += (
        "; a value without an interval could not be computed on enough resamples of "
        "the authority's children (too few care entries) to give one"
    )
    return Table.of(["Measure", *(label for _, label in models)], body, caption=caption)


def _counts(code: str, rows: pd.DataFrame, synthetic: bool) -> tuple[Block, ...]:
    """Test rows and care entries of one authority, with a warning when entries are few."""
    own = rows[rows["model"] == MODEL]
    if own.empty:
        return ()
    n_test, positives = int(own["n_test"].iloc[0]), int(own["test_positives"].iloc[0])
    text = (
        f"Authority {code}: {fmt(n_test, 'int')} test rows (child-dates) with "
        f"{fmt_children(positives, synthetic)} care entries."
    )
    if positives >= MIN_CARE_ENTRIES:
        return (Para(text),)
    warning = (
        f"Authority {code} has fewer than {MIN_CARE_ENTRIES} care entries in its test "
        "rows: its figures are rough, its intervals wide, and some measures may not be "
        "estimable."
    )
    return (Para(text), Callout(warning, "warn"))


def _amount(value: float, kind: str) -> str:
    """Write a size of change (percentages as percentage points)."""
    text = fmt(value, kind)
    return text[:-1] + " percentage points" if kind == "pct" else text


def _interval(lower: float, upper: float, kind: str) -> str:
    """``"95% interval for the change −0.01 to 0.05"`` (percentages in points)."""
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return "no interval"
    low, high = fmt(lower, kind), fmt(upper, kind)
    if kind == "pct":
        low, high = low[:-1], high[:-1] + " percentage points"
    return f"95% interval for the change {low} to {high}"


def _verdict(row: Any) -> str:
    """Whether the paired interval shows pooling helping, harming, or neither."""
    if not (math.isfinite(row.lower) and math.isfinite(row.upper)):
        return "Without an interval this cannot be judged."
    if row.lower <= 0 <= row.upper:
        return (
            "The interval includes zero: these test rows cannot tell whether pooling "
            "helps or harms it on this measure."
        )
    higher_is_better = PAIRED_METRICS.get(row.metric, 1) > 0
    helped = (row.difference > 0) == higher_is_better
    better = "higher" if higher_is_better else "lower"
    outcome = "pooling helped it" if helped else "pooling made it worse"
    return f"The interval excludes zero: {outcome} ({better} is better)."


def change_sentence(row: Any, backtest: Any) -> str:
    """One row of ``pooled_vs_own`` in plain words: what pooling changed, and how surely."""
    name, kind = PAIRED_WORDS[row.metric]
    name = name.format(share=_share(backtest), capacity=backtest.capacity)
    pooled, own = fmt(row.pooled, kind), fmt(row.own, kind)
    if not math.isfinite(row.difference):
        return f"Its {name} could not be compared (pooled {pooled}, own model {own})."
    interval = _interval(row.lower, row.upper, kind)
    if row.difference == 0:
        change = f"Pooling left its {name} unchanged at {pooled} ({interval})."
    else:
        verb = "raised" if row.difference > 0 else "lowered"
        change = (
            f"Pooling {verb} its {name} by {_amount(abs(row.difference), kind)} "
            f"({interval}): {pooled} pooled against {own} with its own model."
        )
    return f"{change} {_verdict(row)}"


def _own_notes(code: str, backtest: Any) -> tuple[list[str], list[str]]:
    """Folds where the authority had no own model, and what its own model's fits warned."""
    notes = _table(backtest, "notes")
    if notes.empty:
        return [], []
    own = notes[notes["model"] == OWN_MODEL]["note"].astype(str)
    missing = [n for n in own if n.startswith(f"authority {code}: ")]
    warned = [n for n in own if n.startswith(f"authority {code}, ")]
    return missing, warned


def _pooling_blocks(code: str, backtest: Any, n_test: int) -> tuple[Block, ...]:
    """Pooling against the authority's own model, in sentences, and its folds without one."""
    paired = _table(backtest, "pooled_vs_own")
    rows = paired[paired["authority"].astype(str) == code] if not paired.empty else paired
    missing, warned = _own_notes(code, backtest)
    out: list[Block] = [Heading(f"Pooling against {code}'s own model", 4)]
    if paired.empty and not missing:
        out.append(
            Para(
                "The backtest fitted no own models, so pooling is not set against "
                "going alone here."
            )
        )
    elif rows.empty:
        out.append(
            Para(
                f"Authority {code} had no own model in any fold, so pooling cannot "
                "be set against going alone."
            )
        )
    else:
        compared = int(rows["n_test"].iloc[0])
        if compared < n_test:
            out.append(
                Para(
                    f"Compared on the {fmt(compared, 'int')} of its "
                    f"{fmt(n_test, 'int')} test rows where it had an own model."
                )
            )
        known = rows[rows["metric"].isin(list(PAIRED_WORDS))]
        out.append(Bullets.of(change_sentence(r, backtest) for r in known.itertuples()))
    if missing:
        out.append(Para(f"Folds where {code} had no own model:"))
        out.append(Bullets.of(f"{n[0].upper()}{n[1:]}." for n in missing))
    if warned:
        items = Bullets.of(f"{n[0].upper()}{n[1:]}." for n in warned)
        out.append(Details(f"What fitting {code}'s own model warned ({len(warned)})", (items,)))
    return tuple(out)


def _intro(backtest: Any, codes: list[str]) -> tuple[Block, ...]:
    capacity = backtest.capacity
    lists = (
        f"the {capacity} highest scores within the authority at each as-of date, and its "
        f"own top {_share(backtest)}"
        if capacity
        else f"its own top {_share(backtest)} at each as-of date"
    )
    return (
        Para(
            f"The model was trained on the children of {len(codes)} authorities together "
            f"({', '.join(codes)}). Each authority still acts on its own list, so here "
            f"each is measured on its own test rows alone: its lists are its own ({lists}) "
            "and the intervals resample its own children. Beside the pooled model stand "
            "the same model fitted, fold by fold, on that authority's training rows alone "
            "(its own model) and the simple rule that ranks its rows best."
        ),
        Para(
            "Pooling against going alone: the pooled model minus the authority's own model "
            "on the test rows both scored, with a paired 95% interval (each resample of "
            "the authority's children scores both models on the same rows). A change "
            "whose interval includes zero is within the noise of who happened to be in "
            "the test dates: it shows neither that pooling helps nor that it harms."
        ),
    )


def authorities_section(backtest: Any, *, synthetic: bool) -> tuple[Block, ...]:
    """Build the ``authorities`` section (no blocks when the backtest did not pool)."""
    if not has_authorities(backtest):
        return ()
    table = _table(backtest, "by_authority")
    codes = sorted(map(str, pd.unique(table["authority"])))
    out: list[Block] = list(_intro(backtest, codes))
    for code in codes:
        rows = table[table["authority"].astype(str) == code]
        model_rows = rows[rows["model"] == MODEL]
        n_test = int(model_rows["n_test"].iloc[0]) if len(model_rows) else 0
        out.append(Heading(f"Authority {code}"))
        out.extend(_counts(code, rows, synthetic))
        out.append(_key_table(code, rows, backtest))
        out.extend(_pooling_blocks(code, backtest, n_test))
    return tuple(out)
