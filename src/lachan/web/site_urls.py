from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/", views.api_token_issue, name="api_token_issue"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("account/2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("account/2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/2fa/remove/", views.two_factor_remove, name="two_factor_remove"),
]
