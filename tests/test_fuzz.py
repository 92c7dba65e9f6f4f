"""Hostile and broken input: many simulated people doing random things at once through the fake server.

Hypothesis writes the scripts: texts of every length up to and beyond Telegram's 4,096 characters, emoji,
right-to-left text, HTML and Markdown, SQL-looking strings, real and forged button data, commands with garbage
arguments, documents, photos, stickers and locations where text is expected, other people's contacts and edited
messages, and buttons tapped twice in quick succession. People act in rounds (everyone at once, then the bot
settles). Afterwards:

* nothing failed: no ERROR log line (the error handler's "update failed") and no fault in the fake server;
* everyone who wrote got an answer (a message, an edit or an answered button) in the round they wrote, except
  more messages to an open help-desk ticket (acknowledged once, not one by one);
* the database is sound: ``integrity_check``, ``foreign_key_check`` and the programme's invariants (no course
  over capacity, no pending outbox row without a recipient, no survey answer without its survey).

The examples are derandomised so the suite is repeatable; ``FUZZ_RANDOM=1`` explores new ones
(e.g. ``FUZZ_RANDOM=1 FUZZ_EXAMPLES=60 .venv/bin/pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.handlers.commands import ALIASES, STAFF_COMMANDS
from fakegram import FakeTelegram, FakeUser
from tests.backends import is_postgres
from tests.catalogue_data import SAMPLE, catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import Person, answer_until_summary, consent, press, say
from tests.harness import BotHarness
from tests.survey_flows import completed, course_under_way, services

# Who takes part: people who never registered, people in a survey, in a course under way, free to enrol in a
# course with one seat, and the admin.
NEWCOMERS = (3101, 3102, 3103)
SURVEYED = (3201, 3202)
IN_COURSE = (3301, 3302)
FREE = (3401, 3402)
EVERYONE = (*NEWCOMERS, *SURVEYED, *IN_COURSE, *FREE, ADMIN_ID)

NASTY = (
    "<b>tebal</b> <i>miring</i> <a href='tg://user?id=1'>x</a> </code>",
    "*x* _y_ `z` [a](b) ~~s~~ ||spoiler||",
    "'; DROP TABLE participants; --",
    "1 OR 1=1; SELECT * FROM outbox",
    "\u202eSiti Nurhaliza\u202c",
    "مرحبا بكم في البرنامج",
    "שלום",
    "😀🇮🇩👩🏽‍🔧" * 40,
    "&lt;&amp;&gt;&quot;",
    "%s %d {name} {0} ${x}",
    "\x00\x01\x02",
    "3201015501900001",
    "12345678901",
    "+62 812-3456-7890",
    "Ya",
    "Batal",
    "2026-13-45",
    "0",
    "-1",
    "9" * 40,
    "   ",
    "\n\n\n",
)
COMMANDS = sorted(
    {f"/{name}" for names in ALIASES.values() for name in names}
    | {f"/{name}" for staff in STAFF_COMMANDS for name in staff[:2]}
    | {"/start", "/tidakada", "/start@VokasiBot", "/SELESAI"}
)
# Data some keyboard of the bot produces, with garbage around it, and pure garbage.
CALLBACK_PREFIXES = (
    "consent:",
    "d:",
    "profile:",
    "lang:",
    "erase:",
    "c:p:",
    "c:d:",
    "c:y:",
    "c:w:",
    "r:y:",
    "q:",
    "k:",
    "k:c:",
    "k:l",
    "k:A:",
    "b:",
    "l:",
    "l:x:",
    "s:c:",
    "s:x:",
)


@dataclass(frozen=True)
class Action:
    kind: str
    text: str = ""
    number: int = 0
    extra: str = ""


def long_text(length: int, piece: str) -> str:
    return (piece * (length // len(piece) + 1))[:length]


texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(NASTY),
    st.builds(long_text, st.integers(min_value=4000, max_value=5000), st.sampled_from(("a", "é", "😀", "<b>", "ب"))),
    st.from_regex(r"[0-9 +\-]{1,20}", fullmatch=True),
)
callback_data = st.one_of(
    st.builds(lambda p, s: (p + s).encode()[:64].decode(errors="ignore"), st.sampled_from(CALLBACK_PREFIXES), texts),
    st.builds(lambda p, n: f"{p}{n}", st.sampled_from(CALLBACK_PREFIXES), st.integers(min_value=-1, max_value=10**12)),
    st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64),
)
actions = st.one_of(
    st.builds(Action, st.just("text"), texts),
    st.builds(Action, st.just("command"), st.sampled_from(COMMANDS), extra=st.one_of(st.just(""), texts)),
    st.builds(Action, st.just("press"), number=st.integers(0, 50)),
    st.builds(Action, st.just("press"), number=st.integers(0, 50)),  # twice as likely: it goes deepest
    st.builds(Action, st.just("double"), number=st.integers(0, 50)),  # the same button twice, quickly
    st.builds(Action, st.just("reply"), number=st.integers(0, 20)),
    st.builds(Action, st.just("forged"), callback_data),
    st.builds(Action, st.just("document"), st.sampled_from(("katalog.csv", "data.xlsx", "foto.pdf", "x"))),
    st.builds(Action, st.sampled_from(("photo", "sticker", "voice", "location"))),
    st.builds(Action, st.just("contact"), number=st.integers(0, 1)),
    st.builds(Action, st.just("edit"), texts),
)
rounds = st.lists(st.lists(actions, min_size=len(EVERYONE), max_size=len(EVERYONE)), min_size=3, max_size=12)

RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60" if RANDOM else "6"))


class ErrorLog(logging.Handler):
    """Collects ERROR records on the root logger while in use (the error handler logs every unexpected
    exception as "update ... failed")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logging.getLogger().removeHandler(self)


