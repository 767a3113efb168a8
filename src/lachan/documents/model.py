"""An official document as data: what Decree 30/2020/NĐ-CP asks a letter to carry.

Pure Python, no ORM: callers build an :class:`OfficialDocument` from whatever they query and
hand it to :mod:`lachan.documents.render`, which turns the same object into DOCX or PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

DECREE_30 = "Nghị định 30/2020/NĐ-CP"

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"


def vietnamese_date(place: str, day: dt.date) -> str:
    """``"Lạc Hồng, ngày 05 tháng 02 năm 2026"``: days below 10 and months 1–2 take a leading 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True)
class IssuingBody:
    """The body names at the top left: the governing body (may be empty) and the issuing unit."""

    unit: str
    parent: str = ""

    @property
    def lines(self) -> tuple[str, str]:
        return (self.parent.upper(), self.unit.upper())


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: justified, first line indented."""

    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class Heading:
    """A bold heading inside the body, e.g. ``"1. Danh sách địa chỉ IP"``."""

    kind: ClassVar[str] = "heading"
    text: str


@dataclass(frozen=True)
class Steps:
    """Numbered steps; the numbers are written out so DOCX and PDF number them alike."""

    kind: ClassVar[str] = "steps"
    items: tuple[str, ...]

    @property
    def numbered(self) -> tuple[tuple[int, str], ...]:
        return tuple(enumerate(self.items, start=1))


@dataclass(frozen=True)
class Table:
    """A table with one header row.

    ``widths`` are relative column widths (optional); ``centered`` the indexes of the columns
    whose cells are centred (a "STT" column, dates).
    """

    kind: ClassVar[str] = "table"
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    centered: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"row has {len(row)} cells, header has {len(self.header)}")
        if self.widths and len(self.widths) != len(self.header):
            raise ValueError("widths must give one number per column")

    @property
    def fractions(self) -> tuple[float, ...]:
        """Column widths as fractions of the table width."""
        widths = self.widths or tuple(1.0 for _ in self.header)
        total = sum(widths)
        return tuple(w / total for w in widths)

    @property
    def cells(self) -> tuple[tuple[tuple[str, bool], ...], ...]:
        """Each row as ``(text, centred)`` pairs, for the template."""
        return tuple(
            tuple((text, i in self.centered) for i, text in enumerate(row)) for row in self.rows
        )

    @property
    def percents(self) -> tuple[float, ...]:
        return tuple(round(f * 100, 2) for f in self.fractions)


Block = Paragraph | Heading | Steps | Table


@dataclass(frozen=True)
class Signature:
    """``authority`` ("KT. GIÁM ĐỐC", empty when the head signs), ``position``, ``name``."""

    position: str
    name: str
    authority: str = ""


@dataclass(frozen=True)
class OfficialDocument:
    """An official letter (công văn) in the layout of Decree 30/2020/NĐ-CP."""

    issuer: IssuingBody
    number: str  # "123"; empty leaves a gap for the clerk to fill in at registration
    symbol: str  # "SGDĐT-VP"
    place: str
    issued_on: dt.date
    subject: str  # without the "V/v " prefix
    addressees: tuple[str, ...]
    body: tuple[Block, ...]
    recipients: tuple[str, ...]
    signature: Signature
    legal_basis: str = DECREE_30

    def __post_init__(self) -> None:
        if not self.addressees:
            raise ValueError("an official letter needs at least one addressee")

    @property
    def number_line(self) -> str:
        number = self.number or "\u00a0" * 6
        return f"Số: {number}/{self.symbol}"

    @property
    def place_and_date(self) -> str:
        return vietnamese_date(self.place, self.issued_on)

    @property
    def subject_line(self) -> str:
        return f"V/v {self.subject}"

    @property
    def addressee_lines(self) -> tuple[str, ...]:
        """One addressee: ``"Kính gửi: X."``; several: ``"- X;"`` each, the last with a full stop."""
        if len(self.addressees) == 1:
            return (f"Kính gửi: {_close(self.addressees[0], '.')}",)
        return tuple(_listed(self.addressees))

    @property
    def recipient_lines(self) -> tuple[str, ...]:
        """The "Nơi nhận:" list, each ``"- …;"`` and the last ``"- …."``."""
        return tuple(_listed(self.recipients))

    @property
    def title(self) -> str:
        return f"{self.number_line} — {self.subject_line}"


def _close(text: str, mark: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", ";", ",", ":")) else text + mark


def _listed(items: tuple[str, ...]) -> list[str]:
    last = len(items) - 1
    return [f"- {_close(item, '.' if i == last else ';')}" for i, item in enumerate(items)]
