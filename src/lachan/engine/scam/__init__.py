"""Scam analysis: is this link, phone number, bank account or message a scam?

``check(text)`` answers with a :class:`CheckResult` — a risk level (high ≥ 70, medium ≥ 40,
low), a score 0..100 and reasons in plain Vietnamese, each pointing at the part of the input
that caused it. A :class:`Checker` is built once from the data files in
``lachan/engine/data/scam/`` (protected official domains, known legitimate domains, URL
shorteners, risky top-level domains, message patterns, teen code), an optional
:class:`Blocklist` (lists imported with :func:`parse_blocklist`, confirmed reports) and the
registry's own domains (``extra_protected``). Pure Python, no Django.
"""

from .blocklist import FORMATS, Blocklist, BlocklistError, parse_blocklist
from .checker import Checker, check, default_checker, detect_kind
from .data import ScamDataError
from .indicators import (
    guess_indicator,
    normalize_account,
    normalize_host,
    normalize_indicator,
    normalize_ip,
    normalize_phone,
    normalize_url,
)
from .model import (
    INDICATOR_KINDS,
    KINDS,
    RISK_HIGH,
    RISK_MEDIUM,
    CheckResult,
    Indicator,
    ProtectedDomain,
    Reason,
    risk_level,
)
from .rules import RulesError

__all__ = [
    "FORMATS",
    "INDICATOR_KINDS",
    "KINDS",
    "RISK_HIGH",
    "RISK_MEDIUM",
    "Blocklist",
    "BlocklistError",
    "CheckResult",
    "Checker",
    "Indicator",
    "ProtectedDomain",
    "Reason",
    "RulesError",
    "ScamDataError",
    "check",
    "default_checker",
    "detect_kind",
    "guess_indicator",
    "normalize_account",
    "normalize_host",
    "normalize_indicator",
    "normalize_ip",
    "normalize_phone",
    "normalize_url",
    "parse_blocklist",
    "risk_level",
]
