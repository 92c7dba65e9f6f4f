"""A simulated person's chat with the bot in the soak: what they know, and one update sent and checked.

``Chat`` routes every bot message that arrives in the person's chat: a reply to the update in flight, or something
that came unasked (a reminder asking about attendance or a survey question goes on their ``Agenda``; an
announcement copy, the short reminder on the day of a session and a certificate are counted).
``interact`` sends one update and waits until the replies so far add up to a ``Verdict`` (a ``Decide`` function
per step says what a valid answer is), measuring the latency; a wrong or missing answer is counted as an error in
``Stats``. ``Texts`` tells which of the bot's Indonesian templates a message was made from. The steps themselves
are in bench/soak_courses.py and bench/soak_followups.py, a whole life in bench/soak_participant.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.soak_report import Stats
from bench.soak_setup import CourseInfo
from bot.i18n import Translations, Translator, load_catalogue
from fakegram import BotMessage, FakeUser

THINK_S = (1.0, 3.0)
"""Between the steps of a session (at least a second: people do not tap faster, and Telegram allows 1/s per chat)."""
REPLY_TIMEOUT = 30.0  # a reply slower than this is an error, not a measurement
ANNOUNCEMENT_MARK = "[SIARAN SOAK]"
"""Starts the staff member's announcement, so that its copies are told apart from every other bot message."""


