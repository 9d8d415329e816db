"""Rights screens: the expiring report with one-click renew and archive, an asset's release documents,
and a collection's expiry action."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from archive.models import ReleaseDocument, RightsNotice
from archive.rights import selectors, services
from archive.rights.forms import ExpiryActionForm, LicenceTypeForm, PeriodForm, ReleaseForm, RenewForm
from archive.rights.permissions import may_keep_rights
from assets import downloads
from assets.expiry import expiry_choice, expiry_choices
from assets.models import Asset, Collection, LicenceType, RightsOnExpiry
from assets.selectors import access_asset, with_shown_versions
from dam.http import AuthedHttpRequest

RENEW_FOR = timedelta(days=365)


def _period(request: AuthedHttpRequest) -> int:
    form = PeriodForm(request.GET or None)
    return (form.cleaned_data.get("days") or selectors.DEFAULT_PERIOD) if form.is_valid() \
        else selectors.DEFAULT_PERIOD


@login_required
def expiring_report(request: AuthedHttpRequest, *, renew_errors: dict[str, Any] | None = None,
                    status: int = 200) -> HttpResponse:
    authority.require(request.user, "report", RightsNotice)
    days = _period(request)
    page = Paginator(selectors.expiring(request.user, days), 50).get_page(request.GET.get("page"))
    with_shown_versions(request.user, page)
    now = timezone.now()
    # Archiving a visible asset needs the capability only (assets.permissions): asked once for the page.
    may_archive = authority.can(request.user, Cap.ARCHIVE)
    choices = expiry_choices(asset.collection for asset in page)  # one query for the page's folders
    for asset in page:
        # What the row shows, set on the asset for the template (every listed asset has an expiry).
        expires = asset.rights_expire_at
        assert expires is not None
        asset.expired = expires <= now  # type: ignore[attr-defined]
        asset.when = _when(expires, now)  # type: ignore[attr-defined]
        asset.may_archive = may_archive  # type: ignore[attr-defined]
        asset.on_expiry = RightsOnExpiry(choices[asset.collection_id].action).label  # type: ignore[attr-defined]
        asset.renew_problem = (renew_errors or {}).get(str(asset.uid))  # type: ignore[attr-defined]
        # One click renews for a year from the later of the old expiry and now; the date can be changed first.
        asset.renew_default = timezone.localtime(max(expires, now) + RENEW_FOR).strftime(  # type: ignore[attr-defined]
            "%Y-%m-%dT%H:%M")
    return render(request, "archive/rights/expiring.html", {
        "title": "Rights expiring", "page": page, "days": days, "period_form": PeriodForm(initial={"days": days}),
        "now": now, "reminder_days": reminder_days_sentence()}, status=status)


def _when(moment: Any, now: Any) -> str:
    """“in 12 days”, “tomorrow”, “expired 3 days ago”: whole calendar days, as the reminders count them."""
    days = (timezone.localtime(moment).date() - timezone.localtime(now).date()).days
    if moment <= now:
        return "expired today" if days == 0 else f"expired {-days} day{'s' if days != -1 else ''} ago"
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def reminder_days_sentence() -> str:
    days = [str(d) for d in settings.DAM_RIGHTS_REMINDER_DAYS]
    return (", ".join(days[:-1]) + " and " + days[-1] if len(days) > 1 else days[0]) + (
        " days" if days != ["1"] else " day")


@login_required
@require_POST
def renew(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = access_asset(request.user, uid)
    if not may_keep_rights(request.user, asset):
        authority.require(request.user, "edit", asset)  # 403 with the usual sentence
    form = RenewForm(request.POST)
    error: str | None = None
    if form.is_valid():
        try:
            services.rights_renew(asset=asset, actor=request.user, expires_at=form.cleaned_data["expires_at"])
        except ValidationError as exc:
            error = str(exc.message_dict.get("expires_at", exc.messages)[0])
    else:
        error = str(form.errors["expires_at"][0])
    if error:
        # Back to the report with the sentence beside this asset's date, and what was typed kept.
        return expiring_report(request, renew_errors={str(asset.uid): {"error": error,
                                                                        "value": request.POST.get("expires_at", "")}},
                               status=400)
    messages.success(request, f"The rights of “{asset.title}” now expire on "
                              f"{timezone.localtime(form.cleaned_data['expires_at']):%Y-%m-%d %H:%M}.")
    back = request.POST.get("next") or ""
    local = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                            require_https=request.is_secure())
    return redirect(back if back and local else reverse("rights:expiring"))


@login_required
def releases(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = access_asset(request.user, uid, "edit")
    form = ReleaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.release_attach(asset=asset, actor=request.user, kind=form.cleaned_data["kind"],
                                    fileobj=upload, filename=upload.name)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"The {dict(ReleaseDocument.Kind.choices)[form.cleaned_data['kind']].lower()} "
                                      f"is on file for “{asset.title}”.")
            return redirect("rights:releases", uid=asset.uid)
    return render(request, "archive/rights/releases.html", {
        "title": f"Releases of “{asset.title}”", "asset": asset, "form": form,
        "documents": selectors.release_documents(request.user, asset),
        "notices": selectors.notices_for(asset)[:20]}, status=400 if form.errors else 200)


def _document(request: AuthedHttpRequest, pk: int, action: str) -> ReleaseDocument:
    return authority.access(request.user, ReleaseDocument.objects.select_related("asset"), action, pk=pk)


@login_required
def release_download(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    document = _document(request, pk, "download")
    return downloads.file_response(document.file.name, document.original_filename, document.mime_type)


@login_required
@require_POST
def release_remove(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, "remove")
    services.release_remove(document=document, actor=request.user)
    messages.success(request, f"“{document.original_filename}” was removed.")
    return redirect("rights:releases", uid=document.asset.uid)


@login_required
def collection_expiry(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    collection = authority.access(request.user, Collection.objects.select_related("parent"), "manage", pk=pk)
    # What "as the parent folder" means here: the parent's effective choice, or hide at the top level.
    inherited = expiry_choice(collection.parent) if collection.parent else None
    form = ExpiryActionForm(request.POST or None, initial={"action": collection.rights_on_expiry},
                            inherited=inherited.sentence_for(collection) if inherited else None)
    if request.method == "POST" and form.is_valid():
        collection = services.collection_set_expiry_action(collection=collection, actor=request.user,
                                                           action=form.cleaned_data["action"])
        now = expiry_choice(collection)
        messages.success(request, f"“{collection.name}”: {collection_action_sentence(now.action)}")
        return redirect("rights:collection_expiry", pk=collection.pk)
    expiring_here = Asset.objects.filter(collection=collection, archived_at__isnull=True,
                                         rights_expire_at__isnull=False).count()
    return render(request, "archive/rights/collection_expiry.html", {
        "title": f"Rights expiry in “{collection.name}”", "collection": collection, "form": form,
        "with_expiry": expiring_here, "effective": expiry_choice(collection).sentence_for(collection)},
        status=400 if form.errors else 200)


def collection_action_sentence(action: str) -> str:
    """What happens on expiry, for an effective choice (hide, archive or notify)."""
    return {"hide": "assets whose rights expire are hidden until renewed.",
            "archive": "assets whose rights expire are moved to the archive.",
            "notify": "when rights expire, the assets stay in use; the owner and managers are told."}[action]


@login_required
def licences(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """The controlled list of licences (admins): the list, with a form to add one or edit the one chosen."""
    licence = authority.access(request.user, LicenceType.objects.all(), "edit", pk=pk) if pk else None
    authority.require(request.user, "create", LicenceType)
    form = LicenceTypeForm(request.POST or None, instance=licence)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.licence_type_save(actor=request.user, licence=licence, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"“{saved.name}” was saved.")
            return redirect("rights:licences")
    in_use = dict(Asset.objects.exclude(licence="").order_by().values("licence").annotate(n=Count("pk"))
                  .values_list("licence", "n"))
    rows = list(LicenceType.objects.all())
    for row in rows:
        row.in_use = in_use.get(row.name, 0)  # type: ignore[attr-defined]
    return render(request, "archive/rights/licences.html", {
        "title": "Licences", "licences": rows, "form": form, "editing": licence},
        status=400 if form.errors else 200)
