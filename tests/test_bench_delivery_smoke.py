"""The delivery benchmark runs end to end with a few messages and samples (structure only; no timings)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.delivery import BenchFailure, check_sent, main, run

LIMITED_KEYS = [
    "bench",
    "case",
    "messages",
    "limit_per_s",
    "bot_limit_per_s",
    "concurrency",
    "achieved_per_s",
    "max_in_1s",
    "utilization",
    "http_429",
    "seconds",
    "aim",
    "aim_met",
]
UNLIMITED_KEYS = ["bench", "case", "messages", "achieved_per_s", "seconds", "concurrency", "tried", "aim", "aim_met"]
INTERACTIVE_KEYS = [
    "bench",
    "case",
    "messages",
    "participants",
    "samples",
    "idle_p50_ms",
    "idle_p95_ms",
    "busy_p50_ms",
    "busy_p95_ms",
    "busy_p95_over_idle_ms",
    "busy_during_delivery",
    "bulk_per_s",
    "utilization",
    "http_429",
    "aim",
    "aim_met",
]


def statuses(db_path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db_path)) as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())


async def test_delivery_benchmark_smoke(tmp_path: Path) -> None:
    messages, samples = 60, 3
    lines = await run(messages, samples, server_limit=100, concurrencies=(4, 8), workdir=tmp_path)

    limited, unlimited, interactive, machine = lines
    assert list(limited) == LIMITED_KEYS
    assert (limited["bench"], limited["case"], limited["messages"]) == ("delivery", "limited", messages)
    assert limited["limit_per_s"] == 100
    assert limited["bot_limit_per_s"] == 100.0  # the default: the server's rate
    assert isinstance(limited["http_429"], int)
    assert 1 <= limited["max_in_1s"] <= messages
    for key in ("achieved_per_s", "utilization", "seconds"):
        assert isinstance(limited[key], float)
    assert isinstance(limited["aim_met"], bool)

    assert list(unlimited) == UNLIMITED_KEYS
    assert (unlimited["bench"], unlimited["case"], unlimited["messages"]) == ("delivery", "unlimited", messages)
    assert list(unlimited["tried"]) == ["4", "8"]
    assert unlimited["concurrency"] in (4, 8)
    assert unlimited["achieved_per_s"] == unlimited["tried"][str(unlimited["concurrency"])]
    assert unlimited["achieved_per_s"] == max(unlimited["tried"].values())
    assert isinstance(unlimited["seconds"], float)

    assert list(interactive) == INTERACTIVE_KEYS
    assert (interactive["bench"], interactive["case"], interactive["samples"]) == ("delivery", "interactive", samples)
    for key in ("idle_p50_ms", "idle_p95_ms", "busy_p50_ms", "busy_p95_ms", "busy_p95_over_idle_ms"):
        assert isinstance(interactive[key], float)
    assert interactive["busy_p95_over_idle_ms"] == pytest.approx(
        interactive["busy_p95_ms"] - interactive["idle_p95_ms"]
    )
    assert 0 <= interactive["busy_during_delivery"] <= samples

    assert machine["bench"] == "delivery"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line

    # Every run's database is kept: all of its outbox rows sent, and the check accepts exactly that.
    for name in ("limited.db", "unlimited-4.db", "unlimited-8.db", "interactive.db"):
        assert statuses(tmp_path / name) == {"sent": messages}
        check_sent(tmp_path / name, messages)
    with closing(sqlite3.connect(tmp_path / "interactive.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == interactive["participants"]

    # ... and rejects a row left pending, or a missing one.
    db_path = tmp_path / "limited.db"
    with pytest.raises(BenchFailure, match="expected 61 sent"):
        check_sent(db_path, messages + 1)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE outbox SET status = 'pending' WHERE id = (SELECT MIN(id) FROM outbox)")
    with pytest.raises(BenchFailure, match="'pending': 1"):
        check_sent(db_path, messages)


async def test_delivery_benchmark_runs_selected_cases_with_a_given_bot_limit(tmp_path: Path) -> None:
    lines = await run(20, 2, server_limit=100, bot_limit=90, cases=("limited",), workdir=tmp_path)

    [limited, machine] = lines
    assert limited["case"] == "limited"
    assert limited["bot_limit_per_s"] == 90
    assert "machine" in machine
    assert statuses(tmp_path / "limited.db") == {"sent": 20}
    assert not (tmp_path / "interactive.db").exists()


async def test_delivery_benchmark_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="message"):
        await run(0)
    with pytest.raises(ValueError, match="sample"):
        await run(10, 0)
    with pytest.raises(ValueError, match="positive"):
        await run(10, 1, bot_limit=0)
    with pytest.raises(ValueError, match="concurrenc"):
        await run(10, 1, concurrencies=())
    with pytest.raises(ValueError, match="unknown cases"):
        await run(10, 1, cases=("fast",))


def test_delivery_benchmark_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--messages", "20", "--samples", "2", "--case", "limited", "--case", "unlimited", "--concurrency", "4"])
        == 0
    )

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("case") for line in lines] == ["limited", "unlimited", None]
    assert lines[0]["limit_per_s"] == 300
    assert lines[0]["bot_limit_per_s"] == 300
    assert lines[1]["tried"].keys() == {"4"}
    assert lines[2]["bench"] == "delivery"
    assert "machine" in lines[2]
