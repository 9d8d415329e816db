"""BagIt screens: ask for an export from an asset or a collection, follow my exports, download; admins restore."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from archive.bags import layout, selectors, services
from archive.bags.api import bag_file
from archive.bags.forms import RestoreForm
from archive.bags.restore import BagRefused
from archive.models import BagExport
from assets.models import Collection
from assets.selectors import access_asset
from dam.errors import Gone, StateConflict
from dam.http import AuthedHttpRequest


@login_required
def export_list(request: AuthedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.exports_of(request.user), 25).get_page(request.GET.get("page"))
    working = any(job.state in (BagExport.State.QUEUED, BagExport.State.RUNNING) for job in page)
    return render(request, "archive/bags/list.html", {
        "title": "BagIt exports", "page": page, "working": working,
        "can_restore": authority.can(request.user, Cap.ADMINISTER)})


@login_required
@require_POST
def export_asset(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = access_asset(request.user, uid)
    job = services.bag_export_request(actor=request.user, asset=asset)
    messages.success(request, f"The BagIt package of “{asset.title}” is being made. It will be listed here, "
                              "ready to download, when it is done.")
    return redirect(job)


@login_required
@require_POST
def export_collection(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    collection = authority.access(request.user, Collection.objects.all(), pk=pk)
    job = services.bag_export_request(actor=request.user, collection=collection)
    messages.success(request, f"The BagIt package of the collection “{collection.name}” is being made. It holds "
                              "the assets in it and its sub-collections that you may see.")
    return redirect(job)


@login_required
def export_download(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    job = selectors.access_export(request.user, pk, "download")
    try:
        return bag_file(job)
    except (Gone, StateConflict) as exc:
        messages.error(request, str(exc))
        return redirect(job)


@login_required
def restore(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    form = RestoreForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bag"]
        with tempfile.TemporaryDirectory(prefix="dam-restore-upload-") as tmp:
            path = Path(tmp) / layout.safe_name(upload.name, "bag.zip")  # errors name the file as it was sent
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                assets = services.bag_restore(zip_path=path, actor=request.user, replace=form.cleaned_data["replace"])
            except BagRefused as exc:
                form.add_error("bag", str(exc))
            else:
                names = ", ".join(f"“{a.title}”" for a in assets[:5]) + (" and more" if len(assets) > 5 else "")
                messages.success(request, f"Restored {len(assets)} asset{'s' if len(assets) != 1 else ''}: {names}.")
                return redirect("archive:bags:list")
    return render(request, "archive/bags/restore.html", {"title": "Restore a BagIt package", "form": form})
