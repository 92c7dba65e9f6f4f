"""The soak's report: what is collected while the traffic runs, and the JSON figures computed from it at the end.

Collected: every measured interaction's latency and outcome and every error the simulated people notice
(``Stats``), the fake server's 429s and failed requests (``LogReader``, which clears the server's log as it
reads), log records at level ERROR (``ErrorLogs``), and the process's RSS and CPU time (``Resources``). At the
end ``figures`` adds what only the database and the fake server know (outbox rows by status and kind, internal
errors), refuses figures that would be meaningless (``BenchFailure``), and returns the ``"bench": "soak"`` line
whose keys ``bench/soak.py`` documents; ``machine`` is the second line.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import BenchFailure, machine_info, percentile
from fakegram import FakeTelegram

LOG_ERROR_SAMPLES = 20

AIM_ERRORS = 0
AIM_P95_MS = 250.0
AIM_RSS_GROWTH_PCT = 10.0

log = logging.getLogger("bench.soak")


# --------------------------------------------------------------------------------------------- collecting


@dataclass(slots=True)
class Stats:
    latencies: list[float] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def measured(self, action: str, seconds: float, outcome: str) -> None:
        self.latencies.append(seconds)
        self.by_action.setdefault(action, []).append(seconds)
        self.outcomes[f"{action}:{outcome}"] += 1

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < LOG_ERROR_SAMPLES:
            self.error_samples.append(f"{kind}: {detail}")
            log.warning("error %s: %s", kind, detail)


class LogReader:
    """Reads (and clears, so it does not grow) the fake server's request log: 429s and failed requests."""

    def __init__(self, server: FakeTelegram) -> None:
        self.server = server
        self.http_429 = 0
        self.requests = 0
        self.failed: Counter[str] = Counter()

    def update(self) -> None:
        for request in self.server.requests:
            self.requests += 1
            if request.status == 429:
                self.http_429 += 1
            elif not request.ok:
                self.failed[f"{request.method} {request.status}: {request.description}"[:160]] += 1
        self.server.reset_log()


class ErrorLogs(logging.Handler):
    """Counts log records at level ERROR and above (the bot logs every failed update and job so)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("bench."):
            self.records.append(f"{record.name}: {record.getMessage()}"[:200])


def cpu_seconds() -> float:
    """CPU time of the process so far (user + system): bot, fake server and simulated users."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    """The process's resident set size (VmRSS); the peak (ru_maxrss) where /proc is not available."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Resources:
    """The process's RSS and CPU time over the traffic: read when it starts (made then), sampled, read at its end."""

    def __init__(self) -> None:
        self.rss_start = rss_mb()
        self.rss_peak = self.rss_start
        self.rss_warm: float | None = None
        self.rss_end = self.rss_start
        self.cpu_s = 0.0
        self._cpu_start = cpu_seconds()

    def sample(self, *, warm: bool) -> None:
        """The RSS now; the first sample once the warm-up is over is ``rss_after_warmup_mb``."""
        rss_now = rss_mb()
        self.rss_peak = max(self.rss_peak, rss_now)
        if self.rss_warm is None and warm:
            self.rss_warm = rss_now

    def end(self) -> None:
        self.cpu_s = cpu_seconds() - self._cpu_start
        self.rss_end = rss_mb()
        self.rss_warm = self.rss_end if self.rss_warm is None else self.rss_warm


# --------------------------------------------------------------------------------------------- the figures


