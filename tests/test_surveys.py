"""Surveys in the chat: one question at a time, answers saved as given, wrong answers explained, nudges, expiry,
the check-in branches, and "Status Kerja" from the main menu."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import DATA_DIR
from fakegram import BotMessage, FakeTelegram, FakeUser
from tests.catalogue_data import seed_participant
from tests.flows import press, say
from tests.harness import BotHarness
from tests.survey_flows import JAWA_BARAT, WIB, completed, services, tick

USER = 1001


def answers(bot: BotHarness, survey: str = "satisfaction") -> dict[str, Any]:
    rows = bot.rows(
        "SELECT a.question, a.value FROM survey_answers a JOIN survey_runs r ON r.id = a.run_id"
        " WHERE r.survey = ? ORDER BY a.answered_at",
        (survey,),
    )
    return {row["question"]: None if row["value"] is None else json.loads(row["value"]) for row in rows}


def run_states(bot: BotHarness) -> list[tuple[str, str, str]]:
    return [(r["survey"], r["wave"], r["status"]) for r in bot.rows("SELECT * FROM survey_runs ORDER BY id")]


def text_of(message: BotMessage | None) -> str:
    assert message is not None
    return message.text or ""


def certificate(message: BotMessage) -> bool:
    """The certificate, a PDF sent after the congratulation (tests/test_certificates.py): not what these test."""
    return message.kind == "document" and (message.file_name or "").endswith(".pdf")


def news(user: FakeUser) -> list[BotMessage]:
    """The person's new messages but the certificate."""
    return [m for m in user.new_messages() if not certificate(m)]


def last(user: FakeUser) -> BotMessage | None:
    """The newest message in the chat but the certificate."""
    return next((m for m in reversed(user.messages) if not certificate(m)), None)


def latest_with(user: FakeUser, fragment: str) -> BotMessage | None:
    """The newest message containing `fragment`: a question queued in the outbox as a survey ends may arrive just
    before or just after the handler's own "Terima kasih" reply (two senders, one chat)."""
    return next((m for m in reversed(user.messages) if fragment in (m.text or "")), None)


async def press_on(bot: BotHarness, user: FakeUser, label: str) -> list[BotMessage]:
    """Press a button of the newest message showing it; returns the messages it brought (not the edited ones)."""
    newest = last(user).message_id if last(user) is not None else 0
    await user.press(label)
    await bot.settle()
    return [m for m in news(user) if m.message_id > newest]


@pytest.fixture
async def finished_course(bot: BotHarness) -> FakeUser:
    """A participant who has just completed a course and received the satisfaction survey's first question."""
    await completed(bot, {USER: JAWA_BARAT})
    user = bot.user(USER)
    assert len(news(user)) == 1
    return user


