"""Soak: minutes of mixed traffic through fakegram with Telegram's rate limits on, watching latency, errors and memory.

Run: ``python bench/soak.py [--seconds S] [--users N] [--seed K] [--workdir DIR]``. Prints two JSON lines: the
figures (``"bench": "soak"``, see below) and the machine. About S + 10 seconds (default S = 180).

Set-up (not timed): a fresh, migrated SQLite file (``<workdir>/soak.db``, else a temporary one) with the sample
catalogue (``data/sample_courses.csv``, ten courses in five provinces, 213 seats) imported through
``CatalogueService.import_file``, and three quarters of the N simulated participants (default 200) registered
straight through the storage layer, spread over the catalogue's provinces (WIB, WITA and WIT). The real Application
(``bot.app.build_application``, production settings: the bot's limiter at 30 messages/s overall and 1/s per chat)
runs with ``bot.runner.serve`` and long-polls a fresh ``fakegram.FakeTelegram`` on 127.0.0.1 whose own rate limit is
on as Telegram's: 30 messages/s overall and 1 message/s per chat, beyond which it answers 429 (``retry_after`` 1 s).
The clock is a ``ManualClock``.

Traffic, for S seconds, every participant on their own (``asyncio`` tasks), each one sequential (send an update, wait
for the bot's answer, check it, think 1-3 s, next step). Between sessions a participant is idle for 1 s plus an
exponential time with mean 90 s, cut short by a notification (a reminder or a survey question is looked at 1-8 s
after it arrives); first sessions start within the first half of the run (at most 90 s). With 200 participants this
is about 12 updates a second, their answers about 40 % of Telegram's 30 messages/s:

* the other quarter register through the dialog, as in bench/registration.py (its ``plan``: 13 or 14 updates with
  one wrong answer each), then behave as the others;
* registered participants without a course browse ``/pelatihan`` (pages, course details) and enrol ("Daftar",
  confirm), or join the waitlist of a full course half the time; those with a course browse, open ``/jadwal``
  (sometimes asking for the .ics file, or to cancel: kept, or cancelled, which passes the seat to the waitlist);
* reminders come due as the clock moves and the dispatcher sends them; most are answered (attend / not);
* staff complete a course an hour after its last session (``CompletionService.complete_course``): its participants
  get the satisfaction survey and answer it (ratings, a multiple choice, a comment typed or skipped);
* halfway, at the first moment between 08:00 and 18:00 WIB, one announcement to everyone (``BroadcastService``
  start, attach and send, on a text message the staff member sent to the bot): its copies are bulk traffic
  competing with the replies.

The clock moves every 0.5 s towards a schedule: Thursday 26 November 2026 09:00 WIB (registration open everywhere),
Thursday 3 December 12:00 at 35 % of the run (the first deadlines passed), Monday 7 December 10:00 at 50 % (the first
reminders went out the evening before) and Wednesday 23 December 12:00 at the end (December's courses run, two of
them end); at most 3 hours per step, and not while more than 45 due messages wait to be sent (compressed evenings
would otherwise expire reminders the bot could not send in time, which is not what is measured;
``clock_held_steps`` counts those waits, ``clock_end`` says where the clock got). After each step the survey tick
runs (``SurveyService.tick``, the bot's minute job) and the dispatcher is woken, as its alarm would in real time.
Registered participants come from the catalogue's provinces, each as often as it has courses, and mostly pick a
course near the top of the list (their own province's first).

Figures: ``interactions`` is every update a participant sent and waited for (the staff member's not counted), and
``p50_ms``/``p95_ms``/``p99_ms`` their latency, from just before sending to the arrival of the last message the
update must lead to (or of the answer to the button, for a refusal shown as an alert), seen by the simulated user
at the fake server. ``errors`` counts: answers that are not a valid answer to the update (every reply's text and
buttons are checked, allowing for what may legitimately change meanwhile, e.g. a deadline passing), the bot's
apology (``err-internal``), replies missing after 30 s, bot messages nobody expected, failed Bot API requests other
than 429s, fakegram's internal errors, log records at level ERROR, outbox rows that failed, announcement copies not
received, and exceptions in the simulation; ``error_kinds`` says which. ``sent`` is the outbox rows sent (reminders,
announcement copies, survey questions, waitlist promotions...), ``sent_by_kind`` by kind; ``http_429`` the 429
answers of the fake server. ``rss_start_mb`` is the resident set size when the traffic starts (after set-up and
start-up), ``rss_end_mb`` when it ends (before shutdown), read from /proc/self/status (VmRSS; elsewhere the peak
from ``getrusage``); ``rss_growth_pct`` compares those two. ``rss_after_warmup_mb`` is read at 10 % of the run (the
first few seconds load what every code path needs once: growth after it is what a long run would keep adding),
``rss_peak_mb`` is the highest value seen, ``cpu_s`` the process's CPU time during the traffic. Bot, fake server and
simulated users share one process and one event loop, so latencies include the fake server's work and the RSS is all
of theirs; the simulated users forget the messages they are done with and the server's request log is read and
cleared as the run goes, so that their state does not grow with the run. ``met`` says whether each aim of the issue
was met: 0 errors, p95 under 250 ms, RSS growth (start to end) under 10 %.

The script exits with status 1 (and prints no figures) when the figures would be meaningless: no interaction, nothing
sent, the announcement found nobody, or the bot stopped. Timings are never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` and `fakegram` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import bisect  # noqa: E402
import contextlib  # noqa: E402
import html  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import BenchFailure, machine_info, percentile, print_lines  # noqa: E402
from bench.registration import Action as RegistrationStep  # noqa: E402
from bench.registration import plan as registration_plan  # noqa: E402
from bot.app import VokasiApp, build_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import DATA_DIR, Settings  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.i18n import Translations, Translator, load_catalogue  # noqa: E402
from bot.runner import serve  # noqa: E402
from bot.services.catalogue import CatalogueService  # noqa: E402
from bot.services.completion import CourseCompleted  # noqa: E402
from bot.services.education import EDUCATION_LEVELS  # noqa: E402
from bot.services.enrollment import Refusal  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from bot.services.registration import CONSENT_VERSION  # noqa: E402
from bot.services.reminders import ReminderPlanner  # noqa: E402
from bot.storage.broadcasts import BROADCAST_KIND, subject  # noqa: E402
from bot.storage.db import Database, from_db_time, to_db_time  # noqa: E402
from bot.storage.participants import NewParticipant  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from fakegram import BotMessage, FakeTelegram, FakeUser  # noqa: E402

DEFAULT_SECONDS = 180.0
DEFAULT_USERS = 200
DEFAULT_SEED = 0
SAMPLE_CATALOGUE = DATA_DIR / "sample_courses.csv"
DB_NAME = "soak.db"

# Telegram's limits, kept by the fake server (429 beyond them) and by the bot's own limiter (its defaults).
SERVER_PER_S = 30.0
SERVER_CHAT_PER_S = 1.0
SERVER_RETRY_AFTER_S = 1
BOT_PER_S = 30.0
BOT_CHAT_PER_S = 1.0

# Who the simulated participants are.
NEWCOMER_SHARE = 0.25
"""Participants who register through the dialog during the run; the others are registered before it."""
FIRST_USER_ID = 80_000_000
FIRST_NEWCOMER_ID = 81_000_000
STAFF_ID = 9_000_001
# The catalogue's provinces (BPS codes): Banten, DKI Jakarta, Jawa Timur (WIB), Sulawesi Utara (WITA), Papua (WIT),
# each as often as it has courses. Registered participants come from these in turn (the list shows courses of one's
# own province first, and people mostly pick one near the top: see PICK_MEAN).
HOME_PROVINCES = ("36", "31", "36", "35", "36", "31", "71", "36", "35", "94")
PICK_MEAN = 2.0
"""A participant picks the course at position min(exponential(mean PICK_MEAN), last) of the page shown."""
FIRST_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Hendra", "Ayu", "Rudi")
LAST_NAMES = ("Nurhaliza", "Santoso", "Lestari", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Rahmawati")
EMPLOYERS = ("PT Maju Jaya Sentosa", "CV Sinar Abadi", "PT Tekstil Nusantara", "PT Garmen Sejahtera")
FIRST_BIRTH_DATE = date(1970, 1, 1)
FIRST_PHK_DATE = date(2025, 6, 1)

# How they behave.
THINK_S = (1.0, 3.0)
"""Between the steps of a session (at least a second: people do not tap faster, and Telegram allows 1/s per chat)."""
IDLE_MEAN_S = 90.0
"""Between sessions: THINK_S[0] plus an exponential with this mean, cut short by a reminder or a survey question.
With 200 participants the replies then take about 40 % of Telegram's 30 messages/s, leaving room for bulk traffic
(with 45 s the replies alone took about 65 %, and queued behind the limit: that measures the limit, not the bot)."""
REACTION_S = (1.0, 8.0)
"""How long after a notification (reminder, survey question) the participant looks at it."""
START_SPREAD = 0.5
"""Participants start their first session within this fraction of the run (at most IDLE_MEAN_S seconds)."""
WARMUP_SHARE = 0.1
"""``rss_after_warmup_mb`` is read at this fraction of the run (first use of every code path, caches filled)."""
ENROL_SHARE = 0.75
"""Sessions of a participant without a course that try to enrol (the others only browse)."""
JOIN_WAITLIST_SHARE = 0.5
REMINDER_ANSWER_SHARE = 0.7
REMINDER_YES_SHARE = 0.85
COMMENT = "Pelatihannya bermanfaat, praktiknya cukup banyak. Semoga ada kelas lanjutan."
ANNOUNCEMENT_MARK = "[SIARAN SOAK]"
ANNOUNCEMENT = (
    f"{ANNOUNCEMENT_MARK} Bursa kerja daring BPJS Ketenagakerjaan dibuka Senin depan, pukul 09.00-15.00 WIB. "
    "Siapkan CV terbaru Anda."
)

# Time: the schedule the clock follows, as (fraction of the run, moment).
WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 26, 9, 0, tzinfo=WIB)
SCHEDULE = (
    (0.0, START),
    (0.35, datetime(2026, 12, 3, 12, 0, tzinfo=WIB)),
    (0.5, datetime(2026, 12, 7, 10, 0, tzinfo=WIB)),
    (1.0, datetime(2026, 12, 23, 12, 0, tzinfo=WIB)),
)
ADVANCE_EVERY_S = 0.5
MAX_STEP = timedelta(hours=3)
BACKLOG_HOLD = 45
"""The clock waits while more due outbox messages than this are waiting to be sent."""
BROADCAST_AT = 0.5
BROADCAST_HOURS_WIB = (8, 18)
"""Staff send the announcement in office hours, when it is daytime in every zone (so it goes at once)."""
COMPLETE_AFTER = timedelta(hours=1)
"""Staff complete a course this long after its last session ended."""

POLL_TIMEOUT = 1  # seconds, as in tests/harness.py
REPLY_TIMEOUT = 30.0  # a reply slower than this is an error, not a measurement
BROADCAST_TIMEOUT_S = 120.0  # after the traffic, the announcement must be delivered within this
MONITOR_EVERY_S = 0.5
LOG_ERROR_SAMPLES = 20

AIM_ERRORS = 0
AIM_P95_MS = 250.0
AIM_RSS_GROWTH_PCT = 10.0

log = logging.getLogger("bench.soak")


# --------------------------------------------------------------------------------------------- set-up


@dataclass(frozen=True, slots=True)
class CourseInfo:
    id: int
    code: str
    title: str
    last_end: datetime


def bench_settings(server: FakeTelegram, db_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        bot_token=server.token,
        bot_api_url=server.base_url,
        bot_file_url=server.base_file_url,
        database_url=f"sqlite:///{db_path}",
        telegram_messages_per_s=BOT_PER_S,
        telegram_chat_messages_per_s=BOT_CHAT_PER_S,
    )


def registered_participant(index: int, province: Province) -> NewParticipant:
    """A registered participant; NIKs never start with 32 (those of the newcomers do), phones are +62813..."""
    born = FIRST_BIRTH_DATE + timedelta(days=index)
    day = born.day + (40 if index % 2 else 0)
    return NewParticipant(
        telegram_user_id=FIRST_USER_ID + index,
        full_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}",
        nik=f"{province.nik_codes[0]}0101{day:02d}{born.month:02d}{born.year % 100:02d}{index % 9999 + 1:04d}",
        birth_date=born,
        gender="F" if index % 2 else "M",
        kpj=None,
        phone=f"+62813{(index * 7919 + 1_234_567) % 10**8:08d}",
        province_code=province.code,
        regency=f"Kota {province.name}",
        last_employer=EMPLOYERS[index % len(EMPLOYERS)],
        phk_date=FIRST_PHK_DATE + timedelta(days=index % 365),
        education=EDUCATION_LEVELS[index % len(EDUCATION_LEVELS)],
        needs_verification=False,
        consent_at=START,
        consent_version=CONSENT_VERSION,
    )


def remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


async def prepare(db_path: Path, registered: int) -> list[CourseInfo]:
    """The catalogue imported and `registered` participants written, in a fresh database; the courses."""
    remove_database(db_path)
    provinces = ProvinceCatalog.load()
    homes = []
    for code in HOME_PROVINCES:
        province = provinces.get(code)
        if province is None:
            raise BenchFailure(f"province {code} is not in data/provinces.json")
        homes.append(province)
    db = await Database.open(db_path)
    try:
        await db.migrate()
        store = Store(db)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{db_path}")  # type: ignore[call-arg]
        catalogue = CatalogueService(store, provinces, ManualClock(START), ReminderPlanner(settings, provinces))
        report = await catalogue.import_file(SAMPLE_CATALOGUE.read_bytes(), SAMPLE_CATALOGUE.name)
        if report.created < 1:
            raise BenchFailure(f"importing {SAMPLE_CATALOGUE.name} created no course: {report}")
        async with store.write() as unit:
            for index in range(registered):
                await unit.participants.create(registered_participant(index, homes[index % len(homes)]), START)
    finally:
        await db.close()
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT c.id, c.code, c.title, MAX(s.ends_at) FROM courses c JOIN course_sessions s ON s.course_id = c.id"
            " GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    return [CourseInfo(int(i), str(code), str(title), from_db_time(str(end))) for i, code, title, end in rows]


@contextlib.asynccontextmanager
async def serving(app: VokasiApp, server: FakeTelegram) -> AsyncIterator[asyncio.Task[None]]:
    """The Application polling the fake server (as tests/harness.py runs it), stopped on exit; yields its task."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop, poll_timeout=POLL_TIMEOUT))
    try:
        await server.wait_until(lambda: task.done() or (server.long_polls > 0 and app.running), timeout=30)
        if task.done():
            await task  # raises what stopped it
            raise BenchFailure("the bot stopped during start-up")
        yield task
    finally:
        stop.set()
        await task


