"""Writes of lessons: loading the built-in content, and officers' editing (versions, images,
question bank). Keyword-only, one transaction each, audited; ``actor`` None is the system.

Built-in lessons live in ``awareness/content/lessons/<NN>-<slug>/``: ``lesson.md`` (YAML front
matter, then the Markdown body), ``quiz.yaml`` (the question bank) and ``images/``. Loading is
all-or-nothing: every folder is read and checked first, and one error anywhere (named by file,
line and field) loads nothing. A lesson an officer has edited since keeps the officer's content.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot
from lachan.org.selectors import is_department_staff

from ..lesson_images import check_image
from ..markdown import image_name, image_references, raw_html_lines
from ..models import Audience, Choice, Lesson, LessonImage, LessonVersion, Question, QuestionKind
from ..models import Topic as TopicChoices

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "content" / "lessons"
FOLDER_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Paths under /bai-hoc/ that are pages, not lessons.
RESERVED_SLUGS = {"quan-ly", "tien-do", "kiem-tra", "anh"}
FRONT_MATTER_KEYS = {
    "slug",
    "title",
    "topic",
    "audiences",
    "minutes",
    "pass_mark",
    "summary",
    "questions_per_attempt",
}
REQUIRED_FRONT_MATTER = FRONT_MATTER_KEYS - {"questions_per_attempt"}
QUESTION_KEYS = {"key", "kind", "text", "image", "choices", "explanation"}
MIN_QUESTIONS = 8
RECOMMENDED_QUESTIONS = 10
# A built-in lesson with a larger bank draws this many questions per attempt (unless its front
# matter says ``questions_per_attempt``), so a retake is not the same quiz.
DEFAULT_QUESTIONS_PER_ATTEMPT = 8
SUMMARY_MAX = 300
LESSON_FIELDS = [
    "slug",
    "topic",
    "audiences",
    "position",
    "pass_mark",
    "questions_per_attempt",
    "is_active",
    "builtin",
]
QUESTION_FIELDS = ["key", "kind", "text", "image_name", "explanation", "position", "is_active"]


def _require_department(actor) -> None:
    if actor is not None and not is_department_staff(actor):
        raise PermissionDenied


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- reading a content folder -----------------------------------------------------------------


@dataclass
class ChoiceData:
    text: str
    correct: bool


@dataclass
class QuestionData:
    key: str
    kind: str
    text: str
    image: str
    explanation: str
    choices: list[ChoiceData]


@dataclass
class ImageData:
    name: str
    data: bytes
    content_type: str
    sha256: str


@dataclass
class LessonData:
    """One content folder, read and checked."""

    folder: str
    position: int
    slug: str
    title: str
    topic: str
    audiences: list[str]
    minutes: int
    pass_mark: int
    summary: str
    body: str
    questions_per_attempt: int
    questions: list[QuestionData]
    images: list[ImageData]
    sha256: str


@dataclass
class LoadReport:
    """What a load did, lesson by lesson (slugs)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (slug, reason)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "Đã thêm %(created)s, cập nhật %(updated)s, giữ nguyên %(unchanged)s, "
            "bỏ qua %(skipped)s bài học."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"slug": s, "reason": r} for s, r in self.skipped],
            "warnings": self.warnings,
        }


class LessonContentError(ValidationError):
    """The content folders have errors; each message names the file, line and field."""


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line number where the body starts) or None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None


