"""QR code images for offline charges: a PNG made with segno."""

from __future__ import annotations

import io
from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def png(content: str) -> bytes:
    """A PNG of a QR code holding `content` (scale 5, the standard 4-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make_qr(content, error="m").save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()
