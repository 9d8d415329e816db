"""Transitions of the approval state machine (see `workflows.states`) and the policy they follow."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from accounts.permissions import Cap
from assets import selectors as asset_selectors
from assets import services as asset_services
from assets.models import Asset, AssetVersion, ReviewState
from assets.originals import open_original
from workflows import states
from workflows.models import ApprovalPolicy, ApprovalStep, Review, ReviewableVersion, ReviewDecision
from workflows.permissions import four_eyes_refusal
from workflows.services.notifications import notify
from workflows.states import Action, TransitionNotAllowed

SNAPSHOT_FIELDS = ("title", "description", "campaign", "licence", "rights_holder", "usage_terms", "channels",
                   "metadata")


def policy_for(asset: Asset) -> ApprovalPolicy:
    """The asset's folder's policy (nearest folder up the tree), else its type's, else the default."""
    folder_ids = [*asset.collection.ancestor_ids, asset.collection_id]
    by_folder = {p.collection_id: p for p in ApprovalPolicy.objects.filter(collection_id__in=folder_ids)}
    for folder_id in reversed(folder_ids):
        if folder_id in by_folder:
            return by_folder[folder_id]
    return (ApprovalPolicy.objects.filter(collection__isnull=True, asset_type=asset.asset_type, is_default=False)
            .first() or ApprovalPolicy.objects.get(is_default=True))


def _review_url(version: AssetVersion) -> str:
    return reverse("workflows:review", args=[version.pk])


def _step_members(step: ApprovalStep, version: AssetVersion, review: Review) -> list[User]:
    """Who to tell that a step waits for them: its group, minus the people who may not sign this revision."""
    excluded = {review.submitted_by_id, version.uploaded_by_id}
    members = User.objects.filter(groups=step.group, is_active=True).exclude(pk__in=[p for p in excluded if p])
    return [user for user in members if authority.can(user, Action.APPROVE, version)]


def _lock(version_id: int) -> tuple[Asset, ReviewableVersion]:
    """Lock the asset, then the revision (always in that order, as version_create does, so no deadlock).

    Holding the asset row also serialises against a new revision being
    uploaded, so "is this still the current revision" stays true until commit.
    """
    asset_id = AssetVersion.objects.filter(pk=version_id).values_list("asset_id", flat=True).first()
    if asset_id is None:
        raise AssetVersion.DoesNotExist(f"No revision {version_id}.")
    asset = Asset.objects.select_for_update().get(pk=asset_id)
    version = ReviewableVersion.objects.select_for_update().get(pk=version_id)
    return asset, version


def _check(actor: User | None, action: Action, version: ReviewableVersion) -> states.ReviewState:
    """Ask the authority (403), then the state table (409); return the state the action leads to."""
    if actor is not None:
        authority.require(actor, action, version)
    return states.target(action, version.review_state)


def _require_current(asset: Asset, version: AssetVersion, action: Action) -> None:
    if asset.current_version_id != version.pk:
        raise TransitionNotAllowed(action, version.review_state,
                                   f"Revision v{version.number} is no longer the current revision of this asset; "
                                   "only the current revision can be reviewed or withdrawn.")


def _set_state(version: AssetVersion, state: ReviewState) -> None:
    version.review_state = state
    version.save(update_fields=["review_state"])


def _snapshot(asset: Asset) -> dict[str, Any]:
    return {field: getattr(asset, field) for field in SNAPSHOT_FIELDS}


def _open_review(version: AssetVersion, action: Action) -> Review:
    review = Review.objects.open().select_for_update().filter(version=version).first()
    if review is None:  # a state in review without its review row would be a bug, not a user error
        raise TransitionNotAllowed(action, version.review_state, "This revision has no open review.")
    return review


def _close(review: Review, outcome: Review.Outcome) -> None:
    review.outcome = outcome
    review.closed_at = timezone.now()
    review.save(update_fields=["outcome", "closed_at"])


