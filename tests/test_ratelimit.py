"""PriorityRateLimiter: against fakegram with a real PTB ExtBot, plus a few unit tests with a fake callback.

Timing assertions are kept to properties about rates and ordering, with generous slack.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.ratelimit import (
    BULK,
    PriorityRateLimiter,
    RateLimiterClosed,
    _retry_after_seconds,
    is_limited_endpoint,
)
from fakegram import FakeTelegram
from fakegram.models import RecordedRequest

BULK_ARGS: dict[str, Any] = {"priority": BULK}


@asynccontextmanager
async def limited_bot(server: FakeTelegram, limiter: PriorityRateLimiter) -> AsyncIterator[ExtBot[dict[str, Any]]]:
    bot: ExtBot[dict[str, Any]] = ExtBot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url, rate_limiter=limiter
    )
    async with bot:
        yield bot


def sent(server: FakeTelegram, chat_id: int | None = None) -> list[RecordedRequest]:
    """sendMessage requests (in arrival order), optionally of one chat."""
    requests = [r for r in server.requests_for("sendMessage") if chat_id is None or r.params["chat_id"] == chat_id]
    return sorted(requests, key=lambda r: r.at)


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def eventually(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 (limiter and recorder state have no event to wait on)
            await asyncio.sleep(0.005)


class Recorder:
    """A fake PTB callback: records (chat_id, loop time) per call; optional errors to raise first."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, float]] = []
        self.errors: dict[Any, list[Exception]] = {}

    async def __call__(self, endpoint: str, data: dict[str, Any], **_: Any) -> bool:
        self.calls.append((data.get("chat_id"), asyncio.get_running_loop().time()))
        pending = self.errors.get(data.get("chat_id"))
        if pending:
            raise pending.pop(0)
        return True

    @property
    def chats(self) -> list[Any]:
        return [chat for chat, _ in self.calls]

    def times(self, chat_id: Any) -> list[float]:
        return [at for chat, at in self.calls if chat == chat_id]


async def call(
    limiter: PriorityRateLimiter,
    recorder: Recorder,
    chat_id: Any,
    *,
    bulk: bool = False,
    endpoint: str = "sendMessage",
) -> Any:
    data = {"chat_id": chat_id, "text": "x"}
    return await limiter.process_request(recorder, (endpoint, data), {}, endpoint, data, BULK_ARGS if bulk else None)


# ------------------------------------------------------------------------------------------ against fakegram


async def test_under_the_limit_everything_is_sent(server: FakeTelegram) -> None:
    limiter = PriorityRateLimiter()
    users = [server.user(100 + i) for i in range(5)]
    async with limited_bot(server, limiter) as bot:
        await asyncio.gather(
            *(bot.send_message(u.chat_id, "halo") for u in users),
            *(bot.send_message(users[0].chat_id, f"lagi {i}") for i in range(2)),  # within the chat's burst of 3
            bot.send_chat_action(users[1].chat_id, "typing"),
            bot.get_me(),
        )
    assert len(sent(server)) == 7
    assert all(r.ok for r in server.requests)
    assert (limiter.stats.requests, limiter.stats.interactive, limiter.stats.bulk) == (7, 7, 0)
    assert limiter.stats.passed_through >= 2  # getMe (initialize + explicit), sendChatAction
    assert limiter.stats.retried_429 == 0
    assert limiter.waiting == 0


async def test_unlimited_methods_do_not_wait_and_queued_sends_can_be_cancelled(server: FakeTelegram) -> None:
    limiter = PriorityRateLimiter(overall_per_s=2)  # burst 1: one goes at once, the others wait
    users = [server.user(200 + i) for i in range(4)]
    async with limited_bot(server, limiter) as bot:
        tasks = [asyncio.create_task(bot.send_message(u.chat_id, "siaran", rate_limit_args=BULK_ARGS)) for u in users]
        await eventually(lambda: len(sent(server)) == 1 and limiter.waiting == 3)
        assert (await bot.get_me()).id == server.bot_id
        assert await bot.send_chat_action(users[3].chat_id, "typing")
        assert await bot.set_my_commands([("start", "Mulai")])
        assert limiter.waiting == 3  # the bulk sends are still queued: nothing above waited behind them
        for task in tasks[1:]:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results[1:])
        assert limiter.waiting == 0
        assert limiter.stats.cancelled == 3
        await bot.send_message(users[1].chat_id, "masih jalan")  # the queue is not stuck
    assert [r.params["chat_id"] for r in sent(server)] == [users[0].chat_id, users[1].chat_id]


