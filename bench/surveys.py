"""Course completion and survey scheduling at programme scale: closing courses, the survey tick, answering check-ins.

Run: ``python bench/surveys.py [--participants N] [--course-size M] [--answers K] [--workdir DIR]``. Prints JSON
lines (see ``run``), all with ``"bench": "surveys"``.

No Telegram is involved: the services are wired as ``bot/app.py`` wires them (``Store``, ``ReminderPlanner``,
``SurveyService``, ``CompletionService``, the survey definitions in ``data/surveys``, default settings) on a fresh,
migrated SQLite file (``<workdir>/bench.db``), and every message they plan is an outbox row, as in the bot before
the dispatcher sends it. The clock is a ``ManualClock``.

Seeding (not timed): N participants (default 20,000; unique NIK and Telegram id) spread over Jawa Barat and DKI
Jakarta (WIB), Bali (WITA) and Maluku (WIT), and N / M courses (M default 500) with five sessions from 30 November
to 4 December 2026, each course with M participants enrolled, written through the storage repositories, one
transaction per course.

1. Completion: on Monday 7 December 2026, 10:00 WIB, ``CompletionService.complete_course`` for every course, as
   staff press "complete all": in one transaction per course each participant is marked completed, their reminders
   are withdrawn, the satisfaction survey starts (question, with the congratulation, and nudge in the outbox) and
   the check-ins (d30, d90, d180) are planned. ``complete_course_s`` is the total, p50/p95 are per course.
2. The survey tick: 31 days later (8 January 2027, 10:00 WIB, after every participant's d30 check-in time, which
   is 10:00 in their own zone and so latest in WIB), one ``SurveyService.tick()``, the bot's minute job: every
   unanswered satisfaction survey expires (its pending messages withdrawn) and each participant's d30 check-in
   starts in its place (question and nudge queued). This is the worst tick of the programme: a whole cohort's
   surveys at once. ``checkins_started`` counts the active d30 check-ins afterwards, ``outbox_pending`` the
   pending outbox rows (a question and a nudge per check-in).
3. Answers: K participants (default 2,000, spread over the cohort) answer their check-in, one after the other, as
   the bot's handlers call the service: ``answer_button`` on the status question (rotating over "previous
   employer", "new employer" and "further training"), then ``answer_text`` to the question that follows (a month,
   an employer's name, the training). Each call is one transaction and saves one answer. ``answers`` is K,
   ``answer_calls`` 2 K; ``answers_per_s`` is answers saved per second over the whole sequence and the
   percentiles are per call.

Afterwards the database must show every participant with a completed enrolment and four survey runs, every
satisfaction survey expired, N check-ins started, 2 K answers in ``survey_answers`` and K rows in
``employment_checkins``; otherwise the script exits with status 1. Timings are not asserted.

With the defaults a run took about 14 minutes on 2 cores (the tick about 9.5 of them, completion about 4): the
cost per participant grows with the size of the outbox and of the survey table, so smaller runs are not a guide.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncIterator, Awaitable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from datetime import time as clock_time  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import VAULT, BenchFailure, machine_info, percentile, print_lines  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.completion import CompletionService, CourseCompleted  # noqa: E402
from bot.services.education import EDUCATION_LEVELS  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from bot.services.registration import CONSENT_VERSION  # noqa: E402
from bot.services.reminders import ReminderPlanner  # noqa: E402
from bot.services.survey_catalog import EMPLOYMENT, EMPLOYMENT_FIELD, SurveyCatalog  # noqa: E402
from bot.services.survey_prompts import Accepted, Prompt  # noqa: E402
from bot.services.surveys import SurveyService  # noqa: E402
from bot.storage.catalogue import CourseFields, NewSession  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.storage.enrollments import ENROLLED  # noqa: E402
from bot.storage.participants import NewParticipant  # noqa: E402
from bot.storage.store import Store, Unit  # noqa: E402
from bot.storage.vault import Vault  # noqa: E402

DEFAULT_PARTICIPANTS = 20_000
DEFAULT_COURSE_SIZE = 500
DEFAULT_ANSWERS = 2_000
# A person chatting with the bot during the tick (not a participant: their language choice is what they change),
# a message every 50 ms: many more than a person types, so that the percentiles have samples.
CHATTER_ID = 69_999_999
CHAT_INTERVAL_S = 0.05

WIB = ZoneInfo("Asia/Jakarta")
# Participants registered and enrolled a week before the first session.
SEEDED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=WIB)
FIRST_SESSION_DAY = date(2026, 11, 30)
SESSIONS_PER_COURSE = 5
SESSION_HOURS = (clock_time(8, 0), clock_time(16, 0))
# Staff close the courses the Monday after the last session, in office hours in every zone (no quiet hours).
COMPLETED_AT = datetime(2026, 12, 7, 10, 0, tzinfo=WIB)
# After every d30 check-in's time (10:00 local on day 30, latest in WIB) and every satisfaction survey's expiry,
# before any d90 check-in.
TICK_AT = COMPLETED_AT + timedelta(days=31)
CHECKIN_WAVE = "d30"
# Provinces (BPS codes) in three zones: Jawa Barat and DKI Jakarta (WIB), Bali (WITA), Maluku (WIT).
PROVINCE_CODES = ("32", "51", "81", "31")
FIRST_USER_ID = 70_000_000
FIRST_BIRTH_DATE = date(1970, 1, 1)
BIRTH_SPAN_DAYS = 10_000  # birth dates 1970-1997; the NIK serial changes every BIRTH_SPAN_DAYS participants
FIRST_PHK_DATE = date(2025, 6, 1)
FIRST_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Hendra", "Ayu", "Rudi")
LAST_NAMES = ("Nurhaliza", "Santoso", "Lestari", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Rahmawati")
EMPLOYERS = ("PT Maju Jaya Sentosa", "CV Sinar Abadi", "PT Tekstil Nusantara", "PT Garmen Sejahtera")
PROGRAMMES = (
    ("Alat Berat", "Operator Forklift"),
    ("Teknologi Informasi", "Desain Grafis"),
    ("Otomotif", "Teknisi Sepeda Motor"),
    ("Tata Boga", "Barista"),
    ("Pengelasan", "Juru Las SMAW"),
    ("Garmen", "Menjahit Pakaian Jadi"),
)

log = logging.getLogger("bench.surveys")


@dataclass(frozen=True, slots=True)
class AnswerPlan:
    """A check-in answered: the employment status pressed, the question it leads to and what is typed there."""

    status: str
    follow_up: str
    typed: str
    stored: str  # the follow-up answer as saved


# Statuses whose next question is typed (a month or a text); "11/2026" is in the past on TICK_AT.
ANSWER_PLANS = (
    AnswerPlan("previous_employer", "start_month", "11/2026", "2026-11"),
    AnswerPlan("new_employer", "employer", "PT Maju Jaya Sentosa", "PT Maju Jaya Sentosa"),
    AnswerPlan("training", "further_training", "Operator forklift lanjutan", "Operator forklift lanjutan"),
)


@dataclass(frozen=True, slots=True)
class Services:
    """The services a running bot has, on one database connection."""

    settings: Settings
    clock: ManualClock
    completion: CompletionService
    surveys: SurveyService
    store: TimedStore


def bench_settings(db_path: Path) -> Settings:
    """The bot's default settings (no .env file read), on the benchmark's database."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        bot_token="bench",
        database_url=f"sqlite:///{db_path}",
    )


