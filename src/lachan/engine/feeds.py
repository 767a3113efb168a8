"""Readers for vulnerability feeds: NVD CVE API 2.0, CVE JSON 5, CISA KEV and EPSS.

Everything becomes the plain data of :mod:`lachan.engine.vulndata`. The record readers stream:
:func:`iter_records` yields one :class:`VulnRecord` at a time, so a folder of 250,000 records
is read with the memory of one file (one line of a JSON-lines file; a large JSON document is
read element by element).

What :func:`iter_records` recognises, per file (the name does not matter, only ``.gz`` and
JSON lines are told apart, by content as well as by name):

- an NVD CVE API 2.0 response page (``{"format": "NVD_CVE", "vulnerabilities": [{"cve": …}]}``,
  one per file for a multi-page dump, or a JSON array of pages), the NVD 2.0 yearly feeds (the
  same shape), a single ``{"cve": …}`` item or a bare ``cve`` object;
- a CVE JSON 5 record (``dataType: CVE_RECORD``), one per file (the cvelistV5 folder tree) or
  a JSON array of records;
- a CPE-configuration supplement in NVD shape (``{"cve_id", "_annotation", "cve":
  {"configurations": …}}``, as in anchore's nvd-data-overrides): ``source`` "nvd-config";
- JSON lines (one of the above per line) and gzip of any of them.

CVE JSON 5 ``affected`` entries become configurations: the record's ``cpeApplicability`` (CVE
5.1, NVD node shape) when it has one; otherwise one configuration per ``affected`` entry of the
CNA and of the ADP containers (CISA Vulnrichment adds CPEs there), each an OR node of one
:class:`CpeMatch` per affected version item and CPE of the entry. An entry without ``cpes``
gets ``cpe:2.3:a:<vendor>:<product>:…`` from its names (lower case, spaces to ``_``, company
suffixes such as "Corporation" dropped, and the vendor's name dropped from the front of the
product: "Apache Software Foundation" / "Apache HTTP Server" is ``apache:http_server``).
Version items: ``version`` + ``lessThan`` is a start-including / end-excluding range,
``lessThanOrEqual`` an end-including one, ``*`` or ``0`` as a start means none, ``*`` as an
end means none, a lone version an exact version, ``8.1.x`` alone the 8.1 branch; phrases seen
in real records (">= 8.0.0", "7.0.1 and earlier versions", "8.3.0 to 8.3.4", "versions V4.16
through V5.38") are read. An item that cannot be read as a range (a git commit, "unspecified",
an end that is a URL), an ``unaffected``/``unknown`` item and an "n/a" entry give nothing:
the reader never widens a range it does not understand.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .vulndata import (
    PUBLISHED,
    REJECTED,
    Configuration,
    CpeMatch,
    Cvss,
    EpssScore,
    KevEntry,
    Node,
    VulnRecord,
)

__all__ = [
    "FeedError",
    "FeedProgress",
    "FeedSize",
    "count_hint",
    "feed_files",
    "iter_records",
    "read_epss",
    "read_kev",
]

# Files a folder walk picks up; a file named explicitly is read whatever its name.
FEED_SUFFIXES = (".json", ".jsonl", ".ndjson")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
# A JSON document larger than this (on disk; gzip counts 8x) is read element by element.
_STREAM_ABOVE = 48 * 1024 * 1024
_CHUNK = 1 << 20
_PROGRESS_EVERY = 2000

_UTC = dt.UTC


class FeedError(ValueError):
    """A feed file that cannot be read; names the file, and the line of a JSON-lines file."""

    def __init__(
        self, path: str | Path, detail: str, *, line: int | None = None, record_id: str = ""
    ) -> None:
        self.path = str(path)
        self.line = line
        self.record_id = record_id
        self.detail = detail
        where = self.path + (f", line {line}" if line is not None else "")
        what = f" ({record_id})" if record_id else ""
        super().__init__(f"{where}{what}: {detail}")


@dataclass(frozen=True, slots=True)
class FeedSize:
    """What :func:`iter_records` will read: number of files and their size on disk."""

    files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class FeedProgress:
    """Where :func:`iter_records` is, for a progress bar (``bytes_done`` / ``bytes_total``)."""

    path: Path
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    records: int


# --------------------------------------------------------------------------- files


def feed_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files behind ``paths``: a file as given, a folder walked recursively (sorted),
    keeping ``*.json``, ``*.jsonl``, ``*.ndjson`` and their ``.gz`` but not JSON Schemas
    (a name with "schema")."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in path.rglob("*")
                if p.is_file()
                and _strip_gz(p.name.lower()).endswith(FEED_SUFFIXES)
                and "schema" not in p.name.lower()  # JSON Schemas shipped beside the data
            ]
            out.extend(sorted(found))
        elif path.is_file():
            out.append(path)
        else:
            raise FeedError(path, "no such file or folder")
    return out


def count_hint(paths: Iterable[str | Path]) -> FeedSize:
    """Number of files and bytes on disk that :func:`iter_records` will read."""
    files = feed_files(paths)
    return FeedSize(len(files), sum(p.stat().st_size for p in files))


def _strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


# --------------------------------------------------------------------------- records


def iter_records(
    paths: Iterable[str | Path],
    *,
    progress: Callable[[FeedProgress], None] | None = None,
) -> Iterator[VulnRecord]:
    """Every vulnerability record in ``paths`` (files or folders), one at a time.

    ``progress``, when given, is called every few thousand records and after each file.
    Raises :class:`FeedError` naming the file (and line) on anything it cannot read.
    """
    files = feed_files(paths)
    total = sum(p.stat().st_size for p in files)
    done_before = 0
    records = 0
    cache: dict[tuple[Any, ...], CpeMatch] = {}
    for index, path in enumerate(files):
        size = path.stat().st_size
        reader = _FileReader(path, cache)
        for record in reader:
            records += 1
            yield record
            if progress is not None and records % _PROGRESS_EVERY == 0:
                progress(
                    FeedProgress(
                        path, index, len(files), done_before + reader.position(), total, records
                    )
                )
        done_before += size
        if progress is not None:
            progress(FeedProgress(path, index + 1, len(files), done_before, total, records))
        if len(cache) > 500_000:  # bound the sharing cache on very large imports
            cache.clear()


class _FileReader:
    """Reads one file; knows how far into it (on disk) it is."""

    def __init__(self, path: Path, cache: dict[tuple[Any, ...], CpeMatch]) -> None:
        self.path = path
        self.cache = cache
        self._raw: io.BufferedReader | None = None

    def position(self) -> int:
        try:
            return self._raw.tell() if self._raw is not None else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[VulnRecord]:
        path = self.path
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise FeedError(path, f"cannot open: {exc.strerror or exc}") from exc
        self._raw = raw
        try:
            head = raw.read(2)
            raw.seek(0)
            gz = head == b"\x1f\x8b"
            stream: io.BufferedIOBase = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
            try:
                yield from self._read(stream, gz)
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise FeedError(path, f"cannot read ({'gzip: ' if gz else ''}{exc})") from exc
            except UnicodeDecodeError as exc:
                raise FeedError(path, f"not UTF-8 text ({exc.reason})") from exc
        finally:
            raw.close()

    def _read(self, stream: io.BufferedIOBase, gz: bool) -> Iterator[VulnRecord]:
        name = _strip_gz(self.path.name.lower())
        peek = stream.read(65536)
        if name.endswith(_JSONL_SUFFIXES) or _looks_like_jsonl(peek):
            yield from self._read_lines(peek, stream)
            return
        size = self.path.stat().st_size * (8 if gz else 1)
        if size > _STREAM_ABOVE:
            yield from self._read_stream(peek, stream)
            return
        data = peek + stream.read()
        if not data.strip():
            raise FeedError(self.path, "empty file")
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise FeedError(
                self.path, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from exc
        del data
        yield from self._records(doc, None)

    def _read_lines(self, peek: bytes, stream: io.BufferedIOBase) -> Iterator[VulnRecord]:
        rest = stream.readline() if peek and not peek.endswith(b"\n") else b""
        first = (peek + rest).splitlines(keepends=True)
        lineno = 0
        for lines in (first, stream):
            for line in lines:
                lineno += 1
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FeedError(
                        self.path, f"not JSON: {exc.msg} at column {exc.colno}", line=lineno
                    ) from exc
                yield from self._records(doc, lineno)

    def _read_stream(self, peek: bytes, stream: io.BufferedIOBase) -> Iterator[VulnRecord]:
        text = io.TextIOWrapper(io.BufferedReader(_Prefixed(peek, stream)), encoding="utf-8")
        for doc in _stream_items(text, self.path):
            yield from self._records(doc, None)

    def _records(self, doc: Any, line: int | None) -> Iterator[VulnRecord]:
        """The records of one parsed JSON value, whatever of the known shapes it is."""
        if isinstance(doc, list):
            for item in doc:
                yield from self._records(item, line)
            return
        if not isinstance(doc, dict):
            raise FeedError(self.path, "expected a JSON object or array", line=line)
        try:
            if "vulnerabilities" in doc:
                items = doc["vulnerabilities"]
                if items and isinstance(items[0], dict) and "cveID" in items[0]:
                    raise FeedError(
                        self.path, "this is the CISA KEV catalogue, not CVE records", line=line
                    )
                for item in items:
                    yield self._one(_nvd_record, _nvd_cve_of(item), line)
            elif "cveMetadata" in doc or doc.get("dataType") == "CVE_RECORD":
                yield self._one(_cve5_record, doc, line)
            elif "cve_id" in doc and "cve" in doc:
                yield self._one(_supplement_record, doc, line)
            elif "cve" in doc and isinstance(doc["cve"], dict):
                yield self._one(_nvd_record, doc["cve"], line)
            elif "cve_items" in doc:  # fkie-cad/nvd-json-data-feeds yearly files
                for item in doc["cve_items"]:
                    yield self._one(_nvd_record, _nvd_cve_of(item), line)
            elif isinstance(doc.get("id"), str) and ("descriptions" in doc or "vulnStatus" in doc):
                yield self._one(_nvd_record, doc, line)
            else:
                keys = ", ".join(list(doc)[:6])
                raise FeedError(
                    self.path,
                    "not an NVD CVE API 2.0 page, a CVE JSON 5 record or a CPE configuration "
                    f"record (top-level keys: {keys})",
                    line=line,
                )
        except FeedError:
            raise
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            raise FeedError(self.path, f"unexpected structure: {exc!r}", line=line) from exc

    def _one(
        self,
        convert: Callable[[dict[str, Any], dict[tuple[Any, ...], CpeMatch]], VulnRecord],
        doc: Any,
        line: int | None,
    ) -> VulnRecord:
        try:
            if not isinstance(doc, dict):
                raise TypeError("record is not a JSON object")
            return convert(doc, self.cache)
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            rid = _guess_id(doc)
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else f"{exc}"
            raise FeedError(
                self.path, f"unexpected structure: {detail}", line=line, record_id=rid
            ) from exc


def _nvd_cve_of(item: Any) -> Any:
    return item["cve"] if isinstance(item, dict) and "cve" in item else item


def _guess_id(doc: Any) -> str:
    if not isinstance(doc, dict):
        return ""
    for value in (
        doc.get("id"),
        doc.get("cve_id"),
        (doc.get("cveMetadata") or {}).get("cveId")
        if isinstance(doc.get("cveMetadata"), dict)
        else None,
    ):
        if isinstance(value, str):
            return value
    return ""


def _looks_like_jsonl(peek: bytes) -> bool:
    """A first line that is a whole JSON object, followed by more: JSON lines."""
    end = peek.find(b"\n")
    if end < 0:
        return False
    first = peek[:end].strip()
    if not (first.startswith(b"{") and first.endswith(b"}")):
        return False
    if not peek[end:].strip():
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


class _Prefixed(io.RawIOBase):
    """A byte stream with some already-read bytes put back in front."""

    def __init__(self, head: bytes, rest: io.BufferedIOBase) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


_ARRAY_KEY = re.compile(r'"(?:vulnerabilities|cve_items)"\s*:\s*\[')


def _stream_items(text: IO[str], path: Path) -> Iterator[Any]:
    """The elements of a large JSON document without loading it: the items of a top-level
    array, or of its ``vulnerabilities`` (NVD) / ``cve_items`` array."""
    decoder = json.JSONDecoder()
    buf = text.read(_CHUNK)
    eof = not buf
    pos = len(buf) - len(buf.lstrip())
    if buf[pos : pos + 1] == "[":
        pos += 1
    else:
        match = _ARRAY_KEY.search(buf)
        while match is None and not eof and len(buf) < 64 * _CHUNK:
            more = text.read(_CHUNK)
            eof = not more
            buf += more
            match = _ARRAY_KEY.search(buf)
        if match is None:
            raise FeedError(path, "large JSON document without a 'vulnerabilities' array")
        pos = match.end()
    want = _CHUNK
    while True:
        while True:  # skip separators, reading on when the buffer runs dry
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or eof:
                break
            buf, pos = text.read(_CHUNK), 0
            eof = not buf
        if pos >= len(buf):
            raise FeedError(path, "JSON document ends inside its array")
        if buf[pos] == "]":
            return  # what follows the array (NVD's trailing keys) carries no records
        if buf[pos] != "{":
            raise FeedError(path, f"expected an object in the array, found {buf[pos]!r}")
        try:
            item, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if eof:
                raise FeedError(path, f"not JSON: {exc.msg}") from exc
            more = text.read(want)
            want *= 2  # an element larger than the buffer: grow geometrically
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        want = _CHUNK
        yield item
        pos = end
        if pos > _CHUNK:
            buf, pos = buf[pos:], 0


# --------------------------------------------------------------------------- shared parts


def _time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time as an aware UTC datetime (a time without offset is UTC)."""
    if not value or not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        try:  # a date alone, or more than 6 fraction digits
            when = dt.datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", value))
        except ValueError:
            return None
    if when.tzinfo is None:
        return when.replace(tzinfo=_UTC)
    return when.astimezone(_UTC)


