"""Process commands: migrate, serve, worker, beat, manage."""

from __future__ import annotations

import click


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


COMMANDS = [migrate, manage]
