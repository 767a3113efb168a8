"""Pages of the lesson library, quizzes and lesson management.

- ``/bai-hoc/`` and a lesson's page are open to anyone (parents too); a learner (a staff
  account, or a student who joined a class) reading a lesson is recorded as progress.
- A quiz needs a learner; an attempt is seen only by its own learner (anyone else: 404).
- ``/bai-hoc/quan-ly/`` is for Department officers (anonymous: login page; others: 403).
Reads through ``selectors.lessons``; writes through ``services.lessons`` / ``services.quiz``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.org.selectors import is_department_staff

from .lesson_forms import (
    ImageUploadForm,
    LessonForm,
    LibraryFilterForm,
    ManageFilterForm,
    QuestionForm,
)
from .markdown import render_markdown
from .models import (
    Attempt,
    Audience,
    Lesson,
    LessonImage,
    LessonVersion,
    Question,
    QuestionKind,
    Topic,
)
from .selectors import lessons as selectors
from .services import lessons as services
from .services import quiz
from .services.learners import current_learner

IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'"
NAV = {"nav_section": "lessons"}


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _url_or(name: str, fallback: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


def department_required(view):
    """Department officers only: anonymous visitors go to the login page, others get a 403.
    (``/bai-hoc/`` is open without a session, so the login check is the view's.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_department_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _lesson_or_404(user, slug: str) -> Lesson:
    try:
        return selectors.get_lesson(user, slug)
    except Lesson.DoesNotExist:
        raise Http404 from None


def _managed_or_404(user, slug: str) -> Lesson:
    try:
        return selectors.get_managed_lesson(user, slug)
    except Lesson.DoesNotExist:
        raise Http404 from None


def _labels(lesson: Lesson) -> dict:
    audiences = dict(Audience.choices)
    return {
        "audience_labels": [audiences[a] for a in lesson.audiences or [] if a in audiences],
        "topic_label": dict(Topic.choices).get(lesson.topic, lesson.topic),
    }


# --- the public library -----------------------------------------------------------------------


@require_GET
def lesson_library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    lessons = selectors.public_lessons(
        audience=form.value("audience"), topic=form.value("topic"), q=form.value("q")
    )
    audiences, topics = dict(Audience.choices), dict(Topic.choices)
    for lesson in lessons:
        lesson.audience_labels = [audiences[a] for a in lesson.audiences or [] if a in audiences]
        lesson.topic_label = topics.get(lesson.topic, lesson.topic)
    context = {
        **NAV,
        "form": form,
        "lessons": lessons,
        "filtered": any(form.value(n) for n in ("audience", "topic", "q")),
        "is_department": is_department_staff(request.user),
    }
    template = (
        "awareness/lesson_cards.html" if _partial(request) else "awareness/lesson_library.html"
    )
    return render(request, template, context)


@require_GET
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = _lesson_or_404(request.user, slug)
    learner = current_learner(request)
    campaign_id = request.GET.get("campaign")
    if learner is not None and lesson.is_active:
        quiz.mark_read(
            learner=learner,
            lesson=lesson,
            campaigns=selectors.campaigns_with_lesson(learner, lesson),
        )
    context = {
        **NAV,
        **_labels(lesson),
        "lesson": lesson,
        "version": lesson.current_version,
        "html": selectors.render_version(lesson),
        "learner": learner,
        "campaign": selectors.campaign_for_attempt(learner, lesson, campaign_id)
        if campaign_id
        else None,
        "question_count": selectors.questions_per_attempt(lesson),
        "open_attempt": selectors.open_attempt(learner, lesson),
        "attempts": selectors.recent_attempts(learner, lesson),
        "is_department": is_department_staff(request.user),
    }
    return render(request, "awareness/lesson_detail.html", context)


@require_GET
def lesson_image(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """A lesson image from storage; SVG under a CSP that lets it run and fetch nothing."""
    try:
        image = selectors.get_lesson_image(request.user, slug, name)
    except (Lesson.DoesNotExist, LessonImage.DoesNotExist):
        raise Http404 from None
    try:
        handle = image.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=image.content_type or "application/octet-stream")
    response["Content-Security-Policy"] = IMAGE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "max-age=3600" if image.lesson.is_active else "private, no-store"
    return response


# --- quizzes ----------------------------------------------------------------------------------


@require_POST
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start (or continue) an attempt; without a learner, say how to become one."""
    lesson = _lesson_or_404(request.user, slug)
    learner = current_learner(request)
    if learner is None:
        context = {
            **NAV,
            "lesson": lesson,
            "join_url": _url_or("awareness_join", "/tham-gia/"),
            "login_url": f"{reverse('login')}?next={reverse('lesson_detail', args=[slug])}",
        }
        return render(request, "awareness/quiz_need_learner.html", context)
    campaign = selectors.campaign_for_attempt(learner, lesson, request.POST.get("campaign"))
    existing = selectors.open_attempt(learner, lesson)
    if existing is not None and existing.campaign_id == (campaign.pk if campaign else None):
        return redirect("quiz_attempt", slug=slug, pk=existing.pk)
    try:
        attempt = quiz.start_attempt(learner=learner, lesson=lesson, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lesson_detail", slug=slug)
    return redirect("quiz_attempt", slug=slug, pk=attempt.pk)


def _attempt_or_404(request: HttpRequest, slug: str, pk: int):
    """(learner, attempt) of the request's own learner; anonymous without one: login page."""
    learner = current_learner(request)
    if learner is None and not request.user.is_authenticated:
        return None, None
    try:
        return learner, selectors.get_attempt(learner, pk, slug)
    except Attempt.DoesNotExist:
        raise Http404 from None


def _question_context(attempt: Attempt, question_id: int, error: str = "") -> dict:
    question, choices = selectors.attempt_question(attempt, question_id)
    number = attempt.question_order.index(question_id) + 1
    return {
        "attempt": attempt,
        "lesson": attempt.lesson,
        "question": question,
        "choices": choices,
        "number": number,
        "total": len(attempt.question_order),
        "multiple": question.kind == QuestionKind.MULTIPLE,
        "image_url": _image_url(attempt.lesson, question.image_name),
        "error": error,
    }


def _image_url(lesson: Lesson, name: str) -> str:
    if not name:
        return ""
    return selectors.image_urls(lesson).get(name, "")


def _feedback_context(attempt: Attempt, question_id: int) -> dict:
    result = attempt.results[str(question_id)]
    chosen = set(result["chosen"])
    return {
        "attempt": attempt,
        "lesson": attempt.lesson,
        "result": result,
        "number": attempt.question_order.index(question_id) + 1,
        "total": len(attempt.question_order),
        "choices": [{**c, "chosen": c["id"] in chosen} for c in result["choices"]],
        "image_url": _image_url(attempt.lesson, result.get("image", "")),
        "finished": attempt.submitted_at is not None,
    }


@require_GET
def quiz_attempt(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The attempt's next question; ``?xem=<question>`` shows an answered one's feedback
    (the no-JavaScript path after answering)."""
    learner, attempt = _attempt_or_404(request, slug, pk)
    if attempt is None:
        return redirect_to_login(request.get_full_path())
    shown = request.GET.get("xem", "")
    if shown.isdigit() and shown in attempt.results:
        context = {**NAV, **_feedback_context(attempt, int(shown))}
        template = (
            "awareness/quiz_feedback.html" if _partial(request) else "awareness/quiz_page.html"
        )
        return render(request, template, {**context, "mode": "feedback"})
    if attempt.submitted_at is not None:
        return redirect("quiz_result", slug=slug, pk=attempt.pk)
    question_id = quiz.next_question_id(attempt)
    if question_id is None:
        quiz.finish_attempt(attempt=attempt)
        return redirect("quiz_result", slug=slug, pk=attempt.pk)
    context = {**NAV, **_question_context(attempt, question_id), "mode": "question"}
    template = "awareness/quiz_question.html" if _partial(request) else "awareness/quiz_page.html"
    return render(request, template, context)


@require_POST
def quiz_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    learner, attempt = _attempt_or_404(request, slug, pk)
    if attempt is None:
        return redirect_to_login(reverse("lesson_detail", args=[slug]))
    raw_question = request.POST.get("question", "")
    question_id = int(raw_question) if raw_question.isdigit() else None
    if question_id is None or question_id not in attempt.question_order:
        return redirect("quiz_attempt", slug=slug, pk=attempt.pk)
    choice_ids = [int(c) for c in request.POST.getlist("choice") if c.isdigit()]
    try:
        quiz.answer_question(attempt=attempt, question_id=question_id, choice_ids=choice_ids)
    except ValidationError as exc:
        attempt.refresh_from_db()
        if str(question_id) in attempt.results:  # answered already (a second click)
            return redirect(f"{reverse('quiz_attempt', args=[slug, attempt.pk])}?xem={question_id}")
        if attempt.submitted_at is not None:
            return redirect("quiz_result", slug=slug, pk=attempt.pk)
        context = {
            **NAV,
            **_question_context(attempt, question_id, error=" ".join(exc.messages)),
            "mode": "question",
        }
        template = (
            "awareness/quiz_question.html" if _partial(request) else "awareness/quiz_page.html"
        )
        return render(request, template, context, status=200 if _partial(request) else 422)
    attempt.refresh_from_db()
    if quiz.next_question_id(attempt) is None:
        attempt = quiz.finish_attempt(attempt=attempt)
    if _partial(request):
        return render(
            request,
            "awareness/quiz_feedback.html",
            {**NAV, **_feedback_context(attempt, question_id), "mode": "feedback"},
        )
    return redirect(f"{reverse('quiz_attempt', args=[slug, attempt.pk])}?xem={question_id}")


@require_GET
def quiz_result(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    learner, attempt = _attempt_or_404(request, slug, pk)
    if attempt is None:
        return redirect_to_login(request.get_full_path())
    if attempt.submitted_at is None:
        return redirect("quiz_attempt", slug=slug, pk=attempt.pk)
    urls = selectors.image_urls(attempt.lesson)
    review = []
    for number, qid in enumerate(attempt.question_order, start=1):
        result = attempt.results.get(str(qid))
        if result is None:
            question = Question.objects.filter(pk=qid).first()
            review.append(
                {"number": number, "answered": False, "text": question.text if question else ""}
            )
            continue
        chosen = set(result["chosen"])
        review.append(
            {
                "number": number,
                "answered": True,
                **result,
                "image_url": urls.get(result.get("image") or "", ""),
                "choices": [{**c, "chosen": c["id"] in chosen} for c in result["choices"]],
            }
        )
    context = {
        **NAV,
        "attempt": attempt,
        "lesson": attempt.lesson,
        "review": review,
        "back_url": _url_or("awareness_my_learning", reverse("lesson_library"))
        if attempt.campaign_id
        else reverse("lesson_detail", args=[slug]),
        "campaign": attempt.campaign,
    }
    return render(request, "awareness/quiz_result.html", context)


# --- management -------------------------------------------------------------------------------


@require_GET
@department_required
def lesson_manage(request: HttpRequest) -> HttpResponse:
    form = ManageFilterForm(request.GET or None)
    q = state = ""
    if form.is_valid():
        q, state = form.cleaned_data["q"], form.cleaned_data["state"]
    lessons = selectors.managed_lessons(request.user, q=q, state=state)
    topics = dict(Topic.choices)
    for lesson in lessons:
        lesson.topic_label = topics.get(lesson.topic, lesson.topic)
    context = {**NAV, "form": form, "lessons": lessons}
    return render(request, "awareness/lesson_manage.html", context)


@require_POST
@department_required
def lesson_load_builtin(request: HttpRequest) -> HttpResponse:
    try:
        report = services.load_builtin_lessons(actor=request.user)
    except ValidationError as exc:
        messages.error(
            request,
            _("Không nạp bài học nào vì nội dung có lỗi: %(errors)s")
            % {"errors": "; ".join(exc.messages[:20])}
            + (
                _(" (và %(n)s lỗi khác)") % {"n": len(exc.messages) - 20}
                if len(exc.messages) > 20
                else ""
            ),
        )
        return redirect("lesson_manage")
    messages.success(request, report.summary())
    for slug, reason in report.skipped:
        messages.warning(
            request, _("Bỏ qua “%(slug)s”: %(reason)s.") % {"slug": slug, "reason": reason}
        )
    for warning in report.warnings[:10]:
        messages.warning(request, warning)
    return redirect("lesson_manage")


def _lesson_values(form: LessonForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "minutes": data["minutes"],
        "topic": data["topic"],
        "audiences": data["audiences"],
        "pass_mark": data["pass_mark"],
        "questions_per_attempt": data["questions_per_attempt"],
        "note": data["note"],
    }


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
@department_required
def lesson_create(request: HttpRequest) -> HttpResponse:
    form = LessonForm(
        request.POST or None,
        creating=True,
        initial={"minutes": 5, "pass_mark": 80, "questions_per_attempt": 0, "topic": "scam"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lesson = services.create_lesson(
                actor=request.user, slug=form.cleaned_data["slug"], **_lesson_values(form)
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã tạo bài học. Hãy thêm câu hỏi rồi mở bài học để mọi người cùng học."),
            )
            return redirect("lesson_questions", slug=lesson.slug)
    return render(
        request,
        "awareness/lesson_form.html",
        {**NAV, "form": form, "lesson": None},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@department_required
def lesson_edit(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    version = lesson.current_version
    initial = {
        "topic": lesson.topic,
        "audiences": lesson.audiences,
        "pass_mark": lesson.pass_mark,
        "questions_per_attempt": lesson.questions_per_attempt,
    }
    if version is not None:
        initial.update(
            title=version.title, summary=version.summary, body=version.body, minutes=version.minutes
        )
    form = LessonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_lesson(
                actor=request.user, lesson=lesson, **_lesson_values(form)
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if saved is not None:
                messages.success(
                    request, _("Đã lưu phiên bản %(n)s của bài học.") % {"n": saved.number}
                )
            else:
                messages.success(request, _("Đã lưu thiết lập của bài học."))
            return redirect("lesson_edit", slug=slug)
    context = {
        **NAV,
        "form": form,
        "lesson": lesson,
        "images": selectors.lesson_images(lesson),
        "preview": selectors.render_version(lesson) if version else "",
    }
    return render(
        request, "awareness/lesson_form.html", context, status=422 if form.errors else 200
    )


@require_POST
@department_required
def lesson_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: the Markdown being edited, rendered as readers will see it."""
    body = request.POST.get("body", "")
    lesson = Lesson.objects.filter(slug=request.POST.get("lesson", "")).first()
    if lesson is not None:
        html = selectors.render_version(lesson, body=body)
    else:
        html = render_markdown(body)
    return render(request, "awareness/lesson_preview.html", {"html": html})


@require_POST
@department_required
def lesson_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    active = request.POST.get("active") == "1"
    try:
        services.set_lesson_active(actor=request.user, lesson=lesson, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã mở bài học “%(t)s”.") % {"t": lesson.title}
            if active
            else _("Đã tắt bài học “%(t)s”.") % {"t": lesson.title},
        )
    if request.POST.get("next") == "edit":
        return redirect("lesson_edit", slug=slug)
    return redirect("lesson_manage")


@require_GET
@department_required
def lesson_history(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    context = {**NAV, "lesson": lesson, "versions": selectors.lesson_versions(lesson)}
    return render(request, "awareness/lesson_history.html", context)


@require_GET
@department_required
def lesson_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    try:
        version, previous, fields, lines = selectors.version_diff(lesson, number)
    except LessonVersion.DoesNotExist:
        raise Http404 from None
    context = {
        **NAV,
        "lesson": lesson,
        "version": version,
        "previous": previous,
        "fields": fields,
        "lines": lines,
        "is_current": lesson.current_version_id == version.pk,
        "html": selectors.render_version(lesson, version),
    }
    return render(request, "awareness/lesson_version.html", context)


@require_POST
@department_required
def lesson_version_restore(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    try:
        version = services.restore_version(
            actor=request.user,
            lesson=lesson,
            number=number,
            note=request.POST.get("note", "")[:255],
        )
    except LessonVersion.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _("Đã khôi phục nội dung phiên bản %(old)s thành phiên bản %(new)s.")
        % {"old": number, "new": version.number},
    )
    return redirect("lesson_history", slug=slug)


@require_http_methods(["GET", "POST"])
@department_required
def lesson_images(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    form = ImageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            image = services.save_lesson_image(
                actor=request.user, lesson=lesson, name=form.image_name(), data=upload.read()
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(
                request,
                _("Đã lưu ảnh “%(n)s”. Dùng trong bài: ![mô tả](images/%(n)s)") % {"n": image.name},
            )
            return redirect("lesson_images", slug=slug)
    images = list(selectors.lesson_images(lesson))
    urls = selectors.image_urls(lesson)
    for image in images:
        image.url = urls.get(image.name, "")
    context = {**NAV, "lesson": lesson, "form": form, "images": images}
    return render(
        request, "awareness/lesson_images.html", context, status=422 if form.errors else 200
    )


@require_POST
@department_required
def lesson_image_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    image = LessonImage.objects.filter(lesson=lesson, pk=pk).first()
    if image is None:
        raise Http404
    services.delete_lesson_image(actor=request.user, image=image)
    messages.success(request, _("Đã xoá ảnh “%(n)s”.") % {"n": image.name})
    return redirect("lesson_images", slug=slug)


@require_GET
@department_required
def lesson_questions(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    questions = selectors.question_bank(lesson)
    urls = selectors.image_urls(lesson)
    kinds = dict(QuestionKind.choices)
    for question in questions:
        question.kind_label = kinds.get(question.kind, question.kind)
        question.image_url = urls.get(question.image_name, "")
    context = {
        **NAV,
        "lesson": lesson,
        "questions": questions,
        "active_count": sum(1 for q in questions if q.is_active),
    }
    return render(request, "awareness/lesson_questions.html", context)


def _question_form(request: HttpRequest, lesson: Lesson, question: Question | None) -> HttpResponse:
    names = list(selectors.lesson_images(lesson).values_list("name", flat=True))
    form = QuestionForm(
        request.POST or None,
        image_names=names,
        creating=question is None,
        initial=QuestionForm.initial_for(question) if question is not None else {"kind": "single"},
    )
    if request.method == "POST" and form.is_valid():
        choices = form.choices()
        if not form.errors:
            try:
                services.save_question(
                    actor=request.user,
                    lesson=lesson,
                    question=question,
                    key=form.cleaned_data.get("key", ""),
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    image_name=form.cleaned_data["image_name"],
                    explanation=form.cleaned_data["explanation"],
                    choices=choices,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu câu hỏi."))
                return redirect("lesson_questions", slug=lesson.slug)
    context = {**NAV, "lesson": lesson, "question": question, "form": form}
    return render(
        request, "awareness/lesson_question_form.html", context, status=422 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@department_required
def lesson_question_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _question_form(request, _managed_or_404(request.user, slug), None)


@require_http_methods(["GET", "POST"])
@department_required
def lesson_question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    question = Question.objects.prefetch_related("choices").filter(lesson=lesson, pk=pk).first()
    if question is None:
        raise Http404
    return _question_form(request, lesson, question)


@require_POST
@department_required
def lesson_question_toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lesson = _managed_or_404(request.user, slug)
    question = Question.objects.filter(lesson=lesson, pk=pk).first()
    if question is None:
        raise Http404
    active = request.POST.get("active") == "1"
    try:
        services.set_question_active(actor=request.user, question=question, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã dùng lại câu hỏi.") if active else _("Đã ngừng dùng câu hỏi.")
        )
    return redirect("lesson_questions", slug=slug)
