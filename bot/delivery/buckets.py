"""Token buckets: how many messages Telegram lets the bot send now, overall and into one chat.

Telegram allows about 30 messages a second overall, about one a second into one private chat and about 20 a minute
into one group. Each limit is a :class:`TokenBucket` (a steady refill with a small burst); :class:`BucketSizes`
turns the configured rates into the bucket a chat gets by its kind (private chats have positive ids; groups and
channels negative ids or an ``@username``), sized so that no 60-second window holds more than a group's budget. The
arithmetic is pure: the caller passes the clock's time in, so the limiter can run on the loop's clock and the tests
on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["EARLY_S", "BucketSizes", "ChatKey", "TokenBucket", "chat_key"]

EARLY_S: Final = 0.001
"""A token due within this time counts as available (saves a timer round trip for float rounding)."""

ChatKey = int | str | None
"""A chat as the limiter knows it: its numeric id, a channel's ``@username``, or None (inline edits)."""


def chat_key(chat_id: object) -> ChatKey:
    """The key of a request's ``chat_id`` parameter (PTB passes ints, but strings of digits work too)."""
    if isinstance(chat_id, int) or chat_id is None:
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text  # @channelusername


class TokenBucket:
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

    def used_recently(self, now: float) -> bool:
        """Whether another message than the one just taken went out within the refill time: the bucket then holds
        less than all but one token. A 429 right after such a message is explained by this bucket's limit."""
        return self.level(now) < self.capacity - 1.0 - EARLY_S


@dataclass(frozen=True, slots=True)
class BucketSizes:
    """The buckets a chat gets, by its kind."""

    per_chat_per_s: float
    per_chat_burst: int
    group_per_s: float
    group_burst: int

    @classmethod
    def of(cls, *, per_chat_per_s: float, per_chat_burst: int, group_per_min: float) -> BucketSizes:
        # Telegram counts group messages per minute: burst + rate * 60 s stays within group_per_min. The burst is
        # a twentieth of the minute (1 of Telegram's 20: 19 a minute then, 95% of the budget; 3 of 600).
        group_burst = max(1, min(per_chat_burst, int(group_per_min) // 20))
        group_per_s = max(group_per_min - group_burst, group_per_min / 2) / 60.0
        return cls(per_chat_per_s, per_chat_burst, group_per_s, group_burst)

    def bucket(self, key: ChatKey, now: float) -> TokenBucket | None:
        """A full bucket for a chat seen for the first time; None for a request without a chat."""
        if key is None:
            return None
        if isinstance(key, int) and key > 0:
            return TokenBucket(self.per_chat_per_s, self.per_chat_burst, now)
        return TokenBucket(self.group_per_s, self.group_burst, now)
