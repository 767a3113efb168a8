"""The data the vulnerability and inventory page tests share: the feeds and inventory of
``intel.vuln_fixtures`` loaded and matched (school A: SRV-WEB, PC-01, PC-02; school B: SRV-B),
and a user of every role."""

from __future__ import annotations

import types
from collections.abc import Iterator
from contextlib import contextmanager

from intel.vuln_fixtures import INVENTORY, inventory_csv, write_feeds
from lachan.assets.inventory_import import import_inventory
from lachan.intel import vuln_selectors, vulns
from lachan.org.models import Role


@contextmanager
def fresh_caches() -> Iterator[None]:
    """The matcher's index and the alias table are cached per process: start and end clean."""
    vulns.forget_index_cache()
    vuln_selectors.forget_alias_cache()
    yield
    vulns.forget_index_cache()
    vuln_selectors.forget_alias_cache()


def build_vworld(tree, make_user, tmp_path) -> types.SimpleNamespace:
    """Records, KEV and EPSS imported, the inventory loaded and matched; users by role."""
    feeds = write_feeds(tmp_path)
    vulns.import_records(actor=None, paths=[feeds["records"]])
    vulns.import_kev(actor=None, path=feeds["kev"])
    vulns.import_epss(actor=None, path=feeds["epss"])
    report = import_inventory(actor=None, data=inventory_csv(INVENTORY), filename="inventory.csv")
    assert report.ok, [str(e) for e in report.errors]
    vulns.run_matching()
    users = {
        "dept_admin": make_user(Role.DEPT_ADMIN, tree.so, username="qt_so"),
        "dept_security": make_user(Role.DEPT_SECURITY, tree.so, username="attt_so"),
        "unit_it": make_user(Role.UNIT_IT, tree.a, username="cntt_a"),
        "unit_head": make_user(Role.UNIT_HEAD, tree.a, username="ht_a"),
        "learner": make_user(Role.LEARNER, tree.a, username="gv_a"),
        "it_b": make_user(Role.UNIT_IT, tree.b, username="cntt_b"),
    }
    return types.SimpleNamespace(tree=tree, users=users, feeds=feeds, tmp=tmp_path)


READERS = ("dept_admin", "dept_security", "unit_it", "unit_head")
DEPARTMENT = ("dept_admin", "dept_security")
SCHOOL_A = ("unit_it", "unit_head")
