"""How reviews, comments and check-outs read in the audit trail."""
from __future__ import annotations

from accounts.audit import register
from workflows.models import NotificationPreference

EMAIL = dict(NotificationPreference.Email.choices)
STEP = "[ (step {step}[, {step_name}])]"


def register_all() -> None:
    group = "Reviews"
    common = [("comment", "Note for reviewers")]  # the submitter's words
    note = [("comment", "Decision note")]  # a reviewer's words with a decision, apart from the comments
    register("workflows.version.submitted", "{actor} submitted v{version} of “{object}” for review",
             label="Submitted for review", group=group, fields=[("policy", "Approval policy"), *common])
    register("workflows.version.resubmitted", "{actor} sent v{version} of “{object}” back for review",
             label="Resubmitted for review", group=group, fields=[("policy", "Approval policy"), *common])
    register("workflows.review.approval_recorded", "{actor} approved v{version} of “{object}”" + STEP,
             label="Approval given (more needed)", group=group,
             fields=[("approvals", "Approvals so far"), ("needed", "Approvals needed"), *note])
    register("workflows.review.step_passed",
             "{actor} approved v{version} of “{object}”" + STEP + "[; it moves on to step {next_step}]",
             label="Review step passed", group=group, fields=note)
    register("workflows.version.approved", "{actor} approved v{version} of “{object}”" + STEP,
             label="Revision approved", group=group,
             fields=[*note, ("superseded_version", "Replaces the approved revision")])
    register("workflows.version.changes_requested", "{actor} asked for changes to v{version} of “{object}”" + STEP,
             label="Changes requested", group=group, fields=note)
    register("workflows.version.rejected", "{actor} rejected v{version} of “{object}”" + STEP,
             label="Revision rejected", group=group, fields=note)
    register("workflows.review.decision_refused",
             "{actor} tried to {action} v{version} of “{object}”" + STEP + " and was refused: {reason}",
             label="Decision refused (four eyes)", group=group, fields=[("reason", "Why"), *note])
    register("workflows.version.withdrawn", "{actor} withdrew v{version} of “{object}” from review",
             label="Withdrawn from review", group=group, fields=[("reason", "Why")])
    register("workflows.version.restored", "{actor} restored v{restored_from} of “{object}” as v{version}",
             label="Old revision restored", group=group)

    group = "Approval policies"
    policy = [("changes", "What changed", "changes"), ("collection", "Collection"), ("asset_type", "Asset type"),
              ("is_default", "The default policy", "yesno"),
              ("same_person_may_sign_several_steps", "One person may sign several steps", "yesno"),
              ("steps", "Steps"), ("replaced_default", "Was the default before")]
    register("workflows.policy.created", "{actor} created the approval policy “{object}”",
             label="Approval policy created", group=group, fields=policy)
    register("workflows.policy.changed", "{actor} changed the approval policy “{object}”",
             label="Approval policy changed", group=group, fields=policy)

    group = "Comments"
    register("workflows.comment.added", "{actor} commented on v{version} of “{object}”", label="Comment added",
             group=group, fields=[("region", "On a region of the image", "yesno")])
    register("workflows.comment.resolved", "{actor} resolved a comment on v{version} of “{object}”",
             label="Comment resolved", group=group)
    register("workflows.comment.reopened", "{actor} reopened a comment on v{version} of “{object}”",
             label="Comment reopened", group=group)

    group = "Check-out"
    register("workflows.asset.checked_out", "{actor} checked out “{object}”", label="Checked out", group=group,
             fields=[("expires_at", "Until", "when"), ("note", "Note")])
    register("workflows.asset.checked_in", "{actor} checked in “{object}”", label="Checked in", group=group)
    register("workflows.asset.lock_broken", "{actor} ended {holder}’s check-out of “{object}”",
             label="Check-out broken", group=group, fields=[("holder", "Held by")])

    register("workflows.notifications.preference_set", "{actor} chose how to be told of reviews: {email}",
             label="Notification choice changed", group="Users and tokens", fields=[("email", "E-mail", EMAIL)])
