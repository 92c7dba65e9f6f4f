"""The rate limiter's lanes: which waiting request goes next once a token is free.

Each chat keeps its own FIFO queues (interactive before bulk within the chat). Only a chat whose bucket holds a
token takes part in the overall scheduling, with its head request: the chat is then pushed on one of two heaps
(interactive, bulk) ordered by the request's arrival number, and the interactive heap is always served first, so
bulk traffic takes what replies to people leave. A chat without a token waits on a loop timer until its next token
(cooling), so one busy chat never blocks the others. Heap entries are invalidated lazily (an entry is live only while
it names the chat's current head), so every operation is O(log n). Chats whose bucket has refilled are forgotten a
few at a time, since a new one would be identical.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Final

from bot.delivery.buckets import EARLY_S, BucketSizes, ChatKey, TokenBucket, chat_key

__all__ = ["ChatLane", "Lanes", "Request"]

_EVICT_PER_REQUEST: Final = 2

_IDLE: Final = 0
_READY: Final = 1
_COOLING: Final = 2


class Request:
    """One limited request waiting for (or handed) its tokens."""

    __slots__ = ("chat", "enqueued_at", "future", "interactive", "seq", "waiting")

    def __init__(self, seq: int, interactive: bool, chat: ChatLane, now: float) -> None:
        self.seq = seq
        self.interactive = interactive
        self.chat = chat
        self.enqueued_at = now
        self.future: asyncio.Future[None] | None = None
        self.waiting = False
        """In its chat's queue (not yet handed its tokens, not cancelled)."""


class ChatLane:
    """One chat's bucket and queues, and whether it is idle, ready (on a heap) or cooling (on a timer)."""

    __slots__ = ("bucket", "bulk", "entry_seq", "interactive", "key", "live", "state", "timer")

    def __init__(self, key: ChatKey, bucket: TokenBucket | None) -> None:
        self.key = key
        self.bucket = bucket
        self.interactive: deque[Request] = deque()
        self.bulk: deque[Request] = deque()
        self.live = 0
        """Waiting requests (the deques may also hold withdrawn ones, dropped when they reach the head)."""
        self.state = _IDLE
        self.entry_seq = -1
        """While ready: the arrival number of the head request, whose heap entry is the live one."""
        self.timer: asyncio.TimerHandle | None = None

    def head(self) -> Request | None:
        for queue in (self.interactive, self.bulk):
            while queue and not queue[0].waiting:
                queue.popleft()
            if queue:
                return queue[0]
        return None

    @property
    def cooling(self) -> bool:
        """Waiting on a timer for its bucket's next token."""
        return self.state == _COOLING

    def requests(self) -> list[Request]:
        return [*self.interactive, *self.bulk]


_Entry = tuple[int, int, ChatLane]


