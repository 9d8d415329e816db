"""How archiving, retention, rights, fixity, storage tiers and BagIt packages read in the audit trail."""
from __future__ import annotations

from accounts.audit import register
from archive.models.fixity import FixityRun
from archive.models.retention import RetentionRule
from archive.models.rights import ReleaseDocument
from assets.models import RightsOnExpiry, StorageTier

ON_EXPIRY = dict(RightsOnExpiry.choices)
RELEASES = dict(ReleaseDocument.Kind.choices)
RULE_ACTIONS = dict(RetentionRule.Action.choices)
TIERS = dict(StorageTier.choices)
FIXITY_STATES = dict(FixityRun.State.choices)
FIXITY_TRIGGERS = dict(FixityRun.Trigger.choices)
HOLD_ON = {"asset": "An asset", "collection": "A folder"}


def register_all() -> None:
    group = "Archive and bin"
    register("archive.asset.archived", "{actor} archived “{object}”", label="Asset archived", group=group,
             fields=[("reason", "Why")])
    register("archive.asset.restored", "{actor} restored “{object}” from the archive", label="Asset restored",
             group=group)
    register("archive.asset.binned", "{actor} moved “{object}” to the bin", label="Asset moved to the bin",
             group=group, fields=[("reason", "Why"), ("rule", "Retention rule"),
                                  ("purge_after", "Deleted for good after", "when")])
    register("archive.asset.unbinned", "{actor} took “{object}” out of the bin", label="Asset taken out of the bin",
             group=group, fields=[("archived", "Back in the archive", "yesno")])
    register("archive.asset.purged", "{actor} deleted “{title}” for good", label="Asset deleted for good",
             group=group, fields=[("uid", "Asset id"), ("versions", "Revisions"), ("files", "Files deleted"),
                                  ("binned_at", "In the bin since", "when"), ("reason", "Why it was binned")])

    group = "Retention and legal holds"
    rule_fields = [("name", "Name"), ("action", "Action", RULE_ACTIONS), ("asset_type", "Asset type"),
                   ("review_state", "Review state"), ("older_than_days", "Older than (days)"),
                   ("not_downloaded_days", "Not downloaded for (days)"), ("archived_for_days", "Archived for (days)")]
    register("archive.retention.rule_created", "{actor} created the retention rule “{object}”",
             label="Retention rule created", group=group, fields=rule_fields)
    register("archive.retention.rule_changed", "{actor} changed the retention rule “{object}”",
             label="Retention rule changed", group=group,
             fields=[("changes", "Changes", "changes"), ("disabled", "Turned off by the change", "yesno")])
    register("archive.retention.rule_deleted", "{actor} deleted the retention rule “{name}”",
             label="Retention rule deleted", group=group)
    register("archive.retention.rule_enabled", "{actor} turned on the retention rule “{object}”",
             label="Retention rule turned on", group=group,
             fields=[("would_act_on", "Assets it acts on"), ("confirmed", "Confirmed after a warning", "yesno")])
    register("archive.retention.rule_disabled", "{actor} turned off the retention rule “{object}”",
             label="Retention rule turned off", group=group)
    register("archive.legal_hold.placed", "{actor} placed a legal hold on “{object}”", label="Legal hold placed",
             group=group, fields=[("on", "On", HOLD_ON), ("reason", "Why")])
    register("archive.legal_hold.lifted", "{actor} lifted the legal hold on “{object}”", label="Legal hold lifted",
             group=group, fields=[("placed_for", "It was placed for"), ("reason", "Why it was lifted")])

    group = "Usage rights"
    register("archive.rights.renewed", "{actor} renewed the rights of “{object}”", label="Rights renewed",
             group=group, fields=[("previous", "Expired", "when"), ("expires_at", "Now expire", "when")])
    register("archive.rights.expiring", "{actor} reminded that the rights of “{object}” expire in {days} days",
             label="Rights expiry reminder", group=group, fields=[("expires_at", "Expire", "when")])
    register("archive.rights.expired", "{actor} applied the rights expiry of “{object}”", label="Rights expired",
             group=group, fields=[("action", "What happened", ON_EXPIRY), ("expires_at", "Expired", "when")])
    register("archive.rights.expiry_action_set", "{actor} chose what happens when rights expire in “{object}”",
             label="Rights expiry choice changed", group=group,
             fields=[("previous", "Before", ON_EXPIRY), ("action", "After", ON_EXPIRY)])
    register("archive.rights.licence_saved", "{actor} saved the licence “{name}”", label="Licence saved",
             group=group, fields=[("active", "Offered", "yesno"), ("renamed_on", "Assets renamed with it")])
    register("archive.rights.release_attached", "{actor} attached a {kind} to “{object}”",
             label="Release document attached", group=group, fields=[("kind", "Document", RELEASES)])
    register("archive.rights.release_removed", "{actor} removed a {kind} from “{object}”",
             label="Release document removed", group=group, fields=[("kind", "Document", RELEASES)])

    group = "Fixity and storage"
    register("archive.fixity.started", "{actor} started a fixity check", label="Fixity check started",
             group=group, fields=[("scope", "Scope"), ("trigger", "Started by", FIXITY_TRIGGERS)])
    register("archive.fixity.finished", "{actor} finished a fixity check[: {checked} files checked]",
             label="Fixity check finished", group=group,
             fields=[("state", "Outcome", FIXITY_STATES), ("checked", "Files checked"), ("changed", "Changed"),
                     ("missing", "Missing"), ("untracked", "Untracked"), ("error", "Error")])
    register("archive.tier.moved", "{actor} moved the originals of “{object}” to {to}",
             label="Originals moved", group=group, fields=[("to", "To", TIERS), ("versions", "Revisions")])
    register("archive.tier.move_failed", "{actor} could not move the originals of “{object}” to {to}",
             label="Originals could not be moved", group=group, fields=[("to", "To", TIERS), ("reason", "Why")])
    register("archive.tier.retried", "{actor} tried again to move the originals of “{object}” to {to}",
             label="Moving originals tried again", group=group, fields=[("to", "To", TIERS), ("reason", "Last error")])

    group = "BagIt packages"
    register("archive.bag.requested", "{actor} asked for a BagIt package of {subject}",
             label="BagIt package requested", group=group)
    register("archive.bag.exported", "{actor} exported a BagIt package of {subject}", label="BagIt package made",
             group=group, fields=[("assets", "Assets"), ("size", "Size", "bytes"), ("path", "Written to")])
    register("archive.bag.failed", "{actor} could not make a BagIt package of “{object}”",
             label="BagIt package failed", group=group, fields=[("reason", "Why")])
    register("archive.bag.expired", "{actor} removed the expired BagIt package “{object}”",
             label="BagIt package expired", group=group)
    register("archive.bag.restored", "{actor} restored “{object}” from a BagIt package",
             label="Restored from a BagIt package", group=group,
             fields=[("bag", "Package"), ("source", "Source"), ("replaced", "Replaced the existing asset", "yesno"),
                     ("unknown_people", "People not found here")])

    group = "Backups"
    register("archive.backup.taken", "{actor} backed up the whole DAM to {out}", label="Backup taken", group=group,
             fields=[("objects", "Stored objects"), ("files_included", "Files copied into the backup", "yesno"),
                     ("complete", "Complete", "yesno"), ("problems", "Problems")])
    register("archive.backup.restored", "{actor} restored the whole DAM from {source}", label="Backup restored",
             group=group, fields=[("taken_at", "Backup taken", "when"), ("objects", "Stored objects"),
                                  ("problems", "Problems carried over")])
