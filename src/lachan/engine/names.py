"""Matching a botnet list row's subscriber name (tên thuê bao) and address to a unit.

ISPs type subscriber names their own way, years before the list arrives:
"TRUONG THPT NGO QUYEN - SO GD&DT HAI PHONG", "T.H.P.T Ngô Quyền (Hiệu trưởng: …)",
"Trường TH&THCS Hòa Bình - CS2". :class:`NameMatcher` proposes the unit a row belongs to, or
says that it cannot tell. A proposal is for an officer to confirm; a confirmed subscriber
name becomes an alias of the unit and then matches by itself (score 1.0).

How a name is read (subscriber names and unit names alike):

1. Text in brackets is set aside: a bracket about a person ("Hiệu trưởng: …", "ĐT: …") is
   dropped, any other bracket is kept as address context.
2. The rest is folded (:func:`fold`) and cut into segments at ``- – , ; : / |``. CamelCase
   ("TruongTHPTNgoQuyen"), glued abbreviations ("THPTNgô", "THTrần": Vietnamese "th" is
   always followed by a vowel) and spelled letters ("T.H.P.T") are undone; "&", "+" and
   "và" only join.
3. Phrases are recognised, longest first and across segment breaks ("GDNN - GDTX"): school
   levels in both spellings (THPT = trung học phổ thông, THCS, TH, MN/MG, PTDTNT, PTDTBT,
   GDNN-GDTX, "liên cấp"/"nhiều cấp" or two levels = phổ thông nhiều cấp), the kind
   ("Trường" at the head of a segment or before a level, since "Trương Định" folds to
   "truong dinh"; "Trung tâm"/"TT"; "Sở GD&ĐT" at the head), attributes ("chuyên", "tư
   thục"). After the name, a parent body ("- Sở GD&ĐT …"), a campus ("CS2", "cơ sở 2",
   "điểm trường …") or a room ("phòng máy") ends its segment and a person ("Hiệu trưởng …")
   is dropped. A company or another kind of body ("Công ty", "UBND", "Quán cà phê",
   "Nhà văn hóa") marks the name as not a school's.
4. The proper name is what remains of the segment that states the level. It is also tried
   without the place names that end it (the units' provinces and wards, their initials
   such as "HP", and the ``noise`` words, each with a "phường/xã/tỉnh/TP" before it) and
   without a trailing "phường …" part, because those words say where the school is, not
   what it is called. A place that starts the name is the name ("THCS Hòa Bình").

Comparing a candidate (see :meth:`NameMatcher.candidates`):

- **Level** must fit (:func:`_fit`): "THPT Ngô Quyền" is never "THCS Ngô Quyền". A level
  that fits only in part ("THCS …" for a "TH&THCS …" unit, "THCS …" for a "PTDTNT THCS …"
  unit) is shown for review, never attributed. A name stating no level ("Trường Ngô
  Quyền") scores lower and is attributed only when exactly one unit has that name.
- **Name**: equal compact forms (no spaces, "01" = "1") score 1.0, or 0.95 when only the
  i/y spelling differs ("Quí"/"Quý"). Otherwise a typo may score up to 0.95, so an exact
  match always wins: it needs the same number of syllables (so "Trần Phú" is not "Trần Phú
  Thịnh" and "An" is not "Chu Văn An"), the same numbers and single letters ("số 1", "Hòa
  Bình A"), six letters or more, the same first letter, and at most one edit up to nine
  letters, two up to fifteen, three beyond. "THPT NQ" (initials) is only offered for review.
- **Address**: a ward written as "phường/xã X" that is another unit's ward, is not the
  candidate's, and is not in the candidate's own name or address, contradicts it; a ward
  named bare, a street ("đường Lê Chân") or a former district ("quận Lê Chân") does not. The
  candidate's ward anywhere, or a street address shared with it, supports it and settles a
  tie between same-named units.
- **Ties** left after that are settled by the diacritics when the subscriber name (for the
  unit's name) or the address (for its ward) was typed with them: "Tiến Hưng" is not "Tiên
  Hưng", wherever the tone mark sits ("Thuỵ" = "Thụy"). Otherwise neither is attributed.
- Whatever must not lead to an attribution (a contradicting address, a level that fits in
  part, two equally good units, a company, an unstated level shared by several units)
  keeps the score below the threshold (at most threshold − 0.05); the reason says which, in
  Vietnamese. So ``match()`` is the first of ``candidates()`` when it reaches the threshold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

__all__ = ["NameMatch", "NameMatcher", "UnitName", "fold", "school_level"]


@dataclass(frozen=True, slots=True)
class UnitName:
    """A unit as name matching sees it."""

    key: str  # unit code
    name: str  # "Trường THPT Ngô Quyền"
    short_name: str = ""
    aliases: tuple[str, ...] = ()  # subscriber names confirmed before
    unit_type: str = ""  # so, phong, thpt, pt_nhieu_cap, thcs, th, mn, gdnn_gdtx, khac
    ward: str = ""  # commune/ward
    province: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A unit proposed for a row, a score in [0, 1] and why, in Vietnamese."""

    key: str
    score: float
    reason: str


# --- folding --------------------------------------------------------------------------------

# "Ð"/"ð" (eth) stand in for "Đ"/"đ" in text that went through legacy Vietnamese encodings.
_D_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ɖ": "d", "Ɖ": "d"})
_NOT_WORD = re.compile(r"[\W_]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# The same, precomputed for precomposed Latin letters (all of Vietnamese): one translate.
_LATIN_PLAIN = {
    cp: plain
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))
    if (plain := _strip_marks(chr(cp))) != chr(cp) and plain.isascii()
}


def fold(text: str) -> str:
    """Lower case, no diacritics (đ→d), punctuation as spaces, single spaces.

    ``fold("Trường THPT-Ngô Quyền") == "truong thpt ngo quyen"``. NFKD rather than NFD also
    turns full-width letters into plain ones.
    """
    text = text.casefold()
    if not text.isascii():
        text = text.translate(_LATIN_PLAIN)
        if not text.isascii():  # combining marks, full-width letters, other scripts
            text = _strip_marks(text)
    return _NOT_WORD.sub(" ", text).strip()


# --- tokens ---------------------------------------------------------------------------------

_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|\{([^{}]*)\}")
_SEPARATORS = re.compile(r"[-\u2010-\u2015\u2212,;:/|\\\r\n]+")
_JOINERS = re.compile(r"[&+]")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
# Abbreviations and level words no Vietnamese syllable starts with, so "thptngo" is "thpt
# ngo"; the number is the shortest remainder worth splitting off.
_GLUED = (
    *((w, 2) for w in ("ptdtnt", "ptdtbt", "thpt", "thcs", "gdnn", "gdtx")),
    *((w, 2) for w in ("trunghocphothong", "trunghoccoso", "tieuhoc", "mamnon", "maugiao")),
)
_GLUED_SHORT = (("mn", 3), ("mg", 3))
_NOT_GLUED = frozenset({"mnong"})  # M'Nông, an ethnic group
_GLUED_HEADS = ("truong", "tt")  # only when an abbreviation follows: "truongthpt", "ttgdtx"
_GLUE_STARTS = frozenset(w[:2] for w, _ in (*_GLUED, *_GLUED_SHORT)) | {"tr", "tt"}
_CONNECTORS = frozenset({"va"})  # "TH và THCS", "Sở Giáo dục và Đào tạo"
_CONSONANTS = frozenset("bcdghklmnpqrstvx")


def _uncamel(text: str) -> str:
    """Put a space where CamelCase joins words: "TruongTHPTNgoQuyen" → "Truong THPT Ngo Quyen"."""
    if text.isupper() or text.islower():
        return text
    parts = text.split(" ")
    for k, part in enumerate(parts):
        if part.isupper() or part.islower() or part.istitle():
            continue
        out: list[str] = []
        last = len(part) - 1
        for i, ch in enumerate(part):
            if i and ch.isupper():
                prev = part[i - 1]
                if prev.islower() or (
                    prev.isupper() and prev != ch and i < last and part[i + 1].islower()
                ):  # "TTrinh" is a slip of the finger, not "T Trinh"
                    out.append(" ")
            out.append(ch)
        parts[k] = "".join(out)
    return " ".join(parts)


