"""Printing data: a readable table by default, JSON or CSV for machines."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

# Machine formats of the match commands (``lachan botnet match``, ``lachan vuln match``…).
MATCH_FORMATS = ("json", "csv", "xlsx")

MATCH_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(MATCH_FORMATS),
    default="json",
    show_default=True,
    help="Định dạng đầu ra / output format",
)

OUTPUT_OPTION = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ghi ra tệp (mặc định: đầu ra chuẩn)",
)

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


def one_line(text: str) -> str:
    """A message on one line (for ``fail``)."""
    return " ".join(text.split())


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def open_binary_output(output: Path | None, stdout: Any) -> Iterator[Any]:
    """A binary stream: the output file, or standard output."""
    if output is not None:
        with output.open("wb") as stream:
            yield stream
    elif stdout is not None:
        yield stdout
        stdout.flush()
    else:  # a text-only stdout (as in some test runners)
        buffer = io.BytesIO()
        yield buffer
        click.echo(buffer.getvalue().decode("utf-8"), nl=False)
