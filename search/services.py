"""Actions on saved searches. Each takes a keyword-only actor, runs in a transaction and is audited."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from search.models import SavedSearch, SavedSearchVisit
from search.selectors import search_as

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
