"""Kept only as long as promised: one notice RETENTION_NOTICE_DAYS before (outside quiet hours, with the date), then
erasure RETENTION_MONTHS after the last activity, exactly as /hapusdata erases; a new enrolment keeps the data, a
recent completion too; people who never registered lose their traces; the audit log counts each run and is pruned."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.logs import user_hash
from bot.services import retention
from bot.services.enrollment import Enrolled
from bot.services.retention import RUN_ACTION, RetentionRun, plus_months
from bot.storage.reports import Scope
from bot.storage.retention import RetentionRepository
from tests.backends import execute
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import WIB, BotHarness
from tests.survey_flows import services

# Registered on 23 November 2026 (tests/harness.py START) and then: nothing; a notice, then a new course; a
# course completed in March 2027; a course completed in December 2026.
QUIET, RETURNS, RECENT, EARLY = 3001, 3002, 3003, 3004
# Never registered: asked the help desk and chose English on 23 November 2026.
STRANGER = 3009


def at(year: int, month: int, day: int, hour: int = 1, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


async def run_at(bot: BotHarness, moment: datetime) -> RetentionRun:
    """What the daily job does at `moment` (01:00 WIB, its time), and the sending of what is due then."""
    bot.advance(moment - bot.clock.now())
    done = await services(bot).retention.run()
    await bot.drain_outbox()
    return done


def notices(bot: BotHarness, user_id: int) -> int:
    return int(
        bot.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'retention_notice' AND telegram_user_id = ?", (user_id,))[0][
            0
        ]
    )


def erased(bot: BotHarness) -> int:
    return int(bot.rows("SELECT COUNT(*) FROM participants WHERE erased_at IS NOT NULL")[0][0])


async def enrol(bot: BotHarness, user_id: int, code: str) -> None:
    course_id = int(bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0][0])
    assert isinstance(await services(bot).enrollment.enrol(user_id, course_id, waitlist=False), Enrolled)


async def complete(bot: BotHarness, code: str, moment: datetime) -> None:
    bot.advance(moment - bot.clock.now())
    course_id = int(bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0][0])
    await services(bot).completion.complete_course(course_id)
    await bot.drain_outbox()


async def test_one_notice_at_23_months_then_erasure_at_24_unless_active_again(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    assert bot.app is not None and bot.app.job_queue is not None
    assert bot.app.job_queue.get_jobs_by_name("retention")  # the daily job is registered
    await import_catalogue(
        bot,
        catalogue_csv(
            course_row("K1"),  # 7-8 December 2026
            course_row("K3", sesi="2027-03-08 08:00-16:00 Teori", batas_pendaftaran="2027-03-01"),
        ),
    )
    for user_id in (QUIET, RETURNS, RECENT, EARLY):
        await seed_participant(bot, user_id)
        bot.user(user_id)  # they have a chat with the bot
    await enrol(bot, EARLY, "K1")
    await enrol(bot, RECENT, "K3")
    stranger = bot.user(STRANGER, "Tamu")
    await say(bot, stranger, "/tanya")
    await say(bot, stranger, "Saya belum menerima surat undangan pelatihan")
    await say(bot, stranger, "/bahasa")
    await stranger.press(t("lang-name-en"))
    await bot.settle()
    await say(bot, stranger, "/siaran")  # a refused attempt, audited by pseudonym (erased with them)
    await say(bot, bot.user(ADMIN_ID), "/laporan")  # an admin's action, audited (pruned 24 months later)
    await complete(bot, "K1", at(2026, 12, 8, 17))
    await complete(bot, "K3", at(2027, 3, 8, 17))
    for user_id in (QUIET, RETURNS, RECENT, EARLY):
        bot.user(user_id).new_messages()
    before = (await services(bot).reports.summary(Scope())).totals

    # A day before the notice period: nothing. QUIET and RETURNS are due on 23 November 2028, 10:00 WIB.
    assert await run_at(bot, at(2028, 10, 24)) == RetentionRun()
    # 23 months on, at 01:00 WIB: one notice each, queued for the end of the quiet hours.
    done = await run_at(bot, at(2028, 10, 25))
    assert (done.noticed, done.erased) == (2, 0)
    assert bot.user(QUIET).new_messages() == []
    bot.advance(at(2028, 10, 25, 6, 59) - bot.clock.now())
    await bot.drain_outbox()
    assert bot.user(QUIET).new_messages() == []
    bot.advance(at(2028, 10, 25, 7, 0) - bot.clock.now())
    await bot.drain_outbox()
    [notice] = bot.user(QUIET).new_messages()
    # At least 30 days ahead and past the due moment: the first midnight after 24 November 01:00.
    assert notice.text == t("retention-notice", date=t.date(date(2028, 11, 25)), months=24)
    assert "/dataku" in (notice.text or "") and "/pelatihan" in (notice.text or "")
    assert len(bot.user(RETURNS).new_messages()) == 1
    assert bot.user(RECENT).new_messages() == [] and bot.user(EARLY).new_messages() == []

    # The next day: no second notice. RETURNS joins a new course, so their notice no longer holds.
    assert (await run_at(bot, at(2028, 10, 26))).noticed == 0
    assert notices(bot, QUIET) == 1
    bot.advance(at(2028, 10, 26, 10) - bot.clock.now())
    await import_catalogue(
        bot, catalogue_csv(course_row("K9", sesi="2028-12-04 08:00-16:00 Teori", batas_pendaftaran="2028-11-30"))
    )
    await enrol(bot, RETURNS, "K9")
    assert (await run_at(bot, at(2028, 10, 27))).reset == 1
    [returns] = bot.rows("SELECT retention_notice_at, retention_erase_at FROM participants WHERE telegram_user_id = ?",
                         (RETURNS,))  # fmt: skip
    assert tuple(returns) == (None, None)

    # The day before the date named: still kept. EARLY (completed 8 December 2026) is told now. The one who never
    # registered: 24 months after their ticket and language choice, those traces go, and so does the admin's
    # audit entry of that day.
    done = await run_at(bot, at(2028, 11, 24))
    assert (done.noticed, done.erased, done.strangers) == (1, 0, 1) and notices(bot, EARLY) == 1
    assert done.audit_pruned == 1 and bot.rows("SELECT COUNT(*) FROM audit_log WHERE actor = ?", (ADMIN_ID,))[0][0] == 0
    assert erased(bot) == 0
    assert bot.rows("SELECT COUNT(*) FROM tickets WHERE telegram_user_id = ?", (STRANGER,))[0][0] == 0
    assert bot.rows("SELECT COUNT(*) FROM user_preferences WHERE telegram_user_id = ?", (STRANGER,))[0][0] == 0
    assert bot.rows("SELECT COUNT(*) FROM tickets")[0][0] == 1  # the ticket stays, anonymous, for the figures
    assert bot.rows("SELECT COUNT(*) FROM audit_log WHERE actor_pseudonym = ?", (user_hash(STRANGER),))[0][0] == 0
    # The date named: QUIET is erased as /hapusdata erases; the others stay.
    done = await run_at(bot, at(2028, 11, 25))
    assert (done.erased, done.strangers) == (1, 0)
    assert bot.participant(QUIET) is None and erased(bot) == 1
    for kept in (RETURNS, RECENT, EARLY):
        assert bot.participant(kept) is not None, kept
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE telegram_user_id = ?", (QUIET,))[0][0] == 0

    # The reports count the erased participant, without identity.
    after = (await services(bot).reports.summary(Scope())).totals
    assert after.registered == before.registered == 4
    # Every run left one audit entry with its counts.
    runs = bot.rows("SELECT actor, role, detail FROM audit_log WHERE action = ? ORDER BY id", (RUN_ACTION,))
    assert len(runs) == 6 and all(tuple(r)[:2] == (0, "system") for r in runs)
    assert json.loads(runs[-1]["detail"])["erased"] == 1

    # Nothing reaches the erased person afterwards.
    await run_at(bot, at(2028, 11, 26))
    bot.advance(at(2028, 11, 26, 12) - bot.clock.now())
    await bot.drain_outbox()
    assert bot.user(QUIET).new_messages() == []


async def test_audit_entries_written_before_pseudonyms_get_one(staff_bot: BotHarness) -> None:
    bot = staff_bot
    now = bot.clock.now()
    async with services(bot).store.write() as unit:
        # As the bot wrote them before: a participant's Telegram id on a refused attempt, and an admin's action.
        await unit.staff.audit(4321, None, "refused:siaran", {}, allowed=False, now=now)
        await unit.staff.audit(ADMIN_ID, "admin", "report:summary", {}, allowed=True, now=now)
    await services(bot).retention.run()
    rows = bot.rows("SELECT actor, actor_pseudonym, action FROM audit_log WHERE action <> ? ORDER BY id", (RUN_ACTION,))
    assert [tuple(r) for r in rows] == [
        (0, user_hash(4321), "refused:siaran"),
        (ADMIN_ID, None, "report:summary"),
    ]


def test_months_are_calendar_months_and_the_notice_fits_in_the_retention() -> None:
    assert plus_months(datetime(2026, 2, 28, 10, tzinfo=UTC), 24) == datetime(2028, 2, 28, 10, tzinfo=UTC)
    assert plus_months(datetime(2028, 2, 29, 10, tzinfo=UTC), 24) == datetime(2030, 2, 28, 10, tzinfo=UTC)
    assert plus_months(datetime(2028, 12, 31, 1, tzinfo=UTC), -24) == datetime(2026, 12, 31, 1, tzinfo=UTC)
    with pytest.raises(ValidationError, match="RETENTION_NOTICE_DAYS"):
        Settings(_env_file=None, retention_months=1, retention_notice_days=30)


async def test_notices_go_in_batches_once_each_and_not_to_someone_erased_meanwhile(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [3101 + i for i in range(5)]
    for user_id in people:
        await seed_participant(bot, user_id)
    gone = people[2]  # erased after the run found them, before their batch was written
    monkeypatch.setattr(retention, "BATCH", 2)
    batches: list[int] = []
    store = services(bot).store
    write, reachable = store.write, RetentionRepository.recipients

    def first_write_after_an_erasure() -> Any:
        if not batches:  # between the run's read of who is due and its first batch
            execute(bot.database_url, "UPDATE participants SET telegram_user_id = NULL WHERE telegram_user_id = ?",
                    (gone,))  # fmt: skip
        return write()

    async def recipients(repo: RetentionRepository, ids: Sequence[int]) -> dict[int, tuple[int, str]]:
        batches.append(len(ids))
        return await reachable(repo, ids)

    monkeypatch.setattr(store, "write", first_write_after_an_erasure)
    monkeypatch.setattr(RetentionRepository, "recipients", recipients)
    assert (await run_at(bot, at(2028, 10, 25))).noticed == 4
    assert batches == [2, 2, 1]  # the cap holds: five people, three transactions
    assert [notices(bot, user_id) for user_id in people] == [1, 1, 0, 1, 1]
    told = bot.rows("SELECT COUNT(*) FROM participants WHERE retention_notice_at IS NOT NULL")[0][0]
    assert told == 4
    assert (await run_at(bot, at(2028, 10, 26))).noticed == 0  # told once: the next run adds nothing
    assert [notices(bot, user_id) for user_id in people] == [1, 1, 0, 1, 1]
