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
* Buckets (bot/delivery/buckets.py). One overall token bucket (``overall_per_s``, burst half a second's worth) and
  one bucket per chat: private chats ``per_chat_per_s`` with a burst of ``per_chat_burst``, groups and channels
  ``group_per_min``. A request without ``chat_id`` (inline edits) only needs an overall token.
* Lanes (bot/delivery/lanes.py). Per-chat queues; chats holding a token wait on two heaps, interactive served
  first. Whenever an overall token is available the next request of the lanes gets it.
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
import itertools
import logging
import math
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.buckets import EARLY_S, BucketSizes, TokenBucket
from bot.delivery.lanes import ChatLane, Lanes, Request

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

_Result = bool | JSONDict | list[JSONDict]
_Callback = Callable[..., Coroutine[Any, Any, _Result]]


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
        self.sizes = BucketSizes.of(
            per_chat_per_s=per_chat_per_s, per_chat_burst=per_chat_burst, group_per_min=group_per_min
        )
        self.max_retries = max_retries
        self.stats = RateLimiterStats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seq = itertools.count()
        self._reset()

    @property
    def group_per_s(self) -> float:
        """A group's steady rate, per second (its budget per minute less the burst, spread over the minute)."""
        return self.sizes.group_per_s

    @property
    def group_burst(self) -> int:
        """The messages a quiet group may take at once."""
        return self.sizes.group_burst

    def _reset(self) -> None:
        self._overall: TokenBucket | None = None
        self._lanes: Lanes | None = None
        self._paused_until = 0.0
        self._wake_handle: asyncio.TimerHandle | None = None
        self._wake_at = 0.0
        self._soon_handle: asyncio.Handle | None = None

    # ------------------------------------------------------------------ BaseRateLimiter

    async def initialize(self) -> None:
        self._bind(asyncio.get_running_loop())

    async def shutdown(self) -> None:
        """Cancel the timers; requests still waiting get :class:`RateLimiterClosed` (they were not sent)."""
        failed = 0 if self._lanes is None else self._lanes.close(RateLimiterClosed("rate limiter shut down"))
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
        lanes = self._bind(loop)
        args_given = rate_limit_args if isinstance(rate_limit_args, dict) else {}
        interactive = args_given.get("priority") != BULK
        still_wanted: Callable[[], Awaitable[bool]] | None = args_given.get("still_wanted")
        self.stats.requests += 1
        if interactive:
            self.stats.interactive += 1
        else:
            self.stats.bulk += 1
        now = loop.time()
        request = Request(next(self._seq), interactive, lanes.chat(data.get("chat_id"), now), now)
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
                whole_bot = not self._hold_chat(request.chat, delay, loop)
                if whole_bot:
                    self._pause(delay, loop)
                if retries >= self.max_retries:
                    self.stats.gave_up_429 += 1
                    log.warning(
                        "429 on %s for chat %s: giving up after %d retries (retry_after %.1f s)",
                        endpoint,
                        request.chat.key,
                        retries,
                        delay,
                    )
                    raise
                retries += 1
                self.stats.retried_429 += 1
                log.warning(
                    "429 on %s for chat %s: holding %s for %.1f s (retry %d of %d)",
                    endpoint,
                    request.chat.key,
                    "all sends" if whole_bot else "this chat",
                    delay,
                    retries,
                    self.max_retries,
                )

    # ------------------------------------------------------------------ introspection

    @property
    def waiting(self) -> int:
        """Limited requests currently waiting for their tokens."""
        return 0 if self._lanes is None else self._lanes.waiting

    @property
    def paused_for(self) -> float:
        """Seconds left of the current 429 pause (0 when not paused)."""
        if self._loop is None:
            return 0.0
        return max(0.0, self._paused_until - self._loop.time())

    # ------------------------------------------------------------------ waiting

    def _bind(self, loop: asyncio.AbstractEventLoop) -> Lanes:
        if self._loop is not loop or self._lanes is None:
            if self.waiting:
                raise RuntimeError("PriorityRateLimiter is in use by another event loop")
            self._reset()
            self._loop = loop
            self._lanes = Lanes(self.sizes, loop, self._pump)
        return self._lanes

    async def _acquire(self, request: Request, loop: asyncio.AbstractEventLoop, *, front: bool) -> None:
        """Wait until ``request`` may be sent: chat token, overall token, priority and no 429 pause."""
        while True:
            lanes = self._bind(loop)  # shut down meanwhile (a retry after shutdown) binds anew
            request.chat = lanes.current(request.chat, loop.time())
            future: asyncio.Future[None] = loop.create_future()
            request.future = future
            lanes.enqueue(request, front=front)
            self._pump_soon()
            try:
                await future
            except asyncio.CancelledError:
                if not future.done() or future.cancelled():
                    if lanes.withdraw(request):
                        self.stats.cancelled += 1
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

    def _give_back(self, request: Request) -> None:
        assert self._loop is not None and self._lanes is not None
        now = self._loop.time()
        if self._overall is not None:
            self._overall.give_back(now)
        chat = request.chat
        if chat.bucket is not None:
            chat.bucket.give_back(now)
        if chat.cooling:
            self._lanes.changed(chat)
        self._pump_soon()

    # ------------------------------------------------------------------ handing out tokens

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
        if self._loop is None or self._lanes is None:
            return
        now = self._loop.time()
        if self._overall is None:
            self._overall = TokenBucket(self.overall_per_s, self.overall_burst, now)
        while self._lanes.ready():
            if now < self._paused_until:
                self._wake(self._paused_until)
                return
            at = self._overall.ready_at(now)
            if at > now + EARLY_S:
                self._wake(at)
                return
            request = self._lanes.grant(now)
            self._overall.take(now)
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

    def _hold_chat(self, chat: ChatLane, delay: float, loop: asyncio.AbstractEventLoop) -> bool:
        """Hold back only ``chat`` for ``delay`` if its own limit explains a 429; False if it does not."""
        bucket = chat.bucket
        now = loop.time()
        if bucket is None or not bucket.used_recently(now):
            return False
        self.stats.held_chats_429 += 1
        bucket.hold_until(now + max(0.0, delay) + _RETRY_MARGIN_S)
        assert self._lanes is not None
        self._lanes.changed(chat)
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
