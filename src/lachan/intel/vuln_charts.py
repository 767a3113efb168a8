"""Geometry of the server-side SVG charts of the vulnerability pages (no JavaScript).

Horizontal positions are percentages of the chart's width and vertical ones pixels, so the
SVG keeps readable text at any screen width (the same idea as ``web.views.unit_bar_chart``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils.translation import gettext as _

PRIORITY_ORDER = (1, 2, 3, 4)  # stacked from the bottom: the urgent part sits on the axis


def priority_label(priority: int) -> str:
    return {
        1: _("Khẩn cấp"),
        2: _("Cao"),
        3: _("Trung bình"),
        4: _("Thấp"),
    }.get(priority, str(priority))


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """(axis maximum, step) with a step of 1, 2 or 5 × 10^k and at most ``ticks`` steps."""
    if value <= 0:
        return ticks, 1
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for mult in (1, 2, 5, 10):
        step = max(1, int(mult * power))
        if step * ticks >= value:
            return step * ticks, step
    step = int(10 * power)
    return step * math.ceil(value / step), step


def priority_timeseries_chart(
    series: dict[str, Any], *, height: int = 220, min_days: int = 14
) -> dict | None:
    """Stacked bars per day of open affected exposures by priority.

    ``series``: ``{"days": [date, …], "by_priority": {1: [n, …], …}}`` as
    ``vuln_selectors.exposure_timeseries`` gives it. None when every day is zero.
    """
    days: list[dt.date] = list(series.get("days") or [])
    lanes: dict[int, list[int]] = series.get("by_priority") or {}
    n = len(days)
    if not n:
        return None
    totals = [sum((lanes.get(p) or [0] * n)[i] for p in PRIORITY_ORDER) for i in range(n)]
    if not any(totals):
        return None
    # Days before anything was seen are left out (a new installation has only a few days of
    # history), keeping at least ``min_days`` so one day does not fill the width.
    first = next(i for i, t in enumerate(totals) if t)
    start = max(0, min(first, n - min_days))
    if start:
        days = days[start:]
        lanes = {p: (lanes.get(p) or [0] * n)[start:] for p in PRIORITY_ORDER}
        totals = totals[start:]
        n = len(days)
    top, step = nice_ceiling(max(totals))
    plot_top, plot_bottom = 16, height - 24
    scale = (plot_bottom - plot_top) / top
    slot = 100.0 / n
    width = slot * 0.76
    bars = []
    for i, day in enumerate(days):
        y = float(plot_bottom)
        segments = []
        for p in PRIORITY_ORDER:
            count = (lanes.get(p) or [0] * n)[i]
            if not count:
                continue
            h = count * scale
            y -= h
            segments.append({"p": p, "y": f"{y:.1f}", "h": f"{h:.1f}", "count": count})
        parts = ", ".join(
            f"{(lanes.get(p) or [0] * n)[i]} {priority_label(p).lower()}"
            for p in PRIORITY_ORDER
            if (lanes.get(p) or [0] * n)[i]
        )
        bars.append(
            {
                "x": f"{i * slot + (slot - width) / 2:.3f}",
                "w": f"{width:.3f}",
                "segments": segments,
                "title": f"{day:%d/%m/%Y}: {totals[i]}" + (f" ({parts})" if parts else ""),
            }
        )
    grid = []
    for value in range(0, top + 1, step):
        y = plot_bottom - value * scale
        grid.append({"y": f"{y:.1f}", "label_y": f"{y - 3:.1f}", "value": value})
    every = max(1, math.ceil(n / 6))
    ticks = list(range(0, n, every))
    if n > 1 and ticks[-1] != n - 1:
        if n - 1 - ticks[-1] < every / 2 and len(ticks) > 1:
            ticks.pop()  # too close to the last day's label
        ticks.append(n - 1)
    labels = []
    for i in ticks:
        if i == 0:
            x, anchor = "0", "start"
        elif i == n - 1:
            x, anchor = "100", "end"
        else:
            x, anchor = f"{(i + 0.5) * slot:.3f}", "middle"
        labels.append({"x": x, "text": f"{days[i]:%d/%m}", "anchor": anchor})
    return {
        "height": height,
        "axis_y": plot_bottom,
        "label_y": height - 6,
        "bars": bars,
        "grid": grid,
        "labels": labels,
        "first": days[0],
        "last": days[-1],
        "today": totals[-1],
        "peak": max(totals),
    }


def sparkline(values: list[int], *, width: int = 100, height: int = 24) -> dict | None:
    """A small line of a unit's open exposures over the days (viewBox units)."""
    if not values or not any(values):
        return None
    top = max(values)
    n = len(values)
    step = width / max(1, n - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    return {"points": points, "width": width, "height": height, "last": values[-1], "top": top}


def unit_rows_for_chart(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``vuln_selectors.exposure_summary_by_unit`` in the shape ``unit_bar_chart``
    draws: the whole bar is the open affected exposures, the red part the urgent ones."""
    return [
        {
            "pk": r["unit_id"],
            "name": r["unit__name"],
            "short_name": r.get("unit__short_name") or "",
            "open_count": r["affected"],
            "overdue_count": r["p1"],
        }
        for r in summary
    ]