async def test_overall_rate_is_respected(server: FakeTelegram) -> None:
    limiter = Recording(overall_per_s=50)
    users = [server.user(1000 + i) for i in range(150)]
    async with limited_bot(server, limiter) as bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(u.chat_id, "info", rate_limit_args=BULK_ARGS) for u in users))
        elapsed = time.monotonic() - started
    assert [r.status for r in sent(server)] == [200] * 150
    assert all(len(u.messages) == 1 for u in users)
    # Measured where the limiter lets requests go: on the server, HTTP jitter under load can bunch them up.
    assert max_in_window([at for _, at in limiter.dispatched], 1.0) <= 50 + limiter.overall_burst + 1
    assert elapsed >= (150 - limiter.overall_burst) / 50 * 0.9  # it really was throttled
    assert limiter.stats.bulk == 150


async def test_per_chat_budget_without_blocking_other_chats(server: FakeTelegram) -> None:
    limiter = PriorityRateLimiter(overall_per_s=100, per_chat_per_s=2, per_chat_burst=2)
    busy = server.user(1)
    others = [server.user(2 + i) for i in range(4)]
    async with limited_bot(server, limiter) as bot:
        busy_sends = [asyncio.create_task(bot.send_message(busy.chat_id, str(i))) for i in range(6)]
        await asyncio.sleep(0)  # queued in this order
        await asyncio.gather(*(bot.send_message(u.chat_id, "cepat") for u in others))
        await asyncio.gather(*busy_sends)
    # FIFO within the chat (the burst of two goes out together, so those two may arrive either way round).
    assert {m.text for m in busy.messages[:2]} == {"0", "1"}
    assert [m.text for m in busy.messages[2:]] == ["2", "3", "4", "5"]
    times = [r.at for r in sent(server, busy.chat_id)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.4 for gap in gaps[1:]), gaps  # after the burst of 2: one per 0.5 s
    assert times[-1] - times[0] >= 1.85
    other_times = [r.at for u in others for r in sent(server, u.chat_id)]
    assert len(other_times) == 4
    assert max(other_times) < times[2]  # the other chats did not wait behind the busy one


