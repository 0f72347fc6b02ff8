"""Latent-state features: fit time, and AUC/AP of RiskClassifier() with and without them.

Temporal split: train on quarterly as-of dates 2016-04..2020-01 (12-month labels), test
on monthly as-of dates 2021-04..2022-03. The latent states are fitted without labels
on months before 2020-04-01, so no test-period month is used.

Run by hand, in steps of a few minutes each::

    python -m benchmarks.bench_latent --save-latent latent.json      # fit and time it
    python -m benchmarks.bench_latent --load-latent latent.json --sets default latent
    python -m benchmarks.bench_latent --load-latent latent.json --sets small small+latent

Feature sets: ``default`` (``default_spec()``), ``latent`` (``default_spec()`` plus the
latent states), ``small`` (age and care history: ``AgeYears``, ``PreviousCarePeriods``,
``DaysSinceLeftCare``, all three in ``default_spec()``) and ``small+latent``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

import riskmodel as rm
from riskmodel.features import (
    AgeYears,
    DaysSinceLeftCare,
    LatentStates,
    PreviousCarePeriods,
    default_spec,
    fit_latent_states,
)

TRAIN = pd.date_range("2016-04-01", "2020-03-31", freq="QS-APR")
TEST = pd.date_range("2021-04-01", "2022-03-31", freq="MS")
UNTIL = "2020-04-01"
SETS = ("default", "latent", "small", "small+latent")


def _latent(data: rm.data.LocalAuthorityData, args: argparse.Namespace) -> LatentStates:
    if args.load_latent:
        return LatentStates.from_dict(json.loads(Path(args.load_latent).read_text()))
    began, cpu = time.perf_counter(), time.process_time()
    latent = fit_latent_states(
        data,
        until=UNTIL,
        n_states=args.n_states,
        random_state=args.seed,
        max_children=args.max_children,
    )
    print(
        f"fit_latent_states: {time.perf_counter() - began:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU, {latent}, observed from {latent.observed_from}"
    )
    for k in range(1, latent.n_states + 1):
        print(f"  state {k}: start {latent.start[k - 1]:.3f}, {latent.describe_state(k)}")
    if args.save_latent:
        Path(args.save_latent).write_text(json.dumps(latent.to_dict()))
    return latent


def main(argv: list[str] | None = None) -> None:
    """Print the fit time and the held-out AUC and AP of the feature sets asked for."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-children", type=int, default=20_000)
    parser.add_argument("--max-children", type=int, default=None)
    parser.add_argument("--n-states", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0, help="the authority's and the fit's")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="the classifier's")
    parser.add_argument("--save-latent")
    parser.add_argument("--load-latent")
    parser.add_argument("--sets", nargs="*", choices=SETS, default=[])
    args = parser.parse_args(argv)
    data = rm.make_local_authority(n_children=args.n_children, random_state=args.seed)
    latent = _latent(data, args)
    if not args.sets:
        return
    small = (AgeYears(), PreviousCarePeriods(), DaysSinceLeftCare())
    spec = latent.extend(default_spec())
    train = rm.build_training_frame(data, TRAIN, 12, spec)
    test = rm.build_training_frame(data, TEST, 12, spec)
    print(
        f"rows: train {len(train.y)} ({int(train.y.sum())} entries), test {len(test.y)} "
        f"({int(test.y.sum())} entries)"
    )
    names = {f.name for f in latent.features()}
    default = [f.name for f in default_spec().features if f.name in train.X.columns]
    columns = {
        "default": default,
        "latent": default + sorted(names),
        "small": [f.name for f in small],
        "small+latent": [f.name for f in small] + sorted(names),
    }
    for label in args.sets:
        for seed in args.seeds:
            began = time.perf_counter()
            cols = columns[label]
            model = rm.RiskClassifier(random_state=seed).fit(train.X[cols], train.y)
            score = model.predict_proba(test.X[cols])[:, 1]
            print(
                f"{label:13s} seed {seed}: AUC {roc_auc_score(test.y, score):.4f}  "
                f"AP {average_precision_score(test.y, score):.4f}  "
                f"({len(cols)} columns, fit {time.perf_counter() - began:.0f} s)"
            )


if __name__ == "__main__":
    main()
