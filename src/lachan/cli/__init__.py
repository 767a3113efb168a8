"""The ``lachan`` command: thin over services and the engine.

Each sub-command group lives in its own module and is registered in ``COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

COMMAND_MODULES = [
    "lachan.cli.system",
    "lachan.cli.units",
    "lachan.cli.users",
    "lachan.cli.networks",
    "lachan.cli.botnet",
    "lachan.cli.inventory",
    "lachan.cli.vuln",
    "lachan.cli.scams",
    "lachan.cli.awareness",
    "lachan.cli.drills",
    "lachan.cli.check",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachan.web.settings")
    import django

    django.setup()


def ensure_migrated(quiet: bool = True) -> None:
    """The embedded default applies its migrations on first use; production runs ``lachan migrate``."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if not settings.EMBEDDED:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lachan")
def cli() -> None:
    """Lá Chắn — nền tảng vận hành an toàn thông tin ngành giáo dục."""


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


# Commands that touch no database and need no Django: they start without it (half a second
# of start-up saved on each call; ``lachan botnet match`` has a 5-second budget for 1M rows).
STATELESS = {("botnet", "match"), ("vuln", "match")}
# Commands that are stateless with a flag: ``lachan check --offline`` (built-in data only).
STATELESS_FLAGS = {"check": "--offline"}


def _is_stateless(args: list[str]) -> bool:
    if tuple(args[:2]) in STATELESS:
        return True
    return bool(args) and args[0] in STATELESS_FLAGS and STATELESS_FLAGS[args[0]] in args[1:]


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if not _is_stateless(args):
        setup_django()
    _load_commands()
    cli.main(args=args, prog_name="lachan")
