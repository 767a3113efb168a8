"""Pages of the network registry. Reads go through assets.selectors (scoped to the user's
units), writes through assets.services (audited). A network the user may not see is a 404;
one they may see but not change (a unit head, a unit outside their IT assignment) is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.org.selectors import visible_units
from lachan.web.importing import export_format, export_response, two_step_import, unsupported_format
from lachan.web.views import form_errors_from

from . import selectors, services
from .forms import NetworkFilterForm, NetworkForm, NetworkImportForm
from .importers import export_networks, import_networks, overlap_message
from .models import Network

PAGE_SIZE = 50
OVERLAPS_SHOWN = 50
IMPORT_SALT = "lachan.assets.network_import"
LIST_ORDER = ("unit__path", "version", "range_start", "prefix_length", "valid_from", "pk")


def _partial(request: HttpRequest) -> bool:
    """An HTMX request for just the results (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _network_or_404(user, pk: int) -> Network:
    try:
        return selectors.get_network(user, pk)
    except Network.DoesNotExist as exc:
        raise Http404 from exc


def _require_manager(user, network: Network | None = None) -> None:
    """Refuse before looking at the form, so a forbidden POST is a 403, not a form error."""
    if network is None:
        allowed = selectors.may_manage_some_networks(user)
    else:
        allowed = selectors.can_manage_networks(user, network.unit)
    if not allowed:
        raise PermissionDenied


def _filter_form(request: HttpRequest) -> NetworkFilterForm:
    user = request.user
    return NetworkFilterForm(
        request.GET or None,
        units=visible_units(user).order_by("path"),
        isps=selectors.isp_names(user),
    )


# --- list and export --------------------------------------------------------------------------


def _overlap_rows(warnings) -> list[dict]:
    rows = []
    for w in warnings[:OVERLAPS_SHOWN]:
        rows.append({"warning": w, "text": overlap_message(w)})
    return rows


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = _filter_form(request)
    networks = selectors.networks_for(user, **form.selector_kwargs()).order_by(*LIST_ORDER)
    page = Paginator(networks, PAGE_SIZE).get_page(request.GET.get("page"))
    overlaps = selectors.overlap_warnings(user)
    in_overlap = {w.outer.pk for w in overlaps} | {w.inner.pk for w in overlaps}
    manageable = set(selectors.manageable_units(user).values_list("pk", flat=True))
    for network in page.object_list:
        network.in_overlap = network.pk in in_overlap
        network.can_edit = network.unit_id in manageable
    context = {
        "nav_section": "networks",
        "form": form,
        "page": page,
        "can_create": bool(manageable),
        "overlaps": _overlap_rows(overlaps),
        "overlap_count": len(overlaps),
        "today": timezone.localdate(),
        "partial": _partial(request),
    }
    template = "assets/_network_results.html" if _partial(request) else "assets/network_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def network_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with BOM), XLSX or JSON, in the import's columns."""
    fmt = export_format(request)
    if fmt is None:
        return unsupported_format()
    form = _filter_form(request)
    networks = selectors.networks_for(request.user, **form.selector_kwargs())
    data = export_networks(user=request.user, fmt=fmt, networks=networks)
    return export_response(data, fmt=fmt, basename="mang-don-vi")


# --- create, edit, delete ---------------------------------------------------------------------


def _list_url(unit_pk: int | None = None) -> str:
    url = reverse("network_list")
    return f"{url}?unit={unit_pk}" if unit_pk else url


def _after_save_messages(request: HttpRequest, network: Network, form: NetworkForm) -> None:
    if form.special_warning:
        messages.warning(request, form.special_warning)
    for warning in selectors.overlap_warnings(request.user, involving=[network.pk]):
        messages.warning(request, overlap_message(warning))


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _save(request: HttpRequest, form: NetworkForm, network: Network | None) -> Network | None:
    if not form.is_valid():
        return None
    try:
        saved = services.save_network(actor=request.user, network=network, **form.service_kwargs())
    except ValidationError as exc:
        form_errors_from(form, exc)
        return None
    if network is None:
        messages.success(
            request,
            _("Đã thêm dải %(prefix)s cho %(unit)s.")
            % {"prefix": saved.prefix, "unit": saved.unit.display_name},
        )
    else:
        messages.success(
            request, _("Đã lưu thay đổi của dải %(prefix)s.") % {"prefix": saved.prefix}
        )
    _after_save_messages(request, saved, form)
    return saved


@require_http_methods(["GET", "POST"])
def network_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    units = selectors.manageable_units(user).order_by("path")
    initial = {"is_static": True, "line_type": "ftth"}
    unit_pk = request.GET.get("unit", "")
    if unit_pk.isdigit():
        initial["unit"] = units.filter(pk=int(unit_pk)).first()
    elif units.count() == 1:
        initial["unit"] = units.first()
    form = NetworkForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            return redirect(_next_url(request, _list_url(saved.unit_id)))
    context = {"nav_section": "networks", "form": form, "network": None}
    return render(request, "assets/network_form.html", context)


@require_http_methods(["GET", "POST"])
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from lachan.audit.views import action_label, readable_changes

    user = request.user
    network = _network_or_404(user, pk)
    _require_manager(user, network)
    units = selectors.manageable_units(user).order_by("path")
    form = NetworkForm(request.POST or None, units=units, instance=network)
    if request.method == "POST":
        saved = _save(request, form, network)
        if saved is not None:
            return redirect(_next_url(request, _list_url(saved.unit_id)))
    history = selectors.network_history(user, network)
    unit_names = {u.pk: u.display_name for u in visible_units(user)}
    for entry in history:
        entry.label = action_label(entry.action)
        entry.readable = _readable(entry, unit_names, readable_changes)
    context = {
        "nav_section": "networks",
        "form": form,
        "network": network,
        "history": history,
        "overlaps": _overlap_rows(selectors.overlap_warnings(user, involving=[network.pk])),
    }
    return render(request, "assets/network_form.html", context)


def _readable(entry, unit_names: dict[int, str], readable_changes) -> list[tuple[str, str, str]]:
    """The changes of one audit record, with units by name; a network moved in from a unit
    outside the user's scope shows only that it moved, not what it was there."""
    before, after = entry.before or {}, entry.after or {}
    unit_label = str(Network._meta.get_field("unit").verbose_name)
    outside = _("(đơn vị ngoài phạm vi của bạn)")
    if entry.moved_in:
        return [(unit_label, outside, unit_names.get(after.get("unit"), outside))]
    rows = []
    for label, old, new in readable_changes(entry):
        if label == unit_label:
            old = unit_names.get(before.get("unit"), outside)
            new = unit_names.get(after.get("unit"), outside)
        rows.append((label, old, new))
    return rows


@require_POST
def network_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    network = _network_or_404(user, pk)
    _require_manager(user, network)
    unit_pk, prefix = network.unit_id, network.prefix
    services.delete_network(actor=user, network=network)
    messages.success(request, _("Đã xoá dải %(prefix)s.") % {"prefix": prefix})
    return redirect(_next_url(request, _list_url(unit_pk)))


# --- import -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def network_import(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    return two_step_import(
        request,
        run=import_networks,
        form_class=NetworkImportForm,
        template="assets/network_import.html",
        context={"nav_section": "networks"},
        salt=IMPORT_SALT,
        page_url="network_import",
        done_url="network_list",
        done_message=lambda report: (
            _(
                "Đã nhập tệp %(file)s: %(created)d dải mới, %(updated)d cập nhật, "
                "%(unchanged)d không đổi."
            )
            % {
                "file": report.filename,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        ),
    )
