"""Process commands: migrate, serve, worker, beat, jobs, demo, manage."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import sys

import click
from django.utils.translation import gettext as _

from .output import FORMAT_OPTION, fail, print_rows

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


@click.command()
def migrate() -> None:
    """Áp dụng cập nhật cơ sở dữ liệu (migrations)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Chạy lệnh quản trị Django (django-admin)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lachan manage", *args])


# --- web server -------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _embedded_jobs() -> bool:
    """True when background jobs run in this process (no broker): the server runs the schedule."""
    from django.conf import settings

    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def _check_port_free(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            fail(
                _(
                    "không mở được cổng %(port)s trên %(host)s (%(error)s); "
                    "có thể một máy chủ khác đang dùng cổng này — hãy chọn --port khác."
                )
                % {"port": port, "host": host, "error": exc.strerror}
            )


def run_server(*, host: str, port: int, workers: int, threads: int = 4) -> None:
    """Serve ``lachan.web.wsgi`` with gunicorn in this process (static files by WhiteNoise).

    On the embedded default a daemon thread runs the periodic jobs (see ``EmbeddedScheduler``).
    """
    from django.conf import settings
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    _check_port_free(host, port)
    # WhiteNoise serves from the finders; an absent STATIC_ROOT only earns a warning per worker.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "lachan",
        # One control socket per user is shared by every gunicorn; ours needs none.
        "control_socket_disable": True,
    }

    class LachanServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from lachan.web.wsgi import application

            return application

    scheduler = None
    if _embedded_jobs():
        from lachan.celery import EmbeddedScheduler

        scheduler = EmbeddedScheduler()
        scheduler.start()
        click.echo(
            _(
                "Việc nền chạy ngay trong tiến trình máy chủ (không có LACHAN_BROKER_URL): "
                "nhắc việc lúc khởi động và 07:00 hằng ngày, gửi lại thư lỗi mỗi 15 phút."
            )
        )
    # Never hand an open database connection to the forked workers.
    connections.close_all()
    try:
        LachanServer().run()
    finally:
        if scheduler is not None:
            scheduler.stop()


def _check_host(host: str, public: bool) -> None:
    if not public and not is_loopback(host):
        fail(
            _(
                "không mở máy chủ trên địa chỉ “%(host)s”: mặc định chỉ phục vụ trên máy này "
                "(127.0.0.1). Khi triển khai thật hãy đặt nginx phía trước và giữ 127.0.0.1; "
                "nếu thật sự muốn mở ra mạng, chạy lại với --public và đặt LACHAN_ALLOWED_HOSTS."
            )
            % {"host": host}
        )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Số tiến trình"
)
@click.option("--public", is_flag=True, help="Cho phép lắng nghe trên địa chỉ không phải 127.0.0.1")
def serve(host: str, port: int, workers: int, public: bool) -> None:
    """Chạy máy chủ web (gunicorn) phục vụ Lá Chắn.

    Trên bản nhúng (không đặt LACHAN_BROKER_URL) máy chủ tự chạy việc định kỳ trong một
    luồng nền: nhắc việc lúc khởi động và 07:00 hằng ngày, gửi lại thư lỗi mỗi 15 phút.
    """
    from lachan.cli import ensure_migrated

    _check_host(host, public)
    _check_port_free(host, port)
    ensure_migrated()
    click.echo(
        _("Lá Chắn đang phục vụ tại http://%(host)s:%(port)s/ (Ctrl+C để dừng)")
        % {"host": host, "port": port}
    )
    run_server(host=host, port=port, workers=workers)


# --- Celery -----------------------------------------------------------------------------------


