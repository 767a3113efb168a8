"""Geometry of the drill results' SVG funnel (server-side, no JavaScript).

Widths are percentages of the chart, heights pixels, so the text stays readable at any width.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

ROW_HEIGHT = 38


def stage_labels() -> dict[str, str]:
    return {
        "sent": _("Đã gửi"),
        "opened": _("Đã mở thư"),
        "clicked": _("Đã nhấp link"),
        "submitted": _("Định đăng nhập"),
        "reported": _("Đã báo cáo"),
        "completed": _("Học xong bài học"),
    }


# Stages that are a bad outcome (red) and those that are a good one (green).
BAD = {"clicked", "submitted"}
GOOD = {"reported", "completed"}


def funnel_chart(
    total: dict[str, Any], *, with_submitted: bool = True, with_lesson: bool = True
) -> dict | None:
    """Bars for each stage over the recipients; None when nobody was sent anything."""
    recipients = total.get("recipients") or 0
    if not recipients:
        return None
    labels = stage_labels()
    bars = []
    for i, stage in enumerate(labels):
        if (stage == "submitted" and not with_submitted) or (
            stage == "completed" and not with_lesson
        ):
            continue
        count = total.get(stage) or 0
        share = 100 * count / recipients
        y = 4 + len(bars) * ROW_HEIGHT
        bars.append(
            {
                "stage": stage,
                "label": labels[stage],
                "count": count,
                "percent": f"{share:.0f}",
                "w": f"{max(share, 0.6 if count else 0):.2f}",
                "css": "bad" if stage in BAD else ("good" if stage in GOOD else "neutral"),
                "label_y": y + 12,
                "bar_y": y + 17,
                "index": i,
            }
        )
    return {"bars": bars, "height": 4 + len(bars) * ROW_HEIGHT + 4, "recipients": recipients}
