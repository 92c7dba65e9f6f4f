"""The vacancies from a participant's side: whether they are for the person (the "🔎 Lowongan" menu button), the
open ones near them, filtered by their courses' categories, a vacancy, and "Saya tertarik" with its consent.

"Saya tertarik" on a "lamar lewat bot" vacancy records the participant's consent that their name, phone, courses
and certificate numbers go to that employer, for that vacancy only (CONSENT_VERSION: the text they were shown).
They may take it back while staff have not passed it on (status 'interested'). Consents and withdrawals go to the
audit log by the person's pseudonym (ids only), as every action of someone who is not staff; an erasure deletes
those entries with the rest of the person's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from bot.clock import Clock
from bot.logs import user_hash
from bot.services.enrollment import Refusal
from bot.storage.enrollments import COMPLETED
from bot.storage.participants import Participant
from bot.storage.store import Store, Unit
from bot.storage.vacancies import APPLY_BOT, INTERESTED, Application, Vacancy

# Bump whenever the consent question (message "vacancy-consent") changes in substance: each application records
# the version the participant agreed to (UU PDP No. 27/2022: what was consented to, and when).
CONSENT_VERSION: Final = "2026.12"
# Like the catalogue: at most 8 vacancies per page, for small phones.
PAGE_SIZE: Final = 8
# The list's filter: the categories of the person's own courses (all, when they have none), every vacancy, or one
# category by its index among the open vacancies' categories.
MINE: Final = "m"
EVERY: Final = "a"
# An employment check-in's answer that makes the vacancies the person's.
NOT_WORKING: Final = "not_working"
# The audit log's actions (ids only: the vacancy and the application).
CONSENT_ACTION: Final = "vacancy:consent"
WITHDRAW_ACTION: Final = "vacancy:withdraw"


@dataclass(frozen=True, slots=True)
class VacancyPage:
    vacancies: list[Vacancy]
    page: int
    pages: int
    total: int
    # The filter shown (MINE, EVERY or a category's index) and, for one category, its name.
    cat: str
    category_name: str | None
    # The categories of the open vacancies (the filter's choices) and of the person's own courses.
    categories: list[str]
    mine: tuple[str, ...]
    # No vacancy is open at all (not only none in this filter); whether the person asked to be told of new ones.
    nothing_open: bool
    wants_vacancies: bool

    @property
    def filtered_by_mine(self) -> bool:
        return self.cat == MINE and bool(self.mine)


@dataclass(frozen=True, slots=True)
class VacancyView:
    """A vacancy as the person sees it, with their application when they said "Saya tertarik"."""

    vacancy: Vacancy
    application: Application | None = None

    @property
    def interested(self) -> bool:
        return self.application is not None and self.application.live


@dataclass(frozen=True, slots=True)
class SharedCourse:
    """A completed course as it would go to the employer: its title and the certificate's number, if any."""

    title: str
    certificate: str | None


@dataclass(frozen=True, slots=True)
class ConsentOffer:
    """What the consent question names: the vacancy, and exactly what would go to its employer."""

    vacancy: Vacancy
    name: str
    phone: str
    courses: list[SharedCourse] = field(default_factory=list)


CLOSED = Refusal("vacancy-closed")


