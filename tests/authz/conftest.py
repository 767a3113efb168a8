"""The "world" of the authorization-matrix test, built once per test module.

The unit tree is the one of ``tests/conftest.py`` (SO root; THPT-A = school A; THPT-B =
school B; CUM-1/THCS-C). Users for every role (``w.users``) are at the Department (SO) or at
school A; school B owns one of every kind of object (``w.b``), each with a distinctive name
listed in ``w.b_names`` — strings that must never reach a school-A user.

The world is written inside one outer transaction that is rolled back when the module is
done; every test runs in a savepoint inside it (pytest-django's ``db``), so a probe that
writes (a Department user verifying B's task) is undone before the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from lachan.org.models import Role, Unit

PASSWORD = "Mat-khau-thu-nghiem-123"

# Roles probed by the matrix, and where their users sit.
DEPARTMENT_ROLE_NAMES = ("dept_admin", "dept_security")
SCHOOL_A_ROLE_NAMES = ("unit_it", "unit_head", "learner")
ROLE_NAMES = (*DEPARTMENT_ROLE_NAMES, *SCHOOL_A_ROLE_NAMES)
USERNAMES = {
    "dept_admin": "mx-quantri-so",
    "dept_security": "mx-attt-so",
    "unit_it": "mx-cntt-lelo",
    "unit_head": "mx-hieutruong-lelo",
    "learner": "mx-giaovien-lelo",
}

B_UNIT_NAME = "Trường THPT Nguyễn Trãi"
B_USERNAME = "thptb.cntt.binh"
B_TASK_TITLE = "Vá máy chủ thư viện Quasar-B7 của trường B"
B_FINDING_TITLE = "Máy chủ Quasar-B7 liên lạc với máy chủ điều khiển botnet"
B_COMMENT = "Trao đổi nội bộ trường B: đã cô lập Quasar-B7"
B_EVIDENCE_NAME = "bien-ban-quasar-b7.txt"
B_NETWORK_PREFIX = "198.51.100.0/24"
# Botnet lists (intel): one list with B's address (by B's prefix), a name proposal for B and a
# rejected row; another list of the same month with school A's own address.
BOTNET_PERIOD = dt.date(2026, 10, 1)
B_BOTNET_FILE = "ds-botnet-quasar-b7.csv"
B_BOTNET_IP = "198.51.100.23"
B_BOTNET_NAME_IP = "203.0.113.45"
B_BOTNET_SUBSCRIBER = "TRUONG THPT NGUYEN TRAI"
B_BOTNET_LIST = (
    "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC THÁNG 10/2026\r\n"
    "STT,Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng,Tên thuê bao,Địa chỉ\r\n"
    f"1,{B_BOTNET_IP},05/10/2026 08:30,Mirai,VNPT,Thuê bao Quasar-B7,\r\n"
    f"2,{B_BOTNET_NAME_IP},06/10/2026 09:15,Gafgyt,Viettel,{B_BOTNET_SUBSCRIBER},\r\n"
    "3,10.2.2.77,06/10/2026 09:15,Mirai,VNPT,,\r\n"
)
# Vulnerability alerts: school B's inventory (a host of B's information system running Apache
# 2.4.49), a hand-made NVD record of CVE-2021-41773 (apache:http_server 2.4.49) and an advisory
# naming it, matched so that B has an exposure, a finding and a task. School A has a host too.
B_HOST = "SRV-QUASAR-B7"
B_SYSTEM = "Cổng thông tin Quasar-B7"
VULN_ID = "CVE-2021-41773"
VULN_RECORD = {
    "resultsPerPage": 1,
    "startIndex": 0,
    "totalResults": 1,
    "format": "NVD_CVE",
    "version": "2.0",
    "vulnerabilities": [
        {
            "cve": {
                "id": VULN_ID,
                "published": "2021-10-05T09:15:07.593",
                "lastModified": "2024-11-21T06:26:44.320",
                "vulnStatus": "Analyzed",
                "descriptions": [
                    {
                        "lang": "en",
                        "value": "A flaw was found in a change made to path normalization in "
                        "Apache HTTP Server 2.4.49 (path traversal).",
                    }
                ],
                "metrics": {
                    "cvssMetricV31": [
                        {
                            "source": "nvd@nist.gov",
                            "type": "Primary",
                            "cvssData": {
                                "version": "3.1",
                                "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
                                "baseScore": 7.5,
                                "baseSeverity": "HIGH",
                            },
                        }
                    ]
                },
                "weaknesses": [
                    {
                        "source": "nvd@nist.gov",
                        "type": "Primary",
                        "description": [{"lang": "en", "value": "CWE-22"}],
                    }
                ],
                "configurations": [
                    {
                        "nodes": [
                            {
                                "operator": "OR",
                                "negate": False,
                                "cpeMatch": [
                                    {
                                        "vulnerable": True,
                                        "criteria": "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
                                    }
                                ],
                            }
                        ]
                    }
                ],
                "references": [
                    {"url": "https://httpd.apache.org/security/vulnerabilities_24.html"}
                ],
            }
        }
    ],
}
A_NETWORK_PREFIX = "192.0.2.128/28"
A_BOTNET_LIST = (
    "Địa chỉ IP,Thời gian ghi nhận,Tên mã độc\r\n192.0.2.140,07/10/2026 10:00,Emotet\r\n"
)


@dataclass
class World:
    tree: Any
    users: dict[str, Any]
    tokens: dict[str, str]  # role → bearer secret
    a: types.SimpleNamespace
    b: types.SimpleNamespace
    b_names: list[str]
    usernames: dict[str, str] = field(default_factory=lambda: dict(USERNAMES))
    vuln: Any = None  # the vulnerability alerts' shared objects (record, an officer's alias)


def _build_tree():
    from conftest import build_tree

    tree = build_tree()
    assert tree.b.name == B_UNIT_NAME
    return tree


def _user(username: str, role: str, unit: Unit, **extra):
    from django.contrib.auth import get_user_model

    from lachan.org.models import RoleAssignment

    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.edu.vn", **extra
    )
    assignment = RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user, assignment


def build_world(world_tmp: Path | None = None) -> World:
    from lachan.assets.services import save_network
    from lachan.org.services import issue_api_token
    from lachan.remediation import services

    tree = _build_tree()
    at = {
        "dept_admin": tree.so,
        "dept_security": tree.so,
        "unit_it": tree.a,
        "unit_head": tree.a,
        "learner": tree.a,
    }
    users, tokens = {}, {}
    for role in ROLE_NAMES:
        users[role], _ = _user(USERNAMES[role], role, at[role], first_name="Kiểm", last_name="Thử")
        _token, tokens[role] = issue_api_token(actor=None, user=users[role], name="ma-tran")

    # School A's own data, so its pages have something to show (and to not leak).
    a_finding, _ = services.record_finding(
        actor=None,
        source="botnet",
        unit=tree.a,
        dedupe_key="mx-a-1",
        title="Máy trạm phòng tin học A1 nằm trong danh sách botnet",
        severity="high",
        asset_ref="10.1.1.21",
    )
    (a_task,) = services.open_tasks_from_findings(actor=None, findings=[a_finding])

    # School B: one of everything, with distinctive names.
    b_user, b_assignment = _user(
        B_USERNAME, Role.UNIT_IT, tree.b, first_name="Bình", last_name="Trần"
    )
    b_finding, _ = services.record_finding(
        actor=None,
        source="botnet",
        unit=tree.b,
        dedupe_key="mx-b-1",
        title=B_FINDING_TITLE,
        severity="critical",
        asset_ref="10.2.2.77",
        evidence={"ip": "10.2.2.77", "note": "Quasar-B7"},
    )
    b_task, _ = services.open_or_refresh_task(
        actor=None,
        unit=tree.b,
        problem_key="mx-b-problem",
        title=B_TASK_TITLE,
        guidance="Cô lập máy chủ Quasar-B7, quét mã độc, đổi mật khẩu quản trị.",
        severity="critical",
        findings=[b_finding],
    )
    services.start_task(actor=b_user, task=b_task)
    b_comment = services.add_comment(actor=b_user, task=b_task, body=B_COMMENT)
    b_task = services.submit_task(
        actor=b_user,
        task=b_task,
        answer_text="Đã cô lập và quét sạch Quasar-B7 của trường B.",
        files=[SimpleUploadedFile(B_EVIDENCE_NAME, "Biên bản xử lý Quasar-B7".encode())],
    )
    b_token, b_token_key = issue_api_token(actor=b_user, user=b_user, name="tich-hop-truong-b")
    b_network = save_network(
        actor=None, unit=tree.b, prefix=B_NETWORK_PREFIX, subscriber="Thuê bao Quasar-B7"
    )
    a_network = save_network(actor=None, unit=tree.a, prefix=A_NETWORK_PREFIX)
    b_list, a_list = _botnet_lists()
    vuln = _vulnerabilities(tree, world_tmp or Path(tempfile.mkdtemp(prefix="authz-")))

    b = types.SimpleNamespace(
        unit=tree.b,
        user=b_user,
        assignment=b_assignment,
        task=b_task,
        evidence=b_task.evidence.get(),
        finding=b_finding,
        token=b_token,
        token_key=b_token_key,
        comment=b_comment,
        network=b_network,
        botnet_list=b_list,
        botnet_row=b_list.rows.get(method="prefix"),
        botnet_name_row=b_list.rows.get(method="name"),
        host=vuln.b_host,
        system=vuln.b_system,
        exposure=vuln.b_exposure,
        advisory=vuln.advisory,
    )
    a = types.SimpleNamespace(
        unit=tree.a,
        task=a_task,
        finding=a_finding,
        network=a_network,
        botnet_list=a_list,
        host=vuln.a_host,
    )
    b_names = [
        B_UNIT_NAME,
        "THPT Nguyễn Trãi",
        "THPT-B",
        B_TASK_TITLE,
        B_FINDING_TITLE,
        B_USERNAME,
        "Trần Thị Bình",
        "it.b@example.edu.vn",
        B_COMMENT,
        B_EVIDENCE_NAME,
        "Quasar-B7",
        B_NETWORK_PREFIX,
        B_BOTNET_FILE,
        B_BOTNET_IP,
        B_BOTNET_NAME_IP,
        B_BOTNET_SUBSCRIBER,
        B_HOST,
        B_SYSTEM,
    ]
    b_names += _scam_world(users, a, b)  # lachan.scams
    b_names += _campaign_world(users, a, b)  # lachan.awareness campaigns
    b_names += _drill_world(users, a, b)  # lachan.drills
    b_names += _lesson_world(users, a, b)  # lachan.awareness lessons and quizzes
    return World(tree=tree, users=users, tokens=tokens, a=a, b=b, b_names=b_names, vuln=vuln)


def _botnet_lists():
    """B's list and A's list of ``BOTNET_PERIOD`` (the documentation ranges allowed)."""
    from lachan.intel.services import import_botnet_list

    with override_settings(LACHAN_ALLOW_DOCUMENTATION_IPS=True):
        b_list = import_botnet_list(
            actor=None,
            data=B_BOTNET_LIST.encode(),
            filename=B_BOTNET_FILE,
            period=BOTNET_PERIOD,
            source="Cục An toàn thông tin",
        )
        a_list = import_botnet_list(
            actor=None,
            data=A_BOTNET_LIST.encode(),
            filename="ds-botnet-truong-a.csv",
            period=BOTNET_PERIOD,
        )
    return b_list, a_list


def _vulnerabilities(tree, folder: Path) -> types.SimpleNamespace:
    """B's inventory, A's, the record of ``VULN_ID``, an advisory naming it; matched."""
    from lachan.assets.services import replace_host_software, save_host, save_system
    from lachan.intel.models import Exposure
    from lachan.intel.vulns import import_records, run_matching, save_advisory, save_alias

    b_system = save_system(
        actor=None, unit=tree.b, name=B_SYSTEM, security_level=2, internet_facing=True
    )
    b_host = save_host(
        actor=None,
        unit=tree.b,
        name=B_HOST,
        os="Windows Server 2019",
        role="server",
        ips=["10.2.2.77"],
        system=b_system,
    )
    replace_host_software(
        actor=None,
        host=b_host,
        entries=[
            {
                "vendor": "Apache Software Foundation",
                "product": "Apache HTTP Server",
                "version": "2.4.49",
                "cpe": "",
            },
            {"vendor": "", "product": "Phần mềm nội bộ Quasar-B7", "version": "1.0", "cpe": ""},
        ],
        rematch=False,
    )
    a_host = save_host(
        actor=None, unit=tree.a, name="MAY-TRAM-A1", os="Windows 10", role="workstation"
    )
    replace_host_software(
        actor=None,
        host=a_host,
        entries=[
            {"vendor": "", "product": "Mozilla Firefox (x64 vi)", "version": "128.0", "cpe": ""}
        ],
        rematch=False,
    )
    path = folder / "nvd-cve-2021-41773.json"
    path.write_text(json.dumps(VULN_RECORD), encoding="utf-8")
    import_records(actor=None, paths=[path])
    advisory = save_advisory(
        actor=None,
        title="Cảnh báo lỗ hổng Apache HTTP Server",
        source="ncsc",
        issued_on=dt.date(2026, 10, 6),
        reference_number="123/NCSC-TT",
        cve_ids=[VULN_ID],
        products=[],
        required_action="Nâng cấp Apache HTTP Server lên 2.4.51 hoặc mới hơn.",
        deadline=dt.date(2026, 10, 20),
    )
    alias = save_alias(
        actor=None,
        kind="display",
        pattern="Phần mềm quản lý trường học",
        cpe_vendor="vnedu",
        cpe_product="school_manager",
    )
    run_matching(actor=None)
    b_exposure = Exposure.objects.get(host=b_host, vulnerability__record_id=VULN_ID)
    return types.SimpleNamespace(
        b_host=b_host,
        b_system=b_system,
        b_exposure=b_exposure,
        a_host=a_host,
        advisory=advisory,
        alias=alias,
        record_id=VULN_ID,
    )


@pytest.fixture(scope="session")
def world_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("authz-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media) -> World:
    """The world, committed to nothing: one outer transaction rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=world_media):
            w = build_world(world_media)
        yield w
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _test_settings(_test_settings, settings, world_media):
    """The project's test settings, with uploads where the world stored B's evidence."""
    settings.MEDIA_ROOT = world_media


