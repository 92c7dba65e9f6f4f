"""The soak's run: the people and the bot started against a rate-limited fake Telegram, watched, stopped, reported.

``soak`` makes the simulated participants (those registered in set-up, then the newcomers with their registration
plans), the staff member and the real Application on a ``ManualClock``, serves it against a fresh ``FakeTelegram``
that answers 429 beyond Telegram's limits, and starts every participant's life and the ``Conductor``. While the
traffic lasts it reads the fake server's request log and the process's RSS twice a second and fails the run when
the bot or the conductor stops; then it stops everyone, waits for the announcement to be delivered, and hands what
it observed to ``bench.soak_report.figures``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from pathlib import Path
from typing import Any

from bench.common import BenchFailure
from bench.registration import plan as registration_plan
from bench.soak_chat import Texts
from bench.soak_conductor import Conductor
from bench.soak_participant import IDLE_MEAN_S, Participant
from bench.soak_report import ErrorLogs, LogReader, Observed, Resources, Stats, figures
from bench.soak_setup import (
    FIRST_NEWCOMER_ID,
    FIRST_USER_ID,
    NEWCOMER_SHARE,
    STAFF_ID,
    START,
    WIB,
    CourseInfo,
    bench_settings,
    serving,
)
from bot.app import build_application
from bot.clock import ManualClock
from bot.services.provinces import ProvinceCatalog
from fakegram import FakeTelegram

# Telegram's limits, kept by the fake server: 429 beyond them.
SERVER_PER_S = 30.0
SERVER_CHAT_PER_S = 1.0
SERVER_RETRY_AFTER_S = 1

START_SPREAD = 0.5
"""Participants start their first session within this fraction of the run (at most IDLE_MEAN_S seconds)."""
WARMUP_SHARE = 0.1
"""``rss_after_warmup_mb`` is read at this fraction of the run (first use of every code path, caches filled)."""
MONITOR_EVERY_S = 0.5


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
                resources = Resources()
                started = time.perf_counter()
                first_within = min(IDLE_MEAN_S, START_SPREAD * seconds)
                lives = [asyncio.create_task(person.live(stop, first_within)) for person in people]
                staffing = asyncio.create_task(conductor.run(stop, seconds))
                try:
                    deadline = time.perf_counter() + seconds
                    while time.perf_counter() < deadline:
                        await asyncio.sleep(min(MONITOR_EVERY_S, max(0.0, deadline - time.perf_counter())))
                        reader.update()
                        resources.sample(warm=time.perf_counter() - started >= WARMUP_SHARE * seconds)
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
                    resources.end()
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

    observed = Observed(
        seconds=elapsed,
        users=users,
        stats=stats,
        requests=reader,
        error_logs=error_logs.records,
        internal_errors=internal,
        resources=resources,
        announced=conductor.broadcast_id is not None,
        recipients=conductor.recipients,
        broadcast_rows=broadcast,
        copies_received=sum(person.announcements for person in people),
        courses_completed=conductor.completed,
        clock_end=clock.now().astimezone(WIB).isoformat(timespec="minutes"),
        clock_held_steps=conductor.held,
    )
    return figures(observed, db_path)
