"""Helpers every benchmark shares."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import sys
from collections.abc import Coroutine, Sequence
from typing import Any


class BenchFailure(RuntimeError):
    """The benchmark's own check of the result failed: the figures would be meaningless."""


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending, non-empty sequence."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
    }


def print_lines(run: Coroutine[Any, Any, list[dict[str, Any]]]) -> int:
    """Run a benchmark and print its JSON lines; exit code 1 (and no figures) when its check failed."""
    try:
        lines = asyncio.run(run)
    except BenchFailure as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    for line in lines:
        print(json.dumps(line), flush=True)
    return 0


class LoopStalls:
    """The longest time the event loop could not run a task, while the ``async with`` body runs.

    A ticker sleeps ``interval_s`` at a time and notes how much later than asked it woke up: a handler
    blocking the loop (a CPU-bound step not moved to a thread) shows up as a long stall.
    """

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.longest_s = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(self.interval_s)
            self.longest_s = max(self.longest_s, loop.time() - asked - self.interval_s)

    async def __aenter__(self) -> LoopStalls:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
