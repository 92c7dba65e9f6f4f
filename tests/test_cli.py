"""The command line: help, migrate, import, reports (`run` without a token: tests/test_playground_cli.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path, unset: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess[str]:
    """`python main.py ARGS` with the test run's environment but BOT_TOKEN, DATABASE_URL and `unset`."""
    dropped = {"BOT_TOKEN", "DATABASE_URL", *unset}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=cwd,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_on_every_command(tmp_path: Path) -> None:
    top = run("--help", cwd=tmp_path)
    assert top.returncode == 0
    assert "run" in top.stdout and "migrate" in top.stdout
    for command in ("run", "migrate", "import-courses"):
        result = run(command, "--help", cwd=tmp_path)
        assert result.returncode == 0, command
        assert f"main.py {command}" in result.stdout


def test_migrate_creates_the_database_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'vokasi.db'}"
    first = run("migrate", cwd=tmp_path, DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_init" in first.stdout
    second = run("migrate", cwd=tmp_path, DATABASE_URL=url)
    assert second.stdout.strip() == "database is up to date"
    with sqlite3.connect(tmp_path / "data" / "vokasi.db") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"participants", "dialogs", "user_preferences", "schema_migrations"} <= tables


def test_bad_configuration_is_reported(tmp_path: Path) -> None:
    result = run("migrate", cwd=tmp_path, DEFAULT_LANGUAGE="fr")
    assert result.returncode == 2
    assert "DEFAULT_LANGUAGE: Input should be 'id' or 'en'" in result.stderr


def test_a_bad_configuration_names_the_setting_without_showing_secrets(tmp_path: Path) -> None:
    token = "7310945526:AAH-not-a-real-token-but-secret"
    password_url = "postgresql://vokasi:hunter2-db-password@db/vokasi"
    # A check across settings: pydantic's own text would quote every input, the token and the database URL first.
    across = run("run", cwd=tmp_path, BOT_TOKEN=token, DATABASE_URL=password_url, WEBHOOK_URL="https://x.invalid/h")
    assert across.returncode == 2
    assert "WEBHOOK_SECRET is required with WEBHOOK_URL" in across.stderr
    # A secret that is itself wrong (too short) is named, not shown.
    short = run("run", cwd=tmp_path, BOT_TOKEN=token, WEBHOOK_URL="https://x.invalid/h", WEBHOOK_SECRET="tooShort9")
    assert short.returncode == 2
    assert "WEBHOOK_SECRET: Value error, WEBHOOK_SECRET must be 16 to 256" in short.stderr
    for result in (across, short):
        for secret in ("7310945526", "AAH-not", "hunter2", "tooShort9"):  # the bot id is the token's start
            assert secret not in result.stdout + result.stderr


def test_import_courses_exit_codes_and_problems(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vokasi.db'}"
    good = run("import-courses", str(ROOT / "data" / "sample_courses.csv"), cwd=tmp_path, DATABASE_URL=url)
    assert good.returncode == 0, good.stderr
    assert "10 pelatihan baru" in good.stdout
    again = run("import-courses", str(ROOT / "data" / "sample_courses.csv"), cwd=tmp_path, DATABASE_URL=url)
    assert again.returncode == 0
    assert "0 pelatihan baru, 10 diperbarui" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,judul\nX,Y\n", encoding="utf-8")
    rejected = run("import-courses", str(bad), cwd=tmp_path, DATABASE_URL=url)
    assert rejected.returncode == 1
    assert 'baris 1: kolom "provinsi" tidak ada' in rejected.stderr
    assert "<b>" not in rejected.stderr  # plain text in a terminal
    with sqlite3.connect(tmp_path / "vokasi.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM courses").fetchone()[0] == 10
