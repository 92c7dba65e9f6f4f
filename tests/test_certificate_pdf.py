"""The certificate's PDF renders (pdftoppm) with its texts in place (pdftotext); the template is checked at
start-up; certificate numbers catch typing mistakes. None of it touches the bot's database."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.config import DATA_DIR, Settings
from bot.i18n import Translations
from bot.services.certificate_numbers import ALPHABET, BadNumber, check_character, new_number, parse_number
from bot.services.certificate_pdf import render_pdf, verification_link
from bot.services.certificate_template import CertificateTemplate, CertificateTemplateError, load_template
from bot.services.certificates import CertificateDocument
from bot.storage.catalogue import Course
from bot.storage.certificates import AttendedSession, Certificate

TEMPLATE = DATA_DIR / "certificate.yaml"
NUMBER = "VOK-2026-10Q3-M9X" + check_character("202610Q3M9X")


def document(holder: str = "Siti Nurjanah Ängström", sessions: int = 2) -> CertificateDocument:
    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 12, day, hour - 7, 0, tzinfo=UTC)  # WIB

    attended = tuple(
        AttendedSession(i + 1, f"Praktik sesi {i + 1}", at(7 + i % 20, 8), at(7 + i % 20, 16)) for i in range(sessions)
    )
    certificate = Certificate(
        id=1, number=NUMBER, enrollment_id=1, participant_id=1, course_id=1, issued_at=at(8, 17),
        sessions_attended=sessions, sessions_total=sessions, minutes_attended=480 * sessions, sessions=attended,
        language="id", revoked_at=None, revoked_reason=None, revoked_by=None, participant_erased_at=None,
    )  # fmt: skip
    course = Course(
        id=1, code="CRANE-CLG-01", title="Operator Crane", category="Alat Berat", description="",
        institute_name="Kautsar Institute", institute_city="Kota Cilegon", institute_contact="", regency="Kota Cilegon",
        province_code="36", venue_address="Jl. Sudirman", timezone="Asia/Jakarta", capacity=10,
        registration_deadline=at(1, 17), status="finished", enrolled=0, waitlisted=0,
        first_start=attended[0].starts_at, last_end=attended[-1].ends_at,
    )  # fmt: skip
    return CertificateDocument(certificate, course, holder)


def render(language: str = "id", **kwargs: object) -> bytes:
    t = Translations("id").get(language)
    return render_pdf(load_template(TEMPLATE), t, document(**kwargs), verification_link("vokasi_bot", NUMBER))  # type: ignore[arg-type]


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed; `make test` installs it where it may")
    return path


def test_the_pdf_renders_to_an_image_with_every_text_in_place(tmp_path: Path) -> None:
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render())
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "SERTIFIKAT PELATIHAN",
        "Siti Nurjanah Ängström",  # Unicode through the DejaVu fonts
        "Operator Crane (CRANE-CLG-01) di Kautsar Institute, Kota Cilegon",
        "7 Desember 2026 – 8 Desember 2026",
        "16 jam pelatihan (2 dari 2 sesi)",
        "1. Praktik sesi 1 · Senin, 7 Desember 2026 08.00–16.00 WIB",
        f"Nomor sertifikat: {NUMBER}",
        "Diterbitkan: 8 Desember 2026",
    ):
        assert expected in text
    # A4 landscape.
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+841\.89 x 595\.2\d* pts \(A4\)", info), info
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", "40", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    png = (tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height  # landscape
    print(f"certificate rendered to {tmp_path / 'page.png'}")


def test_english_and_long_session_lists(tmp_path: Path) -> None:
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render("en", sessions=14))
    text = subprocess.run([poppler("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "TRAINING CERTIFICATE" in text and "112 hours of training (14 of 14 sessions)" in text
    assert "9. Praktik sesi 9" in text and "10. Praktik sesi 10" not in text
    assert "… and 5 more sessions" in text


def write(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    raw.update(change)
    path = tmp_path / "certificate.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def texts_with(first: dict[str, object]) -> list[object]:
    raw = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    return [first, *raw["texts"][1:]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"qr": {"x": 280, "y": 150, "size": 40}}, "qr: goes off the 297 x 210 mm page"),
        ({"texts": texts_with({"key": "cert-pdf-title", "x": 20, "y": 30, "w": 257, "colour": "gold"})},
         "texts[0] (cert-pdf-title): colour 'gold' is not one of the colours"),
        ({"texts": texts_with({"key": "cert-pdf-title", "x": 20, "y": 30, "w": 257, "size": 200})},
         "texts[0] > size: Input should be less than or equal to 72"),
        ({"colours": {"ink": "black"}}, "colours > ink: 'black' is not a colour"),
        ({"fonts": {"regular": "Comic.ttf", "bold": "DejaVuSans-Bold.ttf"}}, "no such font file: Comic.ttf"),
        ({"page": {"size": "B5"}}, "page > size: Input should be 'A4', 'A5' or 'Letter'"),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_a_broken_layout_is_refused_naming_the_place(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(CertificateTemplateError) as refused:
        load_template(write(tmp_path, change))
    assert message in str(refused.value)
    assert str(tmp_path / "certificate.yaml") in str(refused.value)


def test_texts_must_exist_in_every_language_and_use_known_placeholders(tmp_path: Path) -> None:
    template = CertificateTemplate.load(TEMPLATE)
    catalogues = {language: dict.fromkeys(template.message_keys(), "x") for language in ("id", "en")}
    template.check_texts(catalogues)
    del catalogues["en"]["cert-pdf-title"]
    catalogues["id"]["cert-pdf-name"] = "{name} {nik}"
    with pytest.raises(CertificateTemplateError) as refused:
        template.check_texts(catalogues)
    assert "cert-pdf-title: no text in the 'en' catalogue" in str(refused.value)
    assert "cert-pdf-name (id): unknown placeholders ['nik']" in str(refused.value)
    with pytest.raises(CertificateTemplateError, match="not valid YAML"):
        CertificateTemplate.load(_bad_yaml(tmp_path))


def _bad_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("texts: [unclosed", encoding="utf-8")
    return path


def test_a_broken_template_stops_the_bot_before_it_starts(tmp_path: Path) -> None:
    from bot.app import build_application

    settings = Settings(_env_file=None, bot_token="1:x", certificate_template=write(tmp_path, {"qr": {"x": 1}}))
    with pytest.raises(CertificateTemplateError, match="qr > y: Field required"):
        build_application(settings)


def test_numbers_are_random_checked_and_forgiving_of_lookalikes() -> None:
    numbers = {new_number(2026) for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert parse_number(number) == number
        assert parse_number(number.lower().replace("-", " ")) == number
        # Every single wrong character of the random part is caught by the check character.
        for position in (9, 10, 11, 12, 14, 15, 16, 17):
            for other in ALPHABET.replace(number[position], "")[:6]:
                forged = number[:position] + other + number[position + 1 :]
                assert parse_number(forged) == BadNumber("mistyped")
    assert parse_number(NUMBER[:9] + NUMBER[9:].replace("0", "O").replace("1", "l")) == NUMBER  # 1OQ3 for 10Q3
    assert parse_number("VOK-2026-UUUU-UUUU") == BadNumber("malformed")
    assert parse_number("") == BadNumber("malformed")


WORKER_SCRIPT = """
import os, sys, time
sys.path.insert(0, {root!r})
from bot.delivery.certificates import PDF_WORKER
if __name__ == "__main__":
    print(PDF_WORKER._executor().submit(os.getpid).result(), flush=True)
    time.sleep(60)
"""


def test_the_pdf_worker_ends_when_the_bot_is_killed(tmp_path: Path) -> None:
    """A bot killed with SIGKILL leaves no PDF worker behind (it checks for its parent every second)."""
    script = tmp_path / "bot.py"
    script.write_text(WORKER_SCRIPT.format(root=str(DATA_DIR.parent)), encoding="utf-8")
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as bot:
        try:
            assert bot.stdout is not None
            worker = int(bot.stdout.readline())
            os.kill(worker, 0)  # running
        finally:
            bot.kill()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the PDF worker outlived the bot")
