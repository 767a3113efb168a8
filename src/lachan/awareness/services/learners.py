"""Who is learning: a staff account's learner, or a student remembered by the browser session.

A student who joins a class by code gets a ``Learner`` and a random secret; the session keeps
the learner id and the secret (only its SHA-256 is stored), so the same browser comes back to
the same learner and nobody can take over another student's record by guessing an id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from lachan.org.selectors import primary_unit

from ..models import Learner, LearnerKind

SESSION_LEARNER_ID = "awareness_learner_id"
SESSION_LEARNER_SECRET = "awareness_learner_secret"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_student_secret() -> tuple[str, str]:
    """A fresh secret for a student's browser and the hash to store."""
    secret = secrets.token_urlsafe(24)
    return secret, hash_secret(secret)


def learner_for_user(user) -> Learner | None:
    """The staff learner of a logged-in user (created on first use); None without a unit."""
    if not getattr(user, "is_authenticated", False):
        return None
    existing = Learner.objects.filter(user=user).select_related("unit").first()
    if existing is not None:
        return existing
    unit = primary_unit(user)
    if unit is None:
        return None
    name = user.get_full_name() or user.get_username()
    try:
        with transaction.atomic():
            return Learner.objects.create(kind=LearnerKind.STAFF, user=user, unit=unit, name=name)
    except IntegrityError:  # created by a concurrent request
        return Learner.objects.get(user=user)


def remember_student(request: HttpRequest, learner: Learner, secret: str) -> None:
    """Keep a student learner in this browser's session (after joining a class)."""
    request.session.cycle_key()
    request.session[SESSION_LEARNER_ID] = learner.pk
    request.session[SESSION_LEARNER_SECRET] = secret


def forget_student(request: HttpRequest) -> None:
    request.session.pop(SESSION_LEARNER_ID, None)
    request.session.pop(SESSION_LEARNER_SECRET, None)


def student_from_session(request: HttpRequest) -> Learner | None:
    learner_id = request.session.get(SESSION_LEARNER_ID)
    secret = request.session.get(SESSION_LEARNER_SECRET)
    if not learner_id or not secret:
        return None
    learner = (
        Learner.objects.filter(pk=learner_id, kind=LearnerKind.STUDENT)
        .select_related("unit", "class_group", "class_group__campaign")
        .first()
    )
    if learner is None or not hmac.compare_digest(learner.secret_hash, hash_secret(secret)):
        return None
    return learner


def current_learner(request: HttpRequest) -> Learner | None:
    """The learner behind a request: the logged-in staff member, else the session's student."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return learner_for_user(user)
    return student_from_session(request)
