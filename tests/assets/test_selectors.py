"""Reads of the registry: scoping by unit, filters, overlap warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from lachan.assets import selectors
from lachan.assets.importers import overlap_message

from .conftest import A_PREFIX, B_PREFIX

pytestmark = pytest.mark.django_db


def prefixes(qs):
    return sorted(n.prefix for n in qs)


def test_each_role_sees_the_networks_of_its_units(
    tree, networks, dept_admin, dept_officer, it_a, head_a, learner_a, it_cum
):
    everything = sorted(n.prefix for n in networks.values())
    assert prefixes(selectors.networks_for(dept_admin)) == everything
    assert prefixes(selectors.networks_for(dept_officer)) == everything
    assert prefixes(selectors.networks_for(it_a)) == [A_PREFIX]
    assert prefixes(selectors.networks_for(head_a)) == [A_PREFIX]
    assert prefixes(selectors.networks_for(learner_a)) == []
    assert prefixes(selectors.networks_for(it_cum)) == [networks["c"].prefix]


def test_school_a_never_gets_school_bs_network(networks, it_a):
    from lachan.assets.models import Network

    with pytest.raises(Network.DoesNotExist):
        selectors.get_network(it_a, networks["b"].pk)
    assert selectors.networks_for(it_a, unit_id=networks["b"].unit_id).count() == 0
    assert selectors.networks_for(it_a, address="14.160.20.5").count() == 0
    assert selectors.isp_names(it_a) == ["VNPT"]


def test_unit_filter_includes_the_subtree(tree, networks, dept_officer):
    assert prefixes(selectors.networks_for(dept_officer, unit_id=tree.cum.pk)) == [
        networks["c"].prefix
    ]
    assert not selectors.networks_for(dept_officer, unit_id=tree.cum.pk, include_subtree=False)
    assert prefixes(selectors.networks_for(dept_officer, unit_id=tree.so.pk)) == sorted(
        n.prefix for n in networks.values()
    )


def test_filters(tree, networks, dept_officer, net):
    user = dept_officer
    assert prefixes(selectors.networks_for(user, isp="viettel")) == [B_PREFIX]
    assert prefixes(selectors.networks_for(user, line_type="mobile")) == [networks["c"].prefix]
    assert prefixes(selectors.networks_for(user, static=False)) == [networks["c"].prefix]
    assert prefixes(selectors.networks_for(user, q="Nguyễn Trãi")) == [B_PREFIX]
    assert prefixes(selectors.networks_for(user, q="THPT-A")) == [A_PREFIX]
    # B is valid from 01/01/2025 only.
    assert B_PREFIX not in prefixes(selectors.networks_for(user, active_on=dt.date(2024, 12, 31)))
    assert B_PREFIX in prefixes(selectors.networks_for(user, active_on=dt.date(2025, 1, 1)))


def test_containing_an_address_or_prefix(tree, networks, dept_officer, net):
    net(tree.a, "14.160.10.128/25", valid_from=dt.date(2025, 3, 1))
    user = dept_officer
    assert prefixes(selectors.networks_for(user, address="14.160.10.200")) == [
        "14.160.10.0/24",
        "14.160.10.128/25",
    ]
    assert prefixes(selectors.networks_for(user, address="14.160.10.5")) == ["14.160.10.0/24"]
    assert prefixes(selectors.networks_for(user, address="14.160.10.0/24")) == ["14.160.10.0/24"]
    assert prefixes(selectors.networks_for(user, address="14.160.10.7/24")) == ["14.160.10.0/24"]
    assert prefixes(selectors.networks_for(user, address="::ffff:14.160.20.9")) == [B_PREFIX]
    assert prefixes(selectors.networks_for(user, address="2402:800:3:7::1")) == [
        networks["c"].prefix
    ]
    assert not selectors.networks_for(user, address="14.160.11.1")
    assert not selectors.networks_for(user, address="not an address")


def _overlap_setup(tree, net):
    """A /24 of school A; school B holds a /28 inside it for January 2025 (a dynamic
    address reassigned); C registered A's /24 by mistake from March."""
    outer = net(tree.a, "14.160.10.0/24")
    inner = net(
        tree.b,
        "14.160.10.16/28",
        is_static=False,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 1, 31),
    )
    same = net(tree.c, "14.160.10.0/24", valid_from=dt.date(2025, 3, 1))
    # Same unit, overlapping: not a warning (A's /25 in A's /24).
    net(tree.a, "14.160.10.0/25")
    # B's February /28 and C's /24 from March: same addresses, windows apart.
    net(tree.b, "14.160.10.48/28", valid_from=dt.date(2025, 2, 1), valid_to=dt.date(2025, 2, 28))
    return outer, inner, same


