"""The numbers the report quotes in words, read once from the backtest and the audit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.evaluation import BEST_ACHIEVABLE, BEST_POSSIBLE, MODEL
from riskmodel.evaluation._keys import row_weights
from riskmodel.evaluation._names import OWN_MODEL
from riskmodel.metrics import CAPACITY_METRICS
from riskmodel.reports._format import fmt, fmt_interval

RULE_PREFIX = "rule"
"""Backtest models whose names start with this are the simple rules (baselines)."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its interval (NaN when not measured)."""

    value: float = math.nan
    lower: float = math.nan
    upper: float = math.nan

    @property
    def known(self) -> bool:
        """Whether the value was measured."""
        return math.isfinite(self.value)

    def text(self, kind: str = "ratio") -> str:
        """``"0.78 (0.74–0.82)"``."""
        return fmt_interval(self.value, self.lower, self.upper, kind)

    def prose(self, kind: str = "ratio") -> str:
        """``"0.78 (95% interval 0.74 to 0.82)"``, or the value alone without interval."""
        if not self.known:
            return "not measurable"
        value = fmt(self.value, kind)
        if not (math.isfinite(self.lower) and math.isfinite(self.upper)):
            return f"{value} (no interval)"
        d = None if kind != "ratio" else 2
        return f"{value} (95% interval {fmt(self.lower, kind, d)} to {fmt(self.upper, kind, d)})"

    def scaled(self, factor: float) -> Estimate:
        """Return the estimate multiplied by a positive constant."""
        return Estimate(self.value * factor, self.lower * factor, self.upper * factor)

    def complement(self) -> Estimate:
        """``1 - estimate`` (the interval's ends swap)."""
        return Estimate(1 - self.value, 1 - self.upper, 1 - self.lower)


LABELS = {
    MODEL: "This model",
    BEST_ACHIEVABLE: "Best achievable from the records",
    BEST_POSSIBLE: "Best possible (the truth)",
    OWN_MODEL: "Each authority's own model",
}
"""Readers' names of the backtest's model and its two references."""


def model_label(model: str) -> str:
    """Name a backtest model for readers."""
    return LABELS.get(model, model)


def estimate(backtest: Any, metric: str, model: str = MODEL, fold: object = "overall") -> Estimate:
    """Read one metric of a backtest as an :class:`Estimate` (NaN when absent)."""
    m = backtest.metrics
    hit = m[(m["model"] == model) & (m["metric"] == metric) & (m["fold"].astype(str) == str(fold))]
    if hit.empty:
        return Estimate()
    row = hit.iloc[0]
    return Estimate(float(row["value"]), float(row["lower"]), float(row["upper"]))


def model_names(backtest: Any) -> list[str]:
    """List the backtest's models: the model, baselines, best achievable, best possible."""
    names = list(dict.fromkeys(backtest.metrics["model"].astype(str)))
    ends = (BEST_ACHIEVABLE, BEST_POSSIBLE)
    rest = [n for n in names if n not in (MODEL, *ends)]
    return [n for n in (MODEL,) if n in names] + rest + [n for n in ends if n in names]


def capacity_estimates(
    backtest: Any, capacity: int, model: str = MODEL, n_resamples: int = 200
) -> dict[str, Estimate]:
    """Precision, recall and number needed to flag at ``capacity`` (per as-of date).

    Read from the backtest when it used this capacity, otherwise computed from its
    out-of-fold predictions with the same cluster bootstrap (and, for a sampled
    backtest, the same weights).
    """
    if backtest.capacity == capacity:
        return {name: estimate(backtest, name, model) for name in CAPACITY_METRICS}
    from riskmodel.metrics import capacity_metrics

    part = backtest.predictions[backtest.predictions["model"] == model]
    if part.empty:
        return {name: Estimate() for name in CAPACITY_METRICS}
    table = capacity_metrics(
        part["y_true"].to_numpy(),
        part["y_score"].to_numpy(),
        part["as_of_date"].to_numpy(),
        part["person_id"].to_numpy(),
        capacity,
        n_resamples=n_resamples,
        random_state=0,
        sample_weight=row_weights(part),
    ).set_index("metric")
    return {
        name: Estimate(*(float(table.loc[name, c]) for c in ("value", "lower", "upper")))
        for name in CAPACITY_METRICS
    }


