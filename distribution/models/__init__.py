"""Distribution's models, one module per part: share links and download events, webhooks."""
from distribution.models.lightboxes import Lightbox, LightboxItem, LightboxShare
from distribution.models.links import DownloadEvent, ShareLink, ShareLinkOpen
from distribution.models.webhooks import PING_EVENT, Webhook, WebhookDelivery, WebhookEvent

__all__ = ["PING_EVENT", "DownloadEvent", "ShareLink", "Webhook", "WebhookDelivery", "WebhookEvent"]
__all__ += ["Lightbox", "LightboxItem", "LightboxShare"]
from distribution.models.presets import Preset, Watermark  # noqa: E402

__all__ += ["Preset", "Watermark"]
from distribution.models.integrations import Integration  # noqa: E402

__all__ += ["Integration"]
__all__ += ["ShareLinkOpen"]
from distribution.models.connections import Connection, Usage  # noqa: E402

__all__ += ["Connection", "Usage"]
