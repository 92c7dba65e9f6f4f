"""Running the bot: duplicate updates, health, and alerting staff about unexpected errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.services.staff import ADMIN, StaffService
from bot.storage.store import Store

log = logging.getLogger(__name__)

# How long an update id is remembered (Telegram gives up redelivering long before).
SEEN_UPDATES_KEPT = timedelta(days=1)
# Alerts outrank everything else waiting in the outbox.
ALERT_PRIORITY = 20
ALERT_KIND = "alert"


@dataclass(frozen=True, slots=True)
class Health:
    database: bool
    # Seconds the oldest message due has waited (0 when nothing is waiting).
    delay_s: float
    max_delay_s: float

    @property
    def ok(self) -> bool:
        return self.database and self.delay_s <= self.max_delay_s


class OperationsService:
    def __init__(self, store: Store, settings: Settings, clock: Clock, staff: StaffService) -> None:
        self._store = store
        self._clock = clock
        self._staff = staff
        self._max_delay_s = settings.health_max_delay_s
        self._cooldown = timedelta(minutes=settings.alert_cooldown_minutes)
        self._last_alert: dict[str, datetime] = {}

    async def first_time(self, update_id: int) -> bool:
        async with self._store.write() as unit:
            return await unit.updates.first_time(update_id, self._clock.now())

    async def forget_old_updates(self) -> int:
        async with self._store.write() as unit:
            return await unit.updates.forget_before(self._clock.now() - SEEN_UPDATES_KEPT)

    async def health(self) -> Health:
        now = self._clock.now()
        try:
            async with self._store.read() as unit:
                reachable = await unit.updates.ping()
                oldest = await unit.updates.oldest_due(now)
        except Exception:  # the endpoint reports a broken database instead of failing
            log.exception("health check could not read the database")
            return Health(False, 0.0, self._max_delay_s)
        delay = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
        return Health(reachable, delay, self._max_delay_s)

    async def alert(self, kind: str, update_id: int | None) -> int:
        """Tell the admins an unexpected error happened (at most once per kind per cooldown); returns how many."""
        now = self._clock.now()
        last = self._last_alert.get(kind)
        if last is not None and now - last < self._cooldown:
            return 0
        self._last_alert[kind] = now
        admins = [m.telegram_user_id for m in await self._staff.members() if m.role == ADMIN]
        async with self._store.write() as unit:
            for admin in admins:
                await unit.outbox.add(
                    telegram_user_id=admin,
                    kind=ALERT_KIND,
                    message_key="alert-error",
                    params={"kind": kind, "update_id": update_id, "at": now.isoformat()},
                    dedupe_key=f"alert:{kind}:{now.isoformat()}:{admin}",
                    not_before=now,
                    now=now,
                    priority=ALERT_PRIORITY,
                )
        return len(admins)
