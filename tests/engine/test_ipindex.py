"""lachan.engine.ipindex: addresses, address classes and the time-aware prefix index,
checked against brute force over the standard ``ipaddress`` module."""

from __future__ import annotations

import ipaddress
import math
import random
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lachan.engine.ipindex import (
    ADDRESS_CLASSES,
    DOCUMENTATION_NETWORKS,
    Overlap,
    ParsedAddresses,
    PrefixIndex,
    PrefixMatch,
    PrefixRecord,
    address_class,
    classify_addresses,
    format_addresses,
    normalize_address,
    normalize_prefix,
    parse_addresses,
)

JUNE = 1_748_710_800.0  # 2025-06-01 00:00 +07:00
MID_JUNE = JUNE + 14.5 * 86400  # 15/06 12:00
JULY = JUNE + 30 * 86400
DAY = 86400.0

# --- the reference: brute force over ipaddress ----------------------------------------------


def ref_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The documented clean-up, written plainly, then ipaddress."""
    cleaned = text.replace("\u200b", "").replace("\ufeff", "").strip()
    if cleaned.startswith("[") and cleaned.endswith("]"):
        cleaned = cleaned[1:-1].strip()
    if ":" in cleaned and "%" in cleaned:
        cleaned = cleaned[: cleaned.index("%")]
    cleaned = re.sub(r"\s*([.:])\s*", r"\1", cleaned)
    try:
        ip = ipaddress.ip_address(cleaned)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def ref_network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    network = ipaddress.ip_network(prefix.strip())
    if network.version == 6 and network.network_address.scope_id is not None:
        # A zone id ("fe80::%eth0") names an interface, not a network: the index drops it.
        network = ipaddress.IPv6Network((network.network_address.packed, network.prefixlen))
    if network.version == 6 and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    return network


def ref_lookup(
    records: list[PrefixRecord], text: str, start: float | None, end: float | None
) -> int:
    """Every record tested one by one: containment, window, then the documented ranking."""
    ip = ref_address(text)
    if ip is None:
        return -1
    if end is None:  # only a start: a point in time
        end = start
    s = -math.inf if start is None or math.isnan(start) else start
    e = math.inf if end is None or math.isnan(end) else end
    best, best_key = -1, None
    for position, record in enumerate(records):
        network = ref_network(record.prefix)
        if ip.version != network.version or ip not in network:
            continue
        lo = -math.inf if record.valid_from is None else record.valid_from
        hi = math.inf if record.valid_to is None else record.valid_to
        if s == e:
            if not lo <= s < hi:
                continue
            cover = 0.0
        else:
            if not (lo < e and s < hi):
                continue
            cover = min(hi, e) - max(lo, s)
        key = (network.prefixlen, cover, lo, -position)
        if best_key is None or key > best_key:
            best, best_key = position, key
    return best


# Ranges whose ipaddress classification changed between Python releases (gh-113171 and
# later): checked against the module's own table instead.
VERSION_DEPENDENT = [
    ipaddress.ip_network(n)
    for n in (
        "192.0.0.0/24",
        "2001:1::1/128",
        "2001:1::2/128",
        "2001:3::/32",
        "2001:4:112::/48",
        "2001:20::/28",
        "2001:30::/28",
        "2002::/16",
        "3fff::/20",
    )
]
PRIVATE = [
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
]
DOCUMENTATION = [ipaddress.ip_network(n) for n in DOCUMENTATION_NETWORKS]
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def ref_class(text: str, allow_documentation: bool = False) -> str | None:
    """ipaddress's predicates, in the module's order of precedence; None = version-dependent."""
    ip = ref_address(text)
    if ip is None:
        return "invalid"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_multicast:
        return "multicast"
    if ip.is_link_local:
        return "link_local"
    if any(ip in n for n in DOCUMENTATION if n.version == ip.version):
        return "public" if allow_documentation else "reserved"
    if any(ip in n for n in PRIVATE if n.version == ip.version):
        return "private"
    if any(ip in n for n in VERSION_DEPENDENT if n.version == ip.version):
        return None
    if ip.version == 6 and ip not in GLOBAL_UNICAST:
        return "reserved"
    return "public" if ip.is_global else "reserved"


# --- strategies -----------------------------------------------------------------------------

# Small address spaces, so that random prefixes nest, repeat and overlap often.
V4_BASE = int(ipaddress.IPv4Address("203.0.113.0"))
V6_BASE = int(ipaddress.IPv6Address("2001:db8::"))
TIMES = [None, 0.0, 10.0, 20.0, 30.0]


@st.composite
def prefixes(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        length = draw(st.sampled_from([0, 8, 16, 24, 25, 26, 28, 29, 30, 31, 32, 32, 32]))
        value = V4_BASE + draw(st.integers(0, 255)) if length >= 24 else V4_BASE
        network = ipaddress.IPv4Network((value, length), strict=False)
    else:
        length = draw(st.sampled_from([0, 32, 48, 64, 96, 120, 124, 126, 127, 128, 128]))
        value = V6_BASE + draw(st.integers(0, 255)) if length >= 120 else V6_BASE
        network = ipaddress.IPv6Network((value, length), strict=False)
    text = str(network)
    if draw(st.integers(0, 9)) == 0 and network.prefixlen == network.max_prefixlen:
        text = str(network.network_address)  # a bare address is a /32 or /128
    return text


@st.composite
def records(draw: st.DrawFn) -> PrefixRecord:
    valid_from = draw(st.sampled_from(TIMES))
    later = [t for t in TIMES if t is None or valid_from is None or t > valid_from]
    valid_to = draw(st.sampled_from(later))
    return PrefixRecord(
        draw(prefixes()),
        draw(st.sampled_from("ABC")),
        valid_from,
        valid_to,
        ref=draw(st.integers()),
    )


@st.composite
def address_texts(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    offset = draw(st.integers(0, 260))
    if kind == 0:
        return str(ipaddress.IPv4Address((V4_BASE + offset) % 2**32))
    if kind == 1:
        return str(ipaddress.IPv6Address(V6_BASE + offset))
    if kind == 2:
        return f"::ffff:{ipaddress.IPv4Address(V4_BASE + offset % 256)}"
    return draw(st.sampled_from(["", "x", "203.0.113.256", "1.2.3", " 203.0.113.9 ", "[::1]"]))


@st.composite
def row_times(draw: st.DrawFn) -> tuple[float | None, float | None]:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return None, None
    if kind == 1:
        moment = float(draw(st.integers(-5, 35)))
        return moment, moment
    a = draw(st.one_of(st.none(), st.integers(-5, 35)))
    b = draw(st.one_of(st.none(), st.integers(-5, 35)))
    if a is not None and b is not None and a >= b:
        a, b = b, a + 1 if a == b else a
    return (None if a is None else float(a)), (None if b is None else float(b))


def as_array(values: list[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], np.float64)


# --- attribution against the reference ------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    regs=st.lists(records(), max_size=25),
    rows=st.lists(st.tuples(address_texts(), row_times()), min_size=1, max_size=30),
)
def test_lookup_many_matches_brute_force(regs, rows):
    index = PrefixIndex.build(regs)
    texts = [text for text, _ in rows]
    starts = as_array([t[0] for _, t in rows])
    ends = as_array([t[1] for _, t in rows])
    found = index.lookup_many(parse_addresses(texts), starts, ends)
    # As arrays, a missing side is NaN (open), never "omitted".
    expected = [
        ref_lookup(regs, text, s, e) for text, s, e in zip(texts, starts, ends, strict=True)
    ]
    assert found.tolist() == expected
    for text, (s, e), position in zip(texts, zip(starts, ends, strict=True), expected, strict=True):
        if ref_address(text) is None:
            continue
        match = index.lookup(text, float(s), float(e))
        assert (match.index if match else -1) == position
        if match:
            assert match.record is regs[position]
    # Only starts: points in time.
    points = index.lookup_many(parse_addresses(texts), starts)
    assert points.tolist() == [
        ref_lookup(regs, text, s, None) for text, s in zip(texts, starts, strict=True)
    ]


@settings(max_examples=100, deadline=None)
@given(regs=st.lists(records(), max_size=25), texts=st.lists(address_texts(), max_size=20))
def test_no_time_matches_any_window(regs, texts):
    index = PrefixIndex.build(regs)
    found = index.lookup_many(parse_addresses(texts))
    assert found.tolist() == [ref_lookup(regs, t, None, None) for t in texts]


def test_random_registry_across_both_families_and_many_blocks():
    """Seeded, larger: 400 records in a wider space, 70,000 rows (more than one block)."""
    rng = random.Random(3)
    regs = []
    for i in range(400):
        if rng.random() < 0.6:
            length = rng.choice([8, 12, 16, 20, 24, 28, 30, 32, 32, 32])
            value = (0x71A00000 | rng.getrandbits(20)) >> (32 - length) << (32 - length)
            prefix = f"{ipaddress.IPv4Address(value)}/{length}"
        else:
            length = rng.choice([32, 40, 48, 56, 64, 72, 96, 112, 128, 128])
            value = (V6_BASE | rng.getrandbits(64) << 40 | rng.getrandbits(20)) & ~(
                (1 << (128 - length)) - 1
            )
            prefix = f"{ipaddress.IPv6Address(value)}/{length}"
        window = rng.choice([(None, None), (None, None), (JUNE, MID_JUNE), (MID_JUNE, None)])
        regs.append(PrefixRecord(prefix, f"U{i % 37}", *window, ref=i))
    index = PrefixIndex.build(regs)
    networks = [ipaddress.ip_network(r.prefix) for r in regs]
    texts, starts, ends = [], [], []
    for _ in range(300):
        network = rng.choice(networks)
        value = int(network.network_address) + rng.getrandbits(
            network.max_prefixlen - network.prefixlen
        )
        if rng.random() < 0.2:
            value ^= rng.getrandbits(8)
        texts.append(str(ipaddress.ip_address(value)))
        moment = JUNE + rng.random() * 30 * DAY
        kind = rng.random()
        starts.append(moment if kind < 0.5 else JUNE if kind < 0.8 else math.nan)
        ends.append(moment if kind < 0.5 else JULY if kind < 0.8 else math.nan)
    expected = [ref_lookup(regs, t, s, e) for t, s, e in zip(texts, starts, ends, strict=True)]
    assert len(set(expected)) > 50
    # Repeat the 300 rows to cross block boundaries (65,536 rows per block).
    repeat = 70_000 // 300 + 1
    parsed = parse_addresses(texts * repeat)
    found = index.lookup_many(parsed, np.tile(starts, repeat), np.tile(ends, repeat))
    assert found.tolist() == expected * repeat


# --- attribution: the documented rules, by example ------------------------------------------


def test_most_specific_prefix_wins_whatever_the_order():
    regs = [
        PrefixRecord("203.0.113.0/24", "SO-GDDT"),
        PrefixRecord("203.0.113.64/26", "THPT-A"),
        PrefixRecord("203.0.113.70", "THCS-B"),
        PrefixRecord("0.0.0.0/0", "INTERNET"),
    ]
    for order in (regs, regs[::-1]):
        index = PrefixIndex.build(order)
        assert index.lookup("203.0.113.70").record.unit_key == "THCS-B"
        assert index.lookup("203.0.113.71").record.unit_key == "THPT-A"
        assert index.lookup("203.0.113.5").record.unit_key == "SO-GDDT"
        assert index.lookup("198.51.100.1").record.unit_key == "INTERNET"
    assert len(index) == 4
    assert index.lookup("203.0.113.70") == PrefixMatch(regs[2], 1)


def test_ipv6_prefixes_single_addresses_and_mapped_ipv4():
    index = PrefixIndex.build(
        [
            PrefixRecord("2001:db8::/32", "ISP"),
            PrefixRecord("2001:db8:1::/48", "THPT-A"),
            PrefixRecord("2001:db8:1:2::/64", "THPT-B"),
            PrefixRecord("2001:db8:1:2::7/128", "THPT-C"),
            PrefixRecord("2001:db8:1:2::8", "THPT-D"),  # a bare address is a /128
            PrefixRecord("::ffff:198.51.100.0/120", "MAPPED"),  # the same as 198.51.100.0/24
            PrefixRecord("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "TOP"),
        ]
    )
    unit = {
        text: (m.record.unit_key if (m := index.lookup(text)) else None)
        for text in (
            "2001:db8:1:2::7",
            "2001:db8:1:2::8",
            "2001:db8:1:2::9",
            "2001:db8:1:3::1",
            "2001:db8:2::1",
            "2001:db9::1",
            "[2001:DB8:1:2::7]",
            "2001:0db8:0001:0002:0000:0000:0000:0007",
            "198.51.100.9",
            "::ffff:198.51.100.9",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
        )
    }
    assert unit == {
        "2001:db8:1:2::7": "THPT-C",
        "2001:db8:1:2::8": "THPT-D",
        "2001:db8:1:2::9": "THPT-B",
        "2001:db8:1:3::1": "THPT-A",
        "2001:db8:2::1": "ISP",
        "2001:db9::1": None,
        "[2001:DB8:1:2::7]": "THPT-C",
        "2001:0db8:0001:0002:0000:0000:0000:0007": "THPT-C",
        "198.51.100.9": "MAPPED",
        "::ffff:198.51.100.9": "MAPPED",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": "TOP",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe": None,
    }
    assert index.records[5].network == "198.51.100.0/24"


def test_ipv4_and_ipv6_never_match_each_other():
    index = PrefixIndex.build([PrefixRecord("0.0.0.0/0", "V4"), PrefixRecord("::/0", "V6")])
    assert index.lookup("8.8.8.8").record.unit_key == "V4"
    assert index.lookup("::8.8.8.8").record.unit_key == "V6"  # IPv4-compatible is IPv6
    assert index.lookup("::ffff:8.8.8.8").record.unit_key == "V4"  # IPv4-mapped is IPv4
    assert index.lookup("2001:db8::1").record.unit_key == "V6"
    assert index.lookup("255.255.255.255").record.unit_key == "V4"
    assert index.lookup("0.0.0.0").record.unit_key == "V4"


def window_index() -> PrefixIndex:
    return PrefixIndex.build(
        [
            PrefixRecord("203.0.113.0/24", "POOL"),
            PrefixRecord("203.0.113.7/32", "THPT-A", valid_from=JUNE, valid_to=MID_JUNE),
            PrefixRecord("203.0.113.7/32", "THCS-B", valid_from=MID_JUNE, valid_to=JULY),
            PrefixRecord("203.0.113.9/32", "MN-C", valid_from=MID_JUNE),
            PrefixRecord("203.0.113.10/32", "TH-D", valid_to=JUNE),
        ]
    )


@pytest.mark.parametrize(
    ("ip", "start", "end", "unit"),
    [
        ("203.0.113.7", JUNE, JUNE, "THPT-A"),  # valid_from is inclusive
        ("203.0.113.7", MID_JUNE - 1, MID_JUNE - 1, "THPT-A"),
        ("203.0.113.7", MID_JUNE, MID_JUNE, "THCS-B"),  # valid_to is exclusive
        ("203.0.113.7", JULY, JULY, "POOL"),  # no window: the next less specific prefix
        ("203.0.113.7", JUNE - 1, JUNE - 1, "POOL"),
        # The list's period when the row has no time: the larger share of June wins.
        ("203.0.113.7", JUNE, JULY, "THCS-B"),
        ("203.0.113.7", JUNE, MID_JUNE, "THPT-A"),
        ("203.0.113.7", JUNE - 5 * DAY, JUNE + DAY, "THPT-A"),
        ("203.0.113.7", MID_JUNE - DAY, MID_JUNE + DAY, "THCS-B"),  # equal shares: later start
        ("203.0.113.7", None, None, "THCS-B"),  # no time: any window, same ranking
        ("203.0.113.7", JULY, JULY + DAY, "POOL"),
        ("203.0.113.7", None, JUNE + DAY, "THPT-A"),  # open start
        ("203.0.113.7", math.nan, MID_JUNE + 2 * DAY, "THPT-A"),  # open start, longer share
        ("203.0.113.7", MID_JUNE - DAY, math.nan, "THCS-B"),  # open end
        ("203.0.113.7", JUNE + DAY, None, "THPT-A"),  # only a start: a point in time
        ("203.0.113.7", MID_JUNE + DAY, None, "THCS-B"),
        ("203.0.113.7", math.nan, None, "THCS-B"),  # NaN: no time
        ("203.0.113.9", JUNE, JUNE, "POOL"),
        ("203.0.113.9", JULY + 100 * DAY, JULY + 100 * DAY, "MN-C"),  # open valid_to
        ("203.0.113.9", JUNE, JULY, "MN-C"),
        ("203.0.113.10", JUNE - DAY, JUNE - DAY, "TH-D"),  # open valid_from
        ("203.0.113.10", JUNE, JUNE, "POOL"),
        ("203.0.113.10", None, None, "TH-D"),
    ],
)
def test_windows(ip, start, end, unit):
    match = window_index().lookup(ip, start, end)
    assert match is not None and match.record.unit_key == unit
    assert ref_lookup(list(window_index().records), ip, start, end) == match.index


def test_same_prefix_and_window_the_lower_position_wins():
    regs = [
        PrefixRecord("203.0.113.7/32", "A", valid_from=JUNE),
        PrefixRecord("203.0.113.7/32", "B", valid_from=JUNE),
        PrefixRecord("203.0.113.7/32", "C", valid_from=JUNE - DAY, valid_to=JULY),
    ]
    index = PrefixIndex.build(regs)
    assert index.lookup("203.0.113.7", JUNE, JUNE).record.unit_key == "A"  # later start
    assert index.lookup("203.0.113.7", JUNE - DAY, JUNE - DAY).record.unit_key == "C"
    assert index.lookup("203.0.113.7", JUNE, JULY + DAY).record.unit_key == "A"  # longer
    assert index.lookup("203.0.113.7", JUNE, JULY).record.unit_key == "A"  # tie: later start


def test_lookup_many_times_per_row_or_scalar_and_invalid_rows():
    index = window_index()
    parsed = parse_addresses(["203.0.113.7", "bad", "198.51.100.1", "203.0.113.7", ""])
    found = index.lookup_many(parsed, np.full(5, JUNE), np.full(5, JUNE))
    assert found.dtype == np.int64
    assert found.tolist() == [1, -1, -1, 1, -1]
    assert index.lookup_many(parsed, np.float64(JUNE), np.float64(JULY)).tolist() == [
        2,
        -1,
        -1,
        2,
        -1,
    ]
    # Only an end: the interval is open at the start.
    assert index.lookup_many(parsed, None, np.full(5, JUNE + DAY))[0] == 1
    assert index.lookup_many(parsed, np.full(5, math.nan), np.full(5, math.nan))[0] == 2
    # Only a start: points in time, NaN for rows without one.
    points = np.array([MID_JUNE + DAY, JUNE, JUNE, math.nan, JULY])
    assert index.lookup_many(parsed, points).tolist() == [2, -1, -1, 2, -1]
    assert index.lookup_many(parsed, points).tolist() == (
        index.lookup_many(parsed, points, points).tolist()
    )


def test_lookup_many_rejects_bad_times():
    index = window_index()
    parsed = parse_addresses(["203.0.113.7", "203.0.113.8"])
    with pytest.raises(ValueError, match=r"start after end in rows \[1\]"):
        index.lookup_many(parsed, np.array([JUNE, JULY]), np.array([JULY, JUNE]))
    with pytest.raises(ValueError, match="3 times for 2 addresses"):
        index.lookup_many(parsed, np.zeros(3), np.zeros(3))


def test_lookup_of_a_non_address_is_an_error():
    with pytest.raises(ValueError, match="not an IP address: 'x'"):
        window_index().lookup("x")


def test_empty_index_and_empty_input():
    empty = PrefixIndex.build([])
    assert len(empty) == 0 and empty.lookup("203.0.113.1") is None
    assert empty.lookup_many(parse_addresses(["203.0.113.1"])).tolist() == [-1]
    assert empty.overlaps() == []
    assert window_index().lookup_many(parse_addresses([])).shape == (0,)


def test_build_accepts_any_iterable_and_keeps_positions():
    regs = [PrefixRecord(f"203.0.113.{i}", f"U{i}", ref=100 + i) for i in range(5)]
    index = PrefixIndex.build(r for r in regs)
    assert list(index.records) == regs
    assert index.lookup("203.0.113.3") == PrefixMatch(regs[3], 3)
    assert index.lookup("203.0.113.3").record.ref == 103
    with pytest.raises(TypeError, match="record 1 is a str"):
        PrefixIndex.build([regs[0], "203.0.113.0/24"])  # type: ignore[list-item]


# --- overlaps -------------------------------------------------------------------------------


def test_overlaps_between_units_in_a_common_window():
    regs = [
        PrefixRecord("203.0.113.0/24", "POOL"),  # 0
        PrefixRecord("203.0.113.7/32", "THPT-A", JUNE, MID_JUNE),  # 1
        PrefixRecord("203.0.113.7/32", "THCS-B", MID_JUNE, JULY),  # 2: adjacent to 1: fine
        PrefixRecord("203.0.113.7/32", "MN-C", JUNE + DAY, JUNE + 2 * DAY),  # 3: inside 1
        PrefixRecord("203.0.113.8/30", "POOL"),  # 4: same unit as 0: fine
        PrefixRecord("198.51.100.0/24", "X", valid_to=JUNE),  # 5
        PrefixRecord("198.51.100.0/25", "Y", valid_from=JUNE),  # 6: windows do not meet
        PrefixRecord("2001:db8::/48", "X"),  # 7
        PrefixRecord("2001:db8::1", "Y", valid_from=JUNE),  # 8
        PrefixRecord("2001:db8:1::/48", "Z"),  # 9: disjoint
    ]
    found = PrefixIndex.build(regs).overlaps()
    pairs = [(o.outer.index, o.inner.index, o.valid_from, o.valid_to) for o in found]
    assert pairs == [
        (0, 1, JUNE, MID_JUNE),
        (0, 2, MID_JUNE, JULY),
        (0, 3, JUNE + DAY, JUNE + 2 * DAY),
        (1, 3, JUNE + DAY, JUNE + 2 * DAY),
        (7, 8, JUNE, None),
    ]
    assert all(isinstance(o, Overlap) for o in found)
    assert found[3].same_prefix and not found[0].same_prefix
    assert found[0].outer.record is regs[0] and found[0].inner.record is regs[1]


@settings(max_examples=100, deadline=None)
@given(regs=st.lists(records(), max_size=20))
def test_overlaps_match_brute_force(regs):
    expected = set()
    for i, a in enumerate(regs):
        for j, b in enumerate(regs):
            na, nb = ref_network(a.prefix), ref_network(b.prefix)
            if i == j or a.unit_key == b.unit_key or na.version != nb.version:
                continue
            outer_first = na.prefixlen < nb.prefixlen or (na.prefixlen == nb.prefixlen and i < j)
            if not outer_first or not nb.subnet_of(na):  # type: ignore[arg-type]
                continue
            lo = max(-math.inf if r.valid_from is None else r.valid_from for r in (a, b))
            hi = min(math.inf if r.valid_to is None else r.valid_to for r in (a, b))
            if lo < hi:
                expected.add((i, j))
    found = PrefixIndex.build(regs).overlaps()
    assert {(o.outer.index, o.inner.index) for o in found} == expected
    assert len(found) == len(expected)
    assert found == sorted(found, key=lambda o: (o.outer.index, o.inner.index))


# --- prefixes and records -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("203.0.113.7/24", r"'203.0.113.7/24'.*host bits set \(the network is 203.0.113.0/24\)"),
        ("2001:db8::1/64", r"'2001:db8::1/64'.*host bits set \(the network is 2001:db8::/64\)"),
        ("203.0.113.0/33", r"'203.0.113.0/33'"),
        ("2001:db8::/129", r"'2001:db8::/129'"),
        ("203.0.113.0/", r"'203.0.113.0/'"),
        ("203.0.113.0/2a", r"'203.0.113.0/2a'"),
        ("", r"''"),
        ("trường học", r"'trường học'"),
        ("203.0.113", r"'203.0.113'"),
        ("010.0.0.0/8", r"'010.0.0.0/8'"),
        ("203.0.113.0/24/1", r"'203.0.113.0/24/1'"),
    ],
)
def test_bad_prefixes_raise_naming_the_prefix_and_unit(text, message):
    with pytest.raises(ValueError, match=message) as caught:
        PrefixRecord(text, "THPT-A")
    assert "THPT-A" in str(caught.value)


def test_bad_windows_raise():
    with pytest.raises(ValueError, match="valid_to .* is not after valid_from"):
        PrefixRecord("203.0.113.0/24", "A", valid_from=JULY, valid_to=JUNE)
    with pytest.raises(ValueError, match="is not after"):
        PrefixRecord("203.0.113.0/24", "A", valid_from=JUNE, valid_to=JUNE)
    with pytest.raises(ValueError, match="NaN"):
        PrefixRecord("203.0.113.0/24", "A", valid_from=math.nan)
    with pytest.raises(ValueError, match="epoch seconds"):
        PrefixRecord("203.0.113.0/24", "A", valid_from="2025-06-01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        (" 203.0.113.0/24 ", "203.0.113.0/24"),
        ("203.0.113.0/255.255.255.0", "203.0.113.0/24"),
        ("203.0.113.0/024", "203.0.113.0/24"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:db8::1", "2001:db8::1/128"),
        ("::ffff:203.0.113.0/120", "203.0.113.0/24"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        ("::/0", "::/0"),
        ("0.0.0.0/0", "0.0.0.0/0"),
    ],
)
def test_normalize_prefix(text, canonical):
    assert normalize_prefix(text) == canonical
    assert PrefixRecord(text, "A").network == canonical


def ref_prefix(text: str) -> str | None:
    try:
        return str(ref_network(text))
    except ValueError:
        return None


@st.composite
def prefix_texts(draw: st.DrawFn) -> str:
    version = draw(st.sampled_from([4, 6]))
    bits = 32 if version == 4 else 128
    length = draw(st.integers(0, bits))
    value = draw(st.integers(0, 2**bits - 1))
    if draw(st.booleans()):
        value &= ~((1 << (bits - length)) - 1)  # mostly without host bits
    address = ipaddress.ip_address(value) if version == 4 else ipaddress.IPv6Address(value)
    form = draw(st.integers(0, 5))
    if form == 0:
        return str(address)
    if form == 1 and version == 6:
        return f"{address.exploded.upper()}/{length}"
    if form == 2:
        return f"{address}/{length:03d}"
    if form == 3:
        return f" {address}/{length}\t"
    if form == 4:
        return (
            f"{address}/{draw(st.sampled_from(['', '-1', '+8', '2 4', '１', '²', str(bits + 1)]))}"
        )
    return f"{address}/{length}"


@settings(max_examples=500, deadline=None)
@given(st.one_of(prefix_texts(), st.text("0123456789abcdef:./ %x", max_size=45)))
def test_prefixes_parse_like_ipaddress(text):
    expected = ref_prefix(text)
    if expected is None:
        with pytest.raises(ValueError, match="invalid prefix"):
            normalize_prefix(text)
    else:
        assert normalize_prefix(text) == expected


def test_records_compare_by_their_fields():
    a = PrefixRecord("203.0.113.0/24", "A", JUNE, None, ref=5)
    assert a == PrefixRecord("203.0.113.0/24", "A", JUNE, None, ref=5)
    assert a != PrefixRecord("203.0.113.0/24", "A", JUNE, None, ref=6)
    assert hash(a) == hash(PrefixRecord("203.0.113.0/24", "A", JUNE, None, ref=5))
    assert a.version == 4 and a.prefixlen == 24
    assert "_network" not in repr(a)


# --- addresses ------------------------------------------------------------------------------


def spellings(value: int, version: int) -> list[str]:
    """Ways people and programs write one address."""
    if version == 4:
        ip4 = ipaddress.IPv4Address(value)
        return [str(ip4), f" {ip4}\t", f"::ffff:{ip4}", f"[::FFFF:{ip4}]", f"{ip4}\u200b"]
    ip6 = ipaddress.IPv6Address(value)
    return [
        str(ip6),
        ip6.exploded,
        ip6.exploded.upper(),
        f"[{ip6}]",
        f"{ip6}%eth0",
        f" [{ip6}%2] ",
        str(ip6).replace(":", " : ", 1),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(0, 2**32 - 1).map(lambda v: (v, 4)),
            st.integers(0, 2**128 - 1).map(lambda v: (v, 6)),
            st.integers(0, 2**32 - 1).map(lambda v: (v, 6)),  # ::a.b.c.d, high half zero
            st.integers(0, 2**16 - 1).map(lambda v: ((0xFFFF << 32) | v, 6)),
        ),
        max_size=20,
    ),
    st.data(),
)
def test_parse_and_format_agree_with_ipaddress(values, data):
    texts = []
    for value, version in values:
        texts.append(data.draw(st.sampled_from(spellings(value, version))))
    parsed = parse_addresses(texts)
    expected = [ref_address(t) for t in texts]
    assert all(ip is not None for ip in expected)
    assert parsed.version.tolist() == [ip.version for ip in expected]
    combined = [
        (h << 64) | lo for h, lo in zip(parsed.hi.tolist(), parsed.lo.tolist(), strict=True)
    ]
    assert combined == [int(ip) for ip in expected]
    assert format_addresses(parsed) == [str(ip) for ip in expected]
    assert [normalize_address(t) for t in texts] == [str(ip) for ip in expected]


ADDRESS_ALPHABET = "0123456789abcdefABCDEF:.%[] \t/x-"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(ADDRESS_ALPHABET, max_size=45), max_size=20))
def test_parse_arbitrary_text_like_ipaddress(texts):
    """Whatever the text, the fast paths and the reference agree."""
    parsed = parse_addresses(texts)
    for i, text in enumerate(texts):
        ip = ref_address(text)
        if ip is None:
            assert parsed.version[i] == 0, text
            assert normalize_address(text) is None
        else:
            assert parsed.version[i] == ip.version, text
            assert (int(parsed.hi[i]) << 64) | int(parsed.lo[i]) == int(ip), text
            assert normalize_address(text) == str(ip)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)
        )
    ),
    st.lists(st.sampled_from(["0", "00", "01", "256", "1000", "", "-1", "1 ", "+1", "١"])),
)
def test_dotted_quads_with_odd_parts(quads, odd):
    texts = [".".join(map(str, q)) for q in quads]
    texts += [f"10.{o}.0.1" for o in odd] + [f"{o}.2.3.4" for o in odd]
    parsed = parse_addresses(texts)
    for i, text in enumerate(texts):
        ip = ref_address(text)
        assert parsed.version[i] == (ip.version if ip else 0), text
        assert int(parsed.lo[i]) == (int(ip) if ip else 0), text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("  203.0.113.5  ", "203.0.113.5"),
        ("203.0.113. 5", "203.0.113.5"),
        ("\ufeff203.0.113.5", "203.0.113.5"),
        ("\xa0203.0.113.5\xa0", "203.0.113.5"),
        ("[2001:DB8::1]", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%25eth0]", "fe80::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("::FFFF:cb00:7105", "203.0.113.5"),
        ("::203.0.113.5", "::cb00:7105"),
        ("::", "::"),
        ("0.0.0.0", "0.0.0.0"),
        ("1.2.3.4 5", None),
        ("203.0.113.05", None),  # leading zeros are ambiguous (octal): ipaddress refuses them
        ("203.0.113.256", None),
        ("203.0.113", None),
        ("203.0.113.5/32", None),
        ("203.0.113.5:80", None),
        ("[203.0.113.5", None),
        ("2001:db8::1::2", None),
        ("", None),
        ("   ", None),
        ("nan", None),
        ("203.0.113.5\n", "203.0.113.5"),
        ("203.0.113.5\n198.51.100.1", None),
    ],
)
def test_normalize_address(text, canonical):
    assert normalize_address(text) == canonical
    parsed = parse_addresses(["198.51.100.7", text, "2001:db8::7"])
    assert format_addresses(parsed) == ["198.51.100.7", canonical, "2001:db8::7"]


def test_parse_addresses_tolerates_non_text_cells():
    parsed = parse_addresses(["203.0.113.5", None, 42, "2001:db8::1"])  # type: ignore[list-item]
    assert parsed.version.tolist() == [4, 0, 0, 6]


def test_parsed_addresses_arrays():
    parsed = parse_addresses(["203.0.113.5", "x", "2001:db8::1:0:0:1"])
    assert parsed.version.dtype == np.uint8
    assert parsed.hi.dtype == np.uint64 and parsed.lo.dtype == np.uint64
    assert len(parsed) == 3
    assert parsed.valid.tolist() == [True, False, True]
    assert parsed.lo[0] == int(ipaddress.IPv4Address("203.0.113.5")) and parsed.hi[0] == 0
    assert parsed.hi[2] == 0x20010DB800000000 and parsed.lo[2] == 0x0001000000000001
    picked = parsed.take([2, 0])
    assert isinstance(picked, ParsedAddresses)
    assert format_addresses(picked) == ["2001:db8::1:0:0:1", "203.0.113.5"]
    assert len(ParsedAddresses.empty(4)) == 4


# --- address classes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8.8.8.8", "public"),
        ("113.160.1.1", "public"),
        ("2402:800::1", "public"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("172.32.0.1", "public"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # shared address space (carrier-grade NAT): not public
        ("100.127.255.255", "private"),
        ("100.128.0.0", "public"),
        ("fd12:3456::1", "private"),
        ("::ffff:192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.1.1", "link_local"),
        ("fe80::1%eth0", "link_local"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("0.1.2.3", "reserved"),
        ("192.0.0.8", "reserved"),
        ("192.0.0.9", "public"),
        ("192.0.0.10", "public"),
        ("192.0.0.170", "reserved"),
        ("2001:1::1", "public"),
        ("2001:1::3", "reserved"),
        ("2001:3::1", "public"),
        ("2001:4:112::1", "public"),
        ("2001:20::1", "public"),
        ("2001:30::1", "public"),
        ("2001:2::1", "reserved"),  # benchmarking
        ("198.18.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "reserved"),  # documentation
        ("198.51.100.1", "reserved"),
        ("203.0.113.1", "reserved"),
        ("2001:db8::1", "reserved"),
        ("3fff::1", "reserved"),
        ("2001::1", "reserved"),
        ("2002::1", "reserved"),
        ("100::1", "reserved"),
        ("64:ff9b::808:808", "reserved"),
        ("::808:808", "reserved"),
        ("fec0::1", "reserved"),
        ("4000::1", "reserved"),
        ("not an address", "invalid"),
        ("", "invalid"),
        ("192.168.1.300", "invalid"),
    ],
)
def test_address_class(text, expected):
    assert address_class(text) == expected
    assert expected in ADDRESS_CLASSES


@pytest.mark.parametrize("text", ["192.0.2.1", "198.51.100.77", "203.0.113.255", "2001:db8:1::1"])
def test_documentation_ranges_are_public_only_when_allowed(text):
    assert address_class(text) == "reserved"
    assert address_class(text, allow_documentation=True) == "public"
    parsed = parse_addresses([text, "10.0.0.1"])
    codes = classify_addresses(parsed, allow_documentation=True)
    assert [ADDRESS_CLASSES[c] for c in codes] == ["public", "private"]
    assert [ADDRESS_CLASSES[c] for c in classify_addresses(parsed)] == ["reserved", "private"]


def special_edges() -> list[str]:
    """The first and last address of every special range, and their neighbours."""
    texts = []
    for text in (
        "0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 "
        "192.0.0.0/24 192.0.2.0/24 192.168.0.0/16 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 "
        "224.0.0.0/4 240.0.0.0/4 ::/128 ::1/128 ::ffff:0:0/96 100::/64 2001::/23 2001:db8::/32 "
        "2001:10::/28 2002::/16 fc00::/7 fe80::/10 fec0::/10 ff00::/8 2000::/3 64:ff9b::/96"
    ).split():
        network = ipaddress.ip_network(text)
        for value in (
            int(network.network_address) - 1,
            int(network.network_address),
            int(network.broadcast_address),
            int(network.broadcast_address) + 1,
        ):
            if 0 <= value < 2**network.max_prefixlen:
                texts.append(
                    str(
                        ipaddress.ip_address(value)
                        if network.version == 4
                        else ipaddress.IPv6Address(value)
                    )
                )
    return texts


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(0, 2**32 - 1).map(lambda v: str(ipaddress.IPv4Address(v))),
            st.integers(0, 2**128 - 1).map(lambda v: str(ipaddress.IPv6Address(v))),
            st.integers(0, 2**16 - 1).map(lambda v: str(ipaddress.IPv6Address(v << 112))),
            st.sampled_from(special_edges()),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_classes_agree_with_ipaddress(texts, allow_documentation):
    codes = classify_addresses(parse_addresses(texts), allow_documentation=allow_documentation)
    for text, code in zip(texts, codes.tolist(), strict=True):
        name = address_class(text, allow_documentation=allow_documentation)
        assert ADDRESS_CLASSES[code] == name
        expected = ref_class(text, allow_documentation)
        if expected is not None:
            assert name == expected, text