# --- lachan.scams: scam reports and blocklists --------------------------------------------------
B_SCAM_PHONE = "0933 000 977"
B_SCAM_SHOT = "quasar-b7-chup-man-hinh.png"


def _scam_world(users, a, b) -> list[str]:
    """School B's scam report (sent by B's IT officer, so it belongs to B) with a screenshot,
    school A's own report, and a blocklist with one entry (blocklists are the Department's;
    kept on ``b`` for the routes). Returns the names of B's report."""
    import io

    from PIL import Image

    from lachan.scams.services import create_report, import_blocklist

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, format="PNG")
    shot = SimpleUploadedFile(B_SCAM_SHOT, buffer.getvalue(), content_type="image/png")
    b.scam_report = create_report(
        actor=b.user,
        description="Cuộc gọi giả công an tới phụ huynh lớp Quasar-B7",
        channel="phone",
        phones=[B_SCAM_PHONE],
        images=[shot],
    )
    b.scam_image = b.scam_report.images.get()
    a.scam_report = create_report(
        actor=users["learner"], description="Tin nhắn lạ gửi giáo viên trường A", channel="sms"
    )
    outcome = import_blocklist(
        actor=None,
        data=b"0.0.0.0 lua-dao-ma-tran.example\n",
        filename="ma-tran.txt",
        name="Danh sách chặn ma trận",
        fmt="hosts",
    )
    b.scam_source = outcome.source
    b.scam_entry = outcome.source.entries.get()
    return [B_SCAM_PHONE, "0933000977", B_SCAM_SHOT]


