"""Screens for assets and collections. Views parse input, call one service, render."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from accounts import permissions as authority
from accounts.permissions import Cap
from assets import downloads, ingest, naming, schema, selectors, services
from assets.files import FileRejected
from assets.filters import AssetFilter
from assets.forms import AssetEditForm, CollectionForm, GrantForm, ProposeTermForm, UploadForm, VersionForm
from assets.models import Asset, AssetVersion, Collection, IngestItem
from assets.search import views as search_views
from dam.http import AuthedHttpRequest
from dam.pagination import CountedPaginator
from taxonomy.models import Vocabulary


@login_required
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    recent = selectors.with_shown_versions(request.user, selectors.live_cards_visible_to(request.user)[:12])
    return render(request, "assets/dashboard.html", {
        "title": "Dashboard", "recent": recent, "counts": selectors.dashboard_counts(request.user),
    })


class AssetListView(LoginRequiredMixin, FilterView):
    filterset_class = AssetFilter
    template_name = "assets/asset_list.html"
    paginate_by = 48
    context_object_name = "assets"

    def get_queryset(self) -> Any:
        return selectors.live_cards_visible_to(self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["collections"] = selectors.collections_visible_to(self.request.user)
        kwargs["index_scope"] = selectors.LIVE  # get_queryset is the live list
        return kwargs

    def get_paginator(self, queryset: Any, per_page: int, orphans: int = 0, allow_empty_first_page: bool = True,
                      **kwargs: Any) -> CountedPaginator:
        search = self.filterset if self.filterset.is_valid() else None  # invalid: FilterView lists nothing
        return CountedPaginator(queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page,
                                count=self.filterset.matched_count, ids=search.result_ids() if search else None,
                                rows=search.queryset if search else None, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        search = search_views.search_context(self.request, self.filterset)  # facets first: they count the results
        context = super().get_context_data(**kwargs)
        selectors.with_shown_versions(self.request.user, context["assets"])
        query = self.request.GET.copy()
        query.pop("page", None)
        view = self.request.GET.get("view", "grid")
        context.update(title="Assets", view=view if view in ("grid", "table") else "grid",
                       querystring=query.urlencode(), can_upload=authority.can(self.request.user, Cap.UPLOAD),
                       can_bulk=authority.can(self.request.user, Cap.EDIT_METADATA))
        context.update(search)
        return context


@login_required
def asset_detail(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid)
    shown = selectors.version_shown_to(request.user, asset)
    return render(request, "assets/asset_detail.html", {
        "title": asset.title, "asset": asset, "shown": shown,
        "renditions": {r.preset: r for r in shown.renditions.all()} if shown else {},
        "versions": selectors.versions_of(request.user, asset),
        "history": selectors.history_of(request.user, asset)[:50],
        "similar": selectors.visually_similar(request.user, asset),
        "embedded": shown.embedded_metadata if shown else {},
        "embedded_fields": [(key.replace("_", " ").capitalize(), value) for key, value in
                            ((shown.embedded_metadata if shown else {}).get("mapped") or {}).items()],
        "can_edit": authority.can(request.user, "edit", asset),
        "can_add_version": authority.can(request.user, "add_version", asset),
        "can_archive": authority.can(request.user, "archive", asset),
        "can_share": authority.can(request.user, "share", asset),
        "term_links": sorted(asset.term_links.all(), key=lambda link: link.term.label.casefold()),
        "schema_values": schema.display_values(asset),
        "missing": selectors.missing_required_fields(asset),
        "can_propose": authority.can(request.user, "propose", Vocabulary), "propose_form": ProposeTermForm(),
    })


@login_required
def asset_upload(request: AuthedHttpRequest) -> HttpResponse:
    """The batch upload page. With JavaScript, files go one request each to the batch API (per-file
    progress); without it, the form posts them all here and lands on the batch report."""
    authority.require(request.user, Cap.UPLOAD)
    collections = selectors.collections_for_upload(request.user).order_by("path")
    form = UploadForm(request.POST or None, request.FILES or None, collections=collections,
                      initial={"collection": request.GET.get("collection")})
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["file"]
        batch = ingest.batch_create(actor=request.user, collection=form.cleaned_data["collection"],
                                    on_duplicate=form.cleaned_data["on_duplicate"])
        single = {"title": form.cleaned_data["title"], "description": form.cleaned_data["description"]}
        results = []
        for upload in uploads:
            results += ingest.batch_add_file(batch=batch, fileobj=upload, filename=upload.name, actor=request.user,
                                             fields=single if len(uploads) == 1 else None)
        if len(results) != 1:
            return redirect(batch)
        item = results[0].item
        if item.asset is not None:
            done = "uploaded as version 1" if item.outcome == IngestItem.Outcome.CREATED else item.reason.lower()
            messages.success(request, f"“{item.asset.title}” was {done.rstrip('.')}.")
            advice = naming.ingest_advice(item.asset)
            if advice:
                messages.warning(request, advice)
            return redirect(item.asset)
        form.add_error("file", item.reason)
        form.duplicate_of = item.duplicate_of
    return render(request, "assets/upload.html", {"title": "Upload", "form": form}, status=400 if form.errors else 200)


@login_required
def batch_list(request: AuthedHttpRequest) -> HttpResponse:
    batches = selectors.batches_visible_to(request.user)[:100]
    return render(request, "assets/batch_list.html", {"title": "Upload batches", "batches": batches})


BATCH_ITEMS_PER_PAGE = 100


@login_required
def batch_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk)
    # An archive may hold 10,000 files: the report is paged, and its counts filter it ("the 3 rejected").
    outcome = request.GET.get("outcome")
    if outcome not in IngestItem.Outcome.values:
        outcome = None  # every item: no filter, or one the report does not know
    page = Paginator(selectors.batch_items(batch, outcome), BATCH_ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "assets/batch_detail.html", {
        "title": f"Upload batch {batch.pk}", "batch": batch, "items": page.object_list, "page_obj": page,
        "outcome": outcome, "querystring": urlencode({"outcome": outcome}) if outcome else "",
        "summary": selectors.batch_summary(batch),
    })


@login_required
def asset_edit(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid, "edit")
    collections = selectors.collections_for_upload(request.user) | Collection.objects.filter(pk=asset.collection_id)
    form = AssetEditForm(request.POST or None, instance=asset, collections=collections.distinct().order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_update(asset=Asset.objects.get(pk=asset.pk), actor=request.user, changes=form.changes(),
                                  expected_revision=form.cleaned_data["revision"])
        except services.StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "The changes were saved.")
            return redirect(asset)
    return render(request, "assets/asset_edit.html", {"title": f"Edit {asset.title}", "asset": asset, "form": form},
                  status=400 if form.errors else 200)


@login_required
def version_upload(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid, "add_version")
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.version_create(asset=asset, fileobj=upload, filename=upload.name, actor=request.user,
                                              change_note=form.cleaned_data["change_note"])
        except (FileRejected, services.DuplicateFile, services.VersionRefused) as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Version {version.number} was uploaded.")
            return redirect(asset)
    return render(request, "assets/version_upload.html", {"title": "New revision", "asset": asset, "form": form},
                  status=400 if form.errors else 200)


@login_required
def asset_download(request: AuthedHttpRequest, uid: str) -> HttpResponseBase:
    asset = selectors.access_asset(request.user, uid, "download")
    number = request.GET.get("version", "")
    version: AssetVersion | None
    if number.isdigit():
        version = get_object_or_404(selectors.versions_of(request.user, asset), number=int(number))
    else:
        version = selectors.version_shown_to(request.user, asset)
        if version is None:
            raise Http404("This asset has no version you may download.")
    return downloads.version_download(version, request.GET.get("rendition", downloads.ORIGINAL), user=request.user)


@login_required
def rendition_image(request: AuthedHttpRequest, uid: str, number: int, preset: str) -> HttpResponseBase:
    asset = selectors.access_asset(request.user, uid)
    version = get_object_or_404(selectors.versions_of(request.user, asset), number=number)
    return downloads.rendition_inline(version, preset)


@login_required
def collection_list(request: AuthedHttpRequest) -> HttpResponse:
    form = CollectionForm()
    return render(request, "assets/collection_list.html", {
        "title": "Collections", "tree": selectors.collection_tree(request.user), "form": form,
        "can_create": authority.can(request.user, "create", Collection),
    })


FOLDER_PAGE_SIZE = 48  # cards, as on the list page


@login_required
def collection_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    collection = authority.access(request.user, Collection.objects.all(), pk=pk)
    can_manage = authority.can(request.user, "manage", collection)
    in_folder = selectors.live_cards_visible_to(request.user).filter(collection=collection)
    page = Paginator(in_folder, FOLDER_PAGE_SIZE).get_page(request.GET.get("page"))
    assets = selectors.with_shown_versions(request.user, page.object_list)
    ancestors = Collection.objects.filter(pk__in=collection.ancestor_ids).order_by("path")
    return render(request, "assets/collection_detail.html", {
        "title": collection.name, "collection": collection, "assets": assets, "page_obj": page,
        "ancestors": ancestors,
        "children": selectors.collections_visible_to(request.user).filter(parent=collection),
        "grants": selectors.collection_grants(collection) if can_manage else [],
        "can_manage": can_manage, "can_upload": authority.can(request.user, "contribute", collection),
        "grant_form": GrantForm(), "child_form": CollectionForm(),
    })


@login_required
@require_POST
def collection_create(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    parent = authority.access(request.user, Collection.objects.all(), "create_child", pk=pk) if pk else None
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            collection = services.collection_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Collection “{collection.name}” was created.")
            return redirect(collection)
    else:
        messages.error(request, "The collection needs a name.")
    return redirect(parent or "assets:collections")


@login_required
@require_POST
def collection_grant(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    collection = authority.access(request.user, Collection.objects.all(), "grant", pk=pk)
    form = GrantForm(request.POST)
    if form.is_valid():
        services.collection_grant(collection=collection, actor=request.user, **form.cleaned_data)
        messages.success(request, "Access granted.")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(collection)


@login_required
@require_POST
def collection_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    collection = authority.access(request.user, Collection.objects.all(), "grant", pk=pk)
    form = GrantForm(request.POST)
    if form.is_valid():
        services.collection_revoke(collection=collection, actor=request.user, **form.cleaned_data)
        messages.success(request, "Access removed.")
    return redirect(collection)
