"""The faults a test can inject into the fake server: what makes Telegram refuse or fail a request.

A user who blocked the bot or deleted their account (403 on sending and editing), rate limits on message-sending
methods (429 with ``retry_after``, from token buckets overall, per chat and per group: a group, any chat with a
negative id, has a budget a minute, which ``copyMessages`` spends once whatever it copies) and transient failures of
the next requests (5xx). :meth:`Faults.check` runs before a method does and raises the
:class:`~fakegram.errors.ApiError` Telegram would answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from fakegram.errors import ApiError
from fakegram.models import JSONDict

__all__ = ["Faults"]


class _Bucket:
    """Refilled at ``rate`` tokens a second up to ``capacity``."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, stamp: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = stamp

    def available(self, now: float) -> float:
        return min(self.capacity, self.tokens + (now - self.stamp) * self.rate)


@dataclass(slots=True)
class _Fault:
    remaining: int
    status: int
    methods: frozenset[str] | None


def _is_sending(method: str) -> bool:
    """Methods that create messages (subject to rate limits)."""
    return method.startswith(("send", "copy", "forward")) and method != "sendChatAction"


def _is_chat_targeted(method: str) -> bool:
    """Methods that fail with 403 when the target user blocked the bot / is deactivated."""
    return method.startswith(("send", "copy", "forward", "edit"))


class Faults:
    """Blocked and deactivated chats, rate limits and pending failures, on a monotonic ``clock``."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._blocked: set[int] = set()
        self._deactivated: set[int] = set()
        self._faults: list[_Fault] = []
        self._global_rate: float | None = None
        self._chat_rate: float | None = None
        self._group_per_min: float | None = None
        self._retry_after = 1
        self._global_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._group_buckets: dict[int, _Bucket] = {}

    def block(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def deactivate(self, chat_id: int) -> None:
        self._deactivated.add(chat_id)

    def reactivate(self, chat_id: int) -> None:
        self._deactivated.discard(chat_id)

    def is_deactivated(self, chat_id: int) -> bool:
        return chat_id in self._deactivated

    def rate_limit(
        self,
        global_per_s: float | None,
        per_chat_per_s: float | None,
        retry_after: int,
        per_group_per_min: float | None = None,
    ) -> None:
        self._global_rate = global_per_s
        self._chat_rate = per_chat_per_s
        self._group_per_min = per_group_per_min
        self._retry_after = retry_after
        self._global_bucket = None
        self._chat_buckets.clear()
        self._group_buckets.clear()

    def fail_next(self, count: int, status: int, methods: frozenset[str] | None) -> None:
        """``methods`` are canonical method names; ``None`` is every method but ``getUpdates``."""
        self._faults.append(_Fault(count, status, methods))

    def check(self, method: str, params: JSONDict) -> None:
        """Raise the error Telegram would answer this request with, if a fault applies to it."""
        for fault in self._faults:
            matches = method in fault.methods if fault.methods is not None else method != "getUpdates"
            if fault.remaining > 0 and matches:
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                try:
                    phrase = HTTPStatus(fault.status).phrase
                except ValueError:
                    phrase = "Server Error"
                raise ApiError(fault.status, phrase)
        chat_id = params.get("chat_id")
        if _is_sending(method):
            self._check_rate(chat_id if isinstance(chat_id, int) else None)
        if _is_chat_targeted(method) and isinstance(chat_id, int):
            if chat_id in self._deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_rate(self, chat_id: int | None) -> None:
        if self._global_rate is None and self._chat_rate is None and self._group_per_min is None:
            return
        now = self._clock()
        buckets: list[_Bucket] = []
        if self._global_rate is not None:
            if self._global_bucket is None:
                self._global_bucket = _Bucket(self._global_rate, max(1.0, self._global_rate), now)
            buckets.append(self._global_bucket)
        if self._chat_rate is not None and chat_id is not None:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = self._chat_buckets[chat_id] = _Bucket(self._chat_rate, max(1.0, self._chat_rate), now)
            buckets.append(bucket)
        if self._group_per_min is not None and chat_id is not None and chat_id < 0:
            bucket = self._group_buckets.get(chat_id)
            if bucket is None:  # the whole minute's budget at once, then refilled steadily
                per_min = self._group_per_min
                bucket = self._group_buckets[chat_id] = _Bucket(per_min / 60.0, max(1.0, per_min), now)
            buckets.append(bucket)
        levels = [bucket.available(now) for bucket in buckets]
        allowed = all(level >= 1.0 for level in levels)
        for bucket, level in zip(buckets, levels, strict=True):
            bucket.tokens = level - 1.0 if allowed else level
            bucket.stamp = now
        if not allowed:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {self._retry_after}",
                {"retry_after": self._retry_after},
            )