def test_overlap_warnings_say_which_prefix_wins(tree, net, dept_officer):
    outer, inner, same = _overlap_setup(tree, net)
    found = selectors.overlap_warnings(dept_officer)
    pairs = {(w.outer.pk, w.inner.pk) for w in found}
    ids = {outer.pk, inner.pk, same.pk}
    assert {p for p in pairs if set(p) <= ids} == {(outer.pk, inner.pk), (outer.pk, same.pk)}
    by_pair = {(w.outer.pk, w.inner.pk): w for w in found}

    nested = by_pair[(outer.pk, inner.pk)]
    assert not nested.same_prefix and nested.winner == inner
    assert (nested.valid_from, nested.valid_to) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    text = overlap_message(nested)
    assert "14.160.10.16/28" in text and "THPT Nguyễn Trãi (THPT-B)" in text
    assert "dải cụ thể hơn" in text and "từ 01/01/2025 đến 31/01/2025" in text

    twin = by_pair[(outer.pk, same.pk)]
    assert twin.same_prefix and twin.winner is None
    assert (twin.valid_from, twin.valid_to) == (dt.date(2025, 3, 1), None)
    assert "không xác định" in overlap_message(twin)

    # The 14.160.10.0/25 of A itself overlaps B's /28 and C's /24 too: still other units.
    a25 = next(n for n in selectors.networks_for(dept_officer) if n.prefix == "14.160.10.0/25")
    assert (a25.pk, inner.pk) in pairs
    # Nothing within one unit, nothing between windows that do not meet.
    feb = next(n for n in selectors.networks_for(dept_officer) if n.prefix == "14.160.10.48/28")
    assert (same.pk, feb.pk) not in pairs and (outer.pk, feb.pk) in pairs
    assert (outer.pk, a25.pk) not in pairs
    for w in found:
        assert w.outer.unit_id != w.inner.unit_id


def test_overlap_warnings_never_reach_outside_the_users_scope(tree, net, it_a, it_cum):
    _overlap_setup(tree, net)
    # School A overlaps with B and C, but its IT officer sees only A's networks: no warning
    # can name B or C.
    assert selectors.overlap_warnings(it_a) == []
    assert selectors.overlap_warnings(it_cum) == []


def test_overlap_warnings_involving(tree, net, dept_officer):
    outer, inner, same = _overlap_setup(tree, net)
    found = selectors.overlap_warnings(dept_officer, involving=[inner.pk])
    assert {w.outer.prefix for w in found} == {"14.160.10.0/24", "14.160.10.0/25"}
    assert all(w.inner == inner for w in found)
    assert (outer.pk, same.pk) not in {(w.outer.pk, w.inner.pk) for w in found}


def test_validity_seconds_cover_whole_local_days(tree, net):
    network = net(tree.a, A_PREFIX, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 1, 1))
    start, end = selectors.validity_seconds(network)
    # 01/01/2025 00:00 in Asia/Ho_Chi_Minh (UTC+7) is 31/12/2024 17:00 UTC.
    assert start == dt.datetime(2024, 12, 31, 17, tzinfo=dt.UTC).timestamp()
    assert end - start == 86400