def _start_review(asset: Asset, version: ReviewableVersion, action: Action, actor: User | None,
                  comment: str, policy: ApprovalPolicy | None = None) -> Review:
    target = _check(actor, action, version)
    _require_current(asset, version, action)
    missing = asset_selectors.missing_required_fields(asset)
    if missing:
        raise ValidationError({"metadata": [f"Fill in before submitting: {', '.join(missing)}."]})
    policy = policy or policy_for(asset)
    first = policy.steps.order_by("position").first()
    if first is None:
        raise ValidationError(f"The approval policy “{policy}” has no steps; an admin must add one.")
    review = Review.objects.create(version=version, policy=policy, submitted_by=actor, comment=comment,
                                   snapshot=_snapshot(asset), step=first.position)
    _set_state(version, target)
    audit.record(f"workflows.version.{'resubmitted' if action == Action.RESUBMIT else 'submitted'}", actor=actor,
                 target=asset, version=version.number, version_id=version.pk, review_id=review.pk,
                 policy=policy.name, comment=comment)
    notify(_step_members(first, version, review), verb="workflows.step.opened",
           message=f"“{asset.title}” v{version.number} waits for your review ({first.name}).",
           url=_review_url(version))
    return review


def version_submit(*, version_id: int, actor: User | None, comment: str = "",
                   policy: ApprovalPolicy | None = None) -> Review:
    """Send a draft revision into review under `policy` (an automation rule's choice), else its asset's."""
    with transaction.atomic():
        asset, version = _lock(version_id)
        return _start_review(asset, version, Action.SUBMIT, actor, comment, policy)


def version_resubmit(*, version_id: int, actor: User | None, comment: str = "") -> Review:
    """Send a revision back into review after changes were requested; a new round starts at step 1."""
    with transaction.atomic():
        asset, version = _lock(version_id)
        return _start_review(asset, version, Action.RESUBMIT, actor, comment)


def _require_step(version: AssetVersion, action: Action, step: int | None) -> None:
    """The decision was made for `step`: refuse it (409) when the review has moved on since.

    Checked before the permission: of two reviewers deciding on the same step at once, the one
    who comes second is told the review moved on, not that they may not decide.
    """
    if step is None:
        return
    review = Review.objects.open().filter(version=version).first()
    if review is None:
        raise TransitionNotAllowed(action, version.review_state,
                                   f"This revision was already decided ({version.get_review_state_display().lower()}) "
                                   "since you opened it; nothing was recorded.")
    if review.step != step:
        current = review.policy.steps.filter(position=review.step).first()
        raise TransitionNotAllowed(action, version.review_state,
                                   f"The review moved on to step {review.step}"
                                   f"{f' ({current.name})' if current else ''} since you opened it; "
                                   "nothing was recorded.")


class DecisionRefused(PermissionDenied):
    """A reviewer may not take this decision as a second pair of eyes (their own work, or a second step of
    one review); the attempt is audited before the 403."""

    def __init__(self, action: Action, asset: Asset, version: AssetVersion, review: Review, reason: str):
        self.action, self.asset, self.version, self.review, self.reason = action, asset, version, review, reason
        super().__init__(f"You may not {action.label.lower()} this revision: {reason}.")


def _refuse_second_signature(actor: User | None, action: Action, asset: Asset, version: AssetVersion) -> None:
    """Four eyes, checked under the row locks: of two requests by one person, the second sees the first's
    decision. Asked only of people who review at all; anyone else is refused by the authority as usual."""
    if actor is None or not authority.can(actor, Cap.REVIEW):
        return
    review = Review.objects.open().select_related("policy").filter(version=version).first()
    reason = four_eyes_refusal(actor, version, review)
    if reason and review is not None:
        raise DecisionRefused(action, asset, version, review, reason)


def _audit_refusal(refusal: DecisionRefused, actor: User | None, comment: str) -> None:
    # The decision's own transaction was rolled back; the refusal is a fact of its own and is kept.
    step = refusal.review.policy.steps.filter(position=refusal.review.step).first()
    with transaction.atomic():
        audit.record("workflows.review.decision_refused", actor=actor, target=refusal.asset,
                     version=refusal.version.number, version_id=refusal.version.pk, review_id=refusal.review.pk,
                     action=refusal.action.label.lower(), reason=refusal.reason, comment=comment,
                     step=step.position if step else None, step_name=step.name if step else "")


def _decide(action: Action, *, version_id: int, actor: User | None, comment: str,
            sha256: str | None, for_step: int | None = None) -> AssetVersion:
    try:
        return _decide_locked(action, version_id=version_id, actor=actor, comment=comment, sha256=sha256,
                              for_step=for_step)
    except DecisionRefused as refusal:
        _audit_refusal(refusal, actor, comment)
        raise


