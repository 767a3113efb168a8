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


def build_world() -> World:
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
    )
    a = types.SimpleNamespace(
        unit=tree.a, task=a_task, finding=a_finding, network=a_network, botnet_list=a_list
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
    ]
    return World(tree=tree, users=users, tokens=tokens, a=a, b=b, b_names=b_names)


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
            w = build_world()
        yield w
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _test_settings(_test_settings, settings, world_media):
    """The project's test settings, with uploads where the world stored B's evidence."""
    settings.MEDIA_ROOT = world_media