def _glued_th(word: str) -> bool:
    """ "thtran": Vietnamese "th" is always followed by a vowel, so this is "TH" + "Trần"."""
    return (
        word.startswith("th")
        and len(word) >= 4
        and word[2] in _CONSONANTS
        and not word.startswith(("thpt", "thcs"))
    )


def _unglue(word: str) -> list[str]:
    if word in _NOT_GLUED:
        return [word]
    for prefix, rest in (*_GLUED, *_GLUED_SHORT):
        if word.startswith(prefix) and len(word) >= len(prefix) + rest:
            return [prefix, *_unglue(word[len(prefix) :])]
    if _glued_th(word):
        return ["th", *_unglue(word[2:])]
    for head in _GLUED_HEADS:
        if word.startswith(head) and len(word) > len(head):
            tail = word[len(head) :]
            if _glued_th(tail) or any(tail.startswith(p) for p, _ in (*_GLUED, *_GLUED_SHORT)):
                return [head, *_unglue(tail)]
    return [word]


def _words(text: str) -> list[str]:
    """Folded words of a piece of text, with glued and spelled-out abbreviations undone."""
    out: list[str] = []
    for part in _JOINERS.split(text) if ("&" in text or "+" in text) else (text,):
        words: list[str] = []
        spelled = False
        for word in fold(part).split():
            for piece in (word,) if word.isalpha() else _LETTER_DIGIT.split(word):
                if not piece or piece in _CONNECTORS:
                    continue
                if len(piece) > 3 and piece[:2] in _GLUE_STARTS:
                    words.extend(_unglue(piece))
                else:
                    words.append(piece)
                    spelled = spelled or (len(piece) == 1 and piece.isalpha())
        if not spelled:
            out.extend(words)
            continue
        run: list[str] = []  # "t h p t" from "T.H.P.T"
        for word in words:
            if len(word) == 1 and word.isalpha():
                run.append(word)
                continue
            out.extend(("".join(run),) if len(run) > 1 else run)
            run = []
            out.append(word)
        out.extend(("".join(run),) if len(run) > 1 else run)
    return out


def _segments(text: str) -> list[list[str]]:
    return [ws for part in _SEPARATORS.split(text) if (ws := _words(part))]


def _split_brackets(text: str) -> tuple[str, list[str]]:
    """Text outside brackets and the bracketed notes; an unclosed "(" opens a note to the end."""
    notes = [next(g for g in m.groups() if g is not None) for m in _BRACKETED.finditer(text)]
    rest = _BRACKETED.sub(" , ", text)
    for opener in "([{":
        if opener in rest:
            rest, _, tail = rest.partition(opener)
            notes.append(tail)
    return rest, notes


# --- phrases --------------------------------------------------------------------------------

# roles of a recognised phrase
_GRADE = "grade"  # value: mn, th, thcs, thpt
_MULTI = "multi"  # liên cấp, nhiều cấp
_SPECIAL = "special"  # value: ptdtnt, ptdtbt, gdnn_gdtx, dai_hoc, cao_dang, trung_cap
_VAGUE = "vague"  # value: trung_hoc, pho_thong
_KIND = "kind"  # value: truong, trung_tam
_ATTR = "attr"  # value: chuyen, tu_thuc, quoc_te
_NOISE = "noise"
_OFFICE = "office"  # value: so, phong_gd — the subject at the head, a parent body after a name
_CAMPUS = "campus"
_ROOM = "room"
_PERSON = "person"
_COMPANY = "company"  # value: what it is, for the reason
_WARD_WORD = "ward_word"
_DISTRICT_WORD = "district_word"
_PROVINCE_WORD = "province_word"
_STREET = "street"
_NAME = "name"
_CONTEXT = "context"

_ADMIN_ROLES = frozenset({_WARD_WORD, _DISTRICT_WORD, _PROVINCE_WORD})
_SCHOOL_ROLES = frozenset({_GRADE, _MULTI, _SPECIAL, _VAGUE, _KIND, _ATTR})
_LEVEL_ROLES = _SCHOOL_ROLES | {_OFFICE}

_Phrase = tuple[str, ...]


def _entries(role: str, value: str, *texts: str) -> list[tuple[_Phrase, str, str]]:
    return [(tuple(t.split()), role, value) for t in texts]


_ADMIN_ENTRIES = [
    *_entries(_WARD_WORD, "", "phuong", "xa", "p", "x", "dac khu", "thi tran"),
    *_entries(_DISTRICT_WORD, "", "quan", "huyen", "thi xa", "tx", "q", "h"),
    *_entries(_PROVINCE_WORD, "", "tinh", "thanh pho", "tp"),
]

_NAME_ENTRIES = [
    *_entries(_GRADE, "thpt", "thpt", "trung hoc pho thong", "pho thong trung hoc", "ptth"),
    *_entries(_GRADE, "thpt", "trunghocphothong"),
    *_entries(_GRADE, "thcs", "trunghoccoso"),
    *_entries(_GRADE, "th", "tieuhoc"),
    *_entries(_GRADE, "mn", "mamnon", "maugiao"),
    *_entries(_GRADE, "thpt", "cap 3", "cap iii"),
    *_entries(_GRADE, "thcs", "thcs", "trung hoc co so", "pho thong co so", "ptcs"),
    *_entries(_GRADE, "thcs", "cap 2", "cap ii"),
    *_entries(_GRADE, "th", "th", "tieu hoc", "cap 1", "cap i"),
    *_entries(_GRADE, "mn", "mn", "mam non", "mg", "mau giao", "nha tre", "nhom tre"),
    *_entries(_GRADE, "mn", "nhom tre doc lap", "lop mau giao", "nhom lop"),
    *_entries(_MULTI, "", "lien cap", "nhieu cap", "pho thong nhieu cap", "pt nhieu cap"),
    *_entries(_MULTI, "", "pho thong lien cap", "pt lien cap"),
    *_entries(_SPECIAL, "ptdtnt", "ptdtnt", "pt dtnt", "dtnt", "pho thong dan toc noi tru"),
    *_entries(_SPECIAL, "ptdtnt", "dan toc noi tru", "pt dan toc noi tru"),
    *_entries(_SPECIAL, "ptdtbt", "ptdtbt", "pt dtbt", "dtbt", "pho thong dan toc ban tru"),
    *_entries(_SPECIAL, "ptdtbt", "dan toc ban tru", "pt dan toc ban tru"),
    *_entries(_SPECIAL, "gdnn_gdtx", "gdnn gdtx", "gdtx gdnn", "gdnn", "gdtx", "ttgdtx"),
    *_entries(_SPECIAL, "gdnn_gdtx", "giao duc nghe nghiep giao duc thuong xuyen"),
    *_entries(_SPECIAL, "gdnn_gdtx", "giao duc nghe nghiep", "giao duc thuong xuyen"),
    *_entries(_SPECIAL, "gdnn_gdtx", "gdnn gdtx hn", "gdtx hn", "ktth hn", "huong nghiep"),
    *_entries(_SPECIAL, "gdnn_gdtx", "ky thuat tong hop huong nghiep", "day nghe", "dn gdtx"),
    *_entries(_SPECIAL, "dai_hoc", "dai hoc", "hoc vien"),
    *_entries(_SPECIAL, "cao_dang", "cao dang"),
    *_entries(_SPECIAL, "trung_cap", "trung cap"),
    *_entries(_VAGUE, "trung_hoc", "trung hoc"),
    *_entries(_VAGUE, "pho_thong", "pho thong", "pt"),
    *_entries(_KIND, "truong", "truong", "truong hoc"),
    *_entries(_KIND, "trung_tam", "trung tam", "tt"),
    *_entries(_ATTR, "chuyen", "chuyen"),
    *_entries(_ATTR, "tu_thuc", "tu thuc", "dan lap", "ngoai cong lap", "tu lap"),
    *_entries(_ATTR, "quoc_te", "quoc te"),
    *_entries(_NOISE, "", "cong lap"),
    *_entries(_OFFICE, "so", "so gd dt", "so gddt", "so gd", "so giao duc dao tao"),
    *_entries(_OFFICE, "so", "so giao duc", "sgd dt", "sgddt", "sgd"),
    *_entries(_OFFICE, "phong_gd", "phong gd dt", "phong gddt", "phong gd", "pgd dt", "pgddt"),
    *_entries(_OFFICE, "phong_gd", "phong giao duc dao tao", "phong giao duc", "pgd"),
    *_entries(_CAMPUS, "", "co so", "diem truong", "diem le", "diem chinh", "phan hieu"),
    *_entries(_ROOM, "", "phong may", "phong may tinh", "phong tin hoc", "phong thuc hanh"),
    *_entries(_ROOM, "", "phong hoc", "phong hoi dong", "thu vien", "van phong", "ky tuc xa"),
    *_entries(_ROOM, "", "ktx", "nha da nang", "wifi", "to tin hoc", "to van phong", "bo phan"),
    *_entries(_PERSON, "", "hieu truong", "pho hieu truong", "hieu pho", "giam doc"),
    *_entries(_PERSON, "", "pho giam doc", "ke toan", "nguoi dai dien", "dai dien", "lien he"),
    *_entries(_PERSON, "", "nguoi lien he", "chu thue bao", "sdt", "so dien thoai", "dien thoai"),
    *_entries(_PERSON, "", "tel", "fax", "email", "mst", "ma so thue"),
    *_entries(_COMPANY, "công ty", "cong ty", "cty", "tnhh", "co phan", "jsc", "company"),
    *_entries(_COMPANY, "công ty", "corp", "corporation", "ltd", "co ltd", "tap doan"),
    *_entries(_COMPANY, "doanh nghiệp", "doanh nghiep", "dntn"),
    *_entries(_COMPANY, "hộ kinh doanh", "ho kinh doanh", "hkd"),
    *_entries(_COMPANY, "cửa hàng", "cua hang", "tiem", "shop", "dai ly", "tap hoa"),
    *_entries(_COMPANY, "cửa hàng", "sieu thi", "nha sach", "nha thuoc", "showroom"),
    *_entries(_COMPANY, "quán", "quan ca phe", "quan cafe", "quan an", "quan nuoc"),
    *_entries(_COMPANY, "quán", "quan net", "quan game", "quan bia", "ca phe", "cafe"),
    *_entries(_COMPANY, "quán", "coffee", "karaoke", "internet", "game"),
    *_entries(_COMPANY, "nhà hàng, khách sạn", "nha hang", "khach san", "nha nghi"),
    *_entries(_COMPANY, "nhà hàng, khách sạn", "hotel", "homestay", "resort", "spa", "salon"),
    *_entries(_COMPANY, "nhà văn hóa", "nha van hoa", "nvh", "hoi truong"),
    *_entries(_COMPANY, "cơ quan khác", "ubnd", "uy ban nhan dan", "hdnd", "dang uy"),
    *_entries(_COMPANY, "cơ quan khác", "cong an", "ban chi huy quan su", "kho bac", "toa an"),
    *_entries(_COMPANY, "cơ quan khác", "vien kiem sat", "bao hiem xa hoi", "chi cuc"),
    *_entries(_COMPANY, "cơ sở y tế", "benh vien", "tram y te", "trung tam y te"),
    *_entries(_COMPANY, "cơ sở y tế", "phong kham"),
    *_entries(_COMPANY, "ngân hàng", "ngan hang", "bank"),
    *_entries(_COMPANY, "bưu điện", "buu dien", "buu cuc", "buu chinh"),
    *_entries(_COMPANY, "hợp tác xã", "hop tac xa", "htx"),
    *_entries(_COMPANY, "chi nhánh", "chi nhanh"),
    *_entries(_COMPANY, "cơ sở sản xuất", "nha may", "xi nghiep", "xuong", "trang trai"),
    *_entries(_COMPANY, "cơ sở sản xuất", "khu cong nghiep", "kcn"),
    *_ADMIN_ENTRIES,
]

