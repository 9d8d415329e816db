"""Retention is admin work: rules, runs, legal holds and the bin are seen and changed by admins only
(DESIGN.md's role table: "purge, users, settings"). Registered with accounts.permissions."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Policy, is_admin
from archive.models import BinEntry, LegalHold, RetentionRule, RetentionRun


class AdminsOnly(Policy):
    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.none()

    def can(self, user: Any, action: str, obj: Any) -> bool:
        return is_admin(user)


class RetentionRulePolicy(AdminsOnly):
    model = RetentionRule


class RetentionRunPolicy(AdminsOnly):
    model = RetentionRun


class LegalHoldPolicy(AdminsOnly):
    model = LegalHold


class BinEntryPolicy(AdminsOnly):
    model = BinEntry


def register() -> None:
    for policy in (RetentionRulePolicy(), RetentionRunPolicy(), LegalHoldPolicy(), BinEntryPolicy()):
        authority.register(policy)
