"""Benchmark: the streamed training frame of a synthetic region, small against large.

Run with ``python -m benchmarks.bench_scale [--small 200000] [--large 2000000]
[--authority-size 100000] [--n-jobs 2]``. For each size, a fresh process writes a
region (``write_region``: authorities of about ``--authority-size`` children, one at a
time) and then streams its training frame at 28 quarterly as-of dates
(``write_training_frame`` from the region directory, shards of 20,000 children,
``--n-jobs`` joblib workers). It prints the wall time per child of each step, the
peak resident memory of the process and its joblib workers together (sampled from
``/proc`` every 0.2 s), and the large run's time per child as a ratio of the small
run's (target: at most 1.3, with peak memory under 6 GB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks._timing import PeakTreeMemory

DATES = pd.date_range("2016-04-01", "2023-01-01", freq="QS")  # 28 quarterly dates


def _run(n_children: int, authority_size: int, n_jobs: int, folder: Path) -> dict:
    from riskmodel.data.synthetic import write_region
    from riskmodel.frame import write_training_frame

    n_authorities = max(1, round(n_children / authority_size))
    with PeakTreeMemory() as generating:
        started = time.perf_counter()
        settings = write_region(folder / "region", n_authorities, n_children, random_state=0)
        generated = time.perf_counter() - started
    with PeakTreeMemory() as framing:
        started = time.perf_counter()
        manifest = write_training_frame(
            folder / "region", folder / "frame", DATES, shard_size=20_000, n_jobs=n_jobs
        )
        framed = time.perf_counter() - started
    return {
        "children": sum(s.n_children for s in settings),
        "authorities": n_authorities,
        "largest_authority": max(s.n_children for s in settings),
        "rows": sum(s["rows"] for s in manifest["shards"]),
        "shards": len(manifest["shards"]),
        "generate_s": generated,
        "frame_s": framed,
        "generate_peak_gb": generating.bytes / 1024**3,
        "frame_peak_gb": framing.bytes / 1024**3,
    }


def _in_child(n_children: int, authority_size: int, n_jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "-m",
            "benchmarks.bench_scale",
            "--_child",
            json.dumps([n_children, authority_size, n_jobs, folder]),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run both sizes in fresh processes and print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200_000)
    parser.add_argument("--large", type=int, default=2_000_000)
    parser.add_argument("--authority-size", type=int, default=100_000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        n, size, jobs, folder = json.loads(args._child)
        print(json.dumps(_run(n, size, jobs, Path(folder))))
        return
    runs = [_in_child(n, args.authority_size, args.n_jobs) for n in (args.small, args.large)]
    table = pd.DataFrame(runs)
    table["frame_us_per_child"] = 1e6 * table["frame_s"] / table["children"]
    table["generate_us_per_child"] = 1e6 * table["generate_s"] / table["children"]
    print(table.round(3).to_string(index=False))
    small, large = runs
    ratio = (large["frame_s"] / large["children"]) / (small["frame_s"] / small["children"])
    print(f"frame time per child, large / small: {ratio:.2f} (target <= 1.3)")
    peak = max(large["generate_peak_gb"], large["frame_peak_gb"])
    print(f"peak memory of the large run (process and workers): {peak:.2f} GB (target < 6)")


if __name__ == "__main__":
    main()
