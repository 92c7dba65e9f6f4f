"""Announcements ("siaran") to chosen groups, and participants opting out of them.

A staff member sends the announcement as a normal message; the bot copies it to every recipient through the
outbox at bulk priority (paced under Telegram's limit, behind replies to people chatting, surviving a restart).
The audience is chosen with filters that combine; its size is shown before sending. Each recipient's copy goes
at the chosen moment moved out of the quiet hours of their own zone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.services.enrollment import Refusal
from bot.services.provinces import ProvinceCatalog
from bot.services.reminders import DEFAULT_ZONE, QuietHours
from bot.services.staff import Scope
from bot.services.survey_catalog import EMPLOYMENT_STATUSES
from bot.storage.broadcasts import Broadcast, Figures
from bot.storage.store import Store, Unit

ENROLLMENT_STATES = ("enrolled", "completed")
EMPLOYMENT_FILTERS = (*EMPLOYMENT_STATUSES, "unknown")
DRAFT, SCHEDULED, SENDING, DONE, STOPPED, CANCELLED = "draft", "scheduled", "sending", "done", "stopped", "cancelled"


@dataclass(frozen=True, slots=True)
class Panel:
    """A draft with its audience's current size, for the composer."""

    broadcast: Broadcast
    count: int


@dataclass(frozen=True, slots=True)
class Progress:
    broadcast: Broadcast
    figures: Figures
    # True when this look found it finished (the final report is due).
    finished: bool
    # Every copy left waits for the end of its recipient's quiet hours: that time of day, in their own zone.
    held_until: time | None = None


