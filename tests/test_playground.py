"""The playground's server: its JSON API and event stream drive the real bot through fakegram, its clock control
runs the bot's jobs so that what is due arrives, and its helpdesk group lets Dewi answer a worker's question in the
ticket's topic (tests/test_playground_browser.py uses the page itself)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.clock import OffsetClock
from bot.config import Settings
from bot.i18n import Translations, Translator
from bot.services.identifiers import parse_nik
from bot.services.provinces import ProvinceCatalog
from fakegram import GENERAL_TOPIC, FakeUser
from playground import ADMIN_ID, Playground, PlaygroundPage
from playground.world import HELPDESK_GROUP_ID, SAMPLE_CATALOGUE, example_person, sample_start
from tests.harness import START

PARTICIPANT = 1001
OTHER = 1002
QUESTION = "Saya belum menerima surat undangan"  # no FAQ entry matches it: it goes to the staff at once


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Playground]:
    async with Playground(Settings(_env_file=None), tmp_path, start=START) as playground:
        yield playground
    assert playground.server.internal_errors == []


@pytest.fixture
async def page(world: Playground) -> AsyncIterator[PlaygroundPage]:
    served = PlaygroundPage(world)
    await served.start(0)
    try:
        yield served
    finally:
        await served.stop()


@pytest.fixture
async def http(page: PlaygroundPage) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=page.url) as session:
        yield session


def t() -> Translator:
    return Translations("id").get("id")


async def post(http: aiohttp.ClientSession, path: str, body: dict[str, Any], status: int = 200) -> Any:
    async with http.post(path, json=body) as response:
        assert response.status == status, await response.text()
        return await response.json() if status == 200 else await response.text()


async def state(http: aiohttp.ClientSession) -> dict[str, Any]:
    async with http.get("/api/state") as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


def chat(snapshot: dict[str, Any], user_id: int) -> dict[str, Any]:
    return next(c for c in snapshot["chats"] if c["id"] == user_id)


async def until(world: Playground, predicate: Callable[[], bool]) -> None:
    await world.server.wait_until(predicate, timeout=10)


async def test_a_fresh_world_with_the_sample_catalogue_and_an_admin(
    world: Playground, http: aiohttp.ClientSession
) -> None:
    assert world.settings is not None and ADMIN_ID in world.settings.admin_ids
    with sqlite3.connect(world.settings.sqlite_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM courses").fetchone()[0] == 10
    snapshot = await state(http)
    people = {p["id"]: p for p in snapshot["people"]}
    assert people[ADMIN_ID]["staff"] is True
    assert people[PARTICIPANT]["staff"] is False
    assert all(c["messages"] == [] for c in snapshot["chats"])
    # The admin's command menu (setMyCommands, chat scope) has the staff commands; a participant's has not.
    assert "laporan" in {c["command"] for c in chat(snapshot, ADMIN_ID)["commands"]}
    assert "laporan" not in {c["command"] for c in chat(snapshot, PARTICIPANT)["commands"]}
    async with http.get("/") as response:
        assert response.status == 200
        assert "Mode latihan" in await response.text()
    async with http.get("/static/app.js") as response:
        assert response.status == 200
    async with http.get("/static/../world.py") as response:
        assert response.status in (403, 404)


async def test_typing_and_pressing_reach_the_bot_as_a_client_would(
    world: Playground, http: aiohttp.ClientSession
) -> None:
    user = world.user(PARTICIPANT)
    await post(http, f"/api/chats/{PARTICIPANT}/text", {"text": "/start"})
    await until(world, lambda: len(user.messages) == 1)
    consent = chat(await state(http), PARTICIPANT)["messages"]
    assert [m["mine"] for m in consent] == [True, False]
    assert consent[0]["text"] == "/start"
    notice = consent[1]
    # Formatting arrives as plain text plus entities, never as markup to insert.
    assert "<b>" not in notice["text"] and any(e["type"] == "bold" for e in notice["entities"])
    yes = notice["buttons"][0][0]
    assert yes["text"] == t()("btn-consent-yes")
    # A button the message does not have, or a message that does not exist, is refused like a client would.
    await post(http, f"/api/chats/{PARTICIPANT}/press", {"message_id": notice["id"], "data": "consent:x"}, 400)
    await post(http, f"/api/chats/{PARTICIPANT}/press", {"message_id": 999, "data": yes["data"]}, 404)
    await post(http, "/api/chats/4242/text", {"text": "halo"}, 404)
    await post(http, f"/api/chats/{PARTICIPANT}/text", {"text": "   "}, 400)
    await post(http, f"/api/chats/{PARTICIPANT}/press", {"message_id": notice["id"], "data": yes["data"]})
    await until(world, lambda: t()("ask-name") in (user.messages[-1].text or ""))
    assert user.callback_answers, "the button press was answered"


async def test_the_contact_button_shares_the_persons_own_number(world: Playground, http: aiohttp.ClientSession) -> None:
    user = world.user(PARTICIPANT)
    person = world.people[PARTICIPANT]
    await register_until_phone(world, user, person.nik)
    snapshot = chat(await state(http), PARTICIPANT)
    keyboard = snapshot["keyboard"]
    assert keyboard["rows"][0][0] == {"text": t()("btn-share-phone"), "contact": True}
    await post(http, f"/api/chats/{PARTICIPANT}/reply", {"text": "Tidak ada tombol ini"}, 400)
    await post(http, f"/api/chats/{PARTICIPANT}/reply", {"text": t()("btn-share-phone")})
    await until(world, lambda: user.messages[-1].text == t()("ask-province"))
    shared = [m for m in user.history() if "contact" in m]
    assert shared[0]["contact"]["phone_number"] == person.phone
    assert shared[0]["contact"]["user_id"] == PARTICIPANT
    assert chat(await state(http), PARTICIPANT)["messages"][-2]["contact"]["phone"] == person.phone


async def register_until_phone(world: Playground, user: FakeUser, nik: str) -> None:
    async def then(key: str) -> None:
        await until(world, lambda: bool(user.messages) and t()(key) in (user.messages[-1].text or ""))

    await user.send_text("/start")
    await until(world, lambda: bool(user.messages))
    await user.press(t()("btn-consent-yes"))
    await then("ask-name")
    await user.send_text("Siti Rahayu")
    await then("ask-nik")
    await user.send_text(nik)
    await then("ask-kpj")
    await user.press(t()("btn-kpj-unknown"))
    await then("ask-phone")


async def test_staff_upload_the_sample_catalogue_and_files_download(
    world: Playground, http: aiohttp.ClientSession
) -> None:
    admin = world.user(ADMIN_ID)
    await post(http, f"/api/chats/{ADMIN_ID}/sample-catalogue", {})
    await until(world, lambda: any("Katalog diimpor" in (m.text or "") for m in admin.messages))
    [sent] = [m for m in chat(await state(http), ADMIN_ID)["messages"] if m["kind"] == "document"]
    assert sent["mine"] and sent["file"]["name"] == SAMPLE_CATALOGUE.name
    async with http.get(sent["file"]["url"]) as response:
        assert response.status == 200
        assert await response.read() == SAMPLE_CATALOGUE.read_bytes()
        assert response.headers["Content-Disposition"].startswith("attachment")
    async with http.get("/api/files/nope") as response:
        assert response.status == 404
    # An upload from the page (multipart), as the paperclip sends it.
    form = aiohttp.FormData()
    form.add_field("file", b"kode,judul\nX,Y\n", filename="salah.csv", content_type="text/csv")
    async with http.post(f"/api/chats/{ADMIN_ID}/document", data=form) as response:
        assert response.status == 200
    await until(world, lambda: any("baris 1" in (m.text or "") for m in admin.messages))


async def test_a_report_workbook_and_chart_are_shown_and_downloadable(
    world: Playground, http: aiohttp.ClientSession
) -> None:
    admin = world.user(ADMIN_ID)
    await post(http, f"/api/chats/{ADMIN_ID}/text", {"text": "/laporan"})
    await until(world, lambda: any(m.find_button(t()("btn-report-chart")) for m in admin.messages))
    report = next(m for m in admin.messages if m.find_button(t()("btn-report-chart")))
    for label in ("btn-report-chart", "btn-report-workbook"):
        button = report.find_button(t()(label))
        assert button is not None
        await post(
            http, f"/api/chats/{ADMIN_ID}/press", {"message_id": report.message_id, "data": button["callback_data"]}
        )
    await until(world, lambda: {"photo", "document"} <= {m.kind for m in admin.messages})
    messages = chat(await state(http), ADMIN_ID)["messages"]
    photo = next(m for m in messages if m["kind"] == "photo")
    workbook = next(m for m in messages if m["kind"] == "document")
    assert workbook["file"]["name"].endswith(".xlsx")
    async with http.get(photo["file"]["url"]) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Content-Disposition"] == "inline"
        assert (await response.read()).startswith(b"\x89PNG")
    async with http.get(workbook["file"]["url"]) as response:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert (await response.read()).startswith(b"PK")
    assert {"upload_photo", "upload_document"} <= set(admin.chat_actions)


async def test_the_clock_moves_forward_only_and_runs_the_jobs(world: Playground, http: aiohttp.ClientSession) -> None:
    before = world.clock.now()
    await post(http, "/api/clock", {"by": "1h"})
    assert timedelta(hours=1) <= world.clock.now() - before < timedelta(hours=1, minutes=1)
    await post(http, "/api/clock", {"by": "-1d"}, 400)
    await post(http, "/api/clock", {"by": "1y"}, 400)
    admin = world.user(ADMIN_ID)
    assert admin.messages == []
    # START is Monday 10:00 WIB: a week later the weekly report (Monday 08:00 WIB) has gone to the admin.
    for _ in range(7):
        await post(http, "/api/clock", {"by": "1d"})
    assert [m.text for m in admin.messages if "Laporan" in (m.text or "")], "the weekly report was sent"
    assert world.busy is False


async def test_only_the_page_itself_may_act(http: aiohttp.ClientSession) -> None:
    headers = {"Origin": "http://elsewhere.example"}
    async with http.post("/api/clock", json={"by": "1h"}, headers=headers) as response:
        assert response.status == 403
    async with http.post("/api/clock", data="by=1h") as response:
        assert response.status == 415


async def test_the_event_stream_sends_the_state_then_what_changed(
    world: Playground, http: aiohttp.ClientSession
) -> None:
    async with http.get("/api/events") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        first = [await next_event(stream) for _ in range(2 + len(world.people))]
        assert first[0]["type"] == "meta" and {c["id"] for c in first[1:-1]} == set(world.people)
        assert first[-1]["type"] == "group"
        await post(http, "/api/people", {"name": "Rina Wati"})
        meta = await next_event(stream)
        assert "Rina Wati" in [p["name"] for p in meta["people"]]
        await post(http, f"/api/chats/{PARTICIPANT}/text", {"text": "/start"})
        while True:
            event = await next_event(stream)
            if event["type"] == "chat" and event["id"] == PARTICIPANT and len(event["messages"]) == 2:
                break
        assert event["messages"][1]["buttons"]


async def ask(world: Playground, http: aiohttp.ClientSession, user_id: int, ticket: int) -> None:
    """A worker asks the help desk from their phone: /tanya, then the question."""
    worker = world.user(user_id)
    await post(http, f"/api/chats/{user_id}/text", {"text": "/tanya"})
    await until(world, lambda: bool(worker.messages) and worker.messages[-1].text == t()("helpdesk-ask"))
    await post(http, f"/api/chats/{user_id}/text", {"text": QUESTION})
    await until(world, lambda: worker.messages[-1].text == t()("helpdesk-received", ticket=ticket))


def entity_text(text: str, entity: dict[str, Any]) -> str:
    """The part of a text an entity covers (its offset and length count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    return units[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])].decode("utf-16-le")