class Recording(PriorityRateLimiter):
    """Notes every limited request when it is handed to PTB (its tokens granted) and every 429 PTB raised."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dispatched: list[tuple[Any, float]] = []
        """(chat_id, monotonic time) per attempt, in the order the limiter let them go."""
        self.refused_at: list[float] = []
        """Monotonic times at which a 429 reached the limiter."""

    @property
    def order(self) -> list[Any]:
        return [chat for chat, _ in self.dispatched]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Any:
        async def recorded(*call_args: Any, **call_kwargs: Any) -> Any:
            if is_limited_endpoint(endpoint):
                self.dispatched.append((data.get("chat_id"), time.monotonic()))
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter:
                self.refused_at.append(time.monotonic())
                raise

        return await super().process_request(recorded, args, kwargs, endpoint, data, rate_limit_args)


async def test_interactive_reply_overtakes_queued_bulk(server: FakeTelegram) -> None:
    limiter = Recording(overall_per_s=100)
    users = [server.user(5000 + i) for i in range(300)]
    person = server.user(42)
    async with limited_bot(server, limiter) as bot:
        started = time.monotonic()
        bulk = [asyncio.create_task(bot.send_message(u.chat_id, "pengingat", rate_limit_args=BULK_ARGS)) for u in users]
        await server.wait_until(lambda: len(server.requests_for("sendMessage")) >= 80)
        asked = time.monotonic()
        handed_out = len(users) - limiter.waiting  # bulk sends already granted (the first ones: FIFO)
        await bot.send_message(person.chat_id, "balasan")
        latency = time.monotonic() - asked
        await asyncio.gather(*bulk)
        drain = time.monotonic() - started
    # Ordering: the reply was the very next request handed to PTB, ahead of all the bulk still queued.
    assert handed_out <= limiter.order.index(person.chat_id) <= handed_out + 2
    assert len(users) - handed_out >= 100
    bulk_order = [chat for chat in limiter.order if chat != person.chat_id]
    assert bulk_order == [u.chat_id for u in users]  # FIFO among bulk
    # Speed: the limiter held the reply about a token interval (10 ms), not the bulk drain time (~2.5 s). The
    # end-to-end bound is loose: on a busy machine one HTTP round trip through the shared loop can take long.
    assert drain > 2.0
    assert limiter.stats.max_wait_interactive_s < 0.1 < 2.0 < limiter.stats.max_wait_bulk_s
    assert latency < drain / 5, (latency, limiter.stats)
    assert sum(r.ok for r in sent(server)) == len(users) + 1


async def test_429_pauses_all_sends_and_retries(server: FakeTelegram) -> None:
    server.rate_limit(global_per_s=5, retry_after=1)
    limiter = Recording(overall_per_s=10, max_retries=10)  # faster than the server allows
    users = [server.user(300 + i) for i in range(12)]
    async with limited_bot(server, limiter) as bot:
        sends = asyncio.gather(*(bot.send_message(u.chat_id, "x", rate_limit_args=BULK_ARGS) for u in users))
        await server.wait_until(lambda: any(r.status == 429 for r in server.requests))
        await asyncio.sleep(0.1)
        assert limiter.paused_for > 0
        await bot.get_me()  # not a message: not held back by the pause
        assert limiter.paused_for > 0
        await sends
    requests = sent(server)
    assert sum(r.status == 200 for r in requests) == len(users)
    assert all(len(u.messages) == 1 for u in users)
    assert limiter.stats.retried_429 > 0
    assert limiter.stats.waited_429_s >= 1.0
    # As the limiter saw it: nothing was let go within retry_after of a 429 reaching it.
    assert limiter.refused_at
    for refused in limiter.refused_at:
        assert not [at for _, at in limiter.dispatched if refused < at < refused + 1.0]
    # As Telegram saw it: after a 429'd request arrived, nothing arrived until retry_after had passed, but for
    # requests already on their way before the 429 answer got back (slack: one send interval, 100 ms).
    for answer in (r for r in requests if r.status == 429):
        too_early = [r for r in requests if answer.at + 0.1 < r.at < answer.at + 1.0 - 0.05]
        assert too_early == [], (answer, too_early)


async def test_429_is_reraised_after_max_retries(server: FakeTelegram) -> None:
    server.rate_limit(per_chat_per_s=0.001, retry_after=1)
    limiter = PriorityRateLimiter(max_retries=1)
    budi = server.user(7)
    async with limited_bot(server, limiter) as bot:
        await bot.send_message(budi.chat_id, "satu")
        with pytest.raises(RetryAfter):
            await bot.send_message(budi.chat_id, "dua")
    assert [r.status for r in sent(server)] == [200, 429, 429]
    assert (limiter.stats.retried_429, limiter.stats.gave_up_429) == (1, 1)


async def test_other_errors_pass_through_without_retries(server: FakeTelegram) -> None:
    limiter = PriorityRateLimiter()
    blocked, budi = server.user(11), server.user(12)
    server.block(blocked.chat_id)
    async with limited_bot(server, limiter) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(blocked.chat_id, "x")
        server.fail_next(1, status=502)
        with pytest.raises(NetworkError):
            await bot.send_message(budi.chat_id, "x")
        with pytest.raises(BadRequest):
            await bot.send_message(999_999, "x")  # chat not found
        await bot.send_message(budi.chat_id, "ok")
    assert [r.status for r in sent(server)] == [403, 502, 400, 200]
    assert limiter.stats.retried_429 == 0
    assert limiter.waiting == 0


async def test_cancelled_waiter_does_not_stop_later_sends(server: FakeTelegram) -> None:
    limiter = PriorityRateLimiter(per_chat_per_s=4, per_chat_burst=1)
    budi, siti = server.user(21), server.user(22)
    async with limited_bot(server, limiter) as bot:
        await bot.send_message(budi.chat_id, "satu")
        waiting = asyncio.create_task(bot.send_message(budi.chat_id, "dua"))
        await eventually(lambda: limiter.waiting == 1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert limiter.waiting == 0
        await bot.send_message(siti.chat_id, "lain")
        await bot.send_message(budi.chat_id, "tiga")
    assert [m.text for m in budi.messages] == ["satu", "tiga"]
    first, third = (r.at for r in sent(server, budi.chat_id))
    assert 0.2 <= third - first < 0.6  # the chat's budget (one per 0.25 s) still holds, and nothing got stuck
    assert sent(server, siti.chat_id)[0].at < third


# ------------------------------------------------------------------------------------------ unit tests


@pytest.mark.parametrize(
    ("endpoint", "limited"),
    [
        ("sendMessage", True),
        ("sendDocument", True),
        ("sendMediaGroup", True),
        ("copyMessage", True),
        ("copyMessages", True),
        ("forwardMessage", True),
        ("forwardMessages", True),
        ("editMessageText", True),
        ("editMessageReplyMarkup", True),
        ("sendChatAction", False),
        ("getUpdates", False),
        ("answerCallbackQuery", False),
        ("getMe", False),
        ("setMyCommands", False),
        ("getFile", False),
        ("deleteMessage", False),
    ],
)
def test_limited_endpoints(endpoint: str, limited: bool) -> None:
    assert is_limited_endpoint(endpoint) is limited


def test_retry_after_as_timedelta_or_number(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _retry_after_seconds(RetryAfter(timedelta(seconds=2.5))) == 2.5
    monkeypatch.setenv("PTB_TIMEDELTA", "false")
    with pytest.warns(PTBDeprecationWarning):
        assert _retry_after_seconds(RetryAfter(3)) == 3.0


async def test_thousands_waiting_with_cancellations() -> None:
    limiter = PriorityRateLimiter(overall_per_s=5000)  # burst 2500
    recorder = Recorder()
    chats = list(range(1, 6001))
    tasks = {chat: asyncio.create_task(call(limiter, recorder, chat, bulk=True)) for chat in chats}
    await eventually(lambda: len(recorder.calls) >= 3000)
    queued = limiter.waiting
    await call(limiter, recorder, 999_999)
    cancelled = {chat for chat in range(4501, 5501) if tasks[chat].cancel()}
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    bulk_after_reply = len(recorder.calls) - recorder.chats.index(999_999) - 1
    assert queued > 1000
    assert bulk_after_reply >= queued - len(cancelled) - 5  # it overtook (almost) everything that was queued
    bulk_order = [chat for chat in recorder.chats if chat != 999_999]
    assert bulk_order == [chat for chat in chats if chat not in cancelled]  # FIFO, each exactly once
    assert len(cancelled) >= 100
    assert limiter.waiting == 0


async def test_granted_then_cancelled_gives_the_token_back() -> None:
    limiter = PriorityRateLimiter(overall_per_s=3)  # burst 1, then one per 1/3 s
    recorder = Recorder()
    await call(limiter, recorder, 1)
    second = asyncio.create_task(call(limiter, recorder, 2))
    await eventually(lambda: limiter.waiting == 1)
    time.sleep(0.4)  # the token is due; let the limiter hand it out before the task resumes  # noqa: ASYNC251
    for _ in range(3):
        await asyncio.sleep(0)
        if limiter.waiting == 0:
            break
    assert limiter.waiting == 0
    assert not second.done()
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    asked = asyncio.get_running_loop().time()
    await call(limiter, recorder, 3)
    assert recorder.chats == [1, 3]
    assert recorder.times(3)[0] - asked < 0.1  # the unused token was given back


async def test_429_explained_by_the_chat_holds_only_that_chat() -> None:
    limiter = PriorityRateLimiter(max_retries=2)  # per chat: 1/s, burst 3
    recorder = Recorder()
    await call(limiter, recorder, 1)  # the chat had a message just before: its own limit explains a 429
    recorder.errors[1] = [RetryAfter(timedelta(seconds=0.3))]
    second = asyncio.create_task(call(limiter, recorder, 1))
    await eventually(lambda: limiter.stats.retried_429 == 1)
    assert limiter.paused_for == 0
    await call(limiter, recorder, 2)  # another chat goes on at once
    await second
    assert recorder.chats == [1, 1, 2, 1]
    refused_at = recorder.times(1)[1]
    assert recorder.times(2)[0] - refused_at < 0.2
    assert recorder.times(1)[2] - refused_at >= 0.3  # the chat itself waited out retry_after
    assert (limiter.stats.held_chats_429, limiter.stats.waited_429_s) == (1, 0.0)


async def test_429_on_a_quiet_chat_holds_back_every_chat() -> None:
    limiter = PriorityRateLimiter(max_retries=2)
    recorder = Recorder()
    recorder.errors[1] = [RetryAfter(timedelta(seconds=0.2))]
    first = asyncio.create_task(call(limiter, recorder, 1))
    await eventually(lambda: limiter.paused_for > 0)
    await call(limiter, recorder, 2)  # another chat: still waits out the pause
    await first
    assert recorder.chats == [1, 1, 2]  # the retried request kept its place
    refused_at = recorder.times(1)[0]
    assert recorder.times(1)[1] - refused_at >= 0.2
    assert recorder.times(2)[0] - refused_at >= 0.2
    assert limiter.stats.retried_429 == 1
    assert limiter.stats.held_chats_429 == 0


async def test_interactive_goes_first_within_a_chat() -> None:
    limiter = PriorityRateLimiter(per_chat_per_s=20, per_chat_burst=1)
    recorder = Recorder()
    tasks = [asyncio.create_task(call(limiter, recorder, 5, bulk=True)) for _ in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(call(limiter, recorder, 5, endpoint="editMessageText")))
    await asyncio.gather(*tasks)
    assert recorder.chats == [5, 5, 5, 5]
    assert limiter.stats.by_priority == {"interactive": 1, "bulk": 3}
    times = recorder.times(5)
    assert all(later - earlier >= 0.04 for earlier, later in itertools.pairwise(times))


async def test_groups_and_channels_have_their_own_budget() -> None:
    limiter = PriorityRateLimiter(group_per_min=600)  # burst 3, then ~10/s
    recorder = Recorder()
    await asyncio.gather(*(call(limiter, recorder, -100) for _ in range(5)), call(limiter, recorder, "@kanal"))
    group = recorder.times(-100)
    assert group[2] - group[0] < 0.05
    assert group[3] - group[2] >= 0.09
    assert group[4] - group[3] >= 0.09
    assert recorder.times("@kanal")[0] - group[0] < 0.05  # another group: not behind -100
    assert limiter.group_burst + limiter.group_per_s * 60 <= 600


async def test_shutdown_fails_waiting_requests_cleanly() -> None:
    limiter = PriorityRateLimiter(overall_per_s=1)
    await limiter.initialize()
    recorder = Recorder()
    tasks = [asyncio.create_task(call(limiter, recorder, chat)) for chat in (1, 2, 3)]
    await eventually(lambda: len(recorder.calls) == 1 and limiter.waiting == 2)
    await limiter.shutdown()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] is True
    assert all(isinstance(r, RateLimiterClosed) for r in results[1:])
    await limiter.initialize()
    assert await call(limiter, recorder, 4) is True
    await limiter.shutdown()
