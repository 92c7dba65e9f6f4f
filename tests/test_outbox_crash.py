"""At-least-once delivery across kill -9: 2,000 outbox messages, the real bot process killed mid-way."""

from __future__ import annotations

import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.storage.connect import open_database
from bot.storage.store import Store
from fakegram import FakeTelegram
from tests.backends import database_url
from tests.keys import VAULT
from tests.processes import bot_process

MESSAGES = 2000
CONCURRENCY = 32
FIRST_USER = 900_000


def delivered(server: FakeTelegram) -> Counter[int]:
    """Messages Telegram accepted, per chat, from the fake server's request log."""
    return Counter(int(r.params["chat_id"]) for r in server.requests_for("sendMessage") if r.status == 200)


async def queue_messages(db_path: Path) -> None:
    db = await open_database(database_url(db_path))
    await db.migrate()
    now = datetime.now(UTC) - timedelta(minutes=1)
    try:
        async with Store(db, VAULT).write() as unit:
            for n in range(MESSAGES):
                await unit.outbox.add(
                    telegram_user_id=FIRST_USER + n,
                    kind="announcement",
                    message_key="menu-here",
                    params={},
                    dedupe_key=f"crash-test:{n}",
                    not_before=now,
                    now=now,
                )
    finally:
        await db.close()


async def test_sigkill_while_sending_loses_nothing_and_duplicates_at_most_the_sends_in_flight(
    server: FakeTelegram, tmp_path: Path
) -> None:
    for n in range(MESSAGES):
        server.user(FIRST_USER + n)
    await queue_messages(tmp_path / "vokasi.db")
    # Paced at 400/s by the bot's own rate limiter, so the kill lands in the middle of sending.
    env = {
        "TELEGRAM_MESSAGES_PER_S": "400",
        "TELEGRAM_CHAT_MESSAGES_PER_S": "400",
        "DISPATCH_CONCURRENCY": str(CONCURRENCY),
    }
    async with bot_process(server, tmp_path, **env) as first:
        await server.wait_until(lambda: sum(delivered(server).values()) >= MESSAGES // 3, timeout=30)
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    before_restart = sum(delivered(server).values())
    assert MESSAGES // 3 <= before_restart < MESSAGES  # killed mid-way

    async with bot_process(server, tmp_path, **env) as second:
        await server.wait_until(lambda: len(delivered(server)) == MESSAGES, timeout=60)
        second.send_signal(signal.SIGTERM)
        assert await second.wait() == 0

    counts = delivered(server)
    assert set(counts) == {FIRST_USER + n for n in range(MESSAGES)}  # every message arrived
    duplicates = sum(counts.values()) - MESSAGES
    print(f"delivered before the kill: {before_restart}, duplicates after restart: {duplicates}")
    assert 0 <= duplicates <= CONCURRENCY, duplicates  # only sends in flight at the kill can repeat
    assert Settings(_env_file=None).dispatch_concurrency == CONCURRENCY  # the documented default bound
