"""Screens for one's API tokens and the drive, and, for admins, users (the audit log moved to /audit/)."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import audit, selectors, services
from accounts import permissions as authority
from accounts.forms import RoleForm, TokenForm, UserCreateForm
from accounts.models import ApiToken, User
from accounts.permissions import Cap
from accounts.roles import Role
from dam.http import AuthedHttpRequest


@login_required
def tokens(request: AuthedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.token_create(user=request.user, actor=request.user, **form.cleaned_data)
        form = TokenForm()
    return render(request, "accounts/tokens.html", {
        "title": "API tokens", "form": form, "new_key": new_key, "tokens": selectors.tokens_of(request.user),
    })


# The name the drive's tokens carry, so the drive page can list them among the person's other tokens.
DRIVE_TOKEN_NAME = "WebDAV drive"  # noqa: S105 - a label, not a secret


@login_required
def drive(request: AuthedHttpRequest) -> HttpResponse:
    """How to connect the WebDAV drive from each system, and a token for it, shown once when made."""
    new_key = None
    if request.method == "POST":
        _, new_key = services.token_create(user=request.user, scope=ApiToken.Scope.WRITE, name=DRIVE_TOKEN_NAME,
                                           actor=request.user)
    address = request.build_absolute_uri("/dav/")
    parts = urlsplit(address)
    return render(request, "accounts/drive.html", {
        "title": "Connect the drive", "address": address, "secure": parts.scheme == "https",
        "host": parts.netloc, "file_manager_address": ("davs://" if parts.scheme == "https" else "dav://")
        + parts.netloc + parts.path, "new_key": new_key,
        "drive_tokens": selectors.tokens_of(request.user).filter(name=DRIVE_TOKEN_NAME, revoked_at__isnull=True),
    })


@login_required
@require_POST
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.tokens_of(request.user), pk=pk)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token {token.prefix}… was revoked.")
    # The drive page revokes its tokens too, and comes back to itself.
    if request.POST.get("next") == reverse("accounts:drive"):
        return redirect("accounts:drive")
    return redirect("accounts:tokens")


@login_required
def admin_users(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"User {user.username} was created.")
            return redirect("accounts:admin_users")
    return render(request, "accounts/admin_users.html", {
        "title": "Users", "users": selectors.users_with_roles(), "form": form, "role_form": RoleForm(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def admin_set_role(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    user = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.user_set_role(user=user, role=form.cleaned_data["role"], actor=request.user)
        messages.success(request, f"{user.display_name} is now {Role(form.cleaned_data['role']).label}.")
    return redirect("accounts:admin_users")


@login_required
def admin_audit(request: AuthedHttpRequest) -> HttpResponse:
    """The old address of the audit log: /audit/ now, with a verb that names one action kept as its filter.

    The old filter took any verb prefix ("assets."); the new one offers actions by name, so a prefix
    that names no single action is dropped rather than guessed at."""
    verb = request.GET.get("verb", "").strip()
    target = "/audit/"
    if verb in audit.registered():
        target += "?" + urlencode({"action": verb})
    return redirect(target, permanent=False)
