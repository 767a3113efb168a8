"""The English catalogue: complete, not fuzzy, placeholders intact, compiled .mo in step with the .po.

Vietnamese is the source language (every msgid is Vietnamese); English comes from
src/lachan/locale/en/LC_MESSAGES/django.po, compiled to django.mo and committed so that an
install needs no gettext. Regenerate after changing user-facing strings::

    cd src/lachan
    lachan manage makemessages -l en --no-obsolete --ignore "migrations/*"
    (translate the new entries, drop their "#, fuzzy" flags)
    lachan manage compilemessages
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

import lachan

LC_MESSAGES = Path(lachan.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

PLACEHOLDER = re.compile(r"%%|%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    # PO strings use C escapes (\n, \t, \", \\), which a Python string literal reads the same way.
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> tuple[Entry, list[Entry], list[str]]:
    """A deliberately small .po reader: (header, entries, obsolete lines)."""
    entries: list[Entry] = []
    obsolete: list[str] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    pending_flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#~"):
            obsolete.append(raw)
            continue
        if line.startswith("#,"):
            finish()
            pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if not line or line.startswith("#"):
            if not line:
                finish()
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        starts_entry = keyword == "msgctxt" or (
            keyword == "msgid" and (current is None or current.msgctxt is None or current.msgstr)
        )
        if starts_entry:
            finish()
            current = Entry(flags=pending_flags, line=number)
            pending_flags = set()
        assert current is not None, f"{path}:{number}: {keyword} outside an entry"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword == "msgstr":
            current.msgstr[0] = _unquote(rest)
            target = ("msgstr", 0)
        elif match:
            current.msgstr[int(match[1])] = _unquote(rest)
            target = ("msgstr", int(match[1]))
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            setattr(current, keyword, _unquote(rest))
            target = (keyword, 0)
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    assert entries and entries[0].msgid == "", "the catalogue must start with its header"
    return entries[0], entries[1:], obsolete


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry], list[str]]:
    return parse_po(PO_PATH)


def test_po_header(catalogue):
    header, entries, obsolete = catalogue
    meta = header.msgstr[0]
    assert "Language: en\n" in meta
    assert "Content-Type: text/plain; charset=UTF-8\n" in meta
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in meta
    assert "fuzzy" not in header.flags
    assert len(entries) > 500, "the catalogue looks truncated"
    assert not obsolete, "obsolete (#~) entries: regenerate with --no-obsolete"


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    _header, entries, _obsolete = catalogue
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    empty = []
    for e in entries:
        expected = {0, 1} if e.msgid_plural is not None else {0}
        if set(e.msgstr) != expected or not all(e.msgstr[i].strip() for i in expected):
            empty.append(f"line {e.line}: {e.msgid!r}")
    assert not empty, "untranslated entries:\n" + "\n".join(empty)


def test_no_msgid_is_left_in_vietnamese_in_the_translation(catalogue):
    """A msgstr that still equals its Vietnamese msgid was copied, not translated."""
    _header, entries, _obsolete = catalogue
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    copied = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if e.msgstr.get(0) == e.msgid and vietnamese.search(e.msgid) and "Lá Chắn" not in e.msgid
    ]
    assert not copied, "msgstr equal to the Vietnamese msgid:\n" + "\n".join(copied)


def test_placeholders_are_kept(catalogue):
    _header, entries, _obsolete = catalogue
    wrong = []
    for e in entries:
        sources = {0: e.msgid, 1: e.msgid_plural if e.msgid_plural is not None else e.msgid}
        for index, text in e.msgstr.items():
            want = sorted(PLACEHOLDER.findall(sources.get(index, e.msgid_plural or e.msgid)))
            got = sorted(PLACEHOLDER.findall(text))
            if want != got:
                wrong.append(f"line {e.line}: {e.msgid!r} {want} != msgstr[{index}] {got}")
    assert not wrong, "placeholders changed:\n" + "\n".join(wrong)


def test_compiled_mo_matches_the_po(catalogue):
    _header, entries, _obsolete = catalogue
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    compiled = mo._catalog  # type: ignore[attr-defined]
    # One key per singular entry, one per plural form of a plural entry, plus the header ("").
    expected_keys = sum(len(e.msgstr) for e in entries) + 1
    assert len(compiled) == expected_keys, (
        f"django.mo has {len(compiled)} keys, django.po needs {expected_keys}: "
        "run `lachan manage compilemessages`"
    )
    stale = []
    for e in entries:
        if e.msgid_plural is None:
            if compiled.get(e.key) != e.msgstr[0]:
                stale.append(e.msgid)
        else:
            for index, text in e.msgstr.items():
                if compiled.get((e.key, index)) != text:
                    stale.append(f"{e.msgid} [{index}]")
    assert not stale, "django.mo is older than django.po for:\n" + "\n".join(stale[:20])


KEY_TRANSLATIONS = {
    "Việc cần xử lý": "Tasks",
    "Phát hiện": "Findings",
    "Đơn vị": "Units",
    "Nhật ký hệ thống": "Audit log",
    "Quá hạn": "Overdue",
    "Gửi báo cáo": "Submit report",
    "Xác nhận hoàn thành": "Verify",
    "Trả lại": "Return",
    "Tổng quan": "Dashboard",
    "Cán bộ phụ trách CNTT": "IT officer",
}


def test_key_strings_translate_at_runtime():
    from django.utils.translation import gettext, ngettext

    with translation.override("en"):
        for vietnamese, english in KEY_TRANSLATIONS.items():
            assert gettext(vietnamese) == english
        assert ngettext("%(n)s việc", "%(n)s việc", 1) % {"n": 1} == "1 task"
        assert ngettext("%(n)s việc", "%(n)s việc", 3) % {"n": 3} == "3 tasks"
    with translation.override("vi"):
        assert gettext("Việc cần xử lý") == "Việc cần xử lý"


def test_model_choices_translate_at_runtime():
    from lachan.org.models.units import UnitType
    from lachan.remediation.models import Severity, TaskStatus

    with translation.override("en"):
        assert str(UnitType.SO.label) == "Department of Education and Training"
        assert str(UnitType.THPT.label) == "Upper secondary school"
        assert str(UnitType.THCS.label) == "Lower secondary school"
        assert str(UnitType.TH.label) == "Primary school"
        assert str(UnitType.MN.label) == "Kindergarten"
        assert str(UnitType.GDNN_GDTX.label) == "Vocational and continuing education centre"
        assert str(TaskStatus.RETURNED.label) == "Returned"
        assert str(Severity.CRITICAL.label) == "Critical"


def test_templates_translate_at_runtime():
    template = Template(
        "{% load i18n %}{% translate 'Nhật ký hệ thống' %}|"
        "{% blocktranslate count n=k %}{{ n }} phát hiện{% plural %}{{ n }} phát hiện"
        "{% endblocktranslate %}|{% translate 'Đã chọn %(n)s tệp:' %}"
    )
    with translation.override("en"):
        assert template.render(Context({"k": 1})) == "Audit log|1 finding|%(n)s files selected:"
        assert template.render(Context({"k": 2})).split("|")[1] == "2 findings"
    with translation.override("vi"):
        assert (
            template.render(Context({"k": 2})) == "Nhật ký hệ thống|2 phát hiện|Đã chọn %(n)s tệp:"
        )
