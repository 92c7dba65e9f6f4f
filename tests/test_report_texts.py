"""/laporan before any course ended (issue 22): no "Tingkat kelulusan: 0%" but "belum ada pelatihan yang selesai",
and a footnote that explains only labels the report shows. Runs on SQLite and, with --backend=postgresql,
PostgreSQL."""

from __future__ import annotations

from bot.storage.enrollments import ENROLLED
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.survey_flows import services


async def test_before_any_course_ended_the_report_says_so(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("K1")))
    participant = await seed_participant(bot, 1001)
    async with services(bot).store.write() as unit:
        await unit.enrollments.create(participant, 1, ENROLLED, bot.clock.now())
    text = (await say(bot, bot.user(ADMIN_ID), "/laporan")).text or ""
    assert t("report-totals", registered=1, eligible=1, enrolled=1, completed=0, dropped=0,
             rate=t("report-rate-none")) in text  # fmt: skip
    assert "Tingkat kelulusan: <b>belum ada pelatihan yang selesai</b>" in text
    assert "0%</b>\n" not in text.split("Tingkat kelulusan")[1][:20]
    # No wave was asked: the report shows no "dari semua lulusan", and its footnote does not name it.
    assert "dari semua lulusan" not in text.casefold()
    assert text.endswith(t("report-definitions"))
