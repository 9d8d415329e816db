from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(extra_context={"title": "Sign in"}), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("drive/", views.drive, name="drive"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("admin/users/", views.admin_users, name="admin_users"),
    path("admin/users/<int:pk>/role/", views.admin_set_role, name="admin_set_role"),
    path("admin/audit/", views.admin_audit, name="admin_audit"),
]
