from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile


def upload(name: str = "bien-ban.txt", content: bytes = b"Da quet 20 may.\n") -> SimpleUploadedFile:
    """A small evidence file as a browser would send it."""
    return SimpleUploadedFile(name, content, content_type="text/plain")