def _english(items: Any) -> str:
    """The English text of a list of ``{"lang", "value"}`` (the first one when none is)."""
    if not items:
        return ""
    first = ""
    for item in items:
        value = item.get("value")
        if not isinstance(value, str):
            continue
        lang = item.get("lang", "")
        if lang == "en" or lang.lower().startswith("en"):
            return value.strip()
        first = first or value.strip()
    return first


_SEVERITY_BANDS = ((9.0, "critical"), (7.0, "high"), (4.0, "medium"), (0.1, "low"))


def _severity_of(score: float) -> str:
    for floor, name in _SEVERITY_BANDS:
        if score >= floor:
            return name
    return "none"


def _cvss(data: Any, version: str) -> Cvss | None:
    if not isinstance(data, dict):
        return None
    score = data.get("baseScore")
    if score is None:
        return None
    score = float(score)
    severity = data.get("baseSeverity")
    return Cvss(
        version=str(data.get("version") or version),
        score=score,
        vector=str(data.get("vectorString") or ""),
        severity=severity.lower()
        if isinstance(severity, str) and severity
        else _severity_of(score),
    )


_CWE = re.compile(r"^CWE-\d+")


def _add_unique(out: list[str], seen: set[str], value: str) -> None:
    if value and value not in seen:
        seen.add(value)
        out.append(value)


