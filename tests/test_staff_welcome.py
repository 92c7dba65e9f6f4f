"""A staff member's /start (issue 22): their role and the commands it allows, from the same list as their
command menu, instead of the participant's consent notice; a button leads to the notice for a staff member who
also takes part. Runs on SQLite and, with --backend=postgresql, PostgreSQL."""

from __future__ import annotations

import pytest

from bot.handlers.commands import staff_commands
from bot.services.staff import ROLES
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue
from tests.conftest import ADMIN_ID
from tests.flows import Person, answer_until_summary, press, say
from tests.harness import BotHarness
from tests.test_staff import menu_of

MEMBER = 7002


@pytest.mark.parametrize("role", ROLES)
async def test_staff_get_a_welcome_with_their_role_and_commands(staff_bot: BotHarness, role: str) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN_ID)
    await import_catalogue(bot, catalogue_csv(course_row("K1")))  # an LPK member is bound to a known institute
    rest = "lpk Kautsar Institute" if role == "lpk" else f"{role} Dewi"
    added = await say(bot, admin, f"/staf tambah {MEMBER} {rest}")
    assert (added.text or "").startswith(t("staff-added", id=MEMBER, role=t(f"role-{role}")))
    member = bot.user(MEMBER, "Dewi")
    welcome = await say(bot, member, "/start")
    text = welcome.text or ""
    assert text.startswith(t("staff-welcome", role=t(f"role-{role}")))
    assert t("consent-notice")[:40] not in text
    listed = [line.split(" ")[0].lstrip("/") for line in text.splitlines() if line.startswith("/")]
    assert listed == [name for name, _ in staff_commands(role, "id")]
    # The same commands as the member's own menu (after the participants' ones).
    menu = menu_of(bot, MEMBER)
    assert menu is not None and menu[-len(listed) :] == listed
    assert welcome.button_texts() == [t("btn-register-as-participant")]


async def test_a_staff_member_may_register_as_a_participant_too(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN_ID)
    assert (await say(bot, admin, "/start")).button_texts() == [t("btn-register-as-participant")]
    notice = await press(bot, admin, t("btn-register-as-participant"))
    assert notice.text == t("consent-notice")
    assert (await press(bot, admin, t("btn-consent-yes"))).text == t("consent-thanks") + "\n\n" + t("ask-name")
    await answer_until_summary(bot, admin, Person())
    await press(bot, admin, t("btn-confirm"))
    # Registered: /start is the participant's menu from then on.
    again = await say(bot, admin, "/start")
    assert again.text == t("menu-intro", name=Person().name)


async def test_anyone_else_gets_the_consent_notice(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    assert (await say(bot, bot.user(1001), "/start")).text == t("consent-notice")
