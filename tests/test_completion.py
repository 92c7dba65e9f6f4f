"""Staff mark a course finished, or participants one by one; completion plans the surveys and check-ins."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.storage.db import to_db_time
from bot.storage.enrollments import ENROLLED
from fakegram import BotMessage, FakeTelegram
from tests.backends import execute
from tests.catalogue_data import ROOT, catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness
from tests.survey_flows import AFTER_COURSE, JAWA_BARAT, MALUKU, WIB, WIT, course_under_way, services

ADMIN = ADMIN_ID


def runs(bot: BotHarness, user_id: int) -> list[tuple[str, str, str, str]]:
    """(survey, wave, status, due_at) of a participant's surveys, in due order."""
    return [
        (row["survey"], row["wave"], row["status"], row["due_at"])
        for row in bot.rows(
            "SELECT r.* FROM survey_runs r JOIN participants p ON p.id = r.participant_id"
            " WHERE p.telegram_user_id = ? ORDER BY r.due_at, r.id",
            (user_id,),
        )
    ]


async def test_staff_mark_the_whole_course_finished(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await course_under_way(bot, {1001: JAWA_BARAT, 1002: MALUKU}, waiting=(1003,), kapasitas="2")
    admin = bot.user(ADMIN)

    await admin.send_command("selesai")
    await bot.settle()
    listing = admin.new_messages()[-1]
    assert listing.text == t("complete-pick", count=1)
    [label] = listing.button_texts()
    assert label.startswith("K1 · Pelatihan K1") and "8 Desember 2026" in label
    await admin.press(label)
    await bot.settle()
    roster = admin.last_message
    assert roster is not None and roster.text is not None
    assert t("complete-roster", title="Pelatihan K1", code="K1", enrolled=2, completed=0, dropped=0) in roster.text
    assert "Peserta 1001" in roster.text and "Peserta 1002" in roster.text
    await admin.press(t("btn-complete-all", count=2))
    await bot.settle()
    assert admin.last_message is not None
    assert admin.last_message.text == t("complete-all-confirm", title="Pelatihan K1", count=2)
    await admin.press(t("btn-complete-all-yes", count=2))
    await bot.settle()
    assert admin.last_message is not None
    assert admin.last_message.text == t(
        "complete-done", title="Pelatihan K1", completed=2, earlier_completed=0, dropped=0
    )

    states = {r["telegram_user_id"]: (r["status"], r["finished_at"]) for r in bot.rows(
        "SELECT p.telegram_user_id, e.status, e.finished_at FROM enrollments e"
        " JOIN participants p ON p.id = e.participant_id")}  # fmt: skip
    assert states == {
        1001: ("completed", to_db_time(AFTER_COURSE)),
        1002: ("completed", to_db_time(AFTER_COURSE)),
        1003: ("cancelled", None),  # the waitlist of a finished course is closed
    }
    assert bot.rows("SELECT status FROM courses")[0]["status"] == "finished"

    # Check-ins at +30/+90/+180 days, 10:00 in each participant's own zone.
    def checkins(zone: ZoneInfo) -> list[tuple[str, str, str, str]]:
        ten = time(10, 0)
        due = [datetime.combine(date(2026, 12, 8) + timedelta(days=d), ten, zone) for d in (30, 90, 180)]
        return [("employment", f"d{d}", "scheduled", to_db_time(m)) for d, m in zip((30, 90, 180), due, strict=True)]

    satisfaction = ("satisfaction", "completion", "active", to_db_time(AFTER_COURSE))
    assert runs(bot, 1001) == [satisfaction, *checkins(WIB)]
    assert runs(bot, 1002) == [satisfaction, *checkins(WIT)]
    assert runs(bot, 1003) == []

    # The congratulation opens the satisfaction survey's first question; the certificate follows (its own tests:
    # tests/test_certificates.py).
    await bot.drain_outbox()
    for user_id in (1001, 1002):
        message, certificate = bot.user(user_id).new_messages()
        assert certificate.kind == "document"
        assert message.text is not None
        assert message.text.startswith(t("course-completed", title="Pelatihan K1"))
        assert "Survei Kepuasan Pelatihan" in message.text
        assert message.button_texts() == ["1", "2", "3", "4", "5"]
    assert bot.user(1003).new_messages() == []

    # Nothing is left to close; a completed participant may enrol in another course.
    await admin.send_command("selesai")
    await bot.settle()
    assert admin.new_messages()[-1].text == t("complete-none")
    async with services(bot).store.read() as unit:
        participant = await unit.participants.by_telegram_id(1001)
        assert participant is not None
        assert await unit.enrollments.live(participant.id) == []


async def test_staff_mark_participants_one_by_one(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await course_under_way(bot, {1001: JAWA_BARAT, 1002: JAWA_BARAT})
    admin = bot.user(ADMIN)
    await admin.send_command("complete")  # the English alias
    await bot.settle()
    await admin.press(admin.new_messages()[-1].button_texts()[0])
    await bot.settle()

    await admin.press("Peserta 1002")
    await bot.settle()
    assert admin.last_message is not None
    assert admin.last_message.text == t("complete-one", name="Peserta 1002", title="Pelatihan K1")
    dropped_button = admin.last_message.find_button(t("btn-mark-dropped"))
    assert dropped_button is not None
    await admin.press(t("btn-mark-dropped"))
    await bot.settle()
    roster = admin.last_message
    assert roster is not None and roster.text is not None
    assert roster.text.startswith(t("complete-marked-dropped", name="Peserta 1002"))
    assert t("complete-roster", title="Pelatihan K1", code="K1", enrolled=1, completed=0, dropped=1) in roster.text
    assert "Peserta 1002" not in roster.button_texts()

    await admin.press("Peserta 1001")
    await bot.settle()
    await admin.press(t("btn-mark-completed"))
    await bot.settle()
    assert admin.last_message is not None and admin.last_message.text is not None
    assert admin.last_message.text.startswith(t("complete-marked-completed", name="Peserta 1001"))

    # The old "dropped" button pressed again (or as "completed") changes nothing.
    await admin.press_data(str(dropped_button["callback_data"]).replace(":d", ":c"))
    await bot.settle()
    assert admin.callback_answers[-1]["text"] == t("complete-already-marked", name="Peserta 1002")

    await bot.drain_outbox()
    assert bot.user(1002).new_messages() == []  # a drop-out gets no congratulation and no survey
    assert runs(bot, 1002) == []
    congratulation, certificate = bot.user(1001).new_messages()
    assert certificate.kind == "document"
    assert (congratulation.text or "").startswith(t("course-completed", title="Pelatihan K1"))
    assert [r[1] for r in runs(bot, 1001)] == ["completion", "d30", "d90", "d180"]
    # The course stays open to marking until staff close it as a whole.
    assert bot.rows("SELECT status FROM courses")[0]["status"] == "open"
    assert await services(bot).completion.running_courses() == []


async def test_completion_and_checkins_respect_quiet_hours(server: FakeTelegram, tmp_path: Path) -> None:
    bot = BotHarness(server, tmp_path / "quiet.db", checkin_at="22:30")
    await bot.start()
    try:
        await course_under_way(bot, {1001: JAWA_BARAT})
        bot.advance(timedelta(hours=5))  # 22:00 WIB, inside the quiet hours (21:00-07:00)
        await services(bot).completion.complete_course(code="K1")
        await bot.drain_outbox()
        assert bot.user(1001).new_messages() == []  # the congratulation waits for the morning
        morning = datetime(2026, 12, 9, 7, 0, tzinfo=WIB)
        pending = bot.rows("SELECT kind, not_before FROM outbox WHERE status = 'pending' ORDER BY not_before")
        assert [(r["kind"], r["not_before"]) for r in pending] == [
            ("survey_question", to_db_time(morning)),
            ("certificate", to_db_time(morning)),
            ("survey_nudge", to_db_time(morning + timedelta(days=3))),
        ]
        # 22:30 is quiet too, so each check-in moves to 07:00 the next morning.
        assert [r[3] for r in runs(bot, 1001)][1:] == [
            to_db_time(datetime(2027, 1, 8, 7, 0, tzinfo=WIB)),
            to_db_time(datetime(2027, 3, 9, 7, 0, tzinfo=WIB)),
            to_db_time(datetime(2027, 6, 7, 7, 0, tzinfo=WIB)),
        ]
        bot.advance(morning - bot.clock.now())
        await bot.drain_outbox()
        assert [m.kind for m in bot.user(1001).new_messages()] == ["text", "document"]
    finally:
        await bot.stop()


async def test_only_staff_can_complete_and_only_after_the_start(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("K1")))
    course_id = int(bot.rows("SELECT id FROM courses")[0]["id"])
    await seed_participant(bot, 1001)
    await services(bot).enrollment.enrol(1001, course_id, waitlist=False)
    stranger = bot.user(1001)

    await stranger.send_command("selesai")
    await bot.settle()
    assert stranger.new_messages()[-1].text == t("unknown-command")
    await stranger.press_data(f"k:A:{course_id}")
    await bot.settle()
    assert stranger.callback_answers[-1]["text"] == t("button-stale")

    admin = bot.user(ADMIN)
    await admin.send_command("selesai")
    await bot.settle()
    assert admin.new_messages()[-1].text == t("complete-none")  # not begun yet
    await admin.press_data(f"k:A:{course_id}")
    await bot.settle()
    assert admin.callback_answers[-1]["text"] == t("complete-not-started", title="Pelatihan K1")
    assert [r["status"] for r in bot.rows("SELECT status FROM enrollments")] == [ENROLLED]
    assert bot.rows("SELECT COUNT(*) FROM survey_runs")[0][0] == 0


async def test_complete_course_from_the_command_line(server: FakeTelegram, tmp_path: Path) -> None:
    """`python main.py complete-course CODE` on a database a stopped bot left (the real clock decides)."""
    bot = BotHarness(server, tmp_path / "cli.db")
    await bot.start()
    try:
        # Sessions in the past for both the test clock and the real one.
        await import_catalogue(bot, catalogue_csv(course_row("OLD-1")))
        bot_db = bot.database_url
        await seed_participant(bot, 1001)
        course_id = int(bot.rows("SELECT id FROM courses")[0]["id"])
        await services(bot).enrollment.enrol(1001, course_id, waitlist=False)
    finally:
        await bot.stop()
    execute(bot_db, "UPDATE course_sessions SET starts_at = '2026-01-05T01:00:00.000000Z',"
                    " ends_at = '2026-01-05T09:00:00.000000Z' WHERE position = 1")  # fmt: skip
    execute(bot_db, "DELETE FROM course_sessions WHERE position > 1")
    env = {**os.environ, "DATABASE_URL": bot_db, "BOT_TOKEN": ""}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    t = bot.t()
    done = cli("complete-course", "OLD-1")
    assert done.returncode == 0, done.stderr
    assert "Pelatihan OLD-1" in done.stdout and "sekarang: 1" in done.stdout
    assert [r["status"] for r in bot.rows("SELECT status FROM enrollments")] == ["completed"]
    assert [r["kind"] for r in bot.rows("SELECT kind FROM outbox WHERE status = 'pending' ORDER BY id")] == [
        "survey_question",
        "survey_nudge",
        "certificate",  # the command line issues the certificate too; the bot sends it
    ]
    assert len(bot.rows("SELECT id FROM certificates")) == 1
    unknown = cli("complete-course", "NOPE")
    assert unknown.returncode == 1
    assert t.plain("complete-unknown-course", code="NOPE") in unknown.stderr


async def test_finishing_a_course_with_sessions_ahead_warns_first(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    three_days = "2026-12-07 08:00-16:00 Teori\n2026-12-08 08:00-16:00 Praktik\n2026-12-09 08:00-12:00 Ujian"
    await import_catalogue(bot, catalogue_csv(course_row("K1", sesi=three_days)))
    course_id = int(bot.rows("SELECT id FROM courses")[0]["id"])
    await seed_participant(bot, 1001, JAWA_BARAT)
    await services(bot).enrollment.enrol(1001, course_id, waitlist=False)
    bot.advance(datetime(2026, 12, 7, 17, 0, tzinfo=WIB) - bot.clock.now())  # day 1 over, two days ahead
    admin = bot.user(ADMIN)
    second_day = "Selasa, 8 Desember 2026 08.00–16.00 WIB"
    last_day = "Rabu, 9 Desember 2026 08.00–12.00 WIB"
    confirm = t("complete-all-confirm", title="Pelatihan K1", count=1)

    async def ask() -> BotMessage:
        await admin.send_command("selesai")
        await bot.settle()
        await admin.press(admin.new_messages()[-1].button_texts()[0])
        await bot.settle()
        await admin.press(t("btn-complete-all", count=1))
        await bot.settle()
        assert admin.last_message is not None
        assert admin.last_message.button_texts() == [t("btn-complete-all-anyway", count=1), t("btn-back")]
        return admin.last_message

    question = await ask()
    assert question.text == t("complete-all-ahead", count=2, next=second_day, last=last_day) + "\n\n" + confirm
    token = question.buttons()[0]["callback_data"].rsplit(":", 1)[1]

    # The old button without the token, or a token the sessions do not match, only shows the warning again.
    for data in (f"k:A:{course_id}", f"k:A:{course_id}:{int(token) + 60}"):
        await admin.press_data(data, message_id=question.message_id)
        await bot.settle()
        assert admin.message(question.message_id).text == question.text
        assert [r["status"] for r in bot.rows("SELECT status FROM enrollments")] == [ENROLLED]
        assert bot.rows("SELECT status FROM courses")[0]["status"] != "finished"

    bot.advance(datetime(2026, 12, 8, 17, 0, tzinfo=WIB) - bot.clock.now())  # one session left
    question = await ask()
    assert question.text == t("complete-all-ahead-one", next=last_day) + "\n\n" + confirm
    await admin.press(t("btn-complete-all-anyway", count=1), message_id=question.message_id)
    await bot.settle()
    assert admin.last_message is not None
    assert admin.last_message.text == t(
        "complete-done", title="Pelatihan K1", completed=1, earlier_completed=0, dropped=0
    )
    assert [r["status"] for r in bot.rows("SELECT status FROM enrollments")] == ["completed"]
    assert bot.rows("SELECT status FROM courses")[0]["status"] == "finished"
