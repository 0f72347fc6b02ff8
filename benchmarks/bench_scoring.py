"""Scoring cost against scikit-learn's bare predict_proba: python -m benchmarks.bench_scoring.

1. From a ready feature frame of 1M rows: ``score_features`` (probabilities, bands,
   ranks, flags; with and without the log-odds tie-break) against the fitted
   model's own ``predict_proba`` on the same rows, in the same run (best of 3).
2. End to end on a synthetic authority of 100k children: the ``riskmodel score``
   job (validate, cohort, features, model, reasons, files, history), in process.
"""

from __future__ import annotations

import tempfile
import time
import warnings

import numpy as np
import pandas as pd

import riskmodel as rm
from benchmarks._timing import best_of
from riskmodel.scoring import score_features


def main() -> None:
    warnings.simplefilter("ignore")
    data = rm.make_local_authority(n_children=20_000, random_state=0)
    frame = rm.build_training_frame(data, pd.date_range("2016-04-01", "2023-01-01", freq="QS-APR"))
    model = rm.RiskClassifier("hgb", random_state=0).fit(frame.X, frame.y)
    reps = int(np.ceil(1_000_000 / len(frame.X)))
    X = pd.concat([frame.X] * reps, ignore_index=True).iloc[:1_000_000]
    ids = np.array([f"C{i:07d}" for i in range(len(X))])
    bare = best_of(lambda: model.predict_proba(X))
    lib = best_of(lambda: score_features(model, X, ids, 50, tiebreak=False))
    lib_tb = best_of(lambda: score_features(model, X, ids, 50))
    print(
        f"1M rows: predict_proba {bare:.2f} s; score_features {lib:.2f} s "
        f"({lib / bare:.2f}x); with log-odds tie-break {lib_tb:.2f} s ({lib_tb / bare:.2f}x)"
    )

    big = rm.make_local_authority(n_children=100_000, random_state=1)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = rm.score(big, model, "2024-04-01", capacity=50, spec=frame.spec, out=out)
        took = time.perf_counter() - start
    print(
        f"100k children: score() end to end {took:.1f} s "
        f"({result.counts['scored']:,} scored with reasons, "
        f"{result.counts['excluded']:,} excluded)"
    )


if __name__ == "__main__":
    main()
