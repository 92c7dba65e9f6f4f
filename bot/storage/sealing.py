"""Keeping the sealed values and the keys in step: the start-up check, sealing old clear values, rotation.

- `check_keys` (every start, after the migrations): every key in DATA_KEYS must open its stored check value, the index
  key must make the stored index check, and every key a stored value is sealed with must be in DATA_KEYS. Anything
  else raises KeysRefused, so the bot never starts half-working (unable to read some people, or blind to a NIK
  already registered). A key seen for the first time gets its check value stored.
- `reseal` re-seals, in short transactions of `batch` rows, every row whose key is not the current one: the clear
  values an installation from before 0008 holds (key_id NULL), or, for rotate-keys, the values under an older key.
  Each batch commits on its own, so it resumes after a crash; the encryption happens outside the transaction, so
  a chatting person waits at most for one batch's UPDATE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.storage.db import Database, Param, Row, Session, to_db_time
from bot.storage.dialogs import DATA_COLUMN
from bot.storage.participants import SEALED, sealed_columns
from bot.storage.vault import CHECK_TEXT, INDEX_ID, KeysRefused, TamperedToken, Vault, is_token, token_key_id

BATCH = 200
_HAS_DATA = "(nik IS NOT NULL OR kpj IS NOT NULL OR phone IS NOT NULL OR birth_date IS NOT NULL)"


@dataclass(frozen=True, slots=True)
class Resealed:
    participants: int
    drafts: int


async def check_keys(db: Database, vault: Vault, now: datetime | None = None) -> None:
    """Refuse keys that do not fit this database (KeysRefused, with what to do); remember new ones."""
    moment = to_db_time(now or datetime.now(UTC))
    async with db.transaction() as session:
        stored = {row["key_id"]: row["check_value"] for row in await session.fetchall("SELECT * FROM data_keys")}
        index_check = stored.pop(INDEX_ID, None)
        if index_check is not None and index_check != vault.check_value():
            raise KeysRefused(
                "DATA_KEYS: the 'index' key is not the one this database was made with; the bot would not find"
                " registered NIK, KPJ or phone numbers. Put the original index key back."
            )
        for key_id, check in stored.items():
            if key_id in vault.key_ids:
                try:
                    vault.open(check, "check")
                except TamperedToken:
                    raise KeysRefused(
                        f"DATA_KEYS: key {key_id!r} is not the key of that name this database was sealed with."
                    ) from None
        missing = sorted(await _keys_in_use(session) - vault.key_ids)
        if missing:
            raise KeysRefused(
                f"DATA_KEYS lacks key {', '.join(map(repr, missing))}, which values in this database are sealed with."
                " Add it back (after the current key) and run `python main.py rotate-keys` before removing it."
            )
        if index_check is None:
            await _remember(session, INDEX_ID, vault.check_value(), moment)
        for key_id, key in vault.keys:
            if key_id not in stored:
                one = Vault(keys=((key_id, key),), index_key=vault.index_key)
                await _remember(session, key_id, one.seal(CHECK_TEXT, "check"), moment)


async def _remember(session: Session, key_id: str, check: str, moment: str) -> None:
    await session.execute(
        "INSERT INTO data_keys (key_id, check_value, added_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
        (key_id, check, moment),
    )


async def _keys_in_use(session: Session) -> set[str]:
    rows = await session.fetchall(
        f"SELECT DISTINCT key_id FROM participants WHERE key_id IS NOT NULL AND {_HAS_DATA}"  # noqa: S608
    )
    keys = {row[0] for row in rows}
    for row in await session.fetchall("SELECT data FROM dialogs"):
        if is_token(row[0]):
            keys.add(token_key_id(row[0]))
    return keys


async def reseal(
    db: Database,
    vault: Vault,
    *,
    clear_only: bool,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Resealed:
    """Seal with the current key every value that is in clear (`clear_only`) or under another key too.

    Each batch is read without the write lock, sealed outside any transaction, and written in one short
    transaction that only touches rows unchanged since they were read (a profile edit or an erasure meanwhile
    bumps `updated_at`; such a row is taken again in the next pass)."""
    done = 0
    while True:
        skipped = 0
        last_id = 0
        while True:
            params: list[Param] = [] if clear_only else [vault.current]
            async with db.reading() as session:
                rows = await session.fetchall(
                    f"SELECT id, updated_at, {', '.join(SEALED)} FROM participants"  # noqa: S608
                    f" WHERE {_SELECTION[clear_only]} AND {_HAS_DATA} AND id > ? ORDER BY id LIMIT ?",
                    (*params, last_id, batch),
                )
            if not rows:
                break
            updates = [_resealed(vault, row) for row in rows]
            columns = list(updates[0][0])
            async with db.transaction() as session:
                changed = await session.executemany(
                    f"UPDATE participants SET {', '.join(f'{c} = ?' for c in columns)}"  # noqa: S608
                    " WHERE id = ? AND updated_at = ?",
                    [(*values.values(), *guard) for values, guard in updates],
                )
            done += changed
            skipped += len(rows) - changed
            last_id = rows[-1]["id"]
            if progress is not None:
                progress(done)
            await asyncio.sleep(0)  # let a waiting person's transaction in between two batches
        if not skipped:
            break
    drafts = await _reseal_drafts(db, vault, clear_only=clear_only)
    return Resealed(participants=done, drafts=drafts)


_SELECTION = {True: "key_id IS NULL", False: "(key_id IS NULL OR key_id <> ?)"}


def _resealed(vault: Vault, row: Row) -> tuple[dict[str, Param], tuple[Param, Param]]:
    """A row's sealed columns under the current key, and the (id, updated_at) its update is guarded by."""
    values: dict[str, Param] = {"key_id": vault.current}
    for column in SEALED:
        values |= sealed_columns(vault, column, _clear(vault, row[column], column))
    return values, (row["id"], row["updated_at"])


async def _reseal_drafts(db: Database, vault: Vault, *, clear_only: bool) -> int:
    """Registration drafts: few (they expire within hours), so one transaction."""
    async with db.transaction() as session:
        rows = await session.fetchall("SELECT telegram_user_id, data FROM dialogs")
        count = 0
        for user_id, data in ((row[0], row[1]) for row in rows):
            if is_token(data) and (clear_only or token_key_id(data) == vault.current):
                continue
            clear = vault.open(data, DATA_COLUMN) if is_token(data) else data
            await session.execute(
                "UPDATE dialogs SET data = ? WHERE telegram_user_id = ?", (vault.seal(clear, DATA_COLUMN), user_id)
            )
            count += 1
    return count


def _clear(vault: Vault, stored: str | None, column: str) -> str | None:
    """A stored value in clear: a token opened, or a value from before sealing as it is."""
    if stored is None or not is_token(stored):
        return stored
    return vault.open(stored, column)