def _int_in(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _read_front_matter(where: str, meta: Any, folder_slug: str, errors: list[str]) -> dict:
    if not isinstance(meta, dict):
        errors.append(
            _("%(f)s: phần đầu (front matter) phải là các cặp khoá: giá trị.") % {"f": where}
        )
        return {}
    out: dict[str, Any] = {}
    for key in sorted(set(meta) - FRONT_MATTER_KEYS, key=str):
        errors.append(
            _("%(f)s, trường “%(k)s”: không có trong định dạng bài học.") % {"f": where, "k": key}
        )
    for key in sorted(REQUIRED_FRONT_MATTER - set(meta)):
        errors.append(_("%(f)s, trường “%(k)s”: bắt buộc.") % {"f": where, "k": key})

    def bad(key: str, message: str) -> None:
        errors.append(_("%(f)s, trường “%(k)s”: %(m)s") % {"f": where, "k": key, "m": message})

    slug = meta.get("slug")
    if "slug" in meta:
        if not isinstance(slug, str) or slug != folder_slug:
            bad("slug", _("phải trùng với tên thư mục (“%(s)s”).") % {"s": folder_slug})
        else:
            out["slug"] = slug
    title = meta.get("title")
    if "title" in meta:
        if not isinstance(title, str) or not title.strip() or len(title.strip()) > 200:
            bad("title", _("cần một tiêu đề, tối đa 200 ký tự."))
        else:
            out["title"] = title.strip()
    topic = meta.get("topic")
    if "topic" in meta:
        if topic not in TopicChoices.values:
            bad("topic", _("phải là một trong: %(v)s.") % {"v": ", ".join(TopicChoices.values)})
        else:
            out["topic"] = topic
    audiences = meta.get("audiences")
    if "audiences" in meta:
        if (
            not isinstance(audiences, list)
            or not audiences
            or any(a not in Audience.values for a in audiences)
        ):
            bad("audiences", _("là danh sách gồm: %(v)s.") % {"v": ", ".join(Audience.values)})
        else:
            out["audiences"] = [a for a in Audience.values if a in audiences]
    if "minutes" in meta:
        minutes = _int_in(meta.get("minutes"), 1, 120)
        if minutes is None:
            bad("minutes", _("là số phút từ 1 đến 120."))
        else:
            out["minutes"] = minutes
    if "pass_mark" in meta:
        pass_mark = _int_in(meta.get("pass_mark"), 1, 100)
        if pass_mark is None:
            bad("pass_mark", _("là phần trăm từ 1 đến 100."))
        else:
            out["pass_mark"] = pass_mark
    summary = meta.get("summary")
    if "summary" in meta:
        if (
            not isinstance(summary, str)
            or not summary.strip()
            or len(summary.strip()) > SUMMARY_MAX
        ):
            bad("summary", _("cần một câu tóm tắt, tối đa %(n)s ký tự.") % {"n": SUMMARY_MAX})
        else:
            out["summary"] = summary.strip()
    if "questions_per_attempt" in meta:
        per = _int_in(meta.get("questions_per_attempt"), 0, 100)
        if per is None:
            bad("questions_per_attempt", _("là số câu mỗi lần làm (0 = tất cả)."))
        else:
            out["questions_per_attempt"] = per
    return out


def check_question(
    *,
    kind: str,
    text: str,
    choices: list[ChoiceData],
    image: str,
    explanation: str,
    strict: bool,
) -> list[tuple[str, str]]:
    """Problems of one question as (field, message). ``strict`` adds the content format's rules
    (3–4 choices for one-answer questions, two or more right answers for "multiple", an
    explanation), which the question editor does not impose."""
    problems: list[tuple[str, str]] = []
    if kind not in QuestionKind.values:
        problems.append(("kind", _("loại câu hỏi phải là single, multiple hoặc scenario.")))
        return problems
    if not text.strip():
        problems.append(("text", _("cần nội dung câu hỏi.")))
    if kind == QuestionKind.SCENARIO and not image:
        problems.append(("image", _("câu tình huống cần hình ảnh (image).")))
    filled = [c for c in choices if c.text.strip()]
    if len(filled) != len(choices):
        problems.append(("choices", _("mọi đáp án cần có nội dung.")))
    if any(len(c.text) > 500 for c in choices):
        problems.append(("choices", _("mỗi đáp án tối đa 500 ký tự.")))
    correct = sum(1 for c in choices if c.correct)
    if kind in (QuestionKind.SINGLE, QuestionKind.SCENARIO):
        if correct != 1:
            problems.append(("choices", _("cần đúng một đáp án đúng.")))
        if strict and not 3 <= len(choices) <= 4:
            problems.append(("choices", _("cần 3 đến 4 đáp án.")))
    else:
        if strict and correct < 2:
            problems.append(("choices", _("câu chọn nhiều đáp án cần ít nhất 2 đáp án đúng.")))
        elif correct < 1:
            problems.append(("choices", _("cần ít nhất một đáp án đúng.")))
    if len(choices) < 2:
        problems.append(("choices", _("cần ít nhất 2 đáp án.")))
    if strict and not explanation.strip():
        problems.append(("explanation", _("cần lời giải thích.")))
    return problems


def _read_quiz(
    where: str, text: str, image_names: set[str], errors: list[str], warnings: list[str]
) -> list[QuestionData]:
    try:
        root_node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", dòng {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(
            _("%(f)s%(l)s: YAML không hợp lệ (%(p)s).") % {"f": where, "l": line, "p": problem}
        )
        return []
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        errors.append(_("%(f)s: cần khoá “questions” chứa danh sách câu hỏi.") % {"f": where})
        return []
    for key in sorted(set(data) - {"questions"}, key=str):
        errors.append(
            _("%(f)s, trường “%(k)s”: không có trong định dạng câu hỏi.") % {"f": where, "k": key}
        )
    lines: list[int] = []
    if root_node is not None:
        for key_node, value_node in root_node.value:
            if key_node.value == "questions":
                lines = [item.start_mark.line + 1 for item in value_node.value]
    questions: list[QuestionData] = []
    seen: set[str] = set()
    for index, item in enumerate(data["questions"]):
        line = lines[index] if index < len(lines) else "?"
        label = f"{where}, dòng {line}, câu {index + 1}"
        if not isinstance(item, dict):
            errors.append(_("%(l)s: mỗi câu hỏi là các cặp khoá: giá trị.") % {"l": label})
            continue
        key = item.get("key")
        if isinstance(key, str) and QUESTION_KEY_RE.match(key):
            label = f"{where}, dòng {line}, câu {key}"
            if key in seen:
                errors.append(_("%(l)s: mã câu hỏi bị trùng.") % {"l": label})
            seen.add(key)
        else:
            errors.append(_("%(l)s, trường “key”: cần mã câu hỏi dạng q01, q02…") % {"l": label})
        for extra in sorted(set(item) - QUESTION_KEYS, key=str):
            errors.append(
                _("%(l)s, trường “%(k)s”: không có trong định dạng câu hỏi.")
                % {"l": label, "k": extra}
            )
        raw_choices = item.get("choices")
        choices: list[ChoiceData] = []
        if not isinstance(raw_choices, list):
            errors.append(_("%(l)s, trường “choices”: cần danh sách đáp án.") % {"l": label})
        else:
            for number, choice in enumerate(raw_choices, start=1):
                if (
                    not isinstance(choice, dict)
                    or set(choice) - {"text", "correct"}
                    or not isinstance(choice.get("text"), str | int | float)
                    or not isinstance(choice.get("correct", False), bool)
                ):
                    errors.append(
                        _("%(l)s, đáp án %(n)s: cần “text” và “correct: true/false”.")
                        % {"l": label, "n": number}
                    )
                    continue
                choices.append(
                    ChoiceData(str(choice["text"]).strip(), choice.get("correct", False))
                )
        image = item.get("image") or ""
        if image and (not isinstance(image, str) or image_name(image) not in image_names):
            errors.append(
                _("%(l)s, trường “image”: không có ảnh “%(i)s” trong thư mục images/.")
                % {"l": label, "i": image}
            )
        text_value = item.get("text")
        explanation = item.get("explanation") or ""
        if not isinstance(text_value, str) or not isinstance(explanation, str):
            errors.append(_("%(l)s: “text” và “explanation” là văn bản.") % {"l": label})
            continue
        kind = item.get("kind")
        for fld, message in check_question(
            kind=str(kind),
            text=text_value,
            choices=choices,
            image=image,
            explanation=explanation,
            strict=True,
        ):
            errors.append(_("%(l)s, trường “%(k)s”: %(m)s") % {"l": label, "k": fld, "m": message})
        questions.append(
            QuestionData(
                key=str(key),
                kind=str(kind),
                text=text_value.strip(),
                image=(image_name(image) or "") if image else "",
                explanation=explanation.strip(),
                choices=choices,
            )
        )
    if len(data["questions"]) < MIN_QUESTIONS:
        errors.append(
            _("%(f)s: cần ít nhất %(n)s câu hỏi (hiện có %(c)s).")
            % {"f": where, "n": MIN_QUESTIONS, "c": len(data["questions"])}
        )
    elif len(data["questions"]) < RECOMMENDED_QUESTIONS:
        warnings.append(
            _("%(f)s: nên có ít nhất %(n)s câu hỏi.") % {"f": where, "n": RECOMMENDED_QUESTIONS}
        )
    for kind, label in ((QuestionKind.SCENARIO, "scenario"), (QuestionKind.MULTIPLE, "multiple")):
        if sum(1 for q in questions if q.kind == kind) < 2:
            warnings.append(_("%(f)s: nên có ít nhất 2 câu loại %(k)s.") % {"f": where, "k": label})
    return questions