def _cpe_match(m: dict[str, Any], cache: dict[tuple[Any, ...], CpeMatch]) -> CpeMatch:
    key = (
        m["criteria"],
        m.get("vulnerable", True),
        m.get("versionStartIncluding"),
        m.get("versionStartExcluding"),
        m.get("versionEndIncluding"),
        m.get("versionEndExcluding"),
    )
    found = cache.get(key)
    if found is None:
        found = CpeMatch(sys.intern(key[0]), bool(key[1]), key[2], key[3], key[4], key[5])
        cache[key] = found
    return found


def _nvd_configurations(
    raw: Any, cache: dict[tuple[Any, ...], CpeMatch]
) -> tuple[Configuration, ...]:
    if not raw:
        return ()
    configs = []
    for conf in raw:
        nodes = tuple(
            Node(
                node.get("operator", "OR"),
                bool(node.get("negate", False)),
                tuple(_cpe_match(m, cache) for m in node.get("cpeMatch", ())),
            )
            for node in conf.get("nodes", ())
        )
        configs.append(
            Configuration(conf.get("operator", "OR"), bool(conf.get("negate", False)), nodes)
        )
    return tuple(configs)


# --------------------------------------------------------------------------- NVD 2.0


def _nvd_metric(metrics: dict[str, Any], key: str, version: str) -> Cvss | None:
    entries = metrics.get(key)
    if not entries:
        return None
    chosen = entries[0]
    for entry in entries:
        if entry.get("type") == "Primary":
            chosen = entry
            break
    return _cvss(chosen.get("cvssData"), version)


