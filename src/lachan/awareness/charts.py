"""Geometry of the campaign dashboard's SVG chart (server-side, no JavaScript).

Widths are percentages of the chart's width and heights pixels, like ``web.views.unit_bar_chart``:
the label and the numbers sit on a line above each bar, so the text stays readable at 390 px.
"""

from __future__ import annotations

ROW_HEIGHT = 38
MAX_BAR = 100.0
CHART_LIMIT = 25


def completion_chart(unit_rows, *, limit: int = CHART_LIMIT) -> dict | None:
    """One bar per unit with learners expected: completed (green) over expected (track).

    The units furthest behind come first; at most ``limit`` bars (``more`` says how many
    units the table has beyond them).
    """
    items = [r for r in unit_rows if r.total.expected]
    if not items:
        return None
    items.sort(key=lambda r: (r.total.completion_rate or 0, -r.total.expected, r.unit.path))
    shown = items[:limit]
    bars = []
    for i, r in enumerate(shown):
        total = r.total
        rate = total.completion_rate or 0
        started = min(100.0, 100.0 * total.started / total.expected) if total.expected else 0.0
        y = 4 + i * ROW_HEIGHT
        label = r.unit.short_name or r.unit.name
        bars.append(
            {
                "pk": r.unit.pk,
                "label": label if len(label) <= 40 else label[:39] + "…",
                "full_name": r.unit.name,
                "expected": total.expected,
                "completed": total.completed,
                "started": total.started,
                "rate": rate,
                "label_y": y + 12,
                "bar_y": y + 17,
                "done_w": f"{MAX_BAR * min(total.completed, total.expected) / total.expected:.2f}",
                "started_w": f"{started:.2f}",
            }
        )
    return {
        "bars": bars,
        "height": 4 + len(bars) * ROW_HEIGHT + 4,
        "more": len(items) - len(shown),
    }