_ADDRESS_ENTRIES = [
    *_ADMIN_ENTRIES,
    *_entries(_WARD_WORD, "", "tt"),  # thị trấn, in an address
    *_entries(_STREET, "", "so", "so nha", "duong", "pho", "ngo", "ngach", "hem", "kiet"),
    *_entries(_STREET, "", "thon", "xom", "ap", "ban", "to", "to dan pho", "tdp", "khu"),
    *_entries(_STREET, "", "khu pho", "kp", "khu dan cu", "kdc", "khu do thi", "kdt", "lo"),
    *_entries(_STREET, "", "km", "quoc lo", "ql", "tinh lo", "tl", "toa nha", "tang", "cum"),
    *_entries(_STREET, "", "doi", "lang", "khom", "khu cong nghiep", "kcn"),
]


class _PhraseTable:
    """Phrases by their first word, longest first, for a left-to-right longest match."""

    __slots__ = ("_by_first",)

    def __init__(self, entries: Iterable[tuple[_Phrase, str, str]]) -> None:
        by_first: dict[str, list[tuple[_Phrase, str, str]]] = {}
        for entry in entries:
            if entry[0]:
                by_first.setdefault(entry[0][0], []).append(entry)
        for found in by_first.values():
            found.sort(key=lambda e: -len(e[0]))
        self._by_first = by_first

    def at(self, words: Sequence[str], i: int) -> tuple[_Phrase, str, str] | None:
        for entry in self._by_first.get(words[i], ()) if i < len(words) else ():
            size = len(entry[0])
            if tuple(words[i : i + size]) == entry[0]:
                return entry
        return None

    def __bool__(self) -> bool:
        return bool(self._by_first)


_NAME_PHRASES = _PhraseTable(_NAME_ENTRIES)
_ADDRESS_PHRASES = _PhraseTable(_ADDRESS_ENTRIES)
_ADDRESS_WORDS = frozenset(w for phrase, _, _ in _ADDRESS_ENTRIES for w in phrase)
_ADMIN_PHRASES = _PhraseTable(_ADMIN_ENTRIES)
_SINGLE_LETTER_ADMIN = frozenset({"p", "x", "q", "h"})


def _place_key(text: str) -> _Phrase:
    """A place as compared: folded words without "phường/xã/tỉnh/TP…" in front."""
    words = _words(text)
    hit = _ADMIN_PHRASES.at(words, 0)
    if hit is not None and len(words) > len(hit[0]):
        words = words[len(hit[0]) :]
    return tuple(words)


class _Places:
    """Known place names (wards, provinces, noise words) found in word sequences."""

    __slots__ = ("_provinces", "_table", "_wards", "keys")

    def __init__(
        self,
        keys: Iterable[_Phrase],
        wards: Iterable[_Phrase] = (),
        provinces: Iterable[_Phrase] = (),
    ) -> None:
        self.keys = frozenset(k for k in keys if k)
        self._table = _PhraseTable((k, "", "") for k in self.keys)
        self._wards = frozenset(wards)
        self._provinces = frozenset(provinces)

    def admits(self, role: str, place: _Phrase) -> bool:
        """Whether "phường/xã…" or "tỉnh/TP…" can stand before this place: "Hoa Phượng Hải
        Phòng" is a kindergarten in a province, not "Hoa" in a ward called Hải Phòng."""
        if role == _WARD_WORD:
            return place in self._wards or place not in self._provinces
        if role == _PROVINCE_WORD:
            return place in self._provinces or place not in self._wards
        return True

    def at(self, words: Sequence[str], i: int) -> _Phrase | None:
        hit = self._table.at(words, i)
        return hit[0] if hit is not None else None

    def peel(self, words: _Phrase) -> tuple[_Phrase, list[_Phrase]]:
        """Take known places off the end, each with the "phường/xã/TP…" before it:
        "Ngô Quyền phường Hòa Bình Hải Phòng" → "Ngô Quyền", [Hải Phòng, Hòa Bình].

        The first word always stays: a place at the start is the name itself ("THCS Hòa
        Bình" in phường Hòa Bình). A bare number is not a place ("Xã 3" is).
        """
        out = list(words)
        peeled: list[_Phrase] = []
        while len(out) > 1:
            for start in range(1, len(out)):
                tail = tuple(out[start:])
                if tail in self.keys and (
                    not tail[0].isdigit() or _ADMIN_PHRASES.at(out, start - 1) is not None
                ):
                    break
            else:
                break
            del out[start:]
            peeled.append(tail)
            for size in (2, 1):
                admin = _ADMIN_PHRASES.at(out[-size:], 0) if len(out) > size else None
                if admin is not None and len(admin[0]) == size and self.admits(admin[1], tail):
                    del out[-size:]
                    break
        return tuple(out), peeled


