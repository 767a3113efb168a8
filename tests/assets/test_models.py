"""The Network model: prefixes in canonical form, validation messages, constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lachan.assets.models import Network, PrefixError, parse_prefix
from lachan.assets.models.networks import special_prefix_warning


@pytest.mark.parametrize(
    ("text", "canonical", "version", "length"),
    [
        ("14.160.10.0/24", "14.160.10.0/24", 4, 24),
        (" 14.160.10.0 / 24 ", "14.160.10.0/24", 4, 24),
        ("14.160.10.7", "14.160.10.7/32", 4, 32),
        ("14.160.10.0/255.255.255.0", "14.160.10.0/24", 4, 24),
        ("2402:0800:0003:0000::/48", "2402:800:3::/48", 6, 48),
        ("2402:800:3::1", "2402:800:3::1/128", 6, 128),
        ("2402:800:3::1/128", "2402:800:3::1/128", 6, 128),
        ("::ffff:14.160.10.0/120", "14.160.10.0/24", 4, 24),
        ("::ffff:14.160.10.9", "14.160.10.9/32", 4, 32),
        ("2402:800:3:: / 48", "2402:800:3::/48", 6, 48),
    ],
)
def test_parse_prefix_canonical(text, canonical, version, length):
    parsed = parse_prefix(text)
    assert (parsed.text, parsed.version, parsed.length) == (canonical, version, length)
    assert len(parsed.start_hex) == len(parsed.end_hex) == 32
    assert parsed.start_hex <= parsed.end_hex


def test_host_bits_error_names_the_value_and_suggests_the_network():
    with pytest.raises(PrefixError) as exc:
        parse_prefix("203.0.113.5/24")
    message = str(exc.value)
    assert "“203.0.113.5/24”" in message
    assert "203.0.113.0/24" in message  # the prefix it probably meant
    assert "203.0.113.5/32" in message  # or a single address


def test_host_bits_error_for_ipv6():
    with pytest.raises(PrefixError) as exc:
        parse_prefix("2402:800:3::1/48")
    assert "2402:800:3::/48" in str(exc.value)


@pytest.mark.parametrize(
    "text", ["", "abc", "300.1.1.1", "14.160.10.0/33", "14.160.1 0.0/24", "fe80::1%eth0", "1.2.3"]
)
def test_invalid_prefixes_are_refused_with_the_value(text):
    with pytest.raises(PrefixError) as exc:
        parse_prefix(text)
    if text.strip():
        assert text.strip() in str(exc.value) or " ".join(text.split()) in str(exc.value)


@pytest.mark.parametrize("text", ["0.0.0.0/0", "14.0.0.0/7", "2000::/3", "2402::/15"])
def test_too_broad_prefixes_are_refused(text):
    with pytest.raises(PrefixError, match="quá rộng"):
        parse_prefix(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("10.1.0.0/16", "private"),
        ("192.168.1.0/24", "private"),
        ("100.64.0.0/10", "private"),  # the ISPs' carrier-grade NAT
        ("203.0.113.0/24", "reserved"),  # documentation
        ("fd00:1::/48", "private"),
        ("127.0.0.1", "loopback"),
        ("14.160.10.0/24", ""),
        ("2402:800:3::/48", ""),
    ],
)
def test_non_public_prefixes_are_flagged_not_refused(text, kind):
    parsed = parse_prefix(text)
    assert parsed.special == kind
    warning = special_prefix_warning(parsed)
    assert bool(warning) == bool(kind)
    if kind:
        assert "NAT" in warning and parsed.text in warning


@pytest.mark.django_db
def test_clean_stores_the_canonical_prefix_and_its_range(tree):
    network = Network(unit=tree.a, prefix=" 14.160.10.7 ")
    network.full_clean()
    network.save()
    assert network.prefix == "14.160.10.7/32"
    assert (network.version, network.prefix_length) == (4, 32)
    assert network.range_start == network.range_end == f"{0x0EA00A07:032x}"


@pytest.mark.django_db
def test_clean_reports_the_prefix_error_alone(tree):
    network = Network(unit=tree.a, prefix="14.160.10.5/24")
    with pytest.raises(ValidationError) as exc:
        network.full_clean()
    assert set(exc.value.message_dict) == {"prefix"}
    assert "14.160.10.0/24" in exc.value.message_dict["prefix"][0]


@pytest.mark.django_db
def test_validity_window_must_be_ordered(tree):
    network = Network(
        unit=tree.a,
        prefix="14.160.10.0/24",
        valid_from=dt.date(2025, 5, 2),
        valid_to=dt.date(2025, 5, 1),
    )
    with pytest.raises(ValidationError) as exc:
        network.full_clean()
    assert "valid_to" in exc.value.message_dict
    # One day is a valid window.
    network.valid_to = dt.date(2025, 5, 2)
    network.full_clean()


@pytest.mark.django_db
def test_database_refuses_an_unordered_window(tree):
    network = Network(
        unit=tree.a,
        prefix="14.160.10.0/24",
        valid_from=dt.date(2025, 5, 2),
        valid_to=dt.date(2025, 5, 1),
    )
    network.set_prefix(network.prefix)
    with pytest.raises(IntegrityError), transaction.atomic():
        network.save()


@pytest.mark.django_db
def test_same_unit_prefix_and_start_is_unique(tree):
    first = Network(unit=tree.a, prefix="14.160.10.0/24", valid_from=dt.date(2025, 1, 1))
    first.full_clean()
    first.save()
    again = Network(unit=tree.a, prefix="14.160.10.0/24", valid_from=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="cùng ngày bắt đầu"):
        again.full_clean()
    # Open start: also one per (unit, prefix), although NULLs are distinct in SQL.
    open_ = Network(unit=tree.a, prefix="14.160.10.0/24")
    open_.full_clean()
    open_.save()
    with pytest.raises(ValidationError, match="không ghi ngày bắt đầu"):
        Network(unit=tree.a, prefix="14.160.10.0/24").full_clean()
    again.set_prefix(again.prefix)
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
    # Another start date or another unit is another network.
    Network(unit=tree.a, prefix="14.160.10.0/24", valid_from=dt.date(2025, 2, 1)).full_clean()
    Network(unit=tree.b, prefix="14.160.10.0/24", valid_from=dt.date(2025, 1, 1)).full_clean()


@pytest.mark.django_db
def test_hex_range_orders_like_the_addresses_in_the_database(tree, net):
    """Fixed-width hex sorts as the numbers do, on SQLite and PostgreSQL alike."""
    prefixes = ["9.0.0.0/8", "14.160.10.0/24", "14.160.9.255/32", "200.1.2.0/24", "255.255.255.255"]
    for i, p in enumerate(prefixes):
        net(tree.a, p, valid_from=dt.date(2025, 1, i + 1))
    ordered = list(
        Network.objects.filter(version=4).order_by("range_start").values_list("prefix", flat=True)
    )
    assert ordered == [
        "9.0.0.0/8",
        "14.160.9.255/32",
        "14.160.10.0/24",
        "200.1.2.0/24",
        "255.255.255.255/32",
    ]
    inside = Network.objects.filter(
        version=4, range_start__lte=f"{0x0EA00A63:032x}", range_end__gte=f"{0x0EA00A63:032x}"
    )
    assert {n.prefix for n in inside} == {"14.160.10.0/24"}


def test_is_active_on():
    network = Network(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 1, 31))
    assert not network.is_active_on(dt.date(2024, 12, 31))
    assert network.is_active_on(dt.date(2025, 1, 1))
    assert network.is_active_on(dt.date(2025, 1, 31))
    assert not network.is_active_on(dt.date(2025, 2, 1))
    assert Network().is_active_on(dt.date(1999, 1, 1))
