"""The README's realised figures: what quarterly lists of 20 achieved, beside the backtest.

On the synthetic authority of the README's backtest table (20,000 children, seed 0, a
service of 20 families per quarterly list), a model is fitted as it would have been
before its first list: on quarterly as-of dates up to 2021-01-01, using only the data
known on 2022-01-01 (``data.known_at``), and backtested on those dates (its promise).
It then scores eight quarterly lists, 2022-01-01 to 2023-10-01, each on the data known
on its day, into one output folder, as a scheduled job would; finally
:func:`riskmodel.monitoring.realised_performance` reads what the lists achieved with the
full data (records to 2024-03-31: five lists complete, three partial).

Run with ``python -m pipelines.realised_figures`` (90 s measured on two cores); it prints
the tables the README quotes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

import riskmodel as rm
from riskmodel.monitoring import (
    PROMISE_COLUMNS,
    PROMISED_METRICS,
    read_score_history,
    realised_performance,
)

HORIZON = 12
RUNS = pd.date_range("2022-01-01", "2023-10-01", freq="QS-JAN")
SHOWN = ("precision_at_capacity", "recall_at_capacity", "roc_auc", "average_precision")


def fit_before_first_list(data, capacity: int, seed: int, n_resamples: int):
    """Fit and backtest the model on the dates whose outcomes were known by the first list."""
    dates = pd.date_range("2016-04-01", RUNS[0] - pd.DateOffset(months=HORIZON), freq="QS-APR")
    frame = rm.build_training_frame(data.known_at(RUNS[0]), dates, horizon_months=HORIZON)
    model = rm.RiskClassifier("hgb", calibration="temperature", random_state=seed)
    backtest = rm.backtest(
        model,
        frame,
        rm.TemporalSplit(3, test_duration=12, horizon_months=HORIZON),
        capacity=capacity,
        baselines={},
        n_resamples=n_resamples,
        random_state=seed,
    )
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    return model, backtest


def promise_of(backtest, capacity: int) -> pd.DataFrame:
    """The backtest's headline figures as a promise (what ``backtest_promise`` reads)."""
    rows = backtest.metrics.query("model == 'model' and fold == 'overall'")
    rows = rows[rows["metric"].isin(PROMISED_METRICS)].assign(model_version="1")
    capacity_row = pd.DataFrame([{"model_version": "1", "metric": "capacity", "value": capacity}])
    return pd.concat([rows, capacity_row], ignore_index=True)[PROMISE_COLUMNS]


def score_lists(data, model, out: Path, capacity: int) -> None:
    """Score every quarterly list on the data known on its day, into one folder."""
    for as_of in RUNS:
        rm.score(
            data.known_at(as_of),
            model,
            as_of,
            capacity=capacity,
            out=out,
            reasons=1,
            model_name="riskmodel",
            model_version="1",
        )


def _interval(row) -> str:
    return f"{row['value']:.3g} ({row['lower']:.3g}-{row['upper']:.3g})"


def print_figures(result, backtest, capacity: int) -> None:
    """Print the pooled realised figures beside the backtest's, then each list's."""
    pooled = result.overall(complete_only=True).query("as_of_date.isna()").set_index("metric")
    promised = backtest.metrics.query("model == 'model' and fold == 'overall'").set_index("metric")
    table = pd.DataFrame(
        {
            "backtest (promise)": [_interval(promised.loc[m]) for m in SHOWN],
            "realised, complete lists pooled": [_interval(pooled.loc[m]) for m in SHOWN],
        },
        index=list(SHOWN),
    )
    print(table.to_string())
    runs = result.runs.set_index("as_of_date")
    complete = runs[runs["complete"]]
    print(
        f"\nflagged children who entered care: {int(complete['entrants_flagged'].sum())} of "
        f"{int(complete['flagged'].sum())} over {len(complete)} complete lists of {capacity}; "
        f"entrants found: {int(complete['entrants_flagged'].sum())} of "
        f"{int(complete['entrants'].sum())}"
    )
    near = result.near_cutoff[result.near_cutoff["complete"]].groupby("list")[["n", "entrants"]]
    print("flagged vs the same number just below the cut-off (complete lists):")
    print(near.sum().to_string())
    print("\neach list:")
    print(runs[["scored", "flagged", "entrants", "entrants_flagged", "months_observed"]])
    print("\noutside the promise:")
    flags = result.flags().query("outside_promise")
    print(flags[["as_of_date", "metric", "value", "promised_lower", "promised_upper"]])


def main(argv: list[str] | None = None) -> None:
    """Compute and print the README's realised figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--n-resamples", type=int, default=500)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    warnings.simplefilter("ignore", rm.DataQualityWarning)
    data = rm.make_local_authority(n_children=args.n_children, random_state=args.seed)
    model, backtest = fit_before_first_list(data, args.capacity, args.seed, args.n_resamples)
    with tempfile.TemporaryDirectory() as folder:
        score_lists(data, model, Path(folder), args.capacity)
        history = read_score_history(folder)
    result = realised_performance(
        data,
        history,
        horizon_months=HORIZON,
        promised=promise_of(backtest, args.capacity),
        n_resamples=args.n_resamples,
        random_state=args.seed,
    )
    print_figures(result, backtest, args.capacity)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
