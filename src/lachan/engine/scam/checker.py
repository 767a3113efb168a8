"""The checker: a URL, a phone number, a bank account number or a whole message in, a risk
level, a score and reasons out.

The score is the sum of the reasons' weights, clamped to 0..100 (high ≥ 70, medium ≥ 40).
In a message, each reason code counts once (its strongest occurrence), and reassuring signals
of the links in it (an official domain) count at most −15, so a real link does not hide an
OTP request.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .blocklist import Blocklist
from .data import load_data
from .extract import Found, find_accounts, find_emails, find_phones, find_urls, refang
from .indicators import (
    host_to_ascii,
    host_to_unicode,
    is_vietnamese_phone,
    normalize_account,
    normalize_email,
    normalize_ip,
    normalize_phone,
)
from .model import KINDS, CheckResult, Indicator, ProtectedDomain, Reason, risk_level
from .rules import MessageRules
from .textnorm import Mapped, clean, fold_plain
from .urlmodel import UrlModel, default_url_model
from .urls import Signal, UrlAnalyzer, UrlParts, parse_url

__all__ = ["Checker", "check", "default_checker", "detect_kind"]

MAX_INPUT = 20_000  # characters read from one input; the rest is ignored
MAX_LINKS = 30  # links of one message judged one by one (the first ones)
URL_ALLOW_CAP = -15  # the most a link's reassuring signal may take off a message's score

W_PHONE_LISTED = 90
W_ACCOUNT_LISTED = 90
W_EMAIL_LISTED = 90
W_PHONE_KNOWN = -30
W_PHONE_FOREIGN = 30
W_PHONE_PREMIUM = 10
W_PHONE_PREFIX = 25

_DETECT_URL = re.compile(
    r"^(?:(?:h[tx]{2}ps?|ftp)://\S+|www\.\S+"
    r"|(?:[^\W_][\w\-]*(?:\.|\[\.\]|\(\.\)|\[dot\])){1,}(?:[a-z]{2,24}|xn--[a-z0-9\-]+)\.?"
    r"(?::\d{1,5})?(?:[/?#]\S*)?"
    r"|\[?[0-9a-f:.]+\]?(?::\d{1,5})?(?:/\S*)?)$",
    re.IGNORECASE,
)
_PHONEISH = re.compile(r"^\+?[\d\s.\-()]{3,24}$")
_NAME_END = frozenset("de nhe nha voi va roi nhanh gap ngay truoc sau luon giup a".split())
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_NAME_STOP = frozenset('.,;:!?\n\r()[]{}"“”/|')
# Words that may stand between an account number (or "chủ TK:") and the holder's name.
_SKIP_BEFORE_NAME = frozenset(
    "ngan hang nh bank tai chu tk stk ctk ten tai khoan so la cua nguoi nhan thu huong account "
    "name chi nhanh cn pgd hoi so va hien thi noi dung nd vi mb tcb vtb stb ctg vpb tpb bidv "
    "vcb acb momo zalopay viettelpay".split()
)


def detect_kind(text: str) -> str:
    """``"url"``, ``"phone"``, ``"account"`` or ``"text"``, from the input's shape alone."""
    value = text.strip()
    if not value or "\n" in value or len(value) > 2048:
        return "text"
    address = value.split("/")[0] if value.count(".") == 3 else value  # "203.0.113.0/24"
    if normalize_ip(address) is not None:
        return "url"
    if _PHONEISH.match(value):
        digits = re.sub(r"\D", "", value)
        phone = normalize_phone(value)
        if phone is not None and (value.lstrip().startswith(("+", "0")) or len(digits) in (8, 10)):
            if value.startswith("+") or is_vietnamese_phone(phone) or len(digits) == 10:
                return "phone"
        if 3 <= len(digits) <= 5:
            return "phone"  # short codes: 113, 5656
        if normalize_account(value) is not None:
            return "account"
        return "phone" if phone else "text"
    if " " not in value and _DETECT_URL.match(value):
        if not value.replace(".", "").isdigit() or value.count(".") == 3:
            return "url"
    return "text"


