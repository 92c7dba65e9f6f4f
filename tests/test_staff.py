"""Staff roles: who may do what, refusals that look like any unknown command, the audit log, per-chat command
menus, and /cari."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.logs import user_hash
from tests.catalogue_data import SAMPLE, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.survey_flows import services

ADMIN, OPERATOR, VIEWER, STRANGER = ADMIN_ID, 7002, 7003, 7004


def audit(bot: BotHarness) -> list[tuple[int | str, str, bool, dict[str, object]]]:
    """(staff id, or the pseudonym of anyone else), action, allowed, detail of every entry."""
    return [
        (row["actor_pseudonym"] or row["actor"], row["action"], bool(row["allowed"]), json.loads(row["detail"]))
        for row in bot.rows("SELECT * FROM audit_log ORDER BY id")
    ]


def menu_of(bot: BotHarness, user_id: int, language: str = "id") -> list[str] | None:
    """The command names last published for a user's own chat, or None if removed."""
    result: list[str] | None = None
    for request in bot.server.requests:
        scope = request.params.get("scope")
        if isinstance(scope, str):
            scope = json.loads(scope)
        if not scope or scope.get("chat_id") != user_id or request.params.get("language_code") != language:
            continue
        if request.method == "setMyCommands":
            commands = request.params["commands"]
            commands = json.loads(commands) if isinstance(commands, str) else commands
            result = [c["command"] for c in commands]
        elif request.method == "deleteMyCommands":
            result = None
    return result


async def appoint(bot: BotHarness, user_id: int, role: str) -> None:
    admin = bot.user(ADMIN)
    reply = await say(bot, admin, f"/staf tambah {user_id} {role} Petugas {user_id}")
    t = bot.t()
    assert reply.text == t("staff-added", id=user_id, role=t(f"role-{role}"))


