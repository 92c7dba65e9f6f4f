"""/cari: staff find participants by a name fragment, NIK, KPJ or phone number; /peserta: a course's participants."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.enrollment import Refusal
from bot.services.identifiers import parse_phone
from bot.services.validation import ValidationError
from bot.storage.catalogue import Course
from bot.storage.enrollments import Enrollment
from bot.storage.participants import Participant
from bot.storage.store import Store

MAX_RESULTS = 10
MIN_NAME_LENGTH = 3
_DIGITS = re.compile(r"[\s.\-]")


@dataclass(frozen=True, slots=True)
class EnrollmentLine:
    enrollment: Enrollment
    course: Course
    # Sessions the participant said they will attend / will not, under the reminders.
    attending: int
    absent: int


@dataclass(frozen=True, slots=True)
class Card:
    participant: Participant
    enrollments: list[EnrollmentLine]


@dataclass(frozen=True, slots=True)
class Listed:
    """One seat of a course, for its participant list: the NIK masked, the phone number in full (LPK staff call
    no-shows); None once the participant erased their data."""

    enrollment: Enrollment
    name: str | None
    nik_masked: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class Found:
    # What the query was taken as: name, nik, kpj or phone (for the audit log; the query itself is not kept).
    kind: str
    cards: list[Card]


def classify(query: str) -> tuple[str, str] | None:
    """(kind, value to look for) of what staff typed, or None when it is too short to search."""
    compact = _DIGITS.sub("", query.strip())
    if compact.isdigit() and compact.isascii() and len(compact) == 16:
        return "nik", compact
    if compact.isdigit() and compact.isascii() and len(compact) == 11:
        return "kpj", compact
    if compact.lstrip("+").isdigit() and compact.startswith(("08", "628", "+628")):
        try:
            return "phone", parse_phone(query)
        except ValidationError:
            return None
    name = " ".join(query.split())
    if len(name) < MIN_NAME_LENGTH or any(ch.isdigit() for ch in name):
        return None
    return "name", name


class LookupService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def search(self, query: str) -> Found | Refusal:
        classified = classify(query)
        if classified is None:
            return Refusal("lookup-too-short", {"min": str(MIN_NAME_LENGTH)})
        kind, value = classified
        async with self._store.read() as unit:
            if kind == "name":
                people = await unit.participants.search(name=value, limit=MAX_RESULTS)
            else:
                people = await unit.participants.search(column=kind, value=value, limit=MAX_RESULTS)
            cards = []
            for person in people:
                lines = []
                for enrollment in await unit.enrollments.of_participant(person.id):
                    course = await unit.catalogue.course(enrollment.course_id)
                    if course is None:
                        continue
                    counts = await unit.enrollments.attendance_counts(enrollment.id)
                    lines.append(EnrollmentLine(enrollment, course, counts.get("yes", 0), counts.get("no", 0)))
                cards.append(Card(person, lines))
        return Found(kind, cards)

    async def course(self, *, code: str | None = None, course_id: int | None = None) -> Course | None:
        """A course by its code (any case) or id."""
        async with self._store.read() as unit:
            if course_id is not None:
                return await unit.catalogue.course(course_id)
            return await unit.catalogue.course_by_code((code or "").strip().upper())

    async def participants_of(self, course_id: int) -> list[Listed]:
        """Everyone who got a seat in the course (enrolled, completed, dropped out), in the order they enrolled."""
        async with self._store.read() as unit:
            listed = []
            for enrollment in await unit.enrollments.in_course(course_id):
                person = await unit.participants.by_id(enrollment.participant_id)
                if person is None or person.erased_at is not None:
                    listed.append(Listed(enrollment, None, None, None))
                else:
                    listed.append(Listed(enrollment, person.full_name, person.nik_masked, person.phone))
            return listed
