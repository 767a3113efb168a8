"""Real-world software names as CPE vendor/product/version: what normalisation makes of an
inventory entry before matching (:func:`normalise`, :func:`os_cpe`).

An entry is mapped, in this order:

1. ``cpe`` — the entry carries a CPE: its part, vendor, product, version (the entry's
   version when the CPE's is ``*`` or ``-``) and update.
2. ``package`` — the product is a Debian/Ubuntu package name (``apache2``, ``php8.1``,
   ``linux-image-6.1.0-17-amd64``) known to the table's ``package`` rows, and something says
   it is one: the version has a package revision (``2.4.57-2``), the host's OS is Debian or
   Ubuntu, or the vendor is Debian, Ubuntu or Canonical.
3. ``exact`` — vendor and product, one word each, already are a CPE vendor/product the
   table knows (``apache`` / ``http_server``, or an ``also`` name such as ``nginx`` /
   ``nginx``).
4. ``alias`` — a ``display``, ``webapp`` or ``os`` row of the table matches the product
   ("Mozilla Firefox (x64 vi)"), or the vendor and product together ("Mozilla" +
   "Firefox").
5. ``package`` — a package row matches though nothing else says it is a package.
6. ``unmapped`` — nothing known: the entry never matches by guessing.

A version with a distribution revision keeps the whole package version
(``1:9.2p1-2+deb12u2``) and sets ``distro`` ("debian", "ubuntu"; for a package row with a
revision that names no distribution, the host OS's, else "debian"): the matcher compares the
upstream part and decides about backports.

The alias table is data (:func:`load_default_aliases` reads the CSV shipped in
``engine/data/software_aliases.csv``; officers add rows in the UI). A row:

``kind``
    ``display`` (Windows "Programs and Features" names), ``webapp``, ``os`` (host operating
    systems, also used by :func:`os_cpe`), ``package`` (Debian/Ubuntu package names).
``pattern``
    A regular expression when it starts with ``^`` (searched, ignoring case). Otherwise
    names separated by ``|``, each matching the whole name, ignoring case and repeated
    spaces, or the name followed by a version or a bracket ("7-Zip" matches "7-Zip 23.01
    (x64)" but not "7-Zip Helper"). Package names are compared after dropping an
    architecture suffix (``openssl:amd64``).
``cpe_vendor``, ``cpe_product``, ``part``
    The CPE names (as NVD writes them, quoting included: ``joomla\\!``); ``{group}`` in the
    product is filled from the pattern's named group (``windows_10_{release}``).
``version_pattern``
    Where the name carries the version: a regular expression whose group ``version`` (or
    first group) is the version and group ``update`` the CPE update.
``version_source``
    ``entry`` (default): the entry's version, the name's when the entry has none; ``name``:
    the name's when it has one ("Microsoft Office Professional Plus 2016" is ``office``
    2016, whatever build the entry reports).
``version_format``, ``update_format``
    Templates over the groups: ``1.{version}.0_{update}`` (Java 8),
    ``cumulative_update_{update}`` (Exchange). The CPE update is set only by an
    ``update_format``, and only when the version pattern found an ``update``.
``also``
    Other ``vendor:product`` names NVD uses for the same software, space separated.
``name``, ``note``
    What the UI shows.

The first matching row wins, so put specific rows before general ones.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from importlib import resources

from .cpe import ANY, NA, CpeError, normalise_name, parse_cpe
from .versions import parse_distro
from .vulndata import SoftwareId

__all__ = [
    "ALIAS_COLUMNS",
    "KINDS",
    "AliasError",
    "AliasRow",
    "AliasTable",
    "load_default_aliases",
    "normalise",
    "os_cpe",
    "read_aliases",
    "validate_row",
    "write_aliases",
]

KINDS = ("display", "webapp", "os", "package")
_PARTS = ("a", "o", "h")
_SOURCES = ("entry", "name")


@dataclass(frozen=True, slots=True)
class AliasRow:
    """One row of the alias table, as stored (see the module's docstring)."""

    kind: str
    pattern: str
    cpe_vendor: str
    cpe_product: str
    part: str = "a"
    version_pattern: str = ""
    version_source: str = "entry"
    version_format: str = ""
    update_format: str = ""
    also: str = ""
    name: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """What names the rule in :attr:`SoftwareId.rule`."""
        return self.name or self.pattern


ALIAS_COLUMNS = ("name", *(f.name for f in fields(AliasRow) if f.name != "name"))


class AliasError(ValueError):
    """An alias row that cannot be used; ``row`` is its 1-based position (or CSV line)."""

    def __init__(self, row: int, problems: Sequence[str]) -> None:
        self.row = row
        self.problems = tuple(problems)
        super().__init__(f"alias row {row}: {'; '.join(problems)}")


_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _regex_problem(text: str, what: str) -> tuple[re.Pattern[str] | None, str]:
    try:
        return re.compile(text, re.IGNORECASE), ""
    except re.error as exc:
        return None, f"{what}: not a regular expression ({exc})"


def validate_row(row: AliasRow) -> list[str]:
    """What is wrong with ``row`` (empty when nothing), for a form to show."""
    problems = []
    if row.kind not in KINDS:
        problems.append(f"kind: {row.kind!r} is not one of {', '.join(KINDS)}")
    if not row.pattern.strip():
        problems.append("pattern: empty")
    groups: set[str] = set()
    if row.pattern.startswith("^"):
        compiled, problem = _regex_problem(row.pattern, "pattern")
        if problem:
            problems.append(problem)
        elif compiled is not None:
            groups |= set(compiled.groupindex)
    if not row.cpe_vendor.strip() or not row.cpe_product.strip():
        problems.append("cpe_vendor, cpe_product: both are needed")
    for template in _TEMPLATE.findall(row.cpe_vendor + row.cpe_product):
        if template not in groups:
            problems.append(f"cpe_product: {{{template}}} is no named group of the pattern")
    if row.part not in _PARTS:
        problems.append(f"part: {row.part!r} is not a, o or h")
    version_groups: set[str] = {"version"}
    if row.version_pattern:
        compiled, problem = _regex_problem(row.version_pattern, "version_pattern")
        if problem:
            problems.append(problem)
        elif compiled is not None:
            version_groups |= set(compiled.groupindex)
    if row.version_source not in _SOURCES:
        problems.append(f"version_source: {row.version_source!r} is not entry or name")
    for column, template in (
        ("version_format", row.version_format),
        ("update_format", row.update_format),
    ):
        for name in _TEMPLATE.findall(template):
            if name not in version_groups:
                problems.append(f"{column}: {{{name}}} is no group of the version pattern")
    for pair in row.also.split():
        if _split_pair(pair) is None:
            problems.append(f"also: {pair!r} is not vendor:product")
    return problems


_PAIR = re.compile(r"^((?:[^:\\]|\\.)+):((?:[^:\\]|\\.)+)$")


def _split_pair(text: str) -> tuple[str, str] | None:
    found = _PAIR.match(text.strip())
    if not found:
        return None
    return normalise_name(found.group(1)), normalise_name(found.group(2))


# --------------------------------------------------------------------------- reading rows


def read_aliases(text: str | Iterable[str]) -> list[AliasRow]:
    """Alias rows from CSV text with the header :data:`ALIAS_COLUMNS` (missing optional
    columns are empty); raises :class:`AliasError` naming the line of a bad row."""
    lines = io.StringIO(text) if isinstance(text, str) else text
    reader = csv.DictReader(lines)
    missing = {"kind", "pattern", "cpe_vendor", "cpe_product"} - set(reader.fieldnames or ())
    if missing:
        raise AliasError(1, [f"missing columns: {', '.join(sorted(missing))}"])
    rows = []
    for record in reader:
        values = {k: (record.get(k) or "").strip() for k in ALIAS_COLUMNS}
        values["part"] = values["part"] or "a"
        values["version_source"] = values["version_source"] or "entry"
        row = AliasRow(**values)
        problems = validate_row(row)
        if problems:
            raise AliasError(reader.line_num, problems)
        rows.append(row)
    return rows


def write_aliases(rows: Iterable[AliasRow]) -> str:
    """The CSV text of ``rows`` (what :func:`read_aliases` reads back)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALIAS_COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, column) for column in ALIAS_COLUMNS])
    return out.getvalue()


def load_default_aliases() -> list[AliasRow]:
    """The alias rows shipped with the engine (``engine/data/software_aliases.csv``)."""
    text = (
        resources.files("lachan.engine")
        .joinpath("data", "software_aliases.csv")
        .read_text(encoding="utf-8")
    )
    return read_aliases(text)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True, slots=True)
class _Rule:
    row: AliasRow
    regex: re.Pattern[str] | None
    names: tuple[str, ...]  # plain names, folded
    version_regex: re.Pattern[str] | None
    vendor: str
    product: str  # may hold {group} templates
    also: tuple[tuple[str, str], ...]

    def search(self, text: str) -> dict[str, str] | None:
        """The named groups when the rule matches ``text`` (folded for plain names)."""
        if self.regex is not None:
            found = self.regex.search(text)
            if found is None:
                return None
            return {k: v for k, v in found.groupdict().items() if v}
        folded = _fold(text)
        for name in self.names:
            if folded == name:
                return {}
            if self.row.kind != "package" and folded.startswith(name):
                rest = folded[len(name) :]
                if rest[:1] in (" ", "(", "-", ",", ":") and _TAIL.match(rest):
                    return {}
        return None


# After a plain name: a version, a bracket or an architecture ("7-Zip 23.01 (x64)").
_TAIL = re.compile(r"^[\s\-\u2013:,]*(?:[(\[]|v?\d|x64\b|x86\b|arm64\b|$)", re.IGNORECASE)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _compile(row: AliasRow) -> _Rule:
    regex = re.compile(row.pattern, re.IGNORECASE) if row.pattern.startswith("^") else None
    names = () if regex else tuple(_fold(n) for n in row.pattern.split("|") if n.strip())
    version_regex = re.compile(row.version_pattern, re.IGNORECASE) if row.version_pattern else None
    also = tuple(p for p in (_split_pair(x) for x in row.also.split()) if p is not None)
    return _Rule(
        row,
        regex,
        names,
        version_regex,
        normalise_name(row.cpe_vendor),
        normalise_name(row.cpe_product),
        also,
    )


class AliasTable:
    """The rules of an alias table, compiled; built from rows (stored rows first, then
    :func:`load_default_aliases`, when officers' rows should win)."""

    def __init__(self, rows: Iterable[AliasRow]) -> None:
        self.rows: tuple[AliasRow, ...] = tuple(rows)
        rules = []
        for index, row in enumerate(self.rows, start=1):
            problems = validate_row(row)
            if problems:
                raise AliasError(index, problems)
            rules.append(_compile(row))
        self._names = tuple(r for r in rules if r.row.kind != "package")
        self._packages = tuple(r for r in rules if r.row.kind == "package")
        self._os = tuple(r for r in self._names if r.row.part == "o")
        # Every CPE name a rule gives, with the others of its group and the rule.
        self._known: dict[tuple[str, str], tuple[_Rule, tuple[tuple[str, str], ...]]] = {}
        for rule in rules:
            if "{" in rule.product:
                continue
            group = ((rule.vendor, rule.product), *rule.also)
            for name in group:
                others = tuple(n for n in group if n != name)
                self._known.setdefault(name, (rule, others))

    @classmethod
    def default(cls) -> AliasTable:
        return cls(load_default_aliases())

    def __len__(self) -> int:
        return len(self.rows)

    def known(
        self, vendor: str, product: str
    ) -> tuple[AliasRow, tuple[tuple[str, str], ...]] | None:
        """The row that gives the CPE name vendor:product and the group's other names."""
        found = self._known.get((normalise_name(vendor), normalise_name(product)))
        return (found[0].row, found[1]) if found else None

    def match_name(self, texts: Sequence[str]) -> _Hit | None:
        """The first display/webapp/os rule that matches one of ``texts``."""
        return _first(self._names, texts)

    def match_package(self, package: str) -> _Hit | None:
        """The first package rule that matches the package name."""
        return _first(self._packages, [package])

    def match_os(self, text: str) -> _Hit | None:
        """The first rule of part ``o`` (not a package) that matches an OS text."""
        return _first(self._os, [text])


# (rule, the text it matched, the pattern's named groups)
_Hit = tuple[_Rule, str, dict[str, str]]


def _first(rules: Sequence[_Rule], texts: Sequence[str]) -> _Hit | None:
    for rule in rules:
        for text in texts:
            groups = rule.search(text)
            if groups is not None:
                return rule, text, groups
    return None


# --------------------------------------------------------------------------- normalising

_ARCH_SUFFIX = re.compile(r":(?:amd64|i386|arm64|armhf|all|x86_64|noarch)$")
_PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9.+\-]*$")
_GENERIC_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+)+[a-z]?)(?![\w.])", re.IGNORECASE)
_DEBIAN_VENDORS = frozenset(
    {"debian", "ubuntu", "canonical", "debian project", "ubuntu developers"}
)


