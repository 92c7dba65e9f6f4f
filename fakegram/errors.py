"""The Bot API's error answers.

A method raises :class:`ApiError` wherever it finds something wrong; the HTTP surface turns it into the JSON body
Telegram sends (``ok: false``, ``error_code``, ``description``, sometimes ``parameters``). :func:`bad` makes the most
common one, 400 "Bad Request: ...".
"""

from __future__ import annotations

from fakegram.models import JSONDict

__all__ = ["ApiError", "bad"]


class ApiError(Exception):
    """An error answer of the Bot API (raised inside method handlers)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(message: str) -> ApiError:
    """A 400 "Bad Request" with Telegram's wording after the colon."""
    return ApiError(400, f"Bad Request: {message}")
