"""Who may submit, decide on, withdraw and comment on revisions; registered with the authority.

Reviewing needs the `review` capability (editors, brand managers, admins), a
seat in the group of the step that is open (admins may sign any step), and not
being the person who submitted or uploaded the revision: nobody approves
their own work. Four eyes: whoever signed one step of a review does not sign
another step of it, admins included, unless the policy says so
(`same_person_may_sign_several_steps`); `four_eyes_refusal` says why in words,
and the review services audit each refused attempt. Whether the revision's *state* allows an action is not asked
here but in `workflows.states`, so a wrong state is a 409 and a wrong person
a 403.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, Policy, has_capability, is_admin
from assets.models import Asset, AssetVersion
from assets.permissions import VersionPolicy
from workflows.models import (
    ApprovalPolicy,
    AssetLock,
    Comment,
    Notification,
    Review,
    ReviewableVersion,
    ReviewDecision,
)
from workflows.states import DECISIONS, Action


def open_review(version: AssetVersion) -> Review | None:
    return Review.objects.open().filter(version_id=version.pk).select_related("policy").first()


def may_sign_step(user: Any, review: Review) -> bool:
    """The user holds a seat in the group of the review's open step (admins hold every seat)."""
    if is_admin(user):
        return True
    group_id = review.policy.steps.filter(position=review.step).values_list("group_id", flat=True).first()
    return group_id is not None and user.groups.filter(pk=group_id).exists()


def four_eyes_refusal(user: Any, version: AssetVersion, review: Review | None) -> str:
    """Why `user` may not decide on this round of review as a second pair of eyes, or "" when they may.

    Worded to read both after "You may not approve this revision:" and in the audit trail's sentence.
    """
    if review is None or user is None:
        return ""
    if user.pk == review.submitted_by_id:
        return "nobody signs off a revision they submitted themselves"
    if user.pk == version.uploaded_by_id:
        return "nobody signs off a revision they uploaded themselves"
    if review.policy.same_person_may_sign_several_steps:
        return ""
    earlier = (ReviewDecision.objects.filter(review=review, reviewer_id=user.pk).exclude(step=review.step)
               .order_by("step").values_list("step", flat=True).first())
    if earlier is not None:
        name = review.policy.steps.filter(position=earlier).values_list("name", flat=True).first()
        return (f"whoever signed step {earlier}{f' ({name})' if name else ''} of this review does not sign "
                "another step of it; its policy wants a different person for each step")
    return ""


class ReviewableVersionPolicy(Policy):
    model = ReviewableVersion

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return VersionPolicy().visible(user, queryset)

    def can(self, user: Any, action: str, obj: AssetVersion | None) -> bool:
        if obj is None:
            return False
        if not authority.visible(user, AssetVersion.objects.filter(pk=obj.pk)).exists():
            return False
        if action == "view":
            return True
        if action == "comment":
            # The team talks about revisions; viewers (outside it) use approved assets but do not annotate them.
            return has_capability(user, Cap.SEE_UNAPPROVED) or has_capability(user, Cap.UPLOAD)
        if action in (Action.SUBMIT, Action.RESUBMIT):
            return self._is_author(user, obj)
        if action == Action.WITHDRAW:
            # The submitter of the latest round (or an admin); before any round, whoever may submit.
            review = Review.objects.filter(version_id=obj.pk).order_by("-created_at", "-id").first()
            if review is None:
                return self._is_author(user, obj)
            return review.submitted_by_id == user.pk or is_admin(user)
        if action in DECISIONS:
            if not has_capability(user, Cap.REVIEW):
                return False
            review = open_review(obj)
            if review is None:
                return True  # the state machine, not the policy, refuses this one (409)
            if four_eyes_refusal(user, obj, review):
                return False
            return may_sign_step(user, review)
        if action == "restore":
            return authority.can(user, "add_version", Asset.objects.get(pk=obj.asset_id))
        return super().can(user, action, obj)

    @staticmethod
    def _is_author(user: Any, version: AssetVersion) -> bool:
        """Uploaders and owners submit their own work; those who edit any metadata submit anyone's."""
        if has_capability(user, Cap.EDIT_METADATA):
            return True
        own = user.pk in (version.uploaded_by_id, Asset.objects.filter(pk=version.asset_id)
                          .values_list("owner_id", flat=True).first())
        return own and has_capability(user, Cap.UPLOAD)


class ReviewPolicy(Policy):
    model = Review

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(version__in=authority.visible(user, AssetVersion.objects.all()))

    def can(self, user: Any, action: str, obj: Review | None) -> bool:
        if action == "view" and obj is not None:
            return self.visible(user, Review.objects.filter(pk=obj.pk)).exists()
        return super().can(user, action, obj)


class CommentPolicy(Policy):
    model = Comment

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(version__in=authority.visible(user, AssetVersion.objects.all()))

    def can(self, user: Any, action: str, obj: Comment | None) -> bool:
        if obj is None or not self.visible(user, Comment.objects.filter(pk=obj.pk)).exists():
            return False
        if action == "view":
            return True
        if action == "resolve":
            # The author, whoever may review, and the asset's owner close a thread.
            owner_id = Asset.objects.filter(versions=obj.version_id).values_list("owner_id", flat=True).first()
            return user.pk in (obj.author_id, owner_id) or has_capability(user, Cap.REVIEW) or is_admin(user)
        return super().can(user, action, obj)


class AssetLockPolicy(Policy):
    model = AssetLock

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(asset__in=authority.visible(user, Asset.objects.all()))

    def can(self, user: Any, action: str, obj: AssetLock | None) -> bool:
        if obj is None:
            return False
        if action == "check_in":
            return obj.holder_id == user.pk or is_admin(user)
        if action == "break":
            return is_admin(user)
        return super().can(user, action, obj)


class NotificationPolicy(Policy):
    model = Notification

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(recipient=user)

    def can(self, user: Any, action: str, obj: Notification | None) -> bool:
        return obj is not None and action in ("view", "mark_read") and obj.recipient_id == user.pk


class ApprovalPolicyPolicy(Policy):
    """Admins set up who signs revisions off (the settings page); the review screens read policies without
    asking here."""

    model = ApprovalPolicy

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.none()

    def can(self, user: Any, action: str, obj: ApprovalPolicy | None) -> bool:
        if action in ("view", "create", "change"):
            return is_admin(user)
        return super().can(user, action, obj)


def register() -> None:
    for policy in (ReviewableVersionPolicy(), ReviewPolicy(), CommentPolicy(), AssetLockPolicy(),
                   NotificationPolicy(), ApprovalPolicyPolicy()):
        authority.register(policy)
