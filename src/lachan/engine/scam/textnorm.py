"""Text derived from the user's input, where every character remembers where it came from.

Scam messages hide their words from filters: "O T P", "c.h.u.y.ể.n k.h.o.ả.n", zero-width
spaces inside words, Cyrillic "а" among Latin letters, "0TP", no diacritics at all. The checker
reads a *normalised* copy of the input, and a :class:`Mapped` text keeps, for each of its
characters, the span of the original input that produced it, so every reason can point at the
exact original substring (``Mapped.span``).

- :func:`clean` keeps the input as written but drops invisible characters (zero-width spaces
  and joiners, soft hyphens, bidi marks), composes decomposed diacritics (NFC) and turns
  look-alike dots and spaces into plain ones. URLs, phone numbers and accounts are found here.
- :func:`fold` lower-cases, removes diacritics (đ → d), turns confusable letters of other
  scripts (Cyrillic, Greek, mathematical and full-width forms) into their Latin look-alikes,
  and records, for each folded letter, the original letter (:attr:`Mapped.marks`) so a rule
  can tell "gấp" (urgent) from "gặp" (meet) when the message was written with diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

__all__ = ["Mapped", "clean", "fold", "fold_plain", "confusable_map"]

# Invisible characters used to split words apart ("chuyển\u200bkhoản").
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
) | frozenset(chr(c) for c in range(0xFE00, 0xFE10))
_DOTS = frozenset("\u3002\uff0e\uff61\u2024\u00b7\u2027")  # 。．｡․·‧ used as dots in hosts
_D_LETTERS = {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ɖ": "d", "Ɖ": "D"}


class Mapped:
    """A text and, for each of its characters, the span of the original input behind it."""

    __slots__ = ("text", "starts", "ends", "marks", "original")

    def __init__(
        self, text: str, starts: list[int], ends: list[int], marks: str, original: str
    ) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends
        self.marks = marks  # same length as text: the original letter (lower case) behind each
        self.original = original

    @classmethod
    def identity(cls, original: str) -> Mapped:
        n = len(original)
        return cls(original, list(range(n)), list(range(1, n + 1)), original, original)

    def __len__(self) -> int:
        return len(self.text)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """The original span behind ``text[i:j]``."""
        if not self.text:
            return (0, 0)
        i = max(0, min(i, len(self.text) - 1))
        j = max(i + 1, min(j, len(self.text)))
        return self.starts[i], max(self.ends[j - 1], self.starts[i])

    def evidence(self, i: int, j: int) -> tuple[str, int, int]:
        """The original substring behind ``text[i:j]``, with its offsets."""
        start, end = self.span(i, j)
        return self.original[start:end], start, end

    def rewrite(
        self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
    ) -> Mapped:
        """Replace matches of ``pattern`` by ``replace(match)`` (``None``: keep the match).

        Every character of a replacement maps to the whole original span of its match.
        """
        parts: list[str] = []
        marks: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for match in pattern.finditer(self.text):
            new = replace(match)
            if new is None:
                continue
            i, j = match.span()
            parts.append(self.text[pos:i])
            marks.append(self.marks[pos:i])
            starts.extend(self.starts[pos:i])
            ends.extend(self.ends[pos:i])
            if new:
                start, end = self.span(i, j) if j > i else (self.starts[i], self.starts[i])
                parts.append(new)
                marks.append(new)
                starts.extend([start] * len(new))
                ends.extend([end] * len(new))
            pos = j
        if pos == 0 and not parts:
            return self
        parts.append(self.text[pos:])
        marks.append(self.marks[pos:])
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        return Mapped("".join(parts), starts, ends, "".join(marks), self.original)

    def drop(self, indices: Iterable[int]) -> Mapped:
        """The text without the characters at ``indices``."""
        gone = set(indices)
        if not gone:
            return self
        keep = [k for k in range(len(self.text)) if k not in gone]
        return Mapped(
            "".join(self.text[k] for k in keep),
            [self.starts[k] for k in keep],
            [self.ends[k] for k in keep],
            "".join(self.marks[k] for k in keep),
            self.original,
        )


def clean(original: str) -> Mapped:
    """The input as written, without invisible characters, composed (NFC), plain dots/spaces."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for k, ch in enumerate(original):
        if ch in _INVISIBLE:
            continue
        if unicodedata.combining(ch) and chars:
            composed = unicodedata.normalize("NFC", chars[-1] + ch)
            if len(composed) == 1:
                chars[-1] = composed
                ends[-1] = k + 1
                continue
        if ch in _DOTS:
            ch = "."
        elif ch != " " and ch.isspace() and ch not in "\n\r\t":
            ch = " "
        chars.append(ch)
        starts.append(k)
        ends.append(k + 1)
    text = "".join(chars)
    return Mapped(text, starts, ends, text, original)


