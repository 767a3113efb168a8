"""Drill e-mails end to end through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from lachan.drills import services
from lachan.drills.models import DrillStatus
from lachan.notifications.models import Notification
from lachan.notifications.selectors import notifications_for
from lachan.org.models import Role

from .conftest import make_drill


@pytest.mark.django_db(transaction=True)
def test_drill_mail_reaches_the_smtp_server_at_the_set_rate(smtp, tree, staff, make_user, settings):
    settings.LACHAN_DRILL_SENDER_DOMAIN = "dien-tap.lachan.test"
    make_user(Role.LEARNER, tree.a, username="gv_a3", first_name="Minh", last_name="Châu")
    make_user(Role.LEARNER, tree.a, username="gv_a4")
    start = timezone.now() - dt.timedelta(minutes=10)
    drill = make_drill(staff, [tree.a], rate=2, starts_at=start)
    assert drill.recipients.count() == 5

    counts = services.send_due_drill_emails(now=start + dt.timedelta(minutes=1))
    assert counts == {"started": 1, "queued": 2, "finished": 0, "drills": 1}
    smtp.wait_for(2, timeout=10)
    services.send_due_drill_emails(now=start + dt.timedelta(minutes=2))
    smtp.wait_for(4, timeout=10)
    assert len(smtp.messages()) == 4  # never more than the rate per run
    services.send_due_drill_emails(now=start + dt.timedelta(minutes=3))
    received = smtp.wait_for(5, timeout=10)
    assert services.send_due_drill_emails(now=start + dt.timedelta(minutes=4))["queued"] == 0
    assert len(smtp.messages()) == 5

    assert sorted(r for m in received for r in m.recipients) == sorted(
        drill.recipients.values_list("email", flat=True)
    )
    tokens = set()
    for mail in received:
        assert mail.subject == "Mật khẩu hộp thư công vụ của thầy/cô sẽ hết hạn sau 24 giờ"
        assert "quan-tri-hop-thu@dien-tap.lachan.test" in str(mail.message["From"])
        assert mail.message["X-Lachan-Drill"] == str(drill.pk)
        links = re.findall(r"http://127\.0\.0\.1:8000/dt/c/([A-Za-z0-9_-]+)/", mail.body)
        assert len(links) == 1
        html = mail.message.get_body(preferencelist=("html",)).get_content()
        assert f"/dt/o/{links[0]}.gif" in html and f"/dt/c/{links[0]}/" in html
        tokens.add(links[0])
    assert tokens == set(drill.recipients.values_list("token", flat=True))
    chau = smtp.to("gv_a3@example.edu.vn")[0]
    assert "Kính gửi Minh Châu" in chau.body

    # Delivery state is copied back onto the recipients.
    assert drill.recipients.filter(sent_at__isnull=False, send_attempts=1).count() == 5

    # Hidden from every notification listing until the drill has finished.
    it_a, officer = staff.a[2], staff.creator
    assert Notification.objects.filter(event="drill.email").count() == 5
    assert not notifications_for(it_a).filter(event="drill.email").exists()
    assert not notifications_for(officer).filter(event="drill.email").exists()
    services.finish_drill(actor=officer, drill=drill)
    drill.refresh_from_db()
    assert drill.status == DrillStatus.FINISHED
    assert notifications_for(it_a).filter(event="drill.email").count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_refused_message_keeps_the_error_and_is_retried(smtp, tree, staff):
    from lachan.notifications.services import retry_unsent

    drill = make_drill(staff, [tree.c])
    smtp.refuse = True
    services.send_due_drill_emails()
    r = drill.recipients.get()
    assert r.sent_at is None and r.send_attempts == 1 and "554" in r.last_error
    smtp.refuse = False
    retry_unsent(older_than_minutes=0)
    services.sync_delivery()
    r.refresh_from_db()
    assert r.sent_at is not None and r.send_attempts == 2 and r.last_error == ""
    assert len(smtp.messages()) == 1