class Checker:
    """Built once (data files, protected names, Public Suffix List, blocklist); ``check`` is
    cheap and thread-safe."""

    def __init__(
        self,
        *,
        blocklist: Blocklist | None = None,
        extra_protected: Iterable[ProtectedDomain] = (),
        extra_allowed: Iterable[str] = (),
        psl_file: Path | None = None,
        data_dir: Path | None = None,
        url_model: UrlModel | None | bool = True,
    ) -> None:
        data = load_data(data_dir)
        self._data = data
        # The learned host model (``url.model``): True = the bundled one, False/None = none.
        model = default_url_model() if url_model is True else url_model or None
        self._url_model = model
        self._model_probability = (
            lru_cache(maxsize=65_536)(model.probability) if model is not None else None
        )
        self._urls = UrlAnalyzer(
            data,
            blocklist=blocklist,
            extra_protected=extra_protected,
            extra_allowed=extra_allowed,
            psl_file=psl_file,
        )
        self._rules = MessageRules(data.rules, data.teencode)
        words = sorted((w for w in self._urls.word_brand if len(w) >= 3), key=len, reverse=True)
        self._brand_words = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])")
            if words
            else None
        )
        bank_words = sorted(
            (w for w, p in self._urls.word_brand.items() if p.category in ("bank", "ewallet")),
            key=len,
            reverse=True,
        )
        self._bank_words = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, bank_words)) + r")\b")
            if bank_words
            else None
        )
        self._skip_words = _SKIP_BEFORE_NAME | set(self._urls.word_brand)

    @property
    def blocklist(self) -> Blocklist:
        return self._urls.blocklist

    def registrable_domain(self, host: str) -> str | None:
        """The registrable domain of ``host`` by the Public Suffix List ("so.lachong.edu.vn" →
        "lachong.edu.vn"), in the form given (Unicode in, Unicode out); ``None`` for a public
        suffix, an unknown top-level domain or something that is not a host name."""
        value = host.strip().lower()
        if not value or value.startswith(".") or ".." in value:
            return None
        ascii_host = host_to_ascii(value)
        if ascii_host is None:
            return None
        found = self._urls.psl.privatesuffix(ascii_host)
        if found is None:
            return None
        return found if value.isascii() else host_to_unicode(found)

    def with_indicators(self, items: Iterable[Indicator]) -> Checker:
        """A checker like this one whose blocklist also holds ``items`` (cheap: the data,
        protected names and Public Suffix List are shared)."""
        other = copy.copy(self)
        other._urls = self._urls.with_blocklist(self._urls.blocklist.merged(items))
        return other

    # --- the check ----------------------------------------------------------------------------

    def check(self, text: str, kind: str = "auto") -> CheckResult:
        """Judge ``text`` as ``kind`` (``"auto"``: :func:`detect_kind`)."""
        text = text[:MAX_INPUT]
        if kind == "auto":
            kind = detect_kind(text)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of auto, {', '.join(KINDS)}, not {kind!r}")
        if not text.strip():
            return CheckResult(kind, "low", 0, ())
        if kind == "url":
            reasons = self._check_url_input(text)
        elif kind == "phone":
            reasons = self._check_phone_input(text)
        elif kind == "account":
            reasons = self._check_account_input(text)
        else:
            reasons = self._check_text(text)
        return _result(kind, reasons)

    def _check_url_input(self, text: str) -> list[Reason]:
        mapped = refang(clean(text))
        value = mapped.text.strip()
        offset = len(mapped.text) - len(mapped.text.lstrip())
        parts = parse_url(value) if " " not in value else None
        if parts is None:
            return [_unrecognised(text, "một đường dẫn hay tên miền hợp lệ")]
        signals = self._with_model(parts, self._urls.analyse(parts))
        return [_to_reason(s, mapped, offset) for s in signals]

    def _check_phone_input(self, text: str) -> list[Reason]:
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        digits = re.sub(r"[\s.\-()]", "", text)
        if digits.isdigit() and 3 <= len(digits) <= 5:
            name = self._data.legitimate_phones.get(digits)
            if name:
                return [
                    Reason(
                        "allow.known_phone",
                        f"{digits} là số {name}.",
                        text[start:end],
                        W_PHONE_KNOWN,
                        start,
                        end,
                    )
                ]
            return []
        phone = normalize_phone(text)
        if phone is None:
            return [_unrecognised(text, "một số điện thoại hợp lệ")]
        return self._phone_reasons(phone, text[start:end], start, end)

    def _phone_reasons(self, phone: str, shown: str, start: int, end: int) -> list[Reason]:
        out = []
        item = self.blocklist.match_phone(phone)
        if item is not None:
            out.append(
                Reason(
                    "blocklist.phone",
                    f"Số điện thoại “{shown}” đã bị cảnh báo hoặc báo cáo lừa đảo"
                    f"{_source(item)}. Số hiển thị có thể bị giả, nhưng đừng làm theo yêu cầu "
                    "của người gọi.",
                    shown,
                    W_PHONE_LISTED,
                    start,
                    end,
                )
            )
            return out
        name = self._data.legitimate_phones.get(phone)
        if name:
            out.append(
                Reason(
                    "allow.known_phone",
                    f"“{shown}” là số {name}. Lưu ý: kẻ gian có thể giả số hiển thị, nên vẫn "
                    "không cung cấp mã OTP hay chuyển tiền theo yêu cầu qua điện thoại.",
                    shown,
                    W_PHONE_KNOWN,
                    start,
                    end,
                )
            )
        elif phone.startswith("+"):
            out.append(
                Reason(
                    "phone.foreign",
                    f"“{shown}” là số nước ngoài. Cuộc gọi, tin nhắn lạ từ nước ngoài tự xưng là "
                    "cơ quan, ngân hàng hay người quen ở Việt Nam thường là lừa đảo; gọi lại có "
                    "thể mất cước cao.",
                    shown,
                    W_PHONE_FOREIGN,
                    start,
                    end,
                )
            )
        elif phone.startswith("1900"):
            out.append(
                Reason(
                    "phone.premium",
                    f"“{shown}” là đầu số 1900 tính cước cao; chỉ gọi khi đó đúng là tổng đài "
                    "chính thức bạn đã biết.",
                    shown,
                    W_PHONE_PREMIUM,
                    start,
                    end,
                )
            )
        elif not is_vietnamese_phone(phone):
            out.append(
                Reason(
                    "phone.invalid_prefix",
                    f"“{shown}” không theo đầu số di động hay cố định hiện hành của Việt Nam; có "
                    "thể là số giả mạo hiển thị.",
                    shown,
                    W_PHONE_PREFIX,
                    start,
                    end,
                )
            )
        return out

    def _check_account_input(self, text: str) -> list[Reason]:
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        account = normalize_account(text)
        if account is None:
            return [_unrecognised(text, "một số tài khoản (6–19 chữ số)")]
        return self._account_reasons(account, text[start:end], start, end)

    def _account_reasons(self, account: str, shown: str, start: int, end: int) -> list[Reason]:
        item = self.blocklist.match_account(account)
        if item is None:
            phone = normalize_phone(account) if account.startswith("0") else None
            item = self.blocklist.match_phone(phone) if phone else None
        if item is None:
            return []
        return [
            Reason(
                "blocklist.account",
                f"Số tài khoản “{shown}” đã bị cảnh báo hoặc báo cáo là tài khoản nhận tiền lừa "
                f"đảo{_source(item)}. Không chuyển tiền vào tài khoản này.",
                shown,
                W_ACCOUNT_LISTED,
                start,
                end,
            )
        ]

    def _with_model(self, parts: UrlParts, signals: list[Signal]) -> list[Signal]:
        """``signals`` plus ``url.model`` when the learned model finds the host risky. Never
        for a listed, official, known, shortener, ``.gov.vn``/``.edu.vn`` or local host, nor
        when the other signals already make the link high-risk."""
        if self._model_probability is None or self._url_model is None:
            return signals
        if any(
            s.code.startswith(("allow.", "blocklist.")) or s.code == "url.shortener"
            for s in signals
        ):
            return signals
        if sum(s.weight for s in signals) >= 70:
            return signals  # already high: the specific reasons say more than the model
        host = parts.ascii_host
        if parts.ip is not None:
            if not ipaddress.ip_address(parts.ip).is_global:
                return signals
            suffix = None
            shown = f"Địa chỉ IP “{parts.ip}” giống các địa chỉ"
        else:
            suffix = self._urls.psl.publicsuffix(host)
            if (
                suffix is None
                or suffix in ("gov.vn", "edu.vn")
                or suffix.endswith((".gov.vn", ".edu.vn"))
            ):
                return signals
            shown = f"Tên miền “{parts.display_host}” có đặc điểm giống các tên miền"
        weight = self._url_model.weight_for(self._model_probability(host, suffix))
        if not weight:
            return signals
        message = (
            f"{shown} lừa đảo, phát tán mã độc đã biết (tên như ngẫu nhiên, đuôi tên miền rẻ "
            "tiền, nhiều tầng tên miền con…), theo mô hình học từ các danh sách cảnh báo."
        )
        return [*signals, Signal("url.model", weight, message, parts.host_start, parts.host_end)]

    # --- messages ---------------------------------------------------------------------------

    def _check_text(self, text: str) -> list[Reason]:
        cleaned = clean(text)
        ref = refang(cleaned)
        source = ref.text
        reasons: list[Reason] = []
        emails = find_emails(source)
        taken = [(e.start, e.end) for e in emails]
        urls: list[tuple[Found, list[Signal]]] = []
        for found in find_urls(source, taken)[:MAX_LINKS]:
            parts = parse_url(found.text)
            if parts is None:
                continue
            if parts.ip is None and not found.text.lower().startswith(("http", "ftp", "www.")):
                if self._urls.psl.publicsuffix(parts.ascii_host, accept_unknown=False) is None:
                    continue  # "TP.HCM", "v.v": not a real top-level domain
            signals = self._with_model(parts, self._urls.analyse(parts))
            urls.append((found, signals))
            reasons.extend(_to_reason(s, ref, found.start) for s in signals)
        for email in emails:
            reasons.extend(self._email_reasons(email, ref))
        taken += [(f.start, f.end) for f, _ in urls]
        accounts = find_accounts(source, self._bank_words, taken)
        taken += [(a.start, a.end) for a in accounts]
        phones = find_phones(source, taken)
        for account in accounts:
            evidence, start, end = ref.evidence(account.start, account.end)
            reasons.extend(self._account_reasons(account.value, evidence, start, end))
        for phone in phones:
            evidence, start, end = ref.evidence(phone.start, phone.end)
            reasons.extend(self._phone_reasons(phone.value, evidence, start, end))

        masked = [ref.span(f.start, f.end) for f, _ in urls] + [
            ref.span(e.start, e.end) for e in emails
        ]
        prepared = self._rules.prepare(cleaned, masked)
        present = frozenset(
            name
            for name, items in (("url", urls), ("account", accounts), ("phone", phones))
            if items
        )
        for hit in self._rules.evaluate(prepared, present):
            evidence, start, end = prepared.evidence(hit.start, hit.end)
            reasons.append(Reason(hit.code, hit.message, evidence, hit.weight, start, end))
        reasons.extend(self._money_reasons(prepared, accounts, ref))
        reasons.extend(self._brand_link_reasons(prepared, urls, ref))
        return self._advisory_discount(reasons)

    def _advisory_discount(self, reasons: list[Reason]) -> list[Reason]:
        """An official warning quotes the scammers' words ("đối tượng giả danh công an yêu cầu
        chuyển tiền…"): when the advisory framing fires, the other word signals of the message
        count for ``advisory.factor`` of their weight; links, listed numbers and accounts keep
        theirs."""
        rules = self._rules
        if not rules.advisory_codes or not any(r.code in rules.advisory_codes for r in reasons):
            return reasons
        out = []
        for r in reasons:
            if r.code.startswith("text.") and r.weight > 0 and r.code not in rules.advisory_keep:
                weight = int(r.weight * rules.advisory_factor)
                r = Reason(r.code, r.message, r.evidence, weight, r.start, r.end)
            out.append(r)
        return out

    def _email_reasons(self, email: Found, ref: Mapped) -> list[Reason]:
        evidence, start, end = ref.evidence(email.start, email.end)
        value = normalize_email(email.text)
        out = []
        if value is not None:
            item = self.blocklist.match_email(value)
            if item is not None:
                out.append(
                    Reason(
                        "blocklist.email",
                        f"Địa chỉ email “{evidence}” có trong danh sách cảnh báo{_source(item)}.",
                        evidence,
                        W_EMAIL_LISTED,
                        start,
                        end,
                    )
                )
        at = email.text.rfind("@")
        parts = parse_url(email.text[at + 1 :])
        if parts is not None:
            for signal in self._urls.analyse(parts):
                if signal.code in ("url.credential_words",):
                    continue
                out.append(_to_reason(signal, ref, email.start + at + 1))
        return out

    def _money_reasons(self, prepared: Mapped, accounts: list[Found], ref: Mapped) -> list[Reason]:
        rules = self._rules
        session = rules.session(prepared)
        verbs = "transfer_verb" if "transfer_verb" in rules.concepts else "money_move"
        if not session.hits(verbs):
            return []
        out: list[Reason] = []
        original = prepared.original
        names: list[tuple[str, int, int, bool]] = []  # name, start, end, after a holder cue
        for account in accounts:
            _, _, end = ref.evidence(account.start, account.end)
            found = self._name_after(original, end)
            if found:
                names.append((*found, False))
        for cue in session.all_hits("holder_cue"):
            _, _, end = prepared.evidence(cue.start, cue.end)
            found = self._name_after(original, end)
            if found:
                names.append((*found, True))
        person: tuple[str, int, int] | None = None
        person_weight = rules.weights.get("text.personal_account", 45)
        organisation: tuple[str, int, int] | None = None
        cue_organisation = False
        for name, start, end, after_cue in names:
            folded = f" {fold_plain(name)} "
            following = fold_plain(original[start : end + 30]) + " "
            preceding = fold_plain(original[max(0, start - 12) : start]).split()[-2:]
            if preceding[-1:] == ["cn"] or preceding == ["chi", "nhanh"]:
                continue  # "Vietinbank chi nhánh Lạc Hồng": a branch, not the holder
            if name.split()[0].lower() in rules.organisation_marked or any(
                f" {w} " in folded or following.startswith(w + " ")
                for w in rules.organisation_words
            ):
                organisation = organisation or (name, start, end)
                cue_organisation = cue_organisation or after_cue
            elif after_cue or folded.split()[0] in rules.person_names:
                person = person or (name, start, end)
        if cue_organisation:
            person = None  # "tài khoản đứng tên Trường …": the holder named, an organisation
        if person is None and "personal_account_phrase" in rules.concepts:
            phrases = session.hits("personal_account_phrase")
            if phrases:
                evidence, start, end = prepared.evidence(phrases[0].start, phrases[0].end)
                person = (evidence, start, end)
                person_weight = rules.weights.get("text.personal_account_phrase", 30)
        if accounts:
            first = accounts[0]
            evidence, start, end = ref.evidence(first.start, first.end)
            out.append(
                Reason(
                    "text.money_request",
                    rules.messages.get("text.money_request", "Yêu cầu chuyển tiền vào tài khoản."),
                    evidence,
                    rules.weights.get("text.money_request", 20),
                    start,
                    end,
                )
            )
        if person is not None:
            name, start, end = person
            out.append(
                Reason(
                    "text.personal_account",
                    rules.messages.get(
                        "text.personal_account", "Tài khoản cá nhân “{name}”."
                    ).format(name=name),
                    name,
                    person_weight,
                    start,
                    end,
                )
            )
        elif organisation is not None:
            name, start, end = organisation
            out.append(
                Reason(
                    "allow.organisation_account",
                    rules.messages.get(
                        "allow.organisation_account", "Tài khoản đứng tên tổ chức “{name}”."
                    ).format(name=name),
                    name,
                    rules.weights.get("allow.organisation_account", -10),
                    start,
                    end,
                )
            )
        return out

    def _name_after(self, original: str, position: int) -> tuple[str, int, int] | None:
        """A run of 2–6 capitalised words soon after ``position`` (bank names, "chủ TK:"
        and punctuation skipped), with its offsets in the original input."""
        limit = min(len(original), position + 90)
        words: list[tuple[str, int, int]] = []
        lowercase = False
        skipped = 0
        pos = position
        while pos < limit:
            match = _WORD.search(original, pos, limit)
            if match is None:
                break
            gap = original[pos : match.start()]
            if words and (any(c in _NAME_STOP for c in gap) or any(c.isdigit() for c in gap)):
                break
            if not words and ("\n" in gap or any(c in ".!?;" for c in gap)):
                break
            word = match.group()
            folded = fold_plain(word)
            if (
                not words
                and not word[0].isupper()
                and word.isascii()  # typed without capitals, so without diacritics too
                and folded in self._rules.person_names
                and folded not in self._skip_words
            ):
                lowercase = True  # "chu tk nguyen van an": a name typed without capitals
            if lowercase and folded not in self._skip_words and folded not in _NAME_END:
                words.append((word, match.start(), match.end()))
                if len(words) == 4:
                    break
                pos = match.end()
                continue
            if lowercase:
                break
            if not words and (folded in self._skip_words or not word[0].isupper()):
                skipped += 1
                if skipped > 7 or (not word[0].isupper() and folded not in self._skip_words):
                    break
                pos = match.end()
                continue
            if not word[0].isupper() or folded in self._skip_words and len(words) >= 2:
                break
            words.append((word, match.start(), match.end()))
            if len(words) == 6:
                break
            pos = match.end()
        if len(words) < 2:
            return None
        start, end = words[0][1], words[-1][2]
        return original[start:end], start, end

    def _brand_link_reasons(
        self, prepared: Mapped, urls: list[tuple[Found, list[Signal]]], ref: Mapped
    ) -> list[Reason]:
        suspicious = [
            (found, signals)
            for found, signals in urls
            if not any(s.code.startswith("allow.") for s in signals)
        ]
        if not suspicious:
            return []
        claims = [(h.start, h.end) for h in self._rules.find(prepared, "brand_claim")]
        if self._brand_words is not None:
            claims += [(m.start(), m.end()) for m in self._brand_words.finditer(prepared.text)]
        if not claims:
            return []
        claim, _, _ = prepared.evidence(*min(claims))
        found, signals = suspicious[0]
        parts = parse_url(found.text)
        host = parts.display_host if parts is not None else found.text
        evidence, start, end = ref.evidence(found.start, found.end)
        if parts is not None:
            evidence, start, end = ref.evidence(
                found.start + parts.host_start, found.start + parts.host_end
            )
        message = self._rules.messages.get(
            "text.link_claims_brand", "Nhân danh “{claim}” nhưng dẫn tới “{host}”."
        ).format(claim=claim.strip(), host=host)
        return [
            Reason(
                "text.link_claims_brand",
                message,
                evidence,
                self._rules.weights.get("text.link_claims_brand", 35),
                start,
                end,
            )
        ]