# --- levels ---------------------------------------------------------------------------------

_GRADE_ORDER = ("mn", "th", "thcs", "thpt")
_GRADE_ABBR = {"mn": "MN", "th": "TH", "thcs": "THCS", "thpt": "THPT"}
_GRADE_LABEL = {"mn": "mầm non", "th": "tiểu học", "thcs": "THCS", "thpt": "THPT"}
_SPECIAL_LABEL = {
    "ptdtnt": "PTDTNT",
    "ptdtbt": "PTDTBT",
    "gdnn_gdtx": "GDNN-GDTX",
    "dai_hoc": "đại học",
    "cao_dang": "cao đẳng",
    "trung_cap": "trung cấp",
}
_OFFICE_KINDS = frozenset({"so", "phong", "phong_gd"})
_KIND_LABEL = {
    "so": "Sở GD&ĐT",
    "phong": "phòng thuộc Sở",
    "phong_gd": "Phòng GD&ĐT",
    "truong": "trường",
    "trung_tam": "trung tâm",
}
_ATTR_LABEL = {"chuyen": "chuyên", "tu_thuc": "tư thục", "quoc_te": "quốc tế"}
_VAGUE_GRADES = {"trung_hoc": frozenset({"thcs", "thpt"}), "pho_thong": frozenset(_GRADE_ORDER[1:])}
_VAGUE_LABEL = {"trung_hoc": "trung học", "pho_thong": "phổ thông"}


@dataclass(frozen=True, slots=True)
class _Level:
    """What a name says about the kind and level of the body it names."""

    grades: frozenset[str] = frozenset()
    multi: bool = False
    special: frozenset[str] = frozenset()
    kind: str = ""
    vague: str = ""
    attrs: frozenset[str] = frozenset()

    def states_level(self) -> bool:
        return bool(
            self.grades
            or self.multi
            or self.special
            or self.vague
            or self.kind in _OFFICE_KINDS
            or "chuyen" in self.attrs
        )

    def label(self, attrs: bool = True) -> str:
        """Vietnamese label: "THPT", "TH và THCS", "PTDTNT THCS", "trung tâm GDNN-GDTX"."""
        if self.kind in _OFFICE_KINDS:
            return _KIND_LABEL[self.kind]
        grades = [g for g in _GRADE_ORDER if g in self.grades]
        if len(grades) > 1:
            level = (
                ", ".join(_GRADE_ABBR[g] for g in grades[:-1]) + f" và {_GRADE_ABBR[grades[-1]]}"
            )
        elif grades:
            level = _GRADE_LABEL[grades[0]]
        elif self.multi:
            level = "phổ thông nhiều cấp"
        else:
            level = _VAGUE_LABEL.get(self.vague, "")
        specials = " ".join(_SPECIAL_LABEL[s] for s in sorted(self.special))
        if "gdnn_gdtx" in self.special:
            return "trung tâm GDNN-GDTX"
        text = " ".join(p for p in (specials, level) if p)
        if attrs and "chuyen" in self.attrs:
            text = f"{text} chuyên" if text else "trường chuyên"
        return text or _KIND_LABEL.get(self.kind, "")


_TYPE_LEVEL = {
    "thpt": _Level(grades=frozenset({"thpt"})),
    "thcs": _Level(grades=frozenset({"thcs"})),
    "th": _Level(grades=frozenset({"th"})),
    "mn": _Level(grades=frozenset({"mn"})),
    "pt_nhieu_cap": _Level(multi=True),
    "gdnn_gdtx": _Level(special=frozenset({"gdnn_gdtx"}), kind="trung_tam"),
    "so": _Level(kind="so"),
    "phong": _Level(kind="phong"),
}


def _unit_level(stated: _Level, unit_type: str) -> _Level:
    """A unit's level: what its name states, completed by its type."""
    grades, multi, special, kind = stated.grades, stated.multi, stated.special, stated.kind
    typed = _TYPE_LEVEL.get(unit_type)
    if typed is not None:
        if not grades and not multi:
            grades, multi = typed.grades, typed.multi
        special = special | typed.special
        kind = kind or typed.kind
    if not kind:
        if "gdnn_gdtx" in special:
            kind = "trung_tam"
        elif grades or multi or special:
            kind = "truong"
    return _Level(grades, multi or len(grades) > 1, special, kind, stated.vague, stated.attrs)


@dataclass(frozen=True, slots=True)
class _Fit:
    factor: float
    note: str
    blocked: bool = False  # shown for review, never attributed
    levelless: bool = False  # the name states no level: attributed only when its name is unique


def _fit(sub: _Level, unit: _Level) -> _Fit | None:
    """How a subscriber's stated level fits a unit's level; None when it cannot be that unit."""
    if sub.kind in _OFFICE_KINDS or unit.kind in _OFFICE_KINDS:
        if sub.kind == unit.kind:
            return _Fit(1.0, f"cùng là {_KIND_LABEL[sub.kind]}")
        return None
    if sub.special - unit.special:
        return None  # says PTDTNT, GDNN-GDTX, đại học…; the unit is not
    grades = "same"
    if sub.grades:
        if unit.grades:
            if sub.grades != unit.grades:
                if not (sub.grades < unit.grades or unit.grades < sub.grades):
                    return None
                grades = "part"
        elif unit.multi:
            grades = "same" if len(sub.grades) > 1 else "part"
        elif not (sub.special and sub.special == unit.special):
            return None
    elif sub.multi:
        if not unit.multi:
            return None
    elif sub.special:
        pass
    elif sub.vague:
        if not (unit.grades & _VAGUE_GRADES[sub.vague] or unit.multi):
            return None
        grades = "vague"
    elif "chuyen" in sub.attrs:
        if "chuyen" not in unit.attrs:
            return None
    else:
        if sub.kind and unit.kind and sub.kind != unit.kind:
            return None  # "Trường …" is not a centre, "Trung tâm …" not a school
        grades = "none"
    missing = unit.special - sub.special
    if missing and grades != "none":
        if missing - {"ptdtnt", "ptdtbt"}:
            return None
        grades = "special"
    notes: list[str] = []
    factor, blocked, levelless = 1.0, False, False
    if grades == "same":
        if (unit.grades or unit.multi) and not unit.special:
            notes.append(f"cùng cấp {unit.label(attrs=False)}")
        else:
            notes.append(f"cùng loại {unit.label()}")
    elif grades == "part":
        notes.append(f"cấp học chỉ khớp một phần ({sub.label()} / {unit.label()})")
        factor, blocked = 0.75, True
    elif grades == "special":
        notes.append(f"đơn vị là trường {unit.label()}, tên thuê bao không ghi")
        factor, blocked = 0.75, True
    elif grades == "vague":
        notes.append(f"tên chỉ ghi “{_VAGUE_LABEL[sub.vague]}”, đơn vị là {unit.label()}")
        factor = 0.9
    else:
        levelless = True
        if sub.kind:
            notes.append(f"tên không ghi cấp học (đơn vị là {unit.label() or 'loại khác'})")
            factor = 0.9
        else:
            notes.append("tên không ghi trường hay cấp học")
            factor, blocked = 0.8, True
    for attr in sorted(sub.attrs & unit.attrs):
        notes.append(f"cùng là trường {_ATTR_LABEL[attr]}")
    for attr in sorted(sub.attrs ^ unit.attrs):
        if attr in unit.attrs:
            notes.append(f"tên thuê bao không ghi “{_ATTR_LABEL[attr]}”")
        else:
            notes.append(f"đơn vị không phải trường {_ATTR_LABEL[attr]}")
        factor *= 0.95
    return _Fit(factor, "; ".join(notes), blocked, levelless)


# --- reading a name -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    words: _Phrase
    role: str
    value: str
    segment: int


@dataclass(frozen=True, slots=True)
class _Reading:
    names: tuple[_Phrase, ...]  # the proper name as written first, then its variants
    level: _Level
    company: str
    context: tuple[_Phrase, ...]  # other text, read as an address
    strong_wards: frozenset[_Phrase]  # "phường X" inside the name
    weak_wards: frozenset[_Phrase]  # a ward name after the proper name
    provinces: frozenset[_Phrase]


_EMPTY_READING = _Reading((), _Level(), "", (), frozenset(), frozenset(), frozenset())