def cpu_seconds() -> float:
    """CPU time of the process so far (user + system): bot, fake server and simulated users."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    """The process's resident set size (VmRSS); the peak (ru_maxrss) where /proc is not available."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------------- observing


class Texts:
    """The bot's texts (Indonesian), and which template a message was made from."""

    def __init__(self) -> None:
        self.t: Translator = Translations("id").get("id")
        self._templates = load_catalogue("id")
        self._patterns: dict[str, re.Pattern[str]] = {}

    def pattern(self, key: str) -> re.Pattern[str]:
        compiled = self._patterns.get(key)
        if compiled is None:
            parts = re.split(r"\{[^{}]*\}", self._templates[key])
            compiled = self._patterns[key] = re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)
        return compiled

    def made_from(self, key: str, message: BotMessage) -> bool:
        """The message's text (or caption) is the template `key` with some parameters."""
        return self.pattern(key).fullmatch(message.content or "") is not None

    def starts_with(self, key: str, message: BotMessage) -> bool:
        return self.pattern(key).match(message.content or "") is not None

    def alert_is(self, alert: dict[str, Any], *keys: str) -> bool:
        text = str(alert.get("text") or "")
        return any(self.pattern(key).fullmatch(text) is not None for key in keys)


@dataclass(slots=True)
class Stats:
    latencies: list[float] = field(default_factory=list)
    by_action: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def measured(self, action: str, seconds: float, outcome: str) -> None:
        self.latencies.append(seconds)
        self.by_action.setdefault(action, []).append(seconds)
        self.outcomes[f"{action}:{outcome}"] += 1

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < LOG_ERROR_SAMPLES:
            self.error_samples.append(f"{kind}: {detail}")
            log.warning("error %s: %s", kind, detail)


