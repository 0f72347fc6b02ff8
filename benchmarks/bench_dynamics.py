"""The dynamics features' cost and worth: python -m benchmarks.bench_dynamics [--children N].

On a synthetic authority (20,000 children, seed 0 by default):

1. the time of ``build_features`` for every child at the quarterly as-of dates from
   2016-04 to 2020-01, with the default specification without the dynamics and
   household features (the default before them) and with them, best of 3, in the
   same run, and their ratio;
2. ``RiskClassifier()`` fitted on the quarterly as-of dates 2016-04 to 2020-01 and
   measured on the monthly dates 2021-04 to 2022-03 (their 12-month outcomes are known
   by the data's end), with and without the new features: AUC, average precision,
   precision among the top 2% at each date, calibration slope and observed/expected,
   with the seconds to build the training frame and to fit.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import riskmodel as rm
from benchmarks._timing import best_of
from benchmarks._validity import METRICS, summarise
from riskmodel.features import (
    ActiveMonths,
    DaysSinceAny,
    DecayedCount,
    FeatureSpec,
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
    QuarterChange,
    build_features,
    default_spec,
)

NEW_KINDS = (
    ActiveMonths,
    DaysSinceAny,
    DecayedCount,
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
    QuarterChange,
)
TRAIN_DATES = pd.date_range("2016-04-01", "2020-03-31", freq="QS-APR")
TEST_DATES = pd.date_range("2021-04-01", "2022-03-01", freq="MS")


def specs() -> dict[str, FeatureSpec]:
    """The default specification without the new features, and with them."""
    new = default_spec()
    old = FeatureSpec(tuple(f for f in new if not isinstance(f, NEW_KINDS)))
    return {f"without ({len(old)} features)": old, f"with ({len(new)} features)": new}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = rm.make_local_authority(n_children=args.children, random_state=args.seed)
    print(f"{args.children:,} children, {len(data.events):,} events, seed {args.seed}")
    times = {}
    for name, spec in specs().items():
        times[name] = best_of(lambda spec=spec: build_features(data, TRAIN_DATES, spec))
        print(f"build_features {name}, {len(TRAIN_DATES)} quarterly dates: {times[name]:.2f} s")
    old, new = times.values()
    print(f"ratio with / without: {new / old:.2f}")
    print(f"\n{'':24}" + "".join(f"{m:>9}" for m in METRICS) + f"{'frame s':>9}{'fit s':>9}")
    for name, spec in specs().items():
        start = time.perf_counter()
        train = rm.build_training_frame(data, TRAIN_DATES, 12, spec)
        frame_seconds = time.perf_counter() - start
        test = rm.build_training_frame(data, TEST_DATES, 12, spec)
        model = rm.RiskClassifier(random_state=0)
        start = time.perf_counter()
        model.fit(train.X, train.y, feature_spec=train.spec)
        seconds = time.perf_counter() - start
        p = model.predict_proba(test.X)[:, 1]
        row = summarise(test.y.to_numpy(), p, test.keys["as_of_date"].to_numpy(), 0.02)
        print(
            f"{name:24}"
            + "".join(f"{row[m]:9.4f}" for m in METRICS)
            + f"{frame_seconds:9.1f}{seconds:9.1f}"
        )


if __name__ == "__main__":
    main()
