"""The weekly vacancy digest: matching 2,000 vacancies against 100,000 participants, selecting and enqueueing.

Run: ``python bench/vacancies.py [--participants 100000] [--vacancies 2000] [--workdir DIR] [--backend postgresql]``.
Prints JSON lines, all with ``"bench": "vacancies"``: the figures, then the machine.

Seeding (not timed, reported as ``seed_s``): a fresh SQLite file migrated with the project's migrations, filled with
plain ``sqlite3`` in one transaction (PostgreSQL: then copied there with ``migrate-data``'s code). Participants are
spread over every province (Java more often) as in bench/broadcast.py; each has one enrolment (a fifth two), enrolled
or completed, in one of 40 courses over 10 categories. Half answered a check-in "yes" to job information (15 % "no",
the rest never asked); of those who said yes, 15 % work again since (new employer), the others are not working, in a
recruitment process or in further training. 2 % opted out of announcements, 1 % are unreachable, 1 % erased: about
40 % of everyone looks for work and may be matched. Vacancies: 15 % all Indonesia, the others in a province weighted
like the participants, one or two categories each, closing 1-90 days ahead (5 % closed already).

Timed, through ``VacancyMatcher`` wired as bot/app.py wires it (default quiet hours, VACANCY_DIGEST_MAX 5) with a
``ManualClock`` at Monday 23 November 2026, 09:00 WIB:

1. ``digest_s``: the weekly digest, every batch selected and enqueued and committed. Meanwhile a simulated person
   chatting writes a small transaction every 5 ms; ``chat_wait_p95_ms``/``chat_wait_max_ms`` are how long those
   took (the write lock they waited for), ``longest_write_ms`` the longest write transaction meanwhile (a batch).
2. ``next_week_digest_s``: a week later, the digest again (the vacancies not sent yet; vacancy_deliveries now full).

The aim (``aim_s``) is 5 s for the first digest. Afterwards the result is checked against a computation in Python
from the seeded rows (who looks for work, which open vacancies of their province or all Indonesia share a category
of their courses, at most 5, never one twice): the messages, the vacancies listed, one pending bulk outbox row per
person listing exactly their delivery rows; otherwise the script exits with status 1. Timings are not asserted.
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
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import AsyncIterator, Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.broadcast import PROVINCE_WEIGHTS, bench_settings, migrated, remove_database, user_id_for  # noqa: E402
from bench.common import (  # noqa: E402
    VAULT,
    BenchFailure,
    PostgresRun,
    add_backend_options,
    machine_info,
    percentile,
    print_lines,
)
from bot.clock import ManualClock  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from bot.services.reminders import QuietHours  # noqa: E402
from bot.services.vacancy_matching import VacancyMatcher  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.db import Session, to_db_time  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from bot.storage.vacancy_matching import VACANCY_KIND  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
SEED = 20261207
DIGEST_MAX = 5
AIM_S = 5
COURSES = 40
CATEGORIES = ("Alat Berat", "K3", "Kuliner", "Pengelasan", "Otomotif", "Listrik", "Garmen", "Logistik", "TIK", "Las")
NATIONAL_SHARE = 0.15
CLOSED_SHARE = 0.05
TWO_COURSES_SHARE = 0.2
COMPLETED_SHARE = 0.7
WANTS = ((1, 0.5), (0, 0.15), (None, 0.35))
# The statuses of those who said yes: most are still looking, some found work since.
SEEKING = (("not_working", 0.6), ("recruiting", 0.17), ("training", 0.08), ("new_employer", 0.15))
EMPLOYED = {"previous_employer", "new_employer", "own_business"}
OPTED_OUT_SHARE, UNREACHABLE_SHARE, ERASED_SHARE = 0.02, 0.01, 0.01
# The chatting person's small transaction, every CHAT_EVERY_S while the digest runs.
CHAT_EVERY_S = 0.005
CHAT_USER_ID = 5_000_001

log = logging.getLogger("bench.vacancies")


def pick(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


@dataclass(frozen=True, slots=True)
class Expected:
    """The digest's result computed in Python from the seeded rows."""

    looking: int
    messages: int
    listed: int
    # participant id -> every vacancy open at NOW that matches them, in the digest's order (their province first,
    # then closing soonest); vacancy id -> when it closes.
    matches: dict[int, list[int]]
    closes: dict[int, datetime]

    def digests(self, pid: int, weeks: int) -> list[set[int]]:
        """What each of `weeks` weekly digests lists for this person."""
        left, sent = self.matches.get(pid, []), []
        for week in range(weeks):
            moment = NOW + timedelta(days=7 * week)
            chosen = [vid for vid in left if self.closes[vid] > moment][:DIGEST_MAX]
            sent.append(set(chosen))
            left = [vid for vid in left if vid not in chosen]
        return sent


