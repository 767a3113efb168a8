"""``lachan drills``: phishing drills from the command line (thin over drills.services)."""

from __future__ import annotations

import click
from django.utils.translation import gettext as _

from .output import FORMAT_OPTION, print_rows


@click.group()
def drills() -> None:
    """Diễn tập thư lừa đảo."""


@drills.command("send-due")
@FORMAT_OPTION
def send_due_command(fmt: str) -> None:
    """Gửi lượt thư kế tiếp của các đợt diễn tập đang chạy (như việc định kỳ mỗi phút)."""
    from lachan.cli import ensure_migrated
    from lachan.drills.services import send_due_drill_emails

    ensure_migrated()
    counts = send_due_drill_emails()
    labels = {
        "started": _("Đợt bắt đầu gửi"),
        "queued": _("Thư đưa vào hàng gửi"),
        "drills": _("Đợt có thư gửi đi"),
        "finished": _("Đợt tự kết thúc"),
    }
    rows = [{"item": key, "description": labels[key], "count": counts[key]} for key in labels]
    print_rows(rows, ["item", "description", "count"], fmt, title=_("Diễn tập thư lừa đảo"))


COMMANDS = [drills]
