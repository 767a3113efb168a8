"""Pages of the software inventory: hosts with their software and how each entry was mapped,
information systems, import and export.

Reads go through ``assets.selectors`` (and ``intel.vuln_selectors`` for the exposures), scoped
to the user's units; the import writes through ``assets.inventory_import`` (audited). Anyone
with a data role reads; the Department's roles and a unit's IT officer import. A host the
user may not see is a 404; a learner (no data role) gets a 403.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lachan.intel import vuln_selectors
from lachan.org.selectors import visible_units
from lachan.web.importing import export_format, export_response, two_step_import, unsupported_format

from . import selectors
from .forms import HostFilterForm, InventoryImportForm
from .inventory_import import export_inventory, import_inventory
from .models import Host, MappingMethod

PAGE_SIZE = 50
IMPORT_SALT = "lachan.assets.inventory_import"


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _require_reader(user) -> None:
    if not visible_units(user).exists():
        raise PermissionDenied


def _inventory_context(request: HttpRequest, tab: str, **extra) -> dict[str, Any]:
    return {
        "nav_section": "inventory",
        "inventory_tab": tab,
        "can_import": selectors.inventory_manageable_units(request.user).exists(),
        **extra,
    }


# --- hosts ------------------------------------------------------------------------------------


def _host_filter_form(request: HttpRequest) -> HostFilterForm:
    user = request.user
    hosts = selectors.hosts_for(user)
    os_names = sorted(
        {n for n in hosts.order_by().values_list("os", flat=True).distinct() if n},
        key=str.casefold,
    )
    return HostFilterForm(
        request.GET or None,
        units=visible_units(user).order_by("path"),
        systems=selectors.systems_for(user).order_by("unit__path", "name"),
        os_names=os_names,
    )


def _filtered_hosts(user, form: HostFilterForm):
    data = form.values()
    if data.get("unit") is False or data.get("system") is False:
        return selectors.hosts_for(user).none()
    exposed = {"yes": True, "no": False}.get(data.get("exposed") or "")
    system = int(data["system"]) if data.get("system") else None
    hosts = selectors.hosts_for(
        user,
        unit=data.get("unit"),
        system=system,
        q=(data.get("q") or "").strip(),
        exposed=exposed,
    )
    if data.get("os"):
        hosts = hosts.filter(os=data["os"])
    if data.get("role"):
        hosts = hosts.filter(role=data["role"])
    return hosts


@require_GET
def host_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    form = _host_filter_form(request)
    hosts = _filtered_hosts(user, form).order_by("unit__path", "name", "pk")
    page = Paginator(hosts, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = vuln_selectors.exposure_counts_by_host(user, list(page.object_list))
    mapping = selectors.mapping_counts(user)
    for host in page.object_list:
        host.exposure_counts = counts.get(host.pk, {"affected": 0, "needs_review": 0, "kev": 0})
    context = _inventory_context(
        request,
        "hosts",
        form=form,
        page=page,
        software_total=sum(mapping.values()),
        unmapped=mapping.get(MappingMethod.UNMAPPED, 0),
        partial=_partial(request),
    )
    template = "assets/_host_results.html" if _partial(request) else "assets/host_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _host_or_404(user, pk: int) -> Host:
    try:
        return selectors.get_host(user, pk)
    except Host.DoesNotExist:
        raise Http404 from None


@require_GET
def host_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from lachan.intel.vuln_views import tasks_by_finding

    user = request.user
    _require_reader(user)
    host = _host_or_404(user, pk)
    software = list(selectors.software_for(user, host=host))
    exposures = vuln_selectors.host_exposures(user, host)
    every = [*exposures.affected, *exposures.needs_review]
    by_finding = tasks_by_finding(user, every)
    by_software: dict[int | None, list] = defaultdict(list)
    for e in sorted(every, key=lambda e: (e.status != "affected", e.priority)):
        by_software[e.software_id].append(e)
    for entry in software:
        entry.open_exposures = by_software.get(entry.pk, [])
    tasks = []
    for e in every:
        task = by_finding.get(e.finding_id)
        if task is not None and task not in tasks:
            tasks.append(task)
    unmapped = sum(1 for s in software if s.mapping_method == MappingMethod.UNMAPPED)
    context = _inventory_context(
        request,
        "hosts",
        host=host,
        software=software,
        exposures=exposures,
        tasks=tasks,
        unmapped=unmapped,
        orphans=by_software.get(None, []),
        can_edit=selectors.can_manage_inventory(user, host.unit),
    )
    return render(request, "assets/host_detail.html", context)


# --- information systems ----------------------------------------------------------------------


@require_GET
def system_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    units = visible_units(user).order_by("path")
    unit_pk = request.GET.get("unit", "")
    unit = units.filter(pk=int(unit_pk)).first() if unit_pk.isdigit() else None
    q = (request.GET.get("q") or "").strip()[:200]
    systems = selectors.systems_for(user, unit=unit, q=q).order_by("unit__path", "name")
    if unit_pk and unit is None:
        systems = systems.none()
    page = Paginator(systems, PAGE_SIZE).get_page(request.GET.get("page"))
    exposed: dict[int, int] = defaultdict(int)
    shown = [s.pk for s in page.object_list]
    for system_id in (
        selectors.hosts_for(user, exposed=True)
        .filter(system_id__in=shown)
        .values_list("system_id", flat=True)
    ):
        exposed[system_id] += 1
    for system in page.object_list:
        system.exposed_hosts = exposed.get(system.pk, 0)
    context = _inventory_context(
        request, "systems", page=page, units=units, unit=unit, q=q, unit_pk=unit_pk
    )
    return render(request, "assets/system_list.html", context)


# --- import and export ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def inventory_import(request: HttpRequest) -> HttpResponse:
    if not selectors.inventory_manageable_units(request.user).exists():
        raise PermissionDenied
    return two_step_import(
        request,
        run=import_inventory,
        form_class=InventoryImportForm,
        template="assets/inventory_import.html",
        context=_inventory_context(request, "import"),
        salt=IMPORT_SALT,
        page_url="inventory_import",
        done_url="host_list",
        done_message=lambda report: (
            _(
                "Đã nhập tệp %(file)s: %(created)d phần mềm mới, %(updated)d cập nhật, "
                "%(unchanged)d không đổi. Hệ thống đang đối chiếu lại với dữ liệu lỗ hổng."
            )
            % {
                "file": report.filename,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        ),
    )


@require_GET
def inventory_export(request: HttpRequest) -> HttpResponse:
    """The software of the filtered hosts, in the import's columns (and, with
    ``?mapping=1``, how each entry was mapped)."""
    user = request.user
    _require_reader(user)
    fmt = export_format(request)
    if fmt is None:
        return unsupported_format()
    form = _host_filter_form(request)
    hosts = _filtered_hosts(user, form)
    software = selectors.software_for(user).filter(host__in=hosts.values("pk"))
    data = export_inventory(
        user=user, fmt=fmt, software=software, with_mapping=request.GET.get("mapping") == "1"
    )
    return export_response(data, fmt=fmt, basename="danh-muc-phan-mem")
