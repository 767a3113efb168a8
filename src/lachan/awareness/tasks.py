"""Jobs of the awareness app: campaign reminders before the deadline.

``send_campaign_reminders`` runs daily at 07:30 (Asia/Ho_Chi_Minh; ``lachan.celery`` beat
schedule) and from ``lachan awareness remind``. An active campaign is reminded on each day of
the last ``reminder_days`` days before its deadline, and always on the day before; once a day
at most (``Campaign.last_reminded_on``, claimed before anything is queued), so a second run or
a second machine sends nothing.

Who hears: every staff account of the campaign's units (with an e-mail) that has not completed
it, when the campaign is for staff; and each unit's IT officer (the unit record's address and
the unit IT accounts) a summary of the unit: staff and classes.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from lachan.notifications.services import notify
from lachan.org.models import Role, RoleAssignment

from .models import Audience, Campaign, CampaignStatus, LearnerKind
from .selectors.campaigns import progress_report
from .services.campaigns import claim_reminder_day, record_reminders


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def is_reminder_day(campaign: Campaign, today: dt.date) -> bool:
    days_left = (campaign.deadline - today).days
    return days_left == 1 or 0 <= days_left <= campaign.reminder_days


def _url(name: str, **kwargs) -> str:
    return f"{settings.LACHAN_BASE_URL.rstrip('/')}{reverse(name, kwargs=kwargs or None)}"


def remind_campaign(campaign: Campaign, today: dt.date) -> int:
    """Queue the day's reminders of one campaign (call inside a transaction). Returns how many."""
    report = progress_report(None, campaign)
    unit_ids = [r.unit.pk for r in report.units]
    done_users = {
        r.learner.user_id
        for r in report.learners
        if r.complete and r.learner.kind == LearnerKind.STAFF
    }
    days_left = (campaign.deadline - today).days
    base = {
        "campaign": campaign,
        "days_left": days_left,
        "lessons": report.lessons,
        "learning_url": _url("awareness_my_learning"),
        "dashboard_url": _url("awareness_campaign_dashboard", pk=campaign.pk),
    }
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if Audience.STAFF in campaign.audiences:
            users = (
                get_user_model()
                .objects.filter(is_active=True, role_assignments__unit__in=unit_ids, email__gt="")
                .exclude(pk__in=done_users)
                .distinct()
                .order_by("pk")
            )
            for user in users:
                context = {**base, "person": user.get_full_name() or user.get_username()}
                sent += len(
                    notify(
                        event="awareness.campaign_reminder",
                        recipients=[user.email],
                        subject=render_to_string(
                            "awareness/campaign_reminder_subject.txt", context
                        ).strip(),
                        body=render_to_string("awareness/campaign_reminder.txt", context),
                        obj=campaign,
                    )
                )
        officers: dict[int, set[str]] = {}
        for unit_id, email in RoleAssignment.objects.filter(
            unit__in=unit_ids, role=Role.UNIT_IT, user__is_active=True, user__email__gt=""
        ).values_list("unit_id", "user__email"):
            officers.setdefault(unit_id, set()).add(email)
        for row in report.units:
            if not row.total.expected:
                continue
            recipients = sorted(officers.get(row.unit.pk, set()))
            if row.unit.it_officer_email:
                recipients.insert(0, row.unit.it_officer_email)
            if not recipients:
                continue
            context = {
                **base,
                "row": row,
                "classes": [c for c in report.classes if c.group.unit_id == row.unit.pk],
            }
            sent += len(
                notify(
                    event="awareness.campaign_unit_summary",
                    recipients=recipients,
                    subject=render_to_string(
                        "awareness/campaign_reminder_unit_subject.txt", context
                    ).strip(),
                    body=render_to_string("awareness/campaign_reminder_unit.txt", context),
                    unit=row.unit,
                    obj=campaign,
                )
            )
    return sent


def send_campaign_reminders_now(today: dt.date | str | None = None) -> dict[str, int]:
    day = _as_date(today)
    counts = {"campaigns": 0, "messages": 0}
    for campaign in Campaign.objects.filter(
        status=CampaignStatus.ACTIVE, deadline__gte=day
    ).order_by("pk"):
        if not is_reminder_day(campaign, day) or campaign.last_reminded_on == day:
            continue
        with transaction.atomic():
            if not claim_reminder_day(campaign=campaign, on=day):
                continue  # another run took this day
            sent = remind_campaign(campaign, day)
            record_reminders(campaign=campaign, on=day, sent=sent)
        counts["campaigns"] += 1
        counts["messages"] += sent
    return counts


@shared_task(name="lachan.awareness.send_campaign_reminders")
def send_campaign_reminders(today: dt.date | str | None = None) -> dict[str, int]:
    """Remind the learners and units of active campaigns whose deadline is near."""
    return send_campaign_reminders_now(today)
