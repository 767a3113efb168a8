"""One JSON error shape for every API failure, never a traceback.

    {"detail": "<message for people>", "errors": {"<field>": ["<message>", …]}}

``errors`` is present only on 422. Status codes:

- 401 no or bad credentials (``WWW-Authenticate: Bearer``)
- 403 authenticated but not allowed (a role the action needs, CSRF)
- 404 the object does not exist *or the caller may not see it* (no existence leak)
- 409 the request conflicts with the object's state: a task transition that its current
  status does not allow (e.g. verifying a task that was never submitted), a duplicate row
- 422 the input is invalid (schema validation and the services' ``ValidationError``)
- 500 anything unexpected (logged server-side)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaValidationError

from lachan.remediation.services import TransitionError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("lachan.api")

# Where ninja puts a parameter, and the names our operations give their body/filter params:
# neither belongs in the field name a client sees.
_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie"}
_PARAM_NAMES = {"payload", "filters"}


def _schema_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("Trường này là bắt buộc."),
        "extra_forbidden": _("Trường này không được hỗ trợ."),
        "string_too_long": _("Tối đa %(n)s ký tự.") % {"n": ctx.get("max_length", "")},
        "string_too_short": _("Tối thiểu %(n)s ký tự.") % {"n": ctx.get("min_length", "")},
        "int_parsing": _("Phải là số nguyên."),
        "int_type": _("Phải là số nguyên."),
        "bool_parsing": _("Phải là true hoặc false."),
        "bool_type": _("Phải là true hoặc false."),
        "date_from_datetime_parsing": _("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
        "date_parsing": _("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
        "datetime_parsing": _("Thời điểm không hợp lệ (định dạng ISO 8601)."),
        "datetime_from_date_parsing": _("Thời điểm không hợp lệ (định dạng ISO 8601)."),
        "enum": _("Giá trị không hợp lệ; chọn một trong: %(v)s.") % {"v": ctx.get("expected", "")},
        "literal_error": _("Giá trị không hợp lệ; chọn một trong: %(v)s.")
        % {"v": ctx.get("expected", "")},
        "greater_than_equal": _("Phải lớn hơn hoặc bằng %(n)s.") % {"n": ctx.get("ge", "")},
        "less_than_equal": _("Phải nhỏ hơn hoặc bằng %(n)s.") % {"n": ctx.get("le", "")},
        "dict_type": _("Phải là một đối tượng JSON."),
        "list_type": _("Phải là một danh sách."),
        "string_type": _("Phải là chuỗi ký tự."),
        "json_invalid": _("Nội dung JSON không hợp lệ."),
        "model_attributes_type": _("Nội dung yêu cầu không hợp lệ."),
    }
    if kind in messages:
        return messages[kind]
    if kind == "value_error":
        # Raised by our own validators, whose messages are already translated.
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", _("Giá trị không hợp lệ.")))


def _schema_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _PARAM_NAMES:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


def schema_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        out.setdefault(_schema_field(list(error.get("loc", []))), []).append(_schema_message(error))
    return out


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (replacing ninja's defaults)."""

    def respond(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        return respond(
            request, 422, _("Dữ liệu gửi lên không hợp lệ."), errors=schema_errors(exc.errors)
        )

    def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, _("Dữ liệu gửi lên không hợp lệ."), errors=django_errors(exc))

    def on_transition_error(request: HttpRequest, exc: TransitionError) -> HttpResponse:
        return respond(request, 409, " ".join(str(m) for m in exc.messages))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, _("Bạn không có quyền thực hiện thao tác này."))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, _("Không tìm thấy."))

    def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API integrity error on %s: %s", request.path, exc)
        return respond(request, 409, _("Dữ liệu xung đột với dữ liệu đã có."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        default = {
            400: _("Không đọc được nội dung yêu cầu: hãy gửi JSON hợp lệ."),
            401: _("Cần đăng nhập hoặc mã truy cập API hợp lệ."),
            403: _("Bạn không có quyền thực hiện thao tác này."),
            404: _("Không tìm thấy."),
            429: _("Quá nhiều yêu cầu. Hãy thử lại sau."),
        }
        # ninja's own messages are English ("Unauthorized"); ours are already translated.
        message = str(exc)
        if message in {"Unauthorized", "Forbidden", "Not Found", "Too many requests."} or (
            exc.status_code == 400 and message.startswith("Cannot parse request body")
        ):
            message = default.get(exc.status_code, message)
        response = respond(request, exc.status_code, message)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="lachan"'
        return response

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, _("Lỗi máy chủ. Sự cố đã được ghi lại."))

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(SchemaValidationError, on_schema_error)
    api.add_exception_handler(DjangoValidationError, on_validation_error)
    api.add_exception_handler(TransitionError, on_transition_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(IntegrityError, on_integrity_error)
