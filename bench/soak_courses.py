"""What a simulated participant does with the courses in the soak, step by step: the catalogue and their schedule.

``browse`` opens ``/pelatihan``, sometimes the next page, a course's details (mostly one near the top of the list,
see PICK_MEAN), maybe back to the list and another course, and, when the session is meant to enrol, ``enrol_in``:
"Daftar", then confirm the seat or (half the time) join the waitlist of a full course, with the refusals the bot
may rightly give. ``schedule`` opens ``/jadwal`` and sometimes asks for the .ics file or starts to ``cancel``
(kept, or cancelled: the seat passes to the waitlist). Every step checks the bot's answer with a ``Decide``.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

from bench.soak_chat import MORE, Chat, Decide, Verdict, data_of, has_data, ok, wrong
from fakegram import BotMessage

PICK_MEAN = 2.0
"""A participant picks the course at position min(exponential(mean PICK_MEAN), last) of the page shown."""
JOIN_WAITLIST_SHARE = 0.5
ENROL_REFUSALS = (
    "enrol-deadline-passed",
    "enrol-closed",
    "enrol-limit",
    "enrol-already",
    "enrol-already-waiting",
    "enrol-overlap",
)


async def browse(person: Chat, stop: asyncio.Event, *, enrol: bool) -> None:
    """/pelatihan, maybe the next page, a course's details; then enrol, or look at another course."""
    t = person.t

    def listing(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None or len(replies) > 1:
            return wrong("one new message with the list")
        if not replies:
            return MORE
        [message] = replies
        if message.edited or not (has_data(message, "c:d:") or message.content == t("courses-empty")):
            return wrong("the list of courses")
        return ok("empty" if message.content == t("courses-empty") else "list")

    done = await person.interact("list", lambda: person.user.send_text("/pelatihan"), listing)
    if done is None or done[0] == "empty":
        return
    list_id = done[1][0].message_id
    current = done[1][0]
    next_page = next((d for d in data_of(current) if d.startswith("c:p:") and d != "c:p:0:a"), None)
    if next_page is not None and person.rng.random() < 0.4:
        if not await person.think(stop):
            return
        done = await person.interact(
            "page", lambda: person.user.press_data(next_page, list_id), edited_list(person, list_id), press=True
        )
        if done is None or done[0] == "empty":
            return
        current = done[1][0]
    for look in range(2):
        courses = [d for d in data_of(current) if d.startswith("c:d:")]
        if not courses or not await person.think(stop):
            return
        chosen = courses[min(int(person.rng.expovariate(1 / PICK_MEAN)), len(courses) - 1)]
        _, _, raw_id, page, category = chosen.split(":")
        course_id = int(raw_id)
        done = await person.interact(
            "detail",
            lambda chosen=chosen: person.user.press_data(chosen, list_id),
            detail(person, list_id, course_id),
            press=True,
        )
        if done is None or not await person.think(stop):
            return
        if enrol:
            await enrol_in(person, stop, list_id, course_id, page, category)
            return
        if look == 1 or person.rng.random() < 0.5:
            return
        back = f"c:p:{page}:{category}"
        done = await person.interact(
            "back", lambda back=back: person.user.press_data(back, list_id), edited_list(person, list_id), press=True
        )
        if done is None or done[0] == "empty":
            return
        current = done[1][0]


def edited_list(person: Chat, list_id: int) -> Decide:
    t = person.t

    def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None or len(replies) > 1:
            return wrong("the list message edited")
        if not replies:
            return MORE
        [message] = replies
        if message.message_id != list_id or not message.edited:
            return wrong("the list message edited")
        if message.content == t("courses-empty"):
            return ok("empty")
        return ok("list") if has_data(message, "c:d:") else wrong("a page of the list")

    return decide


def detail(person: Chat, list_id: int, course_id: int) -> Decide:
    title = html.escape(person.courses[course_id].title)

    def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None or len(replies) > 1:
            return wrong("the course's details")
        if not replies:
            return MORE
        [message] = replies
        if (
            message.message_id == list_id
            and message.edited
            and title in (message.content or "")
            and has_data(message, f"c:e:{course_id}:")
        ):
            return ok("detail")
        return wrong("the course's details")

    return decide


def refusal(person: Chat, message: BotMessage) -> str | None:
    return next((key for key in ENROL_REFUSALS if person.texts.made_from(key, message)), None)


async def enrol_in(person: Chat, stop: asyncio.Event, list_id: int, course_id: int, page: str, category: str) -> None:
    texts = person.texts

    def offer(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None or len(replies) > 1:
            return wrong("the confirmation question or a refusal")
        if not replies:
            return MORE
        [message] = replies
        if message.message_id == list_id and message.edited:
            if texts.made_from("enrol-confirm", message) and f"c:y:{course_id}" in data_of(message):
                return ok("seat")
            if texts.made_from("enrol-confirm-waitlist", message) and f"c:w:{course_id}" in data_of(message):
                return ok("full")
        elif (key := refusal(person, message)) is not None:
            return ok(f"refused:{key}")
        return wrong("the confirmation question or a refusal")

    done = await person.interact(
        "offer", lambda: person.user.press_data(f"c:e:{course_id}:{page}:{category}", list_id), offer, press=True
    )
    if done is None:
        return
    outcome = done[0]
    for _ in range(2):  # a seat taken meanwhile turns the confirmation into the waitlist question, once
        if outcome.startswith("refused:"):
            if outcome in ("refused:enrol-limit", "refused:enrol-already", "refused:enrol-already-waiting"):
                person.course = course_id if outcome != "refused:enrol-limit" else -1  # enrolled somewhere
            return
        if not await person.think(stop):
            return
        if outcome == "full" and person.rng.random() >= JOIN_WAITLIST_SHARE:
            back = f"c:d:{course_id}:{page}:{category}"
            await person.interact(
                "back",
                lambda back=back: person.user.press_data(back, list_id),
                detail(person, list_id, course_id),
                press=True,
            )
            return
        action = "waitlist" if outcome == "full" else "enrol"
        data = f"c:{'w' if outcome == 'full' else 'y'}:{course_id}"
        done = await person.interact(
            action, lambda data=data: person.user.press_data(data, list_id), enrolled(person, list_id), press=True
        )
        if done is None:
            return
        outcome = done[0]
        if outcome in ("enrolled", "waitlisted"):
            person.course = course_id
            return


def enrolled(person: Chat, list_id: int) -> Decide:
    texts = person.texts

    def decide(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None or not replies:
            return MORE if alert is None else wrong("enrolled, waitlisted, full or a refusal")
        first = replies[0]
        if first.message_id == list_id and first.edited and texts.made_from("enrolled", first):
            if len(replies) == 1:
                return MORE
            if len(replies) == 2 and texts.made_from("enrolled-sessions", replies[1]):
                return ok("enrolled")
            return wrong("the sessions after enrolling")
        if len(replies) > 1:
            return wrong("one message")
        if first.message_id == list_id and first.edited:
            if texts.made_from("waitlisted", first) and not first.inline_keyboard:
                return ok("waitlisted")
            if texts.made_from("enrol-confirm-waitlist", first):
                return ok("full")
        elif (key := refusal(person, first)) is not None:
            return ok(f"refused:{key}")
        return wrong("enrolled, waitlisted, full or a refusal")

    return decide


async def schedule(person: Chat, stop: asyncio.Event) -> None:
    """/jadwal; sometimes the .ics file, or cancelling (kept, or cancelled)."""
    texts = person.texts

    def shown(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None or len(replies) > 1:
            return wrong("one new message with the schedule")
        if not replies:
            return MORE
        [message] = replies
        if not message.edited and texts.made_from("schedule", message) and has_data(message, "s:c:"):
            return ok("schedule")
        if not message.edited and texts.made_from("schedule-empty", message):
            return ok("empty")
        return wrong("the schedule")

    done = await person.interact("jadwal", lambda: person.user.send_text("/jadwal"), shown)
    if done is None:
        return
    if done[0] == "empty":
        person.course = None
        return
    message = done[1][0]
    cancels = [d for d in data_of(message) if d.startswith("s:c:")]
    choice = person.rng.random()
    if choice < 0.25 and "s:i" in data_of(message):
        if not await person.think(stop):
            return

        def calendar(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
            if alert is not None or len(replies) > 1:
                return wrong("the .ics file")
            if not replies:
                return MORE
            [sent] = replies
            if sent.kind == "document" and texts.made_from("ics-caption", sent):
                return ok("ics")
            if texts.made_from("schedule-empty", sent):
                return ok("empty")
            return wrong("the .ics file")

        await person.interact("ics", lambda: person.user.press_data("s:i", message.message_id), calendar, press=True)
    elif choice < 0.35 and cancels:
        if not await person.think(stop):
            return
        await cancel(person, stop, message.message_id, cancels[0])


async def cancel(person: Chat, stop: asyncio.Event, schedule_id: int, data: str) -> None:
    texts = person.texts
    enrollment_id = data.rsplit(":", 1)[1]

    def asked(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None:
            return ok("refused") if texts.alert_is(alert, "cancel-started", "button-stale") else wrong("alert")
        if len(replies) > 1:
            return wrong("the question")
        if not replies:
            return MORE
        [message] = replies
        if texts.made_from("cancel-confirm", message) and f"s:x:{enrollment_id}" in data_of(message):
            return ok("asked")
        return wrong("the question whether to cancel")

    done = await person.interact("cancel-ask", lambda: person.user.press_data(data, schedule_id), asked, press=True)
    if done is None or done[0] != "asked" or not await person.think(stop):
        return
    question = done[1][0].message_id
    really = person.rng.random() < 0.4
    answer = f"s:x:{enrollment_id}" if really else "s:k"
    key = "cancelled" if really else "cancel-kept"

    def answered(replies: list[BotMessage], alert: dict[str, Any] | None) -> Verdict:
        if alert is not None:
            return ok("refused") if texts.alert_is(alert, "cancel-started", "button-stale") else wrong("alert")
        if len(replies) > 1:
            return wrong("the question edited")
        if not replies:
            return MORE
        [message] = replies
        if message.message_id == question and message.edited and texts.made_from(key, message):
            return ok(key)
        return wrong(f"the question edited to {key}")

    done = await person.interact(
        "cancel" if really else "keep", lambda: person.user.press_data(answer, question), answered, press=True
    )
    if done is not None and done[0] == "cancelled":
        person.course = None
