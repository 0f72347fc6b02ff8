"""Benchmark: explaining gradient-boosting risk scores, against shap's bare tree explainer.

Run with ``python -m benchmarks.bench_explain`` (about a minute on 2 cores). It
generates a synthetic authority, builds a training frame at quarterly as-of dates,
fits ``RiskClassifier("hgb")`` (isotonic calibration, the default) on the dates up to
April 2020, then explains at least 20,000 later rows and prints, best of three:

1. ``explain(model, X)``: validation, preprocessing, SHAP values, summing back to
   the user's features, the additivity check against scikit-learn and the
   ``shap.Explanation``;
2. the baseline: ``shap.TreeExplainer(estimator).shap_values(Z)`` on the same
   already-transformed matrix ``Z``, with nothing else;
3. ``reason_codes`` of the explanation (three reasons a child).

The target is at least 3,000 children explained a second. Each row is one child at
one as-of date.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from riskmodel.data.synthetic import make_local_authority
from riskmodel.explain import explain, reason_codes
from riskmodel.explain._shap import import_shap
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier

TARGET_PER_SECOND = 3_000
FIT_UNTIL = pd.Timestamp("2020-04-01")


def _best(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=12_000)
    parser.add_argument("--rows", type=int, default=20_000, help="rows to explain (at least)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = make_local_authority(n_children=args.children, random_state=args.seed)
    dates = pd.date_range("2016-04-01", "2023-01-01", freq="QS")
    frame = build_training_frame(data, dates, drop_unlabelled=False)
    as_of = frame.X.index.get_level_values("as_of_date")
    train = (as_of <= FIT_UNTIL) & frame.y.notna().to_numpy()
    later = frame.X[as_of > FIT_UNTIL]
    X = pd.concat([later] * -(-args.rows // len(later)))[: max(args.rows, len(later))]
    print(
        f"synthetic authority: {args.children:,} children, {len(frame.X):,} rows x "
        f"{frame.X.shape[1]} features ({time.perf_counter() - start:.1f} s)"
    )

    start = time.perf_counter()
    model = RiskClassifier("hgb", random_state=0).fit(frame.X[train], frame.y[train].astype(int))
    estimator = model.base_pipeline_.named_steps["estimator"]
    print(
        f"fitted RiskClassifier('hgb') on {int(train.sum()):,} rows: {estimator.n_iter_} trees, "
        f"{time.perf_counter() - start:.1f} s"
    )

    shap = import_shap()
    explain(model, X.iloc[:100])  # warm up: shap import, first-call costs
    t_explain, explanation = _best(lambda: explain(model, X), args.repeat)
    Z = model.base_pipeline_.named_steps["preprocess"].transform(X)
    t_tree, _ = _best(
        lambda: shap.TreeExplainer(estimator).shap_values(Z, check_additivity=False), args.repeat
    )
    t_reasons, _ = _best(lambda: reason_codes(explanation, frame.spec), args.repeat)

    n = len(X)
    rate = n / t_explain
    print(f"rows explained: {n:,} ({X.shape[1]} features), best of {args.repeat}")
    print(f"explain(model, X)                  {t_explain:6.2f} s  {rate:8,.0f} children/s")
    print(f"baseline shap.TreeExplainer on Z   {t_tree:6.2f} s  {n / t_tree:8,.0f} children/s")
    print(f"reason_codes(explanation)          {t_reasons:6.2f} s  {n / t_reasons:8,.0f} rows/s")
    print(f"explain / baseline time ratio: {t_explain / t_tree:.2f}")
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(f"target {TARGET_PER_SECOND:,} children/s: {verdict} ({rate:,.0f}/s)")


if __name__ == "__main__":
    main()
