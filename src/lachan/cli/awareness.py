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


COMMANDS = [awareness]
