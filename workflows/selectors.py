"""Read queries of the review workflow, always through the permission authority."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset, AssetVersion, ReviewState
from assets.selectors import history_of
from workflows.models import (
    ApprovalStep,
    AssetLock,
    Comment,
    Notification,
    Review,
    ReviewableVersion,
    ReviewDecision,
)
from workflows.permissions import four_eyes_refusal
from workflows.services.reviews import SNAPSHOT_FIELDS
from workflows.states import Action, allowed_actions


def _reviews(user: User) -> QuerySet[Review]:
    return authority.visible(user, Review.objects.all()).select_related(
        "version", "version__asset", "version__asset__collection", "submitted_by", "policy",
    ).prefetch_related("policy__steps__group")


def _waiting_condition(user: User) -> Q:
    """Open reviews whose open step is one the user holds a seat in, not their own submission, and not one
    whose earlier step they signed (four eyes; the same rule as `permissions.four_eyes_refusal`)."""
    mine = Q(submitted_by=user) | Q(version__uploaded_by=user)
    decided = ReviewDecision.objects.filter(review=OuterRef("pk"), step=OuterRef("step"), reviewer=user)
    signed_before = Q(policy__same_person_may_sign_several_steps=False) & Q(Exists(
        ReviewDecision.objects.filter(review=OuterRef("pk"), reviewer=user)))
    base = Q(outcome=Review.Outcome.OPEN) & ~mine & ~Q(Exists(decided)) & ~signed_before
    if authority.is_admin(user):
        return base
    seats = ApprovalStep.objects.filter(policy=OuterRef("policy"), position=OuterRef("step"),
                                        group__in=user.groups.all())
    return base & Q(Exists(seats))


def reviews_waiting_for(user: User) -> QuerySet[Review]:
    """"My reviews": what waits for this user's decision, oldest open step first."""
    if not authority.can(user, authority.Cap.REVIEW):
        return Review.objects.none()
    return _reviews(user).filter(_waiting_condition(user)).order_by("step", "step_opened_at")


def submissions_of(user: User) -> QuerySet[Review]:
    """"My submissions": the open reviews this user started, newest first."""
    return _reviews(user).filter(submitted_by=user, outcome=Review.Outcome.OPEN).order_by("-created_at")


def changes_requested_for(user: User) -> QuerySet[Review]:
    """Revisions sent back to this user (their submission or their asset) and not yet resubmitted."""
    # A sent-back revision keeps its state once a newer one is uploaded; the newer one is the answer.
    return _reviews(user).filter(
        Q(submitted_by=user) | Q(version__asset__owner=user), outcome=Review.Outcome.CHANGES_REQUESTED,
        version__review_state=ReviewState.CHANGES_REQUESTED, version__asset__current_version=F("version"),
    ).order_by("-closed_at")


def queue_counts(user: User) -> dict[str, int]:
    """Counts for the sidebar and the queue tabs."""
    return {
        "mine": reviews_waiting_for(user).count(),
        "submissions": submissions_of(user).count(),
        "changes": changes_requested_for(user).count(),
    }


def access_version(user: User, version_id: int, action: str = "view") -> ReviewableVersion:
    """Fetch a revision for the review screens; 404 when unseen, 403 when the action is not allowed."""
    queryset = ReviewableVersion.objects.select_related("asset", "asset__collection", "asset__owner",
                                                        "asset__approved_version", "uploaded_by")
    return authority.access(user, queryset, action, pk=version_id)


def open_review_of(version: AssetVersion) -> Review | None:
    return Review.objects.open().filter(version=version).select_related("policy", "submitted_by").first()


def latest_review_of(version: AssetVersion) -> Review | None:
    return Review.objects.filter(version=version).select_related("policy", "submitted_by").first()


@dataclass
class StepProgress:
    position: int
    name: str
    group: str
    needed: int
    approvals: list[ReviewDecision]
    status: str  # "passed", "open", "waiting"


def policy_progress(review: Review) -> list[StepProgress]:
    """Each step of the review's policy with who approved it and whether it is passed, open or waiting."""
    decisions = list(review.decisions.select_related("reviewer"))
    rows = []
    for step in review.policy.steps.select_related("group").order_by("position"):
        approvals = [d for d in decisions if d.step == step.position and d.kind == ReviewDecision.Kind.APPROVE]
        if review.outcome == Review.Outcome.APPROVED or step.position < review.step:
            status = "passed"
        elif step.position == review.step and review.outcome == Review.Outcome.OPEN:
            status = "open"
        else:
            status = "waiting"
        rows.append(StepProgress(step.position, step.name, step.group.name, step.approvals_required, approvals,
                                 status))
    return rows


def decision_actions(user: User, version: ReviewableVersion) -> list[Action]:
    """The transitions this user may take on this revision now (state table and policy both agree)."""
    if version.asset.current_version_id != version.pk:
        return []  # an older revision is a record: nothing is decided, submitted or withdrawn on it
    return [action for action in allowed_actions(version.review_state) if authority.can(user, action, version)]


def previous_revision(user: User, version: AssetVersion) -> AssetVersion | None:
    """The revision just before this one that the user may see, whatever became of it (sent back, rejected,
    never submitted): the one a reviewer compares with."""
    return (authority.visible(user, AssetVersion.objects.filter(asset_id=version.asset_id,
                                                                number__lt=version.number))
            .order_by("-number").first())


