"""Running it: webhook mode with its secret, the health endpoint, duplicate updates, JSON logs with pseudonymous
users, staff alerts on unexpected errors, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import signal
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.logs import JsonFormatter, _ContextFilter, update_context, user_hash
from fakegram import FakeTelegram
from tests.backends import database_url, is_postgres, query
from tests.catalogue_data import seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.processes import bot_process
from tests.survey_flows import services

SECRET = "s3cret_Token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    port, health = free_port(), free_port()
    harness = BotHarness(
        server,
        tmp_path / "hook.db",
        webhook_url=f"http://127.0.0.1:{port}/telegram-hook",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
        health_port=health,
        admin_ids=str(ADMIN_ID),
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def message_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1795400000,
            "chat": {"id": user_id, "type": "private", "first_name": "Budi"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Budi"},
            "text": text,
            "entities": entities,
        },
    }


async def post(bot: BotHarness, body: dict[str, Any], secret: str | None) -> int:
    url = bot.settings.webhook_url
    assert url is not None
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with aiohttp.ClientSession() as session, session.post(url, json=body, headers=headers) as response:
        return response.status


async def get_health(bot: BotHarness) -> tuple[int, dict[str, Any]]:
    url = f"http://127.0.0.1:{bot.settings.health_port}/health"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_webhook_mode_takes_updates_only_with_the_secret_and_each_once(webhook_bot: BotHarness) -> None:
    bot, t = webhook_bot, webhook_bot.t()
    [registered] = bot.server.requests_for("setWebhook")
    assert registered.params["url"] == bot.settings.webhook_url
    assert registered.params["secret_token"] == SECRET
    assert bot.server.requests_for("getUpdates") == []  # no polling in webhook mode
    user = bot.user(4242)
    assert await post(bot, message_update(1, 4242, "/start"), None) == 403
    assert await post(bot, message_update(2, 4242, "/start"), "wrong-secret-0123456789") == 403
    await asyncio.sleep(0.3)  # (real time: nothing is expected to happen)
    assert user.new_messages() == []
    assert await post(bot, message_update(3, 4242, "/start"), SECRET) == 200
    [notice] = await user.wait_messages(1)
    assert notice.text == t("consent-notice")
    assert await post(bot, message_update(3, 4242, "/start"), SECRET) == 200  # Telegram retries the same update
    assert await post(bot, message_update(4, 4242, "/bantuan"), SECRET) == 200
    [help_text] = await user.wait_messages(1)
    assert (help_text.text or "").startswith("<b>Bantuan")  # the retry was not answered a second time
    assert [r[0] for r in bot.rows("SELECT update_id FROM seen_updates ORDER BY update_id")] == [3, 4]


async def post_bytes(bot: BotHarness, body: bytes | io.BytesIO | AsyncIterator[bytes]) -> int | None:
    """POST a raw body with the secret: the status, or None when the server closed the connection instead."""
    url = bot.settings.webhook_url
    assert url is not None
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    try:
        async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
            return response.status
    except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError):
        return None


async def test_the_webhook_refuses_a_body_over_1_mb_and_goes_on(webhook_bot: BotHarness) -> None:
    bot, t = webhook_bot, webhook_bot.t()
    two_mb = io.BytesIO(b'{"update_id": 1, "padding": "' + b"x" * (2 * 1024 * 1024) + b'"}')
    assert await post_bytes(bot, two_mb) in (413, None)  # said so by its Content-Length: refused unread

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: refused once 1 MB has been read
        yield b'{"update_id": 1, "padding": "'
        for _ in range(32):
            yield b"x" * 65536
        yield b'"}'

    assert await post_bytes(bot, chunks()) in (413, None)
    assert await post_bytes(bot, b"not json") == 400
    assert await post_bytes(bot, b"[1, 2]") == 400
    user = bot.user(4243)
    assert await post(bot, message_update(5, 4243, "/start"), SECRET) == 200  # a normal update still works
    [notice] = await user.wait_messages(1)
    assert notice.text == t("consent-notice")
    assert [r[0] for r in bot.rows("SELECT update_id FROM seen_updates")] == [5]


async def test_health_reports_the_database_and_the_dispatchers_delay(webhook_bot: BotHarness) -> None:
    bot = webhook_bot
    status, body = await get_health(bot)
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "dispatcher_delay_s": 0.0,
        "max_delay_s": 300.0,
        "mode": "webhook",
        "sends_outbox": True,  # the only instance
    }
    await seed_participant(bot, 1001)
    async with services(bot).store.write() as unit:
        await unit.outbox.add(
            telegram_user_id=1001, kind="test", message_key="help", params={"contact": "-"}, dedupe_key="late",
            not_before=bot.clock.now() + timedelta(hours=1), now=bot.clock.now(),
        )  # fmt: skip
    bot.advance(timedelta(hours=2))  # due an hour ago, and the dispatcher has not run
    status, body = await get_health(bot)
    assert (status, body["status"], body["dispatcher_delay_s"]) == (503, "unhealthy", 3600.0)
    await bot.drain_outbox()
    assert (await get_health(bot))[0] == 200


async def test_staff_are_alerted_once_per_kind_of_error(staff_bot: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/start")

    async def broken(user_id: int) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services(bot).registration, "start", broken)
    for user_id in (5001, 5002):
        assert (await say(bot, bot.user(user_id), "/start")).text == t("err-internal")
    await bot.drain_outbox()
    alerts = [m for m in admin.new_messages() if (m.text or "").startswith("🚨")]
    assert len(alerts) == 1  # the second error of the same kind within the cooldown is not alerted
    assert "RuntimeError in registration.py:start" in (alerts[0].text or "")
    bot.advance(timedelta(minutes=11))
    await say(bot, bot.user(5003), "/start")
    await bot.drain_outbox()
    assert len([m for m in admin.new_messages() if (m.text or "").startswith("🚨")]) == 1


def test_json_log_lines_carry_the_update_and_a_pseudonym_not_the_user() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json-log")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        update_context(77, 123456789)
        logger.warning("enrolment %d refused", 12)
        update_context(None, None)
        logger.warning("no update")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "enrolment 12 refused" and first["level"] == "WARNING"
    assert first["update_id"] == 77 and first["user"] == user_hash(123456789)
    assert "123456789" not in stream.getvalue()
    assert "update_id" not in second and "user" not in second


async def test_sigterm_stops_cleanly_within_ten_seconds(server: FakeTelegram, tmp_path: Path) -> None:
    async with bot_process(server, tmp_path) as process:
        users = [server.user(6000 + i) for i in range(20)]
        for user in users:
            await user.send_text("/start")
        await asyncio.sleep(0.05)  # some updates taken, some still being handled
        loop = asyncio.get_running_loop()
        began = loop.time()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=10)
        took = loop.time() - began
    assert code == 0 and took < 10
    # Every update the bot took from Telegram was answered before it stopped (each user sent one /start).
    answered = {int(r.params["chat_id"]) for r in server.requests_for("sendMessage")}
    assert answered <= {u.user_id for u in users}
    assert len(answered) == len(server.delivered_update_ids) > 0
    url = database_url(tmp_path / "vokasi.db")
    if not is_postgres():
        assert [tuple(row) for row in query(url, "PRAGMA integrity_check")] == [("ok",)]
    assert query(url, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'")[0][0] == 0


def test_pseudonyms_are_keyed_by_the_data_keys() -> None:
    """Without DATA_KEYS nobody can turn a pseudonym back into a Telegram id by hashing candidate ids."""
    import hashlib

    import bot.logs
    from bot.storage.vault import PSEUDONYM_PURPOSE, Vault

    saved = bot.logs._pseudonym_key
    try:
        unkeyed = hashlib.blake2b(b"123456789", digest_size=6, person=b"vokasi-log").hexdigest()
        bot.logs.use_pseudonym_key(Vault.generate().derived_key(PSEUDONYM_PURPOSE))
        first = user_hash(123456789)
        assert first == user_hash(123456789) and first != unkeyed
        bot.logs.use_pseudonym_key(Vault.generate().derived_key(PSEUDONYM_PURPOSE))
        assert user_hash(123456789) not in (first, unkeyed)
    finally:
        bot.logs.use_pseudonym_key(saved)
