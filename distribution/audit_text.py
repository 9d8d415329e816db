"""How sharing, lightboxes, presets, integrations, connections and webhooks read in the audit trail."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.audit import register
from distribution.models.connections import Connection
from distribution.models.presets import Preset, Watermark

CONNECTION_KINDS = dict(Connection.Kind.choices)
WATERMARK_KINDS = dict(Watermark.Kind.choices)
POSITIONS = dict(Watermark.Position.choices)


def _count(key: str, one: str, many: str):  # type: ignore[no-untyped-def]
    """A sentence part that counts a list in the data: "2 assets", "1 asset"."""
    def part(v: dict) -> str:
        items = v["data"].get(key) or []
        n = len(items) if isinstance(items, list) else int(items or 0)
        return f"{n} {one if n == 1 else many}"
    return part


def _with(template: str, **parts):  # type: ignore[no-untyped-def]
    def sentence(v: dict) -> str:
        return template.format_map({**v, **{name: part(v) for name, part in parts.items()}})
    return sentence


def _shared_with(v: Mapping[str, Any]) -> str:
    data = v["data"]
    who = data.get("user") or (f"the group {data['group']}" if data.get("group") else "someone")
    return who


def register_all() -> None:
    group = "Share links"
    register("distribution.share_link.created",
             _with("{actor} created a share link “{object}” to {n}", n=_count("assets", "asset", "assets")),
             label="Share link created", group=group,
             fields=[("assets", "Assets"), ("presets", "Presets"), ("expires_at", "Expires", "when"),
                     ("max_downloads", "Download limit"), ("watermark", "Watermark"),
                     ("keep_location", "Keeps the place where it was taken", "yesno"), ("recipients", "Sent to")])
    register("distribution.share_link.revoked", "{actor} revoked the share link “{object}”",
             label="Share link revoked", group=group)

    group = "Lightboxes"
    register("distribution.lightbox.created", "{actor} created the lightbox “{object}”", label="Lightbox created",
             group=group, fields=[("assets", "Assets"), ("shared_with", "Shared with")])
    register("distribution.lightbox.updated", "{actor} changed the lightbox “{object}”", label="Lightbox changed",
             group=group, fields=[("name", "Name"), ("description", "Description"), ("shared_with", "Shared with"),
                                  ("assets", "Assets")])
    register("distribution.lightbox.deleted", "{actor} deleted the lightbox “{name}”", label="Lightbox deleted",
             group=group, fields=[("owner", "Owner"), ("members", "Assets in it")])
    register("distribution.lightbox.shared", lambda v: f"{v['actor']} shared the lightbox “{v['object']}” with "
                                                       f"{_shared_with(v)}",
             label="Lightbox shared", group=group, fields=[("can_edit", "May edit", "yesno")])
    register("distribution.lightbox.unshared", lambda v: f"{v['actor']} stopped sharing the lightbox "
                                                         f"“{v['object']}” with {_shared_with(v)}",
             label="Lightbox no longer shared", group=group)
    register("distribution.lightbox.assets_added",
             _with("{actor} added {n} to the lightbox “{object}”", n=_count("assets", "asset", "assets")),
             label="Assets added to a lightbox", group=group, fields=[("assets", "Assets"), ("note", "Note")])
    register("distribution.lightbox.assets_removed",
             _with("{actor} removed {n} from the lightbox “{object}”", n=_count("assets", "asset", "assets")),
             label="Assets removed from a lightbox", group=group, fields=[("assets", "Assets")])
    register("distribution.lightbox.item_updated", "{actor} changed an asset’s place or note in the lightbox "
                                                   "“{object}”",
             label="Lightbox asset changed", group=group,
             fields=[("asset", "Asset"), ("note", "Note"), ("position", "Place")])

    group = "Download presets"
    preset_fields = [("label", "Label"), ("max_width", "Largest width"), ("max_height", "Largest height"),
                     ("fit", "Fit", dict(Preset.Fit.choices)), ("format", "Format", dict(Preset.Format.choices)),
                     ("quality", "Quality"), ("watermark", "Watermark"), ("restricted", "Restricted", "yesno")]
    register("distribution.preset.created", "{actor} created the download preset “{object}”",
             label="Preset created", group=group, fields=preset_fields)
    register("distribution.preset.changed", "{actor} changed the download preset “{object}”",
             label="Preset changed", group=group, fields=preset_fields)
    register("distribution.preset.deleted", "{actor} deleted the download preset “{name}”",
             label="Preset deleted", group=group)
    watermark_fields = [("kind", "Kind", WATERMARK_KINDS), ("text", "Text"), ("position", "Position", POSITIONS),
                        ("scale", "Scale"), ("opacity", "Opacity")]
    register("distribution.watermark.created", "{actor} created the watermark “{object}”",
             label="Watermark created", group=group, fields=watermark_fields)
    register("distribution.watermark.changed", "{actor} changed the watermark “{object}”",
             label="Watermark changed", group=group, fields=watermark_fields)
    register("distribution.watermark.deleted", "{actor} deleted the watermark “{name}”",
             label="Watermark deleted", group=group)

    group = "Integrations and connections"
    register("distribution.integration.created", "{actor} created the integration “{object}”",
             label="Integration created", group=group, fields=[("allowed_origins", "Sites allowed to pick")])
    register("distribution.integration.changed", "{actor} changed the integration “{object}”",
             label="Integration changed", group=group, fields=[("allowed_origins", "Sites allowed to pick")])
    register("distribution.integration.revoked", "{actor} revoked the integration “{object}”",
             label="Integration revoked", group=group)
    register("distribution.picker.picked",
             _with("{actor} picked {n} through “{object}”", n=_count("uids", "asset", "assets")),
             label="Assets picked", group=group,
             fields=[("uids", "Assets"), ("preset", "Preset"), ("origin", "From the site")])
    connection_fields = [("kind", "Kind", CONNECTION_KINDS), ("base_url", "Address"),
                         ("secret_changed", "Secret changed", "yesno")]
    register("distribution.connection.created", "{actor} connected “{object}”", label="Connection created",
             group=group, fields=connection_fields)
    register("distribution.connection.changed", "{actor} changed the connection “{object}”",
             label="Connection changed", group=group, fields=connection_fields)
    register("distribution.connection.deleted", "{actor} removed the connection “{name}”",
             label="Connection removed", group=group)
    register("distribution.asset.pushed", "{actor} sent v{version} of “{object}” to {connection}",
             label="Asset sent to a connection", group=group,
             fields=[("connection", "Connection"), ("preset", "Preset"), ("channels", "Channels")])
    register("distribution.usage.outdated", "{actor} marked {usages} uses of “{object}” as outdated",
             label="Uses marked outdated", group=group, fields=[("reason", "Why")])

    group = "Webhooks"
    register("distribution.webhook.created", "{actor} created a webhook to {url}", label="Webhook created",
             group=group, fields=[("events", "Events"), ("active", "Active", "yesno")])
    register("distribution.webhook.updated", "{actor} changed the webhook to {object}", label="Webhook changed",
             group=group, fields=[("changes", "Changes", "changes")])
    register("distribution.webhook.deleted", "{actor} deleted the webhook to {url}", label="Webhook deleted",
             group=group)
    register("distribution.webhook.pinged", "{actor} sent a test event to the webhook {object}",
             label="Webhook tested", group=group)
    register("distribution.webhook.redelivered", "{actor} sent delivery {delivery} of the webhook {object} again",
             label="Webhook delivery sent again", group=group, fields=[("event", "Event")])
