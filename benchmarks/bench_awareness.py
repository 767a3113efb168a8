"""Campaign progress at province scale: the Department's dashboard and its XLSX export.

Builds one campaign of 8 lessons over ~300 schools with three classes each and 40 students a
class (36,000 students — more than SQLite accepts as query parameters), their reading,
attempts and passes, then times ``progress_report`` (the dashboard's one read) for the
Department and for one school, and the XLSX workbook. The baseline is the simple way: one
query per learner for its progress, timed on a sample and scaled to every learner. Prints JSON.

    .venv/bin/python benchmarks/bench_awareness.py [--schools 300 --classes 3 --students 40]
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


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--lessons", type=int, default=8)
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from lachan.awareness.campaign_export import progress_workbook
    from lachan.awareness.models import (
        Attempt,
        Campaign,
        CampaignLesson,
        CampaignStatus,
        ClassGroup,
        Learner,
        Lesson,
        LessonVersion,
        Progress,
    )
    from lachan.awareness.selectors.campaigns import progress_report
    from lachan.org.models import Role, RoleAssignment, Unit

    rng = random.Random(11)
    t_seed = time.perf_counter()
    root = Unit.objects.create(code="SO", name="Sở", type="so")
    root.path = f"/{root.pk}/"
    root.save()
    schools = Unit.objects.bulk_create(
        [
            Unit(code=f"T{i}", name=f"Trường {i}", type="thpt", parent=root, depth=1)
            for i in range(args.schools)
        ]
    )
    for unit in schools:
        unit.path = f"{root.path}{unit.pk}/"
    Unit.objects.bulk_update(schools, ["path"], batch_size=1000)

    lessons = []
    for i in range(args.lessons):
        lesson = Lesson.objects.create(slug=f"bai-{i}", topic="scam", audiences=["students"])
        version = LessonVersion.objects.create(lesson=lesson, number=1, title=f"Bài {i}", body="…")
        lesson.current_version = version
        lesson.save(update_fields=["current_version"])
        lessons.append((lesson, version))
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Tháng an toàn thông tin",
        audiences=["students"],
        starts_on=today - dt.timedelta(days=10),
        deadline=today + dt.timedelta(days=20),
        status=CampaignStatus.ACTIVE,
    )
    campaign.units.add(root)
    CampaignLesson.objects.bulk_create(
        [
            CampaignLesson(campaign=campaign, lesson=lesson, position=i)
            for i, (lesson, _v) in enumerate(lessons)
        ]
    )
    groups = ClassGroup.objects.bulk_create(
        [
            ClassGroup(
                campaign=campaign,
                unit=unit,
                name=f"10A{c}",
                join_code=f"{unit.pk:05d}{c:03d}",
                expected_students=args.students + 2,
            )
            for unit in schools
            for c in range(args.classes)
        ],
        batch_size=2000,
    )
    learners = Learner.objects.bulk_create(
        [
            Learner(kind="student", unit_id=g.unit_id, class_group=g, name=f"Học sinh {g.pk}-{s}")
            for g in groups
            for s in range(args.students)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    progress, attempts = [], []
    for learner in learners:
        reached = min(args.lessons, int(rng.random() * (args.lessons + 3)))
        for i, (lesson, version) in enumerate(lessons[: reached + 1]):
            passed = i < reached
            progress.append(
                Progress(
                    learner=learner,
                    campaign=campaign,
                    lesson=lesson,
                    read_at=now,
                    passed_at=now if passed else None,
                    best_score=100 if passed else 50,
                    attempts=1,
                    last_attempt_at=now,
                )
            )
            attempts.append(
                Attempt(
                    learner=learner,
                    lesson=lesson,
                    version=version,
                    campaign=campaign,
                    correct=8 if passed else 4,
                    total=8,
                    score=100 if passed else 50,
                    passed=passed,
                    submitted_at=now,
                )
            )
    Progress.objects.bulk_create(progress, batch_size=5000)
    Attempt.objects.bulk_create(attempts, batch_size=5000)
    seed_seconds = time.perf_counter() - t_seed

    User = get_user_model()
    dept = User.objects.create(username="dept")
    RoleAssignment.objects.create(user=dept, unit=root, role=Role.DEPT_SECURITY)
    school_user = User.objects.create(username="school")
    RoleAssignment.objects.create(user=school_user, unit=schools[0], role=Role.UNIT_IT)

    def fresh(user):
        return User.objects.get(pk=user.pk)

    dept_seconds, report = timed(lambda: progress_report(fresh(dept), campaign))
    school_seconds, school_report = timed(lambda: progress_report(fresh(school_user), campaign))
    xlsx_seconds, workbook = timed(lambda: progress_workbook(report), repeat=1)
    completed = sum(row.total.completed for row in report.units)

    # Baseline: one progress query per learner, on a sample, scaled to all learners.
    sample = learners[:2000]

    def baseline() -> int:
        done = 0
        for learner in sample:
            passed = Progress.objects.filter(
                learner=learner, campaign=campaign, passed_at__isnull=False
            ).count()
            done += passed == args.lessons
        return done

    base_sample_seconds, _ = timed(baseline, repeat=1)
    baseline_seconds = base_sample_seconds * len(learners) / len(sample)
    print(
        json.dumps(
            {
                "benchmark": "awareness_progress",
                "database": connection.vendor,
                "schools": len(schools),
                "classes": len(groups),
                "students": len(learners),
                "progress_rows": len(progress),
                "attempts": len(attempts),
                "seed_seconds": round(seed_seconds, 1),
                "department_report_seconds": round(dept_seconds, 3),
                "school_report_seconds": round(school_seconds, 3),
                "school_units_seen": len(school_report.units),
                "xlsx_seconds": round(xlsx_seconds, 3),
                "xlsx_bytes": len(workbook),
                "completed_learners": completed,
                "baseline_seconds_estimated": round(baseline_seconds, 2),
                "baseline_sample_learners": len(sample),
                "ratio_vs_baseline": round(baseline_seconds / dept_seconds, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
