"""One rate limiter for the whole bot: replies to people first, bulk traffic (broadcasts, reminders) after.

Plugged into PTB with ``ApplicationBuilder().rate_limiter(PriorityRateLimiter(...))``; a bot method marks bulk
traffic with ``rate_limit_args={"priority": BULK}``, anything else is interactive. A request may also carry
``rate_limit_args={"still_wanted": check}``: an async callable asked once its turn has come, right before the
request goes to Telegram; if it answers False the request is not sent and raises :class:`Withdrawn` (a
broadcast stopped, or a reminder withdrawn, while the message waited behind others).

Only message-producing methods are limited (``send*`` except ``sendChatAction``, ``copyMessage(s)``,
``forwardMessage(s)``, ``editMessage*``); every other method goes straight through.

Design
------
* Buckets. One overall token bucket (``overall_per_s``, burst half a second's worth) and one bucket per chat:
  private chats (id > 0) ``per_chat_per_s`` with a burst of ``per_chat_burst``; groups and channels (id < 0 or
  ``@username``) ``group_per_min``, sized so that no 60-second window holds more than ``group_per_min``
  messages. A request without ``chat_id`` (inline edits) only needs an overall token.
* Queues. Each chat keeps its own FIFO queues (interactive before bulk within the chat). Only a chat whose
  bucket holds a token takes part in the overall scheduling, with its head request: the chat is then pushed
  on one of two heaps (interactive, bulk) ordered by the request's arrival number. A chat without a token
  waits on a loop timer until its next token, so one busy chat never blocks the others. Whenever an overall
  token is available the interactive heap is served first, then the bulk heap. Heap entries are invalidated
  lazily (an entry is live only while it names the chat's current head), so every operation is O(log n).
* No task. Tokens are handed out by ``_pump``, which resolves waiters' futures; it runs only from loop callbacks
  (``call_soon`` after a request arrives or gives its tokens back, a chat's timer, the overall timer), so
  waiters resume, and requests go to PTB, in exactly the order they were granted. At most one timer for the
  overall bucket and one per waiting chat exist. Nothing polls.
* 429. Telegram does not say which limit was hit, so the limiter judges by the chat. If the chat had other
  messages within its refill time, the chat's own limit explains the 429: only that chat is held for
  ``retry_after`` (+ a small margin), and every other chat goes on. If the chat was quiet (or the request has
  no chat), the bot as a whole is over the limit: *all* limited requests are paused and the overall bucket is
  emptied, so sending resumes at the steady rate instead of a burst. Either way the request goes back to the
  front of its chat's queue (keeping its place in the overall order). After ``max_retries`` retries the error
  is re-raised. Other errors pass through unchanged.
* Cancellation. A cancelled waiter leaves its queue (lazily, O(1)); one cancelled after it was handed its
  tokens but before sending gives them back.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

__all__ = [
    "BULK",
    "INTERACTIVE",
    "PriorityRateLimiter",
    "RateLimiterClosed",
    "RateLimiterStats",
    "Withdrawn",
    "is_limited_endpoint",
]

log = logging.getLogger(__name__)

BULK: Final = "bulk"
"""``rate_limit_args={"priority": BULK}`` marks broadcasts and reminders; anything else is interactive."""
INTERACTIVE: Final = "interactive"

_LIMITED_EXACT: Final = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
_OVERALL_BURST_S: Final = 0.5
"""The overall bucket holds this many seconds' worth of tokens."""
_RETRY_MARGIN_S: Final = 0.1
"""Added to Telegram's ``retry_after`` (which is rounded to whole seconds)."""
_EARLY_S: Final = 0.001
"""A token due within this time counts as available (saves a timer round trip for float rounding)."""
_EVICT_PER_REQUEST: Final = 2

_IDLE: Final = 0
_READY: Final = 1
_COOLING: Final = 2

_Result = bool | JSONDict | list[JSONDict]
_Callback = Callable[..., Coroutine[Any, Any, _Result]]
_ChatKey = int | str | None


def is_limited_endpoint(endpoint: str) -> bool:
    """Whether a Bot API method produces (or edits) a message and so counts toward Telegram's limits."""
    if endpoint.startswith("send"):
        return endpoint != "sendChatAction"
    return endpoint.startswith("editMessage") or endpoint in _LIMITED_EXACT


def _retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class RateLimiterClosed(RuntimeError):
    """Raised to requests still waiting when the limiter is shut down (they were not sent)."""


