"""Participants: the people registered in the programme.

NIK, KPJ, phone and the full birth date are stored sealed (bot/storage/vault.py) and found through their blind
indexes; the repository seals on the way in and opens on the way out, so services see clear values and never a
token. The masked NIK, province, gender and birth year stay in clear for lists and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.db import Param, Row, Session, from_db_time, opt_date, opt_time, to_db_time
from bot.storage.vault import Vault, mask_nik


@dataclass(frozen=True, slots=True)
class NewParticipant:
    telegram_user_id: int
    full_name: str
    nik: str
    birth_date: date
    gender: str
    kpj: str | None
    phone: str
    province_code: str
    regency: str
    last_employer: str
    phk_date: date
    education: str
    needs_verification: bool
    consent_at: datetime
    consent_version: str


@dataclass(frozen=True, slots=True)
class Participant:
    id: int
    telegram_user_id: int | None
    full_name: str | None
    nik: str | None
    birth_date: date | None
    birth_year: int | None
    gender: str | None
    kpj: str | None
    phone: str | None
    province_code: str
    regency: str | None
    last_employer: str | None
    phk_date: date
    education: str
    needs_verification: bool
    consent_at: datetime
    consent_version: str
    registered_at: datetime
    updated_at: datetime
    erased_at: datetime | None
    # What staff see of the NIK (3201********0001); None once erased.
    nik_masked: str | None = None
    # From the latest employment check-in (previous_employer, new_employer, own_business, ...), if any.
    employment_status: str | None = None
    employment_status_at: datetime | None = None
    # Set by /berhenti: no announcements until /lanjut.
    announcements_off_at: datetime | None = None
    unreachable_since: datetime | None = None
    # The check-in's "job information through the bot?": True yes, False no, None never answered.
    wants_vacancies: bool | None = None


# The columns a profile edit may change, and how a Python value is stored.
EDITABLE_COLUMNS = frozenset(
    {
        "full_name",
        "nik",
        "birth_date",
        "birth_year",
        "gender",
        "kpj",
        "phone",
        "province_code",
        "regency",
        "last_employer",
        "phk_date",
        "education",
        "needs_verification",
    }
)


def _to_clear(value: object) -> str | None:
    """A sealed column's new value as the text that is sealed (a date as ISO)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot seal {type(value).__name__}")


def _to_param(value: object) -> Param:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int):
        return value
    raise TypeError(f"cannot store {type(value).__name__}")


# The sealed columns, each with its blind index when it is looked up by value.
SEALED = ("nik", "kpj", "phone", "birth_date")
INDEXED = ("nik", "kpj", "phone")


def sealed_columns(vault: Vault, column: str, value: str | None) -> dict[str, Param]:
    """What storing one clear value of a sealed column writes: the token, its index, and for the NIK its mask."""
    columns: dict[str, Param] = {column: vault.seal_opt(value, column)}
    if column in INDEXED:
        columns[f"{column}_index"] = vault.index_opt(value, column)
    if column == "nik":
        columns["nik_masked"] = None if value is None else mask_nik(value)
    return columns