def read_lesson_folder(path: Path) -> tuple[LessonData | None, list[str], list[str]]:
    """One content folder → (data or None, errors, warnings). Reads, writes nothing."""
    errors: list[str] = []
    warnings: list[str] = []
    folder = path.name
    found = FOLDER_RE.match(folder)
    if found is None:
        return (
            None,
            [
                _("%(f)s: tên thư mục phải có dạng NN-ten-bai (ví dụ 01-con-dang-cap-cuu).")
                % {"f": folder}
            ],
            [],
        )
    position, folder_slug = int(found.group(1)), found.group(2)

    images: list[ImageData] = []
    images_dir = path / "images"
    if images_dir.is_dir():
        for image_path in sorted(images_dir.iterdir()):
            if image_path.name.startswith(".") or not image_path.is_file():
                continue
            data = image_path.read_bytes()
            try:
                content_type = check_image(image_path.name, data)
            except ValidationError as exc:
                errors.extend(f"{folder}/images/{m}" for m in exc.messages)
                continue
            images.append(ImageData(image_path.name, data, content_type, _sha256(data)))
    image_names = {i.name for i in images}

    lesson_file = path / "lesson.md"
    where = f"{folder}/lesson.md"
    meta: dict[str, Any] = {}
    body = ""
    lesson_bytes = b""
    if not lesson_file.is_file():
        errors.append(_("%(f)s: thiếu tệp.") % {"f": where})
    else:
        lesson_bytes = lesson_file.read_bytes()
        try:
            text = lesson_bytes.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            text = None
            errors.append(_("%(f)s: tệp phải mã hoá UTF-8.") % {"f": where})
        parts = _split_front_matter(text) if text is not None else None
        if text is not None and parts is None:
            errors.append(_("%(f)s, dòng 1: cần phần đầu YAML giữa hai dòng “---”.") % {"f": where})
        elif parts is not None:
            front, body, body_line = parts
            try:
                loaded = yaml.safe_load(front)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark is not None else 1
                errors.append(
                    _("%(f)s, dòng %(l)s: phần đầu YAML không hợp lệ (%(p)s).")
                    % {"f": where, "l": line, "p": getattr(exc, "problem", None) or exc}
                )
            else:
                meta = _read_front_matter(where, loaded, folder_slug, errors)
            if not body.strip():
                errors.append(_("%(f)s: bài học chưa có nội dung.") % {"f": where})
            for line in raw_html_lines(body):
                errors.append(
                    _("%(f)s, dòng %(l)s: không dùng HTML trực tiếp trong bài học.")
                    % {"f": where, "l": line + body_line - 1}
                )
            for src, line in image_references(body):
                if image_name(src) not in image_names:
                    errors.append(
                        _("%(f)s, dòng %(l)s: không có ảnh “%(s)s” trong thư mục images/.")
                        % {"f": where, "l": line + body_line - 1, "s": src}
                    )

    quiz_file = path / "quiz.yaml"
    questions: list[QuestionData] = []
    quiz_bytes = b""
    if not quiz_file.is_file():
        errors.append(_("%(f)s/quiz.yaml: thiếu tệp.") % {"f": folder})
    else:
        quiz_bytes = quiz_file.read_bytes()
        try:
            quiz_text = quiz_bytes.decode("utf-8-sig")
        except UnicodeDecodeError:
            errors.append(_("%(f)s/quiz.yaml: tệp phải mã hoá UTF-8.") % {"f": folder})
        else:
            questions = _read_quiz(f"{folder}/quiz.yaml", quiz_text, image_names, errors, warnings)

    if errors:
        return None, errors, warnings
    digest = hashlib.sha256()
    for part in (lesson_bytes, quiz_bytes, *(f"{i.name}:{i.sha256}".encode() for i in images)):
        digest.update(hashlib.sha256(part).digest())
    per_attempt = meta.get("questions_per_attempt")
    if per_attempt is None:
        per_attempt = (
            DEFAULT_QUESTIONS_PER_ATTEMPT if len(questions) > DEFAULT_QUESTIONS_PER_ATTEMPT else 0
        )
    return (
        LessonData(
            folder=folder,
            position=position,
            slug=meta["slug"],
            title=meta["title"],
            topic=meta["topic"],
            audiences=meta["audiences"],
            minutes=meta["minutes"],
            pass_mark=meta["pass_mark"],
            summary=meta["summary"],
            body=normalize_body(body),
            questions_per_attempt=per_attempt,
            questions=questions,
            images=images,
            sha256=digest.hexdigest(),
        ),
        errors,
        warnings,
    )


