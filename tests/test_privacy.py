"""Personal data never reaches the logs, even at DEBUG level."""

from __future__ import annotations

import logging

import pytest

from bot.logs import cap_library_loggers
from tests.catalogue_data import seed_participant
from tests.flows import Person, register, say
from tests.harness import BotHarness


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    cap_library_loggers()
    return caplog


def captured(caplog: pytest.LogCaptureFixture) -> str:
    """Everything logged during the test, after checking that the capture takes DEBUG records of the bot's loggers
    (what the bot and its libraries log depends on timing: "Application started" may come before the test)."""
    logging.getLogger("bot.test").debug("capture check")
    logged = "\n".join(record.getMessage() + str(record.exc_info or "") for record in caplog.records)
    assert "capture check" in logged
    return logged


async def test_registration_logs_no_personal_data(bot: BotHarness, debug_logs: pytest.LogCaptureFixture) -> None:
    person = Person()
    user = bot.user(4001)
    await register(bot, user, person)
    await say(bot, user, "/profil")
    await say(bot, user, "12345678901")  # free text from a participant
    logged = captured(debug_logs)
    for secret in (person.nik, "3201 0155", person.kpj or "", "81234567890", person.name, "Bandung", "Maju Jaya"):
        assert secret not in logged, secret
    assert bot.server.token not in logged


async def test_survey_answers_are_not_logged(bot: BotHarness, debug_logs: pytest.LogCaptureFixture) -> None:
    t = bot.t()
    await seed_participant(bot, 4002)
    user = bot.user(4002)
    await say(bot, user, t("menu-employment"))
    await user.press("Bekerja di perusahaan baru")
    await bot.settle()
    await say(bot, user, "PT Rahasia Karyawan Sejahtera")
    await say(bot, user, "Catatan pribadi xyz")  # a wrong answer (a button is expected) is not logged either
    await bot.drain_outbox()
    logged = captured(debug_logs)
    for secret in ("Rahasia Karyawan", "Catatan pribadi", "+62812"):
        assert secret not in logged, secret
