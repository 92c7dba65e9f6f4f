"""Vokasi Bot command line: `python main.py run`, `python main.py migrate`. See --help."""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.app import build_application
from bot.clock import SystemClock
from bot.config import Settings, SettingUnreadable, configuration_problems
from bot.handlers.completion import completed_text
from bot.handlers.reports import summary_text
from bot.handlers.staff import problem_lines, report_text, vacancy_report_text
from bot.i18n import Translations, Translator
from bot.logs import configure_logging, use_pseudonym_key
from bot.runner import serve_until_signal
from bot.services import report_files
from bot.services.catalogue import CatalogueService, ImportReport
from bot.services.catalogue_import import CatalogueRejected
from bot.services.certificate_template import CertificateTemplateError, load_template
from bot.services.certificates import CertificateService
from bot.services.completion import CompletionService, CourseCompleted
from bot.services.enrollment import Refusal
from bot.services.provinces import ProvinceCatalog
from bot.services.reminders import ReminderPlanner
from bot.services.reports import GROUPINGS, ReportService
from bot.services.survey_catalog import SurveyCatalog, SurveyDefinitionError
from bot.services.surveys import SurveyService
from bot.services.vacancies import COMMAND_LINE, Publisher, VacancyImportReport, VacancyService
from bot.services.vacancy_import import VacanciesRejected
from bot.services.vacancy_matching import VacancyMatcher
from bot.storage.connect import open_database
from bot.storage.db import BackupUnsupported, Database
from bot.storage.sealing import check_keys, reseal
from bot.storage.store import Store
from bot.storage.transfer import TableCount, TransferRefused, copy_database
from bot.storage.vault import PSEUDONYM_PURPOSE, KeysRefused, Vault, vault_from
from playground import serve_playground

R = TypeVar("R")

PLAYGROUND_INSTEAD = """BOT_TOKEN is not set, so the bot starts in the playground (Mode latihan): the whole bot in a
browser, with simulated participants and an admin, and nothing sent to Telegram.

To run the real bot: ask @BotFather on Telegram for a token (/newbot), copy .env.example to .env, put the token
after BOT_TOKEN= and run `make run` again.
"""


async def open_prepared(settings: Settings, applied: list[str] | None = None) -> tuple[Database, Vault]:
    """The database, migrated (the migrations applied go into `applied`), its keys checked against DATA_KEYS and
    any value still in clear sealed.

    KeysRefused (missing, malformed or wrong keys) leaves nothing open; main() prints it and exits with 2."""
    vault = vault_from(settings.data_keys_text())
    use_pseudonym_key(vault.derived_key(PSEUDONYM_PURPOSE))
    db = await open_database(settings.database_url.get_secret_value())
    try:
        done = await db.migrate()
        await check_keys(db, vault)
        sealed = await reseal(db, vault, clear_only=True)
    except BaseException:
        await db.close()
        raise
    if applied is not None:
        applied.extend(done)
    if sealed.participants or sealed.drafts:
        print(f"sealed the clear values of {sealed.participants} participants and {sealed.drafts} drafts", flush=True)
    return db, vault


def cmd_run(settings: Settings) -> int:
    if not settings.bot_token:
        print(PLAYGROUND_INSTEAD, file=sys.stderr)
        return cmd_playground(settings, settings.playground_port, None)

    async def preflight() -> None:
        db, _ = await open_prepared(settings)
        await db.close()

    try:
        app = build_application(settings)  # survey definitions, then the keys: before the database is opened
    except SurveyDefinitionError as error:
        print(f"A survey definition is wrong, so the bot did not start:\n{error}", file=sys.stderr)
        return 2
    except CertificateTemplateError as error:
        print(f"The certificate template is wrong, so the bot did not start:\n{error}", file=sys.stderr)
        return 2
    # Keys that do not fit the database stop the bot here, before it takes a single update.
    asyncio.run(preflight())
    asyncio.run(serve_until_signal(app, settings))
    return 0


