"""The question a staff command asked for its missing argument (/cari alone: "whom?"), waiting for the staff
member's next message. One per staff member; nothing personal is stored (the answer is never written)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Session, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class StaffPrompt:
    telegram_user_id: int
    command: str
    # The arguments given with the command ('hapus' of /staf hapus); the answer's words follow them.
    prefix: str
    asked_at: datetime


class StaffPromptRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def put(self, telegram_user_id: int, command: str, prefix: str, now: datetime) -> None:
        await self._s.execute(
            "INSERT INTO staff_prompts (telegram_user_id, command, prefix, asked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET command = excluded.command, prefix = excluded.prefix,"
            " asked_at = excluded.asked_at",
            (telegram_user_id, command, prefix, to_db_time(now)),
        )

    async def take(self, telegram_user_id: int) -> StaffPrompt | None:
        """The prompt, removed: it is answered once."""
        row = await self._s.fetchone(
            "SELECT command, prefix, asked_at FROM staff_prompts WHERE telegram_user_id = ?", (telegram_user_id,)
        )
        if row is None:
            return None
        await self._s.execute("DELETE FROM staff_prompts WHERE telegram_user_id = ?", (telegram_user_id,))
        return StaffPrompt(telegram_user_id, row["command"], row["prefix"], from_db_time(row["asked_at"]))

    async def drop_older(self, before: datetime) -> int:
        return await self._s.execute("DELETE FROM staff_prompts WHERE asked_at < ?", (to_db_time(before),))
