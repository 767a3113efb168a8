"""The awareness certificate (giấy chứng nhận): one A4 landscape page, printed by WeasyPrint.

The Department (the root of the unit tree) issues it; the learner's name, class and unit, the
campaign, the lessons passed, the place and date in the administrative style
(``vietnamese_date``) and the certificate number. No image from outside: the border and the
seal ring are CSS.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .model import NATIONAL_MOTTO, NATIONAL_NAME, IssuingBody, vietnamese_date

TEMPLATE = "documents/certificate.html"


@dataclass(frozen=True)
class CertificateDocument:
    """What a certificate shows (plain data, built from the database by ``from_certificate``)."""

    issuer: IssuingBody
    place: str
    number: str
    learner_name: str
    learner_line: str  # "Học sinh lớp 10A1, Trường THPT Lê Lợi" / "Trường THPT Lê Lợi"
    campaign_title: str
    period: str  # "01/11/2026 – 30/11/2026"
    lessons: tuple[str, ...]
    issued_on: dt.date

    @property
    def place_and_date(self) -> str:
        return vietnamese_date(self.place, self.issued_on)

    @property
    def national_name(self) -> str:
        return NATIONAL_NAME

    @property
    def national_motto(self) -> str:
        return NATIONAL_MOTTO


def from_certificate(certificate) -> CertificateDocument:
    """Build the document of an ``awareness.Certificate``."""
    from django.utils import timezone

    from lachan.awareness.selectors.campaigns import campaign_lessons
    from lachan.intel.reports import NothingToReport, department

    learner = certificate.learner
    campaign = certificate.campaign
    try:
        dept = department()
        issuer, place = dept.issuer, dept.place
    except NothingToReport:
        issuer, place = IssuingBody(unit="Sở Giáo dục và Đào tạo"), "……"
    unit = learner.unit.name
    if learner.class_group_id:
        line = f"Học sinh lớp {learner.class_group.name}, {unit}"
    else:
        line = unit
    return CertificateDocument(
        issuer=issuer,
        place=place,
        number=certificate.number,
        learner_name=learner.name,
        learner_line=line,
        campaign_title=campaign.title,
        period=f"{campaign.starts_on:%d/%m/%Y} – {campaign.deadline:%d/%m/%Y}",
        lessons=tuple(lesson.title for lesson in campaign_lessons(campaign)),
        issued_on=timezone.localdate(certificate.issued_at),
    )


def render_html(doc: CertificateDocument) -> str:
    from django.template.loader import render_to_string

    return render_to_string(TEMPLATE, {"doc": doc})


def render_pdf(doc: CertificateDocument) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(doc)).write_pdf()


def render_certificate_pdf(certificate) -> bytes:
    return render_pdf(from_certificate(certificate))


def certificate_filename(certificate) -> str:
    """``giay-chung-nhan-LC-2026-000123-nguyen-van-an.pdf`` (ASCII)."""
    name = certificate.learner.name.replace("đ", "d").replace("Đ", "D")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
    return f"giay-chung-nhan-{certificate.number}{'-' + name if name else ''}.pdf"
