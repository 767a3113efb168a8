"""Pages of vulnerability alerts: CVE search and detail, exposure per unit and across the
province (charts), the Department's advisories, the feeds, the due-date policy and the
software-name alias table.

Reads go through ``intel.vuln_selectors`` (records and advisories are public to every data
role; which unit runs what is always scoped to the user's units), writes through
``intel.vulns`` and ``intel.vuln_page_services`` (audited). A learner (no data role) gets a
403; an object the user may not see is a 404; a Department action asked by anyone else a 403.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Min, Prefetch, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.importing import export_table
from lachan.org.models import Unit
from lachan.org.selectors import get_unit, is_department_admin, visible_units
from lachan.remediation import selectors as task_selectors
from lachan.remediation.models.tasks import UNFINISHED_STATUSES
from lachan.web.importing import export_format, export_response, unsupported_format
from lachan.web.views import form_errors_from, unit_bar_chart

from . import vuln_selectors as selectors
from .models import Advisory, AliasKind, Vulnerability
from .vuln_charts import priority_label, priority_timeseries_chart, sparkline, unit_rows_for_chart
from .vuln_forms import (
    POLICY_LABELS,
    AdvisoryForm,
    AliasForm,
    AliasTryForm,
    ExposureFilterForm,
    FeedUploadForm,
    ProductFormSet,
    SummaryForm,
    VulnPolicyForm,
    VulnSearchForm,
    product_initial,
)

PAGE_SIZE = 50
UNIT_SECTION_HOSTS = 5
MATCH_HEADERS = {  # the XLSX header; CSV and JSON keep the keys of ``lachan vuln matches``
    "unit_code": gettext_lazy("Mã đơn vị"),
    "host": gettext_lazy("Máy"),
    "vendor": gettext_lazy("Hãng"),
    "product": gettext_lazy("Phần mềm"),
    "version": gettext_lazy("Phiên bản"),
    "cve": gettext_lazy("Mã lỗ hổng"),
    "cvss": gettext_lazy("CVSS"),
    "severity": gettext_lazy("Mức độ"),
    "kev": gettext_lazy("KEV"),
    "epss": gettext_lazy("EPSS"),
    "priority": gettext_lazy("Ưu tiên"),
    "fixed_version": gettext_lazy("Phiên bản đã sửa"),
    "status": gettext_lazy("Kết luận"),
}


# --- helpers ----------------------------------------------------------------------------------


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _require_reader(user) -> None:
    if not selectors.may_read_vulnerabilities(user):
        raise PermissionDenied


def _require_manager(user) -> None:
    if not selectors.may_manage_vulnerabilities(user):
        raise PermissionDenied


def _unit_or_404(user, pk: int) -> Unit:
    try:
        return get_unit(user, pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None


def _vuln_context(request: HttpRequest, tab: str, **extra) -> dict[str, Any]:
    user = request.user
    return {
        "nav_section": "vulns",
        "vuln_tab": tab,
        "can_manage": selectors.may_manage_vulnerabilities(user),
        **extra,
    }


def tasks_by_finding(user, exposures) -> dict[int, Any]:
    """{finding id: the task that carries it}, among the tasks the user may see: the
    unfinished one when there is one, else the latest."""
    ids = {e.finding_id for e in exposures if e.finding_id}
    if not ids:
        return {}
    tasks = task_selectors.tasks_for(user).order_by("-created_at", "-id")
    findings = task_selectors.findings_for(user).filter(pk__in=ids)
    out = {}
    for finding in findings.prefetch_related(Prefetch("tasks", queryset=tasks)):
        found = list(finding.tasks.all())
        unfinished = [t for t in found if t.status in UNFINISHED_STATUSES]
        if unfinished or found:
            out[finding.pk] = (unfinished or found)[0]
    return out


def _attach_tasks(user, exposures) -> None:
    by_finding = tasks_by_finding(user, exposures)
    for e in exposures:
        e.task = by_finding.get(e.finding_id)


def _host_task(host_item) -> Any:
    """The task of a host: the one its exposures' finding points to (one per unit and host)."""
    for e in (*host_item.affected, *host_item.needs_review):
        if getattr(e, "task", None) is not None:
            return e.task
    return None


