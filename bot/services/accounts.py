"""What a person can do with their own account: read it, pick a language, erase it."""

from __future__ import annotations

from bot.clock import Clock
from bot.config import LANGUAGES
from bot.services.erasure import Eraser, Erasure
from bot.storage.participants import Participant
from bot.storage.store import Store


class AccountService:
    def __init__(self, store: Store, clock: Clock, eraser: Eraser) -> None:
        self._store = store
        self._clock = clock
        self._eraser = eraser

    async def participant(self, user_id: int) -> Participant | None:
        async with self._store.read() as unit:
            return await unit.participants.by_telegram_id(user_id)

    async def language(self, user_id: int) -> str | None:
        async with self._store.read() as unit:
            return await unit.preferences.language(user_id)

    async def set_language(self, user_id: int, language: str) -> bool:
        """Remember the language the person picked; False for a language the bot does not speak."""
        if language not in LANGUAGES:
            return False
        async with self._store.write() as unit:
            await unit.preferences.set_language(user_id, language, self._clock.now())
        return True

    async def erase(self, user_id: int) -> Erasure:
        """/hapusdata: everything of the person's, at once (bot/services/erasure.py lists what that is)."""
        async with self._store.write() as unit:
            return await self._eraser.erase(unit, user_id)
