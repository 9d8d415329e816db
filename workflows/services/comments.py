"""Threaded comments on a revision, optionally pinned to a rectangle of its image."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from workflows.models import Comment, ReviewableVersion
from workflows.services.notifications import notify


def clean_region(region: Any) -> dict[str, float] | None:
    """A rectangle as fractions of the image: x, y, w, h in 0..1, inside the picture, not empty."""
    if region in (None, "", {}):
        return None
    try:
        box = {key: round(float(region[key]), 4) for key in ("x", "y", "w", "h")}
    except (KeyError, TypeError, ValueError):
        raise ValidationError({"region": ["Give x, y, w and h as fractions between 0 and 1."]}) from None
    if not (0 <= box["x"] < 1 and 0 <= box["y"] < 1 and box["w"] > 0 and box["h"] > 0
            and box["x"] + box["w"] <= 1.0001 and box["y"] + box["h"] <= 1.0001):
        raise ValidationError({"region": ["The rectangle must lie inside the image."]})
    return box


@transaction.atomic
def comment_add(*, version: ReviewableVersion, actor: User, body: str, parent: Comment | None = None,
                region: Any = None) -> Comment:
    """Comment on a revision or reply to a comment on it."""
    authority.require(actor, "comment", version)
    body = body.strip()
    if not body:
        raise ValidationError({"body": ["Write something."]})
    if parent is not None and parent.version_id != version.pk:
        raise ValidationError({"parent": ["Reply to a comment on the same revision."]})
    box = clean_region(region)
    if box is not None and not version.is_image:
        raise ValidationError({"region": ["Regions can only be drawn on images."]})
    comment = Comment.objects.create(version=version, parent=parent, author=actor, body=body, region=box)
    asset = version.asset
    audit.record("workflows.comment.added", actor=actor, target=asset, version=version.number,
                 version_id=version.pk, comment_id=comment.pk, reply_to=parent.pk if parent else None,
                 region=box)
    others = {u for u in (version.uploaded_by, asset.owner, parent.author if parent else None)
              if u is not None and u.pk != actor.pk}
    url = f"{reverse('workflows:review', args=[version.pk])}#comment-{comment.pk}"
    notify(others, verb="workflows.comment.added", url=url,
           message=f"{actor.display_name} commented on “{asset.title}” v{version.number}.")
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, actor: User, resolved: bool = True) -> Comment:
    """Mark a thread resolved (or open it again)."""
    authority.require(actor, "resolve", comment)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if (comment.resolved_at is not None) == resolved:
        return comment
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(f"workflows.comment.{'resolved' if resolved else 'reopened'}", actor=actor,
                 target=comment.version.asset, comment_id=comment.pk, version=comment.version.number)
    return comment
