"""What a file is, read from its first bytes — never from its name."""

from __future__ import annotations

IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def sniff_image(head: bytes) -> str | None:
    """The raster image type the first bytes announce ("image/png", "image/jpeg",
    "image/webp"), or None for anything else (SVG, HTML, a renamed document…)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
