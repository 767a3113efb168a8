"""The one sanctioned way past the audit log's append-only triggers.

Used for retention purges decided by the Department (records older than the legal retention
period) and to empty a test database between transactional tests. Ordinary code never calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


@contextmanager
def purge_permitted(reason: str, using: str = "default") -> Iterator[None]:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_purge_permit (reason) VALUES (%s)", [reason[:200]])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_purge_permit")
