"""Job vacancies: publishing them from a staff file (all or nothing), for the participants who look for work.

Who may publish: operators and admins any vacancy; an LPK member (for their partner employers) the vacancies they
published themselves: a file re-importing someone else's code is refused on that row. The file's header tells a
vacancy list from a course catalogue (``import_kind``), so staff send either to the bot the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.clock import Clock
from bot.services.provinces import ProvinceCatalog
from bot.services.spreadsheet import ImportProblem, read_sheet
from bot.services.vacancy_import import VacanciesRejected, VacancySpec, is_vacancy_sheet, parse_vacancy_table
from bot.storage.store import Store
from bot.storage.vacancies import VacancyFields

VACANCY_IMPORT: Final = "vacancies"
CATALOGUE_IMPORT: Final = "catalogue"
# The publisher of vacancies imported with `python main.py import-vacancies`.
COMMAND_LINE: Final = 0


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who imports: their Telegram id (COMMAND_LINE for the command line) and, for an LPK member, their institute
    (restricted: they may only update the vacancies they published)."""

    user_id: int
    institute_key: str | None = None
    restricted: bool = False


@dataclass(frozen=True, slots=True)
class VacancyImportReport:
    created: int
    updated: int
    # The ids of the vacancies the file published or changed (the matching sends them to who needs them).
    vacancy_ids: tuple[int, ...] = ()


def import_kind(content: bytes, filename: str) -> str:
    """Which import a staff file is for, by its header: a vacancy list names posisi/perusahaan/cara_melamar.
    A file that cannot be read goes to the catalogue import, which explains why."""
    table = read_sheet(content, filename)
    if isinstance(table, ImportProblem) or not is_vacancy_sheet(table):
        return CATALOGUE_IMPORT
    return VACANCY_IMPORT


class VacancyService:
    def __init__(self, store: Store, provinces: ProvinceCatalog, clock: Clock) -> None:
        self._store = store
        self._provinces = provinces
        self._clock = clock

    async def import_file(self, content: bytes, filename: str, publisher: Publisher) -> VacancyImportReport:
        """Parse and apply a vacancy file, all or nothing; raises VacanciesRejected (every problem) before any
        write. A code already published is updated (its categories replaced)."""
        table = read_sheet(content, filename)
        if isinstance(table, ImportProblem):
            raise VacanciesRejected([table])
        now = self._clock.now()
        async with self._store.write() as unit:
            categories = await unit.vacancies.known_categories()
            specs = parse_vacancy_table(table, self._provinces, categories, now)
            if publisher.restricted:
                owners = await unit.vacancies.publishers([spec.code for spec in specs])
                problems = [
                    ImportProblem(spec.row, "err-vacancy-not-yours", {"code": spec.code})
                    for spec in specs
                    if owners.get(spec.code, publisher.user_id) != publisher.user_id
                ]
                if problems:
                    raise VacanciesRejected(problems)
            created = updated = 0
            ids: list[int] = []
            for spec in specs:
                vacancy_id, is_new = await unit.vacancies.upsert(_fields(spec, publisher), spec.categories, now)
                ids.append(vacancy_id)
                if is_new:
                    created += 1
                else:
                    updated += 1
        return VacancyImportReport(created, updated, tuple(ids))


def _fields(spec: VacancySpec, publisher: Publisher) -> VacancyFields:
    return VacancyFields(
        code=spec.code,
        position=spec.position,
        employer=spec.employer,
        sector=spec.sector,
        province_code=spec.province_code,
        regency=spec.regency,
        salary_from=spec.salary_from,
        salary_to=spec.salary_to,
        requirements=spec.requirements,
        closes_on=spec.closes_on,
        closes_at=spec.closes_at,
        apply_method=spec.apply_method,
        apply_detail=spec.apply_detail,
        published_by=publisher.user_id,
        institute_key=publisher.institute_key,
    )