class BroadcastService:
    def __init__(self, store: Store, clock: Clock, quiet: QuietHours, provinces: ProvinceCatalog) -> None:
        self._store = store
        self._clock = clock
        self._quiet = quiet
        self._zones = zone_groups(provinces)

    # ------------------------------------------------------------------ composing

    async def start(self, actor: int) -> Broadcast:
        async with self._store.write() as unit:
            return await unit.broadcasts.create_draft(actor, self._clock.now())

    async def draft(self, actor: int) -> Broadcast | None:
        async with self._store.read() as unit:
            return await unit.broadcasts.draft_of(actor)

    async def waiting_for_message(self, actor: int) -> bool:
        """Whether the staff member's draft waits for its announcement."""
        async with self._store.read() as unit:
            draft = await unit.broadcasts.draft_of(actor)
        return draft is not None and draft.step == "message"

    async def attach(self, actor: int, chat_id: int, message_id: int, content: str) -> Panel | None:
        """The announcement the staff member just sent; None when no draft waits for one."""
        async with self._store.write() as unit:
            draft = await unit.broadcasts.draft_of(actor)
            if draft is None or draft.step != "message":
                return None
            await unit.broadcasts.set_message(draft.id, chat_id, message_id, content)
            return await self._panel(unit, draft.id)

    async def panel(self, actor: int, broadcast_id: int) -> Panel | Refusal:
        async with self._store.read() as unit:
            found = await self._own_draft(unit, actor, broadcast_id)
            return found if isinstance(found, Refusal) else await self._panel(unit, broadcast_id)

    async def set_filter(self, actor: int, broadcast_id: int, **changes: Any) -> Panel | Refusal:
        """Change one filter of the draft's audience (None clears it)."""
        async with self._store.write() as unit:
            found = await self._own_draft(unit, actor, broadcast_id)
            if isinstance(found, Refusal):
                return found
            audience = replace(found.audience, **changes)
            if "province_code" in changes and "regency" not in changes:  # a regency belongs to its province
                audience = replace(audience, regency=None)
            await unit.broadcasts.set_audience(broadcast_id, audience)
            await unit.broadcasts.set_step(broadcast_id, "audience")
            return await self._panel(unit, broadcast_id)

    async def ask_time(self, actor: int, broadcast_id: int) -> Panel | Refusal:
        async with self._store.write() as unit:
            found = await self._own_draft(unit, actor, broadcast_id)
            if isinstance(found, Refusal):
                return found
            await unit.broadcasts.set_step(broadcast_id, "time")
            return await self._panel(unit, broadcast_id)

    async def cancel(self, actor: int, broadcast_id: int) -> Broadcast | Refusal:
        """ "Batal": the draft is dropped, also before its message was sent."""
        async with self._store.write() as unit:
            found = await self._own_draft(unit, actor, broadcast_id, need_message=False)
            if isinstance(found, Refusal):
                return found
            await unit.broadcasts.set_status(broadcast_id, CANCELLED, self._clock.now())
            return found

    async def send(self, actor: int, broadcast_id: int, at: datetime | None = None) -> Panel | Refusal:
        """Queue a copy for every recipient, now or at `at` (each moved out of their zone's quiet hours)."""
        now = self._clock.now()
        if at is not None and at <= now:
            return Refusal("broadcast-time-past")
        async with self._store.write() as unit:
            found = await self._own_draft(unit, actor, broadcast_id)
            if isinstance(found, Refusal):
                return found
            moment = at or now
            send_times = [(codes, self._quiet.next_allowed(moment, ZoneInfo(zone))) for zone, codes in self._zones]
            recipients = await unit.broadcasts.enqueue(
                found, send_times, self._quiet.next_allowed(moment, DEFAULT_ZONE), now
            )
            if recipients == 0:
                return Refusal("broadcast-nobody")
            await unit.broadcasts.set_status(broadcast_id, SCHEDULED if at is not None else SENDING, now)
            await unit.broadcasts.set_send_at(broadcast_id, moment)
            return Panel(await _get(unit, broadcast_id), recipients)

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._store.write() as unit:
            await unit.broadcasts.set_progress_message(broadcast_id, chat_id, message_id)

    # ------------------------------------------------------------------ going out

    async def stop(self, actor: int, broadcast_id: int) -> tuple[Broadcast, int] | Refusal:
        """ "Hentikan": withdraw what has not gone out; returns the broadcast and how many were withdrawn."""
        async with self._store.write() as unit:
            broadcast = await unit.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.status not in (SCHEDULED, SENDING):
                return Refusal("broadcast-not-running")
            withdrawn = await unit.broadcasts.stop(broadcast_id)
            await unit.broadcasts.set_status(broadcast_id, STOPPED, self._clock.now())
            return await _get(unit, broadcast_id), withdrawn

    async def progress(self) -> list[Progress]:
        """The broadcasts going out (or due to): their figures; those with nothing left are marked done."""
        now = self._clock.now()
        async with self._store.read() as unit:  # the usual case, every few seconds: nothing going out
            if not await unit.broadcasts.in_progress():
                return []
        async with self._store.write() as unit:
            found: list[Progress] = []
            for broadcast in await unit.broadcasts.in_progress():
                figures = await unit.broadcasts.figures(broadcast.id)
                if broadcast.status == SCHEDULED and broadcast.send_at is not None and broadcast.send_at <= now:
                    await unit.broadcasts.set_status(broadcast.id, SENDING, now)
                    broadcast = await _get(unit, broadcast.id)
                finished = broadcast.status == SENDING and figures.pending == 0
                if finished:
                    await unit.broadcasts.set_status(broadcast.id, DONE, now)
                    broadcast = await _get(unit, broadcast.id)
                due = figures.first_due
                held = broadcast.status == SENDING and due is not None and due > now
                found.append(Progress(broadcast, figures, finished, self._quiet.end if held else None))
            return found

    async def figures(self, broadcast_id: int) -> Figures:
        async with self._store.read() as unit:
            return await unit.broadcasts.figures(broadcast_id)

    async def recent(self, limit: int = 10, created_by: int | None = None) -> list[tuple[Broadcast, Figures]]:
        async with self._store.read() as unit:
            found = await unit.broadcasts.recent(limit, created_by)
            return [(b, await unit.broadcasts.figures(b.id)) for b in found]

    async def get(self, broadcast_id: int) -> Broadcast | None:
        async with self._store.read() as unit:
            return await unit.broadcasts.get(broadcast_id)

    # ------------------------------------------------------------------ audience pickers

    async def provinces(self) -> list[str]:
        async with self._store.read() as unit:
            return await unit.broadcasts.provinces()

    async def regencies(self, province_code: str) -> list[str]:
        async with self._store.read() as unit:
            return await unit.broadcasts.regencies(province_code)

    async def courses(self, scope: Scope | None = None) -> list[tuple[int, str, str]]:
        """(id, code, title) of the latest 40 courses with participants (of the staff member's `scope`)."""
        async with self._store.read() as unit:
            # An LPK member's courses may be older than the programme's latest 40: look at all, keep theirs.
            found = await unit.broadcasts.courses(40 if scope is None or scope.institutes is None else 100_000)
        return [
            (cid, code, title) for cid, code, title, institute in found if scope is None or scope.covers(institute)
        ][:40]

    # ------------------------------------------------------------------ participants

    async def set_wanted(self, user_id: int, *, wanted: bool) -> bool | None:
        """/berhenti (False) and /lanjut (True); None for someone not registered. Returns whether it changed."""
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is None:
                return None
            was_wanted = participant.announcements_off_at is None
            await unit.participants.set_announcements(participant.id, wanted=wanted, now=self._clock.now())
            if not wanted:
                await unit.broadcasts.withdraw_for(user_id)
            return was_wanted != wanted

    # ------------------------------------------------------------------ inside

    async def _own_draft(
        self, unit: Unit, actor: int, broadcast_id: int, *, need_message: bool = True
    ) -> Broadcast | Refusal:
        broadcast = await unit.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.created_by != actor or broadcast.status != DRAFT:
            return Refusal("broadcast-not-draft")
        if need_message and broadcast.source_message_id is None:
            return Refusal("broadcast-no-message")
        return broadcast

    async def _panel(self, unit: Unit, broadcast_id: int) -> Panel:
        broadcast = await _get(unit, broadcast_id)
        return Panel(broadcast, await unit.broadcasts.count(broadcast.audience))


async def _get(unit: Unit, broadcast_id: int) -> Broadcast:
    broadcast = await unit.broadcasts.get(broadcast_id)
    assert broadcast is not None
    return broadcast


def zone_groups(provinces: ProvinceCatalog) -> list[tuple[str, list[str]]]:
    """(IANA zone, province codes) for every zone the provinces use."""
    pairs = sorted((p.timezone, p.code) for p in provinces.all())
    return [(zone, [code for _, code in group]) for zone, group in groupby(pairs, key=lambda pair: pair[0])]
