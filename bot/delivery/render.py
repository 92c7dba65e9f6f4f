"""Turning an outbox row into a message, at send time, in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw, Translator
from bot.services.survey_answers import plain_number
from bot.services.survey_catalog import RATING_SCALE, Question, SurveyCatalog
from bot.services.survey_prompts import DONE, SKIP, TOGGLE, Prompt


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


def attendance_keyboard(t: Translator, enrollment_id: int, session_id: int) -> InlineKeyboardMarkup:
    """Callback data r:y|n:<enrollment>:<session>; the answer replaces these buttons."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("btn-attend-yes"), callback_data=f"r:y:{enrollment_id}:{session_id}"),
                InlineKeyboardButton(t("btn-attend-no"), callback_data=f"r:n:{enrollment_id}:{session_id}"),
            ]
        ]
    )


def location_button(t: Translator, course_id: int, session_id: int = 0) -> InlineKeyboardButton:
    """ "📍 Lokasi": v:<course>:<session or 0> (bot/handlers/venue.py sends the map pin or the address)."""
    return InlineKeyboardButton(t("btn-location"), callback_data=f"v:{course_id}:{session_id}")


def render(t: Translator, key: str, params: dict[str, Any], surveys: SurveyCatalog, now: datetime) -> Rendered:
    """The message of an outbox row, as it reads `now` (when it is sent). Times travel as ISO strings and are
    shown in the venue's zone."""
    timezone = str(params.get("timezone", "Asia/Jakarta"))
    match key:
        case "survey-question":
            survey = surveys.get(params["survey"])
            question = None if survey is None else survey.question(params["question"])
            if survey is not None and question is not None:
                prompt = Prompt(params["run_id"], survey, question, int(params["number"]), (), params.get("title"))
                lead = params.get("lead")
                return survey_message(t, prompt, lead=None if lead is None else t(lead["key"], **lead["params"]))
            return Rendered(t("survey-over"))
        case "alert-error":
            when = t.moment(datetime.fromisoformat(params["at"]), "Asia/Jakarta")
            return Rendered(t(key, kind=params["kind"], update=params["update_id"] or "-", when=when))
        case "report-weekly":  # rendered in every language when it was queued
            texts: dict[str, str] = params["texts"]
            return Rendered(texts.get(t.language) or next(iter(texts.values())))
        case "survey-nudge":
            survey = surveys.get(params["survey"])
            name = survey.title.get(t.language) if survey is not None else "-"
            text = t(key, survey=name) + _course_line(t, params.get("title"))
            button = InlineKeyboardButton(t("btn-survey-resume"), callback_data=f"q:{params['run_id']}:r")
            return Rendered(text, InlineKeyboardMarkup([[button]]))
        case "reminder-day-before" | "reminder-soon":
            return reminder(t, key, params, now)
        case "waitlist-promoted":
            first = params.get("first_start")
            when = t.moment(datetime.fromisoformat(first), timezone) if first else "-"
            return Rendered(t(key, title=params["title"], first=when))
        case "retention-notice":  # the date in the recipient's language
            erase_on = t.date(date.fromisoformat(params["erase_on"]))
            return Rendered(t(key, date=erase_on, months=params["months"]))
        case "schedule-changed":
            lines = [_change(t, change, timezone) for change in params["changes"]]
            return Rendered(t(key, title=params["title"], changes=Raw("\n".join(lines))))
    return Rendered(t(key, **params))


# A day-of reminder also says how long is left ("2 jam lagi") when the start is this close.
SAY_TIME_LEFT = timedelta(hours=3)


def reminder(t: Translator, key: str, params: dict[str, Any], now: datetime) -> Rendered:
    """A session reminder (bot/services/reminders.py): when in words as of sending, the course, the place; the
    attendance question only where it was planned (rows queued before it was a parameter always ask)."""
    timezone = str(params.get("timezone", "Asia/Jakarta"))
    start, end = datetime.fromisoformat(params["starts_at"]), datetime.fromisoformat(params["ends_at"])
    day = t.day_word(start, timezone, now)
    when_words = t("reminder-at", day=day, clock=t.clock(start, timezone))
    left = start - now
    if timedelta(0) < left <= SAY_TIME_LEFT:
        when_words = t("reminder-at-left", day=day, clock=t.clock(start, timezone), left=time_left(t, left))
    days = int(params.get("days", 1))
    topic = params["topic"]
    if days > 1:
        topic = t.plain("reminder-topic-day", topic=topic, day=params["day"], days=days)
    text = t(
        key,
        title=params["title"],
        when_words=Raw(when_words),
        topic=topic,
        when=t.span(start, end, timezone),
        venue=params["venue"],
    )
    rows: list[list[InlineKeyboardButton]] = []
    session_id = int(params["session_id"])
    if params.get("ask", True):
        rows += [list(row) for row in attendance_keyboard(t, int(params["enrollment_id"]), session_id).inline_keyboard]
    if "course_id" in params:
        rows.append([location_button(t, int(params["course_id"]), session_id)])
    return Rendered(text, InlineKeyboardMarkup(rows) if rows else None)


