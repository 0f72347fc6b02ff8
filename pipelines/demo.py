"""The main job end to end on the synthetic authority (``make demo``).

Synthesise an authority, validate it, train with a temporal backtest, register the
model (the first version becomes champion), train a challenger and apply the
promotion rule, score the latest as-of date with the champion, and write the review
report. Everything is tracked in MLflow (``./mlflow.db`` unless
``MLFLOW_TRACKING_URI`` is set).
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace
from pathlib import Path

import riskmodel as rm
from riskmodel.jobs import load_config, run_score, run_train
from riskmodel.tracking import promote, set_tracking_uri


def _step(number: int, text: str) -> None:
    print(f"\n{number}. {text}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo-output", help="where outputs go")
    parser.add_argument("--n-children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--capacity", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out).resolve()
    started = time.perf_counter()
    uri = set_tracking_uri()

    _step(1, f"synthesising an authority of {args.n_children:,} children (seed {args.seed})")
    data = rm.make_local_authority(n_children=args.n_children, random_state=args.seed)
    data_dir = rm.write_data(data, out / "data")
    print(f"   {data}\n   tables written to {data_dir}/")

    _step(2, "reading them back and validating")
    print(rm.read_data(data_dir).summary().to_string())

    config = load_config(
        data=str(data_dir),
        out=str(out),
        capacity=args.capacity,
        n_resamples=100,
        random_state=args.seed,
        tracking_uri=uri,
    )
    _step(3, "training the gradient-boosting model with a temporal backtest; registering it")
    champion = run_train(data, config)
    dates = champion.as_of_dates
    print(
        f"   {len(dates)} quarterly as-of dates chosen from the data, {dates[0].date()} to "
        f"{dates[-1].date()} (two years after event records are complete; the last "
        "leaves a year for outcomes)"
    )
    print(champion.backtest.summary().round(3).T.to_string())
    print(f"   registered riskmodel version {champion.version}")

    _step(4, "training a logistic challenger and applying the promotion rule")
    challenger = run_train(data, replace(config, model="logistic", out=str(out / "challenger")))
    decision = promote("riskmodel", challenger.version)
    verdict = "promoted" if decision.promoted else "not promoted"
    print(f"   version {challenger.version} {verdict}: {decision.reason}")

    _step(5, "scoring the latest as-of date with the champion")
    result = run_score(data, replace(config, out=str(out / "scores"), csv=True))
    counts = result.counts
    print(
        f"   {counts['children_in']:,} children in = {counts['scored']:,} scored + "
        f"{counts['excluded']:,} excluded; {counts['flagged']} flagged"
    )
    top = result.scores.head(5)[["rank", "risk_score", "risk_band", "reason_1", "reason_2"]]
    print(top.to_string(index=False))

    print(f"\ndone in {time.perf_counter() - started:.0f} s. Outputs:")
    print(f"   data:          {data_dir}/")
    print(f"   review report: {champion.report}  (open it in a browser)")
    print(f"   scores:        {result.files['scores']}  (+ exclusions, drift, history/)")
    print(f"   MLflow:        {uri}")
    print(f"   MLflow UI:     mlflow ui --backend-store-uri {uri}  (then http://127.0.0.1:5000)")


if __name__ == "__main__":
    main()
