"""Blocklist pages (Department officers): the lists, import, a list's entries, switching a
list or an entry off and on, adding an entry by hand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.org.selectors import is_department_staff

from .. import selectors, services
from ..forms import BlocklistImportForm, EntryFilterForm, EntryForm
from ..models import BlocklistEntry, BlocklistSource
from ..services.blocklists import max_import_bytes

PAGE_SIZE = 100


def _require_department(user) -> None:
    if not is_department_staff(user):
        raise PermissionDenied


def _source_or_404(user, pk: int) -> BlocklistSource:
    try:
        return selectors.get_source(user, pk)
    except BlocklistSource.DoesNotExist:
        raise Http404 from None


@require_GET
def blocklist_source_list(request: HttpRequest) -> HttpResponse:
    _require_department(request.user)
    context = {
        "nav_section": "blocklists",
        "sources": selectors.visible_sources(request.user),
    }
    return render(request, "scams/source_list.html", context)


@require_http_methods(["GET", "POST"])
def blocklist_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_department(user)
    form = BlocklistImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            form.add_error(
                "file",
                _("%(file)s lớn hơn giới hạn %(mb)d MB.")
                % {"file": upload.name, "mb": limit // 2**20},
            )
        else:
            try:
                outcome = services.import_blocklist(
                    actor=user,
                    data=upload.read(),
                    filename=upload.name,
                    name=form.cleaned_data["name"],
                    fmt=form.cleaned_data["format"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else "file", errors)
                else:
                    form.add_error("file", exc.messages)
            else:
                messages.success(
                    request,
                    _(
                        "Đã nhập “%(name)s”: %(total)d mục — thêm %(added)d, bỏ %(removed)d, "
                        "giữ nguyên %(kept)d."
                    )
                    % {
                        "name": outcome.source.name,
                        "total": outcome.total,
                        "added": outcome.added,
                        "removed": outcome.removed,
                        "kept": outcome.kept,
                    },
                )
                return redirect("blocklist_source_detail", pk=outcome.source.pk)
    context = {
        "nav_section": "blocklists",
        "form": form,
        "names": list(
            selectors.visible_sources(user).filter(origin="imported").values_list("name", flat=True)
        ),
    }
    return render(request, "scams/import.html", context)


@require_GET
def blocklist_source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_department(user)
    source = _source_or_404(user, pk)
    form = EntryFilterForm(request.GET or None)
    entries = selectors.entries_of(user, source, **form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav_section": "blocklists", "source": source, "form": form, "page": page}
    return render(request, "scams/source_detail.html", context)


@require_POST
def blocklist_source_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_department(user)
    source = _source_or_404(user, pk)
    active = not source.is_active
    services.set_source_active(actor=user, source=source, active=active)
    messages.success(
        request,
        (_("Đã bật danh sách “%(n)s”.") if active else _("Đã tắt danh sách “%(n)s”."))
        % {"n": source.name},
    )
    return redirect("blocklist_source_detail", pk=source.pk)


@require_POST
def blocklist_entry_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_department(user)
    try:
        entry = selectors.get_entry(user, pk)
    except BlocklistEntry.DoesNotExist:
        raise Http404 from None
    entry = services.set_entry_active(actor=user, entry=entry, active=not entry.is_active)
    messages.success(
        request,
        (_("Đã bật lại mục “%(v)s”.") if entry.is_active else _("Đã tắt mục “%(v)s”."))
        % {"v": entry.value},
    )
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("blocklist_source_detail", pk=entry.source_id)


@require_http_methods(["GET", "POST"])
def blocklist_entry_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_department(user)
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_manual_entry(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Đã thêm %(kind)s “%(v)s” vào danh sách chặn.")
                % {"kind": entry.get_kind_display().lower(), "v": entry.value},
            )
            return redirect("blocklist_source_detail", pk=entry.source_id)
    return render(request, "scams/entry_add.html", {"nav_section": "blocklists", "form": form})