# --- lachan.drills: phishing drills -------------------------------------------------------------
B_DRILL_NAME = "Diễn tập thư giả Quasar-B7"


def _drill_world(users, a, b) -> list[str]:
    """A finished phishing drill sent to school B only (its IT officer clicked), so its
    results, export and recipients are B's; its recipient token opens the public routes.
    Inside the world's transaction nothing is mailed (delivery waits for a commit)."""
    from lachan.drills import services
    from lachan.drills.models import DrillTemplate

    services.ensure_builtin_templates()
    drill = services.create_drill(
        actor=users["dept_security"],
        name=B_DRILL_NAME,
        template=DrillTemplate.objects.get(key="mat-khau-het-han"),
        units=[b.unit],
        starts_at=dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC),
    )
    services.submit_drill(actor=users["dept_security"], drill=drill)
    services.approve_drill(actor=users["dept_admin"], drill=drill)
    services.start_drill(actor=users["dept_security"], drill=drill)
    services.send_due_drill_emails()
    b.drill_recipient = drill.recipients.get(user=b.user)
    services.record_click(recipient=b.drill_recipient)
    b.drill = services.finish_drill(actor=users["dept_security"], drill=drill)
    b.drill_template = drill.template
    return [B_DRILL_NAME]


# --- lachan.awareness: campaigns, classes, students, certificates ------------------------------
CAMPAIGN_TITLE = "Đợt học ma trận phân quyền"
B_CLASS_NAME = "12Q-Quasar-B7"
B_STUDENT_NAME = "Hoàng Thị Quasar"
A_CLASS_NAME = "10A-Ma-Tran"


