"""Places: ``sendVenue`` (a map pin with a title and an address) and ``sendLocation`` (a bare pin).

Checked as Telegram checks them: the coordinates must be numbers on the globe (latitude -90..90, longitude
-180..180), a venue needs a non-empty title and address, and the keyboard follows the rules of text messages. The
message carries both ``venue`` and its ``location``, as a Telegram app receives it.
"""

from __future__ import annotations

from typing import Any

from fakegram.chats import Chats
from fakegram.content import check_markup
from fakegram.errors import bad
from fakegram.methods import MethodTable
from fakegram.models import JSONDict

__all__ = ["PlaceMethods"]


class PlaceMethods:
    """Venues and locations sent by the bot."""

    def __init__(self, chats: Chats) -> None:
        self._chats = chats

    def methods(self) -> MethodTable:
        return {"sendVenue": self._send_venue, "sendLocation": self._send_location}

    async def _send_venue(self, params: JSONDict) -> Any:
        user = self._chats.chat(params)
        location = _location(params)
        venue: JSONDict = {"location": location}
        for field in ("title", "address"):
            value = params.get(field)
            if not isinstance(value, str) or not value.strip():
                raise bad(f"venue {field} is empty" if value in (None, "") else f"wrong venue {field} specified")
            venue[field] = value
        for field in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(field):
                venue[field] = str(params[field])
        markup = check_markup(params.get("reply_markup"))
        return self._chats.deliver(user, params, {"venue": venue, "location": location}, markup=markup)

    async def _send_location(self, params: JSONDict) -> Any:
        user = self._chats.chat(params)
        markup = check_markup(params.get("reply_markup"))
        return self._chats.deliver(user, params, {"location": _location(params)}, markup=markup)


def _location(params: JSONDict) -> JSONDict:
    latitude, longitude = params.get("latitude"), params.get("longitude")
    if latitude in (None, "") or longitude in (None, ""):
        raise bad("latitude and longitude must be specified")
    if isinstance(latitude, bool) or not isinstance(latitude, int | float) or not -90 <= latitude <= 90:
        raise bad("wrong latitude specified")
    if isinstance(longitude, bool) or not isinstance(longitude, int | float) or not -180 <= longitude <= 180:
        raise bad("wrong longitude specified")
    return {"latitude": float(latitude), "longitude": float(longitude)}