class VacancyBrowser:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def qualifies(self, user_id: int) -> bool:
        """Whether the person gets the "🔎 Lowongan" menu button: registered, and a completed course, an answer
        asking for job information, or a latest check-in that says they are not working."""
        async with self._store.read() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            return participant is not None and await unit.vacancies.looks_for_work(participant.id)

    async def page(self, user_id: int, page: int, cat: str) -> VacancyPage | None:
        """One page of open vacancies, the person's province first, then all Indonesia, then the others. None
        for someone not registered or a forged filter."""
        now = self._clock.now()
        async with self._store.read() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is None:
                return None
            categories = await unit.vacancies.open_categories(now)
            mine = tuple(await unit.vacancies.course_categories(participant.id))
            wanted: list[str] | None
            name = None
            if cat == MINE:
                wanted = list(mine) or None
            elif cat == EVERY:
                wanted = None
            elif cat.isdigit() and int(cat) < len(categories):
                name = categories[int(cat)]
                wanted = [name]
            else:
                return None
            total = await unit.vacancies.count_open(now, wanted)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(page, 0), pages - 1)
            found = await unit.vacancies.open_page(
                now,
                categories=wanted,
                home_province=participant.province_code,
                limit=PAGE_SIZE,
                offset=page * PAGE_SIZE,
            )
        return VacancyPage(
            vacancies=found,
            page=page,
            pages=pages,
            total=total,
            cat=cat,
            category_name=name,
            categories=categories,
            mine=mine,
            nothing_open=not categories,
            wants_vacancies=participant.wants_vacancies is True,
        )

    async def categories(self) -> list[str]:
        async with self._store.read() as unit:
            return await unit.vacancies.open_categories(self._clock.now())

    async def detail(self, user_id: int, vacancy_id: int) -> VacancyView | None:
        """An open vacancy with the person's application; None when it is closed or unknown."""
        async with self._store.read() as unit:
            vacancy = await self._open(unit, vacancy_id)
            if vacancy is None:
                return None
            participant = await unit.participants.by_telegram_id(user_id)
            application = None
            if participant is not None:
                application = await unit.vacancies.application(vacancy.id, participant.id)
            return VacancyView(vacancy, application)

    async def consent_offer(self, user_id: int, vacancy_id: int) -> ConsentOffer | Refusal:
        """ "Saya tertarik": what the consent question names, or why it cannot be asked."""
        async with self._store.read() as unit:
            found = await self._may_apply(unit, user_id, vacancy_id)
            if isinstance(found, Refusal):
                return found
            vacancy, participant = found
            courses = []
            for enrollment in reversed(await unit.enrollments.of_participant(participant.id)):
                if enrollment.status != COMPLETED:
                    continue
                course = await unit.catalogue.course(enrollment.course_id)
                certificate = await unit.certificates.by_enrollment(enrollment.id)
                number = certificate.number if certificate and certificate.revoked_at is None else None
                courses.append(SharedCourse(course.title if course else "-", number))
        return ConsentOffer(vacancy, participant.full_name or "", participant.phone or "", courses)

    async def consent(self, user_id: int, vacancy_id: int) -> VacancyView | Refusal:
        """ "Ya, kirim data saya": the consent recorded (a repeated or forged tap changes nothing)."""
        now = self._clock.now()
        async with self._store.write() as unit:
            found = await self._may_apply(unit, user_id, vacancy_id)
            if isinstance(found, Refusal):
                return found
            vacancy, participant = found
            application = await unit.vacancies.apply(vacancy.id, participant.id, CONSENT_VERSION, now)
            await self._audit(unit, user_id, CONSENT_ACTION, vacancy, application, now)
        return VacancyView(vacancy, application)

    async def withdraw(self, user_id: int, vacancy_id: int) -> VacancyView | Refusal:
        """ "Tarik minat": allowed while staff have not passed the data to the employer."""
        now = self._clock.now()
        async with self._store.write() as unit:
            vacancy = await self._open(unit, vacancy_id)
            if vacancy is None:
                return CLOSED
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is None:
                return Refusal("not-registered")
            application = await unit.vacancies.application(vacancy.id, participant.id)
            if application is None or not application.live:
                return Refusal("vacancy-not-interested")
            if application.status != INTERESTED or not await unit.vacancies.withdraw_unsent(
                vacancy.id, participant.id, now
            ):
                return Refusal("vacancy-already-sent", {"employer": vacancy.employer})
            await self._audit(unit, user_id, WITHDRAW_ACTION, vacancy, application, now)
            return VacancyView(vacancy, await unit.vacancies.application(vacancy.id, participant.id))

    async def _open(self, unit: Unit, vacancy_id: int) -> Vacancy | None:
        vacancy = await unit.vacancies.by_id(vacancy_id)
        if vacancy is None or vacancy.closes_at <= self._clock.now():
            return None
        return vacancy

    async def _may_apply(self, unit: Unit, user_id: int, vacancy_id: int) -> tuple[Vacancy, Participant] | Refusal:
        vacancy = await self._open(unit, vacancy_id)
        if vacancy is None:
            return CLOSED
        if vacancy.apply_method != APPLY_BOT:
            return Refusal("vacancy-not-through-bot")
        participant = await unit.participants.by_telegram_id(user_id)
        if participant is None:
            return Refusal("not-registered")
        application = await unit.vacancies.application(vacancy.id, participant.id)
        if application is not None and application.live:
            return Refusal("vacancy-already-interested")
        return vacancy, participant

    async def _audit(
        self, unit: Unit, user_id: int, action: str, vacancy: Vacancy, application: Application, now: datetime
    ) -> None:
        await unit.staff.audit(
            0,
            None,
            action,
            {"vacancy": vacancy.id, "application": application.id},
            allowed=True,
            now=now,
            pseudonym=user_hash(user_id),
        )