def _tag(words: list[str], segment_of: list[int]) -> list[_Item]:
    """Recognise the phrases of a name; cut parent bodies, campuses, rooms and persons."""
    items: list[_Item] = []
    size = len(words)
    i = 0
    seen_name = False

    def segment_end(start: int) -> int:
        seg = segment_of[start]
        end = start
        while end < size and segment_of[end] == seg:
            end += 1
        return end

    while i < size:
        word = words[i]
        after = words[i + 1] if i + 1 < size else ""
        seg = segment_of[i]
        if word == "so" and after.isdigit():  # "số 1"
            i += 1
            continue
        hit = _NAME_PHRASES.at(words, i)
        role, value, length = _NAME, "", 1
        if hit is not None:
            role, value, length = hit[1], hit[2], len(hit[0])
        elif word == "cs" and (after.isdigit() or not after):
            role = _CAMPUS
        elif word == "ht" or (word == "dt" and after.isdigit()):
            role = _PERSON  # "HT Nguyễn Văn A" (hiệu trưởng), "ĐT 0912…"
        elif word == "phong" and not items:
            role, value = _KIND, "phong"  # an office of the Department: "Phòng Kế hoạch…"
        if role == _KIND and value == "truong" and i and segment_of[i - 1] == seg:
            follows = _NAME_PHRASES.at(words, i + length)
            if follows is None or follows[1] not in _SCHOOL_ROLES:
                role, value, length = _NAME, "", 1  # "THPT Trương Định", not "THPT Trường"
        if role in _ADMIN_ROLES:
            if segment_end(i) == i + length:
                role = _NAME  # nothing follows: "Trường PTDTNT tỉnh", "MN Hoa Phượng"
            elif length == 1 and word in _SINGLE_LETTER_ADMIN and after.isdigit():
                role = role if role == _WARD_WORD else _NAME
        if role == _OFFICE and not seen_name:
            items.append(_Item(tuple(words[i : i + length]), _KIND, value, seg))
            i += length
            continue
        if role in (_OFFICE, _CAMPUS) or (role == _ROOM and seen_name):
            end = segment_end(i + length - 1)
            items.append(_Item(tuple(words[i:end]), _CONTEXT, "", seg))
            i = end
            continue
        if role == _ROOM:  # at the head: "Thư viện Trường …"; "Văn phòng Sở" is a name
            if words[i : i + length] != ["van", "phong"]:
                i += length
                continue
            role = _NAME
        if role == _PERSON:
            end = segment_end(i + length - 1)
            j = i + length
            while j < end and (_NAME_PHRASES.at(words, j) or ((), "", ""))[1] not in _LEVEL_ROLES:
                j += 1
            i = j
            continue
        items.append(_Item(tuple(words[i : i + length]), role, value, seg))
        if role == _NAME:
            seen_name = True
        i += length
    return items


def _read(text: str, places: _Places, wards: _Places, provinces: _Places) -> _Reading:
    """Read a subscriber or unit name (see the module docstring)."""
    main, notes = _split_brackets(_uncamel(text))
    # Brackets that are not about a person come last, as segments of their own: "(THPT)",
    # "(Hòa Bình)", "(cơ sở 2)" — or the whole name when everything was in brackets.
    segments = _segments(main)
    for note in notes:
        if not _is_person_note(note):
            segments += _segments(note)
    words: list[str] = []
    segment_of: list[int] = []
    for k, seg_words in enumerate(segments):
        words.extend(seg_words)
        segment_of.extend([k] * len(seg_words))
    items = _tag(words, segment_of)
    count = len(segments)
    school = [False] * count  # states a school level or kind
    office = [False] * count  # "Sở GD&ĐT…", "Phòng …" at the head
    has_name = [False] * count
    for it in items:
        if it.role in _SCHOOL_ROLES and it.value not in _OFFICE_KINDS:
            school[it.segment] = True
        elif it.role == _KIND:
            office[it.segment] = True
        elif it.role == _NAME:
            has_name[it.segment] = True
    # The name is in the first segment that states a level (or, failing that, a kind) and
    # has name words, or in the next segment with name words ("THPT - Ngô Quyền").
    marked = [k for k in range(count) if school[k]] or [k for k in range(count) if office[k]]
    start = marked[0] if marked else 0
    main_seg = next((k for k in range(start, count) if has_name[k]), None)
    last = main_seg if main_seg is not None else count - 1
    # "Sở GD&ĐT Hải Phòng - Trường THPT Ngô Quyền": the Department is the parent here.
    parent_head = count > 1 and office[0] and not school[0] and any(school[1:])
    grades: set[str] = set()
    special: set[str] = set()
    attrs: set[str] = set()
    multi, kind, vague, company = False, "", "", ""
    context: list[_Phrase] = []
    loose: dict[int, list[str]] = {}  # words of the other segments, read as an address
    main_items: list[_Item] = []
    for it in items:
        if it.role == _CONTEXT:
            context.append(it.words)
            continue
        if it.segment == main_seg and it.role in (_NAME, *_ADMIN_ROLES):
            main_items.append(it)
            continue
        if it.role in (_NAME, *_ADMIN_ROLES):
            loose.setdefault(it.segment, []).extend(it.words)
            continue
        if it.role == _ATTR:
            attrs.add(it.value)  # "Trường MN Hoa Sen - tư thục"
        if it.segment > last and has_name[it.segment]:
            continue  # another body's segment; a level alone still counts: "… - THPT"
        if it.role == _GRADE:
            grades.add(it.value)
        elif it.role == _MULTI:
            multi = True
        elif it.role == _SPECIAL:
            special.add(it.value)
        elif it.role == _VAGUE:
            vague = vague or it.value
        elif it.role == _KIND:
            if parent_head and it.segment == 0:
                context.append(it.words)
            elif not kind:
                kind = it.value
        elif it.role == _COMPANY and it.segment <= last:
            company = company or it.value
    context.extend(tuple(words) for words in loose.values())
    level = _Level(
        frozenset(grades),
        multi or len(grades) > 1,
        frozenset(special),
        kind,
        vague,
        frozenset(attrs),
    )
    names, strong, weak, provs = _name_variants(main_items, places, wards, provinces)
    return _Reading(names, level, company, tuple(context), strong, weak, provs)


_PERSON_NOTE = re.compile(r"^\s*[^\W\d_]{1,20}(\s+[^\W\d_]{1,20}){0,3}\s*:")


def _is_person_note(note: str) -> bool:
    """A bracket about a person or a contact: "Hiệu trưởng: …", "ĐT 0912…", "Ông …"."""
    words = _words(note)
    if not words:
        return True
    hit = _NAME_PHRASES.at(words, 0)
    if hit is not None and hit[1] == _PERSON:
        return True
    if words[0] in ("ht", "dt", "lh") or (words[0] in ("ong", "ba", "thay") and len(words) > 2):
        return True
    return any(w.isdigit() and len(w) >= 7 for w in words) or bool(_PERSON_NOTE.match(note))


def _name_variants(
    items: list[_Item], places: _Places, wards: _Places, provinces: _Places
) -> tuple[tuple[_Phrase, ...], frozenset[_Phrase], frozenset[_Phrase], frozenset[_Phrase]]:
    """The proper name and its variants without places; the places the name mentions."""
    strong: set[_Phrase] = set()
    weak: set[_Phrase] = set()
    provs: set[_Phrase] = set()
    flat: list[str] = []
    admin_at: dict[int, tuple[str, int]] = {}
    for it in items:
        if it.role in _ADMIN_ROLES:
            admin_at[len(flat)] = (it.role, len(it.words))
        flat.extend(it.words)
    whole = tuple(flat)
    if not whole:
        return (), frozenset(), frozenset(), frozenset()
    variants: list[_Phrase] = [whole]
    i = 0
    while i < len(whole):
        admin = admin_at.get(i)
        if admin is not None:
            role, size = admin
            j = i + size
            if role == _WARD_WORD and (place := wards.at(whole, j)) and places.admits(role, place):
                strong.add(place)
            elif role == _PROVINCE_WORD and (place := provinces.at(whole, j)):
                provs.add(place)
            if i == 0 and j < len(whole):  # "Trường MN xã Tân Tiến"
                variants.append(whole[j:])
            elif i > 1 or (
                i == 1 and (place := places.at(whole, j)) and places.admits(role, place)
            ):
                # "… Ngô Quyền phường Lạch Tray", but not "MN Hoa Phượng C" → "Hoa"
                variants.append(whole[:i])
            i = j
            continue
        i += 1
    for variant in list(variants):
        stripped, peeled = places.peel(variant)
        weak.update(p for p in peeled if p in wards.keys and not p[0].isdigit())
        if stripped:
            variants.append(stripped)
    unique = tuple(dict.fromkeys(v for v in variants if v))
    return unique, frozenset(strong), frozenset(weak), frozenset(provs)


