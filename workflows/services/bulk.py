"""Many revisions sent into review at once, with one note for the reviewers ("Submit selected for review").

Each asset goes in its own transaction through `version_submit` / `version_resubmit`, so one that cannot go
(a required field left empty, already in review, not the person's to submit) keeps its reason and the others
go on; nothing here decides what the state machine or the authority would decide differently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from accounts import permissions as authority
from accounts.models import User
from assets import selectors as asset_selectors
from assets.models import Asset, ReviewState
from workflows.models import ReviewableVersion
from workflows.services.reviews import version_resubmit, version_submit
from workflows.states import Action, TransitionNotAllowed

STATE_REASONS: dict[str, str] = {
    ReviewState.IN_REVIEW: "It is already in review.",
    ReviewState.APPROVED: "Its current revision is approved; upload a new revision to change it.",
    ReviewState.REJECTED: "Its current revision was rejected; upload a new revision to try again.",
    ReviewState.SUPERSEDED: "Its current revision was replaced.",
}


@dataclass
class Refusal:
    """Why one asset could not be sent; `missing` lists the required fields to fill first."""

    asset: Asset
    reason: str
    missing: list[str] = field(default_factory=list)


@dataclass
class Readiness:
    ready: list[Asset] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _action_for(version: ReviewableVersion) -> Action | None:
    if version.review_state == ReviewState.DRAFT:
        return Action.SUBMIT
    if version.review_state == ReviewState.CHANGES_REQUESTED:
        return Action.RESUBMIT
    return None


def submit_readiness(*, assets: list[Asset], actor: User) -> Readiness:
    """Which of `assets` can go into review now, and why each other one cannot (read only)."""
    found = Readiness()
    versions = {v.pk: v for v in ReviewableVersion.objects.filter(pk__in=[a.current_version_id for a in assets])}
    for asset in assets:
        version = versions.get(asset.current_version_id or 0)
        action = _action_for(version) if version is not None else None
        if version is None or action is None:
            state = version.review_state if version is not None else ""
            found.refused.append(Refusal(asset, STATE_REASONS.get(state, "It has no revision to submit.")))
        elif not authority.can(actor, action, version):
            found.refused.append(Refusal(asset, "Only its owner or an editor may submit it."))
        elif missing := asset_selectors.missing_required_fields(asset):
            found.refused.append(Refusal(asset, "Required fields are empty.", missing))
        else:
            found.ready.append(asset)
    return found


def assets_submit(*, assets: list[Asset], actor: User, comment: str = "") -> Readiness:
    """Send each asset's current revision into review with the same note; returns those sent (`ready`) and
    those refused, each with its reason. Every submission is its own transaction and audit event."""
    checked = submit_readiness(assets=assets, actor=actor)
    done = Readiness(refused=checked.refused)
    for asset in checked.ready:
        assert asset.current_version is not None and asset.current_version_id is not None  # checked as ready
        submit = version_resubmit if asset.current_version.review_state == ReviewState.CHANGES_REQUESTED \
            else version_submit
        try:
            submit(version_id=asset.current_version_id, actor=actor, comment=comment)
        except ValidationError as exc:  # a required field emptied, or a policy without steps, since the check
            done.refused.append(Refusal(asset, " ".join(exc.messages)))
        except (TransitionNotAllowed, PermissionDenied) as exc:
            done.refused.append(Refusal(asset, str(exc)))
        else:
            done.ready.append(asset)
    return done
