"""Per-user choices that are not registration data (the language of the bot)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.db import Session, to_db_time


class PreferenceRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def language(self, telegram_user_id: int) -> str | None:
        value = await self._s.fetchval(
            "SELECT language FROM user_preferences WHERE telegram_user_id = ?", (telegram_user_id,)
        )
        return None if value is None else str(value)

    async def set_language(self, telegram_user_id: int, language: str, now: datetime) -> None:
        await self._s.execute(
            "INSERT INTO user_preferences (telegram_user_id, language, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (telegram_user_id, language, to_db_time(now)),
        )

    async def forget(self, telegram_user_id: int) -> None:
        await self._s.execute("DELETE FROM user_preferences WHERE telegram_user_id = ?", (telegram_user_id,))
