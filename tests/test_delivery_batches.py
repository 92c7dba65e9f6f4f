"""The dispatcher works in batches: one read answers the turn's "still wanted?" checks, and a batch's outcomes
are recorded together, each row exactly as it would be alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.wanted import StillWanted
from bot.storage.connect import open_database
from bot.storage.db import Session
from bot.storage.store import Store
from tests.backends import database_url
from tests.catalogue_data import seed_participant
from tests.harness import BotHarness
from tests.keys import VAULT

FIRST = 9300


async def queue(store: Store, now: datetime, recipients: list[int]) -> None:
    async with store.write() as unit:
        for user_id in recipients:
            await unit.outbox.add(
                telegram_user_id=user_id,
                kind="test",
                message_key="menu-here",
                dedupe_key=f"batch:{user_id}",
                subject=f"batch:{user_id}",
                not_before=now,
                now=now,
            )


def count_reads(monkeypatch: pytest.MonkeyPatch, db: Any) -> list[int]:
    """Counts `db.reading()` entered from now on (one element per read)."""
    reads: list[int] = []
    original: Callable[[], AbstractAsyncContextManager[Session]] = db.reading

    @asynccontextmanager
    async def counted() -> AsyncIterator[Session]:
        reads.append(1)
        async with original() as session:
            yield session

    monkeypatch.setattr(db, "reading", counted)
    return reads


async def test_the_checks_of_a_batch_are_answered_by_a_few_reads(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bot.app is not None
    services = bot.app.bot_data.services
    recipients = list(range(FIRST, FIRST + 30))
    people = [bot.user(user_id) for user_id in recipients]
    reads = count_reads(monkeypatch, services.db)
    await queue(services.store, bot.clock.now(), recipients)
    await bot.drain_outbox()
    assert [len(person.messages) for person in people] == [1] * 30
    assert len(bot.server.requests_for("sendMessage")) == 30
    # One read per message before; the batch's checks now come in a handful of turns.
    assert len(reads) <= 10


async def test_a_mixed_batch_is_recorded_row_by_row(bot: BotHarness) -> None:
    """Sent, blocked (failed, recipient unreachable, the rest for them withdrawn) and a 502 (retried later) in one
    batch: each row ends as it would alone."""
    assert bot.app is not None
    services = bot.app.bot_data.services
    fine, blocked, flaky = FIRST + 40, FIRST + 41, FIRST + 42
    for user_id in (fine, blocked, flaky):
        bot.user(user_id)
    await seed_participant(bot, blocked)
    bot.server.block(blocked)
    bot.server.fail_next(1, status=502, methods={"sendMessage"})
    # Queued in one transaction, claimed in one batch; the first send (to `fine`) gets the 502.
    await queue(services.store, bot.clock.now(), [flaky, blocked, fine])
    await bot.drain_outbox()
    statuses = {
        int(row["telegram_user_id"]): (row["status"], row["attempts"])
        for row in bot.rows("SELECT telegram_user_id, status, attempts FROM outbox")
    }
    assert statuses[blocked] == ("failed", 1)
    assert bot.participant(blocked)["unreachable_since"] is not None  # type: ignore[index]
    retried = [user_id for user_id in (fine, flaky) if statuses[user_id][0] == "pending"]
    delivered = [user_id for user_id in (fine, flaky) if statuses[user_id][0] == "sent"]
    assert len(retried) == 1 and len(delivered) == 1
    sent_row = bot.rows(
        "SELECT sent_at, telegram_message_id, last_error FROM outbox WHERE telegram_user_id = ?", (delivered[0],)
    )
    assert sent_row[0]["sent_at"] is not None and sent_row[0]["telegram_message_id"] is not None
    assert sent_row[0]["last_error"] is None


async def test_still_wanted_answers_each_row_and_coalesces(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "wanted.db"))
    await db.migrate()
    store = Store(db, VAULT)
    try:
        now = datetime.fromisoformat("2026-11-23T03:00:00+00:00")
        await queue(store, now, [1, 2, 3, 4])
        async with store.write() as unit:
            claimed = await unit.outbox.claim_due(now, 3)
            await unit.outbox.cancel_pending(claimed[0].subject or "", keep=set())
        ids = [m.id for m in claimed]
        pending = ({row[0] for row in await _ids(store)} - set(ids)).pop()
        wanted = StillWanted(store)
        answers = await asyncio.gather(*(wanted(i) for i in [*ids, ids[1], pending]))
        assert answers == [False, True, True, True, False]  # withdrawn, claimed twice asked, never claimed
        assert wanted.reads == 1
        assert await wanted(ids[2]) is True
        assert wanted.reads == 2
    finally:
        await db.close()


async def test_still_wanted_passes_a_failed_read_to_every_waiter(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "broken.db"))
    store = Store(db, VAULT)  # not migrated: there is no outbox table to read
    try:
        wanted = StillWanted(store)
        results = await asyncio.gather(wanted(1), wanted(2), return_exceptions=True)
        assert all(isinstance(result, Exception) for result in results)
        assert wanted.reads == 1
    finally:
        await db.close()


async def _ids(store: Store) -> list[Any]:
    async with store.db.reading() as session:
        return await session.fetchall("SELECT id FROM outbox")
