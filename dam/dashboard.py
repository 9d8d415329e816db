"""The dashboard: what waits for each person, gathered from every app's selectors.

It lives in `dam`, above the apps, because its lines come from apps at every
layer (reviews from workflows, rights from archive, proposals from taxonomy);
the assets app below them could not ask. Each line shows only to those whom
it concerns, and only when there is something to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Min
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from accounts import permissions as authority
from archive.models import RightsNotice
from archive.rights import selectors as rights_selectors
from assets import selectors as asset_selectors
from dam.http import AuthedHttpRequest
from taxonomy import selectors as taxonomy_selectors
from taxonomy.models import TermProposal, Vocabulary
from workflows import selectors as review_selectors

RIGHTS_PERIOD = 30  # days: "this month", as the rights report counts it


@dataclass
class Todo:
    """One line of "waiting for you": a count, what it counts, where to act, and a detail."""

    key: str
    count: int
    text: str
    url: str
    note: str = ""


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def todos_for(user: Any) -> list[Todo]:
    """The lines of work waiting for this user, most urgent first; empty lines are left out."""
    todos: list[Todo] = []
    waiting = review_selectors.reviews_waiting_for(user)
    count = waiting.count()
    if count:
        oldest = waiting.aggregate(oldest=Min("step_opened_at"))["oldest"]
        todos.append(Todo("reviews", count, "waiting for your sign-off", reverse("workflows:mine"),
                          f"oldest {timesince(oldest, depth=1)}".replace("\xa0", " ") if oldest else ""))
    count = review_selectors.changes_requested_for(user).count()
    if count:
        todos.append(Todo("changes", count, _plural(count, "of your drafts has changes requested",
                                                    "of your drafts have changes requested"),
                          reverse("workflows:changes")))
    if authority.can(user, "create", Vocabulary):
        count = taxonomy_selectors.proposals_visible_to(user, TermProposal.Status.PENDING).count()
        if count:
            todos.append(Todo("proposals", count, _plural(count, "term proposal", "term proposals"),
                              reverse("schema:proposals"), "waiting for a decision"))
    if authority.can(user, "view", RightsNotice):
        expiring = rights_selectors.expiring(user, RIGHTS_PERIOD)
        count = expiring.count()
        if count:
            expired = expiring.filter(rights_expire_at__lte=timezone.now()).count()
            todos.append(Todo("rights", count, _plural(count, "asset's rights expire within 30 days",
                                                       "assets' rights expire within 30 days"),
                              f"{reverse('rights:expiring')}?days={RIGHTS_PERIOD}",
                              f"{expired} already expired" if expired else ""))
    return todos


def notification_summary(user: Any) -> dict[str, Any]:
    """Unread notifications in groups ("3 waiting for your review"), for the dashboard's news line."""
    unread = review_selectors.notifications_for(user).filter(read_at__isnull=True)
    groups = review_selectors.notification_groups(unread[:200])
    return {"unread": unread.count(), "groups": [(label, len(items)) for label, items in groups],
            "recent": unread.filter(created_at__gte=timezone.now() - timedelta(days=14))[:5]}


@login_required
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    recent = asset_selectors.with_shown_versions(user, asset_selectors.live_cards_visible_to(user)[:12])
    return render(request, "assets/dashboard.html", {
        "title": "Dashboard", "recent": recent, "counts": asset_selectors.dashboard_counts(user),
        "storage_sweep": asset_selectors.latest_storage_sweep(user),
        "todos": todos_for(user), "news": notification_summary(user),
    })
