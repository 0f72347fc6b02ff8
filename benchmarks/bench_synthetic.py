"""Benchmark: generating synthetic authorities, and the exact ground truth.

Run with ``python -m benchmarks.bench_synthetic`` (about a minute on 2 cores). For each
size (by default 2,000, 30,000 and 100,000 children over the default ten years) it
prints the wall time of ``make_local_authority`` (including the coercion of the tables
by ``LocalAuthorityData``), the rows of each table and the process's peak resident
memory so far (``ru_maxrss``; sizes run smallest first, so each peak is that size's).
It then times ``GroundTruth.probability`` for every 10-17-year-old at twelve monthly
as-of dates of the largest authority.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from riskmodel.data.synthetic import make_local_authority


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(n_children: int, seed: int):
    start = time.perf_counter()
    data = make_local_authority(n_children=n_children, random_state=seed)
    seconds = time.perf_counter() - start
    print(
        f"{n_children:>9,} children: {seconds:6.1f} s   persons {len(data.persons):>9,}   "
        f"events {len(data.events):>10,}   care_episodes {len(data.care_episodes):>8,}   "
        f"peak memory {_peak_mib():7.0f} MiB",
        flush=True,
    )
    return data


def _truth(data) -> None:
    persons = data.persons
    dates = pd.date_range("2021-04-01", periods=12, freq="MS")
    ids, as_of = [], []
    for date in dates:
        age = (date - persons["date_of_birth"]).dt.days / 365.25
        chosen = persons.loc[(age >= 10) & (age < 18), "person_id"].to_numpy()
        ids.append(chosen)
        as_of.append(np.full(len(chosen), date))
    ids, as_of = np.concatenate(ids), np.concatenate(as_of)
    start = time.perf_counter()
    p = data.truth.probability(ids, as_of, horizon_months=12)
    seconds = time.perf_counter() - start
    print(
        f"GroundTruth.probability: {len(ids):,} (child, as-of) rows in {seconds:.1f} s "
        f"({len(ids) / seconds:,.0f} rows/s); mean {np.nanmean(p):.4f}; "
        f"peak memory {_peak_mib():.0f} MiB"
    )


def main(argv: list[str] | None = None) -> None:
    """Time the generator at several sizes, then the ground truth at the largest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 30_000, 100_000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = None
    for n in sorted(args.sizes):
        data = _generate(n, args.seed)
    if data is not None:
        _truth(data)


if __name__ == "__main__":
    main()
