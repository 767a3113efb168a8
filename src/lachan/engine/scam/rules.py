"""Message rules (``message_rules.json``) compiled into regular expressions over folded text.

A message is first prepared (:meth:`MessageRules.prepare`): folded (:func:`textnorm.fold`),
links masked (they are judged by the URL checks), letters written apart put back together
("O T P", "c.h.u.y.e.n"), and teen code and digit-for-letter spellings ("ck", "stk", "0TP",
"m4t khau") replaced by the words they stand for. Rules then look for *concepts* (groups of
phrases) in that text; see the ``_comment`` of the JSON file for the rule grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .textnorm import Mapped, fold, fold_plain

__all__ = ["ConceptHit", "MessageRules", "RuleHit"]

_SEP = r"[^a-z0-9]{0,3}"
_WILDCARD = r"(?:[a-z0-9]+[^a-z0-9]{1,3}){0,3}"
_TOKEN = re.compile(r"(?<![a-z0-9])[a-z0-9]+(?![a-z0-9])")
# Letters written apart: single characters joined by dots, dashes, stars… ("c.h.u.y.e.n",
# "m.a x.a.c"; a space between two such groups stays a word break), or three or more single
# characters separated by spaces only ("O T P").
_DOTTED = re.compile(r"(?<![a-z0-9])[a-z0-9](?:[.\-_*·'`~^+|/\\]{1,2}[a-z0-9](?![a-z0-9]))+")
_SPACED = re.compile(r"(?<![a-z0-9])[a-z0-9](?: {1,2}[a-z0-9](?![a-z0-9])){2,}")
_BREAK = re.compile(r"[.!?;:](?=\s|$)|\n|[()\[\]]")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_WORDS = re.compile(r"[a-z0-9]+")


class RulesError(ValueError):
    """A mistake in message_rules.json."""


@dataclass(frozen=True, slots=True)
class ConceptHit:
    start: int  # in the prepared (folded) text
    end: int
    phrase: int  # index of the phrase within its concept


@dataclass(frozen=True, slots=True)
class RuleHit:
    code: str
    weight: int
    message: str
    start: int  # in the prepared text
    end: int


@dataclass(frozen=True, slots=True)
class _Phrase:
    strict: tuple[tuple[str, str], ...]  # (folded letter, letter with marks) when "=phrase"
    exact: bool = False  # "==phrase": the marks must be written, a bare letter does not do


class _Concept:
    __slots__ = ("name", "regex", "phrases", "groups")

    def __init__(self, name: str, phrases: Sequence[str]) -> None:
        self.name = name
        compiled: list[tuple[int, str, _Phrase]] = []
        for index, phrase in enumerate(phrases):
            pattern, meta = _compile_phrase(name, phrase)
            compiled.append((index, pattern, meta))
        # Longest first so an alternation prefers "chuyển khoản ngay" to "chuyển khoản".
        compiled.sort(key=lambda item: -len(item[1]))
        self.phrases = {index: meta for index, _, meta in compiled}
        self.groups = {f"p{index}": index for index, _, _ in compiled}
        body = "|".join(f"(?P<p{index}>{pattern})" for index, pattern, _ in compiled)
        try:
            self.regex = re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")
        except re.error as exc:
            raise RulesError(f"message_rules.json: nhóm “{name}” có biểu thức lỗi ({exc})") from exc

    def find(self, text: Mapped) -> list[ConceptHit]:
        out = []
        for match in self.regex.finditer(text.text):
            group = match.lastgroup
            if group is None:
                continue
            index = self.groups[group]
            meta = self.phrases[index]
            if meta.strict and not _marks_agree(
                text, match.start(), match.end(), meta.strict, meta.exact
            ):
                continue
            out.append(ConceptHit(match.start(), match.end(), index))
        return out


def _compile_phrase(concept: str, phrase: str) -> tuple[str, _Phrase]:
    if not isinstance(phrase, str) or not phrase.strip():
        raise RulesError(
            f"message_rules.json: nhóm “{concept}” có cụm từ rỗng hoặc không phải chuỗi"
        )
    if phrase.startswith("re:"):
        try:
            re.compile(phrase[3:])
        except re.error as exc:
            raise RulesError(
                f"message_rules.json: nhóm “{concept}”, biểu thức “{phrase}” lỗi ({exc})"
            ) from exc
        return phrase[3:], _Phrase(())
    strict = phrase.startswith("=")
    exact = phrase.startswith("==")
    words = phrase.lstrip("=").split()
    parts = []
    letters: list[tuple[str, str]] = []
    for word in words:
        if word in ("*", "…"):
            parts.append(_WILDCARD)
            continue
        folded = fold_plain(word).replace(" ", "")
        if not folded:
            continue
        parts.append(re.escape(folded))
        if strict:
            marked = [c for c in word.lower() if c.isalnum()]
            if len(marked) == len(folded):
                letters.extend(zip(folded, marked, strict=True))
    pattern = ""
    for k, part in enumerate(parts):
        if k and part != _WILDCARD and parts[k - 1] != _WILDCARD:
            pattern += _SEP
        elif k and part == _WILDCARD:
            pattern += r"[^a-z0-9]{1,3}"
        pattern += part
    return pattern, _Phrase(tuple(letters), exact)


def _marks_agree(
    text: Mapped, i: int, j: int, letters: tuple[tuple[str, str], ...], exact: bool = False
) -> bool:
    """A strict phrase matched: each original letter is either bare (unless ``exact``) or
    marked as in the phrase."""
    k = 0
    for pos in range(i, j):
        ch = text.text[pos]
        if not ch.isalnum():
            continue
        if k >= len(letters):
            return True
        folded, marked = letters[k]
        written = text.marks[pos]
        if written != marked and (exact or written != ch):
            return False
        k += 1
    return True


class MessageRules:
    """Compiled concepts and rules of a ``message_rules.json`` document, and the teen code."""

    def __init__(self, document: dict[str, Any], teencode: dict[str, str]) -> None:
        concepts = document.get("concepts")
        rules = document.get("rules")
        if not isinstance(concepts, dict) or not isinstance(rules, list):
            raise RulesError(
                "message_rules.json: cần hai mục “concepts” (đối tượng) và “rules” (danh sách)"
            )
        self.concepts: dict[str, _Concept] = {}
        for name, phrases in concepts.items():
            if not isinstance(phrases, list):
                raise RulesError(f"message_rules.json: nhóm “{name}” phải là danh sách cụm từ")
            self.concepts[name] = _Concept(name, phrases)
        if "negation" not in self.concepts:
            raise RulesError("message_rules.json: thiếu nhóm “negation”")
        self.rules = [self._check_rule(rule, n) for n, rule in enumerate(rules, start=1)]
        self.messages: dict[str, str] = dict(document.get("messages", {}))
        self.weights: dict[str, int] = {k: int(v) for k, v in document.get("weights", {}).items()}
        scope = document.get("negation_scope", {"negation": 10, "passive": 2})
        # name → (words covered, stops at a comma too, the concepts it affects or None for all)
        self.negation_scope: dict[str, tuple[int, bool, frozenset[str] | None]] = {}
        for key, value in scope.items():
            if isinstance(value, dict):
                only = value.get("only")
                self.negation_scope[str(key)] = (
                    int(value["words"]),
                    bool(value.get("clause")),
                    frozenset(only) if only else None,
                )
            else:
                self.negation_scope[str(key)] = (int(value), False, None)
        self.negation_exempt = frozenset(document.get("negation_exempt", ())) | set(
            self.negation_scope
        )
        self.person_names = frozenset(document.get("person_names", ()))
        self.organisation_words = tuple(
            sorted({fold_plain(w) for w in document.get("organisation_words", ())}, key=len)
        )
        # Advisory framing (an official warning that quotes scammers' words): when one of
        # ``codes`` fires, the other positive ``text.*`` weights are multiplied by ``factor``,
        # except ``keep`` (links, listed numbers and accounts are never discounted).
        advisory = document.get("advisory", {})
        if not isinstance(advisory, dict):
            raise RulesError("message_rules.json: “advisory” phải là đối tượng")
        self.advisory_codes = frozenset(advisory.get("codes", ()))
        self.advisory_factor = float(advisory.get("factor", 1.0))
        self.advisory_keep = frozenset(advisory.get("keep", ()))
        if not 0.0 <= self.advisory_factor <= 1.0:
            raise RulesError("message_rules.json: “advisory.factor” phải trong khoảng 0..1")
        self.organisation_marked = frozenset(
            w.lower() for w in document.get("organisation_marked_words", ())
        )
        self.teencode = dict(teencode)
        # Words worth recovering from digit-for-letter spellings ("m4t", "0tp", "kh0ản").
        self.keywords = frozenset(
            w
            for phrases in concepts.values()
            for phrase in phrases
            if isinstance(phrase, str) and not phrase.startswith("re:")
            for w in fold_plain(phrase.lstrip("=")).split()
            if len(w) >= 3
        ) | frozenset(self.teencode)

    def _check_rule(self, rule: Any, number: int) -> dict[str, Any]:
        where = f"message_rules.json, quy tắc thứ {number}"
        if not isinstance(rule, dict) or not rule.get("code") or "weight" not in rule:
            raise RulesError(f"{where}: cần “code”, “weight” và “message”")
        if not rule.get("message"):
            raise RulesError(f"{where} ({rule['code']}): thiếu “message”")
        if not rule.get("any") and not rule.get("all"):
            raise RulesError(f"{where} ({rule['code']}): cần “any” hoặc “all”")
        for key in ("any", "all", "unless"):
            for name in rule.get(key, ()):
                if name not in self.concepts:
                    raise RulesError(f"{where} ({rule['code']}): không có nhóm “{name}”")
        for need in rule.get("requires", ()):
            if need not in ("url", "account", "phone"):
                raise RulesError(
                    f"{where} ({rule['code']}): “requires” chỉ nhận url, account, phone"
                )
        return rule

    # --- preparing a message ---------------------------------------------------------------

    def prepare(self, cleaned: Mapped, masked_spans: Iterable[tuple[int, int]] = ()) -> Mapped:
        """The folded text rules run on; ``masked_spans`` (original offsets, e.g. links) blanked."""
        text = fold(cleaned)
        spans = sorted(masked_spans)
        if spans:
            chars = list(text.text)
            for k, start in enumerate(text.starts):
                for a, b in spans:
                    if a <= start < b:
                        chars[k] = " "
                        break
            text = Mapped("".join(chars), text.starts, text.ends, text.marks, text.original)
        text = self._join_spaced(text)
        joined = text
        return text.rewrite(_TOKEN, lambda m: self._expand(m, joined.text, joined))

    @staticmethod
    def _join_spaced(text: Mapped) -> Mapped:
        drop: list[int] = []
        for pattern in (_DOTTED, _SPACED):
            for match in pattern.finditer(text.text):
                run = match.group()
                if sum(c.isalpha() for c in run) < 2:
                    continue
                drop.extend(match.start() + k for k, c in enumerate(run) if not c.isalnum())
        return text.drop(drop)

    def _expand(self, match: re.Match[str], source: str, text: Mapped) -> str | None:
        token = match.group()
        start = match.start()
        before = source[max(0, start - 2) : start]
        if before and before.strip()[-1:].isdigit():  # "50 k", "5tr": amounts, not teen code
            return None
        marks = text.marks[start : match.end()]
        if any(m != c and m not in "đ" for m, c in zip(marks, token, strict=False)):
            return None  # written with diacritics ("hồng"), so not teen code ("hong" = không)
        found = self.teencode.get(token)
        if found is not None:
            return found
        if token.isalpha() or token.isdigit():
            return None
        for table in (_LEET, _LEET_L):
            plain = token.translate(table)
            if plain.isalpha() and (plain in self.keywords):
                return self.teencode.get(plain, plain)
        return None

    # --- evaluating -------------------------------------------------------------------------

    def find(self, text: Mapped, concept: str) -> list[ConceptHit]:
        """Every hit of ``concept``, negated or not."""
        return self.concepts[concept].find(text)

    def session(self, text: Mapped) -> _Session:
        """Cached, negation-aware look-ups on one prepared text."""
        return _Session(self, text)

    def evaluate(self, text: Mapped, present: frozenset[str] = frozenset()) -> list[RuleHit]:
        """The rules that fire on a prepared text; ``present`` lists "url"/"account"/"phone"."""
        session = self.session(text)
        out = []
        for rule in self.rules:
            if any(need not in present for need in rule.get("requires", ())):
                continue
            if any(session.hits(name) for name in rule.get("unless", ())):
                continue
            span: tuple[int, int] | None
            if rule.get("all"):
                span = _all_within(
                    [session.hits(name) for name in rule["all"]], int(rule.get("within", 1 << 30))
                )
            else:
                span = _any(
                    [(name, session.hits(name)) for name in rule["any"]],
                    int(rule.get("min_distinct", 1)),
                )
            if span is not None:
                out.append(RuleHit(rule["code"], int(rule["weight"]), rule["message"], *span))
        return out


class _Session:
    """Hits of concepts in one text, without those a negation takes back.

    Vietnamese negates what follows: "không" (and "đừng", "không bao giờ yêu cầu"…) covers
    the next words of its clause, up to ``negation_scope`` words, stopping at sentence
    punctuation or a clause word ("sẽ", "thì", "nhưng", "hãy", "chỉ cần"…, concept
    ``scope_break``). Passive and past markers ("đã", "được", "vừa", concept ``passive``)
    cover two words: "mã đã được gửi" reports, it does not ask. "Nếu không …" (concept
    ``conditional``) is a condition, not a negation. Concepts listed in ``negation_exempt``
    (phrases that carry their own negation, like "không được nói với ai") are never taken back.
    """

    def __init__(self, rules: MessageRules, text: Mapped) -> None:
        self.rules = rules
        self.text = text
        self.raw: dict[str, list[ConceptHit]] = {}
        self.kept: dict[str, list[ConceptHit]] = {}
        self._negators: list[tuple[ConceptHit, int, bool, frozenset[str] | None]] | None = None

    def all_hits(self, name: str) -> list[ConceptHit]:
        found = self.raw.get(name)
        if found is None:
            found = self.raw[name] = self.rules.concepts[name].find(self.text)
        return found

    def hits(self, name: str) -> list[ConceptHit]:
        found = self.kept.get(name)
        if found is None:
            found = self.all_hits(name)
            if name not in self.rules.negation_exempt:
                found = [h for h in found if not self.negated(h, name)]
            self.kept[name] = found
        return found

    def negators(self) -> list[tuple[ConceptHit, int, bool, frozenset[str] | None]]:
        if self._negators is None:
            conditions = (
                self.all_hits("conditional") if "conditional" in self.rules.concepts else []
            )
            out = []
            for name, (scope, clause, only) in self.rules.negation_scope.items():
                if name not in self.rules.concepts:
                    continue
                for hit in self.all_hits(name):
                    if not any(c.start <= hit.start < c.end for c in conditions):
                        out.append((hit, scope, clause, only))
            self._negators = out
        return self._negators

    def negated(self, hit: ConceptHit, concept: str) -> bool:
        text = self.text.text
        for negator, scope, clause, only in self.negators():
            if only is not None and concept not in only:
                continue
            if negator.start <= hit.start and hit.end <= negator.end and negator != hit:
                return True  # "gửi" inside "kính gửi"
            if negator.end > hit.start or hit.start - negator.end > 12 * scope:
                continue
            between = text[negator.end : hit.start]
            if len(_WORDS.findall(between)) > scope or _BREAK.search(between):
                continue
            if clause and "," in between:
                continue
            if any(
                negator.end <= b.start and b.end <= hit.start
                for b in (
                    self.all_hits("scope_break") if "scope_break" in self.rules.concepts else ()
                )
            ):
                continue
            return True
        return False


def _any(groups: list[tuple[str, list[ConceptHit]]], min_distinct: int) -> tuple[int, int] | None:
    found = sorted((h for _, hs in groups for h in hs), key=lambda h: h.start)
    if not found:
        return None
    if min_distinct > 1:
        distinct = {(name, h.phrase) for name, hs in groups for h in hs}
        if len(distinct) < min_distinct:
            return None
        return found[0].start, found[0].end
    return found[0].start, found[0].end


def _overlap(a: ConceptHit, b: ConceptHit) -> bool:
    """One hit lies within the other ("nhắn" inside "nhắn riêng")."""
    return (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)


def _all_within(groups: list[list[ConceptHit]], within: int) -> tuple[int, int] | None:
    """The tightest choice of one hit per group, if it spans at most ``within`` characters;
    the evidence is the whole span when short, else the last group's hit. The same words do
    not count for two groups ("nhắn riêng" is a private channel, not also a request)."""
    if any(not g for g in groups):
        return None
    best: tuple[int, int, ConceptHit] | None = None
    for anchor in groups[0]:
        chosen = [anchor]
        for group in groups[1:]:
            free = [h for h in group if not any(_overlap(h, c) for c in chosen)]
            if not free:
                break
            chosen.append(min(free, key=lambda h: abs(h.start - anchor.start)))
        if len(chosen) < len(groups):
            continue
        start = min(h.start for h in chosen)
        end = max(h.end for h in chosen)
        if best is None or end - start < best[1] - best[0]:
            best = (start, end, chosen[-1])
    if best is None:
        return None
    start, end, last = best
    if end - start > within:
        return None
    if end - start <= 120:
        return start, end
    return last.start, last.end
