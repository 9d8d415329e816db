"""Actions on saved searches. Each takes a keyword-only actor, runs in a transaction and is audited."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.http import QueryDict
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from search import news
from search.models import SavedSearch, SavedSearchVisit, SearchEvent
from search.selectors import search_as
from search.text import tokens

logger = logging.getLogger(__name__)

# Parts of the list URL that are presentation, not the search.
NOT_SEARCH = ("page", "view", "page_size", "facets")


def clean_query(querystring: str) -> str:
    params = QueryDict(querystring.lstrip("?"), mutable=True)
    for key in NOT_SEARCH:
        params.pop(key, None)
    for key in [k for k, values in params.lists() if not any(v.strip() for v in values)]:
        params.pop(key)
    return params.urlencode()


@transaction.atomic
def saved_search_create(*, actor: User, name: str, query: str, shared_with: Group | None = None,
                        notify: bool = False) -> SavedSearch:
    """Save the current search under a name, optionally shared with one of the actor's groups."""
    authority.require(actor, "create", SavedSearch)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the search a name."})
    if SavedSearch.objects.filter(owner=actor, name__iexact=name).exists():
        raise ValidationError({"name": "You already have a saved search with this name."})
    if shared_with is not None and not (authority.is_admin(actor) or actor.groups.filter(pk=shared_with.pk).exists()):
        raise ValidationError({"shared_with": "You can share only with a group you belong to."})
    saved = SavedSearch.objects.create(owner=actor, name=name, query=clean_query(query), shared_with=shared_with,
                                       notify=notify, last_notified_at=timezone.now() if notify else None)
    SavedSearchVisit.objects.create(search=saved, user=actor, seen_at=timezone.now())
    audit.record("assets.saved_search.created", actor=actor, target=saved, query=saved.query,
                 shared_with=shared_with.name if shared_with else None, notify=notify)
    return saved


@transaction.atomic
def saved_search_delete(*, saved: SavedSearch, actor: User) -> None:
    authority.require(actor, "delete", saved)
    audit.record("assets.saved_search.deleted", actor=actor, target=saved, name=saved.name)
    saved.delete()


def saved_search_visit(*, saved: SavedSearch, actor: User) -> None:
    """Mark the search as seen now by the actor, resetting their "new since your last visit" count.

    Not audited: it is a read receipt written on every visit, not a change anyone reviews.
    """
    SavedSearchVisit.objects.update_or_create(search=saved, user=actor, defaults={"seen_at": timezone.now()})


def saved_searches_notify(*, actor: User | None = None, base_url: str = "") -> int:
    """E-mail each owner who asked for it about assets that matched their search since the last notice.

    Runs each search as its owner, so a notice never mentions an asset the owner
    may not see. Returns the number of e-mails sent. Meant for a schedule
    (`manage.py notify_saved_searches` from cron or a django-q schedule).
    """
    sent = 0
    for saved in SavedSearch.objects.filter(notify=True).select_related("owner"):
        now = timezone.now()
        filterset = search_as(saved.owner, saved.query)
        if not filterset.is_valid() or not saved.owner.is_active:
            continue
        filterset.qs  # noqa: B018 -- runs the filters
        assert filterset.matched is not None
        fresh = list(filterset.matched.filter(created_at__gt=saved.last_notified_at or saved.created_at)
                     .order_by("-created_at").values_list("title", flat=True)[:20])
        with transaction.atomic():
            SavedSearch.objects.filter(pk=saved.pk).update(last_notified_at=now)
            if not fresh:
                continue
            if saved.owner.email:
                lines = "\n".join(f"- {title}" for title in fresh)
                send_mail(f"New assets for “{saved.name}”",
                          f"New assets match your saved search “{saved.name}”:\n{lines}\n\n"
                          f"{base_url}{saved.get_absolute_url()}\n",
                          settings.DEFAULT_FROM_EMAIL, [saved.owner.email])
                sent += 1
            audit.record("assets.saved_search.notified", actor=actor, target=saved, new=len(fresh),
                         emailed=bool(saved.owner.email))
    return sent


# --- recorded searches (the search reports of analytics) ------------------------------
# Not audited: a recorded search is itself a log row, and the audit trail is for changes people make.

# Parts of a search that do not change what it finds, so a change of them is not a new search.
NOT_A_FILTER = (*NOT_SEARCH, "q", "ordering")
FIRST_PAGE = ("", "1")


def _used_filters(params: QueryDict, names: Iterable[str]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for name in names:
        if name in NOT_A_FILTER:
            continue
        values = sorted({v.strip() for v in params.getlist(name) if v.strip()})
        if values:
            filters[name] = values if len(values) > 1 else values[0]
    return filters


def search_signature(params: QueryDict, filter_names: Iterable[str]) -> tuple[str, dict[str, Any]]:
    """(normalised words, filters used) of a search: what is recorded, and what tells one search from another."""
    return " ".join(tokens(params.get("q", "")))[:300], _used_filters(params, filter_names)


def search_record(*, params: QueryDict, filter_names: Iterable[str], result_count: int, source: str,
                  user: Any) -> SearchEvent | None:
    """Record a search (words or filters) on its first page; None for browsing, later pages or a failed write.

    A search must never fail because its recording did: a database error is logged and the search goes on.
    """
    if params.get("page", "").strip() not in FIRST_PAGE:
        return None
    query, filters = search_signature(params, filter_names)
    if not query and not filters:
        return None
    keep_user = settings.DAM_ANALYTICS_RECORD_SEARCH_USERS and user is not None and user.is_authenticated
    try:
        with transaction.atomic():  # a savepoint: a failed insert leaves the request's transaction usable
            return SearchEvent.objects.create(
                query=query, filters=filters, result_count=result_count, source=source,
                user=user if keep_user else None, created_at=timezone.now())
    except DatabaseError:
        logger.exception("Could not record a search; the search itself went on.")
        return None


def search_opened(*, event_id: int) -> None:
    """A result of this search was opened: mark it once (the first opening's time stays)."""
    with transaction.atomic():
        if SearchEvent.objects.filter(pk=event_id, opened_at__isnull=True).update(opened_at=timezone.now()):
            news.search_opened.send(sender=SearchEvent, event_id=event_id)


def search_events_purge(*, now: datetime | None = None) -> int:
    """Delete recorded searches older than DAM_SEARCH_EVENTS_KEEP_DAYS; the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DAM_SEARCH_EVENTS_KEEP_DAYS)
    deleted, _ = SearchEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
