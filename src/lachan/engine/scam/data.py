"""The checker's editable data files (``lachan/engine/data/scam/``), read and validated.

Every file starts with a comment explaining its format; officers may edit them. A mistake in
a file raises :class:`ScamDataError` naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import PROTECTED_CATEGORIES, ProtectedDomain
from .textnorm import fold_plain

__all__ = ["DEFAULT_DATA_DIR", "ScamData", "ScamDataError", "load_data"]

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "scam"


class ScamDataError(ValueError):
    """A data file with a mistake; the message names the file and the line."""


@dataclass(frozen=True)
class ScamData:
    protected: tuple[ProtectedDomain, ...]
    shorteners: frozenset[str]
    risky_tlds: dict[str, int]
    legitimate_domains: frozenset[str]
    legitimate_phones: dict[str, str]
    teencode: dict[str, str]  # folded code → folded expansion
    rules: dict[str, Any]  # message_rules.json
    url_words: dict[str, list[str]] = field(default_factory=dict)


def _lines(path: Path, inline_comments: bool = True) -> list[tuple[int, str]]:
    """Non-empty lines that are not comments, with their line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScamDataError(f"{path.name}: không đọc được tệp ({exc.strerror or exc})") from exc
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        body = (line.split("#", 1)[0] if inline_comments else line).strip()
        if body:
            out.append((number, body))
    return out


def _csv_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    lines = _lines(path, inline_comments=False)
    if not lines:
        return []
    reader = csv.reader(io.StringIO("\n".join(body for _, body in lines)))
    rows = list(reader)
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ScamDataError(
            f"{path.name}, dòng {lines[0][0]}: thiếu cột {', '.join(missing)} ở dòng tiêu đề"
        )
    out = []
    for (number, _), row in zip(lines[1:], rows[1:], strict=True):
        if len(row) > len(header):
            raise ScamDataError(
                f"{path.name}, dòng {number}: thừa cột ({len(row)} > {len(header)})"
            )
        values = {h: (row[k].strip() if k < len(row) else "") for k, h in enumerate(header)}
        out.append((number, values))
    return out


def _domain_list(path: Path) -> frozenset[str]:
    from .indicators import normalize_host

    out = set()
    for number, body in _lines(path):
        host = normalize_host(body)
        if host is None:
            raise ScamDataError(f"{path.name}, dòng {number}: “{body}” không phải tên miền hợp lệ")
        out.add(host)
    return frozenset(out)


def _protected(path: Path) -> tuple[ProtectedDomain, ...]:
    from .indicators import normalize_host

    out = []
    for number, row in _csv_rows(path, ("domain", "brand", "category")):
        domain = normalize_host(row["domain"])
        if domain is None:
            raise ScamDataError(
                f"{path.name}, dòng {number}: “{row['domain']}” không phải tên miền hợp lệ"
            )
        if row["category"] not in PROTECTED_CATEGORIES:
            raise ScamDataError(
                f"{path.name}, dòng {number}: loại “{row['category']}” không hợp lệ "
                f"({', '.join(PROTECTED_CATEGORIES)})"
            )
        if not row["brand"]:
            raise ScamDataError(f"{path.name}, dòng {number}: thiếu tên thương hiệu (brand)")
        words = tuple(
            w
            for w in (fold_plain(x).replace(" ", "") for x in row.get("brand_words", "").split("|"))
            if w
        )
        out.append(ProtectedDomain(domain, row["brand"], row["category"], words))
    return tuple(out)


def _risky_tlds(path: Path) -> dict[str, int]:
    out = {}
    for number, body in _lines(path):
        fields = body.split()
        tld = fields[0].lower().lstrip(".")
        try:
            weight = int(fields[1]) if len(fields) > 1 else 20
        except ValueError:
            raise ScamDataError(
                f"{path.name}, dòng {number}: trọng số “{fields[1]}” không phải số nguyên"
            ) from None
        if len(fields) > 2 or not tld.replace("-", "").isalnum() or not 0 < weight <= 40:
            raise ScamDataError(
                f"{path.name}, dòng {number}: cần “đuôi trọng_số” với trọng số từ 1 đến 40"
            )
        out[tld] = weight
    return out


def _phones(path: Path) -> dict[str, str]:
    out = {}
    for number, row in _csv_rows(path, ("phone", "name")):
        phone = "".join(c for c in row["phone"] if c.isdigit() or c == "+")
        if not phone:
            raise ScamDataError(f"{path.name}, dòng {number}: thiếu số điện thoại")
        out[phone] = row["name"]
    return out


def _teencode(path: Path) -> dict[str, str]:
    out = {}
    for number, row in _csv_rows(path, ("code", "expansion")):
        code = fold_plain(row["code"])
        expansion = fold_plain(row["expansion"])
        if not code or " " in code or not expansion:
            raise ScamDataError(
                f"{path.name}, dòng {number}: cần một từ viết tắt (không có dấu cách) và từ đầy đủ"
            )
        out[code] = expansion
    return out


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ScamDataError(f"{path.name}: không đọc được tệp ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise ScamDataError(
            f"{path.name}, dòng {exc.lineno}: JSON không hợp lệ ({exc.msg})"
        ) from exc
    if not isinstance(data, dict):
        raise ScamDataError(f"{path.name}: phải là một đối tượng JSON")
    return data


def load_data(data_dir: Path | None = None) -> ScamData:
    """Read and check every data file of ``data_dir`` (default: the bundled copy)."""
    base = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    phones = base / "legitimate_phones.csv"
    return ScamData(
        protected=_protected(base / "protected_domains.csv"),
        shorteners=_domain_list(base / "shorteners.txt"),
        risky_tlds=_risky_tlds(base / "risky_tlds.txt"),
        legitimate_domains=_domain_list(base / "legitimate_domains.txt"),
        legitimate_phones=_phones(phones) if phones.exists() else {},
        teencode=_teencode(base / "teencode.csv"),
        rules=_json(base / "message_rules.json"),
        url_words=_json(base / "url_words.json"),
    )
