"""The README's backtest figures: the model, the best rule, the best achievable and the truth.

On the synthetic authority of the README's library example (20,000 children, seed 0,
quarterly as-of dates 2016-04-01 to 2023-01-01, a 12-month horizon, three temporal
folds, a service of 20 families per quarterly list), the README's model is
backtested beside the rule baselines, the best achievable from the records (the
probability of a care entry given only what was recorded before each as-of date,
``data.truth.achievable_for_keys``) and the best possible (the true probability,
``data.truth.for_keys``). It prints the four columns, the model's share of the
achievable gain and the paired difference between the model and the best rule.

Run with ``python -m pipelines.backtest_figures``; it prints the tables the README
quotes.
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

import riskmodel as rm
from riskmodel.evaluation import BEST_ACHIEVABLE, BEST_POSSIBLE, MODEL

HORIZON = 12
SHOWN = (
    "roc_auc",
    "average_precision",
    "precision_at_top_share",
    "precision_at_capacity",
    "recall_at_capacity",
    "calibration_slope",
    "observed_expected_ratio",
)


def run_backtest(data, capacity: int, seed: int, n_resamples: int) -> rm.BacktestResult:
    """Backtest the README's model with the truth and, where known, the best achievable."""
    dates = pd.date_range("2016-04-01", "2023-01-01", freq="QS-APR")
    frame = rm.build_training_frame(data, dates, horizon_months=HORIZON)
    truth = data.truth.for_keys(frame.keys, horizon_months=HORIZON)
    achievable_for_keys = getattr(data.truth, "achievable_for_keys", None)
    achievable = (
        None
        if achievable_for_keys is None
        else achievable_for_keys(data, frame.keys, horizon_months=HORIZON)
    )
    model = rm.RiskClassifier("hgb", calibration="temperature", random_state=seed)
    return rm.backtest(
        model,
        frame,
        rm.TemporalSplit(3, horizon_months=HORIZON),
        capacity=capacity,
        truth=truth,
        achievable=achievable,
        n_resamples=n_resamples,
        random_state=seed,
    )


def four_columns(result: rm.BacktestResult) -> pd.DataFrame:
    """Model, best rule (by AUC), best achievable and best possible: value (interval)."""
    overall = result.metrics[result.metrics["fold"] == "overall"]
    rules = [m for m in overall["model"].unique() if m.startswith("rule")]
    auc = overall[overall["metric"] == "roc_auc"].set_index("model")["value"]
    best_rule = max(rules, key=lambda r: auc[r])
    columns = [MODEL, best_rule, BEST_ACHIEVABLE, BEST_POSSIBLE]
    cells = {}
    for row in overall.itertuples():
        if row.model in columns and row.metric in SHOWN:
            text = f"{row.value:.4g}"
            if pd.notna(row.lower):
                text += f" ({row.lower:.3g}-{row.upper:.3g})"
            cells[(row.metric, row.model)] = text
    table = pd.Series(cells).unstack()
    return table.reindex(index=list(SHOWN), columns=[c for c in columns if c in table.columns])


def main(argv: list[str] | None = None) -> None:
    """Compute and print the README's backtest figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--n-resamples", type=int, default=500)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    warnings.simplefilter("ignore", rm.DataQualityWarning)
    data = rm.make_local_authority(n_children=args.n_children, random_state=args.seed)
    result = run_backtest(data, args.capacity, args.seed, args.n_resamples)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("all test dates pooled: value (95% interval over children)")
        print(four_columns(result).to_string())
        if not result.achievable_share.empty:
            share = result.achievable_share.query("fold == 'overall'")
            print("\nshare of the achievable gain (model - best rule) / (achievable - best rule):")
            print(share.drop(columns="fold").to_string(index=False))
        print("\nmodel minus the best rule (paired 95% interval over children):")
        print(result.paired.to_string(index=False))
        if not result.notes.empty:
            print("\nnotes:")
            for r in result.notes.itertuples():
                print(f"- {r.model}, fold {r.fold}: {r.note}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
