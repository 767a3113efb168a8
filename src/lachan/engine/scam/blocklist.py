"""Blocklists: reading the common list formats and looking values up in them.

Formats (:func:`parse_blocklist`, ``fmt=``):

``urlhaus``
    Adblock syntax as published by URLhaus / urlhaus-filter: ``||host^``, ``||host/path^$all``,
    ``|http://…|``, bare hosts, IPs and URLs; comments start with ``!`` or ``#``.
``hosts``
    A hosts file: ``0.0.0.0 host`` or ``127.0.0.1 host`` (several hosts per line allowed);
    the usual ``localhost`` entries are skipped.
``maltrail``
    CSV with a header naming ``indicator`` and ``type`` (domain | ip | url) columns, as in
    maltrail's exported trails; ``family`` / ``category`` become the label. A "url" that is
    only a path (``/AmC00…/``) matches any URL whose path contains it.
``plain``
    One value per line — URL, domain, IP or network, email, phone or account number, each
    recognised by its shape — ``#`` comments, optionally ``value  # note`` or ``value count``
    (IPsum); FireHOL ipset files are plain lists.
``csv``
    CSV with a header ``kind,value[,label]`` (English or Vietnamese column names: ``loại``,
    ``giá trị``, ``ghi chú``); the kind is one of url, domain, ip, phone, account, email.
``auto``
    Chosen from the first lines.

A line that is none of these raises :class:`BlocklistError` naming the list and the line;
keeping everything or nothing is the caller's choice.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .indicators import (
    guess_indicator,
    normalize_host,
    normalize_indicator,
    normalize_ip,
    normalize_url,
    url_key,
)
from .model import Indicator

__all__ = ["FORMATS", "Blocklist", "BlocklistError", "parse_blocklist"]

FORMATS = ("auto", "urlhaus", "hosts", "maltrail", "plain", "csv")
MAX_ERRORS_SHOWN = 1

_HOSTS_SINKS = {"0.0.0.0", "127.0.0.1", "::", "::1", "0", "255.255.255.255", "fe80::1%lo0"}
_HOSTS_SKIP = {
    "localhost",
    "localhost.localdomain",
    "local",
    "broadcasthost",
    "ip6-localhost",
    "ip6-loopback",
    "ip6-localnet",
    "ip6-mcastprefix",
    "ip6-allnodes",
    "ip6-allrouters",
    "ip6-allhosts",
    "0.0.0.0",
}
_CSV_KIND = {"kind", "type", "loại", "loai", "kiểu"}
_CSV_VALUE = {"value", "indicator", "giá trị", "gia tri", "giá_trị", "gia_tri", "ioc"}
_CSV_LABEL = {"label", "note", "ghi chú", "ghi chu", "ghi_chú", "ghi_chu", "mô tả", "description"}


class BlocklistError(ValueError):
    """A list that cannot be read; the message names the list and the line ("list.txt, dòng 12: …")."""

    def __init__(self, name: str, line: int | None, detail: str) -> None:
        self.name = name
        self.line = line
        self.detail = detail
        where = name if line is None else f"{name}, dòng {line}"
        super().__init__(f"{where}: {detail}")


def _read_text(data: str | bytes | Path | IO[str] | IO[bytes], name: str) -> tuple[str, str]:
    if isinstance(data, Path):
        name = name or data.name
        try:
            raw: str | bytes = data.read_bytes()
        except OSError as exc:
            raise BlocklistError(name, None, f"không đọc được tệp ({exc.strerror or exc})") from exc
    elif isinstance(data, (str, bytes)):
        raw = data
    else:
        raw = data.read()
        name = name or str(getattr(data, "name", "") or "")
    name = name or "danh sách"
    if isinstance(raw, bytes):
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BlocklistError(name, line, "không phải văn bản UTF-8") from exc
    else:
        text = raw.removeprefix("\ufeff")
    if "\x00" in text:
        raise BlocklistError(name, None, "tệp nhị phân, không phải danh sách văn bản")
    return text, name


def parse_blocklist(
    data: str | bytes | Path | IO[str] | IO[bytes], *, fmt: str = "auto", name: str = ""
) -> list[Indicator]:
    """The indicators of a list in one of :data:`FORMATS`.

    ``data`` is the list's content (``str``/``bytes``), a file path or an open file. Raises
    :class:`BlocklistError` ("list.txt, dòng 12: …") on the first line that is not valid.
    """
    if fmt not in FORMATS:
        raise BlocklistError(
            name or "danh sách", None, f"định dạng “{fmt}” không hỗ trợ ({', '.join(FORMATS)})"
        )
    text, name = _read_text(data, name)
    lines = text.splitlines()
    if fmt == "auto":
        fmt = _detect(lines)
    if fmt in ("maltrail", "csv"):
        return _parse_csv(text, name, fmt)
    parse_line = {"urlhaus": _urlhaus_line, "hosts": _hosts_line, "plain": _plain_line}[fmt]
    out: list[Indicator] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or (fmt == "urlhaus" and stripped[0] == "!"):
            continue
        try:
            out.extend(parse_line(stripped, name))
        except ValueError as exc:
            raise BlocklistError(name, number, str(exc)) from None
    return out


def _detect(lines: list[str]) -> str:
    content = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("!"):
            return "urlhaus"
        if stripped.startswith("#"):
            continue
        content.append(stripped)
        if len(content) >= 20:
            break
    if not content:
        return "plain"
    header = [c.strip().lower() for c in next(csv.reader([content[0]]))]
    if "indicator" in header and "type" in header:
        return "maltrail"
    if set(header) & _CSV_KIND and set(header) & _CSV_VALUE:
        return "csv"
    if any(c.startswith("||") or (c.startswith("|") and "://" in c) for c in content):
        return "urlhaus"
    sinks = sum(1 for c in content if c.split()[0] in _HOSTS_SINKS and len(c.split()) >= 2)
    if sinks * 2 >= len(content):
        return "hosts"
    return "plain"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _urlhaus_line(line: str, name: str) -> list[Indicator]:
    value = line
    label = ""
    if value.startswith("||"):
        value = value[2:]
        value = value.split("$", 1)[0]  # options ($all, $third-party…)
        value = value.rstrip("^|")
        if "/" not in value:
            host = normalize_ip(value) or normalize_host(value)
            if host is None:
                raise ValueError(f"“{_short(line)}” không phải tên miền hay địa chỉ IP hợp lệ")
            kind = "ip" if normalize_ip(value) else "domain"
            return [Indicator(kind, host, label, name)]
        url = normalize_url(value)
        if url is None:
            raise ValueError(f"“{_short(line)}” không phải đường dẫn hợp lệ")
        return [Indicator("url", url, label, name)]
    if value.startswith("|"):
        value = value.strip("|").split("$", 1)[0].rstrip("^")
    if value.startswith("@@") or "##" in value or "#@#" in value:
        raise ValueError(
            f"“{_short(line)}” là quy tắc ngoại lệ hay ẩn phần tử, không phải mục chặn"
        )
    found = guess_indicator(value, label, name)
    if found is None or found.kind in ("phone", "account", "email"):
        raise ValueError(f"“{_short(line)}” không phải tên miền, địa chỉ IP hay đường dẫn hợp lệ")
    return [found]


def _hosts_line(line: str, name: str) -> list[Indicator]:
    body = line.split("#", 1)[0].strip()
    label = line.split("#", 1)[1].strip() if "#" in line else ""
    fields = body.split()
    if not fields:
        return []
    if len(fields) < 2 or normalize_ip(fields[0]) is None and fields[0] not in _HOSTS_SINKS:
        raise ValueError(
            f"“{_short(line)}” không đúng dạng tệp hosts (địa chỉ rồi tên máy, ví dụ “0.0.0.0 ten-mien.vn”)"
        )
    out = []
    for field in fields[1:]:
        if field.lower() in _HOSTS_SKIP:
            continue
        host = normalize_host(field)
        if host is None:
            raise ValueError(f"“{_short(field)}” không phải tên miền hợp lệ")
        out.append(Indicator("domain", host, label, name))
    return out


def _plain_line(line: str, name: str) -> list[Indicator]:
    value, _, rest = line.partition("#") if " #" in line or "\t#" in line else (line, "", "")
    label = rest.strip()
    fields = value.split()
    if not fields:
        return []
    if len(fields) > 1:
        extra = fields[1:]
        if len(extra) == 1 and extra[0].isdigit():  # IPsum: "ip<TAB>number of lists"
            fields = fields[:1]
        elif fields[0] in _HOSTS_SINKS:
            return _hosts_line(line, name)
        else:
            joined = "".join(fields)  # "+84 912 345 678", "0123 4567 8910"
            if re.fullmatch(r"\+?[\d.\-()]+", joined):
                fields = [joined]
            else:
                raise ValueError(
                    f"“{_short(line)}” có nhiều giá trị trên một dòng; mỗi dòng một giá trị"
                )
    found = guess_indicator(fields[0], label, name)
    if found is None:
        raise ValueError(
            f"“{_short(fields[0])}” không phải đường dẫn, tên miền, địa chỉ IP, email, "
            "số điện thoại hay số tài khoản hợp lệ"
        )
    return [found]


def _parse_csv(text: str, name: str, fmt: str) -> list[Indicator]:
    lines = text.splitlines()
    # Skip leading comment lines but keep line numbers right.
    first = 0
    while first < len(lines) and (not lines[first].strip() or lines[first].lstrip()[0] == "#"):
        first += 1
    reader = csv.reader(io.StringIO("\n".join(lines[first:])))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return []
    if fmt == "maltrail":
        if "indicator" not in header or "type" not in header:
            raise BlocklistError(
                name, first + 1, "thiếu cột “indicator” hoặc “type” ở dòng tiêu đề (maltrail CSV)"
            )
        i_value, i_kind = header.index("indicator"), header.index("type")
        i_labels = [header.index(c) for c in ("family", "category") if c in header]
    else:
        i_kind = next((k for k, h in enumerate(header) if h in _CSV_KIND), -1)
        i_value = next((k for k, h in enumerate(header) if h in _CSV_VALUE), -1)
        if i_kind < 0 or i_value < 0:
            raise BlocklistError(
                name,
                first + 1,
                "dòng tiêu đề phải có cột “kind” và “value” (hoặc “loại”, “giá trị”)",
            )
        i_labels = [k for k, h in enumerate(header) if h in _CSV_LABEL][:1]
    out: list[Indicator] = []
    for row in reader:
        number = first + reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if max(i_value, i_kind) >= len(row):
            raise BlocklistError(name, number, f"thiếu cột (có {len(row)} cột)")
        value, kind = row[i_value].strip(), row[i_kind].strip().lower()
        label = " / ".join(row[k].strip() for k in i_labels if k < len(row) and row[k].strip())
        if fmt == "maltrail" and kind not in ("domain", "ip", "url"):
            raise BlocklistError(
                name, number, f"cột “type” là “{kind}”, phải là domain, ip hoặc url"
            )
        try:
            if fmt == "maltrail" and kind == "ip" and ":" in value and value.count(":") == 1:
                value = value.split(":")[0]  # "ip:port"
            out.append(normalize_indicator(kind, value, label, name))
        except ValueError as exc:
            raise BlocklistError(name, number, str(exc)) from None
    return out


class Blocklist:
    """Indicators in lookup structures (sets and dicts), built once."""

    __slots__ = (
        "_urls",
        "_paths",
        "_hosts",
        "_ips",
        "_nets",
        "_phones",
        "_accounts",
        "_emails",
        "_items",
    )

    def __init__(self) -> None:
        self._urls: dict[str, Indicator] = {}
        self._paths: dict[str, Indicator] = {}
        self._hosts: dict[str, Indicator] = {}
        self._ips: dict[str, Indicator] = {}
        self._nets: dict[tuple[int, int], dict[int, Indicator]] = {}
        self._phones: dict[str, Indicator] = {}
        self._accounts: dict[str, Indicator] = {}
        self._emails: dict[str, Indicator] = {}
        self._items: list[Indicator] = []

    @classmethod
    def from_indicators(cls, items: Iterable[Indicator]) -> Blocklist:
        blocklist = cls()
        blocklist._add(items)
        return blocklist

    def merged(self, items: Iterable[Indicator]) -> Blocklist:
        """A new blocklist with this one's indicators and ``items``."""
        out = Blocklist.from_indicators(self._items)
        out._add(items)
        return out

    def _add(self, items: Iterable[Indicator]) -> None:
        for item in items:
            self._items.append(item)
            value = item.value
            if item.kind == "url":
                if value.startswith("/"):
                    self._paths.setdefault(value.lower(), item)
                else:
                    self._urls.setdefault(url_key(value), item)
            elif item.kind == "domain":
                self._hosts.setdefault(value, item)
            elif item.kind == "ip":
                if "/" in value:
                    net = ipaddress.ip_network(value, strict=False)
                    key = (net.version, net.prefixlen)
                    self._nets.setdefault(key, {}).setdefault(int(net.network_address), item)
                else:
                    self._ips.setdefault(value, item)
            elif item.kind == "phone":
                self._phones.setdefault(value, item)
            elif item.kind == "account":
                self._accounts.setdefault(value, item)
            elif item.kind == "email":
                self._emails.setdefault(value, item)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._items)

    def domains(self) -> Iterable[str]:
        return self._hosts.keys()

    def match_url(self, key: str, path: str = "") -> Indicator | None:
        """The indicator of a URL key (:func:`url_key`), or of a listed path within ``path``."""
        found = self._urls.get(key)
        if found is None and self._paths and path:
            lowered = path.lower()
            for listed, item in self._paths.items():
                if listed in lowered:
                    return item
        return found

    def match_host(self, host: str) -> tuple[str, Indicator] | None:
        """The listed domain that is ``host`` or one of its parents, and its indicator."""
        hosts = self._hosts
        if not hosts:
            return None
        found = hosts.get(host)
        if found is not None:
            return host, found
        dot = host.find(".")
        while dot >= 0:
            parent = host[dot + 1 :]
            if "." not in parent:
                break
            found = hosts.get(parent)
            if found is not None:
                return parent, found
            dot = host.find(".", dot + 1)
        return None

    def match_ip(self, ip: str) -> Indicator | None:
        found = self._ips.get(ip)
        if found is not None or not self._nets:
            return found
        address = ipaddress.ip_address(ip)
        bits = address.max_prefixlen
        number = int(address)
        for (version, prefixlen), networks in self._nets.items():
            if version != address.version:
                continue
            masked = number >> (bits - prefixlen) << (bits - prefixlen)
            item = networks.get(masked)
            if item is not None:
                return item
        return None

    def match_phone(self, phone: str) -> Indicator | None:
        return self._phones.get(phone)

    def match_account(self, account: str) -> Indicator | None:
        return self._accounts.get(account)

    def match_email(self, email: str) -> Indicator | None:
        return self._emails.get(email)