@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(script=rounds)
def test_hostile_input_breaks_nothing(script: list[list[Action]], tmp_path_factory: pytest.TempPathFactory) -> None:
    asyncio.run(run(script, tmp_path_factory.mktemp("fuzz")))


async def run(script: list[list[Action]], folder: Path) -> None:
    with ErrorLog() as failures:
        async with FakeTelegram() as server:
            bot = BotHarness(server, folder / "fuzz.db", admin_ids=str(ADMIN_ID))
            await bot.start()
            try:
                await prepare(bot)
                for number, round_ in enumerate(script):
                    silent = await play_round(bot, round_)
                    assert not silent, f"round {number}: no answer to {silent}"
                # What became due meanwhile is sent too (a broadcast the admin started, survey questions).
                await services(bot).surveys.tick()
                await bot.drain_outbox()
                await bot.settle()
            finally:
                await bot.stop()
            assert server.internal_errors == []
    assert [r.getMessage() for r in failures.records] == []
    check_database(bot)


async def prepare(bot: BotHarness) -> None:
    await completed(bot, {SURVEYED[0]: "32", SURVEYED[1]: "81"}, "K1")  # the clock is now after K1
    await course_under_way(
        bot, dict.fromkeys(IN_COURSE, "32"), "K2", batas_pendaftaran="2026-12-31", sesi="2027-01-04 08:00-16:00 Teori"
    )
    await import_catalogue(bot, SAMPLE.read_bytes(), SAMPLE.name)
    # One seat, open until after the clock's date: two free people may race for it.
    await import_catalogue(
        bot,
        catalogue_csv(
            course_row(
                "K3",
                kapasitas="1",
                batas_pendaftaran="2026-12-20",
                sesi="2027-01-05 08:00-16:00 Teori\n2027-01-06 08:00-16:00 Praktik",
            )
        ),
    )
    for user_id in FREE:
        await seed_participant(bot, user_id, "36")
    for user_id in EVERYONE:
        bot.user(user_id).new_messages()


