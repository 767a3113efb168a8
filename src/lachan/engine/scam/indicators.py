"""Normalising the values the checker compares: hosts, URLs, IP addresses, phones, accounts.

One normal form per kind, used both for imported blocklists and for what a user pastes, so a
lookup is a set membership test:

- host: lower case, no trailing dot, internationalised labels in their ASCII ("xn--") form;
- URL: ``scheme://host[:port]/path?query`` without the fragment; :func:`url_key` drops the
  scheme and lower-cases the rest, the key lists are matched on (URLhaus lists are lower-case);
- IP: :mod:`ipaddress` text form; a network keeps its prefix ("203.0.113.0/24");
- phone: Vietnamese numbers as ``0xxxxxxxxx`` (``+84``, ``84`` and ``0084`` prefixes removed),
  service numbers as written in digits (``1900xxxx``, ``1800xxxx``), foreign ones ``+CC…``;
- account: digits only, 6 to 19 of them.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import idna

from .model import INDICATOR_KINDS, Indicator

__all__ = [
    "guess_indicator",
    "host_to_ascii",
    "host_to_unicode",
    "normalize_account",
    "normalize_host",
    "normalize_indicator",
    "normalize_ip",
    "normalize_phone",
    "normalize_url",
    "url_key",
]

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}$")
_SEPARATORS = re.compile(r"[\s.\-()/]+")
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")
# Vietnamese mobile prefixes in use since 2018 (10 digits with the leading 0).
_VN_MOBILE = re.compile(r"^0(?:3[2-9]|5[2-9]|7[06-9]|8[1-9]|9\d)\d{7}$")
_VN_LANDLINE = re.compile(r"^02\d{9}$")
_VN_SERVICE = re.compile(r"^1[89]00(?:\d{4}|\d{6})$")


def host_to_ascii(host: str) -> str | None:
    """A host in its ASCII form (``xn--`` labels), lower case; ``None`` if it is not a host."""
    host = host.strip().rstrip(".").lower()
    if not host or len(host) > 253 or ".." in host:
        return None
    if not host.isascii():
        labels = []
        for label in host.split("."):
            if label.isascii():
                labels.append(label)
                continue
            try:
                labels.append(idna.encode(label, uts46=True).decode("ascii"))
            except (idna.IDNAError, UnicodeError):
                try:  # mixed scripts are refused by IDNA 2008 but are exactly what we look for
                    labels.append("xn--" + label.encode("punycode").decode("ascii"))
                except UnicodeError:
                    return None
        host = ".".join(labels)
    if not all(_LABEL.match(label) for label in host.split(".")):
        return None
    return host


def host_to_unicode(ascii_host: str) -> str:
    """The displayed form of a host: ``xn--`` labels decoded (as they are when possible)."""
    if "xn--" not in ascii_host:
        return ascii_host
    labels = []
    for label in ascii_host.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                pass
        labels.append(label)
    return ".".join(labels)


def normalize_host(value: str) -> str | None:
    """A domain name (at least two labels, a letter TLD) in its normal form, else ``None``."""
    host = host_to_ascii(value)
    if host is None or "." not in host:
        return None
    tld = host.rsplit(".", 1)[1]
    if not (tld.isalpha() or tld.startswith("xn--")):
        return None
    return host


def normalize_ip(value: str) -> str | None:
    """An IP address or network in :mod:`ipaddress` form, else ``None``."""
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    try:
        if "/" in value:
            net = ipaddress.ip_network(value, strict=False)
            if net.num_addresses == 1:
                return str(net.network_address)
            return str(net)
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def normalize_url(value: str) -> str | None:
    """``scheme://host[:port]/path?query`` (no fragment, host in normal form), else ``None``."""
    value = value.strip()
    if not _HAS_SCHEME.match(value):
        value = "http://" + value
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    raw_host = parts.hostname or ""
    host = normalize_ip(raw_host) or host_to_ascii(raw_host)
    if not host or parts.scheme.lower() not in {"http", "https", "ftp", "hxxp", "hxxps"}:
        return None
    scheme = parts.scheme.lower().replace("xx", "tt")
    if ":" in host:
        host = f"[{host}]"
    netloc = host
    if port is not None and port != {"http": 80, "https": 443, "ftp": 21}.get(scheme):
        netloc += f":{port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}"


def url_key(url: str) -> str:
    """The lookup key of a normalised URL: without the scheme, lower case, no trailing "/"."""
    key = url.split("://", 1)[-1].lower()
    return key[:-1] if key.endswith("/") else key


