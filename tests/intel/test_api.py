"""/api/v1/intel/botnet/: lists, import, period matches (the CLI's row objects), per-unit
results, name review and confirmation, unit history — scoped like the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.conftest import ApiClient
from lachan.assets.services import save_network
from lachan.intel.models import BotnetList, BotnetListRow
from lachan.intel.services import import_botnet_list

pytestmark = pytest.mark.django_db

LIST = (
    "Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng,Tên thuê bao,Địa chỉ\r\n"
    "203.0.113.5,03/10/2026 08:00,Mirai,VNPT,,\r\n"  # row 2: school A by prefix
    "198.51.100.20,04/10/2026 09:00,Emotet,Viettel,,\r\n"  # row 3: school B by prefix
    "192.0.2.77,05/10/2026 10:00,Gafgyt,FPT,TRUONG THPT NGUYEN TRAI,\r\n"  # row 4: name → B
    "10.1.2.3,05/10/2026 10:00,Mirai,VNPT,,\r\n"  # row 5: rejected
)
OCT = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _documentation_ips(settings):
    settings.LACHAN_ALLOW_DOCUMENTATION_IPS = True


@pytest.fixture
def api_as(db):
    from lachan.org.services import issue_api_token

    def _make(user) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, key = issue_api_token(actor=None, user=user, name="kiem-thu")
        return ApiClient(key)

    return _make


@pytest.fixture
def imported(tree):
    save_network(actor=None, unit=tree.a, prefix="203.0.113.0/24", isp="VNPT")
    save_network(actor=None, unit=tree.b, prefix="198.51.100.0/24", isp="Viettel")
    return import_botnet_list(
        actor=None, data=LIST.encode(), filename="ds-10.csv", period=OCT, source="Sở KH&CN"
    )


def test_department_sees_everything(api_as, imported, dept_officer, tree):
    api = api_as(dept_officer)
    lists = api.get("intel/botnet/lists/").json()
    assert lists["count"] == 1
    item = lists["items"][0]
    assert item["period"] == "2026-10" and item["filename"] == "ds-10.csv"
    assert item["summary"] == {
        "rows_read": 4,
        "rows_rejected": 1,
        "duplicates": 0,
        "matched_prefix": 2,
        "matched_name": 1,
        "unmatched": 0,
    }
    matches = api.get("intel/botnet/periods/2026-10/matches/").json()
    assert [r["row"] for r in matches["rows"]] == [2, 3, 4]
    assert matches["rows"][0] == {
        "row": 2,
        "ip": "203.0.113.5",
        "seen_at": "2026-10-03T08:00:00+07:00",
        "malware": "Mirai",
        "isp": "VNPT",
        "subscriber": "",
        "unit_code": "THPT-A",
        "method": "prefix",
        "score": 1.0,
        "prefix": "203.0.113.0/24",
    }
    assert matches["rejected"][0]["row"] == 5
    units = {u["unit"]["code"]: u for u in api.get("intel/botnet/periods/2026-10/units/").json()}
    assert set(units) == {"THPT-A", "THPT-B"}
    assert units["THPT-B"]["pending_names"] == 1
    assert units["THPT-A"]["task"]["status"] == "open"
    assert units["THPT-A"]["seen_next"] is None


def test_a_school_sees_only_its_own_rows(api_as, imported, it_a, tree):
    api = api_as(it_a)
    lists = api.get("intel/botnet/lists/").json()
    assert lists["count"] == 1
    detail = api.get(f"intel/botnet/lists/{imported.pk}/").json()
    assert detail["summary"]["rows_read"] == 1 and detail["summary"]["rows_rejected"] == 0
    body = api.get("intel/botnet/periods/2026-10/matches/").content.decode()
    assert "198.51.100.20" not in body and "NGUYEN TRAI" not in body
    assert [r["ip"] for r in api.get("intel/botnet/periods/2026-10/matches/").json()["rows"]] == [
        "203.0.113.5"
    ]
    assert api.get("intel/botnet/periods/2026-10/matches/").json()["rejected"] == []
    units = api.get("intel/botnet/periods/2026-10/units/").json()
    assert [u["unit"]["code"] for u in units] == ["THPT-A"]
    assert api.get(f"intel/botnet/units/{tree.b.pk}/history/").status_code == 404
    assert len(api.get(f"intel/botnet/units/{tree.a.pk}/history/").json()) == 1
    assert api.get("intel/botnet/review/").status_code == 403
    row = BotnetListRow.objects.get(method="name")
    assert api.post(f"intel/botnet/rows/{row.pk}/confirm/").status_code == 403
    row.refresh_from_db()
    assert not row.confirmed


def test_a_school_without_rows_sees_no_list(api_as, tree, make_user):
    save_network(actor=None, unit=tree.b, prefix="198.51.100.0/24", isp="Viettel")
    stored = import_botnet_list(
        actor=None, data=LIST.encode(), filename="ds.csv", period=OCT, source=""
    )
    it_a = make_user("unit_it", tree.a)
    api = api_as(it_a)
    assert api.get("intel/botnet/lists/").json()["count"] == 0
    assert api.get(f"intel/botnet/lists/{stored.pk}/").status_code == 404


def test_review_and_confirm(api_as, imported, dept_officer, tree):
    api = api_as(dept_officer)
    pending = api.get("intel/botnet/review/").json()
    assert len(pending) == 1
    assert pending[0]["unit"]["code"] == "THPT-B" and pending[0]["ip"] == "192.0.2.77"
    assert pending[0]["period"] == "2026-10" and pending[0]["reason"]
    confirmed = api.post(f"intel/botnet/rows/{pending[0]['id']}/confirm/")
    assert confirmed.status_code == 200, confirmed.content
    tree.b.refresh_from_db()
    assert "TRUONG THPT NGUYEN TRAI" in tree.b.aliases
    assert api.get("intel/botnet/review/").json() == []
    prefix_row = BotnetListRow.objects.get(method="prefix", ip="203.0.113.5")
    assert api.post(f"intel/botnet/rows/{prefix_row.pk}/confirm/").status_code == 404


def test_import_through_the_api(api_as, tree, dept_officer, it_a):
    upload = SimpleUploadedFile("ds-11.csv", LIST.replace("/10/", "/11/").encode())
    denied = api_as(it_a).post_multipart(
        "intel/botnet/lists/", {"file": upload, "period": "2026-11"}
    )
    assert denied.status_code == 403
    upload.seek(0)
    created = api_as(dept_officer).post_multipart(
        "intel/botnet/lists/", {"file": upload, "period": "2026-11", "source": "NCSC"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["period"] == "2026-11" and created.json()["source"] == "NCSC"
    upload.seek(0)
    again = api_as(dept_officer).post_multipart(
        "intel/botnet/lists/", {"file": upload, "period": "2026-11"}
    )
    assert again.status_code == 422 and "đã được nhập" in again.content.decode()
    bad = api_as(dept_officer).post_multipart(
        "intel/botnet/lists/",
        {"file": SimpleUploadedFile("x.csv", b"Ten,Dia chi\r\nA,B\r\n"), "period": "2026-12"},
    )
    assert bad.status_code == 422 and "Ten" in bad.content.decode()
    wrong_period = api_as(dept_officer).get("intel/botnet/periods/2026-13/matches/")
    assert wrong_period.status_code == 422 and "YYYY-MM" in wrong_period.content.decode()
    assert BotnetList.objects.count() == 1
