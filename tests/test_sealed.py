"""Personal data at rest: NIK, KPJ, phone and birth date sealed, found by blind index, keys checked and rotated."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.lookup import Found, LookupService
from bot.storage.connect import open_database
from bot.storage.db import Database
from bot.storage.sealing import check_keys, reseal
from bot.storage.store import Store
from bot.storage.vault import KeysRefused, TamperedToken, Vault, is_token
from tests.backends import Backend, database_url, execute, is_postgres, query
from tests.flows import Person, answer_until_summary, consent, register
from tests.harness import BotHarness
from tests.keys import VAULT
from tests.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
PERSON = Person()
# Every form the values could take in storage: as typed, normalised, in E.164 and without the plus.
SECRETS = (PERSON.nik, PERSON.kpj or "", "+6281234567890", "6281234567890", "081234567890", "1990-01-15")


def _files(path: Path) -> Iterator[Path]:
    for suffix in ("", "-wal", "-journal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            yield candidate


def _assert_absent(blob: bytes, where: str) -> None:
    for secret in SECRETS:
        assert secret.encode() not in blob, f"{secret} found in {where}"


def _main(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python main.py ARGS` without the test run's throw-away DATA_KEYS: each call names the keys it means."""
    return run(*args, cwd=cwd, unset=("DATA_KEYS",), **env)


async def test_registration_leaves_no_identity_number_in_any_byte_of_the_database(
    bot: BotHarness, tmp_path: Path
) -> None:
    user = bot.user(5001)
    await register(bot, user, PERSON)
    stored = bot.participant_row(5001)
    for column in ("nik", "kpj", "phone", "birth_date"):
        assert is_token(stored[column]), column
    assert stored["nik_masked"] == "3201********0001"
    assert stored["birth_year"] == 1990 and stored["province_code"] == "32" and stored["gender"] == "F"
    # The bot reads its own values back.
    assert bot.participant(5001)["nik"] == PERSON.nik
    assert bot.participant(5001)["phone"] == "+6281234567890"
    if is_postgres():
        bindir = Backend.server.bindir if Backend.server is not None else None
        if bindir is None:
            pytest.skip("no pg_dump of the test server's own PostgreSQL")
        command = [str(bindir / "pg_dump"), "--data-only", bot.settings.database_url.get_secret_value()]
        dump = (await asyncio.to_thread(subprocess.run, command, capture_output=True, check=True, timeout=60)).stdout
        assert b"3201********0001" in dump  # the dump holds the data (the masked NIK), not the identity numbers
        _assert_absent(dump, "the PostgreSQL dump")
        return
    # SQLite: the file and its WAL as they are now, while the bot runs, and an online backup.
    for path in _files(bot.db_path):
        _assert_absent(path.read_bytes(), path.name)
    backup = tmp_path / "copy.db"
    db = await open_database(bot.settings.database_url.get_secret_value())
    try:
        await db.backup(backup)
    finally:
        await db.close()
    blob = b"".join(path.read_bytes() for path in _files(backup))
    assert b"3201********0001" in blob
    _assert_absent(blob, "the backup")


async def test_registration_draft_is_sealed_too(bot: BotHarness) -> None:
    """While a person is half-way through registering, their answers so far are a token, not JSON."""
    user = bot.user(5002)
    await consent(bot, user)
    await answer_until_summary(bot, user, PERSON)
    raw = bot.rows("SELECT data FROM dialogs WHERE telegram_user_id = ?", (5002,))[0]["data"]
    assert is_token(raw)
    assert PERSON.nik.encode() not in raw.encode()
    assert bot.dialog(5002)["data"]  # and the bot still opens it


async def _registered(bot: BotHarness, count: int) -> list[Person]:
    people = []
    for index in range(count):
        person = Person(
            name=f"Peserta {chr(65 + index)}",
            nik=f"32010155019{index:05d}"[:12] + f"{index + 1:04d}",
            kpj=f"{12345678900 + index}",
            phone=f"0812-3456-{7000 + index}",
        )
        await register(bot, bot.user(5100 + index), person)
        people.append(person)
    return people


async def _open(bot: BotHarness) -> Database:
    return await open_database(bot.settings.database_url.get_secret_value())


