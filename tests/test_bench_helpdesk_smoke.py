"""The help-desk benchmark runs end to end with a few participants at a high speed factor (structure and
correctness only: every message exactly once and in order; never timings)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.helpdesk import follow_ups, main, planned_messages, run

PARTICIPANTS, STAFF, SPEED = 6, 2, 50.0
CONFIG_KEYS = [
    "bench",
    "groups",
    "participants",
    "staff",
    "speed",
    "limits",
    "reply_p50_s",
    "reply_p95_s",
    "reply_max_s",
    "reply_aim",
    "reply_aim_met",
    "drain_s",
    "groups_detail",
    "share_aim",
    "share_aim_met",
    "participant_messages",
    "relayed",
    "copy_problems",
    "cards_first",
    "answers",
    "answered",
    "answer_problems",
    "copy_message_calls",
    "copy_messages_calls",
    "http_429",
    "outbox",
    "seconds",
]


async def test_helpdesk_benchmark_smoke(tmp_path: Path) -> None:
    lines = await run(PARTICIPANTS, STAFF, speed=SPEED, group_counts=(1, 3), workdir=tmp_path)

    *configs, machine = lines
    assert [line["groups"] for line in configs] == [1, 3]
    messages = sum(len(planned_messages(i)) for i in range(PARTICIPANTS))
    assert messages > PARTICIPANTS  # some follow-ups
    assert any(follow_ups(i) for i in range(PARTICIPANTS))
    for line in configs:
        assert list(line) == CONFIG_KEYS
        assert (line["bench"], line["participants"], line["staff"], line["speed"]) == (
            "helpdesk",
            PARTICIPANTS,
            STAFF,
            SPEED,
        )
        # The bot's limiter was set to Telegram's limits (reported unscaled).
        assert line["limits"]["overall_per_s"] == 30 and line["limits"]["per_chat_per_s"] == 1
        assert 0 < line["limits"]["group_per_min"] <= 20
        # Every participant message once, in order, in its own topic after the card; every answer once.
        assert line["participant_messages"] == line["relayed"] == messages
        assert line["copy_problems"] == 0
        assert line["cards_first"] == PARTICIPANTS
        assert line["answers"] == line["answered"] == PARTICIPANTS
        assert line["answer_problems"] == 0
        # One call copies one or more messages: never more calls than messages.
        assert 1 <= line["copy_message_calls"] + line["copy_messages_calls"] <= messages
        assert isinstance(line["http_429"], int)
        assert set(line["outbox"]) == {"sent"}
        details = line["groups_detail"]
        assert len(details) == line["groups"]
        assert sum(group["tickets"] for group in details) == PARTICIPANTS
        assert sum(group["topics"] for group in details) == PARTICIPANTS
        for group in details:
            assert group["messages_in"] >= 2 * group["tickets"]  # a card and at least one copy per ticket
            assert isinstance(group["budget_share"], float)
        for key in ("reply_p50_s", "reply_p95_s", "reply_max_s", "drain_s"):
            assert isinstance(line[key], float)
        assert isinstance(line["reply_aim_met"], bool) and isinstance(line["share_aim_met"], bool)
        with closing(sqlite3.connect(tmp_path / f"helpdesk-{line['groups']}.db")) as conn:
            assert conn.execute("SELECT COUNT(*), SUM(messages_in) FROM tickets").fetchone() == (
                PARTICIPANTS,
                messages,
            )
    assert (machine["bench"], machine["speed"]) == ("helpdesk", SPEED)
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line


async def test_helpdesk_benchmark_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="participant"):
        await run(0)
    with pytest.raises(ValueError, match="staff"):
        await run(5, 0)
    with pytest.raises(ValueError, match="speed"):
        await run(5, 1, speed=0)
    with pytest.raises(ValueError, match="group counts"):
        await run(5, 1, group_counts=())


def test_helpdesk_benchmark_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--participants", "3", "--staff", "1", "--speed", "50", "--groups", "2"]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("groups") for line in lines] == [2, None]
    assert lines[0]["relayed"] == lines[0]["participant_messages"] == sum(len(planned_messages(i)) for i in range(3))
    assert lines[0]["answered"] == 3
    assert "machine" in lines[1]
