"""Certificates through the real bot: issued and sent on completion, sent again by /sertifikat, verified by anyone
(/cek, the QR code's deep link), revoked by admins, and silent about a holder who erased their data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.services.certificate_numbers import mask_name, new_number
from fakegram import BotMessage
from tests.conftest import ADMIN_ID
from tests.flows import press, say
from tests.harness import BotHarness
from tests.survey_flows import AFTER_COURSE, JAWA_BARAT, course_under_way, services

NAME = "Peserta 1001"


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it (poppler-utils: `make test` installs it)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


async def complete(bot: BotHarness, *people: int) -> None:
    """These participants (Jawa Barat) complete course K1 (7-8 December 2026); what is due is sent."""
    course_id = await course_under_way(bot, dict.fromkeys(people, JAWA_BARAT))
    await services(bot).completion.complete_course(course_id)
    await bot.drain_outbox()


def certificate_row(bot: BotHarness, user_id: int) -> dict[str, object]:
    [row] = bot.rows(
        "SELECT c.* FROM certificates c JOIN participants p ON p.id = c.participant_id WHERE p.telegram_user_id = ?",
        (user_id,),
    )
    return dict(row)


def documents(messages: list[BotMessage]) -> list[BotMessage]:
    return [m for m in messages if m.kind == "document"]


async def test_the_certificate_is_sent_on_completion_and_again(staff_bot: BotHarness, tmp_path: Path) -> None:
    bot, t = staff_bot, staff_bot.t()
    await complete(bot, 1001)
    row = certificate_row(bot, 1001)
    number = str(row["number"])
    assert number.startswith("VOK-2026-") and len(number) == len("VOK-2026-XXXX-XXXX")
    assert (row["sessions_attended"], row["sessions_total"], row["minutes_attended"]) == (2, 2, 16 * 60)
    assert row["language"] == "id" and row["revoked_at"] is None
    # The name is not on the certificate row: it is read from the participant.
    assert not any(NAME in str(value) for value in row.values())

    messages = bot.user(1001).new_messages()
    assert messages[0].text is not None and messages[0].text.startswith(t("course-completed", title="Pelatihan K1"))
    [sent] = documents(messages)
    assert messages[-1] is sent  # after the congratulation
    assert sent.file_name == f"sertifikat-{number}.pdf" and sent.mime_type == "application/pdf"
    assert sent.document is not None and sent.document.startswith(b"%PDF")
    assert sent.caption == t("certificate-caption", course="Pelatihan K1", number=number)
    text = pdf_text(sent.document, tmp_path)
    for expected in ("SERTIFIKAT PELATIHAN", NAME, "Pelatihan K1", "Kautsar Institute", number, "16 jam"):
        assert expected in text
    assert "7 Desember 2026 – 8 Desember 2026" in text and "2 dari 2 sesi" in text
    assert "1. Teori K3" in text and "2. Praktik" in text
    assert "https://t.me/vokasi_test_bot?start=c-" + number in text.replace("\n", "")

    # Completing again, or a restart, issues nothing new; /sertifikat sends the same certificate again.
    await bot.restart()
    await bot.drain_outbox()
    assert bot.user(1001).new_messages() == []
    again = await say(bot, bot.user(1001), "/sertifikat")
    assert again.kind == "document" and again.caption == sent.caption
    assert again.document is not None and number in pdf_text(again.document, tmp_path)
    assert len(bot.rows("SELECT id FROM certificates")) == 1


async def test_a_certificate_speaks_its_holders_language(staff_bot: BotHarness, tmp_path: Path) -> None:
    bot = staff_bot
    course_id = await course_under_way(bot, {1002: JAWA_BARAT})
    assert await services(bot).accounts.set_language(1002, "en")
    await services(bot).completion.complete_course(course_id)
    await bot.drain_outbox()
    [sent] = documents(bot.user(1002).new_messages())
    number = str(certificate_row(bot, 1002)["number"])
    assert sent.file_name == f"certificate-{number}.pdf"
    assert sent.document is not None
    text = pdf_text(sent.document, tmp_path)
    assert "TRAINING CERTIFICATE" in text and "Peserta 1002" in text and "16 hours" in text
    assert "2 of 2 sessions" in text and "7 December 2026" in text
    assert certificate_row(bot, 1002)["language"] == "en"


async def test_no_certificate_gets_a_plain_explanation(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    assert (await say(bot, bot.user(4040), "/sertifikat")).text == t("certificate-none")  # not even registered
    await course_under_way(bot, {1003: JAWA_BARAT})  # enrolled, not completed yet
    assert (await say(bot, bot.user(1003), "/certificate")).text == t("certificate-none")


async def test_anyone_verifies_a_certificate_and_forged_numbers_get_plain_answers(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await complete(bot, 1001)
    number = str(certificate_row(bot, 1001)["number"])
    employer = bot.user(5555, "Pak Budi")  # never registered
    valid = t(
        "certificate-check-valid",
        number=number,
        name="Pes**** 100*",
        course="Pelatihan K1",
        institute="Kautsar Institute",
        city="Kota Cilegon",
        dates="7 Desember 2026 – 8 Desember 2026",
        issued="8 Desember 2026",
    )
    assert mask_name(NAME) == "Pes**** 100*"
    assert (await say(bot, employer, f"/cek {number}")).text == valid
    # The QR code's link opens the bot with /start c-<number>; typed in lower case, without dashes, also works.
    assert (await say(bot, employer, f"/start c-{number}")).text == valid
    assert (await say(bot, employer, "/cek " + number.lower().replace("-", ""))).text == valid
    assert NAME not in (valid or "")
    assert bot.rows("SELECT COUNT(*) FROM participants")[0][0] == 1  # asking registered nobody

    typo = number[:-1] + ("2" if number[-1] != "2" else "3")
    assert (await say(bot, employer, f"/cek {typo}")).text == t("certificate-check-mistyped", number=typo)
    unknown = new_number(2026)
    assert (await say(bot, employer, f"/cek {unknown}")).text == t("certificate-check-unknown", number=unknown)
    for forged in ("hello", "VOK-2026-<b>x</b>", "'; DROP TABLE certificates;--", "VOK-26-ABCD-EFGH"):
        assert (await say(bot, employer, f"/cek {forged}")).text == t("certificate-check-malformed")
    assert (await say(bot, employer, "/start c-x")).text == t("certificate-check-malformed")
    assert (await say(bot, employer, "/cek")).text == t("certificate-check-usage")
    # Plain /start still greets newcomers with the consent notice.
    assert (await say(bot, employer, "/start")).text == t("consent-notice")


async def test_admins_revoke_a_certificate_and_verification_says_so(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await complete(bot, 1001)
    number = str(certificate_row(bot, 1001)["number"])
    holder, admin = bot.user(1001), bot.user(ADMIN_ID)

    # Not staff: the unknown-command answer, and the attempt audited.
    assert (await say(bot, holder, f"/staf cabut {number} palsu")).text == t("unknown-command")
    assert certificate_row(bot, 1001)["revoked_at"] is None
    assert bot.rows("SELECT COUNT(*) FROM audit_log WHERE action = 'refused:staf'")[0][0] == 1

    assert (await say(bot, admin, f"/staf cabut {number}")).text == t("certificate-revoke-usage")
    assert (await say(bot, admin, "/staf cabut VOK-2026-0000-0000 x")).text == t("certificate-revoke-usage")
    reason = "data kehadiran keliru"
    assert (await say(bot, admin, f"/staf cabut {number} {reason}")).text == t(
        "certificate-revoked", number=number, course="Pelatihan K1"
    )
    row = certificate_row(bot, 1001)
    assert row["revoked_reason"] == reason and row["revoked_by"] == ADMIN_ID
    [audit] = bot.rows("SELECT * FROM audit_log WHERE action = 'certificate:revoke'")
    assert audit["actor"] == ADMIN_ID and reason not in audit["detail"]
    assert (await say(bot, admin, f"/staff revoke {number} lagi")).text == t(
        "certificate-revoke-already", number=number
    )

    revoked = t("certificate-check-revoked", number=number, date="8 Desember 2026")
    assert (await say(bot, bot.user(5555), f"/cek {number}")).text == revoked  # no reason for the public
    assert (await say(bot, admin, f"/cek {number}")).text == revoked + "\n\n" + t(
        "certificate-check-revoked-reason", reason=reason
    )
    # The holder is told it was revoked; nothing is sent.
    answer = await say(bot, holder, "/sertifikat")
    assert answer.text == t("certificate-own-revoked", number=number, course="Pelatihan K1", date="8 Desember 2026")


async def test_a_certificate_revoked_before_it_went_out_is_not_sent(staff_bot: BotHarness) -> None:
    bot = staff_bot
    course_id = await course_under_way(bot, {1001: JAWA_BARAT})
    await services(bot).completion.complete_course(course_id)
    number = str(certificate_row(bot, 1001)["number"])
    assert not isinstance(await services(bot).certificates.revoke(ADMIN_ID, "admin", number, "salah"), type(None))
    await bot.drain_outbox()
    assert documents(bot.user(1001).new_messages()) == []
    assert bot.rows("SELECT status FROM outbox WHERE kind = 'certificate'")[0]["status"] == "cancelled"


async def test_after_erasure_verification_says_so_without_personal_data(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await complete(bot, 1001)
    number = str(certificate_row(bot, 1001)["number"])
    holder = bot.user(1001)
    await say(bot, holder, "/hapusdata")
    assert (await press(bot, holder, t("btn-erase-yes"))).text == t("erased")

    [row] = bot.rows("SELECT * FROM certificates")
    assert row["participant_erased_at"] is not None and row["number"] == number
    answer = await say(bot, bot.user(5555), f"/cek {number}")
    assert answer.text == t("certificate-check-erased", number=number)
    assert "Pes" not in (answer.text or "") and "Pelatihan K1" not in (answer.text or "")
    # The erased person asking again has nothing (they are nobody to the bot now).
    assert (await say(bot, holder, "/sertifikat")).text == t("certificate-none")
    assert bot.clock.now() >= AFTER_COURSE


async def test_the_holders_copy_of_their_data_names_the_certificate(staff_bot: BotHarness) -> None:
    """/dataku (the right of access) lists the certificate with its number and the sessions it counts."""
    bot, t = staff_bot, staff_bot.t()
    await complete(bot, 1001)
    number = str(certificate_row(bot, 1001)["number"])
    user = bot.user(1001)
    await say(bot, user, "/dataku")
    await user.press(t("btn-mydata-yes"))
    await bot.settle()
    [copy] = [m for m in documents(user.new_messages()) if (m.file_name or "").endswith(".txt")]
    assert copy.document is not None
    text = copy.document.decode("utf-8")
    issued = [line for line in text.splitlines() if number in line]
    assert len(issued) == 1 and "hadir 2 dari 2 sesi" in issued[0] and "dicabut" not in issued[0]