async def test_rotation_keeps_every_value_readable_and_every_look_up_working(bot: BotHarness) -> None:
    people = await _registered(bot, 3)
    await bot.stop()
    rotated = VAULT.with_new_key(NOW)
    db = await _open(bot)
    try:
        await check_keys(db, rotated, NOW)
        # A crash after the first batch: the rows re-sealed so far stay re-sealed, the others wait.
        batches = 0

        def crash(done: int) -> None:
            nonlocal batches
            batches += 1
            raise RuntimeError("power cut")

        with pytest.raises(RuntimeError, match="power cut"):
            await reseal(db, rotated, clear_only=False, batch=1, progress=crash)
        new_only = Vault(keys=rotated.keys[:1], index_key=rotated.index_key)
        with pytest.raises(KeysRefused, match=VAULT.current):
            await check_keys(db, new_only, NOW)  # values under the old key remain: it may not be removed yet
        done = await reseal(db, rotated, clear_only=False, batch=2)
        assert done.participants == len(people) - 1  # resumed where it stopped
        # Now the old key can go: the check passes, and everything reads and is found with the new key alone.
        await check_keys(db, new_only, NOW)
        store = Store(db, new_only)
        lookup = LookupService(store)
        for index, person in enumerate(people):
            async with store.read() as unit:
                found = await unit.participants.by_telegram_id(5100 + index)
                assert found is not None and (found.nik, found.kpj) == (person.nik, person.kpj)
                assert await unit.participants.nik_holder(person.nik) == 5100 + index
            for query_text in (person.nik, person.kpj or "", person.phone):
                result = await lookup.search(query_text)
                assert isinstance(result, Found)
                assert [c.participant.telegram_user_id for c in result.cards] == [5100 + index], query_text
        key_ids = {row[0] for row in await _rows(db, "SELECT DISTINCT key_id FROM participants")}
        assert key_ids == {new_only.current}
    finally:
        await db.close()


async def _rows(db: Database, sql: str) -> list[object]:
    async with db.reading() as session:
        return list(await session.fetchall(sql))


async def test_a_tampered_or_moved_token_is_refused_not_decoded(bot: BotHarness) -> None:
    await register(bot, bot.user(5201), PERSON)
    stored = bot.participant_row(5201)
    token = stored["nik"]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with pytest.raises(TamperedToken):
        VAULT.open(flipped, "nik")
    with pytest.raises(TamperedToken):
        VAULT.open(stored["kpj"], "nik")  # a KPJ token copied into the NIK column
    with pytest.raises(TamperedToken):
        VAULT.open(token, "kpj")
    await bot.stop()
    db = await _open(bot)
    try:
        async with db.transaction() as session:
            await session.execute("UPDATE participants SET nik = ? WHERE id = ?", (flipped, stored["id"]))
        with pytest.raises(TamperedToken):
            async with Store(db, VAULT).read() as unit:
                await unit.participants.by_telegram_id(5201)
    finally:
        await db.close()


def test_a_token_carries_version_key_and_its_own_nonce() -> None:
    first, second = VAULT.seal("3201015501900001", "nik"), VAULT.seal("3201015501900001", "nik")
    assert first != second  # a fresh nonce each time: equal values do not look equal
    assert first.startswith(f"v1.{VAULT.current}.")
    assert VAULT.index("3201015501900001", "nik") == VAULT.index("3201015501900001", "nik")
    assert VAULT.index("3201015501900001", "nik") != VAULT.index("3201015501900001", "kpj")
    assert VAULT.open(first, "nik") == "3201015501900001"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "entry 1"),
        ("index:abc", "32 bytes"),
        (Vault.generate().text().split(",")[1], "no 'index' key"),
        (Vault.generate().text().split(",")[0], "no encryption key"),
        ("INDEX:xyz,k1:abc", "not <id>:<key>"),
    ],
)
def test_malformed_keys_are_refused_with_the_reason_and_without_the_key(text: str, complaint: str) -> None:
    with pytest.raises(KeysRefused, match=complaint) as refused:
        Vault.parse(text or ",:")
    for part in text.split(","):
        secret = part.partition(":")[2]
        if len(secret) > 4:
            assert secret not in str(refused.value)


def test_new_key_prints_a_set_data_keys_takes_and_add_keeps_the_old_ones(tmp_path: Path) -> None:
    made = _main("new-key", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    fresh = Vault.parse(made.stdout.strip())
    added = _main("new-key", "--add", cwd=tmp_path, DATA_KEYS=made.stdout.strip())
    assert added.returncode == 0, added.stderr
    grown = Vault.parse(added.stdout.strip())
    assert grown.index_key == fresh.index_key
    assert grown.keys[1:] == fresh.keys and grown.current != fresh.current


@pytest.mark.sqlite_only
def test_wrong_or_missing_keys_stop_the_bot_before_it_touches_anything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vokasi.db'}"
    keys = VAULT.text()
    first = _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=keys)
    assert first.returncode == 0, first.stderr
    missing = _main("run", cwd=tmp_path, DATABASE_URL=url, BOT_TOKEN="123:abc")
    assert missing.returncode == 2 and "DATA_KEYS is not set" in missing.stderr
    assert "Traceback" not in missing.stderr
    other = Vault.generate()
    wrong_index = _main("run", cwd=tmp_path, DATABASE_URL=url, BOT_TOKEN="123:abc", DATA_KEYS=other.text())
    assert wrong_index.returncode == 2 and "'index' key is not the one" in wrong_index.stderr
    same_id = Vault(keys=((VAULT.current, other.keys[0][1]),), index_key=VAULT.index_key)
    wrong_key = _main("run", cwd=tmp_path, DATABASE_URL=url, BOT_TOKEN="123:abc", DATA_KEYS=same_id.text())
    assert wrong_key.returncode == 2 and f"key '{VAULT.current}' is not the key" in wrong_key.stderr
    file = tmp_path / "keys"
    missing_file = _main("run", cwd=tmp_path, DATABASE_URL=url, BOT_TOKEN="123:abc", DATA_KEYS_FILE=str(file))
    assert missing_file.returncode == 2 and "DATA_KEYS_FILE" in missing_file.stderr
    file.write_text(keys + "\n")
    from_file = _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS_FILE=str(file))
    assert from_file.returncode == 0, from_file.stderr
    for result in (missing, wrong_index, wrong_key):
        for secret in (keys, other.text()):
            for part in secret.split(","):
                assert part.partition(":")[2] not in result.stderr + result.stdout


