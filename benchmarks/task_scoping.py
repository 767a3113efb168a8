"""Scoped reads: how fast a user's visible tasks are listed and counted.

Compares the materialised-path selector (one indexed prefix query) with a simple baseline that
walks the unit tree level by level and filters tasks by the collected ids. Prints JSON.

    LACHAN_HOME=$(mktemp -d) .venv/bin/python benchmarks/task_scoping.py [--units 600 --tasks 30000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django  # noqa: E402


def timed(fn, repeat: int = 7) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--tasks", type=int, default=30000)
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth import get_user_model
    from django.db import connection

    from lachan.org.models import Role, RoleAssignment, Unit
    from lachan.remediation.models import Task
    from lachan.remediation.selectors import tasks_for

    rng = random.Random(7)
    # Build the tree directly (bulk), then set paths: the benchmark is about reads.
    root = Unit.objects.create(code="SO", name="Sở", type="so")
    root.path, root.depth = f"/{root.pk}/", 0
    root.save()
    clusters = []
    for i in range(20):
        u = Unit.objects.create(code=f"CUM{i}", name=f"Cụm {i}", type="khac", parent=root)
        u.path, u.depth = f"{root.path}{u.pk}/", 1
        u.save()
        clusters.append(u)
    schools = []
    for i in range(args.units - 21):
        parent = rng.choice(clusters)
        u = Unit.objects.create(code=f"T{i}", name=f"Trường {i}", type="thcs", parent=parent)
        u.path, u.depth = f"{parent.path}{u.pk}/", 2
        u.save()
        schools.append(u)
    today = dt.date(2026, 11, 28)
    statuses = ["open", "in_progress", "submitted", "returned", "verified", "closed"]
    Task.objects.bulk_create(
        [
            Task(
                unit=rng.choice(schools),
                title=f"Việc {i}",
                problem_key=f"k{i}",
                status=rng.choice(statuses),
                due_date=today + dt.timedelta(days=rng.randint(-20, 20)),
            )
            for i in range(args.tasks)
        ],
        batch_size=2000,
    )
    User = get_user_model()
    dept = User.objects.create(username="dept")
    RoleAssignment.objects.create(user=dept, unit=root, role=Role.DEPT_SECURITY)
    cluster_user = User.objects.create(username="cluster")
    RoleAssignment.objects.create(user=cluster_user, unit=clusters[0], role=Role.UNIT_HEAD)
    school_user = User.objects.create(username="school")
    RoleAssignment.objects.create(user=school_user, unit=schools[0], role=Role.UNIT_IT)

    def baseline_ids(user):
        # Walk down from each assigned unit, one query per level.
        frontier = list(RoleAssignment.objects.filter(user=user).values_list("unit_id", flat=True))
        seen = set(frontier)
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            seen.update(frontier)
        return seen

    results = {}
    for label, user in [("department", dept), ("cluster", cluster_user), ("school", school_user)]:

        def fresh(user=user):
            return User.objects.get(pk=user.pk)  # no per-request cache carried over

        ours_count = timed(lambda: tasks_for(fresh()).count())
        ours_page = timed(lambda: list(tasks_for(fresh()).order_by("due_date")[:50]))
        ours_overdue = timed(lambda: tasks_for(fresh(), overdue=True).count())
        base_count = timed(lambda: Task.objects.filter(unit_id__in=baseline_ids(fresh())).count())
        base_page = timed(
            lambda: list(
                Task.objects.filter(unit_id__in=baseline_ids(fresh()))
                .select_related("unit")
                .order_by("due_date")[:50]
            )
        )
        n = tasks_for(fresh()).count()
        assert n == Task.objects.filter(unit_id__in=baseline_ids(fresh())).count()
        results[label] = {
            "visible_tasks": n,
            "count_ms": round(ours_count * 1000, 2),
            "first_page_ms": round(ours_page * 1000, 2),
            "overdue_count_ms": round(ours_overdue * 1000, 2),
            "baseline_count_ms": round(base_count * 1000, 2),
            "baseline_first_page_ms": round(base_page * 1000, 2),
            "count_speedup_vs_baseline": round(base_count / ours_count, 2),
            "page_speedup_vs_baseline": round(base_page / ours_page, 2),
        }
    print(
        json.dumps(
            {
                "benchmark": "task_scoping",
                "database": connection.vendor,
                "units": Unit.objects.count(),
                "tasks": Task.objects.count(),
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
