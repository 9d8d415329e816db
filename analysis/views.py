"""Content analysis's screens: the decisions on an asset's suggested terms (small POSTs from the asset page and the
queue), the librarian's queue, the settings page, and the player's stream of a recording. Views parse input, call
one service or selector, and render or redirect with a sentence."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from analysis import playback, selectors
from analysis.forms import MapForm, QueueFilterForm
from analysis.models import AnalysisRun, TermSuggestion
from analysis.selectors import analysers_overview as overview
from analysis.services import runs, suggestions
from assets.models import Asset
from assets.selectors import access_asset, version_shown_to, with_shown_versions
from dam.http import AuthedHttpRequest
from taxonomy import selectors as taxonomy_selectors
from taxonomy.models import Vocabulary

QUEUE_PAGE = 30
# Assets shown under one term of the queue; "accept for all" covers every waiting one, not just these.
TERM_ASSETS = 48


def _back(request: AuthedHttpRequest, asset: Asset) -> HttpResponse:
    """Where the decision was taken: the queue page that posted it, else the asset page's panel."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(f"{asset.get_absolute_url()}#content-analysis")


def _suggestion(request: AuthedHttpRequest, uid: str, pk: int) -> tuple[Asset, TermSuggestion]:
    asset = access_asset(request.user, uid)
    return asset, selectors.suggestion_for(request.user, asset, pk, "decide")


def _decision(act: Callable[[AuthedHttpRequest, TermSuggestion], str]) -> Callable[..., HttpResponse]:
    """A small POST view: fetch and check the suggestion, take the decision, say what happened, go back."""
    @login_required
    @require_POST
    def view(request: AuthedHttpRequest, uid: str, pk: int) -> HttpResponse:
        asset, suggestion = _suggestion(request, uid, pk)
        try:
            messages.success(request, act(request, suggestion))
        except ValueError as exc:
            messages.error(request, str(exc))
        return _back(request, asset)
    view.__doc__ = act.__doc__
    view.__name__ = act.__name__
    return view


@_decision
def suggestion_accept(request: AuthedHttpRequest, suggestion: TermSuggestion) -> str:
    """Accept (or confirm an automatic) suggested term: it stays on the asset as a person's term."""
    done = suggestions.suggestion_accept(suggestion=suggestion, actor=request.user)
    return f"“{done.term.label}” is now a term of “{done.asset.title}”."


@_decision
def suggestion_reject(request: AuthedHttpRequest, suggestion: TermSuggestion) -> str:
    """Reject a suggested term: an automatic term goes, and it is not suggested for this asset again."""
    done = suggestions.suggestion_reject(suggestion=suggestion, actor=request.user)
    return f"“{done.term.label}” was rejected for “{done.asset.title}” and will not be suggested for it again."


@_decision
def suggestion_accept_all(request: AuthedHttpRequest, suggestion: TermSuggestion) -> str:
    """Accept the suggested term on every asset waiting for it that this person may decide on."""
    count = suggestions.suggestion_accept_everywhere(suggestion=suggestion, actor=request.user)
    return f"“{suggestion.term.label}” was accepted on {count} asset{'s' if count != 1 else ''}."


@_decision
def suggestion_map(request: AuthedHttpRequest, suggestion: TermSuggestion) -> str:
    """Map the raw label to another term: that term goes on the asset, and later analyses use it."""
    form = MapForm(request.POST)
    if not form.is_valid():
        raise ValueError(" ".join(str(error) for error in form.errors["term"]))
    term = form.cleaned_data["term"]
    if not authority.can(request.user, "view", term):
        raise ValueError("Choose an active term from the list.")
    suggestions.suggestion_map(suggestion=suggestion, term=term, actor=request.user)
    return (f"“{term.label}” is now a term of “{suggestion.asset.title}”; “{suggestion.raw_label}” will be "
            f"suggested as “{term.label}” from now on.")