class LogReader:
    """Reads (and clears, so it does not grow) the fake server's request log: 429s and failed requests."""

    def __init__(self, server: FakeTelegram) -> None:
        self.server = server
        self.http_429 = 0
        self.requests = 0
        self.failed: Counter[str] = Counter()

    def update(self) -> None:
        for request in self.server.requests:
            self.requests += 1
            if request.status == 429:
                self.http_429 += 1
            elif not request.ok:
                self.failed[f"{request.method} {request.status}: {request.description}"[:160]] += 1
        self.server.reset_log()


class ErrorLogs(logging.Handler):
    """Counts log records at level ERROR and above (the bot logs every failed update and job so)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("bench."):
            self.records.append(f"{record.name}: {record.getMessage()}"[:200])


# --------------------------------------------------------------------------------------------- participants


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the replies so far mean: None = wait for more; otherwise the outcome, or why it is wrong."""

    outcome: str | None = None
    wrong: str | None = None


MORE = Verdict()


def ok(outcome: str) -> Verdict:
    return Verdict(outcome=outcome)


def wrong(reason: str) -> Verdict:
    return Verdict(wrong=reason)


Decide = Callable[[list[BotMessage], dict[str, Any] | None], Verdict]


def data_of(message: BotMessage) -> list[str]:
    return message.callback_data()


def has_data(message: BotMessage, prefix: str) -> bool:
    return any(d.startswith(prefix) for d in message.callback_data())


def describe(message: BotMessage) -> str:
    return f"{(message.content or '')[:90]!r} (edited: {message.edited}, buttons: {message.callback_data()[:6]})"


ENROL_REFUSALS = (
    "enrol-deadline-passed",
    "enrol-closed",
    "enrol-limit",
    "enrol-already",
    "enrol-already-waiting",
    "enrol-overlap",
)


@dataclass(slots=True)
class Agenda:
    """What arrived unasked and waits for the participant: reminders to answer, a survey question."""

    reminders: list[int] = field(default_factory=list)
    survey_run: int | None = None
    survey_message: int | None = None
    fresh: bool = False

    def ids(self) -> set[int]:
        kept = set(self.reminders)
        if self.survey_message is not None:
            kept.add(self.survey_message)
        return kept