class TimedStore(Store):
    """The bot's Store, timing every write transaction while `timing` is set (the tick's batches)."""

    def __init__(self, db: Database, vault: Vault) -> None:
        super().__init__(db, vault)
        self.timing = False
        self.transactions: list[float] = []

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Unit]:
        started = time.perf_counter()
        async with super().write() as unit:
            yield unit
        if self.timing:
            self.transactions.append(time.perf_counter() - started)


def wire(
    db: Database, settings: Settings, provinces: ProvinceCatalog, clock: ManualClock, tick_batch: int | None = None
) -> Services:
    """As bot/app.py's post_init builds them (without the dispatcher: the outbox is only filled)."""
    store = TimedStore(db, VAULT)
    planner = ReminderPlanner(settings, provinces)
    surveys = SurveyService(store, SurveyCatalog.load(settings.surveys_dir), settings, clock, planner)
    if tick_batch is not None:
        surveys.tick_batch = tick_batch
    return Services(settings, clock, CompletionService(store, clock, planner, surveys), surveys, store)


def check_sizes(participants: int, course_size: int, answers: int) -> None:
    """Raises ValueError for sizes the benchmark cannot run with."""
    if course_size < 1:
        raise ValueError("the course size must be at least 1")
    if participants < course_size:
        raise ValueError("at least one course's worth of participants (participants >= course size)")
    if participants % course_size:
        raise ValueError("participants must be a whole number of courses (a multiple of the course size)")
    if not 1 <= answers <= participants:
        raise ValueError("answers must be between 1 and the number of participants (one check-in each)")


