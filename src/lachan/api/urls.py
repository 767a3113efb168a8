"""The REST API, mounted at /api/v1/ (``web/urls.py``).

- OpenAPI schema: ``/api/v1/openapi.json``; interactive docs: ``/api/v1/docs`` (local assets).
- Authentication: ``Authorization: Bearer <token>`` (``org.ApiToken``), or the web session
  with its CSRF token on unsafe methods.
- One router per app (``lachan.<app>.api``), mounted under the app's name. Every operation
  names itself with an explicit ``operation_id``, which is also its URL name
  (``api:<operation_id>``) and its key in the authorization matrix (``tests/authz``).
- Errors: see ``lachan.api.errors``.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import errors
from .auth import api_token_auth, session_auth
from .docs import LocalSwagger, docs_asset

DESCRIPTION = """
API của Lá Chắn cho các hệ thống tích hợp và tác tử (agent).

**Xác thực**: gửi `Authorization: Bearer <mã truy cập>`; hoặc dùng phiên đăng nhập web
(kèm mã CSRF trong `X-CSRFToken` với các yêu cầu thay đổi dữ liệu).

**Phạm vi**: mỗi người dùng chỉ thấy dữ liệu của các đơn vị mình được phân quyền (cả cây đơn
vị cấp dưới). Đối tượng ngoài phạm vi trả về 404, như đối tượng không tồn tại.

**Mã lỗi**: 401 chưa xác thực; 403 không đủ quyền; 404 không tìm thấy; 409 thao tác không
hợp với trạng thái hiện tại (ví dụ xác nhận một việc chưa được báo cáo); 422 dữ liệu không
hợp lệ, kèm `errors` theo từng trường.
"""


class UnicodeJSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class LachanAPI(NinjaAPI):
    def get_operation_url_name(self, operation, router) -> str:
        # The URL name is the operation id, so routes and OpenAPI operations share one name.
        return operation.operation_id or self.get_openapi_operation_id(operation)

    def _get_urls(self):
        urls = [u for u in super()._get_urls() if getattr(u, "name", None) != "api-root"]
        urls.append(path("docs/assets/<str:name>", docs_asset, name="docs-asset"))
        urls.append(path("", api_index, name="api-root"))
        return urls


@require_safe
def api_index(request: HttpRequest, **kwargs) -> JsonResponse:
    """GET /api/v1/ — where the schema and the docs are."""
    return JsonResponse(
        {
            "name": api.title,
            "version": api.version,
            "openapi": reverse("api:openapi-json"),
            "docs": reverse("api:openapi-view"),
        },
        json_dumps_params={"ensure_ascii": False},
    )


api = LachanAPI(
    title="Lá Chắn API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[api_token_auth, session_auth],
    renderer=UnicodeJSONRenderer(),
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/org/", "lachan.org.api.router")
api.add_router("/remediation/", "lachan.remediation.api.router")
api.add_router("/assets/", "lachan.assets.api.router")
api.add_router("/intel/", "lachan.intel.api.router")
api.add_router("/awareness/", "lachan.awareness.api.router")
api.add_router("/scams/", "lachan.scams.api.router")
api.add_router("/drills/", "lachan.drills.api.router")
