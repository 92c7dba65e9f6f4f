"""/dataku: everything the bot holds about one person, gathered for them (UU PDP No. 27/2022, the data subject's
right of access and to a copy). The handler sends it only to the person's own private chat; bot/services/
mydata_file.py turns it into the text file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.storage.catalogue import Course, CourseSession
from bot.storage.certificates import Certificate
from bot.storage.dialogs import Dialog
from bot.storage.enrollments import AttendanceAnswer, Enrollment
from bot.storage.participants import Participant
from bot.storage.presence import Presence
from bot.storage.store import Store
from bot.storage.surveys import CheckIn, StoredAnswer, SurveyRun
from bot.storage.tickets import Ticket
from bot.storage.vacancies import Application

# One copy per person per window: a file with everything is built on each request, so repeated taps (or a script)
# must not make the bot build and send it again and again.
EXPORT_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Attendance:
    """An answer to a session's reminder, with the session it was about (None if the course dropped it)."""

    answer: AttendanceAnswer
    session: CourseSession | None


@dataclass(frozen=True, slots=True)
class PresenceRecord:
    """Attendance recorded at a session (the venue's QR or the roll call), with the session (None if dropped)."""

    presence: Presence
    session: CourseSession | None


@dataclass(frozen=True, slots=True)
class EnrollmentRecord:
    enrollment: Enrollment
    course: Course | None
    attendance: list[Attendance]
    presence: list[PresenceRecord]
    certificate: Certificate | None


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    run: SurveyRun
    answers: list[StoredAnswer]


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """A "Saya tertarik" on a vacancy: the consent and what became of it, with the vacancy's code and employer."""

    application: Application
    vacancy_code: str
    employer: str


@dataclass(frozen=True, slots=True)
class MyData:
    """What is held about one Telegram account, read in one snapshot."""

    telegram_user_id: int
    collected_at: datetime
    participant: Participant | None
    language: str | None
    # A registration (or profile edit) in progress: its answers so far.
    draft: Dialog | None
    enrollments: list[EnrollmentRecord]
    surveys: list[SurveyRecord]
    checkins: list[CheckIn]
    tickets: list[Ticket]
    applications: list[ApplicationRecord] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.participant is not None

    @property
    def surveys_answered(self) -> int:
        """Surveys with at least one answer (scheduled ones not yet asked are listed but not counted)."""
        return sum(1 for record in self.surveys if record.answers)

    @property
    def anything(self) -> bool:
        return self.registered or self.language is not None or self.draft is not None or bool(self.tickets)


@dataclass(frozen=True, slots=True)
class TooSoon:
    """A copy was sent less than EXPORT_INTERVAL ago; another can be had after `wait`."""

    wait: timedelta


class MyDataService:
    def __init__(self, store: Store, clock: Clock, interval: timedelta = EXPORT_INTERVAL) -> None:
        self._store = store
        self._clock = clock
        self._interval = interval
        # When each person last got a copy. Kept in memory: it guards the bot's work, not a programme rule, so a
        # restart may forget it (with several instances, each keeps its own).
        self._last_export: dict[int, datetime] = {}

    def wait(self, user_id: int) -> timedelta | None:
        """How long until the person may have another copy; None when they may now."""
        last = self._last_export.get(user_id)
        if last is None:
            return None
        left = last + self._interval - self._clock.now()
        return left if left > timedelta(0) else None

    async def export(self, user_id: int) -> MyData | TooSoon:
        """Everything held about the person, counted against the one-copy-per-window limit."""
        wait = self.wait(user_id)
        if wait is not None:
            return TooSoon(wait)
        now = self._clock.now()
        self._forget_before(now - self._interval)
        self._last_export[user_id] = now
        return await self.collect(user_id)

    async def collect(self, user_id: int) -> MyData:
        """Everything held about the Telegram account `user_id`: registration, preferences, draft, enrolments with
        attendance answers, recorded attendance and certificate, surveys with their answers, check-ins, help-desk
        tickets, vacancy applications."""
        async with self._store.read() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            language = await unit.preferences.language(user_id)
            draft = await unit.dialogs.get(user_id)
            tickets = await unit.tickets.of_person(user_id)
            enrollments: list[EnrollmentRecord] = []
            surveys: list[SurveyRecord] = []
            checkins: list[CheckIn] = []
            applications: list[ApplicationRecord] = []
            if participant is not None:
                for enrollment in reversed(await unit.enrollments.of_participant(participant.id)):
                    course = await unit.catalogue.course(enrollment.course_id)
                    sessions = {s.id: s for s in await unit.catalogue.sessions(enrollment.course_id)}
                    answers = await unit.enrollments.attendance_of(enrollment.id)
                    attendance = [Attendance(a, sessions.get(a.session_id)) for a in answers]
                    recorded = await unit.presence.of_enrollments([enrollment.id])
                    presence = [PresenceRecord(p, sessions.get(p.session_id)) for p in recorded]
                    certificate = await unit.certificates.by_enrollment(enrollment.id)
                    enrollments.append(EnrollmentRecord(enrollment, course, attendance, presence, certificate))
                for run in await unit.surveys.runs_of(participant.id):
                    surveys.append(SurveyRecord(run, await unit.surveys.answers(run.id)))
                checkins = await unit.surveys.checkins_of(participant.id)
                found = await unit.vacancies.applications_of(participant.id)
                applications = [ApplicationRecord(*record) for record in found]
        return MyData(
            telegram_user_id=user_id,
            collected_at=self._clock.now(),
            participant=participant,
            language=language,
            draft=draft,
            enrollments=enrollments,
            surveys=surveys,
            checkins=checkins,
            tickets=tickets,
            applications=applications,
        )

    def _forget_before(self, cutoff: datetime) -> None:
        """Drop the times that no longer limit anyone, so the map stays as small as the last few minutes."""
        for user_id in [u for u, at in self._last_export.items() if at <= cutoff]:
            del self._last_export[user_id]
