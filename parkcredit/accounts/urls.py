from django.urls import path

from parkcredit.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("security/", views.security_view, name="security"),
    path("security/unlock/", views.security_unlock_view, name="security_unlock"),
    path("users/", views.users_view, name="users"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<int:pk>/role/", views.user_role_view, name="user_role"),
    path("users/<int:pk>/active/", views.user_active_view, name="user_active"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
