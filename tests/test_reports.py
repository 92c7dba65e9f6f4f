"""Reports: figures checked against a small programme whose right answers are worked out by hand, the chart, the
workbook read back, who may export what, the weekly summary, and the command line."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import struct
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.handlers import reports as reports_handler
from bot.handlers.reports import send_weekly
from bot.services import report_files
from bot.storage.enrollments import COMPLETED, DROPPED, ENROLLED
from bot.storage.reports import Scope
from bot.storage.surveys import NewRun
from tests.backends import is_postgres
from tests.catalogue_data import ROOT, catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.survey_flows import WIB, services

ADMIN, VIEWER, OPERATOR = ADMIN_ID, 7003, 7002
JABAR, JATIM, BALI = "32", "35", "51"


@pytest.fixture
async def staff_bot(staff_bot: BotHarness) -> BotHarness:
    """The staff bot (tests/conftest.py) with the hand-built programme."""
    await programme(staff_bot)
    for staff in (VIEWER, OPERATOR):
        staff_bot.user(staff)  # they have opened the bot
    await say(staff_bot, staff_bot.user(ADMIN), f"/staf tambah {VIEWER} viewer Pemantau")
    await say(staff_bot, staff_bot.user(ADMIN), f"/staf tambah {OPERATOR} operator Petugas")
    return staff_bot


async def programme(bot: BotHarness) -> None:
    """Eight participants; the figures they should give are worked out in `test_figures_match_the_hand_count`.

    P1 K1 completed, d30 new employer, d90 own business     P5 K2 completed, d30 recruiting
    P2 K1 completed, d30 not working, d90 sent, no answer   P6 K2 still enrolled
    P3 K1 completed, d30 sent, no answer                    P7 registered only, lay-off date to verify
    P4 K1 dropped out                                       P8 K2 completed, d30 previous employer, then erased
    """
    await import_catalogue(bot, catalogue_csv(course_row("K1"), course_row("K2", lpk="LPK Maju", kota_lpk="Surabaya")))
    now = bot.clock.now()
    provinces = {1: JABAR, 2: JABAR, 3: JATIM, 4: JATIM, 5: JABAR, 6: JABAR, 7: BALI, 8: JABAR}
    ids = {n: await seed_participant(bot, 3000 + n, province) for n, province in provinces.items()}
    async with services(bot).store.write() as unit:
        await unit.participants.update(ids[7], {"needs_verification": True}, now)

        async def seat(n: int, course: int, status: str) -> int:
            enrollment = await unit.enrollments.create(ids[n], course, ENROLLED, now)
            if status != ENROLLED:
                await unit.enrollments.finish(enrollment.id, status, now)
            return enrollment.id

        async def checkin(n: int, enrollment: int, wave: str, answer: str | None) -> None:
            run = await unit.surveys.create(NewRun(ids[n], "employment", wave, enrollment, now), now)
            await unit.surveys.start(run.id, "status", now, now + timedelta(days=7))
            if answer is not None:
                await unit.surveys.save_answer(run.id, "status", "single", answer, now)
                await unit.surveys.record_checkin(run, answer, now)
            await unit.surveys.finish(run.id, "expired" if answer is None else "completed", now)

        e1, e2, e3 = [await seat(n, 1, COMPLETED) for n in (1, 2, 3)]
        await seat(4, 1, DROPPED)
        e5 = await seat(5, 2, COMPLETED)
        await seat(6, 2, ENROLLED)
        e8 = await seat(8, 2, COMPLETED)
        await checkin(1, e1, "d30", "new_employer")
        await checkin(1, e1, "d90", "own_business")
        await checkin(2, e2, "d30", "not_working")
        await checkin(2, e2, "d90", None)
        await checkin(3, e3, "d30", None)
        await checkin(5, e5, "d30", "recruiting")
        await checkin(8, e8, "d30", "previous_employer")
        await unit.participants.erase(ids[8], now)


async def test_figures_match_the_hand_count(staff_bot: BotHarness) -> None:
    reports = services(staff_bot).reports
    summary = await reports.summary(Scope())
    totals = summary.totals
    # 8 registered, P7 to verify; seats: P1-P6 and P8; completed P1 P2 P3 P5 P8 (P8 erased, still counted).
    assert (totals.registered, totals.eligible, totals.enrolled, totals.completed, totals.dropped) == (8, 7, 7, 5, 1)
    assert summary.completion_rate == pytest.approx(5 / 7)
    d30, d90, d180 = summary.waves
    # d30 sent to the five completers; answered by P1 P2 P5 P8; working: P1 (new employer), P8 (previous employer).
    assert (d30.asked, d30.answered, d30.employed, d30.recruiting) == (5, 4, 2, 1)
    assert (d30.response_rate, d30.working_of_answered, d30.working_of_completed) == (0.8, 0.5, 0.4)
    assert (d90.asked, d90.answered, d90.employed) == (2, 1, 1)
    assert (d90.working_of_answered, d90.working_of_completed) == (1.0, 0.5)
    assert (d180.asked, d180.response_rate) == (0, None)
    assert summary.latest_answered_wave() == d90

    by_course = {g.key: g for g in await reports.breakdown(Scope(), "course")}
    assert (by_course["K1"].completed, by_course["K1"].dropped, by_course["K1"].enrolled) == (3, 1, 0)
    assert by_course["K1"].completion_rate == 0.75
    assert [(w.asked, w.answered, w.employed) for w in by_course["K1"].waves] == [(3, 2, 1), (2, 1, 1), (0, 0, 0)]
    assert (by_course["K2"].completed, by_course["K2"].enrolled) == (2, 1)
    k2_d30 = by_course["K2"].waves[0]
    assert (k2_d30.asked, k2_d30.answered, k2_d30.employed) == (2, 2, 1)
    by_institute = {g.label: g.completed for g in await reports.breakdown(Scope(), "institute")}
    assert by_institute == {"Kautsar Institute": 3, "LPK Maju": 2}
    by_province = {g.label: (g.completed, g.dropped) for g in await reports.breakdown(Scope(), "province")}
    assert by_province == {"Jawa Barat": (4, 0), "Jawa Timur": (1, 1)}

    jatim = await reports.summary(Scope(province_code=JATIM))
    assert (jatim.totals.registered, jatim.totals.completed, jatim.totals.dropped) == (2, 1, 1)
    assert (jatim.waves[0].asked, jatim.waves[0].answered) == (1, 0)
    k2 = await reports.summary(Scope(course_id=2))
    assert (k2.totals.registered, k2.totals.completed, k2.waves[0].employed) == (3, 2, 1)
    # A period of completion that contains nobody, and one that contains everyone (completed today).
    now = staff_bot.clock.now()
    empty = await reports.summary(Scope(since=now + timedelta(days=1), until=now + timedelta(days=40)))
    assert (empty.totals.completed, empty.waves[0].asked) == (0, 0)
    month = await reports.summary(Scope(since=now - timedelta(days=1), until=now + timedelta(days=1)))
    assert (month.totals.completed, month.waves[0].asked) == (5, 5)


async def test_laporan_summary_chart_and_workbook(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN)
    text = (await say(bot, admin, "/laporan")).text or ""
    assert t("report-scope-all") in text
    assert t("report-totals", registered=8, eligible=7, enrolled=7, completed=5, dropped=1, rate="71%") in text
    assert "dijawab 4/5 (80%)" in text and "<b>50%</b> dari yang menjawab, 40% dari semua lulusan" in text
    assert t("report-wave-not-yet", wave="+180 hari") in text
    # The waves' lines say "dari semua lulusan": the footnote explains it (issue 22).
    assert text.endswith(t("report-definitions") + " " + t("report-definition-all-graduates"))
    assert t("report-verdict-met", wave="+90 hari", rate="100%", target="50%") in text
    buttons = bot.user(ADMIN).last_message.button_texts()  # type: ignore[union-attr]
    assert t("btn-report-workbook-full") in buttons

    await admin.press(t("btn-report-chart"))
    await bot.settle()
    photo = admin.new_messages()[-1]
    assert photo.photo is not None and photo.photo.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", photo.photo[16:24])
    assert (width, height) == (900, 1200) and len(photo.photo) > 20_000  # drawn, not blank

    await admin.press(t("btn-report-workbook"))
    await bot.settle()
    progress, document = admin.new_messages()
    assert progress.text == t("report-workbook-sent") and progress.edited  # it said "preparing" meanwhile
    assert document.file_name is not None and document.file_name.endswith(".xlsx")
    assert document.document is not None
    book = load_workbook(io.BytesIO(document.document))
    assert book.sheetnames == [
        "Ringkasan", "Peserta", "Pendaftaran", "Check-in", "Kabar Pekerjaan", "Survei Kepuasan Pelatihan",
        "Kehadiran", "Presensi per sesi", "Lowongan (ringkasan)", "Lowongan", "Siaran"
    ]  # fmt: skip
    people = book["Peserta"]
    assert people.freeze_panes == "A2"
    assert [c.value for c in people[1]][:3] == ["ID peserta", "Nama", "NIK"]
    rows = list(people.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8
    assert rows[0][1] == "Peserta 3001" and rows[0][2] == "3201********3001"
    assert rows[7][1] in (None, "") and rows[7][13]  # P8 erased: no name, the erasure time is there
    assert rows[0][10] == bot.clock.now().astimezone(WIB).strftime("%Y-%m-%d %H:%M")  # WIB, not UTC
    checkins = list(book["Check-in"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[3], r[4]) for r in checkins) == sorted(
        [("+30 hari", "bekerja di perusahaan baru"), ("+90 hari", "usaha mandiri"), ("+30 hari", "belum bekerja"),
         ("+30 hari", "proses rekrutmen"), ("+30 hari", "kembali ke perusahaan lama")]
    )  # fmt: skip
    work = book["Kabar Pekerjaan"]  # a row per check-in answered, a column per question, the reader's words
    assert [c.value for c in work[1]][:5] == ["ID survei", "ID peserta", "Gelombang", "Dijawab (WIB)", (
        "Apa status kerja Anda saat ini?")]  # fmt: skip
    answers = sorted((r[2], r[4]) for r in work.iter_rows(min_row=2, values_only=True))
    assert answers == sorted(
        [("+30 hari", "Bekerja di perusahaan baru"), ("+90 hari", "Usaha mandiri / wirausaha"),
         ("+30 hari", "Belum bekerja"), ("+30 hari", "Sedang proses rekrutmen (wawancara/tes)"),
         ("+30 hari", "Kembali bekerja di perusahaan lama")]
    )  # fmt: skip
    summary = [row for row in book["Ringkasan"].iter_rows(values_only=True) if row and row[0]]
    assert ("Terdaftar", 8) in [(r[0], r[1]) for r in summary]
    assert ("+30 hari", 5, 4, "80%", 2, "50%", "40%", 1) in [tuple(r[:8]) for r in summary]
    assert book["Ringkasan"].column_dimensions["A"].width == 42

    await admin.press(t("btn-report-workbook-full"))
    await bot.settle()
    full = load_workbook(io.BytesIO(admin.new_messages()[-1].document or b""))
    assert next(full["Peserta"].iter_rows(min_row=2, values_only=True))[2] == "3201011501903001"
    actions = [r["action"] for r in bot.rows("SELECT action FROM audit_log WHERE actor = ? AND allowed = 1", (ADMIN,))]
    assert actions[-4:] == ["report:summary", "report:chart", "report:export", "report:export-full-nik"]


async def test_a_workbook_too_large_for_telegram_is_explained(
    staff_bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot, t = staff_bot, staff_bot.t()
    monkeypatch.setattr(reports_handler, "MAX_DOCUMENT_BYTES", 1_000_000)
    monkeypatch.setattr(report_files, "workbook", _huge_workbook)
    admin = bot.user(ADMIN)
    await say(bot, admin, "/laporan")
    await admin.press(t("btn-report-workbook"))
    await bot.settle()
    [answer] = admin.new_messages()
    assert answer.text == t("report-workbook-too-large", size="3", limit=1)
    assert answer.document is None
    assert bot.rows("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0][0] == "report:export-too-large"


async def _huge_workbook(*_: Any, **__: Any) -> bytes:
    return b"x" * 3_000_000


async def test_viewers_read_reports_but_not_full_niks(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    viewer = bot.user(VIEWER)
    report = await say(bot, viewer, "/laporan jatim")
    assert t("report-scope", filters=t("report-scope-province", name="Jawa Timur")) in (report.text or "")
    assert t("btn-report-workbook-full") not in report.button_texts()
    await viewer.press_data("l:X:0:0:0:0")
    await bot.settle()
    assert viewer.callback_answers[-1]["text"] == t("report-full-admins-only")
    assert bot.rows("SELECT action FROM audit_log WHERE actor = ? AND allowed = 0", (VIEWER,))[0][0] == (
        "refused:report:full-nik"
    )
    await viewer.press(t("btn-report-by-course"))
    await bot.settle()
    breakdown = viewer.new_messages()[-1].text or ""
    assert breakdown.startswith(t("report-by-course")) and "K1 · Pelatihan K1" in breakdown
    assert (await say(bot, viewer, "/laporan atlantis")).text == t("report-bad-filter", value="atlantis") + "\n\n" + t(
        "report-usage"
    )
    assert (await say(bot, bot.user(OPERATOR), "/laporan")).text == t("unknown-command")


async def test_the_weekly_summary_goes_to_staff_who_read_reports(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    assert await send_weekly(services(bot)) == 2  # the admin and the viewer; the operator does not read reports
    assert await send_weekly(services(bot)) == 2
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'report_weekly'")[0][0] == 2  # once a week
    await bot.drain_outbox()
    for user_id in (ADMIN, VIEWER):
        assert (bot.user(user_id).new_messages()[-1].text or "").startswith(t("report-title", when="")[:30])
    assert [m for m in bot.user(OPERATOR).new_messages() if "Laporan" in (m.text or "")] == []
    jobs = [job.name for job in bot.app.job_queue.jobs()] if bot.app and bot.app.job_queue else []
    assert "report-weekly-job" in jobs


async def test_report_export_and_backup_from_the_command_line(staff_bot: BotHarness, tmp_path: Path) -> None:
    bot = staff_bot
    env = {**os.environ, "DATABASE_URL": bot.database_url, "BOT_TOKEN": ""}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    report = cli("report", "K1")
    assert report.returncode == 0, report.stderr
    assert "Terdaftar: 4" in report.stdout and "<b>" not in report.stdout
    assert cli("report", "2026-13").returncode == 1
    out = tmp_path / "laporan.xlsx"
    exported = cli("export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert load_workbook(out)["Peserta"].max_row == 9
    # The bot keeps running (and writing) while the backup is made.
    await say(bot, bot.user(9001), "/start")
    copy = tmp_path / "backup" / "vokasi.db"
    backed_up = cli("backup", "--out", str(copy))
    if is_postgres():  # PostgreSQL's own tool does it
        assert backed_up.returncode == 1 and "pg_dump" in backed_up.stderr and not copy.exists()
        return
    assert backed_up.returncode == 0, backed_up.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM participants").fetchone() == (8,)
