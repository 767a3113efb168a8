"""API of units, people and roles (``/api/v1/org/``).

Reads go through ``org.selectors`` (scoped to the caller's units); writes through
``org.services`` (audited). Units are written by Department administrators; users and role
assignments are managed by Department administrators only.
"""

# No ``from __future__ import annotations``: django-ninja reads these annotations at import.

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lachan.api.common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    InputSchema,
    Pagination,
    UnitRef,
    require_department_admin,
    resolve_unit,
)

from . import selectors, services
from .models import Role, RoleAssignment, Unit, UnitType

router = Router(tags=["Đơn vị và người dùng"])


# --- schemas ----------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    type: UnitType
    type_label: str
    parent_id: int | None
    parent_code: str | None
    depth: int
    address: str
    ward: str
    province: str
    phone: str
    email: str
    it_officer_name: str
    it_officer_phone: str
    it_officer_email: str
    head_name: str
    is_active: bool
    aliases: list[str]
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor_id: int | None

    @staticmethod
    def resolve_type_label(obj: Unit) -> str:
        return str(obj.get_type_display())

    @staticmethod
    def resolve_parent_code(obj: Unit) -> str | None:
        return obj.parent.code if obj.parent_id else None


class UnitFields(InputSchema):
    """Fields a Department administrator may set on a unit (all optional on update)."""

    name: str | None = Field(None, max_length=255)
    short_name: str | None = Field(None, max_length=120)
    type: UnitType | None = None
    parent_id: int | None = Field(None, description="Đơn vị cấp trên (mã số)")
    parent_code: str | None = Field(None, description="Đơn vị cấp trên (mã đơn vị)")
    address: str | None = Field(None, max_length=255)
    ward: str | None = Field(None, max_length=120)
    province: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    it_officer_name: str | None = Field(None, max_length=120)
    it_officer_phone: str | None = Field(None, max_length=40)
    it_officer_email: str | None = Field(None, max_length=254)
    head_name: str | None = Field(None, max_length=120)
    is_active: bool | None = None
    aliases: list[str] | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class UnitCreateIn(UnitFields):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=255)


class UnitFilters(Schema):
    q: str = Field("", description="Tìm theo tên, tên viết tắt hoặc mã đơn vị")
    type: UnitType | None = None
    active: bool | None = None
    parent_id: int | None = Field(None, description="Chỉ các đơn vị trực thuộc đơn vị này")


class AssignmentOut(Schema):
    id: int
    unit: UnitRef
    role: Role
    role_label: str

    @staticmethod
    def resolve_role_label(obj: RoleAssignment) -> str:
        return str(obj.get_role_display())


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    last_login: dt.datetime | None
    date_joined: dt.datetime
    roles: list[AssignmentOut]

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.get_full_name()

    @staticmethod
    def resolve_roles(obj, context) -> list[RoleAssignment]:
        if "role_assignments" in getattr(obj, "_prefetched_objects_cache", {}):
            return list(obj.role_assignments.all())  # lists prefetch the visible ones
        return list(selectors.assignments_of(context["request"].user, obj))


class MeOut(UserOut):
    is_department_admin: bool
    is_department_staff: bool

    @staticmethod
    def resolve_roles(obj, context) -> list[RoleAssignment]:
        return list(obj.role_assignments.select_related("unit"))

    @staticmethod
    def resolve_is_department_admin(obj) -> bool:
        return selectors.is_department_admin(obj)

    @staticmethod
    def resolve_is_department_staff(obj) -> bool:
        return selectors.is_department_staff(obj)


class RoleIn(InputSchema):
    unit_id: int | None = None
    unit_code: str | None = None
    role: Role


class UserCreateIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150)
    email: str = Field("", max_length=254)
    full_name: str = Field("", max_length=150)
    password: str | None = Field(
        None, description="Bỏ trống: tài khoản chưa có mật khẩu (chỉ đăng nhập sau khi đặt)"
    )
    roles: list[RoleIn] = []


class UserFilters(Schema):
    q: str = Field("", description="Tìm theo tên đăng nhập, họ tên hoặc thư điện tử")
    unit_id: int | None = Field(None, description="Người có vai trò trong cây đơn vị này")
    role: Role | None = None
    active: bool | None = None


# --- units ------------------------------------------------------------------------------------


def _units(user):
    return selectors.visible_units(user).select_related("parent")


@router.get(
    "/units/",
    response=list[UnitOut],
    operation_id="org_units_list",
    summary="Danh sách đơn vị",
)
@paginate(Pagination)
def units_list(request: HttpRequest, filters: Query[UnitFilters]):
    qs = selectors.search_units(
        request.user,
        filters.q.strip(),
        unit_type=filters.type.value if filters.type else "",
        active=filters.active,
    ).select_related("parent")
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    return qs


@router.get(
    "/units/{int:unit_id}/",
    response={200: UnitOut, **READ_ERRORS},
    operation_id="org_units_detail",
    summary="Một đơn vị (theo mã số)",
)
def units_detail(request: HttpRequest, unit_id: int):
    return _units(request.user).get(pk=unit_id)


@router.get(
    "/units/by-code/{code}/",
    response={200: UnitOut, **READ_ERRORS},
    operation_id="org_units_by_code",
    summary="Một đơn vị (theo mã đơn vị)",
)
def units_by_code(request: HttpRequest, code: str):
    return _units(request.user).get(code=code)


def _unit_values(payload: UnitFields) -> dict:
    values = payload.model_dump(exclude_unset=True, exclude={"parent_id", "parent_code", "code"})
    for key, value in list(values.items()):
        if value is None and key not in {"valid_from", "valid_to"}:
            raise ValidationError({key: _("Trường này không được để trống.")})
    if "type" in values:
        values["type"] = UnitType(values["type"]).value
    return values


