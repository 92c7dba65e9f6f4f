"""A regency name that is both a kota and a kabupaten in the province ("bandung") is asked about, at registration
and in the profile's domicile edit; a name typed with its kind, or one that is not a twin, is taken directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.services.provinces import ProvinceCatalog
from bot.services.regencies import DEFAULT_PATH, KABUPATEN, KOTA, RegencyTwins
from fakegram import FakeUser
from tests.flows import Person, answer_until_summary, consent, press, register, say
from tests.harness import BotHarness


def _draft(bot: BotHarness, user_id: int) -> dict[str, object]:
    dialog = bot.dialog(user_id)
    assert dialog is not None
    data = dialog["data"]
    return dict(json.loads(data) if isinstance(data, str) else data)


async def _at_regency(bot: BotHarness, user: FakeUser) -> None:
    """Registration up to the regency question, in Jawa Barat."""
    t = bot.t()
    await consent(bot, user)
    await say(bot, user, "Siti Nurhaliza")
    await say(bot, user, "3201015501900001")
    await say(bot, user, "12345678901")
    await say(bot, user, "0812-3456-7890")
    assert (await say(bot, user, "jabar")).text == t("ask-regency", province="Jawa Barat")


async def _finish(bot: BotHarness, user: FakeUser) -> str:
    """From the employer question to the stored participant; returns the regency stored."""
    t = bot.t()
    await say(bot, user, "PT Maju Jaya Sentosa")
    await say(bot, user, "15-03-2026")
    await press(bot, user, "SMA/SMK")
    await press(bot, user, t("btn-confirm"))
    row = bot.participant(user.user_id)
    assert row is not None and row["province_code"] == "32"
    return str(row["regency"])


async def test_bare_twin_name_asks_kota_or_kabupaten_and_the_button_answers(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(7101)
    await _at_regency(bot, user)
    question = await say(bot, user, "bandung")
    assert question.text == t("ask-regency-twin", name="Bandung")
    assert question.button_texts() == [
        t("btn-regency-kota", name="Bandung"),
        t("btn-regency-kabupaten", name="Bandung"),
    ]
    assert bot.dialog(7101) is not None and bot.dialog(7101)["step"] == "regency"  # nothing stored yet
    assert (await press(bot, user, t("btn-regency-kabupaten", name="Bandung"))).text == t("ask-employer")
    assert user.message(question.message_id).button_texts() == []  # the choice replaces the buttons
    assert await _finish(bot, user) == "Kabupaten Bandung"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("kota", "Kota Bandung"), ("Kab.", "Kabupaten Bandung"), ("kabupaten bandung", "Kabupaten Bandung")],
)
async def test_typed_answers_to_the_question(bot: BotHarness, typed: str, stored: str) -> None:
    t = bot.t()
    user = bot.user(7102)
    await _at_regency(bot, user)
    await say(bot, user, "BANDUNG")
    assert (await say(bot, user, typed)).text == t("ask-employer")
    assert await _finish(bot, user) == stored


async def test_an_answer_that_is_neither_is_explained_and_asked_again(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(7103)
    await _at_regency(bot, user)
    await say(bot, user, "bekasi")
    for wrong in ("iya", "kota bogor", "123"):
        again = await say(bot, user, wrong)
        assert again.text == f"{t('err-regency-twin', name='Bekasi')}\n\n{t('ask-regency-twin', name='Bekasi')}"
        assert again.button_texts() == [t("btn-regency-kota", name="Bekasi"), t("btn-regency-kabupaten", name="Bekasi")]
    assert (await press(bot, user, t("btn-regency-kota", name="Bekasi"))).text == t("ask-employer")
    assert await _finish(bot, user) == "Kota Bekasi"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Kota Bandung", "Kota Bandung"),
        ("Kab. Bogor", "Kabupaten Bogor"),
        ("kab tasikmalaya", "Kabupaten Tasikmalaya"),
        ("depok", "Depok"),
        ("Kabupaten Bandung Barat", "Kabupaten Bandung Barat"),
    ],
)
async def test_a_full_or_unambiguous_name_is_taken_directly(bot: BotHarness, typed: str, stored: str) -> None:
    t = bot.t()
    user = bot.user(7104)
    await _at_regency(bot, user)
    assert (await say(bot, user, typed)).text == t("ask-employer")
    assert await _finish(bot, user) == stored


async def test_a_twin_elsewhere_is_not_ambiguous_here(bot: BotHarness) -> None:
    """ "Malang" is both only in Jawa Timur; in Jawa Barat it is taken as typed."""
    user = bot.user(7105)
    await consent(bot, user)
    summary = await answer_until_summary(bot, user, Person(regency="malang"))
    assert "Malang, Jawa Barat (WIB)" in (summary.text or "")


async def test_the_question_survives_a_restart_and_resumes(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(7106)
    await _at_regency(bot, user)
    await say(bot, user, "cirebon")
    resumed = await say(bot, user, "/start")
    assert resumed.text == f"{t('dialog-resume')}\n\n{t('ask-regency-twin', name='Cirebon')}"
    await say(bot, user, "kota")
    assert await _finish(bot, user) == "Kota Cirebon"


async def test_profile_domicile_edit_asks_too(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(7107)
    await register(bot, user)
    await say(bot, user, "/profil")
    await press(bot, user, t("btn-edit-field", field=t("field-province")))
    assert (await say(bot, user, "jatim")).text == t("ask-regency", province="Jawa Timur")
    assert (await say(bot, user, "malang")).text == t("ask-regency-twin", name="Malang")
    assert t("btn-regency-kota", name="Malang") in (await say(bot, user, "bukan")).button_texts()
    row = bot.participant(7107)
    assert row is not None and (row["province_code"], row["regency"]) == ("32", "Kota Bandung")  # unchanged so far
    profile = await press(bot, user, t("btn-regency-kota", name="Malang"))
    assert "Kota Malang, Jawa Timur (WIB)" in (profile.text or "")
    row = bot.participant(7107)
    assert row is not None and (row["province_code"], row["regency"]) == ("35", "Kota Malang")


async def test_a_forged_kind_button_changes_nothing(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(7108)
    await _at_regency(bot, user)
    await user.press_data("d:regency:kota")  # no question about a twin is open: forged
    await bot.settle()
    assert "regency" not in _draft(bot, 7108)
    assert (await say(bot, user, "sukabumi")).text == t("ask-regency-twin", name="Sukabumi")
    await user.press_data("d:regency:desa")
    await bot.settle()
    assert bot.dialog(7108)["step"] == "regency" and "regency" not in _draft(bot, 7108)


def test_the_twin_list_names_known_provinces_and_the_examples() -> None:
    provinces = ProvinceCatalog.load()
    twins = RegencyTwins.load(DEFAULT_PATH)
    for code in ("13", "32", "33", "35", "36", "52", "53", "75", "92", "94"):
        assert provinces.get(code) is not None and twins.names(code)
    assert "Sorong" in twins.names("92") and "Jayapura" in twins.names("94")
    assert twins.resolve("32", "bandung") == (None, "Bandung")
    assert twins.resolve("32", "Kota Bandung") == (KOTA, "Bandung")
    assert twins.resolve("32", "kab. bandung") == (KABUPATEN, "Bandung")
    assert twins.resolve("35", "bandung") is None
    assert twins.resolve("32", "kota") is None


def test_a_broken_twin_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "twins.json"
    broken.write_text('{"twins": {"32": "Bandung"}}', encoding="utf-8")
    with pytest.raises(ValueError, match="regency twins"):
        RegencyTwins.load(broken)
