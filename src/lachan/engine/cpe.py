"""CPE 2.3 names: the formatted string binding, and matching a name to a product.

``cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:
target_hw:other`` (NISTIR 7695). A backslash quotes the next character (``xerces-c\\+\\+``,
``mysql_connector\\/python``, ``page_builder\\:``); a component that is exactly ``*`` is ANY
and exactly ``-`` is NA. :func:`parse_cpe` also reads the CPE 2.2 URI form
(``cpe:/a:apache:http_server:2.4.49``, percent-encoded) and tolerates missing trailing
components (ANY). Values are kept unquoted and in lower case, since CPE matching is
case-insensitive. Embedded wildcards (``foo*``) are rare in match criteria and are read as
literal text.

Matching (:func:`matches`) a criteria name to what is known of an installed product:

- vendor and product are equal (ANY in the criteria accepts any);
- the version: ANY accepts any version; NA accepts only "no version" (empty, ``-``);
  otherwise the same text, ignoring case, or a version that compares equal
  (:func:`lachan.engine.versions.compare`, so ``8.1`` = ``8.1.0``);
- the other components exclude only what is known to differ: a criteria whose ``target_sw``
  is ``wordpress`` matches a product whose target software is unknown, but not one known to
  be for ``joomla``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from urllib.parse import unquote

from lachan.engine.versions import compare

__all__ = [
    "ANY",
    "ATTRIBUTES",
    "NA",
    "Cpe",
    "CpeError",
    "build_cpe",
    "format_cpe",
    "matches",
    "normalise_name",
    "parse_cpe",
]

ANY = "*"
NA = "-"
ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
_PARTS = frozenset({"a", "o", "h", ANY})
_UNQUOTED_COLON = re.compile(r"(?<!\\):")
_UNQUOTE = re.compile(r"\\(.)")


class CpeError(ValueError):
    """A text that is not a CPE name."""


@dataclass(frozen=True, slots=True)
class Cpe:
    """The eleven attributes of a CPE 2.3 name, unquoted and in lower case."""

    part: str
    vendor: str
    product: str
    version: str = ANY
    update: str = ANY
    edition: str = ANY
    language: str = ANY
    sw_edition: str = ANY
    target_sw: str = ANY
    target_hw: str = ANY
    other: str = ANY

    def __str__(self) -> str:
        return format_cpe(self)


def _split_formatted(body: str) -> list[str]:
    """Split on unquoted colons and unquote; ANY/NA stay as they are only when unquoted."""
    if "\\" not in body:
        return [_value(text, False) for text in body.split(":")]
    if "\\\\" not in body and not body.endswith("\\"):
        # No quoted backslash: a colon after a backslash is a quoted colon.
        return [
            _value(_UNQUOTE.sub(r"\1", text), "\\" in text) for text in _UNQUOTED_COLON.split(body)
        ]
    values: list[str] = []
    current: list[str] = []
    quoted = False  # the component had a quoted character: "\-" is a literal dash
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body):
                raise CpeError("a backslash ends the name")
            current.append(body[i + 1])
            quoted = True
            i += 2
            continue
        if char == ":":
            values.append(_value("".join(current), quoted))
            current, quoted = [], False
        else:
            current.append(char)
        i += 1
    values.append(_value("".join(current), quoted))
    return values


def _value(text: str, quoted: bool) -> str:
    if not text:
        return ANY
    if quoted and text in (ANY, NA):
        return "\\" + text  # a literal "*" or "-", kept quoted: never the logical value
    return text.lower()


def parse_cpe(text: str) -> Cpe:
    """The CPE name ``text`` (2.3 formatted string or 2.2 URI); raises :class:`CpeError`."""
    raw = text.strip()
    lowered = raw.lower()
    if lowered.startswith("cpe:2.3:"):
        values = _split_formatted(raw[8:])
        if len(values) > len(ATTRIBUTES):
            raise CpeError(f"{len(values)} components, a CPE 2.3 name has {len(ATTRIBUTES)}")
    elif lowered.startswith("cpe:/"):
        values = [unquote(v).lower() or ANY for v in raw[5:].split(":")]
        if len(values) > 7:
            raise CpeError(f"{len(values)} components, a CPE 2.2 URI has at most 7")
        values += [ANY] * (7 - len(values))
        if values[5].startswith("~"):
            # Packed edition: ~edition~sw_edition~target_sw~target_hw~other
            packed = [v or ANY for v in values[5].split("~")[1:]]
            packed += [ANY] * (5 - len(packed))
            values = values[:5] + [packed[0], values[6], *packed[1:5]]
    else:
        raise CpeError("a CPE name starts with cpe:2.3: or cpe:/")
    values += [ANY] * (len(ATTRIBUTES) - len(values))
    if values[0] not in _PARTS:
        raise CpeError(f"part {values[0]!r} is not a, o or h")
    return Cpe(*values)


def _quote(value: str) -> str:
    if value in (ANY, NA):
        return value
    if value in ("\\" + ANY, "\\" + NA):
        return value
    out = []
    for char in value.replace(" ", "_"):
        if char.isalnum() or char in "_-.*?":  # embedded "*"/"?" are read as text, kept as is
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


def format_cpe(cpe: Cpe) -> str:
    """The CPE 2.3 formatted string of ``cpe``, quoted as NVD quotes."""
    return "cpe:2.3:" + ":".join(_quote(getattr(cpe, f.name)) for f in fields(cpe))


def normalise_name(text: str) -> str:
    """A vendor or product name as CPE writes it: unquoted, lower case, spaces as ``_``."""
    if "\\" not in text:
        return "_".join(text.lower().split())
    unquoted = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        unquoted.append(text[i])
        i += 1
    return "_".join("".join(unquoted).lower().split())


def build_cpe(
    part: str,
    vendor: str,
    product: str,
    version: str = ANY,
    **others: str,
) -> str:
    """A CPE 2.3 formatted string from its part, vendor, product and version (other
    attributes by name, e.g. ``target_sw="wordpress"``); empty values are ANY."""
    unknown = set(others) - set(ATTRIBUTES[4:])
    if unknown:
        raise CpeError(f"unknown CPE attribute(s): {', '.join(sorted(unknown))}")
    if part not in _PARTS:
        raise CpeError(f"part {part!r} is not a, o or h")
    version = version.strip()
    values = {
        "part": part,
        "vendor": normalise_name(vendor) or ANY,
        "product": normalise_name(product) or ANY,
        "version": "_".join(version.lower().split()) or ANY,
    }
    values.update({k: normalise_name(v) or ANY for k, v in others.items()})
    return format_cpe(Cpe(**values))


def _known(value: str | None) -> bool:
    return value is not None and value not in ("", ANY)


def matches(
    criteria: str | Cpe,
    vendor: str,
    product: str,
    version: str | None = None,
    *,
    part: str | None = None,
    update: str | None = None,
    target_sw: str | None = None,
    target_hw: str | None = None,
) -> bool:
    """Whether the criteria name covers a product (see the module's docstring). ``None``
    (or "" or ``*``) for an attribute means "not known", which never excludes, except for
    the version: an unknown version matches only a criteria that accepts any version."""
    cpe = parse_cpe(criteria) if isinstance(criteria, str) else criteria
    if cpe.vendor != ANY and cpe.vendor != normalise_name(vendor):
        return False
    if cpe.product != ANY and cpe.product != normalise_name(product):
        return False
    if _known(part) and cpe.part != ANY and cpe.part != str(part).lower():
        return False
    if not _version_matches(cpe.version, version):
        return False
    for wanted, actual in (
        (cpe.update, update),
        (cpe.target_sw, target_sw),
        (cpe.target_hw, target_hw),
    ):
        if wanted not in (ANY, NA) and _known(actual) and normalise_name(str(actual)) != wanted:
            return False
    return True


def _version_matches(wanted: str, version: str | None) -> bool:
    if wanted == ANY:
        return True
    given = (version or "").strip()
    if wanted == NA:
        return given in ("", NA)
    if not given or given in (ANY, NA):
        return False
    if given.lower() == wanted or "_".join(given.lower().split()) == wanted:
        return True
    return compare(given, wanted) == 0
