"""How the assets app's audit events read: assets, revisions, folders, renditions, the file store."""
from __future__ import annotations

from accounts.audit import register
from assets.models import Collection

DELIVERY = dict(Collection.Delivery.choices)
GRANTEE_KINDS = {"user": "Person", "group": "Group"}
RETAG_REASONS = {"merged": "The term was merged into another", "deprecated": "The term was deprecated"}


def register_all() -> None:
    group = "Assets"
    register("assets.asset.created", "{actor} added “{object}”[ ({filename})]", label="Asset added", group=group,
             fields=[("filename", "File"), ("version", "Revision")])
    register("assets.version.created", "{actor} uploaded v{version} of “{object}”", label="New revision uploaded",
             group=group, fields=[("filename", "File"), ("change_note", "Change note")])
    register("assets.asset.updated", "{actor} edited “{object}”", label="Asset edited", group=group,
             fields=[("changes", "Changes", "changes")])
    register("assets.asset.discarded", "{actor} deleted the draft “{object}”, which was never sent for review",
             label="Draft deleted", group=group, fields=[("title", "Title"), ("uid", "Asset id")])
    register("assets.asset.bulk_updated", "{actor} edited “{object}” with several assets at once",
             label="Asset edited in bulk", group=group, fields=[("changes", "Changes", "changes")])
    register("assets.renditions.retried", "{actor} asked for the previews of v{version} of “{object}” again",
             label="Previews made again", group=group, fields=[("presets", "Previews")])
    register("assets.terms.retagged", "{actor} re-tagged “{object}” with {new} instead of {old}",
             label="Asset re-tagged", group=group,
             fields=[("old", "Term before"), ("new", "Term after"), ("reason", "Why", RETAG_REASONS)])

    group = "Folders"
    register("assets.collection.created", "{actor} created the folder “{object}”", label="Folder created",
             group=group)
    register("assets.collection.deleted", "{actor} deleted the folder “{object}”",
             label="Folder deleted", group=group,
             fields=[("folders", "Folders with it"), ("assets", "Drafts deleted with it")])
    register("assets.collection.granted", "{actor} gave {grantee} {level} access to the folder “{object}”",
             label="Folder access given", group=group,
             fields=[("grantee", "To"), ("grantee_kind", "Who", GRANTEE_KINDS), ("level", "Access")])
    register("assets.collection.revoked", "{actor} took {level} access to the folder “{object}” from {grantee}",
             label="Folder access taken away", group=group,
             fields=[("grantee", "From"), ("grantee_kind", "Who", GRANTEE_KINDS), ("level", "Access")])
    register("assets.collection.delivery_changed", "{actor} changed how the folder “{object}” delivers files",
             label="Folder delivery changed", group=group,
             fields=[("previous", "Before", DELIVERY), ("delivery", "After", DELIVERY)])

    register("assets.storage.swept", "{actor} swept the file store[: {removed} unused files removed]",
             label="File store swept", group="Storage",
             fields=[("checked", "Files checked"), ("removed", "Removed"), ("bytes_freed", "Space freed", "bytes"),
                     ("missing_originals", "Originals missing"), ("missing_renditions", "Previews missing")])
