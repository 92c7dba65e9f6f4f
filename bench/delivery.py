"""Outbox delivery under Telegram's limits: throughput at a rate limit, without one, and chats meanwhile.

Run: ``python bench/delivery.py [--messages N] [--samples S] [--bot-limit R] [--concurrency C ...] [--case NAME ...]
[--backend postgresql [--postgresql-url URL]]``. Prints JSON lines (see ``run``), all with ``"bench": "delivery"``.
About 95-115 s with the defaults on 2 cores. With ``--backend postgresql`` each case's prepared SQLite file is copied
into a PostgreSQL database (bench/common.py ``PostgresRun``) that the bot then uses, and brought back for the checks.

As in bench/registration.py and bench/catalogue.py, the real Application from ``bot.app.build_application`` is
started with ``bot.runner.serve`` and long-polls a fresh ``fakegram.FakeTelegram`` on 127.0.0.1 (same process,
same event loop); the database is a fresh, migrated SQLite file and the clock is fixed at Monday 23 November 2026,
10:00 WIB. The outbox holds N messages (default 6,000), each to a different recipient (every recipient exists on
the fake server), message key ``menu-here`` without parameters, due a minute before that clock. The dispatcher
(``bot/delivery/dispatcher.py``) sends them at bulk priority through the bot's one ``PriorityRateLimiter``.

Cases (one line each):

* ``limited``: the fake server answers 429 (``retry_after`` 1 s) beyond 300 sendMessage/s overall; the bot's own
  limit is ``bot_limit_per_s`` (default 300/s, the best of those tried with no 429s, see ``BOT_LIMIT_RATIO``)
  and 1 message/s per chat, ``dispatch_concurrency`` its default. The queue is full before the Application
  starts; ``seconds`` runs from the start of the Application until the server has accepted every message
  (status 200). ``achieved_per_s`` is N over the time from the first to the last accepted message (server
  arrival times), ``utilization`` that over the server's limit, ``max_in_1s`` the most messages accepted in any
  one-second window (the bot's token bucket allows bursts of half a second's worth above its rate after a
  slower stretch), ``http_429`` the 429 answers in the server's log.
* ``unlimited``: no server limit and the bot's limits lifted (1e6/s overall and per chat): the bot's own ceiling
  (dispatcher, rate limiter, storage and PTB's HTTP client, sharing the process with the fake server). Run at
  ``dispatch_concurrency`` 32 (the default), 64 and 128; the line reports the fastest, with all of them in
  ``tried`` (concurrency -> achieved_per_s).
* ``interactive``: a few registered participants (written straight into the database) send ``/profil`` and wait
  for their profile: the round trip from just before sending to the reply's arrival, sequential, rotating over
  ``PARTICIPANTS`` chats so that no chat gets more than about one message a second (the per-chat limit would
  otherwise pace the replies, and that is not what is measured). First with nothing else going on (``idle_*``),
  then, in the same Application, while N outbox messages are delivered under the ``limited`` case's conditions
  (queued through the bot's own store, which wakes the dispatcher): the same number of samples spread evenly over
  the expected delivery time (``busy_*``; ``busy_during_delivery`` counts those answered before the last bulk
  message was accepted). Replies are interactive priority and go ahead of the bulk messages in the rate limiter.
  The participants are not among the N recipients. The line also gives the bulk messages' ``utilization`` of the
  server's limit and its ``http_429``, as the ``limited`` case does.

Each case line quotes the issue's aim for it (``aim``) and whether this run met it (``aim_met``): facts, not
checks. After each run every outbox row must be 'sent', the server must have accepted exactly one message per
recipient and seen no failed request other than 429s (and no internal error); otherwise the script exits with
status 1. Timings are never asserted. Last comes the ``machine`` line.
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
import logging  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import (  # noqa: E402
    VAULT,
    BenchFailure,
    PostgresRun,
    add_backend_options,
    machine_info,
    percentile,
    print_lines,
    serving,
)
from bot.app import build_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.education import EDUCATION_LEVELS  # noqa: E402
from bot.services.provinces import ProvinceCatalog  # noqa: E402
from bot.services.registration import CONSENT_VERSION  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.participants import NewParticipant  # noqa: E402
from bot.storage.store import Store, Unit  # noqa: E402
from fakegram import FakeTelegram, FakeUser  # noqa: E402

DEFAULT_MESSAGES = 6000
DEFAULT_SAMPLES = 40
SERVER_LIMIT_PER_S = 300.0
SERVER_RETRY_AFTER_S = 1
BOT_LIMIT_RATIO = 1.0
"""The bot's overall limit in the limited cases, as a fraction of the server's (300/s -> 300/s). Tried with 6,000
messages on a 2-core machine: 300, 297 and 294/s all gave 0 429s and utilizations of 1.026, 1.015 and 1.004;
300 is the best. Equal rates cannot overrun the server: the bot's bucket holds half a second's worth of tokens,
the server's (fakegram: burst = one second's worth) a whole second's, so the bot stays 150 messages inside the
server's allowance as long as requests do not arrive more than 0.5 s late. The same bursts are why utilization
can exceed 1: both buckets start full, so up to half a second's worth goes out on top of the rate."""
CHAT_LIMIT_PER_S = 1.0
UNLIMITED_PER_S = 1e6
DEFAULT_CONCURRENCY = int(Settings.model_fields["dispatch_concurrency"].default)
CONCURRENCIES = (DEFAULT_CONCURRENCY, 64, 128)
PARTICIPANTS = 10
"""Chats the interactive samples rotate over (each gets at most about one message a second)."""
IDLE_INTERVAL_S = 0.12
"""Start-to-start time of idle samples: with PARTICIPANTS chats, one message per chat every 1.2 s."""
WARMUP_SAMPLES = 2
"""Interactions before the idle samples, not measured (first use of each code path)."""
BUSY_SPREAD = 0.9
"""Busy samples are spread over this fraction of the expected delivery time (N / server limit)."""
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
DUE = NOW - timedelta(minutes=1)
REPLY_TIMEOUT = 60.0  # a reply slower than this is a failure, not a measurement
FIRST_RECIPIENT = 70_000_000
FIRST_PARTICIPANT = 69_000_000
MESSAGE_KEY = "menu-here"

