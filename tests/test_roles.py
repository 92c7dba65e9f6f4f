"""Role checks that cannot be forgotten: every command and button handler bot/handlers/routes.py registers declares
who may use it (bot/handlers/access.py: `public` or `staff_only`), and every staff one is driven here, through the real
Application, by a participant, a viewer (where it changes data) and an LPK member outside their institute: each is
refused like an unknown command or a stale button, and the attempt is in the audit log.

A new staff handler needs an example below (its registration's attempt name -> what to send), or this test fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.handlers.access import Public, StaffOnly
from bot.logs import user_hash
from bot.services.staff import LPK, PERMISSIONS, VIEWER
from fakegram import FakeUser
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.test_lpk import OURS, two_institutes

PARTICIPANT, VIEWER_ID, LPK_ID = 1001, 7003, 7010


@dataclass(frozen=True, slots=True)
class Example:
    """What to send to reach a staff handler: a command line, or a button's callback data. `{k1}` is a course of
    the LPK member's institute, `{k3}` one of another institute's."""

    update: str
    # Whether the handler changes data (a viewer, who may read, must then still be refused).
    changes: bool
    # The same action on another institute's course, when the LPK role has the permission; else why there is none.
    foreign: str | None = None
    why_no_foreign: str = ""
    # For a handler that changes data although viewers hold its permission: their refusal (answer key, audit).
    viewer_refusal: tuple[str, str] | None = None


EXAMPLES: dict[str, Example] = {
    "selesai": Example(
        "/selesai", changes=False, why_no_foreign="names no course: it lists the member's own (tests/test_lpk.py)"
    ),
    "siaran": Example("/siaran", changes=True, why_no_foreign="names no course: the audience buttons check it"),
    "cari": Example("/cari Peserta", changes=False),
    "staf": Example("/staf", changes=True),
    "laporan": Example("/laporan K1", changes=False, foreign="/laporan K3"),
    "peserta": Example("/peserta K1", changes=False, foreign="/peserta K3"),
    "tiket": Example("/tiket", changes=False),
    "absen": Example("/absen", changes=False, why_no_foreign="names no course: it lists the member's own sessions"),
    "button:completion": Example("k:c:{k1}", changes=True, foreign="k:c:{k3}"),
    "button:broadcast": Example("b:1:c:{k1}", changes=True, foreign="b:1:c:{k3}"),
    "button:report": Example("l:c:{k1}:0:0:0", changes=False, foreign="l:c:{k3}:0:0:0"),
    "button:peserta": Example("pp:{k1}:0", changes=False, foreign="pp:{k3}:0"),
    "button:presence": Example("pr:m:{s1}:0", changes=True, foreign="pr:m:{s3}:0"),
    "lowongan": Example(
        "/lowongan", changes=False, why_no_foreign="lists the member's own vacancies (tests/test_vacancy_staff.py)"
    ),
    "button:lowongan": Example(
        "lw:p:1:0", changes=True, why_no_foreign="vacancies are not courses: tests/test_vacancy_staff.py refuses them"
    ),
    "button:helpdesk": Example(
        "hd:reply:1", changes=True, viewer_refusal=("helpdesk-not-allowed", "refused:helpdesk:answer")
    ),
}
# Every public command and button, by its callback: a new one is added here, deliberately (or made staff_only).
PUBLIC = {
    "registration.start",
    "registration.cancel",
    "account.profile",
    "account.language",
    "account.help_command",
    "mydata.mydata_command",
    "mydata.refuse_in_group",
    "account.erase",
    "courses.courses_command",
    "vacancy_browse.vacancies_command",
    "schedule.schedule_command",
    "surveys.employment_status",
    "account.mute",
    "account.unmute",
    "helpdesk.ask_command",
    "registration.consent_button",
    "registration.answer_button",
    "account.profile_button",
    "account.language_button",
    "account.erase_button",
    "mydata.mydata_button",
    "courses.course_button",
    "vacancy_browse.vacancy_button",
    "attendance.attendance_button",
    "venue.venue_button",
    "surveys.survey_button",
    "schedule.schedule_button",
    "presence_scan.start_with_code",
    "certificates.check_link",
    "certificates.check_command",
    "certificates.certificates_command",
    "helpdesk.button",
    "menu.stale_button",
}


def registered(bot: BotHarness) -> list[BaseHandler[object, object, object]]:
    assert bot.app is not None
    return [
        handler
        for group in bot.app.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler | CallbackQueryHandler)
    ]


def staff_handlers(bot: BotHarness) -> list[tuple[BaseHandler[object, object, object], StaffOnly]]:
    return [(h, h.callback) for h in registered(bot) if isinstance(h.callback, StaffOnly)]


def refused_count(bot: BotHarness, action: str, user_id: int, *, staff: bool) -> int:
    """Refusals of `action` in the audit log by this person (staff by id, anyone else by pseudonym), repeats too."""
    column, value = ("actor", user_id) if staff else ("actor_pseudonym", user_hash(user_id))
    rows = bot.rows(
        f"SELECT COALESCE(SUM(1 + repeats), 0) FROM audit_log WHERE action = ? AND allowed = 0 AND {column} = ?",
        (action, value),
    )
    return int(rows[0][0])


async def attempt(bot: BotHarness, user: FakeUser, update: str) -> str:
    """Send a command or press a button; returns the answer (the message's text, or the button's alert)."""
    if update.startswith("/"):
        return (await say(bot, user, update)).text or ""
    await user.press_data(update)
    await bot.settle()
    user.new_messages()
    return str(user.callback_answers[-1].get("text") or "")


async def expect_refusal(bot: BotHarness, user: FakeUser, sent: str, answer: str, audited: str, *, staff: bool) -> None:
    """`sent` by `user` gets `answer`, and one more `audited` refusal of theirs is in the audit log."""
    before = refused_count(bot, audited, user.user_id, staff=staff)
    got = await attempt(bot, user, sent)
    assert got == answer, (user.user_id, sent)
    assert refused_count(bot, audited, user.user_id, staff=staff) == before + 1, (user.user_id, sent, audited)


async def test_every_command_and_button_declares_who_may_use_it(staff_bot: BotHarness) -> None:
    undeclared = [
        getattr(h.callback, "__qualname__", repr(h.callback))
        for h in registered(staff_bot)
        if not isinstance(h.callback, Public | StaffOnly)
    ]
    assert undeclared == [], "register these with public(...) or staff_only(PERMISSION, attempt, ...)"
    attempts = [access.attempt for _, access in staff_handlers(staff_bot)]
    assert len(attempts) == len(set(attempts)), "each staff registration has an attempt name of its own"
    assert sorted(set(attempts) - set(EXAMPLES)) == [], "staff handlers without an example in EXAMPLES"
    assert sorted(set(EXAMPLES) - set(attempts)) == [], "examples of handlers no longer registered"
    public = {
        f"{h.callback.callback.__module__.rsplit('.', 1)[-1]}.{h.callback.callback.__name__}"
        for h in registered(staff_bot)
        if isinstance(h.callback, Public)
    }
    assert public == PUBLIC, "a public handler is new (add it to PUBLIC if anyone may use it) or gone"


async def test_every_staff_handler_refuses_who_may_not_use_it(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    ids = await two_institutes(bot)  # participants 1001 (K1), 1002 (K1), 1003 (K3)
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, f"/staf tambah {VIEWER_ID} viewer Lihat")
    await say(bot, admin, f"/staf tambah {LPK_ID} lpk {OURS}")
    people = {who: bot.user(who) for who in (ADMIN_ID, PARTICIPANT, VIEWER_ID, LPK_ID)}
    for user in people.values():
        await say(bot, user, "/bantuan")  # a message to press buttons on

    first = {
        int(r["course_id"]): int(r["id"])
        for r in bot.rows("SELECT course_id, MIN(id) AS id FROM course_sessions GROUP BY course_id")
    }

    def fill(update: str) -> str:
        return update.format(k1=ids["K1"], k3=ids["K3"], s1=first[ids["K1"]], s3=first[ids["K3"]])

    for handler, access in staff_handlers(bot):
        example = EXAMPLES[access.attempt]
        action = f"refused:{access.attempt}"
        update = fill(example.update)
        # The example reaches this handler.
        if isinstance(handler, CommandHandler):
            assert update[1:].split()[0] in handler.commands, access.attempt
        else:
            assert isinstance(handler.pattern, re.Pattern) and handler.pattern.match(update), access.attempt
        unknown = t("button-stale") if isinstance(handler, CallbackQueryHandler) else t("unknown-command")

        # The admin is not refused: the example is a real use of the handler.
        before = refused_count(bot, action, ADMIN_ID, staff=True)
        await attempt(bot, admin, update)
        assert refused_count(bot, action, ADMIN_ID, staff=True) == before, access.attempt

        await expect_refusal(bot, people[PARTICIPANT], update, unknown, action, staff=False)

        if access.permission not in PERMISSIONS[VIEWER]:
            await expect_refusal(bot, people[VIEWER_ID], update, unknown, action, staff=True)
        elif example.changes:
            assert example.viewer_refusal is not None, f"{access.attempt} changes data: how is a viewer refused?"
            key, audited = example.viewer_refusal
            await expect_refusal(bot, people[VIEWER_ID], update, t(key), audited, staff=True)

        if access.permission not in PERMISSIONS[LPK]:
            await expect_refusal(bot, people[LPK_ID], update, unknown, action, staff=True)
        elif example.foreign is not None:
            await expect_refusal(bot, people[LPK_ID], fill(example.foreign), unknown, action, staff=True)
        else:
            assert example.why_no_foreign, f"{access.attempt}: an LPK member outside their institute?"
