"""Units of work: the repositories a service uses inside one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.storage.broadcasts import BroadcastRepository
from bot.storage.catalogue import CatalogueRepository
from bot.storage.certificates import CertificateRepository
from bot.storage.db import Database, Session
from bot.storage.dialogs import DialogRepository
from bot.storage.enrollments import EnrollmentRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.participants import ParticipantRepository
from bot.storage.pending import PendingRepository
from bot.storage.preferences import PreferenceRepository
from bot.storage.presence import PresenceRepository
from bot.storage.retention import RetentionRepository
from bot.storage.staff import StaffRepository
from bot.storage.staff_prompts import StaffPromptRepository
from bot.storage.surveys import SurveyRepository
from bot.storage.tickets import TicketReplyRepository, TicketRepository
from bot.storage.updates import UpdateRepository
from bot.storage.vacancies import VacancyRepository
from bot.storage.vacancy_matching import VacancyMatchRepository
from bot.storage.vacancy_staff import VacancyStaffRepository
from bot.storage.vault import Vault


class Unit:
    """Every repository, bound to one transaction."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.participants = ParticipantRepository(session, vault)
        self.dialogs = DialogRepository(session, vault)
        self.preferences = PreferenceRepository(session)
        self.catalogue = CatalogueRepository(session)
        self.enrollments = EnrollmentRepository(session)
        self.outbox = OutboxRepository(session)
        self.surveys = SurveyRepository(session)
        self.staff = StaffRepository(session)
        self.broadcasts = BroadcastRepository(session)
        self.updates = UpdateRepository(session)
        self.pending = PendingRepository(session)
        self.tickets = TicketRepository(session)
        self.ticket_replies = TicketReplyRepository(session)
        self.retention = RetentionRepository(session)
        self.presence = PresenceRepository(session)
        self.certificates = CertificateRepository(session)
        self.vacancies = VacancyRepository(session)
        self.vacancy_staff = VacancyStaffRepository(session)
        self.vacancy_matches = VacancyMatchRepository(session, self.outbox)
        self.staff_prompts = StaffPromptRepository(session)


class Store:
    """The services' door to the database: `async with store.write() as unit: ...`.

    `on_outbox` is called after a transaction that queued outbox messages has committed, so the dispatcher can
    send them at once instead of at its next sweep. `vault` seals and opens personal data (bot/storage/vault.py).
    """

    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault
        self.on_outbox: Callable[[], None] | None = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Unit]:
        async with self.db.transaction() as session:
            unit = Unit(session, self.vault)
            yield unit
        if unit.outbox.added and self.on_outbox is not None:
            self.on_outbox()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Unit]:
        async with self.db.reading() as session:
            yield Unit(session, self.vault)
