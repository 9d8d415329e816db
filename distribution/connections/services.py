"""Connections set up by admins, tested, and pushes started by those who may share.

Saving a connection never calls the target: "Test connection" and pushes do. Its secret is sealed
(distribution.outbound.seal) and never read back into a form, an answer or a log line. A push checks everything
it can before it is accepted (the asset's approved version, its rights and allowed channels, the connection's
collections, the preset, the channels), writes one queued usage per target place, and leaves the sending to the
job (tasks.push).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset, Collection
from assets.permissions import unusable_reason
from distribution import derivatives, outbound
from distribution.connections.channels import channels_refusal
from distribution.connections.clients import Channel, Problem
from distribution.models import Connection, Usage

SECRET_HINTS: dict[str, str] = {
    Connection.Kind.POSTIZ: "The API key from Postiz's settings (Settings → Public API).",
    Connection.Kind.WORDPRESS: "user:application password (Users → Profile → Application Passwords).",
    "wordpress-format": "For WordPress, enter user:application password (the user name, a colon, the password).",
}


class PushRefused(Exception):
    """A push that cannot start: `status` is the HTTP answer (409 not publishable, 403 not allowed here, 400 bad
    input), the message a sentence."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def client_for(connection: Connection) -> Any:
    """The client that speaks to this connection's target, with its secret unsealed."""
    from distribution.connections.postiz import PostizClient
    from distribution.connections.wordpress import WordPressClient

    secret = outbound.unseal(connection.secret_sealed) if connection.secret_sealed else ""
    if connection.kind == Connection.Kind.POSTIZ:
        return PostizClient(connection.base_url, secret)
    return WordPressClient(connection.base_url, secret)


# --- connections (admins) -----------------------------------------------------------------------------------

def _clean(kind: str, name: str, base_url: str, secret: str | None, *, creating: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if kind not in Connection.Kind.values:
        errors["kind"] = "Choose Postiz or WordPress."
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the connection a name."
    base_url = (base_url or "").strip().rstrip("/")
    try:
        outbound.check_url(base_url, unresolved_ok=True)
    except outbound.Refused as exc:
        errors["base_url"] = str(exc)
    if secret is not None:
        secret = secret.strip()  # keys pasted with a newline or spaces around them
    if creating and not secret:
        errors["secret"] = "Enter the secret: " + SECRET_HINTS.get(kind, "the target's key.")
    if secret and kind == Connection.Kind.WORDPRESS and ":" not in secret:
        errors["secret"] = SECRET_HINTS["wordpress-format"]
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "name": name, "base_url": base_url, "secret": secret}


@transaction.atomic
def connection_save(*, actor: User, connection: Connection | None = None, kind: str, name: str, base_url: str,
                    secret: str | None = None, collections: Iterable[Collection] | None = None) -> Connection:
    """Create a connection, or change one (a secret of None or "" keeps the stored one). Never calls the target."""
    authority.require(actor, "create" if connection is None else "change", connection or Connection)
    clean = _clean(kind, name, base_url, secret, creating=connection is None)
    others = Connection.objects.filter(name__iexact=clean["name"])
    if (others.exclude(pk=connection.pk) if connection is not None else others).exists():
        raise ValidationError({"name": "Another connection has this name."})
    creating = connection is None
    connection = connection or Connection(created_by=actor)
    connection.kind, connection.name, connection.base_url = clean["kind"], clean["name"], clean["base_url"]
    if clean["secret"]:
        connection.secret_sealed = outbound.seal(clean["secret"])
        connection.last_test, connection.last_test_ok, connection.last_tested_at = "", None, None
    connection.save()
    if collections is not None:
        connection.collections.set(collections)
    # The secret is never in the audit trail: only that it was set.
    audit.record("distribution.connection.created" if creating else "distribution.connection.changed",
                 actor=actor, target=connection, kind=connection.kind, name=connection.name,
                 base_url=connection.base_url, secret_changed=bool(clean["secret"]),
                 collections=[c.pk for c in connection.collections.all()])
    return connection


@transaction.atomic
def connection_delete(*, actor: User, connection: Connection) -> None:
    """Remove a connection; its usages stay (the places still exist), without the link to it."""
    authority.require(actor, "delete", connection)
    audit.record("distribution.connection.deleted", actor=actor, target=connection, name=connection.name)
    connection.delete()


@dataclass(frozen=True)
class TestOutcome:
    ok: bool
    message: str