def topics_made(world: Playground) -> tuple[int, int]:
    """How many tickets' topics the helpdesk group has (General aside), and the bot's messages in the newest."""
    threads = [thread for thread in world.helpdesk.topics if thread != GENERAL_TOPIC]
    return len(threads), len(world.helpdesk.topic_messages(max(threads))) if threads else 0


async def test_a_worker_asks_and_dewi_answers_in_the_helpdesk_group(
    world: Playground, http: aiohttp.ClientSession
) -> None:
    assert world.settings is not None and world.settings.helpdesk_chat_ids == (HELPDESK_GROUP_ID,)
    assert world.helpdesk.bot_rights["can_manage_topics"] and world.helpdesk.is_member(ADMIN_ID)
    group = (await state(http))["group"]
    assert (group["title"], group["topics"], group["open"], group["messages"]) == ("Grup Petugas", [], None, [])

    await ask(world, http, PARTICIPANT, ticket=1)
    await until(world, lambda: topics_made(world) == (1, 2))
    group = (await state(http))["group"]
    [topic] = group["topics"]
    assert topic["unread"] == 2 and topic["closed"] is False  # the card and the question
    assert group["open"] is None and group["messages"] == []
    await post(http, f"/api/group/topics/{topic['id']}/open", {})
    group = (await state(http))["group"]
    assert group["open"] == topic["id"] and group["topics"][0]["unread"] == 0
    created, card, question = group["messages"]
    assert created["kind"] == "service" and created["service"] == {"action": "created", "name": topic["name"]}
    # The card's formatting travels as entities: "Tiket #1" in bold, no markup in the text.
    assert "<b>" not in card["text"] and card["text"].startswith("🎫 Tiket #1")
    assert [entity_text(card["text"], e) for e in card["entities"]] == ["Tiket #1"]
    assert (question["text"], question["mine"], question["sender"]) == (QUESTION, False, "Vokasi Bot")

    # Dewi answers in the topic; the worker's phone shows the answer signed with her name.
    await post(http, f"/api/group/topics/{topic['id']}/text", {"text": "Undangan dikirim hari Senin, Bu."})
    worker = world.user(PARTICIPANT)
    await until(world, lambda: "Undangan dikirim" in (worker.messages[-1].text or ""))
    answer = chat(await state(http), PARTICIPANT)["messages"][-1]
    assert answer["text"] == "Petugas Dewi\nUndangan dikirim hari Senin, Bu." and not answer["mine"]
    assert {"type": "bold", "offset": 0, "length": len("Petugas Dewi")} in answer["entities"]
    mine = (await state(http))["group"]["messages"][-1]
    assert mine["mine"] and mine["text"] == "Undangan dikirim hari Senin, Bu."

    # Another worker's ticket counts unread while Dewi stays in the first one, and comes first (latest activity).
    await ask(world, http, OTHER, ticket=2)
    await until(world, lambda: topics_made(world) == (2, 2))
    second, first = (await state(http))["group"]["topics"]
    assert (second["unread"], first["id"], first["unread"]) == (2, topic["id"], 0)

    # /tutup is text starting with a slash: the ticket closes, the topic too, and Dewi, a member, writes no more.
    await post(http, f"/api/group/topics/{topic['id']}/text", {"text": "/tutup"})
    await until(world, lambda: world.helpdesk.topics[topic["id"]].closed)
    await until(world, lambda: t()("helpdesk-closed-by-staff", ticket=1) in (worker.messages[-1].text or ""))
    group = (await state(http))["group"]
    assert next(x for x in group["topics"] if x["id"] == topic["id"])["closed"] is True
    assert group["messages"][-1]["service"]["action"] == "closed"
    await post(http, f"/api/group/topics/{topic['id']}/text", {"text": "Satu lagi"}, 409)
    await post(http, f"/api/group/topics/{second['id']}/text", {"text": " "}, 400)
    await post(http, "/api/group/topics/999/text", {"text": "Halo"}, 404)
    await post(http, "/api/group/topics/999/open", {}, 404)
    # Opening the second topic reads it; the first, left, has nothing unread.
    await post(http, f"/api/group/topics/{second['id']}/open", {})
    topics = {x["id"]: x["unread"] for x in (await state(http))["group"]["topics"]}
    assert topics == {second["id"]: 0, topic["id"]: 0}


