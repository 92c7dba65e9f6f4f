"""Helpers every benchmark shares."""

from __future__ import annotations

import asyncio
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
