"""Screens for search: the facets, chips and explanation around the asset list, advanced search, saved searches."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from accounts import permissions as authority
from accounts.permissions import Cap
from assets import colors, metadata_csv
from assets import selectors as asset_selectors
from assets.models import Asset
from dam.http import AuthedHttpRequest
from dam.pagination import CountedPaginator
from search import nearest
from search import selectors as search_selectors
from search import services as search_services
from search.filters import AssetFilter
from search.models import SearchEvent
from taxonomy.pickers import TermsWidget

# The session remembers the last recorded search, so its next pages, a new sort or a reload are not
# recorded again, and their result links still point at it.
LAST_SEARCH_KEY = "search.last_recorded"
# Filters whose value is shown as the chosen choice's label.
CHOICE_CHIPS = ("type", "status", "rights", "orientation", "uploaded", "color_family")
TEXT_CHIPS = {"make": "Camera make", "camera_model": "Camera model", "file_type": "File type",
              "uploaded_after": "Uploaded from", "uploaded_before": "Uploaded until",
              "captured_after": "Captured from", "captured_before": "Captured until"}


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=200)
    query = forms.CharField(widget=forms.HiddenInput, required=False)
    shared_with = forms.ModelChoiceField(queryset=Group.objects.none(), required=False, empty_label="Only me",
                                         label="Share with")
    notify = forms.BooleanField(required=False, label="E-mail me when new assets match")

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        groups = Group.objects.all() if authority.is_admin(user) else user.groups.all()
        self.fields["shared_with"].queryset = groups.order_by("name")  # type: ignore[attr-defined]


def _url(params: QueryDict) -> str:
    return f"{reverse('search:list')}?{params.urlencode()}"


def _base_params(request: AuthedHttpRequest) -> QueryDict:
    params = request.GET.copy()
    params.pop("page", None)
    return params


def _link_facets(facets: dict[str, Any], params: QueryDict) -> None:
    """Give every facet value the URL that narrows to it, or removes it when it is already chosen.

    A page has ~130 of them: each is written from plain lists, where copying the QueryDict (a deep
    copy) and reversing the URL for each took ~5 ms of the page (measured at 128 links).
    """
    base = reverse("search:list")
    current = dict(params.lists())

    def link(value: dict[str, Any], param: str) -> None:
        wanted = value.get("params") or {param: str(value["value"])}
        new = dict(current)
        if param == "term":
            terms = current.get("term", [])
            chosen = str(value["value"]) in terms
            others = [t for t in terms if t != str(value["value"])]
            new["term"] = others if chosen else [*others, str(value["value"])]
        else:
            chosen = all(params.get(k) == v for k, v in wanted.items())
            for key, v in wanted.items():
                if chosen:
                    new.pop(key, None)
                else:
                    new[key] = [v]
        value["active"] = chosen
        value["href"] = f"{base}?{urlencode([(key, v) for key, values in new.items() for v in values])}"

    for facet in facets.values():
        for value in facet.get("values", []):
            link(value, facet["param"])
        for group in facet.get("vocabularies", []):
            for value in group["values"]:
                link(value, "term")


def _chips(filterset: AssetFilter, params: QueryDict) -> list[dict[str, str]]:
    """The active filters, each with the URL that removes it."""
    data = filterset.form.cleaned_data
    chips = []

    def without(key: str, value: str | None = None) -> str:
        new = params.copy()
        if value is None:
            new.pop(key, None)
        else:
            new.setlist(key, [v for v in params.getlist(key) if v != value])
        return _url(new)

    if data.get("q"):
        chips.append({"label": f"“{data['q']}”", "href": without("q")})
    for name in CHOICE_CHIPS:
        if data.get(name):
            field = filterset.form.fields[name]
            choices = dict(getattr(field, "choices", []))
            chips.append({"label": f"{field.label}: {choices.get(data[name], data[name])}", "href": without(name)})
    if data.get("collection"):
        chips.append({"label": f"In {data['collection'].name}", "href": without("collection")})
    for term in data.get("term") or []:
        chips.append({"label": f"Term: {term.label}", "href": without("term", str(term.pk))})
    for name, label in TEXT_CHIPS.items():
        if data.get(name):
            chips.append({"label": f"{label}: {data[name]}", "href": without(name)})
    if data.get("color"):
        rgb = colors.parse_hex(data["color"])
        swatch = "#{:02x}{:02x}{:02x}".format(*rgb) if rgb else ""
        chips.append({"label": f"Close to {swatch or data['color']}", "href": without("color"), "swatch": swatch})
    return chips


def search_context(request: AuthedHttpRequest, filterset: AssetFilter) -> dict[str, Any]:
    """What the list page shows around the results: explanation, suggestions, chips, facets, save form."""
    params = _base_params(request)
    facets: dict[str, Any] = {}
    chips: list[dict[str, str]] = []
    suggestions = []
    suggest_colour: dict[str, Any] | None = None
    if filterset.is_valid():
        facets = search_selectors.facets_for(filterset, request.user)
        chips = _chips(filterset, params)
        relaxed = nearest.without_colour(filterset, request.user) if not filterset.matched_count else None
        if relaxed is not None:  # nothing in that colour: the facets of the rest of the search, and a way on
            params, facets = relaxed
            lab = nearest.asked_lab(filterset.form.cleaned_data)
            suggest_colour = nearest.nearest_family(lab, facets.get("color_family")) if lab else None
        _link_facets(facets, params)  # also gives suggest_colour (a value of the colour facet) its link
        for s in filterset.parsed.suggestions:
            words = filterset.form.cleaned_data.get("q", "")
            new = params.copy()
            new["q"] = " ".join(s["suggestion"] if w.casefold() == s["word"] else w for w in words.split())
            suggestions.append({**s, "href": _url(new)})
    query = search_services.clean_query(params.urlencode())
    return {
        "parsed": filterset.parsed, "suggestions": suggestions, "facets": facets, "chips": chips,
        "suggest_colour": suggest_colour,
        "has_facets": any(f.get("values") or f.get("vocabularies") for f in facets.values()),
        "reset_href": reverse("search:list"),
        "save_form": SavedSearchForm(user=request.user, initial={"query": query}) if query else None,
    }


@login_required
def advanced_search(request: AuthedHttpRequest) -> HttpResponse:
    """A form over every filter of the list; it submits to the list itself, so the URL holds the search."""
    filterset = AssetFilter(request.GET or None, queryset=asset_selectors.assets_visible_to(request.user).none(),
                            collections=asset_selectors.collections_visible_to(request.user).order_by("path"),
                            request=request)
    chosen = [t for t in request.GET.getlist("term") if t.isdigit()]
    return render(request, "search/search.html", {
        "title": "Advanced search", "form": filterset.form, "swatches": colors.FAMILY_SWATCH,
        # Terms are typed and picked (the taxonomy's picker), never listed: a vocabulary may hold thousands.
        "term_picker": TermsWidget().render("term", chosen, {"id": "id_terms"}),
        "may_see_unapproved": filterset.may_see_unapproved,
    })


@login_required
def saved_search_list(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, "search/search_saved.html", {
        "title": "Saved searches", "searches": search_selectors.saved_searches_for(request.user),
    })


@login_required
@require_POST
def saved_search_create(request: AuthedHttpRequest) -> HttpResponse:
    form = SavedSearchForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            saved = search_services.saved_search_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Saved the search “{saved.name}”.")
            return redirect("search:saved_searches")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('search:list')}?{form.data.get('query', '')}")


@login_required
def saved_search_open(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    saved = search_selectors.access_saved_search(request.user, pk)
    search_services.saved_search_visit(saved=saved, actor=request.user)
    return redirect(f"{reverse('search:list')}?{saved.query}")


@login_required
@require_POST
def saved_search_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    saved = search_selectors.access_saved_search(request.user, pk, "delete")
    search_services.saved_search_delete(saved=saved, actor=request.user)
    messages.success(request, f"Deleted the saved search “{saved.name}”.")
    return redirect("search:saved_searches")


# --- the asset list: search results ---------------------------------------------------------

class AssetListView(LoginRequiredMixin, FilterView):
    filterset_class = AssetFilter
    template_name = "search/asset_list.html"
    paginate_by = 48
    context_object_name = "assets"

    def get_queryset(self) -> Any:
        return asset_selectors.live_cards_visible_to(self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["collections"] = asset_selectors.collections_visible_to(self.request.user)
        kwargs["index_scope"] = asset_selectors.LIVE  # get_queryset is the live list
        return kwargs

    def get_paginator(self, queryset: Any, per_page: int, orphans: int = 0, allow_empty_first_page: bool = True,
                      **kwargs: Any) -> CountedPaginator:
        search = self.filterset if self.filterset.is_valid() else None  # invalid: FilterView lists nothing
        return CountedPaginator(queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page,
                                count=self.filterset.matched_count, ids=search.result_ids() if search else None,
                                rows=search.queryset if search else None, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        search = search_context(self.request, self.filterset)  # facets first: they count the results
        context = super().get_context_data(**kwargs)
        asset_selectors.with_shown_versions(self.request.user, context["assets"])
        query = self.request.GET.copy()
        query.pop("page", None)
        view = self.request.GET.get("view", "grid")
        context.update(title="Assets", view=view if view in ("grid", "table") else "grid",
                       querystring=query.urlencode(), can_upload=authority.can(self.request.user, Cap.UPLOAD),
                       # Editors on what they may edit, contributors on their own drafts: the bulk editor, CSV
                       # import and "Submit selected for review" (each asset is asked again when acted on).
                       can_bulk=authority.can(self.request.user, "bulk_edit", Asset),
                       can_share=authority.can(self.request.user, Cap.SHARE))
        context.update(search)
        self.record_search(context["paginator"].count, context["assets"])
        return context

    def record_search(self, result_count: int, assets: Any) -> None:
        """Record the search (once: not again for its next pages, a new sort or a reload), and make the result
        links go through search:result, so opening one marks the search opened."""
        if not self.filterset.is_valid():
            return
        params, session = self.request.GET, self.request.session
        signature = list(search_services.search_signature(params, self.filterset.filters))
        last = session.get(LAST_SEARCH_KEY) or {}
        event_id = last.get("event") if last.get("signature") == signature else None
        if event_id is None:
            event = search_services.search_record(params=params, filter_names=self.filterset.filters,
                                                  result_count=result_count, source=SearchEvent.Source.PAGE,
                                                  user=self.request.user)
            if event is None:
                return
            event_id = event.pk
            session[LAST_SEARCH_KEY] = {"signature": signature, "event": event_id}
        for asset in assets:
            asset.result_url = reverse("search:result", args=[event_id, asset.uid])


@login_required
def search_result(request: AuthedHttpRequest, event: int, uid: Any) -> HttpResponse:
    """A result link of a recorded search: mark the search opened, then go to the asset (whose page checks access)."""
    search_services.search_opened(event_id=event)
    return redirect("assets:detail", uid=uid)


@login_required
def metadata_export(request: AuthedHttpRequest) -> HttpResponse:
    """The assets the list shows (same filters), as CSV to edit in a spreadsheet."""
    filterset = AssetFilter(request.GET, queryset=asset_selectors.assets_visible_to(request.user),
                            collections=asset_selectors.collections_visible_to(request.user))
    assets = filterset.qs if filterset.is_valid() else asset_selectors.assets_visible_to(request.user)
    response = HttpResponse(metadata_csv.export(asset_selectors.with_terms(assets)[:5000]),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="asset-metadata.csv"'
    return response
