"""lachan.engine.versions: the versions real products print, ranges' bounds as NVD writes
them, and Debian/Ubuntu package versions compared the way dpkg does."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachan.engine.versions import (
    DistroVersion,
    compare,
    compare_distro,
    parse_distro,
    parse_version,
    split_distro,
)

# (a, b, expected compare(a, b)): each pair is also checked the other way round.
ORDERED = [
    # dotted numbers of any length, leading and trailing zeros
    ("2.4.49", "2.4.50", -1),
    ("2.4.49", "2.4.49", 0),
    ("2.4.9", "2.4.49", -1),
    ("08.01", "8.1", 0),
    ("8.1", "8.1.0", 0),
    ("8.1.0.0", "8", 1),
    ("8", "8.0", 0),
    ("1.0", "1.0.1", -1),
    ("1.10", "1.9", 1),
    ("0", "0.0.0", 0),
    ("0", "0.1", -1),
    ("8.1.29", "8.1.3", 1),
    ("8.1.29", "8.2", -1),
    ("8.2.20", "8.2", 1),
    ("10.0.19045.3693", "10.0.19045.3692", 1),
    ("10.0.19045.3693", "10.0.19045.10000", -1),
    ("10.0.19045.3693", "10.0.22621.1", -1),
    ("6.2.9200.24768", "6.2.9200.24710", 1),
    ("149.0.7827.115", "149.0.7827.98", 1),
    ("122.0.6261.111", "122.0.6261.57", 1),
    ("9.2.0276", "9.2.276", 0),
    ("2024.07.3", "2024.7.3", 0),
    ("20191130.89", "20201231.96", -1),
    ("2023-10-08", "2023-2-08", 1),
    ("2023-10-08", "2023.10.8", 0),
    # OpenSSL letters
    ("1.1.1w", "1.1.1v", 1),
    ("1.1.1v", "1.1.1", 1),
    ("1.1.1", "1.1.1a", -1),
    ("1.1.1w", "1.1.1za", -1),
    ("1.1.1za", "1.1.1zb", -1),
    ("1.0.2zk", "1.0.2zl", -1),
    ("1.0.2zn", "1.1.0", -1),
    ("1.1.1w", "1.1.2", -1),
    ("1.1.1y", "3.0.0", -1),
    ("0.9.8", "0.9.8zh", -1),
    # pre-releases
    ("4.1.0-beta", "4.1.0-rc1", -1),
    ("4.1.0-rc1", "4.1.0", -1),
    ("4.1.0-beta", "4.1.0", -1),
    ("4.1.0-beta", "4.0.9", 1),
    ("4.1.0-alpha", "4.1.0-beta", -1),
    ("4.1.0-alpha", "4.1.0-a", 0),
    ("4.1.0-beta2", "4.1.0-b2", 0),
    ("4.1.0-rc2", "4.1.0-c2", 0),
    ("4.1.0-rc2", "4.1.0-cr2", 0),
    ("4.1.0-rc1", "4.1.0-rc2", -1),
    ("4.1.0-rc.10", "4.1.0-rc.9", 1),
    ("4.1.0-beta.2", "4.1.0-beta2", 0),
    ("4.1-beta", "4.1.0-beta", 0),
    ("4.1.0-dev", "4.1.0-alpha", -1),
    ("4.1.0-preview.5", "4.1.0-rc1", -1),
    ("4.1.0-preview", "4.1.0-beta", 1),
    ("4.1.0-pre1", "4.1.0-preview1", 0),
    ("4.1.0-rc1", "4.1.0-snapshot", -1),
    ("4.1.0-snapshot", "4.1.0", -1),
    ("3.11.0a1", "3.11.0b1", -1),
    ("3.12.0b1", "3.12.0rc1", -1),
    ("3.13.0rc2", "3.13.0", -1),
    ("3.14.5rc1", "3.14.4", 1),
    ("32.0.0beta1", "32.0.0", -1),
    ("2.0.0-beta.36", "2.0.0-beta.4", 1),
    ("1.2.9-beta", "1.2.9", -1),
    ("4.0.0-alpha-1", "4.0.0-alpha-2", -1),
    ("4.0.0-alpha-1", "4.0.0", -1),
    ("2.4.7-alpha0", "2.4.7", -1),
    ("2.4.7-alpha0", "2.4.6-p6", 1),
    ("25.0.0-beta.1", "25.0.0", -1),
    # milestones (Tomcat) and early access (Java)
    ("11.0.0-M1", "11.0.0-M12", -1),
    ("11.0.0-m20", "11.0.0-M21", -1),
    ("11.0.0-M21", "11.0.0", -1),
    ("11.0.0-M21", "10.1.50", 1),
    ("9.0.0.M1", "9.0.0", -1),
    ("20-ea", "20", -1),
    ("20-ea", "19.3.6", 1),
    ("22-ea+27", "22-ea+26", 1),
    ("22-ea+27", "22", -1),
    # "-0": from the first build of
    ("1.21.0-0", "1.21.0", -1),
    ("1.21.0-0", "1.21.0-rc1", -1),
    ("1.21.0-0", "1.20.99", 1),
    ("1.0.5-0", "1.0.4", 1),
    # patches after the release
    ("9.3p1", "9.3", 1),
    ("9.3p2", "9.3p1", 1),
    ("9.3p2", "9.4", -1),
    ("9.3p2", "9.3.1", -1),
    ("9.5p1", "9.9p2", -1),
    ("2.4.4-p11", "2.4.4-p9", 1),
    ("2.4.4-p9", "2.4.4", 1),
    ("2.4.4-p9", "2.4.5", -1),
    ("2.4.7-p1", "2.4.7-p3", -1),
    ("1.3.3-p11", "1.3.4-alpha0", -1),
    ("2.4.3-ext-8", "2.4.3", 1),
    ("2.4.3-ext-8", "2.4.3-ext-7", 1),
    ("2.4.3-ext-8", "2.4.4", -1),
    ("11.3.6+security-01", "11.3.6", 1),
    ("11.3.6+security-01", "11.3.7", -1),
    ("11.6.14+security-04", "11.6.14+security-01", 1),
    ("12.6U2", "12.6", 1),
    ("12.6U2", "12.6u1", 1),
    ("12.6U2", "12.7", -1),
    ("22.7r2.3", "22.7r2", 1),
    ("22.7r3", "22.7r2.3", 1),
    ("2022 su5", "2022 su6 november security update", -1),
    ("2022 su5", "2022", 1),
    ("R29_P1", "R30", -1),
    ("R30", "R30_P1", -1),
    ("R30_P2", "R31", -1),
    ("r36 p7", "R36_P6", 1),
    ("r25.10", "r25.9", 1),
    ("4.1.100.Final", "4.1.100", 0),
    ("4.1.100.Final", "4.1.99.Final", 1),
    ("2.4.57+dfsg", "2.4.57", 0),
    # Microsoft's cumulative updates and service packs
    ("2019 Cumulative Update 12", "2019-cumulative_update_12", 0),
    ("2019 CU12", "2019 Cumulative Update 11", 1),
    ("2019 CU12", "2019", 1),
    ("2019 CU12", "2022", -1),
    ("2016 Service Pack 1", "2016 SP1", 0),
    ("2016 SP1", "2016 SP2", -1),
    # Java
    ("1.8.0_91", "1.8.0_101", -1),
    ("1.8.0_91", "1.8.0", 1),
    ("1.8.0_91", "1.8", 1),
    ("1.8.0_91", "1.8.1", -1),
    ("8u91", "1.8.0_91", 0),
    ("8u77", "1.8.0_91", -1),
    ("8u101", "8u91", 1),
    ("6u113", "1.6.0_115", -1),
    ("1.8.0_91-b14", "1.8.0_91", 0),
    ("11.0.2+9", "11.0.2", 1),
    ("11.0.24", "11.0.3", 1),
    # prefixes, brackets, architectures, build words
    ("v2.4.49", "2.4.49", 0),
    ("V1.2", "1.2.0", 0),
    ("version 5.1", "5.1", 0),
    ("23.01 (x64)", "23.01", 0),
    ("126.0.1 x64", "126.0.1", 0),
    ("7.4.2 64-bit", "7.4.2", 0),
    ("10.0 Build 19045", "10.0.19045", 0),
    (" 2.4.49 ", "2.4.49", 0),
    ("1.2.3-LTS", "1.2.3", 0),
    # epochs
    ("1:1.0", "2.0", 1),
    ("1:1.0", "1:1.0", 0),
    ("2:1.0", "1:9.0", 1),
    # numbers decide before whatever opaque text follows
    ("687.689.v1a_f775332fc9", "720.v3f6decef43ea_", -1),
    ("1336.vf33a_a_986391", "1371.vfee6b_095f0a_3", -1),
    ("1.4.0-38.0e79d5b", "1.4.1", -1),
    ("1.4.0-38.0e79d5b", "1.4.0-37", 1),
    ("7.0.0-alpha2.0.20251209162832-28cfc80d2f4e", "7.0.0", -1),
    ("7.0.0-alpha2.0.20251209162832-28cfc80d2f4e", "7.0.0-alpha1", 1),
    ("2022 su6 november security update", "2023", -1),
    # wildcards: only what lies outside the prefix compares
    ("5.1", "4.*", 1),
    ("3.9.9", "4.*", -1),
    ("4.1", "4.0.*", 1),
    ("4.0.5", "4.1.*", -1),
    ("19.3.6", "19.*", None),
    ("19", "19.*", None),
    ("4", "4.0.*", None),
    ("4.0.0.1", "4.*", None),
    ("4.*", "4.*", None),
    # not comparable
    ("2.4.4-p9", "2.4.4-ext-8", None),
    ("11.3.6+security-01", "11.3.6-p1", None),
    ("1336.vf33a_a_986391", "1336.vfee6b_095f0a_3", None),
    ("1336.vf33a_a_986391", "1336.1", None),
    ("1.4.0-38.0e79d5b", "1.4.0-38.1", None),
    ("2022 su6 november security update", "2022 su6", None),
    ("27ddd49", "27ddd50", None),
    ("n/a", "1.0", None),
    ("latest", "1.0", None),
    ("Cumulative Update 12", "1.0", None),
    ("", "1.0", None),
    ("*", "1.0", None),
    ("-", "1.0", None),
    ("dfd83a7", "1.0", None),
]


def _flip(expected: int | None) -> int | None:
    return None if expected is None else -expected


@pytest.mark.parametrize(("a", "b", "expected"), ORDERED, ids=[f"{a} ? {b}" for a, b, _ in ORDERED])
def test_compare(a, b, expected):
    assert compare(a, b) == expected
    assert compare(b, a) == _flip(expected)


@pytest.mark.parametrize(
    "text",
    [
        "n/a",
        "N/A",
        "latest",
        "Cumulative Update 12",
        "",
        "   ",
        "*",
        "-",
        "unknown",
        "dfd83a7",
        "x64",
    ],
)
def test_not_a_version(text):
    assert parse_version(text) is None


@pytest.mark.parametrize(
    "text",
    ["2.4.49", "1.1.1w", "10.0.19045.3693", "1:9.2p1", "8u91", "R30_P1", "19.*", "2023-10-08"],
)
def test_a_version_keeps_its_text(text):
    version = parse_version(text)
    assert version is not None
    assert version.text == text
    assert str(version) == text


def test_epoch():
    assert parse_version("1:9.2p1").epoch == 1
    assert parse_version("9.2p1").epoch == 0


def test_same_version_compares_equal_even_when_opaque():
    assert compare("27ddd49", "27ddd49") == 0
    assert compare("1336.vf33a_a_986391", "1336.vf33a_a_986391") == 0


def test_keys_sort_every_version():
    texts = [a for a, _, _ in ORDERED] + [b for _, b, _ in ORDERED]
    versions = [v for v in map(parse_version, texts) if v is not None]
    assert sorted(versions, key=lambda v: v.key)  # one type per element: never a TypeError


def test_sorted_chain():
    chain = [
        "1.0.0-0",
        "1.0.0-dev",
        "1.0.0-alpha",
        "1.0.0-alpha.2",
        "1.0.0-beta",
        "1.0.0-M1",
        "1.0.0-preview",
        "1.0.0-rc1",
        "1.0.0-snapshot",
        "1.0",
        "1.0a",
        "1.0z",
        "1.0p1",
        "1.0p2",
        "1.0.1",
        "1.0.1.1",
        "1.1-rc1",
        "1.1",
        "1.10",
        "2",
    ]
    for (i, a), (j, b) in itertools.product(enumerate(chain), repeat=2):
        assert compare(a, b) == (i > j) - (i < j), (a, b)


# --- distribution packages ----------------------------------------------------------------

DISTRO = [
    ("1:9.2p1-2+deb12u2", DistroVersion(1, "9.2p1", "2+deb12u2", "debian")),
    ("2.4.52-1ubuntu4.6", DistroVersion(0, "2.4.52", "1ubuntu4.6", "ubuntu")),
    ("3.0.11-1~deb12u2", DistroVersion(0, "3.0.11", "1~deb12u2", "debian")),
    ("8.1.2-1ubuntu2.14", DistroVersion(0, "8.1.2", "1ubuntu2.14", "ubuntu")),
    ("1:8.9p1-3ubuntu0.10", DistroVersion(1, "8.9p1", "3ubuntu0.10", "ubuntu")),
    ("2.4.62-1~deb12u1", DistroVersion(0, "2.4.62", "1~deb12u1", "debian")),
    ("7.88.1-10+deb12u8", DistroVersion(0, "7.88.1", "10+deb12u8", "debian")),
    ("2.36-9+deb12u4", DistroVersion(0, "2.36", "9+deb12u4", "debian")),
    ("5.10.0-28+b1", DistroVersion(0, "5.10.0", "28+b1", "debian")),
    ("2.4.37-62.module+el8.9.0", DistroVersion(0, "2.4.37", "62.module+el8.9.0", "rhel")),
    ("1.2.3-r0", DistroVersion(0, "1.2.3", "r0", "alpine")),
    ("2.4.57-2", DistroVersion(0, "2.4.57", "2", "")),
    ("1:2.4.57", DistroVersion(1, "2.4.57", "", "")),
    ("4.1.0-beta", DistroVersion(0, "4.1.0-beta", "", "")),
    ("1.2.3", DistroVersion(0, "1.2.3", "", "")),
    ("2:1.0-2-1ubuntu1", DistroVersion(2, "1.0-2", "1ubuntu1", "ubuntu")),
]


@pytest.mark.parametrize(("text", "expected"), DISTRO, ids=[t for t, _ in DISTRO])
def test_parse_distro(text, expected):
    assert parse_distro(text) == expected
    assert split_distro(text) == (expected.upstream, expected.revision, expected.distro)


DPKG = [
    ("1:9.2p1-2+deb12u2", "1:9.2p1-2+deb12u3", -1),
    ("1:9.2p1-2+deb12u2", "1:9.2p1-2", 1),
    ("1:9.2p1-2+deb12u2", "9.9p1-1", 1),
    ("3.0.11-1~deb12u2", "3.0.11-1", -1),
    ("3.0.11-1~deb12u2", "3.0.11-1~deb12u1", 1),
    ("3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1),
    ("2.4.52-1ubuntu4.6", "2.4.52-1ubuntu4.10", -1),
    ("2.4.52-1ubuntu4.6", "2.4.52-1ubuntu4", 1),
    ("2.4.52-1ubuntu4.6", "2.4.52-1", 1),
    ("1.0~rc1-1", "1.0-1", -1),
    ("1.0~~a", "1.0~", -1),
    ("1.0~", "1.0", -1),
    ("1.0", "1.0a", -1),
    ("1.0a", "1.0+", -1),
    ("1.0+dfsg-1", "1.0-1", 1),
    ("1.0-1", "1.0-1", 0),
    ("1.0", "1.0-0", 0),
    ("1.00-1", "1.0-1", 0),
    ("1.2.10", "1.2.9", 1),
    ("0", "0", 0),
    ("1.0.0", "1.0", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), DPKG, ids=[f"{a} ? {b}" for a, b, _ in DPKG])
def test_compare_distro(a, b, expected):
    assert compare_distro(a, b) == expected
    assert compare_distro(b, a) == -expected


# --- properties ---------------------------------------------------------------------------

_SUFFIXES = ["", "a", "w", "za", "-alpha", "-beta2", "-rc1", "rc2", "-M3", "p1", "p2", "-p3", "-0"]
dotted = st.builds(
    lambda numbers, zeros, suffix: (
        ".".join(f"{'0' * z}{n}" for n, z in zip(numbers, zeros, strict=False)) + suffix
    ),
    st.lists(st.integers(0, 30), min_size=1, max_size=5),
    st.lists(st.integers(0, 1), min_size=5, max_size=5),
    st.sampled_from(_SUFFIXES),
)


@given(dotted, dotted)
def test_antisymmetric(a, b):
    ab, ba = compare(a, b), compare(b, a)
    assert ab is not None
    assert ab == -ba
    assert (ab == 0) == (parse_version(a).key == parse_version(b).key)


@given(dotted, dotted, dotted)
def test_transitive(a, b, c):
    ab, bc, ac = compare(a, b), compare(b, c), compare(a, c)
    if ab is not None and bc is not None and ab <= 0 and bc <= 0:
        assert ac is not None and ac <= 0
        if ab < 0 or bc < 0:
            assert ac < 0


@given(dotted)
def test_reflexive_and_zero_padding(a):
    assert compare(a, a) == 0
    if a[-1].isdigit() and "-" not in a:
        assert compare(a, a + ".0") == 0
        assert compare(a, a + ".1") == -1


@given(
    st.lists(st.integers(0, 99), min_size=1, max_size=6),
    st.lists(st.integers(0, 99), min_size=1, max_size=6),
)
def test_plain_numbers_compare_as_zero_padded_tuples(x, y):
    width = max(len(x), len(y))
    expected = (x + [0] * (width - len(x)) > y + [0] * (width - len(y))) - (
        x + [0] * (width - len(x)) < y + [0] * (width - len(y))
    )
    assert compare(".".join(map(str, x)), ".".join(map(str, y))) == expected


debian = st.builds(
    lambda epoch, up, sep, rev: (f"{epoch}:" if epoch else "") + up + (f"-{rev}" if rev else ""),
    st.integers(0, 2),
    st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}([a-z~+][0-9a-z]{0,2})?", fullmatch=True),
    st.just("-"),
    st.from_regex(r"([0-9]{1,2}([a-z+~.][0-9a-z]{0,3}){0,2})?", fullmatch=True),
)


@given(debian, debian, debian)
def test_dpkg_order_is_total(a, b, c):
    assert compare_distro(a, b) == -compare_distro(b, a)
    if compare_distro(a, b) <= 0 and compare_distro(b, c) <= 0:
        assert compare_distro(a, c) <= 0
