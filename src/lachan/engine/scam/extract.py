"""Finding links, email addresses, phone numbers and bank account numbers in a message.

Works on the cleaned text (:func:`textnorm.clean`) after :func:`refang` has undone the usual
ways of writing a link so it does not become clickable ("hxxp://", "example[.]top",
"example(.)top", "[dot]"). Positions are in that text; its :class:`Mapped` spans lead back to
the original input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .indicators import is_vietnamese_phone, normalize_account, normalize_phone
from .textnorm import Mapped, fold_plain

__all__ = ["Found", "find_accounts", "find_emails", "find_phones", "find_urls", "refang"]

_DEFANGED = re.compile(
    r"\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\}"  # example[.]top
    r"|\bh[x]{2}p(?=s?(?::|\[:))"  # hxxp://, hXXps[:]//
    r"|\[://\]|\[:\]|\[\s*at\s*\]|\(\s*at\s*\)",
    re.IGNORECASE,
)
_URL_STOP = r"\s<>\"'`“”‘’«»"
_URL = re.compile(
    rf"(?:(?:https?|ftp)://|www\.)[^{_URL_STOP}]+"
    r"|(?<![\w@.\-])(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+(?:[a-zA-Z]{2,24}|xn--[a-zA-Z0-9\-]{2,59})"
    rf"(?![\w\-])(?::\d{{2,5}})?(?:[/?#][^{_URL_STOP}]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@(?:[^\W_][\w\-]*\.)+[a-zA-Z]{2,24}(?![\w\-])")
_TRAILING = ".,;:!?…)]}»\"'"
_PHONE_VN = re.compile(
    r"(?<![\w+])(?:\(\+?84\)|\+\s?84|0084|84(?=\s?[1-9](?:[\s.\-]?\d){8}(?!\d))|0)"
    r"[\s.\-]?(?:\(0\)\s?)?\d(?:[\s.\-]?\d){7,9}(?!\d)"
)
_PHONE_SERVICE = re.compile(r"(?<![\d+])1[89]00[\s.\-]?\d{2,3}[\s.\-]?\d{2,3}(?!\d)")
_PHONE_FOREIGN = re.compile(
    r"(?<![\w+])\+(?!84)[1-9]\d{0,2}[\s.\-]?\(?\d{1,4}\)?(?:[\s.\-]?\d){4,10}(?!\d)"
)
_DIGITS = re.compile(r"(?<![\w+.,/])\d(?:[ \-.]?\d){5,18}(?![\w/]|[.,]\d)")
_AMOUNT_AFTER = re.compile(
    r"^\s?(?:đ|₫|d\b|vnd|vnđ|k\b|tr\b|triệu|trieu|nghìn|nghin|ngàn|đồng|dong)", re.I
)
_AMOUNT_SHAPE = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_ACCOUNT_BEFORE = re.compile(
    r"(?:\bstk\b|\bso tk\b|\btk\b|\bctk\b|tai khoan|account|\bacc\b|ngan hang|\bnh\b|\bbank\b"
    r"|so the|\bthe atm\b|\bvi\b|\bmomo\b)(?:[^a-z0-9]+[a-z]+){0,6}[^a-z0-9]*$"
)


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # "url" | "email" | "phone" | "account"
    text: str  # as found (in the refanged text)
    value: str  # normalised (phone digits, account digits); the text for urls and emails
    start: int  # in the refanged text
    end: int


def refang(text: Mapped) -> Mapped:
    """Undo "hxxp", "[.]", "(.)", "[dot]", "[:]", "[at]" so links can be found and parsed."""

    def replace(match: re.Match[str]) -> str:
        token = match.group().lower()
        if "dot" in token or "." in token:
            return "."
        if token.startswith("h"):
            return "http"
        if "//" in token:
            return "://"
        if ":" in token:
            return ":"
        return "@"

    return text.rewrite(_DEFANGED, replace)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in _TRAILING:
        if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
            break
        end -= 1
    return start, end


def find_emails(text: str) -> list[Found]:
    return [Found("email", m.group(), m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]


def find_urls(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """Candidate links (bare hosts included) not inside ``taken`` spans (emails)."""
    out = []
    for match in _URL.finditer(text):
        start, end = _trim(text, match.start(), match.end())
        if any(a <= start < b for a, b in taken) or end <= start:
            continue
        out.append(Found("url", text[start:end], text[start:end], start, end))
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


def find_accounts(
    text: str, account_words: re.Pattern[str] | None, taken: list[tuple[int, int]]
) -> list[Found]:
    """Numbers of 6–19 digits written next to "STK", "số tài khoản", "TK", "ngân hàng", or a
    bank's name just before or after (``account_words``: folded bank names, e.g.
    ``\b(?:vietcombank|vcb|mbbank)\b``); amounts ("5.000.000đ") and 1800/1900 numbers are not."""
    out = []
    for match in _DIGITS.finditer(text):
        start, end = match.span()
        raw = match.group()
        if _overlaps(start, end, taken) or _AMOUNT_SHAPE.match(raw):
            continue
        if _AMOUNT_AFTER.match(text[end : end + 8]):
            continue
        value = normalize_account(raw)
        if value is None or re.fullmatch(r"1[89]00\d{4,6}", value):
            continue  # no account; 1800/1900 are service numbers
        before = fold_plain(text[max(0, start - 45) : start])
        after = fold_plain(text[end : end + 25])
        context = bool(_ACCOUNT_BEFORE.search(before)) or (
            account_words is not None
            and (bool(account_words.search(after[:20])) or bool(account_words.search(before[-30:])))
        )
        if context:
            out.append(Found("account", raw, value, start, end))
    return out


def find_phones(text: str, taken: list[tuple[int, int]]) -> list[Found]:
    """Vietnamese numbers (mobile, landline, 1800/1900) and foreign ``+CC`` numbers."""
    out: list[Found] = []
    spans: list[tuple[int, int]] = list(taken)
    for pattern in (_PHONE_SERVICE, _PHONE_VN, _PHONE_FOREIGN):
        for match in pattern.finditer(text):
            start, end = match.span()
            if _overlaps(start, end, spans):
                continue
            value = normalize_phone(match.group())
            if value is None:
                continue
            if pattern is _PHONE_VN and not (
                is_vietnamese_phone(value) or re.fullmatch(r"0\d{9}", value)
            ):
                continue
            spans.append((start, end))
            out.append(Found("phone", match.group(), value, start, end))
    out.sort(key=lambda f: f.start)
    return out
