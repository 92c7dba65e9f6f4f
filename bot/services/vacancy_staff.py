"""Staff following the applicants of a "lamar lewat bot" vacancy (/lowongan): the open vacancies they may act on,
a vacancy's applicant list (name, phone, courses, certificate numbers: what the participant consented to give that
employer), and the steps they record (dikirim ke perusahaan, wawancara, diterima, ditolak).

Who may act: operators and admins on every vacancy; an LPK member on the vacancies they published, or that their
institute published. Anything else is refused and audited like any staff action they may not take.

A step reaches the participant through the outbox (normal priority, outside their quiet hours): a short notice,
a kind word when rejected, a congratulation when hired. A hire is also recorded as a check-in answer would be
(an employment run of wave 'vacancy' with its check-in, source 'vacancy' and the vacancy; the participant's
employment status), so the reports count the person as working again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock
from bot.services.enrollment import Refusal
from bot.services.reminders import ReminderPlanner
from bot.services.staff import Scope, StaffService
from bot.storage.store import Store, Unit
from bot.storage.vacancies import HIRED, INTERVIEW, REJECTED, SENT, Application, Vacancy
from bot.storage.vacancy_staff import VacancyLine

# The steps staff record, in button order.
STAFF_STEPS: Final = (SENT, INTERVIEW, HIRED, REJECTED)
# The employment status a hire records (a new employer: the vacancy's).
HIRED_STATUS: Final = "new_employer"
STEP_KIND: Final = "vacancy_step"
# Like other messages that are no reply (a waitlist place): after replies, before bulk traffic.
STEP_PRIORITY: Final = 5
STEP_EXPIRES: Final = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Applicant:
    """One person on a vacancy's applicant list, with what they consented to pass on to the employer."""

    application: Application
    name: str
    phone: str | None
    courses: tuple[str, ...]
    certificates: tuple[str, ...]


def covers(scope: Scope, actor: int, vacancy: Vacancy | VacancyLine) -> bool:
    """Whether the vacancy is the staff member's to act on: all of them, or (an LPK member) their own or their
    institute's."""
    if scope.institutes is None:
        return True
    return vacancy.published_by == actor or (
        vacancy.institute_key is not None and vacancy.institute_key in scope.institutes
    )


class VacancyStaffService:
    def __init__(self, store: Store, clock: Clock, staff: StaffService, planner: ReminderPlanner) -> None:
        self._store = store
        self._clock = clock
        self._staff = staff
        self._planner = planner

    async def open_vacancies(self, actor: int) -> list[VacancyLine]:
        """The open vacancies the staff member may act on, with their applicant counts."""
        scope = await self._staff.scope(actor)
        async with self._store.read() as unit:
            found = await unit.vacancy_staff.open_vacancies(self._clock.now())
        return [line for line in found if covers(scope, actor, line)]

    async def vacancy(
        self, actor: int, attempt: str, *, code: str = "", vacancy_id: int | None = None
    ) -> Vacancy | Refusal | None:
        """The vacancy (None: no such code or id), if it is the staff member's; one outside their scope is a
        Refusal, audited as `refused:<attempt>`."""
        async with self._store.read() as unit:
            if vacancy_id is not None:
                vacancy = await unit.vacancies.by_id(vacancy_id)
            else:
                vacancy = await unit.vacancies.by_code(code.strip().upper())
        if vacancy is None:
            return None
        if not covers(await self._staff.scope(actor), actor, vacancy):
            detail = {"vacancy": vacancy.code, "needs": "publisher"}
            await self._staff.audit(actor, f"refused:{attempt}", detail, allowed=False)
            return Refusal("button-stale")
        return vacancy

    async def applicants(self, vacancy_id: int) -> list[Applicant]:
        """The applicant list: consent given and not withdrawn, data not erased, in the order they applied."""
        async with self._store.read() as unit:
            return [
                applicant
                for application in await unit.vacancies.applicants(vacancy_id)
                if (applicant := await _applicant(unit, application)) is not None
            ]

    async def set_status(self, actor: int, vacancy: Vacancy, application_id: int, status: str) -> Applicant | Refusal:
        """Record a staff step on an application of this vacancy; a forged one (unknown, another vacancy's,
        withdrawn, erased) changes nothing. The same step again changes nothing and sends nothing."""
        if status not in STAFF_STEPS:
            return Refusal("button-stale")
        now = self._clock.now()
        async with self._store.write() as unit:
            current = await unit.vacancy_staff.application_by_id(application_id)
            if current is None or current.vacancy_id != vacancy.id or not current.live:
                return Refusal("button-stale")
            participant = await unit.participants.by_id(current.participant_id)
            if participant is None or participant.erased_at is not None:
                return Refusal("button-stale")
            if current.status == status:
                applicant = await _applicant(unit, current)
                return applicant if applicant is not None else Refusal("button-stale")
            changed = await unit.vacancies.set_status(application_id, status, actor, now)
            if changed is None:
                return Refusal("button-stale")
            if status == HIRED:
                enrollment = await unit.vacancy_staff.latest_completed_enrollment(participant.id)
                await unit.vacancy_staff.record_hire(participant.id, vacancy.id, HIRED_STATUS, enrollment, now)
                await unit.participants.set_employment_status(participant.id, HIRED_STATUS, now)
            if participant.telegram_user_id is not None:
                await self._tell(unit, participant.telegram_user_id, vacancy, changed, now)
            applicant = await _applicant(unit, changed)
        detail = {"vacancy": vacancy.code, "application": application_id, "status": status}
        await self._staff.audit(actor, "vacancy:status", detail)
        return applicant if applicant is not None else Refusal("button-stale")

    async def _tell(
        self, unit: Unit, telegram_user_id: int, vacancy: Vacancy, application: Application, now: datetime
    ) -> None:
        participant = await unit.participants.by_id(application.participant_id)
        assert participant is not None
        zone = self._planner.zone_of(participant)
        await unit.outbox.add(
            telegram_user_id=telegram_user_id,
            kind=STEP_KIND,
            message_key=f"vacancy-step-{application.status}",
            params={"position": vacancy.position, "employer": vacancy.employer},
            dedupe_key=f"vacancy-step:{application.id}:{application.status}",
            not_before=self._planner.quiet.next_allowed(now, zone),
            now=now,
            priority=STEP_PRIORITY,
            expires_at=now + STEP_EXPIRES,
            subject=f"vacancy-application:{application.id}:",
        )


async def _applicant(unit: Unit, application: Application) -> Applicant | None:
    if not application.live:
        return None
    person = await unit.participants.by_id(application.participant_id)
    if person is None or person.erased_at is not None or person.full_name is None:
        return None
    courses = tuple(f"{code} {title}" for code, title in await unit.vacancy_staff.courses_of(person.id))
    certificates = tuple(await unit.vacancy_staff.certificate_numbers(person.id))
    return Applicant(application, person.full_name, person.phone, courses, certificates)