async def test_the_event_stream_sends_the_group_when_it_changes(world: Playground, http: aiohttp.ClientSession) -> None:
    async with http.get("/api/events") as stream:
        first = [await next_event(stream) for _ in range(2 + len(world.people))]
        assert first[-1]["type"] == "group" and first[-1]["topics"] == []
        await ask(world, http, PARTICIPANT, ticket=1)
        while True:
            event = await next_event(stream)
            if event["type"] == "group" and event["topics"] and event["topics"][0]["unread"] == 2:
                break


async def next_event(stream: aiohttp.ClientResponse) -> dict[str, Any]:
    while True:
        line = await stream.content.readline()
        assert line, "the stream ended"
        if line.startswith(b"data: "):
            event: dict[str, Any] = json.loads(line[len(b"data: ") :])
            return event


async def register(world: Playground, user: FakeUser) -> None:
    """The whole registration, typed and tapped as in the chat."""
    await register_until_phone(world, user, world.people[user.user_id].nik)

    async def then(predicate: Callable[[str], bool]) -> None:
        await until(world, lambda: bool(user.messages) and predicate(user.messages[-1].text or ""))

    await user.press_reply(t()("btn-share-phone"))
    await then(lambda text: text == t()("ask-province"))
    await user.press("Jawa")
    await until(world, lambda: user.messages[-1].find_button("Jawa Barat") is not None)
    await user.press("Jawa Barat")
    await then(lambda text: "Jawa Barat" in text)
    for answer, key in (("kota bandung", "ask-employer"), ("PT Maju", "ask-phk-date"), ("15-09-2026", "ask-education")):
        await user.send_text(answer)
        await then(lambda text, key=key: text == t()(key))
    await user.press("SMA/SMK")
    await until(world, lambda: user.messages[-1].find_button(t()("btn-confirm")) is not None)
    await user.press(t()("btn-confirm"))
    await then(lambda text: "Pendaftaran berhasil" in text)