class ParticipantRepository:
    def __init__(self, session: Session, vault: Vault) -> None:
        self._s = session
        self._vault = vault

    def _participant(self, row: Row) -> Participant:
        opened = {column: self._vault.open_opt(row[column], column) for column in SEALED}
        return Participant(
            id=row["id"],
            telegram_user_id=row["telegram_user_id"],
            full_name=row["full_name"],
            nik=opened["nik"],
            birth_date=opt_date(opened["birth_date"]),
            birth_year=row["birth_year"],
            gender=row["gender"],
            kpj=opened["kpj"],
            phone=opened["phone"],
            province_code=row["province_code"],
            regency=row["regency"],
            last_employer=row["last_employer"],
            phk_date=date.fromisoformat(row["phk_date"]),
            education=row["education"],
            needs_verification=bool(row["needs_verification"]),
            consent_at=from_db_time(row["consent_at"]),
            consent_version=row["consent_version"],
            registered_at=from_db_time(row["registered_at"]),
            updated_at=from_db_time(row["updated_at"]),
            erased_at=opt_time(row["erased_at"]),
            nik_masked=row["nik_masked"],
            employment_status=row["employment_status"],
            employment_status_at=opt_time(row["employment_status_at"]),
            announcements_off_at=opt_time(row["announcements_off_at"]),
            unreachable_since=opt_time(row["unreachable_since"]),
            wants_vacancies=None if row["wants_vacancies"] is None else bool(row["wants_vacancies"]),
        )

    async def create(self, new: NewParticipant, now: datetime) -> Participant:
        v = self._vault
        values: dict[str, Param] = {
            "telegram_user_id": new.telegram_user_id,
            "full_name": new.full_name,
            **sealed_columns(v, "nik", new.nik),
            **sealed_columns(v, "birth_date", new.birth_date.isoformat()),
            "birth_year": new.birth_date.year,
            "gender": new.gender,
            **sealed_columns(v, "kpj", new.kpj),
            **sealed_columns(v, "phone", new.phone),
            "key_id": v.current,
            "province_code": new.province_code,
            "regency": new.regency,
            "last_employer": new.last_employer,
            "phk_date": new.phk_date.isoformat(),
            "education": new.education,
            "needs_verification": int(new.needs_verification),
            "consent_at": to_db_time(new.consent_at),
            "consent_version": new.consent_version,
            "registered_at": to_db_time(now),
            "updated_at": to_db_time(now),
        }
        row = await self._s.fetchone(
            f"INSERT INTO participants ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"  # noqa: S608
            " RETURNING *",
            tuple(values.values()),
        )
        assert row is not None
        return self._participant(row)

    async def by_telegram_id(self, telegram_user_id: int) -> Participant | None:
        row = await self._s.fetchone("SELECT * FROM participants WHERE telegram_user_id = ?", (telegram_user_id,))
        return None if row is None else self._participant(row)

    async def by_id(self, participant_id: int) -> Participant | None:
        row = await self._s.fetchone("SELECT * FROM participants WHERE id = ?", (participant_id,))
        return None if row is None else self._participant(row)

    async def nik_holder(self, nik: str) -> int | None:
        """The Telegram account registered with this NIK, if any."""
        value = await self._s.fetchval(
            "SELECT telegram_user_id FROM participants WHERE nik_index = ?", (self._vault.index(nik, "nik"),)
        )
        return None if value is None else int(value)

    async def update(self, participant_id: int, changes: dict[str, object], now: datetime) -> Participant:
        unknown = set(changes) - EDITABLE_COLUMNS
        if unknown or not changes:
            raise ValueError(f"not editable: {sorted(unknown) or 'nothing to change'}")
        stored: dict[str, Param] = {}
        for column in sorted(changes):
            if column in SEALED:
                stored |= sealed_columns(self._vault, column, _to_clear(changes[column]))
            else:
                stored[column] = _to_param(changes[column])
        assignments = ", ".join(f"{column} = ?" for column in stored)
        row = await self._s.fetchone(
            f"UPDATE participants SET {assignments}, updated_at = ? WHERE id = ? RETURNING *",  # noqa: S608 (whitelisted columns)
            (*stored.values(), to_db_time(now), participant_id),
        )
        if row is None:
            raise LookupError(f"participant {participant_id} not found")
        return self._participant(row)

    async def erase(self, participant_id: int, now: datetime) -> None:
        """Remove everything that identifies the person; keep what anonymous statistics need.

        Kept: gender, birth year, province, lay-off month, education, eligibility flag, consent and
        registration times. Erased: name, NIK, full birth date, KPJ, phone, regency, employer, Telegram link.
        """
        await self._s.execute(
            "UPDATE participants SET telegram_user_id = NULL, full_name = NULL, nik = NULL, birth_date = NULL,"
            " kpj = NULL, phone = NULL, nik_index = NULL, kpj_index = NULL, phone_index = NULL, nik_masked = NULL,"
            " key_id = NULL, regency = NULL, last_employer = NULL,"
            " phk_date = substr(phk_date, 1, 8) || '01', erased_at = ?, updated_at = ?"
            " WHERE id = ?",
            (to_db_time(now), to_db_time(now), participant_id),
        )

    async def set_employment_status(self, participant_id: int, status: str, now: datetime) -> None:
        await self._s.execute(
            "UPDATE participants SET employment_status = ?, employment_status_at = ? WHERE id = ?",
            (status, to_db_time(now), participant_id),
        )

    async def set_wants_vacancies(self, participant_id: int, *, wanted: bool, now: datetime) -> None:
        await self._s.execute(
            "UPDATE participants SET wants_vacancies = ?, wants_vacancies_at = ? WHERE id = ?",
            (int(wanted), to_db_time(now), participant_id),
        )

    async def set_announcements(self, participant_id: int, *, wanted: bool, now: datetime) -> None:
        await self._s.execute(
            "UPDATE participants SET announcements_off_at = ? WHERE id = ?",
            (None if wanted else to_db_time(now), participant_id),
        )

    async def search(
        self, *, name: str | None = None, column: str | None = None, value: str = "", limit: int
    ) -> list[Participant]:
        """Staff lookup: a name fragment (case-insensitive), or an exact NIK, KPJ or phone."""
        if name is not None:
            pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = await self._s.fetchall(
                "SELECT * FROM participants WHERE LOWER(full_name) LIKE LOWER(?) ESCAPE '\\'"
                " ORDER BY full_name, id LIMIT ?",
                (pattern, limit),
            )
        elif column in INDEXED:
            rows = await self._s.fetchall(
                f"SELECT * FROM participants WHERE {column}_index = ? ORDER BY id LIMIT ?",  # noqa: S608 (whitelisted)
                (self._vault.index(value, column), limit),
            )
        else:
            raise ValueError(f"cannot search by {column!r}")
        return [self._participant(row) for row in rows]

    async def mark_unreachable(self, telegram_user_id: int, reason: str, now: datetime) -> bool:
        """Telegram refused to deliver (blocked, deactivated, chat gone); returns whether a participant matched."""
        changed = await self._s.execute(
            "UPDATE participants SET unreachable_since = ?, unreachable_reason = ?"
            " WHERE telegram_user_id = ? AND unreachable_since IS NULL",
            (to_db_time(now), reason, telegram_user_id),
        )
        return changed > 0

    async def mark_reachable(self, telegram_user_id: int) -> None:
        await self._s.execute(
            "UPDATE participants SET unreachable_since = NULL, unreachable_reason = NULL WHERE telegram_user_id = ?",
            (telegram_user_id,),
        )

    async def unreachable_ids(self) -> set[int]:
        rows = await self._s.fetchall(
            "SELECT telegram_user_id FROM participants WHERE unreachable_since IS NOT NULL"
            " AND telegram_user_id IS NOT NULL"
        )
        return {int(row[0]) for row in rows}

    async def count(self) -> int:
        return int(await self._s.fetchval("SELECT COUNT(*) FROM participants"))
