"""Helpers for the scams tests: a clean rate-limit counter and checker, images, reports."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from lachan.scams import checking, services

PHISHING_LIST = (
    "# Danh sách thử\nvietcombank-xacthuc.top\nhttps://hocphi-truong.example/nop-tien\n0933000412\n"
)


@pytest.fixture(autouse=True)
def _fresh_limits_and_checker():
    """Rate-limit counters live in the cache, the checker in the process: start and end clean."""
    cache.clear()
    checking.forget_checker()
    yield
    cache.clear()
    checking.forget_checker()


def png_bytes(size: int = 64) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "anh-chup.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def make_report(tree):
    """make_report(actor=None, **kw) -> a report sent through the service."""

    def _make(actor=None, **kw):
        kw.setdefault("description", "Người lạ gọi báo con đang cấp cứu, đòi chuyển tiền ngay.")
        kw.setdefault("channel", "phone")
        kw.setdefault("phones", ["0933 000 412"])
        return services.create_report(actor=actor, **kw)

    return _make


@pytest.fixture
def phishing_list(tree):
    return services.import_blocklist(
        actor=None, data=PHISHING_LIST.encode(), filename="thu.txt", name="Danh sách thử"
    )
