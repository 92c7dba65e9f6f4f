"""fakegram's sendVenue and sendLocation, as python-telegram-bot and a raw HTTP client see them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from fakegram import FakeTelegram


def bad(description: str) -> re.Pattern[str]:
    return re.compile(re.escape(description), re.IGNORECASE)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
    assert server.internal_errors == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def http(fake: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fake.port}") as client:
        yield client


async def test_a_venue_reaches_the_user_with_its_pin_title_and_address(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(40)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x")]])
    sent = await bot.send_venue(
        budi.chat_id, latitude=-6.0174, longitude=106.0539, title="Kautsar", address="Jl. A", reply_markup=markup
    )
    assert sent.venue is not None and sent.venue.title == "Kautsar" and sent.venue.address == "Jl. A"
    assert sent.venue.location.latitude == pytest.approx(-6.0174)
    assert sent.location is not None and sent.location.longitude == pytest.approx(106.0539)
    seen = budi.messages[-1]
    assert seen.kind == "venue"
    assert seen.raw["venue"]["location"] == {"latitude": -6.0174, "longitude": 106.0539}
    assert seen.button_texts() == ["ok"]
    pin = await bot.send_location(budi.chat_id, latitude=1.5, longitude=124.8)
    assert pin.location is not None and pin.venue is None and budi.messages[-1].kind == "location"


async def test_a_venue_is_checked_as_telegram_checks_it(fake: FakeTelegram, bot: Bot, http: httpx.AsyncClient) -> None:
    budi = fake.user(41)
    with pytest.raises(BadRequest, match=bad("wrong latitude specified")):
        await bot.send_venue(budi.chat_id, latitude=91, longitude=106.0, title="A", address="B")
    with pytest.raises(BadRequest, match=bad("wrong longitude specified")):
        await bot.send_venue(budi.chat_id, latitude=-6.0, longitude=181, title="A", address="B")
    with pytest.raises(BadRequest, match=bad("wrong venue address specified")):
        await bot.send_venue(budi.chat_id, latitude=-6.0, longitude=106.0, title="A", address="   ")
    with pytest.raises(BadRequest, match=bad("chat not found")):
        await bot.send_venue(999_999, latitude=-6.0, longitude=106.0, title="A", address="B")
    # Form fields are strings: a number is read as one, anything else is refused.
    url = f"/bot{fake.token}/sendVenue"
    form = {"chat_id": str(budi.chat_id), "latitude": "-6.5", "longitude": "106.8", "title": "A", "address": "B"}
    assert (await http.post(url, data=form)).json()["ok"] is True
    wrong = (await http.post(url, data={**form, "latitude": "utara"})).json()
    assert wrong == {"ok": False, "error_code": 400, "description": "Bad Request: wrong latitude specified"}
    untitled = (await http.post(url, data={**form, "title": ""})).json()  # (PTB itself refuses an empty title)
    assert untitled["description"] == "Bad Request: venue title is empty"
    missing = (await http.post(url, data={k: v for k, v in form.items() if k != "longitude"})).json()
    assert missing["description"] == "Bad Request: latitude and longitude must be specified"
    assert [m.kind for m in budi.messages] == ["venue"]
    assert [r.status for r in fake.requests_for("sendVenue")] == [400, 400, 400, 400, 200, 400, 400, 400]