async def test_roles_decide_what_each_staff_member_may_do(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await appoint(bot, OPERATOR, "operator")
    await appoint(bot, VIEWER, "viewer")

    # Each one's own command menu lists what their role allows.
    participant_commands = menu_of(bot, ADMIN)
    assert participant_commands is not None
    staff_commands = ["siaran", "selesai", "laporan", "peserta", "cari", "staf", "tiket", "absen", "lowongan"]
    assert participant_commands[-9:] == staff_commands
    assert menu_of(bot, OPERATOR) == [
        *participant_commands[:-9],
        "siaran",
        "selesai",
        "peserta",
        "cari",
        "tiket",
        "absen",
        "lowongan",
    ]
    assert menu_of(bot, VIEWER) == [*participant_commands[:-9], "laporan", "peserta", "cari", "tiket"]
    assert menu_of(bot, VIEWER, "en") is not None and menu_of(bot, VIEWER, "en")[-1] == "tickets"  # type: ignore[index]
    assert menu_of(bot, STRANGER) is None

    unknown = t("unknown-command")
    for user_id, command, allowed in (
        (OPERATOR, "/siaran", True),
        (OPERATOR, "/staf", False),
        (VIEWER, "/siaran", False),
        (VIEWER, "/selesai", False),
        (VIEWER, "/cari siti", True),
        (STRANGER, "/siaran", False),
        (STRANGER, "/cari siti", False),
        (STRANGER, "/staf tambah 7004 admin", False),
        (STRANGER, "/selesai", False),
    ):
        reply = await say(bot, bot.user(user_id), command)
        assert (reply.text != unknown) is allowed, (user_id, command)
    # A forged staff button from a stranger is answered like any stale button.
    stranger = bot.user(STRANGER)
    await seed_participant(bot, STRANGER)
    await say(bot, stranger, "/start")
    for data in ("b:1:go", "k:l", "k:A:1"):
        await stranger.press_data(data)
        await bot.settle()
        assert stranger.callback_answers[-1]["text"] == t("button-stale")
    assert bot.rows("SELECT COUNT(*) FROM staff WHERE telegram_user_id = ?", (STRANGER,))[0][0] == 0

    # Staff are recorded by their id, anyone else by a pseudonym; the second forged completion button within ten
    # minutes is counted on the first one's entry.
    refused = [(actor, action) for actor, action, allowed, _ in audit(bot) if not allowed]
    stranger_ = user_hash(STRANGER)
    assert refused == [
        (OPERATOR, "refused:staf"),
        (VIEWER, "refused:siaran"),
        (VIEWER, "refused:selesai"),
        (stranger_, "refused:siaran"),
        (stranger_, "refused:cari"),
        (stranger_, "refused:staf"),
        (stranger_, "refused:selesai"),
        (stranger_, "refused:button:broadcast"),
        (stranger_, "refused:button:completion"),
    ]
    assert bot.rows("SELECT repeats FROM audit_log WHERE action = 'refused:button:completion'")[0][0] == 1
    assert bot.rows("SELECT COUNT(*) FROM audit_log WHERE actor = ?", (STRANGER,))[0][0] == 0
    changes = [(a, action, d) for a, action, allowed, d in audit(bot) if allowed and action.startswith("staff:")]
    assert changes == [
        (ADMIN, "staff:put", {"target": OPERATOR, "role": "operator"}),
        (ADMIN, "staff:put", {"target": VIEWER, "role": "viewer"}),
    ]


async def test_admins_manage_staff_and_see_the_audit_log(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN)
    await appoint(bot, OPERATOR, "operator")
    overview = await say(bot, admin, "/staf")
    assert overview.text is not None
    assert t("staff-line-configured", id=ADMIN, role=t("role-admin"), label="-") in overview.text
    assert t("staff-line", id=OPERATOR, role=t("role-operator"), label="Petugas 7002") in overview.text
    assert "staff:put" in overview.text

    await appoint(bot, OPERATOR, "viewer")  # a new role replaces the old
    assert bot.rows("SELECT role FROM staff")[0]["role"] == "viewer"
    assert (await say(bot, admin, "/staf hapus 7001")).text == t("staff-configured-admin", id=ADMIN)
    usage = t("staff-usage") + "\n" + t("staff-usage-lpk") + "\n" + t("certificate-revoke-usage")
    assert (await say(bot, admin, "/staf tambah 7005 boss")).text == usage
    assert (await say(bot, admin, "/staff remove 7002")).text == t("staff-removed", id=OPERATOR)
    assert menu_of(bot, OPERATOR) is None  # back to the participants' menu
    assert (await say(bot, admin, "/staf hapus 7002")).text == t("staff-not-found", id=OPERATOR)
    assert (await say(bot, bot.user(OPERATOR), "/cari siti")).text == t("unknown-command")
    # No longer staff: recorded like anyone else, by pseudonym.
    assert audit(bot)[-1][:3] == (user_hash(OPERATOR), "refused:cari", False)


async def test_a_flood_of_refusals_is_one_entry_per_ten_minutes_shown_with_its_count(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    stranger = bot.user(STRANGER)
    await say(bot, stranger, "/start")  # a message to press forged buttons on
    for _ in range(30):
        await stranger.press_data("k:l")
    await bot.settle()
    assert tuple(bot.rows("SELECT actor, actor_pseudonym, repeats FROM audit_log")[0]) == (0, user_hash(STRANGER), 29)
    bot.advance(timedelta(minutes=11))
    await stranger.press_data("k:l")
    await say(bot, stranger, "/siaran")  # another action is its own entry
    await bot.settle()
    assert [(a, r) for a, r in bot.rows("SELECT action, repeats FROM audit_log ORDER BY id")] == [
        ("refused:button:completion", 29),
        ("refused:button:completion", 0),
        ("refused:siaran", 0),
    ]
    overview = await say(bot, bot.user(ADMIN), "/staf")
    assert f"<code>{user_hash(STRANGER)}</code>" in (overview.text or "")
    assert t("audit-repeats", n=29) in (overview.text or "")
    assert str(STRANGER) not in (overview.text or "")


async def test_catalogue_files_are_read_only_from_operators_and_admins(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await appoint(bot, OPERATOR, "operator")
    await appoint(bot, VIEWER, "viewer")
    viewer = bot.user(VIEWER)
    await viewer.send_document(SAMPLE.read_bytes(), "katalog.csv")
    await bot.settle()
    assert viewer.new_messages()[-1].text == t("not-registered")
    assert bot.rows("SELECT COUNT(*) FROM courses")[0][0] == 0
    operator = bot.user(OPERATOR)
    await operator.send_document(SAMPLE.read_bytes(), "katalog.csv")
    await bot.settle()
    assert (operator.new_messages()[-1].text or "").startswith(
        t("import-done", created=10, updated=0, rescheduled=0, notified=0, promoted=0)[:10]
    )
    assert bot.rows("SELECT COUNT(*) FROM courses")[0][0] == 10
    assert ("catalogue:import", {"created": 10, "updated": 0}) in [(a, d) for _, a, _, d in audit(bot)]


async def test_lookup_by_name_nik_kpj_and_phone(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await appoint(bot, VIEWER, "viewer")
    await seed_participant(bot, 1001)  # "Peserta 1001", NIK 3201011501901001, phone +6281200001001
    async with services(bot).store.write() as unit:
        person = await unit.participants.by_telegram_id(1001)
        assert person is not None
        await unit.participants.update(person.id, {"kpj": "12345678901"}, bot.clock.now())
    viewer = bot.user(VIEWER)
    for query in ("PESERTA", "3201 0115 0190 1001", "12345678901", "0812-0000-1001", "+62 812 0000 1001"):
        found = await say(bot, viewer, f"/cari {query}")
        assert found.text is not None
        assert found.text.startswith(t("lookup-found", count=1)), query
        assert "Peserta 1001" in found.text
        assert "3201********1001" in found.text and "3201011501901001" not in found.text
        assert t("lookup-no-enrollment") in found.text and t("lookup-no-checkin") in found.text
    assert (await say(bot, viewer, "/cari zzz")).text == t("lookup-none")
    short = await say(bot, viewer, "/cari ab")
    assert (short.text or "").startswith(t("lookup-too-short", min=3))
    assert (await say(bot, viewer, "/cari")).text == t("prompt-lookup")
    lookups = [(d["by"], d["participants"]) for _, a, _, d in audit(bot) if a == "lookup"]
    assert lookups == [("name", [1]), ("nik", [1]), ("kpj", [1]), ("phone", [1]), ("phone", [1]), ("name", [])]
    assert "3201011501901001" not in json.dumps([d for *_, d in audit(bot)])  # the audit log holds no NIK
