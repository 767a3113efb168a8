"""The scam checker's plain data: reasons, results, indicators and protected domains."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "KINDS",
    "INDICATOR_KINDS",
    "RISK_HIGH",
    "RISK_MEDIUM",
    "CheckResult",
    "Indicator",
    "ProtectedDomain",
    "Reason",
    "risk_level",
]

KINDS = ("url", "phone", "account", "text")
INDICATOR_KINDS = ("url", "domain", "ip", "phone", "account", "email")
PROTECTED_CATEGORIES = (
    "bank",
    "ewallet",
    "government",
    "education",
    "delivery",
    "telecom",
    "other",
)

# A score of RISK_HIGH or more is "high", of RISK_MEDIUM or more "medium", below it "low".
RISK_HIGH = 70
RISK_MEDIUM = 40


def risk_level(score: int) -> str:
    """``"high"``, ``"medium"`` or ``"low"`` for a score of 0..100."""
    if score >= RISK_HIGH:
        return "high"
    if score >= RISK_MEDIUM:
        return "medium"
    return "low"


@dataclass(frozen=True, slots=True)
class Reason:
    """One signal: why, in plain Vietnamese, and which part of the input caused it."""

    code: str  # stable machine code: "blocklist.domain", "text.otp_request", …
    message: str  # plain Vietnamese with full diacritics
    evidence: str  # the exact substring of the original input
    weight: int  # contribution to the score (negative for reassuring signals)
    start: int = -1  # offset of ``evidence`` in the original input (-1: not locatable)
    end: int = -1

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The checker's answer: the kind of input, a risk level, a score and the reasons."""

    kind: str  # "url" | "phone" | "account" | "text"
    risk: str  # "high" | "medium" | "low"
    score: int  # 0..100
    reasons: tuple[Reason, ...]  # strongest first

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "risk": self.risk,
            "score": self.score,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class Indicator:
    """A blocklisted value, normalised (see :func:`lachan.engine.scam.normalize_indicator`)."""

    kind: str  # "url" | "domain" | "ip" | "phone" | "account" | "email"
    value: str  # lower-case host, URL without fragment, 0xxxxxxxxx or +CC phone, digits
    label: str = ""  # family / category / source note
    source: str = ""  # name of the list it came from


@dataclass(frozen=True)
class ProtectedDomain:
    """An official domain that look-alikes imitate."""

    domain: str  # registrable domain, e.g. "vietcombank.com.vn", "lachong.edu.vn"
    brand: str  # display name, e.g. "Ngân hàng Vietcombank", "Sở GDĐT Lạc Hồng"
    category: str  # bank | ewallet | government | education | delivery | telecom | other
    brand_words: tuple[str, ...] = ()  # e.g. ("vietcombank", "vcb")