@dataclass(frozen=True)
class Headlines:
    """Numbers quoted in the summary, the limitations and the questions."""

    capacity: int | None
    horizon_months: int
    test_start: pd.Timestamp | None
    test_end: pd.Timestamp | None
    n_dates: int
    n_rows: int
    n_children: int
    n_entrants: int
    auc: Estimate
    best_rule: str | None
    best_rule_auc: Estimate
    best_possible_auc: Estimate
    at_capacity: dict[str, Estimate]
    observed_expected: Estimate
    fold_auc: tuple[float, float]
    n_flags: int
    flagged_groups: tuple[str, ...]
    suppressed: tuple[str, ...]

    def flagged_text(self, capacity: int) -> str:
        """``"Of the 50 children flagged at each as-of date, about 6 (4 to 8) ..."``."""
        precision = self.at_capacity["precision_at_capacity"]
        recall = self.at_capacity["recall_at_capacity"]
        if not precision.known:
            return (
                f"The backtest could not measure how many of the {capacity} flagged entered care."
            )
        found = precision.scaled(capacity)
        text = (
            f"Of the {capacity} children flagged at each as-of date, about "
            f"{fmt(found.value, 'count')} (95% interval {fmt(found.lower, 'count')} to "
            f"{fmt(found.upper, 'count')}) entered care within {self.horizon_months} months"
        )
        if recall.known:
            missed = recall.complement()
            text += (
                f"; the list missed about {fmt(missed.value, 'pct')} of the children who "
                f"entered care (95% interval {fmt(missed.lower, 'pct')} to "
                f"{fmt(missed.upper, 'pct')})"
            )
        return text + "."


def _best_rule(backtest: Any) -> tuple[str | None, Estimate]:
    rules = [n for n in model_names(backtest) if n.startswith(RULE_PREFIX)]
    scored = [(estimate(backtest, "roc_auc", n), n) for n in rules]
    scored = [(e, n) for e, n in scored if e.known]
    if not scored:
        return None, Estimate()
    best, name = max(scored, key=lambda pair: pair[0].value)
    return name, best


def _fold_range(backtest: Any) -> tuple[float, float]:
    m = backtest.metrics
    per_fold = m[(m["model"] == MODEL) & (m["metric"] == "roc_auc") & (m["fold"] != "overall")]
    values = per_fold["value"].to_numpy(float)
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if len(values) else (math.nan, math.nan)


def _group_names(table: pd.DataFrame) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f"{r.attribute} = {r.group}" for r in table.itertuples()))


def headlines(backtest: Any, audit: Any, capacity: int | None, horizon_months: int) -> Headlines:
    """Collect the quoted numbers from a backtest and a fairness audit."""
    preds = backtest.predictions
    part = preds[preds["model"] == MODEL] if not preds.empty else preds
    dates = pd.to_datetime(part["as_of_date"]) if not part.empty else pd.Series([], "M8[ns]")
    rule, rule_auc = _best_rule(backtest)
    hidden = audit.by_group[audit.by_group["suppressed"]]
    suppressed = hidden.drop_duplicates(["attribute", "group"])
    return Headlines(
        capacity=capacity,
        horizon_months=horizon_months,
        test_start=dates.min() if len(dates) else None,
        test_end=dates.max() if len(dates) else None,
        n_dates=int(dates.nunique()),
        n_rows=len(part),
        n_children=int(part["person_id"].nunique()) if len(part) else 0,
        n_entrants=int(part["y_true"].sum()) if len(part) else 0,
        auc=estimate(backtest, "roc_auc"),
        best_rule=rule,
        best_rule_auc=rule_auc,
        best_possible_auc=estimate(backtest, "roc_auc", BEST_POSSIBLE),
        at_capacity=capacity_estimates(backtest, capacity) if capacity else {},
        observed_expected=estimate(backtest, "observed_expected_ratio"),
        fold_auc=_fold_range(backtest),
        n_flags=len(audit.flags()),
        flagged_groups=_group_names(audit.flags()),
        suppressed=_group_names(suppressed),
    )
