"""Screens that tie the vocabulary to assets: the metadata schema, term proposals, bulk edit.

They sit with the assets app because they need assets and collections, which the
taxonomy app below may not import.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from assets import metadata_csv, naming, schema, selectors, services, tagging
from assets.filters import AssetFilter
from assets.forms import (
    AcceptProposalForm,
    BulkEditForm,
    MetadataFieldForm,
    MetadataImportForm,
    NamingRuleForm,
    ProposeTermForm,
)
from assets.models import Asset, Collection, MetadataField, NamingRule, TermProposal
from dam.http import AuthedHttpRequest
from taxonomy import selectors as vocab
from taxonomy.models import Vocabulary

# --- metadata schema ------------------------------------------------------------------


@login_required
def schema_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    fields = MetadataField.objects.select_related("vocabulary").prefetch_related("collections")
    return render(request, "assets/schema_list.html", {
        "title": "Metadata schema", "fields": fields, "rules": NamingRule.objects.select_related("collection"),
        "naming_form": NamingRuleForm()})


@login_required
@require_POST
def naming_save(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    form = NamingRuleForm(request.POST)
    if form.is_valid():
        try:
            rule = naming.naming_rule_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Naming convention {rule.pattern} saved.")
    else:
        messages.error(request, "Give a pattern.")
    return redirect("assets:schema")


@login_required
@require_POST
def naming_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    naming.naming_rule_delete(rule=get_object_or_404(NamingRule, pk=pk), actor=request.user)
    messages.success(request, "The naming convention was removed.")
    return redirect("assets:schema")


@login_required
def schema_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    field = get_object_or_404(MetadataField, pk=pk) if pk else None
    form = MetadataFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = schema.metadata_field_save(field=field, data=data, actor=request.user)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"Field “{saved.label}” was saved.")
            return redirect("assets:schema")
    return render(request, "assets/schema_edit.html", {
        "title": f"Edit field {field.label}" if field else "New field", "form": form, "field": field,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def schema_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    field = get_object_or_404(MetadataField, pk=pk)
    schema.metadata_field_delete(field=field, actor=request.user)
    messages.success(request, f"Field “{field.label}” was removed from the schema; values stay in the assets.")
    return redirect("assets:schema")


# --- term proposals ---------------------------------------------------------------------

@login_required
@require_POST
def propose_term(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    asset = selectors.access_asset(request.user, uid)
    authority.require(request.user, "propose", Vocabulary)
    form = ProposeTermForm(request.POST)
    if form.is_valid():
        tagging.proposal_create(asset=asset, actor=request.user, **form.cleaned_data)
        messages.success(request, f"“{form.cleaned_data['label']}” was proposed; a librarian will answer.")
    else:
        messages.error(request, "Say which term you would like.")
    return redirect(asset)


@login_required
def proposal_list(request: AuthedHttpRequest) -> HttpResponse:
    """Librarians: the queue of pending proposals. Proposers: what became of theirs."""
    can_resolve = authority.can(request.user, "create", Vocabulary)
    if not can_resolve:
        authority.require(request.user, "propose", Vocabulary)
    proposals = TermProposal.objects.select_related("asset", "proposed_by", "resolved_by", "term", "vocabulary")
    status = request.GET.get("status", TermProposal.Status.PENDING if can_resolve else "")
    if can_resolve:
        visible_assets = authority.visible(request.user, Asset.objects.all())
        proposals = proposals.filter(Q(asset__isnull=True) | Q(asset__in=visible_assets))
    else:
        proposals = proposals.filter(proposed_by=request.user)
    if status in TermProposal.Status.values:
        proposals = proposals.filter(status=status)
    rows = list(proposals[:200])
    if can_resolve:
        for proposal in rows:
            if proposal.status == TermProposal.Status.PENDING:
                proposal.suggestions = vocab.search(request.user, proposal.label, limit=4)  # type: ignore[attr-defined]
    return render(request, "assets/proposals.html", {
        "title": "Term proposals" if can_resolve else "My term proposals", "proposals": rows,
        "can_resolve": can_resolve, "status": status, "statuses": TermProposal.Status.choices,
        "accept_form": AcceptProposalForm(initial={"vocabulary": Vocabulary.objects.first()}),
    })


def _pending(request: AuthedHttpRequest, pk: int) -> TermProposal:
    authority.require(request.user, "create", Vocabulary)
    return get_object_or_404(TermProposal.objects.select_related("asset"), pk=pk)


@login_required
@require_POST
def proposal_accept(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    proposal = _pending(request, pk)
    form = AcceptProposalForm(request.POST)
    if form.is_valid():
        broader_ref = form.cleaned_data["broader"]
        broader = vocab.resolve_term(broader_ref) if broader_ref else None
        try:
            if broader_ref and broader is None:
                raise ValidationError(f"No term {broader_ref!r} to put it under.")
            term = tagging.proposal_accept(proposal=proposal, vocabulary=form.cleaned_data["vocabulary"],
                                           actor=request.user, label=form.cleaned_data["label"],
                                           broader=[broader] if broader else None)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"“{term}” was added to the vocabulary and the asset tagged.")
    return redirect("assets:proposals")


@login_required
@require_POST
def proposal_map(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    proposal = _pending(request, pk)
    term = vocab.resolve_term(request.POST.get("term", ""))
    if term is None:
        messages.error(request, "Choose an existing term (its URI or id).")
        return redirect("assets:proposals")
    try:
        tagging.proposal_map(proposal=proposal, term=term, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{proposal.label}” was mapped to “{term}”.")
    return redirect("assets:proposals")


@login_required
@require_POST
def proposal_reject(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    proposal = _pending(request, pk)
    try:
        tagging.proposal_reject(proposal=proposal, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{proposal.label}” was rejected; the proposer sees why.")
    return redirect("assets:proposals")


# --- bulk edit -----------------------------------------------------------------------------

@login_required
def bulk_edit(request: AuthedHttpRequest) -> HttpResponse:
    uids = request.POST.getlist("uids") or [u for u in request.POST.get("assets", "").split(",") if u]
    visible = selectors.assets_visible_to(request.user).filter(uid__in=uids) if uids else Asset.objects.none()
    assets = [a for a in visible if authority.can(request.user, "edit", a)]
    collections = selectors.collections_for_upload(request.user) | Collection.objects.filter(
        pk__in=[a.collection_id for a in assets])
    bound = request.method == "POST" and "field_key" in request.POST
    form = BulkEditForm(request.POST if bound else None, collections=collections.distinct().order_by("path"),
                        initial={"assets": ",".join(str(a.uid) for a in assets)})
    if bound and form.is_valid():
        data = form.cleaned_data
        metadata = {data["field_key"]: data["field_value"]} if data["field_key"] else None
        try:
            changed = services.assets_bulk_update(
                assets=assets, actor=request.user, add_terms=[t.pk for t in data["add_terms"]],
                remove_terms=list(data["remove_terms"]), collection=data["collection"], metadata=metadata)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{changed} of {len(assets)} asset(s) changed.")
            return redirect("assets:list")
    return render(request, "assets/bulk_edit.html", {"title": "Edit many assets", "form": form, "assets": assets,
                                                     "skipped": len(set(uids)) - len(assets)},
                  status=400 if form.errors else 200)


# --- metadata as CSV ------------------------------------------------------------------------

@login_required
def metadata_export(request: AuthedHttpRequest) -> HttpResponse:
    """The assets the list shows (same filters), as CSV to edit in a spreadsheet."""
    filterset = AssetFilter(request.GET, queryset=selectors.assets_visible_to(request.user),
                            collections=selectors.collections_visible_to(request.user))
    assets = filterset.qs if filterset.is_valid() else selectors.assets_visible_to(request.user)
    response = HttpResponse(metadata_csv.export(selectors.with_terms(assets)[:5000]),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="asset-metadata.csv"'
    return response


@login_required
def metadata_import(request: AuthedHttpRequest) -> HttpResponse:
    form = MetadataImportForm(request.POST or None, request.FILES or None)
    results: list[metadata_csv.RowResult] = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"].read().decode("utf-8-sig", errors="replace")
        try:
            results = metadata_csv.import_csv(text=text, actor=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
    summary = {status: sum(1 for r in results if r.status == status) for status in ("updated", "unchanged", "error")}
    return render(request, "assets/metadata_import.html", {"title": "Import metadata", "form": form,
                                                           "results": results, "summary": summary},
                  status=400 if form.errors else 200)
