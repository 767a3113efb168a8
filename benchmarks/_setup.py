"""Shared set-up for benchmark scripts: a throw-away Django database in a temp LACHAN_HOME."""

from __future__ import annotations

import os
import tempfile


def setup_django() -> str:
    """Point Lá Chắn at a fresh data directory (unless DATABASE_URL is set) and migrate it."""
    home = os.environ.get("LACHAN_HOME") or tempfile.mkdtemp(prefix="lachan-bench-")
    os.environ["LACHAN_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachan.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return home
