"""``lachan awareness``: lessons and quizzes (nâng cao nhận thức)."""

from __future__ import annotations

from pathlib import Path

import click

from .output import fail


@click.group()
def awareness() -> None:
    """Nâng cao nhận thức: bài học, bài kiểm tra, đợt học."""


@awareness.command("load-lessons")
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    type=click.Path(path_type=Path, file_okay=False),
)
def load_lessons(directory: Path | None) -> None:
    """Nạp (hoặc cập nhật) các bài học có sẵn từ DIR (mặc định: nội dung đi kèm Lá Chắn).

    Mỗi bài học là một thư mục NN-ten-bai gồm lesson.md, quiz.yaml và images/. Có lỗi ở bất
    kỳ bài nào thì không nạp gì; bài đã được sửa trên hệ thống được giữ nguyên.
    """
    from django.core.exceptions import ValidationError

    from . import ensure_migrated

    if directory is not None and not directory.is_dir():
        fail(f"Không tìm thấy thư mục {directory}.")
    ensure_migrated()
    from lachan.awareness.services.lessons import load_builtin_lessons

    try:
        report = load_builtin_lessons(content_dir=directory)
    except ValidationError as exc:
        click.echo(f"Lỗi: không nạp bài học nào ({len(exc.messages)} lỗi):", err=True)
        for message in exc.messages:
            click.echo(f"  - {message}", err=True)
        raise SystemExit(1) from None
    for label, slugs in (
        ("Thêm mới", report.created),
        ("Cập nhật", report.updated),
        ("Giữ nguyên", report.unchanged),
    ):
        if slugs:
            click.echo(f"{label} ({len(slugs)}): {', '.join(slugs)}")
    for slug, reason in report.skipped:
        click.echo(f"Bỏ qua {slug}: {reason}")
    for warning in report.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    click.echo(report.summary())


# --- campaigns ------------------------------------------------------------------------------


@awareness.command("remind")
@click.option(
    "--today",
    default=None,
    metavar="YYYY-MM-DD",
    help="Coi hôm nay là ngày này (mặc định: hôm nay, giờ Việt Nam)",
)
def remind(today: str | None) -> None:
    """Gửi thư nhắc các đợt học sắp hết hạn (mỗi đợt một lần mỗi ngày)."""
    import datetime as dt

    from . import ensure_migrated

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            fail(f"Ngày “{today}” không hợp lệ; hãy ghi dạng YYYY-MM-DD.")
    ensure_migrated()
    from lachan.awareness.tasks import send_campaign_reminders_now

    counts = send_campaign_reminders_now(day)
    click.echo(f"Đã nhắc {counts['campaigns']} đợt học, xếp {counts['messages']} thư vào hàng gửi.")


@awareness.command("campaigns")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format",
)
def campaigns_(fmt: str) -> None:
    """Liệt kê các đợt học và tỉ lệ hoàn thành."""
    from . import ensure_migrated
    from .output import print_rows

    ensure_migrated()
    from lachan.awareness.models import Campaign
    from lachan.awareness.selectors.campaigns import progress_report

    rows = []
    for campaign in Campaign.objects.order_by("-starts_on", "-pk"):
        total = progress_report(None, campaign).total
        rows.append(
            {
                "id": campaign.pk,
                "title": campaign.title,
                "status": campaign.status,
                "starts_on": campaign.starts_on.isoformat(),
                "deadline": campaign.deadline.isoformat(),
                "expected": total.expected,
                "completed": total.completed,
                "completion_rate": total.completion_rate,
            }
        )
    columns = [
        "id",
        "title",
        "status",
        "starts_on",
        "deadline",
        "expected",
        "completed",
        "completion_rate",
    ]
    print_rows(rows, columns, fmt, title="Đợt học")


@awareness.command("progress")
@click.argument("campaign_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xlsx"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format (xlsx: bảng tính 4 trang)",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ghi ra tệp (bắt buộc với xlsx khi đầu ra là màn hình)",
)
def progress(campaign_id: int, fmt: str, output: Path | None) -> None:
    """Tiến độ của một đợt học theo đơn vị (hoặc cả bảng tính XLSX)."""
    import sys

    from . import ensure_migrated
    from .output import is_terminal, open_binary_output, print_rows

    ensure_migrated()
    from lachan.awareness.models import Campaign
    from lachan.awareness.selectors.campaigns import progress_report

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        fail(f"Không có đợt học số {campaign_id}.")
    report = progress_report(None, campaign)
    if fmt == "xlsx":
        from lachan.awareness.campaign_export import progress_workbook

        if output is None and is_terminal(sys.stdout):
            fail("Bảng tính XLSX cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp).")
        with open_binary_output(output, getattr(sys.stdout, "buffer", None)) as stream:
            stream.write(progress_workbook(report))
        return
    rows = [
        {
            "unit_code": r.unit.code,
            "unit": r.unit.name,
            "staff": f"{r.staff.completed}/{r.staff.expected}",
            "students": f"{r.students.completed}/{r.students.expected}",
            "classes": r.classes,
            "expected": r.total.expected,
            "started": r.total.started,
            "completed": r.total.completed,
            "completion_rate": r.total.completion_rate,
            "pass_rate": r.total.pass_rate,
        }
        for r in report.units
    ]
    columns = list(rows[0]) if rows else ["unit_code", "unit"]
    print_rows(rows, columns, fmt, title=campaign.title)


COMMANDS = [awareness]
