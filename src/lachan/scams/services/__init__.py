"""Every write of the scams app: keyword-only, one transaction each, audited.

``actor`` None is the system (the CLI, the demo).
"""

from .blocklists import (
    MANUAL_SOURCE_NAME,
    REPORTS_SOURCE_NAME,
    ImportOutcome,
    add_manual_entry,
    import_blocklist,
    normalise_indicator,
    set_entry_active,
    set_source_active,
)
from .reports import approve_report, create_report, reject_report, start_case

__all__ = [
    "MANUAL_SOURCE_NAME",
    "REPORTS_SOURCE_NAME",
    "ImportOutcome",
    "add_manual_entry",
    "approve_report",
    "create_report",
    "import_blocklist",
    "normalise_indicator",
    "reject_report",
    "set_entry_active",
    "set_source_active",
    "start_case",
]