class Participant:
    """One simulated person: their chat with the bot, what they know, and what they do."""

    def __init__(
        self,
        user: FakeUser,
        rng: random.Random,
        texts: Texts,
        stats: Stats,
        courses: dict[int, CourseInfo],
        registration: Sequence[RegistrationStep] | None,
    ) -> None:
        self.user = user
        self.rng = rng
        self.texts = texts
        self.t = texts.t
        self.stats = stats
        self.courses = courses
        self.registration = registration
        self.registered = registration is None
        self.course: int | None = None  # the course enrolled in or waited for
        self.agenda = Agenda()
        self.announcements = 0
        self.broken = False
        self.event = asyncio.Event()
        self._replies: list[BotMessage] | None = None  # while an update waits for its answer
        self._survey_context: int | None = None  # the survey run the update in flight answers
        self._trim_from = 1
        self._watch()

    def _watch(self) -> None:
        """Wake this participant's waits whenever the fake server changes their chat (message, edit, answer)."""
        original = self.user.notify
        event = self.event

        async def notify() -> None:
            event.set()
            await original()

        self.user.notify = notify  # type: ignore[method-assign]

    # ------------------------------------------------------------------ the chat

    def collect(self) -> None:
        """Route the bot messages that arrived: replies to the update in flight, or things that came unasked."""
        for message in self.user.new_messages():
            self._route(message)

    def _route(self, message: BotMessage) -> None:
        texts = self.texts
        content = message.content or ""
        if ANNOUNCEMENT_MARK in content:
            self.announcements += 1
            self.stats.received["announcement"] += 1
            return
        if not message.edited and has_data(message, "r:"):
            self.agenda.reminders.append(message.message_id)
            self.agenda.fresh = True
            self.stats.received["reminder"] += 1
            return
        survey_runs = {d.split(":")[1] for d in message.callback_data() if d.startswith("q:")}
        if survey_runs and any(d.startswith("q:") and d.endswith(":r") for d in message.callback_data()):
            self.stats.received["survey-nudge"] += 1  # the question itself is still in the chat
            return
        if survey_runs and not (self._replies is not None and str(self._survey_context) in survey_runs):
            self.agenda.survey_run = int(next(iter(survey_runs)))
            self.agenda.survey_message = message.message_id
            self.agenda.fresh = True
            self.course = None  # completed: free to enrol again
            self.stats.received["survey-question"] += 1
            return
        if texts.made_from("waitlist-promoted", message):
            self.stats.received["waitlist-promoted"] += 1
            return
        if texts.made_from("course-completed", message):
            self.course = None
            self.stats.received["course-completed"] += 1
            return
        if self._replies is not None:
            self._replies.append(message)
        elif content == self.t("err-internal"):
            self.stats.error("err-internal", f"user {self.user.user_id}, outside any update")
        else:
            self.stats.error("unexpected-message", f"user {self.user.user_id}: {describe(message)}")

    async def interact(
        self,
        action: str,
        send: Callable[[], Awaitable[int]],
        decide: Decide,
        *,
        press: bool = False,
        survey_run: int | None = None,
    ) -> tuple[str, list[BotMessage]] | None:
        """Send one update and wait for what it must lead to; (outcome, replies), or None after an error."""
        self.collect()  # anything left from before is not an answer to this update
        if press:
            self.user.callback_answers.clear()
        replies: list[BotMessage] = []
        self._replies = replies
        self._survey_context = survey_run
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        deadline = loop.time() + REPLY_TIMEOUT
        try:
            await send()
            while True:
                self.event.clear()
                self.collect()
                alert = None
                if press and self.user.callback_answers and self.user.callback_answers[0].get("show_alert"):
                    alert = self.user.callback_answers[0]
                if any((m.content or "") == self.t("err-internal") for m in replies):
                    verdict = wrong("the bot apologised (err-internal)")
                else:
                    verdict = decide(replies, alert)
                if verdict.outcome is not None or verdict.wrong is not None:
                    break
                try:
                    async with asyncio.timeout_at(deadline):
                        await self.event.wait()
                except TimeoutError:
                    got = [describe(m) for m in replies]
                    self.stats.error("timeout", f"user {self.user.user_id}, {action}: after {REPLY_TIMEOUT}s got {got}")
                    return None
        finally:
            self._replies = None
            self._survey_context = None
        elapsed = time.perf_counter() - started
        if verdict.wrong is not None:
            got = [describe(m) for m in replies] + ([f"alert {alert.get('text')!r}"] if alert else [])
            self.stats.error("wrong-reply", f"user {self.user.user_id}, {action}: {verdict.wrong}; got {got}")
            return None
        assert verdict.outcome is not None
        self.stats.measured(action, elapsed, verdict.outcome)
        return verdict.outcome, replies

    def forget(self) -> None:
        """Delete the messages no longer needed (as a tidy user would), so the fake server's state stays small."""
        self.collect()  # what arrived meanwhile is read first
        keep = self.agenda.ids()
        newest = max((m.message_id for m in self.user.messages), default=0)
        for message_id in range(self._trim_from, newest + 1):
            if message_id not in keep:
                self.user.delete_message(message_id)  # bot messages and the user's own (False if gone)
        self._trim_from = min(keep | {newest + 1})
        self.user.callback_answers.clear()

    def message(self, message_id: int | None) -> BotMessage | None:
        if message_id is None:
            return None
        with contextlib.suppress(KeyError):
            return self.user.message(message_id)
        return None

    # ------------------------------------------------------------------ a life

    async def live(self, stop: asyncio.Event, first_within: float) -> None:
        try:
            await nap(stop, self.rng.uniform(0, first_within))
            while not stop.is_set() and not self.broken:
                await self.session(stop)
                self.forget()
                await self.idle(stop)
        except Exception as error:  # a bug of the simulation: counted, and this participant stops
            log.exception("participant %d failed", self.user.user_id)
            self.stats.error("exception", f"user {self.user.user_id}: {error!r}")

    async def idle(self, stop: asyncio.Event) -> None:
        """Wait between sessions; a notification shortens the wait (looked at a few seconds after it arrived)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + THINK_S[0] + self.rng.expovariate(1 / IDLE_MEAN_S)
        while not stop.is_set():
            self.event.clear()
            self.collect()
            if self.agenda.fresh:
                self.agenda.fresh = False
                await nap(stop, self.rng.uniform(*REACTION_S))
                return
            try:
                async with asyncio.timeout_at(deadline):
                    await self.event.wait()
            except TimeoutError:
                return

    async def think(self, stop: asyncio.Event) -> bool:
        """A pause between two steps; False when the run is over."""
        await nap(stop, self.rng.uniform(*THINK_S))
        return not stop.is_set()

    async def session(self, stop: asyncio.Event) -> None:
        self.collect()
        if not self.registered:
            await self.register(stop)
        elif self.agenda.survey_message is not None:
            await self.answer_survey(stop)
        elif self.agenda.reminders:
            await self.answer_reminder()
        elif self.course is None:
            await self.browse(stop, enrol=self.rng.random() < ENROL_SHARE)
        elif self.rng.random() < 0.55:
            await self.schedule(stop)
        else:
            await self.browse(stop, enrol=False)

    # ------------------------------------------------------------------ registering

    async def register(self, stop: asyncio.Event) -> None:
        assert self.registration is not None
        for number, step in enumerate(self.registration, start=1):
            if number > 1 and not await self.think(stop):
                return
            send = registration_update(self.user, step)

            def decide(
                replies: list[BotMessage], alert: dict[str, Any] | None, step: RegistrationStep = step
            ) -> Verdict:
                if alert is not None:
                    return wrong("an alert")
                if len(replies) < step.replies:
                    return MORE
                last = replies[-1]
                if len(replies) > step.replies or (
                    step.expect not in (last.text or "") and step.expect not in last.button_texts()
                ):
                    return wrong(f"expected {step.replies} message(s), the last with {step.expect[:60]!r}")
                return ok("ok")

            try:
                done = await self.interact("register", send, decide, press=step.kind == "press")
            except LookupError as error:  # the button to press is not there
                self.stats.error("wrong-reply", f"user {self.user.user_id}, register step {number}: {error}")
                done = None
            if done is None:
                self.broken = True  # the dialog is somewhere unknown: this participant stops
                return
        self.registered = True
        self.stats.outcomes["registered"] += 1

    # ------------------------------------------------------------------ the catalogue

    async def browse(self, stop: asyncio.Event, *, enrol: bool) -> None:
        """/pelatihan, maybe the next page, a course's details; then enrol, or look at another course."""
        t = self.t

        def listing(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or len(replies) > 1:
                return wrong("one new message with the list")
            if not replies:
                return MORE
            [message] = replies
            if message.edited or not (has_data(message, "c:d:") or message.content == t("courses-empty")):
                return wrong("the list of courses")
            return ok("empty" if message.content == t("courses-empty") else "list")

        done = await self.interact("list", lambda: self.user.send_text("/pelatihan"), listing)
        if done is None or done[0] == "empty":
            return
        list_id = done[1][0].message_id
        current = done[1][0]
        next_page = next((d for d in data_of(current) if d.startswith("c:p:") and d != "c:p:0:a"), None)
        if next_page is not None and self.rng.random() < 0.4:
            if not await self.think(stop):
                return
            done = await self.interact(
                "page", lambda: self.user.press_data(next_page, list_id), self.edited_list(list_id), press=True
            )
            if done is None or done[0] == "empty":
                return
            current = done[1][0]
        for look in range(2):
            courses = [d for d in data_of(current) if d.startswith("c:d:")]
            if not courses or not await self.think(stop):
                return
            chosen = courses[min(int(self.rng.expovariate(1 / PICK_MEAN)), len(courses) - 1)]
            _, _, raw_id, page, category = chosen.split(":")
            course_id = int(raw_id)
            done = await self.interact(
                "detail",
                lambda chosen=chosen: self.user.press_data(chosen, list_id),
                self.detail(list_id, course_id),
                press=True,
            )
            if done is None or not await self.think(stop):
                return
            if enrol:
                await self.enrol(stop, list_id, course_id, page, category)
                return
            if look == 1 or self.rng.random() < 0.5:
                return
            back = f"c:p:{page}:{category}"
            done = await self.interact(
                "back", lambda back=back: self.user.press_data(back, list_id), self.edited_list(list_id), press=True
            )
            if done is None or done[0] == "empty":
                return
            current = done[1][0]

    def edited_list(self, list_id: int) -> Decide:
        t = self.t

        def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or len(replies) > 1:
                return wrong("the list message edited")
            if not replies:
                return MORE
            [message] = replies
            if message.message_id != list_id or not message.edited:
                return wrong("the list message edited")
            if message.content == t("courses-empty"):
                return ok("empty")
            return ok("list") if has_data(message, "c:d:") else wrong("a page of the list")

        return decide

    def detail(self, list_id: int, course_id: int) -> Decide:
        title = html.escape(self.courses[course_id].title)

        def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or len(replies) > 1:
                return wrong("the course's details")
            if not replies:
                return MORE
            [message] = replies
            if (
                message.message_id == list_id
                and message.edited
                and title in (message.content or "")
                and has_data(message, f"c:e:{course_id}:")
            ):
                return ok("detail")
            return wrong("the course's details")

        return decide

    def refusal(self, message: BotMessage) -> str | None:
        return next((key for key in ENROL_REFUSALS if self.texts.made_from(key, message)), None)

    async def enrol(self, stop: asyncio.Event, list_id: int, course_id: int, page: str, category: str) -> None:
        texts = self.texts

        def offer(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or len(replies) > 1:
                return wrong("the confirmation question or a refusal")
            if not replies:
                return MORE
            [message] = replies
            if message.message_id == list_id and message.edited:
                if texts.made_from("enrol-confirm", message) and f"c:y:{course_id}" in data_of(message):
                    return ok("seat")
                if texts.made_from("enrol-confirm-waitlist", message) and f"c:w:{course_id}" in data_of(message):
                    return ok("full")
            elif (key := self.refusal(message)) is not None:
                return ok(f"refused:{key}")
            return wrong("the confirmation question or a refusal")

        done = await self.interact(
            "offer", lambda: self.user.press_data(f"c:e:{course_id}:{page}:{category}", list_id), offer, press=True
        )
        if done is None:
            return
        outcome = done[0]
        for _ in range(2):  # a seat taken meanwhile turns the confirmation into the waitlist question, once
            if outcome.startswith("refused:"):
                if outcome in ("refused:enrol-limit", "refused:enrol-already", "refused:enrol-already-waiting"):
                    self.course = course_id if outcome != "refused:enrol-limit" else -1  # enrolled somewhere
                return
            if not await self.think(stop):
                return
            if outcome == "full" and self.rng.random() >= JOIN_WAITLIST_SHARE:
                back = f"c:d:{course_id}:{page}:{category}"
                await self.interact(
                    "back",
                    lambda back=back: self.user.press_data(back, list_id),
                    self.detail(list_id, course_id),
                    press=True,
                )
                return
            action = "waitlist" if outcome == "full" else "enrol"
            data = f"c:{'w' if outcome == 'full' else 'y'}:{course_id}"
            done = await self.interact(
                action, lambda data=data: self.user.press_data(data, list_id), self.enrolled(list_id), press=True
            )
            if done is None:
                return
            outcome = done[0]
            if outcome in ("enrolled", "waitlisted"):
                self.course = course_id
                return

    def enrolled(self, list_id: int) -> Decide:
        texts = self.texts

        def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or not replies:
                return MORE if alert is None else wrong("enrolled, waitlisted, full or a refusal")
            first = replies[0]
            if first.message_id == list_id and first.edited and texts.made_from("enrolled", first):
                if len(replies) == 1:
                    return MORE
                if len(replies) == 2 and texts.made_from("enrolled-sessions", replies[1]):
                    return ok("enrolled")
                return wrong("the sessions after enrolling")
            if len(replies) > 1:
                return wrong("one message")
            if first.message_id == list_id and first.edited:
                if texts.made_from("waitlisted", first) and not first.inline_keyboard:
                    return ok("waitlisted")
                if texts.made_from("enrol-confirm-waitlist", first):
                    return ok("full")
            elif (key := self.refusal(first)) is not None:
                return ok(f"refused:{key}")
            return wrong("enrolled, waitlisted, full or a refusal")

        return decide

    # ------------------------------------------------------------------ my schedule

    async def schedule(self, stop: asyncio.Event) -> None:
        """/jadwal; sometimes the .ics file, or cancelling (kept, or cancelled)."""
        texts = self.texts

        def shown(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or len(replies) > 1:
                return wrong("one new message with the schedule")
            if not replies:
                return MORE
            [message] = replies
            if not message.edited and texts.made_from("schedule", message) and has_data(message, "s:c:"):
                return ok("schedule")
            if not message.edited and texts.made_from("schedule-empty", message):
                return ok("empty")
            return wrong("the schedule")

        done = await self.interact("jadwal", lambda: self.user.send_text("/jadwal"), shown)
        if done is None:
            return
        if done[0] == "empty":
            self.course = None
            return
        message = done[1][0]
        cancel = [d for d in data_of(message) if d.startswith("s:c:")]
        choice = self.rng.random()
        if choice < 0.25 and "s:i" in data_of(message):
            if not await self.think(stop):
                return

            def calendar(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
                if alert is not None or len(replies) > 1:
                    return wrong("the .ics file")
                if not replies:
                    return MORE
                [sent] = replies
                if sent.kind == "document" and texts.made_from("ics-caption", sent):
                    return ok("ics")
                if texts.made_from("schedule-empty", sent):
                    return ok("empty")
                return wrong("the .ics file")

            await self.interact("ics", lambda: self.user.press_data("s:i", message.message_id), calendar, press=True)
        elif choice < 0.35 and cancel:
            if not await self.think(stop):
                return
            await self.cancel(stop, message.message_id, cancel[0])

    async def cancel(self, stop: asyncio.Event, schedule_id: int, data: str) -> None:
        texts = self.texts
        enrollment_id = data.rsplit(":", 1)[1]

        def asked(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None:
                return ok("refused") if texts.alert_is(alert, "cancel-started", "button-stale") else wrong("alert")
            if len(replies) > 1:
                return wrong("the question")
            if not replies:
                return MORE
            [message] = replies
            if texts.made_from("cancel-confirm", message) and f"s:x:{enrollment_id}" in data_of(message):
                return ok("asked")
            return wrong("the question whether to cancel")

        done = await self.interact("cancel-ask", lambda: self.user.press_data(data, schedule_id), asked, press=True)
        if done is None or done[0] != "asked" or not await self.think(stop):
            return
        question = done[1][0].message_id
        really = self.rng.random() < 0.4
        answer = f"s:x:{enrollment_id}" if really else "s:k"
        key = "cancelled" if really else "cancel-kept"

        def answered(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None:
                return ok("refused") if texts.alert_is(alert, "cancel-started", "button-stale") else wrong("alert")
            if len(replies) > 1:
                return wrong("the question edited")
            if not replies:
                return MORE
            [message] = replies
            if message.message_id == question and message.edited and texts.made_from(key, message):
                return ok(key)
            return wrong(f"the question edited to {key}")

        done = await self.interact(
            "cancel" if really else "keep", lambda: self.user.press_data(answer, question), answered, press=True
        )
        if done is not None and done[0] == "cancelled":
            self.course = None

    # ------------------------------------------------------------------ reminders

    async def answer_reminder(self) -> None:
        """The newest reminder, most of the time; the others are left unanswered."""
        newest, self.agenda.reminders = self.agenda.reminders[-1], []
        reminder = self.message(newest)
        if reminder is None or self.rng.random() >= REMINDER_ANSWER_SHARE:
            return
        yes = self.rng.random() < REMINDER_YES_SHARE
        data = next((d for d in data_of(reminder) if d.startswith("r:y:" if yes else "r:n:")), None)
        if data is None:
            self.stats.error("wrong-reply", f"user {self.user.user_id}: a reminder without buttons")
            return
        noted = self.t("attendance-yes" if yes else "attendance-no")
        texts = self.texts

        def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None:
                if texts.alert_is(alert, "attendance-too-late", "button-stale"):
                    return ok("refused")
                return wrong("alert")
            if len(replies) > 1:
                return wrong("the reminder edited")
            if not replies:
                return MORE
            [message] = replies
            if message.message_id == newest and message.edited and noted in (message.content or ""):
                return ok("noted")
            return wrong("the reminder edited with the answer")

        await self.interact("reminder", lambda: self.user.press_data(data, newest), decide, press=True)

    # ------------------------------------------------------------------ surveys

    async def answer_survey(self, stop: asyncio.Event) -> None:
        """Question after question until the survey is finished or over (each answer: a think first)."""
        while self.agenda.survey_message is not None and not stop.is_set():
            run = self.agenda.survey_run
            question = self.message(self.agenda.survey_message)
            if question is None or run is None:
                self.agenda.survey_message = self.agenda.survey_run = None
                return
            if not await self.answer_question(stop, run, question):
                return
            if self.agenda.survey_message is not None and not await self.think(stop):
                return

    async def answer_question(self, stop: asyncio.Event, run: int, question: BotMessage) -> bool:
        """One question; False when the survey cannot go on (an error)."""
        data = [d for d in data_of(question) if d.startswith(f"q:{run}:")]
        if not data:
            self.stats.error("wrong-reply", f"user {self.user.user_id}: a survey question without buttons")
            self.agenda.survey_message = self.agenda.survey_run = None
            return False
        base = data[0].rsplit(":", 1)[0]
        choices = [d for d in data if d.rsplit(":", 1)[1].isdigit()]
        toggles = [d for d in data if d.rsplit(":", 1)[1].startswith("t")]
        if toggles:
            for toggle in self.rng.sample(toggles, k=min(len(toggles), self.rng.randint(1, 2))):
                done = await self.interact(
                    "survey-tick",
                    lambda toggle=toggle: self.user.press_data(toggle, question.message_id),
                    self.ticked(run, question.message_id),
                    press=True,
                    survey_run=run,
                )
                if done is None:
                    return False
                if done[0] != "ticked":
                    self.agenda.survey_message = self.agenda.survey_run = None
                    return True
                if not await self.think(stop):
                    return True
            pressed = f"{base}:ok"
        elif choices:
            pressed = self.rng.choice(choices)
        elif self.rng.random() < 0.5:  # a text question: type an answer
            done = await self.interact(
                "survey-text", lambda: self.user.send_text(COMMENT), self.next_question(run, None), survey_run=run
            )
            return done is not None
        else:
            pressed = f"{base}:s"
        done = await self.interact(
            "survey",
            lambda: self.user.press_data(pressed, question.message_id),
            self.next_question(run, question.message_id),
            press=True,
            survey_run=run,
        )
        return done is not None

    def ticked(self, run: int, question_id: int) -> Decide:
        texts = self.texts

        def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None:
                if texts.alert_is(alert, "survey-over", "survey-question-answered", "button-stale"):
                    return ok("over")
                return wrong("alert")
            if len(replies) > 1:
                return wrong("the question's buttons edited")
            if not replies:
                return MORE
            [message] = replies
            if message.message_id == question_id and message.edited and has_data(message, f"q:{run}:"):
                return ok("ticked")
            return wrong("the question's buttons edited")

        return decide

    def next_question(self, run: int, question_id: int | None) -> Decide:
        """A button answer: the question edited (answer shown) and the next one (or the thanks); a typed answer:
        the next question, the same one again (not valid), or the thanks, or - the survey over - the menu."""
        texts = self.texts
        agenda = self.agenda

        def following(message: BotMessage) -> str | None:
            if has_data(message, f"q:{run}:"):
                agenda.survey_message = message.message_id
                return "next"
            if texts.made_from("survey-finished", message):
                agenda.survey_message = agenda.survey_run = None
                return "finished"
            return None

        def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None:
                if texts.alert_is(alert, "survey-over", "survey-question-answered", "button-stale"):
                    agenda.survey_message = agenda.survey_run = None
                    return ok("over")
                return wrong("alert")
            if question_id is None:  # typed
                if len(replies) > 1:
                    return wrong("one message")
                if not replies:
                    return MORE
                [message] = replies
                if (outcome := following(message)) is not None:
                    return ok(outcome)
                if texts.made_from("menu-unknown", message):
                    agenda.survey_message = agenda.survey_run = None
                    return ok("over")
                return wrong("the next question")
            edits = [m for m in replies if m.message_id == question_id]
            others = [m for m in replies if m.message_id != question_id]
            if len(edits) > 1 or len(others) > 1:
                return wrong("the question edited and the next one")
            if not edits or not others:
                return MORE
            if not edits[0].edited or edits[0].inline_keyboard:
                return wrong("the answered question without buttons")
            outcome = following(others[0])
            return ok(outcome) if outcome is not None else wrong("the next question or the thanks")

        return decide


def registration_update(user: FakeUser, step: RegistrationStep) -> Callable[[], Awaitable[int]]:
    if step.kind == "text":
        return lambda: user.send_text(step.value)
    if step.kind == "press":
        return lambda: user.press(step.value)
    return lambda: user.send_contact(step.value)


async def nap(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake when the run is over."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()


# --------------------------------------------------------------------------------------------- time and staff


def scheduled_moment(progress: float) -> datetime:
    """Where the clock should be at this fraction of the run (linear between the SCHEDULE's points)."""
    fractions = [point for point, _ in SCHEDULE]
    index = min(max(bisect.bisect_right(fractions, progress), 1), len(SCHEDULE) - 1)
    (p0, t0), (p1, t1) = SCHEDULE[index - 1], SCHEDULE[index]
    share = min(max((progress - p0) / (p1 - p0), 0.0), 1.0)
    return t0 + (t1 - t0) * share


class Conductor:
    """Moves the clock, runs the survey tick and wakes the dispatcher; staff complete courses and broadcast."""

    def __init__(
        self,
        services: Services,
        clock: ManualClock,
        db_path: Path,
        courses: Sequence[CourseInfo],
        staff: FakeUser,
        stats: Stats,
    ) -> None:
        self.services = services
        self.clock = clock
        self.db_path = db_path
        self.pending_courses = sorted(courses, key=lambda c: c.last_end)
        self.staff = staff
        self.stats = stats
        self.completed: dict[str, int] = {}
        self.broadcast_id: int | None = None
        self.recipients = 0
        self.held = 0
        self._conn: sqlite3.Connection | None = None

    def db(self) -> sqlite3.Connection:
        """The harness's own connection (reads only; WAL lets it read while the bot writes)."""
        if self._conn is None:
            self._conn = sqlite3.connect(self.db_path)
        return self._conn

    def backlog(self) -> int:
        """Outbox messages due now and not sent yet."""
        return int(
            self.db()
            .execute(
                "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= ?",
                (to_db_time(self.clock.now()),),
            )
            .fetchone()[0]
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def run(self, stop: asyncio.Event, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not stop.is_set():
            await nap(stop, ADVANCE_EVERY_S)
            if stop.is_set():
                return
            progress = (loop.time() - started) / seconds
            try:
                await self.step(progress)
            except BenchFailure:
                raise
            except Exception as error:  # the bot's services failed: counted
                log.exception("the conductor's step failed")
                self.stats.error("exception", f"conductor: {error!r}")

    async def step(self, progress: float) -> None:
        target = scheduled_moment(progress)
        now = self.clock.now()
        if target > now:
            if self.backlog() > BACKLOG_HOLD:
                self.held += 1
            else:
                self.clock.advance(min(target - now, MAX_STEP))
        services = self.services
        await services.surveys.tick()
        await self.complete_due()
        local = self.clock.now().astimezone(WIB)
        if (
            self.broadcast_id is None
            and progress >= BROADCAST_AT
            and (BROADCAST_HOURS_WIB[0] <= local.hour < BROADCAST_HOURS_WIB[1] or progress >= 0.9)
        ):
            await self.broadcast()
        services.dispatcher.wake()

    async def complete_due(self) -> None:
        now = self.clock.now()
        while self.pending_courses and self.pending_courses[0].last_end + COMPLETE_AFTER <= now:
            course = self.pending_courses.pop(0)
            outcome = await self.services.completion.complete_course(course.id)
            if isinstance(outcome, CourseCompleted):
                self.completed[course.code] = outcome.completed
            else:
                self.stats.error("wrong-reply", f"completing {course.code}: {outcome!r}")

    async def broadcast(self) -> None:
        """The staff member writes the announcement to the bot (the copies copy that message), then queues it."""
        staff = self.staff
        await staff.send_text(ANNOUNCEMENT)
        await staff.wait_messages(1, timeout=REPLY_TIMEOUT)  # the bot's answer to a stranger's text
        source = next(
            (m for m in range(1, 10) if (staff.raw_message(m) or {}).get("text") == ANNOUNCEMENT),
            None,
        )
        if source is None:
            raise BenchFailure("the staff member's announcement is not in their chat")
        broadcasts = self.services.broadcasts
        draft = await broadcasts.start(STAFF_ID)
        panel = await broadcasts.attach(STAFF_ID, STAFF_ID, source, "text")
        if panel is None:
            raise BenchFailure("the announcement could not be attached to the draft")
        sent = await broadcasts.send(STAFF_ID, draft.id)
        if isinstance(sent, Refusal):
            raise BenchFailure(f"the announcement was refused: {sent.key}")
        self.broadcast_id = draft.id
        self.recipients = sent.count
        log.info("announcement %d queued for %d recipients at %s", draft.id, sent.count, self.clock.now())

    def broadcast_rows(self) -> dict[str, int]:
        """The announcement's outbox rows by status."""
        if self.broadcast_id is None:
            return {}
        rows = (
            self.db()
            .execute(
                "SELECT status, COUNT(*) FROM outbox WHERE kind = ? AND subject = ? GROUP BY status",
                (BROADCAST_KIND, subject(self.broadcast_id)),
            )
            .fetchall()
        )
        return {str(status): int(count) for status, count in rows}

    async def finish(self) -> None:
        """After the traffic: the announcement delivered (its copies may wait for the morning)."""
        if self.broadcast_id is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BROADCAST_TIMEOUT_S
        while loop.time() < deadline:
            waiting = (
                self.db()
                .execute(
                    "SELECT COUNT(*), MAX(not_before) FROM outbox WHERE kind = ? AND subject = ?"
                    " AND status IN ('pending', 'sending')",
                    (BROADCAST_KIND, subject(self.broadcast_id)),
                )
                .fetchone()
            )
            if not waiting[0]:
                return
            latest = from_db_time(str(waiting[1]))
            if latest > self.clock.now():
                self.clock.set(latest)
            self.services.dispatcher.wake()
            await asyncio.sleep(0.2)


# --------------------------------------------------------------------------------------------- the run


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary(values: Sequence[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {"n": len(ordered), "p50_ms": ms(percentile(ordered, 50)), "p95_ms": ms(percentile(ordered, 95))}


def outbox_counts(db_path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Outbox rows by status, and those sent by kind."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
        kinds = dict(
            conn.execute("SELECT kind, COUNT(*) FROM outbox WHERE status = 'sent' GROUP BY kind ORDER BY kind")
        )
    return {str(k): int(v) for k, v in statuses.items()}, {str(k): int(v) for k, v in kinds.items()}


async def soak(db_path: Path, courses: list[CourseInfo], seconds: float, users: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    newcomers = round(users * NEWCOMER_SHARE) if users > 1 else 0
    registered = users - newcomers
    texts = Texts()
    stats = Stats()
    steps = registration_plan(newcomers, seed, texts.t, ProvinceCatalog.load()) if newcomers else []
    by_id = {course.id: course for course in courses}
    error_logs = ErrorLogs()
    logging.getLogger().addHandler(error_logs)
    try:
        async with FakeTelegram() as server:
            server.rate_limit(
                global_per_s=SERVER_PER_S, per_chat_per_s=SERVER_CHAT_PER_S, retry_after=SERVER_RETRY_AFTER_S
            )
            people = [
                Participant(
                    server.user(FIRST_USER_ID + index, first_name="Peserta"),
                    random.Random(rng.random()),
                    texts,
                    stats,
                    by_id,
                    None,
                )
                for index in range(registered)
            ] + [
                Participant(
                    server.user(FIRST_NEWCOMER_ID + index, first_name="Calon"),
                    random.Random(rng.random()),
                    texts,
                    stats,
                    by_id,
                    applicant.actions,
                )
                for index, applicant in enumerate(steps)
            ]
            staff = server.user(STAFF_ID, first_name="Petugas")
            clock = ManualClock(START)
            app = build_application(bench_settings(server, db_path), clock=clock)
            reader = LogReader(server)
            async with serving(app, server) as bot_task:
                conductor = Conductor(app.bot_data.services, clock, db_path, courses, staff, stats)
                stop = asyncio.Event()
                rss_start = rss_mb()
                rss_peak = rss_start
                rss_warm: float | None = None
                cpu_start = cpu_seconds()
                started = time.perf_counter()
                first_within = min(IDLE_MEAN_S, START_SPREAD * seconds)
                lives = [asyncio.create_task(person.live(stop, first_within)) for person in people]
                staffing = asyncio.create_task(conductor.run(stop, seconds))
                try:
                    deadline = time.perf_counter() + seconds
                    while time.perf_counter() < deadline:
                        await asyncio.sleep(min(MONITOR_EVERY_S, max(0.0, deadline - time.perf_counter())))
                        reader.update()
                        rss_now = rss_mb()
                        rss_peak = max(rss_peak, rss_now)
                        if rss_warm is None and time.perf_counter() - started >= WARMUP_SHARE * seconds:
                            rss_warm = rss_now
                        if bot_task.done():
                            raise BenchFailure("the bot stopped during the run")
                        if staffing.done():
                            await staffing  # raises what stopped it
                    stop.set()
                    for person in people:
                        person.event.set()
                    await asyncio.gather(*lives)
                    await staffing
                    elapsed = time.perf_counter() - started
                    cpu = cpu_seconds() - cpu_start
                    rss_end = rss_mb()
                    rss_warm = rss_end if rss_warm is None else rss_warm
                    await conductor.finish()
                    await asyncio.sleep(0.5)  # the last copies' notifications
                    for person in people:
                        person.collect()
                    reader.update()
                    broadcast = conductor.broadcast_rows()
                finally:
                    stop.set()
                    for task in (*lives, staffing):
                        task.cancel()
                    await asyncio.gather(*lives, staffing, return_exceptions=True)
                    conductor.close()
            reader.update()
            internal = list(server.internal_errors)
    finally:
        logging.getLogger().removeHandler(error_logs)

    statuses, sent_by_kind = outbox_counts(db_path)
    sent = statuses.get("sent", 0)
    if not stats.latencies:
        raise BenchFailure("no interaction was measured")
    if not sent:
        raise BenchFailure("the outbox sent nothing")
    if conductor.broadcast_id is None:
        raise BenchFailure("the announcement was never sent (run too short?)")

    copies = sum(person.announcements for person in people)
    if copies != conductor.recipients or broadcast.get("sent", 0) != conductor.recipients:
        stats.error(
            "announcement",
            f"{conductor.recipients} recipients, rows {broadcast}, {copies} copies received",
        )
    for key, count in reader.failed.items():
        stats.errors["failed-request"] += count
        stats.error_samples.append(f"failed-request x{count}: {key}")
    if internal:
        stats.errors["fakegram-internal"] += len(internal)
        stats.error_samples.append(f"fakegram-internal: {internal[:3]!r}")
    if error_logs.records:
        stats.errors["error-log"] += len(error_logs.records)
        stats.error_samples.extend(f"error-log: {record}" for record in error_logs.records[:LOG_ERROR_SAMPLES])
    failed_rows = sum(count for status, count in statuses.items() if status == "failed")
    if failed_rows:
        stats.errors["outbox-failed"] += failed_rows
    for sample in stats.error_samples:
        log.warning("%s", sample)

    ordered = sorted(stats.latencies)
    errors = sum(stats.errors.values())
    p95 = ms(percentile(ordered, 95))
    growth = round((rss_end - rss_start) / rss_start * 100, 1)
    return {
        "bench": "soak",
        "seconds": round(elapsed, 1),
        "users": users,
        "interactions": len(ordered),
        "errors": errors,
        "p50_ms": ms(percentile(ordered, 50)),
        "p95_ms": p95,
        "p99_ms": ms(percentile(ordered, 99)),
        "sent": sent,
        "http_429": reader.http_429,
        "rss_start_mb": round(rss_start, 1),
        "rss_end_mb": round(rss_end, 1),
        "rss_growth_pct": growth,
        "met": {
            f"errors == {AIM_ERRORS}": errors == AIM_ERRORS,
            f"p95_ms < {AIM_P95_MS:.0f}": p95 < AIM_P95_MS,
            f"rss_growth_pct < {AIM_RSS_GROWTH_PCT:.0f}": growth < AIM_RSS_GROWTH_PCT,
        },
        "error_kinds": dict(sorted(stats.errors.items())),
        "actions": {action: summary(values) for action, values in sorted(stats.by_action.items())},
        "outcomes": dict(sorted(stats.outcomes.items())),
        "received": dict(sorted(stats.received.items())),
        "sent_by_kind": sent_by_kind,
        "outbox": statuses,
        "announcement_recipients": conductor.recipients,
        "courses_completed": conductor.completed,
        "clock_end": clock.now().astimezone(WIB).isoformat(timespec="minutes"),
        "clock_held_steps": conductor.held,
        "rss_after_warmup_mb": round(rss_warm, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "cpu_s": round(cpu, 1),
    }


def machine() -> dict[str, Any]:
    return {
        "bench": "soak",
        "machine": machine_info(),
    }


async def run(
    seconds: float = DEFAULT_SECONDS,
    users: int = DEFAULT_USERS,
    workdir: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
) -> list[dict[str, Any]]:
    """The soak, then the machine line; the JSON lines as dicts.

    The database is ``workdir/soak.db`` when a directory is given (it is kept), else a temporary file. Raises
    BenchFailure when the figures would be meaningless (nothing measured, nothing sent, no announcement).
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    if users < 1:
        raise ValueError("at least one user")
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        db_path = directory / DB_NAME
        newcomers = round(users * NEWCOMER_SHARE) if users > 1 else 0
        courses = await prepare(db_path, users - newcomers)
        line = await soak(db_path, courses, seconds, users, seed)
    return [line, machine()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help=f"traffic duration (default {DEFAULT_SECONDS:g})"
    )
    parser.add_argument(
        "--users", type=int, default=DEFAULT_USERS, help=f"simulated participants (default {DEFAULT_USERS})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="workload seed (default %(default)s)")
    parser.add_argument("--workdir", type=Path, help="keep the database here (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    if args.users < 1:
        parser.error("--users must be at least 1")
    # PTB 22 warns unless durations such as retry_after are timedelta objects (the PTB 23 behaviour), as main.py.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return print_lines(run(args.seconds, args.users, args.workdir, seed=args.seed))


if __name__ == "__main__":
    sys.exit(main())