def _to_reason(signal: Signal, mapped: Mapped, offset: int) -> Reason:
    evidence, start, end = mapped.evidence(offset + signal.start, offset + signal.end)
    return Reason(signal.code, signal.message, evidence, signal.weight, start, end)


def _unrecognised(text: str, what: str) -> Reason:
    value = text.strip()
    start = text.find(value) if value else -1
    return Reason(
        "input.unrecognised",
        f"Không nhận ra “{value[:80]}” là {what}.",
        value,
        0,
        start,
        start + len(value) if start >= 0 else -1,
    )


def _source(item: Indicator) -> str:
    parts = [p for p in (item.source, item.label) if p]
    return f" ({', '.join(parts)})" if parts else ""


def _result(kind: str, reasons: list[Reason]) -> CheckResult:
    best: dict[str, Reason] = {}
    # A real link or number in a message does not excuse a strong request (an OTP, money to a
    # person): then it only informs; otherwise it takes off at most URL_ALLOW_CAP.
    strong = any(r.code.startswith("text.") and r.weight >= 40 for r in reasons)
    for reason in reasons:
        weight = reason.weight
        if (
            kind == "text"
            and reason.code.startswith("allow.")
            and reason.code != "allow.organisation_account"
        ):
            weight = 0 if strong else max(weight, URL_ALLOW_CAP)
            if weight != reason.weight:
                reason = Reason(
                    reason.code, reason.message, reason.evidence, weight, reason.start, reason.end
                )
        kept = best.get(reason.code)
        if kept is None or abs(reason.weight) > abs(kept.weight):
            best[reason.code] = reason
    ordered = sorted(best.values(), key=lambda r: (-abs(r.weight), -r.weight, r.start))
    score = max(0, min(100, sum(r.weight for r in ordered)))
    return CheckResult(kind, risk_level(score), score, tuple(ordered))


@lru_cache(maxsize=1)
def default_checker() -> Checker:
    """A checker with the built-in data only (no blocklist), built on first use."""
    return Checker()


def check(text: str, kind: str = "auto") -> CheckResult:
    """:meth:`Checker.check` with :func:`default_checker`."""
    return default_checker().check(text, kind)
