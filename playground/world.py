"""The playground's world: the fake Bot API server, the real bot pointed at it, a fresh database, the people.

Nothing here is a stand-in for the bot: `build_application` and `bot.runner.serve` run exactly as in production,
with the Bot API base URL at the fake server and an `OffsetClock` that the page can move forward.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.app import build_application
from bot.clock import OffsetClock
from bot.config import DATA_DIR, Settings
from bot.context import Services, VokasiApp
from bot.runner import serve
from bot.services.catalogue import CatalogueService
from bot.services.catalogue_import import parse_catalogue
from bot.services.provinces import ProvinceCatalog
from bot.services.reminders import ReminderPlanner
from bot.storage.connect import open_database
from bot.storage.store import Store
from bot.storage.vault import Vault, vault_from
from fakegram import FakeGroup, FakeTelegram, FakeUser

log = logging.getLogger(__name__)

SAMPLE_CATALOGUE = DATA_DIR / "sample_courses.csv"
# Once the sample catalogue's dates have passed, the clock starts this long before its first deadline.
SAMPLE_LEAD = timedelta(days=9)
# The staff member of the page: an admin from the start (ADMIN_IDS).
ADMIN_ID = 9001
FIRST_PARTICIPANT_ID = 1001
# The staff's helpdesk group (HELPDESK_CHAT_IDS): a forum supergroup, one topic per ticket, Dewi a member.
HELPDESK_GROUP_ID = -1001000009001
HELPDESK_GROUP_TITLE = "Grup Petugas"
# The longest jump the clock control accepts at once.
MAX_ADVANCE = timedelta(days=400)
# When time jumps, it stops at least this often (and at every outbox message due) to run the bot's jobs, so a
# survey nudged after 3 days and expired after 7 sees both, and check-ins start within the hour they are due.
STEP = timedelta(hours=1)
# The jobs `build_application` schedules that depend on the bot's clock, run after each step as APScheduler would.
CLOCK_JOBS = ("survey-tick", "outbox-sweep")
WEEKLY_JOB = "report-weekly-job"
PURGE_JOB = "purge-dialogs"
REPORT_ZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True, slots=True)
class Person:
    """Someone on the page, with example data for the registration they may type (the NIK is valid, and is the
    person's own: their birth date, a woman's day + 40, Kota Bandung as the example domicile)."""

    user_id: int
    name: str
    staff: bool
    woman: bool
    birth_date: date
    phone: str
    nik: str
    kpj: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "name": self.name,
            "staff": self.staff,
            "phone": self.phone,
            "nik": self.nik,
            "kpj": self.kpj,
        }


# The NIK's first six digits: province 32 (Jawa Barat), regency 73 (Kota Bandung), district 01; the page's
# example domicile is "Kota Bandung", so the NIK and the answers agree.
EXAMPLE_REGION = "327301"


def example_person(user_id: int, name: str, *, staff: bool = False, woman: bool = False) -> Person:
    """A person with a phone number of their own and a NIK that passes the bot's checks and fits them (Kota Bandung,
    born in the 1980s or 1990s, the day + 40 for a woman, the serial from the id), so everyone typing in the
    playground has realistic data and the bot reads back the right gender."""
    birth_date = date(1980 + user_id % 20, 1 + (user_id // 28) % 12, 1 + user_id % 28)
    day = birth_date.day + (40 if woman else 0)
    serial = 1 + user_id % 9999
    nik = f"{EXAMPLE_REGION}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
    return Person(
        user_id=user_id,
        name=name,
        staff=staff,
        woman=woman,
        birth_date=birth_date,
        # The form FakeUser.press_reply shares, so contact sharing looks the same everywhere in fakegram.
        phone=f"+62812{user_id % 10**7:07d}",
        nik=nik,
        kpj=f"{10_000_000_000 + user_id * 7919 % 90_000_000_000:011d}",
    )


class PlaygroundTelegram(FakeTelegram):
    """fakegram with message dates from the playground's clock, as a phone would show them."""

    def __init__(self, clock: OffsetClock) -> None:
        super().__init__(bot_username="vokasi_latihan_bot", bot_first_name="Vokasi Bot")
        self._bot_clock = clock

    def now(self) -> int:
        return int(self._bot_clock.now().timestamp())


