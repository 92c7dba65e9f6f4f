"""Units of work: the repositories a service uses inside one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage.db import Database, Session
from bot.storage.dialogs import DialogRepository
from bot.storage.participants import ParticipantRepository
from bot.storage.preferences import PreferenceRepository


class Unit:
    """Every repository, bound to one transaction."""

    def __init__(self, session: Session) -> None:
        self.participants = ParticipantRepository(session)
        self.dialogs = DialogRepository(session)
        self.preferences = PreferenceRepository(session)


class Store:
    """The services' door to the database: `async with store.write() as unit: ...`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Unit]:
        async with self.db.transaction() as session:
            yield Unit(session)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Unit]:
        async with self.db.reading() as session:
            yield Unit(session)