def connection_test(*, actor: User, connection: Connection) -> TestOutcome:
    """Call the target once and say in a sentence what happened; remembered on the connection."""
    authority.require(actor, "test", connection)
    try:
        outcome = TestOutcome(True, client_for(connection).test())
    except (Problem, outbound.Refused, outbound.CallFailed) as exc:
        outcome = TestOutcome(False, getattr(exc, "message", None) or str(exc))
    Connection.objects.filter(pk=connection.pk).update(last_test=outcome.message[:500], last_test_ok=outcome.ok,
                                                       last_tested_at=timezone.now())
    return outcome


def connection_channels(*, actor: User, connection: Connection) -> list[Channel]:
    """Postiz's channels, listed live (Problem with a sentence when Postiz cannot be asked)."""
    authority.require(actor, "push", connection)
    if connection.kind != Connection.Kind.POSTIZ:
        return []
    try:
        return [c for c in client_for(connection).channels() if not c.disabled]
    except (outbound.Refused, outbound.CallFailed) as exc:
        raise Problem(str(exc)) from None


def may_receive(connection: Connection, asset: Asset) -> bool:
    """Whether the connection takes assets of this asset's folder (none listed: every folder)."""
    allowed = list(connection.collections.all())
    if not allowed:
        return True
    folder: Collection | None = asset.collection
    while folder is not None:
        if any(folder.pk == c.pk for c in allowed):
            return True
        folder = folder.parent
    return False


# --- pushes ---------------------------------------------------------------------------------------------------

def default_text(asset: Asset) -> str:
    """A caption from the asset: its title, description and credit."""
    from distribution.embedding import credit

    parts = [asset.title, asset.description.strip(), credit(asset)]
    return "\n\n".join(p for p in parts if p)


def asset_push(*, actor: User, asset: Asset, connection: Connection, preset: str, channels: Iterable[str] = (),
               text: str | None = None) -> list[Usage]:
    """Start pushing the asset's approved version to a connection: one queued usage per channel (Postiz) or one
    (WordPress); the job sends them after the commit. PushRefused says why it cannot start."""
    if not authority.can(actor, "push", connection):
        raise PushRefused(403, "You may not push assets to other systems.")
    if not authority.can(actor, "view", asset):
        raise PushRefused(404, "There is no such asset.")
    if asset.approved_version_id is None:
        raise PushRefused(409, f"“{asset.title}” has no approved version: only approved assets can be sent.")
    if (why := unusable_reason(asset)) is not None:
        raise PushRefused(409, f"“{asset.title}” may not be used now ({why}): it cannot be sent.")
    if (refusal := channels_refusal(asset, connection)) is not None:
        raise PushRefused(409, refusal)
    if not may_receive(connection, asset):
        raise PushRefused(403, f"{connection.name} does not take assets from the folder “{asset.collection}”.")
    chosen = derivatives.presets_for(actor, asset).filter(restricted=False, name=preset).first()
    if chosen is None:
        raise PushRefused(400, f"There is no preset “{preset}” you may send.", "preset")
    version = asset.approved_version
    assert version is not None
    if not chosen.is_original:
        from assets.formats import can_render

        if not can_render(version.mime_type):
            raise PushRefused(400, f"No {chosen.label} picture can be made from a {version.mime_type} file: "
                                   "choose the original.", "preset")
    names: dict[str, str] = {}
    if connection.kind == Connection.Kind.POSTIZ:
        wanted = list(dict.fromkeys(str(c).strip() for c in channels if str(c).strip()))
        if not wanted:
            raise PushRefused(400, "Choose at least one Postiz channel.", "channels")
        names = {c: c for c in wanted}
    caption = (text if text is not None else default_text(asset)).strip()
    if connection.kind == Connection.Kind.POSTIZ and not caption:
        raise PushRefused(400, "Write the post's text.", "text")
    with transaction.atomic():
        made = Usage.objects.bulk_create([
            Usage(asset=asset, version=version, system=connection.kind, connection=connection, channel=channel,
                  channel_name=name, preset=chosen.name, text=caption, by=actor, state=Usage.State.QUEUED)
            for channel, name in (names.items() if names else [("", "")])])
        ids = [u.pk for u in made] if all(u.pk for u in made) else \
            list(Usage.objects.filter(asset=asset, connection=connection, state=Usage.State.QUEUED, by=actor)
                 .order_by("-pk").values_list("pk", flat=True)[:len(made)])[::-1]
        audit.record("distribution.asset.pushed", actor=actor, target=asset, connection=connection.name,
                     version=version.number, preset=chosen.name, usage=ids[0],
                     channels=list(names) if names else None)
        from distribution.connections import push

        transaction.on_commit(partial(push.queue, ids))
    return list(Usage.objects.filter(pk__in=ids).order_by("pk"))
