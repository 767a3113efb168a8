"""Pieces every app's API router shares: error and reference schemas, pagination, guards."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import ConfigDict

from lachan.org.models import Unit
from lachan.org.selectors import get_unit, is_department_admin, is_department_staff


class InputSchema(Schema):
    """A request body: a field the API does not know is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


# Responses every authenticated operation can give, for the OpenAPI schema.
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` → ``{"items": [...], "count": N}``; at most 500 rows a page."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=500, **kwargs)


class UnitRef(Schema):
    id: int
    code: str
    name: str


def require_department_staff(user) -> None:
    """Department administrators and security officers only (403 otherwise)."""
    if not is_department_staff(user):
        raise PermissionDenied


def require_department_admin(user) -> None:
    if not is_department_admin(user):
        raise PermissionDenied


def resolve_unit(user, *, unit_id: int | None, unit_code: str | None, field: str = "unit") -> Unit:
    """The unit a request body names by id or code, among the units the user may see.

    A unit that does not exist and one the user may not see get the same answer.
    """
    if (unit_id is None) == (unit_code is None):
        raise ValidationError(
            {f"{field}_id": _("Hãy chỉ định đơn vị bằng đúng một trong hai: mã số hoặc mã đơn vị.")}
        )
    try:
        if unit_id is not None:
            return get_unit(user, pk=unit_id)
        return get_unit(user, code=unit_code)
    except Unit.DoesNotExist:
        key = f"{field}_id" if unit_id is not None else f"{field}_code"
        raise ValidationError({key: _("Không tìm thấy đơn vị.")}) from None
