"""What a simulated participant does with what the bot sent unasked in the soak: reminders and survey questions.

``answer_reminder`` answers the newest reminder most of the time (attend, or not), leaving the others;
``answer_survey`` answers question after question of the satisfaction survey sent on completion (ratings, a
multiple choice ticked and confirmed, a comment typed or skipped) until it is finished or over. Every step checks
the bot's answer with a ``Decide``; a button gone stale or a survey already over is a valid answer, not an error.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.soak_chat import MORE, Chat, Decide, Verdict, data_of, has_data, ok, wrong
from fakegram import BotMessage

REMINDER_ANSWER_SHARE = 0.7
REMINDER_YES_SHARE = 0.85
COMMENT = "Pelatihannya bermanfaat, praktiknya cukup banyak. Semoga ada kelas lanjutan."


async def answer_reminder(person: Chat) -> None:
    """The newest reminder, most of the time; the others are left unanswered."""
    newest, person.agenda.reminders = person.agenda.reminders[-1], []
    reminder = person.message(newest)
    if reminder is None or person.rng.random() >= REMINDER_ANSWER_SHARE:
        return
    yes = person.rng.random() < REMINDER_YES_SHARE
    data = next((d for d in data_of(reminder) if d.startswith("r:y:" if yes else "r:n:")), None)
    if data is None:
        person.stats.error("wrong-reply", f"user {person.user.user_id}: a reminder without buttons")
        return
    noted = person.t("attendance-yes" if yes else "attendance-no")
    texts = person.texts

    def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None:
            if texts.alert_is(alert, "attendance-too-late", "button-stale"):
                return ok("refused")
            return wrong("alert")
        if len(replies) > 1:
            return wrong("the reminder edited")
        if not replies:
            return MORE
        [message] = replies
        if message.message_id == newest and message.edited and noted in (message.content or ""):
            return ok("noted")
        return wrong("the reminder edited with the answer")

    await person.interact("reminder", lambda: person.user.press_data(data, newest), decide, press=True)


async def answer_survey(person: Chat, stop: asyncio.Event) -> None:
    """Question after question until the survey is finished or over (each answer: a think first)."""
    while person.agenda.survey_message is not None and not stop.is_set():
        run = person.agenda.survey_run
        question = person.message(person.agenda.survey_message)
        if question is None or run is None:
            person.agenda.survey_message = person.agenda.survey_run = None
            return
        if not await answer_question(person, stop, run, question):
            return
        if person.agenda.survey_message is not None and not await person.think(stop):
            return


async def answer_question(person: Chat, stop: asyncio.Event, run: int, question: BotMessage) -> bool:
    """One question; False when the survey cannot go on (an error)."""
    data = [d for d in data_of(question) if d.startswith(f"q:{run}:")]
    if not data:
        person.stats.error("wrong-reply", f"user {person.user.user_id}: a survey question without buttons")
        person.agenda.survey_message = person.agenda.survey_run = None
        return False
    base = data[0].rsplit(":", 1)[0]
    choices = [d for d in data if d.rsplit(":", 1)[1].isdigit()]
    toggles = [d for d in data if d.rsplit(":", 1)[1].startswith("t")]
    if toggles:
        for toggle in person.rng.sample(toggles, k=min(len(toggles), person.rng.randint(1, 2))):
            done = await person.interact(
                "survey-tick",
                lambda toggle=toggle: person.user.press_data(toggle, question.message_id),
                ticked(person, run, question.message_id),
                press=True,
                survey_run=run,
            )
            if done is None:
                return False
            if done[0] != "ticked":
                person.agenda.survey_message = person.agenda.survey_run = None
                return True
            if not await person.think(stop):
                return True
        pressed = f"{base}:ok"
    elif choices:
        pressed = person.rng.choice(choices)
    elif person.rng.random() < 0.5:  # a text question: type an answer
        done = await person.interact(
            "survey-text", lambda: person.user.send_text(COMMENT), next_question(person, run, None), survey_run=run
        )
        return done is not None
    else:
        pressed = f"{base}:s"
    done = await person.interact(
        "survey",
        lambda: person.user.press_data(pressed, question.message_id),
        next_question(person, run, question.message_id),
        press=True,
        survey_run=run,
    )
    return done is not None


def ticked(person: Chat, run: int, question_id: int) -> Decide:
    texts = person.texts

    def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None:
            if texts.alert_is(alert, "survey-over", "survey-question-answered", "button-stale"):
                return ok("over")
            return wrong("alert")
        if len(replies) > 1:
            return wrong("the question's buttons edited")
        if not replies:
            return MORE
        [message] = replies
        if message.message_id == question_id and message.edited and has_data(message, f"q:{run}:"):
            return ok("ticked")
        return wrong("the question's buttons edited")

    return decide


def next_question(person: Chat, run: int, question_id: int | None) -> Decide:
    """A button answer: the question edited (answer shown) and the next one (or the thanks); a typed answer:
    the next question, the same one again (not valid), or the thanks, or - the survey over - the menu."""
    texts = person.texts
    agenda = person.agenda

    def following(message: BotMessage) -> str | None:
        if has_data(message, f"q:{run}:"):
            agenda.survey_message = message.message_id
            return "next"
        if texts.made_from("survey-finished", message):
            agenda.survey_message = agenda.survey_run = None
            return "finished"
        return None

    def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None:
            if texts.alert_is(alert, "survey-over", "survey-question-answered", "button-stale"):
                agenda.survey_message = agenda.survey_run = None
                return ok("over")
            return wrong("alert")
        if question_id is None:  # typed
            if len(replies) > 1:
                return wrong("one message")
            if not replies:
                return MORE
            [message] = replies
            if (outcome := following(message)) is not None:
                return ok(outcome)
            if texts.made_from("helpdesk-offer", message):
                agenda.survey_message = agenda.survey_run = None
                return ok("over")
            return wrong("the next question")
        edits = [m for m in replies if m.message_id == question_id]
        others = [m for m in replies if m.message_id != question_id]
        if len(edits) > 1 or len(others) > 1:
            return wrong("the question edited and the next one")
        if not edits or not others:
            return MORE
        if not edits[0].edited or edits[0].inline_keyboard:
            return wrong("the answered question without buttons")
        outcome = following(others[0])
        return ok(outcome) if outcome is not None else wrong("the next question or the thanks")

    return decide
