"""Lightbox screens, under /lightboxes/: the list, one lightbox, and adding assets from search or an asset."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from accounts import permissions as authority
from dam.http import AuthedHttpRequest
from distribution import lightbox_services as services
from distribution import lightboxes as selectors
from distribution.forms_lightboxes import NEW, AddToLightboxForm, LightboxFilter, LightboxForm, NoteForm, ShareForm
from distribution.models import Lightbox, LightboxShare, ShareLink


class LightboxListView(LoginRequiredMixin, FilterView):
    filterset_class = LightboxFilter
    template_name = "distribution/lightboxes/list.html"
    context_object_name = "lightboxes"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return selectors.lightboxes_visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title="Lightboxes", querystring=query.urlencode())
        return context


@login_required
def lightbox_new(request: AuthedHttpRequest) -> HttpResponse:
    form = LightboxForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lightbox = services.lightbox_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Lightbox “{lightbox.name}” created. Add assets from search or an asset's page.")
            return redirect(lightbox)
    return render(request, "distribution/lightboxes/new.html", {"title": "New lightbox", "form": form},
                  status=400 if form.errors else 200)


@login_required
def lightbox_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_lightbox(request.user, pk))


def _detail(request: AuthedHttpRequest, lightbox: Lightbox, status: int = 200, *, share_form: ShareForm | None = None,
            edit_form: LightboxForm | None = None, note_failed: dict[str, Any] | None = None) -> HttpResponse:
    """The lightbox page; after a refused POST, with that form's errors in place."""
    user = request.user
    manage = authority.can(user, "share", lightbox)
    members = selectors.members_of(user, lightbox)
    return render(request, "distribution/lightboxes/detail.html", {
        "title": lightbox.name, "lightbox": lightbox, "members": members, "last": len(members) - 1,
        "available": sum(1 for m in members if m.available), "note_failed": note_failed or {},
        "can_edit_items": authority.can(user, "edit_items", lightbox), "can_manage": manage,
        "can_delete": authority.can(user, "delete", lightbox),
        "can_share_link": authority.can(user, "create", ShareLink),
        "shares": selectors.shares_of(lightbox) if manage else [],
        "share_form": share_form or ShareForm(),
        "edit_form": edit_form or LightboxForm(initial={"name": lightbox.name, "description": lightbox.description}),
    }, status=status)


@login_required
@require_POST
def lightbox_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "change")
    form = LightboxForm(request.POST)
    if form.is_valid():
        try:
            services.lightbox_update(lightbox=lightbox, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(lightbox)
    return _detail(request, lightbox, status=400, edit_form=form)


@login_required
@require_POST
def lightbox_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "delete")
    services.lightbox_delete(lightbox=lightbox, actor=request.user)
    messages.success(request, f"Lightbox “{lightbox.name}” deleted; its assets are where they were.")
    return redirect("lightboxes:list")


@login_required
@require_POST
def item_note(request: AuthedHttpRequest, pk: int, item: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "edit_items")
    member = selectors.member_item(lightbox, pk=item)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.lightbox_item_update(item=member, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Note saved.")
            return redirect(f"{lightbox.get_absolute_url()}#item-{member.pk}")
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    return _detail(request, lightbox, status=400,
                   note_failed={"id": member.pk, "note": request.POST.get("note", ""), "errors": errors})


@login_required
@require_POST
def item_move(request: AuthedHttpRequest, pk: int, item: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "edit_items")
    member = selectors.member_item(lightbox, pk=item)
    try:
        position = max(0, int(request.POST.get("position", "")))
    except ValueError:
        messages.error(request, "Choose where to move it.")
    else:
        services.lightbox_item_update(item=member, actor=request.user, position=position)
    return redirect(f"{lightbox.get_absolute_url()}#item-{member.pk}")


@login_required
@require_POST
def item_remove(request: AuthedHttpRequest, pk: int, item: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "edit_items")
    member = selectors.member_item(lightbox, pk=item)
    services.lightbox_remove_assets(lightbox=lightbox, actor=request.user, assets=[member.asset.uid])
    messages.success(request, "Taken out of the lightbox.")
    return redirect(lightbox)


@login_required
@require_POST
def share_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "share")
    form = ShareForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.lightbox_share(lightbox=lightbox, actor=request.user, username=data["user"].strip(),
                                    group=data["group"], can_edit=data["access"] == "edit")
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, f"Shared with {data['user'].strip() or 'the group ' + data['group']}.")
            return redirect(f"{lightbox.get_absolute_url()}#sharing")
    return _detail(request, lightbox, status=400, share_form=form)


@login_required
@require_POST
def share_remove(request: AuthedHttpRequest, pk: int, share: int) -> HttpResponse:
    lightbox = selectors.access_lightbox(request.user, pk, "share")
    found = LightboxShare.objects.filter(lightbox=lightbox, pk=share).select_related("lightbox", "user", "group")
    for one in found:  # none: already gone
        services.lightbox_unshare(share=one, actor=request.user)
    messages.success(request, "No longer shared with them.")
    return redirect(f"{lightbox.get_absolute_url()}#sharing")


@login_required
def add_to_lightbox(request: AuthedHttpRequest) -> HttpResponse:
    """Add assets (`uids`) to a lightbox: the search selection arrives here with uids only and gets the choice
    of lightbox; the asset page's small form sends its choice along and goes straight back (`next`)."""
    data = request.POST if request.method == "POST" else request.GET
    uids = data.getlist("uids")
    assets = selectors.addable_assets(request.user, uids)
    back = data.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    form = AddToLightboxForm(data if "lightbox" in data else None, user=request.user,
                             lightboxes=selectors.lightbox_choices(request.user))
    if request.method == "POST" and form.is_bound and form.is_valid():
        if not assets:
            form.add_error(None, "Choose the assets to add first.")
        else:
            try:
                if form.cleaned_data["lightbox"] == NEW:
                    lightbox = services.lightbox_create(actor=request.user, name=form.cleaned_data["new_name"],
                                                        assets=uids)
                    added = len(assets)
                else:
                    lightbox = selectors.access_lightbox(request.user, form.cleaned_data["lightbox"], "edit_items")
                    added = len(services.lightbox_add_assets(lightbox=lightbox, actor=request.user, assets=uids))
            except ValidationError as exc:
                _errors_into(form, exc, {"name": "new_name"})
            else:
                if added:
                    messages.success(request, f"Added {added} asset{'s' if added != 1 else ''} to “{lightbox.name}”.")
                else:
                    messages.info(request, f"Already in “{lightbox.name}”.")
                return redirect(back or lightbox)
    return render(request, "distribution/lightboxes/add.html", {
        "title": "Add to lightbox", "form": form, "assets": assets, "next": back,
        "back": back or reverse("search:list")}, status=400 if form.errors else 200)


def _errors_into(form: Form, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal shown on the form: on its field when the form has one (`fields` renames the
    service's names to the form's), above the form otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        field = (fields or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)