def time_left(t: Translator, left: timedelta) -> str:
    """ "2 jam lagi", "1 jam lagi", "45 menit lagi" (a few minutes late still reads as the whole hours)."""
    minutes = int(left.total_seconds() // 60)
    if minutes >= 55:
        return t("left-hours", hours=round(minutes / 60))
    return t("left-minutes", minutes=max(minutes, 1))


def _change(t: Translator, change: dict[str, Any], timezone: str) -> str:
    def span(start: str | None, end: str | None) -> str:
        if start is None or end is None:
            return ""
        return t.span(datetime.fromisoformat(start), datetime.fromisoformat(end), timezone)

    old, new = span(change["old_start"], change["old_end"]), span(change["new_start"], change["new_end"])
    if not old:
        return t("schedule-change-added", topic=change["topic"], new=new)
    if not new:
        return t("schedule-change-removed", topic=change["topic"], old=old)
    return t("schedule-change-moved", topic=change["topic"], old=old, new=new)


# ---------------------------------------------------------------------- surveys
# Callback data q:<run>:<question index>:<answer>, where <answer> is an option's index, t<index> (tick a
# multiple-choice option), ok (done ticking) or s (skip); q:<run>:r shows the question the survey is at.


def survey_message(t: Translator, prompt: Prompt, *, lead: str | None = None) -> Rendered:
    """A survey question with its buttons; the first question also introduces the survey."""
    survey, question = prompt.survey, prompt.question
    language = t.language
    if prompt.number == 1:
        header = t("survey-header-first", title=survey.title.get(language), intro=survey.intro.get(language))
    else:
        header = t("survey-header", title=survey.title.get(language))
    parts = [lead] if lead else []
    parts.append(header + _course_line(t, prompt.course_title))
    body = t("survey-question-line", number=prompt.number, text=question.text.get(language))
    hints = [_hint(t, question)] + ([t("survey-hint-optional")] if question.optional else [])
    parts.append(body + "\n" + " ".join(f"<i>{hint}</i>" for hint in hints))
    return Rendered("\n\n".join(parts), survey_keyboard(t, prompt))


def survey_keyboard(t: Translator, prompt: Prompt) -> InlineKeyboardMarkup | None:
    question = prompt.question
    base = f"q:{prompt.run_id}:{prompt.survey.index(question.id)}:"
    rows: list[list[InlineKeyboardButton]] = []
    if question.type == "rating":
        rows.append(
            [InlineKeyboardButton(value, callback_data=f"{base}{i}") for i, value in enumerate(question.choices)]
        )
    elif question.type == "single":
        rows.extend(
            [InlineKeyboardButton(o.label.get(t.language), callback_data=f"{base}{i}")]
            for i, o in enumerate(question.options)
        )
    elif question.type == "multiple":
        for i, option in enumerate(question.options):
            mark = "✅ " if option.value in prompt.selection else "▫️ "
            rows.append([InlineKeyboardButton(mark + option.label.get(t.language), callback_data=f"{base}{TOGGLE}{i}")])
        rows.append([InlineKeyboardButton(t("btn-survey-done"), callback_data=f"{base}{DONE}")])
    if question.optional:
        rows.append([InlineKeyboardButton(t("btn-survey-skip"), callback_data=f"{base}{SKIP}")])
    return InlineKeyboardMarkup(rows) if rows else None


def survey_answer(t: Translator, question: Question, value: Any) -> str:
    """An answer as the participant sees it under the question (the buttons are gone)."""
    if value is None:
        return t("survey-skipped")
    language = t.language
    match question.type:
        case "single":
            option = question.option(str(value))
            shown = option.label.get(language) if option is not None else str(value)
        case "multiple":
            labels = [o.label.get(language) for o in question.options if o.value in value]
            shown = ", ".join(labels)
        case "rating":
            shown = "★" * int(value) + "☆" * (RATING_SCALE[-1] - int(value))
        case "month":
            shown = t.month(date.fromisoformat(f"{value}-01"))
        case "date":
            shown = t.date(date.fromisoformat(value))
        case _:
            shown = str(value)
    return t("survey-answered", answer=shown)


def _hint(t: Translator, question: Question) -> str:
    match question.type:
        case "text":
            return t("survey-hint-text", max=question.max_length)
        case "number":
            low = 0 if question.min is None else question.min
            high = question.max
            if high is None:
                return t("survey-hint-number-open", min=plain_number(low))
            return t("survey-hint-number", min=plain_number(low), max=plain_number(high))
    return t(f"survey-hint-{question.type}")


def _course_line(t: Translator, title: str | None) -> str:
    return "\n" + t("survey-course", title=title) if title else ""
