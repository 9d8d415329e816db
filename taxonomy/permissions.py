"""Who may read and change the vocabulary, registered with the authority in accounts.permissions.

DESIGN.md's matrix: librarians and admins edit the vocabulary and the schema,
contributors only propose terms, everyone with a role reads it. Vocabularies are
shared reference data, not grouped in collections, so there are no object grants.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, Policy, has_capability
from accounts.roles import role_of
from taxonomy.models import Term, TermLabel, Vocabulary

EDIT_ACTIONS = frozenset({"create", "edit", "move", "merge", "deprecate", "import", "delete"})


def may_read(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and role_of(user) is not None)


class VocabularyPolicy(Policy):
    model: type[Vocabulary | Term | TermLabel] = Vocabulary

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if may_read(user) else queryset.none()

    def can(self, user: Any, action: str, obj: Any) -> bool:
        if action in ("view", "export"):
            return may_read(user)
        if action in EDIT_ACTIONS:
            return has_capability(user, Cap.MANAGE_VOCABULARY)
        if action == "propose":
            return has_capability(user, Cap.SUGGEST_TERMS) or has_capability(user, Cap.MANAGE_VOCABULARY)
        return super().can(user, action, obj)


class TermPolicy(VocabularyPolicy):
    model = Term


class TermLabelPolicy(VocabularyPolicy):
    model = TermLabel


def register() -> None:
    for policy in (VocabularyPolicy(), TermPolicy(), TermLabelPolicy()):
        authority.register(policy)
