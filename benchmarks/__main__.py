"""Run every benchmark in turn: ``python -m benchmarks`` (``make bench``). Not run by CI."""

import importlib

MODULES = [
    "bench_readers",
    "bench_returns",
    "bench_synthetic",
    "bench_features",
    "bench_explain",
    "bench_scoring",
    "bench_monitoring",
    "bench_validity",
]

for name in MODULES:
    print(f"\n=== {name} ===", flush=True)
    importlib.import_module(f"benchmarks.{name}").main()
