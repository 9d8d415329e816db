"""How the accounts app's audit events read (see accounts.audit.register)."""
from __future__ import annotations

from accounts.audit import register
from accounts.models import ApiToken
from accounts.roles import Role

ROLES = dict(Role.choices)
SCOPES = dict(ApiToken.Scope.choices)


def register_all() -> None:
    group = "Users and tokens"
    register("accounts.user.created", "{actor} created the user “{object}”[ as {role}]",
             label="User created", group=group, fields=[("role", "Role", ROLES)])
    register("accounts.user.role_changed", "{actor} changed the role of “{object}”",
             label="Role changed", group=group, fields=[("old", "Before", ROLES), ("new", "After", ROLES)])
    register("accounts.token.created", "{actor} created an API token for “{object}”",
             label="API token created", group=group, fields=[("token", "Token starting with"),
                                                             ("scope", "Access", SCOPES)])
    register("accounts.token.revoked", "{actor} revoked an API token of “{object}”",
             label="API token revoked", group=group, fields=[("token", "Token starting with")])