def test_the_example_people_have_niks_of_their_own() -> None:
    """A woman's NIK has her day of birth + 40; each example NIK reads back as its person's birth date, gender and
    the example domicile's province (Jawa Barat, Kota Bandung)."""
    provinces = ProvinceCatalog.load()
    siti = example_person(PARTICIPANT, "Siti Rahayu", woman=True)
    budi = example_person(OTHER, "Budi Santoso")
    for person, gender in ((siti, "F"), (budi, "M")):
        info = parse_nik(person.nik, provinces, date(2026, 11, 23))
        assert (info.gender, info.birth_date, info.nik[:4]) == (gender, person.birth_date, "3273")
        assert [p.name for p in provinces.all() if info.province_code in p.nik_codes] == ["Jawa Barat"]
    assert int(siti.nik[6:8]) == siti.birth_date.day + 40


async def test_siti_registers_as_a_woman(world: Playground) -> None:
    """The playground's Siti Rahayu, registered with her example data, is read back as "Perempuan"."""
    assert world.people[PARTICIPANT].name == "Siti Rahayu" and world.people[PARTICIPANT].woman
    user = world.user(PARTICIPANT)
    await register(world, user)
    texts = [m.get("text", "") for m in user.history()]
    assert any(t()("gender-f") in text for text in texts)
    assert not any(t()("gender-m") in text for text in texts)


