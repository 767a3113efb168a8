"""Unit and people pages. Reads go through org.selectors, writes through org.services."""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device

from lachan.audit import selectors as audit_selectors
from lachan.remediation.selectors import task_counts_by_unit
from lachan.web.importing import export_format, export_response, two_step_import, unsupported_format
from lachan.web.views import form_errors_from

from . import selectors, services
from .forms import (
    PeopleFilterForm,
    RoleAssignForm,
    UnitFilterForm,
    UnitForm,
    UnitImportForm,
    UnitRetireForm,
    UserCreateForm,
)
from .models import Role, RoleAssignment, Unit

PAGE_SIZE = 50
IMPORT_SALT = "lachan.org.unit_import"


def _partial(request: HttpRequest) -> bool:
    """An HTMX request for just the results (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _render_list(request, full: str, partial: str, context: dict) -> HttpResponse:
    response = render(request, partial if _partial(request) else full, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _unit_or_404(user, pk: int) -> Unit:
    try:
        return selectors.get_unit(user, pk=pk)
    except Unit.DoesNotExist as exc:
        raise Http404 from exc


def _labelled(entries) -> list:
    """Audit entries with ``label``: the human name of their action."""
    from lachan.audit.views import action_label, readable_changes

    entries = list(entries)
    for entry in entries:
        entry.label = action_label(entry.action)
        entry.readable = readable_changes(entry)
    return entries


def _require_department_admin(user) -> None:
    if not selectors.is_department_admin(user):
        raise PermissionDenied


# --- units --------------------------------------------------------------------------------------


# Siblings are listed Department first, then offices, schools by level, then others.
TYPE_ORDER = ["so", "phong", "thpt", "pt_nhieu_cap", "gdnn_gdtx", "thcs", "th", "mn", "khac"]


def _sort_key(unit: Unit) -> tuple:
    """Order siblings by type, then by name compared without diacritics (Đ sorts as D)."""
    folded = unicodedata.normalize("NFD", unit.name.replace("Đ", "D").replace("đ", "d"))
    name = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    rank = TYPE_ORDER.index(unit.type) if unit.type in TYPE_ORDER else len(TYPE_ORDER)
    return (rank, name, unit.name)


def _tree(units: list[Unit], counts: dict[int, dict]) -> list[dict]:
    """Nest the visible units (in path order) under their visible parents."""
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for unit in units:
        node = {"unit": unit, "children": [], "counts": counts.get(unit.pk)}
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent else roots).append(node)

    def mark(node: dict, level: int) -> int:
        node["open"] = level == 0
        node["size"] = sum(mark(child, level + 1) for child in node["children"])
        return node["size"] + 1

    def order(siblings: list[dict]) -> list[dict]:
        siblings.sort(key=lambda n: _sort_key(n["unit"]))
        for n in siblings:
            order(n["children"])
        return siblings

    for root in roots:
        mark(root, 0)
    return order(roots)


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = UnitFilterForm(request.GET or None)
    f = form.filters()
    filtering = bool(f["q"] or f["unit_type"] or f["active"] is not None)
    counts = {row["pk"]: row for row in task_counts_by_unit(user)}
    context = {
        "nav_section": "units",
        "form": form,
        "filtering": filtering,
        "is_admin": selectors.is_department_admin(user),
        "total": len(counts),
    }
    if filtering:
        results = list(
            selectors.search_units(
                user, f["q"], unit_type=f["unit_type"], active=f["active"]
            ).select_related("parent")[:500]
        )
        for unit in results:
            unit.counts = counts.get(unit.pk)
        context["results"] = results
    else:
        context["roots"] = _tree(selectors.unit_tree(user), counts)
    return _render_list(request, "org/unit_list.html", "org/_unit_results.html", context)


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, pk)
    visible = selectors.visible_units(user)
    ancestor_ids = unit.ancestor_ids()[:-1]
    visible_ancestors = set(visible.filter(pk__in=ancestor_ids).values_list("pk", flat=True))
    ancestors = [
        {"unit": a, "visible": a.pk in visible_ancestors}
        for a in Unit.objects.filter(pk__in=ancestor_ids).order_by("depth")
    ]
    children = visible.filter(parent=unit).order_by("name")
    child_counts = {row["pk"]: row for row in task_counts_by_unit(user, units=children)}
    children = list(children)
    for child in children:
        child.counts = child_counts.get(child.pk)
    own = task_counts_by_unit(user, units=visible.filter(pk=unit.pk))
    subtree = task_counts_by_unit(user, units=visible.filter(path__startswith=unit.path))
    subtree_totals = {
        key: sum(row[key] for row in subtree)
        for key in ("open_count", "overdue_count", "submitted_count", "done_count")
    }
    successor = unit.successor if unit.successor_id else None
    context = {
        "nav_section": "units",
        "unit": unit,
        "ancestors": ancestors,
        "children": children,
        "own_counts": own[0] if own else None,
        "subtree_totals": subtree_totals,
        "subtree_size": len(subtree),
        "successor": successor,
        "successor_visible": successor is not None and selectors.can_see_unit(user, successor),
        "predecessors": visible.filter(successor=unit).order_by("name"),
        "assignments": selectors.assignments_at_unit(user, unit),
        "is_admin": selectors.is_department_admin(user),
        "history": _labelled(audit_selectors.unit_history(user, unit, limit=10)),
    }
    if context["is_admin"] and unit.is_active:
        context["retire_form"] = UnitRetireForm(
            successors=visible.filter(is_active=True).exclude(pk=unit.pk).order_by("path"),
            initial={"valid_to": timezone.localdate()},
        )
    return render(request, "org/unit_detail.html", context)


def _save_unit_form(request, form: UnitForm) -> Unit | None:
    if not form.is_valid():
        return None
    try:
        unit, created = services.save_unit(actor=request.user, **form.service_kwargs())
    except ValidationError as exc:
        form_errors_from(form, exc)
        return None
    if created:
        messages.success(request, _("Đã thêm đơn vị “%(name)s”.") % {"name": unit.name})
    else:
        messages.success(request, _("Đã lưu thay đổi của “%(name)s”.") % {"name": unit.name})
    return unit


@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_department_admin(user)
    parents = selectors.visible_units(user).order_by("path")
    initial = {"is_active": True}
    parent_pk = request.GET.get("parent", "")
    if parent_pk.isdigit():
        initial["parent"] = parents.filter(pk=int(parent_pk)).first()
        if initial["parent"] is not None:
            initial["province"] = initial["parent"].province
    form = UnitForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST":
        if selectors.visible_units(user).filter(code=request.POST.get("code", "").strip()).exists():
            form.is_valid()
            form.add_error("code", _("Mã đơn vị này đã có. Mở đơn vị đó để sửa thay vì tạo mới."))
        else:
            unit = _save_unit_form(request, form)
            if unit is not None:
                return redirect("unit_detail", pk=unit.pk)
    return render(
        request, "org/unit_form.html", {"nav_section": "units", "form": form, "unit": None}
    )


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, pk)
    _require_department_admin(user)
    parents = selectors.visible_units(user).order_by("path")
    form = UnitForm(request.POST or None, parents=parents, instance=unit)
    if request.method == "POST":
        saved = _save_unit_form(request, form)
        if saved is not None:
            return redirect("unit_detail", pk=saved.pk)
    return render(
        request, "org/unit_form.html", {"nav_section": "units", "form": form, "unit": unit}
    )


@require_POST
def unit_retire(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, pk)
    _require_department_admin(user)
    form = UnitRetireForm(
        request.POST,
        successors=selectors.visible_units(user).filter(is_active=True).exclude(pk=unit.pk),
    )
    if form.is_valid():
        try:
            services.retire_unit(
                actor=user,
                unit=unit,
                valid_to=form.cleaned_data["valid_to"],
                successor=form.cleaned_data["successor"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Đã ghi nhận “%(name)s” ngừng hoạt động.") % {"name": unit.name}
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("unit_detail", pk=unit.pk)


def _import_units(**kwargs):
    from lachan.org.importers import import_units

    return import_units(**kwargs)


@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest) -> HttpResponse:
    _require_department_admin(request.user)
    return two_step_import(
        request,
        run=_import_units,
        form_class=UnitImportForm,
        template="org/unit_import.html",
        context={"nav_section": "units"},
        salt=IMPORT_SALT,
        page_url="unit_import",
        done_url="unit_list",
        done_message=lambda report: (
            _(
                "Đã nhập tệp %(file)s: %(created)d đơn vị mới, %(updated)d cập nhật, %(unchanged)d không đổi."
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
def unit_export(request: HttpRequest) -> HttpResponse:
    fmt = export_format(request)
    if fmt is None:
        return unsupported_format()
    from lachan.org.importers import export_units

    return export_response(export_units(user=request.user, fmt=fmt), fmt=fmt, basename="don-vi")


# --- people -------------------------------------------------------------------------------------


def _person_or_404(user, pk: int):
    try:
        return selectors.get_person(user, pk)
    except get_user_model().DoesNotExist as exc:
        raise Http404 from exc


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = selectors.visible_units(user).order_by("path")
    form = PeopleFilterForm(request.GET or None, units=units)
    f = form.filters()
    people = selectors.people_for(
        user, q=f["q"], unit=f["unit"], role=f["role"], active=f["active"]
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav_section": "people",
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "is_admin": selectors.is_department_admin(user),
    }
    return _render_list(request, "org/user_list.html", "org/_user_results.html", context)


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = _person_or_404(user, pk)
    is_admin = selectors.is_department_admin(user)
    context = {
        "nav_section": "people",
        "person": person,
        "assignments": selectors.assignments_of(user, person),
        "is_admin": is_admin,
        "is_self": person.pk == user.pk,
    }
    if is_admin:
        context["assign_form"] = RoleAssignForm(
            units=selectors.visible_units(user).order_by("path")
        )
        context["has_2fa"] = user_has_device(person, confirmed=True)
        context["recent_actions"] = _labelled(audit_selectors.actions_by(user, person, limit=15))
    return render(request, "org/user_detail.html", context)


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_department_admin(user)
    form = UserCreateForm(
        request.POST or None, units=selectors.visible_units(user).order_by("path")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_user(
                actor=user,
                username=data["username"],
                password=data["password"],
                email=data["email"],
                full_name=data["full_name"],
                roles=[(data["unit"], data["role"])]
                if data.get("unit") and data.get("role")
                else [],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form_errors_from(form, exc)
            else:
                form.add_error("password", exc.messages)
        else:
            messages.success(request, _("Đã tạo tài khoản “%(u)s”.") % {"u": person.get_username()})
            return redirect("user_detail", pk=person.pk)
    return render(request, "org/user_form.html", {"nav_section": "people", "form": form})


@require_POST
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = _person_or_404(user, pk)
    _require_department_admin(user)
    form = RoleAssignForm(request.POST, units=selectors.visible_units(user))
    if form.is_valid():
        try:
            services.assign_role(
                actor=user,
                user=person,
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã phân quyền."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("user_detail", pk=person.pk)


@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        assignment = selectors.get_assignment(user, pk)
    except RoleAssignment.DoesNotExist as exc:
        raise Http404 from exc
    _require_department_admin(user)
    if assignment.user_id == user.pk and assignment.role == Role.DEPT_ADMIN:
        messages.error(request, _("Bạn không thể tự thu hồi quyền quản trị của chính mình."))
        return redirect("user_detail", pk=assignment.user_id)
    services.revoke_role(actor=user, assignment=assignment)
    messages.success(
        request,
        _("Đã thu hồi vai trò “%(role)s” tại %(unit)s.")
        % {"role": assignment.get_role_display(), "unit": assignment.unit.display_name},
    )
    return redirect("user_detail", pk=assignment.user_id)


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    user = request.user
    person = _person_or_404(user, pk)
    _require_department_admin(user)
    if person.pk == user.pk:
        messages.error(request, _("Bạn không thể tự khoá tài khoản của chính mình."))
        return redirect("user_detail", pk=person.pk)
    services.set_user_active(actor=user, user=person, active=active)
    if active:
        messages.success(request, _("Đã mở khoá tài khoản “%(u)s”.") % {"u": person.username})
    else:
        messages.success(request, _("Đã khoá tài khoản “%(u)s”.") % {"u": person.username})
    return redirect("user_detail", pk=person.pk)


@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, False)


@require_POST
def user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, True)


@require_POST
def user_reset_2fa(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = _person_or_404(user, pk)
    _require_department_admin(user)
    removed = services.remove_two_factor(actor=user, user=person, action="auth.2fa_reset")
    if removed:
        messages.success(
            request,
            _(
                "Đã đặt lại xác thực hai lớp của “%(u)s”. Lần đăng nhập tới, người dùng sẽ đăng ký lại."
            )
            % {"u": person.username},
        )
    else:
        messages.info(request, _("Tài khoản này chưa bật xác thực hai lớp."))
    return redirect("user_detail", pk=person.pk)
