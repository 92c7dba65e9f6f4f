"""LPK partners: an admin binds a staff member to training institutes; they see and act on those institutes'
courses only (participant lists, completion, broadcasts, reports), and anything else is refused and audited as a
non-staff attempt is."""

from __future__ import annotations

import json

from bot.handlers.reports import send_weekly, summary_text
from bot.services.staff import Scope
from bot.storage import reports as report_storage
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.survey_flows import AFTER_COURSE, services
from tests.test_staff import menu_of

LPK_MEMBER, OTHER_LPK = 7010, 7011
OURS, THEIRS = "Kautsar Institute", "LPK Nusantara Jaya"
# K1 and K2 are Kautsar's, K3 another institute's.
PEOPLE = {1001: "K1", 1002: "K1", 1003: "K3"}


async def two_institutes(bot: BotHarness) -> dict[str, int]:
    """Courses of two institutes under way (the clock after their end), with participants; returns ids by code."""
    await import_catalogue(
        bot,
        catalogue_csv(
            course_row("K1"),
            course_row("K2", sesi="2026-12-14 08:00-16:00 Teori"),
            course_row("K3", lpk=THEIRS, kota_lpk="Kota Serang"),
        ),
    )
    ids = {str(r["code"]): int(r["id"]) for r in bot.rows("SELECT id, code FROM courses")}
    for user_id, code in PEOPLE.items():
        await seed_participant(bot, user_id)
        await services(bot).enrollment.enrol(user_id, ids[code], waitlist=False)
    bot.advance(AFTER_COURSE - bot.clock.now())
    await bot.drain_outbox()
    for user_id in PEOPLE:
        bot.user(user_id).new_messages()
    return ids


def refusals(bot: BotHarness, actor: int) -> dict[str, tuple[int, list[dict[str, object]]]]:
    """The actor's refused attempts: action -> (how many, counting repeats; the details written)."""
    found: dict[str, tuple[int, list[dict[str, object]]]] = {}
    for row in bot.rows("SELECT * FROM audit_log WHERE actor = ? AND allowed = 0 ORDER BY id", (actor,)):
        count, details = found.get(row["action"], (0, []))
        found[row["action"]] = (count + 1 + row["repeats"], [*details, json.loads(row["detail"])])
    return found


async def appoint_lpk(bot: BotHarness, user_id: int, institute: str) -> str:
    reply = await say(bot, bot.user(ADMIN_ID), f"/staf tambah {user_id} lpk {institute}")
    return reply.text or ""


