"""Comparing the versions real products print, and Debian/Ubuntu package versions.

NVD ranges and inventories hold many schemes at once: dotted numbers of any length
(``10.0.19045.3693``), OpenSSL letters (``1.1.1w``), OpenSSH and Magento patches (``9.3p2``,
``2.4.4-p11``), pre-releases (``4.1.0-beta``, ``3.12.0b1``, ``11.0.0-M12``, ``20-ea``), Java
(``1.8.0_91``, ``8u91``), build metadata used as security patches (``11.3.6+security-01``),
product releases (``R30_P1``), Windows builds and dates (``2023-10-08``). None of them is
PEP 440, so :mod:`packaging` does not apply.

Grammar (:func:`parse_version`, case-insensitive):

- Optional epoch ``N:``; optional prefix ``v``, ``r``, ``ver``, ``version``, ``rel`` or
  ``release`` when a digit follows. Then the version must start with a digit: "n/a",
  "latest", "Cumulative Update 12", ``*`` and ``-`` are not versions (``None``).
- Text in brackets and architecture words (``x64``, ``amd64``, ``64-bit``…) are dropped.
  Java's ``1.8.0_91-b14`` loses its build, and ``8u91`` (Java 5 to 8) reads ``1.8.0_91``.
- Separators (``.``, ``-``, ``_``, ``+``, spaces…) only split; the rest is numbers and
  words. Leading zeros do not count (``08.01`` = ``8.1``), nor do trailing zero components
  (``1.0.0`` = ``1.0`` = ``1``).
- A word followed by a number takes it (``rc1``, ``beta.2``, ``-p11``, ``ext-8``, ``su5``).
  Pre-releases, lowest first: ``dev``/``nightly`` < ``alpha``/``a`` < ``beta``/``b`` <
  ``milestone``/``m`` < ``ea``/``pre``/``preview`` < ``rc``/``c``/``cr`` < ``snapshot`` <
  the release. A trailing ``-0`` (``1.21.0-0``: "from the first build of") and ``~N``
  (Debian) come before every pre-release.
- After the release: one or two letters glued to a number and not followed by one are a
  letter release (``1.1.1`` < ``1.1.1a`` < ``1.1.1w`` < ``1.1.1za``; so ``1.0b`` is a letter
  release, ``1.0b1`` a beta); then the post-release words ``p``/``patch``/``pl``/``post``,
  ``u``/``update``, ``r``/``rev``, ``sp``, ``su``, ``cu``, ``security``, ``hotfix``/``hf``,
  ``ext`` (``9.3`` < ``9.3p1`` < ``9.3p2`` < ``9.3.1``); then a further number.
- Ignored words: ``final``, ``ga``, ``release``, ``stable``, ``lts``, ``dfsg``, ``ds``,
  ``repack``, ``build`` (``10.0 Build 19045`` = ``10.0.19045``).
  "Cumulative Update 12" is ``cu12``, "Service Pack 1" ``sp1``, "Security Update" ``su``
  (``2019 Cumulative Update 12`` = ``2019-cumulative_update_12`` = ``2019 CU12``).
- A ``*`` ends the version as a wildcard (``19.*``): whatever starts with ``19`` is neither
  below nor above it.
- Anything else - an unknown word, a commit hash (``1.4.0-38.0e79d5b``, Jenkins'
  ``1336.vf33a_a_986391``) - and the rest of the text after it form one opaque part.

:func:`compare` returns ``-1``, ``0`` or ``1``, or ``None`` when the two versions are not
comparable: either does not parse, the first difference involves an opaque part or a
wildcard, or two different post-release words (``2.4.4-p9`` vs ``2.4.4-ext-8``). Versions
that share a prefix and then differ in numbers compare normally whatever follows, so
``687.689.vabc`` < ``720.vdef``.

Distribution packages (:func:`parse_distro`, :func:`split_distro`, :func:`compare_distro`):
``[epoch:]upstream[-revision]`` as in Debian Policy 5.6.12, compared the way dpkg does
(``~`` sorts before everything, even the end); the distribution is read from the revision
(``1ubuntu4.6`` → ubuntu, ``2+deb12u2`` → debian, ``15.el8`` → rhel, ``r0`` → alpine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "DistroVersion",
    "Version",
    "compare",
    "compare_distro",
    "parse_distro",
    "parse_version",
    "split_distro",
]

# A version's key is a tuple of elements (rank, word, number), all of one type so that
# tuple comparison never mixes str and int. Ranks order the kinds of element at one
# position: a pre-release < the end of the version < a letter release < a post-release word
# < a further number. Opaque parts and wildcards get ranks too (so keys sort, e.g. for an
# index) but a comparison decided by them is "not comparable".
_FLOOR = 1  # "-0", "~N": before every pre-release
_END = 10
_LETTER = 19
_POST = 20
_OPAQUE = 25
_NUM = 30
_WILD = 40

Element = tuple[int, str, int]
_END_ELEMENT: Element = (_END, "", 0)

_PRE_RANKS = {
    "dev": 2,
    "nightly": 2,
    "alpha": 3,
    "a": 3,
    "beta": 4,
    "b": 4,
    "milestone": 5,
    "m": 5,
    "ea": 6,
    "pre": 6,
    "preview": 6,
    "rc": 7,
    "c": 7,
    "cr": 7,
    "snapshot": 8,
}
_POST_WORDS = {
    "p": "p",
    "patch": "p",
    "pl": "p",
    "post": "p",
    "u": "u",
    "update": "u",
    "upd": "u",
    "r": "r",
    "rev": "r",
    "revision": "r",
    "sp": "sp",
    "su": "su",
    "cu": "cu",
    "security": "security",
    "sec": "security",
    "hotfix": "hotfix",
    "hf": "hotfix",
    "fix": "hotfix",
    "ext": "ext",
}
_IGNORED = frozenset(
    {"final", "ga", "release", "stable", "lts", "dfsg", "ds", "repack", "build", "version"}
)
# Two-letter words that are qualifiers even when glued to a number ("1.0rc", "20ea").
_GLUED_QUALIFIERS = frozenset({"rc", "cr", "ea", "sp", "su", "cu", "pl", "hf"})

_PREFIX = re.compile(r"^(?:version|ver|release|rel|v|r)[\s.:_-]*(?=\d)")
_EPOCH = re.compile(r"^(\d+):(?=.)")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ARCH = re.compile(
    r"(?<![0-9a-z])(?:x86_64|x64|x86|amd64|arm64|aarch64|i[36]86|win32|win64|[36][24][\s-]?bits?)"
    r"(?![0-9a-z])"
)
# "2019 Cumulative Update 12" is 2019 cu12; "2016 Service Pack 1" is 2016 sp1.
_SERVICE_WORDS = re.compile(r"(cumulative|service|security)[\s_-]*(update|pack)")
_SERVICE_SHORT = {"cumulativeupdate": " cu", "servicepack": " sp", "securityupdate": " su"}
_JAVA_UPDATE = re.compile(r"^([5-8])u(\d+)(?:-b\d+)?$")
_JAVA_BUILD = re.compile(r"^(1\.\d+\.\d+_\d+)-b\d+$")
_HASH = re.compile(r"(?<![0-9a-z])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,}(?![0-9a-z])")
_TOKEN = re.compile(r"(\d+)|([a-z]+)|(\*)|([^0-9a-z*]+)")


@dataclass(frozen=True, slots=True)
class Version:
    """A parsed version. ``key`` orders versions totally (for sorting and indexes);
    :func:`compare` says when that order is not to be trusted (``risky``)."""

    text: str
    key: tuple[Element, ...]
    risky: bool = False  # has a post-release word, an opaque part or a wildcard
    wildcard: bool = False
    opaque: bool = False  # has an opaque part

    @property
    def post_words(self) -> frozenset[str]:
        """The post-release words (``p``, ``u``, ``security``…) the version has."""
        return frozenset(word for rank, word, _ in self.key if rank == _POST)

    @property
    def plain_order(self) -> bool:
        """Whether ``key`` order against any version without post-release words, opaque
        parts or wildcards is :func:`compare`'s: true unless opaque or a wildcard."""
        return not (self.opaque or self.wildcard)

    @property
    def epoch(self) -> int:
        return self.key[0][2]

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> Version | None:
    """The version ``text`` names, or ``None`` when it is not a version (see the grammar)."""
    cleaned = " ".join(str(text).split()).lower()
    epoch = 0
    found = _EPOCH.match(cleaned)
    if found:
        epoch = int(found.group(1))
        cleaned = cleaned[found.end() :]
    cleaned = _ARCH.sub(" ", _BRACKETS.sub(" ", cleaned)).strip(" .-_+")
    cleaned = _SERVICE_WORDS.sub(
        lambda m: _SERVICE_SHORT.get(m.group(1) + m.group(2), " "), cleaned
    )
    cleaned = _PREFIX.sub("", cleaned)
    if not cleaned or not cleaned[0].isdigit():
        return None
    java = _JAVA_UPDATE.match(cleaned)
    if java:
        cleaned = f"1.{java.group(1)}.0_{java.group(2)}"
    else:
        cleaned = _JAVA_BUILD.sub(r"\1", cleaned)

    opaque_tail = ""
    hashed = _HASH.search(cleaned)
    if hashed:
        opaque_tail = cleaned[hashed.start() :]
        cleaned = cleaned[: hashed.start()]

    elements = _elements(cleaned)
    risky = wildcard = opaque = False
    if opaque_tail and elements and elements[-1][0] == _OPAQUE:
        elements[-1] = (_OPAQUE, elements[-1][1] + opaque_tail, 0)
    elif opaque_tail and (not elements or elements[-1][0] != _WILD):
        elements.append((_OPAQUE, opaque_tail, 0))
    for rank, _, _ in elements:
        if rank == _POST:
            risky = True
        elif rank == _OPAQUE:
            risky = opaque = True
        elif rank == _WILD:
            risky = wildcard = True
    key = ((_NUM, "", epoch), *_strip_zeros(elements), _END_ELEMENT)
    return Version(str(text).strip(), key, risky, wildcard, opaque)


