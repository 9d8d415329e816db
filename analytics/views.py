"""The analytics page (/analytics/), its exports, and the weekly digests people subscribe to there.

Who may: holders of Cap.VIEW_ANALYTICS (admins, librarians, brand managers); everyone else gets 403.
What they see is what `analytics.selectors.report` lets them see; the page asks it once.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from analytics import digest, exports
from analytics.forms import ReportQueryForm
from analytics.models import DigestSubscription
from analytics.presentation import present
from analytics.selectors import PANELS, ReportQuery, report
from dam.http import AuthedHttpRequest

# The page's sections, each with its panels in order; a panel of PANELS in none of them is shown under "More".
SECTIONS = [
    ("downloads", "Downloads & deliveries", ["downloads_by_day", "top_assets", "top_collections"]),
    ("never", "Never downloaded", ["never_downloaded"]),
    ("searches", "Searches", ["top_searches", "no_result_searches", "unopened_searches"]),
    ("approvals", "Approvals", ["approval_times", "waiting_reviews", "review_outcomes"]),
    ("health", "Library health", ["assets_by_type_state", "storage", "missing_required", "rights_expiring",
                                  "fixity_problems"]),
    ("vocabulary", "Vocabulary", ["top_terms", "least_used_terms", "unused_terms", "waiting_proposals"]),
]
DEFAULT_PERIOD = "30d"
# Rows shown per table on the page; the exports carry every row.
PAGE_ROWS = 50


def _query_data(request: AuthedHttpRequest) -> QueryDict:
    """The filter bar's values: the request's, or the last 30 days when it names no period."""
    data = request.GET.copy()
    if not data.get("period") and not data.get("from") and not data.get("to"):
        data["period"] = DEFAULT_PERIOD
    return data


def _filter_values(form: ReportQueryForm) -> dict[str, str]:
    values = {name: str(form.data[name]) for name in form.fields if form.data.get(name) not in (None, "")}
    # The term picker sends a typed label when the script did not choose one; exports and digests carry its id.
    term = form.cleaned_data.get("term")
    if term is not None:
        values["term"] = str(term.pk)
    return values


@login_required
def analytics_page(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.VIEW_ANALYTICS)
    form = ReportQueryForm(data=_query_data(request), user=request.user)
    context: dict[str, Any] = {"title": "Analytics", "form": form, "sections": [],
                               "digests": DigestSubscription.objects.filter(owner=request.user),
                               "panel_titles": [(name, panel.title) for name, panel in PANELS.items()]}
    if not form.is_valid():
        return render(request, "analytics/page.html", context, status=400)
    query = form.report_query()
    data = report(request.user, query)
    days = _days(query)
    shown = {name: present(PANELS[name], data.get(name, []), limit=PAGE_ROWS, days=days)
             for name in PANELS if name in data}
    placed = {name for _, _, names in SECTIONS for name in names}
    sections = [*SECTIONS, ("more", "More", [name for name in shown if name not in placed])]
    filter_values = _filter_values(form)
    context.update(query=query, filter_values=filter_values, can_archive=authority.can(request.user, Cap.ARCHIVE),
                   filter_string=_encode(filter_values),
                   sections=[{"slug": slug, "title": title, "panels": [shown[n] for n in names if n in shown]}
                             for slug, title, names in sections if any(n in shown for n in names)])
    return render(request, "analytics/page.html", context)


@login_required
def export(request: AuthedHttpRequest, panel: str, extension: str) -> HttpResponse:
    """One panel, every row, as CSV or XLSX, under the page's filters."""
    authority.require(request.user, Cap.VIEW_ANALYTICS)
    if panel not in PANELS:
        raise Http404("There is no such report table.")
    form = ReportQueryForm(data=_query_data(request), user=request.user)
    if not form.is_valid():
        return render(request, "analytics/page.html", {
            "title": "Analytics", "form": form, "sections": [], "digests": [], "panel_titles": []}, status=400)
    query = form.report_query()
    chosen = PANELS[panel]
    rows = report(request.user, query, names=[panel]).get(panel, [])
    name = exports.filename(panel, query.start, query.end, extension)
    if extension == "csv":
        response = HttpResponse(exports.csv_text(chosen.columns, rows), content_type=exports.CSV_TYPE)
    else:
        response = HttpResponse(exports.xlsx_bytes([(chosen.title, chosen.columns, rows)]),
                                content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def digest_subscribe(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.VIEW_ANALYTICS)
    query = {name: request.POST[name] for name in ReportQueryForm(user=request.user).fields if request.POST.get(name)}
    try:
        digest.digest_subscribe(actor=request.user, panels=request.POST.getlist("panels"), query=query)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "You will get this report by e-mail every week; the first one within the hour.")
    return redirect(f"{reverse('analytics:page')}?{_encode(query)}#digests")


def digest_unsubscribe(request: AuthedHttpRequest, token: str) -> HttpResponse:
    """The e-mail's unsubscribe link: its token is the credential (it works signed out); a button confirms,
    so a mail scanner that follows links ends nothing."""
    subscription = get_object_or_404(DigestSubscription.objects.select_related("owner"), token=token)
    if request.method == "POST":
        digest.digest_unsubscribe(subscription=subscription,
                                  actor=request.user if request.user.is_authenticated else None)
        if request.user.is_authenticated:
            messages.success(request, "You will get no more of that digest.")
            return redirect(f"{reverse('analytics:page')}#digests")
        return render(request, "analytics/digest_unsubscribed.html", {"title": "Unsubscribed"})
    return render(request, "analytics/digest_unsubscribe.html", {"title": "Unsubscribe", "subscription": subscription,
                                                                 "titles": [PANELS[n].title for n in
                                                                            subscription.panels if n in PANELS]})


def _encode(values: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(values)
    return query.urlencode()


def _days(query: ReportQuery) -> list[str]:
    """The report's days, as the x axis of its charts over time (at most a year and a bit of them)."""
    start = timezone.localtime(query.start).date() if timezone.is_aware(query.start) else query.start.date()
    end = timezone.localtime(query.end).date() if timezone.is_aware(query.end) else query.end.date()
    count = min((end - start).days, 5 * 366)
    return [(start + dt.timedelta(days=n)).isoformat() for n in range(count + 1)]
