"""Services of the scams app: blocklist import (all or nothing, replace on re-import), manual
entries, reports (references, images), approve → the checker flags at once, reject, cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from lachan.audit.models import AuditLog
from lachan.org.models import Role
from lachan.remediation.models import Finding, Task
from lachan.remediation.services import TransitionError
from lachan.scams import checking, selectors, services
from lachan.scams.models import BlocklistEntry, BlocklistSource, ReportStatus, ScamReport

from .conftest import png_upload

pytestmark = pytest.mark.django_db


# --- blocklist import -------------------------------------------------------------------------


def test_import_stores_normalised_entries_and_audits(tree, dept_officer):
    data = "||Evil-Bank.TOP^\n||vietcombank-xacthuc.top^\nhttps://phish.example/login#x\n"
    outcome = services.import_blocklist(
        actor=dept_officer,
        data=data.encode(),
        filename="urlhaus.txt",
        name="URLhaus",
        fmt="urlhaus",
    )
    assert outcome.created and outcome.added == 3 and outcome.removed == 0
    source = outcome.source
    assert source.entry_count == 3 and source.imported_by == dept_officer
    values = set(source.entries.values_list("kind", "value"))
    assert ("domain", "evil-bank.top") in values
    assert ("url", "https://phish.example/login") in values
    log = AuditLog.objects.get(action="scams.blocklist_import")
    assert "urlhaus.txt" in log.message and log.actor == dept_officer


def test_import_is_all_or_nothing_and_names_file_and_line(tree, dept_officer):
    data = "good.example\nbad domain with spaces !!\n"
    with pytest.raises(ValidationError) as err:
        services.import_blocklist(
            actor=dept_officer, data=data.encode(), filename="ds.txt", name="Thử", fmt="plain"
        )
    message = " ".join(err.value.messages)
    assert "ds.txt" in message and "dòng 2" in message
    assert not BlocklistSource.objects.exists() and not BlocklistEntry.objects.exists()


def test_reimport_replaces_entries_and_counts(tree, dept_officer):
    first = "a.example\nb.example\nc.example\n"
    services.import_blocklist(
        actor=dept_officer, data=first.encode(), filename="v1.txt", name="Danh sách", fmt="plain"
    )
    entry_b = BlocklistEntry.objects.get(value="b.example")
    services.set_entry_active(actor=dept_officer, entry=entry_b, active=False)
    second = "b.example\nc.example\nd.example\ne.example\n"
    outcome = services.import_blocklist(
        actor=dept_officer, data=second.encode(), filename="v2.txt", name="Danh sách", fmt="plain"
    )
    assert not outcome.created
    assert (outcome.added, outcome.removed, outcome.kept) == (2, 1, 2)
    source = outcome.source
    assert source.filename == "v2.txt" and source.entry_count == 4
    assert sorted(source.entries.values_list("value", flat=True)) == [
        "b.example",
        "c.example",
        "d.example",
        "e.example",
    ]
    # An officer's decision to switch an entry off survives the re-import.
    assert BlocklistEntry.objects.get(value="b.example").is_active is False


def test_import_refuses_empty_files_oversize_and_system_names(tree, dept_officer, settings):
    with pytest.raises(ValidationError, match="không có mục nào"):
        services.import_blocklist(
            actor=dept_officer,
            data="# chỉ có chú thích\n".encode(),
            filename="rong.txt",
            name="Rỗng",
        )
    settings.LACHAN_SCAM_BLOCKLIST_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="lớn hơn giới hạn"):
        services.import_blocklist(
            actor=dept_officer, data=b"a.example\nb.example\n", filename="lon.txt", name="Lớn"
        )
    settings.LACHAN_SCAM_BLOCKLIST_MAX_BYTES = 10_000
    services.add_manual_entry(actor=dept_officer, kind="domain", value="x.example")
    with pytest.raises(ValidationError):
        services.import_blocklist(
            actor=dept_officer,
            data=b"a.example\n",
            filename="a.txt",
            name=services.MANUAL_SOURCE_NAME,
        )


def test_only_the_department_imports(tree, it_a):
    with pytest.raises(PermissionDenied):
        services.import_blocklist(actor=it_a, data=b"a.example\n", filename="a.txt", name="A")


def test_manual_entry_is_normalised_and_flagged_at_once(tree, dept_officer):
    checking.check("0933 000 412", "phone")  # a checker is built and cached first
    entry = services.add_manual_entry(
        actor=dept_officer, kind="phone", value="+84 933 000 412", label="Gọi giả công an"
    )
    assert entry.value in {"0933000412", "+84933000412"}
    result = checking.check("0933.000.412", "phone")
    assert any(r.code.startswith("blocklist") for r in result.reasons)
    with pytest.raises(ValidationError):
        services.add_manual_entry(actor=dept_officer, kind="phone", value="0933000412")
    with pytest.raises(ValidationError) as err:
        services.add_manual_entry(actor=dept_officer, kind="account", value="abc")
    assert "value" in err.value.message_dict


def test_switching_a_source_off_removes_its_entries_from_the_checker(phishing_list, dept_officer):
    assert checking.check("https://vietcombank-xacthuc.top/a").risk == "high"
    assert [e.value for e in selectors.active_indicators("domain")] == ["vietcombank-xacthuc.top"]
    services.set_source_active(actor=dept_officer, source=phishing_list.source, active=False)
    assert not selectors.active_indicators().exists()
    result = checking.check("https://vietcombank-xacthuc.top/a")
    assert not any(r.code.startswith("blocklist") for r in result.reasons)


# --- reports ----------------------------------------------------------------------------------


def test_report_gets_a_yearly_reference_the_check_result_and_the_unit(tree, make_user):
    teacher = make_user(Role.LEARNER, tree.a)
    first = services.create_report(
        actor=None,
        description="Tin nhắn giả ngân hàng",
        channel="sms",
        checked_text="Tai khoan bi khoa, cap nhat tai https://vietcombank-xacthuc.top ngay",
    )
    second = services.create_report(actor=teacher, description="Cuộc gọi lạ", channel="phone")
    year = dt.date.today().year
    assert first.reference == f"BC-{year}-00001" and second.reference == f"BC-{year}-00002"
    assert first.unit is None and first.reporter is None
    assert second.unit == tree.a and second.reporter == teacher
    assert first.check_result["risk"] in {"high", "medium", "low"}
    assert "reasons" in first.check_result
    assert first.status == ReportStatus.NEW


def test_report_reference_follows_the_year_after_99999(tree):
    year = dt.date.today().year
    ScamReport.objects.create(reference=f"BC-{year}-99999", description="x")
    ScamReport.objects.create(reference=f"BC-{year}-100000", description="y")
    report = services.create_report(actor=None, description="z")
    assert report.reference == f"BC-{year}-100001"


def test_report_validation_names_fields(tree):
    with pytest.raises(ValidationError) as err:
        services.create_report(
            actor=None,
            description="",
            channel="fax",
            happened_on=dt.date.today() + dt.timedelta(days=3),
            amount_lost=-5,
        )
    assert set(err.value.message_dict) == {"description", "channel", "happened_on", "amount_lost"}
    assert not ScamReport.objects.exists()


def test_report_images_are_sniffed_not_trusted_by_name(tree):
    report = services.create_report(
        actor=None, description="Có ảnh", images=[png_upload("a.png"), png_upload("b.png")]
    )
    images = list(report.images.all())
    assert [i.content_type for i in images] == ["image/png", "image/png"]
    assert all(i.file.name.endswith(".png") and "a.png" not in i.file.name for i in images)
    svg = SimpleUploadedFile(
        "anh.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    html = SimpleUploadedFile("chup.jpg", b"<!doctype html><h1>hi</h1>")
    with pytest.raises(ValidationError) as err:
        services.create_report(actor=None, description="Ảnh giả", images=[svg, html])
    text = " ".join(err.value.messages)
    assert "anh.png" in text and "chup.jpg" in text
    with pytest.raises(ValidationError, match="tối đa 5"):
        services.create_report(
            actor=None, description="Nhiều ảnh", images=[png_upload() for _ in range(6)]
        )
    assert ScamReport.objects.count() == 1


def test_report_notifies_department_security_officers(tree, dept_officer, it_a):
    from lachan.notifications.models import Notification

    report = services.create_report(actor=None, description="Cuộc gọi lạ")
    sent = Notification.objects.filter(event="scam_report.new")
    assert [n.recipient for n in sent] == [dept_officer.email]
    assert report.reference in sent[0].subject


# --- review -----------------------------------------------------------------------------------


def test_approve_puts_indicators_in_the_blocklist_and_the_checker_flags_them(
    make_report, dept_officer
):
    report = make_report(accounts=["0900 011 122"], links=["https://lua-dao.example/nop-tien"])
    before = checking.check("0900011122", "account")
    assert not any(r.code.startswith("blocklist") for r in before.reasons)
    report = services.approve_report(
        actor=dept_officer,
        report=report,
        indicators=[
            ("phone", "0933 000 412"),
            ("account", "0900 011 122"),
            ("url", "https://lua-dao.example/nop-tien"),
        ],
        note="Đã xác minh",
    )
    assert report.status == ReportStatus.APPROVED and report.reviewed_by == dept_officer
    assert {"kind": "account", "value": "0900011122"} in report.approved_indicators
    source = BlocklistSource.objects.get(name=services.REPORTS_SOURCE_NAME)
    assert source.origin == "reports" and source.entry_count == 3
    assert set(source.entries.values_list("label", flat=True)) == {report.reference}
    after = checking.check("0900011122", "account")
    assert after.risk == "high"
    assert any(r.code.startswith("blocklist") for r in after.reasons)
    assert checking.check("https://lua-dao.example/nop-tien").risk == "high"
    # Reviewed once only.
    with pytest.raises(TransitionError):
        services.reject_report(actor=dept_officer, report=report, reason="nhầm")


def test_approve_reports_every_bad_indicator_and_stores_nothing(make_report, dept_officer):
    report = make_report()
    with pytest.raises(ValidationError) as err:
        services.approve_report(
            actor=dept_officer,
            report=report,
            indicators=[("phone", "0933000412"), ("phone", "abc"), ("account", "12")],
        )
    messages = err.value.message_dict["indicators"]
    assert len(messages) == 2 and messages[0].startswith("Dấu hiệu 2")
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and not BlocklistEntry.objects.exists()


def test_reject_needs_a_reason_and_the_department(make_report, dept_officer, it_a):
    report = make_report()
    with pytest.raises(ValidationError):
        services.reject_report(actor=dept_officer, report=report, reason=" ")
    with pytest.raises(PermissionDenied):
        services.reject_report(actor=it_a, report=report, reason="không phải")
    report = services.reject_report(actor=dept_officer, report=report, reason="Tin quảng cáo")
    assert report.status == ReportStatus.REJECTED and report.review_note == "Tin quảng cáo"
    assert AuditLog.objects.filter(action="scams.report_reject").count() == 1


def test_start_case_records_a_finding_and_a_task(make_report, make_user, tree, dept_officer):
    teacher = make_user(Role.LEARNER, tree.a)
    report = make_report(actor=teacher)
    report = services.start_case(actor=dept_officer, report=report)
    finding, task = report.finding, report.task
    assert finding.source == "scam_report" and finding.dedupe_key == report.reference
    assert finding.unit == tree.a and task.unit == tree.a
    assert task.source == "scam_report" and list(task.findings.all()) == [finding]
    expected = {"high": "high", "medium": "medium", "low": "low"}[report.check_result["risk"]]
    assert finding.severity == expected
    with pytest.raises(TransitionError):
        services.start_case(actor=dept_officer, report=report)


def test_start_case_for_an_anonymous_report_goes_to_the_department(make_report, tree, dept_officer):
    report = services.start_case(actor=dept_officer, report=make_report())
    assert report.task.unit == tree.so
    other = services.start_case(actor=dept_officer, report=make_report(), unit=tree.b)
    assert other.task.unit == tree.b
    assert Finding.objects.filter(source="scam_report").count() == 2
    assert Task.objects.filter(source="scam_report").count() == 2


# --- scoping ----------------------------------------------------------------------------------


def test_reports_are_scoped_to_the_units(make_report, make_user, tree, dept_officer, it_a, it_b):
    report_a = make_report(actor=make_user(Role.LEARNER, tree.a))
    report_b = make_report(actor=make_user(Role.LEARNER, tree.b))
    anonymous = make_report()
    assert set(selectors.visible_reports(dept_officer)) == {report_a, report_b, anonymous}
    assert list(selectors.visible_reports(it_a)) == [report_a]
    assert list(selectors.visible_reports(it_b)) == [report_b]
    learner = make_user(Role.LEARNER, tree.a)
    assert not selectors.visible_reports(learner).exists()


def test_registry_domains_are_protected(tree):
    from lachan.org.services import save_unit

    save_unit(
        actor=None, code=tree.a.code, parent=tree.a.parent, email="vanthu@leloi-lachong.edu.vn"
    )
    save_unit(actor=None, code=tree.b.code, parent=tree.b.parent, email="truongb@gmail.com")
    domains = {p.domain: p.brand for p in checking.protected_domains()}
    assert domains["leloi-lachong.edu.vn"] == "Trường THPT Lê Lợi"
    assert "example.edu.vn" in domains and "gmail.com" not in domains
    result = checking.check("https://leloi-lachong.edu.vn.xac-minh.top/hoc-phi")
    assert result.risk in {"high", "medium"}