def _campaign_world(users, a, b) -> list[str]:
    """An active campaign for every unit (staff and students) with one small lesson; a class
    at school A and one at school B, whose student passed and holds a certificate. Returns B's
    class name, join code, student and certificate number."""
    from django.utils import timezone

    from lachan.awareness.models import (
        Choice,
        Lesson,
        LessonVersion,
        Progress,
        Question,
    )
    from lachan.awareness.services import campaigns as svc

    lesson = Lesson.objects.create(slug="ma-tran-bai-hoc", topic="account", audiences=["staff"])
    version = LessonVersion.objects.create(
        lesson=lesson, number=1, title="Bài học ma trận", body="Nội dung.", minutes=1
    )
    Lesson.objects.filter(pk=lesson.pk).update(current_version=version)
    lesson.refresh_from_db()
    question = Question.objects.create(lesson=lesson, key="q01", text="Câu hỏi?")
    Choice.objects.create(question=question, text="Đúng", is_correct=True)
    Choice.objects.create(question=question, text="Sai")
    today = timezone.localdate()
    campaign = svc.save_campaign(
        actor=users["dept_security"],
        title=CAMPAIGN_TITLE,
        lessons=[lesson],
        units=[a.unit.parent],
        audiences=["staff", "students"],
        starts_on=today - dt.timedelta(days=3),
        deadline=today + dt.timedelta(days=20),
    )
    campaign = svc.activate_campaign(actor=users["dept_security"], campaign=campaign)
    a.campaign = campaign
    a.class_group = svc.create_class_group(
        actor=users["unit_it"], campaign=campaign, unit=a.unit, name=A_CLASS_NAME
    )
    b.class_group = svc.create_class_group(
        actor=b.user, campaign=campaign, unit=b.unit, name=B_CLASS_NAME, expected_students=30
    )
    b.student, _secret = svc.join_class(code=b.class_group.join_code, name=B_STUDENT_NAME)
    Progress.objects.create(
        learner=b.student,
        campaign=campaign,
        lesson=lesson,
        read_at=timezone.now(),
        passed_at=timezone.now(),
        best_score=100,
        attempts=1,
    )
    b.certificate = svc.issue_certificate_if_complete(learner=b.student, campaign=campaign)
    code = b.class_group.join_code
    return [B_CLASS_NAME, code, svc.format_join_code(code), B_STUDENT_NAME, b.certificate.number]