def normalize_phone(value: str) -> str | None:
    """A phone number in normal form, else ``None``.

    Vietnamese numbers (mobile, landline, 1800/1900 service numbers) become ``0…``/``1…``
    digits; other numbers written with ``+`` or ``00`` become ``+CC…``.
    """
    raw = value.strip()
    digits = _SEPARATORS.sub("", raw)
    plus = digits.startswith("+")
    digits = digits.lstrip("+")
    if not digits.isdigit():
        return None
    if digits.startswith("0084"):
        digits, plus = digits[2:], True
    elif digits.startswith("00") and len(digits) > 9:
        digits, plus = digits[2:], True
    if digits.startswith("84") and (plus or len(digits) in (11, 12)):
        local = "0" + digits[2:].removeprefix("0")
        return local if _VN_MOBILE.match(local) or _VN_LANDLINE.match(local) else None
    if plus:
        return "+" + digits if 7 <= len(digits) <= 15 else None
    if _VN_MOBILE.match(digits) or _VN_LANDLINE.match(digits) or _VN_SERVICE.match(digits):
        return digits
    if re.fullmatch(r"0\d{9,10}", digits):  # a Vietnamese-looking number with an unused prefix
        return digits
    return None


def is_vietnamese_phone(phone: str) -> bool:
    """A normalised phone number in a current Vietnamese format."""
    return bool(_VN_MOBILE.match(phone) or _VN_LANDLINE.match(phone) or _VN_SERVICE.match(phone))


def normalize_account(value: str) -> str | None:
    """A bank account number as digits (6 to 19), else ``None``."""
    digits = re.sub(r"[\s.\-]", "", value.strip())
    return digits if digits.isdigit() and 6 <= len(digits) <= 19 else None


def normalize_email(value: str) -> str | None:
    """``local@host`` with the host in normal form, else ``None``."""
    local, sep, host = value.strip().rpartition("@")
    if not sep or not local or any(c.isspace() for c in local):
        return None
    ascii_host = normalize_host(host)
    return f"{local.lower()}@{ascii_host}" if ascii_host else None


_KIND_NAMES = {
    "url": "url",
    "link": "url",
    "liên kết": "url",
    "đường dẫn": "url",
    "domain": "domain",
    "host": "domain",
    "hostname": "domain",
    "tên miền": "domain",
    "ip": "ip",
    "địa chỉ ip": "ip",
    "phone": "phone",
    "điện thoại": "phone",
    "số điện thoại": "phone",
    "sđt": "phone",
    "account": "account",
    "tài khoản": "account",
    "số tài khoản": "account",
    "stk": "account",
    "email": "email",
    "e-mail": "email",
    "thư điện tử": "email",
}


def normalize_indicator(kind: str, value: str, label: str = "", source: str = "") -> Indicator:
    """An :class:`Indicator` in normal form; ``ValueError`` (in Vietnamese) if ``value`` is not
    a valid ``kind``. ``kind`` may be English or Vietnamese ("tên miền", "số tài khoản"…)."""
    canonical = _KIND_NAMES.get(kind.strip().lower())
    if canonical is None:
        raise ValueError(
            f"loại “{kind}” không hợp lệ (dùng một trong: {', '.join(INDICATOR_KINDS)})"
        )
    text = value.strip()
    normal: str | None
    if canonical == "url":
        normal = normalize_url(text) if not text.startswith("/") else text
        what = "đường dẫn (URL)"
    elif canonical == "domain":
        normal = normalize_host(text)
        what = "tên miền"
    elif canonical == "ip":
        normal = normalize_ip(text)
        what = "địa chỉ IP"
    elif canonical == "phone":
        normal = normalize_phone(text)
        what = "số điện thoại"
    elif canonical == "account":
        normal = normalize_account(text)
        what = "số tài khoản (6–19 chữ số)"
    else:
        normal = normalize_email(text)
        what = "địa chỉ email"
    if not normal:
        raise ValueError(f"“{_short(text)}” không phải {what} hợp lệ")
    return Indicator(canonical, normal, label.strip(), source)


def guess_indicator(value: str, label: str = "", source: str = "") -> Indicator | None:
    """The indicator a bare value in a plain list stands for, or ``None`` if none fits.

    A URL has a scheme or a path; ``a@b.c`` is an email; an address or network is an IP; a
    Vietnamese-looking number (0…, +…, 1800/1900) is a phone; other digits are an account.
    """
    text = value.strip()
    if not text:
        return None
    if _HAS_SCHEME.match(text) or ("/" in text and normalize_ip(text) is None):
        url = normalize_url(text)
        return Indicator("url", url, label, source) if url else None
    if "@" in text:
        email = normalize_email(text)
        return Indicator("email", email, label, source) if email else None
    ip = normalize_ip(text)
    if ip is not None:
        return Indicator("ip", ip, label, source)
    compact = _SEPARATORS.sub("", text)
    if compact.lstrip("+").isdigit():
        if compact.startswith(("0", "+")) or _VN_SERVICE.match(compact):
            phone = normalize_phone(text)
            if phone:
                return Indicator("phone", phone, label, source)
        account = normalize_account(text)
        return Indicator("account", account, label, source) if account else None
    host = normalize_host(text)
    return Indicator("domain", host, label, source) if host else None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
