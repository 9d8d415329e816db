"""Screens for assets and collections. Views parse input, call one service, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from assets import downloads, metadata_display, selectors, services
from assets.expiry import expiry_choice
from assets.forms import AssetEditForm, CollectionForm, GrantForm
from assets.models import Asset, AssetVersion, Collection, Rendition
from dam.http import AuthedHttpRequest
from taxonomy import proposals, schema
from taxonomy.forms import ProposeTermForm
from taxonomy.models import Vocabulary


@login_required
def asset_detail(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid)
    shown = selectors.version_shown_to(request.user, asset)
    return render(request, "assets/asset_detail.html", {
        "title": asset.title, "asset": asset, "shown": shown,
        "renditions": {r.preset: r for r in shown.renditions.all() if not r.variant} if shown else {},
        "failed_renditions": [r for r in shown.renditions.all() if r.status == "failed" and not r.variant]
        if shown else [],
        "can_retry_renditions": authority.can(request.user, "retry_renditions", asset),
        "versions": selectors.versions_of(request.user, asset),
        "history": selectors.history_of(request.user, asset)[:50],
        "similar": selectors.visually_similar(request.user, asset),
        "embedded": shown.embedded_metadata if shown else {},
        "colors": selectors.colors_of(shown),
        "embedded_fields": metadata_display.embedded_fields(shown.embedded_metadata or {} if shown else {}),
        "can_edit": authority.can(request.user, "edit", asset),
        "can_add_version": authority.can(request.user, "add_version", asset),
        "can_archive": authority.can(request.user, "archive", asset),
        "can_share": authority.can(request.user, "share", asset),
        "term_links": sorted(asset.term_links.all(), key=lambda link: link.term.label.casefold()),
        "schema_values": schema.display_values(asset),
        "missing": selectors.missing_required_fields(asset),
        "rights_holds": selectors.rights_holds(asset),
        "can_propose": authority.can(request.user, "propose", Vocabulary), "propose_form": ProposeTermForm(),
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
    shown = selectors.version_shown_to(request.user, asset)
    preview = selectors.rendition_for(shown, "preview") if shown is not None else None
    return render(request, "assets/asset_edit.html", {
        "title": f"Edit {asset.title}", "asset": asset, "form": form, "shown": shown,
        # The picture being described, beside its fields (only once made: a missing one would be a broken image).
        "preview_ready": preview is not None and preview.status == Rendition.Status.READY,
        "preview_failed": preview is not None and preview.status == Rendition.Status.FAILED,
    }, status=400 if form.errors else 200)


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
        "can_set_delivery": authority.can(request.user, "set_delivery", collection),
        "delivery_choices": Collection.Delivery.choices,
        "on_expiry": expiry_choice(collection).sentence_for(collection) if can_manage else "",
    })


@login_required
@require_POST
def focal_point(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    """Where the picture's subject is (fractions of its width and height), or clear it."""
    asset = selectors.access_asset(request.user, uid, "edit")
    try:
        if request.POST.get("clear"):
            focal: tuple[float | None, float | None] = (None, None)
        else:
            focal = (float(request.POST.get("x", "")), float(request.POST.get("y", "")))
        services.asset_update(asset=asset, actor=request.user, changes={"focal_x": focal[0], "focal_y": focal[1]})
    except (ValueError, ValidationError):
        messages.error(request, "The focal point must lie on the picture.")
    else:
        messages.success(request, "Focal point cleared." if focal[0] is None else
                         "Focal point set: crops to a fixed shape keep it in frame.")
    return redirect(asset)


@login_required
@require_POST
def collection_delivery(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    collection = authority.access(request.user, Collection.objects.all(), "set_delivery", pk=pk)
    try:
        services.collection_set_delivery(collection=collection, actor=request.user,
                                         delivery=request.POST.get("delivery", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Delivery URLs of “{collection.name}”: {collection.get_delivery_display()}.")
    return redirect(collection)


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


@login_required
@require_POST
def propose_term(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid)
    authority.require(request.user, "propose", Vocabulary)
    form = ProposeTermForm(request.POST)
    if form.is_valid():
        proposals.proposal_create(asset=asset, actor=request.user, **form.cleaned_data)
        messages.success(request, f"“{form.cleaned_data['label']}” was proposed; a librarian will answer.")
    else:
        messages.error(request, "Say which term you would like.")
    return redirect(asset)


@login_required
@require_POST
def renditions_retry(request: AuthedHttpRequest, uid: str, number: int) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid, "retry_renditions")
    version = get_object_or_404(selectors.versions_of(request.user, asset), number=number)
    asked = services.renditions_retry(version=version, actor=request.user)
    messages.success(request, f"The previews of v{version.number} are being made again ({len(asked)} asked for)."
                     if asked else "There was nothing to make again.")
    return redirect(asset)