def _parent(request: HttpRequest, payload: UnitFields, unit: Unit | None) -> Unit | None:
    """The parent the body names; on update (``unit`` given) the current one when it names none.

    The API never makes a unit a root: a new root would be outside every administrator's tree.
    """
    if unit is not None and not payload.model_fields_set & {"parent_id", "parent_code"}:
        return unit.parent
    if payload.parent_id is None and payload.parent_code is None:
        raise ValidationError({"parent_id": _("Hãy chọn đơn vị cấp trên.")})
    return resolve_unit(
        request.user, unit_id=payload.parent_id, unit_code=payload.parent_code, field="parent"
    )


@router.post(
    "/units/",
    response={201: UnitOut, **WRITE_ERRORS},
    operation_id="org_units_create",
    summary="Tạo đơn vị (quản trị cấp Sở)",
)
def units_create(request: HttpRequest, payload: UnitCreateIn):
    require_department_admin(request.user)
    if Unit.objects.filter(code=payload.code).exists():
        raise ValidationError({"code": _("Mã đơn vị “%(c)s” đã tồn tại.") % {"c": payload.code}})
    unit, _created = services.save_unit(
        actor=request.user,
        code=payload.code,
        parent=_parent(request, payload, None),
        **_unit_values(payload),
    )
    return Status(201, _units(request.user).get(pk=unit.pk))


@router.patch(
    "/units/{int:unit_id}/",
    response={200: UnitOut, **WRITE_ERRORS},
    operation_id="org_units_update",
    summary="Sửa đơn vị (quản trị cấp Sở); mã đơn vị không đổi",
)
def units_update(request: HttpRequest, unit_id: int, payload: UnitFields):
    unit = _units(request.user).get(pk=unit_id)
    require_department_admin(request.user)
    services.save_unit(
        actor=request.user,
        code=unit.code,
        parent=_parent(request, payload, unit),
        **_unit_values(payload),
    )
    return _units(request.user).get(pk=unit.pk)


# --- people -----------------------------------------------------------------------------------


def _users(request: HttpRequest):
    require_department_admin(request.user)
    return selectors.manageable_users(request.user)


@router.get(
    "/users/",
    response={200: list[UserOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="org_users_list",
    summary="Danh sách người dùng (quản trị cấp Sở)",
)
@paginate(Pagination)
def users_list(request: HttpRequest, filters: Query[UserFilters]):
    qs = _users(request)
    q = filters.q.strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if filters.unit_id is not None:
        unit = selectors.get_unit(request.user, pk=filters.unit_id)
        qs = qs.filter(role_assignments__unit__path__startswith=unit.path)
    if filters.role is not None:
        qs = qs.filter(role_assignments__role=filters.role.value)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    visible = RoleAssignment.objects.filter(
        unit__in=selectors.visible_unit_ids(request.user)
    ).select_related("unit")
    return qs.distinct().prefetch_related(Prefetch("role_assignments", queryset=visible))


@router.get(
    "/users/{int:user_id}/",
    response={200: UserOut, **WRITE_ERRORS},
    operation_id="org_users_detail",
    summary="Một người dùng (quản trị cấp Sở)",
)
def users_detail(request: HttpRequest, user_id: int):
    return _users(request).get(pk=user_id)


@router.post(
    "/users/",
    response={201: UserOut, **WRITE_ERRORS},
    operation_id="org_users_create",
    summary="Tạo người dùng, có thể kèm vai trò (quản trị cấp Sở)",
)
def users_create(request: HttpRequest, payload: UserCreateIn):
    require_department_admin(request.user)
    roles = [
        (
            resolve_unit(
                request.user,
                unit_id=role.unit_id,
                unit_code=role.unit_code,
                field=f"roles.{i}.unit",
            ),
            role.role.value,
        )
        for i, role in enumerate(payload.roles)
    ]
    user = services.create_user(
        actor=request.user,
        username=payload.username.strip(),
        password=payload.password,
        email=payload.email.strip(),
        full_name=payload.full_name.strip(),
        roles=roles,
    )
    return Status(201, _users(request).get(pk=user.pk))


@router.post(
    "/users/{int:user_id}/roles/",
    response={201: AssignmentOut, **WRITE_ERRORS},
    operation_id="org_users_assign_role",
    summary="Gán vai trò tại một đơn vị (quản trị cấp Sở)",
)
def users_assign_role(request: HttpRequest, user_id: int, payload: RoleIn):
    user = _users(request).get(pk=user_id)
    unit = resolve_unit(request.user, unit_id=payload.unit_id, unit_code=payload.unit_code)
    assignment = services.assign_role(
        actor=request.user, user=user, unit=unit, role=payload.role.value
    )
    return Status(201, assignment)


@router.delete(
    "/users/{int:user_id}/roles/{int:assignment_id}/",
    response={204: None, **WRITE_ERRORS},
    operation_id="org_users_revoke_role",
    summary="Thu hồi một vai trò (quản trị cấp Sở)",
)
def users_revoke_role(request: HttpRequest, user_id: int, assignment_id: int):
    user = _users(request).get(pk=user_id)
    assignment = get_object_or_404(selectors.assignments_of(request.user, user), pk=assignment_id)
    services.revoke_role(actor=request.user, assignment=assignment)
    return Status(204, None)


@router.get(
    "/me/",
    response={200: MeOut, 401: ErrorOut},
    operation_id="org_me",
    summary="Tài khoản đang gọi API và các vai trò của nó",
)
def me(request: HttpRequest):
    return get_user_model().objects.get(pk=request.user.pk)
