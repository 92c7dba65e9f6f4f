"""The soak's timeline and staff: the clock moved along its schedule, courses completed, the announcement sent.

Every 0.5 s the ``Conductor`` moves the ``ManualClock`` towards ``scheduled_moment`` (at most 3 hours a step, and
not while too many due messages wait to be sent), runs the survey tick and wakes the dispatcher, as their alarms
would in real time. As staff it completes each course an hour after its last session (its participants get the
satisfaction survey) and, halfway, in office hours, sends one announcement to everyone through
``BroadcastService``; after the traffic it waits until every copy of the announcement is delivered. The harness
reads the outbox through its own read-only SQLite connection (WAL lets it read while the bot writes).
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import BenchFailure
from bench.soak_chat import ANNOUNCEMENT_MARK, REPLY_TIMEOUT, nap
from bench.soak_report import Stats
from bench.soak_setup import STAFF_ID, START, WIB, CourseInfo
from bot.clock import ManualClock
from bot.context import Services
from bot.services.completion import CourseCompleted
from bot.services.enrollment import Refusal
from bot.storage.broadcasts import BROADCAST_KIND, subject
from bot.storage.db import from_db_time, to_db_time
from fakegram import FakeUser

ANNOUNCEMENT = (
    f"{ANNOUNCEMENT_MARK} Bursa kerja daring BPJS Ketenagakerjaan dibuka Senin depan, pukul 09.00-15.00 WIB. "
    "Siapkan CV terbaru Anda."
)

# Time: the schedule the clock follows, as (fraction of the run, moment).
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
BROADCAST_TIMEOUT_S = 120.0  # after the traffic, the announcement must be delivered within this

log = logging.getLogger("bench.soak")


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
