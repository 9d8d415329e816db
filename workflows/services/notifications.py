"""In-app notifications, the immediate email for each, and the daily digest."""
from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts.models import User
from workflows.models import Notification, NotificationPreference


def notify(recipients: Iterable[User], *, verb: str, message: str, url: str = "") -> list[Notification]:
    """Write one notification per recipient and queue the immediate emails after commit.

    Called inside the deciding service's transaction, so a rolled-back decision
    leaves neither a notification nor an email behind.
    """
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return []
    made = Notification.objects.bulk_create(
        Notification(recipient_id=pk, verb=verb, message=message[:300], url=url) for pk in people)
    digest_users = set(NotificationPreference.objects.filter(
        user_id__in=people).exclude(email=NotificationPreference.Email.IMMEDIATE).values_list("user_id", flat=True))
    ids = [n.pk for n in made if n.recipient_id not in digest_users and people[n.recipient_id].email]
    if ids:
        transaction.on_commit(lambda: async_task("workflows.tasks.notification_email_task", ids,
                                                 task_name="notification-email", group="notifications"))
    return made


def notifications_send_email(*, notification_ids: list[int]) -> int:
    """Email each notification that has not been emailed yet; safe to run twice. Returns how many were sent."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True) \
            .select_related("recipient"):
        # Claim the row first: a retried job must not email the same news twice.
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()):
            continue
        send_mail(f"[DAM] {notification.message}", _email_body([notification]), settings.DEFAULT_FROM_EMAIL,
                  [notification.recipient.email])
        sent += 1
    return sent


def notifications_send_digest() -> int:
    """One email per digest user with everything not yet emailed; returns how many emails went out."""
    emails = 0
    for pref in NotificationPreference.objects.filter(email=NotificationPreference.Email.DIGEST) \
            .select_related("user"):
        user = pref.user
        with transaction.atomic():
            pending = list(Notification.objects.select_for_update().filter(
                recipient=user, emailed_at__isnull=True).order_by("created_at"))
            if not pending or not user.email or not user.is_active:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
            send_mail(f"[DAM] {len(pending)} update(s) on reviews", _email_body(pending),
                      settings.DEFAULT_FROM_EMAIL, [user.email])
        emails += 1
    return emails


def _email_body(items: list[Notification]) -> str:
    lines = [f"- {n.created_at:%Y-%m-%d %H:%M} {n.message}" + (f"\n  {n.url}" if n.url else "") for n in items]
    return "\n".join([*lines, "", "Change how you get these on the Notifications page of the DAM."])


@transaction.atomic
def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when `ids` is None)."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, actor: User, email: str) -> NotificationPreference:
    """Choose immediate emails, a daily digest, or in-app only."""
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    choice = NotificationPreference.Email(email)
    if pref.email != choice:
        pref.email = choice
        pref.save(update_fields=["email"])
        audit.record("workflows.notifications.preference_set", actor=actor, target=actor, email=choice.value)
    return pref
