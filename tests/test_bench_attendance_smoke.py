"""The attendance benchmark runs end to end with a few participants (structure only; timings are not checked)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from bench.attendance import run

KEYS = ["bench", "users", "spread_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "seconds"]


async def test_attendance_benchmark_smoke(tmp_path: Path) -> None:
    users = 5
    figures, machine = await run(users, spread=0.5, seed=1, workdir=tmp_path)
    assert list(figures) == KEYS
    assert figures["bench"] == "attendance" and figures["users"] == users
    for key in KEYS[3:]:
        assert isinstance(figures[key], float)
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
    assert machine["bench"] == "attendance"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    assert json.loads(json.dumps([figures, machine])) == [figures, machine]
    with closing(sqlite3.connect(tmp_path / "bench.db")) as conn:
        rows = conn.execute("SELECT status, source, location FROM session_presence").fetchall()
    assert rows == [("present", "qr", "not_checked")] * users
