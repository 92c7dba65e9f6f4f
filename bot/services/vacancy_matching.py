"""Matched vacancies for the participants who look for work: when vacancies are published, and a weekly digest.

Who: participants who answered a check-in "yes" to job information through the bot (participants.wants_vacancies)
and whose latest status is not working again (not working, in a recruitment process, in further training, or none
recorded; EMPLOYED statuses are never matched, whatever they answered before), who have not opted out of
announcements (/berhenti, as broadcasts), can be reached (not blocked) and have not erased their data.
What: open vacancies (closing after now) in their province or all Indonesia, with a category of a course they are
enrolled in or completed. Each person gets one message listing at most VACANCY_DIGEST_MAX vacancies never sent to
them before (their province first, then closing soonest), with a button for each; vacancy_deliveries, written in
the same transaction as the outbox row, keeps it that way across publications and digests.

How: in batches of BATCH_PARTICIPANTS people (an id range), each its own short write transaction of two set-based
statements (bot/storage/vacancy_matching.py), so a person chatting meanwhile waits for at most one batch. The
messages go through the outbox at bulk priority (behind replies, paced under Telegram's limits), each at the end of
the quiet hours in the recipient's zone when computed during them, and are rendered when sent, in the recipient's
language (bot/delivery/vacancies.py). A run interrupted by a crash has queued its finished batches; the next digest
catches up with the others (nothing is marked delivered without its message).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import time
from typing import Final
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.broadcasts import zone_groups
from bot.services.provinces import ProvinceCatalog
from bot.services.reminders import DEFAULT_ZONE, QuietHours
from bot.services.survey_catalog import EMPLOYED
from bot.storage.store import Store
from bot.storage.vacancy_matching import DIGEST, PUBLISHED, MatchRun

# People per transaction: on SQLite a batch holds the write lock about 10-40 ms (bench/vacancies.py), well under the
# ~100 ms a person chatting meanwhile should ever wait for it.
BATCH_PARTICIPANTS: Final = 500
# The weekly digest: Monday 09:00 WIB (PTB's run_daily in bot/app.py), 10:00 WITA, 11:00 WIT; a zone in its quiet
# hours at that moment (other QUIET_HOURS settings) gets it when they end.
DIGEST_WEEKDAY: Final = 0
DIGEST_AT: Final = time(9, 0, tzinfo=DEFAULT_ZONE)
MESSAGE_KEYS: Final = {PUBLISHED: "vacancy-digest-published", DIGEST: "vacancy-digest-weekly"}


@dataclass(frozen=True, slots=True)
class MatchReport:
    """What one matching queued: the people considered, the messages and the vacancies they list."""

    considered: int
    messages: int
    vacancies: int


class VacancyMatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        quiet: QuietHours,
        provinces: ProvinceCatalog,
        digest_max: int,
        *,
        batch_size: int = BATCH_PARTICIPANTS,
    ) -> None:
        self._store = store
        self._clock = clock
        self._quiet = quiet
        self._zones = zone_groups(provinces)
        self._limit = digest_max
        self._batch = batch_size

    async def published(self, vacancy_ids: tuple[int, ...]) -> MatchReport:
        """Vacancies just published or changed (an import): matched people get those not sent to them before."""
        if not vacancy_ids:
            return MatchReport(0, 0, 0)
        return await self._run(PUBLISHED, vacancy_ids)

    async def digest(self) -> MatchReport:
        """The weekly digest: every open vacancy not sent to them yet, at most VACANCY_DIGEST_MAX each."""
        return await self._run(DIGEST, None)

    async def _run(self, occasion: str, vacancy_ids: tuple[int, ...] | None) -> MatchReport:
        now = self._clock.now()
        run = MatchRun(
            occasion=occasion,
            token=f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}",
            message_key=MESSAGE_KEYS[occasion],
            now=now,
            limit=self._limit,
            employed=sorted(EMPLOYED),
            send_times=[(codes, self._quiet.next_allowed(now, ZoneInfo(zone))) for zone, codes in self._zones],
            default_time=self._quiet.next_allowed(now, DEFAULT_ZONE),
            vacancy_ids=vacancy_ids,
        )
        async with self._store.read() as unit:
            people = await unit.vacancy_matches.looking_for_work(run.employed)
        messages = vacancies = 0
        for start in range(0, len(people), self._batch):
            chunk = people[start : start + self._batch]
            async with self._store.write() as unit:
                recorded, queued = await unit.vacancy_matches.enqueue(run, chunk[0], chunk[-1])
            vacancies += recorded
            messages += queued
            await asyncio.sleep(0)  # let waiting updates take the write lock between batches
        return MatchReport(len(people), messages, vacancies)
