"""Pages of the lesson library (open to anyone), quizzes (learners) and lesson management
(Department officers, under ``/bai-hoc/quan-ly/``: a slug can never be "quan-ly")."""

from django.urls import path

from . import lesson_views as views

urlpatterns = [
    path("bai-hoc/", views.lesson_library, name="lesson_library"),
    # Management.
    path("bai-hoc/quan-ly/", views.lesson_manage, name="lesson_manage"),
    path("bai-hoc/quan-ly/nap-bai-co-san/", views.lesson_load_builtin, name="lesson_load_builtin"),
    path("bai-hoc/quan-ly/them/", views.lesson_create, name="lesson_create"),
    path("bai-hoc/quan-ly/xem-truoc/", views.lesson_preview, name="lesson_preview"),
    path("bai-hoc/quan-ly/<slug:slug>/", views.lesson_edit, name="lesson_edit"),
    path("bai-hoc/quan-ly/<slug:slug>/trang-thai/", views.lesson_toggle, name="lesson_toggle"),
    path("bai-hoc/quan-ly/<slug:slug>/phien-ban/", views.lesson_history, name="lesson_history"),
    path(
        "bai-hoc/quan-ly/<slug:slug>/phien-ban/<int:number>/",
        views.lesson_version,
        name="lesson_version",
    ),
    path(
        "bai-hoc/quan-ly/<slug:slug>/phien-ban/<int:number>/khoi-phuc/",
        views.lesson_version_restore,
        name="lesson_version_restore",
    ),
    path("bai-hoc/quan-ly/<slug:slug>/hinh-anh/", views.lesson_images, name="lesson_images"),
    path(
        "bai-hoc/quan-ly/<slug:slug>/hinh-anh/<int:pk>/xoa/",
        views.lesson_image_delete,
        name="lesson_image_delete",
    ),
    path("bai-hoc/quan-ly/<slug:slug>/cau-hoi/", views.lesson_questions, name="lesson_questions"),
    path(
        "bai-hoc/quan-ly/<slug:slug>/cau-hoi/them/",
        views.lesson_question_create,
        name="lesson_question_create",
    ),
    path(
        "bai-hoc/quan-ly/<slug:slug>/cau-hoi/<int:pk>/",
        views.lesson_question_edit,
        name="lesson_question_edit",
    ),
    path(
        "bai-hoc/quan-ly/<slug:slug>/cau-hoi/<int:pk>/trang-thai/",
        views.lesson_question_toggle,
        name="lesson_question_toggle",
    ),
    # Reading and quizzes.
    path("bai-hoc/<slug:slug>/", views.lesson_detail, name="lesson_detail"),
    path("bai-hoc/<slug:slug>/anh/<str:name>", views.lesson_image, name="lesson_image"),
    path("bai-hoc/<slug:slug>/kiem-tra/", views.quiz_start, name="quiz_start"),
    path("bai-hoc/<slug:slug>/kiem-tra/<int:pk>/", views.quiz_attempt, name="quiz_attempt"),
    path("bai-hoc/<slug:slug>/kiem-tra/<int:pk>/tra-loi/", views.quiz_answer, name="quiz_answer"),
    path("bai-hoc/<slug:slug>/kiem-tra/<int:pk>/ket-qua/", views.quiz_result, name="quiz_result"),
]
