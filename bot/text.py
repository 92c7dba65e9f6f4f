"""Plain-text helpers shared by services."""

from __future__ import annotations

QUOTED_MAX = 40
"""Longest piece of someone's input quoted back in an answer; longer ones are cut with "…"."""


def shorten(text: str, limit: int = QUOTED_MAX) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and "…" (``limit`` characters in all)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
