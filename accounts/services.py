"""Actions on users, roles and API tokens. Each takes the acting user and writes an audit event."""
from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import ApiToken, User
from accounts.roles import ROLE_GROUP_NAMES, Role


@transaction.atomic
def user_create(*, username: str, role: Role | str, password: str | None = None, email: str = "",
                actor: User | None, validate: bool = True) -> User:
    """Create a user in one role; with no password the account cannot sign in until one is set."""
    role = Role(role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"A user named {username!r} already exists."})
    user = User(username=username, email=email)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    # Admins are Django superusers too, so the Django admin site works for them.
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=ROLE_GROUP_NAMES[role]))
    audit.record("accounts.user.created", actor=actor, target=user, role=role.value)
    return user


@transaction.atomic
def user_set_role(*, user: User, role: Role | str, actor: User | None) -> User:
    """Move a user into exactly one role group."""
    role = Role(role)
    previous = user.role
    role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=ROLE_GROUP_NAMES[role]))
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["is_staff", "is_superuser"])
    audit.record("accounts.user.role_changed", actor=actor, target=user, old=previous, new=role.value)
    return user


@transaction.atomic
def token_create(*, user: User, scope: str = ApiToken.Scope.WRITE, name: str = "",
                 actor: User | None) -> tuple[ApiToken, str]:
    """Issue a token; returns the row and the secret, which is never stored."""
    scope = ApiToken.Scope(scope)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:8], key_hash=ApiToken.hash_key(key),
                                    scope=scope)
    audit.record("accounts.token.created", actor=actor, target=user, token=token.prefix, scope=scope.value)
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke a token; revoking twice is harmless."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("accounts.token.revoked", actor=actor, target=token.user, token=token.prefix)
    return token