class Texts:
    """The bot's texts (Indonesian), and which template a message was made from."""

    def __init__(self) -> None:
        self.t: Translator = Translations("id").get("id")
        self._templates = load_catalogue("id")
        self._patterns: dict[str, re.Pattern[str]] = {}

    def pattern(self, key: str) -> re.Pattern[str]:
        compiled = self._patterns.get(key)
        if compiled is None:
            parts = re.split(r"\{[^{}]*\}", self._templates[key])
            compiled = self._patterns[key] = re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)
        return compiled

    def made_from(self, key: str, message: BotMessage) -> bool:
        """The message's text (or caption) is the template `key` with some parameters."""
        return self.pattern(key).fullmatch(message.content or "") is not None

    def starts_with(self, key: str, message: BotMessage) -> bool:
        return self.pattern(key).match(message.content or "") is not None

    def alert_is(self, alert: dict[str, Any], *keys: str) -> bool:
        text = str(alert.get("text") or "")
        return any(self.pattern(key).fullmatch(text) is not None for key in keys)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the replies so far mean: None = wait for more; otherwise the outcome, or why it is wrong."""

    outcome: str | None = None
    wrong: str | None = None


MORE = Verdict()


def ok(outcome: str) -> Verdict:
    return Verdict(outcome=outcome)


def wrong(reason: str) -> Verdict:
    return Verdict(wrong=reason)


Decide = Callable[[list[BotMessage], dict[str, Any] | None], Verdict]


def data_of(message: BotMessage) -> list[str]:
    return message.callback_data()


def has_data(message: BotMessage, prefix: str) -> bool:
    return any(d.startswith(prefix) for d in message.callback_data())


def describe(message: BotMessage) -> str:
    return f"{(message.content or '')[:90]!r} (edited: {message.edited}, buttons: {message.callback_data()[:6]})"


@dataclass(slots=True)
class Agenda:
    """What arrived unasked and waits for the participant: reminders to answer, a survey question."""

    reminders: list[int] = field(default_factory=list)
    survey_run: int | None = None
    survey_message: int | None = None
    fresh: bool = False

    def ids(self) -> set[int]:
        kept = set(self.reminders)
        if self.survey_message is not None:
            kept.add(self.survey_message)
        return kept


class Chat:
    """One simulated person's chat with the bot and what they know (their course, their agenda)."""

    def __init__(
        self,
        user: FakeUser,
        rng: random.Random,
        texts: Texts,
        stats: Stats,
        courses: dict[int, CourseInfo],
    ) -> None:
        self.user = user
        self.rng = rng
        self.texts = texts
        self.t = texts.t
        self.stats = stats
        self.courses = courses
        self.course: int | None = None  # the course enrolled in or waited for
        self.agenda = Agenda()
        self.announcements = 0
        self.event = asyncio.Event()
        self._replies: list[BotMessage] | None = None  # while an update waits for its answer
        self._survey_context: int | None = None  # the survey run the update in flight answers
        self._trim_from = 1
        self._watch()

    def _watch(self) -> None:
        """Wake this participant's waits whenever the fake server changes their chat (message, edit, answer)."""
        original = self.user.notify
        event = self.event

        async def notify() -> None:
            event.set()
            await original()

        self.user.notify = notify  # type: ignore[method-assign]

    def collect(self) -> None:
        """Route the bot messages that arrived: replies to the update in flight, or things that came unasked."""
        for message in self.user.new_messages():
            self._route(message)

    def _route(self, message: BotMessage) -> None:
        texts = self.texts
        content = message.content or ""
        if ANNOUNCEMENT_MARK in content:
            self.announcements += 1
            self.stats.received["announcement"] += 1
            return
        if message.kind == "document" and texts.made_from("certificate-caption", message):
            self.stats.received["certificate"] += 1  # after the congratulation of a completed course
            return
        if not message.edited and has_data(message, "r:"):
            self.agenda.reminders.append(message.message_id)
            self.agenda.fresh = True
            self.stats.received["reminder"] += 1
            return
        if not message.edited and texts.made_from("reminder-soon", message):
            # The short reminder on the day (no question, at most a "📍 Lokasi" button): read, nothing to answer.
            self.stats.received["reminder-soon"] += 1
            return
        survey_runs = {d.split(":")[1] for d in message.callback_data() if d.startswith("q:")}
        if survey_runs and any(d.startswith("q:") and d.endswith(":r") for d in message.callback_data()):
            self.stats.received["survey-nudge"] += 1  # the question itself is still in the chat
            return
        if survey_runs and not (self._replies is not None and str(self._survey_context) in survey_runs):
            self.agenda.survey_run = int(next(iter(survey_runs)))
            self.agenda.survey_message = message.message_id
            self.agenda.fresh = True
            self.course = None  # completed: free to enrol again
            self.stats.received["survey-question"] += 1
            return
        if texts.made_from("waitlist-promoted", message):
            self.stats.received["waitlist-promoted"] += 1
            return
        if texts.made_from("course-completed", message):
            self.course = None
            self.stats.received["course-completed"] += 1
            return
        if self._replies is not None:
            self._replies.append(message)
        elif content == self.t("err-internal"):
            self.stats.error("err-internal", f"user {self.user.user_id}, outside any update")
        else:
            self.stats.error("unexpected-message", f"user {self.user.user_id}: {describe(message)}")

    async def interact(
        self,
        action: str,
        send: Callable[[], Awaitable[int]],
        decide: Decide,
        *,
        press: bool = False,
        survey_run: int | None = None,
    ) -> tuple[str, list[BotMessage]] | None:
        """Send one update and wait for what it must lead to; (outcome, replies), or None after an error."""
        self.collect()  # anything left from before is not an answer to this update
        if press:
            self.user.callback_answers.clear()
        replies: list[BotMessage] = []
        self._replies = replies
        self._survey_context = survey_run
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        deadline = loop.time() + REPLY_TIMEOUT
        try:
            await send()
            while True:
                self.event.clear()
                self.collect()
                alert = None
                if press and self.user.callback_answers and self.user.callback_answers[0].get("show_alert"):
                    alert = self.user.callback_answers[0]
                if any((m.content or "") == self.t("err-internal") for m in replies):
                    verdict = wrong("the bot apologised (err-internal)")
                else:
                    verdict = decide(replies, alert)
                if verdict.outcome is not None or verdict.wrong is not None:
                    break
                try:
                    async with asyncio.timeout_at(deadline):
                        await self.event.wait()
                except TimeoutError:
                    got = [describe(m) for m in replies]
                    self.stats.error("timeout", f"user {self.user.user_id}, {action}: after {REPLY_TIMEOUT}s got {got}")
                    return None
        finally:
            self._replies = None
            self._survey_context = None
        elapsed = time.perf_counter() - started
        if verdict.wrong is not None:
            got = [describe(m) for m in replies] + ([f"alert {alert.get('text')!r}"] if alert else [])
            self.stats.error("wrong-reply", f"user {self.user.user_id}, {action}: {verdict.wrong}; got {got}")
            return None
        assert verdict.outcome is not None
        self.stats.measured(action, elapsed, verdict.outcome)
        return verdict.outcome, replies

    def forget(self) -> None:
        """Delete the messages no longer needed (as a tidy user would), so the fake server's state stays small."""
        self.collect()  # what arrived meanwhile is read first
        keep = self.agenda.ids()
        newest = max((m.message_id for m in self.user.messages), default=0)
        for message_id in range(self._trim_from, newest + 1):
            if message_id not in keep:
                self.user.delete_message(message_id)  # bot messages and the user's own (False if gone)
        self._trim_from = min(keep | {newest + 1})
        self.user.callback_answers.clear()

    def message(self, message_id: int | None) -> BotMessage | None:
        if message_id is None:
            return None
        with contextlib.suppress(KeyError):
            return self.user.message(message_id)
        return None

    async def think(self, stop: asyncio.Event) -> bool:
        """A pause between two steps; False when the run is over."""
        await nap(stop, self.rng.uniform(*THINK_S))
        return not stop.is_set()


async def nap(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake when the run is over."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()