async def play_round(bot: BotHarness, round_: list[Action]) -> list[tuple[int, Action]]:
    """Everyone acts at once; returns who wrote and got no answer."""
    people = [bot.user(user_id) for user_id in EVERYONE]
    answered_before = [len(person.callback_answers) for person in people]
    for person in people:
        person.new_messages()
    wrote = await asyncio.gather(*(act(person, action) for person, action in zip(people, round_, strict=True)))
    await bot.settle(timeout=30)
    silent = []
    # Someone whose help-desk ticket is open is told "received" once, not for every message of a flood.
    asking = {row[0] for row in bot.rows("SELECT telegram_user_id FROM tickets WHERE status = 'open'")}
    for person, action, expects_answer, answers in zip(people, round_, wrote, answered_before, strict=True):
        unanswered = expects_answer and not person.new_messages() and len(person.callback_answers) == answers
        if unanswered and person.user_id not in asking:
            silent.append((person.user_id, action))
    return silent


async def act(person: FakeUser, action: Action) -> bool:
    """Do the action; whether an answer is owed (an edit outside a dialog, say, needs none)."""
    match action.kind:
        case "text":
            await person.send_text(action.text or ".")
        case "command":
            await person.send_command(action.text.removeprefix("/"), action.extra.replace("\n", " ").strip())
        case "press" | "double":
            buttons = [
                (message.message_id, button["callback_data"])
                for message in person.messages[-5:]
                for button in message.buttons()
                if isinstance(button.get("callback_data"), str)
            ]
            if not buttons:
                await person.send_text("/start")
            else:
                message_id, data = buttons[action.number % len(buttons)]
                for _ in range(2 if action.kind == "double" else 1):
                    await person.press_data(data, message_id=message_id)
        case "reply":
            shown = [b["text"] for row in person.reply_keyboard or [] for b in row]
            if not shown:
                await person.send_text("menu")
            else:
                await person.press_reply(shown[action.number % len(shown)])
        case "forged":
            if person.last_message is None:
                await person.send_text("/bantuan")
            else:
                await person.press_data(action.text or "x")
        case "document":
            await person.send_document(action.text.encode() * 50, action.text, mime_type="application/octet-stream")
        case "photo":
            await person.send_photo(b"\xff\xd8\xff\xe0 not really a jpeg", caption="<b>foto</b>")
        case "sticker":
            await person.send_sticker()
        case "voice":
            await person.send_voice()
        case "location":
            await person.send_location(-6.2, 106.8)
        case "contact":
            if action.number:
                await person.send_contact("+6281234567890")
            else:
                await person.send_contact("+6281299998888", user_id=person.user_id + 1, first_name="Orang Lain")
        case "edit":
            own_texts = [
                m["message_id"]
                for m in person.history()
                if m.get("from", {}).get("id") == person.user_id and "text" in m
            ]
            if not own_texts:
                await person.send_text(action.text or ".")
                return True
            await person.edit_text(own_texts[-1], action.text or ".")
            return False
        case _:
            raise AssertionError(action.kind)
    return True


def check_database(bot: BotHarness) -> None:
    if not is_postgres():  # PostgreSQL checks references at every statement and has no such PRAGMAs
        assert [tuple(r) for r in bot.rows("PRAGMA integrity_check")] == [("ok",)]
        assert bot.rows("PRAGMA foreign_key_check") == []
    over = bot.rows(
        "SELECT c.code, c.capacity, COUNT(e.id) AS taken FROM courses c"
        " JOIN enrollments e ON e.course_id = c.id AND e.status IN ('enrolled', 'completed')"
        " GROUP BY c.id HAVING COUNT(e.id) > c.capacity"
    )
    assert [tuple(r) for r in over] == []
    orphans = bot.rows(
        "SELECT o.id, o.kind FROM outbox o WHERE o.status IN ('pending', 'sending')"
        " AND o.telegram_user_id NOT IN (SELECT telegram_user_id FROM participants WHERE telegram_user_id IS NOT NULL)"
        " AND o.telegram_user_id NOT IN (SELECT telegram_user_id FROM staff) AND o.telegram_user_id <> ?",
        (ADMIN_ID,),
    )
    assert [tuple(r) for r in orphans] == []
    lost = bot.rows(
        "SELECT a.run_id FROM survey_answers a LEFT JOIN survey_runs r ON r.id = a.run_id WHERE r.id IS NULL"
    )
    assert lost == []
    # Nothing half-written: every enrolment has its participant.
    assert (
        bot.rows(
            "SELECT e.id FROM enrollments e LEFT JOIN participants p ON p.id = e.participant_id WHERE p.id IS NULL"
        )
        == []
    )