def _nvd_record(cve: dict[str, Any], cache: dict[tuple[Any, ...], CpeMatch]) -> VulnRecord:
    record_id = cve["id"]
    if not isinstance(record_id, str):
        raise TypeError("id is not a string")
    description = _english(cve.get("descriptions"))
    status = PUBLISHED
    if cve.get("vulnStatus") == "Rejected" or description.startswith("** REJECT **"):
        status = REJECTED
    metrics = cve.get("metrics") or {}
    cvss31 = _nvd_metric(metrics, "cvssMetricV31", "3.1") or _nvd_metric(
        metrics, "cvssMetricV30", "3.0"
    )
    cvss40 = _nvd_metric(metrics, "cvssMetricV40", "4.0")
    cwes: list[str] = []
    seen: set[str] = set()
    for weakness in cve.get("weaknesses") or ():
        for d in weakness.get("description") or ():
            value = d.get("value", "")
            if _CWE.match(value):
                _add_unique(cwes, seen, value)
    refs: list[str] = []
    seen = set()
    for ref in cve.get("references") or ():
        _add_unique(refs, seen, ref.get("url", ""))
    return VulnRecord(
        record_id=record_id,
        description=description,
        published=_time(cve.get("published")),
        modified=_time(cve.get("lastModified")),
        status=status,
        cvss31=cvss31,
        cvss40=cvss40,
        cwes=tuple(cwes),
        references=tuple(refs),
        configurations=_nvd_configurations(cve.get("configurations"), cache),
        source="nvd",
    )


