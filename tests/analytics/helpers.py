"""Data for the report tests: events written straight to their tables, at the times the test chooses."""
from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from assets.models import Asset
from distribution.models import DownloadEvent, Integration, ShareLink

NOW = timezone.now


def download(asset: Asset, when: dt.datetime, channel: str = DownloadEvent.Channel.WEB, *,
             integration: Integration | None = None, share_link: ShareLink | None = None) -> DownloadEvent:
    event = DownloadEvent.objects.create(asset=asset, version_id=asset.current_version_id, rendition="original",
                                         channel=channel, integration=integration, share_link=share_link)
    DownloadEvent.objects.filter(pk=event.pk).update(created_at=when)  # auto_now_add: moved by the test
    return event


def integration(name: str = "Website CMS") -> Integration:
    return Integration.objects.create(name=name, prefix=secrets.token_hex(4), key_hash=secrets.token_hex(32))


def share_link(asset: Asset, by, title: str = "For the agency") -> ShareLink:
    link = ShareLink.objects.create(token=secrets.token_urlsafe(16), title=title, created_by=by)
    link.assets.add(asset)
    return link