def _elements(text: str) -> list[Element]:
    tokens: list[tuple[str, str, str, int]] = []  # (kind, value, separator before, offset)
    separator = ""
    for found in _TOKEN.finditer(text):
        number, word, star, sep = found.groups()
        if sep is not None:
            separator = sep
            continue
        if number is not None:
            tokens.append(("num", number, separator, found.start()))
        elif word is not None:
            tokens.append(("word", word, separator, found.start()))
        else:
            tokens.append(("star", star or "*", separator, found.start()))
        separator = ""

    elements: list[Element] = []
    waiting = -1  # index of a qualifier that may still take a number
    for i, (kind, value, sep, offset) in enumerate(tokens):
        if kind == "star":
            elements.append((_WILD, "*", 0))
            break
        if kind == "num":
            number = int(value)
            if waiting >= 0:
                rank, word, _ = elements[waiting]
                elements[waiting] = (rank, word, number)
                waiting = -1
            elif sep == "~" or (sep == "-" and number == 0 and i == len(tokens) - 1 and i >= 2):
                elements.append((_FLOOR, "", number))
            else:
                elements.append((_NUM, "", number))
            continue
        waiting = -1
        glued = sep == "" and i > 0 and tokens[i - 1][0] == "num"
        number_follows = (
            i + 1 < len(tokens) and tokens[i + 1][0] == "num" and tokens[i + 1][2] == ""
        )
        if value in _IGNORED:
            continue
        if glued and not number_follows and len(value) <= 2 and value not in _GLUED_QUALIFIERS:
            elements.append((_LETTER, value, 0))
        elif value in _PRE_RANKS:
            elements.append((_PRE_RANKS[value], "", 0))
            waiting = len(elements) - 1
        elif value in _POST_WORDS:
            elements.append((_POST, _POST_WORDS[value], 0))
            waiting = len(elements) - 1
        else:
            elements.append((_OPAQUE, text[offset:], 0))
            break
    return elements