def seed(db_path: Path, participants: int, vacancies: int, provinces: Sequence[Province]) -> Expected:
    """Participants, courses, enrolments and vacancies, with plain sqlite3 in one transaction."""
    rng = random.Random(SEED + participants + vacancies)
    codes = [p.code for p in provinces]
    weights = [PROVINCE_WEIGHTS.get(code, 1.0) for code in codes]
    earlier = to_db_time(NOW - timedelta(days=60))
    course_category = {n + 1: CATEGORIES[n % len(CATEGORIES)] for n in range(COURSES)}
    people, enrolments = [], []
    categories_of: dict[int, set[str]] = {}
    province_of: dict[int, str] = {}
    for pid in range(1, participants + 1):
        code = rng.choices(codes, weights)[0]
        wants = pick(rng, WANTS)
        status = pick(rng, SEEKING) if wants == 1 else rng.choice(["not_working", "new_employer", None])
        erased, opted_out = rng.random() < ERASED_SHARE, rng.random() < OPTED_OUT_SHARE
        unreachable = rng.random() < UNREACHABLE_SHARE
        courses = rng.sample(range(1, COURSES + 1), 2 if rng.random() < TWO_COURSES_SHARE else 1)
        for course in courses:
            state = "completed" if rng.random() < COMPLETED_SHARE else "enrolled"
            enrolments.append((pid, course, state, earlier, earlier))
        if wants == 1 and status not in EMPLOYED and not (erased or opted_out or unreachable):
            categories_of[pid] = {course_category[c] for c in courses}
            province_of[pid] = code
        people.append(
            (
                pid,
                None if erased else user_id_for(pid),
                code,
                "2025-09-01",
                "SMA",
                earlier,
                "2025-01",
                earlier,
                earlier,
                earlier if erased else None,
                earlier if unreachable else None,
                status,
                earlier if opted_out else None,
                wants,
            )
        )
    rows, vacancy_categories = [], []
    by_place: dict[tuple[str | None, str], set[int]] = {}
    closes_at: dict[int, datetime] = {}
    national: set[int] = set()
    for vid in range(1, vacancies + 1):
        code = None if rng.random() < NATIONAL_SHARE else rng.choices(codes, weights)[0]
        closed = rng.random() < CLOSED_SHARE
        closes = NOW + (timedelta(days=-rng.randint(1, 10)) if closed else timedelta(days=rng.randint(1, 90)))
        suits = rng.sample(CATEGORIES, rng.choice((1, 2)))
        rows.append((vid, f"BENCH-{vid:05d}", f"Operator {vid}", f"PT Bench {vid % 97}", code, closes))
        closes_at[vid] = closes
        if code is None:
            national.add(vid)
        vacancy_categories.extend((vid, category) for category in suits)
        if not closed:
            for category in suits:
                by_place.setdefault((code, category), set()).add(vid)

    def order(vid: int) -> tuple[bool, datetime, int]:
        return (vid in national, closes_at[vid], vid)

    matches = {
        pid: sorted(
            set().union(*(by_place.get((province_of[pid], c), set()) | by_place.get((None, c), set()) for c in cats)),
            key=order,
        )
        for pid, cats in categories_of.items()
    }
    with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO participants (id, telegram_user_id, province_code, phk_date, education, consent_at,"
            " consent_version, registered_at, updated_at, erased_at, unreachable_since, employment_status,"
            " announcements_off_at, wants_vacancies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            people,
        )
        conn.execute("INSERT INTO institutes (id, name, city) VALUES (1, 'LPK Bench Mandiri', 'Kota Bandung')")
        conn.executemany(
            "INSERT INTO courses (id, code, title, category, institute_id, regency, province_code, venue_address,"
            " timezone, capacity, registration_deadline, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 1, 'Kota Bandung', '32', 'Jl. Pendidikan No. 1', 'Asia/Jakarta', 1000000, ?,"
            " 'finished', ?, ?)",
            [
                (n, f"VAC-{n:03d}", f"Pelatihan {n}", category, earlier, earlier, earlier)
                for n, category in course_category.items()
            ],
        )
        conn.executemany(
            "INSERT INTO enrollments (participant_id, course_id, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            enrolments,
        )
        conn.executemany(
            "INSERT INTO vacancies (id, code, position, employer, sector, province_code, requirements, closes_on,"
            " closes_at, apply_method, published_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'Industri', ?, 'Sertifikat pelatihan', ?, ?, 'bot', 0, ?, ?)",
            [
                (
                    vid,
                    code_,
                    position,
                    employer,
                    province,
                    closes.date().isoformat(),
                    to_db_time(closes),
                    earlier,
                    earlier,
                )
                for vid, code_, position, employer, province, closes in rows
            ],
        )
        conn.executemany("INSERT INTO vacancy_categories (vacancy_id, category) VALUES (?, ?)", vacancy_categories)
        conn.execute("COMMIT")  # no ANALYZE: the bot never runs it, so its queries are planned without statistics
    messages = sum(1 for found in matches.values() if found)
    listed = sum(min(len(found), DIGEST_MAX) for found in matches.values())
    return Expected(len(categories_of), messages, listed, matches, closes_at)