_NO_PLACES = _Places(())


def school_level(text: str) -> str | None:
    """The level a name states: "thpt", "thcs", "th", "mn", "pt_nhieu_cap", "gdnn_gdtx",
    "ptdtnt", "ptdtbt", "dai_hoc", "cao_dang", "trung_cap", "so", "phong", "phong_gd", or None.

    A boarding school (PTDTNT/PTDTBT) is reported as such whatever its grades; a name that
    only says "trung học" or "phổ thông" states no single level (None).
    """
    level = _read(text, _NO_PLACES, _NO_PLACES, _NO_PLACES).level
    for special in ("gdnn_gdtx", "ptdtnt", "ptdtbt", "dai_hoc", "cao_dang", "trung_cap"):
        if special in level.special:
            return special
    if level.multi:
        return "pt_nhieu_cap"
    if level.grades:
        return next(iter(level.grades))
    if level.kind in _OFFICE_KINDS:
        return level.kind
    return None


# --- comparing names ------------------------------------------------------------------------

_YI = re.compile(r"^(?:b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)y$")
_FUZZY_MIN_LETTERS = 6
_FUZZY_CEILING = 0.95  # a near match never reaches an exact one
_PREFILTER_CUTOFF = 80.0
_INITIALS_SIMILARITY = 0.7  # below any threshold worth using


def _canonical(word: str) -> str:
    """Spellings that name the same thing: "quí" = "quý", "kì" = "kỳ", "01" = "1"."""
    if word.isdigit():
        return word.lstrip("0") or "0"
    if _YI.match(word):
        return word[:-1] + "i"
    return word


@dataclass(frozen=True, slots=True)
class _Variant:
    compact: str  # "lequidon" for "Lê Quý Đôn" and "Lê Quí Đôn"
    literal: str  # "lequydon": as folded, to prefer the spelling the subscriber used
    size: int  # syllables
    marks: tuple[str, ...]  # numbers and single letters, which must agree
    source: str  # "name", "short"
    initials: str  # "nq" for "Ngô Quyền", for review candidates only

    @classmethod
    def of(cls, words: _Phrase, source: str) -> _Variant:
        canon = [_canonical(w) for w in words]
        literal = "".join(w.lstrip("0") or "0" if w.isdigit() else w for w in words)
        marks = tuple(sorted(w for w in canon if w.isdigit() or len(w) == 1))
        initials = "".join(w[0] for w in canon) if len(canon) > 1 else ""
        return cls("".join(canon), literal, len(canon), marks, source, initials)


def _similarity(sub: _Variant, unit: _Variant) -> float:
    """1.0 for the same name, 0.95 for another spelling of it ("Quí"/"Quý"), up to 0.95
    for a typo of it, else 0."""
    if sub.marks != unit.marks:
        return 0.0
    if sub.compact == unit.compact:
        return 1.0 if sub.literal == unit.literal else _FUZZY_CEILING
    shorter = min(len(sub.compact), len(unit.compact))
    if sub.size != unit.size or shorter < _FUZZY_MIN_LETTERS or sub.compact[0] != unit.compact[0]:
        return 0.0
    allowed = 1 + shorter // 16 + (shorter >= 10)
    if Levenshtein.distance(sub.compact, unit.compact, score_cutoff=allowed) > allowed:
        return 0.0
    return _FUZZY_CEILING * fuzz.ratio(sub.compact, unit.compact) / 100.0


_LETTERS = re.compile(r"[^\W\d_]+")
_Accents = dict[str, set[tuple[str, ...]]]  # folded word → the diacritics it was written with


def _accents(text: str) -> _Accents:
    """Per folded word, the diacritics it was written with, wherever the tone mark sits
    ("Thuỵ" and "Thụy" alike)."""
    written: _Accents = {}
    for word in _LETTERS.findall(text.casefold()):
        marks = [ch for ch in unicodedata.normalize("NFD", word) if unicodedata.combining(ch)]
        if "đ" in word or "ð" in word:
            marks.append("đ")
        written.setdefault(_canonical(fold(word)), set()).add(tuple(sorted(marks)))
    return written


def _accent_misses(written: _Accents, name: _Accents) -> int:
    """Words of a unit name spelled with other diacritics than in the subscriber name."""
    return sum(
        1 for folded, marks in name.items() if folded in written and not marks & written[folded]
    )


# --- addresses ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mentions:
    strong_wards: frozenset[_Phrase]
    named_wards: frozenset[_Phrase]  # strong and weak
    provinces: frozenset[_Phrase]
    words: frozenset[str]


def _scan_address(
    segments: Iterable[Sequence[str]], wards: _Places, provinces: _Places
) -> tuple[set[_Phrase], set[_Phrase], set[_Phrase]]:
    """Wards named with "phường/xã" (strong), wards named bare (weak), provinces named."""
    strong: set[_Phrase] = set()
    weak: set[_Phrase] = set()
    provs: set[_Phrase] = set()
    for words in segments:
        i, street = 0, False
        while i < len(words):
            hit = _ADDRESS_PHRASES.at(words, i)
            role = hit[1] if hit is not None else ""
            if hit is not None and role in _ADMIN_ROLES:
                j = i + len(hit[0])
                if role == _WARD_WORD:
                    place = wards.at(words, j)
                    if place:
                        strong.add(place)
                elif role == _PROVINCE_WORD:
                    place = provinces.at(words, j)
                    if place:
                        provs.add(place)
                else:
                    place = wards.at(words, j) or provinces.at(words, j)
                if place:
                    i, street = j + len(place), False
                else:
                    i, street = j, True  # an unknown place: not a bare ward name either
                continue
            if hit is not None and role == _STREET and (i == 0 or words[i - 1].isdigit()):
                i, street = i + len(hit[0]), True
                continue
            if not street:
                place = wards.at(words, i)
                if place and not all(w.isdigit() for w in place):
                    weak.add(place)
                    i += len(place)
                    continue
                if (place := provinces.at(words, i)) is not None:
                    i += len(place)
                    continue
            i += 1
    return strong, weak, provs


# --- the matcher ----------------------------------------------------------------------------

_TIE_MARGIN = 0.04
_CONTRADICTION = 0.7
_COMPANY_FACTOR = 0.5
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class _Entry:
    unit: UnitName
    level: _Level
    variants: tuple[_Variant, ...]
    ward: _Phrase
    ward_label: str
    province: _Phrase
    reading: _Reading  # of its name


@dataclass(slots=True)
class _Candidate:
    entry: int
    score: float
    evidence: int  # 2 confirmed alias, 1 the address supports it, 0 nothing more
    reasons: list[str] = field(default_factory=list)


def _ward_label(raw: str) -> str:
    raw = " ".join(raw.split())
    hit = _ADDRESS_PHRASES.at(_words(raw), 0)
    if hit is not None and hit[1] == _WARD_WORD and len(hit[0][0]) > 1:
        return raw[:1].lower() + raw[1:]
    return f"xã/phường {raw}"


def _address_ward(address: str) -> tuple[_Phrase, str]:
    """The ward an address names with "phường/xã …", and how it is written."""
    for part in _SEPARATORS.split(address):
        words = _words(part)
        hit = _ADDRESS_PHRASES.at(words, 0)
        if hit is not None and hit[1] == _WARD_WORD and len(words) > len(hit[0]):
            return tuple(words[len(hit[0]) :]), _ward_label(part)
    return (), ""