def _require_broker(command: str) -> None:
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        fail(
            _(
                "“lachan %(command)s” cần hàng đợi Redis nhưng chưa đặt LACHAN_BROKER_URL "
                "(ví dụ redis://127.0.0.1:6379/0). Bản nhúng mặc định không cần tiến trình này: "
                "việc nền chạy ngay trong “lachan serve”."
            )
            % {"command": command}
        )


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--concurrency", type=int, default=None, help="Số tiến trình con (mặc định: số CPU)")
@click.option("--queues", "-Q", default="celery", show_default=True)
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def worker(loglevel: str, concurrency: int | None, queues: str, extra: tuple[str, ...]) -> None:
    """Chạy Celery worker (bản triển khai thật, cần LACHAN_BROKER_URL)."""
    _require_broker("worker")
    from lachan.celery import app

    argv = ["worker", f"--loglevel={loglevel}", f"--queues={queues}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    app.worker_main(argv=[*argv, *extra])


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--loglevel", default="INFO", show_default=True)
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def beat(loglevel: str, extra: tuple[str, ...]) -> None:
    """Chạy Celery beat: lịch nhắc việc và gửi lại thông báo (chỉ một tiến trình)."""
    _require_broker("beat")
    from django.conf import settings

    from lachan.celery import app

    app.start(
        argv=[
            "beat",
            f"--loglevel={loglevel}",
            f"--scheduler={settings.CELERY_BEAT_SCHEDULER}",
            *extra,
        ]
    )


# --- jobs -------------------------------------------------------------------------------------


def _parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        fail(
            _("ngày “%(value)s” không hợp lệ, hãy viết theo dạng dd/mm/yyyy (ví dụ 01/12/2026).")
            % {"value": value}
        )


@click.group()
def jobs() -> None:
    """Chạy ngay các việc định kỳ (dùng với cron trên bản nhúng)."""


@jobs.command("run-reminders")
@click.option("--today", "today_text", default=None, help="Coi hôm nay là ngày dd/mm/yyyy")
@FORMAT_OPTION
def run_reminders_command(today_text: str | None, fmt: str) -> None:
    """Gửi nhắc việc sắp đến hạn (3 ngày) và quá hạn, mỗi việc một lần."""
    from django.utils import timezone

    from lachan.cli import ensure_migrated
    from lachan.remediation.tasks import run_reminders

    today = _parse_day(today_text) or timezone.localdate()
    ensure_migrated()
    counts = run_reminders(today)
    rows = [
        {"job": "due_soon", "description": _("Sắp đến hạn"), "tasks": counts["due_soon"]},
        {"job": "overdue", "description": _("Quá hạn"), "tasks": counts["overdue"]},
    ]
    print_rows(
        rows,
        ["job", "description", "tasks"],
        fmt,
        title=_("Nhắc việc ngày %(day)s") % {"day": f"{today:%d/%m/%Y}"},
    )


@jobs.command("retry-notifications")
@FORMAT_OPTION
def retry_notifications_command(fmt: str) -> None:
    """Gửi lại các thông báo chưa gửi được."""
    from lachan.cli import ensure_migrated
    from lachan.notifications.services import retry_unsent

    ensure_migrated()
    counts = retry_unsent()
    print_rows([counts], ["tried", "sent", "failed"], fmt, title=_("Gửi lại thông báo"))


# --- demo -------------------------------------------------------------------------------------


def _reset_embedded_database() -> None:
    from django.conf import settings
    from django.db import connections

    if not settings.EMBEDDED:
        fail(_("--reset chỉ dùng với cơ sở dữ liệu SQLite nhúng; không xoá CSDL PostgreSQL."))
    connections.close_all()
    name = str(settings.DATABASES["default"]["NAME"])
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(name + suffix):
            os.remove(name + suffix)
    click.echo(_("Đã xoá cơ sở dữ liệu trình diễn cũ: %(name)s") % {"name": name})


def _migrate_for_demo() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        click.echo(_("Đang tạo cơ sở dữ liệu…"))
        call_command("migrate", interactive=False, verbosity=0)


def _seed_with_progress(*, verbose: bool):
    from django.conf import settings
    from django.test.utils import override_settings
    from rich.console import Console
    from rich.progress import Progress

    from lachan.demo import seed_demo

    # Mail produced while seeding (hundreds of messages) goes to files, not to the screen.
    mail_dir = settings.LACHAN_HOME / "mail" / "demo-seed"
    mail_dir.mkdir(parents=True, exist_ok=True)
    with (
        Progress(transient=True, console=Console(stderr=True)) as bar,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mail_dir),
        ),
    ):
        job = bar.add_task(_("Nạp dữ liệu trình diễn"), total=None)

        def progress(label: str, step: int, total: int) -> None:
            bar.update(job, description=label, completed=step, total=total)

        info = seed_demo(progress=progress)
    if info.created and verbose:
        click.echo(
            _(
                "Đã nạp tỉnh trình diễn: %(units)d đơn vị, %(tasks)d việc cần xử lý. "
                "Thư thông báo lúc nạp được lưu trong %(dir)s"
            )
            % {
                "units": info.counts.get("units", 0),
                "tasks": info.counts.get("tasks", 0),
                "dir": mail_dir,
            }
        )
    return info