def _supplement_record(doc: dict[str, Any], cache: dict[tuple[Any, ...], CpeMatch]) -> VulnRecord:
    """A CPE-configuration record in NVD shape with an ``_annotation`` (no metrics, no status):
    its configurations, and what the annotation says of description, dates and references."""
    record_id = doc["cve_id"]
    if not isinstance(record_id, str):
        raise TypeError("cve_id is not a string")
    note = doc.get("_annotation") or {}
    cve = doc.get("cve") or {}
    refs: list[str] = []
    seen: set[str] = set()
    for url in note.get("references") or ():
        if isinstance(url, str):
            _add_unique(refs, seen, url)
    for ref in cve.get("references") or ():
        _add_unique(refs, seen, ref.get("url", "") if isinstance(ref, dict) else str(ref))
    description = note.get("description") or ""
    return VulnRecord(
        record_id=record_id,
        description=description.strip() if isinstance(description, str) else "",
        published=_time(note.get("published")),
        modified=_time(note.get("modified")),
        references=tuple(refs),
        configurations=_nvd_configurations(cve.get("configurations"), cache),
        source="nvd-config",
    )


# --------------------------------------------------------------------------- CVE JSON 5


def _cve5_record(doc: dict[str, Any], cache: dict[tuple[Any, ...], CpeMatch]) -> VulnRecord:
    meta = doc["cveMetadata"]
    record_id = meta["cveId"]
    if not isinstance(record_id, str):
        raise TypeError("cveId is not a string")
    containers = doc.get("containers") or {}
    cna = containers.get("cna") or {}
    adps = containers.get("adp") or []
    status = REJECTED if meta.get("state") == "REJECTED" else PUBLISHED
    description = _english(cna.get("descriptions")) or _english(cna.get("rejectedReasons"))
    if description.startswith("** REJECT **"):
        status = REJECTED

    found: dict[str, Cvss] = {}
    for container in (cna, *adps):
        for metric in container.get("metrics") or ():
            for key, version in (
                ("cvssV3_1", "3.1"),
                ("cvssV3_0", "3.0"),
                ("cvssV4_0", "4.0"),
            ):
                if key in metric and key not in found:
                    score = _cvss(metric[key], version)
                    if score is not None:
                        found[key] = score

    cwes: list[str] = []
    refs: list[str] = []
    seen: set[str] = set()
    seen_refs: set[str] = set()
    for container in (cna, *adps):
        for problem in container.get("problemTypes") or ():
            for d in problem.get("descriptions") or ():
                cwe = d.get("cweId") or ""
                if not cwe:
                    text = d.get("description") or ""
                    m = _CWE.match(text)
                    cwe = m.group(0) if m else ""
                if cwe:
                    _add_unique(cwes, seen, cwe)
        for ref in container.get("references") or ():
            _add_unique(refs, seen_refs, ref.get("url", ""))

    configs: list[Configuration] = []
    for container in (cna, *adps):
        configs.extend(_nvd_configurations(container.get("cpeApplicability"), cache))
    if not configs:
        configs = _affected_configurations(cna, adps, cache)

    return VulnRecord(
        record_id=record_id,
        description=description,
        published=_time(meta.get("datePublished") or cna.get("datePublic")),
        modified=_time(meta.get("dateUpdated")),
        status=status,
        cvss31=found.get("cvssV3_1") or found.get("cvssV3_0"),
        cvss40=found.get("cvssV4_0"),
        cwes=tuple(cwes),
        references=tuple(refs),
        configurations=tuple(configs),
        source="cve5",
    )


def _affected_configurations(
    cna: dict[str, Any], adps: Sequence[dict[str, Any]], cache: dict[tuple[Any, ...], CpeMatch]
) -> list[Configuration]:
    configs: list[Configuration] = []
    seen: set[tuple[int, ...]] = set()
    for container in (*adps, cna):
        for entry in container.get("affected") or ():
            matches = _entry_matches(entry, cache)
            if not matches:
                continue
            key = tuple(map(id, matches))  # equal matches are one shared object (the cache)
            if key not in seen:
                seen.add(key)
                configs.append(Configuration("OR", False, (Node("OR", False, matches),)))
    return configs


