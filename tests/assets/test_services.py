"""save_network / delete_network: who may write which unit's networks, and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lachan.assets.models import Network
from lachan.assets.services import delete_network, save_network
from lachan.audit.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["dept_admin", "dept_officer", "it_a"])
def test_department_roles_and_the_units_it_officer_write_its_networks(request, tree, who):
    actor = request.getfixturevalue(who)
    network = save_network(actor=actor, unit=tree.a, prefix="14.160.10.0/24", isp="VNPT")
    network = save_network(actor=actor, unit=tree.a, network=network, isp="Viettel")
    assert Network.objects.get().isp == "Viettel"
    delete_network(actor=actor, network=network)
    assert not Network.objects.exists()


@pytest.mark.parametrize("who", ["it_b", "head_a", "learner_a"])
def test_others_may_not_write_school_as_networks(request, tree, who, net):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        save_network(actor=actor, unit=tree.a, prefix="14.160.10.0/24")
    network = net(tree.a, "14.160.10.0/24")
    with pytest.raises(PermissionDenied):
        save_network(actor=actor, unit=tree.a, network=network, isp="Hacker")
    with pytest.raises(PermissionDenied):
        delete_network(actor=actor, network=network)
    network.refresh_from_db()
    assert network.isp == ""


def test_an_it_officer_of_a_cluster_writes_the_networks_of_its_schools(tree, it_cum):
    save_network(actor=it_cum, unit=tree.c, prefix="14.160.30.0/24")
    with pytest.raises(PermissionDenied):
        save_network(actor=it_cum, unit=tree.a, prefix="14.160.31.0/24")


def test_moving_a_network_needs_the_right_over_both_units(tree, it_a, dept_officer, net):
    network = net(tree.a, "14.160.10.0/24")
    with pytest.raises(PermissionDenied):
        save_network(actor=it_a, unit=tree.b, network=network)
    assert Network.objects.get().unit == tree.a
    save_network(actor=dept_officer, unit=tree.b, network=network)
    assert Network.objects.get().unit == tree.b


def test_writes_are_audited_with_before_and_after(tree, it_a):
    network = save_network(
        actor=it_a, unit=tree.a, prefix="14.160.10.7", subscriber="THPT Lê Lợi", line_type="ftth"
    )
    create = AuditLog.objects.get(action="network.create")
    assert create.actor == it_a and create.unit == tree.a
    assert create.object_type == "assets.network" and create.object_repr == "14.160.10.7/32"
    assert create.after["prefix"] == "14.160.10.7/32"
    assert create.after["unit"] == tree.a.pk
    assert "range_start" not in create.after

    save_network(actor=it_a, unit=tree.a, network=network, valid_to=dt.date(2025, 6, 30))
    update = AuditLog.objects.get(action="network.update")
    assert update.before["valid_to"] is None and update.after["valid_to"] == "2025-06-30"

    # Saving without a change writes no audit record.
    save_network(actor=it_a, unit=tree.a, network=network, valid_to=dt.date(2025, 6, 30))
    assert AuditLog.objects.filter(action="network.update").count() == 1

    delete_network(actor=it_a, network=network)
    deleted = AuditLog.objects.get(action="network.delete")
    assert deleted.before["prefix"] == "14.160.10.7/32" and deleted.after is None


def test_bad_values_are_validation_errors_naming_the_field(tree, dept_officer):
    with pytest.raises(ValidationError) as exc:
        save_network(actor=dept_officer, unit=tree.a, prefix="14.160.10.9/24")
    assert "14.160.10.0/24" in exc.value.message_dict["prefix"][0]
    with pytest.raises(ValidationError) as exc:
        save_network(actor=dept_officer, unit=tree.a, prefix="14.160.10.0/24", line_type="adsl")
    assert "line_type" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        save_network(
            actor=dept_officer,
            unit=tree.a,
            prefix="14.160.10.0/24",
            valid_from=dt.date(2025, 2, 1),
            valid_to=dt.date(2025, 1, 1),
        )
    assert "valid_to" in exc.value.message_dict
    assert not Network.objects.exists() and not AuditLog.objects.filter(
        action__startswith="network"
    )


def test_unknown_fields_are_a_programming_error(tree):
    with pytest.raises(TypeError):
        save_network(actor=None, unit=tree.a, prefix="14.160.10.0/24", range_start="0")
