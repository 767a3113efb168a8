"""IP addresses and a time-aware index of registered prefixes: which unit owns an address.

Addresses (:func:`parse_addresses`, :func:`normalize_address`, :func:`address_class`):

- Accepted as :mod:`ipaddress` accepts them (dotted-quad IPv4 without leading zeros, any
  RFC 4291 IPv6 text form), after this tolerant clean-up: surrounding whitespace, invisible
  characters (zero-width spaces, BOM) and whitespace next to ``.`` or ``:`` are removed, one
  pair of surrounding brackets (``[2001:db8::1]``) is dropped, and so is an IPv6 zone id
  (``fe80::1%eth0``). Whitespace inside a number ("1.2.3.4 5") stays and makes it invalid.
- An IPv4-mapped IPv6 address (``::ffff:203.0.113.5``) *is* that IPv4 address.
- Many addresses at once are a :class:`ParsedAddresses`, one numpy array per field; the
  common dotted-quad IPv4 form is parsed with numpy, the rest with the standard library.

Prefixes (:class:`PrefixRecord`): CIDR text, IPv4 or IPv6; a bare address is a /32 or /128;
host bits set is an error. An IPv4-mapped IPv6 prefix of length 96 or more is the
corresponding IPv4 prefix, like addresses.

Time: epoch seconds as floats. A record is valid over ``[valid_from, valid_to)`` (``None`` =
open). A row's time is given as ``start`` and ``end`` (per row in arrays, NaN = none):

- only ``start`` given (``end`` omitted), or ``start == end``: the point in time ``start``;
  matches records whose window contains it (``valid_from <= t < valid_to``);
- ``start < end``: the interval ``[start, end)``, e.g. the list's period for a row without a
  time; matches records whose window intersects it. A NaN (or omitted ``start``) side is
  open;
- no time at all (nothing given, or NaN on both sides): every window matches.

Attribution (:meth:`PrefixIndex.lookup_many`): among the records whose prefix contains the
address and whose window matches, the most specific prefix wins. Records of that same prefix
(a dynamic address reassigned mid-month) are ranked by: the longer overlap between the
record's window and the row's interval, then the later ``valid_from``, then the lower
position in the index.

Design: each address family is cut into elementary intervals, each owned by the most
specific registered prefix covering it (CIDR prefixes nest or are disjoint, so one sweep of
the sorted prefixes with a stack does it). A lookup is one ``np.searchsorted`` over the
interval starts; a prefix whose records' windows all miss the row hands the row to its
parent prefix, a few vectorised rounds at most. IPv6 positions are (high, low) 64-bit pairs,
searched on the high half and then by a vectorised binary search among equal highs.
"""

from __future__ import annotations

import ipaddress
import math
import numbers
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "ADDRESS_CLASSES",
    "DOCUMENTATION_NETWORKS",
    "Overlap",
    "ParsedAddresses",
    "PrefixIndex",
    "PrefixMatch",
    "PrefixRecord",
    "address_class",
    "classify_addresses",
    "format_addresses",
    "normalize_address",
    "normalize_prefix",
    "parse_addresses",
]