def _entry_matches(
    entry: dict[str, Any], cache: dict[tuple[Any, ...], CpeMatch]
) -> tuple[CpeMatch, ...]:
    cpes = entry.get("cpes")
    if cpes:
        bases = _cpe_bases(tuple(c for c in cpes if isinstance(c, str)))
    else:
        bases = _name_bases(str(entry.get("vendor") or ""), str(entry.get("product") or ""))
    if not bases:
        return ()
    out: list[CpeMatch] = []
    seen: set[tuple[Any, ...]] = set()
    for item in entry.get("versions") or ():
        bounds = version_item_bounds(item)
        if bounds is None:
            continue
        exact, start_inc, start_exc, end_inc, end_exc = bounds
        version = _cpe_escape(exact) if exact is not None else "*"
        for head, tail in bases:
            key = (head + version + tail, True, start_inc, start_exc, end_inc, end_exc)
            if key in seen:
                continue
            seen.add(key)
            match = cache.get(key)
            if match is None:
                match = CpeMatch(sys.intern(key[0]), True, start_inc, start_exc, end_inc, end_exc)
                cache[key] = match
            out.append(match)
    return tuple(out)


_NA = frozenset({"", "n/a", "na", "-", "unknown", "unspecified", "none"})

# A CPE with its version left out: (text before the version field, text after it).
_Base = tuple[str, str]


@functools.lru_cache(maxsize=1 << 14)
def _cpe_bases(cpes: tuple[str, ...]) -> tuple[_Base, ...]:
    """The CPEs of an affected entry, part/vendor/product in lower case, version left out."""
    bases: list[_Base] = []
    for cpe in cpes:
        fields = split_cpe(cpe)
        if fields is None:
            continue
        head = ":".join(["cpe", "2.3", fields[2].lower(), fields[3].lower(), fields[4].lower()])
        base = (head + ":", ":" + ":".join(fields[6:]))
        if base not in bases:
            bases.append(base)
    return tuple(bases)


@functools.lru_cache(maxsize=1 << 14)
def _name_bases(vendor: str, product: str) -> tuple[_Base, ...]:
    """``cpe:2.3:a:<vendor>:<product>`` from an affected entry's names, when it has no CPE."""
    cpe_vendor = cpe_vendor_name(vendor)
    cpe_product = cpe_product_name(product, vendor)
    if not cpe_vendor or not cpe_product:
        return ()
    return ((f"cpe:2.3:a:{cpe_vendor}:{cpe_product}:", ":*:*:*:*:*:*:*"),)


_CPE_SPLIT = re.compile(r"(?<!\\):")


def split_cpe(cpe: str) -> list[str] | None:
    """The 13 fields of a CPE 2.3 formatted string (escaped colons kept), or None."""
    fields = _CPE_SPLIT.split(cpe.strip())
    if len(fields) < 6 or fields[0].lower() != "cpe" or fields[1] != "2.3":
        return None
    if len(fields) < 13:
        fields += ["*"] * (13 - len(fields))
    return fields[:13]


_CPE_PLAIN = re.compile(r"[^a-z0-9._\-]", re.IGNORECASE)
_CPE_SAFE = re.compile(r"^[A-Za-z0-9._\-]*$")


def _cpe_escape(text: str) -> str:
    """CPE 2.3 formatted-string quoting of a plain value (``*`` stays the wildcard)."""
    if text == "*" or _CPE_SAFE.match(text):
        return text
    return _CPE_PLAIN.sub(lambda m: "\\" + m.group(0), text)


_COMPANY_SUFFIX = re.compile(
    r"(?:[\s,]+(?:inc\.?|incorporated|corporation|corp\.?|co\.,? ?ltd\.?|ltd\.?|limited|llc|"
    r"gmbh|ag|s\.?a\.?|b\.?v\.?|software foundation|foundation|project|group|team))+$",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\s*\([^)]*\)")


def _cpe_words(text: str) -> str:
    text = " ".join(text.lower().split())
    return _cpe_escape(text.replace(" ", "_"))


def cpe_vendor_name(vendor: str) -> str:
    """A CVE 5 vendor name as a CPE vendor: "Apache Software Foundation" → ``apache``."""
    text = vendor.strip()
    if text.lower() in _NA:
        return ""
    text = _COMPANY_SUFFIX.sub("", _PARENS.sub("", text)).strip() or text
    if text.lower().startswith("the "):
        text = text[4:]
    return _cpe_words(text)


def cpe_product_name(product: str, vendor: str = "") -> str:
    """A CVE 5 product name as a CPE product: ("Apache HTTP Server", "Apache Software
    Foundation") → ``http_server``; ("PHP", "PHP Group") → ``php``."""
    text = product.strip()
    if text.lower() in _NA:
        return ""
    text = _PARENS.sub("", text).strip() or text
    vendor_word = _COMPANY_SUFFIX.sub("", _PARENS.sub("", vendor)).strip().split(" ")[0].lower()
    if vendor_word and text.lower().startswith(vendor_word + " "):
        text = text[len(vendor_word) + 1 :].strip()
    return _cpe_words(text)


