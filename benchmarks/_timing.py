"""Timing shared by the benchmarks: the best of a few runs, which is the least noisy."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Return the shortest wall time, in seconds, of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process below it, read from ``/proc`` (Linux)."""
    import os

    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(p, 0) for p in tree)


class PeakTreeMemory:
    """Sample the resident memory of this process and all its workers; keep the peak.

    ``ru_maxrss`` cannot give this: it is one process's peak, and joblib's workers are
    still alive (so not counted as children) when the work ends. A thread sums the
    resident set of the whole process tree every ``interval`` seconds.

    Examples
    --------
    >>> with PeakTreeMemory() as peak:  # doctest: +SKIP
    ...     run()
    >>> peak.bytes  # doctest: +SKIP
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.bytes = 0

    def __enter__(self) -> PeakTreeMemory:
        import os
        import threading

        self._stop = threading.Event()
        root = os.getpid()

        def sample() -> None:
            while not self._stop.is_set():
                self.bytes = max(self.bytes, _tree_rss(root))
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
