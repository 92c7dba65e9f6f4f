"""The course catalogue: browsing open courses and importing the catalogue from CSV/XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.services.catalogue_import import CourseSpec, parse_catalogue
from bot.services.enrollment import promote_waiting
from bot.services.provinces import ProvinceCatalog
from bot.services.reminders import ReminderPlanner
from bot.storage.catalogue import Course, CourseFields, CourseSession, NewSession
from bot.storage.db import to_db_time
from bot.storage.store import Store, Unit

# Telegram shows long keyboards badly on small phones: at most 8 courses per page.
PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class CoursePage:
    courses: list[Course]
    page: int
    pages: int
    total: int
    category: int | None
    categories: list[str]
    # The person's province, and how many of the open courses (of the category chosen) are there: none means
    # the list starts with the nearest provinces' courses, and the person is told so.
    home_province: str | None = None
    home_total: int = 0

    @property
    def nothing_at_home(self) -> bool:
        return self.home_province is not None and self.home_total == 0 and self.total > 0

    @property
    def category_name(self) -> str | None:
        return None if self.category is None else self.categories[self.category]


@dataclass(frozen=True, slots=True)
class CourseDetail:
    course: Course
    sessions: list[CourseSession]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a course (or one of its sessions) is held: the institute, the address, the map pin if known."""

    title: str
    name: str
    address: str
    coordinates: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    updated: int
    rescheduled: int
    notified: int
    promoted: int