@dataclass(frozen=True, slots=True)
class Observed:
    """What the run leaves behind for the figures (besides the database)."""

    seconds: float
    users: int
    stats: Stats
    requests: LogReader
    error_logs: list[str]
    internal_errors: list[Exception]
    resources: Resources
    announced: bool
    """Whether the announcement was sent at all."""
    recipients: int
    broadcast_rows: dict[str, int]
    """The announcement's outbox rows by status."""
    copies_received: int
    courses_completed: dict[str, int]
    clock_end: str
    clock_held_steps: int


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary(values: Sequence[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"n": len(ordered), "p50_ms": ms(percentile(ordered, 50)), "p95_ms": ms(percentile(ordered, 95))}


def outbox_counts(db_path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Outbox rows by status, and those sent by kind."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
        kinds = dict(
            conn.execute("SELECT kind, COUNT(*) FROM outbox WHERE status = 'sent' GROUP BY kind ORDER BY kind")
        )
    return {str(k): int(v) for k, v in statuses.items()}, {str(k): int(v) for k, v in kinds.items()}


def count_errors(run: Observed, statuses: dict[str, int]) -> None:
    """Add the errors only the end of the run can see to those the simulated people counted, and log samples."""
    stats = run.stats
    if run.copies_received != run.recipients or run.broadcast_rows.get("sent", 0) != run.recipients:
        stats.error(
            "announcement",
            f"{run.recipients} recipients, rows {run.broadcast_rows}, {run.copies_received} copies received",
        )
    for key, count in run.requests.failed.items():
        stats.errors["failed-request"] += count
        stats.error_samples.append(f"failed-request x{count}: {key}")
    if run.internal_errors:
        stats.errors["fakegram-internal"] += len(run.internal_errors)
        stats.error_samples.append(f"fakegram-internal: {run.internal_errors[:3]!r}")
    if run.error_logs:
        stats.errors["error-log"] += len(run.error_logs)
        stats.error_samples.extend(f"error-log: {record}" for record in run.error_logs[:LOG_ERROR_SAMPLES])
    failed_rows = sum(count for status, count in statuses.items() if status == "failed")
    if failed_rows:
        stats.errors["outbox-failed"] += failed_rows
    for sample in stats.error_samples:
        log.warning("%s", sample)


def figures(run: Observed, db_path: Path) -> dict[str, Any]:
    """The soak's JSON line; BenchFailure when nothing was measured, nothing sent or no announcement sent."""
    statuses, sent_by_kind = outbox_counts(db_path)
    sent = statuses.get("sent", 0)
    stats = run.stats
    if not stats.latencies:
        raise BenchFailure("no interaction was measured")
    if not sent:
        raise BenchFailure("the outbox sent nothing")
    if not run.announced:
        raise BenchFailure("the announcement was never sent (run too short?)")
    count_errors(run, statuses)

    ordered = sorted(stats.latencies)
    errors = sum(stats.errors.values())
    p95 = ms(percentile(ordered, 95))
    resources = run.resources
    growth = round((resources.rss_end - resources.rss_start) / resources.rss_start * 100, 1)
    assert resources.rss_warm is not None  # set by Resources.end at the latest
    return {
        "bench": "soak",
        "seconds": round(run.seconds, 1),
        "users": run.users,
        "interactions": len(ordered),
        "errors": errors,
        "p50_ms": ms(percentile(ordered, 50)),
        "p95_ms": p95,
        "p99_ms": ms(percentile(ordered, 99)),
        "sent": sent,
        "http_429": run.requests.http_429,
        "rss_start_mb": round(resources.rss_start, 1),
        "rss_end_mb": round(resources.rss_end, 1),
        "rss_growth_pct": growth,
        "met": {
            f"errors == {AIM_ERRORS}": errors == AIM_ERRORS,
            f"p95_ms < {AIM_P95_MS:.0f}": p95 < AIM_P95_MS,
            f"rss_growth_pct < {AIM_RSS_GROWTH_PCT:.0f}": growth < AIM_RSS_GROWTH_PCT,
        },
        "error_kinds": dict(sorted(stats.errors.items())),
        "actions": {action: summary(values) for action, values in sorted(stats.by_action.items())},
        "outcomes": dict(sorted(stats.outcomes.items())),
        "received": dict(sorted(stats.received.items())),
        "sent_by_kind": sent_by_kind,
        "outbox": statuses,
        "announcement_recipients": run.recipients,
        "courses_completed": run.courses_completed,
        "clock_end": run.clock_end,
        "clock_held_steps": run.clock_held_steps,
        "rss_after_warmup_mb": round(resources.rss_warm, 1),
        "rss_peak_mb": round(resources.rss_peak, 1),
        "cpu_s": round(resources.cpu_s, 1),
    }


def machine() -> dict[str, Any]:
    return {
        "bench": "soak",
        "machine": machine_info(),
    }