# --- search -----------------------------------------------------------------------------------


def _priority_order(qs):
    """Records open in the user's units first, then KEV, EPSS and CVSS (the order of the
    priority of an exposure), newest last."""
    return qs.annotate(
        _exposed=Case(
            When(open_exposures__gt=0, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by(
        "_exposed",
        "-kev",
        F("epss").desc(nulls_last=True),
        F("cvss31_score").desc(nulls_last=True),
        F("cvss40_score").desc(nulls_last=True),
        F("published").desc(nulls_last=True),
        "record_id",
    )


@require_GET
def vuln_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    form = VulnSearchForm(request.GET or None)
    records = selectors.vulnerabilities_search(
        user, **form.selector_kwargs(), exposed_only=form.affects_only()
    )
    page = Paginator(_priority_order(records), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    per_record = (
        selectors.exposures_for(user)
        .filter(vulnerability__in=[r.pk for r in rows])
        .order_by()
        .values("vulnerability_id")
        .annotate(hosts=Count("host_id", distinct=True), best=Min("priority"))
    )
    stats = {r["vulnerability_id"]: r for r in per_record}
    for r in rows:
        found = stats.get(r.pk) or {}
        r.host_count = found.get("hosts", 0)
        r.best_priority = found.get("best")
    page.object_list = rows
    context = _vuln_context(request, "search", form=form, page=page, partial=_partial(request))
    template = "intel/vuln/_vuln_results.html" if _partial(request) else "intel/vuln/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- a record ---------------------------------------------------------------------------------


def _detail_or_404(user, record_id: str):
    try:
        return selectors.vulnerability_detail(user, record_id)
    except Vulnerability.DoesNotExist:
        raise Http404 from None


def configuration_groups(vuln: Vulnerability) -> list[dict[str, Any]]:
    """The configurations in reading order: each the vulnerable products (one line per
    product, its version ranges together) and, for the "running on" kind, the platforms
    they must run on."""
    groups = []
    for config in vuln.configurations or []:
        lines: dict[str, dict[tuple[str, str], dict[str, Any]]] = {
            "vulnerable": {},
            "platforms": {},
        }
        for node in config.get("nodes", []):
            for m in node.get("cpeMatch", []):
                parts = m.get("criteria", "").split(":")
                vendor = parts[3] if len(parts) > 4 else ""
                product = parts[4] if len(parts) > 4 else m.get("criteria", "")
                side = "vulnerable" if m.get("vulnerable", True) else "platforms"
                line = lines[side].setdefault(
                    (vendor, product),
                    {
                        "vendor": vendor.replace("\\", ""),
                        "product": product.replace("\\", ""),
                        "ranges": [],
                        "criteria": [],
                    },
                )
                text = selectors.range_text(m, parts[5] if len(parts) > 5 else "*")
                if len(parts) > 10 and parts[10] not in ("*", "-"):
                    text += " " + _("(bản cho %(t)s)") % {"t": parts[10]}
                if text not in line["ranges"]:
                    line["ranges"].append(text)
                line["criteria"].append(m.get("criteria", ""))
        for side in lines.values():
            for line in side.values():
                line["range"] = "; ".join(line["ranges"])
        if lines["vulnerable"] or lines["platforms"]:
            groups.append(
                {
                    "vulnerable": list(lines["vulnerable"].values()),
                    "platforms": list(lines["platforms"].values()),
                }
            )
    return groups


def reference_links(references) -> list[dict[str, Any]]:
    """References as links; only http(s) addresses become links (a feed is not trusted)."""
    out = []
    for ref in references or []:
        url = ref.get("url", "") if isinstance(ref, dict) else str(ref)
        if url:
            out.append({"url": url, "link": url.lower().startswith(("https://", "http://"))})
    return out


@require_GET
def vuln_detail(request: HttpRequest, record_id: str) -> HttpResponse:
    user = request.user
    _require_reader(user)
    detail = _detail_or_404(user, record_id)
    vuln = detail.vulnerability
    if vuln.record_id != record_id:
        return redirect("vuln_detail", record_id=vuln.record_id)
    _attach_tasks(user, detail.exposures)
    for item in detail.affected_units:
        item.rows = sorted(item.exposures, key=lambda e: (e.priority, e.host.name.casefold()))
    context = _vuln_context(
        request,
        "search",
        detail=detail,
        v=vuln,
        configurations=configuration_groups(vuln),
        summary_form=SummaryForm(initial={"summary_vi": vuln.summary_vi}),
        references=reference_links(vuln.references),
        advisory=getattr(vuln, "advisory", None) if vuln.source == "advisory" else None,
    )
    return render(request, "intel/vuln/detail.html", context)


@require_POST
def vuln_summary_edit(request: HttpRequest, record_id: str) -> HttpResponse:
    from .vuln_page_services import set_summary_vi

    user = request.user
    _require_manager(user)
    detail = _detail_or_404(user, record_id)
    vuln = detail.vulnerability
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            set_summary_vi(actor=user, vulnerability=vuln, summary=form.cleaned_data["summary_vi"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Đã lưu tóm tắt tiếng Việt của %(id)s.") % {"id": vuln.record_id}
            )
    else:
        messages.error(request, " ".join(form.errors.get("summary_vi", [])))
    return redirect(reverse("vuln_detail", args=[vuln.record_id]) + "#tom-tat")


# --- a unit -----------------------------------------------------------------------------------


def highest_version(values) -> str:
    """The highest of the fixed versions (the one to upgrade to); "" when none is known."""
    from lachan.engine.versions import compare

    best = ""
    for value in values:
        if value and (not best or (compare(value, best) or 0) > 0):
            best = value
    return best


def software_groups(exposures) -> list[dict[str, Any]]:
    """A host's open exposures by software entry: what to upgrade, to which version, how
    urgently — what a unit's IT officer acts on (one line per program, not per CVE)."""
    groups: dict[Any, dict[str, Any]] = {}
    for e in exposures:
        key = e.software_id or e.product_label
        g = groups.setdefault(
            key, {"label": e.product_label, "affected": [], "review": [], "software_id": key}
        )
        (g["affected"] if e.status == "affected" else g["review"]).append(e)
    out = []
    for g in groups.values():
        g["affected"].sort(key=lambda e: (e.priority, -e.score, e.vulnerability.record_id))
        g["worst"] = g["affected"][0].priority if g["affected"] else None
        g["kev"] = sum(1 for e in g["affected"] if e.vulnerability.kev)
        g["fixed"] = highest_version(e.fixed_version for e in g["affected"])
        g["shown"] = (g["affected"] or g["review"])[:3]
        g["more"] = len(g["affected"] or g["review"]) - len(g["shown"])
        out.append(g)
    out.sort(key=lambda g: (g["worst"] or 9, -len(g["affected"]), g["label"].casefold()))
    return out


def _unit_picture(user, unit: Unit):
    picture = selectors.unit_exposure(user, unit)
    if picture is None:
        raise Http404
    exposures = [e for h in picture.hosts for e in (*h.affected, *h.needs_review)]
    _attach_tasks(user, exposures)
    for item in picture.hosts:
        item.task = _host_task(item)
        item.groups = software_groups((*item.affected, *item.needs_review))
    return picture


@require_GET
def vuln_unit_exposure(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_reader(user)
    unit = _unit_or_404(user, pk)
    picture = _unit_picture(user, unit)
    series = selectors.exposure_timeseries(user, 90, unit=unit)
    context = _vuln_context(
        request,
        "exposure",
        unit=unit,
        picture=picture,
        chart_subtree=visible_units(user).filter(parent=unit).exists(),
        priority_cards=_priority_cards(picture.by_priority),
        chart=priority_timeseries_chart(series, height=180),
    )
    return render(request, "intel/vuln/unit_exposure.html", context)


def unit_section_context(user, unit: Unit) -> dict[str, Any]:
    """The "Lỗ hổng bảo mật" section of the unit page: counts and the worst hosts."""
    if not selectors.may_read_vulnerabilities(user):
        return {"unit": unit, "hidden": True}
    picture = _unit_picture(user, unit)
    return {
        "unit": unit,
        "picture": picture,
        "hosts": picture.hosts[:UNIT_SECTION_HOSTS],
        "more": max(0, len(picture.hosts) - UNIT_SECTION_HOSTS),
        "priority_cards": _priority_cards(picture.by_priority),
    }


def _priority_cards(by_priority: dict[int, int]) -> list[dict[str, Any]]:
    return [
        {"priority": p, "label": priority_label(p), "count": by_priority.get(p, 0)}
        for p in (1, 2, 3, 4)
    ]


# --- across units -----------------------------------------------------------------------------


@require_GET
def vuln_exposure_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    units = visible_units(user).order_by("path")
    form = ExposureFilterForm(request.GET or None, units=units)
    filters = form.selector_kwargs()
    series = selectors.exposure_timeseries(user, 90, unit=filters["unit"])
    summary = selectors.exposure_summary_by_unit(user)
    if filters["unit"] is not None:
        inside = set(
            units.filter(path__startswith=filters["unit"].path).values_list("pk", flat=True)
        )
        summary = [r for r in summary if r["unit_id"] in inside]
    for row in summary:
        row["trend"] = sparkline((series["by_unit"].get(row["unit__code"]) or [])[-30:])
    exposures = selectors.exposures_for(user, **filters)
    by_priority = defaultdict(int)
    for p, n in (
        exposures.filter(status="affected")
        .order_by()
        .values_list("priority")
        .annotate(n=Count("pk"))
    ):
        by_priority[p] = n
    top_records = (
        exposures.filter(status="affected")
        .order_by()
        .values("vulnerability__record_id", "vulnerability__kev", "vulnerability__cvss31_severity")
        .annotate(
            units=Count("unit_id", distinct=True),
            hosts=Count("host_id", distinct=True),
            best=Min("priority"),
        )
        .order_by("best", "-units", "-hosts", "vulnerability__record_id")[:15]
    )
    page = Paginator(exposures, PAGE_SIZE).get_page(request.GET.get("page"))
    _attach_tasks(user, page.object_list)
    context = _vuln_context(
        request,
        "exposure",
        form=form,
        chart=priority_timeseries_chart(series, height=300),
        unit_chart=unit_bar_chart(unit_rows_for_chart(summary), limit=12),
        summary=summary,
        priority_cards=_priority_cards(by_priority),
        needs_review=exposures.filter(status="needs_review").count(),
        top_records=[{**r, "priority_label": priority_label(r["best"])} for r in top_records],
        page=page,
        sees_all=selectors.may_manage_vulnerabilities(user),
        export_query=request.GET.urlencode(),
    )
    return render(request, "intel/vuln/exposure.html", context)


@require_GET
def vuln_exposure_export(request: HttpRequest) -> HttpResponse:
    """The open exposures the user may see, as ``lachan vuln matches`` writes them."""
    user = request.user
    _require_reader(user)
    fmt = export_format(request)
    if fmt is None:
        return unsupported_format()
    form = ExposureFilterForm(request.GET or None, units=visible_units(user).order_by("path"))
    filters = form.selector_kwargs()
    rows = [selectors.exposure_row(e) for e in selectors.exposures_for(user, **filters)]
    rows.sort(key=selectors.match_sort_key)
    columns = list(selectors.MATCH_KEYS)
    headers = [str(MATCH_HEADERS[c]) for c in columns] if fmt == "xlsx" else None
    data = export_table(rows, columns, fmt, headers=headers, sheet_title=_("Máy có lỗ hổng"))
    return export_response(data, fmt=fmt, basename="lo-hong-tren-may")


# --- advisories -------------------------------------------------------------------------------


def _advisory_or_404(user, pk: int) -> Advisory:
    try:
        return selectors.get_advisory(user, pk)
    except Advisory.DoesNotExist:
        raise Http404 from None


@require_GET
def advisory_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    q = (request.GET.get("q") or "").strip()[:200]
    page = Paginator(selectors.advisories_for(user, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for advisory in page.object_list:
        found = selectors.advisory_exposures(user, advisory)
        advisory.unit_count = found.values("unit_id").distinct().count()
        advisory.host_count = found.values("host_id").distinct().count()
        advisory.cves = selectors.advisory_cves(advisory)
    context = _vuln_context(request, "advisories", page=page, q=q)
    return render(request, "intel/vuln/advisory_list.html", context)


@require_GET
def advisory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_reader(user)
    advisory = _advisory_or_404(user, pk)
    exposures = list(selectors.advisory_exposures(user, advisory))
    _attach_tasks(user, exposures)
    units: dict[int, dict[str, Any]] = {}
    for e in exposures:
        units.setdefault(e.unit_id, {"unit": e.unit, "rows": []})["rows"].append(e)
    context = _vuln_context(
        request,
        "advisories",
        advisory=advisory,
        cves=selectors.advisory_cves(advisory),
        products=_product_rows(advisory.products),
        units=sorted(units.values(), key=lambda u: u["unit"].path),
        host_count=len({e.host_id for e in exposures}),
    )
    return render(request, "intel/vuln/advisory_detail.html", context)


def _product_rows(products) -> list[dict[str, str]]:
    rows = []
    for p in products or []:
        if p.get("versions"):
            text = _("các phiên bản %(v)s") % {"v": ", ".join(p["versions"])}
        else:
            text = selectors.range_text(
                {
                    "versionStartIncluding": p.get("version_start_including"),
                    "versionStartExcluding": p.get("version_start_excluding"),
                    "versionEndIncluding": p.get("version_end_including"),
                    "versionEndExcluding": p.get("version_end_excluding"),
                }
            )
        rows.append({"vendor": p.get("vendor", ""), "product": p.get("product", ""), "range": text})
    return rows


def _advisory_form_page(request: HttpRequest, advisory: Advisory | None) -> HttpResponse:
    from . import vulns

    user = request.user
    _require_manager(user)
    product_errors: list[str] = []
    if request.method == "POST":
        form = AdvisoryForm(request.POST, instance=advisory)
        products = ProductFormSet(request.POST, prefix="products")
    else:
        form = AdvisoryForm(instance=advisory)
        products = ProductFormSet(
            prefix="products", initial=product_initial(advisory.products if advisory else [])
        )
    if request.method == "POST" and form.is_valid() and products.is_valid():
        items = products.products()
        if not items and not form.cleaned_data["cve_ids"]:
            form.add_error(
                None,
                _("Ghi ít nhất một mã CVE hoặc một sản phẩm bị ảnh hưởng để hệ thống đối chiếu."),
            )
        else:
            data = {k: v for k, v in form.cleaned_data.items()}
            try:
                saved = vulns.save_advisory(actor=user, advisory=advisory, products=items, **data)
            except ValidationError as exc:
                product_errors = _advisory_errors(form, exc)
            else:
                if advisory is None:
                    messages.success(
                        request, _("Đã ghi nhận cảnh báo “%(t)s”.") % {"t": saved.title}
                    )
                else:
                    messages.success(request, _("Đã lưu thay đổi của cảnh báo."))
                return redirect("advisory_detail", pk=saved.pk)
    context = _vuln_context(
        request,
        "advisories",
        form=form,
        products=products,
        product_errors=product_errors,
        advisory=advisory,
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "intel/vuln/advisory_form.html", context, status=status)


def _advisory_errors(form: AdvisoryForm, exc: ValidationError) -> list[str]:
    """Put a service error on the form; the errors about products are returned, to be shown
    above the products' rows."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return []
    errors = exc.message_dict
    products = errors.pop("products", [])
    if errors:
        form_errors_from(form, ValidationError(errors))
    return products


@require_http_methods(["GET", "POST"])
def advisory_create(request: HttpRequest) -> HttpResponse:
    return _advisory_form_page(request, None)


@require_http_methods(["GET", "POST"])
def advisory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = _advisory_or_404(request.user, pk)
    return _advisory_form_page(request, advisory)


# --- feeds ------------------------------------------------------------------------------------


ZIP_MAX_BYTES = 4 * 1024**3  # what a zip of CVE records may unpack to


def _safe_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")) or "tep"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[-150:]


def _unzip_records(path: Path, folder: Path) -> Path:
    """The record files of an uploaded zip, unpacked flat into ``folder`` (names are never
    used as paths); a zip that is not one, or unpacks too large, is a ValidationError."""
    import zipfile

    target = folder / "records"
    target.mkdir()
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and m.filename.lower().endswith(FEED_RECORD_SUFFIXES)
            ]
            if sum(m.file_size for m in members) > ZIP_MAX_BYTES:
                raise ValidationError(_("Tệp nén quá lớn khi giải nén."))
            if not members:
                raise ValidationError(_("Tệp nén không có tệp bản ghi CVE (.json, .jsonl) nào."))
            written = 0
            for i, member in enumerate(members):
                with (
                    archive.open(member) as src,
                    open(target / f"{i:06d}-{_safe_name(member.filename)}", "wb") as out,
                ):
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > ZIP_MAX_BYTES:  # the sizes in the header may lie
                            raise ValidationError(_("Tệp nén quá lớn khi giải nén."))
                        out.write(chunk)
    except zipfile.BadZipFile:
        raise ValidationError(_("Tệp .zip bị hỏng hoặc không phải tệp nén.")) from None
    return target


FEED_RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


def _import_upload(user, upload, kind: str):
    """Hand an uploaded feed file to the service as a path (the readers stream from disk),
    under its own name so the import log shows it."""
    from . import vulns

    with tempfile.TemporaryDirectory(prefix="lachan-feed-") as tmp:
        folder = Path(tmp)
        path = folder / _safe_name(upload.name)
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        if kind == "kev":
            return vulns.import_kev(actor=user, path=path)
        if kind == "epss":
            return vulns.import_epss(actor=user, path=path)
        if path.name.lower().endswith(".zip"):
            unpacked = _unzip_records(path, folder)
            feed = vulns.import_records(actor=user, paths=[unpacked])
        else:
            feed = vulns.import_records(actor=user, paths=[path])
        return feed


@require_http_methods(["GET", "POST"])
def vuln_feeds(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = _import_upload(user, form.cleaned_data["file"], form.cleaned_data["kind"])
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(request, _feed_message(done))
            return redirect("vuln_feeds")
    page = Paginator(selectors.feed_imports_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = _vuln_context(request, "feeds", form=form, page=page, status=selectors.feed_status())
    return render(request, "intel/vuln/feeds.html", context, status=400 if form.errors else 200)


def _feed_message(done) -> str:
    return _(
        "Đã nhập %(name)s: %(records)d bản ghi, %(created)d mới, %(updated)d cập nhật, "
        "%(rejected)d bị từ chối/thu hồi."
    ) % {
        "name": getattr(done, "name", ""),
        "records": getattr(done, "records", 0),
        "created": getattr(done, "created", 0),
        "updated": getattr(done, "updated", 0),
        "rejected": getattr(done, "rejected", 0),
    }


@require_POST
def vuln_rematch(request: HttpRequest) -> HttpResponse:
    from . import vulns

    user = request.user
    _require_manager(user)
    result = vulns.run_matching(actor=user)
    messages.success(request, _rematch_message(result))
    return redirect("vuln_feeds")


def _rematch_message(counts: dict[str, int]) -> str:
    return _(
        "Đã đối chiếu %(entries)d phần mềm với dữ liệu lỗ hổng: %(affected)d trường hợp bị "
        "ảnh hưởng, %(review)d cần xem xét; %(new)d mới phát hiện, %(resolved)d đã hết ảnh hưởng."
    ) % {
        "entries": counts.get("entries", 0),
        "affected": counts.get("affected", 0),
        "review": counts.get("needs_review", 0),
        "new": counts.get("new", 0),
        "resolved": counts.get("resolved", 0),
    }


# --- due policy -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def vuln_policy(request: HttpRequest) -> HttpResponse:
    from . import vulns

    user = request.user
    _require_reader(user)
    can_edit = is_department_admin(user)
    days = selectors.vuln_due_policy()
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = VulnPolicyForm(request.POST or None, days=days)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.days().items() if days.get(k) != v}
        try:
            for key, value in changed.items():
                vulns.set_vuln_due_policy(actor=user, key=key, days=value)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            if changed:
                messages.success(request, _("Đã lưu thời hạn xử lý lỗ hổng."))
            else:
                messages.info(request, _("Không có thay đổi nào."))
            return redirect("vuln_policy")
    from lachan.intel.models import VulnDuePolicy

    rows = [
        {
            "key": key,
            "label": POLICY_LABELS[key],
            "days": days[key],
            "default": VulnDuePolicy.DEFAULT_DAYS[key],
            "field": form[key],
        }
        for key in VulnDuePolicy.KEYS
    ]
    context = _vuln_context(request, "policy", form=form, rows=rows, can_edit=can_edit)
    return render(request, "intel/vuln/policy.html", context, status=400 if form.errors else 200)


# --- software-name aliases --------------------------------------------------------------------


def try_software_name(*, name: str, vendor: str = "", version: str = "") -> dict[str, Any]:
    """What the current alias table makes of a name (the inventory's own normalisation)."""
    from lachan.assets.models import MappingMethod
    from lachan.assets.services import normalised_fields

    found = normalised_fields(vendor, name, version)
    return {
        **found,
        "name": name,
        "vendor": vendor,
        "version": version,
        "method_label": MappingMethod(found["mapping_method"]).label
        if found["mapping_method"] in MappingMethod.values
        else found["mapping_method"],
        "unmapped": found["mapping_method"] == MappingMethod.UNMAPPED,
    }


def _alias_page(request: HttpRequest, *, form: AliasForm | None = None, status: int = 200):
    entries = selectors.alias_table()
    kind = request.GET.get("kind", "")
    origin = request.GET.get("origin", "")
    q = (request.GET.get("q") or "").strip().casefold()
    shown = [
        e
        for e in entries
        if (not kind or e.kind == kind)
        and (not origin or e.origin == origin)
        and (
            not q
            or q in e.pattern.casefold()
            or q in e.cpe_vendor.casefold()
            or q in e.cpe_product.casefold()
        )
    ]
    try_form = AliasTryForm(request.GET if "name" in request.GET else None)
    tried = try_form.values()
    context = _vuln_context(
        request,
        "aliases",
        entries=shown,
        total=len(entries),
        custom=sum(1 for e in entries if e.origin == "custom"),
        kind=kind,
        origin=origin,
        q=request.GET.get("q", ""),
        kinds=AliasKind.choices,
        form=form or AliasForm(),
        open_form=form is not None,
        try_form=try_form,
        result=try_software_name(
            name=tried["name"], vendor=tried.get("vendor") or "", version=tried.get("version") or ""
        )
        if tried.get("name")
        else None,
    )
    return render(request, "intel/vuln/aliases.html", context, status=status)


@require_GET
def software_alias_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return _alias_page(request)


@require_POST
def software_alias_create(request: HttpRequest) -> HttpResponse:
    from . import vulns

    user = request.user
    _require_manager(user)
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            alias = vulns.save_alias(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Đã thêm tên gọi “%(p)s” → %(v)s:%(pr)s.")
                % {"p": alias.pattern, "v": alias.cpe_vendor, "pr": alias.cpe_product},
            )
            return redirect("software_alias_list")
    return _alias_page(request, form=form, status=400)


@require_POST
def software_alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from . import vulns

    user = request.user
    _require_manager(user)
    alias = next(
        (e.alias for e in selectors.alias_table() if e.alias is not None and e.alias.pk == pk),
        None,
    )
    if alias is None:
        raise Http404
    pattern = alias.pattern
    vulns.delete_alias(actor=user, alias=alias)
    messages.success(request, _("Đã xoá tên gọi “%(p)s”.") % {"p": pattern})
    return redirect("software_alias_list")


@require_GET
def software_alias_try(request: HttpRequest) -> HttpResponse:
    """What a name maps to with the current table: the HTMX answer of the "thử" box (the
    whole alias page, with the answer, without JavaScript)."""
    _require_reader(request.user)
    if not _partial(request):
        return _alias_page(request)
    form = AliasTryForm(request.GET or None)
    data = form.values()
    result = None
    if data.get("name"):
        result = try_software_name(
            name=data["name"], vendor=data.get("vendor") or "", version=data.get("version") or ""
        )
    return render(request, "intel/vuln/_alias_try_result.html", {"result": result})