# The text of a CVE 5 version item, read as bounds.
_OPEN_START = frozenset(
    {"", "0", "*", "-", "all", "all versions", "previous versions", "earlier", "n/a", "unspecified"}
)
_GIT = re.compile(r"^[0-9a-f]{7,40}$")
_SIMPLE = re.compile(r"^[0-9][0-9.]*[0-9A-Za-z._+\-~]{0,40}$")
_VERSIONISH = re.compile(r"^[0-9][0-9A-Za-z._+\-:~()]*$")
_RANGE_WORDS = re.compile(
    r"^(?:versions?\s+)?(?P<a>\S+)\s+(?:to|through|thru|-)\s+(?P<b>\S+)$", re.IGNORECASE
)
_AND_EARLIER = re.compile(
    r"^(?:versions?\s+)?(?P<v>\S+)\s+(?:and|or)\s+(?:earlier|prior|below|older|lower)(?:\s+versions?)?$",
    re.IGNORECASE,
)
_OPERATOR = re.compile(r"^(?P<op><=|>=|<|>|=)\s*(?P<v>\S+)$")
_BRANCH = re.compile(r"^(?P<v>\d+(?:\.\d+)*)\.[x*]$", re.IGNORECASE)
_PREFIXED = re.compile(r"^[A-Za-z][A-Za-z ]*:\s*(?P<v>\d\S*)$")  # "Oracle GraalVM …:20.3.1"

Bounds = tuple[str | None, str | None, str | None, str | None, str | None]


def _plain_version(text: str) -> str | None:
    """A single version token, cleaned; None when it is no comparable version."""
    if _SIMPLE.match(text) and not _GIT.match(text):
        return text
    text = text.strip().replace("\\", "")
    if len(text) > 1 and text[0] in "vV" and text[1].isdigit():
        text = text[1:]
    m = _PREFIXED.match(text)
    if m:
        text = m.group("v")
    if not text or len(text) > 64 or not _VERSIONISH.match(text):
        return None
    if _GIT.match(text) and not text.isdigit() and "." not in text:
        return None
    return text


def _next_branch(version: str) -> str:
    parts = version.split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts)


def version_item_bounds(item: Any) -> Bounds | None:
    """A CVE 5 ``versions`` item as (exact, start_incl, start_excl, end_incl, end_excl).

    None for an item that is not ``affected`` or cannot be read; (None × 5) for "every
    version"."""
    if not isinstance(item, dict) or item.get("status") != "affected":
        return None
    raw = item.get("version")
    less = item.get("lessThan")
    less_eq = item.get("lessThanOrEqual")
    if less is None and less_eq is None and "changes" in item:
        for change in item["changes"] or ():
            if (
                isinstance(change, dict)
                and change.get("status") == "unaffected"
                and change.get("at")
            ):
                less = change["at"]
                break
    return _bounds(
        raw if type(raw) is str else str(raw or ""),
        less if less is None or type(less) is str else str(less),
        less_eq if less_eq is None or type(less_eq) is str else str(less_eq),
        item.get("versionType") == "git",
    )


@functools.lru_cache(maxsize=1 << 16)
def _bounds(raw: str, less: str | None, less_eq: str | None, git: bool) -> Bounds | None:
    raw = raw.strip()
    if git and _GIT.match(raw):
        return None
    start: str | None = None
    end_inc: str | None = None
    end_exc: str | None = None
    low = raw.lower()
    if low in _OPEN_START:
        start = None
    else:
        m_range = _RANGE_WORDS.match(raw)
        m_earlier = _AND_EARLIER.match(raw)
        m_op = _OPERATOR.match(raw)
        m_branch = _BRANCH.match(raw)
        if m_range:
            a, b = _plain_version(m_range.group("a")), _plain_version(m_range.group("b"))
            if a is None or b is None:
                return None
            start, end_inc = a, b
        elif m_earlier:
            v = _plain_version(m_earlier.group("v"))
            if v is None:
                return None
            end_inc = v
        elif m_op:
            v = _plain_version(m_op.group("v"))
            if v is None:
                return None
            op = m_op.group("op")
            if op == ">=":
                start = v
            elif op == ">":
                if less is None and less_eq is None:
                    return (None, None, v, None, None)
                return _with_end(None, v, less, less_eq)
            elif op == "<=":
                end_inc = v
            elif op == "<":
                end_exc = v
            else:
                start = v
                if less is None and less_eq is None:
                    return (v, None, None, None, None)
        elif m_branch:
            branch = m_branch.group("v")
            if less is None and less_eq is None:
                return (None, branch, None, None, _next_branch(branch))
            start = branch
        else:
            v = _plain_version(raw)
            if v is None:
                return None
            if less is None and less_eq is None:
                return (v, None, None, None, None)  # one exact version
            start = v
    if end_inc is not None or end_exc is not None:
        return (None, start, None, end_inc, end_exc)
    if less is None and less_eq is None:
        if start is None and low in {"*", "all", "all versions"}:
            return (None, None, None, None, None)  # every version
        if start is None:
            return None  # "0", "unspecified", "n/a" alone: nothing known
        return (None, start, None, None, None)
    return _with_end(start, None, less, less_eq)


