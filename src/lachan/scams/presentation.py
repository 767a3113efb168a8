"""How a check result is shown to people: labels, the highlighted input, advice, and the
report form prefilled from what was checked."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import checking

RISK_LABELS = {
    "high": _("Nguy cơ cao"),
    "medium": _("Cần thận trọng"),
    "low": _("Chưa thấy dấu hiệu"),
}
KIND_LABELS = {
    "url": _("đường link"),
    "phone": _("số điện thoại"),
    "account": _("số tài khoản"),
    "text": _("tin nhắn"),
}
# What to do next, by risk. "Low" never means safe: the last line is always shown.
ADVICE = {
    "high": [
        _("Không bấm vào đường link, không cài ứng dụng được gửi kèm."),
        _(
            "Không chuyển tiền, không đọc mã OTP hay mật khẩu cho bất kỳ ai, kể cả người xưng là "
            "công an, ngân hàng hay nhà trường."
        ),
        _(
            "Tự gọi lại cho người thân, giáo viên chủ nhiệm hoặc nhà trường bằng số bạn đã biết từ "
            "trước để xác minh."
        ),
        _(
            "Nếu đã lỡ chuyển tiền hoặc nhập thông tin: gọi ngay tổng đài ngân hàng theo số in ở "
            "mặt sau thẻ để khoá tài khoản, rồi trình báo công an nơi gần nhất (gọi 113)."
        ),
    ],
    "medium": [
        _("Dừng lại, chưa làm theo yêu cầu trong tin nhắn hay cuộc gọi."),
        _(
            "Kiểm tra qua kênh chính thức: trang web, ứng dụng hoặc tổng đài in trên thẻ ngân hàng, "
            "số điện thoại nhà trường đã biết từ trước."
        ),
        _("Không chuyển tiền, không gửi mã OTP, mật khẩu, ảnh căn cước cho người lạ."),
    ],
    "low": [
        _(
            "Vẫn cẩn thận: nếu có người yêu cầu chuyển tiền, gửi mã OTP hay thông tin cá nhân, hãy "
            "dừng lại và xác minh qua kênh chính thức."
        ),
    ],
}
LOW_IS_NOT_A_GUARANTEE = _(
    "“Chưa thấy dấu hiệu” không có nghĩa là an toàn: kẻ gian liên tục đổi số điện thoại, số tài "
    "khoản và tên miền mới mà danh sách chưa kịp ghi nhận."
)


def result_context(text: str, result: Any) -> dict[str, Any]:
    """Everything the result panel shows, from the engine's ``CheckResult``."""
    spans = checking.evidence_spans(text, result)
    marked = {index for span in spans for index in span["reasons"]}
    return {
        "text": text,
        "kind": result.kind,
        "kind_label": KIND_LABELS.get(result.kind, result.kind),
        "risk": result.risk,
        "risk_label": RISK_LABELS.get(result.risk, result.risk),
        "score": result.score,
        "reasons": [
            {
                "n": index + 1,
                "code": r.code,
                "message": r.message,
                "evidence": r.evidence,
                "weight": r.weight,
                "reassuring": r.weight < 0,
                "marked": index in marked,
            }
            for index, r in enumerate(result.reasons)
        ],
        "segments": checking.segments(text, spans),
        "advice": ADVICE.get(result.risk, ADVICE["low"]),
        "not_a_guarantee": LOW_IS_NOT_A_GUARANTEE,
        "report_kind": result.kind,
    }


def stored_result_context(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A result kept as JSON (``CheckResult.to_dict``) for the review page."""
    if not data:
        return None
    risk = str(data.get("risk", ""))
    return {
        "kind": data.get("kind", ""),
        "kind_label": KIND_LABELS.get(str(data.get("kind", "")), data.get("kind", "")),
        "risk": risk,
        "risk_label": RISK_LABELS.get(risk, risk),
        "score": data.get("score", 0),
        "reasons": [
            {
                "code": r.get("code", ""),
                "message": r.get("message", ""),
                "evidence": r.get("evidence", ""),
            }
            for r in data.get("reasons", [])
        ],
    }


_DIGITS = re.compile(r"\D+")


def account_digits(value: str) -> str:
    """``"0123 456 789 (Vietcombank)"`` → ``"0123456789"`` when that leaves 6+ digits."""
    digits = _DIGITS.sub("", value)
    return digits if len(digits) >= 6 else value.strip()


_URL = re.compile(r"(?:https?|hxxps?)://[^\s<>\"'“”]+|www\.[^\s<>\"'“”]+", re.IGNORECASE)
_HOST = re.compile(
    r"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?:/[^\s<>\"'“”]*)?",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w+])\+?\d(?:[\d .\-]{4,22}\d)(?!\w)")
_TRAILING = ".,;:!?)]}»…"
_ACCOUNT_WORDS = ("tài khoản", "tai khoan", "stk", "số tk", "so tk", "account")


def _local_extract(text: str) -> dict[str, list[str]]:
    """Links, phone numbers and account numbers written in a message (the engine's
    normalisation decides what each one is)."""
    from lachan.engine.scam.indicators import normalize_phone, normalize_url

    found: dict[str, list[str]] = {"phones": [], "accounts": [], "links": []}

    def add(key: str, value: str) -> None:
        if value and value not in found[key]:
            found[key].append(value)

    taken: list[tuple[int, int]] = []
    for pattern in (_URL, _HOST):
        for match in pattern.finditer(text):
            if any(a <= match.start() < b for a, b in taken):
                continue
            raw = match.group(0).rstrip(_TRAILING)
            if pattern is _HOST and "." not in raw.split("/")[0]:
                continue
            if normalize_url(raw):
                taken.append((match.start(), match.start() + len(raw)))
                add("links", raw)
    for match in _NUMBER.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        raw = match.group(0).strip()
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 6:
            continue
        before = text[max(0, match.start() - 24) : match.start()].lower()
        said_account = any(w in before for w in _ACCOUNT_WORDS)
        phone_like = raw.startswith(("0", "+84", "84")) and len(digits) <= 12
        if normalize_phone(raw) and phone_like and not said_account:
            add("phones", raw)
        elif 6 <= len(digits) <= 19:
            add("accounts", digits)
    return found


def extract(text: str, kind: str = "auto") -> dict[str, list[str]]:
    """Phones, accounts and links in ``text``, for the report form."""
    from lachan.engine import scam as engine

    extractor = getattr(engine, "extract_indicators", None)
    if extractor is None:
        if kind in {"phone", "account", "url"}:
            key = {"phone": "phones", "account": "accounts", "url": "links"}[kind]
            found = {"phones": [], "accounts": [], "links": []}
            found[key].append(text.strip())
            return found
        return _local_extract(text)
    found = {"phones": [], "accounts": [], "links": []}
    where = {"phone": "phones", "account": "accounts", "url": "links", "domain": "links"}
    for item in extractor(text):
        key = where.get(item.kind)
        if key and item.value not in found[key]:
            found[key].append(item.value)
    return found


def prefill_for(text: str, kind: str = "auto") -> dict[str, Any]:
    """Initial values of the report form from what was checked."""
    text = (text or "").strip()
    if not text:
        return {}
    found = extract(text, kind)
    return {
        "checked_text": text,
        "phones": "\n".join(found["phones"]),
        "accounts": "\n".join(found["accounts"]),
        "links": "\n".join(found["links"]),
    }