# Issue 21's bars (its goal for the unlimited case: 2,000/s).
AIM_UTILIZATION = 0.97
AIM_UNLIMITED_PER_S = 1500.0
AIM_BUSY_OVER_IDLE_MS = 50.0

log = logging.getLogger("bench.delivery")


# --------------------------------------------------------------------------------------------- the workload


async def queue_messages(unit: Unit, count: int) -> None:
    """`count` due outbox messages, one per recipient, inside the caller's transaction."""
    for index in range(count):
        await unit.outbox.add(
            telegram_user_id=FIRST_RECIPIENT + index,
            kind="announcement",
            message_key=MESSAGE_KEY,
            params={},
            dedupe_key=f"bench-delivery:{index}",
            not_before=DUE,
            now=DUE,
        )


def new_participant(index: int, catalog: ProvinceCatalog) -> NewParticipant:
    province = catalog.all()[index % len(catalog.all())]
    born = date(1980, 1, 1) + timedelta(days=index * 37)
    return NewParticipant(
        telegram_user_id=FIRST_PARTICIPANT + index,
        full_name=f"Peserta Uji {index + 1}",
        nik=f"{province.nik_codes[0]}0101{born.day:02d}{born.month:02d}{born.year % 100:02d}{index + 1:04d}",
        birth_date=born,
        gender="M",
        kpj=None,
        phone=f"+62812{5_000_000 + index:08d}",
        province_code=province.code,
        regency=f"Kota {province.name}",
        last_employer="PT Maju Jaya Sentosa",
        phk_date=date(2026, 3, 1),
        education=EDUCATION_LEVELS[index % len(EDUCATION_LEVELS)],
        needs_verification=False,
        consent_at=NOW,
        consent_version=CONSENT_VERSION,
    )