async def test_an_admin_binds_an_lpk_member_to_institutes(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await two_institutes(bot)
    admin = bot.user(ADMIN_ID)

    # The institute as the catalogue names it, case and spacing ignored; a second one adds it.
    added = await appoint_lpk(bot, LPK_MEMBER, "  kautsar   INSTITUTE ")
    assert added == t("staff-added", id=LPK_MEMBER, role=t("role-lpk")) + "\n" + t("staff-institutes", names=OURS)
    added = await appoint_lpk(bot, LPK_MEMBER, THEIRS.lower())
    assert added.endswith(t("staff-institutes", names=f"{OURS}, {THEIRS}"))
    assert await services(bot).staff.scope(LPK_MEMBER) == Scope(frozenset({"kautsar institute", "lpk nusantara jaya"}))
    assert (await services(bot).staff.scope(ADMIN_ID)).institutes is None

    # Bad input gets a specific explanation.
    unknown = await appoint_lpk(bot, OTHER_LPK, "Kautsar")
    assert unknown == t("staff-unknown-institute", name="Kautsar", known=f"{OURS}, {THEIRS}")
    assert (await say(bot, admin, f"/staf tambah {OTHER_LPK} lpk")).text == t("staff-lpk-needs-institute")
    assert bot.rows("SELECT COUNT(*) FROM staff WHERE telegram_user_id = ?", (OTHER_LPK,))[0][0] == 0

    # /staf lists the member's institutes; their menu has what the role allows.
    overview = (await say(bot, admin, "/staf")).text or ""
    assert t("staff-line", id=LPK_MEMBER, role=t("role-lpk"), label="-") in overview
    assert t("staff-institutes", names=f"{OURS}, {THEIRS}") in overview
    menu = menu_of(bot, LPK_MEMBER)
    assert menu is not None and menu[-6:] == ["siaran", "selesai", "laporan", "peserta", "absen", "lowongan"]
    assert "cari" not in menu and "staf" not in menu and "tiket" not in menu

    # Another role takes the institutes away; removing works as for any role.
    await say(bot, admin, f"/staf tambah {LPK_MEMBER} operator")
    assert bot.rows("SELECT COUNT(*) FROM staff_institutes")[0][0] == 0
    assert (await services(bot).staff.scope(LPK_MEMBER)).institutes is None
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    assert (await say(bot, admin, f"/staf hapus {LPK_MEMBER}")).text == t("staff-removed", id=LPK_MEMBER)
    assert bot.rows("SELECT COUNT(*) FROM staff_institutes")[0][0] == 0
    assert menu_of(bot, LPK_MEMBER) is None
    puts = [json.loads(r["detail"]) for r in bot.rows("SELECT detail FROM audit_log WHERE action = 'staff:put'")]
    assert {"target": LPK_MEMBER, "role": "lpk", "institute": THEIRS} in puts


async def test_the_participant_list_of_their_own_courses_only(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    ids = await two_institutes(bot)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    member = bot.user(LPK_MEMBER)

    listing = await say(bot, member, "/peserta k1")
    text = listing.text or ""
    assert text.startswith(t("roster-head", code="K1", title="Pelatihan K1", institute=OURS, count=2, page=1, pages=1))
    status = t("enrollment-status-enrolled")
    assert (
        t("roster-line", n=1, name="Peserta 1001", nik="3201********1001", phone="+6281200001001", status=status)
        in text
    )
    assert "3201011501901001" not in text  # the NIK masked, the phone in full
    assert listing.inline_keyboard is None  # one page

    # Another institute's course: refused like an unknown command, audited like a non-staff attempt.
    assert (await say(bot, member, "/peserta K3")).text == t("unknown-command")
    await member.press_data(f"pp:{ids['K3']}:0", message_id=listing.message_id)
    await bot.settle()
    assert member.callback_answers[-1]["text"] == t("button-stale")
    refused = refusals(bot, LPK_MEMBER)
    assert refused["refused:peserta"] == (1, [{"course": "K3", "needs": "institute"}])
    assert refused["refused:button:peserta"][0] == 1
    # Unknown codes are explained and the code asked for again; every page shown is audited.
    unknown = await say(bot, member, "/peserta ZZ9")
    assert unknown.text == t("roster-unknown-course", code="ZZ9") + "\n\n" + t("prompt-roster")
    views = bot.rows("SELECT actor, detail FROM audit_log WHERE action = 'roster:view'")
    assert [(r["actor"], json.loads(r["detail"])) for r in views] == [(LPK_MEMBER, {"course": "K1", "page": 1})]

    # Operators and viewers see every course's list.
    await say(bot, bot.user(ADMIN_ID), "/staf tambah 7003 viewer Lihat")
    assert (await say(bot, bot.user(7003), "/peserta K3")).text != t("unknown-command")


async def test_a_long_list_is_paged(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("K1", kapasitas="40")))
    course_id = int(bot.rows("SELECT id FROM courses")[0][0])
    for user_id in range(2001, 2031):
        await seed_participant(bot, user_id)
        await services(bot).enrollment.enrol(user_id, course_id, waitlist=False)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    member = bot.user(LPK_MEMBER)
    first = await say(bot, member, "/peserta K1")
    assert "Peserta 2025" in (first.text or "") and "Peserta 2026" not in (first.text or "")
    await member.press(t("btn-roster-next"))
    await bot.settle()
    second = member.last_message
    assert second is not None and second.message_id == first.message_id  # edited in place
    assert (second.text or "").startswith(
        t("roster-head", code="K1", title="Pelatihan K1", institute=OURS, count=30, page=2, pages=2)
    )
    assert "26. Peserta 2026" in (second.text or "")


async def test_completion_of_their_own_courses_only(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    ids = await two_institutes(bot)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    member = bot.user(LPK_MEMBER)

    listing = await say(bot, member, "/selesai")
    assert listing.text == t("complete-pick", count=1)  # K1 (K2 has not started, K3 is not theirs)
    assert [label.split(" · ")[0] for label in listing.button_texts()] == ["K1"]
    admin_listing = await say(bot, bot.user(ADMIN_ID), "/selesai")
    assert admin_listing.text == t("complete-pick", count=2)

    theirs_enrollment = int(bot.rows("SELECT id FROM enrollments WHERE course_id = ?", (ids["K3"],))[0][0])
    for data in (f"k:c:{ids['K3']}", f"k:A:{ids['K3']}", f"k:p:{ids['K3']}:{theirs_enrollment}"):
        await member.press_data(data, message_id=listing.message_id)
        await bot.settle()
        assert member.callback_answers[-1]["text"] == t("button-stale"), data
    # A seat of another institute's course under their own course's id: forged, nothing marked.
    await member.press_data(f"k:m:{ids['K1']}:{theirs_enrollment}:c", message_id=listing.message_id)
    await bot.settle()
    assert member.callback_answers[-1]["text"] == t("button-stale")
    assert refusals(bot, LPK_MEMBER)["refused:button:completion"][0] == 3
    assert [r[0] for r in bot.rows("SELECT status FROM enrollments WHERE course_id = ?", (ids["K3"],))] == ["enrolled"]

    # Their own course: completed as by an operator.
    await member.press_data(f"k:A:{ids['K1']}", message_id=listing.message_id)
    await bot.settle()
    statuses = bot.rows("SELECT e.status FROM enrollments e WHERE e.course_id = ?", (ids["K1"],))
    assert [r[0] for r in statuses] == ["completed", "completed"]


async def test_reports_cover_their_courses_only(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    ids = await two_institutes(bot)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    member = bot.user(LPK_MEMBER)

    report = await say(bot, member, "/laporan")
    # Their courses' figures (K1 and K2, two participants), without the help desk's programme-wide week.
    expected = await services(bot).reports.summary(report_storage.Scope(course_ids=(ids["K1"], ids["K2"])))
    assert expected.totals.registered == 2
    # Then the vacancies' lines, of their institute's vacancies (tests/test_vacancy_reports.py), and the footnote.
    before_footnote = summary_text(t, expected).rsplit(t("report-definitions"), 1)[0]
    assert (report.text or "").startswith(before_footnote)
    assert (report.text or "").endswith(t("report-definitions"))
    programme = await say(bot, bot.user(ADMIN_ID), "/laporan")
    assert programme.text != report.text

    assert (await say(bot, member, "/laporan K3")).text == t("unknown-command")
    await member.press_data(f"l:c:{ids['K3']}:0:0:0", message_id=report.message_id)
    await bot.settle()
    assert member.callback_answers[-1]["text"] == t("button-stale")
    refused = refusals(bot, LPK_MEMBER)
    assert refused["refused:laporan"] == (1, [{"course": "K3", "needs": "institute"}])
    assert refused["refused:button:report"][0] == 1

    # Their own course by code, and the breakdown by course lists theirs only.
    assert (await say(bot, member, "/laporan K1")).text != t("unknown-command")
    await member.press_data("l:c:0:0:0:0", message_id=report.message_id)
    await bot.settle()
    breakdown = member.new_messages()[-1].text or ""
    assert "K1 · Pelatihan K1" in breakdown and "K3" not in breakdown

    # The weekly summary is the programme's: not sent to LPK members.
    queued = await send_weekly(services(bot))
    assert queued == 1  # the admin
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE telegram_user_id = ?", (LPK_MEMBER,))[0][0] == 0


async def test_broadcasts_to_their_own_course_participants_only(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    ids = await two_institutes(bot)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    member = bot.user(LPK_MEMBER)

    assert (await say(bot, member, "/siaran")).text == t("broadcast-ask-message")
    await member.send_text("Sertifikat bisa diambil Senin di kantor LPK.")
    await bot.settle()
    panel = member.new_messages()[-1]
    broadcast_id = int(bot.rows("SELECT id FROM broadcasts")[0][0])
    base = f"b:{broadcast_id}"
    # The programme-wide count of "everyone" is not theirs to see: 0 until a course of theirs is picked.
    assert t.plain("btn-broadcast-send", count=0) in panel.button_texts()

    # Not to everyone: they must choose one of their courses first (told so, nothing sent).
    await member.press_data(f"{base}:go", message_id=panel.message_id)
    await bot.settle()
    assert member.callback_answers[-1]["text"] == t("broadcast-lpk-pick-course")
    # The course picker lists their courses only, without "every course".
    await member.press_data(f"{base}:c", message_id=panel.message_id)
    await bot.settle()
    picker = member.last_message
    assert picker is not None
    labels = picker.button_texts()
    assert "K1 · Pelatihan K1" in labels and not any(label.startswith("K3") for label in labels)
    assert t.plain("btn-filter-all-courses") not in labels
    # Another institute's course, or every course, forged: refused and audited.
    for value in (ids["K3"], 0):
        await member.press_data(f"{base}:c:{value}", message_id=panel.message_id)
        await bot.settle()
        assert member.callback_answers[-1]["text"] == t("button-stale")
    assert refusals(bot, LPK_MEMBER)["refused:button:broadcast"][0] == 2
    assert json.loads(bot.rows("SELECT audience FROM broadcasts")[0][0]) == {}

    await member.press_data(f"{base}:c:{ids['K1']}", message_id=panel.message_id)
    await bot.settle()
    assert t.plain("btn-broadcast-send", count=2) in (member.last_message.button_texts() if member.last_message else [])
    await member.press_data(f"{base}:go", message_id=panel.message_id)
    await bot.settle()
    assert bot.rows("SELECT status, recipients FROM broadcasts")[0][:] == ("sending", 2)
    await bot.drain_outbox()
    assert [len(bot.user(u).new_messages()) for u in PEOPLE] == [1, 1, 0]

    # An operator's broadcast is not theirs to stop, nor in their history.
    operator_draft = await services(bot).broadcasts.start(ADMIN_ID)
    async with services(bot).store.write() as unit:
        await unit.broadcasts.set_status(operator_draft.id, "sending", bot.clock.now())
    await member.press_data(f"b:{operator_draft.id}:s", message_id=panel.message_id)
    await bot.settle()
    assert member.callback_answers[-1]["text"] == t("button-stale")
    assert bot.rows("SELECT status FROM broadcasts WHERE id = ?", (operator_draft.id,))[0][0] == "sending"
