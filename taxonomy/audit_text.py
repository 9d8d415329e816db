"""How the vocabulary's, the schema's, the naming rules' and the proposals' audit events read."""
from __future__ import annotations

from accounts.audit import register
from taxonomy.models import AssetType, TermProposal

ASSET_TYPES = dict(AssetType.choices)
ORIGINS = dict(TermProposal.Origin.choices)


def register_all() -> None:
    group = "Vocabulary"
    register("taxonomy.vocabulary.created", "{actor} created the vocabulary “{object}”",
             label="Vocabulary created", group=group, fields=[("uri", "Address")])
    register("taxonomy.vocabulary.updated", "{actor} edited the vocabulary “{object}”",
             label="Vocabulary edited", group=group, fields=[("changes", "Changes", "changes")])
    register("taxonomy.vocabulary.imported",
             "{actor} imported the vocabulary “{object}”[: {created} terms new][, {updated} changed]",
             label="Vocabulary imported", group=group,
             fields=[("created", "New terms"), ("updated", "Changed terms"), ("warnings", "Warnings")])
    register("taxonomy.vocabulary.import_requested", "{actor} sent the vocabulary file {filename} to be imported",
             label="Vocabulary import sent", group=group, fields=[("filename", "File"), ("dry_run", "Preview only")])
    register("taxonomy.term.created", "{actor} created the term “{object}”", label="Term created", group=group,
             fields=[("uri", "Address"), ("broader", "Broader terms")])
    register("taxonomy.term.updated", "{actor} edited the term “{object}”", label="Term edited", group=group,
             fields=[("changes", "Changes", "changes")])
    register("taxonomy.term.moved", "{actor} moved the term “{object}”", label="Term moved", group=group,
             fields=[("old", "Broader terms before"), ("new", "Broader terms after")])
    register("taxonomy.term.merged", "{actor} merged {source} into the term “{object}”", label="Terms merged",
             group=group, fields=[("source", "Merged term"), ("labels_kept", "Labels kept")])
    register("taxonomy.term.deprecated", "{actor} deprecated the term “{object}”[ in favour of {replacement}]",
             label="Term deprecated", group=group,
             fields=[("replacement", "Replaced by"), ("retagged", "Assets re-tagged", "yesno")])
    register("taxonomy.term.reactivated", "{actor} brought the term “{object}” back into use",
             label="Term reactivated", group=group)

    group = "Term proposals"
    register("assets.term.proposed", "{actor} proposed the term “{label}” for “{object}”", label="Term proposed",
             group=group, fields=[("label", "Proposed term"), ("note", "Note"), ("origin", "Origin", ORIGINS)])
    register("assets.proposal.accepted", "{actor} accepted the proposed term “{label}” for “{object}”",
             label="Proposal accepted", group=group, fields=[("label", "Proposed term"), ("term", "New term")])
    register("assets.proposal.mapped",
             "{actor} answered the proposed term “{label}” for “{object}” with an existing term",
             label="Proposal mapped to a term", group=group,
             fields=[("label", "Proposed term"), ("term", "Existing term")])
    register("assets.proposal.rejected", "{actor} turned down the proposed term “{label}” for “{object}”",
             label="Proposal turned down", group=group, fields=[("label", "Proposed term"), ("reason", "Reason")])

    group = "Schema and naming"
    register("assets.schema.field_created", "{actor} added the metadata field “{object}”",
             label="Metadata field added", group=group,
             fields=[("key", "Field name"), ("changes", "Settings", "changes")])
    register("assets.schema.field_updated", "{actor} changed the metadata field “{object}”",
             label="Metadata field changed", group=group,
             fields=[("key", "Field name"), ("changes", "Changes", "changes")])
    register("assets.schema.field_deleted", "{actor} removed the metadata field “{object}”",
             label="Metadata field removed", group=group, fields=[("key", "Field name")])
    register("assets.naming.rule_saved", "{actor} saved the naming rule “{pattern}”[ for {asset_type} assets]",
             label="Naming rule saved", group=group,
             fields=[("pattern", "Pattern"), ("asset_type", "Asset type", ASSET_TYPES)])
    register("assets.naming.rule_deleted", "{actor} deleted the naming rule “{pattern}”",
             label="Naming rule deleted", group=group, fields=[("pattern", "Pattern")])
