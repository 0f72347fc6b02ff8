"""Recording bias seen by the audit: python -m benchmarks.bench_bias [--seeds 5,6] [--factor 2].

The synthetic authority's ``reporting_bias`` records Black children's needs ``factor``
times as often for the same latent need; their true risk and care entries are
unchanged. For each seed, the authority is made with the bias off and on, and the
old default model (issue 15's "before": the frozen old features, old trees, random
early stopping, isotonic calibration) and today's default are backtested on two
temporal folds and audited at a capacity of 100 (:func:`riskmodel.audit_backtest`).
Printed per seed and model: the Black group's selection-rate ratio against the
reference group, its 95% bootstrap interval and whether the audit flags it, with the
bias off and on. Then, over the seeds, the bias's effect on the log ratio (on minus
off) for each model, the new model's effect minus the old one's with its standard
error, the mean log width of the intervals and how often each flags the bias.

The question it answers: do today's richer features dilute a recording bias (a
smaller effect) or only widen the interval (the same effect, flagged less often)?
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings
from typing import Any

import pandas as pd

import riskmodel as rm
from benchmarks._recipes import OLD_TREES, old_default_spec
from riskmodel.fairness import audit_backtest

DATES = pd.date_range("2016-04-01", "2023-01-01", freq="QS-APR")
CAPACITY = 100


def _models() -> dict[str, tuple[Any, Any]]:
    old = rm.RiskClassifier(
        "hgb",
        calibration="isotonic",
        early_stopping="random",
        estimator_params=OLD_TREES,
        random_state=0,
    )
    return {
        "old default": (old_default_spec(), old),
        "new default": (rm.default_spec(), rm.RiskClassifier("hgb", random_state=0)),
    }


def selection_ratio(data: rm.LocalAuthorityData, spec: Any, model: Any) -> dict[str, Any]:
    """The Black group's selection-rate ratio, interval and flag in a backtest's audit."""
    frame = rm.build_training_frame(data, DATES, horizon_months=12, spec=spec)
    result = rm.backtest(
        model,
        frame,
        rm.TemporalSplit(2, horizon_months=12),
        capacity=CAPACITY,
        baselines={},
        n_resamples=0,
    )
    audit = audit_backtest(result, frame.groups, capacity=CAPACITY, n_resamples=200)
    d = audit.disparities
    row = d[
        (d["attribute"] == "ethnic_group")
        & (d["group"] == "Black")
        & (d["metric"] == "selection_rate")
    ].iloc[0]
    return {
        "ratio": float(row["ratio"]),
        "lower": float(row["lower"]),
        "upper": float(row["upper"]),
        "flagged": bool(row["flagged"]),
    }


def _summarise(found: dict[tuple[int, str, bool], dict[str, Any]], seeds: list[int]) -> None:
    effects = {}
    for name in _models():
        effect = [
            math.log(found[(s, name, True)]["ratio"] / found[(s, name, False)]["ratio"])
            for s in seeds
        ]
        width = [math.log(found[(s, name, True)]["upper"] / found[(s, name, True)]["lower"])
                 for s in seeds]  # fmt: skip
        flagged = sum(found[(s, name, True)]["flagged"] for s in seeds)
        effects[name] = effect
        spread = statistics.stdev(effect) if len(effect) > 1 else float("nan")
        print(
            f"{name}: bias effect on the log ratio {statistics.mean(effect):.2f} "
            f"(sd {spread:.2f}; ratio times {math.exp(statistics.mean(effect)):.2f}), "
            f"mean log interval width {statistics.mean(width):.2f}, "
            f"flagged {flagged} of {len(seeds)}"
        )
    diff = [n - o for n, o in zip(effects["new default"], effects["old default"], strict=True)]
    if len(diff) > 1:
        se = statistics.stdev(diff) / math.sqrt(len(diff))
        print(f"new minus old effect: {statistics.mean(diff):.2f} (standard error {se:.2f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=15_000, help="default 15,000")
    parser.add_argument("--seeds", default="5,6,7,8,9,10,11,12,13,14,15")
    parser.add_argument("--factor", type=float, default=2.0, help="recording factor; 2")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    found = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rm.DataQualityWarning)
        for seed in seeds:
            for on in (False, True):
                bias = {"ethnic_group": "Black", "factor": args.factor} if on else None
                data = rm.make_local_authority(
                    n_children=args.children, random_state=seed, reporting_bias=bias
                )
                for name, (spec, model) in _models().items():
                    start = time.perf_counter()
                    r = found[(seed, name, on)] = selection_ratio(data, spec, model)
                    print(
                        f"seed {seed}, bias {'on' if on else 'off'}, {name}: ratio "
                        f"{r['ratio']:.2f} [{r['lower']:.2f}, {r['upper']:.2f}]"
                        f"{', flagged' if r['flagged'] else ''} "
                        f"({time.perf_counter() - start:.0f} s)",
                        flush=True,
                    )
    _summarise(found, seeds)


if __name__ == "__main__":
    main()