class Withdrawn(RuntimeError):
    """Raised instead of sending a request whose ``still_wanted`` check said it is no longer wanted."""


@dataclass(slots=True)
class RateLimiterStats:
    """Counters since the limiter was created (never reset)."""

    requests: int = 0
    """Limited requests (each counted once, however often it was retried)."""
    passed_through: int = 0
    """Requests of methods that are not limited."""
    interactive: int = 0
    bulk: int = 0
    retried_429: int = 0
    """Retries after a 429."""
    gave_up_429: int = 0
    """Requests whose 429 was re-raised after ``max_retries`` retries."""
    waited_429_s: float = 0.0
    """Total time all limited sending was paused because of 429s."""
    held_chats_429: int = 0
    """429s that held back only their own chat (the chat's limit explained them)."""
    cancelled: int = 0
    """Waiters cancelled before they were sent."""
    withdrawn: int = 0
    """Requests whose ``still_wanted`` check said no when their turn came."""
    max_wait_interactive_s: float = 0.0
    max_wait_bulk_s: float = 0.0

    @property
    def by_priority(self) -> dict[str, int]:
        return {INTERACTIVE: self.interactive, BULK: self.bulk}


class _Bucket:
    """A token bucket; ``tokens`` may go slightly negative (a debt paid back by the refill)."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def level(self, now: float) -> float:
        if now <= self.stamp:
            return self.tokens
        return min(self.capacity, self.tokens + (now - self.stamp) * self.rate)

    def ready_at(self, now: float) -> float:
        """When the bucket holds a whole token (``now`` if it does)."""
        start = max(now, self.stamp)
        level = self.level(start)
        if level >= 1.0:
            return start
        return start + (1.0 - level) / self.rate

    def take(self, now: float) -> None:
        self.tokens = self.level(now) - 1.0
        self.stamp = max(now, self.stamp)

    def give_back(self, now: float) -> None:
        self.tokens = min(self.capacity, self.level(now) + 1.0)
        self.stamp = max(now, self.stamp)

    def drain_until(self, now: float, until: float) -> None:
        """Empty the bucket and refill it only from ``until`` on."""
        self.tokens = min(0.0, self.level(now))
        self.stamp = max(self.stamp, until)

    def hold_until(self, until: float) -> None:
        """Nothing until ``until``, then one token (a 429's ``retry_after`` for this chat)."""
        self.tokens = 1.0
        self.stamp = until

    def is_full(self, now: float) -> bool:
        return self.level(now) >= self.capacity


class _Request:
    __slots__ = ("chat", "enqueued_at", "future", "interactive", "seq", "waiting")

    def __init__(self, seq: int, interactive: bool, chat: _Chat, now: float) -> None:
        self.seq = seq
        self.interactive = interactive
        self.chat = chat
        self.enqueued_at = now
        self.future: asyncio.Future[None] | None = None
        self.waiting = False
        """In its chat's queue (not yet handed its tokens, not cancelled)."""


class _Chat:
    __slots__ = ("bucket", "bulk", "entry_seq", "interactive", "key", "live", "state", "timer")

    def __init__(self, key: _ChatKey, bucket: _Bucket | None) -> None:
        self.key = key
        self.bucket = bucket
        self.interactive: deque[_Request] = deque()
        self.bulk: deque[_Request] = deque()
        self.live = 0
        """Waiting requests (the deques may also hold withdrawn ones, dropped when they reach the head)."""
        self.state = _IDLE
        self.entry_seq = -1
        """While ready: the arrival number of the head request, whose heap entry is the live one."""
        self.timer: asyncio.TimerHandle | None = None

    def head(self) -> _Request | None:
        for queue in (self.interactive, self.bulk):
            while queue and not queue[0].waiting:
                queue.popleft()
            if queue:
                return queue[0]
        return None


_Entry = tuple[int, int, _Chat]


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Keeps the bot under Telegram's limits; interactive replies go before bulk traffic."""

    def __init__(
        self,
        *,
        overall_per_s: float = 30.0,
        per_chat_per_s: float = 1.0,
        per_chat_burst: int = 3,
        group_per_min: float = 20.0,
        max_retries: int = 5,
    ) -> None:
        if overall_per_s <= 0 or per_chat_per_s <= 0 or group_per_min <= 0:
            raise ValueError("rates must be positive")
        if per_chat_burst < 1:
            raise ValueError("per_chat_burst must be at least 1")
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        self.overall_per_s = overall_per_s
        self.overall_burst = max(1.0, math.floor(overall_per_s * _OVERALL_BURST_S))
        self.per_chat_per_s = per_chat_per_s
        self.per_chat_burst = per_chat_burst
        # Telegram counts group messages per minute: burst + rate * 60 s stays within group_per_min.
        self.group_burst = max(1, min(per_chat_burst, int(group_per_min) // 2))
        self.group_per_s = max(group_per_min - self.group_burst, group_per_min / 2) / 60.0
        self.max_retries = max_retries
        self.stats = RateLimiterStats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seq = itertools.count()
        self._tiebreak = itertools.count()
        self._reset()

    def _reset(self) -> None:
        self._overall: _Bucket | None = None
        self._chats: dict[_ChatKey, _Chat] = {}
        self._idle: OrderedDict[_ChatKey, _Chat] = OrderedDict()
        self._heaps: tuple[list[_Entry], list[_Entry]] = ([], [])  # interactive, bulk
        self._waiting = 0
        self._paused_until = 0.0
        self._wake_handle: asyncio.TimerHandle | None = None
        self._wake_at = 0.0
        self._soon_handle: asyncio.Handle | None = None

    # ------------------------------------------------------------------ BaseRateLimiter

    async def initialize(self) -> None:
        self._bind(asyncio.get_running_loop())

    async def shutdown(self) -> None:
        """Cancel the timers; requests still waiting get :class:`RateLimiterClosed` (they were not sent)."""
        failed = 0
        for chat in self._chats.values():
            if chat.timer is not None:
                chat.timer.cancel()
            for queue in (chat.interactive, chat.bulk):
                for request in queue:
                    if request.waiting and request.future is not None and not request.future.done():
                        request.future.set_exception(RateLimiterClosed("rate limiter shut down"))
                        failed += 1
        for handle in (self._wake_handle, self._soon_handle):
            if handle is not None:
                handle.cancel()
        if failed:
            log.warning("Rate limiter shut down with %d requests still waiting", failed)
        self._reset()
        self._loop = None

    async def process_request(
        self,
        callback: _Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> _Result:
        if not is_limited_endpoint(endpoint):
            self.stats.passed_through += 1
            return await callback(*args, **kwargs)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        args_given = rate_limit_args if isinstance(rate_limit_args, dict) else {}
        interactive = args_given.get("priority") != BULK
        still_wanted: Callable[[], Awaitable[bool]] | None = args_given.get("still_wanted")
        self.stats.requests += 1
        if interactive:
            self.stats.interactive += 1
        else:
            self.stats.bulk += 1
        now = loop.time()
        chat = self._chat(data.get("chat_id"), now)
        request = _Request(next(self._seq), interactive, chat, now)
        retries = 0
        while True:
            await self._acquire(request, loop, front=retries > 0)
            if still_wanted is not None and not await still_wanted():
                self.stats.withdrawn += 1
                self._give_back(request)
                raise Withdrawn(f"{endpoint} withdrawn before sending")
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                delay = _retry_after_seconds(error)
                whole_bot = not self._hold_chat(chat, delay, loop)
                if whole_bot:
                    self._pause(delay, loop)
                if retries >= self.max_retries:
                    self.stats.gave_up_429 += 1
                    log.warning(
                        "429 on %s for chat %s: giving up after %d retries (retry_after %.1f s)",
                        endpoint,
                        chat.key,
                        retries,
                        delay,
                    )
                    raise
                retries += 1
                self.stats.retried_429 += 1
                log.warning(
                    "429 on %s for chat %s: holding %s for %.1f s (retry %d of %d)",
                    endpoint,
                    chat.key,
                    "all sends" if whole_bot else "this chat",
                    delay,
                    retries,
                    self.max_retries,
                )

    # ------------------------------------------------------------------ introspection

    @property
    def waiting(self) -> int:
        """Limited requests currently waiting for their tokens."""
        return self._waiting

    @property
    def paused_for(self) -> float:
        """Seconds left of the current 429 pause (0 when not paused)."""
        if self._loop is None:
            return 0.0
        return max(0.0, self._paused_until - self._loop.time())

    # ------------------------------------------------------------------ waiting

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is loop:
            return
        if self._waiting:
            raise RuntimeError("PriorityRateLimiter is in use by another event loop")
        self._reset()
        self._loop = loop

    async def _acquire(self, request: _Request, loop: asyncio.AbstractEventLoop, *, front: bool) -> None:
        """Wait until ``request`` may be sent: chat token, overall token, priority and no 429 pause."""
        while True:
            if loop is not self._loop:
                self._bind(loop)  # shut down meanwhile (a retry after shutdown)
            if self._chats.get(request.chat.key) is not request.chat:
                request.chat = self._chat(request.chat.key, loop.time())  # forgotten while the request was sent
            future: asyncio.Future[None] = loop.create_future()
            request.future = future
            self._enqueue(request, front=front)
            self._pump_soon()
            try:
                await future
            except asyncio.CancelledError:
                if not future.done() or future.cancelled():
                    self._withdraw(request)
                elif future.exception() is None:
                    self._give_back(request)  # handed its tokens, but will not send
                raise
            if loop.time() >= self._paused_until:
                break
            # A 429 arrived between the hand-out and now: give the tokens back and queue again in front.
            self._give_back(request)
            front = True
        wait = loop.time() - request.enqueued_at
        if request.interactive:
            self.stats.max_wait_interactive_s = max(self.stats.max_wait_interactive_s, wait)
        else:
            self.stats.max_wait_bulk_s = max(self.stats.max_wait_bulk_s, wait)

    def _now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    def _chat(self, chat_id: Any, now: float) -> _Chat:
        key: _ChatKey
        if isinstance(chat_id, int) or chat_id is None:
            key = chat_id
        else:
            text = str(chat_id)
            try:
                key = int(text)
            except ValueError:
                key = text  # @channelusername
        self._evict(now)
        chat = self._chats.get(key)
        if chat is None:
            bucket: _Bucket | None
            if key is None:
                bucket = None
            elif isinstance(key, int) and key > 0:
                bucket = _Bucket(self.per_chat_per_s, self.per_chat_burst, now)
            else:
                bucket = _Bucket(self.group_per_s, self.group_burst, now)
            chat = self._chats[key] = _Chat(key, bucket)
            self._idle[key] = chat
        return chat

    def _evict(self, now: float) -> None:
        """Forget a few idle chats whose bucket has refilled (a new one would be identical)."""
        for _ in range(_EVICT_PER_REQUEST):
            if not self._idle:
                return
            key, chat = next(iter(self._idle.items()))
            if chat.bucket is not None and not chat.bucket.is_full(now):
                return
            del self._idle[key]
            del self._chats[key]

    def _enqueue(self, request: _Request, *, front: bool) -> None:
        chat = request.chat
        queue = chat.interactive if request.interactive else chat.bulk
        if front:
            queue.appendleft(request)
        else:
            queue.append(request)
        request.waiting = True
        chat.live += 1
        self._waiting += 1
        if chat.state == _IDLE:
            self._activate(chat)
        elif chat.state == _READY:
            self._push_head(chat)

    def _withdraw(self, request: _Request) -> None:
        if not request.waiting:
            return
        request.waiting = False
        chat = request.chat
        chat.live -= 1
        self._waiting -= 1
        self.stats.cancelled += 1
        if chat.live == 0:
            self._deactivate(chat)
        elif chat.state == _READY:
            self._push_head(chat)

    def _give_back(self, request: _Request) -> None:
        now = self._now()
        if self._overall is not None:
            self._overall.give_back(now)
        chat = request.chat
        if chat.bucket is not None:
            chat.bucket.give_back(now)
        if chat.state == _COOLING:
            self._reconsider(chat)
        self._pump_soon()

    # ------------------------------------------------------------------ chat states

    def _activate(self, chat: _Chat) -> None:
        """An idle chat got waiting requests: ready if it holds a token, else cooling until it does."""
        self._idle.pop(chat.key, None)
        now = self._now()
        at = now if chat.bucket is None else chat.bucket.ready_at(now)
        if at <= now + _EARLY_S:
            chat.state = _READY
            chat.entry_seq = -1
            self._push_head(chat)
        else:
            assert self._loop is not None
            chat.state = _COOLING
            chat.timer = self._loop.call_at(at, self._chat_refilled, chat)

    def _reconsider(self, chat: _Chat) -> None:
        """A waiting chat's bucket changed: ready or cooling again by its new level (a ready chat's heap entry goes
        stale, a cooling chat's timer is cancelled)."""
        if chat.timer is not None:
            chat.timer.cancel()
            chat.timer = None
        chat.state = _IDLE
        chat.entry_seq = -1
        self._activate(chat)

    def _deactivate(self, chat: _Chat) -> None:
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

    def _chat_refilled(self, chat: _Chat) -> None:
        chat.timer = None
        if chat.state != _COOLING:
            return
        chat.state = _IDLE
        if chat.live:
            self._activate(chat)
            self._pump()
        else:
            self._deactivate(chat)

    def _push_head(self, chat: _Chat) -> None:
        """Make sure the ready chat's current head request has a live heap entry."""
        head = chat.head()
        if head is None:
            self._deactivate(chat)
            return
        if head.seq != chat.entry_seq:
            chat.entry_seq = head.seq
            heap = self._heaps[0 if head.interactive else 1]
            heapq.heappush(heap, (head.seq, next(self._tiebreak), chat))

    # ------------------------------------------------------------------ handing out tokens

    def _top_heap(self) -> list[_Entry] | None:
        """The heap to serve next (interactive first), dropping stale entries; None when nobody waits."""
        for heap in self._heaps:
            while heap:
                seq, _, chat = heap[0]
                if chat.state == _READY and chat.entry_seq == seq:
                    return heap
                heapq.heappop(heap)
        return None

    def _pump_soon(self) -> None:
        """Pump from a loop callback, never inside a waiter's own step.

        Waiters resume in the order their futures were resolved, so handing out tokens only from callbacks
        keeps the order in which requests are sent the order in which they were granted.
        """
        if self._soon_handle is None and self._loop is not None:
            self._soon_handle = self._loop.call_soon(self._pump_now)

    def _pump_now(self) -> None:
        self._soon_handle = None
        self._pump()

    def _pump(self) -> None:
        """Hand out every token that is available now; schedule one wake-up for the next one."""
        if self._loop is None:
            return
        now = self._loop.time()
        if self._overall is None:
            self._overall = _Bucket(self.overall_per_s, self.overall_burst, now)
        while (heap := self._top_heap()) is not None:
            if now < self._paused_until:
                self._wake(self._paused_until)
                return
            at = self._overall.ready_at(now)
            if at > now + _EARLY_S:
                self._wake(at)
                return
            _, _, chat = heapq.heappop(heap)
            self._grant(chat, now)

    def _grant(self, chat: _Chat, now: float) -> None:
        request = chat.head()
        assert request is not None and request.seq == chat.entry_seq
        (chat.interactive if request.interactive else chat.bulk).popleft()
        request.waiting = False
        chat.live -= 1
        self._waiting -= 1
        assert self._overall is not None
        self._overall.take(now)
        if chat.bucket is not None:
            chat.bucket.take(now)
        chat.state = _IDLE
        chat.entry_seq = -1
        if chat.live:
            self._activate(chat)
        else:
            self._deactivate(chat)
        assert request.future is not None
        request.future.set_result(None)

    def _wake(self, at: float) -> None:
        if self._wake_handle is not None:
            if self._wake_at <= at:
                return
            self._wake_handle.cancel()
        assert self._loop is not None
        self._wake_at = at
        self._wake_handle = self._loop.call_at(at, self._woken)

    def _woken(self) -> None:
        self._wake_handle = None
        self._pump()

    def _hold_chat(self, chat: _Chat, delay: float, loop: asyncio.AbstractEventLoop) -> bool:
        """Hold back only ``chat`` for ``delay`` if its own limit explains a 429; False if it does not.

        The chat's limit explains it when the chat had another message within its refill time: its bucket then
        holds less than all but the one token this request took.
        """
        bucket = chat.bucket
        now = loop.time()
        if bucket is None or bucket.level(now) >= bucket.capacity - 1.0 - _EARLY_S:
            return False
        self.stats.held_chats_429 += 1
        bucket.hold_until(now + max(0.0, delay) + _RETRY_MARGIN_S)
        if chat.state != _IDLE:
            self._reconsider(chat)
        return True

    def _pause(self, delay: float, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        until = now + max(0.0, delay) + _RETRY_MARGIN_S
        if until <= self._paused_until:
            return
        self.stats.waited_429_s += until - max(now, self._paused_until)
        self._paused_until = until
        if self._overall is not None:
            self._overall.drain_until(now, until)
