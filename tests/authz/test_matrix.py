"""The authorization matrix: every page and API route × every role, against school B's data.

Routes come from the project itself — every URL pattern (namespaced includes too; the Django
admin and static/media are left out) and every operation of the OpenAPI schema — and each
must be classified in a ``routes_*.py`` module beside this file (see ``spec.py``). A new
route nobody classified fails ``test_every_route_is_classified``; a classification whose
route is gone fails ``test_no_stale_classifications``.

Each classified route is probed once per role: anonymous, the two Department roles (at SO)
and the three school-A roles (at THPT-A). Web routes use a logged-in session, API routes the
user's bearer token. What must happen, by kind:

===================  ===============================  =====================================
kind                 Department roles                 school-A roles
===================  ===============================  =====================================
public               reachable                        reachable, no school-B names
authenticated        2xx/3xx                          2xx/3xx, no school-B names — also with
                                                      ``?q=Nguyễn Trãi``, ``?q=Quasar``
                                                      and ``?unit=<B>``
own (no kwargs)      2xx/3xx, only their own account  same, and no school-B names
own (kwargs → B's)   403/404                          403/404
object (→ B's)       2xx/3xx                          403/404
department           2xx/3xx                          403/404
department_admin     admin 2xx/3xx;                   403/404
                     security officer 403/404
===================  ===============================  =====================================

"Reached" also accepts, for unsafe methods, 400/409/422: the request got past the
authorization check and was refused for its input or the object's state (B's task is
"submitted", so starting it is a 409 even for the Department).

Anonymous: a redirect to the login page (web) or 401 (API) on everything but ``public``.
A paginated API list answered to school A must count exactly the items it shows.
Whenever a school-A or anonymous caller sends an unsafe method, school B's data must be
exactly as before. ``extra={"denied_roles": {...}}`` on an ``authenticated`` route lists
roles that are expected to get 403/404 there instead.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lachan.api.urls import api

from .conftest import DEPARTMENT_ROLE_NAMES, ROLE_NAMES, SCHOOL_A_ROLE_NAMES, USERNAMES
from .spec import RouteSpec

ROLES = ("anonymous", *ROLE_NAMES)
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_PREFIXES = ("static/", "media/")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


# --- what exists ------------------------------------------------------------------------------


def _walk(patterns, namespace: str = "", prefix: str = ""):
    for p in patterns:
        route = prefix + str(p.pattern).lstrip("^")
        if isinstance(p, URLResolver):
            if p.namespace in SKIPPED_NAMESPACES:
                continue
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from _walk(p.url_patterns, ns, route)
        elif isinstance(p, URLPattern):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), route
            else:
                yield f"<sans nom: /{route}>", route


def url_routes() -> dict[str, str]:
    return dict(_walk(get_resolver().url_patterns))


def api_operations() -> dict[str, tuple[str, str]]:
    """operation id → (HTTP method, path template), from the OpenAPI schema."""
    ops = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, op in methods.items():
            ops[op["operationId"]] = (method.upper(), path)
    return ops


API_OPERATIONS = api_operations()
EXISTING = set(url_routes()) | {f"api:{op}" for op in API_OPERATIONS}


# --- what is classified -----------------------------------------------------------------------


def _load_classifications() -> tuple[dict[str, RouteSpec], list[str]]:
    routes: dict[str, RouteSpec] = {}
    owner: dict[str, str] = {}
    duplicates = []
    for path in sorted(Path(__file__).parent.glob("routes_*.py")):
        module = importlib.import_module(f"{__package__}.{path.stem}")
        for key, spec in module.ROUTES.items():
            if key in routes:
                duplicates.append(f"{key} ({owner[key]}, {path.stem})")
            routes[key], owner[key] = spec, path.stem
    return routes, duplicates


CLASSIFIED, DUPLICATES = _load_classifications()
PROBED = sorted(set(CLASSIFIED) & EXISTING)


def test_every_route_is_classified():
    missing = sorted(EXISTING - set(CLASSIFIED))
    assert not missing, (
        "Routes no tests/authz/routes_*.py module classifies "
        f"({len(missing)}):\n  " + "\n  ".join(missing)
    )


def test_no_stale_classifications():
    stale = sorted(set(CLASSIFIED) - EXISTING)
    assert not stale, "Classified routes that no longer exist:\n  " + "\n  ".join(stale)


def test_no_route_is_classified_twice():
    assert not DUPLICATES, "Routes classified twice:\n  " + "\n  ".join(DUPLICATES)


def test_api_route_methods_match_the_schema():
    wrong = [
        f"{key}: classified {CLASSIFIED[key].method}, schema {API_OPERATIONS[key[4:]][0]}"
        for key in PROBED
        if key[4:] in API_OPERATIONS and CLASSIFIED[key].method != API_OPERATIONS[key[4:]][0]
    ]
    assert not wrong, "\n".join(wrong)


# --- probing ----------------------------------------------------------------------------------


@dataclass
class Probe:
    status: int
    location: str
    text: str  # body (JSON re-encoded without escapes) and Location, NFC, case-folded
    data: Any = None  # the parsed body of a JSON response

    def leaks(self, names: list[str]) -> list[str]:
        return [n for n in names if _norm(n) in self.text]


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _body(response) -> tuple[str, Any]:
    if getattr(response, "streaming", False):
        # Consuming the stream closes the response (the test client wraps it); closing it
        # again would fire request_finished and close the test's database connection.
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    text, data = raw.decode("utf-8", errors="replace"), None
    if response.get("Content-Type", "").startswith("application/json"):
        try:  # "\u1ec5" escapes would hide a name from a plain substring test
            data = json.loads(text)
            text = json.dumps(data, ensure_ascii=False)
        except ValueError:
            pass
    return text, data


def _target(w, key: str, spec: RouteSpec) -> tuple[str, str, bool]:
    """(method, path, is_api_operation)."""
    kwargs = spec.kwargs(w) if spec.kwargs else {}
    if key.startswith("api:") and key[4:] in API_OPERATIONS:
        method, template = API_OPERATIONS[key[4:]]
        return method, template.format(**kwargs), True
    return spec.method, reverse(key, kwargs=kwargs), False


def probe(w, key: str, spec: RouteSpec, role: str, query: dict[str, Any] | None = None) -> Probe:
    method, path, is_api = _target(w, key, spec)
    client = Client()
    headers = {}
    if role != "anonymous":
        if is_api:
            headers["Authorization"] = f"Bearer {w.tokens[role]}"
        else:
            client.force_login(w.users[role])
    data = spec.data(w) if spec.data else {}
    if method == "GET":
        response = client.get(path, query or {}, headers=headers)
    elif is_api and not spec.extra.get("multipart"):
        response = client.generic(
            method, path, json.dumps(data), content_type="application/json", headers=headers
        )
    elif method == "POST":
        response = client.post(path, data, headers=headers)
    else:
        response = client.generic(method, path, headers=headers)
    location = response.get("Location", "")
    text, parsed = _body(response)
    return Probe(response.status_code, location, _norm(text + "\n" + location), parsed)


def school_b_state(w) -> dict[str, Any]:
    """Everything of school B a forbidden request could change."""
    from django.contrib.auth import get_user_model

    from lachan.audit.models import AuditLog
    from lachan.org.models import ApiToken, RoleAssignment, Unit
    from lachan.remediation.models import Finding, Task, TaskComment, TaskEvidence

    b = w.b.unit
    return {
        "unit": list(Unit.objects.filter(pk=b.pk).values()),
        "units_under_b": list(Unit.objects.filter(parent=b).values_list("pk", flat=True)),
        "user": list(get_user_model().objects.filter(pk=w.b.user.pk).values()),
        "assignments": list(RoleAssignment.objects.filter(unit=b).values()),
        "user_assignments": list(RoleAssignment.objects.filter(user=w.b.user).values()),
        "tasks": list(Task.objects.filter(unit=b).values()),
        "findings": list(Finding.objects.filter(unit=b).values()),
        "comments": list(TaskComment.objects.filter(task__unit=b).values()),
        "evidence": list(TaskEvidence.objects.filter(task__unit=b).values()),
        "tokens": list(ApiToken.objects.filter(user=w.b.user).values()),
        "audit": AuditLog.objects.filter(unit=b).count(),
    }


def _check_count(p: Probe, where: str) -> None:
    """A paginated API list counts only what it may show (the world fits in one page)."""
    if isinstance(p.data, dict) and {"items", "count"} <= set(p.data):
        assert p.data["count"] == len(p.data["items"]), (
            f"{where}: count {p.data['count']} but {len(p.data['items'])} items visible"
        )


def _login_path() -> str:
    return resolve_url(settings.LOGIN_URL)


def _ok(status: int) -> bool:
    return 200 <= status < 400


def _denied(status: int) -> bool:
    return status in (403, 404)


def _expectation(spec: RouteSpec, role: str) -> str:
    """'reach', 'deny' (403/404), 'login' (redirect to login / 401) or 'public'."""
    if spec.kind == "public":
        return "public"
    if role == "anonymous":
        return "login"
    department = role in DEPARTMENT_ROLE_NAMES
    if spec.kind == "authenticated":
        return "deny" if role in spec.extra.get("denied_roles", ()) else "reach"
    if spec.kind == "own":
        return "deny" if spec.kwargs else "reach"
    if spec.kind in {"object", "department"}:
        return "reach" if department else "deny"
    if spec.kind == "department_admin":
        return "reach" if role == "dept_admin" else "deny"
    raise AssertionError(spec.kind)


def _check_status(expect: str, p: Probe, method: str, is_api: bool, where: str) -> None:
    if expect == "public":
        assert p.status < 500 and p.status not in (401, 403), f"{where}: got {p.status}"
        assert not p.location.startswith(_login_path()), f"{where}: redirected to login"
    elif expect == "login":
        if is_api:
            assert p.status == 401, f"{where}: anonymous got {p.status}, expected 401"
        else:
            assert p.status in (301, 302) and p.location.startswith(_login_path()), (
                f"{where}: anonymous got {p.status} {p.location!r}, expected a redirect to login"
            )
    elif expect == "reach":
        refused_input = method in UNSAFE and p.status in (400, 409, 422)
        assert _ok(p.status) or refused_input, f"{where}: got {p.status}, expected 2xx/3xx"
    elif expect == "deny":
        assert _denied(p.status), f"{where}: got {p.status}, expected 403 or 404"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", PROBED)
def test_route_access(world, db, key, role):
    w = world
    spec = CLASSIFIED[key]
    method, _path, is_api = _target(w, key, spec)
    is_api = is_api or key.startswith("api:")
    expect = _expectation(spec, role)
    school_a = role in SCHOOL_A_ROLE_NAMES
    guard_b = method in UNSAFE and (school_a or role == "anonymous")
    before = school_b_state(w) if guard_b else None

    where = f"{key} [{method}] as {role}"
    p = probe(w, key, spec, role)
    _check_status(expect, p, method, is_api, where)

    if guard_b:
        assert school_b_state(w) == before, f"{where}: school B's data changed"

    if school_a and spec.leak_check:
        leaked = p.leaks(w.b_names)
        assert not leaked, f"{where}: response shows school B's {leaked}"
        _check_count(p, where)
        if spec.kind == "own" and not spec.kwargs:
            others = [u for r, u in USERNAMES.items() if r != role]
            assert not p.leaks(others), f"{where}: shows other accounts {p.leaks(others)}"
        if method == "GET" and expect == "reach":
            queries = [
                {"q": "Nguyễn Trãi"},
                {"q": "Quasar"},  # in every title of school B's objects (not itself a B name)
                {"unit": w.b.unit.pk, "unit_id": w.b.unit.pk, "parent_id": w.b.unit.pk},
                *spec.extra.get("queries", ()),
            ]
            for query in queries:
                q = probe(w, key, spec, role, query)
                assert q.status < 500, f"{where} with {query}: got {q.status}"
                leaked = q.leaks(w.b_names)
                assert not leaked, f"{where} with {query}: response shows school B's {leaked}"
                _check_count(q, f"{where} with {query}")


# --- the matrix would notice a leak -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("api:org_units_list", "Trường THPT Nguyễn Trãi"),
        ("api:remediation_tasks_list", "Vá máy chủ thư viện Quasar-B7"),
        ("api:remediation_findings_list", "Quasar-B7 liên lạc"),
        ("botnet_list_index", "ds-botnet-quasar-b7.csv"),
        ("botnet_list_detail", "198.51.100.23"),
        ("botnet_period", "THPT Nguyễn Trãi"),
        ("botnet_period_export", "198.51.100.23"),
        ("botnet_name_review", "TRUONG THPT NGUYEN TRAI"),
    ],
)
def test_probe_sees_school_b_names_where_they_are_visible(world, db, key, expected):
    """A Department user sees B's names through the same probe, so a miss is not a blind spot."""
    p = probe(world, key, CLASSIFIED[key], "dept_admin")
    assert p.status == 200
    assert p.leaks([expected]) == [expected]


def test_school_a_sees_its_own_data(world, db):
    p = probe(
        world, "api:remediation_tasks_list", CLASSIFIED["api:remediation_tasks_list"], "unit_it"
    )
    assert p.leaks([world.a.task.title]) == [world.a.task.title]


def test_school_a_sees_its_own_botnet_month(world, db):
    p = probe(world, "botnet_period", CLASSIFIED["botnet_period"], "unit_it")
    assert p.status == 200
    assert p.leaks(["192.0.2.140", "ds-botnet-truong-a.csv"]) == [
        "192.0.2.140",
        "ds-botnet-truong-a.csv",
    ]
