"""What a backtest's tables say side by side: best rule, share of the achievable gain, pairs.

- The best rule on a metric is the baseline with the best value on it (highest AUC,
  lowest Brier score...), so the model is compared with the strongest rule on each.
- The model's share of the achievable gain is ``(model - best rule) / (best
  achievable - best rule)``: 0 is no better than the rule, 1 is all that the records
  allow. Brier score and log loss are lower-is-better; the share is computed on
  their improvements, so it reads the same way.
- The paired difference is the model minus the best rule, each resample of children
  scoring both on the same rows (:func:`~riskmodel.metrics.paired_difference`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.evaluation._keys import WEIGHT, child_ids, list_ids, row_keys, row_weights
from riskmodel.metrics import PAIRED_METRICS, paired_difference
from riskmodel.metrics._bootstrap import draw_counts, percentile_interval
from riskmodel.metrics._top_share import PerDateTop

__all__ = [
    "TOP_SHARE_METRIC",
    "achievable_share",
    "best_baselines",
    "compare",
    "paired_table",
    "side_by_side",
    "sparse_notes",
    "top_share_row",
]

TOP_SHARE_METRIC = "precision_at_top_share"
"""The metric name of the precision among each date's top share (2% by default)."""

SHARE_COLUMNS = ["fold", "metric", "best_rule", "model", "rule", "achievable", "share", "reason"]
PAIRED_COLUMNS = ["metric", "best_rule", "model", "rule", "difference", "lower", "upper"]


def top_share_row(part: pd.DataFrame, share: float, n_resamples: int, random_state: Any) -> dict:
    """Precision among each date's top ``share``, with a child-clustered interval.

    On a sample a row counts as its weight, in the share too; a resample weights each
    row by its child's count times its own weight.
    """
    weights = row_weights(part)
    own = np.ones(len(part)) if weights is None else weights
    top = PerDateTop(
        part["y_true"].to_numpy(float),
        part["y_score"].to_numpy(float),
        list_ids(part),
        share=share,
    )
    lower = upper = math.nan
    if n_resamples:
        codes, uniques = pd.factorize(child_ids(part))
        draws = np.array(
            [
                top.precision(counts[codes] * own)
                for counts in draw_counts(len(uniques), n_resamples, random_state)
            ]
        )
        usable = draws[np.isfinite(draws)]
        if len(usable):
            lower, upper = percentile_interval(usable, 0.95)
    value = top.precision(weights)
    return {"metric": TOP_SHARE_METRIC, "value": value, "lower": lower, "upper": upper}


def best_baselines(metrics: pd.DataFrame, baselines: list[str], fold: str) -> dict[str, str]:
    """For each compared metric, the baseline with the best value in ``fold``."""
    rows = metrics[(metrics["fold"] == fold) & metrics["model"].isin(baselines)]
    out = {}
    for metric, better in PAIRED_METRICS.items():
        part = rows[(rows["metric"] == metric) & np.isfinite(rows["value"])]
        if not part.empty:
            best = part["value"].idxmax() if better > 0 else part["value"].idxmin()
            out[metric] = str(part.loc[best, "model"])
    return out


def _share(model: float, rule: float, achievable: float, better: int) -> tuple[float, str]:
    if not all(map(math.isfinite, (model, rule, achievable))):
        return math.nan, "not measured for the model, the best rule or the best achievable"
    gain = better * (achievable - rule)
    if gain <= 0:
        return math.nan, "the best achievable is no better than the best rule on this metric"
    return better * (model - rule) / gain, ""


def achievable_share(
    metrics: pd.DataFrame, model: str, achievable: str, baselines: list[str]
) -> pd.DataFrame:
    """Return the model's share of the gain from the best rule to the best achievable."""
    rows = []
    value = metrics.set_index(["model", "fold", "metric"])["value"]
    for fold in dict.fromkeys(metrics["fold"]):
        for metric, rule_name in best_baselines(metrics, baselines, fold).items():
            m, r, a = (
                value.get((name, fold, metric), math.nan)
                for name in (model, rule_name, achievable)
            )
            share, reason = _share(float(m), float(r), float(a), PAIRED_METRICS[metric])
            rows.append([fold, metric, rule_name, m, r, a, share, reason])
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


