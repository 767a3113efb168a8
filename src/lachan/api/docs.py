"""The interactive API docs, served entirely from this server (no CDN).

django-ninja 1.7 renders Swagger UI from its own bundled static files only when ``ninja``
is in INSTALLED_APPS, and otherwise from a CDN. Rather than depend on that switch, the
docs page here is our own template and its four asset files are streamed from the pinned
django-ninja package (``ninja/static/ninja/``) by ``docs_asset``: same version as the
package, nothing vendored into the repository, nothing fetched from outside.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
DOCS_ASSETS = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"}
)


class LocalSwagger(DocsBase):
    """Swagger UI whose assets come from ``docs_asset``; sends the CSRF token for session calls."""

    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            "api/docs.html",
            {"api": api, "swagger_settings": json.dumps(settings).replace("<", "\\u003c")},
        )


@require_safe
@cache_control(max_age=86400, public=True)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in DOCS_ASSETS:
        raise Http404
    path = NINJA_STATIC / name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), content_type=content_type)