# --- lachan.awareness: lessons and quizzes ----------------------------------------------------
LESSON_SLUG = "ma-tran-quiz"


def _lesson_world(users, a, b) -> list[str]:
    """An active lesson with an image and a question, and an unfinished attempt of school B's
    IT officer (a staff learner of B). Attempts belong to their learner only."""
    from lachan.awareness.services import lessons, quiz
    from lachan.awareness.services.learners import learner_for_user

    lesson = lessons.create_lesson(
        actor=None,
        slug=LESSON_SLUG,
        title="Bài học của ma trận phân quyền",
        body="## Nội dung\n\n![Tin nhắn](images/tin-nhan.svg)\n",
        minutes=2,
        topic="scam",
        audiences=["staff", "students", "parents"],
    )
    lessons.save_lesson_image(
        actor=None,
        lesson=lesson,
        name="tin-nhan.svg",
        data=b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    )
    question = lessons.save_question(
        actor=None,
        lesson=lesson,
        kind="single",
        text="Có nên đọc mã OTP cho người lạ?",
        choices=[lessons.ChoiceData("Không", True), lessons.ChoiceData("Có", False)],
    )
    lesson = lessons.set_lesson_active(actor=None, lesson=lesson, active=True)
    a.lesson = lesson
    a.lesson_image = lesson.images.get()
    a.lesson_question = question
    b.lesson_attempt = quiz.start_attempt(learner=learner_for_user(b.user), lesson=lesson, seed=1)
    return []