def _with_end(start: str | None, start_exc: str | None, less: Any, less_eq: Any) -> Bounds | None:
    end_exc: str | None = None
    end_inc: str | None = None
    if less is not None:
        text = str(less).strip()
        if text != "*":
            end_exc = _plain_version(text)
            if end_exc is None:
                return None
    elif less_eq is not None:
        text = str(less_eq).strip()
        if text != "*":
            end_inc = _plain_version(text)
            if end_inc is None:
                return None
    return (None, start, start_exc, end_inc, end_exc)


# --------------------------------------------------------------------------- KEV


def _open_text(path: Path) -> IO[str]:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if gz:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - caller closes


def _date(value: Any, path: Path, where: str, line: int | None = None) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise FeedError(path, f"{where}: not a date: {value!r}", line=line) from exc


def read_kev(path: str | Path) -> dict[str, KevEntry]:
    """The CISA Known Exploited Vulnerabilities catalogue (its JSON or CSV), by CVE id."""
    path = Path(path)
    try:
        with _open_text(path) as fh:
            text = fh.read()
    except OSError as exc:
        raise FeedError(path, f"cannot read: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise FeedError(path, f"not UTF-8 text ({exc.reason})") from exc
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FeedError(path, f"not JSON: {exc.msg} at line {exc.lineno}") from exc
        items = doc.get("vulnerabilities") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise FeedError(path, "not the KEV catalogue: no 'vulnerabilities' array")
        rows: Iterable[tuple[int | None, Any]] = ((None, item) for item in items)
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "cveID" not in reader.fieldnames:
            raise FeedError(
                path, f"not the KEV catalogue: no 'cveID' column (found {reader.fieldnames})"
            )
        rows = ((reader.line_num, row) for row in reader)
    out: dict[str, KevEntry] = {}
    for line, item in rows:
        if not isinstance(item, dict) or not item.get("cveID"):
            raise FeedError(path, "entry without cveID", line=line)
        cve = str(item["cveID"]).strip()
        out[cve] = KevEntry(
            cve_id=cve,
            vendor=str(item.get("vendorProject") or ""),
            product=str(item.get("product") or ""),
            name=str(item.get("vulnerabilityName") or ""),
            date_added=_date(item.get("dateAdded"), path, f"{cve} dateAdded", line),
            due_date=_date(item.get("dueDate"), path, f"{cve} dueDate", line),
            ransomware=str(item.get("knownRansomwareCampaignUse") or "").strip().lower() == "known",
            required_action=str(item.get("requiredAction") or ""),
            notes=str(item.get("notes") or ""),
        )
    return out


# --------------------------------------------------------------------------- EPSS

_SCORE_DATE = re.compile(r"score_date:(\d{4}-\d{2}-\d{2})")


def read_epss(path: str | Path) -> dict[str, EpssScore]:
    """EPSS scores (``cve,epss,percentile`` CSV, gzipped or not, with or without FIRST's
    ``#model_version:…,score_date:…`` comment line), by CVE id."""
    path = Path(path)
    out: dict[str, EpssScore] = {}
    date: dt.date | None = None
    try:
        with _open_text(path) as fh:
            lineno = 0
            header_seen = False
            for line in fh:
                lineno += 1
                if line.startswith("#"):
                    m = _SCORE_DATE.search(line)
                    if m:
                        date = dt.date.fromisoformat(m.group(1))
                    continue
                line = line.strip()
                if not line:
                    continue
                if not header_seen:
                    header = [h.strip().lower() for h in line.split(",")]
                    if header[:3] != ["cve", "epss", "percentile"]:
                        raise FeedError(
                            path,
                            f"not an EPSS file: header {line!r}, expected 'cve,epss,percentile'",
                            line=lineno,
                        )
                    header_seen = True
                    continue
                fields = line.split(",")
                try:
                    cve = fields[0]
                    out[cve] = EpssScore(cve, float(fields[1]), float(fields[2]), date)
                except (IndexError, ValueError) as exc:
                    raise FeedError(path, f"bad EPSS row {line[:80]!r}", line=lineno) from exc
    except OSError as exc:
        raise FeedError(path, f"cannot read: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise FeedError(path, f"not UTF-8 text ({exc.reason})") from exc
    if not header_seen:
        raise FeedError(path, "empty EPSS file")
    return out
