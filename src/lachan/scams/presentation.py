"""How a check result is shown to people: labels, the highlighted input, advice, and the
report form prefilled from what was checked."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import checking
from .checking import registrable_domain

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


def extract(text: str, kind: str = "auto") -> dict[str, list[str]]:
    """Links, phone numbers and account numbers in ``text``, found by the engine's extraction
    (``lachan.engine.scam.extract``, as the checker finds them in a message), for the report
    form. Input checked as one link, phone or account goes to that list as it is."""
    from lachan.engine.scam import detect_kind, normalize_url
    from lachan.engine.scam.extract import find_accounts, find_emails, find_phones, find_urls

    found: dict[str, list[str]] = {"phones": [], "accounts": [], "links": []}
    text = text.strip()
    kind = kind if kind != "auto" else detect_kind(text)
    single = {"url": "links", "phone": "phones", "account": "accounts"}.get(kind)
    if single:
        found[single].append(text)
        return found

    def add(key: str, value: str) -> None:
        if value and value not in found[key]:
            found[key].append(value)

    taken = [(e.start, e.end) for e in find_emails(text)]
    for url in find_urls(text, taken):
        host_part = url.text.split("://", 1)[-1].split("/", 1)[0]
        plain_host = not url.text.lower().startswith(("http", "ftp", "www."))
        if not normalize_url(url.text) or (plain_host and not registrable_domain(host_part)):
            continue  # "TP.HCM", "v.v": not a link
        taken.append((url.start, url.end))
        add("links", url.text)
    accounts = find_accounts(text, None, taken)
    for account in accounts:
        add("accounts", account.value)
    for phone in find_phones(text, taken + [(a.start, a.end) for a in accounts]):
        add("phones", phone.text)
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
