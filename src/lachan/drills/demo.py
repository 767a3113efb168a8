"""Demo data of phishing drills (called from ``lachan.demo``): a finished drill over six
schools with realistic, back-dated results, and one drill awaiting a second officer's approval.

No e-mail is sent: the finished drill's messages are marked as delivered directly (the demo
never talks to a mail server); every recipient event after that goes through the same services
as the tracking routes, the report page and the follow-up lesson.
"""

from __future__ import annotations

import datetime as dt
import random
import types
import zoneinfo

from django.conf import settings
from django.db import transaction

from lachan.org.models import Role, Unit, UnitType

from . import services
from .models import Drill, DrillRecipient, DrillTemplate

SEED = 20261105
STAFF_PER_SCHOOL = 8
# The built-in lesson on phishing e-mail (awareness content), when the lessons are loaded.
FOLLOW_UP_LESSON = "thu-dien-tu-lua-dao-va-tep-dinh-kem"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Ngọc", "Đức", "Thanh", "Hoài"]
GIVEN = ["An", "Bình", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Khoa", "Linh", "Nam", "Oanh"]
GIVEN += ["Phương", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Uyên", "Vy", "Yến"]
# Per school: share of recipients who click, and of the others who report (varied on purpose).
PROFILES = [(0.5, 0.1), (0.38, 0.25), (0.25, 0.38), (0.62, 0.0), (0.12, 0.5), (0.3, 0.2)]


def _schools(limit: int = 6) -> list[Unit]:
    """Schools with staff accounts, the demo teacher's school first."""
    schools = [
        u
        for u in Unit.objects.filter(is_active=True, role_assignments__isnull=False)
        .exclude(type__in=[UnitType.SO, UnitType.PHONG, UnitType.KHAC])
        .distinct()
        .order_by("path")
    ]
    schools.sort(key=lambda u: (u.code != "LH-THPT-02", u.path))
    return schools[:limit]


def _top_up_staff(unit: Unit, rng: random.Random) -> None:
    """Teacher accounts (no password: they never log in to the demo) up to STAFF_PER_SCHOOL."""
    from django.contrib.auth import get_user_model

    from lachan.org.services import create_user

    have = get_user_model().objects.filter(role_assignments__unit=unit).distinct().count()
    slug = unit.code.lower()
    for i in range(have + 1, STAFF_PER_SCHOOL + 1):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        create_user(
            actor=None,
            username=f"gv-{slug}-{i:02d}",
            password=None,
            email=f"gv{i:02d}.{slug}@example.edu.vn",
            full_name=name,
            roles=[(unit, Role.LEARNER)],
        )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def _play(drill: Drill, start: dt.datetime, rng: random.Random, lesson_ok: bool) -> None:
    """Back-dated events: delivery, opens, clicks, would-have-submitted, reports, lessons."""
    recipients = list(drill.recipients.select_related("user", "unit").order_by("unit__path", "pk"))
    by_unit: dict[int, list[DrillRecipient]] = {}
    for r in recipients:
        by_unit.setdefault(r.unit_id, []).append(r)
    for n, r in enumerate(recipients):
        sent = start + dt.timedelta(seconds=2 * n)  # 30 a minute
        DrillRecipient.objects.filter(pk=r.pk).update(
            queued_at=sent, sent_at=sent + dt.timedelta(seconds=1), send_attempts=1
        )
    for i, group in enumerate(by_unit.values()):
        click_share, report_share = PROFILES[i % len(PROFILES)]
        for r in group:
            r.refresh_from_db()
            later = r.sent_at + dt.timedelta(minutes=rng.randint(5, 600))
            roll = rng.random()
            if roll < click_share:
                services.record_click(recipient=r, now=later)
                if rng.random() < 0.55:
                    services.record_would_submit(recipient=r, now=later + dt.timedelta(seconds=40))
                services.record_acknowledged(recipient=r, now=later + dt.timedelta(minutes=2))
                if lesson_ok and rng.random() < 0.6:
                    services.record_lesson_completed(
                        learner=types.SimpleNamespace(user_id=r.user_id),
                        lesson=drill.follow_up_lesson,
                        now=later + dt.timedelta(days=rng.randint(0, 3), hours=1),
                    )
            else:
                if rng.random() < 0.6:
                    services.record_open(recipient=r, now=later)
                if rng.random() < report_share / max(0.01, 1 - click_share):
                    services.report_message(
                        actor=r.user,
                        text=f"{services.tracking_urls(r.token)['link']}",
                        now=later + dt.timedelta(minutes=3),
                    )


@transaction.atomic
def seed_drills_demo(*, today: dt.date, actor, approver) -> dict[str, int]:
    """A finished drill over six schools and one awaiting approval. Returns counts."""
    if Drill.objects.exists():
        return {"drills": 0}
    services.ensure_builtin_templates()
    rng = random.Random(SEED)
    schools = _schools()
    for unit in schools:
        _top_up_staff(unit, rng)
    try:
        from lachan.awareness.models import Lesson

        lessons = Lesson.objects.filter(is_active=True)
        lesson = (
            lessons.filter(slug=FOLLOW_UP_LESSON).first()
            or lessons.filter(topic="phishing").order_by("position").first()
        )
    except Exception:  # the awareness app's lessons may not be loaded yet
        lesson = None

    start = _at(today - dt.timedelta(days=14), 8)
    finished = services.create_drill(
        actor=actor,
        name="Diễn tập tháng 11: mật khẩu hộp thư công vụ sắp hết hạn",
        template=DrillTemplate.objects.get(key="mat-khau-het-han"),
        units=schools,
        include_subunits=False,
        follow_up_lesson=lesson,
        starts_at=start,
        ends_at=start + dt.timedelta(days=7),
        rate_per_minute=30,
    )
    services.submit_drill(actor=actor, drill=finished)
    services.approve_drill(actor=approver, drill=finished)
    services.start_drill(actor=actor, drill=finished, now=start)
    _play(finished, start, rng, lesson_ok=lesson is not None)
    services.finish_drill(actor=actor, drill=finished, now=start + dt.timedelta(days=7))

    pending = services.create_drill(
        actor=actor,
        name="Diễn tập tháng 12: thông báo thu học phí giả",
        template=DrillTemplate.objects.get(key="hoc-phi-gia"),
        units=schools[:3],
        include_subunits=False,
        starts_at=_at(today + dt.timedelta(days=3), 8),
        send_until=_at(today + dt.timedelta(days=3), 11),
        ends_at=_at(today + dt.timedelta(days=10), 17),
        rate_per_minute=20,
    )
    services.submit_drill(actor=actor, drill=pending)
    return {"drills": 2, "recipients": finished.recipients.count()}
