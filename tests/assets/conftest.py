"""Test vocabulary for the network registry: networks at schools A, B and C.

Prefixes are fictional public ranges (not the documentation ranges, which the registry
flags as non-public).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lachan.org.models import Role

A_PREFIX = "14.160.10.0/24"
B_PREFIX = "14.160.20.0/24"
C_PREFIX = "2402:800:3::/48"


@pytest.fixture
def head_a(make_user, tree):
    return make_user(Role.UNIT_HEAD, tree.a, username="hieutruong_a")


@pytest.fixture
def learner_a(make_user, tree):
    return make_user(Role.LEARNER, tree.a, username="giaovien_a")


@pytest.fixture
def it_cum(make_user, tree):
    """The IT officer of the CUM-1 cluster: THCS-C is under it."""
    return make_user(Role.UNIT_IT, tree.cum, username="it_cum")


@pytest.fixture
def net(tree):
    """net(unit, prefix, **fields) -> a network saved by the system."""
    from lachan.assets.services import save_network

    def _make(unit, prefix, **fields):
        return save_network(actor=None, unit=unit, prefix=prefix, **fields)

    return _make


@pytest.fixture
def networks(tree, net):
    """One network at A, B (with a subscriber name of B) and C (IPv6)."""
    return {
        "a": net(tree.a, A_PREFIX, isp="VNPT", subscriber="Trường THPT Lê Lợi", line_type="ftth"),
        "b": net(
            tree.b,
            B_PREFIX,
            isp="Viettel",
            subscriber="Thuê bao Nguyễn Trãi B",
            line_type="leased",
            valid_from=dt.date(2025, 1, 1),
        ),
        "c": net(tree.c, C_PREFIX, isp="FPT", line_type="mobile", is_static=False),
    }