def sample_start(now: datetime) -> datetime | None:
    """Where the playground's clock starts when no start is given: now (None) while a sample course takes
    registrations, else a few days before the sample catalogue's first registration deadline, so a newcomer
    always finds courses to enrol in."""
    courses = parse_catalogue(SAMPLE_CATALOGUE.read_bytes(), SAMPLE_CATALOGUE.name, ProvinceCatalog.load())
    deadlines = [c.registration_deadline for c in courses if c.status == "open"]
    if not deadlines or any(deadline > now for deadline in deadlines):
        return None
    # 09:00 in Jakarta that day: outside the quiet hours, so the bot's first messages are not held back.
    start = datetime.combine((min(deadlines) - SAMPLE_LEAD).astimezone(REPORT_ZONE).date(), time(9), REPORT_ZONE)
    log.info("playground: the sample courses' registration has closed by now; the clock starts at %s", start)
    return start


class Playground:
    """Start with `async with Playground(settings, workdir) as world:`; everything stops on leaving."""

    def __init__(self, settings: Settings, workdir: Path, *, start: datetime | None = None) -> None:
        self.clock = OffsetClock(start if start is not None else sample_start(datetime.now(UTC)))
        self.server = PlaygroundTelegram(self.clock)
        self.workdir = workdir
        self._base_settings = settings
        self.settings: Settings | None = None
        self.vault = Vault.generate()
        self.people: dict[int, Person] = {}
        self.helpdesk: FakeGroup = self.server.group(HELPDESK_GROUP_ID, HELPDESK_GROUP_TITLE)
        """Where the tickets' topics are made; the bot an administrator that manages topics."""
        self.helpdesk.set_bot_admin(can_manage_topics=True)
        self.version = 0
        """Bumped when the clock or the people change (the page's stream compares it)."""
        self.busy = False
        self._app: VokasiApp | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._advancing = asyncio.Lock()

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Playground:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        await self.server.start("127.0.0.1", 0)
        try:
            self.settings = self._base_settings.model_copy(
                update={
                    # model_copy does not validate: the secrets are given as SecretStr themselves.
                    "bot_token": SecretStr(self.server.token),
                    "bot_api_url": self.server.base_url,
                    "bot_file_url": self.server.base_file_url,
                    "database_url": SecretStr(f"sqlite:///{self.workdir / 'vokasi.db'}"),
                    "admin_ids": self._base_settings.admin_ids | {ADMIN_ID},
                    "helpdesk_chat_ids": (HELPDESK_GROUP_ID,),
                    # fakegram has no rate limit, and a jump of the clock delivers days of reminders at once: the
                    # limiter's pacing (1/s per chat) would only make the page wait.
                    "telegram_messages_per_s": 1000.0,
                    "telegram_chat_messages_per_s": 100.0,
                    # The playground polls its own fake server and serves no health endpoint.
                    "webhook_url": None,
                    "health_port": 0,
                }
            )
            self.vault = self._throw_away_keys(self.settings)
            self.add_person("Dewi (petugas)", staff=True, user_id=ADMIN_ID)
            self.helpdesk.add_member(self.server.user(ADMIN_ID))
            self.add_person("Siti Rahayu", woman=True)
            self.add_person("Budi Santoso")
            await self._import_sample_catalogue(self.settings)
            await self._start_bot(self.settings)
        except BaseException:
            await self.stop()
            raise

    @staticmethod
    def _throw_away_keys(settings: Settings) -> Vault:
        """DATA_KEYS when given; otherwise a key set made for this temporary database, gone with it."""
        text = settings.data_keys_text()
        if text is not None:
            return vault_from(text)
        log.info("playground: DATA_KEYS is not set; personal data is sealed with a throw-away key for this run")
        return Vault.generate()

    async def _import_sample_catalogue(self, settings: Settings) -> None:
        """The sample catalogue, through the same import service as a staff member's upload."""
        db = await open_database(settings.sqlite_path)
        try:
            await db.migrate()
            provinces = ProvinceCatalog.load()
            catalogue = CatalogueService(
                Store(db, self.vault), provinces, self.clock, ReminderPlanner(settings, provinces)
            )
            report = await catalogue.import_file(SAMPLE_CATALOGUE.read_bytes(), SAMPLE_CATALOGUE.name)
            page = await catalogue.page(None, 0, None)
        finally:
            await db.close()
        log.info("playground: sample catalogue imported (%d courses)", report.created)
        if page is None or page.total == 0:
            log.warning(
                "playground: no sample course is open for registration on %s; start the clock earlier "
                "(python main.py playground --start DATE)",
                self.clock.now().date(),
            )

    async def _start_bot(self, settings: Settings) -> None:
        self._app = build_application(settings, clock=self.clock, vault=self.vault)
        # start_polling sends deleteWebhook right before its first getUpdates: then the bot is taking updates.
        self._task = asyncio.create_task(serve(self._app, self._stop, poll_timeout=10, settings=settings))
        await self.server.wait_until(
            lambda: bool(self.server.requests_for("deleteWebhook")) or self._task is None or self._task.done(),
            timeout=30,
        )
        if self._task.done():
            await self._task
            raise RuntimeError("the bot stopped while starting")

    async def stop(self) -> None:
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            await task
        self._app = None
        await self.server.stop()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def services(self) -> Services:
        if self._app is None:
            raise RuntimeError("the playground's bot is not running")
        return self._app.bot_data.services

    # ------------------------------------------------------------------ people

    def add_person(self, name: str, *, staff: bool = False, woman: bool = False, user_id: int | None = None) -> Person:
        if user_id is None:
            taken = [uid for uid in self.people if uid < ADMIN_ID]
            user_id = max(taken, default=FIRST_PARTICIPANT_ID - 1) + 1
        person = example_person(user_id, name, staff=staff, woman=woman)
        first, _, last = name.partition(" ")
        self.server.user(user_id, first_name=first, last_name=last or None, language_code="id")
        self.people[user_id] = person
        self.version += 1
        return person

    def user(self, user_id: int) -> FakeUser:
        if user_id not in self.people:
            raise KeyError(user_id)
        return self.server.user(user_id)

    async def changed(self) -> None:
        self.version += 1
        await self.server.changed()

    # ------------------------------------------------------------------ time

    async def advance(self, delta: timedelta) -> datetime:
        """Move the bot's time forward, stopping at every outbox message due and at least every hour to run the
        jobs that read the clock (survey tick, outbox sweep; the weekly report when its moment passes), as
        APScheduler would have if that time had really gone by. Returns the new time."""
        if not timedelta(0) < delta <= MAX_ADVANCE:
            raise ValueError(f"the clock moves forward by up to {MAX_ADVANCE.days} days at a time")
        async with self._advancing:
            self.busy = True
            await self.changed()
            try:
                target = self.clock.now() + delta
                while True:
                    now = self.clock.now()
                    async with self.services.store.read() as unit:
                        next_due = await unit.outbox.next_due()
                    weekly = self._next_weekly_report(now)
                    stop = min(target, now + STEP)
                    if next_due is not None and now < next_due < stop:
                        stop = next_due
                    if weekly is not None and weekly <= stop:
                        stop = weekly
                    self.clock.advance(max(stop - now, timedelta(0)))
                    if stop == weekly:
                        await self._run_jobs((WEEKLY_JOB,))
                    await self._run_jobs(CLOCK_JOBS)
                    # The sweep skips while a batch is still being sent (a certificate's PDF takes a moment to
                    # build): wait for it and send what is due before the clock moves on.
                    await self.services.dispatcher.run_once()
                    if stop >= target:
                        break
                await self._run_jobs((PURGE_JOB,))
            finally:
                self.busy = False
                await self.changed()
            return self.clock.now()

    def _next_weekly_report(self, after: datetime) -> datetime | None:
        """The next moment of the weekly report job (REPORT_WEEKLY_DAY at REPORT_WEEKLY_AT, WIB) after `after`."""
        settings = self.settings
        if settings is None or not settings.report_weekly:
            return None
        at = time(settings.report_weekly_at.hour, settings.report_weekly_at.minute)
        day = after.astimezone(REPORT_ZONE).date()
        while True:
            moment = datetime.combine(day, at, tzinfo=REPORT_ZONE)
            if moment > after and day.weekday() == settings.report_weekly_day:
                return moment
            day += timedelta(days=1)

    async def _run_jobs(self, names: tuple[str, ...]) -> None:
        """Run the bot's own scheduled jobs now, through PTB (errors go to the bot's error handler)."""
        app = self._app
        if app is None or app.job_queue is None:
            raise RuntimeError("the playground's bot is not running")
        for name in names:
            for job in app.job_queue.get_jobs_by_name(name):
                await job.run(app)