def test_values_an_older_version_stored_in_clear_are_sealed_by_migrate(tmp_path: Path) -> None:
    """An installation from before 0008: clear NIK, KPJ, phone and birth date, and a clear draft."""
    path = tmp_path / "old.db"
    url = database_url(path)
    keys = VAULT.text()
    assert _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=keys).returncode == 0
    execute(
        url,
        "INSERT INTO participants (telegram_user_id, full_name, nik, birth_date, birth_year, gender, kpj, phone,"
        " province_code, regency, last_employer, phk_date, education, needs_verification, consent_at,"
        " consent_version, registered_at, updated_at) VALUES (?, 'Lama', ?, '1990-01-15', 1990, 'F', ?,"
        " '+6281234567890', '32', 'Kota Bandung', 'PT Lama', '2026-03-15', 'sma', 0, '2026-04-01T00:00:00.000000Z',"
        " '2026-01', '2026-04-01T00:00:00.000000Z', '2026-04-01T00:00:00.000000Z')",
        (6001, PERSON.nik, PERSON.kpj),
    )
    execute(
        url,
        "INSERT INTO dialogs (telegram_user_id, flow, step, data, started_at, updated_at)"
        " VALUES (6002, 'registration', 'kpj', ?, '2026-04-01T00:00:00.000000Z', '2026-04-01T00:00:00.000000Z')",
        ('{"nik": "3201015501900001"}',),
    )
    done = _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=keys)
    assert done.returncode == 0, done.stderr
    assert "sealed the clear values of 1 participants and 1 drafts" in done.stdout
    row = query(url, "SELECT * FROM participants WHERE telegram_user_id = 6001")[0]
    assert all(is_token(row[c]) for c in ("nik", "kpj", "phone", "birth_date"))
    assert VAULT.open(row["nik"], "nik") == PERSON.nik and row["nik_masked"] == "3201********0001"
    assert row["nik_index"] == VAULT.index(PERSON.nik, "nik") and row["key_id"] == VAULT.current
    draft = query(url, "SELECT data FROM dialogs WHERE telegram_user_id = 6002")[0][0]
    assert is_token(draft) and "3201015501900001" not in draft
    again = _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=keys)
    assert again.returncode == 0 and "sealed" not in again.stdout
    if not is_postgres():
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert PERSON.nik.encode() not in path.read_bytes()  # secure_delete: the clear value is not left in a free page


def test_rotate_keys_command_reseals_and_says_which_keys_may_go(tmp_path: Path) -> None:
    path = tmp_path / "rot.db"
    url = database_url(path)
    keys = VAULT.text()
    assert _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=keys).returncode == 0
    execute(
        url,
        "INSERT INTO participants (telegram_user_id, nik, nik_index, key_id, province_code, phk_date, education,"
        " needs_verification, consent_at, consent_version, registered_at, updated_at)"
        " VALUES (7001, ?, ?, ?, '32', '2026-03-15', 'sma', 0, 'x', 'v', 'x', 'x')",
        (VAULT.seal(PERSON.nik, "nik"), VAULT.index(PERSON.nik, "nik"), VAULT.current),
    )
    grown = VAULT.with_new_key(NOW)
    rotated = _main("rotate-keys", "--batch", "1", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=grown.text())
    assert rotated.returncode == 0, rotated.stderr
    assert f"every value is sealed with key {grown.current} (1 participants" in rotated.stdout
    row = query(url, "SELECT nik, key_id FROM participants WHERE telegram_user_id = 7001")[0]
    assert row[1] == grown.current and row[0].startswith(f"v1.{grown.current}.")
    only_new = Vault(keys=grown.keys[:1], index_key=grown.index_key)
    assert _main("migrate", cwd=tmp_path, DATABASE_URL=url, DATA_KEYS=only_new.text()).returncode == 0
