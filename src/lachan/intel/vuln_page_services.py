"""Writes that only the vulnerability pages make: the Vietnamese summary of a record.

Like every service, it checks the actor's right, writes in a transaction and records the
audit log. Feeds, advisories, aliases, policy and matching are ``intel.vulns``'s.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lachan.audit.services import record

from .models import Vulnerability
from .vuln_selectors import may_manage_vulnerabilities

SUMMARY_MAX = 4000


@transaction.atomic
def set_summary_vi(*, actor, vulnerability: Vulnerability, summary: str) -> Vulnerability:
    """Set (or clear, with "") the Vietnamese summary of a record. Department staff only;
    the English description stays as published."""
    if actor is not None and not may_manage_vulnerabilities(actor):
        raise PermissionDenied
    text = "\n".join(line.rstrip() for line in (summary or "").strip().splitlines())
    if len(text) > SUMMARY_MAX:
        raise ValidationError(
            {"summary_vi": _("Tóm tắt quá dài (tối đa %(n)d ký tự).") % {"n": SUMMARY_MAX}}
        )
    vuln = Vulnerability.objects.select_for_update().get(pk=vulnerability.pk)
    if vuln.summary_vi == text:
        return vuln
    before = {"summary_vi": vuln.summary_vi}
    vuln.summary_vi = text
    vuln.save(update_fields=["summary_vi", "updated_at"])
    record(
        actor=actor,
        action="vulnerability.summary",
        obj=vuln,
        before=before,
        after={"summary_vi": text},
    )
    return vuln