# --------------------------------------------------------------------------------------------- seeding


def nik_for(index: int, province: Province) -> str:
    """A valid-looking, unique NIK: province, regency and district codes, birth date (day + 40 for women), serial."""
    born = FIRST_BIRTH_DATE + timedelta(days=index % BIRTH_SPAN_DAYS)
    day = born.day + (40 if index % 2 else 0)
    serial = index // BIRTH_SPAN_DAYS + 1
    return f"{province.nik_codes[0]}0101{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def new_participant(index: int, province: Province) -> NewParticipant:
    return NewParticipant(
        telegram_user_id=FIRST_USER_ID + index,
        full_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}",
        nik=nik_for(index, province),
        birth_date=FIRST_BIRTH_DATE + timedelta(days=index % BIRTH_SPAN_DAYS),
        gender="F" if index % 2 else "M",
        kpj=None,
        phone=f"+62812{(index * 7919 + 1_234_567) % 10**8:08d}",  # 7919 is coprime to 10**8: unique
        province_code=province.code,
        regency=f"Kota {province.name}",
        last_employer=EMPLOYERS[index % len(EMPLOYERS)],
        phk_date=FIRST_PHK_DATE + timedelta(days=index % 365),
        education=EDUCATION_LEVELS[index % len(EDUCATION_LEVELS)],
        needs_verification=False,
        consent_at=SEEDED_AT,
        consent_version=CONSENT_VERSION,
    )


def course_fields(index: int, institute_id: int, province: Province, capacity: int) -> CourseFields:
    category, programme = PROGRAMMES[index % len(PROGRAMMES)]
    venue = ZoneInfo(province.timezone)
    return CourseFields(
        code=f"SRV-{index + 1:05d}",
        title=f"{programme} Angkatan {index // len(PROGRAMMES) + 1}",
        category=category,
        description=f"Pelatihan {programme.lower()}, {SESSIONS_PER_COURSE} hari, dengan sertifikat kompetensi.",
        institute_id=institute_id,
        regency=f"Kota {province.name}",
        province_code=province.code,
        venue_address=f"Jl. Pendidikan No. {index % 200 + 1}, {province.name}",
        timezone=province.timezone,
        capacity=capacity,
        registration_deadline=datetime.combine(FIRST_SESSION_DAY - timedelta(days=2), clock_time(17, 0), venue),
        status="open",
    )


def course_sessions(province: Province) -> list[NewSession]:
    """Five days of sessions in the venue's zone, all before COMPLETED_AT."""
    venue = ZoneInfo(province.timezone)
    start, end = SESSION_HOURS
    return [
        NewSession(
            starts_at=datetime.combine(FIRST_SESSION_DAY + timedelta(days=day), start, venue),
            ends_at=datetime.combine(FIRST_SESSION_DAY + timedelta(days=day), end, venue),
            topic=f"Hari {day + 1}",
            venue_address=None,
        )
        for day in range(SESSIONS_PER_COURSE)
    ]


