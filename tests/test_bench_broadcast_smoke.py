"""The broadcast benchmark runs end to end on small synthetic databases (structure and counts only; no timings)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.broadcast import (
    FILTER_EMPLOYMENT,
    FILTER_PROVINCE,
    BenchFailure,
    check_broadcast,
    expected_recipients,
    run,
)

SIZE_KEYS = [
    "bench",
    "participants",
    "recipients",
    "count_s",
    "select_enqueue_s",
    "filtered_recipients",
    "filtered_select_enqueue_s",
    "aim_s",
    "met",
    "seed_s",
]


def broadcast_ids(db_path: Path) -> tuple[int, int]:
    """The unfiltered broadcast and the filtered one, in the order the benchmark sent them."""
    with closing(sqlite3.connect(db_path)) as conn:
        everyone, filtered = (int(row[0]) for row in conn.execute("SELECT id FROM broadcasts ORDER BY id"))
    return everyone, filtered


async def test_broadcast_benchmark_smoke(tmp_path: Path) -> None:
    sizes = (500, 2000)
    lines = await run(sizes, workdir=tmp_path)

    *per_size, machine = lines
    assert [line["participants"] for line in per_size] == list(sizes)
    for line, size in zip(per_size, sizes, strict=True):
        assert list(line) == SIZE_KEYS
        assert line["bench"] == "broadcast"
        for key in ("count_s", "select_enqueue_s", "filtered_select_enqueue_s", "seed_s"):
            assert isinstance(line[key], float)
        assert line["aim_s"] == 1
        assert isinstance(line["met"], bool)
        db_path = tmp_path / f"broadcast-{size}.db"
        # Some are opted out, unreachable or erased, so not everyone; the filter picks a few of them.
        assert line["recipients"] == expected_recipients(db_path)
        assert 0.9 * size < line["recipients"] < size
        assert line["filtered_recipients"] == expected_recipients(db_path, FILTER_PROVINCE, FILTER_EMPLOYMENT)
        assert 0 < line["filtered_recipients"] < line["recipients"]
        with closing(sqlite3.connect(db_path)) as conn:
            assert conn.execute("SELECT COUNT(*) FROM participants").fetchone() == (size,)
            assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (
                line["recipients"] + line["filtered_recipients"],
            )
            states = conn.execute(
                "SELECT SUM(telegram_user_id IS NULL), SUM(announcements_off_at IS NOT NULL),"
                " SUM(unreachable_since IS NOT NULL), COUNT(DISTINCT province_code),"
                " COUNT(DISTINCT employment_status) FROM participants"
            ).fetchone()
            assert all(states), states
            assert states[3] > 30  # nearly every province
            assert states[4] == 6  # every check-in status (and NULL, which COUNT(DISTINCT) leaves out)
            enrolments = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT status) FROM enrollments WHERE status IN ('enrolled', 'completed')"
            ).fetchone()
            assert 0 < enrolments[0] < size and enrolments[1] == 2
    assert machine["bench"] == "broadcast"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line

    # The check accepts the state the benchmark left, and rejects a missing, a duplicated or a changed row.
    db_path = tmp_path / "broadcast-500.db"
    everyone, filtered = broadcast_ids(db_path)
    assert check_broadcast(db_path, everyone) == per_size[0]["recipients"]
    assert check_broadcast(db_path, filtered, FILTER_PROVINCE, FILTER_EMPLOYMENT) == per_size[0]["filtered_recipients"]
    with pytest.raises(BenchFailure, match="outbox rows, expected"):
        check_broadcast(db_path, filtered)  # the filtered broadcast does not reach everyone
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(
            "UPDATE outbox SET priority = 1 WHERE id = (SELECT MAX(id) FROM outbox WHERE subject = ?)",
            (f"broadcast:{filtered}:",),
        )
    with pytest.raises(BenchFailure, match="not at priority 0"):
        check_broadcast(db_path, filtered, FILTER_PROVINCE, FILTER_EMPLOYMENT)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(
            "UPDATE outbox SET telegram_user_id = telegram_user_id + 1 WHERE id ="
            " (SELECT MIN(id) FROM outbox WHERE subject = ?)",
            (f"broadcast:{everyone}:",),
        )
    with pytest.raises(BenchFailure, match="must not receive it"):
        check_broadcast(db_path, everyone)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(
            "DELETE FROM outbox WHERE id = (SELECT MIN(id) FROM outbox WHERE subject = ?)", (f"broadcast:{everyone}:",)
        )
    with pytest.raises(BenchFailure, match="outbox rows, expected"):
        check_broadcast(db_path, everyone)


async def test_broadcast_benchmark_rejects_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sizes"):
        await run([0], workdir=tmp_path)
    with pytest.raises(ValueError, match="sizes"):
        await run([], workdir=tmp_path)