async def test_time_jumps_bring_completion_survey_nudge_and_check_in(world: Playground) -> None:
    """The programme's follow-ups, each at its own moment, within one test's seconds."""
    user = world.user(PARTICIPANT)
    await register(world, user)
    page = await world.services.catalogue.page(None, 0, None)
    assert page is not None
    crane = next(c for c in page.courses if c.code == "CLG-CRANE-01")
    await world.services.enrollment.enrol(PARTICIPANT, crane.id, waitlist=False)
    await world.advance(timedelta(days=26))  # 19 December: the course (7–18 December) is over
    reminders = [m for m in user.messages if (m.text or "").startswith("⏰ <b>Pengingat")]
    assert len(reminders) >= 10, "the evening-before and the 2-hours-before reminders of every session"
    await world.services.completion.complete_course(code="CLG-CRANE-01")
    await until(world, lambda: any("Selamat!" in (m.text or "") for m in user.messages))
    congratulation = next(m for m in user.messages if "Selamat!" in (m.text or ""))
    assert "Survei Kepuasan" in (congratulation.text or "")  # its first question follows
    await world.advance(timedelta(days=3, hours=12))
    assert any("belum selesai" in (m.text or "") for m in user.messages), "the nudge after 3 days"
    await world.advance(timedelta(days=30))
    assert any("Kabar Pekerjaan" in (m.text or "") for m in user.messages), "the +30 days check-in"


async def test_the_certificate_opens_in_the_browser(world: Playground, http: aiohttp.ClientSession) -> None:
    user = world.user(PARTICIPANT)
    await register(world, user)
    page = await world.services.catalogue.page(None, 0, None)
    assert page is not None
    crane = next(c for c in page.courses if c.code == "CLG-CRANE-01")
    await world.services.enrollment.enrol(PARTICIPANT, crane.id, waitlist=False)
    await world.advance(timedelta(days=26))
    await world.services.completion.complete_course(code="CLG-CRANE-01")
    await until(world, lambda: any(m.kind == "document" for m in user.messages))
    [certificate] = [m for m in chat(await state(http), PARTICIPANT)["messages"] if m["kind"] == "document"]
    assert certificate["file"]["mime"] == "application/pdf" and certificate["file"]["name"].startswith("sertifikat-")
    async with http.get(certificate["file"]["url"]) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("inline")  # the browser's PDF viewer, not a download
        assert (await response.read()).startswith(b"%PDF")


def test_the_playground_clock_flows_and_only_moves_forward() -> None:
    clock = OffsetClock(START)
    first = clock.now()
    assert timedelta(0) <= first - START < timedelta(seconds=5)
    clock.advance(timedelta(days=1))
    assert timedelta(days=1) <= clock.now() - first < timedelta(days=1, seconds=5)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    before = datetime.now(UTC)
    assert before <= OffsetClock().now() <= datetime.now(UTC)  # without a start: the real time


def test_the_clock_starts_where_the_sample_courses_are_open() -> None:
    """Today, while the sample courses take registrations; once they closed, before their first deadline."""
    assert sample_start(datetime(2026, 11, 23, 3, 0, tzinfo=UTC)) is None
    later = sample_start(datetime(2027, 6, 1, tzinfo=UTC))
    assert later is not None and later.hour == 9 and later.utcoffset() == timedelta(hours=7)
    assert later < datetime(2026, 12, 2, tzinfo=UTC)
