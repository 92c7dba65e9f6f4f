"""build_application(settings): the whole bot on one screen. Every handler is registered here, in order."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import time, timedelta
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.clock import Clock, SystemClock
from bot.concurrency import PerUserUpdateProcessor
from bot.config import LANGUAGES, Settings
from bot.context import BotData, Services, VokasiApp, VokasiContext
from bot.delivery.certificates import PDF_WORKER, CertificateSender
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.http import AiohttpRequest
from bot.delivery.ratelimit import PriorityRateLimiter
from bot.delivery.vacancies import VacancySender
from bot.handlers import (
    broadcast_progress,
    reports,
    vacancy_matching,
)
from bot.handlers.commands import publish_all_staff_commands, publish_commands
from bot.handlers.routes import register_handlers
from bot.i18n import Translations
from bot.logs import use_pseudonym_key
from bot.services.accounts import AccountService
from bot.services.broadcasts import BroadcastService
from bot.services.catalogue import CatalogueService
from bot.services.certificate_template import load_template
from bot.services.certificates import CertificateService
from bot.services.completion import CompletionService
from bot.services.enrollment import EnrollmentService
from bot.services.erasure import Eraser
from bot.services.faq import Faq
from bot.services.helpdesk import HelpdeskService
from bot.services.helpdesk_staff import HelpdeskStaffService
from bot.services.lookup import LookupService
from bot.services.mydata import MyDataService
from bot.services.operations import OperationsService
from bot.services.pending import PendingService
from bot.services.presence import PresenceService
from bot.services.provinces import ProvinceCatalog
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderPlanner
from bot.services.reports import REPORT_ZONE, ReportService
from bot.services.retention import RETENTION_AT, RetentionService
from bot.services.staff import (
    StaffService,
)
from bot.services.staff_prompts import StaffPromptService
from bot.services.survey_catalog import SurveyCatalog
from bot.services.surveys import SurveyService
from bot.services.vacancies import VacancyService
from bot.services.vacancy_browse import VacancyBrowser
from bot.services.vacancy_matching import DIGEST_AT, DIGEST_WEEKDAY, VacancyMatcher
from bot.services.vacancy_reports import VacancyReportService
from bot.services.vacancy_staff import VacancyStaffService
from bot.storage.connect import open_database
from bot.storage.sealing import check_keys, reseal
from bot.storage.store import Store
from bot.storage.vault import PSEUDONYM_PURPOSE, Vault, vault_from

log = logging.getLogger(__name__)


# How often abandoned registration drafts are purged (they hold personal data).
PURGE_INTERVAL_S = 3600
# How often surveys due are started and late ones expired (check-ins are planned to the minute, not the second).
SURVEY_TICK_S = 60


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    vault: Vault | None = None,
) -> VokasiApp:
    """The PTB Application with every handler; the database is opened in post_init and closed in post_shutdown.

    `vault` defaults to DATA_KEYS; without keys, or with keys that do not fit the database, it raises KeysRefused
    (here or in post_init), so the bot never runs unable to read or protect personal data."""
    if not settings.bot_token:
        raise ValueError("BOT_TOKEN is not set")
    clock = clock or SystemClock()
    # A mistake in a survey file stops the bot here, before it talks to anyone (SurveyDefinitionError).
    survey_catalog = SurveyCatalog.load(settings.surveys_dir)
    # So does a mistake in the certificate's layout or its texts (CertificateTemplateError).
    certificate_template = load_template(settings.certificate_template)
    keys = vault or vault_from(settings.data_keys_text())
    use_pseudonym_key(keys.derived_key(PSEUDONYM_PURPOSE))
    faq = Faq.load(settings.faq_path, LANGUAGES)

    async def post_init(app: VokasiApp) -> None:
        db = await open_database(settings.database_url.get_secret_value())
        await db.migrate()
        try:
            await check_keys(db, keys, clock.now())
            await reseal(db, keys, clear_only=True)
        except BaseException:
            await db.close()
            raise
        store = Store(db, keys)
        provinces = ProvinceCatalog.load()
        translations = Translations(settings.default_language)
        planner = ReminderPlanner(settings, provinces)
        staff = StaffService(store, settings, clock)
        desk = HelpdeskService(store, settings, clock, faq)
        desk_staff = HelpdeskStaffService(store, clock, staff, desk)
        certificate_service = CertificateService(store, settings, clock, planner, certificate_template)
        PDF_WORKER.start()  # certificates' PDFs are built in a process of their own (bot/delivery/certificates.py)
        dispatcher = Dispatcher(
            store,
            app.bot,
            translations,
            survey_catalog,
            clock,
            concurrency=settings.dispatch_concurrency,
            paid_broadcasts=settings.allow_paid_broadcast,
            leadership=db.leadership(retry_s=settings.dispatcher_election_s),
            helpdesk_staff=desk_staff,
            certificates=CertificateSender(app.bot, translations, certificate_service),
            vacancies=VacancySender(app.bot, store, provinces, clock),
        )
        store.on_outbox = dispatcher.wake
        surveys = SurveyService(store, survey_catalog, settings, clock, planner)
        # /hapusdata and the retention job erase with the same code.
        eraser = Eraser(clock, planner, surveys, desk)
        app.bot_data.attach(
            Services(
                settings=settings,
                clock=clock,
                translations=translations,
                provinces=provinces,
                db=db,
                store=store,
                registration=RegistrationService(store, provinces, settings, clock),
                accounts=AccountService(store, clock, eraser),
                mydata=MyDataService(store, clock),
                catalogue=CatalogueService(store, provinces, clock, planner),
                enrollment=EnrollmentService(store, settings, clock, planner),
                surveys=surveys,
                completion=CompletionService(
                    store, clock, planner, surveys, settings.min_attendance, certificates=certificate_service
                ),
                staff=staff,
                broadcasts=BroadcastService(store, clock, planner.quiet, provinces),
                lookup=LookupService(store),
                reports=ReportService(db, settings, clock, provinces),
                operations=OperationsService(store, settings, clock, staff),
                pending=PendingService(
                    store,
                    settings.admin_ids,
                    survey_catalog,
                    clock,
                    timedelta(days=settings.helpdesk_reopen_days),
                ),
                dispatcher=dispatcher,
                helpdesk=desk,
                helpdesk_staff=desk_staff,
                retention=RetentionService(store, settings, clock, planner, eraser),
                presence=PresenceService(store, settings, clock, staff),
                certificates=certificate_service,
                vacancies=VacancyService(store, provinces, clock),
                vacancy_browse=VacancyBrowser(store, clock),
                vacancy_staff=VacancyStaffService(store, clock, staff, planner),
                vacancy_reports=VacancyReportService(db, provinces),
                vacancy_matcher=VacancyMatcher(store, clock, planner.quiet, provinces, settings.vacancy_digest_max),
                staff_prompts=StaffPromptService(store, clock),
            )
        )
        await publish_commands(app.bot, translations)
        members = await staff.members()
        await publish_all_staff_commands(app.bot, translations, {m.telegram_user_id: m.role for m in members})
        assert app.job_queue is not None
        # With several instances on one database, the periodic jobs run on the one that sends the outbox (elected
        # through PostgreSQL; see Dispatcher.active): one weekly report, one progress message being edited.
        app.job_queue.run_repeating(
            _sending_instance(_purge_idle_dialogs), interval=PURGE_INTERVAL_S, first=60, name="purge-dialogs"
        )
        app.job_queue.run_repeating(
            _sending_instance(_survey_tick), interval=SURVEY_TICK_S, first=1, name="survey-tick"
        )
        if settings.report_weekly:
            app.job_queue.run_daily(
                _sending_instance(reports.weekly_job),
                time=time(settings.report_weekly_at.hour, settings.report_weekly_at.minute, tzinfo=REPORT_ZONE),
                days=((settings.report_weekly_day + 1) % 7,),  # PTB counts days from Sunday = 0
                name="report-weekly-job",
            )
        # Matched vacancies, weekly, for those looking for work (publications are matched as they are imported).
        app.job_queue.run_daily(
            _sending_instance(vacancy_matching.digest_job),
            time=DIGEST_AT,
            days=((DIGEST_WEEKDAY + 1) % 7,),  # PTB counts days from Sunday = 0
            name="vacancy_digest",  # underscores: not a message key (tests/test_i18n.py)
        )
        # Kept only as long as the consent notice promises: notices, then erasure (RETENTION_MONTHS).
        app.job_queue.run_daily(_sending_instance(_retention), time=RETENTION_AT, name="retention")
        app.job_queue.run_repeating(
            _sending_instance(broadcast_progress.progress_job),
            interval=broadcast_progress.PROGRESS_EVERY_S,
            first=1,
            name="broadcast-watch",
        )
        await dispatcher.start(app.job_queue)
        log.info("bot started as @%s", app.bot.username)

    async def post_shutdown(app: VokasiApp) -> None:
        services = app.bot_data.detach()
        if services is not None:
            await services.db.close()

    processor = update_processor or PerUserUpdateProcessor()
    app: VokasiApp = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        # Requests over aiohttp (bot/delivery/http.py: its pool measured faster than httpx's), with a connection
        # for every request that can be in flight at once: each update being handled (its reply) and each outbox
        # row of the dispatcher's batch, so none waits for a connection (the pool timeout is 1 s, as PTB's, after
        # which the request fails with nothing sent). getUpdates has its own connection.
        .request(AiohttpRequest(processor.max_concurrent_updates + settings.dispatch_concurrency))
        .get_updates_request(AiohttpRequest())
        .base_url(settings.bot_api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=VokasiContext, bot_data=BotData))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(processor)
        .rate_limiter(
            PriorityRateLimiter(
                overall_per_s=settings.overall_messages_per_s,
                per_chat_per_s=settings.telegram_chat_messages_per_s,
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(app, settings)
    return app


def _sending_instance(
    job: Callable[[VokasiContext], Coroutine[Any, Any, None]],
) -> Callable[[VokasiContext], Coroutine[Any, Any, None]]:
    """The job, run only on the instance that sends the outbox (every time, with one instance)."""

    @functools.wraps(job)
    async def on_sending_instance(context: VokasiContext) -> None:
        if context.services.dispatcher.active:
            await job(context)

    return on_sending_instance


async def _survey_tick(context: VokasiContext) -> None:
    changed = await context.services.surveys.tick()
    if changed:
        log.info("surveys: %d started or expired", changed)


async def _retention(context: VokasiContext) -> None:
    await context.services.retention.run()


async def _purge_idle_dialogs(context: VokasiContext) -> None:
    removed = await context.services.registration.purge_idle()
    if removed:
        log.info("purged %d abandoned dialogs", removed)
    await context.services.staff_prompts.purge()
    await context.services.operations.forget_old_updates()
