"""Latent-state features: fit time, and AUC/AP of RiskClassifier() with and without them.

Temporal split: train on quarterly as-of dates 2016-04..2020-01 (12-month labels), test
on monthly as-of dates 2021-04..2022-03. The latent states are fitted without labels
on months before 2020-04-01, so no test-period month is used.

Run by hand: ``python -m benchmarks.bench_latent [--n-children 20000] [--max-children N]``.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

import riskmodel as rm
from riskmodel.features import default_spec, fit_latent_states

TRAIN = pd.date_range("2016-04-01", "2020-03-31", freq="QS-APR")
TEST = pd.date_range("2021-04-01", "2022-03-31", freq="MS")
UNTIL = "2020-04-01"


def main(argv: list[str] | None = None) -> None:
    """Print the fit time and the held-out AUC and AP of both feature sets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-children", type=int, default=20_000)
    parser.add_argument("--max-children", type=int, default=None)
    parser.add_argument("--n-states", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = rm.make_local_authority(n_children=args.n_children, random_state=args.seed)
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
    spec = latent.extend(default_spec())
    began = time.perf_counter()
    train = rm.build_training_frame(data, TRAIN, 12, spec)
    test = rm.build_training_frame(data, TEST, 12, spec)
    print(f"frames: {time.perf_counter() - began:.1f} s, train {len(train.y)}, test {len(test.y)}")
    latent_names = [f"latent_state_{k}" for k in range(1, latent.n_states + 1)]
    sets = {
        "default_spec()": [c for c in train.X.columns if c not in latent_names],
        "default_spec() + latent": list(train.X.columns),
    }
    for label, columns in sets.items():
        began = time.perf_counter()
        model = rm.RiskClassifier().fit(train.X[columns], train.y)
        score = model.predict_proba(test.X[columns])[:, 1]
        print(
            f"{label:26s} AUC {roc_auc_score(test.y, score):.4f}  "
            f"AP {average_precision_score(test.y, score):.4f}  "
            f"(fit {time.perf_counter() - began:.1f} s, {len(columns)} columns)"
        )


if __name__ == "__main__":
    main()