# ----------------------------------------------------------------------------- what the fuzz test found


async def test_double_taps_are_not_errors(staff_bot: BotHarness) -> None:
    """A button pressed twice before the first press was answered edits to the same content twice."""
    bot, t = staff_bot, staff_bot.t()
    await course_under_way(bot, {3501: "32"}, "K1")
    admin, participant = bot.user(ADMIN_ID), bot.user(3501)
    with ErrorLog() as errors:
        await admin.send_command("selesai")
        await bot.settle()
        listing = admin.new_messages()[-1]
        [label] = listing.button_texts()
        await admin.press(label)
        await bot.settle()
        roster = admin.new_messages()[-1]
        back = roster.find_button(t("btn-back"))
        assert back is not None
        for _ in range(2):
            await admin.press_data(back["callback_data"], message_id=roster.message_id)
        await bot.settle()
        assert admin.message(roster.message_id).text == listing.text

        await participant.send_command("hapusdata")
        await bot.settle()
        confirm = participant.new_messages()[-1]
        for _ in range(2):
            await participant.press(t("btn-erase-yes"), message_id=confirm.message_id)
        await bot.settle()
    assert errors.records == []
    assert [m.text for m in participant.new_messages()].count(t("erased")) == 1
    assert bot.participant(3501) is None


async def test_a_text_answer_to_a_button_on_a_photo_comes_as_a_new_message(bot: BotHarness) -> None:
    user = bot.user(3601)
    await user.send_command("start")
    await bot.settle()
    assert bot.app is not None
    photo = await bot.app.bot.send_photo(user.chat_id, b"\x89PNG\r\n\x1a\n not really")
    user.new_messages()
    with ErrorLog() as errors:
        await user.press_data("erase:no", message_id=photo.message_id)
        await bot.settle()
    assert errors.records == []
    [answer] = user.new_messages()
    assert answer.text == bot.t()("erase-kept") and answer.message_id != photo.message_id


async def test_a_huge_report_filter_is_quoted_short(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN_ID)
    with ErrorLog() as errors:
        await admin.send_command("laporan", "<" * 4000)
        await bot.settle()
    assert errors.records == []
    [answer] = admin.new_messages()
    assert answer.text is not None and answer.text.startswith(t("report-bad-filter", value="<" * 39 + "…"))


async def test_participant_text_is_shown_literally(staff_bot: BotHarness) -> None:
    """Text a participant typed is escaped for HTML wherever it is shown, so it reads exactly as typed."""
    bot = staff_bot
    name, employer = "D'Artagnan O’Neil-Siregar", "PT <b>Maju</b> & *Jaya* [a](b) </i>"
    user, admin = bot.user(3701), bot.user(ADMIN_ID)
    await consent(bot, user)
    summary = await answer_until_summary(bot, user, Person(name=name, employer=employer))
    assert summary.plain_text is not None and name in summary.plain_text and employer in summary.plain_text
    await press(bot, user, bot.t()("btn-confirm"))
    profile = await say(bot, user, "/profil")
    assert profile.plain_text is not None and name in profile.plain_text and employer in profile.plain_text
    found = await say(bot, admin, "/cari Artagnan")
    assert found.plain_text is not None and name in found.plain_text
