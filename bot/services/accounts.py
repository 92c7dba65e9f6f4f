"""What a person can do with their own account: read it, pick a language, erase it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import LANGUAGES
from bot.services.enrollment import release_seats
from bot.services.helpdesk import HelpdeskService
from bot.services.reminders import ReminderPlanner
from bot.services.surveys import SurveyService
from bot.storage.participants import Participant
from bot.storage.store import Store


@dataclass(frozen=True, slots=True)
class Erasure:
    """What /hapusdata removed."""

    participant_erased: bool
    draft_erased: bool

    @property
    def anything(self) -> bool:
        return self.participant_erased or self.draft_erased


class AccountService:
    def __init__(
        self, store: Store, clock: Clock, planner: ReminderPlanner, surveys: SurveyService, helpdesk: HelpdeskService
    ) -> None:
        self._helpdesk = helpdesk
        self._store = store
        self._clock = clock
        self._planner = planner
        self._surveys = surveys

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
        """Erase the person's identifying data, any draft, their help-desk tickets' link to them (and the topics with
        the copies of what they wrote), and the link to their Telegram account, at once."""
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is not None:
                await release_seats(unit, participant.id, self._clock.now(), self._planner)
                await self._surveys.cancel_for(unit, participant.id)
                await unit.participants.erase(participant.id, self._clock.now())
            await self._helpdesk.forget(unit, user_id)
            draft_erased = await unit.dialogs.delete(user_id)
            await unit.preferences.forget(user_id)
        return Erasure(participant_erased=participant is not None, draft_erased=draft_erased)