Int64Array = npt.NDArray[np.int64]
UInt64Array = npt.NDArray[np.uint64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_MASK64 = (1 << 64) - 1
_MAPPED_LO_TAG = 0xFFFF  # ::ffff:a.b.c.d: high half 0, low half 0x0000ffff_xxxxxxxx
_CHUNK = 1 << 16  # rows per block when parsing and looking up: temporaries stay in cache

# --- addresses ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ParsedAddresses:
    """Addresses as arrays, one entry per input text (struct of arrays)."""

    version: npt.NDArray[np.uint8]  # 4, 6, or 0 = invalid
    hi: UInt64Array  # IPv6 high 64 bits (0 for IPv4 and invalid)
    lo: UInt64Array  # IPv6 low 64 bits, or the IPv4 address (0 for invalid)

    def __len__(self) -> int:
        return int(self.version.shape[0])

    @property
    def valid(self) -> BoolArray:
        """True where the text was an address."""
        valid: BoolArray = self.version != 0
        return valid

    def take(self, indices: npt.ArrayLike) -> ParsedAddresses:
        """The addresses at ``indices`` (or where a boolean mask is true)."""
        picked = np.asarray(indices)
        return ParsedAddresses(self.version[picked], self.hi[picked], self.lo[picked])

    @classmethod
    def empty(cls, size: int = 0) -> ParsedAddresses:
        """``size`` invalid addresses."""
        return cls(np.zeros(size, np.uint8), np.zeros(size, np.uint64), np.zeros(size, np.uint64))


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACE = re.compile(r"\s")
_SPACE_AT_SEPARATOR = re.compile(r"\s*([.:])\s*")


def _clean(text: str) -> str:
    """The tolerant clean-up described in the module docstring."""
    cleaned = text.strip() if text.isascii() else text.translate(_INVISIBLE).strip()
    if cleaned.startswith("[") and cleaned.endswith("]"):
        cleaned = cleaned[1:-1].strip()
    if ":" in cleaned:
        cleaned = cleaned.partition("%")[0]
    if _SPACE.search(cleaned):
        cleaned = _SPACE_AT_SEPARATOR.sub(r"\1", cleaned)
    return cleaned


def _parse_one(text: object) -> tuple[int, int, int]:
    """(version, hi, lo) of one address; version 0 when invalid."""
    if not isinstance(text, str):
        return 0, 0, 0
    cleaned = _clean(text)
    # inet_pton accepts a subset of what ipaddress accepts (the tests hold it to that), and
    # is much faster; whatever it refuses, ipaddress decides.
    try:
        packed = socket.inet_pton(socket.AF_INET6 if ":" in cleaned else socket.AF_INET, cleaned)
    except (OSError, ValueError):
        try:
            packed = ipaddress.ip_address(cleaned).packed
        except ValueError:
            return 0, 0, 0
    value = int.from_bytes(packed, "big")
    if len(packed) == 4:
        return 4, 0, value
    if value >> 32 == _MAPPED_LO_TAG:  # ::ffff:a.b.c.d is the IPv4 address a.b.c.d
        return 4, 0, value & 0xFFFFFFFF
    return 6, value >> 64, value & _MASK64


def _dotted_quads(texts: Sequence[str]) -> tuple[BoolArray, UInt64Array]:
    """Vectorised parse of plain dotted-quad IPv4 texts; other texts are left (False, 0).

    Accepts exactly "d.d.d.d" with decimal parts 0-255 and no leading zeros, nothing else
    (not even whitespace), so whatever it accepts :mod:`ipaddress` accepts with the same
    value; everything else goes to the general path.
    """
    size = len(texts)
    ok = np.zeros(size, np.bool_)
    value = np.zeros(size, np.uint64)
    if size == 0:
        return ok, value
    try:
        joined = "\n".join(texts)
    except TypeError:  # a cell that is not text (None, a number): the general path says no
        texts = [t if isinstance(t, str) else "" for t in texts]
        joined = "\n".join(texts)
    if joined.count("\n") != size - 1:  # a text with a line break: the general path too
        texts = ["" if "\n" in t else t for t in texts]
        joined = "\n".join(texts)
    # Two padding bytes so that the three-digit gathers below never run off the end.
    padded = np.frombuffer(joined.encode("utf-8", "replace") + b"\n\0\0", np.uint8)
    buf = padded[:-2]
    newline = buf == 10
    separators = np.flatnonzero(newline | (buf == 46))
    ends = np.flatnonzero(newline[separators])  # each row's newline among the separators
    rows = np.flatnonzero(np.diff(ends, prepend=-1) == 4)  # three dots, then the newline
    if rows.size == 0:
        return ok, value
    # The four fields of each such row: from after one separator up to the next.
    field_end = separators[ends[rows, None] - np.arange(3, -1, -1)]
    field_start = np.empty_like(field_end)
    field_start[:, 1:] = field_end[:, :-1] + 1
    before = ends[rows] - 4
    field_start[:, 0] = np.where(before >= 0, separators[np.maximum(before, 0)] + 1, 0)
    length = field_end - field_start
    digit = padded - np.uint8(48)  # wraps around below "0": a byte is a digit iff <= 9
    d0 = digit[field_start].astype(np.uint16)
    d1 = digit[field_start + 1].astype(np.uint16)
    d2 = digit[field_start + 2].astype(np.uint16)
    number = np.where(length == 1, d0, np.where(length == 2, d0 * 10 + d1, d0 * 100 + d1 * 10 + d2))
    # Every byte of the field a digit, no leading zero, at most 255.
    good = ((length == 1) & (d0 <= 9)) | (
        (d0 - 1 <= 8) & (d1 <= 9) & ((length == 2) | ((length == 3) & (d2 <= 9) & (number <= 255)))
    )
    row_ok = good.all(axis=1)
    parts = number.astype(np.uint64)
    packed = (parts[:, 0] << 24) | (parts[:, 1] << 16) | (parts[:, 2] << 8) | parts[:, 3]
    ok[rows[row_ok]] = True
    value[rows[row_ok]] = packed[row_ok]
    return ok, value


def parse_addresses(texts: Sequence[str]) -> ParsedAddresses:
    """Parse many address texts at once; invalid ones get version 0 (see module docstring)."""
    size = len(texts)
    result = ParsedAddresses.empty(size)
    version, hi, lo = result.version, result.hi, result.lo
    for begin in range(0, size, _CHUNK):
        ok, value = _dotted_quads(texts[begin : begin + _CHUNK])
        version[begin : begin + ok.size][ok] = 4
        lo[begin : begin + ok.size][ok] = value[ok]
    rest = np.flatnonzero(version == 0).tolist()
    if not rest:
        return result
    # IPv6 in canonical or common forms: inet_pton, then the numbers with numpy.
    pton, inet6 = socket.inet_pton, socket.AF_INET6
    fast_rows: list[int] = []
    fast_packed: list[bytes] = []
    for i in rest:
        text = texts[i]
        if isinstance(text, str) and ":" in text:
            try:
                fast_packed.append(pton(inet6, text))
            except (OSError, ValueError):
                pass
            else:
                fast_rows.append(i)
                continue
        v, h, low = _parse_one(text)
        if v:
            version[i], hi[i], lo[i] = v, h, low
    if fast_rows:
        halves = np.frombuffer(b"".join(fast_packed), ">u8").reshape(-1, 2).astype(np.uint64)
        where = np.asarray(fast_rows, np.int64)
        mapped = (halves[:, 0] == 0) & ((halves[:, 1] >> np.uint64(32)) == _MAPPED_LO_TAG)
        version[where] = np.where(mapped, 4, 6)
        hi[where] = np.where(mapped, np.uint64(0), halves[:, 0])
        lo[where] = np.where(mapped, halves[:, 1] & np.uint64(0xFFFFFFFF), halves[:, 1])
    return result


_OCTETS = tuple(map(str, range(256)))


def format_addresses(addresses: ParsedAddresses) -> list[str | None]:
    """Canonical text of each address (as :mod:`ipaddress` writes it), None where invalid."""
    out: list[str | None] = [None] * len(addresses)
    rows4 = np.flatnonzero(addresses.version == 4)
    if rows4.size:
        o = _OCTETS
        for i, v in zip(rows4.tolist(), addresses.lo[rows4].tolist(), strict=True):
            out[i] = f"{o[v >> 24]}.{o[v >> 16 & 255]}.{o[v >> 8 & 255]}.{o[v & 255]}"
    rows6 = np.flatnonzero(addresses.version == 6)
    if rows6.size:
        hi6, lo6 = addresses.hi[rows6], addresses.lo[rows6]
        packed = np.stack([hi6, lo6], axis=1).astype(">u8").tobytes()
        ntop, inet6 = socket.inet_ntop, socket.AF_INET6
        # With a zero high half the C library writes "::a.b.c.d"; ipaddress does not.
        zero_hi = (hi6 == 0).tolist()
        for k, (i, low) in enumerate(zip(rows6.tolist(), lo6.tolist(), strict=True)):
            if zero_hi[k]:
                out[i] = str(ipaddress.IPv6Address(low))
            else:
                out[i] = ntop(inet6, packed[16 * k : 16 * k + 16])
    return out


def normalize_address(text: str) -> str | None:
    """Canonical text of an address (``" [2001:DB8::1] "`` → ``"2001:db8::1"``), or None."""
    v, h, low = _parse_one(text)
    if v == 4:
        return str(ipaddress.IPv4Address(low))
    if v == 6:
        return str(ipaddress.IPv6Address((h << 64) | low))
    return None


# --- prefixes and records -------------------------------------------------------------------

_Network = tuple[int, int, int]  # (version, network as an int, prefix length)


def _parse_prefix(text: str) -> _Network:
    """(version, network, length) of a CIDR text; ValueError with the reason otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"prefix must be text, not {type(text).__name__}")
    cleaned = text.strip()
    # Fast path for the usual "address/length" and bare-address forms; anything else, and
    # every error, goes through ipaddress.
    address, slash, length_text = cleaned.partition("/")
    bits, family = (128, socket.AF_INET6) if ":" in address else (32, socket.AF_INET)
    try:
        value = int.from_bytes(socket.inet_pton(family, address), "big")
    except (OSError, ValueError):
        value = -1
    if value >= 0 and (
        not slash or (length_text.isascii() and length_text.isdigit() and len(length_text) <= 3)
    ):
        length = int(length_text) if slash else bits
        if length <= bits and not value & ((1 << (bits - length)) - 1):
            if bits == 32:
                return 4, value, length
            if length < 96 or value >> 32 != _MAPPED_LO_TAG:
                return 6, value, length
            return 4, value & 0xFFFFFFFF, length - 96
    try:
        network = ipaddress.ip_network(cleaned, strict=True)
    except ValueError as exc:
        reason = str(exc)
        if "has host bits set" in reason:
            loose = ipaddress.ip_network(cleaned, strict=False)
            reason = f"host bits set (the network is {loose})"
        raise ValueError(f"invalid prefix {text!r}: {reason}") from None
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return 4, int(mapped), network.prefixlen - 96
    return network.version, int(network.network_address), network.prefixlen


def _network_text(network: _Network) -> str:
    version, value, length = network
    if version == 4:
        return f"{ipaddress.IPv4Address(value)}/{length}"
    return f"{ipaddress.IPv6Address(value)}/{length}"


def normalize_prefix(text: str) -> str:
    """Canonical CIDR text (``"203.0.113.7"`` → ``"203.0.113.7/32"``); ValueError if invalid."""
    return _network_text(_parse_prefix(text))


def _window_bound(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be epoch seconds or None, not {value!r}")
    if math.isnan(value):
        raise ValueError(f"{name} is NaN")
    return float(value)


@dataclass(frozen=True, slots=True)
class PrefixRecord:
    """A prefix registered to a unit, optionally only for a time window."""

    prefix: str  # CIDR, IPv4 or IPv6; a single address is a /32 or /128
    unit_key: str  # the unit's code
    valid_from: float | None = None  # epoch seconds, inclusive; None = open
    valid_to: float | None = None  # epoch seconds, exclusive; None = open
    ref: int = -1  # the caller's id for the record (e.g. a database row id)
    _network: _Network = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            network = _parse_prefix(self.prefix)
        except ValueError as exc:
            raise ValueError(f"{exc} (unit {self.unit_key!r})") from None
        start = _window_bound(self.valid_from, "valid_from")
        end = _window_bound(self.valid_to, "valid_to")
        if start is not None and end is not None and end <= start:
            raise ValueError(
                f"prefix {self.prefix!r} (unit {self.unit_key!r}): valid_to {end} is not "
                f"after valid_from {start}"
            )
        object.__setattr__(self, "_network", network)

    @property
    def network(self) -> str:
        """The prefix in canonical CIDR form."""
        return _network_text(self._network)

    @property
    def version(self) -> int:
        return self._network[0]

    @property
    def prefixlen(self) -> int:
        return self._network[2]


@dataclass(frozen=True, slots=True)
class PrefixMatch:
    """A record and its position in the index."""

    record: PrefixRecord
    index: int


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two records of different units whose prefixes overlap during a common window."""

    outer: PrefixMatch  # the less specific prefix; for equal prefixes the lower position
    inner: PrefixMatch
    valid_from: float | None  # the window both records share (None = open)
    valid_to: float | None

    @property
    def same_prefix(self) -> bool:
        return self.outer.record._network == self.inner.record._network


# --- the index ------------------------------------------------------------------------------


def _sweep(
    prefixes: list[tuple[int, int, int]], bits: int, parent: list[int]
) -> tuple[list[int], list[int]]:
    """Cut the address space into elementary intervals owned by the most specific prefix.

    ``prefixes`` are (network, length, prefix id) sorted by network then length. Returns the
    start of each interval and its owner (-1 for none) and fills ``parent`` (the next less
    specific registered prefix of each prefix id).
    """
    starts: list[int] = []
    owners: list[int] = []
    stack: list[tuple[int, int]] = []  # (end, prefix id) of the prefixes we are inside
    for network, length, pid in prefixes:
        while stack and stack[-1][0] <= network:
            end = stack.pop()[0]  # back in the enclosing prefix, or in no prefix
            owner = stack[-1][1] if stack else -1
            if starts[-1] == end:
                owners[-1] = owner
            else:
                starts.append(end)
                owners.append(owner)
        parent[pid] = stack[-1][1] if stack else -1
        if starts and starts[-1] == network:
            owners[-1] = pid
        else:
            starts.append(network)
            owners.append(pid)
        stack.append((network + (1 << (bits - length)), pid))
    while stack:
        end = stack.pop()[0]
        owner = stack[-1][1] if stack else -1
        if starts[-1] == end:
            owners[-1] = owner
        else:
            starts.append(end)
            owners.append(owner)
    if starts and starts[-1] == 1 << bits:  # the end of the address space starts nothing
        starts.pop()
        owners.pop()
    return starts, owners


def _count_at_most_pairs(
    bound_hi: UInt64Array, bound_lo: UInt64Array, query_hi: UInt64Array, query_lo: UInt64Array
) -> Int64Array:
    """For 128-bit values as (hi, lo) pairs: how many sorted bounds are <= each query."""
    low = np.searchsorted(bound_hi, query_hi, side="left").astype(np.int64)
    high = np.searchsorted(bound_hi, query_hi, side="right").astype(np.int64)
    # Bounds in [low, high) share the query's high half; binary-search their low halves.
    todo = np.flatnonzero(low < high)
    left, right, key = low[todo], high[todo], query_lo[todo]
    while todo.size:
        middle = (left + right) >> 1
        below = bound_lo[middle] <= key
        left = np.where(below, middle + 1, left)
        right = np.where(below, right, middle)
        done = left >= right
        if done.any():
            low[todo[done]] = left[done]
            keep = ~done
            todo, left, right, key = todo[keep], left[keep], right[keep], key[keep]
    return low


def _time_bounds(values: npt.ArrayLike, size: int) -> FloatArray:
    """Per-row times as float64 (a scalar applies to every row)."""
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (size,):
        if array.ndim:
            raise ValueError(f"{array.shape[0]} times for {size} addresses")
        array = np.broadcast_to(array, (size,))
    return array


def _open(values: FloatArray | None, part: slice, open_value: float, size: int) -> FloatArray:
    """A block of times with NaN (or no times at all) replaced by the open value."""
    if values is None:
        return np.full(size, open_value)
    block = values[part]
    return np.where(np.isnan(block), open_value, block)


@dataclass(frozen=True, slots=True, eq=False)
class _Tables:
    """The arrays behind a :class:`PrefixIndex`.

    Prefixes are numbered (``pid``); their records sit in consecutive slots
    ``first[pid] .. first[pid] + count[pid]``, in position order.
    """

    starts4: npt.NDArray[np.uint32]  # start of each elementary IPv4 interval
    owners4: Int64Array  # -1, then the innermost prefix of each IPv4 interval (-1 = none)
    starts6_hi: UInt64Array  # the same for IPv6, starts as (hi, lo) pairs
    starts6_lo: UInt64Array
    owners6: Int64Array
    parent: Int64Array  # per prefix: the next less specific prefix, -1 = none
    first: Int64Array  # per prefix: its first slot
    count: Int64Array  # per prefix: its number of records
    direct: Int64Array  # per prefix: its record if it has one, valid at all times, else -1
    slot_record: Int64Array  # per slot: the record's position
    slot_from: FloatArray  # per slot: valid_from, -inf when open
    slot_to: FloatArray  # per slot: valid_to, +inf when open


class PrefixIndex:
    """Registered prefixes, searchable many addresses at a time. Build with :meth:`build`."""

    __slots__ = ("_t", "records")

    records: Sequence[PrefixRecord]

    def __init__(self, records: tuple[PrefixRecord, ...], tables: _Tables) -> None:
        """Use :meth:`build`."""
        self.records = records
        self._t = tables

    @classmethod
    def build(cls, records: Iterable[PrefixRecord]) -> PrefixIndex:
        """Index ``records``; their positions in the iteration are the match indices."""
        recs = tuple(records)
        pids: dict[_Network, int] = {}
        members: list[list[int]] = []
        for position, rec in enumerate(recs):
            if not isinstance(rec, PrefixRecord):
                raise TypeError(f"record {position} is a {type(rec).__name__}, not PrefixRecord")
            pid = pids.setdefault(rec._network, len(members))
            if pid == len(members):
                members.append([position])
            else:
                members[pid].append(position)
        parent = [-1] * len(members)
        family4 = sorted((n, length, pid) for (v, n, length), pid in pids.items() if v == 4)
        family6 = sorted((n, length, pid) for (v, n, length), pid in pids.items() if v == 6)
        starts4, owners4 = _sweep(family4, 32, parent)
        starts6, owners6 = _sweep(family6, 128, parent)
        count = np.fromiter(map(len, members), np.int64, len(members))
        first = np.zeros(len(members), np.int64)
        np.cumsum(count[:-1], out=first[1:])
        slot_record = np.fromiter(
            (position for group in members for position in group), np.int64, len(recs)
        )
        # None becomes NaN in a float array, and an open bound is infinite.
        valid_from = np.array([r.valid_from for r in recs], np.float64)
        valid_to = np.array([r.valid_to for r in recs], np.float64)
        slot_from = np.where(np.isnan(valid_from), -math.inf, valid_from)[slot_record]
        slot_to = np.where(np.isnan(valid_to), math.inf, valid_to)[slot_record]
        always = (count == 1) & np.isneginf(slot_from[first]) & np.isposinf(slot_to[first])
        tables = _Tables(
            starts4=np.array(starts4, np.uint32),
            owners4=np.array([-1, *owners4], np.int64),
            starts6_hi=np.array([s >> 64 for s in starts6], np.uint64),
            starts6_lo=np.array([s & _MASK64 for s in starts6], np.uint64),
            owners6=np.array([-1, *owners6], np.int64),
            parent=np.array(parent, np.int64),
            first=first,
            count=count,
            # One more -1 at the end, so that "no prefix" (-1) indexes to -1.
            direct=np.append(np.where(always, slot_record[first], -1), -1),
            slot_record=slot_record,
            slot_from=slot_from,
            slot_to=slot_to,
        )
        return cls(recs, tables)

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        return f"<PrefixIndex of {len(self.records)} records>"

    def lookup(
        self, ip: str, start: float | None = None, end: float | None = None
    ) -> PrefixMatch | None:
        """The record an address belongs to at the time ``start`` (``end`` omitted or equal)
        or during ``[start, end)``, or None. ValueError if ``ip`` is not an address."""
        addresses = parse_addresses([ip])
        if not addresses.version[0]:
            raise ValueError(f"not an IP address: {ip!r}")
        found = int(
            self.lookup_many(
                addresses,
                None if start is None else np.array([start], np.float64),
                None if end is None else np.array([end], np.float64),
            )[0]
        )
        return None if found < 0 else PrefixMatch(self.records[found], found)

    def lookup_many(
        self,
        ips: ParsedAddresses,
        start: np.ndarray | None = None,
        end: np.ndarray | None = None,
    ) -> np.ndarray:
        """Record position for each address (int64, -1 = none).

        ``start`` alone: each row's point in time; ``start`` and ``end``: each row's interval
        ``[start, end)``, a point where they are equal. Epoch seconds, NaN = none, a scalar
        applies to every row. See the module docstring for the rules.
        """
        size = len(ips)
        result = np.full(size, -1, np.int64)
        if size == 0 or not self.records:
            return result
        row_start = None if start is None else _time_bounds(start, size)
        row_end = row_start if end is None else _time_bounds(end, size)
        for begin in range(0, size, _CHUNK):
            part = slice(begin, begin + _CHUNK)
            block_start = block_end = None
            if row_start is not None or row_end is not None:
                block_start = _open(row_start, part, -math.inf, result[part].size)
                block_end = _open(row_end, part, math.inf, result[part].size)
                backwards = np.flatnonzero(block_start > block_end)
                if backwards.size:
                    rows = (backwards[:10] + begin).tolist()
                    raise ValueError(f"start after end in rows {rows}")
            result[part] = self._lookup_block(
                ips.version[part], ips.hi[part], ips.lo[part], block_start, block_end
            )
        return result

    def _lookup_block(
        self,
        version: npt.NDArray[np.uint8],
        hi: UInt64Array,
        lo: UInt64Array,
        row_start: FloatArray | None,
        row_end: FloatArray | None,
    ) -> Int64Array:
        owner = np.full(version.size, -1, np.int64)
        rows4 = np.flatnonzero(version == 4)
        if rows4.size and self._t.starts4.size:
            found = np.searchsorted(self._t.starts4, lo[rows4].astype(np.uint32), side="right")
            owner[rows4] = self._t.owners4[found]
        rows6 = np.flatnonzero(version == 6)
        if rows6.size and self._t.starts6_hi.size:
            found = _count_at_most_pairs(
                self._t.starts6_hi, self._t.starts6_lo, hi[rows6], lo[rows6]
            )
            owner[rows6] = self._t.owners6[found]
        # Most prefixes have one record valid at all times: that record is the answer.
        result: Int64Array = self._t.direct[owner]
        rows = np.flatnonzero((result < 0) & (owner >= 0))
        prefix = owner[rows]
        # Each round settles the rows whose prefix has a matching record; the others move on
        # to the parent prefix.
        while rows.size:
            best = self._best_slot(
                prefix,
                None if row_start is None else row_start[rows],
                None if row_end is None else row_end[rows],
            )
            settled = best >= 0
            result[rows[settled]] = self._t.slot_record[best[settled]]
            prefix = self._t.parent[prefix[~settled]]
            rows = rows[~settled]
            alive = prefix >= 0
            rows, prefix = rows[alive], prefix[alive]
        return result

    def _best_slot(
        self, prefix: Int64Array, row_start: FloatArray | None, row_end: FloatArray | None
    ) -> Int64Array:
        """The winning record slot of each row's prefix, or -1 when no window matches."""
        first = self._t.first[prefix]
        count = self._t.count[prefix]
        start: FloatArray | float = -math.inf if row_start is None else row_start
        end: FloatArray | float = math.inf if row_end is None else row_end
        best = np.full(prefix.size, -1, np.int64)
        best_cover = np.full(prefix.size, -math.inf)
        best_from = np.full(prefix.size, -math.inf)
        candidates = np.arange(prefix.size)
        k = 0
        with np.errstate(invalid="ignore"):
            while candidates.size:
                slot = first[candidates] + k
                valid_from = self._t.slot_from[slot]
                valid_to = self._t.slot_to[slot]
                s = start if isinstance(start, float) else start[candidates]
                e = end if isinstance(end, float) else end[candidates]
                # A point (s == e) needs valid_from <= t; an interval needs valid_from < end.
                matches = (s < valid_to) & ((valid_from < e) | ((valid_from == e) & (s == e)))
                cover = np.minimum(valid_to, e) - np.maximum(valid_from, s)
                held = best[candidates]
                held_cover = best_cover[candidates]
                better = matches & (
                    (held < 0)
                    | (cover > held_cover)
                    | ((cover == held_cover) & (valid_from > best_from[candidates]))
                )
                winners = candidates[better]
                best[winners] = slot[better]
                best_cover[winners] = cover[better]
                best_from[winners] = valid_from[better]
                k += 1
                candidates = candidates[count[candidates] > k]
        return best

    def overlaps(self) -> list[Overlap]:
        """Pairs of records of different units whose prefixes overlap (equal or nested) and
        whose windows intersect, ordered by the outer then the inner record's position."""
        first = self._t.first.tolist()
        count = self._t.count.tolist()
        parent = self._t.parent.tolist()
        slot_record = self._t.slot_record.tolist()
        recs = self.records
        found: list[Overlap] = []

        def check(outer: int, inner: int) -> None:
            a, b = recs[outer], recs[inner]
            if a.unit_key == b.unit_key:
                return
            start = _later(a.valid_from, b.valid_from)
            end = _earlier(a.valid_to, b.valid_to)
            if start is None or end is None or start < end:
                found.append(Overlap(PrefixMatch(a, outer), PrefixMatch(b, inner), start, end))

        for pid in range(len(first)):
            own = slot_record[first[pid] : first[pid] + count[pid]]
            for i, inner in enumerate(own):
                for outer in own[:i]:
                    check(outer, inner)
            ancestor = parent[pid]
            while ancestor >= 0:
                for outer in slot_record[first[ancestor] : first[ancestor] + count[ancestor]]:
                    for inner in own:
                        check(outer, inner)
                ancestor = parent[ancestor]
        found.sort(key=lambda o: (o.outer.index, o.inner.index))
        return found


def _later(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else max(a, b)


def _earlier(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


# --- address classes ------------------------------------------------------------------------

ADDRESS_CLASSES = (
    "invalid",
    "public",
    "private",
    "loopback",
    "reserved",
    "multicast",
    "link_local",
    "unspecified",
)

# RFC 5737 and RFC 3849/9637: addresses for examples and documentation.
DOCUMENTATION_NETWORKS = (
    "192.0.2.0/24",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "2001:db8::/32",
    "3fff::/20",
)

# The IANA IPv4 and IPv6 special-purpose address registries, most specific entry wins.
# "private" is space meant for networks of one organisation (RFC 1918, RFC 4193 unique
# local) and the ISPs' shared address space behind carrier-grade NAT (RFC 6598); the rest of
# the non-global space is "reserved". IPv6 is public only inside 2000::/3 (global unicast).
_SPECIAL_NETWORKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/0", "public"),
    ("0.0.0.0/8", "reserved"),  # "this network"
    ("0.0.0.0/32", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "private"),  # shared address space (carrier-grade NAT)
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link_local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
    ("192.0.0.9/32", "public"),  # port control protocol anycast
    ("192.0.0.10/32", "public"),  # traversal using relays around NAT anycast
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),  # benchmarking
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # future use, and the limited broadcast address
    ("::/0", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("2000::/3", "public"),
    ("2001::/23", "reserved"),  # IETF protocol assignments
    ("2001:1::1/128", "public"),
    ("2001:1::2/128", "public"),
    ("2001:3::/32", "public"),  # AMT
    ("2001:4:112::/48", "public"),  # AS112-v6
    ("2001:20::/28", "public"),  # ORCHIDv2
    ("2001:30::/28", "public"),  # drone remote ID
    ("2002::/16", "reserved"),  # 6to4
    ("fc00::/7", "private"),  # unique local
    ("fe80::/10", "link_local"),
    ("ff00::/8", "multicast"),
    *((network, "documentation") for network in DOCUMENTATION_NETWORKS),
)

_SPECIAL_INDEX = PrefixIndex.build(PrefixRecord(p, name) for p, name in _SPECIAL_NETWORKS)


def _class_codes(allow_documentation: bool) -> npt.NDArray[np.uint8]:
    """Code of each special network, then the code for no match (invalid) at index -1."""
    documentation = "public" if allow_documentation else "reserved"
    names = [documentation if name == "documentation" else name for _, name in _SPECIAL_NETWORKS]
    return np.array([*map(ADDRESS_CLASSES.index, names), 0], np.uint8)


_CODES = {flag: _class_codes(flag) for flag in (False, True)}


def classify_addresses(
    addresses: ParsedAddresses, *, allow_documentation: bool = False
) -> npt.NDArray[np.uint8]:
    """The class of each address as an index into :data:`ADDRESS_CLASSES`.

    Documentation ranges are "reserved" unless ``allow_documentation``: tests and the demo
    use them as fictional public addresses. It is a parameter, not a module setting, so that
    the caller decides per call (from its configuration) and nothing leaks between callers.
    """
    codes: npt.NDArray[np.uint8] = _CODES[allow_documentation][
        _SPECIAL_INDEX.lookup_many(addresses)
    ]
    return codes


def address_class(text: str, *, allow_documentation: bool = False) -> str:
    """One of :data:`ADDRESS_CLASSES` for an address text: "public", "private", "loopback",
    "reserved", "multicast", "link_local", "unspecified" or "invalid"."""
    v, h, low = _parse_one(text)
    one = ParsedAddresses(
        np.array([v], np.uint8), np.array([h], np.uint64), np.array([low], np.uint64)
    )
    return ADDRESS_CLASSES[int(classify_addresses(one, allow_documentation=allow_documentation)[0])]