# --------------------------------------------------------------------------------------------- checks


def check(db_path: Path, expected: Expected, weeks: int) -> None:
    """After `weeks` weekly digests: each person got exactly what each digest must list (Expected.digests), one
    pending bulk outbox row per digest listing exactly its delivery rows, and nobody else got anything."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        got: dict[int, dict[str, set[int]]] = {}
        for pid, key, vid in conn.execute("SELECT participant_id, dedupe_key, vacancy_id FROM vacancy_deliveries"):
            got.setdefault(pid, {}).setdefault(key, set()).add(vid)
        outbox = conn.execute(
            "SELECT dedupe_key, params, priority, status, kind FROM outbox WHERE kind = ?", (VACANCY_KIND,)
        ).fetchall()
        per_key: dict[str, set[int]] = {}
        for key, vid in conn.execute("SELECT dedupe_key, vacancy_id FROM vacancy_deliveries"):
            per_key.setdefault(key, set()).add(vid)
    problems = []
    for pid in expected.matches:
        # Keys start with the run's token, which starts with its time: in key order, the weeks in order.
        found = [vids for _, vids in sorted(got.get(pid, {}).items())]
        wanted = [vids for vids in expected.digests(pid, weeks) if vids]
        if found != wanted:
            problems.append(f"participant {pid}: {found}, expected {wanted}")
    strangers = set(got) - set(expected.matches)
    if strangers:
        problems.append(f"{len(strangers)} participants matched who must not be, e.g. {min(strangers)}")
    if {key for key, *_ in outbox} != set(per_key):
        problems.append("the outbox rows and the delivery rows name different messages")
    for key, params, priority, status, _ in outbox:
        listed = set(json.loads(params)["vacancies"])
        if listed != per_key.get(key) or len(listed) > DIGEST_MAX or priority != 0 or status != "pending":
            problems.append(f"outbox row {key}: lists {sorted(listed)}, priority {priority}, {status}")
    if problems:
        raise BenchFailure(f"{len(problems)} problems: " + "; ".join(problems[:5]))


# --------------------------------------------------------------------------------------------- timed part


@dataclass(slots=True)
class Transactions:
    """The durations of the write transactions (the write lock held) while it watches."""

    durations: list[float]


def time_writes(store: Store) -> Transactions:
    """Every write transaction of the store from now on, timed (the Database's transaction() wrapped)."""
    seen = Transactions([])
    original: Callable[[], contextlib.AbstractAsyncContextManager[Session]] = store.db.transaction

    @contextlib.asynccontextmanager
    async def timed() -> AsyncIterator[Session]:
        async with original() as session:
            started = time.perf_counter()
            yield session
        seen.durations.append(time.perf_counter() - started)

    store.db.transaction = timed  # type: ignore[method-assign]
    return seen


async def chatting(store: Store, stop: asyncio.Event, waits: list[float]) -> None:
    """A person chatting with the bot: a small write (their language) every CHAT_EVERY_S, each timed."""
    while not stop.is_set():
        started = time.perf_counter()
        async with store.write() as unit:
            await unit.preferences.set_language(CHAT_USER_ID, "id", NOW)
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(CHAT_EVERY_S)


@dataclass(frozen=True, slots=True)
class Measured:
    looking: int
    messages: int
    listed: int
    digest_s: float
    longest_write_s: float
    chat_waits: list[float]
    next_week_digest_s: float
    next_week_listed: int


async def measure(database: Path | str, catalog: ProvinceCatalog) -> Measured:
    settings = bench_settings()
    db = await open_database(database)
    try:
        store = Store(db, VAULT)
        clock = ManualClock(NOW)
        quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        matcher = VacancyMatcher(store, clock, quiet, catalog, DIGEST_MAX)
        writes = time_writes(store)
        stop, waits = asyncio.Event(), list[float]()
        chatter = asyncio.create_task(chatting(store, stop, waits))
        started = time.perf_counter()
        first = await matcher.digest()
        digest_s = time.perf_counter() - started
        stop.set()
        await chatter
        longest = max(writes.durations, default=0.0)  # the digest's batches and the chatter's writes
        clock.advance(timedelta(days=7))
        started = time.perf_counter()
        second = await matcher.digest()
        next_week_s = time.perf_counter() - started
    finally:
        await db.close()
    return Measured(
        first.considered,
        first.messages,
        first.vacancies,
        digest_s,
        longest,
        sorted(waits),
        next_week_s,
        second.vacancies,
    )


async def run(
    participants: int = 100_000,
    vacancies: int = 2_000,
    workdir: Path | None = None,
    postgres: PostgresRun | None = None,
) -> list[dict[str, Any]]:
    """The figures and the machine, as dicts; raises BenchFailure when the result is not what it must be."""
    if participants < 1 or vacancies < 1:
        raise ValueError("participants and vacancies must be at least 1")
    catalog = ProvinceCatalog.load()
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        directory.mkdir(parents=True, exist_ok=True)
        db_path = directory / f"vacancies-{participants}.db"
        started = time.perf_counter()
        await migrated(db_path)
        expected = seed(db_path, participants, vacancies, catalog.all())
        database: Path | str = db_path
        if postgres is not None:
            database = await postgres.copy_of(db_path, f"bench_vacancies_{participants}")
        seed_s = time.perf_counter() - started
        log.info("seeded %d participants and %d vacancies in %.1f s", participants, vacancies, seed_s)
        measured = await measure(database, catalog)
        if isinstance(database, str):
            assert postgres is not None
            await postgres.back_to_sqlite(database, db_path)
        if (measured.looking, measured.messages) != (expected.looking, expected.messages):
            raise BenchFailure(
                f"{measured.looking} looking for work and {measured.messages} messages,"
                f" expected {expected.looking} and {expected.messages}"
            )
        if measured.listed != expected.listed:
            raise BenchFailure(f"{measured.listed} vacancies listed, expected {expected.listed}")
        check(db_path, expected, weeks=2)
        if workdir is None:
            remove_database(db_path)
    waits = measured.chat_waits or [0.0]
    backend = {} if postgres is None else {"backend": "postgresql"}
    return [
        {
            "bench": "vacancies",
            "participants": participants,
            "vacancies": vacancies,
            "looking_for_work": measured.looking,
            "messages": measured.messages,
            "listed": measured.listed,
            "digest_s": round(measured.digest_s, 3),
            "longest_write_ms": round(measured.longest_write_s * 1000, 1),
            "chat_writes": len(measured.chat_waits),
            "chat_wait_p95_ms": round(percentile(waits, 95) * 1000, 1),
            "chat_wait_max_ms": round(waits[-1] * 1000, 1),
            "next_week_digest_s": round(measured.next_week_digest_s, 3),
            "next_week_listed": measured.next_week_listed,
            "aim_s": AIM_S,
            "met": measured.digest_s <= AIM_S,
            "seed_s": round(seed_s, 2),
            **backend,
        },
        {"bench": "vacancies", "machine": machine_info()},
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the database here (default: temporary)")
    add_backend_options(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot").setLevel(logging.WARNING)
    if args.backend == "postgresql":
        with PostgresRun(args.postgresql_url) as postgres:
            return print_lines(run(args.participants, args.vacancies, args.workdir, postgres))
    return print_lines(run(args.participants, args.vacancies, args.workdir))


if __name__ == "__main__":
    sys.exit(main())
