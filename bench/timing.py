"""The one timing rule every benchmark uses: a warm-up call, then the median of repeated runs."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int, warm_up: bool = True,
                   before: Callable[[], object] | None = None) -> float:
    """Median wall time of fn over `repeat` runs (after one untimed warm-up call unless warm_up=False); `before`
    runs untimed ahead of every call (e.g. a fresh database)."""
    if warm_up:
        if before:
            before()
        fn()
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
