"""Which use a connection is, in the words of an asset's allowed channels (Asset.channels).

An asset's channels are free words that people type ("web, social, print"); empty means any channel. A push to
Postiz is a social post and a push to WordPress is a web page, so a push is refused when the asset names its
channels and none of them covers the connection's kind. "online" covers both.
"""
from __future__ import annotations

from assets.models import Asset
from distribution.models import Connection

# The channel words that allow each kind of connection (compared without case or surrounding spaces).
ALLOWING: dict[str, frozenset[str]] = {
    Connection.Kind.POSTIZ: frozenset({"social", "social media", "online"}),
    Connection.Kind.WORDPRESS: frozenset({"web", "website", "online"}),
}
# What each kind is, for the refusal's sentence.
USE: dict[str, str] = {Connection.Kind.POSTIZ: "social media", Connection.Kind.WORDPRESS: "the web"}


def channels_refusal(asset: Asset, connection: Connection) -> str | None:
    """The sentence saying why the asset's allowed channels forbid this connection; None when they allow it."""
    named = [str(c).strip() for c in (asset.channels or []) if str(c).strip()]
    if not named or any(c.casefold() in ALLOWING[connection.kind] for c in named):
        return None
    return (f"“{asset.title}” may be used only in {', '.join(named)} (its allowed channels): {connection.name} "
            f"publishes to {USE[connection.kind]}.")