def _os_distro(os_text: str) -> str:
    folded = os_text.casefold()
    if "ubuntu" in folded:
        return "ubuntu"
    if "debian" in folded:
        return "debian"
    return ""


def _fill(template: str, groups: dict[str, str]) -> str | None:
    """``template`` with ``{group}`` filled; None when a group is missing."""
    missing = False

    def one(found: re.Match[str]) -> str:
        nonlocal missing
        value = groups.get(found.group(1))
        if value is None:
            missing = True
            return ""
        return value

    filled = _TEMPLATE.sub(one, template)
    return None if missing else filled


def _name_version(rule: _Rule, text: str, groups: dict[str, str]) -> tuple[str, str]:
    """(version, update) that the name itself carries, by the rule's version pattern."""
    found: dict[str, str] = dict(groups)
    if rule.version_regex is not None:
        hit = rule.version_regex.search(text)
        if hit is not None:
            named = {k: v for k, v in hit.groupdict().items() if v}
            if "version" not in named and hit.re.groups and not hit.re.groupindex:
                if hit.group(1):
                    named["version"] = hit.group(1)
            found.update(named)
    else:
        hit = _GENERIC_VERSION.search(text)
        if hit is not None:
            found.setdefault("version", hit.group(1))
    version = ""
    if "version" in found:
        version = _fill(rule.row.version_format or "{version}", found) or ""
    update = ""
    if rule.row.update_format and "update" in found:
        update = _fill(rule.row.update_format, found) or ""
    return version.strip(), normalise_name(update)


