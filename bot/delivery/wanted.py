"""Whether claimed outbox rows are still to be sent, asked right before each goes to Telegram, answered in batches.

The rate limiter asks each request's `still_wanted` check once its turn has come (bot/delivery/ratelimit.py): a
broadcast stopped or a reminder withdrawn while the row waited is then not sent. Asked row by row, that is one
database read per message, the largest share of the dispatcher's time at full speed. Turns come in bursts (a
batch of rows handed their tokens in one pump), so the checks asked within one turn of the event loop are
answered together by one read: the same question, asked at the same moment, for many rows.
"""

from __future__ import annotations

import asyncio

from bot.storage.store import Store

__all__ = ["StillWanted"]


class StillWanted:
    """`await still_wanted(message_id)`: True while the row is still 'sending' (claimed and not withdrawn)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._asked: dict[int, list[asyncio.Future[bool]]] = {}
        self._answering: asyncio.Task[None] | None = None
        self.reads = 0
        """Database reads made (a figure for tests and benchmarks: fewer than the checks when they coalesce)."""

    async def __call__(self, message_id: int) -> bool:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[bool] = loop.create_future()
        self._asked.setdefault(message_id, []).append(answer)
        if self._answering is None:
            # A task's first step runs after the callbacks already queued: the other checks of this turn.
            self._answering = loop.create_task(self._answer())
        return await answer

    async def _answer(self) -> None:
        asked, self._asked = self._asked, {}
        self._answering = None  # checks asked while this read runs make the next batch
        try:
            self.reads += 1
            async with self._store.read() as unit:
                wanted = await unit.outbox.still_sending(list(asked))
        except BaseException as error:
            for answers in asked.values():
                for answer in answers:
                    if not answer.done():
                        answer.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for message_id, answers in asked.items():
            for answer in answers:
                if not answer.done():  # its waiter may have been cancelled meanwhile
                    answer.set_result(message_id in wanted)
