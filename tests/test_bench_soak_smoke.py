"""The soak benchmark runs end to end for a few seconds with a few users (structure only; no timings)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.soak import main, run
from bench.soak_conductor import scheduled_moment

KEYS = [
    "bench",
    "seconds",
    "users",
    "interactions",
    "errors",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "sent",
    "http_429",
    "rss_start_mb",
    "rss_end_mb",
    "rss_growth_pct",
    "met",
    "error_kinds",
    "actions",
    "outcomes",
    "received",
    "sent_by_kind",
    "outbox",
    "announcement_recipients",
    "courses_completed",
    "clock_end",
    "clock_held_steps",
    "rss_after_warmup_mb",
    "rss_peak_mb",
    "cpu_s",
]


async def test_soak_benchmark_smoke(tmp_path: Path) -> None:
    lines = await run(5, 10, workdir=tmp_path)

    soak, machine = lines
    assert list(soak) == KEYS
    assert (soak["bench"], soak["users"]) == ("soak", 10)
    assert soak["errors"] == 0, soak["error_kinds"]
    assert soak["error_kinds"] == {}
    assert isinstance(soak["interactions"], int)
    assert soak["interactions"] > 0
    assert sum(action["n"] for action in soak["actions"].values()) == soak["interactions"]
    assert isinstance(soak["sent"], int)
    assert soak["sent"] > 0
    assert soak["sent"] == soak["outbox"]["sent"] == sum(soak["sent_by_kind"].values())
    # Halfway, one announcement to everyone registered: all of its copies sent and received.
    assert soak["announcement_recipients"] >= 8  # the participants registered before the run, at least
    assert soak["sent_by_kind"]["broadcast"] == soak["announcement_recipients"]
    assert soak["received"]["announcement"] == soak["announcement_recipients"]
    assert isinstance(soak["http_429"], int)
    assert soak["http_429"] >= 0
    for key in ("seconds", "p50_ms", "p95_ms", "p99_ms", "rss_start_mb", "rss_end_mb", "rss_growth_pct"):
        assert isinstance(soak[key], float), key
    assert soak["p50_ms"] <= soak["p95_ms"] <= soak["p99_ms"]
    assert soak["rss_start_mb"] > 0
    assert soak["rss_peak_mb"] >= soak["rss_start_mb"]
    assert isinstance(soak["rss_after_warmup_mb"], float)
    assert isinstance(soak["cpu_s"], float)
    assert set(soak["met"]) == {"errors == 0", "p95_ms < 250", "rss_growth_pct < 10"}
    assert all(isinstance(value, bool) for value in soak["met"].values())
    assert soak["met"]["errors == 0"] is True

    assert machine["bench"] == "soak"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line

    # The database is kept in the work directory: the sample catalogue and everyone registered before the run.
    with closing(sqlite3.connect(tmp_path / "soak.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM courses").fetchone()[0] == 10
        assert conn.execute("SELECT COUNT(*) FROM participants").fetchone()[0] >= 8
        assert conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").fetchone()[0] == 0


def test_the_clock_follows_its_schedule() -> None:
    start, middle, end = scheduled_moment(0.0), scheduled_moment(0.5), scheduled_moment(1.0)
    assert start < scheduled_moment(0.1) < scheduled_moment(0.3) < middle < scheduled_moment(0.75) < end
    assert scheduled_moment(-1.0) == start
    assert scheduled_moment(2.0) == end


async def test_soak_benchmark_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="seconds"):
        await run(0, 10)
    with pytest.raises(ValueError, match="user"):
        await run(5, 0)


def test_soak_benchmark_command_line_rejects_impossible_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--users", "0"])
    assert "--users must be at least 1" in capsys.readouterr().err