class CatalogueService:
    def __init__(self, store: Store, provinces: ProvinceCatalog, clock: Clock, planner: ReminderPlanner) -> None:
        self._store = store
        self._provinces = provinces
        self._clock = clock
        self._planner = planner

    async def page(self, home_province: str | None, page: int, category: int | None) -> CoursePage | None:
        """One page of courses open for registration: the person's province first, then the nearest provinces
        (by the distance between their capitals). None for a forged filter."""
        now = self._clock.now()
        async with self._store.read() as unit:
            categories = await unit.catalogue.open_categories(now)
            if category is not None and not 0 <= category < len(categories):
                return None
            name = None if category is None else categories[category]
            total = await unit.catalogue.count_open(now, category=name)
            home_total = (
                await unit.catalogue.count_open(now, category=name, province=home_province) if home_province else 0
            )
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(page, 0), pages - 1)
            order = [p.code for p in self._provinces.by_distance(home_province)] if home_province else []
            courses = await unit.catalogue.open_courses(
                now, category=name, provinces=order, limit=PAGE_SIZE, offset=page * PAGE_SIZE
            )
        return CoursePage(courses, page, pages, total, category, categories, home_province, home_total)

    async def categories(self) -> list[str]:
        async with self._store.read() as unit:
            return await unit.catalogue.open_categories(self._clock.now())

    async def detail(self, course_id: int) -> CourseDetail | None:
        async with self._store.read() as unit:
            course = await unit.catalogue.course(course_id)
            if course is None:
                return None
            return CourseDetail(course, await unit.catalogue.sessions(course_id))

    async def place(self, course_id: int, session_id: int = 0) -> Place | None:
        """The course's venue; a session with its own address is there (without the course's coordinates).
        None for an unknown course or a session of another course."""
        async with self._store.read() as unit:
            course = await unit.catalogue.course(course_id)
            session = await unit.catalogue.session(session_id) if session_id else None
        if course is None or (session_id and (session is None or session.course_id != course_id)):
            return None
        if session is not None and session.venue_address:
            return Place(course.title, course.institute_name, session.venue_address, None)
        coordinates = (course.lat, course.lon) if course.lat is not None and course.lon is not None else None
        address = f"{course.venue_address}, {course.regency}"
        return Place(course.title, course.institute_name, address, coordinates)

    async def import_file(self, content: bytes, filename: str) -> ImportReport:
        """Parse and apply a catalogue file, all or nothing.

        Raises CatalogueRejected (listing every problem) before anything is written. Changed session times are
        announced to everyone enrolled, and seats added by a larger capacity go to the waitlist.
        """
        specs = parse_catalogue(content, filename, self._provinces)
        now = self._clock.now()
        created = updated = rescheduled = notified = promoted = 0
        async with self._store.write() as unit:
            for spec in specs:
                before = await unit.catalogue.course_by_code(spec.code)
                old_sessions = [] if before is None else await unit.catalogue.sessions(before.id)
                course_id, is_new = await self._apply(unit, spec, now)
                if is_new:
                    created += 1
                    continue
                updated += 1
                changes = _schedule_changes(old_sessions, spec)
                if changes:
                    rescheduled += 1
                    notified += await self._announce_changes(unit, course_id, spec, changes, now)
                    await self._replan_reminders(unit, course_id, now)
                if before is not None and before.waitlisted and spec.capacity > before.enrolled:
                    promoted += len(await promote_waiting(unit, course_id, now, self._planner))
        return ImportReport(created, updated, rescheduled, notified, promoted)

    async def _apply(self, unit: Unit, spec: CourseSpec, now: datetime) -> tuple[int, bool]:
        institute_id = await unit.catalogue.upsert_institute(
            spec.institute.name, spec.institute.city, spec.institute.contact
        )
        course_id, is_new = await unit.catalogue.upsert_course(
            CourseFields(
                code=spec.code,
                title=spec.title,
                category=spec.category,
                description=spec.description,
                institute_id=institute_id,
                regency=spec.regency,
                province_code=spec.province_code,
                venue_address=spec.venue_address,
                timezone=spec.timezone,
                capacity=spec.capacity,
                registration_deadline=spec.registration_deadline,
                status=spec.status,
                lat=spec.coordinates[0] if spec.coordinates else None,
                lon=spec.coordinates[1] if spec.coordinates else None,
            ),
            now,
        )
        await unit.catalogue.replace_sessions(
            course_id, [NewSession(s.starts_at, s.ends_at, s.topic, s.venue_address) for s in spec.sessions]
        )
        return course_id, is_new

    async def _announce_changes(
        self, unit: Unit, course_id: int, spec: CourseSpec, changes: list[dict[str, str | None]], now: datetime
    ) -> int:
        """One 'jadwal berubah' message per enrolled participant, listing every changed session."""
        told = 0
        for enrollment in await unit.enrollments.enrolled_in(course_id):
            participant = await unit.participants.by_id(enrollment.participant_id)
            if participant is None or participant.telegram_user_id is None:
                continue
            await unit.outbox.add(
                telegram_user_id=participant.telegram_user_id,
                kind="schedule_changed",
                message_key="schedule-changed",
                params={"title": spec.title, "timezone": spec.timezone, "changes": changes},
                dedupe_key=f"schedule-changed:{course_id}:{participant.id}:{to_db_time(now)}",
                not_before=self._planner.quiet.next_allowed(now, self._planner.zone_of(participant)),
                now=now,
                priority=5,
            )
            told += 1
        return told

    async def _replan_reminders(self, unit: Unit, course_id: int, now: datetime) -> None:
        """Reminders of moved or removed sessions are withdrawn and new ones planned, for everyone enrolled."""
        course = await unit.catalogue.course(course_id)
        assert course is not None
        for enrollment in await unit.enrollments.enrolled_in(course_id):
            participant = await unit.participants.by_id(enrollment.participant_id)
            if participant is not None:
                await self._planner.sync(unit, enrollment.id, participant, course, now)


def _schedule_changes(old: list[CourseSession], new: CourseSpec) -> list[dict[str, str | None]]:
    """Sessions whose times changed, appeared or disappeared, matched by their number in the course."""
    changes: list[dict[str, str | None]] = []
    for position in range(1, max(len(old), len(new.sessions)) + 1):
        before = old[position - 1] if position <= len(old) else None
        after = new.sessions[position - 1] if position <= len(new.sessions) else None
        if (
            before is not None
            and after is not None
            and (before.starts_at, before.ends_at)
            == (
                after.starts_at,
                after.ends_at,
            )
        ):
            continue
        topic = after.topic if after is not None else before.topic if before is not None else ""
        changes.append(
            {
                "topic": topic,
                "old_start": None if before is None else before.starts_at.isoformat(),
                "old_end": None if before is None else before.ends_at.isoformat(),
                "new_start": None if after is None else after.starts_at.isoformat(),
                "new_end": None if after is None else after.ends_at.isoformat(),
            }
        )
    return changes
