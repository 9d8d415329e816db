"""Retention screens: rules with their dry runs, legal holds, and the bin. Admins only."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from accounts.permissions import Cap
from archive.models import BinEntry, LegalHold, RetentionRule
from archive.retention import selectors, services
from archive.retention.forms import EnableForm, ReasonForm, RetentionRuleForm
from assets.models import Asset, Collection
from dam.errors import StateConflict
from dam.http import AuthedHttpRequest

PAGE_SIZE = 50


def _rule(request: AuthedHttpRequest, pk: int) -> RetentionRule:
    return authority.access(request.user, selectors.rules(), "manage", pk=pk)


@login_required
def rule_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    return render(request, "archive/retention/rule_list.html", {
        "title": "Retention", "rules": selectors.rules(), "runs": selectors.recent_runs(),
        "holds": selectors.active_holds().select_related("asset", "collection", "placed_by")[:100],
    })


def _save_rule(request: AuthedHttpRequest, rule: RetentionRule | None) -> HttpResponse:
    form = RetentionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        try:
            if rule is None:
                rule = services.rule_create(actor=request.user, terms=form.cleaned_data["terms"], **values)
                messages.success(request, f"The rule “{rule.name}” was saved, not enabled yet. "
                                          f"Here is what it would do now.")
            else:
                was_enabled = rule.enabled
                rule = services.rule_update(rule=rule, actor=request.user, terms=form.cleaned_data["terms"],
                                            **values)
                messages.success(request, f"The rule “{rule.name}” was saved." + (
                    " Its conditions changed, so it was disabled: look at its dry run and enable it again."
                    if was_enabled and not rule.enabled else ""))
            return redirect(rule)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "archive/retention/rule_form.html", {
        "title": f"Edit “{rule.name}”" if rule else "New retention rule", "form": form, "rule": rule})


@login_required
def rule_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    return _save_rule(request, None)


@login_required
def rule_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _save_rule(request, _rule(request, pk))


@login_required
def dry_run(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """What the rule would do now: the count and a paged list, and what it would skip and why."""
    rule = _rule(request, pk)
    plan = selectors.rule_plan(rule)
    page = Paginator(plan.to_act, PAGE_SIZE).get_page(request.GET.get("page"))
    skipped = [(asset, selectors.SKIP_REASONS[selectors.skip_reason(asset)]) for asset in plan.skipped[:200]]
    return render(request, "archive/retention/dry_run.html", {
        "title": rule.name, "rule": rule, "plan": plan, "page": page, "skipped": skipped,
        "skipped_count": plan.counts[selectors.HELD] + plan.counts[selectors.IN_REVIEW],
        "needs_confirmation": plan.count > settings.DAM_RETENTION_CONFIRM_OVER,
        "threshold": settings.DAM_RETENTION_CONFIRM_OVER, "runs": selectors.recent_runs(rule, 10),
    })


@login_required
@require_POST
def rule_enable(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    form = EnableForm(request.POST)
    confirm = form.cleaned_data["confirm"] if form.is_valid() else None
    try:
        services.rule_enable(rule=rule, actor=request.user, confirm=confirm)
    except services.ConfirmationNeeded as exc:
        messages.warning(request, str(exc))
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The rule “{rule.name}” is enabled: it runs every day.")
    return redirect(rule)


@login_required
@require_POST
def rule_disable(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    try:
        services.rule_disable(rule=rule, actor=request.user)
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The rule “{rule.name}” is disabled.")
    return redirect(rule)


@login_required
@require_POST
def rule_run(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    if not rule.enabled:
        messages.error(request, "Enable the rule before running it.")
        return redirect(rule)
    run = services.rule_run(rule=rule, actor=request.user)
    messages.success(request, f"The rule changed {run.acted} assets and skipped {len(run.skipped)}.")
    return redirect(rule)


@login_required
def rule_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    if request.method == "POST":
        services.rule_delete(rule=rule, actor=request.user)
        messages.success(request, f"The rule “{rule.name}” was deleted. What it did stays in the audit log.")
        return redirect("archive:retention:rules")
    return render(request, "archive/retention/rule_delete.html", {"title": f"Delete “{rule.name}”", "rule": rule})


# --- legal holds ------------------------------------------------------------------------------------------

def _place_hold(request: AuthedHttpRequest, back: str, **target: Any) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the legal hold is placed: the reason is kept in the audit trail.")
        return redirect(back)
    try:
        services.hold_place(actor=request.user, reason=form.cleaned_data["reason"], **target)
    except (StateConflict, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "Legal hold placed: no retention rule and no purge will touch it.")
    return redirect(back)


def _back(request: AuthedHttpRequest, default: str) -> str:
    """Where to go after a form: the page it was sent from (only a path on this site), else `default`."""
    back = request.POST.get("next", "")
    return back if back.startswith("/") and not back.startswith("//") else default


@login_required
@require_POST
def hold_asset(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    # Binned assets too (hidden from every other page): a hold that arrives while one waits in the bin
    # must still stop its purge.
    asset = get_object_or_404(Asset, uid=uid)
    return _place_hold(request, _back(request, asset.get_absolute_url()), asset=asset)


@login_required
@require_POST
def hold_collection(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    collection = authority.access(request.user, Collection.objects.all(), pk=pk)
    return _place_hold(request, collection.get_absolute_url(), collection=collection)


@login_required
@require_POST
def hold_lift(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    hold = authority.access(request.user, LegalHold.objects.select_related("asset", "collection"), "lift", pk=pk)
    back = _back(request, reverse("archive:retention:rules"))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the legal hold is lifted: the reason is kept in the audit trail.")
        return redirect(back)
    try:
        services.hold_lift(hold=hold, actor=request.user, reason=form.cleaned_data["reason"])
    except StateConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The legal hold on “{hold.asset or hold.collection}” was lifted.")
    return redirect(back)


# --- the bin ----------------------------------------------------------------------------------------------

@login_required
def bin_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    page = Paginator(selectors.bin_entries(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive/retention/bin.html", {
        "title": "Bin", "page": page, "grace_days": settings.DAM_BIN_GRACE_DAYS})


@login_required
@require_POST
def asset_bin(request: AuthedHttpRequest, uid: str) -> HttpResponse:
    authority.require(request.user, Cap.ADMINISTER)
    asset = authority.access(request.user, Asset.objects.all(), uid=uid)
    try:
        entry = services.asset_bin(asset=asset, actor=request.user, reason=request.POST.get("reason", ""))
    except StateConflict as exc:
        messages.error(request, str(exc))
        return redirect(asset)
    messages.success(request, f"“{asset.title}” was moved to the bin. It can be restored until "
                              f"{entry.purge_after:%Y-%m-%d}, then it is purged for good.")
    return redirect("archive:retention:bin")


def _entry(request: AuthedHttpRequest, pk: int, action: str) -> BinEntry:
    return authority.access(request.user, BinEntry.objects.select_related("asset"), action, pk=pk)


@login_required
@require_POST
def bin_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk, "restore")
    try:
        asset = services.bin_restore(entry=entry, actor=request.user)
    except StateConflict as exc:
        messages.error(request, str(exc))
        return redirect("archive:retention:bin")
    messages.success(request, f"“{asset.title}” was taken out of the bin"
                              + (" and is back in the archive." if asset.archived_at else "."))
    return redirect(asset)


@login_required
def bin_purge(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Purge now: a page that says what will be lost, then the POST that does it."""
    entry = _entry(request, pk, "purge")
    if request.method == "POST":
        try:
            result = services.bin_purge(entry=entry, actor=request.user)
        except StateConflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{result.title}” was purged for good: {result.files} stored files "
                                      f"removed. Its history stays in the audit log.")
        return redirect("archive:retention:bin")
    versions = entry.asset.versions.prefetch_related("renditions")
    return render(request, "archive/retention/bin_purge.html", {
        "title": f"Purge “{entry.asset.title}”", "entry": entry, "versions": versions,
        "held": selectors.asset_is_held(entry.asset)})