async def prepare_database(db_path: Path, messages: int, participants: int) -> None:
    """A fresh, migrated database with `messages` due outbox rows and `participants` registered people."""
    db = await open_database(db_path)
    try:
        await db.migrate()
        catalog = ProvinceCatalog.load()
        async with Store(db, VAULT).write() as unit:
            for index in range(participants):
                await unit.participants.create(new_participant(index, catalog), NOW)
            await queue_messages(unit, messages)
    finally:
        await db.close()


async def database_for(db_path: Path, postgres: PostgresRun | None) -> str:
    """The prepared SQLite file, or (``--backend postgresql``) a PostgreSQL copy of it: the DATABASE_URL to use."""
    if postgres is None:
        return f"sqlite:///{db_path}"
    return await postgres.copy_of(db_path, f"bench_delivery_{db_path.stem.replace('-', '_')}")


async def check_sent_in(database_url: str, db_path: Path, count: int, postgres: PostgresRun | None) -> None:
    """`check_sent` on the database the bot used (a PostgreSQL one is brought back to the SQLite file first)."""
    if postgres is not None:
        await postgres.back_to_sqlite(database_url, db_path)
    check_sent(db_path, count)


def bench_settings(
    server: FakeTelegram, database_url: str, per_s: float, chat_per_s: float, concurrency: int
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        bot_token=server.token,
        bot_api_url=server.base_url,
        bot_file_url=server.base_file_url,
        database_url=database_url,
        telegram_messages_per_s=per_s,
        telegram_chat_messages_per_s=chat_per_s,
        dispatch_concurrency=concurrency,
    )


# --------------------------------------------------------------------------------------------- observing


@dataclass(slots=True)
class Accepted:
    """Reads the fake server's request log incrementally: bulk messages accepted (200), 429s, other failures."""

    server: FakeTelegram
    count: int
    accepted: int = 0
    http_429: int = 0
    first_at: float | None = None
    last_at: float | None = None
    failed: list[str] = field(default_factory=list)
    chats: set[int] = field(default_factory=set)
    arrivals: list[float] = field(default_factory=list)
    _seen: int = 0

    def update(self) -> None:
        log_ = self.server.requests
        for request in log_[self._seen :]:
            if request.status == 429:
                self.http_429 += 1
            elif not request.ok:
                self.failed.append(f"{request.method}({request.params.get('chat_id', '')}) -> {request.status}")
            elif request.method == "sendMessage":
                chat_id = request.params.get("chat_id")
                if isinstance(chat_id, int) and FIRST_RECIPIENT <= chat_id < FIRST_RECIPIENT + self.count:
                    self.accepted += 1
                    self.chats.add(chat_id)
                    self.arrivals.append(request.at)
                    self.first_at = request.at if self.first_at is None else min(self.first_at, request.at)
                    self.last_at = request.at if self.last_at is None else max(self.last_at, request.at)
        self._seen = len(log_)

    def started(self) -> bool:
        self.update()
        return self.accepted > 0 or bool(self.failed)

    def done(self) -> bool:
        self.update()
        return self.accepted >= self.count or bool(self.failed)

    @property
    def per_s(self) -> float:
        """Messages over the time from the first to the last accepted one (server arrival times)."""
        if self.first_at is None or self.last_at is None or self.last_at <= self.first_at:
            return 0.0
        return self.count / (self.last_at - self.first_at)

    @property
    def max_in_1s(self) -> int:
        """The most messages accepted in any one-second window (server arrival times)."""
        arrivals = sorted(self.arrivals)
        return max((bisect.bisect_left(arrivals, at + 1.0) - i for i, at in enumerate(arrivals)), default=0)

    def check(self) -> None:
        """Exactly one accepted message per recipient, and no failed request other than 429s."""
        self.update()
        if self.failed or self.server.internal_errors:
            raise BenchFailure(
                f"failed Bot API requests: {self.failed[:5]!r}; fakegram errors: {self.server.internal_errors[:5]!r}"
            )
        if self.accepted != self.count or len(self.chats) != self.count:
            raise BenchFailure(
                f"the server accepted {self.accepted} bulk messages for {len(self.chats)} of {self.count} recipients"
            )


