"""A course's detail on a phone: the schedule summarised, "Lihat semua sesi" in place and back, and "📍 Lokasi"
(a Telegram venue when the catalogue has coordinates, the address otherwise), from the detail and a reminder."""

from __future__ import annotations

from datetime import datetime

from bot.handlers.common import teaser
from bot.handlers.courses import TEASER
from tests.catalogue_data import SAMPLE, catalogue_csv, course_row, import_catalogue, seed_participant
from tests.flows import say
from tests.harness import WIB, BotHarness
from tests.test_courses import course_id, open_list, tap
from tests.test_presence import with_coordinates
from tests.test_reminders import enrol
from tests.test_text_length import MAX_LINES, screen_lines

SIX_DAYS = "\n".join(f"2026-12-{day:02d} 08:00-16:00 Materi {day - 6}" for day in range(7, 13))


async def test_the_detail_summarises_the_schedule_and_expands_in_place(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("SIX-01", sesi=SIX_DAYS)))
    user = bot.user(5101)
    await seed_participant(bot, 5101)
    message_id = await open_list(bot, user)
    await tap(bot, user, f"c:d:{course_id(bot, 'SIX-01')}:0:a", message_id)
    summary = user.message(message_id)
    lines = (summary.plain_text or "").splitlines()
    assert lines[4:7] == [
        "🗓 7–12 Desember 2026 · 6 sesi",
        "🕗 Biasanya 08.00–16.00 WIB",
        "▶️ Mulai Senin, 7 Desember 2026",
    ]
    assert screen_lines(summary.plain_text or "") <= MAX_LINES and "Materi" not in (summary.plain_text or "")
    assert summary.button_texts()[0] == t("btn-enrol")  # Daftar first, right under a short text
    assert summary.button_texts() == [t("btn-enrol"), t("btn-location"), t("btn-course-more"), t("btn-back")]

    await user.press(t("btn-course-more"), message_id=message_id)
    await bot.settle()
    every = user.message(message_id)  # the same message, edited
    assert every.edited and all(f"Materi {n}" in (every.plain_text or "") for n in range(1, 7))
    assert "Sabtu, 12 Desember 2026 08.00–16.00 WIB: Materi 6" in (every.plain_text or "")
    assert every.button_texts() == [t("btn-enrol"), t("btn-location"), t("btn-summary"), t("btn-back")]
    await user.press(t("btn-summary"), message_id=message_id)
    await bot.settle()
    assert user.message(message_id).plain_text == summary.plain_text
    assert len(user.messages) == 1  # the list, edited into the detail: everything happened in place
    # Daftar works from the expanded view too.
    await tap(bot, user, f"c:a:{course_id(bot, 'SIX-01')}:0:a", message_id)
    await user.press(t("btn-enrol"), message_id=message_id)
    await bot.settle()
    assert user.message(message_id).text == t("enrol-confirm", title="Pelatihan SIX-01")


async def test_varying_hours_and_a_one_session_course(bot: BotHarness) -> None:
    t = bot.t()
    varying = "2026-12-07 08:00-16:00 Teori\n2026-12-08 13:00-17:00 Praktik"
    await import_catalogue(
        bot, catalogue_csv(course_row("VAR-01", sesi=varying), course_row("ONE-01", sesi="2026-12-07 09:00-12:00 X"))
    )
    user = bot.user(5102)
    await seed_participant(bot, 5102)
    message_id = await open_list(bot, user)
    await tap(bot, user, f"c:d:{course_id(bot, 'VAR-01')}:0:a", message_id)
    text = user.message(message_id).plain_text or ""
    assert "🗓 7–8 Desember 2026 · 2 sesi" in text and t("course-hours-vary") in text
    assert "▶️ Mulai Senin, 7 Desember 2026 08.00 WIB" in text  # the hours vary: the first one's time is given
    await tap(bot, user, f"c:d:{course_id(bot, 'ONE-01')}:0:a", message_id)
    one = user.message(message_id)
    assert "🗓 7 Desember 2026 · 1 sesi" in (one.plain_text or "")
    # Even one session has more to show: the whole description, the contact, the address.
    assert one.button_texts() == [t("btn-enrol"), t("btn-location"), t("btn-course-more"), t("btn-back")]


