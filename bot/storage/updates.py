"""Updates already taken from Telegram, so one delivered twice is handled once."""

from __future__ import annotations

from datetime import datetime

from bot.storage.db import Session, from_db_time, to_db_time


class UpdateRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def first_time(self, update_id: int, now: datetime) -> bool:
        """Note the update; False when it had been noted already (a duplicate)."""
        added = await self._s.execute(
            "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?) ON CONFLICT (update_id) DO NOTHING",
            (update_id, to_db_time(now)),
        )
        return added > 0

    async def forget_before(self, cutoff: datetime) -> int:
        return await self._s.execute("DELETE FROM seen_updates WHERE seen_at < ?", (to_db_time(cutoff),))

    async def oldest_due(self, now: datetime) -> datetime | None:
        """When the longest-waiting outbox message came due, if any is due and not sent yet."""
        value = await self._s.fetchval(
            "SELECT MIN(not_before) FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= ?",
            (to_db_time(now),),
        )
        return None if value is None else from_db_time(value)

    async def ping(self) -> bool:
        return bool(await self._s.fetchval("SELECT 1") == 1)
