"""A staff command sent without its argument asks for it ("Cari peserta: kirim nama, NIK, KPJ, atau nomor HP.")
and takes the staff member's next message as the argument: /cari, then "siti", is /cari siti.

The question is a row (bot/storage/staff_prompts.py), so it survives a restart and any webhook instance sees it;
it waits PROMPT_TIMEOUT, /batal withdraws it, and a new question replaces it. The answer itself (it may be a NIK) is
neither stored nor logged: it goes straight to the command.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.storage.staff_prompts import StaffPrompt
from bot.storage.store import Store

# Long enough to look a name up elsewhere first; short enough that a message typed much later is not taken for it.
PROMPT_TIMEOUT = timedelta(minutes=10)


class StaffPromptService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def ask(self, user_id: int, command: str, prefix: tuple[str, ...] = ()) -> None:
        """Remember that `command` (with the arguments `prefix` already given) waits for the next message."""
        async with self._store.write() as unit:
            await unit.staff_prompts.put(user_id, command, " ".join(prefix), self._clock.now())

    async def take(self, user_id: int) -> StaffPrompt | None:
        """The question the next message answers, removed; None if there is none or it timed out."""
        async with self._store.write() as unit:
            prompt = await unit.staff_prompts.take(user_id)
        if prompt is None or self._clock.now() - prompt.asked_at > PROMPT_TIMEOUT:
            return None
        return prompt

    async def cancel(self, user_id: int) -> bool:
        """/batal: whether a question (not yet timed out) was withdrawn."""
        return await self.take(user_id) is not None

    async def purge(self) -> int:
        """Questions that timed out (the purge job)."""
        async with self._store.write() as unit:
            return await unit.staff_prompts.drop_older(self._clock.now() - PROMPT_TIMEOUT)