async def seed(db: Database, provinces: Sequence[Province], participants: int, course_size: int) -> list[int]:
    """The courses, each with `course_size` participants enrolled (one transaction per course); the course ids.

    Participants of a course come from every province in turn, so each course mixes zones.
    """
    store = Store(db, VAULT)
    course_ids: list[int] = []
    for course in range(participants // course_size):
        venue = provinces[course % len(provinces)]
        async with store.write() as unit:
            institute_id = await unit.catalogue.upsert_institute(f"LPK Karya Mandiri {venue.name}", venue.name, "-")
            course_id, created = await unit.catalogue.upsert_course(
                course_fields(course, institute_id, venue, course_size), SEEDED_AT
            )
            if not created:
                raise BenchFailure(f"course {course + 1} existed already: the database is not fresh")
            await unit.catalogue.replace_sessions(course_id, course_sessions(venue))
            for index in range(course * course_size, (course + 1) * course_size):
                person = await unit.participants.create(
                    new_participant(index, provinces[index % len(provinces)]), SEEDED_AT
                )
                await unit.enrollments.create(person.id, course_id, ENROLLED, SEEDED_AT)
        course_ids.append(course_id)
    return course_ids


# --------------------------------------------------------------------------------------------- measuring


async def complete_all(services: Services, course_ids: Sequence[int], course_size: int) -> list[float]:
    """Every course completed, one after the other; seconds per course."""
    durations: list[float] = []
    for course_id in course_ids:
        started = time.perf_counter()
        outcome = await services.completion.complete_course(course_id)
        durations.append(time.perf_counter() - started)
        if not isinstance(outcome, CourseCompleted) or outcome.completed != course_size:
            raise BenchFailure(f"course {course_id}: {outcome!r}, expected {course_size} completed")
    return durations


async def chat_during(services: Services, work: Awaitable[Any]) -> list[float]:
    """Run `work` while a person chats with the bot: every CHAT_INTERVAL_S a message is handled as the bot handles
    one (a read of their state, then a write transaction: here their language choice); seconds per message."""
    latencies: list[float] = []
    done = asyncio.Event()
    plain = Store(services.store.db, VAULT)

    async def chatter() -> None:
        languages = ("id", "en")
        while not latencies or not done.is_set():  # at least one message, however short the work
            started = time.perf_counter()
            await services.surveys.current(CHATTER_ID)
            async with plain.write() as unit:  # not one of the tick's timed transactions
                await unit.preferences.set_language(CHATTER_ID, languages[len(latencies) % 2], services.clock.now())
            latencies.append(time.perf_counter() - started)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), CHAT_INTERVAL_S)

    task = asyncio.create_task(chatter())
    try:
        await work
    finally:
        done.set()
        await task
    return latencies