def _strip_zeros(elements: list[Element]) -> list[Element]:
    """Drop the zero numbers that end a run of numbers (``1.0.0-rc1`` = ``1-rc1``), except
    before a wildcard (``4.0.*`` is not ``4.*``)."""
    out: list[Element] = []
    for element in elements:
        if element[0] != _NUM and element[0] != _WILD:
            while out and out[-1] == (_NUM, "", 0):
                out.pop()
        out.append(element)
    while out and out[-1] == (_NUM, "", 0):
        out.pop()
    return out


def compare(a: Version | str | None, b: Version | str | None) -> int | None:
    """``-1``, ``0`` or ``1`` as ``a`` is lower than, equal to or higher than ``b``; ``None``
    when they cannot be compared (see the module's docstring)."""
    va = parse_version(a) if isinstance(a, str) else a
    vb = parse_version(b) if isinstance(b, str) else b
    if va is None or vb is None:
        return None
    if va.key == vb.key:
        return None if va.wildcard else 0
    if not (va.risky or vb.risky):
        return -1 if va.key < vb.key else 1
    if va.wildcard or vb.wildcard:
        return _compare_wildcard(va, vb)
    for x, y in zip(va.key, vb.key, strict=False):
        if x != y:
            if x[0] == _OPAQUE or y[0] == _OPAQUE:
                return None
            if x[0] == _POST and y[0] == _POST and x[1] != y[1]:
                return None
            return -1 if x < y else 1
    return None  # not reached: keys end with the end element, so they differ within both