def revision_label(version: AssetVersion) -> str:
    """How a side of a comparison is named: "v1, changes requested"."""
    return f"v{version.number}, {version.get_review_state_display().lower()}"


def feedback_on(version: AssetVersion) -> ReviewDecision | None:
    """The decision that sent this revision back or refused it, with its note (the newest, if several)."""
    return (ReviewDecision.objects.filter(review__version=version, kind__in=[ReviewDecision.Kind.REQUEST_CHANGES,
                                                                             ReviewDecision.Kind.REJECT])
            .select_related("reviewer", "review").order_by("-created_at", "-id").first())


def why_not_second_signature(user: User, version: AssetVersion) -> str:
    """For a reviewer kept off this review by four eyes, why (shown where the decision buttons would be)."""
    if not authority.can(user, authority.Cap.REVIEW) or version.asset.current_version_id != version.pk:
        return ""
    return four_eyes_refusal(user, version, open_review_of(version))


def metadata_diff(version: AssetVersion, review: Review | None, base_version: AssetVersion | None = None
                  ) -> list[dict[str, Any]]:
    """This revision's metadata beside `base_version`'s (the one compared with), each row flagged when they differ.

    The descriptive fields of a revision are those it was submitted with (its latest review's snapshot);
    a revision never submitted has none, so only its file's facts are compared.
    """
    asset = version.asset
    current = review.snapshot if review is not None and review.snapshot else {
        field: getattr(asset, field) for field in SNAPSHOT_FIELDS}
    base_version = base_version if base_version is not None and base_version.pk != version.pk else None
    base: dict[str, Any] = {}
    if base_version is not None:
        base_review = Review.objects.filter(version=base_version).exclude(snapshot={}).first()
        base = base_review.snapshot if base_review else {}
    technical = ("original_filename", "mime_type", "width", "height", "size", "sha256")
    rows = []
    for field in SNAPSHOT_FIELDS:
        rows.append(_row(field.replace("_", " ").capitalize(), current.get(field),
                         base.get(field) if base else None, bool(base)))
    for field in technical:
        old = getattr(base_version, field) if base_version is not None else None
        rows.append(_row(field.replace("_", " ").capitalize(), getattr(version, field), old,
                         base_version is not None))
    return rows


def _row(label: str, new: Any, old: Any, has_base: bool) -> dict[str, Any]:
    empty: tuple[Any, ...] = (None, "", [], {})
    return {"label": label, "new": new, "old": old if has_base else None,
            "changed": has_base and new != old and not (new in empty and old in empty)}


def comments_of(version: AssetVersion) -> list[Comment]:
    """Top-level comments with their replies, in thread order."""
    replies = Comment.objects.select_related("author", "resolved_by")
    return list(Comment.objects.filter(version=version, parent=None).select_related("author", "resolved_by")
                .prefetch_related(Prefetch("replies", queryset=replies)))


def lock_of(asset: Asset) -> AssetLock | None:
    return AssetLock.objects.select_related("holder").filter(asset=asset, expires_at__gt=timezone.now()).first()


def timeline_of(user: User, asset: Asset) -> dict[str, Any]:
    """Revisions with their reviews, decisions and comments, and the asset's audit trail."""
    versions = authority.visible(user, asset.versions.all()).select_related("uploaded_by").prefetch_related(
        Prefetch("reviews", queryset=Review.objects.select_related("submitted_by")
                 .prefetch_related(Prefetch("decisions", queryset=ReviewDecision.objects.select_related(
                     "reviewer")))),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
    ).annotate(comment_count=Count("comments", distinct=True))
    return {"versions": versions, "events": history_of(user, asset)[:200]}


def notifications_for(user: User) -> QuerySet[Notification]:
    return authority.visible(user, Notification.objects.all())


# Notifications by what they ask of the reader, in this order; the verb's start decides (see notify's callers).
NOTIFICATION_GROUPS = (
    ("workflows.step.opened", "Waiting for your review"),
    ("workflows.version.", "Decisions on your work"),
    ("workflows.review.", "Decisions on your work"),
    ("workflows.comment.", "Comments"),
)


def notification_groups(notifications: Any) -> list[tuple[str, list[Notification]]]:
    """The notifications grouped by kind ("Waiting for your review", "Decisions on your work", "Comments",
    "Other news"), each group newest first, groups in that order."""
    labels = [label for _, label in NOTIFICATION_GROUPS]
    order = list(dict.fromkeys([*labels, "Other news"]))
    grouped: dict[str, list[Notification]] = {label: [] for label in order}
    for notification in notifications:
        label = next((label for prefix, label in NOTIFICATION_GROUPS if notification.verb.startswith(prefix)),
                     "Other news")
        grouped[label].append(notification)
    return [(label, items) for label, items in grouped.items() if items]


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def reviews_for_api(user: User, *, mine: bool, outcome: str | None = None) -> QuerySet[Review]:
    queryset = reviews_waiting_for(user) if mine else _reviews(user)
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    return queryset.prefetch_related(Prefetch("decisions", queryset=ReviewDecision.objects.select_related(
        "reviewer")))
