"""Broadcasts ("siaran"): audiences from combined filters, the composer, sending now or later, progress and the
final figures, stopping, a restart mid-way, opt-outs, blocked recipients and paid broadcasts."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.handlers.broadcast_progress import refresh_progress
from bot.services.broadcasts import BroadcastService, Panel
from bot.services.enrollment import Refusal
from bot.storage.broadcasts import Audience
from bot.storage.enrollments import COMPLETED, ENROLLED
from bot.storage.surveys import NewRun
from fakegram import BotMessage, FakeTelegram, FakeUser
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import press, say
from tests.harness import BotHarness
from tests.survey_flows import JAWA_BARAT, MALUKU, WIB, services

ADMIN = ADMIN_ID
BALI = "51"
# Who is who in the hand-built programme (see `programme`).
ENROLLED_BANDUNG, COMPLETED_BEKASI, COMPLETED_AMBON, OPTED_OUT, UNREACHABLE, ERASED, BALI_BUSINESS = range(2001, 2008)
EVERYONE = {ENROLLED_BANDUNG, COMPLETED_BEKASI, COMPLETED_AMBON, BALI_BUSINESS}


@pytest.fixture
async def staff_bot(staff_bot: BotHarness) -> BotHarness:
    """The staff bot (tests/conftest.py) with the hand-built programme."""
    await programme(staff_bot)
    return staff_bot


async def programme(bot: BotHarness) -> None:
    """Seven participants: enrolled, completed (one with an answered check-in, one with a missed one), opted out,
    unreachable, erased, and one in Bali who reported running a business."""
    await import_catalogue(bot, catalogue_csv(course_row("K1")))
    now = bot.clock.now()
    places = {
        ENROLLED_BANDUNG: (JAWA_BARAT, "Kota Bandung"),
        COMPLETED_BEKASI: (JAWA_BARAT, "Kota Bekasi"),
        COMPLETED_AMBON: (MALUKU, "Kota Ambon"),
        OPTED_OUT: (JAWA_BARAT, "Kota Bandung"),
        UNREACHABLE: (JAWA_BARAT, "Kota Bandung"),
        ERASED: (JAWA_BARAT, "Kota Bandung"),
        BALI_BUSINESS: (BALI, "Kota Denpasar"),
    }
    ids = {user_id: await seed_participant(bot, user_id, province) for user_id, (province, _) in places.items()}
    for user_id in places:
        bot.user(user_id)  # they have a chat with the bot
    async with services(bot).store.write() as unit:
        for user_id, (_, regency) in places.items():
            await unit.participants.update(ids[user_id], {"regency": regency}, now)
        await unit.enrollments.create(ids[ENROLLED_BANDUNG], 1, ENROLLED, now)
        for user_id in (COMPLETED_BEKASI, COMPLETED_AMBON):
            enrollment = await unit.enrollments.create(ids[user_id], 1, ENROLLED, now)
            await unit.enrollments.finish(enrollment.id, COMPLETED, now)
            run = await unit.surveys.create(NewRun(ids[user_id], "employment", "d30", enrollment.id, now), now)
            await unit.surveys.start(run.id, "status", now, now + timedelta(days=7))
            if user_id == COMPLETED_BEKASI:
                await unit.surveys.record_checkin(run, "new_employer", now)
                await unit.participants.set_employment_status(ids[user_id], "new_employer", now)
            else:
                await unit.participants.set_employment_status(ids[user_id], "not_working", now - timedelta(days=1))
        await unit.participants.set_employment_status(ids[BALI_BUSINESS], "own_business", now)
        await unit.participants.set_announcements(ids[OPTED_OUT], wanted=False, now=now)
        await unit.participants.mark_unreachable(UNREACHABLE, "forbidden: bot was blocked by the user", now)
        await unit.participants.erase(ids[ERASED], now)


def broadcasts(bot: BotHarness) -> BroadcastService:
    return services(bot).broadcasts


def recipients(bot: BotHarness, broadcast_id: int) -> set[int]:
    rows = bot.rows("SELECT telegram_user_id FROM outbox WHERE subject = ?", (f"broadcast:{broadcast_id}:",))
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, EVERYONE),
        ({"course_id": 1}, {ENROLLED_BANDUNG, COMPLETED_BEKASI, COMPLETED_AMBON}),
        ({"enrollment": "enrolled"}, {ENROLLED_BANDUNG}),
        ({"enrollment": "completed"}, {COMPLETED_BEKASI, COMPLETED_AMBON}),
        ({"province_code": JAWA_BARAT}, {ENROLLED_BANDUNG, COMPLETED_BEKASI}),
        ({"province_code": JAWA_BARAT, "regency": "Kota Bekasi"}, {COMPLETED_BEKASI}),
        ({"employment_status": "not_working"}, {COMPLETED_AMBON}),
        ({"employment_status": "unknown"}, {ENROLLED_BANDUNG}),
        ({"missed_checkin": True}, {COMPLETED_AMBON}),
        ({"course_id": 1, "enrollment": "completed", "province_code": MALUKU}, {COMPLETED_AMBON}),
        ({"province_code": BALI, "enrollment": "completed"}, set()),
    ],
)
async def test_audience_filters_combine(staff_bot: BotHarness, filters: dict[str, object], expected: set[int]) -> None:
    bot = staff_bot
    async with services(bot).store.read() as unit:
        assert await unit.broadcasts.count(Audience(**filters)) == len(expected)  # type: ignore[arg-type]
    if not expected:
        return
    draft = await broadcasts(bot).start(ADMIN)
    await broadcasts(bot).attach(ADMIN, ADMIN, 1, "text")
    panel = await broadcasts(bot).set_filter(ADMIN, draft.id, **filters)
    assert isinstance(panel, Panel) and panel.count == len(expected)
    sent = await broadcasts(bot).send(ADMIN, draft.id)
    assert isinstance(sent, Panel) and sent.count == len(expected)  # the preview's count is what is queued
    assert recipients(bot, draft.id) == expected


ANNOUNCEMENT = "Pendaftaran gelombang 2 dibuka!"


def announced(bot: BotHarness, text: str = ANNOUNCEMENT) -> str:
    """What a recipient reads: the sender (PROGRAMME_NAME), the announcement, how to ask (issue 22)."""
    t = bot.t()
    sender = t.plain("broadcast-sender", programme=bot.settings.programme_name).replace("<b>", "").replace("</b>", "")
    return f"{sender}\n\n{text}\n\n{t.plain('broadcast-how-to-ask')}"


def announced_entities(bot: BotHarness) -> list[dict[str, object]]:
    """The sender's line in bold, then the staff member's own bold word (offsets in UTF-16 units, as Telegram)."""
    sender = announced(bot).split("\n", 1)[0]
    emoji = utf16_len("📢 ")  # the bold words follow the emoji
    return [
        {"type": "bold", "offset": emoji, "length": utf16_len(sender) - emoji},
        {"type": "bold", "offset": utf16_len(sender) + 2, "length": 11},
    ]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def compose(bot: BotHarness, admin: FakeUser, text: str = ANNOUNCEMENT) -> BotMessage:
    """/siaran, then the announcement (with a bold word); returns the audience panel."""
    t = bot.t()
    assert (await say(bot, admin, "/siaran")).text == t("broadcast-ask-message")
    await admin.send_text(text, entities=[{"type": "bold", "offset": 0, "length": 11}])
    await bot.settle()
    preview_notice, preview, panel = admin.new_messages()
    assert preview_notice.text == t("broadcast-preview")
    # The preview is the announcement as recipients get it, with who sends it and how to ask.
    assert preview.plain_text == announced(bot, text)
    if text == ANNOUNCEMENT:
        assert preview.entities == announced_entities(bot)
    return panel


async def test_compose_filter_send_and_watch_it_go_out(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN)
    panel = await compose(bot, admin)
    assert (panel.text or "").startswith(f"📣 <b>Siaran #1</b> — penerima: <b>{len(EVERYONE)}</b>")
    await admin.press(t("btn-filter-province"))
    await bot.settle()
    picker = admin.message(panel.message_id)
    assert picker.button_texts()[:3] == ["Jawa Barat", "Bali", "Maluku"]
    await admin.press("Jawa Barat")
    await bot.settle()
    assert "penerima: <b>2</b>" in (admin.message(panel.message_id).text or "")
    await admin.press(t("btn-broadcast-send", count=2))
    await bot.settle()
    progress = admin.message(panel.message_id)
    assert progress.text == t("broadcast-progress", id=1, sent=0, pending=2, failed=0)
    assert progress.button_texts() == [t("btn-broadcast-stop")]

    await bot.drain_outbox()
    for user_id in (ENROLLED_BANDUNG, COMPLETED_BEKASI):
        [copy] = bot.user(user_id).new_messages()
        assert copy.plain_text == announced(bot)
        assert copy.entities == announced_entities(bot)  # formatting survives the copy
    for user_id in (COMPLETED_AMBON, BALI_BUSINESS, OPTED_OUT):
        assert bot.user(user_id).new_messages() == []
    assert all(r.params.get("allow_paid_broadcast") in (None, False) for r in bot.server.requests_for("copyMessage"))

    await refresh_progress(admin_bot(bot), services(bot))
    assert admin.message(panel.message_id).text == t("broadcast-done", id=1, sent=2, blocked=0, failed=0)
    assert admin.message(panel.message_id).button_texts() == []
    assert bot.rows("SELECT status, recipients FROM broadcasts")[0][:] == ("done", 2)

    await say(bot, admin, "/siaran")
    history = await press(bot, admin, t("btn-broadcast-history"))
    assert "#1" in (history.text or "") and "terkirim 2" in (history.text or "")
    actions = [row["action"] for row in bot.rows("SELECT action FROM audit_log WHERE allowed = 1")]
    assert actions == ["broadcast:send"]


def admin_bot(bot: BotHarness):  # type: ignore[no-untyped-def]
    assert bot.app is not None
    return bot.app.bot


async def test_a_scheduled_broadcast_waits_and_respects_each_zones_night(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN)
    panel = await compose(bot, admin)
    await admin.press(t("btn-broadcast-schedule"))
    await bot.settle()
    example = (bot.clock.now() + timedelta(days=1)).astimezone(WIB).strftime("%d-%m-%Y 08.00")
    assert admin.new_messages()[-1].text == t("broadcast-ask-time", example=example)
    bad = await say(bot, admin, "besok pagi")
    assert (bad.text or "").startswith(t("err-datetime-format"))
    assert (await say(bot, admin, "22-11-2026 08.00")).text == t("broadcast-time-past")
    await admin.send_text("24-11-2026 06.00")
    await bot.settle()
    scheduled = admin.new_messages()[-1]
    when = t.moment(datetime(2026, 11, 24, 6, 0, tzinfo=WIB), "Asia/Jakarta")
    assert scheduled.text == t("broadcast-scheduled", id=1, when=when, count=len(EVERYONE))
    assert scheduled.button_texts() == [t("btn-broadcast-stop")]
    assert admin.message(panel.message_id).text is not None

    # 06:00 WIB is night in Java and Bali (WITA 07:00 is already morning); in Maluku (WIT) it is 08:00.
    times = {
        row["telegram_user_id"]: row["not_before"]
        for row in bot.rows("SELECT telegram_user_id, not_before FROM outbox WHERE kind = 'broadcast'")
    }
    assert times == {
        ENROLLED_BANDUNG: "2026-11-24T00:00:00.000000Z",  # 07:00 WIB
        COMPLETED_BEKASI: "2026-11-24T00:00:00.000000Z",
        COMPLETED_AMBON: "2026-11-23T23:00:00.000000Z",  # 06:00 WIB = 08:00 WIT
        BALI_BUSINESS: "2026-11-23T23:00:00.000000Z",  # 07:00 WITA
    }
    await bot.drain_outbox()
    assert all(bot.user(u).new_messages() == [] for u in EVERYONE)
    bot.advance(datetime(2026, 11, 24, 6, 0, tzinfo=WIB) - bot.clock.now())
    await bot.drain_outbox()
    await refresh_progress(admin_bot(bot), services(bot))
    # The copies left wait for 07:00 in Java: the progress message says so.
    waiting = t("broadcast-waiting-morning", id=1, time="07.00", sent=2, pending=2, failed=0)
    assert scheduled_text(admin, scheduled) == waiting
    bot.advance(timedelta(hours=1))
    await bot.drain_outbox()
    await refresh_progress(admin_bot(bot), services(bot))
    assert scheduled_text(admin, scheduled) == t("broadcast-done", id=1, sent=4, blocked=0, failed=0)
    assert ("broadcast:schedule", '{"broadcast": 1, "recipients": 4}') in [
        (row["action"], row["detail"]) for row in bot.rows("SELECT action, detail FROM audit_log")
    ]


def scheduled_text(user: FakeUser, message: BotMessage) -> str | None:
    return user.message(message.message_id).text


async def test_stop_mid_way_and_a_restart_in_between(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    bot.advance(timedelta(hours=10))  # 20:00 WIB: evening in Java, night in Bali (21:00) and Maluku (22:00)
    admin = bot.user(ADMIN)
    panel = await compose(bot, admin)
    await admin.press(t("btn-broadcast-send", count=len(EVERYONE)))
    await bot.settle()
    await bot.drain_outbox()
    assert bot.user(COMPLETED_AMBON).new_messages() == []  # waits for the morning there

    await bot.restart()  # the bot goes down with two copies still to send
    await refresh_progress(admin_bot(bot), services(bot))
    waiting = t("broadcast-waiting-morning", id=1, time="07.00", sent=2, pending=2, failed=0)
    assert admin.message(panel.message_id).text == waiting
    await admin.press(t("btn-broadcast-stop"), message_id=panel.message_id)
    await bot.settle()
    stopped = admin.message(panel.message_id).text or ""
    assert stopped.startswith(t("broadcast-stopped", id=1, sent=2, blocked=0, failed=2))
    assert t("broadcast-reason", reason=t.plain("reason-stopped"), count=2) in stopped
    bot.advance(timedelta(hours=12))
    await bot.drain_outbox()
    assert bot.user(COMPLETED_AMBON).new_messages() == []
    await admin.press_data("b:1:s", message_id=panel.message_id)  # pressed again: nothing left to stop
    await bot.settle()
    assert admin.callback_answers[-1]["text"] == t("broadcast-not-running")


async def test_a_restart_does_not_lose_a_broadcast(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    bot.advance(timedelta(hours=10))
    admin = bot.user(ADMIN)
    panel = await compose(bot, admin)
    await admin.press(t("btn-broadcast-send", count=len(EVERYONE)))
    await bot.settle()
    await bot.drain_outbox()
    await bot.restart()
    bot.advance(timedelta(hours=12))  # morning everywhere
    await bot.drain_outbox()
    for user_id in (COMPLETED_AMBON, BALI_BUSINESS):
        assert [m.plain_text for m in bot.user(user_id).new_messages()] == [announced(bot)]
    await refresh_progress(admin_bot(bot), services(bot))
    assert admin.message(panel.message_id).text == t("broadcast-done", id=1, sent=4, blocked=0, failed=0)
    sent_to = [r.params["chat_id"] for r in bot.server.requests_for("copyMessage") if r.params["chat_id"] != ADMIN]
    assert sorted(int(c) for c in sent_to) == sorted(EVERYONE)  # each exactly once


async def test_opting_out_and_back_in(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    bot.advance(timedelta(hours=10))
    ambon = bot.user(COMPLETED_AMBON)
    async with services(bot).store.write() as unit:  # a survey message waiting for the morning, like a check-in
        await unit.outbox.add(
            telegram_user_id=COMPLETED_AMBON, kind="survey_nudge", message_key="survey-nudge",
            params={"run_id": 1, "survey": "employment", "title": None}, dedupe_key="nudge-test",
            not_before=bot.clock.now() + timedelta(hours=11), now=bot.clock.now(),
        )  # fmt: skip
    admin = bot.user(ADMIN)
    await compose(bot, admin)
    await admin.press(t("btn-broadcast-send", count=len(EVERYONE)))
    await bot.settle()
    assert (await say(bot, ambon, "/berhenti")).text == t("announcements-off")
    assert (await say(bot, ambon, "/unsubscribe")).text == t("announcements-already-off")
    statuses = {r["kind"]: (r["status"], r["last_error"]) for r in bot.rows(
        "SELECT kind, status, last_error FROM outbox WHERE telegram_user_id = ?", (COMPLETED_AMBON,))}  # fmt: skip
    assert statuses == {"broadcast": ("cancelled", "opted out"), "survey_nudge": ("pending", None)}
    async with services(bot).store.read() as unit:
        assert await unit.broadcasts.count(Audience()) == len(EVERYONE) - 1
    assert (await say(bot, ambon, "/lanjut")).text == t("announcements-on")
    async with services(bot).store.read() as unit:
        assert await unit.broadcasts.count(Audience()) == len(EVERYONE)
    unregistered = bot.user(9999)
    assert (await say(bot, unregistered, "/berhenti")).text == t("not-registered")


async def test_blocked_recipients_are_counted_apart_and_left_out_next_time(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    bot.server.block(COMPLETED_BEKASI)
    bot.server.deactivate(BALI_BUSINESS)
    admin = bot.user(ADMIN)
    panel = await compose(bot, admin)
    await admin.press(t("btn-broadcast-send", count=len(EVERYONE)))
    await bot.settle()
    await bot.drain_outbox()
    await refresh_progress(admin_bot(bot), services(bot))
    final = admin.message(panel.message_id).text or ""
    assert final.startswith(t("broadcast-done", id=1, sent=2, blocked=2, failed=0))
    assert t("broadcast-reason", reason=t.plain("reason-blocked"), count=2) in final
    unreachable = {
        r[0] for r in bot.rows("SELECT telegram_user_id FROM participants WHERE unreachable_since IS NOT NULL")
    }
    assert unreachable == {UNREACHABLE, COMPLETED_BEKASI, BALI_BUSINESS}
    second = await compose(bot, admin, "Pengingat: bawa KTP.")
    assert f"penerima: <b>{len(EVERYONE) - 2}</b>" in (second.text or "")


async def test_another_staff_members_draft_cannot_be_touched(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await say(bot, bot.user(ADMIN), "/staf tambah 7002 operator Budi")
    admin = bot.user(ADMIN)
    await compose(bot, admin)
    operator = bot.user(7002)
    await say(bot, operator, "/start")
    await operator.press_data("b:1:go")
    await bot.settle()
    assert operator.callback_answers[-1]["text"] == t("broadcast-not-draft")
    assert bot.rows("SELECT status FROM broadcasts")[0][0] == "draft"
    await say(bot, operator, "/siaran")
    await operator.send_sticker()
    await bot.settle()
    assert operator.new_messages()[-1].text == t("broadcast-unsupported")
    result = await broadcasts(bot).send(7002, 2)
    assert isinstance(result, Refusal) and result.key == "broadcast-no-message"


async def test_paid_broadcasts_raise_the_rate_and_ask_telegram_for_it(server: FakeTelegram, tmp_path: Path) -> None:
    bot = BotHarness(server, tmp_path / "paid.db", admin_ids=str(ADMIN), allow_paid_broadcast=True)
    await bot.start()
    try:
        await programme(bot)
        assert Settings(_env_file=None, allow_paid_broadcast=True).overall_messages_per_s == 1000  # type: ignore[call-arg]
        assert Settings(_env_file=None).overall_messages_per_s == 30  # type: ignore[call-arg]
        admin = bot.user(ADMIN)
        await compose(bot, admin)
        await admin.press(bot.t()("btn-broadcast-send", count=len(EVERYONE)))
        await bot.settle()
        await bot.drain_outbox()
        copies = [r for r in bot.server.requests_for("copyMessage") if int(r.params["chat_id"]) != ADMIN]
        assert len(copies) == len(EVERYONE)
        assert all(r.params.get("allow_paid_broadcast") in (True, "true") for r in copies)
    finally:
        await bot.stop()


async def test_cancelling_before_or_after_the_message_sends_nothing(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN)
    await say(bot, admin, "/siaran")
    cancelled = await press(bot, admin, t("btn-broadcast-cancel"))  # before sending the announcement
    assert cancelled.text == t("broadcast-cancelled")
    await say(bot, admin, "Ini bukan siaran")  # an ordinary message again, not an announcement
    assert bot.rows("SELECT status, source_message_id FROM broadcasts")[0][:] == ("cancelled", None)
    panel = await compose(bot, admin)
    await admin.press(t("btn-broadcast-cancel"), message_id=panel.message_id)
    await bot.settle()
    assert admin.message(panel.message_id).text == t("broadcast-cancelled")
    assert [r[0] for r in bot.rows("SELECT status FROM broadcasts ORDER BY id")] == ["cancelled", "cancelled"]
    await bot.drain_outbox()
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'broadcast'")[0][0] == 0


async def test_a_member_demoted_with_a_draft_waiting_is_refused_at_every_step(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin, operator = bot.user(ADMIN), bot.user(7002)
    await say(bot, admin, "/staf tambah 7002 operator Budi")
    panel = await compose(bot, operator)
    await operator.press(t("btn-broadcast-schedule"))
    await bot.settle()
    operator.new_messages()  # "type a date and time": the draft waits for it
    await say(bot, admin, "/staf tambah 7002 viewer Budi")

    assert (await say(bot, operator, "24-11-2026 08.00")).text == t("unknown-command")  # the typed time
    for action in ("go", "t", "p", "p:32", "m", "x"):  # send, schedule, a filter, cancel: stale buttons
        await operator.press_data(f"b:1:{action}", message_id=panel.message_id)
        await bot.settle()
        assert operator.callback_answers[-1]["text"] == t("button-stale")
    assert bot.rows("SELECT status, send_at FROM broadcasts")[0][:] == ("cancelled", None)
    await bot.drain_outbox()
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'broadcast'")[0][0] == 0
    assert all(bot.user(user_id).new_messages() == [] for user_id in EVERYONE)
    # The discarded draft no longer takes their messages: the next one is answered as anyone's would be.
    assert (await say(bot, operator, "24-11-2026 08.00")).text != t("unknown-command")

    # A draft still waiting for its announcement: refused, nothing attached.
    await say(bot, admin, "/staf tambah 7002 operator Budi")
    assert (await say(bot, operator, "/siaran")).text == t("broadcast-ask-message")
    await say(bot, admin, "/staf tambah 7002 viewer Budi")
    assert (await say(bot, operator, "Pendaftaran gelombang 2 dibuka!")).text == t("unknown-command")
    assert bot.rows("SELECT status, source_message_id FROM broadcasts WHERE id = 2")[0][:] == ("cancelled", None)
    refused = [
        (row["action"], row["repeats"])
        for row in bot.rows("SELECT action, repeats FROM audit_log WHERE actor = 7002 AND allowed = 0 ORDER BY id")
    ]
    # The six refused buttons are one entry counting the five repeats (a staff member's refusals too).
    assert refused == [
        ("refused:broadcast:time", 0),
        ("refused:button:broadcast", 5),
        ("refused:broadcast:announcement", 0),
    ]