@lru_cache(maxsize=1)
def confusable_map() -> dict[str, str]:
    """Characters of other scripts that look like a Latin letter or digit → that character.

    Built from the Unicode confusables table shipped with ``confusable-homoglyphs``; letters
    win over digits ("ο" Greek omicron → "o", not "0").
    """
    from confusable_homoglyphs import confusables  # type: ignore[import-untyped]

    data: dict[str, list[dict[str, str]]] = confusables.confusables_data
    pairs: dict[str, set[str]] = {}
    for key, entries in data.items():
        for entry in entries:
            other = entry["c"].replace("\u200e", "")
            for a, b in ((key, other), (other, key)):
                if len(a) == 1 and len(b) == 1 and not a.isascii() and b.isascii() and b.isalnum():
                    pairs.setdefault(a, set()).add(b)
    out: dict[str, str] = {}
    for ch, targets in pairs.items():
        letters = sorted(t for t in targets if t.isalpha())
        same_case = [t for t in letters if t.isupper() == ch.isupper()]
        out[ch] = (same_case or letters or sorted(targets))[0]
    return out


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character, folded: Latin without diacritics, confusables as Latin, lower case."""
    if ch.isascii():
        return ch.lower()
    if ch in _D_LETTERS:
        return _D_LETTERS[ch].lower()
    code = ord(ch)
    if 0xC0 <= code < 0x250 or 0x1E00 <= code < 0x1F00:  # Latin with diacritics (Vietnamese)
        plain = _strip_marks(ch)
        if plain.isascii() and plain:
            return plain.lower()
    plain = _strip_marks(ch)  # full-width and mathematical letters, ligatures
    if plain.isascii() and plain.isalnum():
        return plain.lower()
    mapped = confusable_map().get(ch)
    if mapped is not None:
        return mapped.lower()
    if plain and plain != ch:
        return "".join(_D_LETTERS.get(c, c) for c in plain).lower()
    return ch.lower()


def fold(text: Mapped) -> Mapped:
    """Lower case, no diacritics, confusables as Latin; :attr:`Mapped.marks` keeps the letters."""
    chars: list[str] = []
    marks: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    src = text.text
    for k, ch in enumerate(src):
        folded = _fold_char(ch)
        if not folded:
            continue
        lower = ch.lower()
        mark = lower if len(folded) == 1 and len(lower) == 1 else folded
        for n, f in enumerate(folded):
            chars.append(f)
            marks.append(mark[n] if len(mark) == len(folded) else f)
            starts.append(text.starts[k])
            ends.append(text.ends[k])
    return Mapped("".join(chars), starts, ends, "".join(marks), text.original)


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold_plain(text: str) -> str:
    """A plain folded string (no offsets): ``fold_plain("Chuyển Khoản!") == "chuyen khoan"``."""
    folded = "".join(_fold_char(c) for c in text if c not in _INVISIBLE)
    return _NOT_WORD.sub(" ", folded).strip()
