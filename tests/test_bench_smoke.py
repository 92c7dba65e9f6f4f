"""The registration benchmark runs end to end with a few users (structure only; timings are not checked)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from bench.registration import run

SYSTEM_KEYS = ["bench", "system", "users", "updates", "updates_per_s", "p50_ms", "p95_ms", "p99_ms", "seconds"]


async def test_registration_benchmark_smoke(tmp_path: Path) -> None:
    users = 3
    lines = await run(users, seed=1, workdir=tmp_path)

    vokasi, echo, same, ratio, machine = lines
    for line, system in ((vokasi, "vokasi"), (echo, "echo"), (same, "echo-same-client")):
        assert list(line) == SYSTEM_KEYS
        assert line["bench"] == "registration"
        assert line["system"] == system
        assert line["users"] == users
        assert isinstance(line["updates_per_s"], float)
        for key in ("p50_ms", "p95_ms", "p99_ms", "seconds"):
            assert isinstance(line[key], float)
    # 13 or 14 updates per user (typed province or region buttons), the same workload for both bots.
    assert 13 * users <= vokasi["updates"] <= 14 * users
    assert echo["updates"] == vokasi["updates"] == same["updates"]
    assert list(ratio) == ["bench", "ratio", "ratio_same_client"]
    assert isinstance(ratio["ratio"], float)
    assert isinstance(ratio["ratio_same_client"], float)
    assert machine["bench"] == "registration"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line

    with closing(sqlite3.connect(tmp_path / "bench.db")) as conn:
        participants = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT telegram_user_id), COUNT(DISTINCT nik) FROM participants"
        )
        assert participants.fetchone() == (users, users, users)
        assert conn.execute("SELECT COUNT(*) FROM dialogs").fetchone() == (0,)