@login_required
@require_POST
def analyse(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    """"Analyse again": every analyser reads the version this person sees once more."""
    asset = access_asset(request.user, uid, "edit")
    version = version_shown_to(request.user, asset)
    if version is None:
        raise Http404("This asset has no version to analyse.")
    queued = runs.analysis_request(version=version, actor=request.user)
    if queued:
        messages.success(request, f"Version {version.number} will be analysed again in the background "
                                  f"({len(queued)} analyser{'s' if len(queued) != 1 else ''}); "
                                  "reload the page in a minute to see what they found.")
    else:
        messages.info(request, "No analyser runs on this kind of file here, so nothing was started.")
    return redirect(f"{asset.get_absolute_url()}#content-analysis")


def _require_curator(user: Any) -> None:
    if not (authority.can(user, Cap.MANAGE_VOCABULARY) or authority.can(user, Cap.EDIT_METADATA)):
        raise PermissionDenied("The suggestions queue is for librarians and editors.")


def _titles() -> dict[str, str]:
    return {a.slug: a.title for a in overview()}


@login_required
def queue(request: AuthedHttpRequest) -> HttpResponse:
    """The librarian's queue: one row per suggested term, the most asked-for first."""
    _require_curator(request.user)
    form = QueueFilterForm(request.GET or None, vocabularies=taxonomy_selectors.vocabularies_visible_to(request.user),
                           titles=_titles())
    values = form.values()
    page = Paginator(selectors.queue(request.user, **values), QUEUE_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(request, "analysis/queue.html", {
        "title": "Suggested terms", "form": form, "page_obj": page, "paginator": page.paginator,
        "is_paginated": page.has_other_pages(), "querystring": filters.urlencode(), "status": values["status"],
        "status_label": TermSuggestion.Status(values["status"]).label, "filters": filters.urlencode(),
    })


@login_required
def term_queue(request: AuthedHttpRequest, term_id: int) -> HttpResponse:
    """One suggested term of the queue: the assets waiting for it, to decide one by one or all at once."""
    _require_curator(request.user)
    term = authority.access(request.user, taxonomy_selectors.terms_visible_to(request.user).select_related(
        "vocabulary"), pk=term_id)
    status = request.GET.get("status", TermSuggestion.Status.PENDING)
    if status not in TermSuggestion.Status.values:
        status = TermSuggestion.Status.PENDING
    rows = selectors.waiting_for_term(request.user, term.pk, status=status, limit=TERM_ASSETS)
    with_shown_versions(request.user, [row.asset for row in rows])
    decidable = [row for row in rows if authority.can(request.user, "decide", row)]
    return render(request, "analysis/term.html", {
        "title": f"Suggested: {term.label}", "term": term, "rows": rows, "status": status,
        "showing_applied": status == TermSuggestion.Status.APPLIED,
        "status_label": TermSuggestion.Status(status).label, "decidable": {row.pk for row in decidable},
        "first": decidable[0] if decidable else None, "limit": TERM_ASSETS, "titles": _titles(),
        "back": f"{reverse('analysis:queue')}?{request.GET.get('from', '')}",
        "here": request.get_full_path(),
    })


@login_required
def settings_page(request: AuthedHttpRequest) -> HttpResponse:
    """Admins: each analyser, whether it runs here and why not, its model and how its runs went; the thresholds."""
    authority.require(request.user, Cap.ADMINISTER)
    analysers = overview()
    return render(request, "analysis/settings.html", {
        "title": "Content analysis", "analysers": analysers, "on": any(a.on for a in analysers),
        "statuses": [(value, label) for value, label in AnalysisRun.Status.choices],
        "vocabularies": Vocabulary.objects.order_by("title"),
    })


@login_required
def media(request: AuthedHttpRequest, uid: str) -> HttpResponseBase:
    """The recording the asset page's player plays (with seeking), for those who may download it."""
    asset = access_asset(request.user, uid, "download")
    version = version_shown_to(request.user, asset)
    if version is None or version.mime_type.split("/")[0] not in ("audio", "video"):
        raise Http404("This asset has no recording to play.")
    return playback.stream(request, version)