def _decide_locked(action: Action, *, version_id: int, actor: User | None, comment: str,
                   sha256: str | None, for_step: int | None = None) -> AssetVersion:
    with transaction.atomic():
        asset, version = _lock(version_id)
        _require_step(version, action, for_step)
        _refuse_second_signature(actor, action, asset, version)
        target = _check(actor, action, version)
        _require_current(asset, version, action)
        if sha256 and sha256 != version.sha256:
            raise TransitionNotAllowed(action, version.review_state,
                                       "The file changed since you looked at it (its sha256 differs); reload.")
        if action == Action.REQUEST_CHANGES and not comment.strip():
            raise ValidationError({"comment": ["Say what should change."]})
        review = _open_review(version, action)
        if actor is not None and ReviewDecision.objects.filter(review=review, step=review.step,
                                                               reviewer=actor).exists():
            raise TransitionNotAllowed(action, version.review_state, "You have already decided on this step.")
        ReviewDecision.objects.create(review=review, step=review.step, reviewer=actor, kind=action.value,
                                      comment=comment, sha256=version.sha256)
        step = review.policy.steps.get(position=review.step)
        who = actor.display_name if actor else "The system"
        url = _review_url(version)
        submitter = [review.submitted_by] if review.submitted_by else []
        if action != Action.APPROVE:
            _close(review, Review.Outcome(target.value))
            _set_state(version, target)
            audit.record(f"workflows.version.{target.value}", actor=actor, target=asset, version=version.number,
                         version_id=version.pk, review_id=review.pk, step=step.position, step_name=step.name,
                         comment=comment, sha256=version.sha256)
            # The note travels with the news: the submitter reads what to change without opening the page.
            notify(submitter, verb=f"workflows.version.{target.value}", url=url,
                   message=f"{who} {'requested changes to' if action == Action.REQUEST_CHANGES else 'rejected'} "
                           f"“{asset.title}” v{version.number}" + (f": “{comment.strip()}”" if comment.strip()
                                                                    else "."))
            return version
        approvals = review.decisions.filter(step=step.position, kind=ReviewDecision.Kind.APPROVE).count()
        if approvals < step.approvals_required:
            audit.record("workflows.review.approval_recorded", actor=actor, target=asset, version=version.number,
                         version_id=version.pk, review_id=review.pk, step=step.position, step_name=step.name,
                         approvals=approvals, needed=step.approvals_required, sha256=version.sha256, comment=comment)
            notify(submitter, verb="workflows.review.approval_recorded", url=url,
                   message=f"{who} approved “{asset.title}” v{version.number} "
                           f"({approvals} of {step.approvals_required} for {step.name}).")
            return version
        following = review.policy.steps.filter(position__gt=step.position).order_by("position").first()
        if following is not None:
            review.step = following.position
            review.step_opened_at = timezone.now()
            review.save(update_fields=["step", "step_opened_at"])
            audit.record("workflows.review.step_passed", actor=actor, target=asset, version=version.number,
                         version_id=version.pk, review_id=review.pk, step=step.position, step_name=step.name,
                         next_step=following.position, sha256=version.sha256, comment=comment)
            notify(submitter, verb="workflows.review.step_passed", url=url,
                   message=f"{who} approved “{asset.title}” v{version.number}; {step.name} is passed.")
            notify(_step_members(following, version, review), verb="workflows.step.opened", url=url,
                   message=f"“{asset.title}” v{version.number} waits for your review ({following.name}).")
            return version
        _close(review, Review.Outcome.APPROVED)
        _set_state(version, target)
        previous = None
        if asset.approved_version_id and asset.approved_version_id != version.pk:
            previous = AssetVersion.objects.select_for_update().get(pk=asset.approved_version_id)
            _set_state(previous, states.target(Action.SUPERSEDE, previous.review_state))
        asset.approved_version = version
        asset.save(update_fields=["approved_version", "updated_at"])
        audit.record("workflows.version.approved", actor=actor, target=asset, version=version.number,
                     version_id=version.pk, review_id=review.pk, step=step.position, step_name=step.name,
                     sha256=version.sha256, comment=comment, superseded_version=previous.number if previous else None)
        notify(submitter, verb="workflows.version.approved", url=url,
               message=f"{who} gave the final approval to “{asset.title}” v{version.number}.")
        return version


def version_approve(*, version_id: int, actor: User | None, comment: str = "", sha256: str | None = None
                    ) -> AssetVersion:
    """Approve the open step; the last step's approval makes the revision the asset's approved one."""
    return _decide(Action.APPROVE, version_id=version_id, actor=actor, comment=comment, sha256=sha256)


