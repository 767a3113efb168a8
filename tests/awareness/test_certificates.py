"""Certificates: issued when every lesson of a campaign is passed, numbered per year, a PDF
for the learner and the officers who can see the learner's unit — nobody else."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from lachan.audit.models import AuditLog
from lachan.awareness.models import Certificate
from lachan.awareness.services import campaigns as svc
from lachan.org.models import Role

from .campaign_support import join_student, load_fixture_lessons, make_campaign, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(db):
    return load_fixture_lessons()


@pytest.fixture
def campaign(tree, lessons):
    return make_campaign(lessons=lessons, units=[tree.so])


def test_issued_only_after_the_last_lesson_and_numbered(tree, lessons, campaign, it_a):
    group = svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    first, second = join_student(group, "Trần Minh Khoa"), join_student(group, "Lê Thu Hà")
    take_quiz(first, lessons[0], campaign)
    take_quiz(first, lessons[1], campaign, right=False)
    assert not Certificate.objects.exists()
    take_quiz(first, lessons[1], campaign)
    year = timezone.localdate().year
    cert = Certificate.objects.get(learner=first)
    assert cert.number == f"LC-{year}-000001"
    for lesson in lessons:
        take_quiz(second, lesson, campaign)
    take_quiz(first, lessons[0], campaign)  # passing again issues nothing new
    assert sorted(Certificate.objects.values_list("number", flat=True)) == [
        f"LC-{year}-000001",
        f"LC-{year}-000002",
    ]
    assert AuditLog.objects.filter(action="awareness.certificate.issue").count() == 2


def test_pdf_certificate_looks_right(tree, lessons, campaign, it_a, tmp_path):
    from lachan.documents.certificate import (
        certificate_filename,
        from_certificate,
        render_certificate_pdf,
    )

    group = svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    student = join_student(group, "Đặng Thị Ánh Dương")
    for lesson in lessons:
        take_quiz(student, lesson, campaign)
    cert = Certificate.objects.get()
    doc = from_certificate(cert)
    assert doc.learner_line == "Học sinh lớp 10A1, Trường THPT Lê Lợi"
    assert doc.place_and_date.endswith(f"năm {timezone.localdate().year}")
    data = render_certificate_pdf(cert)
    assert data.startswith(b"%PDF")
    if not shutil.which("pdfinfo"):
        pytest.skip(
            "poppler-utils (pdfinfo, pdftotext) is not installed: apt-get install poppler-utils"
        )
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", info)
    assert re.search(r"Page size:\s+841\.89 x 595\.2", info)  # A4 landscape
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for needle in ("GIẤY CHỨNG NHẬN", "Đặng Thị Ánh Dương", cert.number, "Tháng an toàn thông tin"):
        assert needle in text
    assert certificate_filename(cert) == f"giay-chung-nhan-{cert.number}-dang-thi-anh-duong.pdf"


def test_who_may_download(client, tree, lessons, campaign, it_a, it_b, dept_officer, make_user):
    from lachan.awareness.services.learners import learner_for_user

    group = svc.create_class_group(actor=it_a, campaign=campaign, unit=tree.a, name="10A1")
    code = group.join_code
    client.post(reverse("awareness_join"), {"code": code, "name": "Trần Minh Khoa"})
    from lachan.awareness.models import Learner

    student = Learner.objects.get(kind="student")
    for lesson in lessons:
        take_quiz(student, lesson, campaign)
    cert = Certificate.objects.get(learner=student)
    url = reverse("awareness_certificate", args=[cert.pk])

    response = client.get(url)  # the student's own browser
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    home = client.get(reverse("awareness_my_learning")).content.decode()
    assert cert.number in home and url in home

    stranger = type(client)()
    assert stranger.get(url).status_code == 302  # to the login page
    other_student = type(client)()
    other_student.post(reverse("awareness_join"), {"code": code, "name": "Lê Thu Hà"})
    assert other_student.get(url).status_code == 404

    for user, status in (
        (it_a, 200),
        (dept_officer, 200),
        (it_b, 404),
        (make_user(Role.LEARNER, tree.a), 404),
    ):
        c = type(client)()
        c.force_login(user)
        assert c.get(url).status_code == status, user

    teacher = make_user(Role.LEARNER, tree.a)
    staff = learner_for_user(teacher)
    for lesson in lessons:
        take_quiz(staff, lesson, campaign)
    own = Certificate.objects.get(learner=staff)
    c = type(client)()
    c.force_login(teacher)
    assert c.get(reverse("awareness_certificate", args=[own.pk])).status_code == 200
    assert c.get(url).status_code == 404
    home = c.get(reverse("awareness_my_learning")).content.decode()
    assert own.number in home