def cmd_playground(settings: Settings, port: int, start: datetime | None) -> int:
    """The playground until Ctrl+C: fake Telegram, the real bot, a temporary database, a page on 127.0.0.1."""

    def ready(url: str) -> None:
        print(f"Mode latihan: open {url} in a browser (Ctrl+C stops it).", flush=True)

    try:
        asyncio.run(serve_playground(settings, port, start=start, ready=ready))
    except SurveyDefinitionError as error:
        print(f"A survey definition is wrong, so the bot did not start:\n{error}", file=sys.stderr)
        return 2
    except CertificateTemplateError as error:
        print(f"The certificate template is wrong, so the bot did not start:\n{error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"The playground could not listen on 127.0.0.1:{port} ({error.strerror}); try --port", file=sys.stderr)
        return 2
    return 0


def playground_start(value: str) -> datetime:
    """--start: a date or date and time (WIB unless a zone is given)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("use a date like 2026-11-23 or 2026-11-23T09:00") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("Asia/Jakarta"))


def cmd_migrate(settings: Settings) -> int:
    async def migrate() -> list[str]:
        applied: list[str] = []
        db, _ = await open_prepared(settings, applied)  # also seals what an older version left in clear
        await db.close()
        return applied

    applied = asyncio.run(migrate())
    print("\n".join(f"applied {name}" for name in applied) or "database is up to date")
    return 0


def cmd_new_key(settings: Settings, *, add: bool) -> int:
    """Print a key set in the form DATA_KEYS takes: a fresh one, or (--add) today's with a new writing key first."""
    if add:
        print(vault_from(settings.data_keys_text()).with_new_key().text())
    else:
        print(Vault.generate().text())
    return 0


def cmd_rotate_keys(settings: Settings, batch: int) -> int:
    """Re-seal every value under the first key of DATA_KEYS, in batches, while the bot may run; resumable."""

    def progress(done: int) -> None:
        print(f"re-sealed {done} participants", flush=True)

    async def run() -> tuple[str, int, int]:
        db, vault = await open_prepared(settings)
        try:
            done = await reseal(db, vault, clear_only=False, batch=batch, progress=progress)
        finally:
            await db.close()
        return vault.current, done.participants, done.drafts

    current, participants, drafts = asyncio.run(run())
    print(f"every value is sealed with key {current} ({participants} participants and {drafts} drafts re-sealed);")
    print("the other keys may now be removed from DATA_KEYS (keep the 'index' key).")
    return 0


def _import_file(
    settings: Settings,
    path: Path,
    apply: Callable[[Database, Vault, bytes], Awaitable[R]],
    rejected: type[CatalogueRejected] | type[VacanciesRejected],
    done: Callable[[Translator, R], str],
) -> int:
    """Import a staff file the same way as a staff member sending it to the bot: the problems on stderr, 1 when
    rejected; the report otherwise."""
    t = Translations(settings.default_language).get(settings.default_language)
    if not path.is_file():
        print(t("import-problem-file", reason=t("err-import-empty")), file=sys.stderr)
        return 1
    content = path.read_bytes()

    async def run() -> R:
        db, vault = await open_prepared(settings)
        try:
            return await apply(db, vault, content)
        finally:
            await db.close()

    try:
        report = asyncio.run(run())
    except rejected as refused:
        print(html_to_text(t("import-rejected", count=len(refused.problems))), file=sys.stderr)
        for line in problem_lines(t, refused.problems):
            print(html_to_text(line), file=sys.stderr)
        return 1
    print(html_to_text(done(t, report)))
    return 0


def cmd_import_courses(settings: Settings, path: Path) -> int:
    async def apply(db: Database, vault: Vault, content: bytes) -> ImportReport:
        provinces = ProvinceCatalog.load()
        planner = ReminderPlanner(settings, provinces)
        catalogue = CatalogueService(Store(db, vault), provinces, SystemClock(), planner)
        return await catalogue.import_file(content, path.name)

    return _import_file(settings, path, apply, CatalogueRejected, report_text)


def cmd_import_vacancies(settings: Settings, path: Path) -> int:
    async def apply(db: Database, vault: Vault, content: bytes) -> VacancyImportReport:
        store, provinces, clock = Store(db, vault), ProvinceCatalog.load(), SystemClock()
        report = await VacancyService(store, provinces, clock).import_file(content, path.name, Publisher(COMMAND_LINE))
        # Matched participants are told as when staff send the file to the bot (the running bot sends them).
        quiet = ReminderPlanner(settings, provinces).quiet
        await VacancyMatcher(store, clock, quiet, provinces, settings.vacancy_digest_max).published(report.vacancy_ids)
        return report

    return _import_file(settings, path, apply, VacanciesRejected, vacancy_report_text)


def cmd_complete_course(settings: Settings, code: str) -> int:
    """Mark a course finished for everyone still enrolled, as staff do with /selesai; 1 when refused."""
    t = Translations(settings.default_language).get(settings.default_language)

    async def run() -> CourseCompleted | Refusal:
        db, vault = await open_prepared(settings)
        try:
            store = Store(db, vault)
            clock = SystemClock()
            planner = ReminderPlanner(settings, ProvinceCatalog.load())
            surveys = SurveyService(store, SurveyCatalog.load(settings.surveys_dir), settings, clock, planner)
            certificates = CertificateService(
                store, settings, clock, planner, load_template(settings.certificate_template)
            )
            completion = CompletionService(
                store, clock, planner, surveys, settings.min_attendance, certificates=certificates
            )
            return await completion.complete_course(code=code)
        finally:
            await db.close()

    result = asyncio.run(run())
    if isinstance(result, Refusal):
        print(html_to_text(t(result.key, **result.params)), file=sys.stderr)
        return 1
    print(html_to_text(completed_text(t, result, settings.min_attendance)))
    return 0


def _report_service(settings: Settings, db: Database) -> ReportService:
    return ReportService(db, settings, SystemClock(), ProvinceCatalog.load())


def cmd_report(settings: Settings, filters: list[str], out: Path | None, *, full_nik: bool) -> int:
    """Print the summary (`report`), or write the workbook (`export --out`); 1 for filters not understood."""
    t = Translations(settings.default_language).get(settings.default_language)

    async def run() -> str | Refusal:
        db, vault = await open_prepared(settings)
        try:
            reports = _report_service(settings, db)
            scope = reports.parse_scope(filters, await reports.course_codes())
            if isinstance(scope, Refusal):
                return scope
            summary = await reports.summary(scope)
            if out is None:
                return summary_text(t, summary)
            groups = {g: await reports.breakdown(scope, g) for g in GROUPINGS}
            surveys = SurveyCatalog.load(settings.surveys_dir)
            unmask = vault if full_nik else None
            content = await report_files.workbook(db, t, summary, groups, surveys, unmask_with=unmask)
            await asyncio.to_thread(out.write_bytes, content)
            return f"workbook written to {out}"
        finally:
            await db.close()

    result = asyncio.run(run())
    if isinstance(result, Refusal):
        print(html_to_text(t(result.key, **result.params)), file=sys.stderr)
        return 1
    print(html_to_text(result))
    return 0


def cmd_backup(settings: Settings, out: Path) -> int:
    """A consistent copy of the database while the bot may be running (SQLite's online backup API)."""

    async def run() -> None:
        db = await open_database(settings.database_url.get_secret_value())
        try:
            await db.backup(out)
        finally:
            await db.close()

    try:
        asyncio.run(run())
    except BackupUnsupported as error:
        print(f"No backup written: {error}", file=sys.stderr)
        return 1
    print(f"backup written to {out}")
    return 0


def cmd_migrate_data(source_url: str, target_url: str) -> int:
    """Copy an installation to another database (SQLite to PostgreSQL, typically), verified by row counts."""

    def progress(table: str, copied: int) -> None:
        print(f"copied {table}: {copied}", flush=True)

    async def run() -> list[TableCount]:
        source = await open_database(source_url)
        try:
            target = await open_database(target_url)
            try:
                return await copy_database(source, target, progress)
            finally:
                await target.close()
        finally:
            await source.close()

    try:
        counts = asyncio.run(run())
    except TransferRefused as error:
        print(f"Nothing copied: {error}", file=sys.stderr)
        return 1
    print("table                 source   target")
    for count in counts:
        mark = "" if count.matches else "   MISMATCH"
        print(f"{count.table:<20} {count.source:>8} {count.target:>8}{mark}")
    wrong = [c.table for c in counts if not c.matches]
    if wrong:
        print(f"Row counts differ in: {', '.join(wrong)}", file=sys.stderr)
        return 1
    print(f"all {len(counts)} tables copied, row counts match")
    return 0


def html_to_text(text: str) -> str:
    """Our texts are Telegram HTML; a terminal wants them plain."""
    return html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="main.py",
        description="Vokasi Bot: Telegram bot of the BPJS Ketenagakerjaan vocational training programme.",
        epilog="Settings come from the environment and .env (see .env.example).",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot (long polling); without BOT_TOKEN, the playground",
        description="Run the bot with long polling. Without BOT_TOKEN it starts the playground instead.",
    )
    playground = commands.add_parser(
        "playground",
        help="try the whole bot in a browser, without Telegram (Mode latihan)",
        description="Start a fake Telegram server, the real bot pointed at it, a temporary database with the "
        "sample catalogue, and a web page with simulated participants, an admin and a clock control.",
    )
    playground.add_argument("--port", type=int, help="port of the page on 127.0.0.1 (default: PLAYGROUND_PORT, 8080)")
    playground.add_argument(
        "--start",
        type=playground_start,
        help="start the bot's clock at this date instead of now, e.g. 2026-11-23 (WIB)",
    )
    commands.add_parser(
        "migrate",
        help="create or upgrade the database",
        description="Apply database migrations that are not applied yet (run also does this at start).",
    )
    importer = commands.add_parser(
        "import-courses",
        help="import the course catalogue from a CSV or XLSX file",
        description="Import courses (all or nothing; see README for the columns). Exit code 1 if the file is "
        "rejected, with every problem listed as 'row N: reason'.",
    )
    importer.add_argument("file", type=Path, help="the .csv or .xlsx file")
    vacancy_importer = commands.add_parser(
        "import-vacancies",
        help="publish (or update) job vacancies from a CSV or XLSX file",
        description="Import vacancies (all or nothing; see README for the columns). Exit code 1 if the file is "
        "rejected, with every problem listed as 'row N: reason'.",
    )
    vacancy_importer.add_argument("file", type=Path, help="the .csv or .xlsx file")
    completer = commands.add_parser(
        "complete-course",
        help="mark a course finished for all its participants",
        description="Mark everyone still enrolled in the course as completed (congratulation, satisfaction survey, "
        "check-ins planned) and close the course. A running bot sends the messages. Exit code 1 if refused.",
    )
    completer.add_argument("code", help="the course code, as in the catalogue")
    filters_help = (
        "optional filters, in any order: a course code, a province (jabar, DKI...), a period 2026-01..2026-06"
    )
    reporter = commands.add_parser(
        "report",
        help="print the programme's figures (as /laporan shows them)",
        description="Print the summary: registrations, completion, check-in response and re-employment per wave.",
    )
    reporter.add_argument("filters", nargs="*", help=filters_help)
    exporter = commands.add_parser(
        "export",
        help="write the report workbook (.xlsx)",
        description="Write the Excel workbook: summary, participants (NIK masked), enrolments, check-ins, survey "
        "answers, broadcasts.",
    )
    exporter.add_argument("filters", nargs="*", help=filters_help)
    exporter.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    exporter.add_argument("--full-nik", action="store_true", help="unmasked NIKs (handle the file as personal data)")
    backup = commands.add_parser(
        "backup",
        help="copy the database consistently, even while the bot runs",
        description="Make a consistent copy of the SQLite database with SQLite's online backup API.",
    )
    backup.add_argument("--out", type=Path, required=True, help="the file to write (readable by its owner only)")
    copier = commands.add_parser(
        "migrate-data",
        help="copy an installation to another database (e.g. SQLite to PostgreSQL)",
        description="Copy every table, in foreign-key order and in one transaction, from one database to another "
        "(which must be empty); both are migrated first. Prints each table's row count in both; exit code 1 if "
        "any differs or nothing could be copied. Stop the bot first.",
    )
    copier.add_argument(
        "--from", dest="source", required=True, help="source DATABASE_URL, e.g. sqlite:///data/vokasi.db"
    )
    copier.add_argument(
        "--to", dest="target", required=True, help="target DATABASE_URL, e.g. postgresql://vokasi@db/vokasi"
    )
    new_key = commands.add_parser(
        "new-key",
        help="print a fresh key set for DATA_KEYS",
        description="Print a new key set in the form DATA_KEYS takes (DATA_KEYS=$(python main.py new-key)): the "
        "blind-index key and one encryption key. With --add, print today's DATA_KEYS with a new writing key first, "
        "the step before rotate-keys.",
    )
    new_key.add_argument("--add", action="store_true", help="keep today's keys and put a new writing key first")
    rotate = commands.add_parser(
        "rotate-keys",
        help="re-seal every personal value with the first key of DATA_KEYS",
        description="Re-encrypt NIK, KPJ, phone, birth date and registration drafts under the current (first) key, "
        "in short batches, while the bot may be running; run it again after a crash and it goes on where it "
        "stopped. Afterwards the older keys can be removed from DATA_KEYS.",
    )
    rotate.add_argument("--batch", type=int, default=200, help="rows per transaction (default 200)")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # PTB 22 warns unless retry_after and similar durations are timedelta objects (the PTB 23 behaviour).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "\n".join(f"  {line}" for line in configuration_problems(error))
        print(f"Configuration error:\n{problems}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        return _dispatch(args, settings)
    except (KeysRefused, SettingUnreadable) as refused:
        print(f"Stopped before touching any data: {refused}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "new-key":
        return cmd_new_key(settings, add=args.add)
    if args.command == "rotate-keys":
        return cmd_rotate_keys(settings, args.batch)
    if args.command == "import-courses":
        return cmd_import_courses(settings, args.file)
    if args.command == "import-vacancies":
        return cmd_import_vacancies(settings, args.file)
    if args.command == "complete-course":
        return cmd_complete_course(settings, args.code)
    if args.command == "report":
        return cmd_report(settings, args.filters, None, full_nik=False)
    if args.command == "export":
        return cmd_report(settings, args.filters, args.out, full_nik=args.full_nik)
    if args.command == "backup":
        return cmd_backup(settings, args.out)
    if args.command == "migrate-data":
        return cmd_migrate_data(args.source, args.target)
    if args.command == "playground":
        return cmd_playground(settings, args.port or settings.playground_port, args.start)
    handlers = {"run": cmd_run, "migrate": cmd_migrate}
    return handlers[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
