"""The audit log page: Department administrators browse, filter and export every recorded write."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lachan.org.models import Unit
from lachan.org.selectors import is_department_admin, visible_units

from .selectors import audit_filter_choices, audit_log_for

PAGE_SIZE = 50
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# Human labels for the action codes the services record; unknown codes show as they are.
ACTION_LABELS: dict[str, Any] = {
    "auth.login": _("Đăng nhập"),
    "auth.logout": _("Đăng xuất"),
    "auth.login_failed": _("Đăng nhập không thành công"),
    "auth.2fa_enrol": _("Bật xác thực hai lớp"),
    "auth.2fa_failed": _("Nhập sai mã xác thực hai lớp"),
    "auth.2fa_remove": _("Tắt xác thực hai lớp"),
    "auth.2fa_reset": _("Đặt lại xác thực hai lớp"),
    "unit.create": _("Thêm đơn vị"),
    "unit.update": _("Sửa đơn vị"),
    "unit.retire": _("Đơn vị ngừng hoạt động"),
    "unit.alias_add": _("Thêm tên gọi khác của đơn vị"),
    "unit.import": _("Nhập danh sách đơn vị"),
    "user.create": _("Tạo tài khoản"),
    "user.activate": _("Mở khoá tài khoản"),
    "user.deactivate": _("Khoá tài khoản"),
    "user.password": _("Đổi mật khẩu"),
    "role.assign": _("Phân quyền"),
    "role.revoke": _("Thu hồi quyền"),
    "token.issue": _("Cấp mã truy cập API"),
    "token.revoke": _("Thu hồi mã truy cập API"),
    "finding.create": _("Ghi nhận phát hiện"),
    "finding.refresh": _("Cập nhật phát hiện"),
    "finding.resolve": _("Phát hiện đã khắc phục"),
    "task.create": _("Giao việc"),
    "task.refresh": _("Cập nhật việc"),
    "task.start": _("Bắt đầu xử lý"),
    "task.submit": _("Báo cáo kết quả"),
    "task.verify": _("Xác nhận hoàn thành"),
    "task.return": _("Trả lại việc"),
    "task.close": _("Đóng việc"),
    "task.comment": _("Bình luận"),
    "policy.due_days": _("Đổi thời hạn xử lý"),
    "network.create": _("Thêm mạng của đơn vị"),
    "network.update": _("Sửa mạng của đơn vị"),
    "network.delete": _("Xoá mạng của đơn vị"),
    "botnet.import": _("Nhập danh sách IP botnet"),
    "botnet.confirm_name": _("Xác nhận đơn vị theo tên thuê bao"),
    "finding.next_list": _("Đối chiếu với danh sách kỳ sau"),
    "task.reopen": _("Mở lại việc"),
    "task.due_date": _("Đổi hạn xử lý của việc"),
    "system.create": _("Thêm hệ thống thông tin"),
    "system.update": _("Sửa hệ thống thông tin"),
    "system.delete": _("Xoá hệ thống thông tin"),
    "host.create": _("Thêm máy"),
    "host.update": _("Sửa máy"),
    "host.delete": _("Xoá máy"),
    "host.software": _("Cập nhật danh sách phần mềm của máy"),
    "software.create": _("Thêm phần mềm"),
    "software.update": _("Sửa phần mềm"),
    "software.delete": _("Xoá phần mềm"),
    "software.renormalise": _("Nhận diện lại tên phần mềm"),
    "vuln.import_records": _("Nhập dữ liệu lỗ hổng"),
    "vuln.import_kev": _("Nhập danh mục KEV"),
    "vuln.import_epss": _("Nhập điểm EPSS"),
    "vulnerability.summary": _("Sửa tóm tắt tiếng Việt của lỗ hổng"),
    "advisory.create": _("Ghi nhận cảnh báo lỗ hổng"),
    "advisory.update": _("Sửa cảnh báo lỗ hổng"),
    "advisory.delete": _("Xoá cảnh báo lỗ hổng"),
    "alias.create": _("Thêm tên gọi phần mềm"),
    "alias.update": _("Sửa tên gọi phần mềm"),
    "alias.delete": _("Xoá tên gọi phần mềm"),
    "policy.vuln_due_days": _("Đổi thời hạn xử lý lỗ hổng"),
    "scams.blocklist_import": _("Nhập danh sách chặn lừa đảo"),
    "scams.blocklist_activate": _("Bật danh sách chặn lừa đảo"),
    "scams.blocklist_deactivate": _("Tắt danh sách chặn lừa đảo"),
    "scams.entry_add": _("Thêm mục vào danh sách chặn lừa đảo"),
    "scams.entry_activate": _("Bật lại mục của danh sách chặn lừa đảo"),
    "scams.entry_deactivate": _("Tắt mục của danh sách chặn lừa đảo"),
    "scams.report_create": _("Gửi báo cáo lừa đảo"),
    "scams.report_approve": _("Xác minh báo cáo lừa đảo"),
    "scams.report_reject": _("Không xác nhận báo cáo lừa đảo"),
    "scams.report_case": _("Tạo vụ việc từ báo cáo lừa đảo"),
    "drill.create": _("Tạo đợt diễn tập lừa đảo"),
    "drill.update": _("Sửa đợt diễn tập lừa đảo"),
    "drill.submit": _("Trình duyệt đợt diễn tập lừa đảo"),
    "drill.approve": _("Phê duyệt đợt diễn tập lừa đảo"),
    "drill.return": _("Trả lại đợt diễn tập lừa đảo"),
    "drill.start": _("Bắt đầu gửi thư diễn tập"),
    "drill.cancel": _("Huỷ đợt diễn tập lừa đảo"),
    "drill.finish": _("Kết thúc đợt diễn tập lừa đảo"),
    "drill.report": _("Báo cáo đúng thư diễn tập"),
    "drill_template.create": _("Thêm mẫu thư diễn tập"),
    "drill_template.update": _("Sửa mẫu thư diễn tập"),
    "awareness.campaign.create": _("Tạo đợt học"),
    "awareness.campaign.update": _("Sửa đợt học"),
    "awareness.campaign.activate": _("Bắt đầu triển khai đợt học"),
    "awareness.campaign.close": _("Kết thúc đợt học"),
    "awareness.campaign.reopen": _("Mở lại đợt học"),
    "awareness.campaign.remind": _("Gửi thư nhắc đợt học"),
    "awareness.class.create": _("Tạo lớp và mã tham gia"),
    "awareness.class.update": _("Sửa sĩ số lớp"),
    "awareness.class.regenerate_code": _("Đổi mã tham gia của lớp"),
    "awareness.class.close": _("Lớp ngừng nhận học sinh"),
    "awareness.class.open": _("Lớp mở lại để nhận học sinh"),
    "awareness.learner.join": _("Học sinh tham gia lớp"),
    "awareness.learner.rename": _("Học sinh sửa họ tên"),
    "awareness.certificate.issue": _("Cấp giấy chứng nhận"),
    "lesson.load_builtin": _("Nạp bài học có sẵn"),
    "lesson.create": _("Thêm bài học"),
    "lesson.update": _("Sửa bài học"),
    "lesson.restore": _("Khôi phục phiên bản bài học"),
    "lesson.activate": _("Mở bài học"),
    "lesson.deactivate": _("Tắt bài học"),
    "lesson.image_add": _("Thêm ảnh bài học"),
    "lesson.image_replace": _("Thay ảnh bài học"),
    "lesson.image_delete": _("Xoá ảnh bài học"),
    "lesson.question_add": _("Thêm câu hỏi bài học"),
    "lesson.question_update": _("Sửa câu hỏi bài học"),
    "lesson.question_activate": _("Dùng lại câu hỏi bài học"),
    "lesson.question_deactivate": _("Ngừng dùng câu hỏi bài học"),
}

OBJECT_TYPE_LABELS: dict[str, Any] = {
    "awareness.campaign": _("Đợt học"),
    "awareness.classgroup": _("Lớp học"),
    "awareness.learner": _("Người học"),
    "awareness.certificate": _("Giấy chứng nhận"),
    "org.unit": _("Đơn vị"),
    "auth.user": _("Tài khoản"),
    "org.roleassignment": _("Phân quyền"),
    "org.apitoken": _("Mã truy cập API"),
    "remediation.task": _("Việc cần xử lý"),
    "remediation.finding": _("Phát hiện"),
    "remediation.taskcomment": _("Bình luận"),
    "remediation.duepolicy": _("Thời hạn xử lý"),
    "assets.network": _("Mạng của đơn vị"),
    "assets.host": _("Máy"),
    "assets.software": _("Phần mềm"),
    "assets.informationsystem": _("Hệ thống thông tin"),
    "intel.botnetlist": _("Danh sách IP botnet"),
    "intel.botnetlistrow": _("Dòng danh sách IP botnet"),
    "intel.vulnerability": _("Lỗ hổng"),
    "intel.advisory": _("Cảnh báo lỗ hổng"),
    "intel.softwarealias": _("Tên gọi phần mềm"),
    "scams.blocklistsource": _("Danh sách chặn lừa đảo"),
    "scams.blocklistentry": _("Mục danh sách chặn lừa đảo"),
    "scams.scamreport": _("Báo cáo lừa đảo"),
    "intel.feedimport": _("Lần nhập dữ liệu lỗ hổng"),
    "intel.vulnduepolicy": _("Thời hạn xử lý lỗ hổng"),
    "drills.drill": _("Đợt diễn tập lừa đảo"),
    "drills.drilltemplate": _("Mẫu thư diễn tập"),
    "awareness.lesson": _("Bài học"),
    "awareness.lessonimage": _("Ảnh bài học"),
    "awareness.question": _("Câu hỏi bài học"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


class AuditUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u00a0\u00a0" * obj.depth + f"{obj.name} ({obj.code})"


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy.")},
    )


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tên đối tượng")}),
    )
    actor = forms.CharField(
        label=_("Người thực hiện"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Tên đăng nhập")}),
    )
    action = forms.ChoiceField(label=_("Hành động"), required=False)
    object_type = forms.ChoiceField(label=_("Loại đối tượng"), required=False)
    unit = AuditUnitField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), required=False, empty_label=_("Tất cả")
    )
    date_from = _date(_("Từ ngày"))
    date_to = _date(_("Đến ngày"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = audit_filter_choices(user)
        self.fields["action"].choices = [("", _("Tất cả"))] + [
            (a, f"{action_label(a)} ({a})" if a in ACTION_LABELS else a) for a in choices["actions"]
        ]
        self.fields["object_type"].choices = [("", _("Tất cả"))] + [
            (t, str(OBJECT_TYPE_LABELS.get(t, t))) for t in choices["object_types"]
        ]
        self.fields["unit"].queryset = visible_units(user).order_by("path")

    def filters(self) -> dict[str, Any]:
        """Valid fields become filters; an invalid field is ignored (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        unit = data.get("unit")
        return {
            "actor": (data.get("actor") or "").strip(),
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "unit_id": unit.pk if unit else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "q": (data.get("q") or "").strip(),
        }


def _filtered(request: HttpRequest):
    user = request.user
    if not is_department_admin(user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, user=user)
    return form, audit_log_for(user, **form.filters())


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _value(value: Any, field=None) -> str:
    """A recorded value as people read it: choice labels, dd/mm/yyyy dates, ✓/✗."""
    if value is None or value == "" or value == []:
        return "—"
    if field is not None and getattr(field, "choices", None) and isinstance(value, str):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if value is True:
        return "✓"
    if value is False:
        return "✗"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _model_fields(object_type: str) -> dict[str, Any]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    return {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}


def readable_changes(entry) -> list[tuple[str, str, str]]:
    """(field label, before, after) for the fields that changed, empty-to-empty left out."""
    fields = _model_fields(entry.object_type)
    rows = []
    for name, old, new in entry.changes():
        field = fields.get(name)
        before, after = _value(old, field), _value(new, field)
        if before == after:
            continue
        label = str(field.verbose_name) if field is not None else name
        rows.append((label, before, after))
    return rows


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for entry in page.object_list:
        rows.append(
            {
                "entry": entry,
                "label": action_label(entry.action),
                "type_label": str(OBJECT_TYPE_LABELS.get(entry.object_type, entry.object_type)),
                "changes": readable_changes(entry),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav_section": "audit",
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }
    htmx = getattr(request, "htmx", None)
    template = (
        "audit/_results.html"
        if htmx and not htmx.history_restore_request
        else "audit/audit_log.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV (UTF-8 with BOM so Excel shows Vietnamese correctly)."""
    _form, qs = _filtered(request)
    writer = csv.writer(_Echo())
    header = [
        gettext("Thời điểm"),
        gettext("Người thực hiện"),
        gettext("Hành động"),
        gettext("Mã hành động"),
        gettext("Loại đối tượng"),
        gettext("Mã đối tượng"),
        gettext("Đối tượng"),
        gettext("Đơn vị"),
        gettext("Ghi chú"),
        gettext("Trước"),
        gettext("Sau"),
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for e in qs.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                    e.actor_label,
                    action_label(e.action),
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    e.unit.code if e.unit_id and e.unit else "",
                    e.message,
                    json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                    json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
                ]
            )

    stamp = timezone.localdate().strftime("%Y%m%d")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.csv"'
    return response
