"""Typed bot_data and context: handlers read `context.services.registration`, not string keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.i18n import Translations
from bot.services.accounts import AccountService
from bot.services.broadcasts import BroadcastService
from bot.services.catalogue import CatalogueService
from bot.services.certificates import CertificateService
from bot.services.completion import CompletionService
from bot.services.enrollment import EnrollmentService
from bot.services.helpdesk import HelpdeskService
from bot.services.helpdesk_staff import HelpdeskStaffService
from bot.services.lookup import LookupService
from bot.services.mydata import MyDataService
from bot.services.operations import OperationsService
from bot.services.pending import PendingService
from bot.services.presence import PresenceService
from bot.services.provinces import ProvinceCatalog
from bot.services.registration import RegistrationService
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.staff import StaffService
from bot.services.staff_prompts import StaffPromptService
from bot.services.surveys import SurveyService
from bot.services.vacancies import VacancyService
from bot.services.vacancy_browse import VacancyBrowser
from bot.services.vacancy_matching import VacancyMatcher
from bot.services.vacancy_reports import VacancyReportService
from bot.services.vacancy_staff import VacancyStaffService
from bot.storage.db import Database
from bot.storage.store import Store


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the handlers use, built once the database is open (post_init)."""

    settings: Settings
    clock: Clock
    translations: Translations
    provinces: ProvinceCatalog
    db: Database
    store: Store
    registration: RegistrationService
    accounts: AccountService
    mydata: MyDataService
    catalogue: CatalogueService
    enrollment: EnrollmentService
    surveys: SurveyService
    completion: CompletionService
    staff: StaffService
    broadcasts: BroadcastService
    lookup: LookupService
    reports: ReportService
    operations: OperationsService
    pending: PendingService
    dispatcher: Dispatcher
    helpdesk: HelpdeskService
    helpdesk_staff: HelpdeskStaffService
    retention: RetentionService
    presence: PresenceService
    certificates: CertificateService
    vacancies: VacancyService
    vacancy_browse: VacancyBrowser
    vacancy_staff: VacancyStaffService
    vacancy_reports: VacancyReportService
    vacancy_matcher: VacancyMatcher
    staff_prompts: StaffPromptService


class BotData:
    """PTB creates this with no arguments; the application attaches its configuration and services."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are attached in post_init; the application is not initialised")
        return self._services

    def attach(self, services: Services) -> None:
        self._services = services

    def detach(self) -> Services | None:
        services, self._services = self._services, None
        return services


class VokasiContext(CallbackContext[ExtBot[dict[str, Any]], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def services(self) -> Services:
        return self.bot_data.services


# The Application as this bot builds it (bot/app.py), for type annotations.
VokasiApp = Application[ExtBot[dict[str, Any]], VokasiContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Any]]