def tick_counts(db_path: Path) -> tuple[int, int]:
    """Active d30 check-ins and pending outbox rows."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        started = conn.execute(
            "SELECT COUNT(*) FROM survey_runs WHERE wave = ? AND status = 'active'", (CHECKIN_WAVE,)
        ).fetchone()[0]
        pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return int(started), int(pending)


def active_checkins(db_path: Path, participants: int, answers: int) -> list[tuple[int, int]]:
    """(Telegram user id, run id) of the active d30 check-ins of `answers` participants spread over the cohort."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        runs = {
            int(user_id): int(run_id)
            for user_id, run_id in conn.execute(
                "SELECT p.telegram_user_id, r.id FROM survey_runs r JOIN participants p ON p.id = r.participant_id"
                " WHERE r.wave = ? AND r.status = 'active'",
                (CHECKIN_WAVE,),
            )
        }
    chosen = [FIRST_USER_ID + i * participants // answers for i in range(answers)]
    missing = [user_id for user_id in chosen if user_id not in runs]
    if missing:
        raise BenchFailure(f"{len(missing)} chosen participants have no active check-in, e.g. {missing[:5]}")
    return [(user_id, runs[user_id]) for user_id in chosen]


def expect_accepted(outcome: object, user_id: int, question: str, value: str) -> Accepted:
    if not (isinstance(outcome, Accepted) and outcome.answered.question.id == question and outcome.value == value):
        raise BenchFailure(f"user {user_id}: answering {question!r} with {value!r} gave {outcome!r}")
    return outcome


async def answer_checkins(services: Services, targets: Sequence[tuple[int, int]]) -> tuple[float, list[float]]:
    """Each participant presses a status, then types the answer to the question it leads to; (wall seconds,
    seconds per call)."""
    status_question = services.surveys.catalog[EMPLOYMENT].recording(EMPLOYMENT_FIELD)
    assert status_question is not None
    first = services.surveys.catalog[EMPLOYMENT].index(status_question.id)
    latencies: list[float] = []
    wall = time.perf_counter()
    for number, (user_id, run_id) in enumerate(targets):
        plan = ANSWER_PLANS[number % len(ANSWER_PLANS)]
        option = str(status_question.choices.index(plan.status))
        started = time.perf_counter()
        pressed = await services.surveys.answer_button(user_id, run_id, first, option)
        latencies.append(time.perf_counter() - started)
        accepted = expect_accepted(pressed, user_id, status_question.id, plan.status)
        following = accepted.following
        if not (isinstance(following, Prompt) and following.question.id == plan.follow_up):
            raise BenchFailure(f"user {user_id}: after {plan.status!r} came {following!r}, not {plan.follow_up!r}")
        started = time.perf_counter()
        typed = await services.surveys.answer_text(user_id, plan.typed)
        latencies.append(time.perf_counter() - started)
        expect_accepted(typed, user_id, plan.follow_up, plan.stored)
    return time.perf_counter() - wall, latencies


def check_database(db_path: Path, participants: int, answers: int) -> None:
    """The state the three steps must leave behind; raises BenchFailure saying what differs."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:

        def value(sql: str, params: Sequence[Any] = ()) -> int:
            return int(conn.execute(sql, params).fetchone()[0])

        counted = value("SELECT COUNT(*) FROM participants")
        not_completed = value(
            "SELECT COUNT(*) FROM participants p WHERE NOT EXISTS (SELECT 1 FROM enrollments e"
            " WHERE e.participant_id = p.id AND e.status = 'completed')"
        )
        wrong_runs = value(
            "SELECT COUNT(*) FROM participants p WHERE (SELECT COUNT(*) FROM survey_runs r"
            " WHERE r.participant_id = p.id) <> ?",
            (1 + len(bench_settings(db_path).checkin_days),),
        )
        satisfaction_open = value("SELECT COUNT(*) FROM survey_runs WHERE wave = 'completion' AND status <> 'expired'")
        checkins = value("SELECT COUNT(*) FROM survey_runs WHERE wave = ? AND started_at IS NOT NULL", (CHECKIN_WAVE,))
        stored = value("SELECT COUNT(*) FROM survey_answers")
        answered_runs = value("SELECT COUNT(DISTINCT run_id) FROM survey_answers")
        employment = value("SELECT COUNT(*) FROM employment_checkins WHERE wave = ?", (CHECKIN_WAVE,))
        employment_all = value("SELECT COUNT(*) FROM employment_checkins")
    problems = []
    if counted != participants:
        problems.append(f"{counted} participants, expected {participants}")
    if not_completed:
        problems.append(f"{not_completed} participants without a completed enrolment")
    if wrong_runs:
        problems.append(f"{wrong_runs} participants without exactly one satisfaction survey and their check-ins")
    if satisfaction_open:
        problems.append(f"{satisfaction_open} satisfaction surveys not expired")
    if checkins != participants:
        problems.append(f"{checkins} {CHECKIN_WAVE} check-ins started, expected {participants}")
    if (stored, answered_runs) != (2 * answers, answers):
        problems.append(f"{stored} survey answers in {answered_runs} runs, expected {2 * answers} in {answers}")
    if (employment, employment_all) != (answers, answers):
        problems.append(f"{employment_all} employment check-ins ({employment} {CHECKIN_WAVE}), expected {answers}")
    if problems:
        raise BenchFailure("; ".join(problems))


# --------------------------------------------------------------------------------------------- results


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


async def measure(
    db_path: Path, participants: int, course_size: int, answers: int, tick_batch: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed, then the three timed steps on one connection; the first two JSON lines."""
    province_catalog = ProvinceCatalog.load()
    provinces = []
    for code in PROVINCE_CODES:
        province = province_catalog.get(code)
        if province is None:
            raise BenchFailure(f"province {code} is not in data/provinces.json")
        provinces.append(province)
    settings = bench_settings(db_path)
    clock = ManualClock(SEEDED_AT)
    db = await open_database(settings.sqlite_path)
    try:
        await db.migrate()
        services = wire(db, settings, province_catalog, clock, tick_batch)
        course_ids = await seed(db, provinces, participants, course_size)

        clock.set(COMPLETED_AT)
        per_course = await complete_all(services, course_ids, course_size)

        clock.set(TICK_AT)
        services.store.timing = True
        started = time.perf_counter()
        chatting = await chat_during(services, services.surveys.tick())
        tick_s = time.perf_counter() - started
        services.store.timing = False
        batches = sorted(services.store.transactions)
        checkins_started, outbox_pending = tick_counts(db_path)
        if checkins_started != participants:
            raise BenchFailure(f"the tick started {checkins_started} {CHECKIN_WAVE} check-ins, expected {participants}")
        if outbox_pending != 2 * participants:
            raise BenchFailure(f"{outbox_pending} pending outbox rows, expected a question and a nudge per check-in")

        elapsed, latencies = await answer_checkins(services, active_checkins(db_path, participants, answers))
    finally:
        await db.close()
    check_database(db_path, participants, answers)

    ordered = sorted(per_course)
    scheduling = {
        "bench": "surveys",
        "participants": participants,
        "courses": len(course_ids),
        "complete_course_s": round(sum(per_course), 3),
        "complete_course_p50_ms": ms(percentile(ordered, 50)),
        "complete_course_p95_ms": ms(percentile(ordered, 95)),
        "tick_s": round(tick_s, 3),
        "tick_batch": services.surveys.tick_batch,
        "tick_transactions": len(batches),
        "tick_transaction_p50_ms": ms(percentile(batches, 50)) if batches else None,
        "tick_transaction_max_ms": ms(batches[-1]) if batches else None,
        "chat_messages": len(chatting),
        "chat_p50_ms": ms(percentile(sorted(chatting), 50)),
        "chat_p95_ms": ms(percentile(sorted(chatting), 95)),
        "chat_max_ms": ms(max(chatting)),
        "checkins_started": checkins_started,
        "outbox_pending": outbox_pending,
    }
    calls = sorted(latencies)
    answering = {
        "bench": "surveys",
        "answers": answers,
        "answer_calls": len(calls),
        "answers_per_s": round(len(calls) / elapsed, 1),
        "p50_ms": ms(percentile(calls, 50)),
        "p95_ms": ms(percentile(calls, 95)),
        "p99_ms": ms(percentile(calls, 99)),
    }
    return scheduling, answering


async def run(
    participants: int = DEFAULT_PARTICIPANTS,
    course_size: int = DEFAULT_COURSE_SIZE,
    answers: int = DEFAULT_ANSWERS,
    workdir: Path | None = None,
    tick_batch: int | None = None,
) -> list[dict[str, Any]]:
    """Seed, complete, tick, answer; the JSON lines as dicts: scheduling, answers, machine.

    The database is ``workdir/bench.db`` when a directory is given (replaced if it exists, and kept afterwards),
    else a temporary file. Raises ValueError for impossible sizes and BenchFailure when a step does not do what
    it must.
    """
    check_sizes(participants, course_size, answers)
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        db_path = directory / "bench.db"
        for leftover in (db_path, db_path.with_name("bench.db-wal"), db_path.with_name("bench.db-shm")):
            leftover.unlink(missing_ok=True)
        scheduling, answering = await measure(db_path, participants, course_size, answers, tick_batch)
    return [scheduling, answering, {"bench": "surveys", "machine": machine_info()}]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--participants",
        type=int,
        default=DEFAULT_PARTICIPANTS,
        help=f"participants, all completing a course (default {DEFAULT_PARTICIPANTS})",
    )
    parser.add_argument(
        "--course-size",
        type=int,
        default=DEFAULT_COURSE_SIZE,
        help=f"participants per course (default {DEFAULT_COURSE_SIZE})",
    )
    parser.add_argument(
        "--answers",
        type=int,
        default=DEFAULT_ANSWERS,
        help=f"participants who answer their check-in, two answers each (default {DEFAULT_ANSWERS})",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where bench.db is written and kept (default: a temporary one)"
    )
    parser.add_argument(
        "--tick-batch", type=int, default=None, help="runs per tick transaction (default: the bot's TICK_BATCH)"
    )
    args = parser.parse_args(argv)
    try:
        check_sizes(args.participants, args.course_size, args.answers)
    except ValueError as error:
        parser.error(str(error))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return print_lines(run(args.participants, args.course_size, args.answers, args.workdir, args.tick_batch))


if __name__ == "__main__":
    sys.exit(main())
