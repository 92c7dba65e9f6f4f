"""A simulated participant's life in the soak: sessions, idle time between them, and registering through the dialog.

Each participant is its own ``asyncio`` task and sequential: a first session within the first part of the run,
then session, idle, session... until the run is over. A session does the one thing most pressing: register (the
newcomers, with bench/registration.py's ``plan``), answer the survey or the newest reminder (bench/soak_followups.py),
else browse and enrol, or look at their schedule (bench/soak_courses.py). Idle time is a second plus an exponential,
cut short a few seconds after a reminder or a survey question arrives.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bench.registration import Action as RegistrationStep
from bench.soak_chat import MORE, THINK_S, Chat, Texts, Verdict, nap, ok, wrong
from bench.soak_courses import browse, schedule
from bench.soak_followups import answer_reminder, answer_survey
from bench.soak_report import Stats
from bench.soak_setup import CourseInfo
from fakegram import BotMessage, FakeUser

IDLE_MEAN_S = 90.0
"""Between sessions: THINK_S[0] plus an exponential with this mean, cut short by a reminder or a survey question.
With 200 participants the replies then take about 40 % of Telegram's 30 messages/s, leaving room for bulk traffic
(with 45 s the replies alone took about 65 %, and queued behind the limit: that measures the limit, not the bot)."""
REACTION_S = (1.0, 8.0)
"""How long after a notification (reminder, survey question) the participant looks at it."""
ENROL_SHARE = 0.75
"""Sessions of a participant without a course that try to enrol (the others only browse)."""

log = logging.getLogger("bench.soak")


class Participant(Chat):
    """One simulated person: their chat with the bot, what they know, and what they do."""

    def __init__(
        self,
        user: FakeUser,
        rng: random.Random,
        texts: Texts,
        stats: Stats,
        courses: dict[int, CourseInfo],
        registration: Sequence[RegistrationStep] | None,
    ) -> None:
        super().__init__(user, rng, texts, stats, courses)
        self.registration = registration
        self.registered = registration is None
        self.broken = False

    async def live(self, stop: asyncio.Event, first_within: float) -> None:
        try:
            await nap(stop, self.rng.uniform(0, first_within))
            while not stop.is_set() and not self.broken:
                await self.session(stop)
                self.forget()
                await self.idle(stop)
        except Exception as error:  # a bug of the simulation: counted, and this participant stops
            log.exception("participant %d failed", self.user.user_id)
            self.stats.error("exception", f"user {self.user.user_id}: {error!r}")

    async def idle(self, stop: asyncio.Event) -> None:
        """Wait between sessions; a notification shortens the wait (looked at a few seconds after it arrived)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + THINK_S[0] + self.rng.expovariate(1 / IDLE_MEAN_S)
        while not stop.is_set():
            self.event.clear()
            self.collect()
            if self.agenda.fresh:
                self.agenda.fresh = False
                await nap(stop, self.rng.uniform(*REACTION_S))
                return
            try:
                async with asyncio.timeout_at(deadline):
                    await self.event.wait()
            except TimeoutError:
                return

    async def session(self, stop: asyncio.Event) -> None:
        self.collect()
        if not self.registered:
            await self.register(stop)
        elif self.agenda.survey_message is not None:
            await answer_survey(self, stop)
        elif self.agenda.reminders:
            await answer_reminder(self)
        elif self.course is None:
            await browse(self, stop, enrol=self.rng.random() < ENROL_SHARE)
        elif self.rng.random() < 0.55:
            await schedule(self, stop)
        else:
            await browse(self, stop, enrol=False)

    async def register(self, stop: asyncio.Event) -> None:
        assert self.registration is not None
        for number, step in enumerate(self.registration, start=1):
            if number > 1 and not await self.think(stop):
                return
            send = registration_update(self.user, step)

            def decide(
                replies: list[BotMessage], alert: dict[str, Any] | None, step: RegistrationStep = step
            ) -> Verdict:
                if alert is not None:
                    return wrong("an alert")
                if len(replies) < step.replies:
                    return MORE
                last = replies[-1]
                if len(replies) > step.replies or (
                    step.expect not in (last.text or "") and step.expect not in last.button_texts()
                ):
                    return wrong(f"expected {step.replies} message(s), the last with {step.expect[:60]!r}")
                return ok("ok")

            try:
                done = await self.interact("register", send, decide, press=step.kind == "press")
            except LookupError as error:  # the button to press is not there
                self.stats.error("wrong-reply", f"user {self.user.user_id}, register step {number}: {error}")
                done = None
            if done is None:
                self.broken = True  # the dialog is somewhere unknown: this participant stops
                return
        self.registered = True
        self.stats.outcomes["registered"] += 1


def registration_update(user: FakeUser, step: RegistrationStep) -> Callable[[], Awaitable[int]]:
    if step.kind == "text":
        return lambda: user.send_text(step.value)
    if step.kind == "press":
        return lambda: user.press(step.value)
    return lambda: user.send_contact(step.value)
