"""Writes of units, people and access. Each function runs in a transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot

from .models import ApiToken, Role, RoleAssignment, Unit
from .selectors import has_role_over, is_department_admin

UNIT_FIELDS = [
    "code",
    "name",
    "short_name",
    "type",
    "address",
    "ward",
    "province",
    "phone",
    "email",
    "it_officer_name",
    "it_officer_phone",
    "it_officer_email",
    "head_name",
    "is_active",
    "aliases",
    "valid_from",
    "valid_to",
]


def _require_unit_admin(actor, unit: Unit | None) -> None:
    """Department administrators manage units; the CLI and jobs act as the system (actor None)."""
    if actor is None:
        return
    if unit is None and not is_department_admin(actor):
        raise PermissionDenied
    if unit is not None and not has_role_over(actor, unit, {Role.DEPT_ADMIN}):
        raise PermissionDenied


def _set_path(unit: Unit) -> None:
    if unit.parent_id:
        parent = Unit.objects.only("path", "depth").get(pk=unit.parent_id)
        unit.path, unit.depth = f"{parent.path}{unit.pk}/", parent.depth + 1
    else:
        unit.path, unit.depth = f"/{unit.pk}/", 0


def _rewrite_subtree_paths(unit: Unit, old_path: str) -> None:
    """After a move, every descendant's path prefix changes with it."""
    if old_path == unit.path:
        return
    delta = unit.depth - (old_path.count("/") - 2)
    for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old_path) :]
        child.depth = child.depth + delta
        Unit.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


def _check_parent(unit: Unit, parent: Unit | None) -> None:
    if parent is None or unit.pk is None:
        return
    if parent.pk == unit.pk or parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("Đơn vị cấp trên không được là chính nó hoặc đơn vị cấp dưới của nó.")}
        )


@transaction.atomic
def save_unit(*, actor, code: str, parent: Unit | None = None, **fields: Any) -> tuple[Unit, bool]:
    """Create the unit with this code, or update it. Returns (unit, created)."""
    unit = Unit.objects.select_for_update().filter(code=code).first()
    created = unit is None
    _require_unit_admin(actor, parent if created else unit)
    before = None if created else snapshot(unit)
    old_path = None if created else unit.path
    if created:
        unit = Unit(code=code)
    for key, value in fields.items():
        if key not in UNIT_FIELDS:
            raise TypeError(f"unknown unit field {key!r}")
        setattr(unit, key, value)
    _check_parent(unit, parent)
    unit.parent = parent
    unit.full_clean(exclude=["path", "depth", "parent", "successor"])
    unit.save()
    _set_path(unit)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    if old_path is not None:
        _rewrite_subtree_paths(unit, old_path)
    after = snapshot(unit)
    if created or before != after:
        record(
            actor=actor,
            action="unit.create" if created else "unit.update",
            obj=unit,
            unit=unit,
            before=before,
            after=after,
        )
    return unit, created


_BULK_BATCH = 500


@transaction.atomic
def create_units_bulk(*, actor, units: list[Unit]) -> list[Unit]:
    """Insert new, already validated units whose parents exist: one INSERT per batch and one
    path UPDATE per parent instead of ``save_unit``'s queries per unit (large imports).
    Each unit still gets its own audit record."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    for parent in {u.parent for u in units}:
        _require_unit_admin(actor, parent)
    Unit.objects.bulk_create(units, batch_size=_BULK_BATCH)
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    for siblings in by_parent.values():
        parent = siblings[0].parent
        prefix, depth = (parent.path, parent.depth + 1) if parent else ("/", 0)
        ids = [u.pk for u in siblings]
        for start in range(0, len(ids), _BULK_BATCH):
            Unit.objects.filter(pk__in=ids[start : start + _BULK_BATCH]).update(
                path=Concat(Value(prefix), Cast("pk", CharField()), Value("/")), depth=depth
            )
        for unit in siblings:
            unit.path, unit.depth = f"{prefix}{unit.pk}/", depth
    for unit in units:
        record(actor=actor, action="unit.create", obj=unit, unit=unit, after=snapshot(unit))
    return units


@transaction.atomic
def set_successor(*, actor, unit: Unit, successor: Unit | None) -> Unit:
    """Name the unit that took over this one (a merger); history keeps pointing at ``unit``."""
    _require_unit_admin(actor, unit)
    if successor is not None and successor.pk == unit.pk:
        raise ValidationError({"successor": _("Đơn vị kế thừa không được là chính đơn vị đó.")})
    before = {"successor": unit.successor_id}
    unit.successor = successor
    unit.save(update_fields=["successor", "updated_at"])
    record(
        actor=actor,
        action="unit.update",
        obj=unit,
        unit=unit,
        before=before,
        after={"successor": unit.successor_id},
    )
    return unit


@transaction.atomic
def retire_unit(*, actor, unit: Unit, valid_to, successor: Unit | None = None) -> Unit:
    """End a unit's validity (a merger or dissolution); history keeps pointing at it."""
    _require_unit_admin(actor, unit)
    before = snapshot(unit)
    unit.valid_to = valid_to
    unit.is_active = False
    unit.successor = successor
    unit.full_clean(exclude=["path", "depth", "parent"])
    unit.save(update_fields=["valid_to", "is_active", "successor", "updated_at"])
    record(
        actor=actor, action="unit.retire", obj=unit, unit=unit, before=before, after=snapshot(unit)
    )
    return unit


