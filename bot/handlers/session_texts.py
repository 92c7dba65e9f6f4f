"""How a course's sessions read on a phone: the course summary (dates, usual hours, count, first session), the
list of sessions, and the "next session" line of /jadwal with today/tomorrow in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator, zone_label
from bot.storage.catalogue import Course, CourseSession

# A message holds at most 4,096 characters: longer courses show their first sessions and a count of the rest
# (the .ics file has every session).
MAX_SESSIONS_SHOWN = 15


def session_lines(t: Translator, course: Course, sessions: list[CourseSession], limit: int = MAX_SESSIONS_SHOWN) -> str:
    lines = []
    for session in sessions[:limit]:
        when = t.span(session.starts_at, session.ends_at, course.timezone)
        if session.venue_address:
            lines.append(t("session-line-venue", when=when, topic=session.topic, venue=session.venue_address))
        else:
            lines.append(t("session-line", when=when, topic=session.topic))
    if len(sessions) > limit:
        lines.append(t("sessions-more", count=len(sessions) - limit))
    return "\n".join(lines)


def course_summary(t: Translator, course: Course, sessions: list[CourseSession]) -> str:
    """Three short lines instead of every session: dates from-to and the count, the usual hours, when it starts."""
    if not sessions:
        return ""
    zone = ZoneInfo(course.timezone)
    first_day = sessions[0].starts_at.astimezone(zone).date()
    last_day = sessions[-1].starts_at.astimezone(zone).date()
    if first_day == last_day:
        dates = t.date(first_day)
    elif (first_day.year, first_day.month) == (last_day.year, last_day.month):
        dates = f"{first_day.day}–{t.date(last_day)}"
    else:
        dates = f"{t.date(first_day)} – {t.date(last_day)}"
    clocks = {(t.clock(s.starts_at, course.timezone), t.clock(s.ends_at, course.timezone)) for s in sessions}
    if len(clocks) == 1:
        start, end = next(iter(clocks))
        hours = t("course-hours", start=start, end=end, zone=zone_label(course.timezone))
    else:
        hours = t("course-hours-vary")
    first = sessions[0]
    starts = (
        t.weekday_date(first.starts_at.astimezone(zone).date())
        if len(clocks) == 1  # its hours are the usual ones, on the line above
        else t.moment(first.starts_at, course.timezone)
    )
    text = t("course-summary", dates=dates, count=len(sessions), hours=hours, first=starts)
    if any(s.venue_address for s in sessions):
        text += "\n" + t("course-summary-elsewhere")
    return text


def next_session_line(t: Translator, course: Course, session: CourseSession, now: datetime) -> str:
    """ "Sesi berikutnya: besok, 08.00 WIB — Praktik", or the session under way."""
    tz = course.timezone
    if session.starts_at <= now:
        return t("schedule-now", end=t.clock(session.ends_at, tz), zone=zone_label(tz), topic=session.topic)
    day = t.day_word(session.starts_at, tz, now)
    return t("schedule-next", day=day, clock=t.clock(session.starts_at, tz), zone=zone_label(tz), topic=session.topic)