def _compare_wildcard(a: Version, b: Version) -> int | None:
    if a.wildcard and b.wildcard:
        return None
    sign = 1
    if a.wildcard:
        a, b = b, a
        sign = -1
    prefix = b.key[: [e[0] for e in b.key].index(_WILD)]
    # ``a`` read with its implicit trailing zeros against the wildcard's written prefix.
    padded = list(a.key)
    end = len(padded) - 1
    padded[end:end] = [(_NUM, "", 0)] * max(0, len(prefix) - end)
    for x, y in zip(padded, prefix, strict=False):
        if x != y:
            if x[0] == _OPAQUE:
                return None
            return sign * (-1 if x < y else 1)
    return None  # ``a`` starts with the wildcard's prefix


# --- distribution packages ----------------------------------------------------------------


class DistroVersion(NamedTuple):
    """A package version ``[epoch:]upstream[-revision]`` and the distribution its revision
    names ("" when it names none)."""

    epoch: int
    upstream: str
    revision: str
    distro: str


_REVISION = re.compile(r"^(?:\d[0-9A-Za-z.+~]*|r\d+)$")
_DISTRO_MARKS = (
    ("ubuntu", re.compile(r"ubuntu", re.I)),
    ("debian", re.compile(r"deb\d|debian|\+b\d+$", re.I)),
    ("rhel", re.compile(r"[.+_]el\d", re.I)),
    ("fedora", re.compile(r"[.+_]fc\d", re.I)),
    ("amazon", re.compile(r"amzn", re.I)),
    ("alpine", re.compile(r"^r\d+$", re.I)),
)


def parse_distro(text: str) -> DistroVersion:
    """Split a package version into epoch, upstream version, revision and distribution.

    ``1:9.2p1-2+deb12u2`` → (1, "9.2p1", "2+deb12u2", "debian"); ``2.4.52-1ubuntu4.6`` →
    (0, "2.4.52", "1ubuntu4.6", "ubuntu"); ``4.1.0-beta`` has no revision (a revision starts
    with a digit, as Debian's do, or is Alpine's ``rN``).
    """
    text = text.strip()
    epoch = 0
    found = _EPOCH.match(text)
    if found:
        epoch = int(found.group(1))
        text = text[found.end() :]
    upstream, revision = text, ""
    cut = text.rfind("-")
    if cut > 0 and _REVISION.match(text[cut + 1 :]):
        upstream, revision = text[:cut], text[cut + 1 :]
    distro = ""
    for name, mark in _DISTRO_MARKS:
        if revision and mark.search(revision):
            distro = name
            break
    return DistroVersion(epoch, upstream, revision, distro)


def split_distro(text: str) -> tuple[str, str, str]:
    """(upstream version without epoch, revision, distribution) of a package version."""
    parsed = parse_distro(text)
    return parsed.upstream, parsed.revision, parsed.distro


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _dpkg_compare(a: str, b: str) -> int:
    """Debian Policy 5.6.12: alternate non-digit parts (compared character by character,
    letters before other characters and ``~`` before everything, even the end) and digit
    parts (compared as numbers)."""
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            x = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            y = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if x != y:
                return -1 if x < y else 1
            i += 1
            j += 1
        start_i, start_j = i, j
        while i < len(a) and a[i].isdigit():
            i += 1
        while j < len(b) and b[j].isdigit():
            j += 1
        x_num = int(a[start_i:i] or "0")
        y_num = int(b[start_j:j] or "0")
        if x_num != y_num:
            return -1 if x_num < y_num else 1
    return 0


def compare_distro(a: str, b: str) -> int:
    """Compare two package versions the way dpkg does: epoch, then upstream, then revision
    (a missing revision is "0")."""
    pa, pb = parse_distro(a), parse_distro(b)
    if pa.epoch != pb.epoch:
        return -1 if pa.epoch < pb.epoch else 1
    return _dpkg_compare(pa.upstream, pb.upstream) or _dpkg_compare(
        pa.revision or "0", pb.revision or "0"
    )
