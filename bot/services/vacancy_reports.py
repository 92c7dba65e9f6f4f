"""Do the bot's vacancies get people back to work? The funnel from a published vacancy to a hire, per course
category, province and LPK, and the share of re-employment that came through the bot's vacancies.

Definitions (also in README):
  published     vacancies published (first imported) in the period
  matched       participants a vacancy was sent to (on publication or in the weekly digest); the total counts
                people, a breakdown counts (vacancy, participant) pairs
  interested    "Saya tertarik" given (withdrawn later or not)
  sent, interview, hired   applications that reached the step (a later step implies the earlier ones)
  through the bot's vacancies   people working again (an employed check-in) whose job came from a vacancy of the
                bot (a hire recorded by staff, or named in a check-in) / people working again
An LPK member's figures cover the vacancies of their institutes, and their courses' participants.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.provinces import ProvinceCatalog
from bot.services.reports import ratio
from bot.services.staff import Scope as StaffScope
from bot.storage.db import Database
from bot.storage.reports import Scope
from bot.storage.vacancy_reports import FunnelFigures, Placements, VacancyReportRepository, VacancyScope

GROUPINGS = ("category", "province", "institute")
# The funnel's steps in order (FunnelFigures fields), for the text, the chart and the workbook.
STEPS = ("matched", "interested", "sent", "interview", "hired")


@dataclass(frozen=True, slots=True)
class VacancySummary:
    scope: VacancyScope
    funnel: FunnelFigures
    matched_people: int
    placements: Placements

    @property
    def share_through_vacancies(self) -> float | None:
        return ratio(self.placements.through_vacancies, self.placements.working)


def vacancy_scope(scope: Scope, staff_scope: StaffScope) -> VacancyScope:
    """The report's filters for the vacancies: province and period; an LPK member's institutes and courses."""
    return VacancyScope(
        institutes=staff_scope.institutes,
        province_code=scope.province_code,
        since=scope.since,
        until=scope.until,
        course_ids=scope.course_ids,
    )


class VacancyReportService:
    def __init__(self, db: Database, provinces: ProvinceCatalog) -> None:
        self._db = db
        self._provinces = provinces

    async def summary(self, scope: VacancyScope) -> VacancySummary:
        async with self._db.snapshot() as session:
            reports = VacancyReportRepository(session)
            found = await reports.funnel(scope, "all")
            people = await reports.matched_people(scope)
            placements = await reports.placements(scope)
        funnel = found[0] if found else FunnelFigures("all", "", 0, 0, 0, 0, 0, 0, 0)
        return VacancySummary(scope, funnel, people, placements)

    async def breakdown(self, scope: VacancyScope, grouping: str) -> list[FunnelFigures]:
        """The funnel per course category, province or LPK; a province's label is its name (empty: all of
        Indonesia), an LPK's its institute's name (empty: the programme's own vacancies)."""
        async with self._db.snapshot() as session:
            found = await VacancyReportRepository(session).funnel(scope, grouping)
        if grouping != "province":
            return found
        named = []
        for figures in found:
            province = self._provinces.get(figures.key) if figures.key else None
            label = province.name if province is not None else ""
            named.append(FunnelFigures(figures.key, label, *(getattr(figures, f) for f in _COUNTS)))
        return named


_COUNTS = ("published", "matched", "interested", "sent", "interview", "hired", "rejected")
