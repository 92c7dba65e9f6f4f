"""Several bot instances on one PostgreSQL database, behind a load balancer (webhook mode).

Two real Applications in webhook mode on different ports share one database. A test load balancer takes the
updates the fake Telegram server holds and posts them to the instances in turn. One instance at a time sends the
outbox, elected through a PostgreSQL advisory lock; when it stops, the other takes over within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.storage.connect import open_database
from bot.storage.outbox import NewOutboxMessage
from bot.storage.store import Store
from fakegram import FakeTelegram
from tests.backends import fresh_postgres_url, query
from tests.flows import Person, register
from tests.harness import BotHarness
from tests.keys import VAULT
from tests.survey_flows import services

pytestmark = pytest.mark.postgresql_only

SECRET = "s3cret_Token-0123456789"
ELECTION_S = 0.3
RECIPIENTS = 2000
CONCURRENCY = 32
FIRST_RECIPIENT = 500_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def instance(server: FakeTelegram, url: str, tmp_path: Path, name: str) -> BotHarness:
    port = free_port()
    return BotHarness(
        server,
        tmp_path / f"{name}.unused",
        database_url=url,
        webhook_url=f"http://127.0.0.1:{port}/telegram-hook",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
        dispatcher_election_s=ELECTION_S,
        dispatch_concurrency=CONCURRENCY,
    )


class Balancer:
    """What Telegram and a load balancer do together: every update, pushed to the next instance in turn."""

    def __init__(self, server: FakeTelegram, instances: list[BotHarness]) -> None:
        self.server = server
        self.instances = instances
        self.routed: list[tuple[int, int]] = []  # (update_id, instance index)
        self._task: asyncio.Task[None] | None = None
        self._turn = 0

    async def __aenter__(self) -> Balancer:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def _live(self) -> list[int]:
        return [i for i, bot in enumerate(self.instances) if bot.app is not None]

    async def _run(self) -> None:
        offset = 0
        url = f"{self.server.base_url}{self.server.token}/getUpdates"
        async with aiohttp.ClientSession() as session:
            while True:
                async with session.post(url, json={"offset": offset, "timeout": 1}) as response:
                    updates: list[dict[str, Any]] = (await response.json())["result"]
                for update in updates:
                    live = self._live()
                    target = live[self._turn % len(live)]
                    self._turn += 1
                    bot = self.instances[target]
                    assert bot.settings.webhook_url is not None
                    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                    async with session.post(bot.settings.webhook_url, json=update, headers=headers) as answer:
                        assert answer.status == 200
                    self.routed.append((update["update_id"], target))
                    offset = update["update_id"] + 1


class Pair:
    """The two instances as a test sees the bot: `settle()` waits until every update is handled by one of them."""

    def __init__(self, a: BotHarness, b: BotHarness, balancer: Balancer) -> None:
        self.instances = [a, b]
        self.balancer = balancer
        self.server = a.server
        self.clock = a.clock

    def t(self, language: str = "id") -> Any:
        return self.instances[0].t(language)

    def handled(self) -> set[int]:
        done: set[int] = set()
        for bot in self.instances:
            done |= bot._done
        return done

    async def settle(self, timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while True:
                routed = {update_id for update_id, _ in self.balancer.routed}
                delivered = set(self.server.delivered_update_ids)
                if self.server.pending_updates == 0 and delivered <= routed <= self.handled():
                    return
                await asyncio.sleep(0.02)


def sender(instances: list[BotHarness]) -> list[int]:
    """Which instances send the outbox now."""
    return [i for i, bot in enumerate(instances) if bot.app is not None and services(bot).dispatcher.active]


async def one_sender(instances: list[BotHarness], timeout: float = 10.0) -> int:
    async with asyncio.timeout(timeout):
        while len(found := sender(instances)) != 1:  # noqa: ASYNC110 (elections run on their own timers)
            await asyncio.sleep(0.05)
    return found[0]


@pytest.fixture
async def pair(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[Pair]:
    url = fresh_postgres_url()
    a, b = instance(server, url, tmp_path, "a"), instance(server, url, tmp_path, "b")
    await a.start()
    await b.start()
    b.clock = a.clock  # one time for the whole deployment
    assert b.app is not None
    try:
        async with Balancer(server, [a, b]) as balancer:
            yield Pair(a, b, balancer)
    finally:
        await a.stop()
        await b.stop()


async def test_a_registration_alternating_between_instances_completes(pair: Pair) -> None:
    user = pair.server.user(4101, first_name="Siti")
    welcome = await register(pair, user, Person())  # type: ignore[arg-type]
    assert welcome.text is not None
    url = pair.instances[0].database_url
    [participant] = query(url, "SELECT * FROM participants WHERE telegram_user_id = ?", (4101,))
    assert participant["full_name"] == "Siti Nurhaliza" and VAULT.open(participant["nik"], "nik") == "3201015501900001"
    # Every step went to the other instance than the step before, and each handled its share.
    targets = [target for _, target in pair.balancer.routed]
    assert len(targets) >= 12 and all(x != y for x, y in itertools.pairwise(targets))
    assert all(pair.instances[i]._done for i in (0, 1))


async def test_exactly_one_instance_sends_and_another_takes_over_when_it_stops(pair: Pair) -> None:
    holder = await one_sender(pair.instances)
    other = pair.instances[1 - holder]
    assert [services(bot).dispatcher.active for bot in pair.instances] == [holder == 0, holder == 1]
    # Rows queued on the instance that does not send are sent at once by the one that does (NOTIFY).
    waiting = pair.server.user(4201)
    await queue(other, [4201])
    await waiting.wait_messages(1, timeout=5)
    assert sender(pair.instances) == [holder]

    # The sender stops (a deploy, a crash: its session ends either way); the other takes over within seconds.
    loop = asyncio.get_running_loop()
    await pair.instances[holder].stop()
    stopped_at = loop.time()
    assert await one_sender(pair.instances, timeout=10) == 1 - holder
    assert loop.time() - stopped_at < 5  # elections every 0.3 s here (DISPATCHER_ELECTION_S, 2 s by default)
    later = pair.server.user(4202)
    await queue(other, [4202])
    await later.wait_messages(1, timeout=5)


async def test_a_sender_whose_connection_dies_steps_down(pair: Pair) -> None:
    holder = await one_sender(pair.instances)
    url = pair.instances[0].database_url
    # The server ends the holder's election session (what a network failure or a killed backend looks like).
    terminated = query(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?"
        " AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)",
        ("Vokasi Bot dispatcher election",),
    )
    assert [row[0] for row in terminated] == [True]
    # Whoever has it next (the other instance, or the same one again after noticing), there is exactly one.
    await asyncio.sleep(ELECTION_S * 4)
    await one_sender(pair.instances)
    user = pair.server.user(4301)
    await queue(pair.instances[1 - holder], [4301])
    await user.wait_messages(1, timeout=5)


async def queue(bot: BotHarness, recipients: list[int], key: str = "menu-here") -> None:
    now = bot.clock.now()
    async with services(bot).store.write() as unit:
        await unit.outbox.add_many(
            [_message(recipient, key, f"instances-test:{recipient}", now) for recipient in recipients],
            now,
        )


def _message(recipient: int, key: str, dedupe_key: str, now: datetime) -> NewOutboxMessage:
    return NewOutboxMessage(
        telegram_user_id=recipient,
        kind="announcement",
        message_key=key,
        params={},
        dedupe_key=dedupe_key,
        not_before=now - timedelta(seconds=1),
    )


def delivered(server: FakeTelegram) -> Counter[int]:
    return Counter(
        int(r.params["chat_id"])
        for r in server.requests_for("sendMessage")
        if r.status == 200 and int(r.params["chat_id"]) >= FIRST_RECIPIENT
    )


async def test_a_broadcast_of_2000_goes_out_once_per_recipient_across_a_takeover(pair: Pair) -> None:
    """The sender stops mid-way; the other finishes. Only the batch in flight at the stop may come twice."""
    server = pair.server
    for n in range(RECIPIENTS):
        server.user(FIRST_RECIPIENT + n)
    holder = await one_sender(pair.instances)
    other = pair.instances[1 - holder]
    await queue(other, [FIRST_RECIPIENT + n for n in range(RECIPIENTS)])
    await server.wait_until(lambda: sum(delivered(server).values()) >= RECIPIENTS // 4, timeout=30)
    await pair.instances[holder].stop()
    await server.wait_until(lambda: len(delivered(server)) == RECIPIENTS, timeout=60)
    counts = delivered(server)
    assert set(counts) == {FIRST_RECIPIENT + n for n in range(RECIPIENTS)}
    duplicates = sum(counts.values()) - RECIPIENTS
    print(f"duplicates across the takeover: {duplicates}")
    assert 0 <= duplicates <= CONCURRENCY
    rows = query(other.database_url, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
    assert {row[0]: row[1] for row in rows} == {"sent": RECIPIENTS}


async def test_two_dispatchers_at_once_never_send_the_same_row(server: FakeTelegram, tmp_path: Path) -> None:
    """Even with the election out of the way (both send), no row is sent twice: a claim marks its rows 'sending' in a
    write transaction (one at a time across instances), and FOR UPDATE SKIP LOCKED would skip rows another claim
    holds if claims ever ran side by side."""
    url = fresh_postgres_url()
    databases = [await open_database(url), await open_database(url)]
    try:
        await databases[0].migrate()
        a, b = instance(server, url, tmp_path, "a"), instance(server, url, tmp_path, "b")
        for n in range(RECIPIENTS):
            server.user(FIRST_RECIPIENT + n)
        now = a.clock.now()
        async with Store(databases[0], VAULT).write() as unit:
            await unit.outbox.add_many(
                [_message(FIRST_RECIPIENT + n, "menu-here", f"both:{n}", now) for n in range(RECIPIENTS)], now
            )
        await a.start()
        await b.start()
        try:
            for bot in (a, b):
                services(bot).dispatcher._leadership = None  # both send
            await asyncio.gather(a.drain_outbox(), b.drain_outbox())
            counts = delivered(server)
            assert len(counts) == RECIPIENTS and set(counts.values()) == {1}
        finally:
            await a.stop()
            await b.stop()
    finally:
        for db in databases:
            await db.close()
