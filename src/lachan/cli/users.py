"""``lachan users``: create people, grant roles, issue API tokens (acting as the system)."""

from __future__ import annotations

import datetime as dt
import json
import secrets

import click

from . import ensure_migrated
from .output import fail, print_rows


def _role_choice() -> click.Choice:
    from lachan.org.models import Role

    return click.Choice(list(Role.values), case_sensitive=False)


class _RoleType(click.ParamType):
    """A role code (``unit_it``…); the choices are read once Django is set up."""

    name = "role"

    def get_metavar(self, param, ctx=None) -> str:  # type: ignore[override]
        from lachan.org.models import Role

        return "[" + "|".join(Role.values) + "]"

    def convert(self, value, param, ctx):
        return _role_choice().convert(value, param, ctx)


ROLE = _RoleType()
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format",
)


def _messages(exc) -> str:
    """A ValidationError as one line."""
    if hasattr(exc, "message_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _unit(code: str):
    from django.utils.translation import gettext as _

    from lachan.org.models import Unit

    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        fail(_("Không có đơn vị mã “%(code)s”.") % {"code": code})
    return unit


def _user(username: str):
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None:
        fail(_("Không có người dùng “%(u)s”.") % {"u": username})
    return user


def generate_password() -> str:
    """A random password people can type: 4 groups of 4 letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@click.group()
def users() -> None:
    """Người dùng: tạo, phân quyền, cấp mã truy cập API."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=ROLE, help="Vai trò / role")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị / unit code")
@click.option("--email", default="", help="Thư điện tử")
@click.option("--name", "full_name", default="", help="Họ và tên")
@click.option("--password", default=None, help="Mật khẩu (mặc định: tạo ngẫu nhiên và in ra)")
@click.option("--prompt-password", is_flag=True, help="Hỏi mật khẩu (không hiện khi gõ)")
@FORMAT
def create(
    username: str,
    role: str,
    unit_code: str,
    email: str,
    full_name: str,
    password: str | None,
    prompt_password: bool,
    fmt: str,
) -> None:
    """Tạo người dùng và gán vai trò tại một đơn vị."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from lachan.org.services import create_user

    ensure_migrated()
    unit = _unit(unit_code)
    generated = False
    if password is None and prompt_password:
        password = click.prompt(
            _("Mật khẩu"), hide_input=True, confirmation_prompt=_("Nhập lại mật khẩu")
        )
    elif password is None:
        password, generated = generate_password(), True
    try:
        user = create_user(
            actor=None,
            username=username,
            password=password,
            email=email,
            full_name=full_name,
            roles=[(unit, role)],
        )
    except ValidationError as exc:
        fail(_messages(exc))
    row = {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "role": role,
        "unit": unit.code,
    }
    if generated:
        row["password"] = password
    if fmt == "json":
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
        return
    labels = {
        "username": _("Tên đăng nhập"),
        "name": _("Họ tên"),
        "email": _("Thư điện tử"),
        "role": _("Vai trò"),
        "unit": _("Đơn vị"),
        "password": _("Mật khẩu"),
    }
    print_rows(
        [{labels[k]: v for k, v in row.items()}],
        [labels[k] for k in row],
        "table",
        title=_("Đã tạo người dùng"),
    )
    if generated:
        click.echo(
            _("Mật khẩu được tạo ngẫu nhiên và chỉ hiện một lần; hãy chuyển cho người dùng.")
        )


@users.command("list")
@FORMAT
def list_(fmt: str) -> None:
    """Liệt kê người dùng và vai trò."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    ensure_migrated()
    people = (
        get_user_model().objects.order_by("username").prefetch_related("role_assignments__unit")
    )
    rows = []
    for person in people:
        assignments = sorted(person.role_assignments.all(), key=lambda a: (a.unit.path, a.role))
        rows.append(
            {
                "username": person.username,
                "name": person.get_full_name(),
                "email": person.email,
                "is_active": person.is_active,
                "is_superuser": person.is_superuser,
                "last_login": person.last_login.isoformat() if person.last_login else None,
                "roles": [{"role": a.role, "unit": a.unit.code} for a in assignments],
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    labels = [_("Tên đăng nhập"), _("Họ tên"), _("Thư điện tử"), _("Hoạt động"), _("Vai trò")]
    print_rows(
        (
            dict(
                zip(
                    labels,
                    [
                        r["username"],
                        r["name"],
                        r["email"],
                        _("có") if r["is_active"] else _("không"),
                        ", ".join(f"{a['role']}@{a['unit']}" for a in r["roles"])
                        or (_("quản trị tối cao") if r["is_superuser"] else ""),
                    ],
                    strict=True,
                )
            )
            for r in rows
        ),
        labels,
        "table",
        title=_("Người dùng (%(n)d)") % {"n": len(rows)},
    )


@users.command("assign")
@click.argument("username")
@click.option("--role", required=True, type=ROLE, help="Vai trò / role")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị / unit code")
def assign(username: str, role: str, unit_code: str) -> None:
    """Gán thêm vai trò cho người dùng tại một đơn vị."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from lachan.org.models import RoleAssignment
    from lachan.org.services import assign_role

    ensure_migrated()
    user, unit = _user(username), _unit(unit_code)
    had = RoleAssignment.objects.filter(user=user, unit=unit, role=role).exists()
    try:
        assign_role(actor=None, user=user, unit=unit, role=role)
    except ValidationError as exc:
        fail(_messages(exc))
    message = (
        _("%(u)s đã có vai trò %(r)s tại %(unit)s.")
        if had
        else _("Đã gán vai trò %(r)s tại %(unit)s cho %(u)s.")
    )
    click.echo(message % {"u": user.username, "r": role, "unit": unit.code})


@users.command("token")
@click.argument("username")
@click.option("--name", required=True, help="Tên gợi nhớ của mã (ví dụ: agent-phong-may-1)")
@click.option("--expires-days", type=click.IntRange(min=1), default=None, help="Hết hạn sau N ngày")
@FORMAT
def token(username: str, name: str, expires_days: int | None, fmt: str) -> None:
    """Cấp mã truy cập API; mã chỉ được in ra một lần."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from lachan.org.services import issue_api_token

    ensure_migrated()
    user = _user(username)
    expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
    api_token, key = issue_api_token(actor=None, user=user, name=name, expires_at=expires_at)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "username": user.username,
                    "name": api_token.name,
                    "prefix": api_token.prefix,
                    "expires_at": expires_at.isoformat() if expires_at else None,
                    "token": key,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(
        _("Mã truy cập “%(name)s” của %(u)s (chỉ hiện một lần, hãy lưu lại ngay):")
        % {"name": name, "u": user.username},
        err=True,
    )
    click.echo(key)


COMMANDS = [users]
