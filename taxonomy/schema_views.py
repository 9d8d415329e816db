"""Librarians' screens beside the vocabulary: the metadata schema, naming conventions, term proposals.

Their URLs stay under /assets/ (/assets/schema/, /assets/proposals/), where people know them.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from dam.http import AuthedHttpRequest
from taxonomy import naming, proposals, schema
from taxonomy import selectors as vocab
from taxonomy.forms import AcceptProposalForm, MapProposalsForm, MetadataFieldForm, NamingRuleForm
from taxonomy.models import MetadataField, NamingRule, TermProposal, Vocabulary

# --- metadata schema ------------------------------------------------------------------


@login_required
def schema_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    fields = MetadataField.objects.select_related("vocabulary").prefetch_related("collections")
    return render(request, "taxonomy/schema_list.html", {
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
    return redirect("schema:fields")


@login_required
@require_POST
def naming_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    naming.naming_rule_delete(rule=get_object_or_404(NamingRule, pk=pk), actor=request.user)
    messages.success(request, "The naming convention was removed.")
    return redirect("schema:fields")


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
            return redirect("schema:fields")
    return render(request, "taxonomy/schema_edit.html", {
        "title": f"Edit field {field.label}" if field else "New field", "form": form, "field": field,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def schema_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    authority.require(request.user, "edit", Vocabulary)
    field = get_object_or_404(MetadataField, pk=pk)
    schema.metadata_field_delete(field=field, actor=request.user)
    messages.success(request, f"Field “{field.label}” was removed from the schema; values stay in the assets.")
    return redirect("schema:fields")


# --- term proposals ---------------------------------------------------------------------

@login_required
def proposal_list(request: AuthedHttpRequest) -> HttpResponse:
    """Librarians: the queue of pending proposals, identical ones grouped. Proposers: what became of theirs."""
    can_resolve = authority.can(request.user, "create", Vocabulary)
    if not can_resolve:
        authority.require(request.user, "propose", Vocabulary)
    status = request.GET.get("status", TermProposal.Status.PENDING if can_resolve else "")
    shown = vocab.proposals_visible_to(request.user, status if status in TermProposal.Status.values else None)
    groups = vocab.proposal_groups(request.user, shown[:500], suggest=can_resolve)
    return render(request, "taxonomy/proposals.html", {
        "title": "Term proposals" if can_resolve else "My term proposals", "groups": groups,
        "can_resolve": can_resolve, "status": status, "statuses": TermProposal.Status.choices,
        "vocabularies": Vocabulary.objects.order_by("title"), "first_vocabulary": Vocabulary.objects.first(),
    })


def _chosen(request: AuthedHttpRequest, pk: int | None) -> list[TermProposal]:
    """The proposals one decision covers: the one in the URL, or the ids posted (a group, or the ticked ones)."""
    authority.require(request.user, "create", Vocabulary)
    visible = vocab.proposals_visible_to(request.user)
    if pk is not None:
        return [get_object_or_404(visible, pk=pk)]
    ids = {int(part) for value in request.POST.getlist("ids") for part in value.split(",") if part.strip().isdigit()}
    return list(visible.filter(pk__in=ids).order_by("created_at", "pk"))


def _counted(proposals: list[TermProposal]) -> str:
    return f"{len(proposals)} proposals" if len(proposals) != 1 else "The proposal"


@login_required
@require_POST
def proposal_accept(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    chosen = _chosen(request, pk)
    form = AcceptProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("schema:proposals")
    broader = form.cleaned_data["broader"]
    try:
        term = proposals.proposals_accept(proposals=chosen, vocabulary=form.cleaned_data["vocabulary"],
                                          actor=request.user, label=form.cleaned_data["label"],
                                          broader=[broader] if broader else None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        assets = len([p for p in chosen if p.asset_id])
        messages.success(request, f"“{term}” was added to the vocabulary"
                                  f"{f' and {assets} asset(s) tagged' if assets else ''}.")
    return redirect("schema:proposals")


@login_required
@require_POST
def proposal_map(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    chosen = _chosen(request, pk)
    form = MapProposalsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("schema:proposals")
    term = form.cleaned_data["term"]
    try:
        proposals.proposals_map(proposals=chosen, term=term, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = chosen[0].label if chosen else ""
        messages.success(request, f"“{label}” was mapped to “{term}” ({len(chosen)} proposal"
                                  f"{'s' if len(chosen) != 1 else ''}).")
    return redirect("schema:proposals")


@login_required
@require_POST
def proposal_reject(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    chosen = _chosen(request, pk)
    try:
        proposals.proposals_reject(proposals=chosen, actor=request.user, note=request.POST.get("note", "").strip())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        what = f"“{chosen[0].label}” was" if len({p.label for p in chosen}) == 1 else f"{len(chosen)} proposals were"
        messages.success(request, f"{what} rejected; the proposer{'s see' if len(chosen) > 1 else ' sees'} why.")
    return redirect("schema:proposals")
