"""How every page and API route is classified for the authorization-matrix test.

Each app that adds routes lists them in a ``routes_*.py`` module beside this file as
``ROUTES: dict[str, RouteSpec]`` keyed by the URL name (web) or ``"api:<operation_id>"``
(API). ``test_matrix.py`` fails on any route that no module classifies.

Access kinds:
  public           reachable without logging in (login page, health check)
  authenticated    any logged-in user; lists/searches/exports there must not leak school B
  object           the URL names one school-B object (``kwargs``); school-A users get 403/404,
                   Department users get through
  department       Department administrators and security officers only
  department_admin Department administrators only
  own              the user's own account pages (2FA, profile, own tokens)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = {"public", "authenticated", "object", "department", "department_admin", "own"}


@dataclass(frozen=True)
class RouteSpec:
    kind: str
    # Builds the URL kwargs (for "object": pointing at school B's object) from the world fixture.
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    # HTTP method to probe with; POST routes are probed with ``data(world)`` as the form/JSON body.
    method: str = "GET"
    data: Callable[[Any], dict[str, Any]] | None = None
    # Skip the "no school-B names in the body" check (e.g. binary downloads checked otherwise).
    leak_check: bool = True
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown access kind {self.kind!r}")
