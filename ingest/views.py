"""The upload screens: the batch upload page, batch reports, a new revision of an asset."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts import permissions as authority
from accounts.permissions import Cap
from assets import selectors as asset_selectors
from assets import services as asset_services
from assets.models import Asset
from dam.http import AuthedHttpRequest
from ingest import selectors, services
from ingest.files import FileRejected
from ingest.forms import UploadForm, VersionForm
from ingest.models import IngestItem
from taxonomy import naming


@login_required
def asset_upload(request: AuthedHttpRequest) -> HttpResponse:
    """The batch upload page. With JavaScript, files go one request each to the batch API (per-file
    progress); without it, the form posts them all here and lands on the batch report."""
    authority.require(request.user, Cap.UPLOAD)
    collections = asset_selectors.collections_for_upload(request.user).order_by("path")
    form = UploadForm(request.POST or None, request.FILES or None, collections=collections,
                      initial={"collection": request.GET.get("collection")})
    batch = None
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(actor=request.user, collection=form.cleaned_data["collection"],
                                          on_duplicate=form.cleaned_data["on_duplicate"],
                                          fields=form.batch_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
    if batch is not None:
        uploads = form.cleaned_data["file"]
        single = {"title": form.cleaned_data["title"]}
        results, later = [], False
        for upload in uploads:
            added = services.batch_add_file(batch=batch, fileobj=upload, filename=upload.name, actor=request.user,
                                            fields=single if len(uploads) == 1 else None, unpack_later=True)
            results += added.results
            later = later or added.unpacking is not None
        if len(results) != 1 or later:
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
    return render(request, "ingest/upload.html", {"title": "Upload", "form": form}, status=400 if form.errors else 200)


@login_required
def batch_list(request: AuthedHttpRequest) -> HttpResponse:
    batches = selectors.batches_visible_to(request.user)[:100]
    return render(request, "ingest/batch_list.html", {"title": "Upload batches", "batches": batches})


BATCH_ITEMS_PER_PAGE = 100


@login_required
def batch_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = selectors.access_batch(request.user, pk)
    # An archive may hold 10,000 files: the report is paged, and its counts filter it ("the 3 rejected").
    outcome = request.GET.get("outcome")
    if outcome not in IngestItem.Outcome.values:
        outcome = None  # every item: no filter, or one the report does not know
    page = Paginator(selectors.batch_items(batch, outcome), BATCH_ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    items = selectors.with_previews(list(page.object_list))
    return render(request, "ingest/batch_detail.html", {
        "title": f"Upload batch {batch.pk}", "batch": batch, "items": items, "page_obj": page,
        "previews_pending": selectors.previews_pending(items),
        # The bulk editor and "submit for review" ask each asset again; here, whether to offer them at all.
        "batch_uids": selectors.batch_asset_uids(batch) if authority.can(request.user, "bulk_edit", Asset) else [],
        "outcome": outcome, "querystring": urlencode({"outcome": outcome}) if outcome else "",
        "summary": selectors.batch_summary(batch), "unpackings": selectors.unpackings_of(batch),
    })


@login_required
def version_upload(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = asset_selectors.access_asset(request.user, uid, "add_version")
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.version_ingest(asset=asset, fileobj=upload, filename=upload.name, actor=request.user,
                                              change_note=form.cleaned_data["change_note"])
        except (FileRejected, asset_services.DuplicateFile, asset_services.VersionRefused) as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Version {version.number} was uploaded.")
            return redirect(asset)
    return render(request, "ingest/version_upload.html", {"title": "New revision", "asset": asset, "form": form},
                  status=400 if form.errors else 200)


