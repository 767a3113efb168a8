"""Printing data: a readable table by default, JSON or CSV for machines."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format",
)


def print_rows(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str, title: str | None = None
) -> None:
    rows = list(rows)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    else:
        table = Table(title=title, show_lines=False)
        for col in columns:
            table.add_column(col)
        for row in rows:
            table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
        Console().print(table)


def fail(message: str, code: int = 1) -> None:
    """One line on stderr and a non-zero exit: never a traceback for a user mistake."""
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(code)