def check_sent(db_path: Path, count: int) -> None:
    """Every outbox row 'sent', with Telegram's message id."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
        without_id = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND telegram_message_id IS NULL"
        ).fetchone()[0]
    if statuses != ({"sent": count} if count else {}) or without_id:
        raise BenchFailure(f"outbox rows by status: {statuses} (expected {count} sent); sent without id: {without_id}")


def delivery_timeout(messages: int, per_s: float) -> float:
    """Generous: a run this slow is a failure, not a measurement."""
    return 60.0 + 3 * messages / min(per_s, 1000.0)


# --------------------------------------------------------------------------------------------- delivery


@dataclass(frozen=True, slots=True)
class Delivered:
    seconds: float
    per_s: float
    max_in_1s: int
    http_429: int


async def deliver(
    db_path: Path,
    messages: int,
    *,
    server_limit: float | None,
    bot_limit: float,
    chat_limit: float,
    concurrency: int,
    postgres: PostgresRun | None = None,
) -> Delivered:
    """`messages` queued, then the Application started; timed until the server accepted them all."""
    await prepare_database(db_path, messages, 0)
    database_url = await database_for(db_path, postgres)
    async with FakeTelegram() as server:
        for index in range(messages):
            server.user(FIRST_RECIPIENT + index, first_name="Penerima")
        if server_limit is not None:
            server.rate_limit(global_per_s=server_limit, retry_after=SERVER_RETRY_AFTER_S)
        app = build_application(
            bench_settings(server, database_url, bot_limit, chat_limit, concurrency), clock=ManualClock(NOW)
        )
        accepted = Accepted(server, messages)
        started = time.perf_counter()
        async with serving(app, server):
            await server.wait_until(accepted.done, timeout=delivery_timeout(messages, server_limit or bot_limit))
            seconds = time.perf_counter() - started
        accepted.check()
    await check_sent_in(database_url, db_path, messages, postgres)
    return Delivered(seconds, accepted.per_s, accepted.max_in_1s, accepted.http_429)


async def limited(
    directory: Path, messages: int, server_limit: float, bot_limit: float, postgres: PostgresRun | None = None
) -> dict[str, Any]:
    result = await deliver(
        directory / "limited.db",
        messages,
        server_limit=server_limit,
        bot_limit=bot_limit,
        chat_limit=CHAT_LIMIT_PER_S,
        concurrency=DEFAULT_CONCURRENCY,
        postgres=postgres,
    )
    utilization = round(result.per_s / server_limit, 3)
    return {
        "bench": "delivery",
        "case": "limited",
        "messages": messages,
        "limit_per_s": round(server_limit),
        "bot_limit_per_s": bot_limit,
        "concurrency": DEFAULT_CONCURRENCY,
        "achieved_per_s": round(result.per_s, 1),
        "max_in_1s": result.max_in_1s,
        "utilization": utilization,
        "http_429": result.http_429,
        "seconds": round(result.seconds, 3),
        "aim": f"utilization >= {AIM_UTILIZATION} with 0 429s",
        "aim_met": utilization >= AIM_UTILIZATION and result.http_429 == 0,
    }


async def unlimited(
    directory: Path, messages: int, concurrencies: Sequence[int], postgres: PostgresRun | None = None
) -> dict[str, Any]:
    results: dict[int, Delivered] = {}
    for concurrency in concurrencies:
        results[concurrency] = await deliver(
            directory / f"unlimited-{concurrency}.db",
            messages,
            server_limit=None,
            bot_limit=UNLIMITED_PER_S,
            chat_limit=UNLIMITED_PER_S,
            concurrency=concurrency,
            postgres=postgres,
        )
    best = max(results, key=lambda c: results[c].per_s)
    return {
        "bench": "delivery",
        "case": "unlimited",
        "messages": messages,
        "achieved_per_s": round(results[best].per_s, 1),
        "seconds": round(results[best].seconds, 3),
        "concurrency": best,
        "tried": {str(c): round(r.per_s, 1) for c, r in results.items()},
        "aim": f"achieved_per_s >= {AIM_UNLIMITED_PER_S:.0f}",
        "aim_met": results[best].per_s >= AIM_UNLIMITED_PER_S,
    }


# --------------------------------------------------------------------------------------------- interactive


async def round_trip(user: FakeUser) -> float:
    """`/profil` -> the profile (with the participant's name); seconds from just before sending."""
    started = time.perf_counter()
    await user.send_text("/profil")
    [reply] = await user.wait_messages(1, timeout=REPLY_TIMEOUT)
    elapsed = time.perf_counter() - started
    if user.first_name not in (reply.plain_text or ""):
        raise BenchFailure(f"user {user.user_id}: /profil answered {reply.plain_text!r}")
    return elapsed


async def sample(users: Sequence[FakeUser], count: int, interval: float, offset: int = 0) -> list[tuple[float, float]]:
    """`count` sequential round trips, one every `interval` seconds (start to start) when they are faster,
    rotating over the users; (latency, finished at) pairs."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    measured = []
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index * interval - loop.time()))
        latency = await round_trip(users[(offset + index) % len(users)])
        measured.append((latency, time.perf_counter()))
    return measured


async def interactive(
    directory: Path,
    messages: int,
    samples: int,
    server_limit: float,
    bot_limit: float,
    postgres: PostgresRun | None = None,
) -> dict[str, Any]:
    db_path = directory / "interactive.db"
    await prepare_database(db_path, 0, PARTICIPANTS)
    database_url = await database_for(db_path, postgres)
    catalog = ProvinceCatalog.load()
    async with FakeTelegram() as server:
        for index in range(messages):
            server.user(FIRST_RECIPIENT + index, first_name="Penerima")
        # first_name = full name, so that round_trip can find it in the profile.
        users = [
            server.user(FIRST_PARTICIPANT + i, first_name=new_participant(i, catalog).full_name)
            for i in range(PARTICIPANTS)
        ]
        server.rate_limit(global_per_s=server_limit, retry_after=SERVER_RETRY_AFTER_S)
        settings = bench_settings(server, database_url, bot_limit, CHAT_LIMIT_PER_S, DEFAULT_CONCURRENCY)
        app = build_application(settings, clock=ManualClock(NOW))
        accepted = Accepted(server, messages)
        async with serving(app, server):
            await sample(users, WARMUP_SAMPLES, IDLE_INTERVAL_S)
            idle = await sample(users, samples, IDLE_INTERVAL_S, offset=WARMUP_SAMPLES)
            async with app.bot_data.services.store.write() as unit:  # wakes the dispatcher once committed
                await queue_messages(unit, messages)
            await server.wait_until(accepted.started, timeout=30)
            interval = BUSY_SPREAD * messages / server_limit / samples
            async with asyncio.TaskGroup() as group:
                busy_task = group.create_task(sample(users, samples, interval, offset=WARMUP_SAMPLES + samples))
                await server.wait_until(accepted.done, timeout=delivery_timeout(messages, server_limit))
                delivered_at = time.perf_counter()
            busy = busy_task.result()
        accepted.check()
    await check_sent_in(database_url, db_path, messages, postgres)
    idle_ms = sorted(latency * 1000 for latency, _ in idle)
    busy_ms = sorted(latency * 1000 for latency, _ in busy)
    idle_p95 = round(percentile(idle_ms, 95), 1)
    busy_p95 = round(percentile(busy_ms, 95), 1)
    over = round(busy_p95 - idle_p95, 1)
    utilization = round(accepted.per_s / server_limit, 3)
    return {
        "bench": "delivery",
        "case": "interactive",
        "messages": messages,
        "participants": PARTICIPANTS,
        "samples": samples,
        "idle_p50_ms": round(percentile(idle_ms, 50), 1),
        "idle_p95_ms": idle_p95,
        "busy_p50_ms": round(percentile(busy_ms, 50), 1),
        "busy_p95_ms": busy_p95,
        "busy_p95_over_idle_ms": over,
        "busy_during_delivery": sum(1 for _, finished in busy if finished <= delivered_at),
        "bulk_per_s": round(accepted.per_s, 1),
        "utilization": utilization,
        "http_429": accepted.http_429,
        "aim": f"busy_p95_over_idle_ms <= {AIM_BUSY_OVER_IDLE_MS:.0f}, utilization >= {AIM_UTILIZATION}, 0 429s",
        "aim_met": over <= AIM_BUSY_OVER_IDLE_MS and utilization >= AIM_UTILIZATION and accepted.http_429 == 0,
    }


# --------------------------------------------------------------------------------------------- results


def machine() -> dict[str, Any]:
    return {
        "bench": "delivery",
        "machine": machine_info(),
    }


CASES = ("limited", "unlimited", "interactive")


async def run(
    messages: int = DEFAULT_MESSAGES,
    samples: int = DEFAULT_SAMPLES,
    *,
    server_limit: float = SERVER_LIMIT_PER_S,
    bot_limit: float | None = None,
    concurrencies: Sequence[int] = CONCURRENCIES,
    cases: Sequence[str] = CASES,
    workdir: Path | None = None,
    postgres: PostgresRun | None = None,
) -> list[dict[str, Any]]:
    """The cases in order, then the machine line; the JSON lines as dicts.

    `bot_limit` is the bot's overall messages/s in the limited cases (default: BOT_LIMIT_RATIO x `server_limit`).
    The databases are kept in `workdir` when a directory is given (``limited.db``, ``unlimited-<c>.db``,
    ``interactive.db``), else in a temporary one. Raises BenchFailure when a message was not delivered exactly
    once, a row is not 'sent', a request failed (other than 429s) or a reply was wrong.
    """
    if messages < 1 or samples < 1:
        raise ValueError("at least one message and one sample")
    if server_limit <= 0 or (bot_limit is not None and bot_limit <= 0):
        raise ValueError("limits must be positive")
    bot_rate = bot_limit if bot_limit is not None else BOT_LIMIT_RATIO * server_limit
    if not concurrencies or min(concurrencies) < 1:
        raise ValueError("concurrencies must be at least 1")
    unknown = set(cases) - set(CASES)
    if unknown:
        raise ValueError(f"unknown cases: {sorted(unknown)}")
    lines: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for case in CASES:
            if case not in cases:
                continue
            if case == "limited":
                lines.append(await limited(directory, messages, server_limit, bot_rate, postgres))
            elif case == "unlimited":
                lines.append(await unlimited(directory, messages, concurrencies, postgres))
            else:
                lines.append(await interactive(directory, messages, samples, server_limit, bot_rate, postgres))
    backend = {} if postgres is None else {"backend": "postgresql"}
    return [{**line, **backend} for line in lines] + [machine()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--messages", type=int, default=DEFAULT_MESSAGES, help=f"outbox messages (default {DEFAULT_MESSAGES})"
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=DEFAULT_SAMPLES,
        help=f"interactive samples, idle and busy each (default {DEFAULT_SAMPLES})",
    )
    parser.add_argument(
        "--bot-limit",
        type=float,
        default=BOT_LIMIT_RATIO * SERVER_LIMIT_PER_S,
        help="the bot's overall messages/s in the limited cases (default %(default)g; the server allows "
        f"{SERVER_LIMIT_PER_S:g})",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        action="append",
        help=f"dispatch_concurrency for the unlimited case, repeatable (default {' '.join(map(str, CONCURRENCIES))})",
    )
    parser.add_argument("--case", choices=CASES, action="append", help="run only this case (repeatable)")
    add_backend_options(parser)
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    if args.bot_limit <= 0:
        parser.error("--bot-limit must be positive")
    if args.concurrency and min(args.concurrency) < 1:
        parser.error("--concurrency must be at least 1")
    # PTB 22 warns unless durations such as retry_after are timedelta objects (the PTB 23 behaviour), as main.py.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    options: dict[str, Any] = {
        "bot_limit": args.bot_limit,
        "concurrencies": tuple(args.concurrency or CONCURRENCIES),
        "cases": tuple(args.case or CASES),
    }
    if args.backend == "postgresql":
        with PostgresRun(args.postgresql_url) as postgres:
            return print_lines(run(args.messages, args.samples, **options, postgres=postgres))
    return print_lines(run(args.messages, args.samples, **options))


if __name__ == "__main__":
    sys.exit(main())
