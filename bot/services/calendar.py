"""An iCalendar (.ics) file of a participant's sessions, which phone calendars import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event

from bot.services.enrollment import ScheduleEntry
from bot.storage.enrollments import ENROLLED

PRODUCT_ID = "-//Vokasi Bot//Jadwal Pelatihan//ID"


def build_ics(entries: Sequence[ScheduleEntry], *, calendar_name: str, now: datetime) -> bytes:
    """One event per session of every course the person is enrolled in (not those only waited for).

    Times are UTC, which every calendar converts to the phone's zone; each event's UID is stable, so importing
    the file again after a schedule change updates the events instead of duplicating them.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    for entry in entries:
        if entry.enrollment.status != ENROLLED:
            continue
        course = entry.course
        for session in entry.sessions:
            event = Event()
            event.add("uid", f"course-{course.id}-session-{session.position}@vokasi-bot")
            event.add("dtstamp", now)
            event.add("dtstart", session.starts_at)
            event.add("dtend", session.ends_at)
            event.add("summary", f"{course.title}: {session.topic}")
            event.add("location", session.venue_address or course.venue_address)
            event.add(
                "description", f"{course.code} · {course.institute_name} · {course.institute_contact}".strip(" ·")
            )
            calendar.add_component(event)
    return bytes(calendar.to_ical())
