"""RiskClassifier's issue-15 options side by side: python -m benchmarks.bench_classifier_options.

On synthetic authorities (20,000 children and seed 0 by default) every variant is
fitted on quarterly as-of dates 2016-04-01 to 2021-03-31 and measured on the monthly
as-of dates 2022-04-01 to 2023-03-01 (12-month outcomes, all known before the data
end): early stopping (temporal_refit, temporal, random, off; also ``max_iter=300``),
monotone constraints (``"domain"``), calibration (isotonic, interpolated isotonic,
temperature, auto), and the candidate new default of ``bench_validity`` with each
early-stopping mode. Printed: AUC, average precision, top-2% precision per date,
calibration slope, observed/expected, boosting iterations and fit seconds.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

import pandas as pd

import riskmodel as rm
from benchmarks._validity import METRICS, summarise

TRAIN = pd.date_range("2016-04-01", "2021-03-31", freq="QS-APR")
TEST = pd.date_range("2022-04-01", "2023-03-01", freq="MS")
CANDIDATE = {"max_leaf_nodes": 7, "min_samples_leaf": 500, "l2_regularization": 5.0}


def variants() -> dict[str, dict[str, Any]]:
    """RiskClassifier keyword arguments per variant (``random_state=0`` is added)."""
    long = {"estimator_params": {"max_iter": 300}}
    candidate = {"calibration": "temperature", "estimator_params": CANDIDATE}
    return {
        "default (temporal_refit)": {},
        "early stopping temporal": {"early_stopping": "temporal"},
        "early stopping random": {"early_stopping": "random"},
        "early stopping off": {"early_stopping": False},
        "temporal, max_iter 300": long,
        "random, max_iter 300": {**long, "early_stopping": "random"},
        "monotone domain": {"monotone": "domain"},
        "monotone domain, random": {"monotone": "domain", "early_stopping": "random"},
        "interpolated isotonic": {"calibration": "interpolated_isotonic"},
        "temperature": {"calibration": "temperature"},
        "auto": {"calibration": "auto"},
        "candidate, random": {**candidate, "early_stopping": "random"},
        "candidate, temporal": {**candidate, "early_stopping": "temporal"},
        "candidate, temporal_refit": candidate,
        "candidate, temporal_refit, monotone": {**candidate, "monotone": "domain"},
        "candidate, refit, auto": {**candidate, "calibration": "auto"},
        "candidate, refit, interp. isotonic": {
            **candidate,
            "calibration": "interpolated_isotonic",
        },
        "candidate, random, monotone": {
            **candidate,
            "monotone": "domain",
            "early_stopping": "random",
        },
    }


def run(n_children: int, seed: int, only: list[str] | None = None) -> None:
    """Fit every variant (or those named in ``only``) on one authority; print their rows."""
    data = rm.make_local_authority(n_children=n_children, random_state=seed)
    train = rm.build_training_frame(data, TRAIN, 12)
    test = rm.build_training_frame(data, TEST, 12)
    dates = test.keys["as_of_date"].to_numpy()
    y = test.y.to_numpy().astype(int)
    print(f"authority seed {seed}: {len(train.y)} training rows, {len(y)} test rows")
    print(f"   {'':32} {'AUC':>7} {'AP':>7} {'top 2%':>7} {'slope':>7} {'O/E':>7} iters  fit s")
    for name, params in variants().items():
        if only and name not in only:
            continue
        model = rm.RiskClassifier(random_state=0, **params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(train.X, train.y, feature_spec=train.spec)
        seconds = time.perf_counter() - start
        row = summarise(y, model.predict_proba(test.X)[:, 1], dates, 0.02)
        cells = " ".join(f"{row[m]:7.4f}" for m in METRICS)
        chosen = f" ({model.calibration_method_})" if params.get("calibration") == "auto" else ""
        print(f"   {name + chosen:32} {cells} {model.n_iter_:5} {seconds:6.1f}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", nargs="+", help="variant names to run (default: all)")
    args = parser.parse_args(argv)
    for seed in args.seeds:
        run(args.children, seed, args.only)


if __name__ == "__main__":
    main()