# --- writing: shared pieces -------------------------------------------------------------------


def _delete_files_on_commit(names: list[str], storage) -> None:
    def delete() -> None:
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(delete)


def _store_image(
    lesson: Lesson, name: str, data: bytes, content_type: str
) -> tuple[LessonImage, bool]:
    """Create or replace the lesson's image ``name``; (image, changed)."""
    sha = _sha256(data)
    image = LessonImage.objects.filter(lesson=lesson, name=name).first()
    if image is not None and image.sha256 == sha:
        return image, False
    old_file = image.file.name if image is not None else ""
    if image is None:
        image = LessonImage(lesson=lesson, name=name)
    image.content_type = content_type
    image.sha256 = sha
    image.file.save(name, ContentFile(data), save=False)
    image.save()
    if old_file:
        _delete_files_on_commit([old_file], image.file.storage)
    return image, True


def _next_version_number(lesson: Lesson) -> int:
    return (lesson.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _add_version(
    lesson: Lesson,
    *,
    actor,
    title: str,
    summary: str,
    body: str,
    minutes: int,
    note: str,
    source_sha256: str = "",
) -> LessonVersion:
    version = LessonVersion.objects.create(
        lesson=lesson,
        number=_next_version_number(lesson),
        title=title,
        summary=summary,
        body=body,
        minutes=minutes,
        note=note[:255],
        source_sha256=source_sha256,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    lesson.current_version = version
    return version


def _replace_choices(question: Question, choices: list[ChoiceData]) -> None:
    """The question's choices become ``choices``, updated in place by position (attempts keep
    a snapshot of what they showed)."""
    existing = list(question.choices.order_by("position", "pk"))
    for position, data in enumerate(choices):
        if position < len(existing):
            choice = existing[position]
            if (choice.text, choice.is_correct, choice.position) != (
                data.text,
                data.correct,
                position,
            ):
                choice.text, choice.is_correct, choice.position = data.text, data.correct, position
                choice.save(update_fields=["text", "is_correct", "position"])
        else:
            Choice.objects.create(
                question=question, text=data.text, is_correct=data.correct, position=position
            )
    for choice in existing[len(choices) :]:
        choice.delete()


def _upsert_questions(lesson: Lesson, questions: list[QuestionData]) -> None:
    existing = {q.key: q for q in lesson.questions.all()}
    for position, data in enumerate(questions):
        question = existing.pop(data.key, None) or Question(lesson=lesson, key=data.key)
        question.kind = data.kind
        question.text = data.text
        question.image_name = data.image
        question.explanation = data.explanation
        question.position = position
        question.is_active = True
        question.save()
        _replace_choices(question, data.choices)
    for gone in existing.values():  # removed from the file: kept for old attempts, not drawn
        if gone.is_active:
            gone.is_active = False
            gone.save(update_fields=["is_active"])


# --- loading the built-in content -------------------------------------------------------------


def read_content_dir(content_dir: Path) -> tuple[list[LessonData], list[str], list[str]]:
    """Every lesson folder of ``content_dir`` → (lessons, errors, warnings)."""
    if not content_dir.is_dir():
        return [], [_("Không tìm thấy thư mục bài học %(d)s.") % {"d": content_dir}], []
    lessons: list[LessonData] = []
    errors: list[str] = []
    warnings: list[str] = []
    for path in sorted(content_dir.iterdir()):
        if not path.is_dir() or path.name.startswith((".", "_")):
            continue
        data, folder_errors, folder_warnings = read_lesson_folder(path)
        errors.extend(folder_errors)
        warnings.extend(folder_warnings)
        if data is not None:
            lessons.append(data)
    slugs: dict[str, str] = {}
    for data in lessons:
        if data.slug in slugs:
            errors.append(
                _("%(a)s và %(b)s: trùng mã bài học “%(s)s”.")
                % {"a": slugs[data.slug], "b": data.folder, "s": data.slug}
            )
        slugs[data.slug] = data.folder
    return lessons, errors, warnings


def _apply_lesson(data: LessonData, actor, report: LoadReport) -> None:
    lesson = Lesson.objects.filter(slug=data.slug).select_related("current_version").first()
    if lesson is not None and not lesson.builtin:
        report.skipped.append((data.slug, _("trùng mã với một bài học do cán bộ tạo")))
        return
    if lesson is not None and lesson.edited_locally_at is not None:
        report.skipped.append((data.slug, _("đã sửa trên hệ thống")))
        return
    current = lesson.current_version if lesson is not None else None
    if current is not None and current.source_sha256 == data.sha256:
        report.unchanged.append(data.slug)
        return
    created = lesson is None
    if lesson is None:
        lesson = Lesson(slug=data.slug, builtin=True)
    lesson.topic = data.topic
    lesson.audiences = data.audiences
    lesson.position = data.position
    lesson.pass_mark = data.pass_mark
    lesson.questions_per_attempt = data.questions_per_attempt
    lesson.save()
    for image in data.images:
        _store_image(lesson, image.name, image.data, image.content_type)
    _add_version(
        lesson,
        actor=actor,
        title=data.title,
        summary=data.summary,
        body=data.body,
        minutes=data.minutes,
        note=_("Nạp từ tệp nội dung %(f)s") % {"f": data.folder},
        source_sha256=data.sha256,
    )
    lesson.save(update_fields=["current_version", "updated_at"])
    _upsert_questions(lesson, data.questions)
    (report.created if created else report.updated).append(data.slug)


def load_builtin_lessons(*, content_dir: Path | str | None = None, actor=None) -> LoadReport:
    """Load (or reload) the built-in lessons; idempotent, all-or-nothing, one audit record.

    Raises ``LessonContentError`` listing every problem (file, line, field) — then nothing
    is loaded.
    """
    _require_department(actor)
    directory = Path(content_dir) if content_dir is not None else BUILTIN_DIR
    lessons, errors, warnings = read_content_dir(directory)
    if errors:
        raise LessonContentError(errors)
    report = LoadReport(warnings=warnings)
    with transaction.atomic():
        for data in lessons:
            _apply_lesson(data, actor, report)
        record(
            actor=actor,
            action="lesson.load_builtin",
            object_type="awareness.lesson",
            object_repr=_("Bài học có sẵn"),
            after={
                "directory": directory.name,
                "created": report.created,
                "updated": report.updated,
                "unchanged": len(report.unchanged),
                "skipped": [s for s, _r in report.skipped],
            },
            message=report.summary(),
        )
    return report


# --- officers' editing ------------------------------------------------------------------------


def _lesson_errors(
    *,
    title: str,
    summary: str,
    body: str,
    minutes: int,
    topic: str,
    audiences: list[str],
    pass_mark: int,
    questions_per_attempt: int,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def bad(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not title.strip():
        bad("title", _("Cần tiêu đề bài học."))
    elif len(title.strip()) > 200:
        bad("title", _("Tiêu đề tối đa 200 ký tự."))
    if len(summary.strip()) > 500:
        bad("summary", _("Tóm tắt tối đa 500 ký tự."))
    if not body.strip():
        bad("body", _("Cần nội dung bài học."))
    if not 1 <= minutes <= 120:
        bad("minutes", _("Thời lượng từ 1 đến 120 phút."))
    if topic not in TopicChoices.values:
        bad("topic", _("Chủ đề không hợp lệ."))
    if not audiences or any(a not in Audience.values for a in audiences):
        bad("audiences", _("Chọn ít nhất một đối tượng."))
    if not 1 <= pass_mark <= 100:
        bad("pass_mark", _("Điểm đạt từ 1 đến 100 (%)."))
    if not 0 <= questions_per_attempt <= 100:
        bad("questions_per_attempt", _("Số câu mỗi lần làm từ 0 (tất cả) đến 100."))
    return errors


def normalize_body(body: str) -> str:
    """A lesson's Markdown as stored: Unix line ends, no blank lines around, one final newline."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


def _mark_edited(lesson: Lesson) -> None:
    lesson.edited_locally_at = timezone.now()


def create_lesson(
    *,
    actor,
    slug: str,
    title: str,
    summary: str = "",
    body: str,
    minutes: int,
    topic: str,
    audiences: list[str],
    pass_mark: int = 80,
    questions_per_attempt: int = 0,
    note: str = "",
) -> Lesson:
    """A new (not built-in) lesson with its first version; it starts inactive until the
    officer has added questions and turns it on."""
    _require_department(actor)
    slug = slug.strip().lower()
    errors = _lesson_errors(
        title=title,
        summary=summary,
        body=body,
        minutes=minutes,
        topic=topic,
        audiences=audiences,
        pass_mark=pass_mark,
        questions_per_attempt=questions_per_attempt,
    )
    if not SLUG_RE.match(slug) or len(slug) > 80:
        errors.setdefault("slug", []).append(
            _(
                "Mã bài học chỉ gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ mat-khau-manh)."
            )
        )
    elif slug in RESERVED_SLUGS:
        errors.setdefault("slug", []).append(_("Mã bài học này đã dành cho trang khác."))
    elif Lesson.objects.filter(slug=slug).exists():
        errors.setdefault("slug", []).append(_("Đã có bài học mang mã này."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        position = (Lesson.objects.aggregate(n=Max("position"))["n"] or 0) + 1
        lesson = Lesson.objects.create(
            slug=slug,
            topic=topic,
            audiences=[a for a in Audience.values if a in audiences],
            position=position,
            pass_mark=pass_mark,
            questions_per_attempt=questions_per_attempt,
            is_active=False,
        )
        version = _add_version(
            lesson,
            actor=actor,
            title=title.strip(),
            summary=summary.strip(),
            body=normalize_body(body),
            minutes=minutes,
            note=note or _("Tạo bài học"),
        )
        lesson.save(update_fields=["current_version", "updated_at"])
        record(
            actor=actor,
            action="lesson.create",
            obj=lesson,
            after={**snapshot(lesson, LESSON_FIELDS), "title": version.title, "version": 1},
        )
    return lesson


def update_lesson(
    *,
    actor,
    lesson: Lesson,
    title: str,
    summary: str = "",
    body: str,
    minutes: int,
    topic: str,
    audiences: list[str],
    pass_mark: int,
    questions_per_attempt: int,
    note: str = "",
) -> LessonVersion | None:
    """Save an officer's edit: a new version when the text changed, the settings in place.
    Returns the new version (None when the text is unchanged)."""
    _require_department(actor)
    errors = _lesson_errors(
        title=title,
        summary=summary,
        body=body,
        minutes=minutes,
        topic=topic,
        audiences=audiences,
        pass_mark=pass_mark,
        questions_per_attempt=questions_per_attempt,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lesson = (
            Lesson.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .get(pk=lesson.pk)
        )
        before = snapshot(lesson, LESSON_FIELDS)
        current = lesson.current_version
        body = normalize_body(body)
        text = (title.strip(), summary.strip(), body, minutes)
        text_changed = current is None or text != (
            current.title,
            current.summary,
            current.body,
            current.minutes,
        )
        settings_changed = (
            lesson.topic,
            lesson.audiences,
            lesson.pass_mark,
            lesson.questions_per_attempt,
        ) != (
            topic,
            [a for a in Audience.values if a in audiences],
            pass_mark,
            questions_per_attempt,
        )
        if not text_changed and not settings_changed:
            return None
        lesson.topic = topic
        lesson.audiences = [a for a in Audience.values if a in audiences]
        lesson.pass_mark = pass_mark
        lesson.questions_per_attempt = questions_per_attempt
        version = None
        if text_changed:
            version = _add_version(
                lesson,
                actor=actor,
                title=text[0],
                summary=text[1],
                body=body,
                minutes=minutes,
                note=note or _("Sửa nội dung"),
            )
        _mark_edited(lesson)
        lesson.save()
        record(
            actor=actor,
            action="lesson.update",
            obj=lesson,
            before={**before, "version": current.number if current else None},
            after={
                **snapshot(lesson, LESSON_FIELDS),
                "version": lesson.current_version.number if lesson.current_version else None,
            },
            message=note,
        )
    return version


def restore_version(*, actor, lesson: Lesson, number: int, note: str = "") -> LessonVersion:
    """Make an old version's text current again, as a new version."""
    _require_department(actor)
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        old = lesson.versions.get(number=number)
        before = lesson.current_version.number if lesson.current_version_id else None
        version = _add_version(
            lesson,
            actor=actor,
            title=old.title,
            summary=old.summary,
            body=old.body,
            minutes=old.minutes,
            note=note or _("Khôi phục phiên bản %(n)s") % {"n": number},
        )
        _mark_edited(lesson)
        lesson.save()
        record(
            actor=actor,
            action="lesson.restore",
            obj=lesson,
            before={"version": before},
            after={"version": version.number, "restored": number},
        )
    return version


def set_lesson_active(*, actor, lesson: Lesson, active: bool) -> Lesson:
    _require_department(actor)
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if active and not lesson.questions.filter(is_active=True).exists():
            raise ValidationError(_("Bài học cần ít nhất một câu hỏi đang dùng trước khi mở."))
        if lesson.is_active == active:
            return lesson
        lesson.is_active = active
        lesson.save(update_fields=["is_active", "updated_at"])
        record(
            actor=actor,
            action="lesson.activate" if active else "lesson.deactivate",
            obj=lesson,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return lesson


def save_lesson_image(*, actor, lesson: Lesson, name: str, data: bytes) -> LessonImage:
    """Add an image to a lesson, or replace the one of the same name (checked: see
    ``lesson_images``)."""
    _require_department(actor)
    name = name.strip().lower()
    content_type = check_image(name, data)
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        existed = lesson.images.filter(name=name).exists()
        image, changed = _store_image(lesson, name, data, content_type)
        if changed:
            _mark_edited(lesson)
            lesson.save(update_fields=["edited_locally_at", "updated_at"])
            record(
                actor=actor,
                action="lesson.image_replace" if existed else "lesson.image_add",
                obj=image,
                after=snapshot(image, ["name", "content_type", "sha256", "lesson"]),
            )
    return image


def delete_lesson_image(*, actor, image: LessonImage) -> None:
    _require_department(actor)
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=image.lesson_id)
        before = snapshot(image, ["name", "content_type", "sha256", "lesson"])
        storage, file_name = image.file.storage, image.file.name
        record(actor=actor, action="lesson.image_delete", obj=image, before=before)
        image.delete()
        _mark_edited(lesson)
        lesson.save(update_fields=["edited_locally_at", "updated_at"])
        _delete_files_on_commit([file_name], storage)


def save_question(
    *,
    actor,
    lesson: Lesson,
    question: Question | None = None,
    key: str = "",
    kind: str,
    text: str,
    image_name: str = "",
    explanation: str = "",
    choices: list[ChoiceData],
) -> Question:
    """Add a question to a lesson's bank, or change one (with its choices)."""
    _require_department(actor)
    errors: dict[str, list[str]] = {}
    for fld, message in check_question(
        kind=kind,
        text=text,
        choices=choices,
        image=image_name,
        explanation=explanation,
        strict=False,
    ):
        target = "image_name" if fld == "image" else fld
        errors.setdefault(target, []).append(message[:1].upper() + message[1:])
    if image_name and not lesson.images.filter(name=image_name).exists():
        errors.setdefault("image_name", []).append(_("Bài học chưa có hình ảnh này."))
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if question is None:
            key = key.strip().lower()
            if not key:
                taken = set(lesson.questions.values_list("key", flat=True))
                number = lesson.questions.count() + 1
                while f"q{number:02d}" in taken:
                    number += 1
                key = f"q{number:02d}"
            elif not QUESTION_KEY_RE.match(key):
                errors.setdefault("key", []).append(
                    _("Mã câu hỏi gồm chữ thường không dấu, số, gạch ngang (ví dụ q11).")
                )
            elif lesson.questions.filter(key=key).exists():
                errors.setdefault("key", []).append(_("Bài học đã có câu hỏi mang mã này."))
        if errors:
            raise ValidationError(errors)
        before = None
        if question is None:
            position = (lesson.questions.aggregate(n=Max("position"))["n"] or 0) + 1
            question = Question(lesson=lesson, key=key, position=position)
        else:
            question = Question.objects.select_for_update().get(pk=question.pk, lesson=lesson)
            before = {
                **snapshot(question, QUESTION_FIELDS),
                "choices": [(c.text, c.is_correct) for c in question.choices.all()],
            }
        question.kind = kind
        question.text = text.strip()
        question.image_name = image_name
        question.explanation = explanation.strip()
        question.save()
        _replace_choices(question, [ChoiceData(c.text.strip(), c.correct) for c in choices])
        _mark_edited(lesson)
        lesson.save(update_fields=["edited_locally_at", "updated_at"])
        record(
            actor=actor,
            action="lesson.question_update" if before else "lesson.question_add",
            obj=question,
            before=before,
            after={
                **snapshot(question, QUESTION_FIELDS),
                "lesson": lesson.slug,
                "choices": [(c.text, c.correct) for c in choices],
            },
        )
    return question


def set_question_active(*, actor, question: Question, active: bool) -> Question:
    """Take a question out of the bank (kept for old attempts) or put it back."""
    _require_department(actor)
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.is_active == active:
            return question
        lesson = Lesson.objects.select_for_update().get(pk=question.lesson_id)
        if (
            not active
            and lesson.is_active
            and not lesson.questions.filter(is_active=True).exclude(pk=question.pk).exists()
        ):
            raise ValidationError(_("Không thể ngừng dùng câu hỏi cuối cùng của bài học đang mở."))
        question.is_active = active
        question.save(update_fields=["is_active"])
        _mark_edited(lesson)
        lesson.save(update_fields=["edited_locally_at", "updated_at"])
        record(
            actor=actor,
            action="lesson.question_activate" if active else "lesson.question_deactivate",
            obj=question,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return question