class NameMatcher:
    """Proposes the unit a subscriber name and address belong to (see the module docstring).

    ``noise`` adds words to ignore in names, such as former province or ward names; the
    units' own province and ward values are ignored in names already.
    """

    def __init__(
        self, units: Iterable[UnitName], *, noise: Iterable[str] = (), threshold: float = 0.85
    ) -> None:
        self._threshold = threshold
        self._cap = max(0.0, threshold - 0.05)  # the score of what must not be attributed
        units = list(units)
        ward_labels: dict[_Phrase, str] = {}
        unit_wards: list[_Phrase] = []
        seen_wards: dict[str, tuple[_Phrase, str]] = {}
        for unit in units:
            if unit.ward not in seen_wards:
                key = _place_key(unit.ward) if unit.ward else ()
                seen_wards[unit.ward] = (key, _ward_label(unit.ward) if key else "")
            ward, label = seen_wards[unit.ward]
            if not ward and unit.address:
                ward, label = _address_ward(unit.address)
            unit_wards.append(ward)
            if ward:
                ward_labels.setdefault(ward, label)
        province_keys = {_place_key(p) for p in {u.province for u in units} if p}
        noise_keys = {_place_key(n) for n in noise if n.strip()}
        self._ward_labels = ward_labels
        self._wards = _Places(ward_labels)
        self._provinces = _Places(province_keys)  # noise words never contradict an address
        # "HP" for Hải Phòng: initials are not syllables, so they never clash with a name.
        initials = {("".join(w[0] for w in k),) for k in province_keys | noise_keys if len(k) > 1}
        self._places = _Places(  # noise words may be wards or provinces: both admitted
            set(ward_labels) | province_keys | noise_keys | initials,
            wards=set(ward_labels) | noise_keys,
            provinces=province_keys | noise_keys | initials,
        )
        self._stopwords = _ADDRESS_WORDS | {w for k in province_keys | noise_keys for w in k}
        self._readings: dict[str, _Reading] = {}
        self._results: dict[tuple[str, str, bool], list[NameMatch]] = {}

        entries: list[_Entry] = []
        self._departments: list[int] = []  # "Sở Giáo dục và Đào tạo [province]"
        for unit, ward in zip(units, unit_wards, strict=True):
            reading = self._reading(unit.name)
            level = _unit_level(reading.level, unit.unit_type)
            variants = [_Variant.of(v, "name") for v in reading.names]
            if unit.short_name:
                short = self._reading(unit.short_name)
                if not short.level.states_level() or _fit(short.level, level) is not None:
                    variants += [_Variant.of(v, "short") for v in short.names]
            if not ward and len(reading.strong_wards) == 1:
                ward = next(iter(reading.strong_wards))
            if level.kind == "so" and self._only_places(reading.names):
                self._departments.append(len(entries))
            entries.append(
                _Entry(
                    unit=unit,
                    level=level,
                    variants=tuple(dict.fromkeys(variants)),
                    ward=ward,
                    ward_label=ward_labels.get(ward, ""),
                    province=_place_key(unit.province) if unit.province else (),
                    reading=reading,
                )
            )
        self._entries = entries

        self._aliases: dict[str, list[int]] = {}
        self._exact: dict[str, list[tuple[int, int]]] = {}
        self._initials: dict[str, list[tuple[int, int]]] = {}
        self._levels: dict[_Level, int] = {}  # distinct unit levels, numbered
        self._level_of: list[int] = []  # per entry
        self._groups: list[list[int]] = []  # entries per level number
        for index, entry in enumerate(entries):
            for alias in entry.unit.aliases:
                if folded := fold(alias):
                    self._aliases.setdefault(folded, []).append(index)
            for vi, variant in enumerate(entry.variants):
                self._exact.setdefault(variant.compact, []).append((index, vi))
                if variant.initials:
                    self._initials.setdefault(variant.initials, []).append((index, vi))
            number = self._levels.setdefault(entry.level, len(self._levels))
            if number == len(self._groups):
                self._groups.append([])
            self._groups[number].append(index)
            self._level_of.append(number)
        self._group_texts = [
            [v.compact for i in members for v in entries[i].variants] for members in self._groups
        ]
        self._group_refs = [
            [(i, vi) for i in members for vi in range(len(entries[i].variants))]
            for members in self._groups
        ]
        self._pools: dict[tuple[int, ...], tuple[list[str], list[tuple[int, int]]]] = {}
        self._fits: dict[_Level, list[_Fit | None]] = {}
        self._accents: dict[int, tuple[_Accents, _Accents]] = {}
        self._own: dict[int, tuple[frozenset[_Phrase], frozenset[str]]] = {}

    # public ------------------------------------------------------------------------------

    @property
    def threshold(self) -> float:
        """Scores at or above this are attributed by :meth:`match`."""
        return self._threshold

    def match(self, subscriber: str, address: str = "") -> NameMatch | None:
        """The unit this row belongs to, if one stands out at or above the threshold."""
        ranked = self._ranked(subscriber, address, complete=False)
        if ranked and ranked[0].score >= self.threshold:
            return ranked[0]
        return None

    def candidates(self, subscriber: str, address: str = "", limit: int = 5) -> list[NameMatch]:
        """Best units first, below the threshold too, for an officer to choose from."""
        return self._ranked(subscriber, address, complete=True)[: max(0, limit)]

    # reading -----------------------------------------------------------------------------

    def _reading(self, text: str) -> _Reading:
        found = self._readings.get(text)
        if found is None:
            if len(self._readings) >= _CACHE_LIMIT:
                self._readings.clear()
            found = _read(text, self._places, self._wards, self._provinces) if text else None
            found = found or _EMPTY_READING
            self._readings[text] = found
        return found

    def _only_places(self, names: tuple[_Phrase, ...]) -> bool:
        """No name, or a name that is only a known place ("Hải Phòng")."""
        return not names or self._places.at(names[0], 0) == names[0]

    def _address_words(self, segments: Iterable[Sequence[str]]) -> frozenset[str]:
        return frozenset(
            w for words in segments for w in words if w not in self._stopwords and len(w) > 1
        )

    def _mentions(self, reading: _Reading, address: str) -> _Mentions:
        written = _segments(address) if address else []
        strong, weak, provs = _scan_address(
            [*written, *reading.context], self._wards, self._provinces
        )
        strong |= reading.strong_wards
        return _Mentions(
            frozenset(strong),
            frozenset(strong | weak | reading.weak_wards),
            frozenset(provs | reading.provinces),
            self._address_words(written),
        )

    # ranking -----------------------------------------------------------------------------

    def _ranked(self, subscriber: str, address: str, *, complete: bool) -> list[NameMatch]:
        key = (subscriber, address, complete)
        found = self._results.get(key)
        if found is None:
            if len(self._results) >= _CACHE_LIMIT:
                self._results.clear()
            found = self._rank(subscriber, address, complete)
            self._results[key] = found
        return found

    def _rank(self, subscriber: str, address: str, complete: bool) -> list[NameMatch]:
        reading = self._reading(subscriber)
        mentions = self._mentions(reading, address)
        found: dict[int, _Candidate] = {}
        for index in self._aliases.get(fold(subscriber), ()):
            candidate = _Candidate(index, 1.0, 2, ["khớp tên thuê bao đã xác nhận"])
            self._place(candidate, mentions)
            found[index] = candidate
        if reading.names:
            self._by_name(reading, mentions, found, complete)
        if reading.level.kind == "so" and self._only_places(reading.names):
            for index in self._departments:  # "Sở GD&ĐT", "So GD&DT Hai Phong"
                if index not in found:
                    candidate = _Candidate(index, 1.0, 0, ["khớp tên Sở GD&ĐT"])
                    self._place(candidate, mentions)
                    found[index] = candidate
        ranked = sorted(found.values(), key=self._order)
        self._settle_ties(ranked, subscriber, address)
        ranked.sort(key=self._order)
        return [
            NameMatch(self._entries[c.entry].unit.key, round(c.score, 4), "; ".join(c.reasons))
            for c in (ranked if complete else ranked[:1])
        ]

    def _order(self, c: _Candidate) -> tuple[float, int, str]:
        return (-c.score, -c.evidence, self._entries[c.entry].unit.key)

    def _fits_of(self, sub: _Level) -> list[_Fit | None]:
        """How a stated level fits each unit level, by level number."""
        fits = self._fits.get(sub)
        if fits is None:
            fits = [_fit(sub, level) for level in self._levels]
            self._fits[sub] = fits
        return fits

    def _pool(self, sub: _Level | None) -> tuple[list[str], list[tuple[int, int]]]:
        """Compact names of the units a level may point at (all units for None)."""
        fits = self._fits_of(sub) if sub is not None else None
        groups = tuple(n for n in range(len(self._groups)) if fits is None or fits[n] is not None)
        pool = self._pools.get(groups)
        if pool is None:
            texts: list[str] = []
            refs: list[tuple[int, int]] = []
            for number in groups:
                texts += self._group_texts[number]
                refs += self._group_refs[number]
            pool = self._pools[groups] = (texts, refs)
        return pool

    def _by_name(
        self, reading: _Reading, mentions: _Mentions, found: dict[int, _Candidate], complete: bool
    ) -> None:
        level = reading.level
        levelless = not level.states_level()
        subs = [_Variant.of(v, "") for v in reading.names]
        best: dict[int, tuple[float, _Variant, bool]] = {}  # similarity, variant, by initials

        def consider(index: int, vi: int, sub: _Variant) -> None:
            variant = self._entries[index].variants[vi]
            similarity, initials = _similarity(sub, variant), False
            if similarity == 0 and sub.size == 1 and sub.compact == variant.initials:
                similarity, initials = _INITIALS_SIMILARITY, True
            if similarity > 0 and similarity > best.get(index, (0.0, variant, False))[0]:
                best[index] = (similarity, variant, initials)

        for sub in subs:
            for index, vi in self._exact.get(sub.compact, ()):
                consider(index, vi, sub)
        fits = self._fits_of(level)
        exact_fits = (fits[self._level_of[i]] for i, (s, _, _) in best.items() if s == 1.0)
        settled = any(f is not None and f.factor == 1.0 and not f.blocked for f in exact_fits)
        if complete or levelless or not settled:
            texts, refs = self._pool(None if levelless else level)
            for sub in subs:
                if len(sub.compact) < _FUZZY_MIN_LETTERS:
                    continue
                hits = process.extract(
                    sub.compact,
                    texts,
                    scorer=fuzz.ratio,
                    score_cutoff=_PREFILTER_CUTOFF,
                    limit=64,
                )
                for _, _, k in hits:
                    consider(*refs[k], sub)
            for sub in subs:  # "THPT NQ": only ever shown for review
                if complete and sub.size == 1 and 2 <= len(sub.compact) <= 5:
                    for index, vi in self._initials.get(sub.compact, ()):
                        consider(index, vi, sub)

        same_name = sum(1 for s, _, _ in best.values() if s >= self.threshold)
        for index, (similarity, variant, initials) in best.items():
            if index in found:
                continue
            fit = fits[self._level_of[index]]
            if fit is None:
                continue
            if not complete and (fit.blocked or similarity * fit.factor < self.threshold):
                continue  # match() only: this one could never be attributed
            candidate = _Candidate(index, similarity * fit.factor, 0)
            short = variant.source == "short"
            if similarity == 1.0:
                candidate.reasons.append("khớp tên viết tắt" if short else "khớp tên đơn vị")
            elif initials:
                candidate.reasons.append("chỉ khớp chữ cái đầu của tên, cần xác nhận")
                candidate.score = min(candidate.score, self._cap)
            else:
                what = "tên viết tắt" if short else "tên đơn vị"
                candidate.reasons.append(f"gần giống {what} ({round(similarity * 100)}%)")
            candidate.reasons.append(fit.note)
            if fit.blocked:
                candidate.score = min(candidate.score, self._cap)
            if fit.levelless and same_name > 1:
                candidate.score = min(candidate.score, self._cap)
                candidate.reasons.append(f"có {same_name} đơn vị cùng tên")
            self._place(candidate, mentions)
            if reading.company:
                candidate.score = min(candidate.score * _COMPANY_FACTOR, self._cap)
                candidate.reasons.append(
                    f"tên thuê bao là của {reading.company}, không phải trường"
                )
            found[index] = candidate

    def _place(self, candidate: _Candidate, mentions: _Mentions) -> None:
        """Weigh the address: support, contradiction or nothing."""
        if not (mentions.named_wards or mentions.provinces or mentions.words):
            return
        entry = self._entries[candidate.entry]
        if entry.ward and entry.ward in mentions.named_wards:
            candidate.evidence = max(candidate.evidence, 1)
            candidate.reasons.append(f"cùng {entry.ward_label}")
            return
        own_places, address_words = self._own_places(candidate.entry)
        others = sorted(mentions.strong_wards - own_places - {entry.ward})
        if entry.ward and others:
            said = ", ".join(self._ward_labels.get(w, " ".join(w)) for w in others)
            candidate.score = min(candidate.score * _CONTRADICTION, self._cap)
            candidate.reasons.append(f"địa chỉ ghi {said}, đơn vị ở {entry.ward_label}")
            return
        provinces = sorted(mentions.provinces - {entry.province} - own_places)
        if entry.province and provinces and entry.province not in mentions.provinces:
            candidate.score = min(candidate.score * _CONTRADICTION, self._cap)
            candidate.reasons.append(f"địa chỉ ở tỉnh/thành phố khác ({entry.unit.province})")
            return
        shared = mentions.words & address_words
        if len(shared) >= 3 and len(shared) >= 0.6 * min(len(mentions.words), len(address_words)):
            candidate.evidence = max(candidate.evidence, 1)
            candidate.reasons.append("địa chỉ trùng với địa chỉ của đơn vị")

    def _own_places(self, index: int) -> tuple[frozenset[_Phrase], frozenset[str]]:
        """Places a unit's own name and address mention, and the words of its address.

        An address naming one of these never contradicts the unit: a school named after a
        former commune, an address still written with a ward that has merged."""
        found = self._own.get(index)
        if found is None:
            entry = self._entries[index]
            reading = entry.reading
            address = _segments(entry.unit.address) if entry.unit.address else []
            words: list[Sequence[str]] = [*reading.names[:1], *reading.context, *address]
            strong, weak, _ = _scan_address(words, self._wards, self._provinces)
            places = frozenset(strong | weak | reading.strong_wards | reading.weak_wards)
            found = self._own[index] = (places, self._address_words(address))
        return found

    def _accent_misses(self, in_name: _Accents, in_address: _Accents, index: int) -> int:
        """Words of a unit's name written otherwise in the subscriber name, plus words of
        its ward written otherwise in the address."""
        found = self._accents.get(index)
        if found is None:
            unit = self._entries[index].unit
            found = self._accents[index] = (_accents(unit.name), _accents(unit.ward))
        return _accent_misses(in_name, found[0]) + _accent_misses(in_address, found[1])

    def _settle_ties(self, ranked: list[_Candidate], subscriber: str, address: str) -> None:
        """Two units equally good: let the diacritics decide ("Tiến" is not "Tiên") when the
        subscriber was written with them; otherwise attribute neither, nor anything below."""
        top = [c for c in ranked if c.score >= self.threshold]
        if len(top) < 2:
            return
        best = top[0]
        tied = [best] + [
            c for c in top[1:] if best.score - c.score < _TIE_MARGIN and c.evidence >= best.evidence
        ]
        if len(tied) < 2:
            return
        # Words typed without any marks say nothing. The subscriber name (without notes about
        # a person) speaks of the unit's name, the address of its ward.
        main, notes = _split_brackets(_uncamel(subscriber))
        named = " ".join([main, *(n for n in notes if not _is_person_note(n))])
        in_name = _accents(named) if not named.isascii() else {}
        in_address = _accents(address) if not address.isascii() else {}
        if (in_name or in_address) and not any(
            self._entries[c.entry].unit.name.isascii() for c in tied
        ):
            misses = [self._accent_misses(in_name, in_address, c.entry) for c in tied]
            fewest = min(misses)
            if misses.count(fewest) < len(misses):
                for c, missed in zip(tied, misses, strict=True):
                    if missed > fewest:
                        c.score = min(c.score, self._cap)
                        c.reasons.append("dấu tiếng Việt khác với tên thuê bao")
                tied = [c for c, missed in zip(tied, misses, strict=True) if missed == fewest]
                if len(tied) == 1:
                    tied[0].reasons.append("dấu tiếng Việt khớp với tên thuê bao")
                    return
        keys = [self._entries[c.entry].unit.key for c in tied[:4]]
        for c in tied:
            others = [k for k in keys if k != self._entries[c.entry].unit.key][:3]
            shown = ", ".join(others) + (" …" if len(tied) > 4 else "")
            c.reasons.append(f"khớp ngang với {shown}; địa chỉ không đủ để phân biệt")
        for c in top:
            c.score = min(c.score, self._cap)