def side_by_side(predictions: pd.DataFrame, model: str) -> pd.DataFrame:
    """Return one row per scored (child, date, fold): each model's score and ``y_true``.

    The outcome (and, on a sample, the ``sample_weight``) is ``model``'s rows' (every
    model scores the same rows, so any would do).
    """
    index = [*row_keys(predictions), "fold"]
    wide = predictions.pivot_table(index=index, columns="model", values="y_score", sort=False)
    carried = ["y_true", *([WEIGHT] if WEIGHT in predictions.columns else [])]
    truth = predictions[predictions["model"] == model].set_index(index)[carried]
    return wide.join(truth).reset_index()


def paired_table(
    predictions: pd.DataFrame,
    metrics: pd.DataFrame,
    model: str,
    baselines: list[str],
    *,
    share: float,
    capacity: int | None,
    n_resamples: int,
    random_state: Any,
) -> pd.DataFrame:
    """Model minus the best rule (on all test rows pooled) with paired cluster intervals."""
    best = best_baselines(metrics, baselines, "overall")
    wide = side_by_side(predictions, model)
    rows = []
    for rule_name in dict.fromkeys(best.values()):
        table = paired_difference(
            wide["y_true"].to_numpy(),
            wide[model].to_numpy(),
            wide[rule_name].to_numpy(),
            groups=list_ids(wide),
            clusters=child_ids(wide),
            share=share,
            capacity=capacity,
            n_resamples=n_resamples,
            random_state=random_state,
            sample_weight=row_weights(wide),
        ).set_index("metric")
        for metric in (m for m, r in best.items() if r == rule_name and m in table.index):
            row = table.loc[metric]
            rows.append(
                [
                    metric,
                    rule_name,
                    row["first"],
                    row["second"],
                    row["difference"],
                    row["lower"],
                    row["upper"],
                ]
            )
    order = {m: i for i, m in enumerate(PAIRED_METRICS)}
    out = pd.DataFrame(rows, columns=PAIRED_COLUMNS)
    return out.sort_values("metric", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def sparse_notes(
    metrics: pd.DataFrame, predictions: pd.DataFrame, n_resamples: int, references: tuple = ()
) -> pd.DataFrame:
    """Say, in words, why a metric of a model or baseline is missing or has no interval."""
    rows = metrics[~metrics["model"].isin(references)]
    no_value = rows["value"].isna()
    no_interval = np.isfinite(rows["value"]) & rows["lower"].isna() & (n_resamples > 0)
    positives = predictions.groupby(["model", "fold"])["y_true"].sum()
    overall = predictions.groupby("model")["y_true"].sum()
    out = []
    for r, missing in zip(rows.itertuples(), no_value, strict=True):
        if not (missing or no_interval[r.Index]):
            continue
        n = overall[r.model] if r.fold == "overall" else positives.get((r.model, int(r.fold)), 0)
        where = "all test dates" if r.fold == "overall" else f"the test dates of fold {r.fold}"
        what = r.metric.replace("_", " ")
        text = f"too few care entries in {where} (n={int(n)}) to estimate "
        if missing:
            text += f"the {what} of this score"
        else:
            text += (
                f"an interval for the {what}: it could not be computed on more than 10% "
                "of the resamples of children"
            )
        out.append([r.model, r.fold, r.metric, text])
    return pd.DataFrame(out, columns=["model", "fold", "metric", "note"])


def compare(
    predictions: pd.DataFrame,
    table: pd.DataFrame,
    *,
    names: tuple[str, str, tuple[str, ...]],
    baselines: list[str],
    capacity: int | None,
    n_resamples: int,
    random_state: Any,
    share: float,
) -> dict[str, pd.DataFrame]:
    """Return the backtest's ``notes``, ``achievable_share`` and ``paired`` tables.

    ``names`` is the model's name, the best achievable's and all the references'.
    """
    model, achievable, references = names
    out = {"notes": sparse_notes(table, predictions, n_resamples, references)}
    if baselines and achievable in set(table["model"]):
        out["achievable_share"] = achievable_share(table, model, achievable, baselines)
    if baselines:
        out["paired"] = paired_table(
            predictions,
            table,
            model,
            baselines,
            share=share,
            capacity=capacity,
            n_resamples=n_resamples,
            random_state=random_state,
        )
    return out