class Lanes:
    """Every chat the limiter knows, on one event loop. `on_refill` runs when a cooling chat got its token."""

    def __init__(self, sizes: BucketSizes, loop: asyncio.AbstractEventLoop, on_refill: Callable[[], None]) -> None:
        self._sizes = sizes
        self._loop = loop
        self._on_refill = on_refill
        self._chats: dict[ChatKey, ChatLane] = {}
        self._idle: OrderedDict[ChatKey, ChatLane] = OrderedDict()
        self._heaps: tuple[list[_Entry], list[_Entry]] = ([], [])  # interactive, bulk
        self._tiebreak = itertools.count()
        self.waiting = 0
        """Requests in the queues, not yet handed their tokens."""

    def chat(self, chat_id: object, now: float) -> ChatLane:
        """The lane of a request's ``chat_id``, made on first use."""
        key = chat_key(chat_id)
        self._evict(now)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = ChatLane(key, self._sizes.bucket(key, now))
            self._idle[key] = chat
        return chat

    def current(self, chat: ChatLane, now: float) -> ChatLane:
        """The chat's lane now: a new one if it was forgotten while the request was being sent."""
        return chat if self._chats.get(chat.key) is chat else self.chat(chat.key, now)

    def close(self, closed: Exception) -> int:
        """Cancel the timers and fail every waiting request with `closed`; returns how many there were."""
        failed = 0
        for chat in self._chats.values():
            if chat.timer is not None:
                chat.timer.cancel()
            for request in chat.requests():
                if request.waiting and request.future is not None and not request.future.done():
                    request.future.set_exception(closed)
                    failed += 1
        return failed

    def enqueue(self, request: Request, *, front: bool) -> None:
        chat = request.chat
        queue = chat.interactive if request.interactive else chat.bulk
        if front:
            queue.appendleft(request)
        else:
            queue.append(request)
        request.waiting = True
        chat.live += 1
        self.waiting += 1
        if chat.state == _IDLE:
            self._activate(chat)
        elif chat.state == _READY:
            self._push_head(chat)

    def withdraw(self, request: Request) -> bool:
        """Take a cancelled request out of its queue (lazily); False if it was no longer waiting."""
        if not request.waiting:
            return False
        request.waiting = False
        chat = request.chat
        chat.live -= 1
        self.waiting -= 1
        if chat.live == 0:
            self._deactivate(chat)
        elif chat.state == _READY:
            self._push_head(chat)
        return True

    def changed(self, chat: ChatLane) -> None:
        """The chat's bucket changed (a token given back, a 429 hold): ready or cooling again by its new level."""
        if chat.state == _IDLE:
            return
        if chat.timer is not None:
            chat.timer.cancel()
            chat.timer = None
        chat.state = _IDLE
        chat.entry_seq = -1
        self._activate(chat)

    def ready(self) -> bool:
        """Whether a chat with a token has a request waiting."""
        return self._top_heap() is not None

    def grant(self, now: float) -> Request:
        """Hand the chat token to the next request, interactive first (call only when `ready`)."""
        heap = self._top_heap()
        assert heap is not None
        _, _, chat = heapq.heappop(heap)
        request = chat.head()
        assert request is not None and request.seq == chat.entry_seq
        (chat.interactive if request.interactive else chat.bulk).popleft()
        request.waiting = False
        chat.live -= 1
        self.waiting -= 1
        if chat.bucket is not None:
            chat.bucket.take(now)
        chat.state = _IDLE
        chat.entry_seq = -1
        if chat.live:
            self._activate(chat)
        else:
            self._deactivate(chat)
        return request

    def _evict(self, now: float) -> None:
        for _ in range(_EVICT_PER_REQUEST):
            if not self._idle:
                return
            key, chat = next(iter(self._idle.items()))
            if chat.bucket is not None and not chat.bucket.is_full(now):
                return
            del self._idle[key]
            del self._chats[key]

    def _activate(self, chat: ChatLane) -> None:
        """An idle chat got waiting requests: ready if it holds a token, else cooling until it does."""
        self._idle.pop(chat.key, None)
        now = self._loop.time()
        at = now if chat.bucket is None else chat.bucket.ready_at(now)
        if at <= now + EARLY_S:
            chat.state = _READY
            chat.entry_seq = -1
            self._push_head(chat)
        else:
            chat.state = _COOLING
            chat.timer = self._loop.call_at(at, self._refilled, chat)

    def _deactivate(self, chat: ChatLane) -> None:
        if chat.timer is not None:
            chat.timer.cancel()
            chat.timer = None
        chat.state = _IDLE
        chat.entry_seq = -1
        chat.interactive.clear()
        chat.bulk.clear()
        if self._chats.get(chat.key) is chat:
            self._idle[chat.key] = chat
            self._idle.move_to_end(chat.key)

    def _refilled(self, chat: ChatLane) -> None:
        chat.timer = None
        if chat.state != _COOLING:
            return
        chat.state = _IDLE
        if chat.live:
            self._activate(chat)
            self._on_refill()
        else:
            self._deactivate(chat)

    def _push_head(self, chat: ChatLane) -> None:
        """Make sure the ready chat's current head request has a live heap entry."""
        head = chat.head()
        if head is None:
            self._deactivate(chat)
            return
        if head.seq != chat.entry_seq:
            chat.entry_seq = head.seq
            heap = self._heaps[0 if head.interactive else 1]
            heapq.heappush(heap, (head.seq, next(self._tiebreak), chat))

    def _top_heap(self) -> list[_Entry] | None:
        """The heap to serve next (interactive first), dropping stale entries; None when nobody waits."""
        for heap in self._heaps:
            while heap:
                seq, _, chat = heap[0]
                if chat.state == _READY and chat.entry_seq == seq:
                    return heap
                heapq.heappop(heap)
        return None