@transaction.atomic
def add_unit_alias(*, actor, unit: Unit, alias: str) -> Unit:
    alias = " ".join(alias.split())
    if not alias or alias in unit.aliases:
        return unit
    _require_unit_admin(actor, unit)
    before = snapshot(unit, ["aliases"])
    unit.aliases = [*unit.aliases, alias]
    unit.save(update_fields=["aliases", "updated_at"])
    record(
        actor=actor,
        action="unit.alias_add",
        obj=unit,
        unit=unit,
        before=before,
        after=snapshot(unit, ["aliases"]),
    )
    return unit


# --- people -----------------------------------------------------------------------------------


def _require_user_admin(actor) -> None:
    if actor is not None and not is_department_admin(actor):
        raise PermissionDenied


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str | None,
    email: str = "",
    full_name: str = "",
    is_superuser: bool = False,
    validate_password: bool = True,
    roles: Iterable[tuple[Unit, str]] = (),
):
    """Create an account and, in the same transaction, its first role assignments
    (a person is never left half-created without the intended roles)."""
    _require_user_admin(actor)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("Tên đăng nhập “%(u)s” đã tồn tại.") % {"u": username}}
        )
    first, _sep, last = full_name.rpartition(" ")
    user = User(
        username=username,
        email=email,
        first_name=first or "",
        last_name=last or full_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        if validate_password:
            from django.contrib.auth.password_validation import validate_password as _validate

            try:
                _validate(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(
        actor=actor,
        action="user.create",
        obj=user,
        after=snapshot(
            user, ["username", "email", "first_name", "last_name", "is_active", "is_superuser"]
        ),
    )
    for unit, role in roles:
        assign_role(actor=actor, user=user, unit=unit, role=role)
    return user


@transaction.atomic
def set_user_active(*, actor, user, active: bool):
    _require_user_admin(actor)
    before = snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        before=before,
        after=snapshot(user, ["is_active"]),
    )
    return user


@transaction.atomic
def set_password(*, actor, user, password: str):
    if actor is not None and actor.pk != user.pk:
        _require_user_admin(actor)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor=actor, action="user.password", obj=user)
    return user


@transaction.atomic
def assign_role(*, actor, user, unit: Unit, role: str) -> RoleAssignment:
    _require_user_admin(actor)
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ: %(r)s") % {"r": role}})
    if role in {Role.DEPT_ADMIN, Role.DEPT_SECURITY} and unit.type not in {"so", "phong"}:
        raise ValidationError({"role": _("Vai trò cấp Sở chỉ gán tại Sở hoặc phòng/ban thuộc Sở.")})
    assignment, created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        record(
            actor=actor,
            action="role.assign",
            obj=assignment,
            unit=unit,
            after={"user": user.username, "unit": unit.code, "role": role},
        )
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment: RoleAssignment) -> None:
    _require_user_admin(actor)
    data = {"user": assignment.user.username, "unit": assignment.unit.code, "role": assignment.role}
    record(actor=actor, action="role.revoke", obj=assignment, unit=assignment.unit, before=data)
    assignment.delete()


@transaction.atomic
def issue_api_token(*, actor, user, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        _require_user_admin(actor)
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
    )
    record(
        actor=actor,
        action="token.issue",
        obj=token,
        after={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id:
        _require_user_admin(actor)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor=actor, action="token.revoke", obj=token)
    return token


# --- two-factor devices -----------------------------------------------------------------------


def pending_totp_device(*, user):
    """The user's unconfirmed TOTP device (one at a time), created when missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Lá Chắn", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, actor, device):
    """Confirm a device after the user typed a valid code; other pending devices are dropped."""
    if actor is not None and actor.pk != device.user_id:
        raise PermissionDenied
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    type(device).objects.filter(user=device.user, confirmed=False).delete()
    record(
        actor=actor,
        action="auth.2fa_enrol",
        obj=device.user,
        object_repr=device.user.get_username(),
        after={"device": device.name, "confirmed": True},
    )
    return device


@transaction.atomic
def remove_two_factor(*, actor, user, action: str = "auth.2fa_remove") -> int:
    """Delete every TOTP device of ``user`` (lost phone, re-enrolment). Returns how many."""
    from django_otp import devices_for_user

    if actor is not None and actor.pk != user.pk:
        _require_user_admin(actor)
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    if removed:
        record(
            actor=actor,
            action=action,
            obj=user,
            object_repr=user.get_username(),
            before={"devices": removed},
            after={"devices": 0},
        )
    return removed
