"""The weekly analytics digest: subscribing, unsubscribing, and sending the ones due (a django-q2 schedule).

Each digest is made as its owner, through the same `report()` as the page, so it never tells them
more than the page would; an owner who no longer may see analytics gets nothing.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from accounts.permissions import Cap
from analytics import exports
from analytics.forms import ReportQueryForm
from analytics.models import DigestSubscription
from analytics.models.digest import DIGEST_EVERY
from analytics.presentation import present
from analytics.selectors import PANELS, report

logger = logging.getLogger(__name__)

# The e-mail shows this many rows of each table; the attached CSV has them all.
MAIL_ROWS = 20


@transaction.atomic
def digest_subscribe(*, actor: User, panels: list[str], query: dict[str, str]) -> DigestSubscription:
    """Subscribe the actor to a weekly e-mail of these panels under these filters; the first goes out
    within the hour (the schedule's next run), the next ones a week apart."""
    authority.require(actor, Cap.VIEW_ANALYTICS)
    chosen = list(dict.fromkeys(panels))
    unknown = [name for name in chosen if name not in PANELS]
    if unknown:
        raise ValidationError({"panels": f"There is no report table called “{unknown[0]}”."})
    if not chosen:
        raise ValidationError({"panels": "Choose at least one table for the digest."})
    form = ReportQueryForm(data=query, user=actor)
    if not form.is_valid():
        raise ValidationError({"query": "The filters of this report are not valid: "
                                        + " ".join(str(message) for errors in form.errors.values()
                                                   for message in errors)})
    kept = {name: str(query[name]) for name in form.fields if query.get(name) not in (None, "")}
    subscription = DigestSubscription.objects.create(
        owner=actor, panels=chosen, query=kept, token=secrets.token_urlsafe(32), next_due_at=timezone.now())
    audit.record("analytics.digest.subscribed", actor=actor, target=subscription, panels=chosen, query=kept)
    return subscription


@transaction.atomic
def digest_unsubscribe(*, subscription: DigestSubscription, actor: User | None) -> None:
    """End a digest. `actor` is None when the e-mail's unsubscribe link (its token) is the credential."""
    if actor is not None and actor.pk != subscription.owner_id:
        authority.require(actor, Cap.ADMINISTER)
    audit.record("analytics.digest.unsubscribed", actor=actor, target=subscription,
                 owner=subscription.owner.display_name, panels=subscription.panels)
    subscription.delete()


def digests_send_due(*, now: dt.datetime | None = None) -> int:
    """Send every digest whose week has come; returns how many e-mails went out. Safe to run twice: each
    digest is claimed by moving its due date on, in the transaction that sends it (a failed send rolls the
    claim back, and the next run tries again)."""
    now = now or timezone.now()
    sent = 0
    for subscription in DigestSubscription.objects.filter(next_due_at__lte=now).select_related("owner"):
        with transaction.atomic():
            following = subscription.next_due_at + DIGEST_EVERY
            if following <= now:  # the worker was down for a week or more: a week from now, not a burst
                following = now + DIGEST_EVERY
            claimed = DigestSubscription.objects.filter(
                pk=subscription.pk, next_due_at=subscription.next_due_at).update(next_due_at=following,
                                                                                last_sent_at=now)
            owner = subscription.owner
            if not claimed or not owner.is_active or not owner.email or not authority.can(owner,
                                                                                         Cap.VIEW_ANALYTICS):
                continue
            digest_message(subscription, now=now).send()
            sent += 1
    return sent


def digest_message(subscription: DigestSubscription, *, now: dt.datetime) -> EmailMultiAlternatives:
    """The e-mail: the tables (HTML and text), each panel's whole table as an attached CSV."""
    owner = subscription.owner
    form = ReportQueryForm(data=subscription.query, user=owner)
    context: dict[str, Any] = {
        "subscription": subscription, "owner": owner, "now": now, "mail_rows": MAIL_ROWS,
        "page_url": f"{settings.DAM_BASE_URL}{reverse('analytics:page')}?{urlencode(subscription.query)}",
        "unsubscribe_url": f"{settings.DAM_BASE_URL}{subscription.get_unsubscribe_url()}",
        "problems": [], "sections": [],
    }
    attachments: list[tuple[str, str, str]] = []
    if form.is_valid():
        query = form.report_query()
        names = [name for name in subscription.panels if name in PANELS]
        data = report(owner, query, names=names)
        context["query"] = query
        context["sections"] = [present(PANELS[name], data.get(name, []), limit=MAIL_ROWS) for name in names]
        attachments = [(exports.filename(name, query.start, query.end, "csv"),
                        exports.csv_text(PANELS[name].columns, data.get(name, [])), "text/csv")
                       for name in names]
    else:
        # A collection or term of the report was deleted, or the owner may no longer see it: say so.
        context["problems"] = [str(message) for errors in form.errors.values() for message in errors]
    message = EmailMultiAlternatives(
        subject="[DAM] Your weekly analytics digest",
        body=render_to_string("analytics/digest_mail.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"})
    message.attach_alternative(render_to_string("analytics/digest_mail.html", context), "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message