def _print_join_code(port: int) -> None:
    """A class join code of the demo, for trying the student side without an account."""
    from lachan.awareness.models import CampaignStatus, ClassGroup
    from lachan.awareness.services.campaigns import format_join_code

    group = (
        ClassGroup.objects.filter(is_open=True, campaign__status=CampaignStatus.ACTIVE)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    if group is None:
        return
    click.echo(
        _(
            "Học sinh thử vào lớp %(cls)s (%(unit)s): http://127.0.0.1:%(port)s/tham-gia/ — mã %(code)s"
        )
        % {
            "cls": group.name,
            "unit": group.unit.display_name,
            "port": port,
            "code": format_join_code(group.join_code),
        }
    )


def _print_logins(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("Tài khoản trình diễn"))
    table.add_column("username", no_wrap=True)
    table.add_column("password", no_wrap=True)
    table.add_column("role")
    table.add_column("unit")
    for row in rows:
        table.add_row(row["username"], row["password"], row["role"], row["unit"])
    Console().print(table)


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Chỉ tạo dữ liệu, không chạy máy chủ")
@click.option("--reset", is_flag=True, help="Xoá CSDL trình diễn cũ và tạo lại từ đầu")
@FORMAT_OPTION
def demo(port: int, no_serve: bool, reset: bool, fmt: str) -> None:
    """Tạo dữ liệu trình diễn (tỉnh Lạc Hồng hư cấu), in tài khoản và chạy máy chủ."""
    from django.conf import settings

    # The demo never sends real mail (its addresses are fictional) and needs no 2FA enrolment.
    os.environ["LACHAN_EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    os.environ["LACHAN_REQUIRE_2FA_DEPARTMENT"] = "0"
    # The fictional province's lines are in the documentation address ranges.
    os.environ["LACHAN_ALLOW_DOCUMENTATION_IPS"] = "1"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.LACHAN_REQUIRE_2FA_DEPARTMENT = False
    settings.LACHAN_ALLOW_DOCUMENTATION_IPS = True

    if not no_serve:
        _check_port_free("127.0.0.1", port)
    if reset:
        _reset_embedded_database()
    _migrate_for_demo()
    info = _seed_with_progress(verbose=fmt == "table")
    if fmt == "table":
        click.echo(_("Thư mục dữ liệu: %(home)s") % {"home": settings.LACHAN_HOME})
    rows = [vars(login) for login in info.logins]
    if fmt == "table":
        _print_logins(rows)
    else:
        print_rows(rows, ["username", "password", "role", "unit"], fmt)
    if fmt == "table":
        click.echo(
            _(
                "Bản trình diễn tắt yêu cầu xác thực hai lớp cho tài khoản cấp Sở "
                "(LACHAN_REQUIRE_2FA_DEPARTMENT=0) và in thư thông báo ra màn hình thay vì gửi đi."
            )
        )
        samples = sorted((settings.LACHAN_HOME / "demo").glob("danh-sach-ip-botnet-*.xlsx"))
        if samples:
            click.echo(_("Danh sách IP botnet mẫu để thử nhập: %(path)s") % {"path": samples[-1]})
        _print_join_code(port)
    if no_serve:
        return
    click.echo(_("Mở http://127.0.0.1:%(port)s/login/ (Ctrl+C để dừng)") % {"port": port})
    sys.stdout.flush()
    run_server(host="127.0.0.1", port=port, workers=2)


COMMANDS = [migrate, manage, serve, worker, beat, jobs, demo]
