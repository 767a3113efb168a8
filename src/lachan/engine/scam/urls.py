"""Judging one URL or host: blocklists, official and known domains, look-alikes, structure.

Signals (``code``: weight):

- ``blocklist.url`` / ``blocklist.domain`` / ``blocklist.ip``: 90, the value is on an imported
  list; ``blocklist.same_name``: 45, the same name as a listed domain under another suffix;
- ``allow.official_domain`` (−60), ``allow.known_domain`` (−40), ``allow.vn_restricted`` (−25:
  registrable only by state bodies or schools, ``.gov.vn`` / ``.edu.vn``);
- look-alikes of a protected brand: ``lookalike.homoglyph`` 85 (letters of another script or
  IDN/punycode), ``lookalike.leet`` 75 ("vietc0mbank"), ``lookalike.edit_distance`` 70
  (typos), ``lookalike.other_suffix`` 55 (the brand's name under another suffix),
  ``lookalike.brand_word`` 45 (the brand's name inside another domain), ``lookalike.gov_edu`` 55
  ("gov"/"edu" beside Vietnamese authority or school words outside .gov.vn/.edu.vn),
  ``lookalike.fake_suffix`` 40 ("….com.vn.example.top"), ``lookalike.brand_in_path`` 30;
- ``url.risky_tld`` (from risky_tlds.txt), ``url.shortener`` 30, ``url.ip_literal`` 45,
  ``url.userinfo`` 40, ``url.mixed_script`` 45, ``url.executable`` 35, ``url.malware_path`` 20,
  ``url.credential_words`` 15, ``url.shared_hosting`` 15, ``url.port`` 15, ``url.structure``
  10 a trait (at most 25).

Domains are split with the Public Suffix List (``publicsuffixlist``, offline). A registrable
domain under ``.gov.vn`` or ``.edu.vn`` is never itself called a look-alike.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from publicsuffixlist import PublicSuffixList
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .blocklist import Blocklist
from .data import ScamData
from .indicators import host_to_ascii, host_to_unicode, normalize_ip, url_key
from .model import ProtectedDomain
from .textnorm import _fold_char, fold_plain

__all__ = ["Signal", "UrlAnalyzer", "UrlParts", "parse_url"]

W_BLOCKLIST = 90
W_SAME_NAME = 45
W_SIMILAR_NAME = 40
W_SCAM_WORDS = 20
W_OFFICIAL = -60
W_KNOWN = -40
W_VN_RESTRICTED = -25
W_HOMOGLYPH = 85
W_LEET = 75
W_TYPO = 70
W_OTHER_SUFFIX = 55
W_OTHER_SUFFIX_SHORT = 40
W_BRAND_WORD = 45
W_BRAND_WORD_SHORT = 35
W_BRAND_WORD_WEAK = 25
W_GOV_EDU = 55
W_FAKE_SUFFIX = 40
W_BRAND_IN_PATH = 30
W_SHORTENER = 30
W_IP = 45
W_IP_PRIVATE = 20
W_IP_BARE = 30
W_USERINFO = 40
W_MIXED_SCRIPT = 45
W_EXECUTABLE = 35
W_MALWARE_PATH = 20
W_CREDENTIAL = 15
W_SHARED_HOSTING = 15
W_PORT = 15
W_TRAIT = 10
W_TRAITS_MAX = 25

_SCHEME = re.compile(r"^(?:(h[tx]{2}ps?|ftp)://)?", re.IGNORECASE)
_LETTERS = re.compile(r"[a-z]+")
_ALNUM = re.compile(r"[a-z0-9]+")
_PATH_TOKENS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_VOWELS = frozenset("aeiouy")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_SCHOOL_WORDS = ("thpt", "thcs", "tieuhoc", "mamnon", "truong", "sogd", "phonggd", "daihoc")
_BET = re.compile(r"(?<![a-z])[a-z]{0,3}\d{1,3}bet(?![a-z])|(?<![a-z])bet\d{2,4}")
# Local networks; documentation ranges (192.0.2.0/24…) stand for public addresses in examples.
_PRIVATE_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
        "fe80::/10",
    )
)


@dataclass(frozen=True, slots=True)
class Signal:
    """A URL signal; ``start``/``end`` are offsets in the analysed URL text."""

    code: str
    weight: int
    message: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class UrlParts:
    text: str  # the URL as analysed
    scheme: str
    host: str  # lower case, as written (may be Unicode)
    ascii_host: str  # "xn--" form; the IP for an IP literal
    display_host: str  # Unicode form
    port: int | None
    path: str  # path and query, as written
    userinfo: str
    ip: str | None
    host_start: int
    host_end: int
    path_start: int


def parse_url(text: str) -> UrlParts | None:
    """The parts of a URL or bare host (``hxxp`` and defanged dots already undone)."""
    match = _SCHEME.match(text)
    scheme = (match.group(1) or "").lower().replace("xx", "tt") if match else ""
    start = match.end() if match else 0
    end = start
    while end < len(text) and text[end] not in "/?#\\":
        end += 1
    netloc = text[start:end]
    userinfo, at, hostport = netloc.rpartition("@")
    host_start = start + (len(userinfo) + 1 if at else 0)
    port: int | None = None
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return None
        host = hostport[1:close]
        host_start += 1
        port_text = hostport[close + 1 :]
    else:
        host, colon, rest = hostport.partition(":")
        port_text = colon + rest
    if port_text:
        if not port_text.startswith(":") or not port_text[1:].isdigit():
            return None
        port = int(port_text[1:])
        if port > 65535:
            return None
    host_end = host_start + len(host)
    lowered = host.lower().rstrip(".")
    if not lowered:
        return None
    ip = normalize_ip(lowered)
    if ip is not None:
        ascii_host = display = ip
    else:
        converted = host_to_ascii(lowered)
        if converted is None or "." not in converted:
            return None
        tld = converted.rsplit(".", 1)[1]
        if not (tld.isalpha() or tld.startswith("xn--")):
            return None
        ascii_host = converted
        display = lowered if not lowered.isascii() else host_to_unicode(converted)
    path = text[end:].split("#", 1)[0]
    return UrlParts(
        text=text,
        scheme=scheme,
        host=lowered,
        ascii_host=ascii_host,
        display_host=display,
        port=port,
        path=path,
        userinfo=userinfo,
        ip=ip,
        host_start=host_start,
        host_end=host_end,
        path_start=end,
    )


def _buckets(labels: dict[str, str]) -> dict[str, list[str]]:
    """Labels of 6+ characters under their first and last three characters."""
    out: dict[str, list[str]] = {}
    for label in labels:
        if len(label) >= 6:
            out.setdefault(label[:3], []).append(label)
            out.setdefault(label[-3:], []).append(label)
    return out


def _skeleton(text: str) -> str:
    """Letters of any script folded to their Latin look-alikes, without diacritics."""
    return "".join(_fold_char(c) for c in text)


def _script_of(ch: str) -> str:
    if ch.isascii():
        return "latin"
    code = ord(ch)
    if 0x0400 <= code < 0x0530:
        return "cyrillic"
    if 0x0370 <= code < 0x0400:
        return "greek"
    if 0xC0 <= code < 0x250 or 0x1E00 <= code < 0x1F00:
        return "latin"
    return f"other{code >> 8}"


class UrlAnalyzer:
    """Everything a URL check needs, built once: protected names, lists, the PSL."""

    def __init__(
        self,
        data: ScamData,
        *,
        blocklist: Blocklist | None = None,
        extra_protected: Iterable[ProtectedDomain] = (),
        extra_allowed: Iterable[str] = (),
        psl_file: Path | None = None,
    ) -> None:
        if psl_file is not None:
            source = Path(psl_file).read_bytes()
            self.psl = PublicSuffixList(source)
            self.psl_icann = PublicSuffixList(source, only_icann=True)
        else:
            self.psl = PublicSuffixList()
            self.psl_icann = PublicSuffixList(only_icann=True)
        self.official: dict[str, ProtectedDomain] = {}
        self.word_brand: dict[str, ProtectedDomain] = {}
        protected = list(data.protected)
        # Registry domains given without brand words: their first label ("lachong") stands for
        # the unit, but may also be a place name in many honest domains, so alone it is a weak
        # sign (W_BRAND_WORD_WEAK) that becomes strong beside "edu"/"gov" (lookalike.gov_edu).
        self.weak_words: set[str] = set()
        for item in extra_protected:
            domain = host_to_ascii(item.domain) or item.domain.lower()
            words = tuple(fold_plain(w).replace(" ", "") for w in item.brand_words)
            if not words:
                label = domain.split(".")[0]
                if len(label) >= 5:
                    words = (label,)
                    if not any(w in label for w in _SCHOOL_WORDS):  # "thptngoquyen" is strong
                        self.weak_words.add(label)
            protected.append(ProtectedDomain(domain, item.brand, item.category, words))
        for item in protected:
            self.official.setdefault(item.domain, item)
            for word in item.brand_words:
                self.word_brand.setdefault(word, item)
        long_words = sorted((w for w in self.word_brand if len(w) >= 7), key=len, reverse=True)
        self.long_words = (
            re.compile("|".join(re.escape(w) for w in long_words)) if long_words else None
        )
        self.fuzzy_words = [w for w in self.word_brand if len(w) >= 6]
        self.allowed = set(data.legitimate_domains) | set(self.official)
        for value in extra_allowed:
            host = host_to_ascii(value)
            if host:
                self.allowed.add(host)
        self.shorteners = data.shorteners
        self.risky_tlds = data.risky_tlds
        url_words = data.url_words
        self.gov_markers = frozenset(url_words.get("gov_edu_markers", ()))
        self.vn_words = frozenset(url_words.get("vn_authority_words", ())) | self.weak_words
        self.vn_long_words = tuple(w for w in self.vn_words if len(w) >= 6)
        self.vn_suffixes = tuple(url_words.get("vn_suffixes", ()))
        self.credential_words = frozenset(url_words.get("credential_words", ()))
        self.executable = frozenset(url_words.get("executable_extensions", ()))
        self.malware_paths = tuple(url_words.get("malware_path_words", ()))
        self.scam_words: list[tuple[str, frozenset[str], re.Pattern[str] | None]] = []
        for key, what in (
            ("gambling_words", "cờ bạc trực tuyến (bất hợp pháp ở Việt Nam, hay đi kèm lừa đảo)"),
            ("tech_support_words", "“hỗ trợ kỹ thuật”, “cảnh báo virus” giả"),
        ):
            found = url_words.get(key, [])
            longer = sorted((w for w in found if len(w) >= 6), key=len, reverse=True)
            self.scam_words.append(
                (
                    what,
                    frozenset(found),
                    re.compile("|".join(map(re.escape, longer))) if longer else None,
                )
            )
        self.blocklist = blocklist or Blocklist()
        self.bad_labels = self._labels_of(self.blocklist.domains())
        self.bad_buckets = _buckets(self.bad_labels)

    def with_blocklist(self, blocklist: Blocklist) -> UrlAnalyzer:
        """A copy sharing everything but the blocklist (and what is derived from it)."""
        other = copy.copy(self)
        other.blocklist = blocklist
        other.bad_labels = self._labels_of(blocklist.domains())
        other.bad_buckets = _buckets(other.bad_labels)
        return other

    def _labels_of(self, domains: Iterable[str]) -> dict[str, str]:
        """Registrable labels (5+ characters) of listed domains → the listed registrable."""
        out: dict[str, str] = {}
        for domain in domains:
            registrable = self.psl.privatesuffix(domain)
            suffix = self.psl.publicsuffix(domain)
            if registrable and suffix:
                label = registrable[: -len(suffix) - 1]
                if len(label) >= 5:
                    out.setdefault(label, registrable)
        return out

    # --- helpers ------------------------------------------------------------------------------

    def _official_for(self, host: str, stop: str | None) -> ProtectedDomain | None:
        """The protected domain ``host`` is, or is under (not above ``stop``)."""
        candidate = host
        while True:
            found = self.official.get(candidate)
            if found is not None:
                return found
            if candidate == stop or "." not in candidate:
                return None
            candidate = candidate.split(".", 1)[1]

    def _allowed_for(self, host: str, stop: str | None) -> str | None:
        candidate = host
        while True:
            if candidate in self.allowed:
                return candidate
            if candidate == stop or "." not in candidate:
                return None
            candidate = candidate.split(".", 1)[1]

    def _brand(self, text: str) -> tuple[str, ProtectedDomain, int, int, str] | None:
        """A protected brand word in ``text`` (host labels or path, lower case ASCII)."""
        for m in _LETTERS.finditer(text):
            item = self.word_brand.get(m.group())
            if item is not None:
                return m.group(), item, m.start(), m.end(), "exact"
        if self.long_words is not None:
            m2 = self.long_words.search(text)
            if m2 is not None:
                return m2.group(), self.word_brand[m2.group()], m2.start(), m2.end(), "exact"
        for m in _ALNUM.finditer(text):
            token = m.group()
            if token.isalpha() or token.isdigit():
                continue
            for table in (_LEET, _LEET_I):
                plain = token.translate(table)
                item = self.word_brand.get(plain)
                if item is None and self.long_words is not None:
                    m3 = self.long_words.search(plain)
                    if m3 is not None:
                        item = self.word_brand[m3.group()]
                if item is not None and plain.isalpha():
                    return plain, item, m.start(), m.end(), "leet"
        if self.fuzzy_words:
            for m in _LETTERS.finditer(text):
                token = m.group()
                if len(token) < 6:
                    continue
                cutoff = 1 if len(token) < 10 else 2
                best = process.extractOne(
                    token, self.fuzzy_words, scorer=Levenshtein.distance, score_cutoff=cutoff
                )
                if best is not None and best[1] > 0:
                    word = str(best[0])
                    if abs(len(word) - len(token)) <= cutoff:
                        return word, self.word_brand[word], m.start(), m.end(), "typo"
            joined = re.sub(r"[^a-z]", "", text)
            if joined != text and joined in self.word_brand and len(joined) >= 6:
                return joined, self.word_brand[joined], 0, len(text), "typo"
        return None

    # --- the check ------------------------------------------------------------------------------

    def analyse(self, url: UrlParts) -> list[Signal]:
        """The signals of one URL, strongest first is not guaranteed (the caller sorts)."""
        out: list[Signal] = []
        hs, he = url.host_start, url.host_end
        shown = url.display_host

        # 1. Blocklists: an officer's list wins over every reassuring signal.
        out.extend(self._userinfo_signals(url))
        listed = False
        netloc = f"[{url.ip}]" if url.ip and ":" in url.ip else url.ascii_host
        if url.port is not None and url.port not in (80, 443):
            netloc += f":{url.port}"
        item = self.blocklist.match_url(url_key(f"{netloc}{url.path or '/'}"), url.path)
        if item is not None:
            out.append(
                Signal(
                    "blocklist.url",
                    W_BLOCKLIST,
                    f"Đường dẫn này có trong danh sách cảnh báo{_source(item.source, item.label)}.",
                    0,
                    len(url.text),
                )
            )
            listed = True
        if url.ip is not None:
            ip_item = self.blocklist.match_ip(url.ip)
            if ip_item is not None:
                out.append(
                    Signal(
                        "blocklist.ip",
                        W_BLOCKLIST,
                        f"Địa chỉ IP “{url.ip}” có trong danh sách cảnh báo"
                        f"{_source(ip_item.source, ip_item.label)}.",
                        hs,
                        he,
                    )
                )
                listed = True
            return self._ip_signals(url, out, listed)

        host = url.ascii_host
        suffix = self.psl.publicsuffix(host) or host.rsplit(".", 1)[1]
        registrable = self.psl.privatesuffix(host) or host
        icann_suffix = self.psl_icann.publicsuffix(host) or suffix
        found = self.blocklist.match_host(host)
        if found is not None and not listed:
            domain, host_item = found
            out.append(
                Signal(
                    "blocklist.domain",
                    W_BLOCKLIST,
                    f"Tên miền “{host_to_unicode(domain)}” có trong danh sách cảnh báo"
                    f"{_source(host_item.source, host_item.label)}.",
                    hs,
                    he,
                )
            )
            listed = True

        # 2. Official, known and state/school domains.
        official = self._official_for(host, registrable)
        shortener = registrable in self.shorteners or host in self.shorteners
        if official is not None:
            if not listed:
                out.append(
                    Signal(
                        "allow.official_domain",
                        W_OFFICIAL,
                        f"“{shown}” là tên miền chính thức của {official.brand}.",
                        hs,
                        he,
                    )
                )
            return out
        vn_restricted = suffix in ("gov.vn", "edu.vn") or suffix.endswith((".gov.vn", ".edu.vn"))
        allowed = self._allowed_for(host, registrable if icann_suffix != suffix else None)
        if shortener:
            out.append(
                Signal(
                    "url.shortener",
                    W_SHORTENER,
                    f"“{shown}” là dịch vụ rút gọn liên kết: không biết trước liên kết sẽ dẫn tới đâu.",
                    hs,
                    he,
                )
            )
        elif allowed is not None:
            if not listed:
                out.append(
                    Signal(
                        "allow.known_domain",
                        W_KNOWN,
                        f"“{host_to_unicode(allowed)}” là tên miền hợp pháp, phổ biến "
                        "(trong danh sách tên miền tin cậy).",
                        hs,
                        he,
                    )
                )
            out.extend(self._path_signals(url, None))
            return out
        elif vn_restricted and not listed:
            owner = "cơ quan nhà nước" if "gov.vn" in suffix else "cơ sở giáo dục"
            out.append(
                Signal(
                    "allow.vn_restricted",
                    W_VN_RESTRICTED,
                    f"Tên miền “{host_to_unicode(registrable)}” có đuôi .{suffix}, chỉ cấp cho {owner} "
                    "Việt Nam.",
                    hs,
                    he,
                )
            )
        if listed:
            return out

        # 3. Look-alikes of protected names.
        labels = host[: -len(suffix) - 1] if host.endswith("." + suffix) else host
        label = registrable[: -len(suffix) - 1] if registrable.endswith("." + suffix) else ""
        sub_host = labels
        if not host.isascii() or "xn--" in host:
            sub_host = _skeleton(host_to_unicode(labels))
            out.extend(self._idn_signals(url, sub_host, vn_restricted))
        if (
            not vn_restricted
            and not shortener
            and not any(s.code == "lookalike.homoglyph" for s in out)
        ):
            out.extend(self._lookalike_signals(url, sub_host, label, registrable, suffix))
        if label and label in self.bad_labels and self.bad_labels[label] != registrable:
            out.append(
                Signal(
                    "blocklist.same_name",
                    W_SAME_NAME,
                    f"Tên “{label}” trùng tên miền “{self.bad_labels[label]}” trong danh sách cảnh "
                    "báo, chỉ khác đuôi.",
                    hs,
                    he,
                )
            )
        elif label and len(label) >= 6 and self.bad_buckets:
            near = self._similar_bad(label)
            if near is not None and near != registrable:
                out.append(
                    Signal(
                        "blocklist.similar_name",
                        W_SIMILAR_NAME,
                        f"Tên miền “{shown}” chỉ khác vài ký tự so với “{near}” trong danh sách "
                        "cảnh báo: có thể cùng một nhóm lừa đảo.",
                        hs,
                        he,
                    )
                )
        if not shortener:
            out.extend(self._scam_word_signals(url, sub_host))

        # 4. Top-level domain, hosting, structure.
        tld = host.rsplit(".", 1)[1]
        weight = self.risky_tlds.get(tld)
        if weight and not shortener:
            out.append(
                Signal(
                    "url.risky_tld",
                    weight,
                    f"Tên miền dùng đuôi “.{tld}”, loại đuôi rẻ hoặc miễn phí hay bị dùng cho "
                    "trang lừa đảo.",
                    he - len(tld) - 1,
                    he,
                )
            )
        if icann_suffix != suffix and not shortener:
            out.append(
                Signal(
                    "url.shared_hosting",
                    W_SHARED_HOSTING,
                    f"Trang nằm trên dịch vụ tạo trang hay tên miền miễn phí “{suffix}”: ai cũng "
                    "có thể tạo một trang như vậy.",
                    hs,
                    he,
                )
            )
        if not shortener:
            idn = not host.isascii() or "xn--" in host
            out.extend(self._structure_signals(url, labels, label, idn))
        out.extend(self._path_signals(url, suffix))
        return out

    def _similar_bad(self, label: str) -> str | None:
        """A listed registrable domain whose label is one or two edits from ``label``."""
        cutoff = 1 if len(label) < 10 else 2
        candidates: set[str] = set()
        for key in (label[:3], label[-3:]):
            candidates.update(self.bad_buckets.get(key, ()))
        candidates = {c for c in candidates if abs(len(c) - len(label)) <= cutoff and c != label}
        if not candidates:
            return None
        best = process.extractOne(
            label, list(candidates), scorer=Levenshtein.distance, score_cutoff=cutoff
        )
        return self.bad_labels[str(best[0])] if best is not None else None

    def _scam_word_signals(self, url: UrlParts, sub_host: str) -> list[Signal]:
        tokens = set(_LETTERS.findall(sub_host))
        for what, words, longer in self.scam_words:
            hit = sorted(tokens & words)
            word = hit[0] if hit else None
            if word is None and longer is not None:
                match = longer.search(sub_host)
                word = match.group() if match else None
            if word is None:
                bets = _BET.search(sub_host) if "cờ bạc" in what else None
                word = bets.group() if bets else None
            if word is not None:
                return [
                    Signal(
                        "url.scam_words",
                        W_SCAM_WORDS,
                        f"Tên miền có chữ “{word}”, thường gặp ở trang {what}.",
                        url.host_start,
                        url.host_end,
                    )
                ]
        return []

    def _ip_signals(self, url: UrlParts, out: list[Signal], listed: bool) -> list[Signal]:
        assert url.ip is not None
        address = ipaddress.ip_address(url.ip)
        if listed:
            return out
        private = any(address in net for net in _PRIVATE_NETS) or address.is_loopback
        bare = not url.scheme and (not url.path or bool(re.fullmatch(r"/\d{1,3}", url.path)))
        out.append(
            Signal(
                "url.ip_literal",
                W_IP_PRIVATE if private else (W_IP_BARE if bare else W_IP),
                f"Liên kết dùng địa chỉ IP “{url.ip}” thay cho tên miền"
                + (
                    " (địa chỉ mạng nội bộ hoặc dành riêng)."
                    if private
                    else "; trang của ngân hàng, cơ quan hay trường học không làm như vậy."
                ),
                url.host_start,
                url.host_end,
            )
        )
        out.extend(self._path_signals(url, ""))
        return out

    def _idn_signals(self, url: UrlParts, skeleton: str, vn_restricted: bool) -> list[Signal]:
        hs, he = url.host_start, url.host_end
        shown = url.display_host
        brand = self._brand(skeleton)
        puny = "xn--" in url.text.lower()
        how = (
            f" (dạng punycode “{url.ascii_host}” hiển thị thành “{shown}”)"
            if puny
            else " (chữ của bảng chữ cái khác trông như chữ Latin)"
        )
        if brand is not None and not vn_restricted:
            word, item, *_ = brand
            return [
                Signal(
                    "lookalike.homoglyph",
                    W_HOMOGLYPH,
                    f"Tên miền “{shown}” dùng ký tự trông giống{how} để giả tên miền "
                    f"{item.domain} của {item.brand}.",
                    hs,
                    he,
                )
            ]
        scripts = {_script_of(c) for c in url.display_host if c.isalpha()}
        if len(scripts) > 1:
            return [
                Signal(
                    "url.mixed_script",
                    W_MIXED_SCRIPT,
                    f"Tên miền “{shown}” trộn chữ của nhiều bảng chữ cái (ví dụ chữ Kirin lẫn chữ "
                    "Latin), cách hay dùng để giả tên miền quen thuộc.",
                    hs,
                    he,
                )
            ]
        return []

    def _lookalike_signals(
        self, url: UrlParts, sub_host: str, label: str, registrable: str, suffix: str
    ) -> list[Signal]:
        hs, he = url.host_start, url.host_end
        shown = url.display_host
        out: list[Signal] = []
        brand = self._brand(sub_host)
        tokens = set(_LETTERS.findall(sub_host))
        if brand is not None:
            word, item, _, _, how = brand
            if how == "leet":
                out.append(
                    Signal(
                        "lookalike.leet",
                        W_LEET,
                        f"Tên miền “{shown}” thay chữ bằng số trông giống (như 0 thay o) để giả "
                        f"tên miền {item.domain} của {item.brand}.",
                        hs,
                        he,
                    )
                )
            elif how == "typo":
                out.append(
                    Signal(
                        "lookalike.edit_distance",
                        W_TYPO,
                        f"Tên miền “{shown}” gần giống tên miền chính thức {item.domain} của "
                        f"{item.brand} (chỉ khác vài ký tự) nhưng không phải.",
                        hs,
                        he,
                    )
                )
            elif label == word:
                out.append(
                    Signal(
                        "lookalike.other_suffix",
                        W_OTHER_SUFFIX if len(word) >= 5 else W_OTHER_SUFFIX_SHORT,
                        f"Tên miền “{shown}” mượn tên {item.brand} nhưng đuôi .{suffix} khác tên "
                        f"miền chính thức {item.domain}.",
                        hs,
                        he,
                    )
                )
            else:
                out.append(
                    Signal(
                        "lookalike.brand_word",
                        W_BRAND_WORD_WEAK
                        if word in self.weak_words
                        and not (tokens & (self.vn_words - self.weak_words - {"vn", "vietnam"}))
                        else (W_BRAND_WORD if len(word) >= 5 else W_BRAND_WORD_SHORT),
                        f"Tên miền “{shown}” chứa tên “{word}” của {item.brand} nhưng không thuộc "
                        f"tên miền chính thức {item.domain}.",
                        hs,
                        he,
                    )
                )
        labels = sub_host.split(".")
        for k in range(len(labels) - 1):
            for vn_suffix in self.vn_suffixes:
                parts = vn_suffix.split(".")
                if labels[k : k + len(parts)] == parts and k + len(parts) <= len(labels):
                    out.append(
                        Signal(
                            "lookalike.fake_suffix",
                            W_FAKE_SUFFIX,
                            f"Tên miền “{shown}” chèn “.{vn_suffix}” vào giữa để trông như tên miền "
                            f"Việt Nam, nhưng tên miền thật là “{host_to_unicode(registrable)}”.",
                            hs,
                            he,
                        )
                    )
                    break
            else:
                continue
            break
        if tokens & self.gov_markers:
            vn = (tokens & self.vn_words) - self.gov_markers
            if not vn:
                vn = {w for w in self.vn_long_words if w in sub_host}
            if vn:
                marker = sorted(tokens & self.gov_markers)[0]
                out.append(
                    Signal(
                        "lookalike.gov_edu",
                        W_GOV_EDU,
                        f"Tên miền “{shown}” ghép chữ “{marker}” với “{sorted(vn)[0]}” để giả trang "
                        "của cơ quan nhà nước hay trường học Việt Nam, nhưng không phải tên miền "
                        ".gov.vn hay .edu.vn.",
                        hs,
                        he,
                    )
                )
        return out

    def _structure_signals(self, url: UrlParts, labels: str, label: str, idn: bool) -> list[Signal]:
        traits = []
        if idn:  # judged on its displayed form, not the "xn--" encoding
            labels = _skeleton(host_to_unicode(labels))
            label = _skeleton(host_to_unicode(label))
        letters = re.sub(r"[^a-z]", "", label)
        digits = sum(c.isdigit() for c in label)
        if len(label) >= 25:
            traits.append("tên rất dài")
        if labels.count("-") >= 3:
            traits.append("nhiều dấu gạch ngang")
        if digits >= 2 and len(letters) >= 3:
            traits.append("trộn chữ và số")
        if labels.count(".") >= 3:
            traits.append("nhiều tầng tên miền con")
        if len(letters) >= 7 and (
            sum(c in _VOWELS for c in letters) / len(letters) < 0.2
            or _CONSONANT_RUN.search(letters)
        ):
            traits.append("chuỗi ký tự như ngẫu nhiên")
        out = []
        if traits:
            out.append(
                Signal(
                    "url.structure",
                    min(W_TRAITS_MAX, W_TRAIT * len(traits)),
                    f"Tên miền có cấu trúc bất thường: {', '.join(traits)}.",
                    url.host_start,
                    url.host_end,
                )
            )
        if url.port is not None and url.port not in (80, 443):
            out.append(
                Signal(
                    "url.port",
                    W_PORT,
                    f"Liên kết dùng cổng {url.port}, khác cổng web thông thường.",
                    url.host_end,
                    url.path_start,
                )
            )
        return out

    def _userinfo_signals(self, url: UrlParts) -> list[Signal]:
        if not url.userinfo:
            return []
        start = url.text.find(url.userinfo)
        return [
            Signal(
                "url.userinfo",
                W_USERINFO,
                f"Phần “{url.userinfo}@” đứng trước để đánh lừa người đọc: trang thật sự là "
                f"“{url.display_host}”.",
                max(0, start),
                url.host_start,
            )
        ]

    def _path_signals(self, url: UrlParts, suffix: str | None) -> list[Signal]:
        """Signals of the path; ``suffix`` is ``None`` for known domains and IPs (no brand
        or credential words there)."""
        out: list[Signal] = []
        path = url.path
        ps = url.path_start
        lowered = path.lower()
        if path and path not in ("/",):
            segment = lowered.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            ext = segment.rsplit(".", 1)[1] if "." in segment else ""
            if ext in self.executable:
                k = lowered.find(segment)
                out.append(
                    Signal(
                        "url.executable",
                        W_EXECUTABLE,
                        f"Liên kết tải về tệp cài đặt hay chạy được “{path[k : k + len(segment)]}”; "
                        "có thể là ứng dụng độc hại.",
                        ps + k,
                        ps + k + len(segment),
                    )
                )
            for word in self.malware_paths:
                k = lowered.find(word)
                if k >= 0:
                    out.append(
                        Signal(
                            "url.malware_path",
                            W_MALWARE_PATH,
                            "Đường dẫn có dạng thường gặp ở nơi phát tán mã độc.",
                            ps + k,
                            ps + k + len(word),
                        )
                    )
                    break
        if suffix is None:
            return out
        host_tokens = set(_PATH_TOKENS.findall(url.ascii_host)) | set(
            _LETTERS.findall(url.ascii_host)
        )
        path_tokens = _PATH_TOKENS.findall(lowered) + _LETTERS.findall(lowered)
        cred = sorted(host_tokens & self.credential_words)
        where = (url.host_start, url.host_end)
        if not cred:
            cred = [t for t in path_tokens if t in self.credential_words][:1]
            if cred:
                k = lowered.find(cred[0])
                where = (ps + k, ps + k + len(cred[0]))
        if cred:
            out.append(
                Signal(
                    "url.credential_words",
                    W_CREDENTIAL,
                    f"Liên kết có từ “{cred[0]}” (đăng nhập, xác thực, tài khoản…), thường gặp ở "
                    "trang lấy cắp tài khoản.",
                    *where,
                )
            )
        if lowered and lowered != "/":
            brand = self._brand(re.sub(r"[^a-z0-9]+", " ", lowered)) if suffix else None
            if brand is not None and len(brand[0]) >= 5 and brand[4] == "exact":
                word, item, *_ = brand
                k = lowered.find(word)
                out.append(
                    Signal(
                        "lookalike.brand_in_path",
                        W_BRAND_IN_PATH,
                        f"Đường dẫn nhắc tới “{word}” ({item.brand}) nhưng trang không thuộc tên "
                        f"miền chính thức {item.domain}.",
                        ps + max(k, 0),
                        ps + (k + len(word) if k >= 0 else len(path)),
                    )
                )
        return out


def _source(source: str, label: str) -> str:
    parts = [p for p in (source, label) if p]
    return f" ({', '.join(parts)})" if parts else ""