def _from_rule(
    rule: _Rule, text: str, groups: dict[str, str], version: str, method: str, distro: str
) -> SoftwareId:
    name_version, update = _name_version(rule, text, groups)
    if rule.row.version_source == "name" and name_version:
        chosen = name_version
    else:
        chosen = version or name_version
    product = rule.product
    if "{" in product:
        product = normalise_name(_fill(product, groups) or product)
    return SoftwareId(
        vendor=rule.vendor,
        product=product,
        version=chosen,
        method=method,
        rule=rule.row.label,
        part=rule.row.part,
        distro=distro or (parse_distro(chosen).distro if chosen else ""),
        update=update,
        also=rule.also,
    )


def _texts(vendor: str, product: str) -> list[str]:
    """The names a rule is tried on: the product, then vendor and product together."""
    texts = [product] if product else []
    if vendor and product:
        first = vendor.split()[0].casefold()
        if not product.casefold().startswith(first):
            texts.append(f"{vendor} {product}")
    elif vendor:
        texts.append(vendor)
    return texts


def normalise(
    vendor: str,
    product: str,
    version: str,
    cpe: str = "",
    *,
    aliases: AliasTable,
    os: str = "",
) -> SoftwareId:
    """The CPE vendor/product/version of an inventory entry, and how it was found (see the
    module's docstring). ``os`` is the host's operating system, when known."""
    vendor, product, version = vendor.strip(), product.strip(), version.strip()
    bad_cpe = ""
    if cpe.strip():
        try:
            parsed = parse_cpe(cpe)
        except CpeError as exc:
            bad_cpe = f"CPE ignored ({exc})"
        else:
            cpe_version = parsed.version if parsed.version not in (ANY, NA) else ""
            chosen = cpe_version or version
            known = aliases.known(parsed.vendor, parsed.product)
            return SoftwareId(
                vendor=parsed.vendor,
                product=parsed.product,
                version=chosen,
                method="cpe",
                rule="cpe",
                part=parsed.part if parsed.part != ANY else "a",
                distro=parse_distro(chosen).distro if chosen else "",
                update=parsed.update if parsed.update not in (ANY, NA) else "",
                also=known[1] if known else (),
            )

    def note(rule: str) -> str:
        return f"{rule}; {bad_cpe}" if bad_cpe else rule

    package = _ARCH_SUFFIX.sub("", product.casefold())
    package_rule = None
    if _PACKAGE_NAME.match(package):
        package_rule = aliases.match_package(package)
    revision = parse_distro(version) if version else None
    marked = revision.distro if revision else ""
    host_distro = _os_distro(os)

    def as_package() -> SoftwareId:
        assert package_rule is not None
        rule, text, groups = package_rule
        distro = marked
        if not distro and revision is not None and revision.revision:
            distro = host_distro or "debian"
        found = _from_rule(rule, text, groups, version, "package", distro)
        return _replace_rule(found, note(found.rule))

    if package_rule is not None and (
        marked
        or host_distro
        or (revision is not None and revision.revision)
        or vendor.casefold() in _DEBIAN_VENDORS
    ):
        return as_package()

    # CPE form: one word each ("apache" / "http_server"), not a display name that happens
    # to normalise to one ("VideoLAN" / "VLC media player" is the alias rule's to show)
    cpe_form = vendor and product and len(vendor.split()) == 1 and len(product.split()) == 1
    known = aliases.known(vendor, product) if cpe_form else None
    if known is not None:
        row, others = known
        return SoftwareId(
            vendor=normalise_name(vendor),
            product=normalise_name(product),
            version=version,
            method="exact",
            rule=note(f"{normalise_name(vendor)}:{normalise_name(product)}"),
            part=row.part,
            distro=marked,
            also=others,
        )

    hit = aliases.match_name(_texts(vendor, product))
    if hit is not None:
        rule, text, groups = hit
        found = _from_rule(rule, text, groups, version, "alias", marked)
        return _replace_rule(found, note(found.rule))

    if package_rule is not None:
        return as_package()

    return SoftwareId(
        vendor=vendor,
        product=product,
        version=version,
        method="unmapped",
        rule=bad_cpe,
        distro=marked,
    )


def _replace_rule(found: SoftwareId, rule: str) -> SoftwareId:
    return found if rule == found.rule else dataclasses.replace(found, rule=rule)


@functools.lru_cache(maxsize=1)
def _default_table() -> AliasTable:
    return AliasTable.default()


def os_cpe(os_text: str, *, aliases: AliasTable | None = None) -> SoftwareId | None:
    """The operating system of a host ("Windows 10 Pro 22H2", "Ubuntu 22.04.3 LTS") as a CPE
    part ``o`` name, by the table's ``os`` rows (and others of part ``o``); None when no row
    knows it. ``aliases`` defaults to the shipped table."""
    text = " ".join(os_text.split())
    if not text:
        return None
    table = aliases if aliases is not None else _default_table()
    hit = table.match_os(text)
    if hit is None:
        return None
    rule, matched, groups = hit
    return _from_rule(rule, matched, groups, "", "alias", "")
