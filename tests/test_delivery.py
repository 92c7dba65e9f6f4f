"""The outbox dispatcher against Telegram's failures: blocked users, unknown chats, server errors; copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.delivery.dispatcher import WITHDRAWN
from fakegram import FakeTelegram
from tests.catalogue_data import seed_participant
from tests.flows import say
from tests.harness import BotHarness


async def queue(bot: BotHarness, telegram_user_id: int, key: str, *, copy_of: tuple[int, int] | None = None) -> None:
    assert bot.app is not None
    now = bot.clock.now()
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.outbox.add(
            telegram_user_id=telegram_user_id,
            kind="test",
            message_key=None if copy_of else "menu-here",
            params={},
            copy_of=copy_of,
            dedupe_key=key,
            not_before=now,
            now=now,
        )


def outbox(bot: BotHarness, telegram_user_id: int) -> list[tuple[str, str | None]]:
    rows = bot.rows("SELECT status, last_error FROM outbox WHERE telegram_user_id = ? ORDER BY id", (telegram_user_id,))
    return [(row[0], row[1]) for row in rows]


async def test_a_blocked_user_is_marked_unreachable_until_they_write_again(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(9001)
    await seed_participant(bot, 9001)
    bot.server.block(9001)
    await queue(bot, 9001, "first")
    await bot.drain_outbox()
    participant = bot.participant(9001)
    assert participant is not None and participant["unreachable_since"] is not None
    assert "blocked" in (participant["unreachable_reason"] or "")
    assert outbox(bot, 9001)[0][0] == "failed"
    # While unreachable, nothing more is attempted.
    await queue(bot, 9001, "second")
    await bot.drain_outbox()
    assert outbox(bot, 9001)[1] == ("cancelled", "recipient unreachable")
    sends = len([r for r in bot.server.requests_for("sendMessage") if int(r.params["chat_id"]) == 9001])
    assert sends == 1

    await say(bot, user, "/start")  # they unblocked the bot and wrote: reachable again
    assert bot.participant(9001)["unreachable_since"] is None  # type: ignore[index]
    await queue(bot, 9001, "third")
    await bot.drain_outbox()
    assert outbox(bot, 9001)[2] == ("sent", None)
    assert user.messages[-1].text == t("menu-here")


async def test_a_chat_telegram_does_not_know_is_unreachable(bot: BotHarness) -> None:
    await seed_participant(bot, 9002)  # no Telegram chat exists for this id on the fake server
    await queue(bot, 9002, "lost")
    await bot.drain_outbox()
    assert outbox(bot, 9002)[0][0] == "failed"
    assert "chat not found" in (bot.participant(9002)["unreachable_reason"] or "").lower()  # type: ignore[index]


async def test_server_errors_are_retried_with_backoff(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(9003)
    bot.server.fail_next(1, status=502, methods={"sendMessage"})
    await queue(bot, 9003, "retry")
    await bot.drain_outbox()
    status, error = outbox(bot, 9003)[0]
    assert status == "pending"
    assert error is not None and error.startswith("network")
    assert user.messages == []
    bot.advance(timedelta(seconds=2))  # backoff 2^attempts s
    await bot.drain_outbox()
    assert outbox(bot, 9003)[0] == ("sent", None)
    assert user.messages[-1].text == t("menu-here")
    assert bot.rows("SELECT attempts FROM outbox WHERE telegram_user_id = 9003")[0][0] == 2


async def test_a_copied_message_keeps_its_content(bot: BotHarness) -> None:
    staff, participant = bot.user(9004), bot.user(9005)
    await staff.send_text("Pengumuman: pelatihan K3 dibuka <b>besok</b>")
    await bot.settle()
    original = 1  # the first message in the staff member's chat
    await queue(bot, 9005, "copy", copy_of=(9004, original))
    await bot.drain_outbox()
    copies = bot.server.requests_for("copyMessage")
    assert [(int(c.params["chat_id"]), int(c.params["from_chat_id"])) for c in copies] == [(9005, 9004)]
    assert participant.messages[-1].text == "Pengumuman: pelatihan K3 dibuka <b>besok</b>"
    assert outbox(bot, 9005) == [("sent", None)]


async def test_the_dispatcher_sets_an_alarm_for_the_next_due_message(bot: BotHarness) -> None:
    assert bot.app is not None and bot.app.job_queue is not None
    now = bot.clock.now()
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.outbox.add(
            telegram_user_id=9006,
            kind="test",
            message_key="menu-here",
            dedupe_key="later",
            not_before=now + timedelta(minutes=10),
            now=now,
        )
    await bot.drain_outbox()
    alarms = bot.app.job_queue.get_jobs_by_name("outbox-alarm")
    assert len(alarms) == 1
    assert alarms[0].next_t is not None
    seconds = (alarms[0].next_t - datetime.now(UTC)).total_seconds()
    assert 590 < seconds <= 600  # APScheduler's own clock: ten minutes from the run


async def test_a_message_withdrawn_while_waiting_for_its_turn_is_not_sent(server: FakeTelegram, tmp_path: Path) -> None:
    """The dispatcher claims a batch, then the rate limiter spaces it out; a withdrawal in between (a finished
    survey's nudge, a stopped broadcast) still stops a claimed message."""
    bot = BotHarness(server, tmp_path / "slow.db", telegram_messages_per_s=2)  # one message, then one per 0.5 s
    await bot.start()
    try:
        assert bot.app is not None
        services = bot.app.bot_data.services
        people = [bot.user(user_id) for user_id in (9101, 9102, 9103)]
        now = bot.clock.now()
        async with services.store.write() as unit:
            for user_id in (9101, 9102, 9103):
                await unit.outbox.add(
                    telegram_user_id=user_id,
                    kind="test",
                    message_key="menu-here",
                    dedupe_key=f"slow:{user_id}",
                    subject=f"slow:{user_id}",
                    not_before=now,
                    now=now,
                )
        await server.wait_until(lambda: len(server.requests_for("sendMessage")) >= 1)
        assert [r["status"] for r in bot.rows("SELECT status FROM outbox ORDER BY id")][1:] == ["sending", "sending"]
        async with services.store.write() as unit:
            assert await unit.outbox.cancel_pending("slow:9103", keep=set()) == 1
        await bot.drain_outbox()  # waits for the run in progress
        assert [len(person.messages) for person in people] == [1, 1, 0]
        assert outbox(bot, 9103) == [("cancelled", WITHDRAWN)]
    finally:
        await bot.stop()
