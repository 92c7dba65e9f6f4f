"""The queue of updates the bot fetches, and the Bot API methods that hand them out.

What simulated users do is queued as updates with increasing ``update_id``s. ``getUpdates`` hands them out as
Telegram does: ``offset`` acknowledges (drops) everything below it, ``limit`` caps a batch, and a ``timeout`` holds
the request open (long polling) until an update arrives or the server stops. ``setWebhook``/``deleteWebhook`` only
record the URL (and can drop what is pending); nothing is pushed to it.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from fakegram.methods import MethodTable
from fakegram.models import JSONDict

__all__ = ["UpdateQueue"]


class UpdateQueue:
    """Updates not yet acknowledged, and the long polls waiting for them.

    ``on_change`` is awaited whenever a long poll starts waiting, so watchers of the server see it.
    """

    def __init__(self, on_change: Callable[[], Awaitable[None]]) -> None:
        self._on_change = on_change
        self.delivered_update_ids: list[int] = []
        self.webhook_url = ""
        self.long_polls = 0
        self._updates: collections.deque[JSONDict] = collections.deque()
        self._next_update_id = 1
        self._last_delivered_id = 0
        self._arrived = asyncio.Condition()
        self._closing = False

    def methods(self) -> MethodTable:
        return {
            "getUpdates": self.get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    def open(self) -> None:
        self._closing = False

    async def close(self) -> None:
        """Answer the pending long polls with no updates, and any later one at once."""
        self._closing = True
        async with self._arrived:
            self._arrived.notify_all()

    async def put(self, kind: str, payload: JSONDict) -> int:
        """Queue an update (``kind`` is its field: ``message``, ``callback_query``, ...); its ``update_id``."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        async with self._arrived:
            self._arrived.notify_all()
        return update_id

    @property
    def pending(self) -> int:
        """Queued updates not yet handed out."""
        count = len(self._updates)
        for update in self._updates:
            if update["update_id"] > self._last_delivered_id:
                break
            count -= 1
        return count

    @property
    def queued(self) -> list[JSONDict]:
        """Updates not yet acknowledged, delivered or not."""
        return list(self._updates)

    async def get_updates(self, params: JSONDict, request: web.Request | None = None) -> Any:
        """``getUpdates``; with the ``request``, a client that went away while it long-polled gets nothing."""
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            self._acknowledge(offset)
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        if isinstance(timeout, int | float) and timeout > 0 and not self._updates and not self._closing:
            self.long_polls += 1
            await self._on_change()
            try:
                async with self._arrived:
                    try:
                        async with asyncio.timeout(timeout):
                            await self._arrived.wait_for(lambda: bool(self._updates) or self._closing)
                    except TimeoutError:
                        pass
            finally:
                self.long_polls -= 1
        if self._closing or (request is not None and request.transport is None):
            return []  # shutting down / the client went away while we long-polled: hand out nothing
        batch = list(itertools.islice(self._updates, limit))
        for update in batch:
            self.delivered_update_ids.append(update["update_id"])
            self._last_delivered_id = max(self._last_delivered_id, update["update_id"])
        return batch

    def _acknowledge(self, offset: int) -> None:
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    async def _delete_webhook(self, params: JSONDict) -> Any:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: JSONDict) -> Any:
        self.webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
