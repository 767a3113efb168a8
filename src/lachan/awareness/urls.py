"""Pages of the awareness app: the lesson library and quizzes, then campaigns and learners."""

from .campaign_urls import urlpatterns as campaign_urlpatterns
from .lesson_urls import urlpatterns as lesson_urlpatterns

urlpatterns = [*lesson_urlpatterns, *campaign_urlpatterns]