async def test_every_sample_course_fits_one_screen_and_a_long_description_is_cut_at_a_word(bot: BotHarness) -> None:
    """The sample catalogue's real descriptions, contacts and addresses: each summary within one phone screen, the
    description's beginning cut at a word with "…", the rest under "Selengkapnya"."""
    t = bot.t()
    await import_catalogue(bot, SAMPLE.read_bytes())
    user = bot.user(5105)
    await seed_participant(bot, 5105)
    message_id = await open_list(bot, user)
    for row in bot.rows("SELECT id, code, description FROM courses"):
        await tap(bot, user, f"c:d:{row['id']}:0:a", message_id)
        summary = user.message(message_id).plain_text or ""
        assert screen_lines(summary) <= MAX_LINES, (row["code"], screen_lines(summary), summary)
        await tap(bot, user, f"c:a:{row['id']}:0:a", message_id)
        assert " ".join(row["description"].split()) in " ".join((user.message(message_id).plain_text or "").split())
    await tap(bot, user, f"c:d:{course_id(bot, 'CLG-CRANE-01')}:0:a", message_id)
    lines = (user.message(message_id).plain_text or "").splitlines()
    assert lines[:3] == [
        "Operator Crane",
        "Alat Berat · Kautsar Institute",
        "Pelatihan operator mobile crane dan overhead crane: K3…",
    ]
    assert user.message(message_id).button_texts()[0] == t("btn-enrol")


def test_the_teaser_keeps_short_texts_and_cuts_long_ones_at_a_word() -> None:
    assert teaser("Pelatihan singkat.", TEASER) == "Pelatihan singkat."
    assert teaser("  dua\n baris  ", TEASER) == "dua baris"
    cut = teaser("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas dua belas", 30)
    assert cut == "satu dua tiga empat lima enam…" and len(cut) <= 31
    assert teaser("x" * 80, 10) == "x" * 10 + "…"  # one long word: cut where it must be


async def test_location_is_a_venue_with_coordinates_and_the_address_without(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(
        bot,
        with_coordinates(
            course_row("MAP-01", lat="-6.0174", lon="106.0539"),
            course_row("TXT-01", alamat="Jl. Merdeka No. 1"),
        ),
    )
    user = bot.user(5103)
    await seed_participant(bot, 5103)
    message_id = await open_list(bot, user)
    await tap(bot, user, f"c:d:{course_id(bot, 'MAP-01')}:0:a", message_id)
    user.new_messages()
    await user.press(t("btn-location"), message_id=message_id)
    await bot.settle()
    [venue] = user.new_messages()
    assert venue.kind == "venue"
    assert venue.raw["venue"] == {
        "location": {"latitude": -6.0174, "longitude": 106.0539},
        "title": "Kautsar Institute",
        "address": "Jl. Jenderal Sudirman No. 88, Kota Cilegon",
    }
    await tap(bot, user, f"c:d:{course_id(bot, 'TXT-01')}:0:a", message_id)
    user.new_messages()
    await user.press(t("btn-location"), message_id=message_id)
    await bot.settle()
    [text] = user.new_messages()
    assert text.text == t(
        "venue-address", title="Pelatihan TXT-01", name="Kautsar Institute", address="Jl. Merdeka No. 1, Kota Cilegon"
    )


async def test_location_from_a_reminder_and_forged_location_buttons(bot: BotHarness) -> None:
    t = bot.t()
    sessions = "2026-12-07 08:00-16:00 Teori\n2026-12-08 08:00-16:00 Praktik @ Pelabuhan Ciwandan"
    await import_catalogue(
        bot,
        with_coordinates(course_row("MAP-01", lat="-6.0174", lon="106.0539", sesi=sessions), course_row("B-01")),
    )
    await seed_participant(bot, 5104)
    await enrol(bot, 5104, "MAP-01")
    user = bot.user(5104)
    bot.clock.set(datetime(2026, 12, 6, 18, 0, tzinfo=WIB))
    await bot.drain_outbox()
    [evening] = user.new_messages()
    await user.press(t("btn-location"), message_id=evening.message_id)
    await bot.settle()
    [venue] = user.new_messages()
    assert venue.kind == "venue" and venue.raw["venue"]["location"]["latitude"] == -6.0174
    # The second day is held elsewhere: its reminder's button gives that address, not the course's pin.
    bot.clock.set(datetime(2026, 12, 8, 7, 0, tzinfo=WIB))
    await bot.drain_outbox()
    [morning] = user.new_messages()
    await user.press(t("btn-location"), message_id=morning.message_id)
    await bot.settle()
    [elsewhere] = user.new_messages()
    assert elsewhere.kind == "text" and "Pelabuhan Ciwandan" in (elsewhere.text or "")
    # Forged: an unknown course, a session of another course.
    other = bot.rows("SELECT s.id FROM course_sessions s JOIN courses c ON c.id = s.course_id WHERE c.code = 'B-01'")
    for data in ("v:99999:0", f"v:{course_id(bot, 'MAP-01')}:{other[0][0]}"):
        await user.press_data(data, message_id=morning.message_id)
        await bot.settle()
        assert user.callback_answers[-1].get("text") == t("button-stale"), data
    assert user.new_messages() == []
    await say(bot, user, "/jadwal")  # still answering
