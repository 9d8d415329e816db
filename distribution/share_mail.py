"""Sending a share link to its recipient by e-mail (a background job, after the link commits)."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from distribution.models import ShareLink

logger = logging.getLogger(__name__)


def share_link_mail_task(link_id: int, message: str = "") -> bool:
    """E-mail one recipient their own link; safe to run twice (they get it twice, nothing else changes)."""
    link = ShareLink.objects.select_related("created_by").filter(pk=link_id, revoked_at__isnull=True).first()
    if link is None or not link.recipient:
        return False
    sender = link.created_by.display_name if link.created_by else "Someone"
    context = {"link": link, "url": f"{settings.DAM_BASE_URL}{link.get_absolute_url()}", "sender": sender,
               "message": message, "count": link.assets.count()}
    send_mail(subject=f"{sender} shared {link.title or 'files'} with you",
              message=render_to_string("distribution/share_mail.txt", context),
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[link.recipient])
    return True
