"""The venue's QR code as a PNG, built in memory (segno)."""

from __future__ import annotations

import io

import segno


def qr_png(link: str) -> bytes:
    """A QR code of the deep link, large enough for a phone camera across a room when shown full screen."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