async def test_satisfaction_survey_from_first_question_to_thanks(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    first = last(user)
    assert t(
        "survey-question-line", number=1, text="Secara keseluruhan, bagaimana penilaian Anda terhadap pelatihan ini?"
    ) in text_of(first)
    assert t("survey-course", title="Pelatihan K1") in text_of(first)

    [second] = await press_on(bot, user, "5")
    assert first is not None
    assert text_of(user.message(first.message_id)).endswith(t("survey-answered", answer="★★★★★"))
    assert user.message(first.message_id).button_texts() == []  # the answer replaced the buttons
    assert t("survey-question-line", number=2, text="Bagaimana penilaian Anda terhadap instruktur/pelatih?") in text_of(
        second
    )
    await press_on(bot, user, "4")
    await press_on(bot, user, "3")
    [useful] = await press_on(bot, user, "4")
    assert useful.button_texts()[-2:] == [t("btn-survey-done"), t("btn-survey-skip")]

    # Multiple choice: ticking edits the buttons in place; the answer is what is ticked at "Selesai".
    assert await press_on(bot, user, "▫️ Praktik langsung") == []
    await press_on(bot, user, "▫️ Sertifikat")
    assert user.message(useful.message_id).button_texts()[:4] == [
        "✅ Praktik langsung",
        "▫️ Materi/teori",
        "▫️ Instruktur",
        "✅ Sertifikat",
    ]
    await press_on(bot, user, "✅ Praktik langsung")
    [recommend] = await press_on(bot, user, t("btn-survey-done"))
    assert text_of(user.message(useful.message_id)).endswith(t("survey-answered", answer="Sertifikat"))
    assert recommend.button_texts() == ["Ya", "Mungkin", "Tidak"]
    [comment] = await press_on(bot, user, "Ya")
    assert t("survey-hint-text", max=500) in text_of(comment)

    thanks = await say(bot, user, "Instrukturnya sabar <b>sekali</b> & jelas")
    assert thanks.text == t("survey-finished", outro="Jawaban Anda sudah kami simpan. Semoga sukses!")
    assert answers(bot) == {
        "overall": 5,
        "trainer": 4,
        "relevance": 3,
        "facilities": 4,
        "most_useful": ["certificate"],
        "recommend": "yes",
        "comment": "Instrukturnya sabar <b>sekali</b> & jelas",
    }
    assert run_states(bot)[0] == ("satisfaction", "completion", "completed")
    # The nudge planned for day 3 is withdrawn with the finished survey.
    assert [r["status"] for r in bot.rows("SELECT status FROM outbox WHERE kind = 'survey_nudge'")] == ["cancelled"]


async def test_wrong_answers_get_a_reason_and_the_same_question(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    # The question again, without the congratulation it first came with.
    question = text_of(last(user)).split("\n\n", 1)[1]
    for typed, reason in (
        ("bagus sekali", t("survey-use-buttons")),
        ("7", t("survey-rating-range", low=1, high=5)),
        ("0", t("survey-rating-range", low=1, high=5)),
    ):
        again = await say(bot, user, typed)
        assert again.text == f"{reason}\n\n{question}"
        assert again.button_texts() == ["1", "2", "3", "4", "5"]
    await user.send_sticker()
    await bot.settle()
    assert text_of(news(user)[-1]).startswith(t("survey-use-buttons"))
    assert answers(bot) == {}

    second = await say(bot, user, "4")  # a typed rating is as good as the button
    assert t("survey-question-line", number=2, text="Bagaimana penilaian Anda terhadap instruktur/pelatih?") in text_of(
        second
    )
    for _ in range(3):
        await press_on(bot, user, "3")
    await user.press(t("btn-survey-done"))  # nothing ticked
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("survey-choose-some")
    await press_on(bot, user, t("btn-survey-skip"))
    await press_on(bot, user, "Tidak")
    too_long = await say(bot, user, "x" * 501)
    assert text_of(too_long).startswith(t("survey-text-too-long", max=500, length=501))
    await user.send_photo(b"\xff\xd8jpeg")
    await bot.settle()
    assert text_of(news(user)[-1]).startswith(t("survey-text-only"))
    await press_on(bot, user, t("btn-survey-skip"))
    assert answers(bot) == {
        "overall": 4,
        "trainer": 3,
        "relevance": 3,
        "facilities": 3,
        "most_useful": None,
        "recommend": "no",
        "comment": None,
    }


async def test_old_and_forged_survey_buttons_change_nothing(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    first = last(user)
    assert first is not None
    run_id = int(bot.rows("SELECT id FROM survey_runs WHERE status = 'active'")[0]["id"])
    await press_on(bot, user, "2")
    await user.press_data(f"q:{run_id}:0:4", message_id=first.message_id)  # the first question, again
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("survey-question-answered")
    stranger = bot.user(2002)
    await seed_participant(bot, 2002)
    await stranger.send_text("/start")
    await bot.settle()
    await stranger.press_data(f"q:{run_id}:1:0")  # someone else's survey
    await bot.settle()
    assert stranger.callback_answers[-1]["text"] == t("button-stale")
    await user.press_data(f"q:{run_id}:1:9")  # an option that does not exist
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("button-stale")
    await user.press_data(f"q:{run_id}:1:s")  # skipping a question that is not optional
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("button-stale")
    assert answers(bot) == {"overall": 2}

    # Through to the end; afterwards any button of the survey says it is over.
    for label in ("2", "2", "2", t("btn-survey-skip"), "Mungkin", t("btn-survey-skip")):
        await press_on(bot, user, label)
    await user.press_data(f"q:{run_id}:5:0")
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("survey-over")
    assert len(answers(bot)) == 7


async def test_a_restart_mid_survey_resumes_at_the_next_question(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    await press_on(bot, user, "5")
    await press_on(bot, user, "4")
    await bot.restart()
    resumed = await say(bot, user, "3")  # the third question was waiting for this answer
    assert t(
        "survey-question-line", number=4, text="Bagaimana penilaian Anda terhadap tempat dan peralatan pelatihan?"
    ) in text_of(resumed)
    assert answers(bot) == {"overall": 5, "trainer": 4, "relevance": 3}


async def test_a_nudge_after_three_days_then_expiry_after_seven(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    first = last(user)
    assert first is not None
    bot.advance(timedelta(days=3) - timedelta(minutes=1))
    await tick(bot)
    assert news(user) == []
    bot.advance(timedelta(minutes=1))
    await tick(bot)
    [nudge] = news(user)
    assert text_of(nudge).startswith(t("survey-nudge", survey="Survei Kepuasan Pelatihan"))
    assert "Survei Survei" not in text_of(nudge)  # the title is named once (issue 22)
    assert text_of(nudge).startswith("⏰ Anda belum selesai mengisi <b>Survei Kepuasan Pelatihan</b>.")
    [again] = await press_on(bot, user, t("btn-survey-resume"))
    assert "<b>1.</b>" in text_of(again) and again.button_texts() == ["1", "2", "3", "4", "5"]

    bot.advance(timedelta(days=4))  # seven days after the question was sent
    await tick(bot)
    assert run_states(bot)[0] == ("satisfaction", "completion", "expired")
    assert news(user) == []  # expiring is silent
    await user.press("4", message_id=first.message_id)
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("survey-over")
    await user.press(t("btn-survey-resume"))
    await bot.settle()
    assert user.callback_answers[-1]["text"] == t("survey-over")
    assert answers(bot) == {}
    reply = await say(bot, user, "4")  # no survey running: typed text is not an answer any more
    assert reply.text == t("helpdesk-offer")


async def test_the_check_in_waits_for_the_running_survey(server: FakeTelegram, tmp_path: Path) -> None:
    bot = BotHarness(server, tmp_path / "turns.db", survey_expiry_days=45)
    await bot.start()
    try:
        t = bot.t()
        await completed(bot, {USER: JAWA_BARAT})
        user = bot.user(USER)
        news(user)
        bot.advance(datetime(2027, 1, 7, 10, 0, tzinfo=WIB) - bot.clock.now())  # the +30 days check-in is due
        await tick(bot)
        assert [m for m in news(user) if "Kabar Pekerjaan" in (m.text or "")] == []
        assert run_states(bot)[:2] == [
            ("satisfaction", "completion", "active"),
            ("employment", "d30", "scheduled"),
        ]
        for label in ("5", "5", "5", "5", t("btn-survey-skip"), "Ya", t("btn-survey-skip")):
            await press_on(bot, user, label)
        await bot.drain_outbox()  # the check-in, started as the satisfaction survey ended (if not sent already)
        checkin = latest_with(user, "Kabar Pekerjaan")
        assert "Kabar Pekerjaan" in text_of(checkin)
        assert t("survey-question-line", number=1, text="Apa status kerja Anda saat ini?") in text_of(checkin)
        assert run_states(bot)[:2] == [
            ("satisfaction", "completion", "completed"),
            ("employment", "d30", "active"),
        ]
    finally:
        await bot.stop()


# Each branch of the check-in: (what is pressed or typed, in order) and the answers stored.
BRANCHES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "previous_employer": (
        ["press:Kembali bekerja di perusahaan lama", "say:12/2026", "press:Sebagian", "press:skip"],
        {"start_month": "2026-12", "uses_skills": "partly", "income": None},
    ),
    "new_employer": (
        [
            "press:Bekerja di perusahaan baru",
            "say:PT Baja Sejahtera",
            "press:Manufaktur/pabrik",
            "say:Januari 2027",
            "press:Ya, banyak",
            "press:Rp2–3,5 juta",
        ],
        {
            "employer": "PT Baja Sejahtera",
            "sector": "manufacturing",
            "start_month": "2027-01",
            "uses_skills": "yes",
            "income": "from_2m_to_3_5m",
        },
    ),
    "own_business": (
        ["press:Usaha mandiri / wirausaha", "press:Jualan online", "say:3", "press:Sedikit"],
        {"business_kind": "online", "business_workers": 3, "training_helped": "partly"},
    ),
    "recruiting": (
        ["press:Sedang proses rekrutmen (wawancara/tes)", "press:Ya, mau"],
        {"want_job_info": "yes"},
    ),
    "not_working": (
        ["press:Belum bekerja", "press:Lowongan sedikit", "press:Tidak, terima kasih"],
        {"obstacle": "few_vacancies", "want_job_info": "no"},
    ),
    "training": (
        ["press:Mengikuti pelatihan lanjutan", "say:Kursus las lanjutan"],
        {"further_training": "Kursus las lanjutan"},
    ),
}


@pytest.mark.parametrize("status", list(BRANCHES))
async def test_every_branch_of_the_thirty_day_check_in(bot: BotHarness, status: str) -> None:
    t = bot.t()
    await completed(bot, {USER: JAWA_BARAT})
    user = bot.user(USER)
    bot.advance(datetime(2027, 1, 7, 10, 0, tzinfo=WIB) - bot.clock.now())
    await tick(bot)  # the unanswered satisfaction survey expires and the check-in takes its turn
    assert "Kabar Pekerjaan" in text_of(news(user)[-1])
    steps, expected = BRANCHES[status]
    for step in steps:
        kind, value = step.split(":", 1)
        if kind == "say":
            await say(bot, user, value)
        else:
            await press_on(bot, user, t("btn-survey-skip") if value == "skip" else value)
    outro = services(bot).surveys.catalog["employment"].outro.get("id")
    assert text_of(last(user)) == t("survey-finished", outro=outro)
    assert answers(bot, "employment") == {"status": status, **expected}
    checkins = bot.rows("SELECT wave, status, answered_at FROM employment_checkins")
    assert [(r["wave"], r["status"]) for r in checkins] == [("d30", status)]
    participant = bot.participant(USER)
    assert participant is not None and participant["employment_status"] == status
    # The job-information answer is kept on the participant for the vacancies (None: not asked on this branch).
    wants = {"yes": 1, "no": 0}.get(str(expected.get("want_job_info")))
    assert participant["wants_vacancies"] == wants
    assert run_states(bot)[1] == ("employment", "d30", "completed")


async def test_check_in_answers_are_checked(bot: BotHarness) -> None:
    t = bot.t()
    await seed_participant(bot, USER)
    user = bot.user(USER)
    await say(bot, user, t("menu-employment"))
    await press_on(bot, user, "Kembali bekerja di perusahaan lama")
    for typed, reason in (
        ("kemarin", t("err-month-format")),
        ("13/2026", t("err-month-format")),
        ("Desember 2026", t("survey-month-future")),  # the test clock is in November 2026
    ):
        assert text_of(await say(bot, user, typed)).startswith(reason)
    await say(bot, user, "11/2026")
    await press_on(bot, user, "Ya, banyak")
    await press_on(bot, user, "Di bawah Rp2 juta")
    assert answers(bot, "employment")["start_month"] == "2026-11"

    await say(bot, user, t("menu-employment"))
    await press_on(bot, user, "Usaha mandiri / wirausaha")
    await press_on(bot, user, "Dagang/toko")
    for typed, reason in (
        ("tiga", t("survey-number-invalid")),
        ("0", t("survey-number-range", min=1, max=500)),
        ("1.000", t("survey-number-range", min=1, max=500)),
    ):
        assert text_of(await say(bot, user, typed)).startswith(reason)
    await say(bot, user, "2")
    assert bot.rows("SELECT COUNT(*) FROM employment_checkins")[0][0] == 2


async def test_status_kerja_records_a_check_in_any_time(bot: BotHarness) -> None:
    t = bot.t()
    stranger = bot.user(3003)
    assert (await say(bot, stranger, "/statuskerja")).text == t("not-registered")
    await seed_participant(bot, USER)
    user = bot.user(USER)
    asked = await say(bot, user, t("menu-employment"))
    assert "Kabar Pekerjaan" in text_of(asked)
    assert asked.button_texts()[0] == "Kembali bekerja di perusahaan lama"
    await press_on(bot, user, "Belum bekerja")
    await press_on(bot, user, "Modal usaha")
    await press_on(bot, user, "Ya, mau")
    bot.advance(timedelta(days=20))
    await say(bot, user, "/jobstatus")
    await press_on(bot, user, "Sedang proses rekrutmen (wawancara/tes)")
    await press_on(bot, user, "Ya, mau")

    history = bot.rows("SELECT wave, status, enrollment_id FROM employment_checkins ORDER BY answered_at")
    assert [(r["wave"], r["status"], r["enrollment_id"]) for r in history] == [
        ("self", "not_working", None),
        ("self", "recruiting", None),
    ]
    participant = bot.participant(USER)
    assert participant is not None
    assert participant["employment_status"] == "recruiting"
    assert participant["employment_status_at"] == bot.rows("SELECT MAX(answered_at) FROM employment_checkins")[0][0]


async def test_status_kerja_during_another_survey_pauses_it(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    await press_on(bot, user, "5")
    asked = await say(bot, user, t("menu-employment"))
    assert "Kabar Pekerjaan" in text_of(asked)
    assert [s for s in run_states(bot) if s[1] in ("completion", "self")] == [
        ("satisfaction", "completion", "scheduled"),
        ("employment", "self", "active"),
    ]
    # Pressing "Status Kerja" again during the check-in shows the same question, it does not start another.
    again = await say(bot, user, t("menu-employment"))
    assert again.button_texts() == asked.button_texts()
    await press_on(bot, user, "Mengikuti pelatihan lanjutan")
    await say(bot, user, "Kursus las")
    await bot.drain_outbox()  # the paused survey's question (the dispatcher may have sent it already)
    resumed = latest_with(user, "instruktur/pelatih")
    assert resumed is not None
    assert t("survey-question-line", number=2, text="Bagaimana penilaian Anda terhadap instruktur/pelatih?") in text_of(
        resumed
    )
    assert resumed.button_texts() == ["1", "2", "3", "4", "5"]


async def test_erasing_data_ends_surveys_and_removes_free_text(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    await say(bot, user, t("menu-employment"))
    await press_on(bot, user, "Bekerja di perusahaan baru")
    await say(bot, user, "PT Rahasia Sekali")
    await say(bot, user, "/hapusdata")
    await press(bot, user, t("btn-erase-yes"))
    assert {status for _, _, status in run_states(bot)} == {"cancelled"}
    kept = answers(bot, "employment")
    assert kept == {"status": "new_employer"}  # the employer's name went with the person's data
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] == 0
    await tick(bot)
    assert news(user) == []


async def test_a_menu_button_during_a_survey_is_the_menu(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    schedule = await say(bot, user, t("menu-schedule"))
    assert "Survei" not in text_of(schedule)
    assert answers(bot) == {}
    assert run_states(bot)[0][2] == "active"


async def test_the_survey_speaks_the_participants_language(bot: BotHarness) -> None:
    en = bot.t("en")
    assert await services(bot).accounts.set_language(USER, "en")
    await completed(bot, {USER: JAWA_BARAT})
    user = bot.user(USER)
    [message] = news(user)
    assert text_of(message).startswith(en("course-completed", title="Pelatihan K1"))
    assert "Training satisfaction survey" in text_of(message)
    assert en("survey-hint-rating") in text_of(message)
    [second] = await press_on(bot, user, "5")
    assert "How would you rate the trainer?" in text_of(second)


async def test_an_edited_answer_is_not_read(bot: BotHarness, finished_course: FakeUser) -> None:
    t, user = bot.t(), finished_course
    reply = await say(bot, user, "bagus")
    await user.edit_text(reply.message_id - 1, "5")  # the participant's "bagus", corrected
    await bot.settle()
    [again] = news(user)
    assert text_of(again).startswith(t("err-edited-message"))
    assert answers(bot) == {}


EMPLOYMENT_YAML = (DATA_DIR / "surveys" / "employment.yaml").read_text(encoding="utf-8")
SURVEY_WITH_EVERY_TYPE = """
title: {id: Uji, en: Test}
intro: {id: Pembuka, en: Opening}
outro: {id: Penutup, en: Closing}
questions:
  - id: when
    type: date
    past_only: true
    text: {id: "Kapan?", en: "When?"}
  - id: hours
    type: number
    integer: false
    min: 0
    max: 10
    text: {id: "Berapa jam?", en: "How many hours?"}
  - id: mood
    type: single
    text: {id: "Bagaimana?", en: "How?"}
    options:
      - {value: good, label: {id: Baik, en: Good}, next: end}
      - {value: bad, label: {id: Buruk, en: Bad}}
  - id: why
    type: text
    max_length: 20
    text: {id: "Mengapa?", en: "Why?"}
"""


async def test_date_and_decimal_questions_and_an_early_end(server: FakeTelegram, tmp_path: Path) -> None:
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "satisfaction.yaml").write_text(SURVEY_WITH_EVERY_TYPE, encoding="utf-8")
    (surveys / "employment.yaml").write_text(EMPLOYMENT_YAML, encoding="utf-8")
    bot = BotHarness(server, tmp_path / "types.db", surveys_dir=str(surveys))
    await bot.start()
    try:
        t = bot.t()
        await completed(bot, {USER: JAWA_BARAT})
        user = bot.user(USER)
        assert t("survey-hint-date") in text_of(news(user)[-1])
        for typed, reason in (
            ("besok", t("err-date-format")),
            ("31-02-2026", t("err-date-format")),
            ("10-12-2026", t("survey-date-future")),  # the clock is at 8 December 2026
        ):
            assert text_of(await say(bot, user, typed)).startswith(reason)
        hours = await say(bot, user, "5 Desember 2026")
        assert t("survey-hint-number", min=0, max=10) in text_of(hours)
        assert text_of(await say(bot, user, "12,5")).startswith(t("survey-number-range", min=0, max=10))
        assert text_of(await say(bot, user, "banyak")).startswith(t("survey-number-invalid"))
        await say(bot, user, "2,5")
        thanks = await press_on(bot, user, "Baik")  # this option ends the survey
        assert [m.text for m in thanks] == [t("survey-finished", outro="Penutup")]
        assert answers(bot) == {"when": "2026-12-05", "hours": 2.5, "mood": "good"}
    finally:
        await bot.stop()