def version_request_changes(*, version_id: int, actor: User | None, comment: str,
                            sha256: str | None = None) -> AssetVersion:
    """Send the revision back to its submitter; the comment says what to change."""
    return _decide(Action.REQUEST_CHANGES, version_id=version_id, actor=actor, comment=comment, sha256=sha256)


def version_reject(*, version_id: int, actor: User | None, comment: str = "", sha256: str | None = None
                   ) -> AssetVersion:
    """Refuse the revision for good; a new revision is the way forward."""
    return _decide(Action.REJECT, version_id=version_id, actor=actor, comment=comment, sha256=sha256)


def _withdraw(asset: Asset, version: ReviewableVersion, actor: User | None, reason: str, *,
              current_only: bool = False) -> None:
    target = _check(actor, Action.WITHDRAW, version)
    if current_only:  # a person withdraws the current revision; an older one keeps its state as its record
        _require_current(asset, version, Action.WITHDRAW)
    review = Review.objects.open().select_for_update().filter(version=version).first()
    told: set[int] = set()
    if review is not None:
        _close(review, Review.Outcome.WITHDRAWN)
        told = set(review.decisions.exclude(reviewer=None).values_list("reviewer_id", flat=True))
        step = review.policy.steps.filter(position=review.step).first()
        if step is not None:
            told |= {user.pk for user in _step_members(step, version, review)}
    _set_state(version, target)
    audit.record("workflows.version.withdrawn", actor=actor, target=asset, version=version.number,
                 version_id=version.pk, review_id=review.pk if review else None, reason=reason)
    told.discard(actor.pk if actor else None)
    notify(User.objects.filter(pk__in=told), verb="workflows.version.withdrawn", url=_review_url(version),
           message=f"The review of “{asset.title}” v{version.number} was withdrawn: {reason}")


def version_withdraw(*, version_id: int, actor: User | None, comment: str = "") -> AssetVersion:
    """Take a revision out of review, back to draft (its submitter or an admin)."""
    with transaction.atomic():
        asset, version = _lock(version_id)
        who = actor.display_name if actor else "the system"
        _withdraw(asset, version, actor, comment.strip() or f"withdrawn by {who}.", current_only=True)
        return version


def review_withdraw_for_new_revision(*, version_id: int, new_version_id: int) -> bool:
    """A newer revision was uploaded: the older one's running review is void. Safe to run twice.

    Only a review still running is withdrawn: a revision sent back (changes requested) or decided keeps
    that state as its record ("v1, changes requested"), and the newer revision is the answer to it.
    """
    with transaction.atomic():
        asset, version = _lock(version_id)
        if version.review_state != ReviewState.IN_REVIEW:
            return False
        number = AssetVersion.objects.filter(pk=new_version_id).values_list("number", flat=True).first()
        _withdraw(asset, version, None, f"revision v{number} was uploaded, so the review moves to it.")
        return True


def version_transition(action: Action, *, version_id: int, actor: User | None, comment: str = "",
                       sha256: str | None = None, step: int | None = None) -> Any:
    """Dispatch one action by name (for the views and the API, which take it from the URL).

    A decision may name the review step it was made for (`step`): 409 when the review has moved on.
    """
    if action in states.DECISIONS:
        return _decide(action, version_id=version_id, actor=actor, comment=comment, sha256=sha256, for_step=step)
    return {Action.SUBMIT: version_submit, Action.RESUBMIT: version_resubmit,
            Action.WITHDRAW: version_withdraw}[action](version_id=version_id, actor=actor, comment=comment)


def version_restore(*, version_id: int, actor: User | None) -> AssetVersion:
    """Upload an older revision's file again as a new revision; history is never rewritten."""
    version = ReviewableVersion.objects.select_related("asset").get(pk=version_id)
    if actor is not None:
        authority.require(actor, "restore", version)
    with open_original(version) as fileobj:
        restored = asset_services.version_create(
            asset=version.asset, fileobj=fileobj, filename=version.original_filename, actor=actor,
            facts=asset_services.FileFacts.of_version(version), change_note=f"Restored from v{version.number}.")
    audit.record("workflows.version.restored", actor=actor, target=version.asset, version=restored.number,
                 version_id=restored.pk, restored_from=version.number)
    return restored

